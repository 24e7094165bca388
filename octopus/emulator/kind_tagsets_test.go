package emulator

import (
	"net/http"
	"strings"
	"testing"
)

// TestTagSetRules checks what the server's tag set rules refuse: tags in a
// FreeText set, tags used outside their set's scopes, and changes to a set
// whose tags are in use.
func TestTagSetRules(t *testing.T) {
	_, ts := start(t, Options{})
	st, body := call(t, ts, http.MethodPost, "/api/Spaces-1/tagsets", map[string]any{"Name": "Free", "Type": "FreeText", "Tags": []any{map[string]any{"Name": "x"}}})
	wantStatus(t, st, http.StatusBadRequest, body, "a FreeText tag set with tags")
	st, tier := call(t, ts, http.MethodPost, "/api/Spaces-1/tagsets", map[string]any{"Name": "Tier", "Type": "SingleSelect",
		"Scopes": []any{"tenant", "Project"}, "Tags": []any{map[string]any{"Name": "Gold"}}})
	wantStatus(t, st, http.StatusCreated, tier, "POST tag set")
	if strings.Join(stringList(tier["Scopes"]), ",") != "Tenant,Project" {
		t.Fatalf("scopes = %v", tier["Scopes"])
	}
	gold := tier["Tags"].([]any)[0].(map[string]any)
	st, _ = call(t, ts, http.MethodPost, "/api/Spaces-1/tagsets", map[string]any{"Name": "Regions", "Scopes": []any{"Project"},
		"Tags": []any{map[string]any{"Name": "EU"}}})
	wantStatus(t, st, http.StatusCreated, nil, "POST a project-only tag set")
	st, body = call(t, ts, http.MethodPost, "/api/Spaces-1/tenants", map[string]any{"Name": "Acme", "TenantTags": []any{"Regions/EU"}})
	wantStatus(t, st, http.StatusBadRequest, body, "a tenant tagged from a project-only tag set")
	st, tenant := call(t, ts, http.MethodPost, "/api/Spaces-1/tenants", map[string]any{"Name": "Acme", "TenantTags": []any{"tier/gold"}})
	wantStatus(t, st, http.StatusCreated, tenant, "a tenant tagged by canonical name, in another case")
	p := familyProject(t, ts, "Tagged")
	p["ProjectTags"] = []any{gold["Id"], "Regions/EU"}
	st, body = call(t, ts, http.MethodPut, "/api/Spaces-1/projects/"+p["Id"].(string), p)
	wantStatus(t, st, http.StatusOK, body, "project tags by id and by name")

	id := tier["Id"].(string)
	tier["Type"] = "MultiSelect"
	st, tier = call(t, ts, http.MethodPut, "/api/Spaces-1/tagsets/"+id, tier)
	wantStatus(t, st, http.StatusOK, tier, "SingleSelect to MultiSelect in use")
	tier["Type"] = "SingleSelect"
	st, body = call(t, ts, http.MethodPut, "/api/Spaces-1/tagsets/"+id, tier)
	wantStatus(t, st, http.StatusBadRequest, body, "MultiSelect to SingleSelect in use")
	tier["Type"] = "MultiSelect"
	tier["Scopes"] = []any{"Tenant"}
	st, body = call(t, ts, http.MethodPut, "/api/Spaces-1/tagsets/"+id, tier)
	wantStatus(t, st, http.StatusBadRequest, body, "dropping a scope in use")
	if !strings.Contains(body["Errors"].([]any)[0].(string), "the project 'Tagged'") {
		t.Fatalf("errors = %v", body["Errors"])
	}
}
