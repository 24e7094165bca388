package conformance

import (
	"net/http"
	"slices"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/spaces"
)

// newSpace creates a space managed by the administrator and deletes it
// when the test ends, as the official e2e helpers do: stop its task queue,
// then delete.
func newSpace(t *testing.T) string {
	t.Helper()
	sp := spaces.NewSpace(uniqueName("space"))
	sp.SpaceManagersTeamMembers = []string{"Users-1"}
	created, err := octo.Spaces.Add(sp)
	must(t, err, "creating a space")
	t.Cleanup(func() {
		created.TaskQueueStopped = true
		if _, err := spaces.Update(octo, created); err != nil {
			t.Errorf("stopping the task queue: %v", err)
			return
		}
		if err := octo.Spaces.DeleteByID(created.ID); err != nil {
			t.Errorf("deleting the space: %v", err)
		}
	})
	return created.ID
}

func TestSpaces(t *testing.T) {
	user := newUser(t)
	sp := spaces.NewSpace(uniqueName("test space"))
	sp.SpaceManagersTeamMembers = []string{user}
	created, err := octo.Spaces.Add(sp)
	must(t, err, "Add")
	team := "teams-spacemanagers-" + created.ID
	if !slices.Equal(created.SpaceManagersTeams, []string{team}) || !slices.Equal(created.SpaceManagersTeamMembers, []string{user}) {
		t.Fatalf("POST response: teams %v, members %v", created.SpaceManagersTeams, created.SpaceManagersTeamMembers)
	}
	if created.Slug == "" || created.IsDefault || created.TaskQueueStopped {
		t.Fatalf("POST response: %+v", created)
	}
	got, err := octo.Spaces.GetByID(created.ID)
	must(t, err, "GetByID")
	sameLinks(t, created.Links, got.Links, "POST vs GET")
	if !slices.Equal(got.SpaceManagersTeams, created.SpaceManagersTeams) || !slices.Equal(got.SpaceManagersTeamMembers, created.SpaceManagersTeamMembers) {
		t.Fatal("POST and GET disagree on the space managers")
	}
	got2, err := spaces.GetByID(octo, created.ID)
	must(t, err, "GetByID (new client)")
	sameLinks(t, created.Links, got2.Links, "POST vs GET (new client)")
	byName, err := octo.Spaces.GetByName(sp.Name)
	must(t, err, "GetByName")
	if byName.ID != created.ID {
		t.Fatalf("GetByName = %s", byName.ID)
	}
	all, err := spaces.GetAll(octo)
	must(t, err, "GetAll")
	if len(all) < 2 {
		t.Fatalf("GetAll = %d spaces", len(all))
	}

	// A new space has the built-in documents.
	for _, kind := range []struct{ path, name string }{
		{"lifecycles", "Default Lifecycle"}, {"projectgroups", "Default Project Group"},
		{"machinepolicies", "Default Machine Policy"}, {"workerpools", "Default Worker Pool"},
		{"feeds", "Octopus Server (built-in)"}, {"feeds", "Octopus Server Releases"},
	} {
		r := raw(t, http.MethodGet, "/api/"+created.ID+"/"+kind.path+"?name="+urlQuery(kind.name), nil)
		if r.Status != http.StatusOK || r.JSON(t)["TotalResults"] != float64(1) {
			t.Fatalf("a new space has no %q: %s", kind.name, r.Body)
		}
	}

	// Space-scoped routes also answer under /api/spaces/{slug}.
	r := raw(t, http.MethodGet, "/api/spaces/"+created.Slug+"/environments", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("GET /api/spaces/{slug}/environments: %d %s", r.Status, r.Body)
	}

	dup := spaces.NewSpace(sp.Name)
	dup.SpaceManagersTeamMembers = []string{user}
	_, err = octo.Spaces.Add(dup)
	wantStatus(t, err, http.StatusBadRequest, "duplicate name")

	wantError(t, raw(t, http.MethodPost, "/api/spaces", map[string]any{"Name": uniqueName("unmanaged"), "SpaceManagersTeams": []string{}}),
		http.StatusBadRequest, "The SpaceManagersTeamMembers field is required.")

	err = octo.Spaces.DeleteByID(created.ID)
	wantStatus(t, err, http.StatusBadRequest, "deleting a space whose task queue runs")

	got.TaskQueueStopped = true
	got.Description = "stopping"
	stopped, err := spaces.Update(octo, got)
	must(t, err, "Update")
	if !stopped.TaskQueueStopped || stopped.Description != "stopping" {
		t.Fatalf("Update = %+v", stopped)
	}
	must(t, octo.Spaces.DeleteByID(created.ID), "DeleteByID")
	_, err = octo.Spaces.GetByID(created.ID)
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
	r = raw(t, http.MethodGet, "/api/teams/"+team, nil)
	if r.Status != http.StatusNotFound {
		t.Fatalf("the space's team outlived it: %d", r.Status)
	}
	wantError(t, raw(t, http.MethodGet, "/api/"+created.ID+"/environments", nil), http.StatusNotFound, created.ID)
}

func TestDefaultSpaceCannotBeDeleted(t *testing.T) {
	sp, err := octo.Spaces.GetByID("Spaces-1")
	must(t, err, "GetByID")
	if !sp.IsDefault || sp.Name != "Default" || sp.Slug != "default" {
		t.Fatalf("Spaces-1 = %+v", sp)
	}
	wantError(t, raw(t, http.MethodDelete, "/api/spaces/Spaces-1", nil), http.StatusBadRequest, "default space")
}
