package conformance

import (
	"net/http"
	"reflect"
	"strings"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/channels"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/newclient"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/packages"
)

// sameChannels compares two representations of a channel as the official
// e2e test's AssertEqualChannels does: null and [] differ.
func sameChannels(t *testing.T, a, b *channels.Channel, what string) {
	t.Helper()
	sameLinks(t, a.Links, b.Links, what)
	if a.ID != b.ID || a.Name != b.Name || a.Description != b.Description || a.IsDefault != b.IsDefault ||
		a.LifecycleID != b.LifecycleID || a.ProjectID != b.ProjectID || a.Type != b.Type || a.ParentEnvironmentID != b.ParentEnvironmentID ||
		a.EphemeralEnvironmentNameTemplate != b.EphemeralEnvironmentNameTemplate ||
		!reflect.DeepEqual(a.Rules, b.Rules) || !reflect.DeepEqual(a.TenantTags, b.TenantTags) ||
		!reflect.DeepEqual(a.GitReferenceRules, b.GitReferenceRules) || !reflect.DeepEqual(a.GitResourceRules, b.GitResourceRules) ||
		!reflect.DeepEqual(a.CustomFieldDefinitions, b.CustomFieldDefinitions) {
		t.Fatalf("%s: channels differ:\n%+v\n%+v", what, a, b)
	}
}

func TestChannelsLegacy(t *testing.T) {
	project := newProject(t, defaultSpace)
	ch := channels.NewChannel(uniqueName("channel"), project.ID)
	ch.Type = channels.ChannelTypeLifecycle
	created, err := octo.Channels.Add(ch)
	must(t, err, "Add")
	if created.ID == "" || created.Type != channels.ChannelTypeLifecycle || created.IsDefault || created.Links["Releases"] == "" {
		t.Fatalf("Add = %+v", created)
	}
	got, err := octo.Channels.GetByID(created.ID)
	must(t, err, "GetByID")
	sameChannels(t, created, got, "POST vs GET")
	page, err := octo.Channels.Get(channels.Query{IDs: []string{created.ID}, Take: 1})
	must(t, err, "Get by ids")
	if len(page.Items) != 1 {
		t.Fatalf("Get by ids = %d items", len(page.Items))
	}
	sameChannels(t, created, page.Items[0], "POST vs list")
	none, err := octo.Channels.Get(channels.Query{PartialName: uniqueName("no such channel")})
	must(t, err, "Get by an unknown partial name")
	if len(none.Items) != 0 {
		t.Fatalf("partialName of nothing = %d items", len(none.Items))
	}
	some, err := octo.Channels.Get(channels.Query{PartialName: strings.ToUpper(created.Name)})
	must(t, err, "Get by partial name")
	if len(some.Items) != 1 {
		t.Fatalf("partialName = %d items", len(some.Items))
	}
	all, err := octo.Channels.GetAll()
	must(t, err, "GetAll")
	for _, c := range all {
		if c.ID == created.ID {
			sameChannels(t, created, c, "POST vs /all")
		}
		// The official e2e test reads every channel's releases.
		rel, err := octo.Releases.GetReleases(c)
		must(t, err, "GetReleases of "+c.ID)
		if rel.TotalResults != 0 {
			t.Fatalf("releases = %+v", rel)
		}
	}
	_, err = octo.Channels.GetByID("Channels-999999")
	wantStatus(t, err, http.StatusNotFound, "unknown channel")

	// Names are unique per project, with the real text; another project
	// may use the same name.
	dup := channels.NewChannel(strings.ToLower(created.Name), project.ID)
	_, err = octo.Channels.Add(dup)
	wantStatus(t, err, http.StatusBadRequest, "duplicate name")
	wantError(t, raw(t, http.MethodPost, "/api/Spaces-1/channels", dup), http.StatusBadRequest,
		"A channel with this name already exists for this project. Please choose a different name.")
	other := newProject(t, defaultSpace)
	same := channels.NewChannel(created.Name, other.ID)
	_, err = octo.Channels.Add(same)
	must(t, err, "Add the same name to another project")

	// A PUT keeps the collections it leaves out and clears those it sends
	// empty.
	got.Rules = []channels.ChannelRule{{VersionRange: "[1.0,2.0)", Tag: "^$", ActionPackages: []packages.DeploymentActionPackage{{DeploymentAction: "Deploy"}}}}
	got.Description = "with a rule"
	withRule, err := octo.Channels.Update(got)
	must(t, err, "Update with a rule")
	if len(withRule.Rules) != 1 || withRule.Rules[0].ID == "" {
		t.Fatalf("rules = %+v", withRule.Rules)
	}
	ruleID := withRule.Rules[0].ID
	withRule.Rules = nil
	withRule.Description = "rule kept"
	kept, err := octo.Channels.Update(withRule)
	must(t, err, "Update without Rules")
	if len(kept.Rules) != 1 || kept.Rules[0].ID != ruleID {
		t.Fatalf("an update without Rules lost them: %+v", kept.Rules)
	}
	cleared, err := channels.UpdateChannel(octo, newclient.NewUpdateRequest(kept).Clear("Rules"))
	must(t, err, "UpdateChannel clearing Rules")
	if len(cleared.Rules) != 0 {
		t.Fatalf("Rules = [] did not clear them: %+v", cleared.Rules)
	}

	// Making a channel the default takes it from the Default channel;
	// neither the default nor the only channel can be deleted.
	kept.IsDefault = true
	kept.Rules = nil
	_, err = octo.Channels.Update(kept)
	must(t, err, "Update to default")
	chans, err := octo.Projects.GetChannels(project)
	must(t, err, "GetChannels")
	defaults := 0
	var old *channels.Channel
	for _, c := range chans {
		if c.IsDefault {
			defaults++
		} else {
			old = c
		}
	}
	if defaults != 1 || old == nil || old.Name != "Default" {
		t.Fatalf("channels after a new default = %+v", chans)
	}
	wantError(t, raw(t, http.MethodDelete, "/api/Spaces-1/channels/"+created.ID, nil), http.StatusBadRequest, "You cannot delete the default channel.")
	must(t, octo.Channels.DeleteByID(old.ID), "DeleteByID of the old default")
	kept.IsDefault = false
	_, err = octo.Channels.Update(kept)
	must(t, err, "Update to not default")
	wantError(t, raw(t, http.MethodDelete, "/api/Spaces-1/channels/"+created.ID, nil), http.StatusBadRequest, "You cannot delete the only remaining channel")
	_, err = octo.Channels.GetByID(old.ID)
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
}

