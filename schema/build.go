package schema

import (
	"strconv"
	"strings"

	"cuelang.org/go/cue"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/octopus"
)

// meta are octosync's settings of every resource; they never reach the
// document.
var meta = []string{"ownership", "fields", "ignore"}

// resShape is the shape of a resource document: octosync's settings and
// the children kept elsewhere are skipped, extra is merged.
func resShape(children ...string) *shape {
	return &shape{extra: true, skip: set(append(children, meta...)...)}
}

// Shapes of the documents whose children or helper inputs are not API
// fields.
var (
	plainShape       = resShape()
	spaceShape       = resShape(spaceKeys()...)
	projectShape     = resShape("process", "variables", "channels", "runbooks")
	runbookShape     = resShape("process")
	withVariables    = resShape("variables")
	scriptModShape   = resShape("script", "syntax")
	teamShape        = resShape("roles")
	grantShape       = resShape()
	childShape       = &shape{skip: set(meta...)}
	stepTemplateKeep = &shape{extra: true, keep: set("Name", "Description", "ActionType", "Properties", "Parameters", "Packages")}
)

// spaceKeys are the keys of a space that are not the space's own API
// fields: the kinds it holds and octosync's settings.
func spaceKeys() []string {
	keys := []string{"prune", "acknowledge"}
	for _, k := range spaceKinds() {
		keys = append(keys, k.Name)
	}
	return keys
}

// spaceKinds are the kinds a space declares under their own names.
func spaceKinds() []*octopus.Kind {
	var ks []*octopus.Kind
	for _, k := range octopus.Kinds() {
		if k.Scope.Has(octopus.ScopeSpace) && k.Owner == "" && k.Managed && k.Shape == octopus.Collection && k.Name != "scopedUserRoles" {
			ks = append(ks, k)
		}
	}
	return ks
}

// res is a resource being built, with what the checks need besides the
// model: its subject in Octopus terms, its owner and the value it came
// from.
type res struct {
	*model.Resource
	kind    *octopus.Kind
	subject string
	owner   *res
	// bad is set when the configuration's own checks (CUE's) failed
	// inside the resource: octosync's checks skip it.
	bad bool
}

// builder builds the resources of one instance or space.
type builder struct {
	l      *loader
	inst   string
	space  string
	prefix string // subject of the space or instance
	res    []*res
	// errs are the CUE paths (relative to the built value) with errors.
	errs []string
}

// subject joins subject parts.
func subject(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if p == "" {
			continue
		}
		if b.Len() > 0 {
			b.WriteString(": ")
		}
		b.WriteString(p)
	}
	return b.String()
}

// named formats `label "name"`.
func named(label, name string) string { return label + " " + strconv.Quote(name) }

// add builds the resource of kind at v, its document decoded with sh.
func (b *builder) add(kind, owner, name string, v cue.Value, sh *shape, parent *res, subj string, path string) *res {
	d := &decoder{l: b.l, fields: map[string]model.Pos{}}
	x, _, _ := d.value(v, "", sh)
	doc, _ := x.(map[string]any)
	if doc == nil {
		doc = map[string]any{}
	}
	first := d.fields[""]
	delete(d.fields, "")
	k := octopus.KindByName(kind)
	r := &res{
		Resource: &model.Resource{
			Key:    model.Key{Instance: b.inst, Space: b.space, Kind: kind, Owner: owner, Name: name},
			Doc:    doc,
			Pos:    b.l.declPos(v, first),
			Fields: d.fields,
		},
		kind:    k,
		subject: subj,
		owner:   parent,
		bad:     b.hasErrors(path),
	}
	if k.Scope == octopus.ScopeInstance || (k.Scope.Has(octopus.ScopeInstance) && b.space == "") {
		r.Key.Space = ""
	}
	b.meta(r, v, parent)
	for _, p := range d.problems {
		b.l.diags = append(b.l.diags, model.Diagnostic{Severity: model.Error, Pos: orPos(p.pos, r.FieldPos(p.ptr)), Subject: subj, Message: p.msg})
		r.bad = true
	}
	b.res = append(b.res, r)
	return r
}

