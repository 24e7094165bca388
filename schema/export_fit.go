package schema

import (
	"encoding/json"
	"errors"
	"fmt"
	"math/big"
	"path"
	"slices"
	"strings"
	"unicode"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/cuecontext"
	"cuelang.org/go/cue/load"

	"octosync.dev/octosync/model/docvalue"
)

// expCUE evaluates documents against the schema while exporting: it finds
// the fields a document must set for the schema to give it back, leaving
// out what the schema's defaults already give.
type expCUE struct {
	ctx    *cue.Context
	schema cue.Value
	defs   map[string]cue.Value
	dec    *decoder
}

// schemaDir is where the schema's own module is mounted to be loaded on
// its own. It never exists on disk.
const schemaDir = "/__octosync__/schema"

func newExpCUE() (*expCUE, error) {
	mod, err := moduleFiles.ReadFile("module/cue.mod/module.cue")
	if err != nil {
		return nil, err
	}
	overlay := map[string]load.Source{path.Join(schemaDir, "cue.mod/module.cue"): load.FromBytes(mod)}
	for name, data := range Files() {
		overlay[path.Join(schemaDir, name)] = load.FromBytes(data)
	}
	insts := load.Instances([]string{"."}, &load.Config{
		Dir: schemaDir, ModuleRoot: schemaDir, Overlay: overlay, Registry: offlineRegistry{}, Env: []string{},
	})
	if len(insts) != 1 || insts[0].Err != nil {
		if len(insts) == 1 {
			return nil, fmt.Errorf("load the schema: %w", insts[0].Err)
		}
		return nil, errors.New("load the schema: no package")
	}
	ctx := cuecontext.New()
	v := ctx.BuildInstance(insts[0])
	if err := v.Err(); err != nil {
		return nil, fmt.Errorf("build the schema: %w", err)
	}
	return &expCUE{ctx: ctx, schema: v, defs: map[string]cue.Value{}, dec: &decoder{l: &loader{}}}, nil
}

// def returns a definition of the schema (#Project), with Name filled in
// when name is not empty.
func (c *expCUE) def(def, name string) cue.Value {
	v, ok := c.defs[def]
	if !ok {
		v = c.schema.LookupPath(cue.MakePath(cue.Def(def)))
		c.defs[def] = v
	}
	if name != "" {
		v = v.FillPath(cue.MakePath(cue.Str("Name")), name)
	}
	return v
}

// fit returns the fields to write so that def unified with them gives
// the document d back, as the loader decodes it: fields whose value def
// already gives (its defaults, values it computes) are left out, and so
// are empty values of fields def leaves unset. init holds fields to write
// whatever def gives (helper inputs). Fields def does not know go to the
// extra field of the nearest struct that has one, unless defaults (by
// path pattern, "Steps[].Actions[].Condition") says the value is the
// server's own default (nil: whatever the value); the others are returned
// in dropped. Values the schema does not allow are left out and their
// paths returned in invalid. v is def unified with the fields written.
func (c *expCUE) fit(def cue.Value, d, init, defaults map[string]any, deps []string) (w map[string]any, v cue.Value, dropped, invalid []string) {
	w = map[string]any{}
	for k, x := range init {
		w[k] = x
	}
	// Each round adds what the last evaluation did not give; a field
	// that decides others (FeedType, #helper) brings theirs in the next.
	// The first evaluates nothing but the definition.
	for round := range 12 {
		if round == 0 && len(w) == 0 {
			v = def
		} else {
			v = c.unify(def, w)
		}
		if v.Err() != nil {
			// A value the schema does not allow (an enum value newer
			// than the schema): leave it out, and it stays unmanaged.
			if c.prune(v, w, "", &invalid) {
				continue
			}
		}
		if !c.adjust(v, d, w, "", defaults) {
			break
		}
	}
	if len(deps) > 0 && c.reduce(def, d, w, deps, init, defaults) {
		v = c.unify(def, w)
	}
	c.extras(v, d, w, "", defaults, &dropped)
	return w, v, dropped, invalid
}

// reduce leaves out of w the fields that the others decide (a sensitive
// variable's Type, which its Value makes Sensitive): each field at a path
// deps names is taken out in turn, and stays out when def still gives d
// back without it. It reports whether it left any out.
func (c *expCUE) reduce(def cue.Value, d, w map[string]any, deps []string, init, defaults map[string]any) bool {
	reduced := false
	for _, p := range deps {
		parts := strings.Split(p, depSep)
		if _, ok := init[parts[0]]; ok {
			continue
		}
		parent := w
		for _, k := range parts[:len(parts)-1] {
			if parent, _ = parent[k].(map[string]any); parent == nil {
				break
			}
		}
		last := parts[len(parts)-1]
		val, ok := parent[last]
		if !ok {
			continue
		}
		switch val.(type) {
		case map[string]any, []any:
			continue
		}
		delete(parent, last)
		if v := c.unify(def, w); v.Err() == nil && !c.adjust(v, d, docvalue.DeepCopy(w).(map[string]any), "", defaults) {
			reduced = true
			continue
		}
		parent[last] = val
	}
	return reduced
}

