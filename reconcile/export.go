package reconcile

import (
	"cmp"
	"fmt"
	"slices"
	"strings"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/octopus"
)

// nestedServerManaged lists, per kind, the fields inside a document's
// elements that the server assigns (element ids, computed names). They are
// dropped when a live document is written out as configuration: git never
// holds them, and octosync pairs elements by name instead.
var nestedServerManaged = map[string][]string{
	"lifecycles":          {"Phases[].Id"},
	"deploymentProcess":   {"Steps[].Id", "Steps[].Slug", "Steps[].Actions[].Id", "Steps[].Actions[].Slug", "Steps[].Actions[].Packages[].Id"},
	"runbookProcess":      {"Steps[].Id", "Steps[].Slug", "Steps[].Actions[].Id", "Steps[].Actions[].Slug", "Steps[].Actions[].Packages[].Id"},
	"projectVariables":    {"Variables[].Id"},
	"libraryVariables":    {"Variables[].Id"},
	"projects":            {"Templates[].Id"},
	"libraryVariableSets": {"Templates[].Id"},
	"stepTemplates":       {"Parameters[].Id", "Packages[].Id"},
	"tagSets":             {"Tags[].Id", "Tags[].CanonicalTagName"},
	"channels":            {"Rules[].Id"},
	"machinePolicies":     {"Slug"},
}

// ExportOptions say how live state becomes configuration.
type ExportOptions struct {
	// SecretRef names the reference that replaces a write-only value found
	// at a readable path of a resource; nil uses SecretEnvName.
	SecretRef func(k model.Key, path string) model.SecretRef
}

// Export turns what was read from an instance into the desired model's
// form: every managed resource in configuration form (names, not ids; no
// server-owned fields), and every write-only value replaced by a secret
// reference whose value is not known. Built-in resources (the Default
// Lifecycle, built-in feeds, teams and roles, default pools and policies)
// are left out: configuration refers to them by name without declaring
// them. The result plans to "No changes." against the instance it came
// from once its secrets are provided.
func Export(li *LiveInstance, opts ExportOptions) *model.Instance {
	if opts.SecretRef == nil {
		opts.SecretRef = func(k model.Key, path string) model.SecretRef {
			return model.SecretRef{Env: SecretEnvName(k, path)}
		}
	}
	instIdx, spaceIdx := buildIndexes(li)
	in := &model.Instance{Name: li.Name}
	in.Resources = exportDocs(li.Docs, instIdx, li.Name, "", true, opts)
	for _, ls := range li.Spaces {
		if ls.LedgerOnly {
			continue
		}
		sp := &model.Space{Name: ls.Name}
		sp.Resources = exportDocs(ls.Docs, spaceIdx[ls], li.Name, ls.Name, false, opts)
		in.Spaces = append(in.Spaces, sp)
	}
	return in
}

func exportDocs(docs map[string][]*LiveDoc, idx *index, instance, space string, instanceLevel bool, opts ExportOptions) []*model.Resource {
	var out []*model.Resource
	for _, k := range octopus.Kinds() {
		if !k.Managed {
			continue
		}
		ki := kindInfos[k.Name]
		for _, d := range docs[k.Name] {
			if isLedger(d) || (k.Shape == octopus.Collection && isBuiltInDoc(d)) {
				continue
			}
			if k.Name == "spaces" && !instanceLevel {
				continue
			}
			key := model.Key{Instance: instance, Space: space, Kind: k.Name, Owner: d.Owner, Name: d.Name}
			cx := &normCtx{ownerID: d.OwnerID, instanceLevel: instanceLevel, names: func(kind, _, id string) (string, bool) { return idx.name(kind, id) }}
			cfg := toConfig(ki, d.Doc, cx)
			for _, p := range nestedServerManaged[k.Name] {
				dropPath(cfg, mustPath(p))
			}
			for f := range k.Filter {
				delete(cfg, f)
			}
			cfg = toSecretRefs(ki.rules, key, cfg, opts.SecretRef)
			out = append(out, &model.Resource{Key: key, Doc: cfg})
		}
	}
	slices.SortStableFunc(out, func(a, b *model.Resource) int {
		return cmp.Or(cmp.Compare(kindOrder(a.Key.Kind), kindOrder(b.Key.Kind)), a.Key.Compare(b.Key))
	})
	return out
}

