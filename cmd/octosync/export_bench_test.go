package main

import (
	"context"
	"fmt"
	"net/http/httptest"
	"runtime"
	"sync"
	"testing"
	"time"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/octopus"
	"octosync.dev/octosync/octopus/emulator"
	"octosync.dev/octosync/reconcile"
	"octosync.dev/octosync/schema"
)

// The export benchmark's estate: the plan benchmark's (reconcile), 200
// spaces of 50 resources each, read with 20 ms latency per request.
const (
	benchKey         = "API-EXPORTBENCH0000000000000000"
	benchSpaces      = 200
	benchLatency     = 20 * time.Millisecond
	benchParallelism = 16
)

// benchEstate declares spaces spaces of 50 resources: 8 environments, 2
// lifecycles, 2 project groups, 8 projects with their processes and
// variables (24), 6 tenants, 4 feeds, 4 tag sets.
func benchEstate(spaces int) *model.Instance {
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
			add("environments", "", name, model.Doc{"Name": name, "Description": "environment " + name})
		}
		for i := range 2 {
			name := fmt.Sprintf("Lifecycle %d", i)
			add("lifecycles", "", name, model.Doc{"Name": name, "Phases": []any{
				map[string]any{"Name": "All", "AutomaticDeploymentTargets": []any{}, "OptionalDeploymentTargets": envs},
			}})
			add("projectGroups", "", fmt.Sprintf("Group %d", i), model.Doc{"Name": fmt.Sprintf("Group %d", i)})
		}
		var projects []string
		for i := range 8 {
			name := fmt.Sprintf("project-%d", i)
			projects = append(projects, name)
			add("projects", "", name, model.Doc{"Name": name, "Description": "the " + name + " service", "Lifecycle": fmt.Sprintf("Lifecycle %d", i%2), "ProjectGroup": fmt.Sprintf("Group %d", i%2)})
			add("deploymentProcess", name, "", model.Doc{"Steps": []any{map[string]any{
				"Name": "Run", "Condition": "Success", "StartTrigger": "StartAfterPrevious", "PackageRequirement": "LetOctopusDecide", "Properties": map[string]any{},
				"Actions": []any{map[string]any{"Name": "Run", "ActionType": "Octopus.Script", "Properties": map[string]any{
					"Octopus.Action.Script.ScriptBody": "set -e\necho deploying " + name + "\n./deploy.sh", "Octopus.Action.Script.Syntax": "Bash",
					"Octopus.Action.Script.ScriptSource": "Inline", "Octopus.Action.RunOnServer": "true",
				}}},
			}}})
			add("projectVariables", name, "", model.Doc{"Variables": []any{
				map[string]any{"Name": "Url", "Value": "https://" + name + ".example", "Scope": map[string]any{"Environment": []any{"Env 0"}}},
				map[string]any{"Name": "Url", "Value": "https://other.example"},
			}})
		}
		for i := range 6 {
			name := fmt.Sprintf("Tenant %d", i)
			add("tenants", "", name, model.Doc{"Name": name, "ProjectEnvironments": map[string]any{projects[i]: []any{"Env 0", "Env 1"}}})
		}
		for i := range 4 {
			add("feeds", "", fmt.Sprintf("Feed %d", i), model.Doc{"Name": fmt.Sprintf("Feed %d", i), "FeedType": "NuGet", "FeedUri": "https://feed.example/nuget"})
			add("tagSets", "", fmt.Sprintf("Tags %d", i), model.Doc{"Name": fmt.Sprintf("Tags %d", i), "Tags": []any{map[string]any{"Name": "A", "Color": "#000000"}}})
		}
		in.Spaces = append(in.Spaces, &model.Space{Name: space, Resources: rs})
	}
	return in
}

