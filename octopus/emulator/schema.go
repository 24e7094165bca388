package emulator

import (
	"encoding/json"
	"fmt"
	"maps"
	"math"
	"slices"
	"strconv"
	"strings"
	"time"
)

// Doc is one Octopus document as the emulator stores and serves it: a JSON
// object decoded with json.Decoder.UseNumber, so numbers are json.Number.
// Stored documents are never modified in place; an update stores a new map.
type Doc = map[string]any

// ftype is the JSON type of a schema field.
type ftype uint8

const (
	tString    ftype = iota // string; null when unset
	tBool                   // bool; false when unset
	tInt                    // 32-bit integer; 0 when unset
	tStrings                // array of strings; [] when unset
	tObject                 // object with its own fields
	tObjects                // array of objects with their own fields; [] when unset
	tStringMap              // object of string values; {} when unset
	tAny                    // any JSON value, kept as sent; null when unset
	tSensitive              // SensitiveValue {HasValue, NewValue, Hint}: write-only
	tTime                   // RFC 3339 date-time string; null when unset
	tGUID                   // a GUID string; null when unset
	tTimeSpan               // a .NET TimeSpan ([-][d.]hh:mm:ss[.fffffff]), stored in .NET's own form
)

// netType names the .NET type a field deserialises into, for error
// messages in the style of the real server's JSON converter.
func (t ftype) netType() string {
	switch t {
	case tString:
		return "System.String"
	case tBool:
		return "System.Boolean"
	case tInt:
		return "System.Int32"
	case tStrings:
		return "System.String[]"
	case tStringMap:
		return "System.Collections.Generic.Dictionary`2[System.String,System.String]"
	case tTime:
		return "System.DateTimeOffset"
	case tSensitive:
		return "Octopus.Data.Model.SensitiveValue"
	case tGUID:
		return "System.Guid"
	case tTimeSpan:
		return "System.TimeSpan"
	}
	return "System.Object"
}

// field describes one property of a document: its type, whether it is
// required, the values an enum allows, its server default, and whether the
// server owns it. A document is decoded field by field; properties not
// declared are dropped, as the real server drops properties its typed
// resources do not have.
type field struct {
	name     string
	typ      ftype
	required bool
	// readOnly fields are owned by the server: a value in a request body is
	// ignored and the stored value kept (hooks set it).
	readOnly bool
	// keepIfAbsent makes an update that omits the property, or sends it as
	// null, keep the stored value; otherwise an omitted property returns to
	// its default, as a PUT of a typed resource does.
	keepIfAbsent bool
	// nullable objects are null when unset; others are built from their
	// fields' defaults.
	nullable bool
	enum     []string
	def      any
	fields   []field
	maxLen   int
}

func str(name string) field       { return field{name: name, typ: tString} }
func boolean(name string) field   { return field{name: name, typ: tBool} }
func integer(name string) field   { return field{name: name, typ: tInt} }
func strs(name string) field      { return field{name: name, typ: tStrings} }
func strMap(name string) field    { return field{name: name, typ: tStringMap} }
func anyValue(name string) field  { return field{name: name, typ: tAny} }
func sensitive(name string) field { return field{name: name, typ: tSensitive} }
func timestamp(name string) field { return field{name: name, typ: tTime} }
func guid(name string) field      { return field{name: name, typ: tGUID} }
func timespan(name string) field  { return field{name: name, typ: tTimeSpan} }
func object(name string, fs ...field) field {
	return field{name: name, typ: tObject, fields: fs}
}
func objects(name string, fs ...field) field {
	return field{name: name, typ: tObjects, fields: fs}
}

// enum is a string field restricted to values (matched case-insensitively
// and stored with the spelling given here).
func enum(name string, values ...string) field {
	return field{name: name, typ: tString, enum: values}
}

func (f field) req() field              { f.required = true; return f }
func (f field) ro() field               { f.readOnly = true; return f }
func (f field) keep() field             { f.keepIfAbsent = true; return f }
func (f field) null() field             { f.nullable = true; return f }
func (f field) withDefault(v any) field { f.def = v; return f }
func (f field) max(n int) field         { f.maxLen = n; return f }

