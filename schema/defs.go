package schema

import (
	"strconv"
	"strings"

	"cuelang.org/go/cue"

	"octosync.dev/octosync/octopus"
)

// node describes a place in the configuration's structure: the schema
// definition that applies there and, for maps and lists whose elements
// have their own definitions, what applies to the elements. It lets
// octosync name a place in Octopus terms and find the fields a
// definition allows, which CUE's own values cannot tell once a struct
// holds an error.
type node struct {
	// def names a definition of package octopus; empty where the
	// enclosing definition's field applies.
	def string
	// label names the element of a map or list in messages ("project",
	// "step"); for a map the key is its name, for a list the element's
	// Name field.
	label string
	// fields are children with their own node; mapOf and listOf the
	// elements of a map or a list.
	fields map[string]*node
	mapOf  *node
	listOf *node
	// keys are the keys of a map that are fields, not elements.
	keys map[string]bool
	// helpers maps the #helper value of an element written with a helper
	// to the helper's definition.
	helpers map[string]string
	// free marks a map whose keys are data (names, property keys), not
	// fields.
	free bool
	// title names the place itself in messages ("deployment process").
	title string
}

var (
	freeNode   = &node{free: true}
	actionNode = &node{def: "#Action", label: "action", fields: map[string]*node{"Properties": freeNode}}
	stepNode   = &node{helpers: stepHelpers, label: "step", fields: map[string]*node{
		"Actions": {listOf: actionNode}, "Properties": freeNode, "Parameters": freeNode,
	}}
	processNode   = &node{def: "#Process", fields: map[string]*node{"Steps": {listOf: stepNode}}}
	variableNode  = &node{def: "#Variable"}
	variablesNode = &node{def: "#Variables", title: "variables", keys: set(meta...), mapOf: &node{label: "variable", listOf: variableNode}}
	templatesNode = &node{listOf: &node{def: "#TemplateParameter", label: "template", fields: map[string]*node{"DisplaySettings": freeNode}}}
)

// kindNodes are the nodes of the resources a space holds, by kind name.
var kindNodes = map[string]*node{
	"tagSets":         {def: "#TagSet", fields: map[string]*node{"Tags": {listOf: &node{def: "#Tag", label: "tag"}}}},
	"environments":    {def: "#Environment"},
	"machinePolicies": {def: "#MachinePolicy"},
	"workerPools":     {def: "#WorkerPool"},
	"feeds":           {def: "#Feed"},
	"gitCredentials":  {def: "#GitCredential"},
	"lifecycles":      {def: "#Lifecycle", fields: map[string]*node{"Phases": {listOf: &node{def: "#Phase", label: "phase"}}}},
	"projectGroups":   {def: "#ProjectGroup"},
	"libraryVariableSets": {def: "#LibraryVariableSet", fields: map[string]*node{
		"variables": variablesNode, "Templates": templatesNode,
	}},
	"scriptModules": {def: "#ScriptModule"},
	"stepTemplates": {def: "#StepTemplate", helpers: map[string]string{"template": "#StepTemplate", "script": "#ScriptStepTemplate"}, fields: map[string]*node{
		"Properties": freeNode, "Parameters": templatesNode,
	}},
	"projects": {def: "#Project", fields: map[string]*node{
		"process":   {def: "#Process", title: "deployment process", fields: processNode.fields},
		"variables": variablesNode,
		"Templates": templatesNode,
		"channels":  {mapOf: &node{def: "#Channel", label: "channel"}},
		"runbooks": {mapOf: &node{def: "#Runbook", label: "runbook", fields: map[string]*node{
			"process": {def: "#Process", title: "process", fields: processNode.fields},
		}}},
	}},
	"tenants": {def: "#Tenant", fields: map[string]*node{
		"ProjectEnvironments": freeNode,
		"variables":           {def: "#TenantVariables", title: "variables", fields: map[string]*node{"ProjectVariables": freeNode, "LibraryVariables": freeNode}},
	}},
	"accounts":      {def: "#Account"},
	"certificates":  {def: "#Certificate"},
	"subscriptions": {def: "#Subscription"},
	"teams":         {def: "#SpaceTeam", fields: map[string]*node{"roles": {listOf: &node{def: "#RoleGrant", label: "role grant"}}}},
}

