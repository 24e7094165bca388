package conformance

import (
	"net/http"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/projectgroups"
)

func TestProjectGroups(t *testing.T) {
	pg := projectgroups.NewProjectGroup(uniqueName("legacy group"))
	pg.Description = "a group"
	created, err := octo.ProjectGroups.Add(pg)
	must(t, err, "Add")
	got, err := octo.ProjectGroups.GetByID(created.ID)
	must(t, err, "GetByID")
	sameLinks(t, created.Links, got.Links, "POST vs GET")
	if got.Slug == "" || got.Description != "a group" {
		t.Fatalf("GetByID = %+v", got)
	}
	projects, err := octo.ProjectGroups.GetProjects(got)
	must(t, err, "GetProjects (a paged envelope)")
	if len(projects) != 0 {
		t.Fatalf("GetProjects = %d", len(projects))
	}
	partial, err := octo.ProjectGroups.GetByPartialName("LEGACY GROUP")
	must(t, err, "GetByPartialName")
	if len(partial) == 0 {
		t.Fatal("GetByPartialName found nothing")
	}
	got.Description = "changed"
	updated, err := octo.ProjectGroups.Update(*got)
	must(t, err, "Update")
	if updated.Description != "changed" {
		t.Fatalf("Update = %+v", updated)
	}
	byNew, err := projectgroups.GetByID(octo, created.SpaceID, created.ID)
	must(t, err, "GetByID (new client)")
	sameLinks(t, created.Links, byNew.Links, "POST vs GET (new client)")
	_, err = projectgroups.Add(octo, projectgroups.NewProjectGroup(pg.Name))
	wantStatus(t, err, http.StatusBadRequest, "duplicate name")
	all, err := projectgroups.GetAll(octo, created.SpaceID)
	must(t, err, "GetAll")
	if len(all) < 2 {
		t.Fatalf("GetAll = %d (the Default Project Group and this one at least)", len(all))
	}
	must(t, projectgroups.DeleteByID(octo, created.SpaceID, created.ID), "DeleteByID")
	_, err = projectgroups.GetByID(octo, created.SpaceID, created.ID)
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
}
