package emulator

import (
	"net/http"
)

func init() {
	register(&hooks{
		kind: "projectGroups",
		schema: &schema{fields: []field{
			str("Name").req(),
			str("Slug"),
			str("Description"),
			strs("EnvironmentIds"),
			str("RetentionPolicyId").ro(),
		}},
		perms: crudPerms("ProjectGroup"),
		prepare: func(c *ctx, doc, old Doc) error {
			assignSlug(c, "projectGroups", doc, old)
			return checkAllRefs(c, doc, "EnvironmentIds", "environments")
		},
		links: func(l *linker, doc Doc) map[string]string {
			self := l.inSpace("projectgroups", doc)
			return map[string]string{
				"Self":     self,
				"Projects": self + "/projects",
				"Web":      l.web("/" + asString(doc["SpaceId"]) + "/projects?projectGroupId=" + asString(doc["Id"])),
			}
		},
		routes: []route{
			{method: http.MethodGet, pattern: "{id}/projects", perm: "ProjectView", handle: func(c *ctx, _ []string) (int, any, error) {
				// A paged envelope, unlike lifecycles/{id}/projects.
				base := c.inst.links.inSpace("projectgroups", c.doc) + "/projects"
				projects := usersOf(c, "projects", "ProjectGroupId", c.doc)
				if c.inst.kinds["projects"] == nil {
					skip, take, err := pageParams(c, defaultTake)
					if err != nil {
						return 0, nil, err
					}
					return http.StatusOK, envelope(c, "Project", base, nil, nil, skip, take), nil
				}
				env, err := listResponse(c, c.def("projects"), base, projects)
				if err != nil {
					return 0, nil, err
				}
				return http.StatusOK, env, nil
			}},
		},
		seedSpace: func(c *ctx, space Doc) error {
			_, err := c.create("projectGroups", asString(space["Id"]), Doc{
				"Name": "Default Project Group", "Description": "The default project group.",
			})
			return err
		},
	})
	registerUsage("projectGroups", func(c *ctx, doc Doc) string {
		if ps := usersOf(c, "projects", "ProjectGroupId", doc); len(ps) > 0 {
			return "This project group contains the project '" + asString(ps[0]["Name"]) + "'. Move or delete its projects before deleting it."
		}
		return ""
	})
	registerUsage("environments", func(c *ctx, doc Doc) string {
		for _, g := range c.list("projectGroups", asString(doc["SpaceId"])) {
			for _, id := range stringList(g["EnvironmentIds"]) {
				if id == doc["Id"] {
					return "This environment is used by the project group '" + asString(g["Name"]) + "'. Remove it from the project group before deleting it."
				}
			}
		}
		return ""
	})
}
