package schema

import (
	"cmp"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"cuelang.org/go/cue"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/token"

	"octosync.dev/octosync/model"
)

// errContext turns the CUE errors of one evaluated instance or space into
// diagnostics in Octopus terms.
type errContext struct {
	l *loader
	// val is the evaluated instance or space, n its structure and prefix
	// its subject.
	val    cue.Value
	n      *node
	prefix string
	// inst names the instance when val is the instance itself.
	inst string
	// strip is the number of leading path elements of the view
	// (#space.out) to drop from error paths.
	strip int
	// out are the diagnostics found, before duplicates are dropped;
	// seen the paths already reported as unknown or missing fields.
	out  []found
	seen map[string]bool
}

// found is one diagnostic and the field path it is about.
type found struct {
	d     model.Diagnostic
	field string
	core  string
}

// add reports err and returns the paths (relative to val, dot-separated)
// that hold errors.
func (ec *errContext) add(err error) []string {
	var paths []string
	errs := secretErrors(cueerrors.Errors(err))
	for i := 0; i < len(errs); i++ {
		e := errs[i]
		path := unquote(e.Path())
		if len(path) >= ec.strip {
			path = path[ec.strip:]
		}
		group := []cueerrors.Error{e}
		if f, _ := e.Msg(); strings.HasSuffix(f, "errors in empty disjunction:") {
			for i+1 < len(errs) && slices.Equal(errs[i+1].Path(), e.Path()) {
				i++
				group = append(group, errs[i])
			}
		}
		paths = append(paths, strings.Join(path, "."))
		ec.report(path, group)
	}
	return paths
}

// secretMessage starts the schema's message for a literal where a secret
// belongs.
const secretMessage = "a secret must be a reference"

// secretErrors keeps, of the errors about a value that is not a secret
// reference, the one that says why: a malformed reference (an invalid
// variable name) or, failing that, the schema's own message. The others
// (the alternatives of the reference's disjunction) only repeat it.
func secretErrors(errs []cueerrors.Error) []cueerrors.Error {
	secrets := map[string]bool{}
	for _, e := range errs {
		if f, a := e.Msg(); f == "%s" && len(a) == 1 && strings.HasPrefix(fmt.Sprint(a[0]), secretMessage) {
			secrets[strings.Join(e.Path(), ".")] = true
		}
	}
	if len(errs) > 1 {
		// An explicit bottom in a disjunction's alternative says nothing
		// the other errors do not.
		errs = slices.DeleteFunc(slices.Clone(errs), func(e cueerrors.Error) bool {
			f, _ := e.Msg()
			return strings.HasPrefix(f, "explicit error (_|_ literal)")
		})
	}
	if len(secrets) == 0 {
		return errs
	}
	under := func(e cueerrors.Error) (string, bool) {
		for p := e.Path(); len(p) > 0; p = p[:len(p)-1] {
			if secrets[strings.Join(p, ".")] {
				return strings.Join(p, "."), true
			}
		}
		return "", false
	}
	specific := map[string]bool{}
	for _, e := range errs {
		path := e.Path()
		if s, ok := under(e); ok && len(path) > 0 && (path[len(path)-1] == "env" || path[len(path)-1] == "file") {
			if f, _ := e.Msg(); strings.HasPrefix(f, "invalid value") {
				specific[s] = true
			}
		}
	}
	var out []cueerrors.Error
	for _, e := range errs {
		s, ok := under(e)
		if !ok {
			out = append(out, e)
			continue
		}
		f, a := e.Msg()
		isSecret := f == "%s" && len(a) == 1 && strings.HasPrefix(fmt.Sprint(a[0]), secretMessage)
		isSpecific := strings.HasPrefix(f, "invalid value") && strings.Join(e.Path(), ".") != s
		if specific[s] && isSpecific || !specific[s] && isSecret {
			out = append(out, e)
		}
	}
	return out
}

// unquote returns an error path with its quoted labels unquoted.
func unquote(path []string) []string {
	out := make([]string, len(path))
	for i, p := range path {
		if u, err := strconv.Unquote(p); err == nil && strings.HasPrefix(p, `"`) {
			p = u
		}
		out[i] = p
	}
	return out
}

// flush adds the diagnostics found to the loader's. One mistake CUE
// reports at several places (a helper's input and the property it fills)
// is reported once, at the shortest path.
func (ec *errContext) flush() {
	slices.SortStableFunc(ec.out, func(a, b found) int { return cmp.Compare(len(a.field), len(b.field)) })
	done := map[string]bool{}
	for _, f := range ec.out {
		key := f.d.Pos.String() + "\x00" + f.core
		if f.d.Pos.IsValid() && done[key] {
			continue
		}
		done[key] = true
		ec.l.diags = append(ec.l.diags, f.d)
	}
	ec.out = nil
}

