package conformance

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/projects"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/runbookprocess"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/runbooks"
)

// sameRunbooks compares two representations of a runbook as the official
// e2e test's AssertEqualRunbooks does.
func sameRunbooks(t *testing.T, a, b *runbooks.Runbook, what string) {
	t.Helper()
	sameLinks(t, a.Links, b.Links, what)
	if a.ID != b.ID || a.Name != b.Name || a.Description != b.Description || a.ProjectID != b.ProjectID || a.SpaceID != b.SpaceID ||
		a.RunbookProcessID != b.RunbookProcessID || a.PublishedRunbookSnapshotID != b.PublishedRunbookSnapshotID ||
		a.DefaultGuidedFailureMode != b.DefaultGuidedFailureMode || a.EnvironmentScope != b.EnvironmentScope ||
		a.MultiTenancyMode != b.MultiTenancyMode || !reflect.DeepEqual(a.Environments, b.Environments) ||
		!reflect.DeepEqual(a.ConnectivityPolicy, b.ConnectivityPolicy) || !reflect.DeepEqual(a.RunRetentionPolicy, b.RunRetentionPolicy) {
		t.Fatalf("%s: runbooks differ:\n%+v\n%+v", what, a, b)
	}
}

func TestRunbooksLegacy(t *testing.T) {
	project := newProject(t, defaultSpace)
	rb := runbooks.NewRunbook(uniqueName("runbook"), project.ID)
	created, err := octo.Runbooks.Add(rb)
	must(t, err, "Add")
	if created.RunbookProcessID != "RunbookProcess-"+created.ID {
		t.Fatalf("the POST response's RunbookProcessId = %q", created.RunbookProcessID)
	}
	if created.RunRetentionPolicy == nil || created.RunRetentionPolicy.Strategy != runbooks.RunbookRetentionStrategyDefault ||
		created.RunRetentionPolicy.QuantityToKeep != 100 || created.Links["RunbookSnapshotTemplate"] == "" {
		t.Fatalf("Add = %+v", created)
	}
	got, err := octo.Runbooks.GetByID(created.ID)
	must(t, err, "GetByID")
	sameRunbooks(t, created, got, "POST vs GET")
	tmpl, err := octo.Runbooks.GetRunbookSnapshotTemplate(created)
	must(t, err, "GetRunbookSnapshotTemplate")
	if tmpl.RunbookID != created.ID || tmpl.RunbookProcessID != created.RunbookProcessID {
		t.Fatalf("snapshot template = %+v", tmpl)
	}

	// 30 more, listed by /all (the legacy GetAll).
	for range 30 {
		_, err := octo.Runbooks.Add(runbooks.NewRunbook(uniqueName("runbook"), project.ID))
		must(t, err, "Add")
	}
	all, err := octo.Runbooks.GetAll()
	must(t, err, "GetAll")
	n := 0
	for _, x := range all {
		if x.ProjectID == project.ID {
			n++
		}
		if x.ID == created.ID {
			sameRunbooks(t, created, x, "POST vs /all")
		}
	}
	if n != 31 {
		t.Fatalf("GetAll lists %d of the project's runbooks, want 31", n)
	}
	page, err := runbooks.List(octo, defaultSpace, project.ID, "", 30)
	must(t, err, "List")
	if page.TotalResults != 31 || len(page.Items) != 30 || page.Links.PageNext == "" {
		t.Fatalf("the first page of the project's runbooks: %d of %d", len(page.Items), page.TotalResults)
	}
	none, err := runbooks.List(octo, defaultSpace, project.ID, uniqueName("no such runbook"), 0)
	must(t, err, "List by an unknown partial name")
	if none.TotalResults != 0 {
		t.Fatalf("partialName of nothing = %d runbooks", none.TotalResults)
	}

	// Retention policies round-trip; a PUT without RunbookProcessId
	// keeps it.
	count, _ := runbooks.NewCountBasedRunbookRetentionPolicy(5, runbooks.RunbookRetentionUnitDays)
	got.RunRetentionPolicy = count
	got.RunbookProcessID = ""
	got.Description = "changed"
	updated, err := octo.Runbooks.Update(got)
	must(t, err, "Update")
	if updated.RunbookProcessID != created.RunbookProcessID || !reflect.DeepEqual(updated.RunRetentionPolicy, count) || updated.Description != "changed" {
		t.Fatalf("Update = %+v (retention %+v)", updated, updated.RunRetentionPolicy)
	}
	sameLinks(t, created.Links, updated.Links, "POST vs PUT")
	again, err := octo.Runbooks.GetByID(created.ID)
	must(t, err, "GetByID")
	sameRunbooks(t, updated, again, "PUT vs GET")

	dup := runbooks.NewRunbook(strings.ToUpper(created.Name), project.ID)
	_, err = octo.Runbooks.Add(dup)
	wantStatus(t, err, http.StatusBadRequest, "duplicate name")
	other := newProject(t, defaultSpace)
	_, err = octo.Runbooks.Add(runbooks.NewRunbook(created.Name, other.ID))
	must(t, err, "Add the same name to another project")

	must(t, octo.Runbooks.DeleteByID(created.ID), "DeleteByID")
	_, err = octo.Runbooks.GetByID(created.ID)
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
	// The official e2e test checks the delete through the projects service.
	_, err = octo.Projects.GetByID(created.ID)
	wantStatus(t, err, http.StatusNotFound, "projects/{runbookId}")
	_, err = octo.RunbookProcesses.GetByID(created.RunbookProcessID)
	wantStatus(t, err, http.StatusNotFound, "the runbook's process after delete")
}

