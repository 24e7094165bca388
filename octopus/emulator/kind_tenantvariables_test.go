package emulator

import (
	"net/http"
	"testing"
)

// TestTenantVariableValuesFollowConnections checks that a tenant's values
// and their secrets go with a project the tenant is disconnected from, and
// that a stale ConcurrencyToken is refused.
func TestTenantVariableValuesFollowConnections(t *testing.T) {
	s, ts := start(t, Options{})
	p := familyProject(t, ts, "Connected")
	pid := p["Id"].(string)
	p["Templates"] = []any{map[string]any{"Name": "Key", "DisplaySettings": map[string]any{"Octopus.ControlType": "Sensitive"}}}
	st, p := call(t, ts, http.MethodPut, "/api/Spaces-1/projects/"+pid, p)
	wantStatus(t, st, http.StatusOK, p, "PUT project")
	tmpl := p["Templates"].([]any)[0].(map[string]any)["Id"].(string)
	_, env := call(t, ts, http.MethodPost, "/api/Spaces-1/environments", map[string]any{"Name": "Prod"})
	envID := env["Id"].(string)
	st, tenant := call(t, ts, http.MethodPost, "/api/Spaces-1/tenants", map[string]any{"Name": "Acme", "ProjectEnvironments": map[string]any{pid: []any{envID}}})
	wantStatus(t, st, http.StatusCreated, tenant, "POST tenant")
	tid := tenant["Id"].(string)
	_, doc := call(t, ts, http.MethodGet, "/api/Spaces-1/tenants/"+tid+"/variables", nil)
	token := doc["ConcurrencyToken"]
	doc["ProjectVariables"].(map[string]any)[pid].(map[string]any)["Variables"].(map[string]any)[envID] = map[string]any{
		tmpl: map[string]any{"HasValue": true, "NewValue": "s3cret"},
	}
	st, _ = call(t, ts, http.MethodPut, "/api/Spaces-1/tenants/"+tid+"/variables", doc)
	wantStatus(t, st, http.StatusOK, nil, "PUT tenant variables")
	if len(storedSecrets(s, "tenantvariables-"+tid)) != 1 {
		t.Fatalf("secrets = %v", storedSecrets(s, "tenantvariables-"+tid))
	}
	doc["ConcurrencyToken"] = token
	st, body := call(t, ts, http.MethodPut, "/api/Spaces-1/tenants/"+tid+"/variables", doc)
	wantStatus(t, st, http.StatusBadRequest, body, "PUT with a stale ConcurrencyToken")

	tenant["ProjectEnvironments"] = map[string]any{}
	st, _ = call(t, ts, http.MethodPut, "/api/Spaces-1/tenants/"+tid, tenant)
	wantStatus(t, st, http.StatusOK, nil, "PUT tenant disconnected")
	if len(storedSecrets(s, "tenantvariables-"+tid)) != 0 {
		t.Fatalf("a disconnected project's secret stayed: %v", storedSecrets(s, "tenantvariables-"+tid))
	}
	_, list := call(t, ts, http.MethodGet, "/api/Spaces-1/tenants/"+tid+"/projectvariables", nil)
	if len(list["Variables"].([]any)) != 0 {
		t.Fatalf("values after the disconnect = %v", list["Variables"])
	}
	_, status := call(t, ts, http.MethodGet, "/api/Spaces-1/tenants/status", nil)
	if status["Enabled"] != true {
		t.Fatalf("tenants/status = %v", status)
	}
}
