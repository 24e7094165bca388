package schema

import (
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strconv"
	"strings"
	"time"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/octopus"
)

// names are the names of the resources of one kind in one scope, by their
// lower-case form: Octopus compares names case-insensitively.
type names map[string]string

// add adds name; the first spelling added (a built-in one first) is
// kept.
func (n names) add(name string) {
	if _, ok := n[strings.ToLower(name)]; !ok {
		n[strings.ToLower(name)] = name
	}
}

// has reports whether name is declared exactly (names are matched as
// written when octosync resolves them to ids).
func (n names) has(name string) bool { return n[strings.ToLower(name)] == name }

func (n names) list() []string { return slices.Sorted(maps.Values(n)) }

func sortedKeys(m map[string]any) []string { return slices.Sorted(maps.Keys(m)) }

// project is what the checks know of one project: the names inside it.
type project struct {
	res      *res
	channels names
	runbooks names
	// steps are the step and action names of the deployment process.
	steps names
	// roles are the target roles its processes run on.
	roles     map[string]bool
	templates map[string]map[string]any
}

// spaceCheck runs octosync's own checks on one built space.
type spaceCheck struct {
	l      *loader
	ic     *instanceCheck
	name   string
	prefix string
	own    *res
	res    []*res
	// names declared in the space (with the built-in ones), by kind.
	names    map[string]names
	projects map[string]*project
	sets     map[string]map[string]any // library variable sets and script modules, by name
	tags     map[string]names          // tag set name → tag names
	// roles are the target roles any process of the space runs on.
	roles map[string]bool
	acks  []model.Ack
}

func newSpaceCheck(l *loader, ic *instanceCheck, own *res, b *builder, acks []model.Ack) *spaceCheck {
	sc := &spaceCheck{l: l, ic: ic, name: b.space, prefix: b.prefix, own: own, res: b.res, acks: acks,
		names: map[string]names{}, projects: map[string]*project{}, sets: map[string]map[string]any{},
		tags: map[string]names{}, roles: map[string]bool{}}
	for _, k := range spaceKinds() {
		sc.names[k.Name] = names{}
		for _, n := range k.BuiltIn {
			sc.names[k.Name].add(n)
		}
	}
	for _, r := range b.res {
		switch r.Key.Kind {
		case "projects":
			sc.projects[r.Key.Name] = &project{res: r, channels: names{"default": "Default"}, runbooks: names{}, steps: names{},
				roles: map[string]bool{}, templates: templates(r.Doc)}
		case "libraryVariableSets", "scriptModules":
			sc.sets[r.Key.Name] = r.Doc
		case "tagSets":
			tags := names{}
			for _, t := range docList(r.Doc["Tags"]) {
				tags.add(str(t["Name"]))
			}
			sc.tags[strings.ToLower(r.Key.Name)] = tags
		}
		if sc.names[r.Key.Kind] != nil && r.Key.Owner == "" {
			sc.names[r.Key.Kind].add(r.Key.Name)
		}
	}
	for _, r := range b.res {
		p := sc.projects[r.Key.Owner]
		if p == nil {
			continue
		}
		switch r.Key.Kind {
		case "channels":
			p.channels.add(r.Key.Name)
		case "runbooks":
			p.runbooks.add(r.Key.Name)
		case "deploymentProcess":
			for _, st := range docList(r.Doc["Steps"]) {
				p.steps.add(str(st["Name"]))
				for _, a := range docList(st["Actions"]) {
					p.steps.add(str(a["Name"]))
				}
			}
		}
		if r.Key.Kind == "deploymentProcess" || r.Key.Kind == "runbookProcess" {
			for _, st := range docList(r.Doc["Steps"]) {
				props, _ := st["Properties"].(map[string]any)
				for _, role := range strings.Split(str(props["Octopus.Action.TargetRoles"]), ",") {
					if role = strings.TrimSpace(role); role != "" {
						p.roles[role] = true
						sc.roles[role] = true
					}
				}
			}
		}
	}
	return sc
}

// templates indexes a document's variable templates by name.
func templates(doc model.Doc) map[string]map[string]any {
	m := map[string]map[string]any{}
	for _, t := range docList(doc["Templates"]) {
		m[str(t["Name"])] = t
	}
	return m
}

