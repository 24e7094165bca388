package emulator

import (
	"maps"
	"net/http"
	"slices"
	"strings"
)

// staleVariables is the real server's 400 text for a PUT of a variable set
// carrying an old Version.
const staleVariables = "Changes to these variables could not be saved, because another user has made changes to the variables between when you started editing and when you saved your changes. Please reload or open a new tab to make your changes."

// variableTypes are the values of a variable's Type.
var variableTypes = []string{
	"String", "Sensitive", "Certificate", "AmazonWebServicesAccount", "AzureAccount", "GoogleCloudAccount",
	"GenericOidcAccount", "UsernamePasswordAccount", "WorkerPool",
}

// scopeFields are the keys of a variable's Scope (singular, as on the
// wire), as the server's ScopeField enum names them.
var scopeFields = []string{
	"Action", "Channel", "Environment", "EnvironmentParameter", "Machine", "ParentDeployment", "Private", "ProcessOwner",
	"ProcessTemplateStep", "Project", "ProjectTemplate", "Role", "TargetRole", "TargetTagParameter", "TemplatedProject",
	"Tenant", "TenantTag", "TenantTagParameter", "Trigger", "User",
}

// variableSetSchema is the schema of project and library variable sets.
// Scope is a map of scope fields to lists of values, checked and tidied by
// prepareVariables; ScopeValues is computed on the way out.
func variableSetSchema() *schema {
	return &schema{fields: []field{
		str("OwnerId").ro(),
		integer("Version"),
		objects("Variables",
			str("Id"),
			str("Name").req(),
			str("Value"),
			str("Description"),
			enum("Type", variableTypes...).withDefault("String"),
			boolean("IsSensitive"),
			boolean("IsEditable").withDefault(true),
			object("Prompt", str("Label"), str("Description"), boolean("Required"), strMap("DisplaySettings")).null(),
			anyValue("Scope"),
		),
	}}
}

func init() {
	register(&hooks{
		kind:     "projectVariables",
		def:      servedAt("projectVariables", "VariableSet"),
		schema:   variableSetSchema(),
		perms:    permissions{View: "VariableView", Edit: "VariableEdit"},
		noCreate: true,
		noDelete: true,
		prepare:  prepareVariables,
		links:    variableSetLinks,
		present:  presentScopeValues,
		// The routes serve every variable set of the space, a project's or
		// a library variable set's: both live at /variables/{id}.
		routes: []route{
			{method: http.MethodGet, pattern: "", perm: "VariableView", handle: listVariableSets},
			{method: http.MethodGet, pattern: "all", perm: "VariableView", handle: listVariableSets},
			{method: http.MethodGet, pattern: "names", perm: "VariableView", handle: variableNames},
			{method: http.MethodGet, pattern: "*", perm: "VariableView", handle: func(c *ctx, args []string) (int, any, error) {
				kind, doc, err := findVariableSet(c, args[0])
				if err != nil {
					return 0, nil, err
				}
				return http.StatusOK, c.render(kind, doc), nil
			}},
			{method: http.MethodPut, pattern: "*", write: true, perm: "VariableEdit", handle: func(c *ctx, args []string) (int, any, error) {
				kind, doc, err := findVariableSet(c, args[0])
				if err != nil {
					return 0, nil, err
				}
				return updateRendered(c, kind, doc)
			}},
		},
	})
	register(&hooks{
		kind:     "libraryVariables",
		schema:   variableSetSchema(),
		perms:    permissions{View: "LibraryVariableSetView", Edit: "LibraryVariableSetEdit"},
		noCreate: true,
		noDelete: true,
		prepare:  prepareVariables,
		links:    variableSetLinks,
		present:  presentScopeValues,
	})
	registerUsage("environments", func(c *ctx, doc Doc) string {
		return scopeUser(c, doc, "Environment", asString(doc["Id"]), "environment")
	})
	registerUsage("channels", func(c *ctx, doc Doc) string {
		return scopeUser(c, doc, "Channel", asString(doc["Id"]), "channel")
	})
	// Variables of the account, certificate and worker pool types hold
	// the id of what they stand for, which is then in use.
	for kind, types := range map[string][]string{
		"accounts":     {"AmazonWebServicesAccount", "AzureAccount", "GoogleCloudAccount", "GenericOidcAccount", "UsernamePasswordAccount"},
		"certificates": {"Certificate"},
		"workerPools":  {"WorkerPool"},
	} {
		registerUsage(kind, func(c *ctx, doc Doc) string {
			return valueUser(c, kind, doc, types)
		})
	}
}

