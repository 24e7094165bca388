package conformance

import (
	"net/http"
	"net/url"
	"reflect"
	"strings"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/actiontemplates"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/channels"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/core"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/credentials"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/deployments"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/lifecycles"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/projectgroups"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/projects"
)

// defaultSpace is the space the legacy services of octo act in.
const defaultSpace = "Spaces-1"

// lifecycleAndGroup creates a lifecycle and a project group in space and
// deletes them when the test ends (after the projects using them).
func lifecycleAndGroup(t *testing.T, space string) (string, string) {
	t.Helper()
	lc := lifecycles.NewLifecycle(uniqueName("project lifecycle"))
	lc.SpaceID = space
	createdLC, err := lifecycles.Add(octo, lc)
	must(t, err, "creating a lifecycle")
	t.Cleanup(func() { _ = lifecycles.DeleteByID(octo, space, createdLC.ID) })
	pg := projectgroups.NewProjectGroup(uniqueName("project group"))
	pg.SpaceID = space
	createdPG, err := projectgroups.Add(octo, pg)
	must(t, err, "creating a project group")
	t.Cleanup(func() { _ = projectgroups.DeleteByID(octo, space, createdPG.ID) })
	return createdLC.ID, createdPG.ID
}

// newProject creates a project (with its own lifecycle and project group)
// in space and deletes it when the test ends.
func newProject(t *testing.T, space string) *projects.Project {
	t.Helper()
	lc, pg := lifecycleAndGroup(t, space)
	p := projects.NewProject(uniqueName("project"), lc, pg)
	p.SpaceID = space
	created, err := projects.Add(octo, p)
	must(t, err, "creating a project")
	t.Cleanup(func() { _ = projects.DeleteByID(octo, space, created.ID) })
	return created
}

// sameProjects compares two representations of a project as the
// official e2e test's AssertEqualProjects does.
func sameProjects(t *testing.T, a, b *projects.Project, what string) {
	t.Helper()
	sameLinks(t, a.Links, b.Links, what)
	type view struct {
		ID, Name, Slug, Description, LifecycleID, ProjectGroupID, SpaceID, VariableSetID, DeploymentProcessID string
		ClonedFromProjectID, ReleaseNotesTemplate, DeploymentChangesTemplate, DefaultGuidedFailureMode        string
		TenantedDeploymentMode                                                                                core.TenantedDeploymentMode
		IsDisabled, AutoCreateRelease, DefaultToSkipIfAlreadyInstalled, IsDiscreteChannelRelease              bool
		IsVersionControlled, AllowIgnoreChannelRules                                                          bool
		IncludedLibraryVariableSets                                                                           []string
		Templates                                                                                             []actiontemplates.ActionTemplateParameter
		ConnectivityPolicy                                                                                    *core.ConnectivityPolicy
		ReleaseCreationStrategy                                                                               *projects.ReleaseCreationStrategy
		AutoDeployReleaseOverrides                                                                            []projects.AutoDeployReleaseOverride
	}
	v := func(p *projects.Project) view {
		return view{p.ID, p.Name, p.Slug, p.Description, p.LifecycleID, p.ProjectGroupID, p.SpaceID, p.VariableSetID, p.DeploymentProcessID,
			p.ClonedFromProjectID, p.ReleaseNotesTemplate, p.DeploymentChangesTemplate, p.DefaultGuidedFailureMode, p.TenantedDeploymentMode,
			p.IsDisabled, p.AutoCreateRelease, p.DefaultToSkipIfAlreadyInstalled, p.IsDiscreteChannelRelease, p.IsVersionControlled,
			p.AllowIgnoreChannelRules, p.IncludedLibraryVariableSets, p.Templates, p.ConnectivityPolicy, p.ReleaseCreationStrategy,
			p.AutoDeployReleaseOverrides}
	}
	if va, vb := v(a), v(b); !reflect.DeepEqual(va, vb) {
		t.Fatalf("%s: projects differ:\n%+v\n%+v", what, va, vb)
	}
}

