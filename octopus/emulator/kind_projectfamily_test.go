package emulator

import (
	"fmt"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"strings"
	"testing"
)

// familyProject creates a project in the Default space (with the space's
// default lifecycle and project group) and returns it.
func familyProject(t *testing.T, ts *httptest.Server, name string) map[string]any {
	t.Helper()
	_, lcs := call(t, ts, http.MethodGet, "/api/Spaces-1/lifecycles?take=1", nil)
	_, pgs := call(t, ts, http.MethodGet, "/api/Spaces-1/projectgroups?take=1", nil)
	lc := lcs["Items"].([]any)[0].(map[string]any)["Id"]
	pg := pgs["Items"].([]any)[0].(map[string]any)["Id"]
	st, p := call(t, ts, http.MethodPost, "/api/Spaces-1/projects", map[string]any{"Name": name, "LifecycleId": lc, "ProjectGroupId": pg})
	wantStatus(t, st, http.StatusCreated, p, "POST project")
	return p
}

// storedSecrets returns the write-only values stored for a document.
func storedSecrets(s *Server, id string) map[string]string {
	return s.instances[""].st.secrets[id]
}

// putVariables replaces a variable set and returns the answer.
func putVariables(t *testing.T, ts *httptest.Server, setID string, version float64, vars ...map[string]any) map[string]any {
	t.Helper()
	list := make([]any, len(vars))
	for i, v := range vars {
		list[i] = v
	}
	st, set := call(t, ts, http.MethodPut, "/api/Spaces-1/variables/"+setID, map[string]any{"Version": version, "Variables": list})
	wantStatus(t, st, http.StatusOK, set, "PUT variables")
	return set
}

// TestSensitiveVariables checks the write rules of sensitive variables
// (reference §7): the value never leaves; with the variable's Id an empty
// or null Value keeps the stored secret and a non-empty one replaces it;
// without the Id an empty Value leaves none.
func TestSensitiveVariables(t *testing.T) {
	s, ts := start(t, Options{})
	p := familyProject(t, ts, "Secrets")
	setID := p["VariableSetId"].(string)
	set := putVariables(t, ts, setID, 0, map[string]any{"Name": "Password", "Value": "first", "IsSensitive": true})
	v := set["Variables"].([]any)[0].(map[string]any)
	id := v["Id"].(string)
	path := "Variables[" + id + "]"
	if v["Value"] != nil || v["Type"] != "Sensitive" || storedSecrets(s, setID)[path] != "first" {
		t.Fatalf("after the first PUT: %v, secrets %v", v, storedSecrets(s, setID))
	}
	putVariables(t, ts, setID, 1, map[string]any{"Id": id, "Name": "Password", "Value": "", "IsSensitive": true})
	putVariables(t, ts, setID, 2, map[string]any{"Id": id, "Name": "Password", "Value": nil, "Type": "Sensitive"})
	if got := storedSecrets(s, setID)[path]; got != "first" {
		t.Fatalf("with its Id, an empty or null value did not keep the secret: %q", got)
	}
	putVariables(t, ts, setID, 3, map[string]any{"Id": id, "Name": "Password", "Value": "second", "IsSensitive": true})
	if got := storedSecrets(s, setID)[path]; got != "second" {
		t.Fatalf("a new value did not replace the secret: %q", got)
	}
	set = putVariables(t, ts, setID, 4, map[string]any{"Name": "Password", "Value": "", "IsSensitive": true})
	newID := set["Variables"].([]any)[0].(map[string]any)["Id"].(string)
	if newID == id || len(storedSecrets(s, setID)) != 0 {
		t.Fatalf("without its Id, an empty value kept a secret: %v", storedSecrets(s, setID))
	}
	_, b := callRaw(t, ts, http.MethodGet, "/api/Spaces-1/variables/"+setID, nil)
	if strings.Contains(string(b), "first") || strings.Contains(string(b), "second") {
		t.Fatalf("a secret leaked: %s", b)
	}
}

