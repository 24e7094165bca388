package schema

import (
	"encoding/json"
	"regexp"
	"strconv"
	"strings"
	"unicode"
	"unicode/utf8"

	"cuelang.org/go/cue/format"
	"cuelang.org/go/cue/literal"

	"octosync.dev/octosync/model"
)

// The export writes CUE as text from a small tree of values and lets
// cue/format normalise it, so the files read as `cue fmt` leaves them
// while the layout (short structs on one line, one list element per line,
// multi-line strings) stays the exporter's choice.

// expStruct is a struct: its fields in the order they are written.
type expStruct struct {
	fields []expField
}

// expField is one field of a struct. comment lines are written above it;
// gap puts a blank line before it.
type expField struct {
	label   string
	value   any
	comment []string
	gap     bool
	// raw writes the label as it is (a pattern such as [_]).
	raw bool
}

// expList is a list.
type expList struct {
	elems []any
}

// expConj is a value written as a definition unified with a struct:
// octopus.#Script & {...}.
type expConj struct {
	def  string
	body *expStruct
}

// expRaw is a literal written as is (a number, true, null).
type expRaw string

func (s *expStruct) add(label string, v any) *expStruct {
	s.fields = append(s.fields, expField{label: label, value: v})
	return s
}

// get returns the value of the field label, or nil.
func (s *expStruct) get(label string) any {
	for _, f := range s.fields {
		if f.label == label {
			return f.value
		}
	}
	return nil
}

// expValue turns a document value into a tree value: objects keep the
// order of keys given (sorted otherwise), secrets become references.
func expValue(v any) any {
	switch t := v.(type) {
	case map[string]any:
		s := &expStruct{}
		for _, k := range sortedKeys(t) {
			s.add(k, expValue(t[k]))
		}
		return s
	case []any:
		l := &expList{}
		for _, e := range t {
			l.elems = append(l.elems, expValue(e))
		}
		return l
	case model.SecretRef:
		s := &expStruct{}
		if t.File != "" {
			return s.add("file", t.File)
		}
		return s.add("env", t.Env)
	case json.Number:
		return expRaw(t.String())
	case bool:
		return expRaw(strconv.FormatBool(t))
	case float64:
		return expRaw(strconv.FormatFloat(t, 'g', -1, 64))
	case int:
		return expRaw(strconv.Itoa(t))
	case int64:
		return expRaw(strconv.FormatInt(t, 10))
	case nil:
		return expRaw("null")
	}
	return v
}

// identRE matches the labels written without quotes.
var identRE = regexp.MustCompile(`^[A-Za-z][A-Za-z0-9_]*$`)

// quotedLabels are identifiers that are written quoted anyway: CUE's
// keywords, and the name under which the schema is imported, which a
// field of that name would shadow.
var quotedLabels = map[string]bool{
	"package": true, "import": true, "for": true, "in": true, "if": true, "let": true,
	"true": true, "false": true, "null": true, "func": true, "octopus": true,
}

// expLabel writes a field label: an identifier when it can be one, else a
// quoted string (which CUE never treats as a reference).
func expLabel(s string) string {
	if identRE.MatchString(s) && !quotedLabels[s] {
		return s
	}
	return literal.Label.Quote(s)
}

// maxInline is the longest a value may be to be written on one line.
const maxInline = 88

// expInline returns v written on one line, if it fits and has no
// multi-line string or comment.
func expInline(v any) (string, bool) {
	var b strings.Builder
	if !writeInline(&b, v) || b.Len() > maxInline {
		return "", false
	}
	return b.String(), true
}

func writeInline(b *strings.Builder, v any) bool {
	switch t := v.(type) {
	case string:
		if strings.Contains(t, "\n") {
			return false
		}
		b.WriteString(literal.String.Quote(t))
	case expRaw:
		b.WriteString(string(t))
	case *expList:
		b.WriteByte('[')
		for i, e := range t.elems {
			if i > 0 {
				b.WriteString(", ")
			}
			if !writeInline(b, e) {
				return false
			}
		}
		b.WriteByte(']')
	case *expStruct:
		b.WriteByte('{')
		for i, f := range t.fields {
			if len(f.comment) > 0 {
				return false
			}
			if i > 0 {
				b.WriteString(", ")
			}
			if f.raw {
				b.WriteString(f.label)
			} else {
				b.WriteString(expLabel(f.label))
			}
			b.WriteString(": ")
			if !writeInline(b, f.value) {
				return false
			}
		}
		b.WriteByte('}')
	case *expConj:
		b.WriteString(t.def)
		b.WriteString(" & ")
		return writeInline(b, t.body)
	default:
		return false
	}
	return b.Len() <= maxInline
}

// expWriter writes tree values as CUE text at an indentation depth.
type expWriter struct {
	b strings.Builder
}

func (w *expWriter) indent(depth int) {
	for range depth {
		w.b.WriteByte('\t')
	}
}

// fields writes the fields of a struct, one per line, at depth.
func (w *expWriter) fields(s *expStruct, depth int) {
	for i, f := range s.fields {
		if f.gap && i > 0 {
			w.b.WriteByte('\n')
		}
		for _, c := range f.comment {
			w.indent(depth)
			w.b.WriteString(strings.TrimRight("// "+c, " "))
			w.b.WriteByte('\n')
		}
		w.indent(depth)
		w.field(f, depth)
		w.b.WriteByte('\n')
	}
}