// report adds the diagnostic for one error, or one group of errors about
// the alternatives of a disjunction.
func (ec *errContext) report(path []string, group []cueerrors.Error) {
	e := group[0]
	format, args := e.Msg()
	var pl place
	if ec.n != nil {
		pl = ec.l.walk(ec.n, ec.val, path)
	} else {
		pl.field = path
	}
	field := strings.Join(pl.field, ".")
	pos := ec.l.errPos(group)
	var msg string
	switch {
	case format == "field not allowed" && len(path) > 0:
		name := path[len(path)-1]
		parent := place{}
		if ec.n != nil {
			parent = ec.l.walk(ec.n, ec.val, path[:len(path)-1])
		}
		pl.subject, field = parent.subject, strings.Join(parent.field, ".")
		msg = unknownField(name, parent.def)
		ec.mark(path)
	case len(group) > 1:
		msg = disjunction(group)
	case format == "import failed":
		msg, field = importFailed(e), ""
	default:
		msg = message(format, args, path)
	}
	if format == "field is required but not present" {
		ec.mark(path)
	}
	if strings.HasPrefix(format, "required field missing") && len(args) == 1 && ec.n != nil {
		// The same as "field is required but not present", said of the
		// struct: report it at the field.
		p := append(slices.Clone(path), fmt.Sprint(args[0]))
		if ec.seen[strings.Join(p, ".")] {
			return
		}
		ec.mark(p)
		pl = ec.l.walk(ec.n, ec.val, p)
		field, msg = strings.Join(pl.field, "."), "is required"
	}
	ec.emit(pl, field, msg, pos, path)
}

// emit records a diagnostic about the place pl.
func (ec *errContext) emit(pl place, field, msg string, pos model.Pos, path []string) {
	core := msg
	switch {
	case field != "" && msg == "is required":
		msg = field + " is required"
	case field != "":
		msg = field + ": " + msg
	}
	// Without a position of its own, an error is placed where its
	// nearest enclosing value is declared (never the whole space: that
	// would evaluate it all again).
	for p := path; !pos.IsValid() && ec.n != nil && len(p) > 0; p = p[:len(p)-1] {
		pos = ec.l.declPos(ec.l.walk(ec.n, ec.val, p).val, model.Pos{})
	}
	d := model.Diagnostic{Severity: model.Error, Pos: pos, Subject: subject(ec.prefix, subject(pl.subject...)), Message: msg}
	ec.out = append(ec.out, found{d: d, field: field, core: core})
}

// mark records that the path was reported as an unknown or missing
// field.
func (ec *errContext) mark(path []string) {
	if ec.seen == nil {
		ec.seen = map[string]bool{}
	}
	ec.seen[strings.Join(path, ".")] = true
}

// audit walks the evaluated value for what CUE leaves out once a struct
// holds another error: fields the schema does not allow, and required
// fields that are missing. It runs only where CUE found errors.
func (ec *errContext) audit(c cursor, path []string, deep bool, only func(sel string) bool) {
	switch c.val.IncompleteKind() {
	case cue.ListKind:
		it, err := c.val.List()
		if err != nil {
			return
		}
		for i := 0; it.Next(); i++ {
			sel := strconv.Itoa(i)
			next, _, _ := ec.l.step(c, sel)
			ec.audit(next, append(slices.Clone(path), sel), deep, nil)
		}
		return
	case cue.StructKind:
	default:
		if c.val.Kind() != cue.BottomKind {
			return
		}
	}
	it, err := c.val.Fields()
	if err != nil {
		return
	}
	check := c.n != nil && !c.n.free && c.n.mapOf == nil && c.def.Exists()
	for it.Next() {
		sel := label(it.Selector())
		if only != nil && !only(sel) {
			continue
		}
		p := append(slices.Clone(path), sel)
		if it.Selector().LabelType() == cue.IndexLabel {
			// The elements of a list holding an error.
			next, _, _ := ec.l.step(c, sel)
			ec.audit(next, p, deep, nil)
			continue
		}
		key := strings.Join(p, ".")
		fv := it.Value()
		if check && !ec.seen[key] && !c.def.Allows(cue.Str(sel)) {
			ec.mark(p)
			parent := ec.l.walk(ec.n, ec.val, path)
			pos := ec.l.declPos(fv, model.Pos{})
			if !pos.IsValid() && len(path) == 0 && ec.inst != "" {
				// An instance's own field, copied by the view: its
				// position is that of the configuration's value.
				pos = ec.l.fieldPos("instances", ec.inst, sel)
			}
			ec.emit(parent, strings.Join(parent.field, "."), unknownField(sel, c.def), pos, path)
			continue
		}
		if err := fv.Err(); err != nil && !ec.seen[key] && isRequired(err) {
			ec.mark(p)
			pl := ec.l.walk(ec.n, ec.val, p)
			ec.emit(pl, strings.Join(pl.field, "."), "is required", model.Pos{}, path)
			continue
		}
		if deep {
			next, _, _ := ec.l.step(c, sel)
			ec.audit(next, p, deep, nil)
		}
	}
}

