package emulator

import (
	"maps"
	"net/http"
	"slices"
	"strings"
)

func init() {
	register(&hooks{
		kind: "tenants",
		schema: &schema{fields: []field{
			str("Name").req(),
			str("Slug"),
			str("Description"),
			strs("TenantTags"),
			anyValue("ProjectEnvironments").withDefault(map[string]any{}),
			boolean("IsDisabled"),
			str("ClonedFromTenantId").ro(),
			strs("CustomFields").ro(),
			anyValue("Icon").ro(),
		}},
		perms:   crudPerms("Tenant"),
		prepare: prepareTenant,
		// A project the update no longer connects loses the tenant's
		// values for it.
		afterUpdate: func(c *ctx, doc, old Doc) error {
			pe, _ := doc["ProjectEnvironments"].(map[string]any)
			was, _ := old["ProjectEnvironments"].(map[string]any)
			for pid := range was {
				if _, ok := pe[pid]; !ok {
					dropTenantValues(c, doc, func(v map[string]any) bool { return v["ProjectId"] == pid })
				}
			}
			return nil
		},
		afterDelete: func(c *ctx, doc Doc) error {
			if v := c.get("tenantVariables", tenantVariablesID(doc)); v != nil {
				c.drop("tenantVariables", v)
			}
			return nil
		},
		// A deleted environment disappears from the tenants connected to
		// it, as the server cascades the delete (OctopusDeploy/Issues
		// #2695); deleted projects are disconnected by the project's own
		// delete.
		present: func(c *ctx, doc Doc) {
			doc["ProjectEnvironments"] = liveProjectEnvironments(c, doc)
		},
		links: func(l *linker, doc Doc) map[string]string {
			self := l.inSpace("tenants", doc)
			return map[string]string{
				"Self":      self,
				"Variables": self + "/variables",
				"Logo":      self + "/logo",
				"Web":       l.web("/" + asString(doc["SpaceId"]) + "/tenants/" + asString(doc["Id"]) + "/overview"),
			}
		},
		filters: map[string]func(c *ctx, doc Doc, value string) bool{
			"projectId": func(c *ctx, doc Doc, value string) bool {
				_, ok := liveProjectEnvironments(c, doc)[value]
				return ok
			},
			"tags": tenantHasTags,
			"isDisabled": func(_ *ctx, doc Doc, value string) bool {
				return strings.EqualFold(value, "true") == (doc["IsDisabled"] == true)
			},
			"clonedFromTenantId": func(_ *ctx, doc Doc, value string) bool {
				return asString(doc["ClonedFromTenantId"]) == value
			},
		},
		routes: append(slices.Clone(tenantVariableRoutes),
			route{method: http.MethodGet, pattern: "status", perm: "TenantView", handle: func(c *ctx, _ []string) (int, any, error) {
				// Multi-tenancy is in use once the space has a tenant.
				return http.StatusOK, map[string]any{
					"Enabled": len(c.list("tenants", c.spaceID)) > 0,
					"Links":   map[string]string{"Self": c.inst.links.api("/" + c.spaceID + "/tenants/status")},
				}, nil
			}},
		),
	})
}

// prepareTenant checks a tenant's connections, ProjectEnvironments (each
// project and environment must exist in the space), and its tags
// (canonical names of existing tags), and tidies the connections: lists
// of strings without repeats.
func prepareTenant(c *ctx, doc, old Doc) error {
	assignSlug(c, "tenants", doc, old)
	space := asString(doc["SpaceId"])
	var errs []string
	pe, ok := doc["ProjectEnvironments"].(map[string]any)
	if !ok {
		errs = append(errs, "Error converting value "+literal(doc["ProjectEnvironments"])+
			" to type 'System.Collections.Generic.Dictionary`2[System.String,System.String[]]'. Path 'ProjectEnvironments'.")
	}
	out := map[string]any{}
	for _, pid := range slices.Sorted(maps.Keys(pe)) {
		if inSpace(c, "projects", space, pid) == nil {
			errs = append(errs, "The project '"+pid+"' in ProjectEnvironments was not found in this space.")
			continue
		}
		envs := []any{}
		raw, ok := pe[pid].([]any)
		if !ok && pe[pid] != nil {
			errs = append(errs, "Error converting value "+literal(pe[pid])+" to type 'System.String[]'. Path 'ProjectEnvironments."+pid+"'.")
		}
		for _, e := range raw {
			id, _ := e.(string)
			switch {
			case inSpace(c, "environments", space, id) == nil:
				errs = append(errs, "The environment '"+id+"' in ProjectEnvironments."+pid+" was not found in this space.")
			case !slices.Contains(envs, any(id)):
				envs = append(envs, id)
			}
		}
		out[pid] = envs
	}
	doc["ProjectEnvironments"] = out
	errs = append(errs, checkTenantTags(c, doc, "TenantTags")...)
	if len(errs) > 0 {
		return badRequest(errs...)
	}
	return nil
}

