package reconcile

import (
	"fmt"
	"regexp"
	"strconv"
	"strings"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/model/docvalue"
	"octosync.dev/octosync/octopus"
)

// kindInfo is what reconcile derives once from a registry row: parsed ref
// paths, diff rules, and the kind's own normalisation, if it needs one.
type kindInfo struct {
	kind  *octopus.Kind
	refs  []refInfo
	rules diffRules
	// live, when set, adjusts a live document (already in configuration
	// form) beyond what the registry describes.
	live func(doc model.Doc, cx *normCtx)
	// desired, when set, adjusts a desired document before the diff and
	// before its conversion to API form.
	desired func(doc model.Doc)
}

// refInfo is a parsed registry Ref.
type refInfo struct {
	octopus.Ref
	api, config  []step
	apiName      string // last field in the API document
	configName   string // last field in the configuration
	ownedByOwner bool   // the target kind lives inside the document's owner (channels of a project)
}

var kindInfos = func() map[string]*kindInfo {
	m := map[string]*kindInfo{}
	for _, k := range octopus.Kinds() {
		ki := &kindInfo{kind: k, rules: diffRules{elements: k.Elements}}
		for _, r := range k.Refs {
			ri := refInfo{Ref: r, api: mustPath(r.Path), config: mustPath(r.ConfigPath())}
			ri.apiName, ri.configName = lastField(ri.api), lastField(ri.config)
			if t := octopus.KindByName(r.Kind); r.Kind == "actions" || t != nil && t.Owner != "" {
				ri.ownedByOwner = true
			}
			ki.refs = append(ki.refs, ri)
		}
		m[k.Name] = ki
	}
	for name, special := range specials {
		ki := m[name]
		ki.live, ki.desired = special.live, special.desired
		ki.rules.exact = special.exact
		ki.rules.unordered = special.unordered
		if special.elements != nil {
			ki.rules.elements = special.elements
		}
	}
	return m
}()

// special is a kind's normalisation beyond the registry's columns.
type special struct {
	live      func(model.Doc, *normCtx)
	desired   func(model.Doc)
	exact     []string
	unordered []string
	elements  map[string]string
}

var processSpecial = special{
	live:    stepsLive,
	desired: stepsDesired,
	exact:   []string{"Steps[].Properties", "Steps[].Actions[].Properties"},
}

var variablesSpecial = special{
	live:      variablesLive,
	desired:   variablesDesired,
	elements:  map[string]string{"Variables": "Name+Scope"},
	unordered: []string{"Variables"},
}

var specials = map[string]special{
	"deploymentProcess": processSpecial,
	"runbookProcess":    processSpecial,
	"projectVariables":  variablesSpecial,
	"libraryVariables":  variablesSpecial,
	"machinePolicies":   {live: func(d model.Doc, _ *normCtx) { timeSpans(d) }, desired: timeSpans},
	"stepTemplates":     {desired: stringifyProperties, exact: []string{"Properties"}},
	"spaces":            {live: spaceLive},
	"tenantVariables": {
		live:  tenantVariablesLive,
		exact: []string{"ProjectVariables", "ProjectVariables.*", "ProjectVariables.*.*", "LibraryVariables", "LibraryVariables.*"},
	},
	"userRoles": {unordered: []string{"GrantedSpacePermissions", "GrantedSystemPermissions"}},
}

// resolver maps ids to names (toConfig) or names to ids (toAPI) for a kind;
// ownerID scopes child kinds to their owner. It reports whether it knew the
// value.
type resolver func(kind, ownerID, value string) (string, bool)

// normCtx is what normalising one live document needs to know about where
// it lives.
type normCtx struct {
	// ownerID is the id of the owning project (or tenant, or library
	// variable set) of a child document.
	ownerID string
	// instanceLevel is true for documents read at instance level, where a
	// role grant's SpaceId is meaningful rather than implied.
	instanceLevel bool
	names         resolver
}

// toConfig turns a live API document into configuration form: server-owned
// fields dropped, ids replaced by names, write-only values replaced by
// Sensitive markers. doc is not modified.
func toConfig(ki *kindInfo, doc model.Doc, cx *normCtx) model.Doc {
	out := docvalue.DeepCopy(doc).(map[string]any)
	k := ki.kind
	ownerID, names := cx.ownerID, cx.names
	for _, f := range octopus.CommonServerManaged {
		if f == "SpaceId" && cx.instanceLevel && k.Name == "scopedUserRoles" {
			continue
		}
		delete(out, f)
	}
	for _, f := range k.ServerManaged {
		delete(out, f)
	}
	if k.OwnerRef != "" {
		delete(out, k.OwnerRef)
	}
	for _, r := range ki.refs {
		owner := ""
		if r.ownedByOwner {
			owner = ownerID
		}
		rewrite(out, r.api, r.configName, func(id string) (string, bool) {
			if n, ok := names(r.Kind, owner, id); ok {
				return n, true
			}
			return id, true
		})
	}
	markSensitive(out)
	if ki.live != nil {
		ki.live(out, cx)
	}
	return out
}