// schema is the set of fields of a kind's documents. A polymorphic kind
// (feeds by FeedType, accounts by AccountType) names its discriminator and
// the extra fields of each variant.
type schema struct {
	fields        []field
	discriminator string
	variants      map[string][]field
}

// fieldsFor returns the fields of a document whose discriminator has value
// v (already canonical).
func (s *schema) fieldsFor(v string) []field {
	if s.discriminator == "" {
		return s.fields
	}
	return append(slices.Clone(s.fields), s.variants[v]...)
}

// variantNames lists the discriminator's values in a stable order.
func (s *schema) variantNames() []string {
	return slices.Sorted(maps.Keys(s.variants))
}

// secretWrite is a change to a write-only value found while decoding: set
// Value at Path, or clear it.
type secretWrite struct {
	Path  string
	Value string
	Clear bool
}

// decoder decodes one request body against a schema.
type decoder struct {
	// errs are the problems found; secrets the write-only values set or
	// cleared.
	errs    []string
	secrets []secretWrite
}

// decode checks in against the schema and returns the document to store:
// every declared field present (unset ones at their defaults), undeclared
// ones dropped. old is the stored document for an update, nil for a create.
// Problems are collected, not returned one at a time, so one 400 lists
// them all.
func (s *schema) decode(in, old Doc) (Doc, []secretWrite, []string) {
	d := &decoder{}
	fs := s.fields
	if s.discriminator != "" {
		v, ok := s.variant(in, old)
		switch {
		case !ok && v == "":
			return nil, nil, []string{fmt.Sprintf("The %s field is required.", s.discriminator)}
		case !ok:
			return nil, nil, []string{fmt.Sprintf("Error converting value %q to type '%s'. Path '%s'. Valid values are: %s.",
				v, s.discriminator, s.discriminator, strings.Join(s.variantNames(), ", "))}
		}
		if old != nil && !strings.EqualFold(fmt.Sprint(old[s.discriminator]), v) {
			return nil, nil, []string{fmt.Sprintf("The %s of an existing document cannot be changed.", s.discriminator)}
		}
		fs = s.fieldsFor(v)
		in = maps.Clone(in)
		in[s.discriminator] = v
	}
	out := d.object(fs, in, old, "")
	if s.discriminator != "" {
		out[s.discriminator] = in[s.discriminator]
	}
	return out, d.secrets, d.errs
}

// variant finds the canonical discriminator value of in (or of old when in
// does not say).
func (s *schema) variant(in, old Doc) (string, bool) {
	raw, ok := in[s.discriminator].(string)
	if !ok || raw == "" {
		if old != nil {
			raw, _ = old[s.discriminator].(string)
		}
	}
	for name := range s.variants {
		if strings.EqualFold(name, raw) {
			return name, true
		}
	}
	return raw, false
}

func (d *decoder) errorf(format string, args ...any) {
	d.errs = append(d.errs, fmt.Sprintf(format, args...))
}

func joinPath(prefix, name string) string {
	if prefix == "" {
		return name
	}
	return prefix + "." + name
}

func (d *decoder) object(fs []field, in, old Doc, path string) Doc {
	out := make(Doc, len(fs))
	for _, f := range fs {
		p := joinPath(path, f.name)
		v, present := in[f.name]
		var oldV any
		hasOld := old != nil
		if hasOld {
			oldV = old[f.name]
		}
		switch {
		case f.readOnly:
			if hasOld {
				out[f.name] = oldV
			} else {
				out[f.name] = d.unset(f, p)
			}
			continue
		case f.typ == tSensitive:
			out[f.name] = d.sensitive(v, oldV, hasOld, p)
			continue
		case (!present || v == nil) && hasOld && f.keepIfAbsent:
			out[f.name] = oldV
			continue
		case !present || v == nil:
			if f.required {
				d.errorf("The %s field is required.", p)
			}
			out[f.name] = d.unset(f, p)
			continue
		}
		out[f.name] = d.value(f, v, oldV, p)
	}
	return out
}

