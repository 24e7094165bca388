package emulator

import (
	"encoding/json"
	"maps"
	"net/http"
	"slices"
	"strconv"
	"strings"

	"octosync.dev/octosync/octopus"
)

// Tenant variables are the values a tenant gives the variable templates of
// the projects it is connected to (per environment) and of the library
// variable sets those projects include. The emulator keeps one document per
// tenant, tenantvariables-<TenantId>, holding a list of values in the shape
// of the newer API: {Id: TenantVariables-N, ProjectId or
// LibraryVariableSetId, TemplateId, Value, EnvironmentIds}. Both API
// generations read and write that list:
//
//   - the legacy document at tenants/{id}/variables (GET, and PUT or POST
//     to replace it), and tenantvariables/all, where a project value for an
//     environment is a value scoped to that one environment and a library
//     value is an unscoped one;
//   - tenants/{id}/projectvariables and tenants/{id}/commonvariables (GET
//     with includeMissingVariables, PUT or POST to replace all project or
//     all common values), where a value may be scoped to several
//     environments or none (all of them).
//
// Values of sensitive templates are write-only: they are stored apart and
// read back as {HasValue, NewValue: null}.

// tenantVariablesKind is the registry row of tenant variables as the
// emulator serves them: the registry addresses a tenant's document below
// the tenant (tenants/{id}/variables, served by the tenants kind); the
// collection path here is the instance-wide listing, tenantvariables/all.
var tenantVariablesKind = func() *octopus.Kind {
	k := *octopus.KindByName("tenantVariables")
	k.Shape, k.Path, k.IDPrefix, k.ItemType = octopus.Collection, "tenantvariables", "tenantvariables-", "TenantVariables"
	return &k
}()

func init() {
	register(&hooks{
		kind: "tenantVariables",
		def:  tenantVariablesKind,
		schema: &schema{fields: []field{
			str("TenantId").ro(),
			integer("Version"),
			objects("Values",
				str("Id"),
				str("ProjectId"),
				str("LibraryVariableSetId"),
				str("TemplateId"),
				anyValue("Value"),
				strs("EnvironmentIds"),
			),
		}},
		perms:    permissions{View: "TenantView", Edit: "TenantEdit"},
		noCreate: true,
		noDelete: true,
		// Only /all is part of the API; the documents themselves are read
		// and written below their tenants.
		routes: []route{
			{method: http.MethodGet, pattern: "all", perm: "TenantView", handle: allTenantVariables},
			{method: http.MethodGet, pattern: "", handle: noRoute},
			{method: http.MethodGet, pattern: "*", handle: noRoute},
		},
	})
}

// noRoute answers a path the real server does not serve.
func noRoute(*ctx, []string) (int, any, error) { return 0, nil, routeNotFound() }

// tenantVariableRoutes serve a tenant's variables below the tenant, and
// the space's missing variables.
var tenantVariableRoutes = []route{
	{method: http.MethodGet, pattern: "variables-missing", perm: "TenantView", handle: missingVariables},
	{method: http.MethodGet, pattern: "{id}/variables", perm: "TenantView", handle: func(c *ctx, _ []string) (int, any, error) {
		return http.StatusOK, legacyTenantVariables(c, c.doc), nil
	}},
	{method: http.MethodPut, pattern: "{id}/variables", write: true, perm: "TenantEdit", handle: putLegacyTenantVariables},
	{method: http.MethodPost, pattern: "{id}/variables", write: true, perm: "TenantEdit", handle: putLegacyTenantVariables},
	{method: http.MethodGet, pattern: "{id}/projectvariables", perm: "TenantView", handle: func(c *ctx, _ []string) (int, any, error) {
		return http.StatusOK, tenantValueList(c, c.doc, projectOwner, includeMissing(c)), nil
	}},
	{method: http.MethodPut, pattern: "{id}/projectvariables", write: true, perm: "TenantEdit", handle: putTenantValueList(projectOwner)},
	{method: http.MethodPost, pattern: "{id}/projectvariables", write: true, perm: "TenantEdit", handle: putTenantValueList(projectOwner)},
	{method: http.MethodGet, pattern: "{id}/commonvariables", perm: "TenantView", handle: func(c *ctx, _ []string) (int, any, error) {
		return http.StatusOK, tenantValueList(c, c.doc, libraryOwner, includeMissing(c)), nil
	}},
	{method: http.MethodPut, pattern: "{id}/commonvariables", write: true, perm: "TenantEdit", handle: putTenantValueList(libraryOwner)},
	{method: http.MethodPost, pattern: "{id}/commonvariables", write: true, perm: "TenantEdit", handle: putTenantValueList(libraryOwner)},
}

