package conformance

import (
	"net/http"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/core"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/credentials"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/machinepolicies"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/machines"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/subscriptions"
)

func TestGitCredentials(t *testing.T) {
	space := newSpace(t)
	var ids []string
	for i := 0; i < 31; i++ {
		gc := credentials.NewResource(uniqueName("git"), credentials.NewUsernamePassword("git", core.NewSensitiveValue("token")))
		gc.SpaceID = space
		created, err := credentials.Add(octo, gc)
		must(t, err, "Add")
		ids = append(ids, created.GetID())
	}
	// The official e2e test reads a first page without take and expects
	// at least 30 items on it.
	page, err := credentials.Get(octo, space, credentials.Query{})
	must(t, err, "Get")
	if len(page.Items) < 30 || page.TotalResults != 31 {
		t.Fatalf("first page = %d items of %d", len(page.Items), page.TotalResults)
	}
	got, err := credentials.GetByID(octo, space, ids[0])
	must(t, err, "GetByID")
	up, ok := got.Details.(*credentials.UsernamePassword)
	if !ok || up.Username != "git" || up.Password == nil || !up.Password.HasValue || up.Password.NewValue != nil {
		t.Fatalf("Details = %#v", got.Details)
	}
	byName, err := credentials.Get(octo, space, credentials.Query{Name: got.Name})
	must(t, err, "Get by name")
	if len(byName.Items) != 1 || byName.Items[0].ID != got.ID {
		t.Fatalf("Get by name = %d items", len(byName.Items))
	}
	got.Description = "updated"
	updated, err := credentials.Update(octo, got)
	must(t, err, "Update")
	if updated.Description != "updated" || !updated.Details.(*credentials.UsernamePassword).Password.HasValue {
		t.Fatalf("Update = %+v", updated)
	}
	dup := credentials.NewResource(got.Name, credentials.NewUsernamePassword("x", core.NewSensitiveValue("y")))
	dup.SpaceID = space
	_, err = credentials.Add(octo, dup)
	wantStatus(t, err, http.StatusBadRequest, "duplicate name")
	for _, id := range ids {
		must(t, credentials.DeleteByID(octo, space, id), "DeleteByID")
	}
	_, err = credentials.GetByID(octo, space, ids[0])
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete")

	// The legacy service, in the client's space.
	legacy := credentials.NewResource(uniqueName("legacy git"), credentials.NewUsernamePassword("u", core.NewSensitiveValue("p")))
	lc, err := octo.GitCredentials.Add(legacy)
	must(t, err, "Add (legacy)")
	lgot, err := octo.GitCredentials.GetByName(legacy.Name)
	must(t, err, "GetByName (legacy)")
	sameLinks(t, lc.Links, lgot.Links, "POST vs GET (legacy)")
	must(t, credentials.DeleteByID(octo, "Spaces-1", lc.ID), "DeleteByID")
}

