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

// This file holds what the kinds of the project family share: serving a
// registry kind the registry calls derived at its own path, write-only
// values inside property maps, template parameters, element ids and
// Version checks.

// servedAt is the registry row of a derived kind (a deployment process, a
// variable set) as the emulator serves it: a collection at the kind's
// path, listed with itemType, whose documents the server creates with their
// owner (hooks.noCreate, hooks.noDelete). The registry row itself says
// Derived because octosync addresses these documents through their owner.
func servedAt(name, itemType string) *octopus.Kind {
	k := *octopus.KindByName(name)
	k.Shape = octopus.Collection
	k.ItemType = itemType
	return &k
}

// createDerived stores the document the server creates together with its
// owner (a project's deployment process and variable set, a runbook's
// process): the schema's defaults, then fields, under the derived id.
func createDerived(c *ctx, kind, space, id string, fields Doc) Doc {
	doc, _, _ := c.def(kind).h.schema.decode(Doc{}, nil)
	maps.Copy(doc, fields)
	doc["Id"] = id
	doc["SpaceId"] = space
	doc["LastModifiedOn"] = c.stamp()
	doc["LastModifiedBy"] = c.username()
	c.put(kind, doc)
	return doc
}

// touch stores a changed copy of a document the server rewrites on its own
// (a renamed tag in a tenant, a disconnected project), stamped as the
// request's change.
func touch(c *ctx, kind string, doc Doc) {
	doc["LastModifiedOn"] = c.stamp()
	doc["LastModifiedBy"] = c.username()
	c.put(kind, doc)
}

// checkVersion applies optimistic concurrency to a versioned document
// (processes, variable sets): a create starts at Version 0; an update must
// carry the stored Version, else it is refused with the kind's stale text,
// and bumps it.
func checkVersion(doc, old Doc, stale string) error {
	if old == nil {
		doc["Version"] = json.Number("0")
		return nil
	}
	if asInt(doc["Version"]) != asInt(old["Version"]) {
		return refused(stale)
	}
	doc["Version"] = json.Number(strconv.Itoa(asInt(old["Version"]) + 1))
	return nil
}

// bumpVersion increments the server-owned Version of a document that is
// not checked against the client's (step templates, library variable
// sets).
func bumpVersion(doc, old Doc) {
	if old == nil {
		doc["Version"] = json.Number("0")
		return
	}
	doc["Version"] = json.Number(strconv.Itoa(asInt(old["Version"]) + 1))
}

// ensureID gives an element (a step, an action, a variable, a template) a
// server-assigned GUID when the client sent none, and reports whether it
// had one.
func ensureID(m map[string]any) bool {
	if asString(m["Id"]) != "" {
		return true
	}
	m["Id"] = newUUID()
	return false
}

