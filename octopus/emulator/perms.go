package emulator

import (
	"net/http"
	"slices"
)

// require checks that the signed-in user holds a permission in the
// request's space, and answers 403 with Octopus's text when not.
//
// The model is Octopus's, simplified: members of the Octopus
// Administrators team may do everything; anyone else holds the system
// permissions of the roles granted to their teams (and to Everyone), and
// the space permissions of the grants made in the request's space. Grants
// restricted to projects, environments or tenants count as unrestricted.
func (c *ctx) require(perm string) error {
	if c.user == nil || perm == "" {
		return nil
	}
	if c.perms == nil {
		c.perms = c.permissions()
	}
	if c.perms["*"] || c.perms[perm] {
		return nil
	}
	return forbidden(perm)
}

// permissions computes the user's permissions in the request's space; the
// key "*" means all.
func (c *ctx) permissions() map[string]bool {
	if c.isAdministrator(c.user) {
		return map[string]bool{"*": true}
	}
	out := map[string]bool{}
	for _, g := range c.grantsOf(c.user) {
		role := c.get("userRoles", asString(g["UserRoleId"]))
		for _, p := range stringList(role["GrantedSystemPermissions"]) {
			out[p] = true
		}
		if s := asString(g["SpaceId"]); s != "" && s == c.spaceID {
			for _, p := range stringList(role["GrantedSpacePermissions"]) {
				out[p] = true
			}
		}
	}
	return out
}

// isAdministrator reports whether a user is in Octopus Administrators.
func (c *ctx) isAdministrator(user Doc) bool {
	admins := c.get("teams", teamAdministrators)
	members, _ := admins["MemberUserIds"].([]any)
	return slices.Contains(members, user["Id"])
}

// teamsOf returns the teams a user belongs to: those listing them, and
// Everyone.
func (c *ctx) teamsOf(user Doc) []Doc {
	var out []Doc
	k := c.def("teams")
	for _, t := range c.st.coll(k).all(k) {
		members, _ := t["MemberUserIds"].([]any)
		if t["Id"] == teamEveryone || slices.Contains(members, user["Id"]) {
			out = append(out, t)
		}
	}
	return out
}

// grantsOf returns the role grants of a user's teams whose roles exist.
func (c *ctx) grantsOf(user Doc) []Doc {
	teams := map[any]bool{}
	for _, t := range c.teamsOf(user) {
		teams[t["Id"]] = true
	}
	var out []Doc
	k := c.def("scopedUserRoles")
	for _, g := range c.st.coll(k).all(k) {
		if teams[g["TeamId"]] && c.get("userRoles", asString(g["UserRoleId"])) != nil {
			out = append(out, g)
		}
	}
	return out
}

// permissionSet answers GET /api/users/{id}/permissions: the user's
// system permissions, and their space permissions with the space and
// restrictions of each grant that gives them.
func permissionSet(c *ctx, _ []string) (int, any, error) {
	if c.user["Id"] != c.doc["Id"] {
		if err := c.require("UserView"); err != nil {
			return 0, nil, err
		}
	}
	user := c.doc
	system := map[string]bool{}
	space := map[string][]any{}
	restriction := func(spaceID any, g Doc) map[string]any {
		r := map[string]any{"SpaceId": spaceID, "RestrictedToEnvironmentIds": []any{}, "RestrictedToProjectGroupIds": []any{},
			"RestrictedToProjectIds": []any{}, "RestrictedToTenantIds": []any{}}
		if g != nil {
			r["RestrictedToEnvironmentIds"], r["RestrictedToProjectGroupIds"] = g["EnvironmentIds"], g["ProjectGroupIds"]
			r["RestrictedToProjectIds"], r["RestrictedToTenantIds"] = g["ProjectIds"], g["TenantIds"]
		}
		return r
	}
	if c.isAdministrator(user) {
		for p := range knownPermissions {
			if systemPermission(p) {
				system[p] = true
				continue
			}
			for _, sp := range c.list("spaces", "") {
				space[p] = append(space[p], restriction(sp["Id"], nil))
			}
		}
	} else {
		for _, g := range c.grantsOf(user) {
			role := c.get("userRoles", asString(g["UserRoleId"]))
			for _, p := range stringList(role["GrantedSystemPermissions"]) {
				system[p] = true
			}
			if s := g["SpaceId"]; s != nil {
				for _, p := range stringList(role["GrantedSpacePermissions"]) {
					space[p] = append(space[p], restriction(s, g))
				}
			}
		}
	}
	sys := make([]string, 0, len(system))
	for p := range system {
		sys = append(sys, p)
	}
	slices.Sort(sys)
	spacePerms := map[string]any{}
	for p, rs := range space {
		spacePerms[p] = rs
	}
	return http.StatusOK, Doc{
		"Id": user["Id"], "IsPermissionsComplete": true, "IsTeamsComplete": true,
		"SystemPermissions": sys, "SpacePermissions": spacePerms, "Teams": projectedTeams(c, user),
		"Links": map[string]string{"Self": c.r.URL.Path},
	}, nil
}

// projectedTeams lists a user's teams as the permission and team routes
// show them.
func projectedTeams(c *ctx, user Doc) []any {
	out := []any{}
	for _, t := range c.teamsOf(user) {
		members, _ := t["MemberUserIds"].([]any)
		out = append(out, map[string]any{"Id": t["Id"], "Name": t["Name"], "SpaceId": t["SpaceId"],
			"ExternalSecurityGroups": t["ExternalSecurityGroups"], "IsDirectlyAssigned": slices.Contains(members, user["Id"])})
	}
	return out
}

// stringList reads an array-of-strings field of a stored document.
func stringList(v any) []string {
	list, _ := v.([]any)
	out := make([]string, 0, len(list))
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}