// unset returns the value of a field the body does not set.
func (d *decoder) unset(f field, path string) any {
	if f.def != nil {
		return cloneJSON(f.def)
	}
	switch f.typ {
	case tBool:
		return false
	case tInt:
		return json.Number("0")
	case tStrings, tObjects:
		return []any{}
	case tStringMap:
		return map[string]any{}
	case tObject:
		if f.nullable {
			return nil
		}
		return d.object(f.fields, Doc{}, nil, path)
	case tSensitive:
		return sensitiveDoc(false, nil)
	}
	return nil
}

func (d *decoder) convertError(v any, f field, path string) {
	d.errorf("Error converting value %s to type '%s'. Path '%s'.", literal(v), f.typ.netType(), path)
}

// literal renders a JSON value for an error message.
func literal(v any) string {
	switch v := v.(type) {
	case map[string]any:
		return "{...}"
	case []any:
		return "[...]"
	case string:
		return strconv.Quote(v)
	}
	b, _ := json.Marshal(v)
	return string(b)
}

func (d *decoder) value(f field, v, oldV any, path string) any {
	switch f.typ {
	case tString:
		s, ok := scalarString(v)
		if !ok {
			d.convertError(v, f, path)
			return nil
		}
		if f.enum != nil {
			for _, e := range f.enum {
				if strings.EqualFold(e, s) {
					return e
				}
			}
			if s == "" && !f.required {
				return nil
			}
			d.errorf("Error converting value %q to type '%s'. Path '%s'. Valid values are: %s.", s, f.name, path, strings.Join(f.enum, ", "))
			return nil
		}
		if f.required && strings.TrimSpace(s) == "" {
			d.errorf("The %s field is required.", path)
		}
		if f.maxLen > 0 && len([]rune(s)) > f.maxLen {
			d.errorf("The field %s must be a string with a maximum length of %d.", path, f.maxLen)
		}
		return s
	case tBool:
		switch b := v.(type) {
		case bool:
			return b
		case string:
			if p, err := strconv.ParseBool(b); err == nil {
				return p
			}
		}
		d.convertError(v, f, path)
		return false
	case tInt:
		n, ok := toInt64(v)
		if !ok || n < math.MinInt32 || n > math.MaxInt32 {
			d.convertError(v, f, path)
			return json.Number("0")
		}
		return json.Number(strconv.FormatInt(n, 10))
	case tStrings:
		list, ok := v.([]any)
		if !ok {
			d.convertError(v, f, path)
			return []any{}
		}
		out := make([]any, 0, len(list))
		for i, e := range list {
			s, ok := scalarString(e)
			if !ok || e == nil {
				d.errorf("Error converting value %s to type 'System.String'. Path '%s[%d]'.", literal(e), path, i)
				continue
			}
			out = append(out, s)
		}
		return out
	case tStringMap:
		m, ok := v.(map[string]any)
		if !ok {
			d.convertError(v, f, path)
			return map[string]any{}
		}
		out := make(map[string]any, len(m))
		for k, e := range m {
			if e == nil {
				out[k] = nil
				continue
			}
			s, ok := scalarString(e)
			if !ok {
				d.errorf("Error converting value %s to type 'System.String'. Path '%s.%s'.", literal(e), path, k)
				continue
			}
			out[k] = s
		}
		return out
	case tObject:
		m, ok := v.(map[string]any)
		if !ok {
			d.convertError(v, f, path)
			return nil
		}
		oldM, _ := oldV.(map[string]any)
		return d.object(f.fields, m, oldM, path)
	case tObjects:
		list, ok := v.([]any)
		if !ok {
			d.convertError(v, f, path)
			return []any{}
		}
		oldList, _ := oldV.([]any)
		out := make([]any, 0, len(list))
		for i, e := range list {
			m, ok := e.(map[string]any)
			if !ok {
				d.errorf("Error converting value %s to type 'System.Object'. Path '%s[%d]'.", literal(e), path, i)
				continue
			}
			out = append(out, d.object(f.fields, m, matchElement(m, oldList), elementPath(path, m, i)))
		}
		return out
	case tTime:
		s, ok := v.(string)
		if !ok {
			d.convertError(v, f, path)
			return nil
		}
		if _, err := time.Parse(time.RFC3339Nano, s); err != nil {
			d.convertError(v, f, path)
			return nil
		}
		return s
	case tGUID:
		s, ok := v.(string)
		if !ok || !guidID.MatchString(s) {
			d.convertError(v, f, path)
			return nil
		}
		return strings.ToLower(s)
	case tTimeSpan:
		s, ok := v.(string)
		ts, err := parseTimeSpan(s)
		if !ok || err != nil {
			d.convertError(v, f, path)
			return nil
		}
		return formatTimeSpan(ts)
	case tAny:
		return v
	}
	return v
}

