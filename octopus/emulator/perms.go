package emulator

import (
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
	uid := asString(c.user["Id"])
	if admins := c.get("teams", teamAdministrators); admins != nil {
		if members, _ := admins["MemberUserIds"].([]any); slices.Contains(members, any(uid)) {
			return map[string]bool{"*": true}
		}
	}
	var teams []string
	for _, t := range c.st.coll(c.def("teams")).all(c.def("teams")) {
		id := asString(t["Id"])
		members, _ := t["MemberUserIds"].([]any)
		if id == teamEveryone || slices.Contains(members, any(uid)) {
			if id == teamAdministrators {
				return map[string]bool{"*": true}
			}
			teams = append(teams, id)
		}
	}
	out := map[string]bool{}
	surs := c.def("scopedUserRoles")
	for _, g := range c.st.coll(surs).all(surs) {
		if !slices.Contains(teams, asString(g["TeamId"])) {
			continue
		}
		role := c.get("userRoles", asString(g["UserRoleId"]))
		if role == nil {
			continue
		}
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