// toAPI turns a desired document (configuration form, names) into API form
// (ids). Names that do not resolve are returned as errors, one per name.
// Secrets stay model.SecretRef values; the writer resolves them. doc is not
// modified.
func toAPI(ki *kindInfo, doc model.Doc, ownerID string, ids resolver) (model.Doc, []error) {
	out := docvalue.DeepCopy(doc).(map[string]any)
	if ki.desired != nil {
		ki.desired(out)
	}
	var errs []error
	for _, r := range ki.refs {
		owner := ""
		if r.ownedByOwner {
			owner = ownerID
		}
		rewrite(out, r.config, r.apiName, func(name string) (string, bool) {
			if id, ok := ids(r.Kind, owner, name); ok {
				return id, true
			}
			errs = append(errs, fmt.Errorf("%s %q does not exist (referenced by %s)", kindLabel(r.Kind), name, r.ConfigPath()))
			return name, true
		})
	}
	return out, errs
}

// normalizeDesired prepares a desired document for the diff.
func normalizeDesired(ki *kindInfo, doc model.Doc) model.Doc {
	out := docvalue.DeepCopy(doc).(map[string]any)
	if ki.desired != nil {
		ki.desired(out)
	}
	return out
}

func kindLabel(kind string) string {
	if kind == "actions" {
		return "step"
	}
	if k := octopus.KindByName(kind); k != nil {
		return k.Label
	}
	return kind
}

// markSensitive replaces every SensitiveValue object ({HasValue, NewValue})
// with a Sensitive marker, wherever it appears.
func markSensitive(v any) any {
	switch t := v.(type) {
	case map[string]any:
		if hv, ok := t["HasValue"].(bool); ok {
			if _, nv := t["NewValue"]; nv || len(t) <= 3 {
				return Sensitive{Set: hv}
			}
		}
		for k, e := range t {
			t[k] = markSensitive(e)
		}
	case []any:
		for i, e := range t {
			t[i] = markSensitive(e)
		}
	}
	return v
}

// stepsLive drops what the server adds to a process's steps and actions.
func stepsLive(doc model.Doc, _ *normCtx) {
	forEachAction(doc, func(props map[string]any) {
		delete(props, "Octopus.Action.Template.Version")
	})
}

// stepsDesired writes property values the way Octopus stores them: strings.
func stepsDesired(doc model.Doc) {
	steps, _ := doc["Steps"].([]any)
	for _, s := range steps {
		step, _ := s.(map[string]any)
		stringifyProperties(step)
		actions, _ := step["Actions"].([]any)
		for _, a := range actions {
			action, _ := a.(map[string]any)
			stringifyProperties(action)
			if props, ok := action["Properties"].(map[string]any); ok {
				delete(props, "Octopus.Action.Template.Version")
			}
		}
	}
}

func forEachAction(doc model.Doc, fn func(props map[string]any)) {
	steps, _ := doc["Steps"].([]any)
	for _, s := range steps {
		step, _ := s.(map[string]any)
		actions, _ := step["Actions"].([]any)
		for _, a := range actions {
			action, _ := a.(map[string]any)
			if props, ok := action["Properties"].(map[string]any); ok {
				fn(props)
			}
		}
	}
}

// stringifyProperties turns booleans and numbers in a Properties bag into
// the strings Octopus stores ("True", "False", "5").
func stringifyProperties(obj map[string]any) {
	props, ok := obj["Properties"].(map[string]any)
	if !ok {
		return
	}
	for k, v := range props {
		switch t := v.(type) {
		case bool:
			props[k] = strings.ToUpper(strconv.FormatBool(t)[:1]) + strconv.FormatBool(t)[1:]
		case float64, int:
			props[k] = fmt.Sprint(t)
		case interface{ String() string }:
			if _, isRef := v.(model.SecretRef); !isRef {
				props[k] = t.String()
			}
		}
	}
}

// variablesLive marks sensitive variables' values and sorts scopes.
func variablesLive(doc model.Doc, _ *normCtx) {
	vars, _ := doc["Variables"].([]any)
	for _, v := range vars {
		m, _ := v.(map[string]any)
		if m == nil {
			continue
		}
		delete(m, "Id")
		if sens, _ := m["IsSensitive"].(bool); sens {
			if _, done := m["Value"].(Sensitive); !done {
				m["Value"] = Sensitive{Set: true}
			}
		}
		canonicalScope(m)
	}
}

