package reconcile_test

import (
	"context"
	"encoding/json"
	"strings"
	"sync"
	"testing"
	"time"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/octopus"
	"octosync.dev/octosync/octopus/emulator"
	"octosync.dev/octosync/reconcile"
	"octosync.dev/octosync/reconcile/reconciletest"
)

// newFaultyInstance starts an emulator with faults and returns a client
// that retries (as octosync's does) without really sleeping.
func newFaultyInstance(t *testing.T, retries int, faults ...string) *octopus.Client {
	t.Helper()
	var fs []emulator.Fault
	for _, spec := range faults {
		f, err := emulator.ParseFault(spec)
		if err != nil {
			t.Fatal(err)
		}
		fs = append(fs, f)
	}
	url := reconciletest.Start(t, emulator.Options{APIKey: testKey, Faults: fs, FaultSeed: 1})
	return reconciletest.Client(t, "test", url, octopus.Options{APIKey: testKey, Retries: retries,
		Sleep: func(ctx context.Context, _ time.Duration) error { return ctx.Err() }})
}

func twoSpaces(t *testing.T) *model.Instance {
	mk := func(space string) []*model.Resource {
		r := func(kind, owner, name, body string) *model.Resource {
			return &model.Resource{Key: model.Key{Instance: "test", Space: space, Kind: kind, Owner: owner, Name: name}, Doc: doc(t, body)}
		}
		return []*model.Resource{
			r("environments", "", "Production", `{"Name": "Production"}`),
			r("projects", "", "api", `{"Name": "api", "ProjectGroup": "Default Project Group", "Lifecycle": "Default Lifecycle"}`),
			r("deploymentProcess", "api", "", `{"Steps": [{"Name": "Run", "Condition": "Success", "StartTrigger": "StartAfterPrevious", "PackageRequirement": "LetOctopusDecide", "Properties": {},
				"Actions": [{"Name": "Run", "ActionType": "Octopus.Script", "Properties": {"Octopus.Action.Script.ScriptBody": "echo hi", "Octopus.Action.Script.Syntax": "Bash", "Octopus.Action.Script.ScriptSource": "Inline", "Octopus.Action.RunOnServer": "true"}}]}]}`),
		}
	}
	in := &model.Instance{Name: "test"}
	for _, s := range []string{"Alpha", "Beta"} {
		in.Resources = append(in.Resources, &model.Resource{Key: model.Key{Instance: "test", Kind: "spaces", Name: s},
			Doc: doc(t, `{"Name": "`+s+`", "SpaceManagersTeams": ["Octopus Administrators"], "SpaceManagersTeamMembers": []}`)})
		in.Spaces = append(in.Spaces, &model.Space{Name: s, Resources: mk(s)})
	}
	return in
}

func TestUnmanagedFieldSurvivesApply(t *testing.T) {
	c := newInstance(t)
	ctx := context.Background()
	env := `{"Name": "Production", "Description": "old", "AllowDynamicInfrastructure": true, "SortOrder": 7}`
	resp, err := c.Post(ctx, "/api/Spaces-1/environments", json.RawMessage(env))
	if err != nil {
		t.Fatal(err)
	}
	before, _ := octopus.DecodeDoc(resp)
	in := &model.Instance{Name: "test", Spaces: []*model.Space{{Name: "Default", Resources: []*model.Resource{
		res("environments", "Production", `{"Name": "Production", "Description": "new"}`, t),
	}}}}
	applyPlan(t, c, plan(t, c, in, nil), nil)
	after, err := c.GetDoc(ctx, "/api/Spaces-1/environments/"+before["Id"].(string))
	if err != nil {
		t.Fatal(err)
	}
	if after["Description"] != "new" {
		t.Errorf("Description = %v", after["Description"])
	}
	for _, f := range []string{"AllowDynamicInfrastructure", "SortOrder", "Slug"} {
		b, _ := json.Marshal(before[f])
		a, _ := json.Marshal(after[f])
		if string(a) != string(b) {
			t.Errorf("%s changed: %s → %s", f, b, a)
		}
	}
}