func TestProjectsLegacy(t *testing.T) {
	lc, pg := lifecycleAndGroup(t, defaultSpace)
	p := projects.NewProject(uniqueName("legacy project"), lc, pg)
	p.Description = "made by the legacy service"
	created, err := octo.Projects.Add(p)
	must(t, err, "Add")
	if created.ID == "" || created.DeploymentProcessID != "deploymentprocess-"+created.ID || created.VariableSetID != "variableset-"+created.ID {
		t.Fatalf("created project lacks its process and variable set ids: %+v", created)
	}
	if created.Slug == "" || created.SpaceID != defaultSpace || created.PersistenceSettings == nil ||
		created.PersistenceSettings.Type() != projects.PersistenceSettingsTypeDatabase || created.IsVersionControlled {
		t.Fatalf("created project lacks server fields: %+v", created)
	}
	if created.TenantedDeploymentMode != core.TenantedDeploymentModeUntenanted || created.DefaultGuidedFailureMode != "EnvironmentDefault" ||
		created.VersioningStrategy == nil || created.VersioningStrategy.Template == "" {
		t.Fatalf("created project lacks defaults: %+v", created)
	}
	for _, l := range []string{"Self", "Channels", "DeploymentProcess", "Variables", "DeploymentSettings", "Runbooks", "Releases",
		"Progression", "Summary", "ConvertToVcs", "Triggers", "Web"} {
		if created.Links[l] == "" {
			t.Errorf("created project has no %s link", l)
		}
	}

	got, err := octo.Projects.GetByID(created.ID)
	must(t, err, "GetByID")
	sameProjects(t, created, got, "POST vs GET")
	bySlug, err := octo.Projects.GetByID(created.Slug)
	must(t, err, "GetByID with the slug")
	sameProjects(t, created, bySlug, "POST vs GET by slug")

	byName, err := octo.Projects.GetByName(p.Name)
	must(t, err, "GetByName")
	sameProjects(t, created, byName, "POST vs GetByName")
	page, err := octo.Projects.Get(projects.ProjectsQuery{Name: p.Name, Take: 1})
	must(t, err, "Get by name")
	if page.TotalResults != 1 || page.Items[0].ID != created.ID {
		t.Fatalf("Get by name = %+v", page)
	}
	partial, err := octo.Projects.Get(projects.ProjectsQuery{PartialName: strings.ToUpper(p.Name[3:12])})
	must(t, err, "Get by partial name")
	if len(partial.Items) == 0 {
		t.Fatal("partialName found nothing (it must be case-insensitive)")
	}
	all, err := octo.Projects.GetAll()
	must(t, err, "GetAll")
	found := false
	for _, x := range all {
		if x.ID == created.ID {
			found = true
			sameProjects(t, created, x, "POST vs /all")
		}
	}
	if !found {
		t.Fatal("GetAll does not list the project")
	}

	chans, err := octo.Projects.GetChannels(created)
	must(t, err, "GetChannels")
	if len(chans) != 1 || chans[0].Name != "Default" || !chans[0].IsDefault || chans[0].LifecycleID != "" ||
		len(chans[0].Rules) != 0 || len(chans[0].TenantTags) != 0 || chans[0].ProjectID != created.ID {
		t.Fatalf("a new project's channels = %+v", chans)
	}
	summary, err := octo.Projects.GetSummary(created)
	must(t, err, "GetSummary")
	if summary.HasDeploymentProcess || summary.HasRunbooks {
		t.Fatalf("summary of a new project = %+v", summary)
	}
	_, err = octo.Projects.GetProgression(created)
	must(t, err, "GetProgression")
	releases, err := octo.Projects.GetReleases(created)
	must(t, err, "GetReleases")
	if len(releases) != 0 {
		t.Fatalf("releases = %v", releases)
	}
	repo, _ := url.Parse("https://example.com/repo.git")
	_, err = octo.Projects.ConvertToVcs(created, "convert", "", projects.NewGitPersistenceSettings(".octopus", credentials.NewAnonymous(), "main", nil, repo))
	if err == nil {
		t.Fatal("converting to version control is not supported, but was accepted")
	}

	got.Name = uniqueName("legacy project renamed")
	got.Description = "changed"
	got.ConnectivityPolicy.SkipMachineBehavior = core.SkipMachineBehaviorSkipUnavailableMachines
	got.TenantedDeploymentMode = core.TenantedDeploymentModeTenantedOrUntenanted
	updated, err := octo.Projects.Update(got)
	must(t, err, "Update")
	if updated.Name != got.Name || updated.Description != "changed" || updated.Slug != created.Slug ||
		updated.ConnectivityPolicy.SkipMachineBehavior != core.SkipMachineBehaviorSkipUnavailableMachines ||
		updated.DeploymentProcessID != created.DeploymentProcessID {
		t.Fatalf("Update = %+v", updated)
	}
	sameLinks(t, created.Links, updated.Links, "POST vs PUT")

	dup := projects.NewProject(strings.ToUpper(updated.Name), lc, pg)
	_, err = octo.Projects.Add(dup)
	wantStatus(t, err, http.StatusBadRequest, "duplicate name")
	r := raw(t, http.MethodPost, "/api/Spaces-1/projects", map[string]any{"Name": updated.Name, "LifecycleId": lc, "ProjectGroupId": pg})
	wantError(t, r, http.StatusBadRequest, "A project with this name already exists. Please choose a different name.")

	// A lifecycle or project group in use cannot be deleted; both list
	// the project, in their two shapes.
	r = raw(t, http.MethodGet, "/api/Spaces-1/lifecycles/"+lc+"/projects", nil)
	if r.Status != http.StatusOK || !strings.HasPrefix(string(r.Body), "[") || !strings.Contains(string(r.Body), created.ID) {
		t.Fatalf("lifecycles/{id}/projects: %d %s", r.Status, r.Body)
	}
	r = raw(t, http.MethodGet, "/api/Spaces-1/projectgroups/"+pg+"/projects", nil)
	if r.Status != http.StatusOK || r.JSON(t)["TotalResults"] != float64(1) {
		t.Fatalf("projectgroups/{id}/projects: %d %s", r.Status, r.Body)
	}
	wantError(t, raw(t, http.MethodDelete, "/api/Spaces-1/lifecycles/"+lc, nil), http.StatusBadRequest, "used by the project")
	wantError(t, raw(t, http.MethodDelete, "/api/Spaces-1/projectgroups/"+pg, nil), http.StatusBadRequest, "")

	must(t, octo.Projects.DeleteByID(created.ID), "DeleteByID")
	_, err = octo.Projects.GetByID(created.ID)
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
	// What came with the project goes with it.
	for _, p := range []string{"/deploymentprocesses/" + created.DeploymentProcessID, "/variables/" + created.VariableSetID, "/channels/" + chans[0].ID} {
		wantError(t, raw(t, http.MethodGet, "/api/Spaces-1"+p, nil), http.StatusNotFound, "was not found")
	}
}

