package conformance

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/actiontemplates"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/core"
)

// newStepTemplate builds a script step template with a parameter and a
// sensitive property.
func newStepTemplate() *actiontemplates.ActionTemplate {
	tmpl := actiontemplates.NewActionTemplate(uniqueName("step template"), "Octopus.Script")
	tmpl.Properties["Octopus.Action.Script.ScriptBody"] = core.NewPropertyValue("Write-Host #{Greeting}", false)
	tmpl.Properties["Octopus.Action.Script.Token"] = core.NewPropertyValue("template-secret-1", true)
	p := actiontemplates.NewActionTemplateParameter()
	p.Name = "Greeting"
	p.Label = "Greeting"
	p.DisplaySettings = map[string]string{"Octopus.ControlType": "SingleLineText"}
	tmpl.Parameters = append(tmpl.Parameters, *p)
	return tmpl
}

// sameStepTemplates compares two representations of a step template as the
// official e2e test's IsEqualActionTemplates does.
func sameStepTemplates(t *testing.T, a, b *actiontemplates.ActionTemplate, what string) {
	t.Helper()
	sameLinks(t, a.Links, b.Links, what)
	if a.ID != b.ID || a.Name != b.Name || a.ActionType != b.ActionType || a.Description != b.Description || a.SpaceID != b.SpaceID ||
		a.Version != b.Version || a.CommunityActionTemplateID != b.CommunityActionTemplateID ||
		!reflect.DeepEqual(a.Parameters, b.Parameters) || !reflect.DeepEqual(a.Packages, b.Packages) || !reflect.DeepEqual(a.Properties, b.Properties) {
		t.Fatalf("%s: step templates differ:\n%+v\n%+v", what, a, b)
	}
}

func TestStepTemplates(t *testing.T) {
	_, err := actiontemplates.Add(octo, &actiontemplates.ActionTemplate{})
	wantStatus(t, err, http.StatusBadRequest, "an empty step template")

	created, err := actiontemplates.Add(octo, newStepTemplate())
	must(t, err, "Add")
	if created.Version != 0 || len(created.Parameters) != 1 || created.Parameters[0].ID == "" {
		t.Fatalf("Add = %+v", created)
	}
	token := created.Properties["Octopus.Action.Script.Token"]
	if !token.IsSensitive || !token.SensitiveValue.HasValue || token.SensitiveValue.NewValue != nil {
		t.Fatalf("a sensitive property reads back as %+v", token)
	}
	r := raw(t, http.MethodGet, "/api/Spaces-1/actiontemplates/"+created.ID, nil)
	if strings.Contains(string(r.Body), "template-secret-1") {
		t.Fatal("a sensitive property was read back")
	}
	got, err := actiontemplates.GetByID(octo, defaultSpace, created.ID)
	must(t, err, "GetByID")
	sameStepTemplates(t, created, got, "POST vs GET")
	byName, err := octo.ActionTemplates.Get(actiontemplates.Query{PartialName: strings.ToUpper(created.Name)})
	must(t, err, "Get by partial name")
	if byName.TotalResults != 1 {
		t.Fatalf("Get by partial name = %d templates", byName.TotalResults)
	}
	sameStepTemplates(t, created, byName.Items[0], "POST vs list")
	all, err := octo.ActionTemplates.GetAll()
	must(t, err, "GetAll")
	for _, x := range all {
		again, err := actiontemplates.GetByID(octo, defaultSpace, x.ID)
		must(t, err, "GetByID")
		sameStepTemplates(t, x, again, "/all vs GET")
	}

	// Version counts the updates; ActionType is fixed at create.
	got.Name = uniqueName("step template renamed")
	got.ActionType = "Octopus.Manual"
	v1, err := actiontemplates.Update(octo, got)
	must(t, err, "Update")
	if v1.Version != 1 || v1.ActionType != "Octopus.Script" || v1.Name != got.Name || v1.Parameters[0].ID != created.Parameters[0].ID {
		t.Fatalf("Update = %+v", v1)
	}
	v2, err := octo.ActionTemplates.Update(v1)
	must(t, err, "legacy Update")
	if v2.Version != 2 {
		t.Fatalf("Version after two updates = %d", v2.Version)
	}
	old, err := actiontemplates.GetVersionByID(octo, defaultSpace, created.ID, 0)
	must(t, err, "GetVersionByID 0")
	if old.Version != 0 || old.Name != created.Name {
		t.Fatalf("version 0 = %+v", old)
	}
	_, err = actiontemplates.GetVersionByID(octo, defaultSpace, created.ID, 9)
	wantStatus(t, err, http.StatusNotFound, "an unknown version")

	categories, err := octo.ActionTemplates.GetCategories()
	must(t, err, "GetCategories")
	if len(categories) == 0 {
		t.Fatal("no categories")
	}
	search, err := octo.ActionTemplates.Search("")
	must(t, err, "Search")
	found := false
	for _, s := range search {
		found = found || s.ID == created.ID
	}
	if len(search) == 0 || !found {
		t.Fatalf("Search lists %d templates (the new one: %v)", len(search), found)
	}

	// A template in use by a process cannot be deleted; usage lists the
	// step.
	project := newProject(t, defaultSpace)
	process, err := octo.DeploymentProcesses.GetByID(project.DeploymentProcessID)
	must(t, err, "GetByID process")
	step := scriptStep("From the template", "")
	step.Actions[0].Properties["Octopus.Action.Template.Id"] = core.NewPropertyValue(created.ID, false)
	step.Actions[0].Properties["Octopus.Action.Template.Version"] = core.NewPropertyValue("2", false)
	process.Steps = append(process.Steps, step)
	process, err = octo.DeploymentProcesses.Update(process)
	must(t, err, "Update process")
	r = raw(t, http.MethodGet, "/api/Spaces-1/actiontemplates/"+created.ID+"/usage", nil)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), project.ID) {
		t.Fatalf("usage: %d %s", r.Status, r.Body)
	}
	wantError(t, raw(t, http.MethodDelete, "/api/Spaces-1/actiontemplates/"+created.ID, nil), http.StatusBadRequest, "is used by the step")
	process.Steps = nil
	_, err = octo.DeploymentProcesses.Update(process)
	must(t, err, "emptying the process")

	dup := newStepTemplate()
	dup.Name = strings.ToUpper(v2.Name)
	_, err = actiontemplates.Add(octo, dup)
	wantStatus(t, err, http.StatusBadRequest, "duplicate name")

	must(t, actiontemplates.DeleteByID(octo, defaultSpace, created.ID), "DeleteByID")
	_, err = actiontemplates.GetByID(octo, defaultSpace, created.ID)
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
	_, err = actiontemplates.GetVersionByID(octo, defaultSpace, created.ID, 0)
	wantStatus(t, err, http.StatusNotFound, "a version after delete")
}
