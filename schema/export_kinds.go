package schema

import (
	"fmt"
	"maps"
	"slices"
	"strings"

	"cuelang.org/go/cue"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/octopus"
)

// exportKinds are the kinds a space file declares, in the order it
// declares them: dependency order, the space's teams (whose grants name
// everything else) last.
func exportKinds() []*octopus.Kind {
	var ks, teams []*octopus.Kind
	for _, k := range spaceKinds() {
		if k.Name == "teams" {
			teams = append(teams, k)
			continue
		}
		ks = append(ks, k)
	}
	return append(ks, teams...)
}

// builtInFresh holds built-in resources as a new space has them, written
// as export writes them (canonical JSON): one found in that state is left
// out, since configuration may use it without declaring it.
var builtInFresh = map[string]map[string]string{
	"lifecycles": {
		"Default Lifecycle": `{"Description":"This is the default lifecycle. It has no phases: releases can be deployed to every environment."}`,
	},
	"projectGroups": {"Default Project Group": `{"Description":"The default project group."}`},
	"channels":      {"Default": `{"IsDefault":true}`},
}

// spaceFile writes a space's file (spaces/<name>.cue): the space's own
// fields and everything it holds.
func (x *exporter) spaceFile(sp *model.Space, file string) error {
	sc := x.spaces[sp.Name]
	var body *expStruct
	if own := x.instRes("spaces", sp.Name); own != nil {
		body, _ = x.resource(own, "#Space", sp.Name, own.Doc, nil, named("space", sp.Name))
	} else {
		body = &expStruct{}
		x.leftOut(named("space", sp.Name), "its own document (description, managers) was not read")
	}
	for _, k := range exportKinds() {
		m := &expStruct{}
		for _, r := range sc.top[k.Name] {
			if v := x.spaceResource(sp.Name, sc, r); v != nil {
				m.add(r.Key.Name, v)
			}
		}
		if len(m.fields) > 0 {
			x.insertBeforeMeta(body, expField{label: k.Name, value: m, gap: true})
		}
	}
	top := (&expStruct{}).add("instances", (&expStruct{}).add(x.in.Name, (&expStruct{}).add("spaces", (&expStruct{}).add(sp.Name, body))))
	header := []string{fmt.Sprintf("Space %q of instance %q, exported from Octopus by octosync export.", sp.Name, x.in.Name)}
	b, err := expFile(header, x.opts.Package, usesSchema(body), top)
	if err != nil {
		return fmt.Errorf("write the space %q: %w", sp.Name, err)
	}
	x.out.Files[file] = b
	return nil
}

// spaceResource writes one top-level resource of a space with the
// documents it owns, or returns nil when it is left out.
func (x *exporter) spaceResource(space string, sc *expScope, r *model.Resource) any {
	name := r.Key.Name
	k := octopus.KindByName(r.Key.Kind)
	subj := x.subj(space, named(k.Label, name))
	switch r.Key.Kind {
	case "projects":
		return x.project(space, sc, r, subj)
	case "libraryVariableSets":
		s, _ := x.resource(r, "#LibraryVariableSet", name, r.Doc, nil, subj)
		if lv := x.child(sc, "libraryVariables", name, ""); lv != nil {
			if vs := x.variables(lv, subject(subj, "variables")); vs != nil {
				x.insertBeforeMeta(s, expField{label: "variables", value: vs})
			}
		}
		return s
	case "scriptModules":
		return x.scriptModule(sc, r, subj)
	case "stepTemplates":
		return x.stepTemplate(r, subj)
	case "tenants":
		s, _ := x.resource(r, "#Tenant", name, r.Doc, nil, subj)
		if tv := x.child(sc, "tenantVariables", name, ""); tv != nil {
			x.written[tv] = true
			// Octopus lists every connected project, environment and set,
			// with or without values: only the values are configuration.
			d, _ := withoutEmpty(map[string]any(tv.Doc)).(map[string]any)
			vs, _ := x.resource(tv, "#TenantVariables", "", d, nil, subject(subj, "variables"))
			if len(vs.fields) > 0 {
				x.insertBeforeMeta(s, expField{label: "variables", value: vs})
			} else {
				x.elided[tv] = true // no values
			}
		}
		return s
	case "teams":
		return x.team(r, space, sc.top["scopedUserRoles"])
	case "scopedUserRoles":
		return nil // written with their teams
	}
	return x.maybeBuiltIn(r, kindNodes[r.Key.Kind].def, subj)
}