// unify evaluates def with the fields w.
func (c *expCUE) unify(def cue.Value, w map[string]any) cue.Value {
	return def.Unify(c.ctx.Encode(encodable(w)))
}

// encodable returns v with its numbers as Go numbers, which Encode takes
// as CUE numbers (a json.Number would be a string).
func encodable(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			out[k] = encodable(e)
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = encodable(e)
		}
		return out
	case json.Number:
		if i, err := t.Int64(); err == nil {
			return i
		}
		if f, _, err := big.ParseFloat(string(t), 10, 128, big.ToNearestEven); err == nil {
			return f
		}
	}
	return v
}

// prune removes from w the values v holds errors for, deepest first, and
// reports whether it removed any; the paths removed are added to invalid.
func (c *expCUE) prune(v cue.Value, w map[string]any, at string, invalid *[]string) bool {
	removed := false
	for _, k := range sortedKeys(w) {
		fv := v.LookupPath(cue.MakePath(cue.Str(k)))
		if fv.Err() == nil {
			continue
		}
		switch t := w[k].(type) {
		case map[string]any:
			if c.prune(fv, t, at+"/"+k, invalid) {
				removed = true
				continue
			}
		case []any:
			done := false
			for i, e := range t {
				if m, ok := e.(map[string]any); ok && c.prune(fv.LookupPath(cue.MakePath(cue.Index(i))), m, fmt.Sprintf("%s/%s/%d", at, k, i), invalid) {
					done = true
				}
			}
			if done {
				removed = true
				continue
			}
		}
		delete(w, k)
		*invalid = append(*invalid, at+"/"+k)
		removed = true
	}
	return removed
}

// extras moves the fields of d that v does not know into w's extra, or
// into dropped where there is no extra.
func (c *expCUE) extras(v cue.Value, d, w map[string]any, pattern string, defaults map[string]any, dropped *[]string) {
	canExtra := c.declared(v, "extra")
	for _, k := range sortedKeys(d) {
		dv := d[k]
		if dv == nil {
			continue
		}
		p := k
		if pattern != "" {
			p = pattern + "." + k
		}
		if !c.declared(v, k) {
			if docvalue.DeepEmpty(dv) {
				continue
			}
			if def, ok := defaults[p]; ok && (def == nil || expCanonical(def) == expCanonical(dv)) {
				continue
			}
			if !canExtra {
				*dropped = append(*dropped, p)
				continue
			}
			extra, _ := w["extra"].(map[string]any)
			if extra == nil {
				extra = map[string]any{}
				w["extra"] = extra
			}
			extra[k] = expStripNulls(dv)
			continue
		}
		fv, _ := c.field(v, k)
		switch t := dv.(type) {
		case map[string]any:
			if free(fv) {
				continue
			}
			sub, _ := w[k].(map[string]any)
			if sub == nil {
				sub = map[string]any{}
				c.extras(fv, t, sub, p, defaults, dropped)
				if len(sub) > 0 {
					w[k] = sub
				}
				continue
			}
			c.extras(fv, t, sub, p, defaults, dropped)
		case []any:
			wl, _ := w[k].([]any)
			if !expObjects(t) || len(wl) != len(t) {
				continue
			}
			for i, e := range t {
				c.extras(fv.LookupPath(cue.MakePath(cue.Index(i))), e.(map[string]any), wl[i].(map[string]any), p+"[]", defaults, dropped)
			}
		}
	}
}

// field returns the value of the field k of v: a regular field (set) or,
// failing that, the constraint an optional, required or pattern field
// puts on it.
func (c *expCUE) field(v cue.Value, k string) (fv cue.Value, set bool) {
	if fv = v.LookupPath(cue.MakePath(cue.Str(k))); fv.Exists() {
		return fv, true
	}
	for _, sel := range []cue.Selector{cue.Str(k).Optional(), cue.Str(k).Required()} {
		if fv = v.LookupPath(cue.MakePath(sel)); fv.Exists() {
			return fv, false
		}
	}
	return v.LookupPath(cue.MakePath(cue.AnyString)), false
}

// declared reports whether v declares the field k (regular, optional or
// required). A struct whose fields depend on a value not known yet (a
// feed before its FeedType) may allow any field; only a declared one is
// known to belong.
func (c *expCUE) declared(v cue.Value, k string) bool {
	for _, sel := range []cue.Selector{cue.Str(k), cue.Str(k).Optional(), cue.Str(k).Required()} {
		if v.LookupPath(cue.MakePath(sel)).Exists() {
			return true
		}
	}
	return false
}