// isRequired reports whether err says a required field is missing.
func isRequired(err error) bool {
	for _, e := range cueerrors.Errors(err) {
		if f, _ := e.Msg(); f == "field is required but not present" {
			return true
		}
	}
	return false
}

// addCUEErrors reports errors found outside any instance or space: in
// loading, in building, in the configuration's other fields.
func (l *loader) addCUEErrors(err error, _ *errContext) {
	ec := &errContext{l: l}
	for _, e := range cueerrors.Errors(err) {
		path := unquote(e.Path())
		if len(path) > 0 && path[0] == "others" {
			path = path[1:]
		}
		ec.report(path, []cueerrors.Error{e})
	}
	ec.flush()
}

// errPos picks the position of an error the user can act on: the first
// position in the configuration's own files.
func (l *loader) errPos(group []cueerrors.Error) model.Pos {
	for _, e := range group {
		for _, p := range append([]token.Pos{e.Position()}, e.InputPositions()...) {
			if q := l.pos(p); q.IsValid() {
				return q
			}
		}
	}
	return model.Pos{}
}

// unknownField describes a field the definition does not allow, with the
// closest field it does allow.
func unknownField(name string, def cue.Value) string {
	msg := "unknown field " + strconv.Quote(name)
	if s := closest(name, fieldsOf(def)); s != "" {
		msg += "; did you mean " + strconv.Quote(s) + "?"
	}
	return msg
}

// closest returns the candidate nearest to name: equal but for case, or
// within an edit distance of two.
func closest(name string, candidates []string) string {
	best, bestD := "", 3
	for _, c := range candidates {
		if strings.EqualFold(c, name) {
			return c
		}
		if d := distance(strings.ToLower(name), strings.ToLower(c)); d < bestD {
			best, bestD = c, d
		}
	}
	return best
}

// distance is the Levenshtein distance of two strings.
func distance(a, b string) int {
	prev := make([]int, len(b)+1)
	cur := make([]int, len(b)+1)
	for j := range prev {
		prev[j] = j
	}
	for i := 1; i <= len(a); i++ {
		cur[0] = i
		for j := 1; j <= len(b); j++ {
			cost := 1
			if a[i-1] == b[j-1] {
				cost = 0
			}
			cur[j] = min(prev[j]+1, cur[j-1]+1, prev[j-1]+cost)
		}
		prev, cur = cur, prev
	}
	return prev[len(b)]
}

// typeNames are CUE's names for kinds, as they appear in messages.
var typeNames = map[string]string{
	"string": "a string", "bool": "a boolean", "int": "an integer", "float": "a number", "number": "a number",
	"struct": "a struct", "list": "a list", "null": "null", "bytes": "bytes",
}

// disjunction describes a value that matches none of a disjunction's
// alternatives: an enum, a type with a default, or a secret.
func disjunction(group []cueerrors.Error) string {
	type alt struct {
		a, b string
		pos  token.Pos
	}
	var alts []alt
	var others []string
	count := map[string]int{}
	for _, e := range group[1:] {
		format, args := e.Msg()
		if format == "%s" && len(args) == 1 {
			// error("..."): the schema's own message for this place.
			return fmt.Sprint(args[0])
		}
		if strings.HasPrefix(format, "conflicting values %s and %s") && len(args) >= 2 {
			a, b := fmt.Sprint(args[0]), fmt.Sprint(args[1])
			alts = append(alts, alt{a, b, schemaPos(e)})
			count[a]++
			if b != a {
				count[b]++
			}
			continue
		}
		others = append(others, fmt.Sprintf(format, args...))
	}
	if len(alts) == 0 || len(others) > 0 {
		slices.Sort(others)
		return "matches none of its allowed forms: " + strings.Join(slices.Compact(others), "; ")
	}
	// The configuration's value is the one every alternative conflicts
	// with.
	user := ""
	for v, n := range count {
		if n == len(alts) && !isType(v) && (user == "" || v < user) {
			user = v
		}
	}
	slices.SortStableFunc(alts, func(a, b alt) int {
		return cmp.Or(cmp.Compare(a.pos.Line(), b.pos.Line()), cmp.Compare(a.pos.Column(), b.pos.Column()))
	})
	var types, values []string
	for _, a := range alts {
		other := a.b
		if other == user {
			other = a.a
		}
		if t, ok := typeNames[other]; ok {
			types = append(types, t)
		} else if !slices.Contains(values, other) {
			values = append(values, other)
		}
	}
	if len(types) > 0 {
		return "expected " + strings.Join(slices.Compact(types), " or ") + ", found " + user
	}
	return user + " is not one of " + strings.Join(values, ", ")
}

