package schema

import (
	"strconv"
	"strings"

	"octosync.dev/octosync/model"
)

// segment is one step of a registry field path (octopus.Ref.Path syntax):
// a field, then optionally every element of an array ("[]"), every value
// of an object ("{}") or the keys of an object ("{key}").
type segment struct {
	name string
	each string // "", "[]", "{}" or "{key}"
}

// parseRefPath splits a registry field path into segments. A name
// written in brackets and quotes (Properties["Octopus.Action.Template.Id"])
// is a segment of its own.
func parseRefPath(p string) []segment {
	var segs []segment
	for p != "" {
		var s segment
		if strings.HasPrefix(p, `["`) {
			end := strings.Index(p, `"]`)
			if end < 0 {
				return nil
			}
			s.name, p = p[2:end], p[end+2:]
		} else {
			end := strings.IndexAny(p, ".[{")
			if end < 0 {
				end = len(p)
			}
			s.name, p = p[:end], p[end:]
		}
		for _, suffix := range []string{"[]", "{}", "{key}"} {
			if strings.HasPrefix(p, suffix) {
				s.each, p = suffix, p[len(suffix):]
			}
		}
		p = strings.TrimPrefix(p, ".")
		segs = append(segs, s)
	}
	return segs
}

// refValue is a name found at a reference path, with the JSON pointer of
// the place that holds it.
type refValue struct {
	name, ptr string
}

// refValues returns the names a document holds at a registry field path.
func refValues(doc model.Doc, path string) []refValue {
	var out []refValue
	var walk func(v any, ptr string, segs []segment)
	walk = func(v any, ptr string, segs []segment) {
		if len(segs) == 0 {
			if s, ok := v.(string); ok && s != "" {
				out = append(out, refValue{s, ptr})
			}
			return
		}
		m, ok := v.(map[string]any)
		if !ok {
			return
		}
		s := segs[0]
		x, ok := m[s.name]
		if !ok {
			return
		}
		p := pointer(ptr, s.name)
		switch s.each {
		case "":
			walk(x, p, segs[1:])
		case "[]":
			list, _ := x.([]any)
			for i, e := range list {
				walk(e, pointer(p, strconv.Itoa(i)), segs[1:])
			}
		case "{}":
			obj, _ := x.(map[string]any)
			for _, k := range sortedKeys(obj) {
				walk(obj[k], pointer(p, k), segs[1:])
			}
		case "{key}":
			obj, _ := x.(map[string]any)
			for _, k := range sortedKeys(obj) {
				out = append(out, refValue{k, pointer(p, k)})
			}
		}
	}
	walk(map[string]any(doc), "", parseRefPath(path))
	return out
}