func TestChannelsNewClient(t *testing.T) {
	space := newSpace(t)
	project := newProject(t, space)
	ch := channels.NewChannel(uniqueName("new channel"), project.ID)
	ch.SpaceID = space
	ch.Type = channels.ChannelTypeLifecycle
	created, err := channels.Add(octo, ch)
	must(t, err, "Add")
	got, err := channels.GetByID(octo, space, created.ID)
	must(t, err, "GetByID")
	sameChannels(t, created, got, "POST vs GET")
	byProject, err := channels.GetByProjectID(octo, space, channels.QueryByProjectID{ProjectID: project.ID})
	must(t, err, "GetByProjectID")
	if byProject.TotalResults != 2 {
		t.Fatalf("GetByProjectID = %d channels", byProject.TotalResults)
	}
	all, err := channels.GetAll(octo, space)
	must(t, err, "GetAll")
	if len(all) != 2 {
		t.Fatalf("GetAll = %d channels", len(all))
	}
	got.Description = "changed"
	updated, err := channels.Update(octo, got)
	must(t, err, "Update")
	sameLinks(t, created.Links, updated.Links, "POST vs PUT")
	if updated.Description != "changed" {
		t.Fatalf("Update = %+v", updated)
	}
	bad := channels.NewChannel(uniqueName("bad"), project.ID)
	bad.SpaceID = space
	bad.LifecycleID = "Lifecycles-999999"
	_, err = channels.Add(octo, bad)
	wantStatus(t, err, http.StatusBadRequest, "unknown lifecycle")
	must(t, channels.DeleteByID(octo, space, created.ID), "DeleteByID")
	_, err = channels.GetByID(octo, space, created.ID)
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete")

	// Below the project, a channel is found by id or name.
	r := raw(t, http.MethodGet, "/api/"+space+"/projects/"+project.ID+"/channels/Default", nil)
	if r.Status != http.StatusOK || r.JSON(t)["Name"] != "Default" {
		t.Fatalf("projects/{id}/channels/Default: %d %s", r.Status, r.Body)
	}
}
