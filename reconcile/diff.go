package reconcile

import (
	"fmt"
	"slices"
	"sort"
	"strconv"
	"strings"

	"github.com/sergi/go-diff/diffmatchpatch"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/model/docvalue"
)

// Op is what happened to one field.
type Op string

const (
	OpAdd     Op = "add"     // git sets a field (or element) the live document lacks
	OpRemove  Op = "remove"  // the live document has an element git does not
	OpChange  Op = "change"  // both have it, with different values
	OpReorder Op = "reorder" // the same elements, in another order
)

// FieldChange is one difference between the desired and the live document,
// in configuration terms (names, not ids). Before and After never hold a
// secret: sensitive values appear as Masked.
type FieldChange struct {
	// Path is the field's readable path: Phases["Dev"].OptionalDeploymentTargets.
	Path string `json:"path"`
	// Pointer is the JSON pointer of the field in the desired document, or
	// in the live one for a removed element.
	Pointer string `json:"pointer"`
	Op      Op     `json:"op"`
	Before  any    `json:"before,omitempty"`
	After   any    `json:"after,omitempty"`
	// Sensitive marks a write-only value; Note then says what will happen
	// to it ("sensitive value will be set").
	Sensitive bool   `json:"sensitive,omitempty"`
	Note      string `json:"note,omitempty"`
	// TextDiff is a unified line diff for long or multi-line text.
	TextDiff string `json:"text_diff,omitempty"`
	// Ownership of the field when it is not the resource's (seed, observe).
	Ownership model.Ownership `json:"ownership,omitempty"`
}

// Masked stands in for a sensitive value in every output.
const Masked = "(sensitive)"

// Sensitive is a write-only value as octosync compares it. The secret
// itself is never held: only whether it is set and, when known, a keyed
// fingerprint of it (see fingerprint.go).
type Sensitive struct {
	Set         bool            `json:"set"`
	Ref         model.SecretRef `json:"ref,omitzero"`
	Fingerprint string          `json:"-"`
	// Unresolved says the desired secret could not be read (its variable or
	// file is missing), so whether it changed is unknown.
	Unresolved bool `json:"-"`
}

// diffRules say how a kind's documents compare.
type diffRules struct {
	// elements maps an array path pattern ("Steps[].Actions") to the field
	// that identifies its elements; "Name+Scope" identifies variables.
	elements map[string]string
	// unordered lists array patterns whose order carries no meaning.
	unordered []string
	// exact lists object patterns compared key for key: a key the live
	// object has and git does not is a difference (property bags).
	exact []string
	// exactAll compares every object key for key (comparing two live
	// documents, where neither side is an overlay).
	exactAll bool
}

// textDiffThreshold is the length past which a changed string is shown as a
// line diff rather than before and after.
const textDiffThreshold = 80

// diffDocs compares a desired document with the live one, both in
// configuration form, and returns the differences in a stable order. Only
// fields the desired document sets are compared: the rest are not managed.
func diffDocs(rules diffRules, desired, live model.Doc) []FieldChange {
	d := differ{rules: rules}
	d.value("", "", "", desired, live)
	return d.out
}

type differ struct {
	rules diffRules
	// ledger maps the readable paths of the resource's secrets to the
	// fingerprints octosync recorded when it last wrote them.
	ledger map[string]string
	out    []FieldChange
}

func (d *differ) add(c FieldChange) { d.out = append(d.out, c) }

// value compares desired value dv with live value lv at a display path, a
// JSON pointer and a pattern (the registry path form used by the rules).
func (d *differ) value(path, ptr, pattern string, dv, lv any) {
	switch want := dv.(type) {
	case model.SecretRef:
		d.sensitive(path, ptr, Sensitive{Set: true, Ref: want}, lv)
	case Sensitive:
		d.sensitive(path, ptr, want, lv)
	case map[string]any:
		got, _ := lv.(map[string]any)
		d.object(path, ptr, pattern, want, got)
	case []any:
		got, _ := lv.([]any)
		d.array(path, ptr, pattern, want, got)
	default:
		if !docvalue.EqualScalar(dv, lv) {
			d.scalar(path, ptr, dv, lv)
		}
	}
}

func (d *differ) object(path, ptr, pattern string, want, got map[string]any) {
	exact := d.rules.exactAll || slices.Contains(d.rules.exact, pattern)
	for _, k := range sortedKeys(want) {
		sub := joinPattern(pattern, k)
		if exact && !d.rules.exactAll {
			sub = joinPattern(pattern, "*")
		}
		d.value(joinPath(path, k), ptr+"/"+escapePointer(k), sub, want[k], got[k])
	}
	if !exact {
		return
	}
	for _, k := range sortedKeys(got) {
		if _, ok := want[k]; !ok && !docvalue.DeepEmpty(got[k]) {
			d.add(FieldChange{Path: joinPath(path, k), Pointer: ptr + "/" + escapePointer(k), Op: OpRemove, Before: display(got[k])})
		}
	}
}