// spaceNode is the structure of a space.
var spaceNode = func() *node {
	n := &node{def: "#Space", fields: map[string]*node{}}
	for kind, kn := range kindNodes {
		k := *kn
		k.label = octopus.KindByName(kind).Label
		n.fields[kind] = &node{mapOf: &k}
	}
	n.fields["acknowledge"] = &node{listOf: &node{def: "#Ack", label: "acknowledgement"}}
	return n
}()

// instanceNode is the structure of an instance, without its spaces.
var instanceNode = &node{def: "#Instance", fields: map[string]*node{
	"settings": {def: "#Settings", fields: map[string]*node{
		"authentication": {fields: map[string]*node{
			"usernamePassword": {def: "#UsernamePasswordAuth", title: `authentication provider "usernamePassword"`},
			"guest":            {def: "#GuestAuth", title: `authentication provider "guest"`},
			"azureAD":          {def: "#AzureADAuth", title: `authentication provider "azureAD"`},
			"okta":             {def: "#OktaAuth", title: `authentication provider "okta"`},
			"googleApps":       {def: "#GoogleAppsAuth", title: `authentication provider "googleApps"`},
			"octopusID":        {def: "#OctopusIDAuth", title: `authentication provider "octopusID"`},
			"genericOidc":      {def: "#GenericOidcAuth", title: `authentication provider "genericOidc"`},
			"activeDirectory":  {def: "#ActiveDirectoryAuth", title: `authentication provider "activeDirectory"`},
			"ldap":             {def: "#LdapAuth", title: `authentication provider "ldap"`},
		}},
		"smtp":        {def: "#Smtp", title: "SMTP configuration"},
		"auditStream": {def: "#AuditStream", title: "audit log stream", fields: map[string]*node{"StreamConfigurationResource": {fields: map[string]*node{"Headers": freeNode}}}},
	}},
	"teams":       {mapOf: &node{def: "#Team", label: "team", fields: map[string]*node{"roles": {listOf: &node{def: "#SystemRoleGrant", label: "role grant"}}}}},
	"userRoles":   {mapOf: &node{def: "#UserRole", label: "user role"}},
	"acknowledge": {listOf: &node{def: "#Ack", label: "acknowledgement"}},
}}

// stepHelpers are the definitions of the step helpers, by #helper value.
var stepHelpers = map[string]string{
	"step": "#Step", "script": "#Script", "package": "#DeployPackage", "manual": "#ManualIntervention", "template": "#StepTemplateUsage",
}

// place is what walking a path through the configuration found.
type place struct {
	// subject names the place in Octopus terms; field is the rest of the
	// path, as a CUE-like field path.
	subject []string
	field   []string
	// def is the definition that applies at the end of the path (when
	// known) and val the configuration's value there.
	def cue.Value
	val cue.Value
}

// cursor is a position while walking the configuration: the structure,
// the definition and the value there.
type cursor struct {
	n   *node
	def cue.Value
	val cue.Value
}

// at returns the cursor at the root of a node.
func (l *loader) at(n *node, val cue.Value) cursor {
	return cursor{n: n, def: l.def(n.def), val: val}
}