// meta reads octosync's settings of a resource: ownership (inherited from
// the owner when unset), per-field ownership and ignore rules.
func (b *builder) meta(r *res, v cue.Value, parent *res) {
	r.Ownership = model.Enforce
	if parent != nil {
		r.Ownership = parent.Ownership
	}
	if s, err := v.LookupPath(cue.ParsePath("ownership")).String(); err == nil {
		r.Ownership = model.Ownership(s)
	}
	var fields map[string]string
	if fv := v.LookupPath(cue.ParsePath("fields")); fv.Exists() && fv.Decode(&fields) == nil && len(fields) > 0 {
		r.FieldOwnership = map[string]model.Ownership{}
		for p, o := range fields {
			r.FieldOwnership[p] = model.Ownership(o)
		}
	}
	if iv := v.LookupPath(cue.ParsePath("ignore")); iv.Exists() {
		_ = iv.Decode(&r.Ignore)
	}
}

// hasErrors reports whether CUE found errors at or under path.
func (b *builder) hasErrors(path string) bool {
	for _, e := range b.errs {
		if e == path || strings.HasPrefix(e, path+".") || strings.HasPrefix(path, e+".") {
			return true
		}
	}
	return false
}

// each calls f for every regular field of the struct at sel in v.
func each(v cue.Value, sel string, f func(name string, v cue.Value)) {
	fv := v.LookupPath(cue.MakePath(cue.Str(sel)))
	if !fv.Exists() {
		return
	}
	it, err := fv.Fields()
	if err != nil {
		return
	}
	for it.Next() {
		f(label(it.Selector()), it.Value())
	}
}

// lookup returns the field sel of v.
func lookup(v cue.Value, sel string) cue.Value { return v.LookupPath(cue.MakePath(cue.Str(sel))) }

// cuePath joins CUE path elements as the error paths spell them.
func cuePath(parts ...string) string {
	var b strings.Builder
	for _, p := range parts {
		if b.Len() > 0 {
			b.WriteByte('.')
		}
		b.WriteString(p)
	}
	return b.String()
}

// spaceContents builds every resource inside a space.
func (b *builder) spaceContents(sv cue.Value) {
	for _, k := range spaceKinds() {
		kind := k
		each(sv, kind.Name, func(name string, v cue.Value) {
			subj := subject(b.prefix, named(kind.Label, name))
			path := cuePath(kind.Name, name)
			switch kind.Name {
			case "projects":
				b.project(name, v, subj, path)
			case "libraryVariableSets":
				r := b.add(kind.Name, "", name, v, withVariables, nil, subj, path)
				if vv := lookup(v, "variables"); vv.Exists() {
					b.variables("libraryVariables", name, vv, r, subject(subj, "variables"), path+".variables")
				}
			case "scriptModules":
				r := b.add(kind.Name, "", name, v, scriptModShape, nil, subj, path)
				b.variables("libraryVariables", name, v.LookupPath(cue.MakePath(cue.Def("#variables"))), r, subject(subj, "script"), path)
			case "stepTemplates":
				b.add(kind.Name, "", name, v, stepTemplateKeep, nil, subj, path)
			case "tenants":
				r := b.add(kind.Name, "", name, v, withVariables, nil, subj, path)
				if vv := lookup(v, "variables"); vv.Exists() {
					b.add("tenantVariables", name, "", vv, childShape, r, subject(subj, "variables"), path+".variables")
				}
			case "teams":
				b.team(name, v, subj, path)
			default:
				b.add(kind.Name, "", name, v, plainShape, nil, subj, path)
			}
		})
	}
}