func (d *differ) array(path, ptr, pattern string, want, got []any) {
	pattern += "[]"
	if id, ok := d.rules.elements[strings.TrimSuffix(pattern, "[]")]; ok {
		d.elements(path, ptr, pattern, id, want, got)
		return
	}
	if allScalars(want) && allScalars(got) {
		if !equalSets(want, got) {
			d.add(FieldChange{Path: path, Pointer: ptr, Op: opFor(want, got), Before: display(sortedScalars(got)), After: display(sortedScalars(want))})
		}
		return
	}
	// Objects without an identity pair by position.
	for i, w := range want {
		var g any
		if i < len(got) {
			g = got[i]
		}
		d.value(fmt.Sprintf("%s[%d]", path, i), fmt.Sprintf("%s/%d", ptr, i), pattern, w, g)
	}
	for i := len(want); i < len(got); i++ {
		d.add(FieldChange{Path: fmt.Sprintf("%s[%d]", path, i), Pointer: fmt.Sprintf("%s/%d", ptr, i), Op: OpRemove, Before: display(got[i])})
	}
}

// elements compares arrays whose elements pair by identity.
func (d *differ) elements(path, ptr, pattern, idField string, want, got []any) {
	gotByID := map[string]int{}
	var gotOrder []string
	for i, g := range got {
		id := elementID(idField, g)
		if _, dup := gotByID[id]; !dup {
			gotByID[id] = i
			gotOrder = append(gotOrder, id)
		}
	}
	var wantOrder []string
	seen := map[string]bool{}
	for i, w := range want {
		id := elementID(idField, w)
		seen[id] = true
		wantOrder = append(wantOrder, id)
		ep := elementPath(path, idField, w, id)
		if gi, ok := gotByID[id]; ok {
			d.value(ep, fmt.Sprintf("%s/%d", ptr, i), pattern, w, got[gi])
			continue
		}
		d.add(FieldChange{Path: ep, Pointer: fmt.Sprintf("%s/%d", ptr, i), Op: OpAdd, After: display(w)})
	}
	for _, id := range gotOrder {
		if !seen[id] {
			g := got[gotByID[id]]
			d.add(FieldChange{Path: elementPath(path, idField, g, id), Pointer: fmt.Sprintf("%s/%d", ptr, gotByID[id]), Op: OpRemove, Before: display(g)})
		}
	}
	if slices.Contains(d.rules.unordered, strings.TrimSuffix(pattern, "[]")) {
		return
	}
	var common []string
	for _, id := range wantOrder {
		if _, ok := gotByID[id]; ok {
			common = append(common, id)
		}
	}
	var liveCommon []string
	for _, id := range gotOrder {
		if seen[id] {
			liveCommon = append(liveCommon, id)
		}
	}
	if !slices.Equal(common, liveCommon) {
		d.add(FieldChange{Path: path, Pointer: ptr, Op: OpReorder, Before: liveCommon, After: common})
	}
}

func (d *differ) scalar(path, ptr string, dv, lv any) {
	c := FieldChange{Path: path, Pointer: ptr, Op: OpChange, Before: display(lv), After: display(dv)}
	if lv == nil {
		c.Op = OpAdd
	}
	ds, dok := dv.(string)
	ls, lok := lv.(string)
	if dok && lok && (strings.Contains(ds, "\n") || strings.Contains(ls, "\n") || len(ds) > textDiffThreshold || len(ls) > textDiffThreshold) {
		c.TextDiff = lineDiff(ls, ds)
	}
	d.add(c)
}

// sensitive compares a desired secret with the live value, which is a
// Sensitive built by normalisation (or absent).
func (d *differ) sensitive(path, ptr string, want Sensitive, lv any) {
	got, _ := lv.(Sensitive)
	if got.Fingerprint == "" {
		got.Fingerprint = d.ledger[path]
	}
	c := FieldChange{Path: path, Pointer: ptr, Op: OpChange, Sensitive: true, Before: Masked, After: Masked}
	switch {
	case !got.Set:
		c.Op, c.Before, c.Note = OpAdd, nil, "sensitive value will be set"
	case want.Unresolved:
		return // cannot tell; validate and apply report the missing secret
	case got.Fingerprint == "":
		c.Note = "sensitive value will be set (octosync has no fingerprint of the live value)"
	case want.Fingerprint != got.Fingerprint:
		c.Note = "sensitive value will be updated (the secret changed since octosync set it)"
	default:
		return
	}
	d.add(c)
}

// elementID returns the identity of an array element.
func elementID(field string, v any) string {
	m, _ := v.(map[string]any)
	if field == "Name+Scope" {
		return fmt.Sprint(m["Name"]) + " " + docvalue.Canonical(m["Scope"])
	}
	return fmt.Sprint(m[field])
}

func elementPath(path, field string, v any, id string) string {
	if field == "Name+Scope" {
		m, _ := v.(map[string]any)
		name := fmt.Sprint(m["Name"])
		if scope := docvalue.Canonical(m["Scope"]); scope != "null" && scope != "{}" {
			return fmt.Sprintf("%s[%s %s]", path, strconv.Quote(name), scope)
		}
		return fmt.Sprintf("%s[%s]", path, strconv.Quote(name))
	}
	return fmt.Sprintf("%s[%s]", path, strconv.Quote(id))
}