// decode returns what the loader makes of a field's value, if it has one.
func (c *expCUE) decode(fv cue.Value, set bool) (any, bool) {
	if !set || !fv.Exists() {
		return nil, false
	}
	x, _, ok := c.dec.value(fv, "", nil)
	return x, ok
}

// free reports whether a struct value holds data (names or property keys
// as keys) rather than fields: it declares no field and accepts any key.
func free(v cue.Value) bool {
	if !v.Allows(cue.Str("\x00octosync probe")) {
		return false
	}
	it, err := v.Fields(cue.Optional(true))
	return err != nil || !it.Next()
}

// adjust adds to w what def (evaluated as v) does not give of d, and
// reports whether it added anything. A field def leaves unset is left
// out when d has the value defaults gives for its path pattern: the
// server's own default, which octosync need not manage.
func (c *expCUE) adjust(v cue.Value, d, w map[string]any, pattern string, defaults map[string]any) bool {
	changed := false
	for _, k := range sortedKeys(d) {
		dv := d[k]
		if dv == nil || !c.declared(v, k) {
			continue
		}
		fv, set := c.field(v, k)
		got, has := c.decode(fv, set)
		p := k
		if pattern != "" {
			p = pattern + "." + k
		}
		if def, ok := defaults[p]; ok && !has && (def == nil || expCanonical(def) == expCanonical(dv)) {
			if _, written := w[k]; !written {
				continue
			}
		}
		switch t := dv.(type) {
		case map[string]any:
			if free(fv) {
				want := expStripNulls(t).(map[string]any)
				if len(want) == 0 && (!has || docvalue.DeepEmpty(got)) {
					continue
				}
				if !has || expCanonical(got) != expCanonical(want) {
					w[k] = want
					changed = true
				}
				continue
			}
			sub, _ := w[k].(map[string]any)
			if sub == nil {
				if docvalue.DeepEmpty(t) && (!has || docvalue.DeepEmpty(got)) {
					continue
				}
				sub = map[string]any{}
			}
			if c.adjust(fv, t, sub, p, defaults) {
				changed = true
			}
			if _, ok := w[k]; !ok && len(sub) > 0 {
				w[k] = sub
				changed = true
			}
		case []any:
			if !expObjects(t) {
				if !has && len(t) == 0 {
					continue
				}
				if !has || !expEquivalent(got, t) {
					w[k] = expStripNulls(t)
					changed = true
				}
				continue
			}
			wl, _ := w[k].([]any)
			if wl == nil || len(wl) != len(t) {
				if len(t) == 0 && (!has || docvalue.DeepEmpty(got)) {
					continue
				}
				wl = make([]any, len(t))
				for i := range wl {
					wl[i] = map[string]any{}
				}
				w[k] = wl
				changed = true
				continue
			}
			for i, e := range t {
				em, _ := e.(map[string]any)
				ev := fv.LookupPath(cue.MakePath(cue.Index(i)))
				if c.adjust(ev, em, wl[i].(map[string]any), p+"[]", defaults) {
					changed = true
				}
			}
		default:
			if !has && docvalue.IsEmpty(dv) {
				continue
			}
			if !has || !docvalue.EqualScalar(got, dv) {
				w[k] = dv
				changed = true
			}
		}
	}
	return changed
}

// conflicts lists the fields v gives a value that d does not have: the
// configuration cannot leave out a field the schema fills in.
func (c *expCUE) conflicts(v cue.Value, d map[string]any, at string) []string {
	var out []string
	it, err := v.Fields()
	if err != nil {
		return nil
	}
	for it.Next() {
		k := label(it.Selector())
		if k == "" || unicode.IsLower(rune(k[0])) {
			continue // octosync's own inputs, not API fields
		}
		x, _, ok := c.dec.value(it.Value(), "", nil)
		if !ok {
			continue
		}
		dv, present := d[k]
		switch {
		case !present || dv == nil:
			if !docvalue.DeepEmpty(x) {
				out = append(out, at+"/"+k)
			}
		default:
			if dm, ok := dv.(map[string]any); ok && !free(it.Value()) {
				out = append(out, c.conflicts(it.Value(), dm, at+"/"+k)...)
			}
		}
	}
	return out
}

