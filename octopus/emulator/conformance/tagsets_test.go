package conformance

import (
	"net/http"
	"regexp"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/tagsets"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/tenants"
)

// newTagSet creates a tag set with tags in space and deletes it when the
// test ends.
func newTagSet(t *testing.T, space string, tags ...string) *tagsets.TagSet {
	t.Helper()
	ts := tagsets.NewTagSet(uniqueName("tag set"))
	ts.SpaceID = space
	for _, n := range tags {
		ts.Tags = append(ts.Tags, tagsets.NewTag(n, "#3156B3"))
	}
	created, err := tagsets.Add(octo, ts)
	must(t, err, "creating a tag set")
	t.Cleanup(func() { _ = tagsets.DeleteByID(octo, space, created.ID) })
	return created
}

var tagID = regexp.MustCompile(`^TagSets-\d+/Tags-\d+$`)

func TestTagSetsLegacy(t *testing.T) {
	ts := tagsets.NewTagSet(uniqueName("legacy tag set"))
	created, err := octo.TagSets.Add(ts)
	must(t, err, "Add")
	if created.ID == "" || created.Type != tagsets.TagSetTypeMultiSelect || len(created.Scopes) != 1 {
		t.Fatalf("Add = %+v", created)
	}
	got, err := octo.TagSets.GetByID(created.ID)
	must(t, err, "GetByID")
	sameLinks(t, created.Links, got.Links, "POST vs GET")

	// The PUT response already carries the new tag's id and canonical
	// name (the official e2e test compares it with a later GET).
	got.Tags = append(got.Tags, tagsets.NewTag("Gold", "#000000"))
	updated, err := octo.TagSets.Update(got)
	must(t, err, "Update with a tag")
	sameLinks(t, created.Links, updated.Links, "POST vs PUT")
	tag := updated.Tags[0]
	if !tagID.MatchString(tag.ID) || tag.CanonicalTagName != created.Name+"/Gold" {
		t.Fatalf("the new tag = %+v", tag)
	}
	again, err := octo.TagSets.GetByID(created.ID)
	must(t, err, "GetByID")
	if *again.Tags[0] != *tag {
		t.Fatalf("PUT vs GET: %+v vs %+v", tag, again.Tags[0])
	}

	// A tag a tenant uses cannot be removed; renaming the tag set rewrites
	// the tenant's canonical name.
	tenant := tenants.NewTenant(uniqueName("tagged tenant"))
	tenant.TenantTags = []string{tag.CanonicalTagName}
	createdTenant, err := octo.Tenants.Add(tenant)
	must(t, err, "Add a tagged tenant")
	again.Tags = nil
	_, err = octo.TagSets.Update(again)
	wantStatus(t, err, http.StatusBadRequest, "removing a tag in use")
	wantError(t, raw(t, http.MethodDelete, "/api/Spaces-1/tagsets/"+created.ID, nil), http.StatusBadRequest, "is used by the tenant")
	renamed, err := octo.TagSets.GetByID(created.ID)
	must(t, err, "GetByID")
	renamed.Name = uniqueName("renamed tag set")
	renamed, err = octo.TagSets.Update(renamed)
	must(t, err, "rename")
	if renamed.Tags[0].CanonicalTagName != renamed.Name+"/Gold" || renamed.Tags[0].ID != tag.ID {
		t.Fatalf("after a rename the tag = %+v", renamed.Tags[0])
	}
	tn, err := octo.Tenants.GetByID(createdTenant.ID)
	must(t, err, "GetByID tenant")
	if len(tn.TenantTags) != 1 || tn.TenantTags[0] != renamed.Name+"/Gold" {
		t.Fatalf("the tenant's tags after the rename = %v", tn.TenantTags)
	}
	must(t, octo.Tenants.DeleteByID(createdTenant.ID), "deleting the tenant")

	must(t, octo.TagSets.DeleteByID(created.ID), "DeleteByID")
	_, err = octo.TagSets.GetByID(created.ID)
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
}

func TestTagSetsNewClient(t *testing.T) {
	space := newSpace(t)
	var ids []string
	for range 31 {
		ids = append(ids, newTagSet(t, space, "A").ID)
	}
	all, err := tagsets.GetAll(octo, space)
	must(t, err, "GetAll")
	if len(all) != 31 {
		t.Fatalf("GetAll = %d tag sets", len(all))
	}
	// Lists are sorted by SortOrder; new tag sets go to the end.
	for i, ts := range all {
		if ts.ID != ids[i] || int(ts.SortOrder) != i {
			t.Fatalf("tag set %d = %s with sort order %d", i, ts.ID, ts.SortOrder)
		}
	}
	order := append([]string{ids[30]}, ids[:30]...)
	r := raw(t, http.MethodPut, "/api/"+space+"/tagsets/sortorder", order)
	if r.Status != http.StatusOK {
		t.Fatalf("sortorder: %d %s", r.Status, r.Body)
	}
	first, err := tagsets.Get(octo, space, tagsets.TagSetsQuery{Take: 1})
	must(t, err, "Get")
	if first.Items[0].ID != ids[30] {
		t.Fatalf("after sortorder the first tag set is %s", first.Items[0].ID)
	}

	named, err := tagsets.Get(octo, space, tagsets.TagSetsQuery{PartialName: all[3].Name})
	must(t, err, "Get by partial name")
	if named.TotalResults != 1 || named.Items[0].ID != all[3].ID {
		t.Fatalf("Get by partial name = %d tag sets", named.TotalResults)
	}
	ts := all[0]
	ts.Tags = append(ts.Tags, tagsets.NewTag("B", "#000fff"))
	updated, err := tagsets.Update(octo, ts)
	must(t, err, "Update")
	if len(updated.Tags) != 2 || updated.Tags[0].ID != all[0].Tags[0].ID || !tagID.MatchString(updated.Tags[1].ID) {
		t.Fatalf("Update = %+v", updated.Tags)
	}
	got, err := tagsets.GetByID(octo, space, ts.ID)
	must(t, err, "GetByID")
	if *got.Tags[1] != *updated.Tags[1] {
		t.Fatalf("PUT vs GET: %+v vs %+v", updated.Tags[1], got.Tags[1])
	}
	dup := tagsets.NewTagSet(ts.Name)
	dup.SpaceID = space
	_, err = tagsets.Add(octo, dup)
	wantStatus(t, err, http.StatusBadRequest, "duplicate name")
	bad := map[string]any{"Name": uniqueName("bad"), "Scopes": []string{"Galaxy"}}
	wantError(t, raw(t, http.MethodPost, "/api/"+space+"/tagsets", bad), http.StatusBadRequest, "TagSetScope")
}
