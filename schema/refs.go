package schema

import (
	"strconv"
	"strings"

	"octosync.dev/octosync/model"
)

// segment is one step of a registry field path (octopus.Ref.Path syntax):
// a field, then any of: every element of an array ("[]"), every value of
// an object ("{}"), the keys of an object ("{key}").
type segment struct {
	name string
	each []string
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
	suffixes:
		for {
			for _, suffix := range []string{"[]", "{}", "{key}"} {
				if strings.HasPrefix(p, suffix) {
					s.each, p = append(s.each, suffix), p[len(suffix):]
					continue suffixes
				}
			}
			break
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
	// each applies a segment's suffixes to the value x of its field.
	var each func(x any, p string, ops []string, rest []segment)
	each = func(x any, p string, ops []string, rest []segment) {
		if len(ops) == 0 {
			walk(x, p, rest)
			return
		}
		switch ops[0] {
		case "[]":
			list, _ := x.([]any)
			for i, e := range list {
				each(e, pointer(p, strconv.Itoa(i)), ops[1:], rest)
			}
		case "{}":
			obj, _ := x.(map[string]any)
			for _, k := range sortedKeys(obj) {
				each(obj[k], pointer(p, k), ops[1:], rest)
			}
		case "{key}":
			obj, _ := x.(map[string]any)
			for _, k := range sortedKeys(obj) {
				out = append(out, refValue{k, pointer(p, k)})
			}
		}
	}
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
		each(x, pointer(ptr, s.name), s.each, segs[1:])
	}
	walk(map[string]any(doc), "", parseRefPath(path))
	return out
}
