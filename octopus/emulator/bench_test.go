package emulator

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"runtime"
	"testing"
)

// benchServer returns an emulator whose Default space holds n documents of
// the kind the list benchmarks use: projects once that kind is served,
// environments until then.
func benchServer(b *testing.B, n int) (*Server, string, []string) {
	b.Helper()
	s, err := New(Options{APIKey: testKey})
	if err != nil {
		b.Fatal(err)
	}
	in := s.instances[""]
	c := in.seedCtx()
	c.user = in.st.coll(in.kinds["users"]).get(adminUserID)
	kind, path := "environments", "environments"
	body := func(i int) Doc { return Doc{"Name": fmt.Sprintf("Environment %04d", i)} }
	if in.kinds["projects"] != nil {
		lifecycle := asString(c.list("lifecycles", "Spaces-1")[0]["Id"])
		group := asString(c.list("projectGroups", "Spaces-1")[0]["Id"])
		kind, path = "projects", "projects"
		body = func(i int) Doc {
			return Doc{"Name": fmt.Sprintf("Project %04d", i), "LifecycleId": lifecycle, "ProjectGroupId": group}
		}
	}
	ids := make([]string, 0, n)
	for i := 0; i < n; i++ {
		d, err := c.create(kind, "Spaces-1", body(i))
		if err != nil {
			b.Fatalf("creating %s %d: %v", kind, i, err)
		}
		ids = append(ids, asString(d["Id"]))
	}
	b.Logf("%d %s in Spaces-1", n, kind)
	return s, path, ids
}

// serve runs one request through the handler, as a client would see it.
func serve(b *testing.B, h http.Handler, path string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("X-Octopus-ApiKey", testKey)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
	_, _ = io.Copy(io.Discard, rec.Body)
}

// BenchmarkList lists a space of 1,000 documents a page (30) at a time.
func BenchmarkList(b *testing.B) {
	s, path, _ := benchServer(b, 1000)
	b.ResetTimer()
	for i := 0; b.Loop(); i++ {
		serve(b, s, fmt.Sprintf("/api/Spaces-1/%s?skip=%d&take=30", path, (i*30)%1000))
	}
}

// BenchmarkListAll reads all 1,000 documents with /all.
func BenchmarkListAll(b *testing.B) {
	s, path, _ := benchServer(b, 1000)
	for b.Loop() {
		serve(b, s, "/api/Spaces-1/"+path+"/all")
	}
}

// BenchmarkGet reads documents by id from a space of 1,000.
func BenchmarkGet(b *testing.B) {
	s, path, ids := benchServer(b, 1000)
	for i := 0; b.Loop(); i++ {
		serve(b, s, "/api/Spaces-1/"+path+"/"+ids[i%len(ids)])
	}
}

// BenchmarkGetParallel reads by id from every CPU at once: reads share
// the instance's lock.
func BenchmarkGetParallel(b *testing.B) {
	s, path, ids := benchServer(b, 1000)
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		i := 0
		for pb.Next() {
			serve(b, s, "/api/Spaces-1/"+path+"/"+ids[i%len(ids)])
			i++
		}
	})
}

// BenchmarkMemory500Spaces builds an instance of 500 spaces holding 50
// environments each (besides the documents every space starts with) and
// reports the heap it takes.
func BenchmarkMemory500Spaces(b *testing.B) {
	const spaces, perSpace = 500, 50
	var heap, docs float64
	for b.Loop() {
		runtime.GC()
		var before, after runtime.MemStats
		runtime.ReadMemStats(&before)
		s, err := New(Options{APIKey: testKey})
		if err != nil {
			b.Fatal(err)
		}
		in := s.instances[""]
		c := in.seedCtx()
		for i := 0; i < spaces; i++ {
			sp, err := c.create("spaces", "", Doc{"Name": fmt.Sprintf("Space %03d", i), "SpaceManagersTeams": []any{teamAdministrators}})
			if err != nil {
				b.Fatal(err)
			}
			for j := 0; j < perSpace; j++ {
				if _, err := c.create("environments", asString(sp["Id"]), Doc{"Name": fmt.Sprintf("Environment %02d", j)}); err != nil {
					b.Fatal(err)
				}
			}
		}
		c.undo = nil
		runtime.GC()
		runtime.ReadMemStats(&after)
		heap = float64(after.HeapAlloc) - float64(before.HeapAlloc)
		docs = 0
		for _, coll := range in.st.colls {
			docs += float64(len(coll.byID))
		}
		runtime.KeepAlive(s)
	}
	b.ReportMetric(heap, "heap-bytes")
	b.ReportMetric(heap/docs, "bytes/doc")
	b.ReportMetric(docs, "docs")
}
