package emulator

import (
	"strings"
)

// spaceManagerRole is the role every space's managers team holds there.
const spaceManagerRole = "userroles-spacemanager"

func init() {
	register(&hooks{
		kind: "scopedUserRoles",
		schema: &schema{fields: []field{
			str("TeamId").req(),
			str("UserRoleId").req(),
			strs("ProjectIds"),
			strs("ProjectGroupIds"),
			strs("EnvironmentIds"),
			strs("TenantIds"),
		}},
		perms:  permissions{View: "UserRoleView", Create: "TeamEdit", Edit: "TeamEdit", Delete: "TeamEdit"},
		unique: func(Doc) string { return "" },
		less: func(a, b Doc) int {
			return compareIDs(asString(a["Id"]), asString(b["Id"]))
		},
		prepare: func(c *ctx, doc, old Doc) error {
			team := c.get("teams", asString(doc["TeamId"]))
			if team == nil {
				return badRequestf("The team '%s' was not found.", asString(doc["TeamId"]))
			}
			role := c.get("userRoles", asString(doc["UserRoleId"]))
			if role == nil {
				return badRequestf("The user role '%s' was not found.", asString(doc["UserRoleId"]))
			}
			space := asString(doc["SpaceId"])
			if ts := asString(team["SpaceId"]); ts != "" && ts != space {
				return badRequestf("The team '%s' belongs to %s; it can only be granted roles in that space.", team["Name"], ts)
			}
			if space == "" && len(stringList(role["GrantedSpacePermissions"])) > 0 && len(stringList(role["GrantedSystemPermissions"])) == 0 {
				return badRequestf("The user role '%s' only grants space permissions; grant it in a space.", role["Name"])
			}
			if old != nil && old["UserRoleId"] == spaceManagerRole && doc["UserRoleId"] != spaceManagerRole && isSpaceManagersTeam(asString(old["TeamId"])) {
				return refused("The Space Manager Team must have a Space Manager User Role")
			}
			for _, f := range []struct{ field, kind string }{{"EnvironmentIds", "environments"}} {
				for _, id := range stringList(doc[f.field]) {
					if d := c.get(f.kind, id); d == nil || asString(d["SpaceId"]) != space {
						return badRequestf("The %s '%s' was not found in this space.", c.def(f.kind).Label, id)
					}
				}
			}
			return nil
		},
		beforeDelete: func(c *ctx, doc Doc) error {
			if doc["UserRoleId"] == spaceManagerRole && isSpaceManagersTeam(asString(doc["TeamId"])) && c.get("spaces", asString(doc["SpaceId"])) != nil {
				return refused("The Space Manager Team must have a Space Manager User Role")
			}
			return nil
		},
		seedInstance: func(c *ctx) error {
			for _, g := range []Doc{
				{"TeamId": teamAdministrators, "UserRoleId": "userroles-systemadministrator"},
				{"TeamId": teamManagers, "UserRoleId": "userroles-systemmanager"},
			} {
				if _, err := c.create("scopedUserRoles", "", g); err != nil {
					return err
				}
			}
			return nil
		},
	})
}

// isSpaceManagersTeam reports whether a team is a space's built-in
// managers team.
func isSpaceManagersTeam(id string) bool {
	return strings.HasPrefix(id, spaceManagersPrefix)
}