func TestDeletesOnlyInsidePruneScopes(t *testing.T) {
	c := newInstance(t)
	ctx := context.Background()
	for _, name := range []string{"Keep", "Stray"} {
		if _, err := c.Post(ctx, "/api/Spaces-1/environments", map[string]any{"Name": name}); err != nil {
			t.Fatal(err)
		}
	}
	if _, err := c.Post(ctx, "/api/Spaces-1/projectgroups", map[string]any{"Name": "Loose group"}); err != nil {
		t.Fatal(err)
	}
	in := &model.Instance{Name: "test", Spaces: []*model.Space{{Name: "Default", Prune: []string{"environments"}, Resources: []*model.Resource{
		res("environments", "Keep", `{"Name": "Keep"}`, t),
	}}}}
	ip := plan(t, c, in, nil)
	got := changes(ip)
	if len(got) != 1 || got[0] != `delete environment "Stray"` {
		t.Fatalf("plan:\n%s", strings.Join(got, "\n"))
	}
	var unmanaged []string
	for _, k := range ip.Spaces[0].Unmanaged {
		unmanaged = append(unmanaged, reconcile.ResourceLabel(k))
	}
	if strings.Join(unmanaged, ",") != `project group "Loose group"` {
		t.Errorf("unmanaged = %q", unmanaged)
	}
	applyPlan(t, c, ip, nil)
	if got := changes(plan(t, c, in, nil)); len(got) != 0 {
		t.Fatalf("after apply:\n%s", strings.Join(got, "\n"))
	}
}

func TestApplyRetriesThroughServerErrors(t *testing.T) {
	// Octopus's non-idempotent POSTs are retried only on 429, so 500s hit
	// the idempotent methods.
	c := newFaultyInstance(t, 10, "500:0.2:GET,PUT@/api/**", "429:0.2:retry-after=1s")
	in := twoSpaces(t)
	ip := plan(t, c, in, nil)
	applyPlan(t, c, ip, nil)
	if got := changes(plan(t, c, in, nil)); len(got) != 0 {
		t.Fatalf("after apply:\n%s", strings.Join(got, "\n"))
	}
	if s := c.Stats(); s.Retries == 0 {
		t.Error("no request was retried: the faults did not fire")
	}
}

func TestOneFailingSpaceDoesNotStopTheOthers(t *testing.T) {
	c := newFaultyInstance(t, -1, "500:POST@/api/Spaces-2/projects")
	in := twoSpaces(t)
	// Create the spaces first, so that the fault hits only Alpha's contents.
	in0 := &model.Instance{Name: "test", Resources: in.Resources}
	applyPlan(t, c, plan(t, c, in0, nil), nil)

	ip := plan(t, c, in, nil)
	r := reconcile.Apply(context.Background(), c, ip, ip.Live(), reconcile.ApplyOptions{})
	if !r.Failed() {
		t.Fatal("apply did not report the failure")
	}
	outcomes := map[string][]string{}
	for _, s := range r.Scopes {
		for _, rr := range s.Results {
			outcomes[s.Space] = append(outcomes[s.Space], string(rr.Outcome)+" "+reconcile.ResourceLabel(rr.Key))
		}
	}
	alpha := strings.Join(outcomes["Alpha"], "\n")
	if !strings.Contains(alpha, `failed project "api"`) || !strings.Contains(alpha, `skipped deployment process of project "api"`) || !strings.Contains(alpha, `created environment "Production"`) {
		t.Errorf("Alpha:\n%s", alpha)
	}
	beta := strings.Join(outcomes["Beta"], "\n")
	if beta != "created environment \"Production\"\ncreated project \"api\"\ncreated deployment process of project \"api\"" {
		t.Errorf("Beta:\n%s", beta)
	}
}

// racingAPI makes one concurrent edit of a document just before octosync
// writes it, as another user saving in the portal would.
type racingAPI struct {
	reconcile.API
	once sync.Once
	path string
}

func (r *racingAPI) Put(ctx context.Context, path string, body any) (json.RawMessage, error) {
	if strings.Contains(path, r.path) {
		r.once.Do(func() {
			live, err := r.API.Get(ctx, path)
			if err != nil {
				panic(err)
			}
			if _, err := r.API.Put(ctx, path, live); err != nil {
				panic(err)
			}
		})
	}
	return r.API.Put(ctx, path, body)
}

func TestVersionConflictIsRetriedOnce(t *testing.T) {
	c := newInstance(t)
	in := twoSpaces(t)
	ip := plan(t, c, in, nil)
	api := &racingAPI{API: c, path: "/deploymentprocesses/"}
	r := reconcile.Apply(context.Background(), api, ip, ip.Live(), reconcile.ApplyOptions{})
	if r.Failed() {
		for _, s := range r.Scopes {
			for _, rr := range s.Results {
				if rr.Error != "" {
					t.Errorf("%s: %s", rr.Key, rr.Error)
				}
			}
		}
	}
	if got := changes(plan(t, c, in, nil)); len(got) != 0 {
		t.Fatalf("after apply:\n%s", strings.Join(got, "\n"))
	}
}
