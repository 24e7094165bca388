package reconcile_test

import (
	"context"
	"encoding/json"
	"strings"
	"testing"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/octopus"
	"octosync.dev/octosync/octopus/emulator"
	"octosync.dev/octosync/reconcile"
	"octosync.dev/octosync/reconcile/reconciletest"
)

const testKey = "API-TESTKEY0000000000000000000"

// newInstance starts an emulator and returns a client for it.
func newInstance(t *testing.T) *octopus.Client {
	c, _ := newInstanceAt(t)
	return c
}

// newInstanceAt starts an emulator and returns a client for it and its URL.
func newInstanceAt(t *testing.T) (*octopus.Client, string) {
	t.Helper()
	url := reconciletest.Start(t, emulator.Options{APIKey: testKey})
	return reconciletest.Client(t, "test", url, octopus.Options{APIKey: testKey, Retries: -1}), url
}

func doc(t *testing.T, s string) model.Doc {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var m model.Doc
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func res(kind, name, body string, t *testing.T) *model.Resource {
	return &model.Resource{Key: model.Key{Instance: "test", Space: "Default", Kind: kind, Name: name}, Doc: doc(t, body)}
}

func applyPlan(t *testing.T, c *octopus.Client, ip *reconcile.InstancePlan, secrets *reconcile.Secrets) {
	t.Helper()
	r := reconcile.Apply(context.Background(), c, ip, ip.Live(), reconcile.ApplyOptions{Secrets: secrets})
	for _, s := range r.Scopes {
		for _, rr := range s.Results {
			if rr.Outcome == reconcile.Failed || rr.Outcome == reconcile.Skipped {
				t.Errorf("%s %s: %s", rr.Outcome, rr.Key, rr.Error)
			}
		}
	}
	if r.Error != "" {
		t.Fatal(r.Error)
	}
}

func TestApplyThenPlanHasNoChanges(t *testing.T) {
	c := newInstance(t)
	in := &model.Instance{Name: "test", Spaces: []*model.Space{{Name: "Default", Resources: []*model.Resource{
		res("environments", "Development", `{"Name": "Development"}`, t),
		res("environments", "Production", `{"Name": "Production", "UseGuidedFailure": true, "Description": "live"}`, t),
		res("lifecycles", "Standard", `{"Name": "Standard", "Phases": [
			{"Name": "Dev", "AutomaticDeploymentTargets": ["Development"], "OptionalDeploymentTargets": []},
			{"Name": "Prod", "AutomaticDeploymentTargets": [], "OptionalDeploymentTargets": ["Production"]}]}`, t),
	}}}}
	first := plan(t, c, in, nil)
	got := changes(first)
	if len(got) != 3 {
		t.Fatalf("first plan:\n%s", strings.Join(got, "\n"))
	}
	applyPlan(t, c, first, nil)
	second := plan(t, c, in, nil)
	if got := changes(second); len(got) != 0 {
		t.Fatalf("plan after apply is not empty:\n%s", strings.Join(got, "\n"))
	}

	// One field changed in git: only that field appears.
	in.Spaces[0].Resources[1].Doc["Description"] = "production"
	third := plan(t, c, in, nil)
	want := "update environment \"Production\"\n    change Description"
	if got := changes(third); len(got) != 1 || got[0] != want {
		t.Fatalf("plan after one change:\n%s\nwant:\n%s", strings.Join(got, "\n"), want)
	}
}

// plan reads the instance and plans it.
func plan(t *testing.T, c *octopus.Client, in *model.Instance, secrets *reconcile.Secrets) *reconcile.InstancePlan {
	t.Helper()
	return reconciletest.Plan(t, c, in, secrets)
}

func changes(ip *reconcile.InstancePlan) []string { return reconciletest.Changes(ip) }
