package main

import (
	"context"
	"runtime"
	"sync"
	"testing"
	"time"

	"octosync.dev/octosync/octopus"
	"octosync.dev/octosync/reconcile"
	"octosync.dev/octosync/reconcile/reconciletest"
	"octosync.dev/octosync/schema"
)

// The export benchmark's estate: the plan benchmark's (reconcile), 200
// spaces of 50 resources each, read with 20 ms latency per request.
const (
	benchSpaces      = 200
	benchLatency     = 20 * time.Millisecond
	benchParallelism = 16
)

// BenchmarkExport200Spaces does what octosync export does to an instance
// of 200 spaces x 50 resources (20 ms latency per request): reads it,
// writes it as CUE and reads the export back to check it. It reports the
// time of each part, and the peak heap the export adds.
func BenchmarkExport200Spaces(b *testing.B) {
	url := reconciletest.StartEstate(b, benchSpaces, benchLatency)
	c := reconciletest.Client(b, "bench", url, octopus.Options{Concurrency: benchParallelism})
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
