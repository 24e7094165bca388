package reconcile

import (
	"fmt"
	"strings"
)

// step is one segment of a registry field path (see octopus.Ref): a field
// name followed by how to iterate what it holds.
type step struct {
	field string
	iter  iter
}

type iter uint8

const (
	iterNone   iter = iota // the field's value itself
	iterElems              // every element of an array: "[]"
	iterValues             // every value of an object: "{}"
	iterKeys               // the keys of an object: "{key}"
)

// parsePath splits a registry field path into steps. A path may combine
// iterators on one field ("ProjectEnvironments{}[]"): the first applies to
// the field, the rest become anonymous steps.
func parsePath(p string) ([]step, error) {
	var steps []step
	for p != "" {
		var name string
		if strings.HasPrefix(p, `["`) {
			end := strings.Index(p, `"]`)
			if end < 0 {
				return nil, fmt.Errorf("unterminated quoted name in %q", p)
			}
			name, p = p[2:end], p[end+2:]
		} else {
			end := strings.IndexAny(p, ".[{")
			if end < 0 {
				end = len(p)
			}
			name, p = p[:end], p[end:]
		}
		steps = append(steps, step{field: name})
		for {
			switch {
			case strings.HasPrefix(p, "[]"):
				steps = appendIter(steps, iterElems)
				p = p[2:]
				continue
			case strings.HasPrefix(p, "{key}"):
				steps = appendIter(steps, iterKeys)
				p = p[5:]
				continue
			case strings.HasPrefix(p, "{}"):
				steps = appendIter(steps, iterValues)
				p = p[2:]
				continue
			}
			break
		}
		p = strings.TrimPrefix(p, ".")
	}
	return steps, nil
}

func appendIter(steps []step, it iter) []step {
	last := &steps[len(steps)-1]
	if last.iter == iterNone {
		last.iter = it
		return steps
	}
	return append(steps, step{iter: it})
}

// mustPath parses a path from the registry, which is fixed at build time.
func mustPath(p string) []step {
	s, err := parsePath(p)
	if err != nil {
		panic(err)
	}
	return s
}

// rewrite walks v along steps and replaces every string found at the end
// with fn(s); fn returns the replacement and whether to keep it (false drops
// an array element or map key, and nulls a single field). When rename is not
// empty, the last named field is renamed to it. rewrite edits v in place.
func rewrite(v any, steps []step, rename string, fn func(string) (string, bool)) {
	if len(steps) == 0 {
		return
	}
	st := steps[0]
	obj, ok := v.(map[string]any)
	if !ok || st.field == "" {
		return
	}
	val, present := obj[st.field]
	if !present {
		return
	}
	var nv any
	switch {
	case st.iter == iterNone && len(steps) == 1:
		nv = val
		if s, ok := val.(string); ok {
			if r, keep := fn(s); keep {
				nv = r
			} else {
				nv = nil
			}
		}
	case st.iter == iterNone:
		rewrite(val, steps[1:], rename, fn)
		nv = val
	default:
		nv = rewriteIterValue(val, st.iter, steps[1:], rename, fn)
	}
	field := st.field
	if rename != "" && lastNamed(steps) {
		delete(obj, field)
		field = rename
	}
	obj[field] = nv
}

// lastNamed reports whether steps[0] is the last step with a field name.
func lastNamed(steps []step) bool {
	for _, s := range steps[1:] {
		if s.field != "" {
			return false
		}
	}
	return true
}

// rewriteIterValue applies an iterator to val and returns the (possibly new)
// value: arrays whose elements are dropped are rebuilt.
func rewriteIterValue(val any, it iter, rest []step, rename string, fn func(string) (string, bool)) any {
	switch it {
	case iterElems:
		arr, ok := val.([]any)
		if !ok {
			return val
		}
		if len(rest) == 0 {
			out := arr[:0:0]
			for _, e := range arr {
				if s, ok := e.(string); ok {
					if r, keep := fn(s); keep {
						out = append(out, r)
					}
					continue
				}
				out = append(out, e)
			}
			return out
		}
		for i, e := range arr {
			arr[i] = descend(e, rest, rename, fn)
		}
		return arr
	case iterValues:
		m, ok := val.(map[string]any)
		if !ok {
			return val
		}
		for k, e := range m {
			if len(rest) == 0 {
				if s, ok := e.(string); ok {
					if r, keep := fn(s); keep {
						m[k] = r
					} else {
						delete(m, k)
					}
				}
				continue
			}
			m[k] = descend(e, rest, rename, fn)
		}
		return m
	case iterKeys:
		m, ok := val.(map[string]any)
		if !ok {
			return val
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			if r, keep := fn(k); keep {
				out[r] = e
			}
		}
		return out
	}
	return val
}

// descend continues a walk below an iterated element: anonymous steps
// iterate the element itself, named steps look inside it.
func descend(e any, rest []step, rename string, fn func(string) (string, bool)) any {
	if rest[0].field == "" {
		return rewriteIterValue(e, rest[0].iter, rest[1:], rename, fn)
	}
	rewrite(e, rest, rename, fn)
	return e
}

// lastField returns the final named field of a path.
func lastField(steps []step) string {
	for i := len(steps) - 1; i >= 0; i-- {
		if steps[i].field != "" {
			return steps[i].field
		}
	}
	return ""
}