// TestProcessSecretsFollowTheirActions checks that a sensitive property is
// kept by its action's id when steps move, and dropped with its action.
func TestProcessSecretsFollowTheirActions(t *testing.T) {
	s, ts := start(t, Options{})
	p := familyProject(t, ts, "Process")
	pid := p["DeploymentProcessId"].(string)
	step := func(name string, props map[string]any) map[string]any {
		return map[string]any{"Name": name, "Actions": []any{map[string]any{"Name": name, "ActionType": "Octopus.Script", "Properties": props}}}
	}
	st, proc := call(t, ts, http.MethodPut, "/api/Spaces-1/deploymentprocesses/"+pid, map[string]any{"Version": 0, "Steps": []any{
		step("A", map[string]any{"Token": map[string]any{"HasValue": true, "NewValue": "a-secret"}}),
		step("B", map[string]any{"Token": map[string]any{"HasValue": true, "NewValue": "b-secret"}, "Plain": "x"}),
	}})
	wantStatus(t, st, http.StatusOK, proc, "PUT process")
	steps := proc["Steps"].([]any)
	// Send them back in the other order, as read; drop A's action.
	a, b := steps[0].(map[string]any), steps[1].(map[string]any)
	a["Actions"] = []any{}
	st, proc = call(t, ts, http.MethodPut, "/api/Spaces-1/deploymentprocesses/"+pid, map[string]any{"Version": 1, "Steps": []any{b, a}})
	wantStatus(t, st, http.StatusOK, proc, "PUT process again")
	secrets := storedSecrets(s, pid)
	bAction := b["Actions"].([]any)[0].(map[string]any)["Id"].(string)
	want := "Steps[" + b["Id"].(string) + "].Actions[" + bAction + "].Properties[Token]"
	if len(secrets) != 1 || secrets[want] != "b-secret" {
		t.Fatalf("secrets = %v, want only %s", secrets, want)
	}
	got := proc["Steps"].([]any)[0].(map[string]any)["Actions"].([]any)[0].(map[string]any)["Properties"].(map[string]any)
	if tok := got["Token"].(map[string]any); tok["HasValue"] != true || tok["NewValue"] != nil || got["Plain"] != "x" {
		t.Fatalf("properties = %v", got)
	}
	st, body := call(t, ts, http.MethodPut, "/api/Spaces-1/deploymentprocesses/"+pid, map[string]any{"Version": 2, "Steps": []any{
		map[string]any{"Name": "C", "Actions": []any{map[string]any{"Name": "C", "ActionType": "Octopus.Script", "Properties": map[string]any{"Bad": []any{1}}}}},
	}})
	wantStatus(t, st, http.StatusBadRequest, body, "a property that is neither a string nor a SensitiveValue")
}

// TestFailedProjectCreateLeavesNoTrace checks that a refused project
// creates none of its parts.
func TestFailedProjectCreateLeavesNoTrace(t *testing.T) {
	s, ts := start(t, Options{})
	p := familyProject(t, ts, "First")
	before := s.instances[""].st.counters["Projects"]
	st, body := call(t, ts, http.MethodPost, "/api/Spaces-1/projects", map[string]any{"Name": "Second", "LifecycleId": p["LifecycleId"],
		"ProjectGroupId": p["ProjectGroupId"], "Templates": []any{map[string]any{"Name": "Choice", "DisplaySettings": map[string]any{"Octopus.ControlType": "Select"}}}})
	wantStatus(t, st, http.StatusBadRequest, body, "a Select template without options")
	if !strings.Contains(fmt.Sprint(body["Errors"]), "does not have drop down options set") {
		t.Fatalf("errors = %v", body["Errors"])
	}
	if after := s.instances[""].st.counters["Projects"]; after != before {
		t.Fatalf("the failed create took an id (%d → %d)", before, after)
	}
	_, procs := call(t, ts, http.MethodGet, "/api/Spaces-1/deploymentprocesses", nil)
	_, chans := call(t, ts, http.MethodGet, "/api/Spaces-1/channels", nil)
	if procs["TotalResults"] != float64(1) || chans["TotalResults"] != float64(1) {
		t.Fatalf("after a failed create: %v processes, %v channels", procs["TotalResults"], chans["TotalResults"])
	}
}