// tenantVariablesID is the id of a tenant's variables document.
func tenantVariablesID(tenant Doc) string { return "tenantvariables-" + asString(tenant["Id"]) }

// tenantValues returns a tenant's stored values (copies: callers may change
// them) and the document's version.
func tenantValues(c *ctx, tenant Doc) ([]map[string]any, int) {
	doc := c.get("tenantVariables", tenantVariablesID(tenant))
	if doc == nil {
		return nil, 0
	}
	return elements(cloneJSON(doc["Values"])), asInt(doc["Version"])
}

// concurrencyToken is the token a read hands out and a write may return
// to have the write refused when the values changed in between.
func concurrencyToken(version int) string { return "tenantvariables-v" + strconv.Itoa(version) }

// checkConcurrency refuses a write whose ConcurrencyToken is not the
// current one; a write without one is not checked.
func checkConcurrency(c *ctx, tenant Doc, body Doc) error {
	_, version := tenantValues(c, tenant)
	if t := asString(body["ConcurrencyToken"]); t != "" && t != concurrencyToken(version) {
		return refused("Changes to these tenant variables could not be saved, because another user has made changes to them between when you started editing and when you saved your changes. Please reload them and make your changes again.")
	}
	return nil
}

// saveTenantValues replaces a tenant's values, bumping the document's
// version (a tenant without a document is at version 0), and commits the
// secrets the values use.
func saveTenantValues(c *ctx, tenant Doc, values []map[string]any, b *secretBook) {
	_, version := tenantValues(c, tenant)
	version++
	touch(c, "tenantVariables", Doc{
		"Id":       tenantVariablesID(tenant),
		"SpaceId":  tenant["SpaceId"],
		"TenantId": tenant["Id"],
		"Version":  json.Number(strconv.Itoa(version)),
		"Values":   objectList(values),
	})
	b.commit()
}

// connection is one project a tenant is connected to, with the
// environments and the project's variable templates.
type connection struct {
	project   Doc
	envs      []string
	templates []map[string]any
}

// connections lists a tenant's live connections, by project id.
func connections(c *ctx, tenant Doc) []connection {
	pe := liveProjectEnvironments(c, tenant)
	var out []connection
	for _, pid := range slices.Sorted(maps.Keys(pe)) {
		p := c.get("projects", pid)
		out = append(out, connection{project: p, envs: stringList(pe[pid]), templates: elements(p["Templates"])})
	}
	return out
}

// tenantLibraries lists the library variable sets with templates that a
// tenant's connected projects include.
func tenantLibraries(c *ctx, tenant Doc) []Doc {
	var out []Doc
	for _, conn := range connections(c, tenant) {
		for _, id := range stringList(conn.project["IncludedLibraryVariableSetIds"]) {
			l := inSpace(c, "libraryVariableSets", asString(tenant["SpaceId"]), id)
			if l != nil && len(elements(l["Templates"])) > 0 && !slices.ContainsFunc(out, func(d Doc) bool { return d["Id"] == l["Id"] }) {
				out = append(out, l)
			}
		}
	}
	slices.SortFunc(out, func(a, b Doc) int { return compareIDs(asString(a["Id"]), asString(b["Id"])) })
	return out
}