func variablesDesired(doc model.Doc) {
	vars, _ := doc["Variables"].([]any)
	for _, v := range vars {
		if m, ok := v.(map[string]any); ok {
			canonicalScope(m)
		}
	}
}

// canonicalScope sorts each scope list and drops empty ones, so that the
// scope identifies a variable value regardless of order.
func canonicalScope(v map[string]any) {
	scope, ok := v["Scope"].(map[string]any)
	if !ok {
		return
	}
	for k, list := range scope {
		arr, _ := list.([]any)
		if len(arr) == 0 {
			delete(scope, k)
			continue
		}
		strs := sortedScalars(arr)
		out := make([]any, len(strs))
		for i, s := range strs {
			out[i] = s
		}
		scope[k] = out
	}
	if len(scope) == 0 {
		delete(v, "Scope")
	}
}

// timeSpanRE matches .NET TimeSpan strings: [d.]hh:mm:ss[.fffffff].
var timeSpanRE = regexp.MustCompile(`^(?:(\d+)\.)?(\d{1,2}):(\d{2}):(\d{2})(?:\.(\d+))?$`)

// timeSpans writes every TimeSpan-shaped string of a machine policy in one
// canonical form, so "01.00:00:00" and "1.00:00:00" compare equal.
func timeSpans(doc model.Doc) {
	walkStrings(doc, func(s string) string {
		m := timeSpanRE.FindStringSubmatch(s)
		if m == nil {
			return s
		}
		days, _ := strconv.Atoi(m[1])
		h, _ := strconv.Atoi(m[2])
		out := fmt.Sprintf("%02d:%s:%s", h, m[3], m[4])
		if days > 0 {
			out = strconv.Itoa(days) + "." + out
		}
		if frac := strings.TrimRight(m[5], "0"); frac != "" {
			out += "." + frac
		}
		return out
	})
}

func walkStrings(v any, fn func(string) string) {
	switch t := v.(type) {
	case map[string]any:
		for k, e := range t {
			if s, ok := e.(string); ok {
				t[k] = fn(s)
				continue
			}
			walkStrings(e, fn)
		}
	case []any:
		for i, e := range t {
			if s, ok := e.(string); ok {
				t[i] = fn(s)
				continue
			}
			walkStrings(e, fn)
		}
	}
}

// spaceLive drops the space's own Space Managers team, which Octopus
// creates with the space and lists among its managers.
func spaceLive(doc model.Doc, _ *normCtx) {
	teams, _ := doc["SpaceManagersTeams"].([]any)
	out := teams[:0:0]
	for _, t := range teams {
		if s, _ := t.(string); !strings.HasPrefix(s, "teams-spacemanagers-") && s != "Space Managers" {
			out = append(out, t)
		}
	}
	if teams != nil {
		doc["SpaceManagersTeams"] = out
	}
}

// tenantVariablesLive turns the tenant variables document, keyed by ids,
// into the configuration's form keyed by names:
// ProjectVariables.<project>.<environment>.<template> and
// LibraryVariables.<library variable set>.<template>.
func tenantVariablesLive(doc model.Doc, cx *normCtx) {
	projects := map[string]any{}
	pv, _ := doc["ProjectVariables"].(map[string]any)
	for _, p := range pv {
		proj, _ := p.(map[string]any)
		name, _ := proj["ProjectName"].(string)
		templates := templateNames(proj["Templates"])
		envs := map[string]any{}
		vars, _ := proj["Variables"].(map[string]any)
		for envID, values := range vars {
			env := envID
			if n, ok := cx.names("environments", "", envID); ok {
				env = n
			}
			envs[env] = byTemplateName(values, templates)
		}
		projects[name] = envs
	}
	libraries := map[string]any{}
	lv, _ := doc["LibraryVariables"].(map[string]any)
	for _, l := range lv {
		lib, _ := l.(map[string]any)
		name, _ := lib["LibraryVariableSetName"].(string)
		libraries[name] = byTemplateName(lib["Variables"], templateNames(lib["Templates"]))
	}
	for k := range doc {
		delete(doc, k)
	}
	doc["ProjectVariables"] = projects
	doc["LibraryVariables"] = libraries
}

// templateNames maps template ids to names.
func templateNames(v any) map[string]string {
	names := map[string]string{}
	list, _ := v.([]any)
	for _, t := range list {
		tm, _ := t.(map[string]any)
		id, _ := tm["Id"].(string)
		name, _ := tm["Name"].(string)
		names[id] = name
	}
	return names
}

func byTemplateName(v any, names map[string]string) map[string]any {
	out := map[string]any{}
	values, _ := v.(map[string]any)
	for id, val := range values {
		name := names[id]
		if name == "" {
			name = id
		}
		out[name] = val
	}
	return out
}