// step moves the cursor to the field or element sel. It returns the
// subject parts the step names (a project, a step) and the field path
// part it adds when it names none.
func (l *loader) step(c cursor, sel string) (next cursor, subj []string, field string) {
	next.val = child(c.val, sel)
	var to *node
	element := false
	switch {
	case c.n == nil || c.n.free:
	case c.n.fields[sel] != nil:
		to = c.n.fields[sel]
	case c.n.mapOf != nil && !c.n.keys[sel]:
		to, element = c.n.mapOf, true
	case c.n.listOf != nil && isIndex(sel):
		to, element = c.n.listOf, true
	}
	if to == nil {
		// A plain field: the enclosing definition's field applies.
		if c.n != nil && !c.n.free {
			next.def = child(c.def, sel)
			next.n = &node{}
		}
		return next, nil, sel
	}
	next.n = to
	next.def = child(c.def, sel)
	if to.def != "" {
		next.def = l.def(to.def)
	}
	if to.helpers != nil {
		h, _ := next.val.LookupPath(cue.MakePath(cue.Def("#helper"))).Default()
		name, _ := h.String()
		if d := to.helpers[name]; d != "" {
			next.def = l.def(d)
		}
	}
	switch {
	case element && to.label == "":
		field = sel
	case element && isIndex(sel):
		name, _ := lookup(next.val, "Name").String()
		if name == "" {
			name, _ = lookup(next.val, "name").String()
		}
		if name == "" {
			i, _ := strconv.Atoi(sel)
			subj = append(subj, to.label+" #"+strconv.Itoa(i+1))
			break
		}
		subj = append(subj, named(to.label, name))
	case element:
		subj = append(subj, named(to.label, sel))
	}
	if to.title != "" {
		subj = append(subj, to.title)
	}
	return next, subj, field
}

// walk follows path (CUE path elements as errors spell them) from the
// value val with structure n, naming what it passes.
func (l *loader) walk(n *node, val cue.Value, path []string) place {
	var p place
	c := l.at(n, val)
	if n.title != "" {
		p.subject = append(p.subject, n.title)
	}
	for _, sel := range path {
		var subj []string
		var field string
		c, subj, field = l.step(c, sel)
		for _, s := range subj {
			// An action named like its step is the step.
			if len(p.subject) > 0 && strings.HasPrefix(s, "action ") && strings.TrimPrefix(p.subject[len(p.subject)-1], "step ") == strings.TrimPrefix(s, "action ") {
				continue
			}
			p.subject = append(p.subject, s)
		}
		if field != "" {
			p.field = appendField(p.field, field)
		}
	}
	p.def, p.val = c.def, c.val
	return p
}

// appendField appends a path element to a field path, an index as [i]
// on the element before it.
func appendField(field []string, sel string) []string {
	if isIndex(sel) && len(field) > 0 {
		field[len(field)-1] += "[" + sel + "]"
		return field
	}
	if isIndex(sel) {
		return append(field, "["+sel+"]")
	}
	return append(field, sel)
}

// child returns the field or element sel of v.
func child(v cue.Value, sel string) cue.Value {
	if !v.Exists() {
		return v
	}
	if i, err := strconv.Atoi(sel); err == nil {
		return v.LookupPath(cue.MakePath(cue.Index(i)))
	}
	if c := v.LookupPath(cue.MakePath(cue.Str(sel))); c.Exists() {
		return c
	}
	if c := v.LookupPath(cue.MakePath(cue.Str(sel).Optional())); c.Exists() {
		return c
	}
	if strings.HasPrefix(sel, "#") {
		return v.LookupPath(cue.MakePath(cue.Def(sel)))
	}
	return v.LookupPath(cue.MakePath(cue.AnyIndex))
}

func isIndex(s string) bool {
	_, err := strconv.Atoi(s)
	return err == nil
}

// def returns the named definition of the schema, or the zero value.
func (l *loader) def(name string) cue.Value {
	if name == "" || !l.schema.Exists() {
		return cue.Value{}
	}
	return l.schema.LookupPath(cue.MakePath(cue.Def(name)))
}

// fieldsOf lists the fields a definition declares.
func fieldsOf(def cue.Value) []string {
	it, err := def.Fields(cue.Optional(true))
	if err != nil {
		return nil
	}
	var names []string
	for it.Next() {
		names = append(names, label(it.Selector()))
	}
	return names
}