// valueFor finds the value that applies to a template of an owner in an
// environment ("" for library values): one scoped to exactly that
// environment first, then one scoped to several including it, then an
// unscoped one.
func valueFor(values []map[string]any, ownerField, owner, template, env string) map[string]any {
	var several, unscoped map[string]any
	for _, v := range values {
		if v[ownerField] != owner || v["TemplateId"] != template {
			continue
		}
		envs := stringList(v["EnvironmentIds"])
		switch {
		case len(envs) == 0:
			unscoped = v
		case env == "":
		case len(envs) == 1 && envs[0] == env:
			return v
		case slices.Contains(envs, env):
			several = v
		}
	}
	if several != nil {
		return several
	}
	return unscoped
}

// legacyTenantVariables is a tenant's legacy variables document: for every
// connected project, its templates and, for every connected environment,
// the values by template id (an object, possibly empty, for every
// environment: the official client writes into it); for every library
// variable set with templates those projects include, its templates and
// values.
func legacyTenantVariables(c *ctx, tenant Doc) Doc {
	values, version := tenantValues(c, tenant)
	space := "/" + asString(tenant["SpaceId"])
	projects := map[string]any{}
	for _, conn := range connections(c, tenant) {
		pid := asString(conn.project["Id"])
		vars := map[string]any{}
		for _, e := range conn.envs {
			m := map[string]any{}
			for _, t := range conn.templates {
				if v := valueFor(values, "ProjectId", pid, asString(t["Id"]), e); v != nil {
					m[asString(t["Id"])] = v["Value"]
				}
			}
			vars[e] = m
		}
		projects[pid] = map[string]any{
			"ProjectId":   pid,
			"ProjectName": conn.project["Name"],
			"Templates":   objectList(conn.templates),
			"Variables":   vars,
			"Links":       map[string]string{"Project": c.inst.links.api(space + "/projects/" + pid)},
		}
	}
	libraries := map[string]any{}
	for _, l := range tenantLibraries(c, tenant) {
		lid := asString(l["Id"])
		vars := map[string]any{}
		for _, t := range elements(l["Templates"]) {
			if v := valueFor(values, "LibraryVariableSetId", lid, asString(t["Id"]), ""); v != nil {
				vars[asString(t["Id"])] = v["Value"]
			}
		}
		libraries[lid] = map[string]any{
			"LibraryVariableSetId":   lid,
			"LibraryVariableSetName": l["Name"],
			"Templates":              cloneJSON(l["Templates"]),
			"Variables":              vars,
			"Links":                  map[string]string{"LibraryVariableSet": c.inst.links.api(space + "/libraryvariablesets/" + lid)},
		}
	}
	return Doc{
		"Id":               tenantVariablesID(tenant),
		"TenantId":         tenant["Id"],
		"TenantName":       tenant["Name"],
		"SpaceId":          tenant["SpaceId"],
		"ConcurrencyToken": concurrencyToken(version),
		"ProjectVariables": projects,
		"LibraryVariables": libraries,
		"Links":            map[string]string{"Self": c.inst.links.inSpace("tenants", tenant) + "/variables"},
	}
}