// order writes w as a tree value, its fields in the order the schema
// declares them (def is the definition, v the definition evaluated with
// w), data maps sorted.
func (c *expCUE) order(def, v cue.Value, w any) any {
	m, ok := w.(map[string]any)
	if !ok {
		if l, ok := w.([]any); ok && expObjects(l) {
			out := &expList{}
			elem := def.LookupPath(cue.MakePath(cue.AnyIndex))
			for i, e := range l {
				out.elems = append(out.elems, c.order(elem, v.LookupPath(cue.MakePath(cue.Index(i))), e))
			}
			return out
		}
		return expValue(w)
	}
	if !v.Exists() || free(v) {
		return expValue(w)
	}
	s := &expStruct{}
	done := map[string]bool{"extra": true}
	for _, k := range []string{"Name", "UserRole"} {
		if x, ok := m[k]; ok {
			done[k] = true
			s.add(k, expValue(x))
		}
	}
	for _, from := range []cue.Value{def, v} {
		it, err := from.Fields(cue.Optional(true))
		if err != nil {
			continue
		}
		for it.Next() {
			k := label(it.Selector())
			if x, ok := m[k]; ok && !done[k] {
				done[k] = true
				sd, _ := c.field(def, k)
				sv, _ := c.field(v, k)
				s.add(k, c.order(sd, sv, x))
			}
		}
	}
	for _, k := range sortedKeys(m) {
		if !done[k] {
			sd, _ := c.field(def, k)
			sv, _ := c.field(v, k)
			s.add(k, c.order(sd, sv, m[k]))
		}
	}
	if x, ok := m["extra"]; ok {
		s.add("extra", expValue(x))
	}
	return s
}

// expObjects reports whether a list holds objects (and nothing else).
func expObjects(l []any) bool {
	if len(l) == 0 {
		return false
	}
	for _, e := range l {
		if _, ok := e.(map[string]any); !ok {
			return false
		}
	}
	return true
}

// expStripNulls returns v without null values in objects.
func expStripNulls(v any) any {
	switch t := v.(type) {
	case map[string]any:
		out := make(map[string]any, len(t))
		for k, e := range t {
			if e != nil {
				out[k] = expStripNulls(e)
			}
		}
		return out
	case []any:
		out := make([]any, len(t))
		for i, e := range t {
			out[i] = expStripNulls(e)
		}
		return out
	}
	return v
}

// expCanonical encodes a value with sorted keys, for comparisons.
func expCanonical(v any) string {
	b, err := json.Marshal(expStripNulls(v))
	if err != nil {
		return fmt.Sprint(v)
	}
	return string(b)
}

// expEquivalent compares two values as a plan compares a desired value
// with a live one: lists of scalars as sets, objects field by field.
func expEquivalent(a, b any) bool {
	switch ta := a.(type) {
	case []any:
		tb, ok := b.([]any)
		if !ok {
			return len(ta) == 0 && docvalue.IsEmpty(b)
		}
		if !expObjects(ta) && !expObjects(tb) {
			x, y := expScalarSet(ta), expScalarSet(tb)
			return slices.Equal(x, y)
		}
		if len(ta) != len(tb) {
			return false
		}
		for i := range ta {
			if !expEquivalent(ta[i], tb[i]) {
				return false
			}
		}
		return true
	case map[string]any:
		tb, ok := b.(map[string]any)
		if !ok {
			return docvalue.DeepEmpty(ta) && docvalue.IsEmpty(b)
		}
		for _, k := range sortedKeys(ta) {
			if !expEquivalent(ta[k], tb[k]) {
				return false
			}
		}
		for _, k := range sortedKeys(tb) {
			if _, ok := ta[k]; !ok && !docvalue.DeepEmpty(tb[k]) {
				return false
			}
		}
		return true
	}
	if m, ok := b.(map[string]any); ok {
		return docvalue.IsEmpty(a) && docvalue.DeepEmpty(m)
	}
	if l, ok := b.([]any); ok {
		return docvalue.IsEmpty(a) && len(l) == 0
	}
	return docvalue.EqualScalar(a, b)
}

func expScalarSet(l []any) []string {
	out := make([]string, len(l))
	for i, e := range l {
		out[i] = expCanonical(e)
	}
	slices.Sort(out)
	return out
}

// expCovers reports whether every field over sets is in base with an
// equivalent value: a desired document (over) laid on a live one (base)
// changes nothing. Lists of objects pair by position.
func expCovers(over, base any) bool {
	switch o := over.(type) {
	case map[string]any:
		if _, isRef := secretRef(o); isRef {
			return expCanonical(o) == expCanonical(base)
		}
		b, _ := base.(map[string]any)
		for k, x := range o {
			if !expCovers(x, b[k]) {
				return false
			}
		}
		return true
	case []any:
		b, ok := base.([]any)
		if !ok {
			return len(o) == 0 && docvalue.IsEmpty(base)
		}
		if !expObjects(o) {
			return expEquivalent(o, b)
		}
		if len(o) != len(b) {
			return false
		}
		for i := range o {
			if !expCovers(o[i], b[i]) {
				return false
			}
		}
		return true
	}
	return docvalue.EqualScalar(over, base)
}
