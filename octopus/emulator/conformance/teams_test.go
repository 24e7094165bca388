package conformance

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/core"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/teams"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/userroles"
)

func TestBuiltInTeamsAndRoles(t *testing.T) {
	for _, id := range []string{"teams-everyone", "teams-administrators", "teams-managers", "teams-spacemanagers-Spaces-1"} {
		team, err := octo.Teams.GetByID(id)
		must(t, err, "GetByID "+id)
		if team.CanBeDeleted {
			t.Fatalf("%s can be deleted", id)
		}
		grants, err := octo.Teams.GetScopedUserRoles(*team, core.SkipTakeQuery{Take: 1})
		must(t, err, "GetScopedUserRoles "+id)
		if id != "teams-everyone" && grants.TotalResults == 0 {
			t.Fatalf("%s has no role", id)
		}
		wantError(t, raw(t, http.MethodDelete, "/api/teams/"+id, nil), http.StatusBadRequest, "cannot be deleted")
	}
	roles, err := octo.UserRoles.GetAll()
	must(t, err, "UserRoles.GetAll")
	names := map[string]bool{}
	for _, r := range roles {
		if !r.CanBeDeleted {
			names[r.Name] = true
		}
	}
	for _, want := range []string{"Build server", "Project viewer", "Space manager", "System administrator", "System manager", "Tenant manager"} {
		if !names[want] {
			t.Fatalf("no built-in role %q", want)
		}
	}
	r, err := octo.UserRoles.GetByID("userroles-projectviewer")
	must(t, err, "GetByID userroles-projectviewer")
	if len(r.GrantedSpacePermissions) == 0 || len(r.GrantedSystemPermissions) == 0 {
		t.Fatalf("Project viewer = %+v", r)
	}
}

func TestTeams(t *testing.T) {
	user := newUser(t)
	team := teams.NewTeam(uniqueName("team"))
	team.MemberUserIDs = []string{user}
	created, err := octo.Teams.Add(team)
	must(t, err, "Add")
	got, err := octo.Teams.GetByID(created.ID)
	must(t, err, "GetByID")
	sameLinks(t, created.Links, got.Links, "POST vs GET")
	if !reflect.DeepEqual(created.MemberUserIDs, got.MemberUserIDs) || created.SpaceID != got.SpaceID ||
		!reflect.DeepEqual(created.ExternalSecurityGroups, got.ExternalSecurityGroups) || !got.CanBeDeleted {
		t.Fatalf("POST and GET disagree: %+v vs %+v", created, got)
	}
	got.Description = "updated"
	got.ExternalSecurityGroups = []core.NamedReferenceItem{{ID: "okta:platform", DisplayName: "Platform"}}
	updated, err := octo.Teams.Update(got)
	must(t, err, "Update")
	sameLinks(t, created.Links, updated.Links, "POST vs PUT")
	if updated.Description != "updated" || len(updated.ExternalSecurityGroups) != 1 {
		t.Fatalf("Update = %+v", updated)
	}
	partial, err := octo.Teams.GetByPartialName("TEAM")
	must(t, err, "GetByPartialName")
	if len(partial) == 0 {
		t.Fatal("GetByPartialName found nothing")
	}
	// A system team, made at instance level.
	r := raw(t, http.MethodPost, "/api/teams", map[string]any{"Name": uniqueName("system team"), "MemberUserIds": nil, "ExternalSecurityGroups": []any{}})
	if r.Status != http.StatusCreated || r.JSON(t)["SpaceId"] != nil || r.JSON(t)["MemberUserIds"] == nil {
		t.Fatalf("POST /api/teams: %d %s", r.Status, r.Body)
	}
	sys := r.JSON(t)["Id"].(string)

	grant := userroles.NewScopedUserRole("userroles-projectviewer")
	grant.TeamID = created.ID
	grant.SpaceID = "Spaces-1"
	g, err := octo.ScopedUserRoles.Add(grant)
	must(t, err, "ScopedUserRoles.Add")
	gg, err := octo.ScopedUserRoles.GetByID(g.ID)
	must(t, err, "ScopedUserRoles.GetByID")
	sameLinks(t, g.Links, gg.Links, "POST vs GET (grant)")
	grants, err := octo.Teams.GetScopedUserRoles(*created, core.SkipTakeQuery{})
	must(t, err, "GetScopedUserRoles")
	if grants.TotalResults != 1 || grants.Items[0].UserRoleID != "userroles-projectviewer" {
		t.Fatalf("team grants = %+v", grants.Items)
	}
	bad := userroles.NewScopedUserRole("userroles-nonesuch")
	bad.TeamID = created.ID
	bad.SpaceID = "Spaces-1"
	_, err = octo.ScopedUserRoles.Add(bad)
	wantStatus(t, err, http.StatusBadRequest, "a grant of an unknown role")

	// The member now holds the role's permissions.
	key := apiKeyFor(t, user)
	if r := raw(t, http.MethodGet, "/api/Spaces-1/environments", nil, "X-Octopus-ApiKey", key); r.Status != http.StatusOK {
		t.Fatalf("a project viewer cannot list environments: %d %s", r.Status, r.Body)
	}
	wantError(t, raw(t, http.MethodPost, "/api/Spaces-1/environments", map[string]any{"Name": "x"}, "X-Octopus-ApiKey", key),
		http.StatusForbidden, "Missing permission: EnvironmentCreate")
	member, err := octo.Users.GetByID(user)
	must(t, err, "Users.GetByID")
	set, err := octo.Users.GetPermissions(member)
	must(t, err, "Users.GetPermissions")
	if len(set.SpacePermissions.EnvironmentView) != 1 || set.SpacePermissions.EnvironmentView[0].SpaceID != "Spaces-1" ||
		len(set.SpacePermissions.EnvironmentCreate) != 0 || len(set.Teams) != 2 {
		t.Fatalf("permission set: %+v", set)
	}

	_, err = octo.Teams.Add(teams.NewTeam(team.Name))
	wantStatus(t, err, http.StatusBadRequest, "duplicate name")
	must(t, teams.DeleteByID(octo, created.SpaceID, created.ID), "DeleteByID")
	_, err = octo.Teams.GetByID(created.ID)
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
	if r := raw(t, http.MethodGet, "/api/scopeduserroles/"+g.ID, nil); r.Status != http.StatusNotFound {
		t.Fatalf("the team's grant outlived it: %d", r.Status)
	}
	if r := raw(t, http.MethodDelete, "/api/teams/"+sys, nil); r.Status != http.StatusOK {
		t.Fatalf("deleting the system team: %d %s", r.Status, r.Body)
	}
	nt, err := teams.Add(octo, teams.NewTeam(uniqueName("new client team")))
	must(t, err, "Add (new client)")
	ng, err := teams.GetByID(octo, "Spaces-1", nt.ID)
	must(t, err, "GetByID (new client)")
	sameLinks(t, nt.Links, ng.Links, "POST vs GET (new client)")
	must(t, teams.DeleteByID(octo, "Spaces-1", nt.ID), "DeleteByID (new client)")
}