// maybeBuiltIn writes a resource, unless it is a built-in one in the
// state a new space has it.
func (x *exporter) maybeBuiltIn(r *model.Resource, def, subj string) any {
	s, w := x.resource(r, def, r.Key.Name, r.Doc, nil, subj)
	if fresh, ok := builtInFresh[r.Key.Kind][r.Key.Name]; ok && expCanonical(w) == fresh {
		x.elided[r] = true
		return nil
	}
	return s
}

// child returns the resource of kind owned by owner and called name.
func (x *exporter) child(sc *expScope, kind, owner, name string) *model.Resource {
	for _, r := range sc.children[kind][owner] {
		if r.Key.Name == name {
			return r
		}
	}
	return nil
}

// project writes a project with its process, variables, channels and
// runbooks.
func (x *exporter) project(space string, sc *expScope, r *model.Resource, subj string) *expStruct {
	name := r.Key.Name
	s, _ := x.resource(r, "#Project", name, r.Doc, nil, subj)
	if p := x.child(sc, "deploymentProcess", name, ""); p != nil {
		if ps := x.process(sc, p, subject(subj, "deployment process")); ps != nil {
			x.insertBeforeMeta(s, expField{label: "process", value: ps})
		}
	}
	if v := x.child(sc, "projectVariables", name, ""); v != nil {
		if vs := x.variables(v, subject(subj, "variables")); vs != nil {
			x.insertBeforeMeta(s, expField{label: "variables", value: vs})
		}
	}
	channels := &expStruct{}
	for _, ch := range sc.children["channels"][name] {
		if cs := x.maybeBuiltIn(ch, "#Channel", subject(subj, named("channel", ch.Key.Name))); cs != nil {
			channels.add(ch.Key.Name, cs)
		}
	}
	if len(channels.fields) > 0 {
		x.insertBeforeMeta(s, expField{label: "channels", value: channels})
	}
	runbooks := &expStruct{}
	for _, rb := range sc.children["runbooks"][name] {
		rsubj := subject(subj, named("runbook", rb.Key.Name))
		rs, _ := x.resource(rb, "#Runbook", rb.Key.Name, rb.Doc, nil, rsubj)
		if p := x.child(sc, "runbookProcess", name, rb.Key.Name); p != nil {
			if ps := x.process(sc, p, subject(rsubj, "process")); ps != nil {
				x.insertBeforeMeta(rs, expField{label: "process", value: ps})
			}
		}
		runbooks.add(rb.Key.Name, rs)
	}
	if len(runbooks.fields) > 0 {
		x.insertBeforeMeta(s, expField{label: "runbooks", value: runbooks})
	}
	return s
}

// variables writes a variable set as the schema spells it: each name
// with its values. It returns nil for a set without variables.
func (x *exporter) variables(r *model.Resource, subj string) *expStruct {
	x.written[r] = true
	vars := asList(r.Doc["Variables"])
	if len(vars) == 0 {
		x.elided[r] = true // nothing to manage
		return nil
	}
	byName := map[string][]map[string]any{}
	for _, v := range vars {
		m, _ := v.(map[string]any)
		name, _ := m["Name"].(string)
		byName[name] = append(byName[name], m)
	}
	names := slices.SortedFunc(maps.Keys(byName), func(a, b string) int {
		if c := strings.Compare(strings.ToLower(a), strings.ToLower(b)); c != 0 {
			return c
		}
		return strings.Compare(a, b)
	})
	s := &expStruct{}
	var seeds []string
	n := 0
	def := x.c.def("#Variable", "")
	for _, name := range names {
		if name == "ownership" || name == "fields" || name == "ignore" || name == "" {
			x.leftOut(subj, "a variable named %q cannot be declared (the name is octosync's own setting)", name)
			continue
		}
		list := &expList{}
		for _, m := range byName[name] {
			d := maps.Clone(m)
			delete(d, "Name")
			w, v := x.fit("#Variable", def, d, nil, nil, subject(subj, named("variable", name)))
			if len(w) == 0 && d["Value"] == "" {
				w["Value"] = "" // clearer than {}
			}
			list.elems = append(list.elems, x.c.order(def, v, w))
			seeds = append(seeds, x.seedSecrets(d, fmt.Sprintf("/Variables/%d", n), subject(subj, named("variable", name)))...)
			n++
		}
		s.add(name, list)
	}
	x.seed(s, seeds)
	return s
}

type refAt struct {
	ref model.SecretRef
	ptr string
}