// putLegacyTenantVariables answers PUT and POST of tenants/{id}/variables:
// the body replaces every value of the tenant's connected projects and
// libraries. The tenant is the one in the path (bodies carry TenantId, Id
// or nothing). Entries for projects, environments or templates the tenant
// does not have are ignored; a null value is no value.
func putLegacyTenantVariables(c *ctx, _ []string) (int, any, error) {
	body, err := c.requireBody()
	if err != nil {
		return 0, nil, err
	}
	if err := checkConcurrency(c, c.doc, body); err != nil {
		return 0, nil, err
	}
	old, _ := tenantValues(c, c.doc)
	b := newSecretBook(c, tenantVariablesID(c.doc))
	var values []map[string]any
	var errs []string
	add := func(ownerField, owner, template string, envs []string, raw any) {
		if raw == nil {
			return
		}
		id := ""
		for _, v := range old {
			if v[ownerField] == owner && v["TemplateId"] == template && slices.Equal(stringList(v["EnvironmentIds"]), envs) {
				id = asString(v["Id"])
			}
		}
		if id == "" {
			id = c.nextID("TenantVariables")
		}
		val, ok := b.value(raw, id)
		if !ok {
			errs = append(errs, "Error converting value "+literal(raw)+" to type 'Octopus.Server.Extensibility.HostServices.Model.PropertyValueResource'.")
			return
		}
		if m, ok := val.(map[string]any); ok && m["HasValue"] != true {
			return
		}
		v := map[string]any{"Id": id, "ProjectId": nil, "LibraryVariableSetId": nil, "TemplateId": template, "Value": val, "EnvironmentIds": toAnyList(envs)}
		v[ownerField] = owner
		values = append(values, v)
	}
	pv, _ := body["ProjectVariables"].(map[string]any)
	for _, conn := range connections(c, c.doc) {
		pid := asString(conn.project["Id"])
		entry, _ := pv[pid].(map[string]any)
		vars, _ := entry["Variables"].(map[string]any)
		for _, e := range conn.envs {
			vm, _ := vars[e].(map[string]any)
			for _, t := range conn.templates {
				add("ProjectId", pid, asString(t["Id"]), []string{e}, vm[asString(t["Id"])])
			}
		}
	}
	lv, _ := body["LibraryVariables"].(map[string]any)
	for _, l := range tenantLibraries(c, c.doc) {
		lid := asString(l["Id"])
		entry, _ := lv[lid].(map[string]any)
		vars, _ := entry["Variables"].(map[string]any)
		for _, t := range elements(l["Templates"]) {
			add("LibraryVariableSetId", lid, asString(t["Id"]), []string{}, vars[asString(t["Id"])])
		}
	}
	if len(errs) > 0 {
		return 0, nil, badRequest(errs...)
	}
	saveTenantValues(c, c.doc, values, b)
	return http.StatusOK, legacyTenantVariables(c, c.doc), nil
}

// valueOwner says which values an endpoint of the newer API lists: the
// project values (projectvariables) or the common ones (commonvariables).
type valueOwner struct {
	field, nameField string
	// owners lists what the tenant may hold values for: each owner's id,
	// name, templates and the environments its values may be scoped to.
	owners func(c *ctx, tenant Doc) []valueOwnerDoc
}

type valueOwnerDoc struct {
	id, name  any
	templates []map[string]any
	envs      []string
}

var projectOwner = valueOwner{field: "ProjectId", nameField: "ProjectName", owners: func(c *ctx, tenant Doc) []valueOwnerDoc {
	var out []valueOwnerDoc
	for _, conn := range connections(c, tenant) {
		out = append(out, valueOwnerDoc{id: conn.project["Id"], name: conn.project["Name"], templates: conn.templates, envs: conn.envs})
	}
	return out
}}

var libraryOwner = valueOwner{field: "LibraryVariableSetId", nameField: "LibraryVariableSetName", owners: func(c *ctx, tenant Doc) []valueOwnerDoc {
	var envs []string
	for _, conn := range connections(c, tenant) {
		for _, e := range conn.envs {
			if !slices.Contains(envs, e) {
				envs = append(envs, e)
			}
		}
	}
	var out []valueOwnerDoc
	for _, l := range tenantLibraries(c, tenant) {
		out = append(out, valueOwnerDoc{id: l["Id"], name: l["Name"], templates: elements(l["Templates"]), envs: envs})
	}
	return out
}}

// includeMissing reads the includeMissingVariables parameter (any case;
// empty is false).
func includeMissing(c *ctx) bool {
	return strings.EqualFold(c.param("includeMissingVariables"), "true")
}

