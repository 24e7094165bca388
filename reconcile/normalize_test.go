package reconcile

import (
	"encoding/json"
	"strings"
	"testing"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/model/docvalue"
)

func decode(t *testing.T, s string) model.Doc {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var m model.Doc
	if err := d.Decode(&m); err != nil {
		t.Fatal(err)
	}
	return m
}

func names(table map[string]string) resolver {
	return func(kind, owner, v string) (string, bool) {
		n, ok := table[kind+":"+owner+":"+v]
		return n, ok
	}
}

func TestToConfigReplacesIdsAndDropsServerFields(t *testing.T) {
	live := decode(t, `{
		"Id": "Lifecycles-3", "SpaceId": "Spaces-1", "Slug": "standard", "Links": {"Self": "/api/x"},
		"Name": "Standard",
		"Phases": [{"Id": "0b5e", "Name": "Dev", "AutomaticDeploymentTargets": ["Environments-1"], "OptionalDeploymentTargets": []},
		           {"Id": "1c6f", "Name": "Prod", "AutomaticDeploymentTargets": [], "OptionalDeploymentTargets": ["Environments-2", "Environments-99"]}]
	}`)
	res := names(map[string]string{
		"environments::Environments-1": "Development",
		"environments::Environments-2": "Production",
	})
	got := toConfig(kindInfos["lifecycles"], live, &normCtx{names: res})
	want := `{"Name":"Standard","Phases":[{"AutomaticDeploymentTargets":["Development"],"Id":"0b5e","Name":"Dev","OptionalDeploymentTargets":[]},{"AutomaticDeploymentTargets":[],"Id":"1c6f","Name":"Prod","OptionalDeploymentTargets":["Production","Environments-99"]}]}`
	if s := docvalue.Canonical(got); s != want {
		t.Errorf("toConfig:\n got %s\nwant %s", s, want)
	}
	if _, ok := live["Id"]; !ok {
		t.Error("toConfig modified its input")
	}
}

func TestToConfigRenamesReferenceFields(t *testing.T) {
	live := decode(t, `{"Id": "Projects-1", "Name": "api", "LifecycleId": "Lifecycles-3", "ProjectGroupId": "ProjectGroups-1",
		"IncludedLibraryVariableSetIds": ["LibraryVariableSets-2"], "VariableSetId": "variableset-Projects-1"}`)
	res := names(map[string]string{
		"lifecycles::Lifecycles-3":                   "Standard",
		"projectGroups::ProjectGroups-1":             "Default Project Group",
		"libraryVariableSets::LibraryVariableSets-2": "Common",
	})
	got := toConfig(kindInfos["projects"], live, &normCtx{names: res})
	want := `{"IncludedLibraryVariableSets":["Common"],"Lifecycle":"Standard","Name":"api","ProjectGroup":"Default Project Group"}`
	if s := docvalue.Canonical(got); s != want {
		t.Errorf("got %s\nwant %s", s, want)
	}
	back, errs := toAPI(kindInfos["projects"], got, "", func(kind, owner, name string) (string, bool) {
		switch name {
		case "Standard":
			return "Lifecycles-3", true
		case "Default Project Group":
			return "ProjectGroups-1", true
		case "Common":
			return "LibraryVariableSets-2", true
		}
		return "", false
	})
	if len(errs) != 0 {
		t.Fatal(errs)
	}
	want = `{"IncludedLibraryVariableSetIds":["LibraryVariableSets-2"],"LifecycleId":"Lifecycles-3","Name":"api","ProjectGroupId":"ProjectGroups-1"}`
	if s := docvalue.Canonical(back); s != want {
		t.Errorf("toAPI got %s\nwant %s", s, want)
	}
}

func TestToAPIReportsUnknownNames(t *testing.T) {
	_, errs := toAPI(kindInfos["projects"], model.Doc{"Name": "api", "Lifecycle": "Nope"}, "", func(string, string, string) (string, bool) { return "", false })
	if len(errs) != 1 || !strings.Contains(errs[0].Error(), `lifecycle "Nope" does not exist`) {
		t.Errorf("errs = %v", errs)
	}
}

func TestTenantProjectEnvironmentsKeysAndValues(t *testing.T) {
	live := decode(t, `{"Name": "acme", "ProjectEnvironments": {"Projects-1": ["Environments-1", "Environments-2"]}}`)
	res := names(map[string]string{
		"projects::Projects-1":         "api",
		"environments::Environments-1": "Test",
		"environments::Environments-2": "Production",
	})
	got := toConfig(kindInfos["tenants"], live, &normCtx{names: res})
	want := `{"Name":"acme","ProjectEnvironments":{"api":["Test","Production"]}}`
	if s := docvalue.Canonical(got); s != want {
		t.Errorf("got %s\nwant %s", s, want)
	}
}

func TestSensitiveValuesAreMarked(t *testing.T) {
	live := decode(t, `{"Name": "feed", "Password": {"HasValue": true, "NewValue": null}, "Username": "u"}`)
	got := toConfig(kindInfos["feeds"], live, &normCtx{names: names(nil)})
	if s, ok := got["Password"].(Sensitive); !ok || !s.Set {
		t.Errorf("Password = %#v", got["Password"])
	}
}

func TestProcessNormalisesProperties(t *testing.T) {
	desired := model.Doc{"Steps": []any{map[string]any{"Name": "Run", "Actions": []any{map[string]any{
		"Name": "Run", "Properties": map[string]any{"Octopus.Action.RunOnServer": true, "Octopus.Action.Template.Version": json.Number("3")},
	}}}}}
	got := normalizeDesired(kindInfos["deploymentProcess"], desired)
	props := got["Steps"].([]any)[0].(map[string]any)["Actions"].([]any)[0].(map[string]any)["Properties"].(map[string]any)
	if props["Octopus.Action.RunOnServer"] != "True" {
		t.Errorf("RunOnServer = %#v", props["Octopus.Action.RunOnServer"])
	}
	if _, ok := props["Octopus.Action.Template.Version"]; ok {
		t.Error("Template.Version kept")
	}
}
