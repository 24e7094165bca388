package conformance

import (
	"net/http"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/environments"
)

func TestEnvironmentsLegacy(t *testing.T) {
	env := environments.NewEnvironment(uniqueName("legacy env"))
	env.Description = "made by the legacy service"
	env.UseGuidedFailure = true
	created, err := octo.Environments.Add(env)
	must(t, err, "Add")
	if created.ID == "" || created.Slug == "" || created.SpaceID != "Spaces-1" {
		t.Fatalf("created environment lacks server fields: %+v", created)
	}

	got, err := octo.Environments.GetByID(created.ID)
	must(t, err, "GetByID")
	sameLinks(t, created.Links, got.Links, "POST vs GET")
	if got.Name != env.Name || got.Description != env.Description || !got.UseGuidedFailure {
		t.Fatalf("GetByID = %+v", got)
	}

	byName, err := octo.Environments.GetByName(env.Name)
	must(t, err, "GetByName")
	if len(byName) != 1 || byName[0].ID != created.ID {
		t.Fatalf("GetByName = %d items", len(byName))
	}
	sameLinks(t, created.Links, byName[0].Links, "POST vs list")
	partial, err := octo.Environments.GetByPartialName("LEGACY ENV")
	must(t, err, "GetByPartialName")
	if len(partial) == 0 {
		t.Fatal("GetByPartialName found nothing (partialName must be case-insensitive)")
	}
	all, err := octo.Environments.GetAll()
	must(t, err, "GetAll")
	found := false
	for _, e := range all {
		if e.ID == created.ID {
			found = true
			sameLinks(t, created.Links, e.Links, "POST vs /all")
		}
	}
	if !found {
		t.Fatal("GetAll does not list the environment")
	}

	got.Name = uniqueName("legacy env renamed")
	got.SortOrder = 99
	updated, err := octo.Environments.Update(got)
	must(t, err, "Update")
	if updated.Name != got.Name || updated.SortOrder != 99 || updated.Slug != created.Slug {
		t.Fatalf("Update = %+v (slug must survive a rename)", updated)
	}
	sameLinks(t, created.Links, updated.Links, "POST vs PUT")

	dup := environments.NewEnvironment(updated.Name)
	_, err = octo.Environments.Add(dup)
	wantStatus(t, err, http.StatusBadRequest, "duplicate name")

	must(t, octo.Environments.DeleteByID(created.ID), "DeleteByID")
	_, err = octo.Environments.GetByID(created.ID)
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
}

func TestEnvironmentsNewClient(t *testing.T) {
	env := environments.NewEnvironment(uniqueName("new env"))
	created, err := environments.Add(octo, env)
	must(t, err, "Add")
	got, err := environments.GetByID(octo, created.SpaceID, created.ID)
	must(t, err, "GetByID")
	sameLinks(t, created.Links, got.Links, "POST vs GET")
	page, err := environments.Get(octo, created.SpaceID, environments.EnvironmentsQuery{IDs: []string{created.ID}})
	must(t, err, "Get by ids")
	if page.TotalResults != 1 || page.Items[0].ID != created.ID {
		t.Fatalf("Get by ids = %+v", page)
	}
	page, err = environments.Get(octo, created.SpaceID, environments.EnvironmentsQuery{Name: env.Name})
	must(t, err, "Get by name")
	if page.TotalResults != 1 {
		t.Fatalf("Get by name found %d", page.TotalResults)
	}
	got.Description = "updated"
	updated, err := environments.Update(octo, got)
	must(t, err, "Update")
	if updated.Description != "updated" {
		t.Fatalf("Update = %+v", updated)
	}
	_, err = environments.Add(octo, environments.NewEnvironment(env.Name))
	wantStatus(t, err, http.StatusBadRequest, "duplicate name")
	must(t, environments.DeleteByID(octo, created.SpaceID, created.ID), "DeleteByID")
	_, err = environments.GetByID(octo, created.SpaceID, created.ID)
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
}

// TestEnvironmentsPaging creates more environments than fit on a page and
// checks that both generations of the client read every page.
func TestEnvironmentsPaging(t *testing.T) {
	space := newSpace(t)
	var ids []string
	for i := 0; i < 35; i++ {
		e := environments.NewEnvironment(uniqueName("paged env"))
		e.SpaceID = space
		created, err := environments.Add(octo, e)
		must(t, err, "Add")
		ids = append(ids, created.ID)
		if created.SortOrder != i {
			t.Fatalf("environment %d got SortOrder %d: a new environment goes to the end", i, created.SortOrder)
		}
	}
	all, err := environments.GetAll(octo, space)
	must(t, err, "GetAll (new client, follows Page.Next)")
	if len(all) != 35 {
		t.Fatalf("GetAll = %d environments, want 35", len(all))
	}
	first, err := environments.Get(octo, space, environments.EnvironmentsQuery{})
	must(t, err, "Get first page")
	if first.ItemsPerPage != 30 || len(first.Items) != 30 || first.NumberOfPages != 2 || first.LastPageNumber != 1 || first.Links.PageNext == "" {
		t.Fatalf("first page = %d items, %d per page, %d pages, last %d, next %q", len(first.Items), first.ItemsPerPage, first.NumberOfPages, first.LastPageNumber, first.Links.PageNext)
	}
	for i, e := range all {
		if e.ID != ids[i] {
			t.Fatalf("environments are not in SortOrder: %d is %s, want %s", i, e.ID, ids[i])
		}
	}
	// Reorder: reverse.
	rev := make([]string, len(ids))
	for i, id := range ids {
		rev[len(ids)-1-i] = id
	}
	r := raw(t, http.MethodPut, "/api/"+space+"/environments/sortorder", rev)
	if r.Status != http.StatusOK {
		t.Fatalf("PUT sortorder: %d %s", r.Status, r.Body)
	}
	all, err = environments.GetAll(octo, space)
	must(t, err, "GetAll after sortorder")
	if all[0].ID != ids[len(ids)-1] {
		t.Fatalf("after sortorder the first environment is %s, want %s", all[0].ID, ids[len(ids)-1])
	}
}