func TestProjectsNewClient(t *testing.T) {
	space := newSpace(t)
	lc, pg := lifecycleAndGroup(t, space)
	p := projects.NewProject(uniqueName("new project"), lc, pg)
	p.SpaceID = space
	created, err := projects.Add(octo, p)
	must(t, err, "Add")
	got, err := projects.GetByID(octo, space, created.ID)
	must(t, err, "GetByID")
	sameProjects(t, created, got, "POST vs GET")

	// More than one page: the client follows Page.Next.
	for range 34 {
		q := projects.NewProject(uniqueName("paged project"), lc, pg)
		q.SpaceID = space
		_, err := projects.Add(octo, q)
		must(t, err, "Add")
	}
	all, err := projects.GetAll(octo, space)
	must(t, err, "GetAll")
	if len(all) != 35 {
		t.Fatalf("GetAll = %d projects, want 35", len(all))
	}
	// Each came with its process and Default channel, listed across pages
	// too.
	processes, err := deployments.GetAllDeploymentProcesses(octo, space)
	must(t, err, "GetAllDeploymentProcesses")
	chans, err := channels.GetAll(octo, space)
	must(t, err, "channels.GetAll")
	if len(processes) != 35 || len(chans) != 35 {
		t.Fatalf("35 projects have %d processes and %d channels", len(processes), len(chans))
	}
	page, err := projects.Get(octo, space, projects.ProjectsQuery{Skip: 30, Take: 30})
	must(t, err, "Get second page")
	if page.TotalResults != 35 || len(page.Items) != 5 || page.Links.PageNext != "" {
		t.Fatalf("second page = %d items of %d, links %+v", len(page.Items), page.TotalResults, page.Links)
	}
	for _, x := range page.Items {
		if x.ID == created.ID {
			sameProjects(t, created, x, "POST vs list")
		}
	}

	got.Name = uniqueName("new project renamed")
	got.ProjectGroupID = pg
	updated, err := projects.Update(octo, got)
	must(t, err, "Update")
	if updated.Name != got.Name {
		t.Fatalf("Update = %+v", updated)
	}
	sameLinks(t, created.Links, updated.Links, "POST vs PUT")

	bad := projects.NewProject(uniqueName("orphan"), lc, "ProjectGroups-999999")
	bad.SpaceID = space
	_, err = projects.Add(octo, bad)
	wantStatus(t, err, http.StatusBadRequest, "unknown project group")
	dup := projects.NewProject(updated.Name, lc, pg)
	dup.SpaceID = space
	_, err = projects.Add(octo, dup)
	wantStatus(t, err, http.StatusBadRequest, "duplicate name")
	missing := map[string]any{"Name": uniqueName("no lifecycle"), "ProjectGroupId": pg}
	wantError(t, raw(t, http.MethodPost, "/api/"+space+"/projects", missing), http.StatusBadRequest, "The LifecycleId field is required.")

	must(t, projects.DeleteByID(octo, space, created.ID), "DeleteByID")
	_, err = projects.GetByID(octo, space, created.ID)
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
}