// TestEngineRoutes checks the routes octosync's own engine uses, the way
// it uses them: lists with take=1000 followed by Page.Next, and the
// derived documents read and written at their ids.
func TestEngineRoutes(t *testing.T) {
	_, ts := start(t, Options{})
	p := familyProject(t, ts, "Engine")
	pid := p["Id"].(string)
	st, env := call(t, ts, http.MethodPost, "/api/Spaces-1/environments", map[string]any{"Name": "Dev"})
	wantStatus(t, st, http.StatusCreated, env, "POST environment")
	st, rb := call(t, ts, http.MethodPost, "/api/Spaces-1/runbooks", map[string]any{"Name": "Restart", "ProjectId": pid})
	wantStatus(t, st, http.StatusCreated, rb, "POST runbook")
	for _, ct := range []string{"Variables", "ScriptModule"} {
		st, _ := call(t, ts, http.MethodPost, "/api/Spaces-1/libraryvariablesets", map[string]any{"Name": ct + " set", "ContentType": ct})
		wantStatus(t, st, http.StatusCreated, nil, "POST "+ct)
	}
	st, tenant := call(t, ts, http.MethodPost, "/api/Spaces-1/tenants", map[string]any{"Name": "Acme", "ProjectEnvironments": map[string]any{pid: []any{env["Id"]}}})
	wantStatus(t, st, http.StatusCreated, tenant, "POST tenant")

	for path, want := range map[string]float64{
		"/api/Spaces-1/channels?take=1000":            1,
		"/api/Spaces-1/runbooks?take=1000":            1,
		"/api/Spaces-1/libraryvariablesets?take=1000": 2,
		"/api/Spaces-1/projects/" + pid + "/channels": 1,
	} {
		st, page := call(t, ts, http.MethodGet, path, nil)
		wantStatus(t, st, http.StatusOK, page, "GET "+path)
		if page["TotalResults"] != want || page["ItemsPerPage"] == nil {
			t.Errorf("GET %s: %v results, want %v", path, page["TotalResults"], want)
		}
	}
	for _, doc := range []string{
		"/api/Spaces-1/deploymentprocesses/" + p["DeploymentProcessId"].(string),
		"/api/Spaces-1/variables/" + p["VariableSetId"].(string),
		"/api/Spaces-1/runbookProcesses/" + rb["RunbookProcessId"].(string),
		"/api/Spaces-1/tenants/" + tenant["Id"].(string) + "/variables",
	} {
		st, got := call(t, ts, http.MethodGet, doc, nil)
		wantStatus(t, st, http.StatusOK, got, "GET "+doc)
		st, put := call(t, ts, http.MethodPut, doc, got)
		wantStatus(t, st, http.StatusOK, put, "PUT "+doc+" as read")
	}

	// Page.Next is followed to the end with any take.
	for i := range 4 {
		st, _ := call(t, ts, http.MethodPost, "/api/Spaces-1/channels", map[string]any{"Name": fmt.Sprintf("Channel %d", i), "ProjectId": pid})
		wantStatus(t, st, http.StatusCreated, nil, "POST channel")
	}
	seen, next := 0, "/api/Spaces-1/channels?take=2"
	for next != "" {
		st, page := call(t, ts, http.MethodGet, next, nil)
		wantStatus(t, st, http.StatusOK, page, "GET "+next)
		seen += len(page["Items"].([]any))
		next, _ = page["Links"].(map[string]any)["Page.Next"].(string)
	}
	if seen != 5 {
		t.Fatalf("following Page.Next saw %d channels, want 5", seen)
	}
}

// TestProjectFamilySurvivesARestart checks that the project family's
// documents and secrets are in the state file.
func TestProjectFamilySurvivesARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s, ts := start(t, Options{StatePath: path})
	p := familyProject(t, ts, "Persisted")
	putVariables(t, ts, p["VariableSetId"].(string), 0, map[string]any{"Name": "Password", "Value": "kept", "IsSensitive": true})
	st, tmpl := call(t, ts, http.MethodPost, "/api/Spaces-1/actiontemplates", map[string]any{"Name": "Tmpl", "ActionType": "Octopus.Script"})
	wantStatus(t, st, http.StatusCreated, tmpl, "POST step template")
	st, _ = call(t, ts, http.MethodPut, "/api/Spaces-1/actiontemplates/"+tmpl["Id"].(string), map[string]any{"Name": "Tmpl 2", "ActionType": "Octopus.Script"})
	wantStatus(t, st, http.StatusOK, nil, "PUT step template")
	ts.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	s2, ts2 := start(t, Options{StatePath: path})
	st, got := call(t, ts2, http.MethodGet, "/api/Spaces-1/projects/"+p["Slug"].(string), nil)
	wantStatus(t, st, http.StatusOK, got, "GET project by slug after a restart")
	st, _ = call(t, ts2, http.MethodGet, "/api/Spaces-1/deploymentprocesses/"+p["DeploymentProcessId"].(string), nil)
	wantStatus(t, st, http.StatusOK, nil, "GET process after a restart")
	if len(storedSecrets(s2, p["VariableSetId"].(string))) != 1 {
		t.Fatal("the sensitive variable's secret did not survive a restart")
	}
	st, v0 := call(t, ts2, http.MethodGet, "/api/Spaces-1/actiontemplates/"+tmpl["Id"].(string)+"/versions/0", nil)
	wantStatus(t, st, http.StatusOK, v0, "GET step template version 0 after a restart")
	if v0["Name"] != "Tmpl" {
		t.Fatalf("version 0 = %v", v0)
	}
}

