package conformance

import (
	"net/http"
	"strings"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/environments"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/resources"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/variables"
)

// newEnvironment creates an environment in space and deletes it when the
// test ends.
func newEnvironment(t *testing.T, space string) string {
	t.Helper()
	env := environments.NewEnvironment(uniqueName("variables env"))
	env.SpaceID = space
	created, err := environments.Add(octo, env)
	must(t, err, "creating an environment")
	t.Cleanup(func() { _ = environments.DeleteByID(octo, space, created.ID) })
	return created.ID
}

func TestProjectVariablesLegacy(t *testing.T) {
	project := newProject(t, defaultSpace)
	empty, err := octo.Variables.GetAll(project.ID)
	must(t, err, "GetAll")
	if empty.ID != project.VariableSetID || empty.OwnerID != project.ID || empty.Version != 0 || len(empty.Variables) != 0 || empty.ScopeValues == nil {
		t.Fatalf("a new project's variables = %+v", empty)
	}

	plain := variables.NewVariable(uniqueName("Plain"))
	plain.Value = "plain value"
	set, err := octo.Variables.AddSingle(project.ID, plain)
	must(t, err, "AddSingle")
	if len(set.Variables) != 1 || set.Variables[0].ID == "" || set.Variables[0].Value != "plain value" || set.Version != 1 {
		t.Fatalf("AddSingle = %+v", set)
	}
	got, err := octo.Variables.GetByID(project.ID, set.Variables[0].ID)
	must(t, err, "GetByID")
	if got.Name != plain.Name {
		t.Fatalf("GetByID = %+v", got)
	}
	_, err = octo.Variables.GetByID(project.ID, "no-such-variable")
	wantStatus(t, err, http.StatusNotFound, "unknown variable")
	_, err = octo.Variables.GetAll("Projects-999999")
	wantStatus(t, err, http.StatusNotFound, "unknown owner")

	// A sensitive variable is never read back; sending it back as read
	// (Value empty, Id kept) keeps the secret.
	secret := variables.NewVariable(uniqueName("Secret"))
	secret.IsSensitive = true
	secret.Value = "variable-secret-1"
	set, err = octo.Variables.AddSingle(project.ID, secret)
	must(t, err, "AddSingle sensitive")
	var stored *variables.Variable
	for _, v := range set.Variables {
		if v.Name == secret.Name {
			stored = v
		}
	}
	if stored == nil || stored.Value != "" || !stored.IsSensitive || stored.Type != "Sensitive" {
		t.Fatalf("the sensitive variable reads back as %+v", stored)
	}
	r := raw(t, http.MethodGet, "/api/Spaces-1/variables/"+project.VariableSetID, nil)
	if strings.Contains(string(r.Body), "variable-secret-1") || !strings.Contains(string(r.Body), `"Value":null`) {
		t.Fatalf("the sensitive value leaks or is not null: %s", r.Body)
	}
	stored.Description = "described"
	set, err = octo.Variables.UpdateSingle(project.ID, stored)
	must(t, err, "UpdateSingle")
	if set.Version != 3 {
		t.Fatalf("Version after three writes = %d", set.Version)
	}

	// The set read before the last write is stale.
	empty.Variables = append(empty.Variables, variables.NewVariable("Late"))
	_, err = octo.Variables.Update(project.ID, empty)
	wantStatus(t, err, http.StatusBadRequest, "stale Version")
	body := map[string]any{"Id": project.VariableSetID, "OwnerId": project.ID, "Version": 0, "Variables": []any{}}
	wantError(t, raw(t, http.MethodPut, "/api/Spaces-1/variables/"+project.VariableSetID, body), http.StatusBadRequest,
		"Changes to these variables could not be saved")

	// Ids may not repeat.
	body = map[string]any{"Version": set.Version, "Variables": []any{
		map[string]any{"Id": "same", "Name": "A", "Value": "1"},
		map[string]any{"Id": "same", "Name": "B", "Value": "2"},
	}}
	wantError(t, raw(t, http.MethodPut, "/api/Spaces-1/variables/"+project.VariableSetID, body), http.StatusBadRequest, "Variable ids must be unique.")

	_, err = octo.Variables.DeleteSingle(project.ID, set.Variables[0].ID)
	must(t, err, "DeleteSingle")
	after, err := octo.Variables.GetAll(project.ID)
	must(t, err, "GetAll")
	if len(after.Variables) != 1 || !equalScopeValues(empty.ScopeValues, after.ScopeValues) {
		t.Fatalf("after DeleteSingle: %d variables, scope values %+v", len(after.Variables), after.ScopeValues)
	}
}

