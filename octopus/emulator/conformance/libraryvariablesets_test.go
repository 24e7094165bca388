package conformance

import (
	"net/http"
	"strings"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/actiontemplates"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/core"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/libraryvariablesets"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/variables"
)

// newLibraryVariableSet builds a library variable set with two variable
// templates, as the official e2e test's CreateLibraryVariableSet does.
func newLibraryVariableSet() *variables.LibraryVariableSet {
	lvs := variables.NewLibraryVariableSet(uniqueName("Library"))
	lvs.Description = "a library variable set"
	for _, name := range []string{"Region", "Size"} {
		p := actiontemplates.NewActionTemplateParameter()
		dv := core.NewPropertyValue("default "+name, false)
		p.DefaultValue = &dv
		p.DisplaySettings = map[string]string{"Octopus.ControlType": "SingleLineText"}
		p.HelpText = "help " + name
		p.Label = "Label " + name
		p.Name = name
		lvs.Templates = append(lvs.Templates, *p)
	}
	return lvs
}

func TestLibraryVariableSetsLegacy(t *testing.T) {
	created, err := octo.LibraryVariableSets.Add(newLibraryVariableSet())
	must(t, err, "Add")
	if created.ID == "" || created.VariableSetID != "variableset-"+created.ID || created.ContentType != "Variables" ||
		len(created.Templates) != 2 || created.Templates[0].ID == "" || created.Templates[1].ID == "" ||
		created.Links["Variables"] == "" || created.Links["Usages"] == "" {
		t.Fatalf("Add = %+v", created)
	}

	secret := variables.NewVariable(uniqueName("Secret"))
	secret.IsEditable = false
	secret.IsSensitive = true
	secret.Value = "library-secret-1"
	_, err = octo.Variables.AddSingle(created.ID, secret)
	must(t, err, "AddSingle sensitive")
	plain := variables.NewVariable(uniqueName("Plain"))
	plain.Value = "plain"
	set, err := octo.Variables.AddSingle(created.ID, plain)
	must(t, err, "AddSingle")
	if len(set.Variables) != 2 || set.OwnerID != created.ID {
		t.Fatalf("the set's variables = %+v", set)
	}
	r := raw(t, http.MethodGet, "/api/Spaces-1/variables/"+created.VariableSetID, nil)
	if strings.Contains(string(r.Body), "library-secret-1") {
		t.Fatal("a sensitive library variable was read back")
	}

	page, err := octo.LibraryVariableSets.Get(variables.LibraryVariablesQuery{PartialName: created.Name, Take: 1})
	must(t, err, "Get by partial name")
	if len(page.Items) != 1 || page.Items[0].ID != created.ID {
		t.Fatalf("Get by partial name = %+v", page.Items)
	}
	sameLinks(t, created.Links, page.Items[0].Links, "POST vs list")
	page, err = octo.LibraryVariableSets.Get(variables.LibraryVariablesQuery{IDs: []string{created.ID}, Take: 1})
	must(t, err, "Get by ids")
	if len(page.Items) != 1 {
		t.Fatalf("Get by ids = %d items", len(page.Items))
	}
	modules, err := octo.LibraryVariableSets.Get(variables.LibraryVariablesQuery{ContentType: "ScriptModule", PartialName: created.Name})
	must(t, err, "Get script modules")
	if len(modules.Items) != 0 {
		t.Fatal("contentType=ScriptModule lists a library variable set")
	}

	got, err := octo.LibraryVariableSets.GetByID(created.ID)
	must(t, err, "GetByID")
	sameLinks(t, created.Links, got.Links, "POST vs GET")
	got.Description = "changed"
	got.ContentType = "ScriptModule"
	updated, err := octo.LibraryVariableSets.Update(got)
	must(t, err, "Update")
	if updated.Description != "changed" || updated.ContentType != "Variables" || updated.Templates[0].ID != created.Templates[0].ID {
		t.Fatalf("Update = %+v (the content type is fixed at create)", updated)
	}

	dup := variables.NewLibraryVariableSet(strings.ToLower(created.Name))
	_, err = octo.LibraryVariableSets.Add(dup)
	wantStatus(t, err, http.StatusBadRequest, "duplicate name")

	// A project that includes the set keeps it from being deleted.
	project := newProject(t, defaultSpace)
	project.IncludedLibraryVariableSets = []string{created.ID}
	_, err = octo.Projects.Update(project)
	must(t, err, "including the set in a project")
	r = raw(t, http.MethodGet, "/api/Spaces-1/libraryvariablesets/"+created.ID+"/usages", nil)
	if r.Status != http.StatusOK || !strings.Contains(string(r.Body), project.ID) {
		t.Fatalf("usages: %d %s", r.Status, r.Body)
	}
	wantError(t, raw(t, http.MethodDelete, "/api/Spaces-1/libraryvariablesets/"+created.ID, nil), http.StatusBadRequest, "is used by the project")
	project.IncludedLibraryVariableSets = nil
	_, err = octo.Projects.Update(project)
	must(t, err, "removing the set from the project")

	must(t, octo.LibraryVariableSets.DeleteByID(created.ID), "DeleteByID")
	_, err = octo.LibraryVariableSets.GetByID(created.ID)
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
	wantError(t, raw(t, http.MethodGet, "/api/Spaces-1/variables/"+created.VariableSetID, nil), http.StatusNotFound, "was not found")
}

func TestLibraryVariableSetsNewClient(t *testing.T) {
	space := newSpace(t)
	lvs := newLibraryVariableSet()
	lvs.SpaceID = space
	created, err := libraryvariablesets.Add(octo, lvs)
	must(t, err, "Add")
	secret := variables.NewVariable(uniqueName("Secret"))
	secret.IsSensitive = true
	secret.Value = "library-secret-2"
	set, err := variables.AddSingle(octo, space, created.ID, secret)
	must(t, err, "AddSingle")
	if len(set.Variables) != 1 || set.Variables[0].Value != "" {
		t.Fatalf("AddSingle = %+v", set)
	}
	got, err := libraryvariablesets.GetByID(octo, space, created.ID)
	must(t, err, "GetByID")
	sameLinks(t, created.Links, got.Links, "POST vs GET")
	got.Description = "updated description"
	updated, err := libraryvariablesets.Update(octo, got)
	must(t, err, "Update")
	if updated.Description != "updated description" || updated.Name != created.Name || updated.ContentType != created.ContentType {
		t.Fatalf("Update = %+v", updated)
	}
	for range 31 {
		more := variables.NewLibraryVariableSet(uniqueName("Library"))
		more.SpaceID = space
		_, err := libraryvariablesets.Add(octo, more)
		must(t, err, "Add")
	}
	first, err := libraryvariablesets.Get(octo, space, variables.LibraryVariablesQuery{})
	must(t, err, "Get")
	if len(first.Items) != 30 || first.TotalResults != 32 || first.Links.PageNext == "" {
		t.Fatalf("first page = %d items of %d", len(first.Items), first.TotalResults)
	}
	must(t, libraryvariablesets.DeleteByID(octo, space, created.ID), "DeleteByID")
	_, err = libraryvariablesets.GetByID(octo, space, created.ID)
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
}