// parseTimeSpan parses a .NET TimeSpan in its constant form,
// [-][d.]hh:mm:ss[.fffffff], also accepting zero-padded days ("01.00:00:00").
func parseTimeSpan(s string) (time.Duration, error) {
	bad := fmt.Errorf("%q is not a TimeSpan", s)
	neg := strings.HasPrefix(s, "-")
	s = strings.TrimPrefix(s, "-")
	var days int64
	if i := strings.IndexByte(s, '.'); i >= 0 && i < strings.IndexByte(s, ':') {
		n, err := strconv.ParseInt(s[:i], 10, 64)
		if err != nil || n < 0 {
			return 0, bad
		}
		days, s = n, s[i+1:]
	}
	frac := ""
	if i := strings.IndexByte(s, '.'); i >= 0 {
		s, frac = s[:i], s[i+1:]
	}
	parts := strings.Split(s, ":")
	if len(parts) != 3 {
		return 0, bad
	}
	var hms [3]int64
	for i, p := range parts {
		n, err := strconv.ParseInt(p, 10, 64)
		if err != nil || n < 0 || (i == 0 && n > 23) || (i > 0 && n > 59) {
			return 0, bad
		}
		hms[i] = n
	}
	d := time.Duration(days)*24*time.Hour + time.Duration(hms[0])*time.Hour + time.Duration(hms[1])*time.Minute + time.Duration(hms[2])*time.Second
	if frac != "" {
		if len(frac) > 7 {
			return 0, bad
		}
		n, err := strconv.ParseInt((frac + "0000000")[:7], 10, 64)
		if err != nil {
			return 0, bad
		}
		d += time.Duration(n) * 100
	}
	if neg {
		d = -d
	}
	return d, nil
}

// formatTimeSpan writes a duration as .NET writes a TimeSpan: days
// without padding, then hh:mm:ss, then seven fractional digits if any.
func formatTimeSpan(d time.Duration) string {
	sign := ""
	if d < 0 {
		sign, d = "-", -d
	}
	days := d / (24 * time.Hour)
	d -= days * 24 * time.Hour
	h, m, s := d/time.Hour, (d%time.Hour)/time.Minute, (d%time.Minute)/time.Second
	ticks := (d % time.Second) / 100
	out := fmt.Sprintf("%02d:%02d:%02d", h, m, s)
	if days > 0 {
		out = fmt.Sprintf("%d.%s", days, out)
	}
	if ticks > 0 {
		out += fmt.Sprintf(".%07d", ticks)
	}
	return sign + out
}

// elementPath names an array element: by its Id when it has one, so that
// write-only values follow an element that moves, else by position.
func elementPath(path string, m map[string]any, i int) string {
	if id, ok := m["Id"].(string); ok && id != "" {
		return fmt.Sprintf("%s[%s]", path, id)
	}
	return fmt.Sprintf("%s[%d]", path, i)
}

// matchElement finds the stored element an incoming one updates: the one
// with the same Id, else none (a new element).
func matchElement(m map[string]any, old []any) map[string]any {
	id, _ := m["Id"].(string)
	if id == "" {
		return nil
	}
	for _, o := range old {
		if om, ok := o.(map[string]any); ok && om["Id"] == id {
			return om
		}
	}
	return nil
}