func TestVariableScopes(t *testing.T) {
	// The environment is made first so that it is deleted last, after
	// the project whose variables use it.
	env := newEnvironment(t, defaultSpace)
	project := newProject(t, defaultSpace)
	chans, err := octo.Projects.GetChannels(project)
	must(t, err, "GetChannels")

	v := variables.NewVariable(uniqueName("Scoped"))
	v.Value = "x"
	v.Scope = variables.VariableScope{Environments: []string{env}, Roles: []string{"web"}, Channels: []string{chans[0].ID}, ProcessOwners: []string{project.ID}}
	set, err := octo.Variables.AddSingle(project.ID, v)
	must(t, err, "AddSingle scoped")
	scope := set.Variables[0].Scope
	if len(scope.Environments) != 1 || scope.Roles[0] != "web" || scope.Channels[0] != chans[0].ID || scope.ProcessOwners[0] != project.ID {
		t.Fatalf("scope = %+v", scope)
	}
	sv := set.ScopeValues
	if !hasRef(sv.Environments, env) || !hasRef(sv.Channels, chans[0].ID) || !hasRef(sv.Roles, "web") || len(sv.Processes) != 1 {
		t.Fatalf("ScopeValues = %+v", sv)
	}
	r := raw(t, http.MethodGet, "/api/Spaces-1/variables/"+project.VariableSetID, nil)
	if strings.Contains(string(r.Body), `"Machine"`) {
		t.Fatalf("empty scope fields are listed: %s", r.Body)
	}

	// An environment or channel a variable is scoped to cannot be deleted.
	wantError(t, raw(t, http.MethodDelete, "/api/Spaces-1/environments/"+env, nil), http.StatusBadRequest, "scope of the variable")

	unknown := variables.NewVariable(uniqueName("Unknown"))
	unknown.Scope = variables.VariableScope{Environments: []string{"Environments-999999"}}
	_, err = octo.Variables.AddSingle(project.ID, unknown)
	wantStatus(t, err, http.StatusBadRequest, "scope to an unknown environment")

	prompted := variables.NewVariable(uniqueName("Prompted"))
	prompted.Prompt = &variables.VariablePromptOptions{Label: "Prompted", IsRequired: true}
	prompted.Scope = variables.VariableScope{Roles: []string{"web"}}
	set, err = octo.Variables.GetAll(project.ID)
	must(t, err, "GetAll")
	set.Variables = append(set.Variables, prompted)
	set.Links = nil
	wantError(t, raw(t, http.MethodPut, "/api/Spaces-1/variables/"+project.VariableSetID, set), http.StatusBadRequest,
		"Prompted variables cannot be scoped to anything except an environment.")
	prompted.Scope = variables.VariableScope{Environments: []string{env}}
	prompted.Prompt.DisplaySettings = resources.NewDisplaySettings(resources.ControlTypeSingleLineText, nil)
	set, err = octo.Variables.AddSingle(project.ID, prompted)
	must(t, err, "AddSingle prompted")
	for _, x := range set.Variables {
		if x.Name == prompted.Name && (x.Prompt == nil || x.Prompt.Label != "Prompted" || !x.Prompt.IsRequired) {
			t.Fatalf("prompt = %+v", x.Prompt)
		}
	}

	// Unknown scope fields are refused.
	set.Links = nil
	bad := map[string]any{"Version": set.Version, "Variables": []any{map[string]any{"Name": "X", "Scope": map[string]any{"Galaxy": []string{"far"}}}}}
	wantError(t, raw(t, http.MethodPut, "/api/Spaces-1/variables/"+project.VariableSetID, bad), http.StatusBadRequest, "ScopeField")
}

func TestProjectVariablesNewClient(t *testing.T) {
	space := newSpace(t)
	project := newProject(t, space)
	v := variables.NewVariable(uniqueName("New"))
	v.Value = "value"
	set, err := variables.AddSingle(octo, space, project.ID, v)
	must(t, err, "AddSingle")
	if len(set.Variables) != 1 {
		t.Fatalf("AddSingle = %+v", set)
	}
	got, err := variables.GetByID(octo, space, project.ID, set.Variables[0].ID)
	must(t, err, "GetByID")
	if got.Value != "value" {
		t.Fatalf("GetByID = %+v", got)
	}
	byID, err := variables.GetVariableSet(octo, space, project.VariableSetID)
	must(t, err, "GetVariableSet")
	if byID.Version != set.Version {
		t.Fatalf("GetVariableSet = %+v", byID)
	}
	r := raw(t, http.MethodGet, "/api/"+space+"/projects/"+project.ID+"/variables", nil)
	if r.Status != http.StatusOK || r.JSON(t)["Id"] != project.VariableSetID {
		t.Fatalf("projects/{id}/variables: %d %s", r.Status, r.Body)
	}
	r = raw(t, http.MethodGet, "/api/"+space+"/variables/names?project="+project.ID, nil)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), v.Name) {
		t.Fatalf("variables/names: %d %s", r.Status, r.Body)
	}
	_, err = variables.DeleteSingle(octo, space, project.ID, set.Variables[0].ID)
	must(t, err, "DeleteSingle")
	_, err = variables.GetByID(octo, space, project.ID, set.Variables[0].ID)
	wantStatus(t, err, http.StatusNotFound, "GetByID after DeleteSingle")
}

// hasRef reports whether a list of reference items names id.
func hasRef(items []*resources.ReferenceDataItem, id string) bool {
	for _, i := range items {
		if i.ID == id {
			return true
		}
	}
	return false
}

// equalScopeValues compares ScopeValues by the ids they list.
func equalScopeValues(a, b *variables.VariableScopeValues) bool {
	ids := func(items []*resources.ReferenceDataItem) string {
		var s []string
		for _, i := range items {
			s = append(s, i.ID)
		}
		return strings.Join(s, ",")
	}
	return ids(a.Environments) == ids(b.Environments) && ids(a.Channels) == ids(b.Channels) && ids(a.Actions) == ids(b.Actions) &&
		ids(a.Roles) == ids(b.Roles) && ids(a.TenantTags) == ids(b.TenantTags) && len(a.Processes) == len(b.Processes)
}
