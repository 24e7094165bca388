package reconcile_test

import (
	"context"
	"fmt"
	"net/http/httptest"
	"runtime"
	"strings"
	"testing"
	"time"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/octopus"
	"octosync.dev/octosync/octopus/emulator"
	"octosync.dev/octosync/reconcile"
)

// The scale of the plan and apply benchmarks: spaces × resources per
// space, against an emulator answering every request after latency.
const (
	benchSpaces      = 200
	benchLatency     = 20 * time.Millisecond
	benchParallelism = 16
)

// estate declares benchSpaces spaces of 50 resources each: 8
// environments, 2 lifecycles, 2 project groups, 8 projects with their
// processes and variables (24), 6 tenants, 4 feeds, 4 tag sets. rev
// changes every resource's description (or a value in it).
func estate(spaces int, rev string) *model.Instance {
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

// benchEstate starts an emulator holding estate(spaces, "v1"), then turns
// on the latency, and returns a fresh client.
func benchEstate(b *testing.B, spaces int) (*octopus.Client, func() int) {
	b.Helper()
	srv, err := emulator.New(emulator.Options{APIKey: testKey})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	b.Cleanup(func() { hs.Close(); srv.Close() })
	setup, err := octopus.New(octopus.Options{Instance: "bench", URL: hs.URL, APIKey: testKey, Concurrency: 16})
	if err != nil {
		b.Fatal(err)
	}
	in := estate(spaces, "v1")
	li, err := reconcile.Fetch(context.Background(), setup, "bench", reconcile.FetchOptions{Settings: []model.Key{}, Parallelism: 16})
	if err != nil {
		b.Fatal(err)
	}
	ip := reconcile.Build(in, li, reconcile.PlanOptions{})
	r := reconcile.Apply(context.Background(), setup, ip, li, reconcile.ApplyOptions{Parallelism: 16})
	if r.Failed() {
		b.Fatalf("setting up the estate failed: %+v", r.Scopes[0].Results)
	}
	if _, err := setup.Post(context.Background(), "/_emulator/faults", map[string]any{"Spec": "slow:" + benchLatency.String()}); err != nil {
		b.Fatal(err)
	}
	c, err := octopus.New(octopus.Options{Instance: "bench", URL: hs.URL, APIKey: testKey, Concurrency: benchParallelism})
	if err != nil {
		b.Fatal(err)
	}
	requests := func() int { return int(c.Stats().Requests) }
	return c, requests
}

// minimumRequests is the fewest requests a plan of the estate can make:
// one list per kind per space (kinds sharing a path count once), one for
// each document a project owns, plus the instance-level lists.
func minimumRequests(spaces int) int {
	paths := map[string]bool{}
	instance := 0
	for _, k := range octopusKinds() {
		switch {
		case k.Scope.Has(octopus.ScopeSpace) && k.Shape == octopus.Collection && !k.Scope.Has(octopus.ScopeInstance):
			paths[k.Path] = true
		case k.Scope.Has(octopus.ScopeInstance) && k.Shape == octopus.Collection:
			instance++
		}
	}
	perSpace := len(paths) + 8*2 + 6 // processes and variables of 8 projects, 6 tenants' variables
	return instance + spaces*perSpace
}

func octopusKinds() []*octopus.Kind { return octopus.Kinds() }

// BenchmarkPlan200Spaces plans an estate of 200 spaces × 50 resources
// that matches git ("No changes."), with 20 ms latency per request.
func BenchmarkPlan200Spaces(b *testing.B) {
	c, requests := benchEstate(b, benchSpaces)
	in := estate(benchSpaces, "v1")
	b.ResetTimer()
	for b.Loop() {
		before := requests()
		start := time.Now()
		li, err := reconcile.Fetch(context.Background(), c, "bench", reconcile.FetchOptions{Settings: []model.Key{}, Parallelism: benchParallelism})
		if err != nil {
			b.Fatal(err)
		}
		ip := reconcile.Build(in, li, reconcile.PlanOptions{})
		wall := time.Since(start)
		if got := changes(ip); len(got) != 0 {
			b.Fatalf("plan of an unchanged estate has changes:\n%s", strings.Join(got[:min(5, len(got))], "\n"))
		}
		reportRequests(b, requests()-before, minimumRequests(benchSpaces), wall)
	}
}

// BenchmarkApply200Spaces changes every resource of the estate and applies
// the plan, with 20 ms latency per request.
func BenchmarkApply200Spaces(b *testing.B) {
	c, requests := benchEstate(b, benchSpaces)
	rev := 1
	for b.Loop() {
		rev++
		in := estate(benchSpaces, fmt.Sprintf("v%d", rev))
		li, err := reconcile.Fetch(context.Background(), c, "bench", reconcile.FetchOptions{Settings: []model.Key{}, Parallelism: benchParallelism})
		if err != nil {
			b.Fatal(err)
		}
		ip := reconcile.Build(in, li, reconcile.PlanOptions{})
		_, updates, _ := (&reconcile.Plan{Instances: []*reconcile.InstancePlan{ip}}).Counts()
		before := requests()
		start := time.Now()
		r := reconcile.Apply(context.Background(), c, ip, li, reconcile.ApplyOptions{Parallelism: benchParallelism})
		wall := time.Since(start)
		if r.Failed() {
			b.Fatal("apply failed")
		}
		// An update is a read and a write.
		reportRequests(b, requests()-before, 2*updates, wall)
	}
}

func reportRequests(b *testing.B, got, minimum int, wall time.Duration) {
	floor := time.Duration(got) * benchLatency / benchParallelism
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	b.ReportMetric(float64(got), "requests")
	b.ReportMetric(float64(got)/float64(minimum), "requests/minimum")
	b.ReportMetric(wall.Seconds(), "wall-s")
	b.ReportMetric(float64(wall)/float64(floor), "wall/floor")
	b.ReportMetric(float64(ms.HeapSys)/(1<<20), "heap-MiB")
}

// BenchmarkDrift200Spaces runs drift's read-only comparison of the estate
// (in a drift run, the plan is classified into drift): every request must
// be a GET.
func BenchmarkDrift200Spaces(b *testing.B) {
	c, requests := benchEstate(b, benchSpaces)
	in := estate(benchSpaces, "v1")
	for b.Loop() {
		before, gets := requests(), c.Stats().Get
		start := time.Now()
		li, err := reconcile.Fetch(context.Background(), c, "bench", reconcile.FetchOptions{Settings: []model.Key{}, Parallelism: benchParallelism})
		if err != nil {
			b.Fatal(err)
		}
		reconcile.Build(in, li, reconcile.PlanOptions{})
		wall := time.Since(start)
		if n, g := requests()-before, int(c.Stats().Get-gets); n != g {
			b.Fatalf("drift sent %d requests that were not GETs", n-g)
		}
		reportRequests(b, requests()-before, minimumRequests(benchSpaces), wall)
	}
}