// docList returns the objects of a document list.
func docList(v any) []map[string]any {
	list, _ := v.([]any)
	out := make([]map[string]any, 0, len(list))
	for _, e := range list {
		if m, ok := e.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

func str(v any) string {
	s, _ := v.(string)
	return s
}

// errorf and warnf report a problem with a resource at the field ptr.
func (l *loader) errorf(r *res, ptr, format string, args ...any) {
	l.report(model.Error, r, ptr, fmt.Sprintf(format, args...))
}

func (l *loader) warnf(r *res, ptr, format string, args ...any) {
	l.report(model.Warning, r, ptr, fmt.Sprintf(format, args...))
}

func (l *loader) report(sev model.Severity, r *res, ptr, msg string) {
	subj, _ := describe(r.Doc, ptr)
	l.diags = append(l.diags, model.Diagnostic{Severity: sev, Pos: r.FieldPos(ptr), Subject: subject(r.subject, subj), Message: msg})
}

// elementLabels name the elements of a document's lists in messages.
var elementLabels = map[string]string{
	"Steps": "step", "Actions": "action", "Phases": "phase", "Variables": "variable", "Tags": "tag",
	"Templates": "template", "Parameters": "parameter", "Packages": "package", "Rules": "rule",
}

// describe names the elements a JSON pointer into doc passes through:
// `step "Deploy"`, `phase "Production"` (an action named like its step is
// the step), and returns the rest of the pointer as a field path.
func describe(doc model.Doc, ptr string) (string, string) {
	var parts, field []string
	var v any = map[string]any(doc)
	toks := strings.Split(ptr, "/")[1:]
	if ptr == "" {
		toks = nil
	}
	step := ""
	for i := 0; i < len(toks); i++ {
		t := strings.ReplaceAll(strings.ReplaceAll(toks[i], "~1", "/"), "~0", "~")
		if _, isIndex := v.([]any); isIndex {
			field = appendField(field, t)
		} else {
			field = append(field, t)
		}
		m, ok := v.(map[string]any)
		if !ok {
			v = nil
			continue
		}
		v = m[t]
		label := elementLabels[t]
		list, isList := v.([]any)
		if label == "" || !isList || i+1 >= len(toks) {
			if l, ok := v.([]any); ok && i+1 < len(toks) {
				if idx, err := strconv.Atoi(toks[i+1]); err == nil && idx < len(l) {
					i++
					field = appendField(field, toks[i])
					v = l[idx]
				}
			}
			continue
		}
		field = nil
		idx, err := strconv.Atoi(toks[i+1])
		if err != nil || idx >= len(list) {
			continue
		}
		i++
		v = list[idx]
		el, _ := v.(map[string]any)
		name := str(el["Name"])
		switch {
		case name == "":
			parts = append(parts, label+" #"+strconv.Itoa(idx+1))
		case label == "action" && name == step:
		default:
			parts = append(parts, named(label, name))
		}
		if label == "step" {
			step = name
		}
	}
	return subject(parts...), strings.Join(field, ".")
}

// run runs the space's checks.
func (sc *spaceCheck) run() {
	sc.managers()
	sc.duplicates()
	for _, r := range sc.res {
		if r.bad {
			continue
		}
		switch r.Key.Kind {
		case "deploymentProcess", "runbookProcess":
			sc.templateUsages(r)
		case "lifecycles":
			sc.phases(r)
		case "tenantVariables":
			sc.tenantVariables(r)
		case "projectVariables", "libraryVariables":
			sc.variables(r)
		case "channels":
			sc.channelRules(r)
		case "runbooks":
			if str(r.Doc["EnvironmentScope"]) == "Specified" && len(docStrings(r.Doc["Environments"])) == 0 {
				sc.l.errorf(r, "/EnvironmentScope", "EnvironmentScope is Specified: list the environments the runbook runs in")
			}
		case "projects":
			sc.projectSteps(r)
		}
		sc.references(r)
		sc.tenantTags(r)
		sc.l.secrets(r)
	}
	grants := map[string]*res{}
	for _, r := range sc.res {
		if r.Key.Kind == "scopedUserRoles" && !r.bad {
			sc.ic.grant(r, grants, sc)
		}
	}
	var acks []ackAt
	for _, a := range sc.acks {
		acks = append(acks, ackAt{a, subject(sc.prefix, named("acknowledgement", a.Name))})
	}
	sc.l.ackChecks(acks, false)
	sc.l.secrets(sc.own)
}

// managers checks that the space has a manager: Octopus refuses to create
// a space without one.
func (sc *spaceCheck) managers() {
	if sc.own.bad {
		return
	}
	if len(docStrings(sc.own.Doc["SpaceManagersTeams"])) == 0 && len(docStrings(sc.own.Doc["SpaceManagersTeamMembers"])) == 0 {
		sc.l.diags = append(sc.l.diags, model.Diagnostic{Severity: model.Error, Pos: sc.own.Pos, Subject: sc.prefix,
			Message: "the space has no managers: set SpaceManagersTeams (team names) or SpaceManagersTeamMembers (usernames); Octopus refuses a space without one"})
	}
}

func docStrings(v any) []string {
	list, _ := v.([]any)
	var out []string
	for _, e := range list {
		if s, ok := e.(string); ok {
			out = append(out, s)
		}
	}
	return out
}

// duplicates reports names that collide case-insensitively: Octopus
// treats "Production" and "production" as the same name.
func (sc *spaceCheck) duplicates() {
	type scope struct{ kind, owner string }
	seen := map[scope]names{}
	for _, r := range sc.res {
		k := r.kind
		sc.elementDuplicates(r)
		if r.Key.Name == "" || r.Key.Kind == "scopedUserRoles" {
			continue
		}
		s := scope{r.Key.Kind, r.Key.Owner}
		if seen[s] == nil {
			seen[s] = names{}
			if r.Key.Owner == "" {
				for _, b := range k.BuiltIn {
					seen[s].add(b)
				}
			}
		}
		if prev, ok := seen[s][strings.ToLower(r.Key.Name)]; ok && prev != r.Key.Name {
			sc.l.errorf(r, "", "the name collides with %s %q: Octopus names are not case-sensitive", k.Label, prev)
			continue
		}
		seen[s].add(r.Key.Name)
	}
}

// elementDuplicates reports list elements of one resource whose names
// collide case-insensitively: phases, steps and actions, tags, templates.
func (sc *spaceCheck) elementDuplicates(r *res) {
	check := func(field, label string, list []map[string]any, ptr string) {
		seen := names{}
		for i, e := range list {
			n := str(e["Name"])
			if n == "" {
				continue
			}
			if prev, ok := seen[strings.ToLower(n)]; ok {
				sc.l.errorf(r, pointer(pointer(ptr, field), strconv.Itoa(i)), "%s is declared twice (as %q and %q): names must be unique, ignoring case", named(label, n), prev, n)
				continue
			}
			seen.add(n)
		}
	}
	check("Phases", "phase", docList(r.Doc["Phases"]), "")
	check("Tags", "tag", docList(r.Doc["Tags"]), "")
	check("Templates", "template", docList(r.Doc["Templates"]), "")
	check("Parameters", "parameter", docList(r.Doc["Parameters"]), "")
	steps := docList(r.Doc["Steps"])
	check("Steps", "step", steps, "")
	seen := map[string]string{}
	for i, st := range steps {
		for j, a := range docList(st["Actions"]) {
			n := str(a["Name"])
			key := strings.ToLower(n)
			if prev, ok := seen[key]; ok && (j > 0 || !strings.EqualFold(prev, str(st["Name"]))) {
				sc.l.errorf(r, pointer(pointer(pointer(pointer("", "Steps"), strconv.Itoa(i)), "Actions"), strconv.Itoa(j)),
					"action %q is declared twice: action names must be unique in a process, ignoring case", n)
			}
			seen[key] = n
		}
	}
}

// target is where the names of one registry kind are declared, as seen
// from one resource.
type target struct {
	names names
	// where says where they are declared: "this space", `project "api"`.
	where string
}

// target resolves the names a reference of kind may use from r.
func (sc *spaceCheck) target(r *res, kind string) (target, bool) {
	proj := sc.projects[r.Key.Owner]
	switch kind {
	case "users":
		return target{}, false
	case "channels", "runbooks", "actions":
		if proj == nil {
			return target{}, false
		}
		where := named("project", proj.res.Key.Name)
		switch kind {
		case "channels":
			return target{proj.channels, where}, true
		case "runbooks":
			// A variable's ProcessOwner scope names a runbook, or the
			// project for its deployment process.
			n := names{}
			maps.Copy(n, proj.runbooks)
			n.add(proj.res.Key.Name)
			return target{n, where}, true
		}
		return target{proj.steps, where + "'s deployment process"}, true
	case "teams":
		n := names{}
		for _, src := range []names{sc.names["teams"], sc.ic.names["teams"]} {
			for k, v := range src {
				n[k] = v
			}
		}
		return target{n, "this space or instance"}, true
	case "userRoles", "spaces":
		return target{sc.ic.names[kind], "this instance"}, true
	case "libraryVariableSets":
		n := names{}
		maps.Copy(n, sc.names["libraryVariableSets"])
		maps.Copy(n, sc.names["scriptModules"])
		return target{n, "this space"}, true
	}
	if n := sc.names[kind]; n != nil {
		return target{n, "this space"}, true
	}
	return target{}, false
}

// references checks that every name a resource holds where the API holds
// an id names something declared (or built in).
func (sc *spaceCheck) references(r *res) {
	if r.Key.Kind == "scopedUserRoles" {
		return // checked with the instance's grants
	}
	for _, ref := range r.kind.Refs {
		tk := octopus.KindByName(ref.Kind)
		label := "step"
		if tk != nil {
			label = tk.Label
		}
		for _, v := range refValues(r.Doc, ref.ConfigPath()) {
			if r.Key.Kind == "libraryVariables" && (ref.Kind == "channels" || ref.Kind == "actions" || ref.Kind == "runbooks") {
				sc.l.errorf(r, v.ptr, "a library variable set's variables cannot be scoped to a %s; scope them by environment, role or tenant tag", label)
				continue
			}
			t, ok := sc.target(r, ref.Kind)
			if !ok || t.names.has(v.name) {
				continue
			}
			msg := fmt.Sprintf("%s is not defined in %s", named(label, v.name), t.where)
			if ref.Kind == "actions" {
				msg = fmt.Sprintf("%s is not a step of %s", named(label, v.name), t.where)
			}
			if s := closest(v.name, t.names.list()); s != "" {
				msg += "; did you mean " + strconv.Quote(s) + "?"
			}
			sc.l.errorf(r, v.ptr, "%s", msg)
		}
	}
}

// tagPaths are the fields that hold canonical tag names ("TagSet/Tag").
var tagPaths = []string{
	"TenantTags[]", "Steps[].Actions[].TenantTags[]", "Variables[].Scope.TenantTag[]",
}

// tenantTags checks that every canonical tag name names a tag of a tag set
// of the space.
func (sc *spaceCheck) tenantTags(r *res) {
	for _, p := range tagPaths {
		for _, v := range refValues(r.Doc, p) {
			set, tag, ok := strings.Cut(v.name, "/")
			switch {
			case !ok:
				sc.l.errorf(r, v.ptr, "tag %q is not a canonical tag name: write \"TagSet/Tag\"", v.name)
			case sc.tags[strings.ToLower(set)] == nil:
				sc.l.errorf(r, v.ptr, "tag %q: tag set %q is not defined in this space", v.name, set)
			case !sc.tags[strings.ToLower(set)].has(tag):
				sc.l.errorf(r, v.ptr, "tag %q: tag set %q has no tag %q", v.name, set, tag)
			}
		}
	}
}

// phases checks that no environment appears twice in a lifecycle: an
// environment belongs to one phase.
func (sc *spaceCheck) phases(r *res) {
	seen := map[string]string{}
	for i, ph := range docList(r.Doc["Phases"]) {
		for _, f := range []string{"AutomaticDeploymentTargets", "OptionalDeploymentTargets"} {
			for j, env := range docStrings(ph[f]) {
				ptr := pointer(pointer(pointer(pointer("", "Phases"), strconv.Itoa(i)), f), strconv.Itoa(j))
				name := str(ph["Name"])
				switch prev, ok := seen[env]; {
				case ok && prev == name:
					sc.l.errorf(r, ptr, "environment %q is named twice in the phase", env)
				case ok:
					sc.l.errorf(r, ptr, "environment %q is already in phase %q: an environment belongs to one phase of a lifecycle", env, prev)
				default:
					seen[env] = name
				}
			}
		}
	}
}

// variables checks what the references cannot: that roles in scopes are
// roles the space's steps run on (a warning: targets outside octosync may
// have them), and that a prompted variable is scoped by environment only.
func (sc *spaceCheck) variables(r *res) {
	roles := sc.roles
	if p := sc.projects[r.Key.Owner]; p != nil && r.Key.Kind == "projectVariables" {
		roles = p.roles
	}
	for i, v := range docList(r.Doc["Variables"]) {
		ptr := pointer(pointer("", "Variables"), strconv.Itoa(i))
		scope, _ := v["Scope"].(map[string]any)
		for j, role := range docStrings(scope["Role"]) {
			if !roles[role] {
				sc.l.warnf(r, pointer(pointer(pointer(ptr, "Scope"), "Role"), strconv.Itoa(j)),
					"role %q is not a target role of any step here; check the spelling", role)
			}
		}
		if v["Prompt"] != nil {
			for _, k := range sortedKeys(scope) {
				if k != "Environment" && len(docStrings(scope[k])) > 0 {
					sc.l.errorf(r, pointer(pointer(ptr, "Scope"), k), "a prompted variable can only be scoped by environment, not by %s", strings.ToLower(k))
				}
			}
		}
	}
}

// channelRules checks that version rules name steps of the project.
func (sc *spaceCheck) channelRules(r *res) {
	p := sc.projects[r.Key.Owner]
	if p == nil {
		return
	}
	for i, rule := range docList(r.Doc["Rules"]) {
		for j, ap := range docList(rule["ActionPackages"]) {
			if a := str(ap["DeploymentAction"]); a != "" && !p.steps.has(a) {
				sc.l.errorf(r, fmt.Sprintf("/Rules/%d/ActionPackages/%d/DeploymentAction", i, j),
					"step %q is not a step of project %q's deployment process", a, r.Key.Owner)
			}
		}
	}
}

// projectSteps checks the steps a project's own fields name.
func (sc *spaceCheck) projectSteps(r *res) {
	p := sc.projects[r.Key.Name]
	vs, _ := r.Doc["VersioningStrategy"].(map[string]any)
	dp, _ := vs["DonorPackage"].(map[string]any)
	if a := str(dp["DeploymentAction"]); a != "" && !p.steps.has(a) {
		sc.l.errorf(r, "/VersioningStrategy/DonorPackage/DeploymentAction", "step %q is not a step of the project's deployment process", a)
	}
}

// tenantVariables checks a tenant's variable values against what the
// tenant is connected to and the templates that exist.
func (sc *spaceCheck) tenantVariables(r *res) {
	tenant := r.owner
	if tenant == nil || tenant.bad {
		return
	}
	connected, _ := tenant.Doc["ProjectEnvironments"].(map[string]any)
	pv, _ := r.Doc["ProjectVariables"].(map[string]any)
	for _, proj := range sortedKeys(pv) {
		ptr := pointer("/ProjectVariables", proj)
		envs, isConnected := connected[proj]
		p := sc.projects[proj]
		switch {
		case !isConnected:
			sc.l.errorf(r, ptr, "the tenant is not connected to project %q: add it to ProjectEnvironments", proj)
			continue
		case p == nil:
			continue // reported as an unknown project of ProjectEnvironments
		}
		byEnv, _ := pv[proj].(map[string]any)
		for _, env := range sortedKeys(byEnv) {
			eptr := pointer(ptr, env)
			if !slices.Contains(docStrings(envs), env) {
				sc.l.errorf(r, eptr, "the tenant is not connected to project %q in environment %q", proj, env)
				continue
			}
			values, _ := byEnv[env].(map[string]any)
			sc.templateValues(r, eptr, values, p.templates, named("project", proj))
		}
	}
	lv, _ := r.Doc["LibraryVariables"].(map[string]any)
	for _, set := range sortedKeys(lv) {
		ptr := pointer("/LibraryVariables", set)
		doc, ok := sc.sets[set]
		if !ok {
			sc.l.errorf(r, ptr, "library variable set %q is not defined in this space", set)
			continue
		}
		included := false
		for proj := range connected {
			if p := sc.projects[proj]; p != nil && slices.Contains(docStrings(p.res.Doc["IncludedLibraryVariableSets"]), set) {
				included = true
			}
		}
		if !included {
			sc.l.errorf(r, ptr, "no project the tenant is connected to includes library variable set %q", set)
		}
		values, _ := lv[set].(map[string]any)
		sc.templateValues(r, ptr, values, templates(doc), named("library variable set", set))
	}
}

// templateValues checks values given to variable templates: the template
// exists, and a Sensitive one takes a secret reference.
func (sc *spaceCheck) templateValues(r *res, ptr string, values map[string]any, tmpls map[string]map[string]any, owner string) {
	for _, name := range sortedKeys(values) {
		vptr := pointer(ptr, name)
		t, ok := tmpls[name]
		if !ok {
			msg := fmt.Sprintf("%s has no variable template %q", owner, name)
			if s := closest(name, slices.Sorted(maps.Keys(tmpls))); s != "" {
				msg += "; did you mean " + strconv.Quote(s) + "?"
			}
			sc.l.errorf(r, vptr, "%s", msg)
			continue
		}
		sc.sensitiveValue(r, vptr, values[name], t, "template")
	}
}

// sensitiveValue checks a value given to a template or parameter: a
// Sensitive one takes a secret reference, any other a plain value.
func (sc *spaceCheck) sensitiveValue(r *res, ptr string, v any, t map[string]any, what string) {
	ds, _ := t["DisplaySettings"].(map[string]any)
	_, isRef := v.(model.SecretRef)
	switch sensitive := str(ds["Octopus.ControlType"]) == "Sensitive"; {
	case sensitive && !isRef:
		sc.l.errorf(r, ptr, "%s %q is Sensitive: its value must be a secret reference, {env: \"NAME\"} or {file: \"path\"}, never a literal", what, str(t["Name"]))
	case !sensitive && isRef:
		sc.l.errorf(r, ptr, "%s %q is not Sensitive: give it a plain value, or make it Sensitive", what, str(t["Name"]))
	}
}

// templateUsages checks the steps that use a step template of the space
// and completes them as Octopus does when a template is added to a
// process: the template's ActionType and its properties.
func (sc *spaceCheck) templateUsages(r *res) {
	templates := map[string]*res{}
	for _, x := range sc.res {
		if x.Key.Kind == "stepTemplates" && !x.bad {
			templates[x.Key.Name] = x
		}
	}
	for i, st := range docList(r.Doc["Steps"]) {
		for j, a := range docList(st["Actions"]) {
			props, _ := a["Properties"].(map[string]any)
			name := str(props["Octopus.Action.Template.Id"])
			t := templates[name]
			if name == "" || t == nil {
				continue
			}
			ptr := fmt.Sprintf("/Steps/%d/Actions/%d", i, j)
			if at := str(t.Doc["ActionType"]); at != str(a["ActionType"]) {
				sc.l.errorf(r, ptr+"/ActionType", "step template %q has ActionType %q, not %q", name, at, str(a["ActionType"]))
			}
			params := map[string]map[string]any{}
			for _, p := range docList(t.Doc["Parameters"]) {
				params[str(p["Name"])] = p
				_, given := props[str(p["Name"])]
				if dv, hasDefault := p["DefaultValue"]; !given && (!hasDefault || dv == "") {
					sc.l.errorf(r, ptr, "step template %q needs the parameter %q, which has no default value", name, str(p["Name"]))
				}
			}
			tprops, _ := t.Doc["Properties"].(map[string]any)
			for _, k := range sortedKeys(props) {
				if strings.HasPrefix(k, "Octopus.") || tprops[k] != nil {
					continue
				}
				p, ok := params[k]
				if !ok {
					msg := fmt.Sprintf("step template %q has no parameter %q", name, k)
					if s := closest(k, slices.Sorted(maps.Keys(params))); s != "" {
						msg += "; did you mean " + strconv.Quote(s) + "?"
					}
					sc.l.errorf(r, ptr+"/Properties/"+k, "%s", msg)
					continue
				}
				sc.sensitiveValue(r, ptr+"/Properties/"+k, props[k], p, "parameter")
			}
			for k, v := range tprops {
				if _, set := props[k]; !set {
					props[k] = v
				}
			}
		}
	}
}

// secrets checks the secret references of a resource: a literal where the
// registry says a secret goes (written through extra), and a reference
// whose variable or file is missing (a warning: the secret is needed only
// at apply).
func (l *loader) secrets(r *res) {
	for _, p := range r.kind.Sensitive {
		for _, v := range refValues(r.Doc, p) {
			l.errorf(r, v.ptr, "%s holds a secret: write a reference, {env: \"NAME\"} or {file: \"path\"}, never the value", strings.TrimPrefix(v.ptr, "/"))
		}
	}
	var walk func(v any, ptr string)
	walk = func(v any, ptr string) {
		switch v := v.(type) {
		case model.SecretRef:
			l.secretExists(r, ptr, v)
		case map[string]any:
			for k, x := range v {
				walk(x, pointer(ptr, k))
			}
		case []any:
			for i, x := range v {
				walk(x, pointer(ptr, strconv.Itoa(i)))
			}
		}
	}
	walk(map[string]any(r.Doc), "")
}

// secretExists warns about a reference whose variable or file is
// missing, once per place in the configuration.
func (l *loader) secretExists(r *res, ptr string, ref model.SecretRef) {
	var msg string
	switch {
	case ref.Env != "" && l.opts.Getenv != nil && l.opts.Getenv(ref.Env) == "":
		msg = fmt.Sprintf("environment variable %s is not set; the secret must be there when octosync applies", ref.Env)
	case ref.File != "" && l.opts.Dir != "":
		p := ref.File
		if !filepath.IsAbs(p) {
			p = filepath.Join(l.opts.Dir, filepath.FromSlash(p))
		}
		if _, err := os.Stat(p); errors.Is(err, fs.ErrNotExist) {
			msg = fmt.Sprintf("file %s does not exist; the secret must be there when octosync applies", ref.File)
		}
	}
	if msg == "" {
		return
	}
	if _, field := describe(r.Doc, ptr); field != "" {
		msg = field + ": " + msg
	}
	pos := r.FieldPos(ptr)
	key := pos.String() + "\x00" + ref.String()
	if l.warned[key] {
		return
	}
	if l.warned == nil {
		l.warned = map[string]bool{}
	}
	l.warned[key] = true
	l.report(model.Warning, r, ptr, msg)
}

// ackAt is an acknowledgement with the subject it is reported under.
type ackAt struct {
	model.Ack
	subject string
}

// ackChecks checks acknowledgements: the kind belongs at this level, a
// child kind names its owner, and the acknowledgement has not expired.
func (l *loader) ackChecks(acks []ackAt, instance bool) {
	for _, a := range acks {
		k := octopus.KindByName(a.Kind)
		if k == nil {
			continue
		}
		d := model.Diagnostic{Severity: model.Error, Pos: a.Pos, Subject: a.subject}
		switch {
		case instance && !k.Scope.Has(octopus.ScopeInstance):
			d.Message = fmt.Sprintf("%s is a space-level kind: acknowledge it in its space", a.Kind)
		case !instance && !k.Scope.Has(octopus.ScopeSpace):
			d.Message = fmt.Sprintf("%s is an instance-level kind: acknowledge it in the instance", a.Kind)
		case k.Owner != "" && a.Owner == "":
			d.Message = fmt.Sprintf("%s belong to a %s: set owner", a.Kind, octopus.KindByName(k.Owner).Label)
		case k.Owner == "" && a.Owner != "":
			d.Message = fmt.Sprintf("%s have no owner: remove owner %q", a.Kind, a.Owner)
		case a.Until != "" && l.opts.Now != nil && expired(a.Until, l.opts.Now()):
			d.Severity = model.Warning
			d.Message = fmt.Sprintf("the acknowledgement expired on %s: drift on %s %q is reported again", a.Until, k.Label, a.Name)
		default:
			continue
		}
		l.diags = append(l.diags, d)
	}
}

// expired reports whether an RFC 3339 date or date-time lies before now.
func expired(until string, now time.Time) bool {
	for _, layout := range []string{time.RFC3339Nano, "2006-01-02T15:04:05", "2006-01-02"} {
		if t, err := time.Parse(layout, until); err == nil {
			if layout == "2006-01-02" {
				t = t.AddDate(0, 0, 1)
			}
			return !now.Before(t)
		}
	}
	return false
}

// instanceCheck runs the checks that look across an instance: its teams,
// roles, spaces and the role grants that reach into spaces.
type instanceCheck struct {
	l  *loader
	in *model.Instance
	// b builds the instance's resources; the spaces are added to it as
	// they are checked.
	b     *builder
	names map[string]names
	// spaces are the checked spaces, by name.
	spaces map[string]*spaceCheck
	// urlPos and keyPos are where the instance's url and apiKey are
	// written.
	urlPos, keyPos model.Pos
}

func newInstanceCheck(l *loader, in *model.Instance, b *builder) *instanceCheck {
	ic := &instanceCheck{l: l, in: in, b: b, names: map[string]names{}, spaces: map[string]*spaceCheck{}}
	for _, kind := range []string{"teams", "userRoles", "spaces"} {
		ic.names[kind] = names{}
		for _, n := range octopus.KindByName(kind).BuiltIn {
			ic.names[kind].add(n)
		}
	}
	for _, r := range b.res {
		if ic.names[r.Key.Kind] != nil {
			ic.names[r.Key.Kind].add(r.Key.Name)
		}
	}
	return ic
}

// addSpace records a checked space for the instance-level checks, which
// need only the names it declares.
func (ic *instanceCheck) addSpace(sc *spaceCheck) {
	ic.spaces[sc.name] = &spaceCheck{name: sc.name, names: sc.names}
	ic.names["spaces"].add(sc.name)
}

// run runs the instance's checks once every space is checked.
func (ic *instanceCheck) run() {
	seen := map[string]names{}
	for _, r := range ic.b.res {
		if r.Key.Kind == "scopedUserRoles" || r.Key.Name == "" {
			continue
		}
		if seen[r.Key.Kind] == nil {
			seen[r.Key.Kind] = names{}
			for _, b := range r.kind.BuiltIn {
				seen[r.Key.Kind].add(b)
			}
		}
		if prev, ok := seen[r.Key.Kind][strings.ToLower(r.Key.Name)]; ok && prev != r.Key.Name {
			ic.l.errorf(r, "", "the name collides with %s %q: Octopus names are not case-sensitive", r.kind.Label, prev)
		}
		seen[r.Key.Kind].add(r.Key.Name)
	}
	grants := map[string]*res{}
	for _, r := range ic.b.res {
		if r.bad {
			continue
		}
		switch r.Key.Kind {
		case "spaces":
			ic.spaceManagers(r)
		case "scopedUserRoles":
			ic.grant(r, grants, nil)
		case "smtp":
			if (r.Doc["SmtpLogin"] != nil || r.Doc["SmtpPassword"] != nil) && r.Doc["Details"] != nil {
				ic.l.errorf(r, "/Details", "use one credential shape: the flat SmtpLogin and SmtpPassword, or Details, not both")
			}
		}
		if r.Key.Kind != "spaces" {
			ic.l.secrets(r)
		}
	}
	var acks []ackAt
	for _, a := range ic.in.Acks {
		acks = append(acks, ackAt{a, subject(ic.prefix(), named("acknowledgement", a.Name))})
	}
	ic.l.ackChecks(acks, true)
	for _, v := range []struct {
		what string
		val  model.Value
		pos  model.Pos
	}{{"url", ic.in.URL, ic.urlPos}, {"apiKey", ic.in.APIKey, ic.keyPos}} {
		if v.val.IsRef() {
			ic.l.secretExists(&res{Resource: &model.Resource{Pos: v.pos}, subject: subject(ic.prefix(), v.what)}, "", v.val.Ref)
		}
	}
}

// prefix is the instance's subject.
func (ic *instanceCheck) prefix() string {
	if ic.l.multi {
		return named("instance", ic.in.Name)
	}
	return ""
}

// spaceManagers checks the teams that manage a space: teams of the
// instance, built-in ones, or the space's own.
func (ic *instanceCheck) spaceManagers(r *res) {
	sc := ic.spaces[r.Key.Name]
	for i, team := range docStrings(r.Doc["SpaceManagersTeams"]) {
		if ic.names["teams"].has(team) || sc != nil && sc.names["teams"].has(team) {
			continue
		}
		msg := fmt.Sprintf("team %q is not defined in this instance or space", team)
		candidates := ic.names["teams"].list()
		if sc != nil {
			candidates = append(candidates, sc.names["teams"].list()...)
		}
		if s := closest(team, candidates); s != "" {
			msg += "; did you mean " + strconv.Quote(s) + "?"
		}
		ic.l.errorf(r, fmt.Sprintf("/SpaceManagersTeams/%d", i), "%s", msg)
	}
}

// grant checks a role grant: the role exists, the space it is granted in
// exists, its restrictions name things of that space, and the team is
// not granted the same role twice in one place. in is the space of a
// space team's grant, nil for a system team's.
func (ic *instanceCheck) grant(r *res, grants map[string]*res, in *spaceCheck) {
	key := strings.ToLower(r.Key.Space + "\x00" + r.Key.Name)
	if prev, ok := grants[key]; ok {
		ic.l.errorf(r, "", "the team is granted this role twice (also at %s); merge the restrictions into one grant", prev.Pos)
		return
	}
	grants[key] = r
	role := str(r.Doc["UserRole"])
	if !ic.names["userRoles"].has(role) {
		msg := fmt.Sprintf("user role %q is not defined in this instance (nor built in)", role)
		if s := closest(role, ic.names["userRoles"].list()); s != "" {
			msg += "; did you mean " + strconv.Quote(s) + "?"
		}
		ic.l.errorf(r, "/UserRole", "%s", msg)
	}
	space := r.Key.Space
	if s := str(r.Doc["Space"]); s != "" {
		space = s
		if ic.spaces[s] == nil {
			ic.l.errorf(r, "/Space", "space %q is not defined in this instance", s)
			return
		}
	}
	restrictions := []struct{ field, kind string }{
		{"Projects", "projects"}, {"ProjectGroups", "projectGroups"}, {"Environments", "environments"}, {"Tenants", "tenants"},
	}
	sc := ic.spaces[space]
	if in != nil {
		sc = in
	}
	for _, x := range restrictions {
		for i, name := range docStrings(r.Doc[x.field]) {
			ptr := fmt.Sprintf("/%s/%d", x.field, i)
			switch {
			case space == "":
				ic.l.errorf(r, ptr, "a role granted across the instance cannot be restricted to %s; set Space", strings.ToLower(x.field))
			case sc != nil && !sc.names[x.kind].has(name):
				ic.l.errorf(r, ptr, "%s is not defined in space %q", named(octopus.KindByName(x.kind).Label, name), space)
			}
		}
	}
}
