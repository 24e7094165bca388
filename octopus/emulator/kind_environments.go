package emulator

import (
	"cmp"
	"encoding/json"
	"net/http"
	"slices"
	"strconv"
)

func init() {
	register(&hooks{
		kind: "environments",
		schema: &schema{fields: []field{
			str("Name").req().max(50),
			str("Slug"),
			str("Description"),
			integer("SortOrder"),
			boolean("UseGuidedFailure"),
			boolean("AllowDynamicInfrastructure"),
			strs("EnvironmentTags"),
			objects("ExtensionSettings", str("ExtensionId"), anyValue("Values")),
		}},
		perms: crudPerms("Environment"),
		prepare: func(c *ctx, doc, old Doc) error {
			assignSlug(c, "environments", doc, old)
			if old == nil && asInt(doc["SortOrder"]) == 0 {
				// A new environment without a sort order goes to the end.
				last, any := 0, false
				c.each("environments", asString(doc["SpaceId"]), func(e Doc) {
					last, any = max(last, asInt(e["SortOrder"])), true
				})
				if any {
					doc["SortOrder"] = json.Number(strconv.Itoa(last + 1))
				}
			}
			return nil
		},
		less: bySortOrder,
		links: func(l *linker, doc Doc) map[string]string {
			self := l.inSpace("environments", doc)
			return map[string]string{
				"Self":                        self,
				"Machines":                    self + "/machines{?skip,take,partialName,roles,isDisabled,healthStatuses,commStyles,tenantIds,tenantTags,shellNames}",
				"SinglyScopedVariableDetails": self + "/singlyScopedVariableDetails",
				"Metadata":                    self + "/metadata",
				"Web":                         l.web("/" + asString(doc["SpaceId"]) + "/infrastructure/environments/" + asString(doc["Id"])),
			}
		},
		routes: []route{
			{method: http.MethodGet, pattern: "{id}/machines", perm: "MachineView", handle: emptyPage("DeploymentTarget")},
			{method: http.MethodPut, pattern: "sortorder", write: true, perm: "EnvironmentEdit", handle: func(c *ctx, _ []string) (int, any, error) {
				return reorder(c, "environments")
			}},
		},
	})
	registerUsage("environments", func(c *ctx, doc Doc) string {
		for _, l := range c.list("lifecycles", asString(doc["SpaceId"])) {
			for _, p := range phases(l) {
				if slices.Contains(stringList(p["AutomaticDeploymentTargets"]), asString(doc["Id"])) ||
					slices.Contains(stringList(p["OptionalDeploymentTargets"]), asString(doc["Id"])) {
					return "This environment is used in the lifecycle '" + asString(l["Name"]) + "'. Remove it from the lifecycle's phases before deleting it."
				}
			}
		}
		return ""
	})
}

// bySortOrder orders documents by SortOrder, then name: the order of
// environments, worker pools and tag sets.
func bySortOrder(a, b Doc) int {
	return cmp.Or(cmp.Compare(asInt(a["SortOrder"]), asInt(b["SortOrder"])), compareFold(asString(a["Name"]), asString(b["Name"])))
}

// reorder answers PUT <collection>/sortorder: the body is an array of the
// ids of the space's documents in their new order; each gets its index as
// SortOrder. Ids the body does not list keep their order after the listed
// ones.
func reorder(c *ctx, kind string) (int, any, error) {
	list, ok := c.bodyValue.([]any)
	if !ok {
		return 0, nil, badRequest("The request body must be a JSON array of ids.")
	}
	docs := c.list(kind, c.spaceID)
	byID := map[string]Doc{}
	for _, d := range docs {
		byID[asString(d["Id"])] = d
	}
	var order []Doc
	seen := map[string]bool{}
	for _, v := range list {
		id, _ := v.(string)
		d := byID[id]
		if d == nil {
			return 0, nil, badRequestf("The %s '%v' was not found in this space.", c.def(kind).Label, v)
		}
		if !seen[id] {
			seen[id] = true
			order = append(order, d)
		}
	}
	for _, d := range docs {
		if !seen[asString(d["Id"])] {
			order = append(order, d)
		}
	}
	for i, d := range order {
		if asInt(d["SortOrder"]) != i {
			d = cloneDoc(d)
			d["SortOrder"] = json.Number(strconv.Itoa(i))
			d["LastModifiedOn"], d["LastModifiedBy"] = c.stamp(), c.username()
			c.put(kind, d)
		}
	}
	return http.StatusOK, c.renderAll(kind, c.list(kind, c.spaceID)), nil
}