// sensitive applies the SensitiveValue write rules: a non-null NewValue
// sets the secret, HasValue false clears it, and anything else (null,
// absent, or HasValue true without NewValue) keeps what is stored.
func (d *decoder) sensitive(v, oldV any, hasOld bool, path string) any {
	oldHas, oldHint := false, any(nil)
	if o, ok := oldV.(map[string]any); ok {
		oldHas, _ = o["HasValue"].(bool)
		oldHint = o["Hint"]
	}
	if v == nil {
		return sensitiveDoc(oldHas && hasOld, oldHint)
	}
	m, ok := v.(map[string]any)
	if !ok {
		d.errorf("Error converting value %s to type '%s'. Path '%s'. A write-only value is set with {\"HasValue\": true, \"NewValue\": \"...\"}.",
			literal(v), tSensitive.netType(), path)
		return sensitiveDoc(false, nil)
	}
	hint := oldHint
	if h, present := m["Hint"]; present {
		if hs, ok := h.(string); ok || h == nil {
			if ok {
				hint = hs
			} else {
				hint = nil
			}
		}
	}
	if nv, ok := m["NewValue"].(string); ok {
		if nv == "" {
			d.secrets = append(d.secrets, secretWrite{Path: path, Clear: true})
			return sensitiveDoc(false, hint)
		}
		d.secrets = append(d.secrets, secretWrite{Path: path, Value: nv})
		return sensitiveDoc(true, hint)
	}
	if has, ok := m["HasValue"].(bool); ok && !has {
		d.secrets = append(d.secrets, secretWrite{Path: path, Clear: true})
		return sensitiveDoc(false, hint)
	}
	return sensitiveDoc(oldHas && hasOld, hint)
}

// sensitiveDoc is a SensitiveValue as the server returns it: never the
// value itself.
func sensitiveDoc(has bool, hint any) map[string]any {
	return map[string]any{"HasValue": has, "NewValue": nil, "Hint": hint}
}

// scalarString converts a JSON scalar to the string the server's JSON
// converter makes of it (numbers and booleans become their text).
func scalarString(v any) (string, bool) {
	switch v := v.(type) {
	case string:
		return v, true
	case json.Number:
		return v.String(), true
	case bool:
		return strconv.FormatBool(v), true
	case nil:
		return "", true
	}
	return "", false
}

// toInt64 converts a JSON number (or a string holding one) to an integer.
func toInt64(v any) (int64, bool) {
	switch n := v.(type) {
	case json.Number:
		if i, err := n.Int64(); err == nil {
			return i, true
		}
		if f, err := n.Float64(); err == nil && f == math.Trunc(f) {
			return int64(f), true
		}
	case string:
		if i, err := strconv.ParseInt(strings.TrimSpace(n), 10, 64); err == nil {
			return i, true
		}
	case int:
		return int64(n), true
	case int64:
		return n, true
	case float64:
		if n == math.Trunc(n) {
			return int64(n), true
		}
	}
	return 0, false
}

// asInt reads an integer field of a stored document (0 when unset).
func asInt(v any) int {
	n, _ := toInt64(v)
	return int(n)
}

// asString reads a string field of a stored document ("" when unset).
func asString(v any) string {
	s, _ := v.(string)
	return s
}

// cloneJSON deep-copies a JSON value so that defaults and stored documents
// never share mutable maps or slices.
func cloneJSON(v any) any {
	switch v := v.(type) {
	case map[string]any:
		m := make(map[string]any, len(v))
		for k, e := range v {
			m[k] = cloneJSON(e)
		}
		return m
	case []any:
		s := make([]any, len(v))
		for i, e := range v {
			s[i] = cloneJSON(e)
		}
		return s
	case []string:
		s := make([]any, len(v))
		for i, e := range v {
			s[i] = e
		}
		return s
	case int:
		return json.Number(strconv.Itoa(v))
	}
	return v
}
