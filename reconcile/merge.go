package reconcile

import (
	"fmt"
	"slices"
	"strings"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/model/docvalue"
)

// merger lays a desired document (API form, ids) over the live document
// it updates: fields git does not set are sent back exactly as read, and
// elements of arrays pair by identity so their server-assigned ids
// survive. Secrets are written only where the plan says so; elsewhere the
// live write-only value is sent back untouched, which Octopus reads as
// "keep".
type merger struct {
	rules diffRules
	// write reports whether the secret at a pointer into the desired
	// document is to be written.
	write   func(ptr string) bool
	secrets *Secrets
	errs    []error
}

// merge returns base with over laid on it. base may be nil (a create).
func (m *merger) merge(base, over any, path, ptr, pattern string) any {
	switch o := over.(type) {
	case model.SecretRef:
		if base != nil && !m.write(ptr) {
			return base
		}
		v, err := m.secrets.Resolve(o)
		if err != nil {
			m.errs = append(m.errs, fmt.Errorf("%s: %w", path, err))
			return base
		}
		if strings.HasSuffix(pattern, "Variables[].Value") {
			return v
		}
		return map[string]any{"HasValue": true, "NewValue": v}
	case map[string]any:
		b, _ := base.(map[string]any)
		exact := slices.Contains(m.rules.exact, pattern)
		out := make(map[string]any, len(b)+len(o))
		if !exact {
			for k, v := range b {
				out[k] = v
			}
		}
		for _, k := range sortedKeys(o) {
			sub := joinPattern(pattern, k)
			if exact {
				sub = joinPattern(pattern, "*")
			}
			out[k] = m.merge(b[k], o[k], joinPath(path, k), ptr+"/"+escapePointer(k), sub)
		}
		return out
	case []any:
		b, _ := base.([]any)
		pattern += "[]"
		if id, ok := m.rules.elements[strings.TrimSuffix(pattern, "[]")]; ok {
			byID := map[string]any{}
			for _, e := range b {
				byID[apiElementID(id, e)] = e
			}
			out := make([]any, len(o))
			for i, e := range o {
				eid := apiElementID(id, e)
				out[i] = m.merge(byID[eid], e, elementPath(path, id, e, elementID(id, e)), fmt.Sprintf("%s/%d", ptr, i), pattern)
			}
			return out
		}
		out := make([]any, len(o))
		for i, e := range o {
			var be any
			if i < len(b) {
				be = b[i]
			}
			out[i] = m.merge(be, e, fmt.Sprintf("%s[%d]", path, i), fmt.Sprintf("%s/%d", ptr, i), pattern)
		}
		return out
	}
	return over
}

// apiElementID identifies an element of an API-form array: like elementID,
// with a variable's scope lists sorted so that the same scope in any order
// pairs.
func apiElementID(field string, v any) string {
	if field != "Name+Scope" {
		return elementID(field, v)
	}
	m, _ := v.(map[string]any)
	c := map[string]any{"Name": m["Name"]}
	if scope, ok := m["Scope"].(map[string]any); ok {
		c["Scope"] = docvalue.DeepCopy(scope)
		canonicalScope(c)
	}
	return elementID(field, c)
}