// valueUser describes the first variable of doc's space whose type is one
// of types and whose value is doc's id (a document of kind), or returns "".
func valueUser(c *ctx, kind string, doc Doc, types []string) string {
	for _, setKind := range variableSetKinds {
		for _, set := range c.list(setKind, asString(doc["SpaceId"])) {
			for _, v := range elements(set["Variables"]) {
				if slices.Contains(types, asString(v["Type"])) && v["Value"] == doc["Id"] {
					return "This " + c.def(kind).Label + " is used by the variable '" + asString(v["Name"]) + "' of " +
						variableSetOwner(c, set) + ". Remove it from the variable before deleting it."
				}
			}
		}
	}
	return ""
}

// projectVariableRoutes serve a project's variable set below the project,
// where the project's Variables link points.
var projectVariableRoutes = []route{
	{method: http.MethodGet, pattern: "{id}/variables", perm: "VariableView", handle: func(c *ctx, _ []string) (int, any, error) {
		_, doc, err := findVariableSet(c, asString(c.doc["VariableSetId"]))
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, c.render("projectVariables", doc), nil
	}},
	// The project-level PUT is a command: it answers with an empty
	// object, not the set.
	{method: http.MethodPut, pattern: "{id}/variables", write: true, perm: "VariableEdit", handle: func(c *ctx, _ []string) (int, any, error) {
		_, doc, err := findVariableSet(c, asString(c.doc["VariableSetId"]))
		if err != nil {
			return 0, nil, err
		}
		if _, _, err := updateRendered(c, "projectVariables", doc); err != nil {
			return 0, nil, err
		}
		return http.StatusOK, map[string]any{}, nil
	}},
}

// variableSetKinds are the kinds whose documents are variable sets.
var variableSetKinds = []string{"projectVariables", "libraryVariables"}

// findVariableSet finds a variable set of the request's space by id,
// whichever kind of owner it has.
func findVariableSet(c *ctx, id string) (string, Doc, error) {
	for _, kind := range variableSetKinds {
		if d := c.get(kind, id); d != nil && asString(d["SpaceId"]) == c.spaceID {
			return kind, d, nil
		}
	}
	return "", nil, notFound(id)
}

// listVariableSets answers GET /variables and /variables/all: a bare
// array of the space's variable sets, optionally restricted by ids.
func listVariableSets(c *ctx, _ []string) (int, any, error) {
	ids := splitList(c.param("ids"))
	out := []Doc{}
	for _, kind := range variableSetKinds {
		for _, d := range c.list(kind, c.spaceID) {
			if len(ids) == 0 || slices.Contains(ids, asString(d["Id"])) {
				out = append(out, c.render(kind, d))
			}
		}
	}
	return http.StatusOK, out, nil
}

// variableNames answers GET /variables/names?project=: the names of the
// variables a project's deployments can use, its own and those of the
// library variable sets it includes, sorted and without repeats.
func variableNames(c *ctx, _ []string) (int, any, error) {
	names := []string{}
	add := func(set Doc) {
		for _, v := range elements(set["Variables"]) {
			if n := asString(v["Name"]); !slices.Contains(names, n) {
				names = append(names, n)
			}
		}
	}
	if p := inSpace(c, "projects", c.spaceID, c.param("project")); p != nil {
		if set := c.get("projectVariables", asString(p["VariableSetId"])); set != nil {
			add(set)
		}
		for _, id := range stringList(p["IncludedLibraryVariableSetIds"]) {
			if set := c.get("libraryVariables", "variableset-"+id); set != nil {
				add(set)
			}
		}
	}
	slices.Sort(names)
	return http.StatusOK, names, nil
}

// variableSetLinks are a variable set's Links.
func variableSetLinks(l *linker, doc Doc) map[string]string {
	return map[string]string{"Self": l.inSpace("variables", doc)}
}

// prepareVariables checks a variable set on PUT. The whole set is
// replaced: the Version must be current (and is bumped); variables without
// an Id get one, and ids may not repeat; Scope keys must be scope fields
// and the ids they name must exist; prompted variables may be scoped to
// environments only. A sensitive variable's value is never stored in the
// document: a non-empty Value sets it; an empty or null one keeps the
// stored value when the variable carries its Id (a client that read the
// set and sends it back) and leaves it empty when it does not.
func prepareVariables(c *ctx, doc, old Doc) error {
	if err := checkVersion(doc, old, staleVariables); err != nil {
		return err
	}
	b := newSecretBook(c, asString(doc["Id"]))
	var errs []string
	seen := map[string]bool{}
	dupReported := false
	for _, v := range elements(doc["Variables"]) {
		had := ensureID(v)
		id := asString(v["Id"])
		if seen[id] && !dupReported {
			errs = append(errs, "Variable ids must be unique.")
			dupReported = true
		}
		seen[id] = true
		scope, serrs := tidyScope(c, doc, v)
		errs = append(errs, serrs...)
		v["Scope"] = scope
		if v["Prompt"] != nil {
			for k := range scope {
				if k != "Environment" {
					errs = append(errs, "Prompted variables cannot be scoped to anything except an environment.")
					break
				}
			}
		}
		if v["IsSensitive"] == true || v["Type"] == "Sensitive" {
			v["IsSensitive"], v["Type"] = true, "Sensitive"
			path := "Variables[" + id + "]"
			if val := asString(v["Value"]); val != "" {
				b.set(path, val)
			} else if had {
				b.keep(path)
			}
			v["Value"] = nil
		}
	}
	if len(errs) > 0 {
		return badRequest(errs...)
	}
	b.commit()
	return nil
}

