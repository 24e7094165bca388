package emulator

import (
	"slices"
	"strings"
)

func init() {
	register(&hooks{
		kind: "spaces",
		schema: &schema{fields: []field{
			str("Name").req().max(50),
			str("Slug"),
			str("Description"),
			boolean("IsDefault"),
			boolean("IsPrivate"),
			boolean("TaskQueueStopped"),
			strs("SpaceManagersTeams"),
			strs("SpaceManagersTeamMembers"),
			anyValue("Icon").ro(),
			objects("ExtensionSettings", str("ExtensionId"), anyValue("Values")),
		}},
		perms:     crudPerms("Space"),
		duplicate: "A space with this name already exists. Please choose a different name.",
		prepare:   prepareSpace,
		afterCreate: func(c *ctx, doc Doc) error {
			id := asString(doc["Id"])
			if _, err := c.createAs("teams", id, spaceManagersPrefix+id, Doc{
				"Name":          "Space Managers",
				"Description":   "Members of this team can manage the space.",
				"MemberUserIds": doc["SpaceManagersTeamMembers"],
			}); err != nil {
				return err
			}
			team := cloneDoc(c.get("teams", spaceManagersPrefix+id))
			team["CanBeDeleted"], team["CanBeRenamed"] = false, false
			c.put("teams", team)
			if err := syncSpaceManagers(c, doc); err != nil {
				return err
			}
			for _, k := range c.inst.orderedKinds() {
				if k.h.seedSpace != nil {
					if err := k.h.seedSpace(c, doc); err != nil {
						return err
					}
				}
			}
			return nil
		},
		afterUpdate: func(c *ctx, doc, old Doc) error {
			if doc["IsDefault"] == true && old["IsDefault"] != true {
				for _, sp := range c.list("spaces", "") {
					if sp["Id"] != doc["Id"] && sp["IsDefault"] == true {
						sp = cloneDoc(sp)
						sp["IsDefault"] = false
						c.put("spaces", sp)
					}
				}
			}
			team := c.get("teams", spaceManagersPrefix+asString(doc["Id"]))
			if team != nil {
				team = cloneDoc(team)
				team["MemberUserIds"] = doc["SpaceManagersTeamMembers"]
				c.put("teams", team)
			}
			return syncSpaceManagers(c, doc)
		},
		beforeDelete: func(c *ctx, doc Doc) error {
			if doc["IsDefault"] == true {
				return refused("The default space cannot be deleted. Make another space the default space first.")
			}
			if doc["TaskQueueStopped"] != true {
				return refused("The task queue of this space must be stopped before the space can be deleted.")
			}
			return nil
		},
		afterDelete: func(c *ctx, doc Doc) error {
			id := asString(doc["Id"])
			for _, k := range c.inst.kinds {
				if !k.Scope.Has(scopeSpace) {
					continue
				}
				for _, d := range slices.Clone(c.list(k.Name, id)) {
					c.drop(k.Name, d)
				}
			}
			return nil
		},
		present: func(c *ctx, doc Doc) {
			id := asString(doc["Id"])
			teams := []any{}
			k := c.def("scopedUserRoles")
			for _, g := range c.st.coll(k).list(k, id) {
				if g["UserRoleId"] == spaceManagerRole && !slices.Contains(teams, g["TeamId"]) {
					teams = append(teams, g["TeamId"])
				}
			}
			slices.SortFunc(teams, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
			doc["SpaceManagersTeams"] = teams
			members := []any{}
			if t := c.get("teams", spaceManagersPrefix+id); t != nil {
				members, _ = t["MemberUserIds"].([]any)
			}
			doc["SpaceManagersTeamMembers"] = members
		},
		links: func(l *linker, doc Doc) map[string]string {
			id := asString(doc["Id"])
			return map[string]string{
				"Self":      l.api("/spaces/" + id),
				"SpaceHome": l.api("/" + id),
				"Web":       l.web("/" + id),
				"Logo":      l.api("/spaces/" + id + "/logo"),
				"Search":    l.api("/spaces/" + id + "/search"),
			}
		},
		seedInstance: func(c *ctx) error {
			_, err := c.create("spaces", "", Doc{
				"Name": "Default", "Slug": "default", "Description": "This is the default space.",
				"IsDefault": true, "SpaceManagersTeams": []any{teamAdministrators, teamManagers},
			})
			return err
		},
	})
}

// prepareSpace checks a space: someone must manage it, and the teams and
// users named must exist.
func prepareSpace(c *ctx, doc, old Doc) error {
	id := asString(doc["Id"])
	own := spaceManagersPrefix + id
	teams := slices.DeleteFunc(stringList(doc["SpaceManagersTeams"]), func(t string) bool { return t == own })
	members := stringList(doc["SpaceManagersTeamMembers"])
	if old == nil && len(teams) == 0 && len(members) == 0 {
		return badRequest("The SpaceManagersTeamMembers field is required.")
	}
	var errs []string
	for _, t := range teams {
		team := c.get("teams", t)
		if team == nil || (asString(team["SpaceId"]) != "" && asString(team["SpaceId"]) != id) {
			errs = append(errs, "The team '"+t+"' was not found.")
		}
	}
	for _, u := range members {
		if c.get("users", u) == nil {
			errs = append(errs, "The user '"+u+"' was not found.")
		}
	}
	if len(errs) > 0 {
		return badRequest(errs...)
	}
	if old == nil {
		// A space starts with its task queue running; IsDefault is only
		// ever set by the server or by a PUT making another space the
		// default.
		doc["TaskQueueStopped"] = false
		doc["IsDefault"] = c.seeding && doc["IsDefault"] == true
	} else if old["IsDefault"] == true {
		doc["IsDefault"] = true
	}
	assignSlug(c, "spaces", doc, old)
	return nil
}

// syncSpaceManagers makes the space manager grants of a space match its
// SpaceManagersTeams (the space's own team always keeps its grant).
func syncSpaceManagers(c *ctx, doc Doc) error {
	id := asString(doc["Id"])
	want := append(stringList(doc["SpaceManagersTeams"]), spaceManagersPrefix+id)
	have := map[string]bool{}
	k := c.def("scopedUserRoles")
	for _, g := range slices.Clone(c.st.coll(k).list(k, id)) {
		if g["UserRoleId"] != spaceManagerRole {
			continue
		}
		t := asString(g["TeamId"])
		if !slices.Contains(want, t) {
			c.drop("scopedUserRoles", g)
			continue
		}
		have[t] = true
	}
	for _, t := range want {
		if !have[t] {
			have[t] = true
			if _, err := c.create("scopedUserRoles", id, Doc{"TeamId": t, "UserRoleId": spaceManagerRole}); err != nil {
				return err
			}
		}
	}
	return nil
}