func TestRunbookProcesses(t *testing.T) {
	project := newProject(t, defaultSpace)
	created, err := octo.Runbooks.Add(runbooks.NewRunbook(uniqueName("runbook"), project.ID))
	must(t, err, "Add")

	process, err := octo.RunbookProcesses.GetByID(created.RunbookProcessID)
	must(t, err, "GetByID")
	if process.ID != created.RunbookProcessID || process.RunbookID != created.ID || process.ProjectID != project.ID ||
		process.Version == nil || *process.Version != 0 || process.Steps == nil {
		t.Fatalf("a new runbook's process = %+v", process)
	}
	process.Steps = append(process.Steps, scriptStep("Restart", "runbook-secret-1"))
	updated, err := octo.RunbookProcesses.Update(process)
	must(t, err, "Update")
	if *updated.Version != 1 || updated.Steps[0].ID == "" || !updated.Steps[0].Actions[0].Properties["ApiToken"].SensitiveValue.HasValue {
		t.Fatalf("Update = %+v", updated)
	}
	r := raw(t, http.MethodGet, "/api/Spaces-1/runbookProcesses/"+process.ID, nil)
	if strings.Contains(string(r.Body), "runbook-secret-1") {
		t.Fatal("a sensitive property was read back")
	}
	_, err = octo.RunbookProcesses.Update(process)
	wantStatus(t, err, http.StatusBadRequest, "stale Version")
	process.Links = nil
	wantError(t, raw(t, http.MethodPut, "/api/Spaces-1/runbookProcesses/"+process.ID, process), http.StatusBadRequest,
		"Changes to this process could not be saved, because another user has made changes to the process")

	// The newer functions: space-level and project-level forms.
	viaNew, err := runbookprocess.GetByID(octo, defaultSpace, process.ID)
	must(t, err, "runbookprocess.GetByID")
	sameLinks(t, updated.Links, viaNew.Links, "legacy vs new")
	viaProject, err := runbooks.GetProcess(octo, defaultSpace, project.ID, process.ID)
	must(t, err, "runbooks.GetProcess")
	if viaProject.ID != process.ID || len(viaProject.Steps) != 1 {
		t.Fatalf("runbooks.GetProcess = %+v", viaProject)
	}
	viaNew.Steps[0].Name = "Restart everything"
	renamed, err := runbookprocess.Update(octo, viaNew)
	must(t, err, "runbookprocess.Update")
	if *renamed.Version != 2 || renamed.Steps[0].Name != "Restart everything" {
		t.Fatalf("runbookprocess.Update = %+v", renamed)
	}
	list := raw(t, http.MethodGet, "/api/Spaces-1/runbookProcesses?take=1000", nil)
	if list.Status != http.StatusOK || !strings.Contains(string(list.Body), process.ID) {
		t.Fatalf("runbookProcesses: %d", list.Status)
	}
}

func TestRunbooksNewClient(t *testing.T) {
	space := newSpace(t)
	project := newProject(t, space)
	rb := runbooks.NewRunbook(uniqueName("new runbook"), project.ID)
	rb.SpaceID = space
	created, err := runbooks.Add(octo, rb)
	must(t, err, "Add")
	got, err := runbooks.GetByID(octo, space, created.ID)
	must(t, err, "GetByID")
	sameRunbooks(t, created, got, "POST vs GET")
	list, err := runbooks.List(octo, space, project.ID, "", 0)
	must(t, err, "List")
	if list.TotalResults != 1 {
		t.Fatalf("List = %d runbooks", list.TotalResults)
	}
	byName, err := runbooks.GetByName(octo, space, project.ID, strings.ToUpper(created.Name))
	must(t, err, "GetByName")
	if byName == nil || byName.ID != created.ID {
		t.Fatalf("GetByName = %+v", byName)
	}
	envs, err := runbooks.ListEnvironments(octo, space, project.ID, created.ID)
	must(t, err, "ListEnvironments")
	if envs == nil {
		t.Fatal("ListEnvironments = nil")
	}
	got.Description = "changed"
	updated, err := runbooks.Update(octo, got)
	must(t, err, "Update")
	sameLinks(t, created.Links, updated.Links, "POST vs PUT")
	summary, err := octo.Projects.GetSummary(project)
	must(t, err, "GetSummary")
	if !summary.HasRunbooks {
		t.Fatal("the summary does not see the runbook")
	}
	must(t, runbooks.DeleteByID(octo, space, created.ID), "DeleteByID")
	_, err = projects.GetByID(octo, space, created.ID)
	wantStatus(t, err, http.StatusNotFound, "projects/{runbookId}")
	_, err = runbooks.GetByID(octo, space, created.ID)
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
}