// project builds a project and its children.
func (b *builder) project(name string, v cue.Value, subj, path string) {
	p := b.add("projects", "", name, v, projectShape, nil, subj, path)
	if pv := lookup(v, "process"); pv.Exists() {
		b.add("deploymentProcess", name, "", pv, processShape, p, subject(subj, "deployment process"), path+".process")
	}
	if vv := lookup(v, "variables"); vv.Exists() {
		b.variables("projectVariables", name, vv, p, subject(subj, "variables"), path+".variables")
	}
	each(v, "channels", func(ch string, cv cue.Value) {
		b.add("channels", name, ch, cv, plainShape, p, subject(subj, named("channel", ch)), cuePath(path, "channels", ch))
	})
	each(v, "runbooks", func(rb string, rv cue.Value) {
		rsubj := subject(subj, named("runbook", rb))
		rpath := cuePath(path, "runbooks", rb)
		r := b.add("runbooks", name, rb, rv, runbookShape, p, rsubj, rpath)
		if pv := lookup(rv, "process"); pv.Exists() {
			b.add("runbookProcess", name, rb, pv, processShape, r, subject(rsubj, "process"), rpath+".process")
		}
	})
}

// variables builds a variable set from the map of variable names to
// values: the document is {Variables: [...]}, each value with its Name.
func (b *builder) variables(kind, owner string, v cue.Value, parent *res, subj, path string) {
	d := &decoder{l: b.l, fields: map[string]model.Pos{}}
	list := []any{}
	it, err := v.Fields()
	if err == nil {
		for it.Next() {
			name := label(it.Selector())
			vals, err := it.Value().List()
			if err != nil {
				continue
			}
			for vals.Next() {
				ptr := pointer("/Variables", strconv.Itoa(len(list)))
				x, p, ok := d.value(vals.Value(), ptr, nil)
				m, isMap := x.(map[string]any)
				if !ok || !isMap {
					continue
				}
				m["Name"] = name
				if p.IsValid() {
					d.fields[pointer(ptr, "Name")] = p
				}
				list = append(list, m)
			}
		}
	}
	r := &res{
		Resource: &model.Resource{
			Key:    model.Key{Instance: b.inst, Space: b.space, Kind: kind, Owner: owner},
			Doc:    model.Doc{"Variables": list},
			Pos:    b.l.declPos(v, d.fields["/Variables/0"]),
			Fields: d.fields,
		},
		kind:    octopus.KindByName(kind),
		subject: subj,
		owner:   parent,
		bad:     b.hasErrors(path),
	}
	if !r.Pos.IsValid() && parent != nil {
		r.Pos = parent.Pos
	}
	b.meta(r, v, parent)
	b.res = append(b.res, r)
}

// team builds a team and its role grants. A grant's name is "team/role",
// or "team/role/space" for a system team's grant in a space; like any
// child, a grant takes its team's ownership unless it sets its own.
func (b *builder) team(name string, v cue.Value, subj, path string) {
	t := b.add("teams", "", name, v, teamShape, nil, subj, path)
	rv := lookup(v, "roles")
	if !rv.Exists() {
		return
	}
	it, err := rv.List()
	if err != nil {
		return
	}
	for i := 0; it.Next(); i++ {
		gv := it.Value()
		role, _ := lookup(gv, "UserRole").String()
		grant := name + "/" + role
		gsubj := subject(subj, named("role", role))
		if sp, err := lookup(gv, "Space").String(); err == nil {
			grant += "/" + sp
			gsubj += " in " + named("space", sp)
		}
		g := b.add("scopedUserRoles", "", grant, gv, grantShape, t, gsubj, path+".roles."+strconv.Itoa(i))
		g.Doc["Team"] = name
	}
}

// orPos returns p, or q when p is invalid.
func orPos(p, q model.Pos) model.Pos {
	if p.IsValid() {
		return p
	}
	return q
}

// elements iterates the elements of a list, also of one holding an error
// (whose elements CUE still lists as its fields).
func elements(v cue.Value) *cue.Iterator {
	if it, err := v.List(); err == nil {
		return &it
	}
	if it, err := v.Fields(); err == nil {
		return it
	}
	it, _ := cue.Value{}.List()
	return &it
}