// TestDeletesInUse checks the usage rules the project family adds to other
// kinds' deletes.
func TestDeletesInUse(t *testing.T) {
	_, ts := start(t, Options{})
	p := familyProject(t, ts, "Users")
	_, env := call(t, ts, http.MethodPost, "/api/Spaces-1/environments", map[string]any{"Name": "Prod"})
	_, lc := call(t, ts, http.MethodPost, "/api/Spaces-1/lifecycles", map[string]any{"Name": "Channel lifecycle"})
	st, ch := call(t, ts, http.MethodPost, "/api/Spaces-1/channels", map[string]any{"Name": "Hotfix", "ProjectId": p["Id"], "LifecycleId": lc["Id"]})
	wantStatus(t, st, http.StatusCreated, ch, "POST channel")
	st, body := call(t, ts, http.MethodDelete, "/api/Spaces-1/lifecycles/"+lc["Id"].(string), nil)
	wantStatus(t, st, http.StatusBadRequest, body, "DELETE a lifecycle a channel uses")

	step := map[string]any{"Name": "Prod only", "Actions": []any{map[string]any{"Name": "Prod only", "ActionType": "Octopus.Script",
		"Environments": []any{env["Id"]}, "Channels": []any{ch["Id"]}}}}
	st, body = call(t, ts, http.MethodPut, "/api/Spaces-1/deploymentprocesses/"+p["DeploymentProcessId"].(string), map[string]any{"Version": 0, "Steps": []any{step}})
	wantStatus(t, st, http.StatusOK, body, "PUT process")
	st, body = call(t, ts, http.MethodDelete, "/api/Spaces-1/environments/"+env["Id"].(string), nil)
	wantStatus(t, st, http.StatusBadRequest, body, "DELETE an environment a step uses")
	if !strings.Contains(body["ErrorMessage"].(string), "the step 'Prod only' of the project 'Users'") {
		t.Fatalf("message = %v", body["ErrorMessage"])
	}
	st, body = call(t, ts, http.MethodDelete, "/api/Spaces-1/channels/"+ch["Id"].(string), nil)
	wantStatus(t, st, http.StatusBadRequest, body, "DELETE a channel a step uses")
	if body["ErrorMessage"] != "The channel you are about to remove is used by 'Prod only' step." {
		t.Fatalf("message = %v", body["ErrorMessage"])
	}
	// Deleting the project deletes what it uses with it.
	st, _ = call(t, ts, http.MethodDelete, "/api/Spaces-1/projects/"+p["Id"].(string), nil)
	wantStatus(t, st, http.StatusOK, nil, "DELETE project")
	for _, path := range []string{"/api/Spaces-1/environments/" + env["Id"].(string), "/api/Spaces-1/lifecycles/" + lc["Id"].(string)} {
		st, body := call(t, ts, http.MethodDelete, path, nil)
		wantStatus(t, st, http.StatusOK, body, "DELETE "+path+" once nothing uses it")
	}
}

// benchProjects returns an emulator whose Default space holds n projects,
// created as a client would create them (each with its process, variable
// set and Default channel), and their ids.
func benchProjects(b *testing.B, n int) (*Server, []string) {
	b.Helper()
	s, err := New(Options{APIKey: testKey})
	if err != nil {
		b.Fatal(err)
	}
	in := s.instances[""]
	c := in.seedCtx()
	lc := asString(c.list("lifecycles", "Spaces-1")[0]["Id"])
	pg := asString(c.list("projectGroups", "Spaces-1")[0]["Id"])
	ids := make([]string, 0, n)
	for i := range n {
		d, err := c.create("projects", "Spaces-1", Doc{"Name": fmt.Sprintf("Project %04d", i), "LifecycleId": lc, "ProjectGroupId": pg})
		if err != nil {
			b.Fatal(err)
		}
		ids = append(ids, asString(d["Id"]))
	}
	return s, ids
}

