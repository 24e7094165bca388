package schema

import (
	"fmt"
	"os"
	"testing"
	"testing/fstest"
)

// benchConfig returns the benchmark configuration (testdata/bench) with
// the given number of spaces, each of 10 environments, 5 lifecycles, 50
// projects with a 5-step process and 20 variables, and 20 tenants.
func benchConfig(b *testing.B, spaces int) fstest.MapFS {
	b.Helper()
	cfg, err := os.ReadFile("testdata/bench/config.cue")
	if err != nil {
		b.Fatal(err)
	}
	return fstest.MapFS{
		"config.cue": {Data: cfg},
		"count.cue":  {Data: fmt.Appendf(nil, "package bench\n\ncount: %d\n", spaces)},
	}
}

// BenchmarkLoad loads a configuration of 2 spaces into the desired model
// (about 450 resources a space); BenchmarkCheck checks it, keeping no
// documents. scripts/bench.sh times validate on 500 spaces beside cue vet.
func BenchmarkLoad(b *testing.B) {
	fsys := benchConfig(b, 2)
	b.ReportAllocs()
	for b.Loop() {
		d, ds := Load(fsys, Options{})
		if ds.HasErrors() || len(d.Instances) != 1 {
			b.Fatalf("%v", ds)
		}
	}
}

func BenchmarkCheck(b *testing.B) {
	fsys := benchConfig(b, 2)
	b.ReportAllocs()
	for b.Loop() {
		if st, ds := Check(fsys, Options{}); ds.HasErrors() || st.Spaces != 2 {
			b.Fatalf("%v %v", st, ds)
		}
	}
}
