package conformance

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/actiontemplates"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/core"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/libraryvariablesets"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/projects"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/tenants"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/variables"
)

// sameTenants compares two representations of a tenant as the official
// e2e test's AssertEqualTenants does (null and [] differ).
func sameTenants(t *testing.T, a, b *tenants.Tenant, what string) {
	t.Helper()
	if a.ID != b.ID || a.Name != b.Name || a.Description != b.Description || a.SpaceID != b.SpaceID || a.IsDisabled != b.IsDisabled ||
		a.ClonedFromTenantID != b.ClonedFromTenantID || !reflect.DeepEqual(a.Links, b.Links) ||
		!reflect.DeepEqual(a.ProjectEnvironments, b.ProjectEnvironments) || !reflect.DeepEqual(a.TenantTags, b.TenantTags) {
		t.Fatalf("%s: tenants differ:\n%+v\n%+v", what, a, b)
	}
}

func TestTenantsLegacy(t *testing.T) {
	created, err := octo.Tenants.Add(tenants.NewTenant(uniqueName("tenant")))
	must(t, err, "Add")
	if created.ID == "" || created.Links["Variables"] == "" || created.ProjectEnvironments == nil || created.TenantTags == nil {
		t.Fatalf("Add = %+v", created)
	}
	got, err := octo.Tenants.GetByID(created.ID)
	must(t, err, "GetByID")
	sameTenants(t, created, got, "POST vs GET")
	partial, err := octo.Tenants.GetByPartialName(created.Name)
	must(t, err, "GetByPartialName")
	if len(partial) != 1 {
		t.Fatalf("GetByPartialName = %d tenants", len(partial))
	}
	sameTenants(t, created, partial[0], "POST vs list")
	byName, err := octo.Tenants.GetByName(strings.ToUpper(created.Name))
	must(t, err, "GetByName")
	sameTenants(t, created, byName, "POST vs GetByName")

	created.Name = uniqueName("tenant renamed")
	created.Description = "described"
	created.IsDisabled = true
	updated, err := octo.Tenants.Update(created)
	must(t, err, "Update")
	sameTenants(t, created, updated, "request vs PUT")

	dup := tenants.NewTenant(strings.ToLower(created.Name))
	_, err = octo.Tenants.Add(dup)
	wantStatus(t, err, http.StatusBadRequest, "duplicate name")
	bad := tenants.NewTenant(uniqueName("tenant"))
	bad.ProjectEnvironments["Projects-999999"] = []string{"Environments-1"}
	_, err = octo.Tenants.Add(bad)
	wantStatus(t, err, http.StatusBadRequest, "an unknown project")
	bad = tenants.NewTenant(uniqueName("tenant"))
	bad.TenantTags = []string{"No Such Set/No Such Tag"}
	_, err = octo.Tenants.Add(bad)
	wantStatus(t, err, http.StatusBadRequest, "an unknown tag")

	must(t, octo.Tenants.DeleteByID(created.ID), "DeleteByID")
	_, err = octo.Tenants.GetByID(created.ID)
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
}

func TestTenantsNewClient(t *testing.T) {
	space := newSpace(t)
	project := newProject(t, space)
	env := newEnvironment(t, space)
	ts := newTagSet(t, space, "Gold", "Silver")
	var ids []string
	for i := range 31 {
		tn := tenants.NewTenant(uniqueName("new tenant"))
		tn.SpaceID = space
		if i == 0 {
			tn.ProjectEnvironments[project.ID] = []string{env}
			tn.TenantTags = []string{ts.Tags[0].CanonicalTagName}
		}
		created, err := tenants.Add(octo, tn)
		must(t, err, "Add")
		ids = append(ids, created.ID)
	}
	all, err := tenants.GetAll(octo, space)
	must(t, err, "GetAll")
	if len(all) != 31 {
		t.Fatalf("GetAll = %d tenants", len(all))
	}
	byProject, err := tenants.Get(octo, space, tenants.TenantsQuery{ProjectID: project.ID})
	must(t, err, "Get by project")
	if byProject.TotalResults != 1 || byProject.Items[0].ID != ids[0] {
		t.Fatalf("Get by project = %d tenants", byProject.TotalResults)
	}
	byTag, err := tenants.Get(octo, space, tenants.TenantsQuery{Tags: []string{ts.Tags[0].ID}})
	must(t, err, "Get by tag")
	if byTag.TotalResults != 1 {
		t.Fatalf("Get by tag id = %d tenants", byTag.TotalResults)
	}
	got, err := tenants.GetByID(octo, space, ids[0])
	must(t, err, "GetByID")
	if !reflect.DeepEqual(got.ProjectEnvironments, map[string][]string{project.ID: {env}}) {
		t.Fatalf("ProjectEnvironments = %v", got.ProjectEnvironments)
	}
	got.Description = "changed"
	updated, err := tenants.Update(octo, got)
	must(t, err, "Update")
	sameTenants(t, got, updated, "request vs PUT")
	must(t, tenants.DeleteByID(octo, space, ids[1]), "DeleteByID")
	_, err = tenants.GetByID(octo, space, ids[1])
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
	// Deleting a connected project disconnects it.
	must(t, projects.DeleteByID(octo, space, project.ID), "deleting the project")
	r := raw(t, http.MethodGet, "/api/"+space+"/tenants/"+ids[0], nil)
	if pe := r.JSON(t)["ProjectEnvironments"].(map[string]any); len(pe) != 0 {
		t.Fatalf("ProjectEnvironments after the project's delete = %v", pe)
	}
}