// apiKeyFor creates an API key for a user.
func apiKeyFor(t *testing.T, user string) string {
	t.Helper()
	r := raw(t, http.MethodPost, "/api/users/"+user+"/apikeys", map[string]any{"Purpose": "test"})
	if r.Status != http.StatusCreated {
		t.Fatalf("creating an API key: %d %s", r.Status, r.Body)
	}
	return r.JSON(t)["ApiKey"].(string)
}

func TestUserRoles(t *testing.T) {
	role := userroles.NewUserRole(uniqueName("custom role"))
	role.GrantedSpacePermissions = []string{"EnvironmentView", "EnvironmentCreate"}
	role.GrantedSystemPermissions = []string{"TeamView"}
	created, err := octo.UserRoles.Add(role)
	must(t, err, "Add")
	if !created.CanBeDeleted {
		t.Fatal("a custom role cannot be deleted")
	}
	got, err := userroles.GetByID(octo, created.ID)
	must(t, err, "GetByID (new client)")
	sameLinks(t, created.Links, got.Links, "POST vs GET")
	got.GrantedSpacePermissions = append(got.GrantedSpacePermissions, "EnvironmentEdit")
	updated, err := userroles.Update(octo, got)
	must(t, err, "Update")
	if len(updated.GrantedSpacePermissions) != 3 {
		t.Fatalf("Update = %+v", updated)
	}
	page, err := userroles.Get(octo, "", userroles.UserRolesQuery{PartialName: "custom role"})
	must(t, err, "Get by partial name")
	if page.TotalResults == 0 {
		t.Fatal("partial name found nothing")
	}
	bad := userroles.NewUserRole(uniqueName("bad role"))
	bad.GrantedSpacePermissions = []string{"LaunchMissiles"}
	_, err = userroles.Add(octo, bad)
	wantStatus(t, err, http.StatusBadRequest, "an unknown permission")
	_, err = octo.UserRoles.Add(userroles.NewUserRole(role.Name))
	wantStatus(t, err, http.StatusBadRequest, "duplicate name")
	wantStatus(t, userroles.DeleteByID(octo, "userroles-projectviewer"), http.StatusBadRequest, "deleting a built-in role")
	must(t, userroles.DeleteByID(octo, created.ID), "DeleteByID")
	_, err = userroles.GetByID(octo, created.ID)
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
}