// isType reports whether a printed CUE value is a type rather than a
// concrete value.
func isType(s string) bool {
	_, ok := typeNames[s]
	return ok
}

// schemaPos returns the first position of e inside the schema, which
// orders the alternatives of a disjunction as the schema lists them.
func schemaPos(e cueerrors.Error) token.Pos {
	for _, p := range e.InputPositions() {
		if strings.Contains(p.Filename(), pkgDir+"/") {
			return p
		}
	}
	return token.NoPos
}

// patterns describes the schema's regular expressions in words.
var patterns = map[string]string{
	`"^(/([^~]|~[01])*)+$"`:                                  "a JSON pointer such as \"/Description\"",
	`"^[A-Za-z_][A-Za-z0-9_]*$"`:                             "an environment variable name",
	`"^#[0-9A-Fa-f]{6}$"`:                                    "a colour such as \"#3156B3\"",
	`"^[A-Z][A-Za-z]*$"`:                                     "a permission name such as \"ProjectView\"",
	`"^([0-9]+\\.)?[0-9]{2}:[0-9]{2}:[0-9]{2}(\\.[0-9]+)?$"`: "a duration such as \"00:05:00\" or \"1.00:00:00\"",
}

var untilPattern = regexp.MustCompile(`^"\^\[0-9\]\{4\}`)

// message rewrites one CUE error message in plain words.
func message(format string, args []any, path []string) string {
	switch {
	case format == "field is required but not present":
		return "is required"
	case strings.HasPrefix(format, "conflicting values %s and %s (mismatched types %s and %s)") && len(args) == 4:
		a, b := fmt.Sprint(args[0]), fmt.Sprint(args[1])
		if isType(a) {
			a, b = b, a
		}
		want := typeNames[fmt.Sprint(args[3])]
		if fmt.Sprint(args[2]) != kindOf(a) {
			want = typeNames[fmt.Sprint(args[2])]
		}
		if want == "" {
			want = b
		}
		return "expected " + want + ", found " + a
	case format == "conflicting values %s and %s" && len(args) == 2 && len(path) > 0 && path[len(path)-1] == "Name":
		return fmt.Sprintf("conflicting values %v and %v: a resource's name is its key, so Name may be left out", args[0], args[1])
	case format == "incomplete value %v" && len(args) == 1:
		return "needs a value (" + fmt.Sprint(args[0]) + ")"
	case (strings.HasPrefix(format, "invalid value %v (does not match") || strings.HasPrefix(format, "invalid value %v (out of bound")) &&
		len(args) == 2 && strings.HasPrefix(fmt.Sprint(args[1]), "=~"):
		p := fmt.Sprint(args[1])
		if d, ok := patterns[strings.TrimPrefix(p, "=~")]; ok {
			return fmt.Sprintf("%v is not %s", args[0], d)
		}
		if untilPattern.MatchString(strings.TrimPrefix(p, "=~")) {
			return fmt.Sprintf("%v is not an RFC 3339 date such as \"2026-12-31\"", args[0])
		}
	case strings.HasPrefix(format, "invalid value %v (out of bound") && len(args) == 2:
		return fmt.Sprintf("%v is out of range (must be %v)", args[0], args[1])
	case format == "incompatible list lengths (%d and %d)":
		return "needs at least one element"
	case strings.HasPrefix(format, "reference %q not found") && len(args) > 0:
		return fmt.Sprintf("%v is not defined", strconv.Quote(fmt.Sprint(args[0])))
	}
	return fmt.Sprintf(format, args...)
}

var missingPackage = regexp.MustCompile(`cannot find package ("[^"]*")`)

// importFailed describes an import the loader could not resolve.
func importFailed(e cueerrors.Error) string {
	if m := missingPackage.FindStringSubmatch(e.Error()); m != nil {
		return "cannot find package " + m[1] + ": octosync provides " + strconv.Quote(ImportPath) +
			"; other packages must be in this configuration or vendored in cue.mod/pkg"
	}
	return e.Error()
}

// kindOf returns the CUE kind name of a printed concrete value.
func kindOf(s string) string {
	switch {
	case strings.HasPrefix(s, `"`):
		return "string"
	case s == "true" || s == "false":
		return "bool"
	case strings.HasPrefix(s, "{"):
		return "struct"
	case strings.HasPrefix(s, "["):
		return "list"
	case s == "null":
		return "null"
	}
	if _, err := strconv.Atoi(s); err == nil {
		return "int"
	}
	return "float"
}

// cutPath splits the first element off a dot-separated path.
func cutPath(p string) (string, string, bool) { return strings.Cut(p, ".") }