// field writes label: value, folding a struct of one field into the
// label (a: b: c) as CUE allows.
func (w *expWriter) field(f expField, depth int) {
	if f.raw {
		w.b.WriteString(f.label)
	} else {
		w.b.WriteString(expLabel(f.label))
	}
	w.b.WriteString(": ")
	v := f.value
	for {
		s, ok := v.(*expStruct)
		if !ok || len(s.fields) != 1 || len(s.fields[0].comment) > 0 {
			break
		}
		if _, fits := expInline(s); fits && !isStruct(s.fields[0].value) && !s.fields[0].raw {
			break // {UseGuidedFailure: true} reads better than UseGuidedFailure: true
		}
		if l := s.fields[0].label; l == "env" || l == "file" {
			break // a secret reference reads as one: {env: "X"}
		}
		if s.fields[0].raw {
			w.b.WriteString(s.fields[0].label)
		} else {
			w.b.WriteString(expLabel(s.fields[0].label))
		}
		w.b.WriteString(": ")
		v = s.fields[0].value
	}
	w.value(v, depth)
}

func isStruct(v any) bool {
	_, ok := v.(*expStruct)
	return ok
}

// value writes a value whose first line continues the current line, at
// depth.
func (w *expWriter) value(v any, depth int) {
	if s, ok := expInline(v); ok {
		w.b.WriteString(s)
		return
	}
	switch t := v.(type) {
	case string:
		if strings.Contains(t, "\n") {
			w.b.WriteString(multiline(t, depth+1))
		} else {
			w.b.WriteString(literal.String.Quote(t))
		}
	case *expStruct:
		w.b.WriteString("{\n")
		w.fields(t, depth+1)
		w.indent(depth)
		w.b.WriteByte('}')
	case *expConj:
		w.b.WriteString(t.def)
		w.b.WriteString(" & ")
		w.value(t.body, depth)
	case *expList:
		w.b.WriteString("[\n")
		for _, e := range t.elems {
			w.indent(depth + 1)
			w.value(e, depth+1)
			w.b.WriteString(",\n")
		}
		w.indent(depth)
		w.b.WriteByte(']')
	default:
		var b strings.Builder
		writeInline(&b, v)
		w.b.WriteString(b.String())
	}
}

// multiline writes a string holding newlines as a multi-line string
// literal whose lines are indented by depth tabs. Tabs and quotes are
// kept as they are; backslashes, control characters and a run of three
// quotes are escaped.
func multiline(s string, depth int) string {
	ind := strings.Repeat("\t", depth)
	var b strings.Builder
	b.WriteString(`"""` + "\n")
	for _, line := range strings.Split(s, "\n") {
		if line != "" {
			b.WriteString(ind)
		}
		b.WriteString(escapeLine(line))
		b.WriteByte('\n')
	}
	b.WriteString(ind + `"""`)
	return b.String()
}

func escapeLine(line string) string {
	var b strings.Builder
	for i := 0; i < len(line); {
		r, size := utf8.DecodeRuneInString(line[i:])
		switch {
		case r == utf8.RuneError && size == 1:
			b.WriteString(`\ufffd`)
		case r == '\\':
			b.WriteString(`\\`)
		case r == '"' && strings.HasPrefix(line[i:], `"""`):
			b.WriteString(`\"`)
		case r == '\t' || r == ' ':
			b.WriteRune(r)
		case r == '\r':
			b.WriteString(`\r`)
		case !unicode.IsPrint(r):
			if r <= 0xFFFF {
				b.WriteString(`\u` + leftPad(strconv.FormatInt(int64(r), 16), 4))
			} else {
				b.WriteString(`\U` + leftPad(strconv.FormatInt(int64(r), 16), 8))
			}
		default:
			b.WriteRune(r)
		}
		i += size
	}
	return b.String()
}

func leftPad(s string, n int) string {
	return strings.Repeat("0", max(0, n-len(s))) + s
}

// expFile writes a file: its header, the package clause, the import of
// the schema when used, and the top-level fields; formatted as cue fmt
// would.
func expFile(header []string, pkg string, importSchema bool, body *expStruct) ([]byte, error) {
	var w expWriter
	for _, h := range header {
		w.b.WriteString(strings.TrimRight("// "+h, " ") + "\n")
	}
	w.b.WriteString("package " + pkg + "\n\n")
	if importSchema {
		w.b.WriteString("import \"" + ImportPath + "\"\n\n")
	}
	w.fields(body, 0)
	return format.Source([]byte(w.b.String()))
}

// usesSchema reports whether a tree value refers to a definition of the
// schema (a step helper).
func usesSchema(v any) bool {
	switch t := v.(type) {
	case *expConj:
		return true
	case *expStruct:
		for _, f := range t.fields {
			if usesSchema(f.value) {
				return true
			}
		}
	case *expList:
		for _, e := range t.elems {
			if usesSchema(e) {
				return true
			}
		}
	}
	return false
}