// TestTenantVariablesLegacy ports the official e2e test's tenant variables
// dance: POST an empty document, GET it, set a value at
// ProjectVariables.<project>.Variables.<environment>.<template> (the
// client panics if that object is missing), POST it back, read it again.
func TestTenantVariablesLegacy(t *testing.T) {
	// Made before the project, so deleted after it.
	env := newEnvironment(t, defaultSpace)
	createdLVS, err := octo.LibraryVariableSets.Add(newLibraryVariableSet())
	must(t, err, "Add library variable set")
	t.Cleanup(func() { _ = octo.LibraryVariableSets.DeleteByID(createdLVS.ID) })
	project := newProject(t, defaultSpace)
	project.Templates = append(project.Templates, *actiontemplates.NewActionTemplateParameter())
	secretTemplate := actiontemplates.NewActionTemplateParameter()
	secretTemplate.Name = "ApiKey"
	secretTemplate.DisplaySettings = map[string]string{"Octopus.ControlType": "Sensitive"}
	project.Templates = append(project.Templates, *secretTemplate)
	project.IncludedLibraryVariableSets = []string{createdLVS.ID}
	project, err = octo.Projects.Update(project)
	must(t, err, "Update project")
	tmpl, secretTmpl := project.Templates[0].GetID(), project.Templates[1].GetID()

	tn := tenants.NewTenant(uniqueName("tenant with variables"))
	tn.ProjectEnvironments[project.ID] = []string{env}
	tenant, err := octo.Tenants.Add(tn)
	must(t, err, "Add tenant")
	t.Cleanup(func() { _ = octo.Tenants.DeleteByID(tenant.ID) })

	missing, err := octo.Tenants.GetMissingVariables(variables.MissingVariablesQuery{TenantID: tenant.ID, IncludeDetails: true})
	must(t, err, "GetMissingVariables")
	if len(*missing) != 1 || len((*missing)[0].MissingVariables) != 2 {
		t.Fatalf("missing variables = %+v", *missing)
	}

	tv, err := octo.Tenants.UpdateVariables(tenant, variables.NewTenantVariables(tenant.ID))
	must(t, err, "UpdateVariables with an empty document")
	tv, err = octo.Tenants.GetVariables(tenant)
	must(t, err, "GetVariables")
	pv, ok := tv.ProjectVariables[project.ID]
	if !ok || pv.Variables[env] == nil || len(pv.Templates) != 2 || tv.TenantID != tenant.ID {
		t.Fatalf("the legacy document lacks ProjectVariables.%s.Variables.%s: %+v", project.ID, env, tv)
	}
	if lv, ok := tv.LibraryVariables[createdLVS.ID]; !ok || len(lv.Templates) != 2 {
		t.Fatalf("the legacy document lacks the library variable set: %+v", tv.LibraryVariables)
	}
	value := core.NewPropertyValue("#{binding}", false)
	tv.ProjectVariables[project.ID].Variables[env][tmpl] = value
	tv.ProjectVariables[project.ID].Variables[env][secretTmpl] = core.NewPropertyValue("tenant-secret-1", true)
	tv.LibraryVariables[createdLVS.ID].Variables[createdLVS.Templates[0].ID] = core.NewPropertyValue("eu-west", false)
	_, err = octo.Tenants.UpdateVariables(tenant, tv)
	must(t, err, "UpdateVariables")
	tv, err = octo.Tenants.GetVariables(tenant)
	must(t, err, "GetVariables")
	if got := tv.ProjectVariables[project.ID].Variables[env][tmpl]; got.Value != "#{binding}" {
		t.Fatalf("the value reads back as %+v", got)
	}
	secret := tv.ProjectVariables[project.ID].Variables[env][secretTmpl]
	if !secret.IsSensitive || !secret.SensitiveValue.HasValue || secret.SensitiveValue.NewValue != nil {
		t.Fatalf("the sensitive value reads back as %+v", secret)
	}
	if got := tv.LibraryVariables[createdLVS.ID].Variables[createdLVS.Templates[0].ID]; got.Value != "eu-west" {
		t.Fatalf("the library value reads back as %+v", got)
	}
	r := raw(t, http.MethodGet, "/api/Spaces-1/tenants/"+tenant.ID+"/variables", nil)
	if strings.Contains(string(r.Body), "tenant-secret-1") {
		t.Fatal("a sensitive tenant variable was read back")
	}

	// Sending the document back as read keeps the secret.
	_, err = octo.Tenants.UpdateVariables(tenant, tv)
	must(t, err, "UpdateVariables as read")
	tv, err = octo.Tenants.GetVariables(tenant)
	must(t, err, "GetVariables")
	if s := tv.ProjectVariables[project.ID].Variables[env][secretTmpl]; !s.IsSensitive || !s.SensitiveValue.HasValue {
		t.Fatalf("the secret was lost: %+v", s)
	}
	missing, err = octo.Tenants.GetMissingVariables(variables.MissingVariablesQuery{TenantID: tenant.ID})
	must(t, err, "GetMissingVariables")
	if len(*missing) != 0 {
		t.Fatalf("missing variables after setting them = %+v", *missing)
	}

	all, err := octo.TenantVariables.GetAll()
	must(t, err, "TenantVariables.GetAll")
	found := false
	for _, x := range all {
		found = found || x.TenantID == tenant.ID
	}
	if !found {
		t.Fatal("tenantvariables/all does not list the tenant")
	}

	after, err := octo.Tenants.GetByID(tenant.ID)
	must(t, err, "GetByID")
	sameTenants(t, tenant, after, "POST vs GET")
}

