package conformance

import (
	"net/http"
	"strings"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/core"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/deployments"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/packages"
)

// scriptStep is a step with one script action, as the official e2e tests
// build them; the action has a sensitive property holding secret.
func scriptStep(name, secret string) *deployments.DeploymentStep {
	action := deployments.NewDeploymentAction(name, "Octopus.Script")
	action.Properties["Octopus.Action.RunOnServer"] = core.NewPropertyValue("true", false)
	action.Properties["Octopus.Action.Script.ScriptBody"] = core.NewPropertyValue("Write-Host 'hello'", false)
	if secret != "" {
		action.Properties["ApiToken"] = core.NewPropertyValue(secret, true)
	}
	step := deployments.NewDeploymentStep(name)
	step.Actions = append(step.Actions, action)
	step.Properties["Octopus.Action.TargetRoles"] = core.NewPropertyValue("web-server", false)
	return step
}

func TestDeploymentProcessLegacy(t *testing.T) {
	before, err := octo.DeploymentProcesses.GetAll()
	must(t, err, "GetAll")
	project := newProject(t, defaultSpace)

	process, err := octo.DeploymentProcesses.GetByID(project.DeploymentProcessID)
	must(t, err, "GetByID")
	if process.ID != project.DeploymentProcessID || process.ProjectID != project.ID || process.Version != 0 || len(process.Steps) != 0 {
		t.Fatalf("a new project's process = %+v", process)
	}
	for _, l := range []string{"Self", "Template", "Project"} {
		if process.Links[l] == "" {
			t.Fatalf("the process has no %s link: %v", l, process.Links)
		}
	}
	viaProject, err := octo.DeploymentProcesses.Get(project, "")
	must(t, err, "Get through the project's link")
	sameLinks(t, process.Links, viaProject.Links, "GET by id vs the project's link")

	process.Steps = append(process.Steps, scriptStep("Say hello", "process-secret-1"))
	updated, err := octo.DeploymentProcesses.Update(process)
	must(t, err, "Update")
	if updated.Version != 1 || len(updated.Steps) != 1 || updated.Steps[0].ID == "" || updated.Steps[0].Actions[0].ID == "" {
		t.Fatalf("Update = %+v", updated)
	}
	sameLinks(t, process.Links, updated.Links, "GET vs PUT")
	if !reflectEqualProperties(updated.Steps[0].Properties, process.Steps[0].Properties) {
		t.Fatalf("step properties changed: %v", updated.Steps[0].Properties)
	}
	secret := updated.Steps[0].Actions[0].Properties["ApiToken"]
	if !secret.IsSensitive || secret.SensitiveValue == nil || !secret.SensitiveValue.HasValue || secret.SensitiveValue.NewValue != nil {
		t.Fatalf("a sensitive property reads back as %+v", secret)
	}
	r := raw(t, http.MethodGet, "/api/Spaces-1/deploymentprocesses/"+process.ID, nil)
	if strings.Contains(string(r.Body), "process-secret-1") {
		t.Fatal("a sensitive property was read back")
	}

	// A second PUT of what was read keeps the secret and the ids.
	updated.Steps[0].Actions[0].Notes = "changed"
	again, err := octo.DeploymentProcesses.Update(updated)
	must(t, err, "Update again")
	if again.Version != 2 || again.Steps[0].ID != updated.Steps[0].ID || again.Steps[0].Actions[0].ID != updated.Steps[0].Actions[0].ID ||
		!again.Steps[0].Actions[0].Properties["ApiToken"].SensitiveValue.HasValue {
		t.Fatalf("second Update = %+v", again)
	}

	// The process read before the first update is stale now.
	_, err = octo.DeploymentProcesses.Update(process)
	wantStatus(t, err, http.StatusBadRequest, "stale Version")
	process.Links = nil
	wantError(t, raw(t, http.MethodPut, "/api/Spaces-1/deploymentprocesses/"+process.ID, process), http.StatusBadRequest,
		"Changes to this deployment process could not be saved, because another user has made changes to the deployment process")

	// Step names are unique, case-insensitively.
	again.Steps = append(again.Steps, scriptStep("SAY HELLO", ""))
	again.Steps[1].Actions[0].Name = "Another action"
	_, err = octo.DeploymentProcesses.Update(again)
	wantStatus(t, err, http.StatusBadRequest, "duplicate step name")

	chans, err := octo.Projects.GetChannels(project)
	must(t, err, "GetChannels")
	tmpl, err := octo.DeploymentProcesses.GetTemplate(again, chans[0].ID, "")
	must(t, err, "GetTemplate")
	if tmpl.DeploymentProcessId != process.ID || tmpl.NextVersionIncrement != "0.0.1" {
		t.Fatalf("template = %+v", tmpl)
	}

	after, err := octo.DeploymentProcesses.GetAll()
	must(t, err, "GetAll")
	if len(after) != len(before)+1 {
		t.Fatalf("GetAll = %d processes, want %d: a new project brings one", len(after), len(before)+1)
	}
	summary, err := octo.Projects.GetSummary(project)
	must(t, err, "GetSummary")
	if !summary.HasDeploymentProcess {
		t.Fatal("the summary does not see the process")
	}

	r = raw(t, http.MethodDelete, "/api/Spaces-1/deploymentprocesses/"+process.ID, nil)
	if r.Status != http.StatusMethodNotAllowed {
		t.Fatalf("DELETE of a process: %d", r.Status)
	}
	r = raw(t, http.MethodPost, "/api/Spaces-1/deploymentprocesses", map[string]any{"ProjectId": project.ID})
	if r.Status != http.StatusMethodNotAllowed {
		t.Fatalf("POST of a process: %d", r.Status)
	}
	_, err = octo.DeploymentProcesses.GetByID("deploymentprocess-Projects-999999")
	wantStatus(t, err, http.StatusNotFound, "unknown process")
}