func TestProjectTemplates(t *testing.T) {
	project := newProject(t, defaultSpace)
	// The official e2e test appends a completely empty template and later
	// keys tenant variables by the id the server gives it.
	project.Templates = append(project.Templates, *actiontemplates.NewActionTemplateParameter())
	sensitive := actiontemplates.NewActionTemplateParameter()
	sensitive.Name = "Password"
	sensitive.DisplaySettings = map[string]string{"Octopus.ControlType": "Sensitive"}
	secret := core.NewPropertyValue("template-default-secret", true)
	sensitive.DefaultValue = &secret
	project.Templates = append(project.Templates, *sensitive)
	updated, err := octo.Projects.Update(project)
	must(t, err, "Update")
	if len(updated.Templates) != 2 || updated.Templates[0].ID == "" || updated.Templates[1].ID == "" {
		t.Fatalf("templates after PUT = %+v", updated.Templates)
	}
	dv := updated.Templates[1].DefaultValue
	if dv == nil || !dv.IsSensitive || dv.SensitiveValue == nil || !dv.SensitiveValue.HasValue || dv.SensitiveValue.NewValue != nil {
		t.Fatalf("a sensitive default value reads back as %+v", dv)
	}
	got, err := octo.Projects.GetByID(project.ID)
	must(t, err, "GetByID")
	sameProjects(t, updated, got, "PUT vs GET")
	r := raw(t, http.MethodGet, "/api/Spaces-1/projects/"+project.ID, nil)
	if strings.Contains(string(r.Body), "template-default-secret") {
		t.Fatal("a sensitive default value was read back")
	}

	// Select templates need their options.
	sel := actiontemplates.NewActionTemplateParameter()
	sel.Name = "Choice"
	sel.DisplaySettings = map[string]string{"Octopus.ControlType": "Select"}
	got.Templates = append(got.Templates, *sel)
	_, err = octo.Projects.Update(got)
	wantStatus(t, err, http.StatusBadRequest, "Select template without options")
}

func TestProjectDeploymentSettings(t *testing.T) {
	project := newProject(t, defaultSpace)
	r := raw(t, http.MethodGet, "/api/Spaces-1/projects/"+project.ID+"/deploymentsettings", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET deploymentsettings: %d %s", r.Status, r.Body)
	}
	ds := r.JSON(t)
	if ds["Id"] != "deploymentsettings-"+project.ID || ds["ProjectId"] != project.ID {
		t.Fatalf("deployment settings = %v", ds)
	}
	ds["ReleaseNotesTemplate"] = "notes"
	ds["DefaultGuidedFailureMode"] = "On"
	r = raw(t, http.MethodPut, "/api/Spaces-1/projects/"+project.ID+"/deploymentsettings", ds)
	if r.Status != http.StatusOK {
		t.Fatalf("PUT deploymentsettings: %d %s", r.Status, r.Body)
	}
	got, err := octo.Projects.GetByID(project.ID)
	must(t, err, "GetByID")
	if got.ReleaseNotesTemplate != "notes" || got.DefaultGuidedFailureMode != "On" {
		t.Fatalf("the project does not show its deployment settings: %+v", got)
	}
	ds["DefaultGuidedFailureMode"] = "Sometimes"
	wantError(t, raw(t, http.MethodPut, "/api/Spaces-1/projects/"+project.ID+"/deploymentsettings", ds), http.StatusBadRequest, "DefaultGuidedFailureMode")
}