func TestMachinePolicies(t *testing.T) {
	def, err := octo.MachinePolicies.GetByID("MachinePolicies-1")
	must(t, err, "GetByID MachinePolicies-1")
	if !def.IsDefault || def.Name != "Default Machine Policy" {
		t.Fatalf("MachinePolicies-1 = %+v", def)
	}
	wantStatus(t, machinepolicies.DeleteByID(octo, "Spaces-1", def.ID), http.StatusBadRequest, "deleting the default machine policy")
	wantError(t, raw(t, http.MethodDelete, "/api/Spaces-1/machinepolicies/MachinePolicies-1", nil), http.StatusBadRequest, "You cannot delete your default machine policy.")

	tmpl, err := octo.MachinePolicies.GetTemplate()
	must(t, err, "GetTemplate")
	if tmpl.ConnectionRetryCountLimit != 5 {
		t.Fatalf("template = %+v", tmpl)
	}

	mp := machines.NewMachinePolicy(uniqueName("legacy policy"))
	created, err := octo.MachinePolicies.Add(mp)
	must(t, err, "Add")
	got, err := octo.MachinePolicies.GetByID(created.ID)
	must(t, err, "GetByID")
	sameLinks(t, created.Links, got.Links, "POST vs GET")
	if got.ConnectionConnectTimeout != mp.ConnectionConnectTimeout || got.MachineHealthCheckPolicy.HealthCheckType != "RunScript" {
		t.Fatalf("GetByID = %+v", got)
	}
	got.Description = "updated"
	updated, err := octo.MachinePolicies.Update(got)
	must(t, err, "Update")
	if updated.Description != "updated" {
		t.Fatalf("Update = %+v", updated)
	}
	partial, err := octo.MachinePolicies.GetByPartialName("LEGACY POLICY")
	must(t, err, "GetByPartialName")
	if len(partial) == 0 {
		t.Fatal("GetByPartialName found nothing")
	}

	np := machinepolicies.NewMachinePolicy(uniqueName("new policy"))
	ncreated, err := machinepolicies.Add(octo, np)
	must(t, err, "Add (new client)")
	nget, err := machinepolicies.GetByID(octo, "Spaces-1", ncreated.ID)
	must(t, err, "GetByID (new client)")
	sameLinks(t, ncreated.Links, nget.Links, "POST vs GET (new client)")
	_, err = machinepolicies.Add(octo, machinepolicies.NewMachinePolicy(np.Name))
	wantStatus(t, err, http.StatusBadRequest, "duplicate name")
	wantError(t, raw(t, http.MethodPut, "/api/Spaces-1/machinepolicies/"+ncreated.ID, map[string]any{
		"Name": np.Name, "ConnectionConnectTimeout": "one minute"}), http.StatusBadRequest, "ConnectionConnectTimeout")
	all, err := machinepolicies.GetAll(octo, "Spaces-1")
	must(t, err, "GetAll")
	if len(all) < 3 {
		t.Fatalf("GetAll = %d", len(all))
	}
	for _, id := range []string{created.ID, ncreated.ID} {
		must(t, machinepolicies.DeleteByID(octo, "Spaces-1", id), "DeleteByID")
		_, err = machinepolicies.GetByID(octo, "Spaces-1", id)
		wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
	}
}

func TestSubscriptions(t *testing.T) {
	sub := subscriptions.NewSubscription(uniqueName("subscription"))
	sub.EventNotificationSubscription.WebhookURI = "https://hooks.example.com/octopus"
	sub.EventNotificationSubscription.WebhookTeams = []string{"teams-administrators"}
	created, err := subscriptions.Add(octo, "Spaces-1", sub)
	must(t, err, "Add")
	got, err := subscriptions.GetByID(octo, "Spaces-1", created.ID)
	must(t, err, "GetByID")
	sameLinks(t, created.Links, got.Links, "POST vs GET")
	if got.Type != "Event" || got.EventNotificationSubscription.WebhookURI != sub.EventNotificationSubscription.WebhookURI {
		t.Fatalf("GetByID = %+v", got)
	}
	got.IsDisabled = true
	updated, err := subscriptions.Update(octo, "Spaces-1", got)
	must(t, err, "Update")
	if !updated.IsDisabled {
		t.Fatal("Update did not disable")
	}
	page, err := subscriptions.Get(octo, "Spaces-1", subscriptions.SubscriptionsQuery{PartialName: "SUBSCRIPTION"})
	must(t, err, "Get by partial name")
	if page.TotalResults == 0 {
		t.Fatal("partial name found nothing")
	}
	_, err = subscriptions.Add(octo, "Spaces-1", subscriptions.NewSubscription(sub.Name))
	wantStatus(t, err, http.StatusBadRequest, "duplicate name")
	bad := subscriptions.NewSubscription(uniqueName("bad subscription"))
	bad.EventNotificationSubscription.EmailTeams = []string{"Teams-999"}
	_, err = subscriptions.Add(octo, "Spaces-1", bad)
	wantStatus(t, err, http.StatusBadRequest, "unknown team")
	must(t, subscriptions.DeleteByID(octo, "Spaces-1", created.ID), "DeleteByID")
	_, err = subscriptions.GetByID(octo, "Spaces-1", created.ID)
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
}