// benchGet serves one GET through the handler and fails on anything but
// a 200.
func benchGet(b *testing.B, h http.Handler, path string) {
	req := httptest.NewRequest(http.MethodGet, path, nil)
	req.Header.Set("X-Octopus-ApiKey", testKey)
	rec := httptest.NewRecorder()
	h.ServeHTTP(rec, req)
	if rec.Code != http.StatusOK {
		b.Fatalf("GET %s: %d %s", path, rec.Code, rec.Body)
	}
}

// BenchmarkProjectsList lists a space of 1,000 projects a page of 30 at a
// time, as the official client pages.
func BenchmarkProjectsList(b *testing.B) {
	s, _ := benchProjects(b, 1000)
	for i := 0; b.Loop(); i++ {
		benchGet(b, s, fmt.Sprintf("/api/Spaces-1/projects?skip=%d&take=30", (i*30)%1000))
	}
}

// BenchmarkProjectsListTake1000 reads all 1,000 projects in one page, as
// octosync's engine asks (take=1000).
func BenchmarkProjectsListTake1000(b *testing.B) {
	s, _ := benchProjects(b, 1000)
	for b.Loop() {
		benchGet(b, s, "/api/Spaces-1/projects?take=1000")
	}
}

// BenchmarkProjectsGet reads projects by id from a space of 1,000.
func BenchmarkProjectsGet(b *testing.B) {
	s, ids := benchProjects(b, 1000)
	for i := 0; b.Loop(); i++ {
		benchGet(b, s, "/api/Spaces-1/projects/"+ids[i%len(ids)])
	}
}

// BenchmarkProjectsGetProcess reads deployment processes by id from a
// space of 1,000 projects.
func BenchmarkProjectsGetProcess(b *testing.B) {
	s, ids := benchProjects(b, 1000)
	for i := 0; b.Loop(); i++ {
		benchGet(b, s, "/api/Spaces-1/deploymentprocesses/deploymentprocess-"+ids[i%len(ids)])
	}
}

// TestChildrenByIDOnly checks that channels and runbooks are addressed by
// id in their space-wide collections: their slugs repeat across projects.
func TestChildrenByIDOnly(t *testing.T) {
	_, ts := start(t, Options{})
	p := familyProject(t, ts, "First")
	familyProject(t, ts, "Second")
	st, rb := call(t, ts, http.MethodPost, "/api/Spaces-1/runbooks", map[string]any{"Name": "Restart", "ProjectId": p["Id"]})
	wantStatus(t, st, http.StatusCreated, rb, "POST runbook")
	for _, path := range []string{"/api/Spaces-1/channels/default", "/api/Spaces-1/runbooks/restart"} {
		st, body := call(t, ts, http.MethodGet, path, nil)
		wantStatus(t, st, http.StatusNotFound, body, "GET "+path)
	}
	st, body := call(t, ts, http.MethodGet, "/api/Spaces-1/runbooks/"+strings.ToLower(rb["Id"].(string)), nil)
	wantStatus(t, st, http.StatusOK, body, "GET a runbook by its id in another case")
	st, all := callRaw(t, ts, http.MethodGet, "/api/Spaces-1/channels/all", nil)
	if st != http.StatusOK || !strings.HasPrefix(string(all), "[") {
		t.Fatalf("GET channels/all: %d %s", st, all)
	}
	// Below its project, a channel is found by name or slug too.
	st, body = call(t, ts, http.MethodGet, "/api/Spaces-1/projects/"+p["Id"].(string)+"/channels/default", nil)
	wantStatus(t, st, http.StatusOK, body, "GET projects/{id}/channels/{slug}")
	if body["ProjectId"] != p["Id"] {
		t.Fatalf("the channel found is another project's: %v", body)
	}
}