// tenantValueList is the newer API's listing of a tenant's project or
// common values, with the values missing (templates without a value for
// an environment) when asked.
func tenantValueList(c *ctx, tenant Doc, o valueOwner, missing bool) Doc {
	values, version := tenantValues(c, tenant)
	items, gaps := []any{}, []any{}
	for _, owner := range o.owners(c, tenant) {
		for _, t := range owner.templates {
			tid := asString(t["Id"])
			for _, v := range values {
				if v[o.field] != owner.id || v["TemplateId"] != tid {
					continue
				}
				// Environments the tenant is no longer connected to (or
				// that were deleted) drop out of a value's scope; a value
				// left with none of its environments is not shown.
				scoped := stringList(v["EnvironmentIds"])
				envs := slices.DeleteFunc(slices.Clone(scoped), func(e string) bool { return !slices.Contains(owner.envs, e) })
				if len(scoped) > 0 && len(envs) == 0 {
					continue
				}
				items = append(items, valueItem(o, owner, t, v["Id"], v["Value"], envs))
			}
			for _, e := range owner.envs {
				if valueFor(values, o.field, asString(owner.id), tid, e) == nil {
					gaps = append(gaps, valueItem(o, owner, t, nil, t["DefaultValue"], []string{e}))
				}
			}
		}
	}
	out := Doc{
		"TenantId":         tenant["Id"],
		"SpaceId":          tenant["SpaceId"],
		"ConcurrencyToken": concurrencyToken(version),
		"Variables":        items,
		"Links":            map[string]string{},
	}
	if missing {
		out["MissingVariables"] = gaps
	}
	return out
}

// valueItem is one value as the newer API lists it.
func valueItem(o valueOwner, owner valueOwnerDoc, template map[string]any, id, value any, envs []string) map[string]any {
	return map[string]any{
		"Id":         id,
		o.field:      owner.id,
		o.nameField:  owner.name,
		"TemplateId": template["Id"],
		"Template": map[string]any{
			"Id": template["Id"], "Name": template["Name"], "Label": template["Label"], "HelpText": template["HelpText"],
			"DefaultValue": template["DefaultValue"], "DisplaySettings": template["DisplaySettings"],
		},
		"Value": value,
		"Scope": map[string]any{"EnvironmentIds": toAnyList(envs)},
		"Links": map[string]string{},
	}
}

// putTenantValueList answers PUT and POST of the newer endpoints: the
// body's Variables replace every project (or common) value of the tenant.
// Each item names its owner (ProjectId or LibraryVariableSetId; OwnerId is
// accepted for either), its TemplateId, Value and Scope.EnvironmentIds
// (empty: every environment); an item with the Id of a stored value
// updates it, and keeps its secret when the Value is {HasValue: true}
// without NewValue.
func putTenantValueList(o valueOwner) func(c *ctx, _ []string) (int, any, error) {
	return func(c *ctx, _ []string) (int, any, error) {
		body, err := c.requireBody()
		if err != nil {
			return 0, nil, err
		}
		if err := checkConcurrency(c, c.doc, body); err != nil {
			return 0, nil, err
		}
		old, _ := tenantValues(c, c.doc)
		owners := map[string]valueOwnerDoc{}
		for _, ow := range o.owners(c, c.doc) {
			owners[asString(ow.id)] = ow
		}
		// The other endpoint's values stay as they are.
		var values []map[string]any
		oldByID := map[string]map[string]any{}
		for _, v := range old {
			if v[o.field] == nil {
				values = append(values, v)
			} else {
				oldByID[asString(v["Id"])] = v
			}
		}
		b := newSecretBook(c, tenantVariablesID(c.doc))
		for _, v := range values {
			b.keep(asString(v["Id"]))
		}
		var errs []string
		seen := map[string]bool{}
		for i, item := range elements(body["Variables"]) {
			at := "Variables[" + strconv.Itoa(i) + "]"
			owner := asString(item[o.field])
			if owner == "" {
				owner = asString(item["OwnerId"])
			}
			ow, ok := owners[owner]
			if !ok {
				errs = append(errs, at+": '"+owner+"' is not connected to this tenant.")
				continue
			}
			tid := asString(item["TemplateId"])
			if !slices.ContainsFunc(ow.templates, func(t map[string]any) bool { return t["Id"] == tid }) {
				errs = append(errs, at+": the template '"+tid+"' was not found on '"+owner+"'.")
				continue
			}
			scope, _ := item["Scope"].(map[string]any)
			envs := stringList(scope["EnvironmentIds"])
			for _, e := range envs {
				if !slices.Contains(ow.envs, e) {
					errs = append(errs, at+": the environment '"+e+"' is not connected to this tenant for '"+owner+"'.")
				}
			}
			key := owner + "/" + tid + "/" + strings.Join(slices.Sorted(slices.Values(envs)), ",")
			if seen[key] {
				errs = append(errs, at+": the template '"+tid+"' of '"+owner+"' has more than one value for the same environments.")
			}
			seen[key] = true
			id := asString(item["Id"])
			switch {
			case id == "":
				id = c.nextID("TenantVariables")
			case oldByID[id] == nil:
				errs = append(errs, at+": the tenant variable '"+id+"' was not found.")
				continue
			}
			val, ok := b.value(item["Value"], id)
			if !ok {
				errs = append(errs, at+": Error converting value "+literal(item["Value"])+" to type 'Octopus.Server.Extensibility.HostServices.Model.PropertyValueResource'.")
				continue
			}
			v := map[string]any{"Id": id, "ProjectId": nil, "LibraryVariableSetId": nil, "TemplateId": tid, "Value": val, "EnvironmentIds": toAnyList(envs)}
			v[o.field] = ow.id
			values = append(values, v)
		}
		if len(errs) > 0 {
			return 0, nil, badRequest(errs...)
		}
		saveTenantValues(c, c.doc, values, b)
		out := tenantValueList(c, c.doc, o, false)
		return http.StatusOK, out, nil
	}
}