// liveProjectEnvironments is a tenant's ProjectEnvironments without the
// projects and environments deleted since it was written.
func liveProjectEnvironments(c *ctx, doc Doc) map[string]any {
	space := asString(doc["SpaceId"])
	pe, _ := doc["ProjectEnvironments"].(map[string]any)
	out := make(map[string]any, len(pe))
	for pid, v := range pe {
		if inSpace(c, "projects", space, pid) == nil {
			continue
		}
		envs := []any{}
		for _, e := range stringList(v) {
			if inSpace(c, "environments", space, e) != nil {
				envs = append(envs, e)
			}
		}
		out[pid] = envs
	}
	return out
}

// tenantHasTags is the tags filter of the tenants list: tags are canonical
// names or tag ids; a tenant matches when, for every tag set the filter
// names, it has one of the filter's tags of that set.
func tenantHasTags(c *ctx, doc Doc, value string) bool {
	space := asString(doc["SpaceId"])
	canonicalByID := map[string]string{}
	for _, ts := range c.list("tagSets", space) {
		for _, t := range elements(ts["Tags"]) {
			canonicalByID[asString(t["Id"])] = asString(t["CanonicalTagName"])
		}
	}
	groups := map[string][]string{}
	for _, tag := range splitList(value) {
		if n, ok := canonicalByID[tag]; ok {
			tag = n
		}
		set, _, _ := strings.Cut(tag, "/")
		groups[strings.ToLower(set)] = append(groups[strings.ToLower(set)], strings.ToLower(tag))
	}
	have := map[string]bool{}
	for _, t := range stringList(doc["TenantTags"]) {
		have[strings.ToLower(t)] = true
	}
	for _, tags := range groups {
		if !slices.ContainsFunc(tags, func(t string) bool { return have[t] }) {
			return false
		}
	}
	return true
}

// disconnectProject removes a deleted project from the tenants connected
// to it and drops their variable values for it.
func disconnectProject(c *ctx, project Doc) {
	space, pid := asString(project["SpaceId"]), asString(project["Id"])
	for _, t := range c.list("tenants", space) {
		pe, _ := t["ProjectEnvironments"].(map[string]any)
		if _, ok := pe[pid]; !ok {
			continue
		}
		next := cloneDoc(t)
		delete(next["ProjectEnvironments"].(map[string]any), pid)
		touch(c, "tenants", next)
	}
	for _, t := range c.list("tenants", space) {
		dropTenantValues(c, t, func(v map[string]any) bool { return v["ProjectId"] == pid })
	}
}

// dropTenantValues removes a tenant's variable values that drop says go,
// with their secrets.
func dropTenantValues(c *ctx, tenant Doc, drop func(v map[string]any) bool) {
	tv := c.get("tenantVariables", tenantVariablesID(tenant))
	if tv == nil {
		return
	}
	next := cloneDoc(tv)
	values := elements(next["Values"])
	keep := slices.DeleteFunc(slices.Clone(values), drop)
	if len(keep) == len(values) {
		return
	}
	next["Values"] = objectList(keep)
	touch(c, "tenantVariables", next)
	b := newSecretBook(c, asString(tv["Id"]))
	for _, v := range keep {
		b.keep(asString(v["Id"]))
	}
	b.commit()
}

// objectList turns a list of objects back into a JSON array.
func objectList(ms []map[string]any) []any {
	out := make([]any, len(ms))
	for i, m := range ms {
		out[i] = m
	}
	return out
}
