// Package reconciletest is test support shared by the packages that test
// octosync against the emulator: an emulator started on loopback for the
// length of a test, a client for it, and the generated estate the
// plan, apply, drift and export benchmarks run on.
package reconciletest

import (
	"context"
	"fmt"
	"net/http/httptest"
	"slices"
	"strings"
	"testing"
	"time"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/octopus"
	"octosync.dev/octosync/octopus/emulator"
	"octosync.dev/octosync/reconcile"
)

// Key is the administrator's API key of every emulator Start starts.
const Key = "API-RECONCILETEST00000000000000"

// Start starts an emulator on loopback until the test ends and returns its
// URL. opts.APIKey defaults to Key.
func Start(tb testing.TB, opts emulator.Options) string {
	tb.Helper()
	if opts.APIKey == "" {
		opts.APIKey = Key
	}
	srv, err := emulator.New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	tb.Cleanup(func() { hs.Close(); srv.Close() })
	return hs.URL
}

// Client returns a client of the emulator at url with Key, named
// instance. opts may set more (Retries, Concurrency, Sleep).
func Client(tb testing.TB, instance, url string, opts octopus.Options) *octopus.Client {
	tb.Helper()
	opts.Instance, opts.URL = instance, url
	if opts.APIKey == "" {
		opts.APIKey = Key
	}
	c, err := octopus.New(opts)
	if err != nil {
		tb.Fatal(err)
	}
	return c
}

// Estate declares an instance "bench" of spaces spaces, 50 resources
// each: 8 environments, 2 lifecycles, 2 project groups, 8 projects with
// their processes and variables (24), 6 tenants, 4 feeds, 4 tag sets. rev
// goes into every resource (a description, a script, a URL), so a new rev
// changes every one of them.
func Estate(spaces int, rev string) *model.Instance {
	in := &model.Instance{Name: "bench"}
	for s := range spaces {
		space := fmt.Sprintf("Space %03d", s)
		in.Resources = append(in.Resources, &model.Resource{Key: model.Key{Instance: "bench", Kind: "spaces", Name: space},
			Doc: model.Doc{"Name": space, "SpaceManagersTeams": []any{"Octopus Administrators"}}})
		var rs []*model.Resource
		add := func(kind, owner, name string, d model.Doc) {
			rs = append(rs, &model.Resource{Key: model.Key{Instance: "bench", Space: space, Kind: kind, Owner: owner, Name: name}, Doc: d})
		}
		var envs []any
		for i := range 8 {
			name := fmt.Sprintf("Env %d", i)
			envs = append(envs, name)
			add("environments", "", name, model.Doc{"Name": name, "Description": rev})
		}
		for i := range 2 {
			name := fmt.Sprintf("Lifecycle %d", i)
			add("lifecycles", "", name, model.Doc{"Name": name, "Description": rev, "Phases": []any{
				map[string]any{"Name": "All", "AutomaticDeploymentTargets": []any{}, "OptionalDeploymentTargets": envs},
			}})
			add("projectGroups", "", fmt.Sprintf("Group %d", i), model.Doc{"Name": fmt.Sprintf("Group %d", i), "Description": rev})
		}
		var projects []string
		for i := range 8 {
			name := fmt.Sprintf("project-%d", i)
			projects = append(projects, name)
			add("projects", "", name, model.Doc{"Name": name, "Description": rev, "Lifecycle": fmt.Sprintf("Lifecycle %d", i%2), "ProjectGroup": fmt.Sprintf("Group %d", i%2)})
			add("deploymentProcess", name, "", model.Doc{"Steps": []any{map[string]any{
				"Name": "Run", "Condition": "Success", "StartTrigger": "StartAfterPrevious", "PackageRequirement": "LetOctopusDecide", "Properties": map[string]any{},
				"Actions": []any{map[string]any{"Name": "Run", "ActionType": "Octopus.Script", "Properties": map[string]any{
					"Octopus.Action.Script.ScriptBody": "echo " + rev, "Octopus.Action.Script.Syntax": "Bash", "Octopus.Action.Script.ScriptSource": "Inline", "Octopus.Action.RunOnServer": "true",
				}}},
			}}})
			add("projectVariables", name, "", model.Doc{"Variables": []any{
				map[string]any{"Name": "Url", "Value": "https://" + rev, "Scope": map[string]any{"Environment": []any{"Env 0"}}},
				map[string]any{"Name": "Url", "Value": "https://other"},
			}})
		}
		for i := range 6 {
			name := fmt.Sprintf("Tenant %d", i)
			add("tenants", "", name, model.Doc{"Name": name, "Description": rev, "ProjectEnvironments": map[string]any{projects[i]: []any{"Env 0", "Env 1"}}})
		}
		for i := range 4 {
			add("feeds", "", fmt.Sprintf("Feed %d", i), model.Doc{"Name": fmt.Sprintf("Feed %d", i), "FeedType": "NuGet", "FeedUri": "https://" + rev + ".example/nuget"})
			add("tagSets", "", fmt.Sprintf("Tags %d", i), model.Doc{"Name": fmt.Sprintf("Tags %d", i), "Description": rev, "Tags": []any{map[string]any{"Name": "A", "Color": "#000000"}}})
		}
		in.Spaces = append(in.Spaces, &model.Space{Name: space, Resources: rs})
	}
	return in
}