// tidyScope checks a variable's Scope and returns it in the server's form:
// keys spelled as the scope fields are, values lists of strings, empty
// lists dropped. Ids of environments, channels, tenants, process owners
// and actions must exist in the set's space (and, for a project's set,
// belong to the project); tenant tags are canonical names of existing
// tags; roles are free text.
func tidyScope(c *ctx, set, v map[string]any) (map[string]any, []string) {
	out := map[string]any{}
	raw := v["Scope"]
	if raw == nil {
		return out, nil
	}
	m, ok := raw.(map[string]any)
	name := asString(v["Name"])
	if !ok {
		return out, []string{"Error converting value " + literal(raw) + " to type 'Octopus.Core.Model.Variables.ScopeSpecification'. Path 'Variables[" + name + "].Scope'."}
	}
	var errs []string
	for _, key := range slices.Sorted(maps.Keys(m)) {
		val := m[key]
		i := slices.IndexFunc(scopeFields, func(f string) bool { return strings.EqualFold(f, key) })
		if i < 0 {
			errs = append(errs, "Error converting value \""+key+"\" to type 'Octopus.Core.Model.Variables.ScopeField'. Path 'Variables["+name+"].Scope'.")
			continue
		}
		var values []any
		switch val := val.(type) {
		case nil:
		case string:
			values = []any{val}
		case []any:
			for _, e := range val {
				s, ok := e.(string)
				if !ok {
					errs = append(errs, "Error converting value "+literal(e)+" to type 'System.String'. Path 'Variables["+name+"].Scope."+scopeFields[i]+"'.")
					continue
				}
				values = append(values, s)
			}
		default:
			errs = append(errs, "Error converting value "+literal(val)+" to type 'Octopus.Core.Model.Variables.ScopeValue'. Path 'Variables["+name+"].Scope."+scopeFields[i]+"'.")
		}
		if len(values) == 0 {
			continue
		}
		out[scopeFields[i]] = values
		for _, id := range stringList(values) {
			if !scopeValueExists(c, set, scopeFields[i], id) {
				errs = append(errs, "The "+scopeNoun(scopeFields[i])+" '"+id+"' in the scope of the variable '"+name+"' was not found.")
			}
		}
	}
	return out, errs
}

// scopeNoun names what a scope field's values are, for messages.
func scopeNoun(field string) string {
	switch field {
	case "TenantTag":
		return "tenant tag"
	case "ProcessOwner":
		return "process owner"
	}
	return strings.ToLower(field)
}

// scopeValueExists reports whether a scope value names something the
// variable set may be scoped to. Fields that name nothing the emulator
// keeps (roles, machines, users, triggers) accept any value.
func scopeValueExists(c *ctx, set Doc, field, id string) bool {
	space := asString(set["SpaceId"])
	project := c.get("projects", asString(set["OwnerId"]))
	switch field {
	case "Environment":
		return inSpace(c, "environments", space, id) != nil
	case "Tenant":
		return inSpace(c, "tenants", space, id) != nil
	case "TenantTag":
		names, _ := tagsFor(c, space, "Tenant")
		return names[strings.ToLower(id)]
	case "Channel":
		ch := inSpace(c, "channels", space, id)
		return ch != nil && (project == nil || ch["ProjectId"] == project["Id"])
	case "ProcessOwner":
		if project != nil {
			if id == asString(project["Id"]) {
				return true
			}
			rb := inSpace(c, "runbooks", space, id)
			return rb != nil && rb["ProjectId"] == project["Id"]
		}
		return inSpace(c, "projects", space, id) != nil || inSpace(c, "runbooks", space, id) != nil
	case "Action":
		found := false
		for _, p := range processesOf(c, space, project) {
			eachAction(p, func(_, a map[string]any) { found = found || a["Id"] == id })
		}
		return found
	}
	return true
}

