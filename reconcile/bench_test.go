package reconcile_test

import (
	"context"
	"fmt"
	"runtime"
	"strings"
	"testing"
	"time"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/octopus"
	"octosync.dev/octosync/reconcile"
	"octosync.dev/octosync/reconcile/reconciletest"
)

// The scale of the plan and apply benchmarks: spaces × resources per
// space, against an emulator answering every request after latency.
const (
	benchSpaces      = 200
	benchLatency     = 20 * time.Millisecond
	benchParallelism = 16
)

// benchEstate starts an emulator holding the benchmark estate with
// latency on every request, and returns a client and its request count.
func benchEstate(b *testing.B, spaces int) (*octopus.Client, func() int) {
	b.Helper()
	url := reconciletest.StartEstate(b, spaces, benchLatency)
	c := reconciletest.Client(b, "bench", url, octopus.Options{Concurrency: benchParallelism})
	return c, func() int { return int(c.Stats().Requests) }
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
	in := reconciletest.Estate(benchSpaces, "v1")
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
		in := reconciletest.Estate(benchSpaces, fmt.Sprintf("v%d", rev))
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
	in := reconciletest.Estate(benchSpaces, "v1")
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
