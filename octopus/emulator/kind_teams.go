package emulator

import (
	"net/http"
	"slices"
	"strings"
)

// The built-in teams' ids.
const (
	teamEveryone       = "teams-everyone"
	teamAdministrators = "teams-administrators"
	teamManagers       = "teams-managers"
	// spaceManagersPrefix + a space id is the team every space gets.
	spaceManagersPrefix = "teams-spacemanagers-"
)

func init() {
	register(&hooks{
		kind: "teams",
		schema: &schema{fields: []field{
			str("Name").req().max(200),
			str("Description"),
			str("Slug"),
			strs("MemberUserIds"),
			objects("ExternalSecurityGroups", str("Id").req(), str("DisplayName"), boolean("DisplayIdAndName")),
			boolean("CanBeDeleted").ro().withDefault(true),
			boolean("CanBeRenamed").ro().withDefault(true),
			boolean("CanChangeMembers").ro().withDefault(true),
			boolean("CanChangeRoles").ro().withDefault(true),
		}},
		perms:     crudPerms("Team"),
		duplicate: "A team with this name already exists. Please choose a different name.",
		prepare: func(c *ctx, doc, old Doc) error {
			var errs []string
			for _, id := range stringList(doc["MemberUserIds"]) {
				if c.get("users", id) == nil {
					errs = append(errs, "The user '"+id+"' was not found.")
				}
			}
			if len(errs) > 0 {
				return badRequest(errs...)
			}
			if old != nil {
				if old["CanBeRenamed"] == false && asString(old["Name"]) != asString(doc["Name"]) {
					return refused("This team cannot be renamed.")
				}
				if old["CanChangeMembers"] == false {
					// The Everyone team's members and external groups are
					// not changed by a PUT.
					doc["MemberUserIds"] = old["MemberUserIds"]
					doc["ExternalSecurityGroups"] = old["ExternalSecurityGroups"]
				}
			}
			assignSlug(c, "teams", doc, old)
			return nil
		},
		beforeDelete: func(c *ctx, doc Doc) error {
			if doc["CanBeDeleted"] == false {
				return refused("This team cannot be deleted.")
			}
			return nil
		},
		afterDelete: func(c *ctx, doc Doc) error {
			for _, g := range c.st.coll(c.def("scopedUserRoles")).all(c.def("scopedUserRoles")) {
				if g["TeamId"] == doc["Id"] {
					c.drop("scopedUserRoles", g)
				}
			}
			return nil
		},
		links: func(l *linker, doc Doc) map[string]string {
			self := l.api("/teams/" + asString(doc["Id"]))
			if s := asString(doc["SpaceId"]); s != "" {
				self = l.api("/" + s + "/teams/" + asString(doc["Id"]))
			}
			return map[string]string{
				"Self":            self,
				"ScopedUserRoles": self + "/scopeduserroles{?skip,take}",
			}
		},
		routes: []route{
			{method: http.MethodGet, pattern: "{id}/scopeduserroles", perm: "UserRoleView", handle: teamGrants},
		},
		seedInstance: func(c *ctx) error {
			for _, t := range []Doc{
				{"Id": teamEveryone, "Name": "Everyone", "Description": "All users are members of this team."},
				{"Id": teamAdministrators, "Name": "Octopus Administrators", "Description": "Octopus administrators can do anything in Octopus.", "MemberUserIds": []any{adminUserID}},
				{"Id": teamManagers, "Name": "Octopus Managers", "Description": "Octopus managers can do everything at the system level except certain system-level functions reserved for Octopus administrators."},
			} {
				doc, err := c.create("teams", "", t)
				if err != nil {
					return err
				}
				doc = cloneDoc(doc)
				doc["CanBeDeleted"], doc["CanBeRenamed"] = false, false
				switch doc["Id"] {
				case teamEveryone:
					doc["CanChangeMembers"] = false
				case teamAdministrators:
					doc["CanChangeRoles"] = false
				}
				c.put("teams", doc)
			}
			return nil
		},
	})
}

// teamGrants lists a team's role grants, system-level grants first, then
// by space.
func teamGrants(c *ctx, _ []string) (int, any, error) {
	k := c.def("scopedUserRoles")
	var grants []Doc
	for _, g := range c.st.coll(k).all(k) {
		if g["TeamId"] == c.doc["Id"] {
			grants = append(grants, g)
		}
	}
	slices.SortStableFunc(grants, func(a, b Doc) int {
		return strings.Compare(asString(a["SpaceId"]), asString(b["SpaceId"]))
	})
	env, err := listResponse(c, k, c.inst.links.self(c.def("teams"), c.doc)+"/scopeduserroles", grants)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, env, nil
}