func TestTenantVariablesNewClient(t *testing.T) {
	space := newSpace(t)
	env := newEnvironment(t, space)
	env2 := newEnvironment(t, space)
	project := newProject(t, space)
	p := actiontemplates.NewActionTemplateParameter()
	p.Name = "Url"
	project.Templates = append(project.Templates, *p)
	secretTemplate := actiontemplates.NewActionTemplateParameter()
	secretTemplate.Name = "Token"
	secretTemplate.DisplaySettings = map[string]string{"Octopus.ControlType": "Sensitive"}
	project.Templates = append(project.Templates, *secretTemplate)
	lvs := newLibraryVariableSet()
	lvs.SpaceID = space
	createdLVS, err := libraryvariablesets.Add(octo, lvs)
	must(t, err, "Add library variable set")
	project.IncludedLibraryVariableSets = []string{createdLVS.ID}
	project, err = projects.Update(octo, project)
	must(t, err, "Update project")
	tn := tenants.NewTenant(uniqueName("tenant"))
	tn.SpaceID = space
	tn.ProjectEnvironments[project.ID] = []string{env, env2}
	tenant, err := tenants.Add(octo, tn)
	must(t, err, "Add tenant")

	list, err := tenants.GetProjectVariables(octo, variables.GetTenantProjectVariablesQuery{TenantID: tenant.ID, SpaceID: space, IncludeMissingVariables: true})
	must(t, err, "GetProjectVariables")
	if len(list.Variables) != 0 || len(list.MissingVariables) != 4 {
		t.Fatalf("a new tenant's project variables: %d values, %d missing", len(list.Variables), len(list.MissingVariables))
	}
	url, token := project.Templates[0].GetID(), project.Templates[1].GetID()
	cmd := &variables.ModifyTenantProjectVariablesCommand{Variables: []variables.TenantProjectVariablePayload{
		{ProjectID: project.ID, TemplateID: url, Value: core.NewPropertyValue("https://all", false), Scope: variables.TenantVariableScope{EnvironmentIds: []string{}}},
		{ProjectID: project.ID, TemplateID: token, Value: core.NewPropertyValue("tenant-secret-2", true), Scope: variables.TenantVariableScope{EnvironmentIds: []string{env}}},
	}}
	saved, err := tenants.UpdateProjectVariables(octo, space, tenant.ID, cmd)
	must(t, err, "UpdateProjectVariables")
	if len(saved.Variables) != 2 || saved.Variables[0].ID == "" {
		t.Fatalf("UpdateProjectVariables = %+v", saved)
	}
	var tokenID string
	for _, v := range saved.Variables {
		if v.TemplateID == token {
			tokenID = v.ID
			if !v.Value.IsSensitive || !v.Value.SensitiveValue.HasValue || v.Value.SensitiveValue.NewValue != nil {
				t.Fatalf("the sensitive value reads back as %+v", v.Value)
			}
		}
	}
	r := raw(t, http.MethodGet, "/api/"+space+"/tenants/"+tenant.ID+"/projectvariables?IncludeMissingVariables=", nil)
	if r.Status != http.StatusOK || strings.Contains(string(r.Body), "tenant-secret-2") {
		t.Fatalf("projectvariables: %d %s", r.Status, r.Body)
	}
	// The legacy document shows the unscoped value for both environments.
	legacy := raw(t, http.MethodGet, "/api/"+space+"/tenants/"+tenant.ID+"/variables", nil).JSON(t)
	vars := legacy["ProjectVariables"].(map[string]any)[project.ID].(map[string]any)["Variables"].(map[string]any)
	if vars[env2].(map[string]any)[url] != "https://all" || vars[env].(map[string]any)[token] == nil {
		t.Fatalf("the legacy view of the values = %v", vars)
	}

	// Keeping a secret: its Id and {HasValue: true} without NewValue.
	keep := &variables.ModifyTenantProjectVariablesCommand{Variables: []variables.TenantProjectVariablePayload{
		{ID: tokenID, ProjectID: project.ID, TemplateID: token, Value: core.PropertyValue{IsSensitive: true, SensitiveValue: &core.SensitiveValue{HasValue: true}},
			Scope: variables.TenantVariableScope{EnvironmentIds: []string{env}}},
	}}
	saved, err = tenants.UpdateProjectVariables(octo, space, tenant.ID, keep)
	must(t, err, "UpdateProjectVariables keeping the secret")
	if len(saved.Variables) != 1 || !saved.Variables[0].Value.SensitiveValue.HasValue {
		t.Fatalf("after keeping the secret = %+v", saved.Variables)
	}
	unknown := &variables.ModifyTenantProjectVariablesCommand{Variables: []variables.TenantProjectVariablePayload{
		{ProjectID: "Projects-999999", TemplateID: url, Value: core.NewPropertyValue("x", false)},
	}}
	_, err = tenants.UpdateProjectVariables(octo, space, tenant.ID, unknown)
	wantStatus(t, err, http.StatusBadRequest, "a project the tenant is not connected to")

	common, err := tenants.GetCommonVariables(octo, variables.GetTenantCommonVariablesQuery{TenantID: tenant.ID, SpaceID: space, IncludeMissingVariables: true})
	must(t, err, "GetCommonVariables")
	if len(common.Variables) != 0 || len(common.MissingVariables) != 4 || common.MissingVariables[0].Value.Value != "default Region" {
		// Two templates without values for two environments; a missing
		// value shows the template's default.
		t.Fatalf("common variables = %+v, missing %+v", common.Variables, common.MissingVariables)
	}
	region := createdLVS.Templates[0].ID
	setCommon := &variables.ModifyTenantCommonVariablesCommand{Variables: []variables.TenantCommonVariablePayload{
		{LibraryVariableSetId: createdLVS.ID, TemplateID: region, Value: core.NewPropertyValue("eu-west", false), Scope: variables.TenantVariableScope{EnvironmentIds: []string{}}},
	}}
	savedCommon, err := tenants.UpdateCommonVariables(octo, space, tenant.ID, setCommon)
	must(t, err, "UpdateCommonVariables")
	if len(savedCommon.Variables) != 1 || savedCommon.Variables[0].Value.Value != "eu-west" || savedCommon.Variables[0].LibraryVariableSetName != createdLVS.Name {
		t.Fatalf("UpdateCommonVariables = %+v", savedCommon.Variables)
	}
	// The project values survive a write of the common ones.
	list, err = tenants.GetProjectVariables(octo, variables.GetTenantProjectVariablesQuery{TenantID: tenant.ID, SpaceID: space})
	must(t, err, "GetProjectVariables")
	if len(list.Variables) != 1 {
		t.Fatalf("project values after a common write = %+v", list.Variables)
	}
	legacy = raw(t, http.MethodGet, "/api/"+space+"/tenants/"+tenant.ID+"/variables", nil).JSON(t)
	libVars := legacy["LibraryVariables"].(map[string]any)[createdLVS.ID].(map[string]any)["Variables"].(map[string]any)
	if libVars[region] != "eu-west" {
		t.Fatalf("the legacy view of the common values = %v", libVars)
	}
}
