package model

import (
	"cmp"
	"fmt"
	"slices"
	"strings"
)

// Pos is a position in a configuration file: a slash-separated path relative
// to the configuration root, and 1-based line and column.
type Pos struct {
	File string `json:"file,omitempty"`
	Line int    `json:"line,omitempty"`
	Col  int    `json:"col,omitempty"`
}

// IsValid reports whether p names a file.
func (p Pos) IsValid() bool { return p.File != "" }

// String formats p as file:line:col, or the empty string for an invalid Pos.
func (p Pos) String() string {
	switch {
	case p.File == "":
		return ""
	case p.Line == 0:
		return p.File
	case p.Col == 0:
		return fmt.Sprintf("%s:%d", p.File, p.Line)
	}
	return fmt.Sprintf("%s:%d:%d", p.File, p.Line, p.Col)
}

// Compare orders positions by file, line and column.
func (p Pos) Compare(q Pos) int {
	return cmp.Or(strings.Compare(p.File, q.File), cmp.Compare(p.Line, q.Line), cmp.Compare(p.Col, q.Col))
}

// Severity says whether a diagnostic blocks (Error) or only informs (Warning).
type Severity uint8

const (
	Error Severity = iota
	Warning
)

func (s Severity) String() string {
	if s == Warning {
		return "warning"
	}
	return "error"
}

// Diagnostic is one problem found in the configuration.
type Diagnostic struct {
	Severity Severity
	Pos      Pos
	// Subject names the resource in Octopus terms, for example
	// `space "payments": project "api"`. It may be empty.
	Subject string
	// Message says what is wrong and, where it helps, what to do.
	Message string
}

// String formats d as `file:line:col: subject: message`, prefixed with
// "warning: " for warnings.
func (d Diagnostic) String() string {
	var b strings.Builder
	if s := d.Pos.String(); s != "" {
		b.WriteString(s)
		b.WriteString(": ")
	}
	if d.Severity == Warning {
		b.WriteString("warning: ")
	}
	if d.Subject != "" {
		b.WriteString(d.Subject)
		b.WriteString(": ")
	}
	b.WriteString(d.Message)
	return b.String()
}

// Diagnostics is a list of problems, usually all of those found in one run.
type Diagnostics []Diagnostic

// HasErrors reports whether any diagnostic is an error.
func (ds Diagnostics) HasErrors() bool {
	return slices.ContainsFunc(ds, func(d Diagnostic) bool { return d.Severity == Error })
}

// Sort orders ds by position, then message, and drops exact duplicates.
func (ds Diagnostics) Sort() Diagnostics {
	slices.SortStableFunc(ds, func(a, b Diagnostic) int {
		return cmp.Or(a.Pos.Compare(b.Pos), strings.Compare(a.Subject, b.Subject), strings.Compare(a.Message, b.Message))
	})
	return slices.Compact(ds)
}

// Key identifies one resource in one instance. Space is empty for
// instance-level kinds; Owner names the owning resource for kinds that live
// inside another (a channel inside its project), and is empty otherwise.
// Kind is a kind name from the registry in package octopus.
type Key struct {
	Instance string `json:"instance"`
	Space    string `json:"space,omitempty"`
	Kind     string `json:"kind"`
	Owner    string `json:"owner,omitempty"`
	Name     string `json:"name"`
}

// String formats k as a slash-separated path, skipping empty parts.
func (k Key) String() string {
	parts := make([]string, 0, 5)
	for _, p := range []string{k.Instance, k.Space, k.Kind, k.Owner, k.Name} {
		if p != "" {
			parts = append(parts, p)
		}
	}
	return strings.Join(parts, "/")
}

// Compare orders keys by instance, space, kind, owner and name.
func (k Key) Compare(o Key) int {
	return cmp.Or(
		strings.Compare(k.Instance, o.Instance),
		strings.Compare(k.Space, o.Space),
		strings.Compare(k.Kind, o.Kind),
		strings.Compare(k.Owner, o.Owner),
		strings.Compare(k.Name, o.Name),
	)
}

// SecretRef points at a secret without holding it: an environment variable
// or a file. Exactly one of Env and File is set.
type SecretRef struct {
	Env  string `json:"env,omitempty"`
	File string `json:"file,omitempty"`
}

// String returns "env:NAME" or "file:PATH"; never the secret itself.
func (r SecretRef) String() string {
	if r.File != "" {
		return "file:" + r.File
	}
	return "env:" + r.Env
}

// Ownership says how far octosync manages a resource or a field.
type Ownership string

