package emulator

import (
	"net/http"
	"slices"
	"strings"
	"testing"
	"time"
)

func TestParseFault(t *testing.T) {
	for _, tc := range []struct {
		spec string
		want Fault
	}{
		{"500:0.1", Fault{Status: 500, Probability: 0.1}},
		{"429:0.2:retry-after=1s", Fault{Status: 429, Probability: 0.2, RetryAfter: time.Second}},
		{"drop:0.05", Fault{Drop: true, Probability: 0.05}},
		{"slow:2s:0.1", Fault{Delay: 2 * time.Second, Probability: 0.1}},
		{"500", Fault{Status: 500, Probability: 1}},
		{"503:#3:POST,put@/api/*/variables/*", Fault{Status: 503, Probability: 1, Nth: 3, Methods: []string{"POST", "PUT"}, Path: "/api/*/variables/*"}},
		{"500:@/api/**", Fault{Status: 500, Probability: 1, Path: "/api/**"}},
	} {
		got, err := ParseFault(tc.spec)
		if err != nil {
			t.Fatalf("ParseFault(%q): %v", tc.spec, err)
		}
		tc.want.spec = tc.spec
		if got.String() != tc.spec || got.Status != tc.want.Status || got.Drop != tc.want.Drop || got.Delay != tc.want.Delay ||
			got.Probability != tc.want.Probability || got.Nth != tc.want.Nth || got.RetryAfter != tc.want.RetryAfter ||
			!slices.Equal(got.Methods, tc.want.Methods) || got.Path != tc.want.Path {
			t.Fatalf("ParseFault(%q) = %+v, want %+v", tc.spec, got, tc.want)
		}
	}
	for _, bad := range []string{"", "200", "999", "boom", "slow", "slow:fast", "500:1.5", "500:#0", "500:0.1:#2",
		"drop:retry-after=1s", "500:GET@api", "500:nonsense"} {
		if _, err := ParseFault(bad); err == nil {
			t.Fatalf("ParseFault(%q) accepted a bad spec", bad)
		}
	}
}

func TestGlobMatch(t *testing.T) {
	for _, tc := range []struct {
		glob, path string
		want       bool
	}{
		{"/api/*/variables/*", "/api/Spaces-1/variables/variableset-Projects-1", true},
		{"/api/*/variables/*", "/api/Spaces-1/variables", false},
		{"/api/**", "/api/Spaces-1/projects/Projects-1", true},
		{"/api/**", "/api", true},
		{"/**/environments", "/eu/api/Spaces-1/environments", true},
		{"/api/spaces", "/api/Spaces", false},
	} {
		if got := globMatch(tc.glob, tc.path); got != tc.want {
			t.Errorf("globMatch(%q, %q) = %v", tc.glob, tc.path, got)
		}
	}
}

// faultSequence returns which of n requests a fault set fails.
func faultSequence(seed uint64, f Fault, n int) []bool {
	fs := newFaultSet(seed, []Fault{f})
	out := make([]bool, n)
	for i := range out {
		out[i] = fs.pick(http.MethodGet, "/api/spaces") != nil
	}
	return out
}

func TestFaultsAreReproducible(t *testing.T) {
	f, _ := ParseFault("500:0.5")
	a, b := faultSequence(7, f, 200), faultSequence(7, f, 200)
	if !slices.Equal(a, b) {
		t.Fatal("the same seed injected different faults")
	}
	if slices.Equal(a, faultSequence(8, f, 200)) {
		t.Fatal("two seeds injected the same 200 faults")
	}
	n := 0
	for _, fired := range a {
		if fired {
			n++
		}
	}
	if n < 60 || n > 140 {
		t.Fatalf("a 0.5 fault fired %d times in 200", n)
	}
	nth, _ := ParseFault("503:#3")
	if got := faultSequence(1, nth, 5); !slices.Equal(got, []bool{false, false, true, false, false}) {
		t.Fatalf("#3 fired on %v", got)
	}
}

