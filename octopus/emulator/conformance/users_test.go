package conformance

import (
	"net/http"
	"net/url"
	"testing"
	"time"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/client"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/users"
)

func urlQuery(s string) string { return url.QueryEscape(s) }

// newUser creates a user and deletes it when the test ends.
func newUser(t *testing.T) string {
	t.Helper()
	u := users.NewUser(uniqueName("user"), "A user")
	created, err := users.Add(octo, u)
	must(t, err, "creating a user")
	t.Cleanup(func() { _ = users.DeleteByID(octo, created.ID) })
	return created.ID
}

func TestUsers(t *testing.T) {
	me, err := octo.Users.GetMe()
	must(t, err, "GetMe")
	if me.ID != "Users-1" || me.Username != "admin" {
		t.Fatalf("GetMe = %+v", me)
	}

	u := users.NewUser(uniqueName("someone"), "Someone")
	u.Password = "Secret-123"
	u.EmailAddress = "someone@example.com"
	created, err := octo.Users.Add(u)
	must(t, err, "Add")
	if created.Password != "" {
		t.Fatal("the password was read back")
	}
	got, err := octo.Users.GetByID(created.ID)
	must(t, err, "GetByID")
	sameLinks(t, created.Links, got.Links, "POST vs GET")
	if got.Username != u.Username || got.EmailAddress != u.EmailAddress || !got.IsActive {
		t.Fatalf("GetByID = %+v", got)
	}
	page, err := octo.Users.Get(users.UsersQuery{Filter: "SOMEONE"})
	must(t, err, "Get with filter")
	if page.TotalResults == 0 {
		t.Fatal("the filter found nothing")
	}
	got.DisplayName = "Renamed"
	updated, err := octo.Users.Update(got)
	must(t, err, "Update")
	if updated.DisplayName != "Renamed" {
		t.Fatalf("Update = %+v", updated)
	}
	_, err = octo.Users.Add(users.NewUser(u.Username, "again"))
	wantStatus(t, err, http.StatusBadRequest, "duplicate username")
	must(t, octo.Users.DeleteByID(created.ID), "DeleteByID")
	// The legacy user service turns the 404 into its own error.
	if _, err = octo.Users.GetByID(created.ID); err == nil {
		t.Fatal("GetByID after delete: no error")
	}
	_, err = users.GetByID(octo, created.ID)
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete (new client)")
}

func TestAPIKeys(t *testing.T) {
	uid := newUser(t)
	key := users.NewAPIKey("conformance", uid)
	expiry := time.Now().Add(time.Hour).Round(time.Millisecond)
	key.Expires = &expiry
	created, err := octo.APIKeys.Create(key)
	must(t, err, "Create")
	if !client.IsAPIKey(created.APIKey) {
		t.Fatalf("the created key %q is not an API key", created.APIKey)
	}
	keys, err := octo.APIKeys.GetByUserID(uid)
	must(t, err, "GetByUserID")
	if len(keys) != 1 || keys[0].APIKey == nil || !keys[0].APIKey.HasValue || keys[0].APIKey.NewValue != "" {
		t.Fatalf("listed keys: %+v", keys)
	}
	one, err := octo.APIKeys.GetByID(uid, keys[0].ID)
	must(t, err, "GetByID")
	if one.Purpose != "conformance" {
		t.Fatalf("GetByID = %+v", one)
	}

	// The new key authenticates as its user, who holds no permissions.
	u, _ := url.Parse(server.URL)
	as, err := client.NewClient(nil, u, created.APIKey, "Spaces-1")
	must(t, err, "a client with the new key")
	me, err := as.Users.GetMe()
	must(t, err, "GetMe as the new user")
	if me.ID != uid {
		t.Fatalf("GetMe as the new user = %s", me.ID)
	}
	r := raw(t, http.MethodPost, "/api/Spaces-1/environments", map[string]any{"Name": uniqueName("forbidden")}, "X-Octopus-ApiKey", created.APIKey)
	wantError(t, r, http.StatusForbidden, "Missing permission: EnvironmentCreate")

	r = raw(t, http.MethodDelete, "/api/users/"+uid+"/apikeys/"+keys[0].ID, nil)
	if r.Status != http.StatusOK {
		t.Fatalf("deleting the key: %d %s", r.Status, r.Body)
	}
	wantError(t, raw(t, http.MethodGet, "/api/users/me", nil, "X-Octopus-ApiKey", created.APIKey), http.StatusUnauthorized, "You must be logged in")
}