// TestProjectRoutes checks the routes below a project that the
// conformance suite's clients do not reach.
func TestProjectRoutes(t *testing.T) {
	_, ts := start(t, Options{})
	p := familyProject(t, ts, "Routes")
	base := "/api/Spaces-1/projects/" + p["Id"].(string)
	st, body := call(t, ts, http.MethodPut, base+"/deploymentprocesses", map[string]any{"Steps": []any{}})
	wantStatus(t, st, http.StatusBadRequest, body, "PUT a process without Version")
	st, body = call(t, ts, http.MethodPut, base+"/deploymentprocesses", map[string]any{"Version": 0, "Steps": []any{
		map[string]any{"Name": "Web", "Properties": map[string]any{"Octopus.Action.TargetRoles": "web, api"},
			"Actions": []any{map[string]any{"Name": "Web", "ActionType": "Octopus.Script"}}},
	}})
	wantStatus(t, st, http.StatusOK, body, "PUT process")
	stepID := body["Steps"].([]any)[0].(map[string]any)["Id"].(string)
	st, v := call(t, ts, http.MethodPost, base+"/deploymentprocesses/validate", nil)
	wantStatus(t, st, http.StatusOK, v, "validate")
	if v["HasWarnings"] != true || fmt.Sprint(v["TagsWithoutTargetsByStepId"].(map[string]any)[stepID]) != "[web api]" {
		t.Fatalf("validate = %v", v)
	}
	st, set := call(t, ts, http.MethodGet, base+"/variables", nil)
	wantStatus(t, st, http.StatusOK, set, "GET project variables")
	st, ack := call(t, ts, http.MethodPut, base+"/variables", set)
	wantStatus(t, st, http.StatusOK, ack, "PUT project variables")
	if len(ack) != 0 {
		t.Fatalf("the project-level variables PUT answered %v, not {}", ack)
	}
	st, rb := call(t, ts, http.MethodPost, base+"/runbooks", map[string]any{"Name": "Restart"})
	wantStatus(t, st, http.StatusCreated, rb, "POST runbook below the project")
	st, ch := call(t, ts, http.MethodPost, base+"/channels", map[string]any{"Name": "Hotfix"})
	wantStatus(t, st, http.StatusOK, ch, "POST channel below the project")
	st, all := call(t, ts, http.MethodGet, base+"/runbooks/all/v2", nil)
	wantStatus(t, st, http.StatusOK, all, "GET runbooks/all/v2")
	if len(all["Runbooks"].([]any)) != 1 {
		t.Fatalf("runbooks/all/v2 = %v", all)
	}
	st, sum := call(t, ts, http.MethodGet, base+"/summary", nil)
	wantStatus(t, st, http.StatusOK, sum, "GET summary")
	if sum["HasDeploymentProcess"] != true || sum["HasRunbooks"] != true {
		t.Fatalf("summary = %v", sum)
	}
}

// TestInfrastructureInUse checks the usage rules the project family adds
// to worker pools, feeds and accounts: steps and variables that name them
// keep them from being deleted.
func TestInfrastructureInUse(t *testing.T) {
	_, ts := start(t, Options{})
	p := familyProject(t, ts, "Infra")
	st, pool := call(t, ts, http.MethodPost, "/api/Spaces-1/workerpools", map[string]any{"Name": "Builders", "WorkerPoolType": "StaticWorkerPool"})
	wantStatus(t, st, http.StatusCreated, pool, "POST worker pool")
	st, feed := call(t, ts, http.MethodPost, "/api/Spaces-1/feeds", map[string]any{"Name": "NuGet", "FeedType": "NuGet", "FeedUri": "https://api.nuget.org/v3/index.json"})
	wantStatus(t, st, http.StatusCreated, feed, "POST feed")
	st, acct := call(t, ts, http.MethodPost, "/api/Spaces-1/accounts", map[string]any{"Name": "Deployer", "AccountType": "UsernamePassword", "Username": "deploy"})
	wantStatus(t, st, http.StatusCreated, acct, "POST account")
	st, body := call(t, ts, http.MethodPut, "/api/Spaces-1/deploymentprocesses/"+p["DeploymentProcessId"].(string), map[string]any{"Version": 0, "Steps": []any{
		map[string]any{"Name": "Deploy", "Actions": []any{map[string]any{"Name": "Deploy", "ActionType": "Octopus.TentaclePackage",
			"WorkerPoolId": pool["Id"], "Packages": []any{map[string]any{"Name": "", "PackageId": "Acme", "FeedId": feed["Id"]}}}}},
	}})
	wantStatus(t, st, http.StatusOK, body, "PUT process")
	putVariables(t, ts, p["VariableSetId"].(string), 0, map[string]any{"Name": "Login", "Type": "UsernamePasswordAccount", "Value": acct["Id"]})
	for _, path := range []string{"/workerpools/" + pool["Id"].(string), "/feeds/" + feed["Id"].(string), "/accounts/" + acct["Id"].(string)} {
		st, body := call(t, ts, http.MethodDelete, "/api/Spaces-1"+path, nil)
		wantStatus(t, st, http.StatusBadRequest, body, "DELETE "+path+" in use")
		if !strings.Contains(body["ErrorMessage"].(string), "is used by") {
			t.Fatalf("DELETE %s: %v", path, body["ErrorMessage"])
		}
	}
}