// secretRefs finds the secret references in a value, with their
// pointers.
func (x *exporter) secretRefs(v any, ptr string) []refAt {
	var out []refAt
	switch t := v.(type) {
	case model.SecretRef:
		out = append(out, refAt{t, ptr})
	case map[string]any:
		for _, k := range sortedKeys(t) {
			out = append(out, x.secretRefs(t[k], pointer(ptr, k))...)
		}
	case []any:
		for i, e := range t {
			out = append(out, x.secretRefs(e, pointer(ptr, fmt.Sprint(i)))...)
		}
	}
	return out
}

func (x *exporter) secretEnv(ref model.SecretRef, what string) {
	if ref.Env != "" {
		x.env(EnvVar{Name: ref.Env, For: what, Secret: true})
	}
}

// scriptModule writes a script module: its script and syntax, which
// Octopus keeps as the module's two variables.
func (x *exporter) scriptModule(sc *expScope, r *model.Resource, subj string) any {
	name := r.Key.Name
	x.written[r] = true
	lv := x.child(sc, "libraryVariables", name, "")
	if lv == nil {
		x.leftOut(subj, "its script was not read; the module is not exported")
		return nil
	}
	x.written[lv] = true
	scriptVar, langVar := "Octopus.Script.Module["+name+"]", "Octopus.Script.Module.Language["+name+"]"
	var script, syntax any
	var others []string
	for _, v := range asList(lv.Doc["Variables"]) {
		m, _ := v.(map[string]any)
		switch m["Name"] {
		case scriptVar:
			script = m["Value"]
		case langVar:
			syntax = m["Value"]
		default:
			others = append(others, fmt.Sprint(m["Name"]))
		}
	}
	text, ok := script.(string)
	if !ok {
		x.leftOut(subj, "its script is not a plain value; the module is not exported")
		return nil
	}
	if len(others) > 0 {
		x.leftOut(subj, "holds variables besides its script (%s); they are not exported", strings.Join(others, ", "))
	}
	init := map[string]any{"script": text}
	if s, _ := syntax.(string); s != "" && s != "PowerShell" {
		init["syntax"] = s
	}
	s, w := x.resource(r, "#ScriptModule", name, r.Doc, init, subj)
	// The module's variables are computed by the schema: check they come
	// out as Octopus has them.
	v := x.c.unify(x.c.def("#ScriptModule", name), w).LookupPath(cue.MakePath(cue.Def("#variables")))
	loaded := model.Doc{"Variables": x.decodeVariables(v)}
	if !docCovers("libraryVariables", loaded, lv.Doc) {
		x.leftOut(subj, "its script or syntax does not read back as Octopus has it; the first plan will show changes")
	}
	return s
}

// decodeVariables decodes a #Variables value as the loader does.
func (x *exporter) decodeVariables(v cue.Value) []any {
	var out []any
	it, err := v.Fields()
	if err != nil {
		return nil
	}
	for it.Next() {
		name := label(it.Selector())
		vals, err := it.Value().List()
		if err != nil {
			continue
		}
		for vals.Next() {
			d, _, ok := x.c.dec.value(vals.Value(), "", nil)
			if m, isMap := d.(map[string]any); ok && isMap {
				m["Name"] = name
				out = append(out, m)
			}
		}
	}
	return out
}

// stepTemplate writes a step template, with #ScriptStepTemplate when it
// runs an inline script.
func (x *exporter) stepTemplate(r *model.Resource, subj string) any {
	name := r.Key.Name
	s, w := x.resource(r, "#StepTemplate", name, r.Doc, nil, subj)
	props, _ := w["Properties"].(map[string]any)
	body, isText := props["Octopus.Action.Script.ScriptBody"].(string)
	if w["ActionType"] != "Octopus.Script" || !isText || props["Octopus.Action.Script.ScriptSource"] != "Inline" {
		return s
	}
	in := maps.Clone(w)
	delete(in, "ActionType")
	delete(in, "Properties")
	in["Script"] = body
	for k := range props {
		switch k {
		case "Octopus.Action.Script.ScriptBody", "Octopus.Action.Script.ScriptSource":
		case "Octopus.Action.Script.Syntax":
			if syn, _ := props[k].(string); syn != "PowerShell" {
				in["Syntax"] = props[k]
			}
		default:
			return s
		}
	}
	l, v, ok := x.decodeAs(x.c.def("#ScriptStepTemplate", name), in, stepTemplateKeep)
	if !ok || !expCovers(l, map[string]any(r.Doc)) || !expCovers(docForm(w), l) {
		return s
	}
	hs, _ := x.c.order(x.c.def("#ScriptStepTemplate", name), v, in).(*expStruct)
	if f := s.get("fields"); f != nil {
		hs.fields = append(hs.fields, expField{label: "fields", value: f, comment: seedComment})
	}
	return &expConj{def: "octopus.#ScriptStepTemplate", body: hs}
}

