package emulator

import (
	"bytes"
	"net/http"
	"net/http/httptest"
	"testing"
)

// FuzzRequestBody sends arbitrary bodies to the create and update routes
// of a few kinds with nested documents. Whatever the body, the emulator
// must answer as Octopus would — a 2xx or a 4xx with a JSON error body —
// and never fail with a 500 (which is what a recovered panic becomes).
func FuzzRequestBody(f *testing.F) {
	for _, seed := range []string{
		`{"Name": "Production"}`,
		`{"Name": "Standard", "Phases": [{"Name": "Dev", "AutomaticDeploymentTargets": ["Environments-1"]}]}`,
		`{"Name": "api", "ProjectGroupId": "ProjectGroups-1", "LifecycleId": "Lifecycles-1", "Templates": [{}]}`,
		`{"Version": 0, "Steps": [{"Name": "A", "Actions": [{"Name": "A", "ActionType": "Octopus.Script", "Properties": {"x": {"HasValue": true, "NewValue": "s"}}}]}]}`,
		`{"Variables": [{"Name": "V", "Value": null, "IsSensitive": true, "Scope": {"Environment": ["Environments-1"]}}], "Version": 0}`,
		`{"Name": 5}`, `[]`, `null`, `{"Name": "x", "Phases": {}}`,
	} {
		f.Add(0, []byte(seed))
		f.Add(3, []byte(seed))
	}
	targets := []struct{ method, path string }{
		{http.MethodPost, "/api/Spaces-1/environments"},
		{http.MethodPost, "/api/Spaces-1/lifecycles"},
		{http.MethodPost, "/api/Spaces-1/projects"},
		{http.MethodPut, "/api/Spaces-1/deploymentprocesses/deploymentprocess-Projects-1"},
		{http.MethodPut, "/api/Spaces-1/variables/variableset-Projects-1"},
		{http.MethodPost, "/api/Spaces-1/tenants"},
		{http.MethodPut, "/api/smtpconfiguration"},
	}
	srv, err := New(Options{APIKey: "API-FUZZ00000000000000000000"})
	if err != nil {
		f.Fatal(err)
	}
	// A project to update.
	fuzzRequest(f, srv, http.MethodPost, "/api/Spaces-1/projects", `{"Name": "seed", "ProjectGroupId": "ProjectGroups-1", "LifecycleId": "Lifecycles-1"}`)
	f.Fuzz(func(t *testing.T, target int, body []byte) {
		tg := targets[(target%len(targets)+len(targets))%len(targets)]
		rec := fuzzRequest(t, srv, tg.method, tg.path, string(body))
		if rec.Code >= 500 {
			t.Fatalf("%s %s with %q: %d %s", tg.method, tg.path, body, rec.Code, rec.Body)
		}
		if rec.Code >= 400 && !bytes.Contains(rec.Body.Bytes(), []byte(`"ErrorMessage"`)) {
			t.Fatalf("%s %s: %d without an error body: %s", tg.method, tg.path, rec.Code, rec.Body)
		}
	})
}

func fuzzRequest(tb testing.TB, h http.Handler, method, path, body string) *httptest.ResponseRecorder {
	tb.Helper()
	req := httptest.NewRequest(method, path, bytes.NewReader([]byte(body)))
	req.Header.Set("X-Octopus-ApiKey", "API-FUZZ00000000000000000000")
	req.Header.Set("Content-Type", "application/json")
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	return rec
}