const (
	// Enforce: create it, keep it as git says, report and heal drift.
	Enforce Ownership = "enforce"
	// Seed: create it when missing, then leave it alone.
	Seed Ownership = "seed"
	// Observe: never write it; report how it differs from git.
	Observe Ownership = "observe"
)

// Doc is an Octopus API document decoded from JSON: map[string]any, []any,
// string, bool, json.Number and nil, plus [SecretRef] where the
// configuration references a secret.
type Doc = map[string]any

// Resource is one desired resource.
type Resource struct {
	Key Key
	// Doc is the API document with names in place of ids.
	Doc Doc
	// Pos is where the resource is declared.
	Pos Pos
	// Fields maps a JSON pointer into Doc ("/Phases/0/Name") to the position
	// of the value that set it, when the loader knows it.
	Fields map[string]Pos
	// Ownership of the whole resource; Enforce when unset.
	Ownership Ownership
	// FieldOwnership overrides Ownership for JSON pointers into Doc.
	FieldOwnership map[string]Ownership
	// Ignore lists JSON pointers whose differences are never reported.
	Ignore []string
}

// FieldPos returns the position recorded for the JSON pointer ptr, or for
// its closest recorded parent, or the resource's own position.
func (r *Resource) FieldPos(ptr string) Pos {
	for p := ptr; p != ""; p = p[:max(strings.LastIndexByte(p, '/'), 0)] {
		if pos, ok := r.Fields[p]; ok {
			return pos
		}
	}
	return r.Pos
}

// Value is a setting that may be written literally or come from a secret
// reference, such as an instance's URL.
type Value struct {
	Literal string    `json:"literal,omitempty"`
	Ref     SecretRef `json:"ref,omitzero"`
}

// IsRef reports whether v is a reference rather than a literal.
func (v Value) IsRef() bool { return v.Ref != SecretRef{} }

// Desired is the whole configuration: every instance octosync manages.
type Desired struct {
	Instances []*Instance
}

// Instance is one Octopus Server and what octosync manages on it.
type Instance struct {
	Name   string
	Pos    Pos
	URL    Value
	APIKey Value
	// Resources at instance level: settings, teams, user roles, role grants
	// and the spaces themselves.
	Resources []*Resource
	Spaces    []*Space
	// Prune lists the instance-level kinds (teams, userRoles, spaces,
	// scopedUserRoles) whose live resources octosync may delete when git no
	// longer declares them.
	Prune []string
	// Acknowledgements of known drift, instance-wide.
	Acks []Ack
}

// Space is one space of an instance and the resources inside it.
type Space struct {
	Name string
	Pos  Pos
	// Prune lists the kinds whose live resources octosync may delete when git
	// no longer declares them.
	Prune     []string
	Resources []*Resource
	Acks      []Ack
}

// Ack acknowledges a known drift: on the resource (and field) it names, drift
// is reported as acknowledged and does not fail a drift run until Until.
type Ack struct {
	Pos Pos
	// Kind and Name select the resource; Owner selects its owner for child
	// kinds. Field is a JSON pointer, or empty for the whole resource.
	Kind   string `json:"kind"`
	Owner  string `json:"owner,omitempty"`
	Name   string `json:"name"`
	Field  string `json:"field,omitempty"`
	Reason string `json:"reason"`
	// Until is an RFC 3339 date or date-time; empty means no expiry.
	Until string `json:"until,omitempty"`
}

// Instance returns the named instance, or nil.
func (d *Desired) Instance(name string) *Instance {
	for _, in := range d.Instances {
		if in.Name == name {
			return in
		}
	}
	return nil
}

// Space returns the named space, or nil.
func (in *Instance) Space(name string) *Space {
	for _, s := range in.Spaces {
		if s.Name == name {
			return s
		}
	}
	return nil
}

// EnvName joins parts into an environment variable's name: upper case,
// every run of other characters one underscore ("payments", "Db.Password"
// → "PAYMENTS_DB_PASSWORD"). Export uses it to name the references it
// writes for secrets and instance keys.
func EnvName(parts ...string) string {
	var b strings.Builder
	last := byte('_')
	for _, r := range strings.Join(parts, "_") {
		c := byte('_')
		switch {
		case r >= 'a' && r <= 'z':
			c = byte(r - 'a' + 'A')
		case r >= 'A' && r <= 'Z', r >= '0' && r <= '9':
			c = byte(r)
		}
		if c == '_' && last == '_' {
			continue
		}
		b.WriteByte(c)
		last = c
	}
	return strings.TrimSuffix(b.String(), "_")
}