// withoutEmpty returns v without the objects that hold nothing but empty
// objects.
func withoutEmpty(v any) any {
	m, ok := v.(map[string]any)
	if !ok {
		return v
	}
	out := map[string]any{}
	for k, e := range m {
		e = withoutEmpty(e)
		if em, isMap := e.(map[string]any); isMap && len(em) == 0 {
			continue
		}
		out[k] = e
	}
	return out
}

// helperOrder is the order a helper's inputs are written in.
var helperOrder = []string{
	"Name", "Template", "ActionType", "PackageId", "Feed", "Instructions", "BlockConcurrentDeployments", "Syntax", "Script",
	"Parameters", "TargetRoles", "WorkerPool", "Environments", "ExcludedEnvironments", "Channels", "TenantTags",
	"IsDisabled", "IsRequired", "Notes", "PackageRequirement", "Condition", "StartTrigger",
}

// sortHelper orders a helper's inputs.
func sortHelper(s *expStruct) {
	rank := func(label string) int {
		if i := slices.Index(helperOrder, label); i >= 0 {
			return i
		}
		return len(helperOrder)
	}
	slices.SortStableFunc(s.fields, func(a, b expField) int { return rank(a.label) - rank(b.label) })
}

// docForm returns fields to write as the document they make: extra
// merged in.
func docForm(w map[string]any) map[string]any {
	extra, ok := w["extra"].(map[string]any)
	if !ok {
		return w
	}
	out := maps.Clone(w)
	delete(out, "extra")
	maps.Copy(out, extra)
	return out
}

// process writes a deployment or runbook process. Steps are written
// with the schema's helpers where one gives the same step, in the API's
// shape otherwise; properties a step template gives its usages are left
// out. It returns nil for a process without steps.
func (x *exporter) process(sc *expScope, r *model.Resource, subj string) *expStruct {
	x.written[r] = true
	d := map[string]any(r.Doc)
	steps := asList(d["Steps"])
	if len(steps) == 0 {
		x.elided[r] = true // nothing to manage
		return nil
	}
	w, v := x.fit("#Process", x.c.def("#Process", ""), d, nil, serverDefaults[r.Key.Kind], subj)
	templates := map[string]map[string]any{}
	for _, t := range sc.top["stepTemplates"] {
		if props, ok := t.Doc["Properties"].(map[string]any); ok {
			templates[t.Key.Name] = props
		}
	}
	ws := asList(w["Steps"])
	list := &expList{}
	for i, st := range steps {
		ds, _ := st.(map[string]any)
		step, _ := ws[i].(map[string]any)
		dropTemplateProps(step, templates)
		if h, ok := x.stepHelper(step, ds); ok {
			list.elems = append(list.elems, h)
			continue
		}
		list.elems = append(list.elems, x.c.order(x.c.def("#Step", ""), v.LookupPath(cue.MakePath(cue.Str("Steps"), cue.Index(i))), step))
	}
	s := (&expStruct{}).add("Steps", list)
	x.seed(s, x.seedSecrets(d, "", subj))
	return s
}

// dropTemplateProps leaves out of the actions that use a step template
// the properties equal to the template's: the loader copies them in, as
// Octopus does.
func dropTemplateProps(step map[string]any, templates map[string]map[string]any) {
	for _, a := range asList(step["Actions"]) {
		action, _ := a.(map[string]any)
		props, _ := action["Properties"].(map[string]any)
		name, _ := props["Octopus.Action.Template.Id"].(string)
		tprops := templates[name]
		if tprops == nil {
			continue
		}
		out := maps.Clone(props)
		for k, tv := range tprops {
			if pv, ok := out[k]; ok && expCanonical(pv) == expCanonical(tv) {
				delete(out, k)
			}
		}
		action["Properties"] = out
	}
}