// allTenantVariables answers GET tenantvariables/all: the legacy document
// of every tenant of the space (connected to projectId, when given).
func allTenantVariables(c *ctx, _ []string) (int, any, error) {
	out := []Doc{}
	pid := c.param("projectId")
	for _, t := range c.list("tenants", c.spaceID) {
		if pid != "" {
			if _, ok := liveProjectEnvironments(c, t)[pid]; !ok {
				continue
			}
		}
		out = append(out, legacyTenantVariables(c, t))
	}
	return http.StatusOK, out, nil
}

// missingVariables answers GET tenants/variables-missing: for each tenant
// (of tenantId, connected to projectId, when given) the templates without
// a value and without a default value, per project environment (only
// environmentId, when given) and per library variable set. Tenants
// missing nothing are left out; MissingVariables is listed with
// includeDetails=true.
func missingVariables(c *ctx, _ []string) (int, any, error) {
	out := []any{}
	tenantID, projectID, envID := c.param("tenantId"), c.param("projectId"), c.param("environmentId")
	details := strings.EqualFold(c.param("includeDetails"), "true")
	hasDefault := func(t map[string]any) bool {
		switch d := t["DefaultValue"].(type) {
		case string:
			return d != ""
		case map[string]any:
			return d["HasValue"] == true
		}
		return false
	}
	for _, t := range c.list("tenants", c.spaceID) {
		if tenantID != "" && t["Id"] != tenantID {
			continue
		}
		values, _ := tenantValues(c, t)
		missing := []any{}
		for _, conn := range connections(c, t) {
			pid := asString(conn.project["Id"])
			if projectID != "" && pid != projectID {
				continue
			}
			for _, e := range conn.envs {
				if envID != "" && e != envID {
					continue
				}
				for _, tmpl := range conn.templates {
					if !hasDefault(tmpl) && valueFor(values, "ProjectId", pid, asString(tmpl["Id"]), e) == nil {
						missing = append(missing, map[string]any{"ProjectId": pid, "EnvironmentId": e, "VariableTemplateId": tmpl["Id"],
							"VariableTemplateName": tmpl["Name"], "Links": map[string]string{}})
					}
				}
			}
		}
		for _, l := range tenantLibraries(c, t) {
			for _, tmpl := range elements(l["Templates"]) {
				if !hasDefault(tmpl) && valueFor(values, "LibraryVariableSetId", asString(l["Id"]), asString(tmpl["Id"]), "") == nil {
					missing = append(missing, map[string]any{"LibraryVariableSetId": l["Id"], "VariableTemplateId": tmpl["Id"],
						"VariableTemplateName": tmpl["Name"], "Links": map[string]string{}})
				}
			}
		}
		if len(missing) == 0 {
			continue
		}
		entry := map[string]any{"TenantId": t["Id"], "Links": map[string]string{}}
		if details {
			entry["MissingVariables"] = missing
		}
		out = append(out, entry)
	}
	return http.StatusOK, out, nil
}