func TestFaultInjection(t *testing.T) {
	f429, _ := ParseFault("429:#1:retry-after=1500ms:GET@/api/*/environments")
	_, ts := start(t, Options{Faults: []Fault{f429}, FaultSeed: 1})
	req, _ := http.NewRequest(http.MethodGet, ts.URL+"/api/Spaces-1/environments", nil)
	req.Header.Set("X-Octopus-ApiKey", testKey)
	resp, err := ts.Client().Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if resp.StatusCode != http.StatusTooManyRequests || resp.Header.Get("Retry-After") != "2" {
		t.Fatalf("first request: %d, Retry-After %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}
	if st, _ := call(t, ts, http.MethodGet, "/api/Spaces-1/environments", nil); st != http.StatusOK {
		t.Fatalf("second request: %d", st)
	}
	if st, _ := call(t, ts, http.MethodPost, "/api/Spaces-1/environments", map[string]any{"Name": "x"}); st != http.StatusCreated {
		t.Fatalf("a POST is not affected by a GET fault: %d", st)
	}

	// Faults added at run time, over the admin route.
	st, body := call(t, ts, http.MethodPost, "/_emulator/faults", map[string]any{"Spec": "drop:#1:@/api/spaces"})
	wantStatus(t, st, http.StatusCreated, body, "adding a fault")
	req, _ = http.NewRequest(http.MethodGet, ts.URL+"/api/spaces", nil)
	req.Header.Set("X-Octopus-ApiKey", testKey)
	// A fresh connection: Go retries a GET whose reused connection closes.
	fresh := &http.Client{Transport: &http.Transport{DisableKeepAlives: true}}
	if resp, err := fresh.Do(req); err == nil {
		resp.Body.Close()
		t.Fatalf("a dropped request got an answer: %d", resp.StatusCode)
	} else if !strings.Contains(err.Error(), "EOF") {
		t.Fatalf("a dropped request failed with %v, not EOF", err)
	}
	st, body = call(t, ts, http.MethodPost, "/_emulator/faults", map[string]any{"Spec": "slow:1ms:@/api/spaces"})
	wantStatus(t, st, http.StatusCreated, body, "adding a slow fault")
	if st, _ := call(t, ts, http.MethodGet, "/api/spaces", nil); st != http.StatusOK {
		t.Fatalf("a slow request: %d", st)
	}
	_, list := call(t, ts, http.MethodGet, "/_emulator/faults", nil)
	if len(list["Faults"].([]any)) != 3 {
		t.Fatalf("faults: %v", list)
	}
	st, _ = call(t, ts, http.MethodDelete, "/_emulator/faults", nil)
	wantStatus(t, st, http.StatusOK, nil, "clearing the faults")
	st, body = call(t, ts, http.MethodPost, "/_emulator/faults", map[string]any{"Spec": "teapot"})
	wantStatus(t, st, http.StatusBadRequest, body, "a bad fault")
}

func TestRequestCounters(t *testing.T) {
	_, ts := start(t, Options{Latency: time.Millisecond})
	call(t, ts, http.MethodGet, "/api/Spaces-1/environments", nil)
	call(t, ts, http.MethodGet, "/api/Spaces-2/environments", nil)
	call(t, ts, http.MethodGet, "/api/Spaces-1/environments/Environments-3", nil)
	call(t, ts, http.MethodGet, "/api/spaces/default/feeds/feeds-builtin", nil)
	_, got := call(t, ts, http.MethodGet, "/_emulator/requests", nil)
	want := map[string]float64{
		"GET /api/{spaceId}/environments":      2,
		"GET /api/{spaceId}/environments/{id}": 1,
		"GET /api/spaces/{spaceId}/feeds/{id}": 1,
	}
	reqs := got["Requests"].(map[string]any)
	for k, v := range want {
		if reqs[k] != v {
			t.Fatalf("%s counted %v, want %v (all: %v)", k, reqs[k], v, reqs)
		}
	}
	if got["Total"] != float64(4) {
		t.Fatalf("total %v", got["Total"])
	}
	call(t, ts, http.MethodDelete, "/_emulator/requests", nil)
	_, got = call(t, ts, http.MethodGet, "/_emulator/requests", nil)
	if got["Total"] != float64(0) {
		t.Fatal("the counters were not reset")
	}
	if patternOf("/git-credentials/GitCredentials-4") != "/git-credentials/{id}" || patternOf("/audit-stream") != "/audit-stream" ||
		patternOf("/Spaces-1/variables/variableset-Projects-1") != "/{spaceId}/variables/{id}" {
		t.Fatal("patternOf mangles path names")
	}
}