// dropPath deletes the field a path ends in, in every element it reaches.
func dropPath(v any, steps []step) {
	if len(steps) == 0 {
		return
	}
	obj, ok := v.(map[string]any)
	if !ok {
		return
	}
	st := steps[0]
	if len(steps) == 1 && st.iter == iterNone {
		delete(obj, st.field)
		return
	}
	switch st.iter {
	case iterNone:
		dropPath(obj[st.field], steps[1:])
	case iterElems:
		arr, _ := obj[st.field].([]any)
		for _, e := range arr {
			dropPath(e, steps[1:])
		}
	case iterValues:
		m, _ := obj[st.field].(map[string]any)
		for _, e := range m {
			dropPath(e, steps[1:])
		}
	}
}

// toSecretRefs replaces every Sensitive marker in a configuration-form
// document with a reference named for its place; unset values are dropped.
func toSecretRefs(rules diffRules, key model.Key, doc model.Doc, ref func(model.Key, string) model.SecretRef) model.Doc {
	var walk func(path, pattern string, v any) any
	walk = func(path, pattern string, v any) any {
		switch t := v.(type) {
		case Sensitive:
			if !t.Set {
				return nil
			}
			return ref(key, path)
		case map[string]any:
			exact := slices.Contains(rules.exact, pattern)
			for _, k := range sortedKeys(t) { // in order, so names are given in order
				e := t[k]
				sub := joinPattern(pattern, k)
				if exact {
					sub = joinPattern(pattern, "*")
				}
				if nv := walk(joinPath(path, k), sub, e); nv != nil || e == nil {
					t[k] = nv
				} else {
					delete(t, k)
				}
			}
			return t
		case []any:
			pattern += "[]"
			id, ok := rules.elements[strings.TrimSuffix(pattern, "[]")]
			for i, e := range t {
				p := fmt.Sprintf("%s[%d]", path, i)
				if ok {
					p = elementPath(path, id, e, elementID(id, e))
				}
				t[i] = walk(p, pattern, e)
			}
			return t
		}
		return v
	}
	return walk("", "", doc).(map[string]any)
}

// SecretEnvName makes an environment variable name for a secret found in
// Octopus: OCTOPUS_SECRET_, then the resource's space, its kind (for
// resources that are not settings, variables or processes, which their
// owner or name says enough about), owner and name, and the names along
// the field's path (the step and property, the variable), upper-cased,
// every other character an underscore: OCTOPUS_SECRET_PAYMENTS_FEED_
// ARTIFACTORY_PASSWORD, OCTOPUS_SECRET_PAYMENTS_API_DB_PASSWORD.
func SecretEnvName(k model.Key, path string) string {
	parts := []string{"OCTOPUS_SECRET", k.Space}
	switch k.Kind {
	case "projectVariables", "libraryVariables", "tenantVariables", "deploymentProcess", "runbookProcess",
		"authentication", "smtp", "auditStream":
	default:
		if kind := octopus.KindByName(k.Kind); kind != nil {
			parts = append(parts, kind.Label)
		}
	}
	parts = append(parts, k.Owner, k.Name)
	parts = append(parts, pathNames(path)...)
	return model.EnvName(parts...)
}

// containerFields are the fields of a readable path that only hold the
// named things a secret's name is made of.
var containerFields = map[string]bool{
	"Steps": true, "Actions": true, "Variables": true, "Properties": true, "Value": true, "Details": true,
	"Parameters": true, "Templates": true, "ProjectVariables": true, "LibraryVariables": true,
	"StreamConfigurationResource": true,
}

// pathNames returns the names along a readable path
// (Steps["Deploy"].Actions["Deploy"].Properties.Key): element names and
// fields, without the containers and without a name repeated.
func pathNames(path string) []string {
	var out []string
	add := func(s string) {
		if s != "" && (len(out) == 0 || !strings.EqualFold(out[len(out)-1], s)) {
			out = append(out, s)
		}
	}
	for path != "" {
		switch path[0] {
		case '.':
			path = path[1:]
		case '[':
			end := strings.LastIndex(path, "]")
			if next := strings.Index(path, "]."); next >= 0 {
				end = next
			}
			if end < 0 {
				end = len(path) - 1
			}
			add(strings.NewReplacer(`"`, " ", `\`, " ").Replace(path[1:end]))
			path = path[end+1:]
		default:
			end := strings.IndexAny(path, ".[")
			if end < 0 {
				end = len(path)
			}
			if f := path[:end]; !containerFields[f] {
				add(f)
			}
			path = path[end:]
		}
	}
	return out
}