// elements returns the objects of an array field of a decoded document
// (the maps themselves, so hooks may change them in place).
func elements(v any) []map[string]any {
	list, _ := v.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// secretBook keeps the write-only values of one document while a hook
// rebuilds it. Property maps, template default values, sensitive variables
// and tenant variable values live inside arrays and maps the schema cannot
// describe field by field, so their kinds manage the document's secrets
// themselves: every secret the new document still uses is set or kept;
// commit clears the others.
type secretBook struct {
	c      *ctx
	id     string
	old    map[string]string
	writes []secretWrite
	used   map[string]bool
}

func newSecretBook(c *ctx, id string) *secretBook {
	return &secretBook{c: c, id: id, old: c.st.secrets[id], used: map[string]bool{}}
}

// set stores a new secret at path.
func (b *secretBook) set(path, value string) {
	b.writes = append(b.writes, secretWrite{Path: path, Value: value})
	b.used[path] = true
}

// keep keeps the secret stored at path, if there is one, and reports
// whether there was.
func (b *secretBook) keep(path string) bool {
	if _, ok := b.old[path]; ok {
		b.used[path] = true
		return true
	}
	return false
}

// commit writes the changes: the secrets set, and the removal of every
// stored secret the document no longer uses.
func (b *secretBook) commit() {
	for _, p := range slices.Sorted(maps.Keys(b.old)) {
		if !b.used[p] {
			b.writes = append(b.writes, secretWrite{Path: p, Clear: true})
		}
	}
	b.c.setSecrets(b.id, b.writes)
}

// value applies the rules of a property value, which is either a plain
// string (kept as it is; JSON numbers and booleans become their text, as
// the server's converter makes them) or a SensitiveValue object: a
// non-empty NewValue sets the secret at path, an empty NewValue or
// HasValue false clears it, and anything else keeps the stored one. A
// SensitiveValue is replaced by what responses show, {HasValue, NewValue:
// null, Hint}. ok is false for any other JSON value.
func (b *secretBook) value(v any, path string) (any, bool) {
	switch v := v.(type) {
	case nil, string:
		return v, true
	case json.Number, bool:
		s, _ := scalarString(v)
		return s, true
	case map[string]any:
		hint, _ := v["Hint"].(string)
		var h any
		if hint != "" {
			h = hint
		}
		if nv, ok := v["NewValue"].(string); ok {
			if nv == "" {
				return sensitiveDoc(false, h), true
			}
			b.set(path, nv)
			return sensitiveDoc(true, h), true
		}
		if has, ok := v["HasValue"].(bool); ok && !has {
			return sensitiveDoc(false, h), true
		}
		return sensitiveDoc(b.keep(path), h), true
	}
	return nil, false
}

// properties checks a property map (action, step and step template
// Properties: values are strings or SensitiveValue objects) and returns it
// with its write-only values taken out. A missing map is an empty one.
func (b *secretBook) properties(v any, path string) (map[string]any, []string) {
	if v == nil {
		return map[string]any{}, nil
	}
	m, ok := v.(map[string]any)
	if !ok {
		return map[string]any{}, []string{"Error converting value " + literal(v) +
			" to type 'System.Collections.Generic.Dictionary`2[System.String,Octopus.Server.Extensibility.HostServices.Model.PropertyValueResource]'. Path '" + path + "'."}
	}
	out := make(map[string]any, len(m))
	var errs []string
	for _, k := range slices.Sorted(maps.Keys(m)) {
		nv, ok := b.value(m[k], path+"["+k+"]")
		if !ok {
			errs = append(errs, "Error converting value "+literal(m[k])+" to type 'Octopus.Server.Extensibility.HostServices.Model.PropertyValueResource'. Path '"+path+"."+k+"'.")
			continue
		}
		out[k] = nv
	}
	return out, errs
}

// templateParameters is the schema of ActionTemplateParameter lists: a
// project's and a library variable set's variable templates, a step
// template's parameters.
func templateParameters(name string) field {
	return objects(name,
		str("Id"),
		str("Name"),
		str("Label"),
		str("HelpText"),
		anyValue("DefaultValue"),
		strMap("DisplaySettings"),
	)
}

// prepareTemplates gives every template parameter of doc[field] a GUID
// (nameless ones included: tenant variables are keyed by it), moves
// sensitive default values into the book, and, when checkOptions is set,
// refuses Select templates without options as the server does for project
// and library variable set templates.
func prepareTemplates(b *secretBook, doc Doc, field string, checkOptions bool) []string {
	var errs []string
	seen := map[string]bool{}
	for _, t := range elements(doc[field]) {
		ensureID(t)
		id := asString(t["Id"])
		if seen[id] {
			errs = append(errs, "Template ids must be unique; '"+id+"' is used more than once.")
		}
		seen[id] = true
		dv, ok := b.value(t["DefaultValue"], field+"["+id+"].DefaultValue")
		if !ok {
			errs = append(errs, "Error converting value "+literal(t["DefaultValue"])+" to type 'Octopus.Server.Extensibility.HostServices.Model.PropertyValueResource'. Path '"+field+".DefaultValue'.")
		}
		t["DefaultValue"] = dv
		ds, _ := t["DisplaySettings"].(map[string]any)
		if checkOptions && strings.EqualFold(asString(ds["Octopus.ControlType"]), "Select") && strings.TrimSpace(asString(ds["Octopus.SelectOptions"])) == "" {
			errs = append(errs, "Variable template '"+asString(t["Name"])+"' does not have drop down options set.")
		}
	}
	return errs
}

// inSpace returns the document of kind with id when it lives in space.
func inSpace(c *ctx, kind, space, id string) Doc {
	if id == "" || c.inst.kinds[kind] == nil {
		return nil
	}
	d := c.get(kind, id)
	if d == nil || asString(d["SpaceId"]) != space {
		return nil
	}
	return d
}

// ofProject returns the documents of a child kind (channels, runbooks)
// that belong to a project, in list order.
func ofProject(c *ctx, kind string, project Doc) []Doc {
	var out []Doc
	for _, d := range c.list(kind, asString(project["SpaceId"])) {
		if d["ProjectId"] == project["Id"] {
			out = append(out, d)
		}
	}
	return out
}

// childInProject finds a project's channel or runbook by id, slug or
// name (case-insensitively), the lookup the project-scoped routes make.
func childInProject(c *ctx, kind string, project Doc, ref string) (Doc, error) {
	for _, d := range ofProject(c, kind, project) {
		if strings.EqualFold(asString(d["Id"]), ref) || asString(d["Slug"]) == ref || strings.EqualFold(asString(d["Name"]), ref) {
			return d, nil
		}
	}
	return nil, notFound(ref)
}

// keepAbsent returns a copy of an update body in which the listed
// collections the body leaves out or sends as null are the stored ones:
// the channel rule "absent keeps, [] clears".
func keepAbsent(body, old Doc, fields ...string) Doc {
	out := maps.Clone(body)
	for _, f := range fields {
		if out[f] == nil {
			out[f] = old[f]
		}
	}
	return out
}

// refWithName is a {Id, Name} reference, the shape of ScopeValues items
// and other server-computed lookups.
func refWithName(id, name any) map[string]any {
	return map[string]any{"Id": id, "Name": name}
}

// slugInProject sets the Slug of a channel or runbook the client left
// empty: from the name, unique among the project's documents of the kind
// (these slugs are unique per project, not per space). A slug, once set,
// survives renames.
func slugInProject(c *ctx, kind string, doc, old Doc) {
	if asString(doc["Slug"]) != "" {
		return
	}
	if old != nil && asString(old["Slug"]) != "" {
		doc["Slug"] = old["Slug"]
		return
	}
	base := slugify(asString(doc["Name"]))
	if base == "" {
		base = strings.ToLower(asString(doc["Id"]))
	}
	taken := map[string]bool{}
	c.each(kind, asString(doc["SpaceId"]), func(d Doc) {
		if d["ProjectId"] == doc["ProjectId"] && d["Id"] != doc["Id"] {
			taken[asString(d["Slug"])] = true
		}
	})
	slug := base
	for i := 1; taken[slug]; i++ {
		slug = base + "-" + strconv.Itoa(i)
	}
	doc["Slug"] = slug
}

// uniqueInProject is the uniqueness key of channels and runbooks, whose
// names are unique per project.
func uniqueInProject(doc Doc) string {
	return asString(doc["ProjectId"]) + "/" + strings.ToLower(asString(doc["Name"]))
}

// childRoutes are the routes of one channel or runbook in its space-wide
// collection: GET, PUT and DELETE by id, and /all. They replace the
// generic {id} routes because those also accept a slug, and a channel's or
// runbook's slug is unique only within its project ("default" names every
// project's Default channel): here only the id finds a document. put
// answers the PUT.
func childRoutes(kind string, p permissions, put func(c *ctx, old Doc) (int, any, error)) []route {
	find := func(c *ctx, id string) (Doc, error) {
		d := c.get(kind, id)
		if d == nil {
			c.each(kind, c.spaceID, func(x Doc) {
				if strings.EqualFold(asString(x["Id"]), id) {
					d = x
				}
			})
		}
		if d == nil || asString(d["SpaceId"]) != c.spaceID {
			return nil, notFound(id)
		}
		return d, nil
	}
	return []route{
		{method: http.MethodGet, pattern: "all", perm: p.View, handle: func(c *ctx, _ []string) (int, any, error) {
			return allHandler(c, c.def(kind))
		}},
		{method: http.MethodGet, pattern: "*", perm: p.View, handle: func(c *ctx, args []string) (int, any, error) {
			d, err := find(c, args[0])
			if err != nil {
				return 0, nil, err
			}
			return http.StatusOK, c.render(kind, d), nil
		}},
		{method: http.MethodPut, pattern: "*", write: true, perm: p.Edit, handle: func(c *ctx, args []string) (int, any, error) {
			d, err := find(c, args[0])
			if err != nil {
				return 0, nil, err
			}
			return put(c, d)
		}},
		{method: http.MethodDelete, pattern: "*", write: true, perm: p.Delete, handle: func(c *ctx, args []string) (int, any, error) {
			d, err := find(c, args[0])
			if err != nil {
				return 0, nil, err
			}
			return http.StatusOK, nil, c.remove(kind, d)
		}},
	}
}