func TestDeploymentProcessNewClient(t *testing.T) {
	space := newSpace(t)
	project := newProject(t, space)
	all, err := deployments.GetAllDeploymentProcesses(octo, space)
	must(t, err, "GetAllDeploymentProcesses")
	if len(all) != 1 || all[0].ID != project.DeploymentProcessID {
		t.Fatalf("processes of a space with one project = %d", len(all))
	}
	process, err := deployments.GetDeploymentProcessByID(octo, space, project.DeploymentProcessID)
	must(t, err, "GetDeploymentProcessByID")

	step := scriptStep("Deploy", "")
	step.Actions[0].ActionType = "Octopus.TentaclePackage"
	step.Actions[0].Packages = append(step.Actions[0].Packages, &packages.PackageReference{Name: "", PackageID: "Acme.Web", FeedID: "feeds-builtin", AcquisitionLocation: "Server"})
	process.Steps = append(process.Steps, step)
	updated, err := deployments.UpdateDeploymentProcess(octo, process)
	must(t, err, "UpdateDeploymentProcess")
	if updated.Version != 1 || updated.Steps[0].Actions[0].Packages[0].ID == "" {
		t.Fatalf("UpdateDeploymentProcess = %+v", updated)
	}
	tmpl, err := deployments.GetDeploymentProcessTemplate(octo, updated, "", "")
	must(t, err, "GetDeploymentProcessTemplate")
	if len(tmpl.Packages) != 1 || tmpl.Packages[0].PackageID != "Acme.Web" || tmpl.Packages[0].ActionName != "Deploy" {
		t.Fatalf("template packages = %+v", tmpl.Packages)
	}
	_, err = deployments.UpdateDeploymentProcess(octo, process)
	wantStatus(t, err, http.StatusBadRequest, "stale Version")

	// The project's own route serves the same document.
	r := raw(t, http.MethodGet, "/api/"+space+"/projects/"+project.ID+"/deploymentprocesses", nil)
	if r.Status != http.StatusOK || r.JSON(t)["Id"] != project.DeploymentProcessID {
		t.Fatalf("projects/{id}/deploymentprocesses: %d %s", r.Status, r.Body)
	}
}

// reflectEqualProperties compares two property maps by their values.
func reflectEqualProperties(a, b map[string]core.PropertyValue) bool {
	if len(a) != len(b) {
		return false
	}
	for k, v := range a {
		w, ok := b[k]
		if !ok || v.IsSensitive != w.IsSensitive || v.Value != w.Value {
			return false
		}
	}
	return true
}