// joinPath appends a field to a readable path.
func joinPath(path, field string) string {
	if isIdent(field) {
		if path == "" {
			return field
		}
		return path + "." + field
	}
	return path + "[" + strconv.Quote(field) + "]"
}

func joinPattern(pattern, field string) string {
	if pattern == "" {
		return field
	}
	return pattern + "." + field
}

func isIdent(s string) bool {
	if s == "" {
		return false
	}
	for i, r := range s {
		if !(r == '_' || r >= 'a' && r <= 'z' || r >= 'A' && r <= 'Z' || i > 0 && r >= '0' && r <= '9') {
			return false
		}
	}
	return true
}

// escapePointer escapes a JSON pointer token (RFC 6901).
func escapePointer(s string) string {
	return strings.ReplaceAll(strings.ReplaceAll(s, "~", "~0"), "/", "~1")
}

func sortedKeys(m map[string]any) []string {
	keys := make([]string, 0, len(m))
	for k := range m {
		keys = append(keys, k)
	}
	sort.Strings(keys)
	return keys
}

func allScalars(a []any) bool {
	for _, e := range a {
		switch e.(type) {
		case map[string]any, []any:
			return false
		}
	}
	return true
}

func sortedScalars(a []any) []string {
	out := make([]string, len(a))
	for i, e := range a {
		out[i] = fmt.Sprint(e)
	}
	sort.Strings(out)
	return out
}

func equalSets(a, b []any) bool {
	return slices.Equal(sortedScalars(a), sortedScalars(b))
}

func opFor(want, got []any) Op {
	if len(got) == 0 {
		return OpAdd
	}
	return OpChange
}

// display prepares a value for a plan: secrets masked (normalisation has
// already replaced them with Sensitive values), everything else as is.
func display(v any) any {
	switch t := v.(type) {
	case Sensitive, model.SecretRef:
		return Masked
	case map[string]any:
		m := make(map[string]any, len(t))
		for k, e := range t {
			m[k] = display(e)
		}
		return m
	case []any:
		a := make([]any, len(t))
		for i, e := range t {
			a[i] = display(e)
		}
		return a
	case []string:
		return t
	}
	return v
}

// diffContext is how many unchanged lines a line diff keeps around each
// change.
const diffContext = 3

// lineDiff returns a unified-style line diff from before to after: changed
// lines prefixed with - and +, up to diffContext unchanged lines around them,
// and "@@" where unchanged lines are left out.
func lineDiff(before, after string) string {
	dmp := diffmatchpatch.New()
	a, b, lines := dmp.DiffLinesToChars(before, after)
	diffs := dmp.DiffCharsToLines(dmp.DiffMain(a, b, false), lines)
	type line struct {
		op   byte
		text string
	}
	var all []line
	for _, df := range diffs {
		op := byte(' ')
		switch df.Type {
		case diffmatchpatch.DiffInsert:
			op = '+'
		case diffmatchpatch.DiffDelete:
			op = '-'
		}
		for _, t := range strings.Split(strings.TrimSuffix(df.Text, "\n"), "\n") {
			all = append(all, line{op, t})
		}
	}
	keep := make([]bool, len(all))
	for i, l := range all {
		if l.op != ' ' {
			for j := max(0, i-diffContext); j <= min(len(all)-1, i+diffContext); j++ {
				keep[j] = true
			}
		}
	}
	var sb strings.Builder
	skipped := false
	for i, l := range all {
		if !keep[i] {
			skipped = true
			continue
		}
		if skipped || (i > 0 && sb.Len() == 0) {
			sb.WriteString("@@\n")
		}
		skipped = false
		sb.WriteByte(l.op)
		sb.WriteString(l.text)
		sb.WriteByte('\n')
	}
	if skipped {
		sb.WriteString("@@\n")
	}
	return sb.String()
}

// secretPaths returns the readable path of every secret reference in a
// desired document, as diffDocs names them, so that the ledger records a
// fingerprint under the path the next plan looks it up by.
func secretPaths(rules diffRules, doc model.Doc) map[string]model.SecretRef {
	out := map[string]model.SecretRef{}
	var walk func(path, pattern string, v any)
	walk = func(path, pattern string, v any) {
		switch t := v.(type) {
		case model.SecretRef:
			out[path] = t
		case map[string]any:
			exact := slices.Contains(rules.exact, pattern)
			for k, e := range t {
				sub := joinPattern(pattern, k)
				if exact {
					sub = joinPattern(pattern, "*")
				}
				walk(joinPath(path, k), sub, e)
			}
		case []any:
			pattern += "[]"
			id, ok := rules.elements[strings.TrimSuffix(pattern, "[]")]
			for i, e := range t {
				p := fmt.Sprintf("%s[%d]", path, i)
				if ok {
					p = elementPath(path, id, e, elementID(id, e))
				}
				walk(p, pattern, e)
			}
		}
	}
	walk("", "", doc)
	return out
}
