package schema

import (
	"encoding/json"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/token"

	"octosync.dev/octosync/model"
)

// shape tells the decoder what it is decoding, where the configuration's
// structure differs from a plain JSON document: which keys of an object
// are API fields (the others are helper inputs or octosync's own keys)
// and where an extra object is merged in.
type shape struct {
	// keep, when set, lists the only keys of the object that are API
	// fields; skip lists keys that are not (octosync's own).
	keep, skip map[string]bool
	// extra merges the object's extra field into it.
	extra bool
	// fields are the shapes of named children; elem of list elements.
	fields map[string]*shape
	elem   *shape
}

func set(keys ...string) map[string]bool {
	m := make(map[string]bool, len(keys))
	for _, k := range keys {
		m[k] = true
	}
	return m
}

// Shapes of the documents that hold steps: the API fields of a step (a
// helper's inputs are dropped once expanded) and of an action.
var (
	actionShape  = &shape{extra: true}
	stepShape    = &shape{extra: true, keep: set("Name", "PackageRequirement", "Condition", "StartTrigger", "Properties", "Actions"), fields: map[string]*shape{"Actions": {elem: actionShape}}}
	processShape = &shape{skip: set("ownership", "fields", "ignore"), fields: map[string]*shape{"Steps": {elem: stepShape}}}
)

// decoder turns evaluated CUE values into documents, recording where the
// configuration set each value.
type decoder struct {
	l *loader
	// fields receives the position of every value set by the
	// configuration, by JSON pointer.
	fields map[string]model.Pos
	// problems are found while decoding (an extra field the schema
	// knows), by JSON pointer.
	problems []problem
}

type problem struct {
	ptr, msg string
	pos      model.Pos
}

// label returns a selector as a plain string: a field name unquoted, an
// index in decimal.
func label(sel cue.Selector) string {
	switch sel.LabelType() {
	case cue.StringLabel:
		return sel.Unquoted()
	case cue.IndexLabel:
		return strconv.Itoa(sel.Index())
	}
	return sel.String()
}

// pointer appends a reference token to a JSON pointer.
func pointer(ptr, token string) string {
	if strings.ContainsAny(token, "~/") {
		token = strings.ReplaceAll(strings.ReplaceAll(token, "~", "~0"), "/", "~1")
	}
	return ptr + "/" + token
}

// value decodes v at ptr. It returns the value, the position the
// configuration gave it (invalid when only the schema did), and whether v
// holds a value at all (an erroneous or incomplete one does not).
func (d *decoder) value(v cue.Value, ptr string, sh *shape) (any, model.Pos, bool) {
	v, _ = v.Default()
	switch v.Kind() {
	case cue.StructKind:
		return d.object(v, ptr, sh)
	case cue.ListKind:
		return d.list(v, ptr, sh)
	case cue.StringKind:
		s, err := v.String()
		return s, d.leaf(v, ptr), err == nil
	case cue.BoolKind:
		b, err := v.Bool()
		return b, d.leaf(v, ptr), err == nil
	case cue.IntKind:
		if i, err := v.Int64(); err == nil {
			return json.Number(strconv.FormatInt(i, 10)), d.leaf(v, ptr), true
		}
		fallthrough
	case cue.FloatKind, cue.NumberKind:
		b, err := v.MarshalJSON()
		return json.Number(b), d.leaf(v, ptr), err == nil
	case cue.NullKind:
		return nil, d.leaf(v, ptr), true
	case cue.BottomKind:
		// A struct or list holding an error somewhere inside still has
		// its fields: decode what is there.
		if _, err := v.List(); err == nil {
			return d.list(v, ptr, sh)
		}
		if _, err := v.Fields(); err == nil {
			return d.object(v, ptr, sh)
		}
	}
	return nil, model.Pos{}, false
}

// leaf records and returns the position of a scalar.
func (d *decoder) leaf(v cue.Value, ptr string) model.Pos {
	p := d.l.pos(v.Pos())
	if p.IsValid() && d.fields != nil {
		d.fields[ptr] = p
	}
	return p
}