// stepHelper writes a step (the fields fit left to write, ws, of the
// step ds) with the helper that gives the same step, if there is one:
// #Script, #StepTemplateUsage, #DeployPackage or #ManualIntervention.
func (x *exporter) stepHelper(ws, ds map[string]any) (any, bool) {
	actions := asList(ws["Actions"])
	if len(actions) != 1 || ws["extra"] != nil {
		return nil, false
	}
	wa, _ := actions[0].(map[string]any)
	if wa == nil || wa["extra"] != nil || wa["Name"] != ws["Name"] {
		return nil, false
	}
	in := map[string]any{"Name": ws["Name"]}
	for _, k := range []string{"PackageRequirement", "Condition", "StartTrigger"} {
		if v, ok := ws[k]; ok {
			in[k] = v
		}
	}
	stepProps, _ := ws["Properties"].(map[string]any)
	stepProps = maps.Clone(stepProps)
	var roles []any
	if tr, ok := stepProps["Octopus.Action.TargetRoles"].(string); ok {
		delete(stepProps, "Octopus.Action.TargetRoles")
		for _, role := range strings.Split(tr, ",") {
			if role == "" {
				return nil, false
			}
			roles = append(roles, role)
		}
	}
	if len(stepProps) > 0 {
		return nil, false
	}
	props, _ := wa["Properties"].(map[string]any)
	props = maps.Clone(props)
	if props == nil {
		props = map[string]any{}
	}
	rest := maps.Clone(wa)
	for _, k := range []string{"Name", "ActionType", "Properties"} {
		delete(rest, k)
	}
	for _, k := range []string{"Environments", "ExcludedEnvironments", "Channels", "TenantTags", "IsDisabled", "IsRequired", "Notes"} {
		if v, ok := rest[k]; ok {
			in[k] = v
			delete(rest, k)
		}
	}
	take := func(k string) any { v := props[k]; delete(props, k); return v }
	// runOn checks the property every script-like helper sets from
	// TargetRoles.
	runOn := func() bool {
		want := "true"
		if roles != nil {
			want = "false"
			in["TargetRoles"] = roles
		}
		if wp, ok := rest["WorkerPool"]; ok {
			in["WorkerPool"] = wp
			delete(rest, "WorkerPool")
		}
		return take("Octopus.Action.RunOnServer") == want
	}
	var def string
	at, _ := wa["ActionType"].(string)
	switch {
	case props["Octopus.Action.Template.Id"] != nil:
		def = "#StepTemplateUsage"
		in["Template"] = take("Octopus.Action.Template.Id")
		if at != "Octopus.Script" {
			in["ActionType"] = at
		}
		if !runOn() {
			return nil, false
		}
		params := map[string]any{}
		for k, v := range props {
			if strings.HasPrefix(k, "Octopus.") {
				return nil, false
			}
			params[k] = v
		}
		props = nil
		if len(params) > 0 {
			in["Parameters"] = params
		}
	case at == "Octopus.Script":
		def = "#Script"
		if take("Octopus.Action.Script.ScriptSource") != "Inline" {
			return nil, false
		}
		body, ok := take("Octopus.Action.Script.ScriptBody").(string)
		if !ok {
			return nil, false
		}
		in["Script"] = body
		if syn, _ := take("Octopus.Action.Script.Syntax").(string); syn != "PowerShell" {
			in["Syntax"] = syn
		}
		if !runOn() {
			return nil, false
		}
	case at == "Octopus.TentaclePackage":
		def = "#DeployPackage"
		pkgs := asList(rest["Packages"])
		delete(rest, "Packages")
		if roles == nil || len(pkgs) != 1 {
			return nil, false
		}
		p, _ := pkgs[0].(map[string]any)
		in["PackageId"] = p["PackageId"]
		in["TargetRoles"] = roles
		if f, ok := p["Feed"]; ok {
			in["Feed"] = f
		}
		for _, k := range []string{"Octopus.Action.Package.PackageId", "Octopus.Action.Package.FeedId", "Octopus.Action.Package.DownloadOnTentacle"} {
			take(k)
		}
	case at == "Octopus.Manual":
		def = "#ManualIntervention"
		if roles != nil {
			return nil, false
		}
		in["Instructions"] = take("Octopus.Action.Manual.Instructions")
		if take("Octopus.Action.Manual.BlockConcurrentDeployments") == "True" {
			in["BlockConcurrentDeployments"] = true
		}
	default:
		return nil, false
	}
	if len(props) > 0 || len(rest) > 0 {
		return nil, false
	}
	l, v, ok := x.decodeAs(x.c.def(def, ""), in, stepShape)
	if !ok || !expCovers(l, ds) || !expCovers(ws, l) {
		return nil, false
	}
	body, _ := x.c.order(x.c.def(def, ""), v, in).(*expStruct)
	sortHelper(body)
	return &expConj{def: "octopus." + def, body: body}, true
}