// processesOf returns the deployment process and runbook processes of a
// project, or every process of the space when project is nil.
func processesOf(c *ctx, space string, project Doc) []Doc {
	if project == nil {
		return append(slices.Clone(c.list("deploymentProcess", space)), c.list("runbookProcess", space)...)
	}
	var out []Doc
	if p := c.get("deploymentProcess", asString(project["DeploymentProcessId"])); p != nil {
		out = append(out, p)
	}
	for _, rb := range ofProject(c, "runbooks", project) {
		if p := c.get("runbookProcess", asString(rb["RunbookProcessId"])); p != nil {
			out = append(out, p)
		}
	}
	return out
}

// presentScopeValues adds ScopeValues to a variable set on its way out:
// what its variables can be scoped to, each as {Id, Name}.
func presentScopeValues(c *ctx, doc Doc) {
	space := asString(doc["SpaceId"])
	project := c.get("projects", asString(doc["OwnerId"]))
	envs := []any{}
	for _, e := range c.list("environments", space) {
		envs = append(envs, refWithName(e["Id"], e["Name"]))
	}
	machines := []any{}
	if c.inst.kinds["machines"] != nil {
		for _, m := range c.list("machines", space) {
			machines = append(machines, refWithName(m["Id"], m["Name"]))
		}
	}
	var roles []string
	addRole := func(r string) {
		if r = strings.TrimSpace(r); r != "" && !slices.Contains(roles, r) {
			roles = append(roles, r)
		}
	}
	for _, p := range processesOf(c, space, nil) {
		for _, s := range elements(p["Steps"]) {
			props, _ := s["Properties"].(map[string]any)
			for r := range strings.SplitSeq(asString(props["Octopus.Action.TargetRoles"]), ",") {
				addRole(r)
			}
		}
	}
	for _, v := range elements(doc["Variables"]) {
		scope, _ := v["Scope"].(map[string]any)
		for _, r := range stringList(scope["Role"]) {
			addRole(r)
		}
	}
	slices.Sort(roles)
	roleRefs := []any{}
	for _, r := range roles {
		roleRefs = append(roleRefs, refWithName(r, r))
	}
	tags := []any{}
	for _, ts := range c.list("tagSets", space) {
		if !slices.Contains(stringList(ts["Scopes"]), "Tenant") {
			continue
		}
		for _, t := range elements(ts["Tags"]) {
			tags = append(tags, refWithName(t["CanonicalTagName"], t["CanonicalTagName"]))
		}
	}
	actions, channels, processes := []any{}, []any{}, []any{}
	if project != nil {
		for _, p := range processesOf(c, space, project) {
			eachAction(p, func(_, a map[string]any) { actions = append(actions, refWithName(a["Id"], a["Name"])) })
		}
		for _, ch := range ofProject(c, "channels", project) {
			channels = append(channels, refWithName(ch["Id"], ch["Name"]))
		}
		processes = append(processes, map[string]any{"Id": project["Id"], "Name": project["Name"], "ProcessType": "Deployment"})
		for _, rb := range ofProject(c, "runbooks", project) {
			processes = append(processes, map[string]any{"Id": rb["Id"], "Name": rb["Name"], "ProcessType": "Runbook"})
		}
	}
	doc["ScopeValues"] = map[string]any{
		"Actions":               actions,
		"Channels":              channels,
		"EnvironmentParameters": []any{},
		"Environments":          envs,
		"Machines":              machines,
		"ProcessTemplateSteps":  []any{},
		"Processes":             processes,
		"Roles":                 roleRefs,
		"TargetTagParameters":   []any{},
		"TenantTagParameters":   []any{},
		"TenantTags":            tags,
	}
}

// scopeUser describes the first variable of doc's space scoped to value
// in field, or returns "" (the usage check that refuses deleting an
// environment or channel still used by a variable's scope).
func scopeUser(c *ctx, doc Doc, field, value, noun string) string {
	space := asString(doc["SpaceId"])
	for _, kind := range variableSetKinds {
		for _, set := range c.list(kind, space) {
			for _, v := range elements(set["Variables"]) {
				scope, _ := v["Scope"].(map[string]any)
				if slices.Contains(stringList(scope[field]), value) {
					return "This " + noun + " is used in the scope of the variable '" + asString(v["Name"]) + "' of " + variableSetOwner(c, set) +
						". Remove it from the variable's scope before deleting the " + noun + "."
				}
			}
		}
	}
	return ""
}

// variableSetOwner describes the owner of a variable set for messages.
func variableSetOwner(c *ctx, set Doc) string {
	owner := asString(set["OwnerId"])
	if p := c.get("projects", owner); p != nil {
		return "the project '" + asString(p["Name"]) + "'"
	}
	if l := c.get("libraryVariableSets", owner); l != nil {
		return "the library variable set '" + asString(l["Name"]) + "'"
	}
	return "'" + owner + "'"
}