// object decodes a struct: a secret reference, or a document object.
func (d *decoder) object(v cue.Value, ptr string, sh *shape) (any, model.Pos, bool) {
	it, err := v.Fields()
	if err != nil {
		return nil, model.Pos{}, false
	}
	out := map[string]any{}
	var first model.Pos
	var extra cue.Value
	hasExtra := false
	for it.Next() {
		key := label(it.Selector())
		fv := it.Value()
		if sh != nil {
			if key == "extra" && sh.extra {
				extra, hasExtra = fv, true
				continue
			}
			if sh.skip[key] || sh.keep != nil && !sh.keep[key] {
				continue
			}
		}
		var child *shape
		if sh != nil {
			child = sh.fields[key]
		}
		x, p, ok := d.value(fv, pointer(ptr, key), child)
		if !ok {
			continue
		}
		out[key] = x
		first = earliest(first, p)
	}
	if ref, ok := secretRef(out); ok {
		if first.IsValid() && d.fields != nil {
			d.fields[ptr] = first
			delete(d.fields, pointer(ptr, "env"))
			delete(d.fields, pointer(ptr, "file"))
		}
		return ref, first, true
	}
	if hasExtra {
		d.mergeExtra(v, extra, out, ptr)
	}
	if first.IsValid() && d.fields != nil {
		d.fields[ptr] = first
	}
	return out, first, true
}

// mergeExtra merges the fields of extra into out. A field the schema knows
// must be set directly, so the schema's checks and defaults apply to it.
func (d *decoder) mergeExtra(parent, extra cue.Value, out map[string]any, ptr string) {
	it, err := extra.Fields()
	if err != nil {
		return
	}
	for it.Next() {
		key := label(it.Selector())
		x, p, ok := d.value(it.Value(), pointer(ptr, key), nil)
		if !ok {
			continue
		}
		if _, known := out[key]; known || parent.Allows(cue.Str(key)) {
			d.problems = append(d.problems, problem{ptr: pointer(ptr, key), pos: p,
				msg: "extra." + key + ": " + key + " is a field the schema knows; set it directly instead of through extra"})
			continue
		}
		out[key] = x
	}
}

// list decodes a list.
func (d *decoder) list(v cue.Value, ptr string, sh *shape) (any, model.Pos, bool) {
	it, err := v.List()
	if err != nil {
		return nil, model.Pos{}, false
	}
	var elem *shape
	if sh != nil {
		elem = sh.elem
	}
	out := []any{}
	var first model.Pos
	for i := 0; it.Next(); i++ {
		x, p, ok := d.value(it.Value(), pointer(ptr, strconv.Itoa(i)), elem)
		if !ok {
			continue
		}
		out = append(out, x)
		first = earliest(first, p)
	}
	if first.IsValid() && d.fields != nil {
		d.fields[ptr] = first
	}
	return out, first, true
}

// secretRef recognises a decoded {env} or {file} object. API documents
// never have lower-case keys, so the shape is unambiguous.
func secretRef(m map[string]any) (model.SecretRef, bool) {
	if len(m) != 1 {
		return model.SecretRef{}, false
	}
	if s, ok := m["env"].(string); ok {
		return model.SecretRef{Env: s}, true
	}
	if s, ok := m["file"].(string); ok {
		return model.SecretRef{File: s}, true
	}
	return model.SecretRef{}, false
}

// earliest returns the earlier of two positions, ignoring invalid ones.
func earliest(a, b model.Pos) model.Pos {
	switch {
	case !a.IsValid():
		return b
	case !b.IsValid():
		return a
	case b.Compare(a) < 0:
		return b
	}
	return a
}

// pos turns a CUE position into a configuration position: relative to the
// configuration's root, and invalid for positions in the schema or the
// view, which are octosync's, not the user's.
func (l *loader) pos(p token.Pos) model.Pos {
	if !p.IsValid() {
		return model.Pos{}
	}
	name, ok := strings.CutPrefix(p.Filename(), root+"/")
	if !ok || strings.HasPrefix(name, pkgDir+"/") || strings.HasPrefix(name, viewDir+"/") {
		return model.Pos{}
	}
	return model.Pos{File: name, Line: p.Line(), Col: p.Column()}
}

// declPos finds where the configuration declares v, a resource or another
// struct whose own fields may all come from the schema: v's own position,
// else first (the earliest position of a field the configuration set),
// else the earliest position among the conjuncts the configuration
// wrote. The last is costly (CUE evaluates each conjunct again), but it
// is needed only for a value the configuration set no field of, which is
// small.
func (l *loader) declPos(v cue.Value, first model.Pos) model.Pos {
	if p := l.pos(v.Pos()); p.IsValid() {
		return p
	}
	if first.IsValid() {
		return first
	}
	var best model.Pos
	_, args := v.Expr()
	for _, a := range args {
		best = earliest(best, l.pos(a.Pos()))
	}
	return best
}