// BenchmarkExport200Spaces does what octosync export does to an instance
// of 200 spaces x 50 resources (20 ms latency per request): reads it,
// writes it as CUE and reads the export back to check it. It reports the
// time of each part, and the peak heap the export adds.
func BenchmarkExport200Spaces(b *testing.B) {
	srv, err := emulator.New(emulator.Options{APIKey: benchKey})
	if err != nil {
		b.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	b.Cleanup(func() { hs.Close(); srv.Close() })
	setup, err := octopus.New(octopus.Options{Instance: "bench", URL: hs.URL, APIKey: benchKey, Concurrency: benchParallelism})
	if err != nil {
		b.Fatal(err)
	}
	in := benchEstate(benchSpaces)
	li, err := reconcile.Fetch(context.Background(), setup, "bench", reconcile.FetchOptions{Settings: []model.Key{}, Parallelism: benchParallelism})
	if err != nil {
		b.Fatal(err)
	}
	if r := reconcile.Apply(context.Background(), setup, reconcile.Build(in, li, reconcile.PlanOptions{}), li, reconcile.ApplyOptions{Parallelism: benchParallelism}); r.Failed() {
		b.Fatal("setting up the estate failed")
	}
	if _, err := setup.Post(context.Background(), "/_emulator/faults", map[string]any{"Spec": "slow:" + benchLatency.String()}); err != nil {
		b.Fatal(err)
	}
	c, err := octopus.New(octopus.Options{Instance: "bench", URL: hs.URL, APIKey: benchKey, Concurrency: benchParallelism})
	if err != nil {
		b.Fatal(err)
	}
	b.ResetTimer()
	for b.Loop() {
		runtime.GC()
		peak := sampleHeap()
		start := time.Now()
		li, err := reconcile.Fetch(context.Background(), c, "bench", reconcile.FetchOptions{Parallelism: benchParallelism})
		if err != nil {
			b.Fatal(err)
		}
		fetched := time.Now()
		m := reconcile.Export(li, reconcile.ExportOptions{})
		ex, err := schema.Export(m, schema.ExportOptions{})
		if err != nil {
			b.Fatal(err)
		}
		written := time.Now()
		// What Check does: read the files back and compare.
		d, diags := schema.Load(ex.FS(), schema.Options{})
		if diags.HasErrors() || len(d.Instances) != 1 || len(d.Instances[0].Spaces) != benchSpaces+1 {
			b.Fatalf("the export does not load back: %v", diags)
		}
		checked := time.Now()
		heap := peak()
		resources := 0
		for _, sp := range m.Spaces {
			resources += len(sp.Resources)
		}
		bytes := 0
		for _, f := range ex.Files {
			bytes += len(f)
		}
		b.ReportMetric(fetched.Sub(start).Seconds(), "fetch-s")
		b.ReportMetric(written.Sub(fetched).Seconds(), "write-s")
		b.ReportMetric(checked.Sub(written).Seconds(), "readback-s")
		b.ReportMetric(checked.Sub(start).Seconds(), "total-s")
		b.ReportMetric(float64(heap)/(1<<20), "peak-heap-MiB")
		b.ReportMetric(float64(resources), "resources")
		b.ReportMetric(float64(bytes)/(1<<20), "CUE-MiB")
	}
}

// sampleHeap samples the heap in use until the returned function is
// called, which returns the most seen above what was in use at the start.
func sampleHeap() func() uint64 {
	var ms runtime.MemStats
	runtime.ReadMemStats(&ms)
	base := ms.HeapInuse
	var mu sync.Mutex
	var most uint64
	done := make(chan struct{})
	go func() {
		t := time.NewTicker(20 * time.Millisecond)
		defer t.Stop()
		for {
			var ms runtime.MemStats
			runtime.ReadMemStats(&ms)
			mu.Lock()
			most = max(most, ms.HeapInuse)
			mu.Unlock()
			select {
			case <-done:
				return
			case <-t.C:
			}
		}
	}()
	return func() uint64 {
		close(done)
		mu.Lock()
		defer mu.Unlock()
		if most < base {
			return 0
		}
		return most - base
	}
}