// StartEstate starts an emulator holding Estate(spaces, "v1"), built fast
// with octosync itself, then slows every request by latency from then on,
// and returns the emulator's URL.
func StartEstate(tb testing.TB, spaces int, latency time.Duration) string {
	tb.Helper()
	url := Start(tb, emulator.Options{})
	setup := Client(tb, "bench", url, octopus.Options{Concurrency: 16})
	ctx := context.Background()
	li, err := reconcile.Fetch(ctx, setup, "bench", reconcile.FetchOptions{Settings: []model.Key{}, Parallelism: 16})
	if err != nil {
		tb.Fatal(err)
	}
	ip := reconcile.Build(Estate(spaces, "v1"), li, reconcile.PlanOptions{})
	if r := reconcile.Apply(ctx, setup, ip, li, reconcile.ApplyOptions{Parallelism: 16}); r.Failed() {
		tb.Fatalf("setting up the estate failed")
	}
	if _, err := setup.Post(ctx, "/_emulator/faults", map[string]any{"Spec": "slow:" + latency.String()}); err != nil {
		tb.Fatal(err)
	}
	return url
}

// Plan reads an instance and plans in against it, failing the test when
// any part of the instance could not be read.
func Plan(tb testing.TB, c *octopus.Client, in *model.Instance, secrets *reconcile.Secrets) *reconcile.InstancePlan {
	tb.Helper()
	var names []string
	for _, s := range in.Spaces {
		names = append(names, s.Name)
	}
	li, err := reconcile.Fetch(context.Background(), c, in.Name, reconcile.FetchOptions{Spaces: names, Settings: reconcile.SettingsOf(in)})
	if err != nil {
		tb.Fatal(err)
	}
	ip := reconcile.Build(in, li, reconcile.PlanOptions{Secrets: secrets})
	errs := slices.Clone(ip.Errors)
	for _, s := range ip.Spaces {
		errs = append(errs, s.Errors...)
	}
	if len(errs) > 0 {
		tb.Fatalf("plan errors:\n%s", strings.Join(errs, "\n"))
	}
	return ip
}

// Changes lists a plan's changes, one line per resource, then one per
// field ("    op path", and the note when there is one); no-ops are left out.
func Changes(ip *reconcile.InstancePlan) []string {
	var out []string
	add := func(c *reconcile.Change) {
		if c.Action == reconcile.NoOp {
			return
		}
		line := string(c.Action) + " " + c.Label()
		for _, f := range c.Fields {
			line += "\n    " + string(f.Op) + " " + f.Path
			if f.Note != "" {
				line += " " + f.Note
			}
		}
		out = append(out, line)
	}
	for _, c := range ip.Changes {
		add(c)
	}
	for _, s := range ip.Spaces {
		for _, c := range s.Changes {
			add(c)
		}
	}
	return out
}
