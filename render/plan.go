package render

import (
	"encoding/json"
	"fmt"
	"io"
	"slices"
	"strings"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/model/docvalue"
	"octosync.dev/octosync/reconcile"
)

// PlanText writes a plan as people read it in a terminal: per instance and
// space, each change with its symbol (+ create, ~ update, - delete) and its
// field changes, unmanaged resources counted, and the summary line
// ("Plan: 1 to create, 2 to update, 0 to delete." or "No changes.").
func PlanText(w io.Writer, p *reconcile.Plan) error {
	ew := &errWriter{w: w}
	switch {
	case p.BaseCommit != "":
		ew.printf("Configuration at commit %s, planning only what changed since %s.\n\n", shortCommit(p.Commit), shortCommit(p.BaseCommit))
	case p.Commit != "":
		ew.printf("Configuration at commit %s%s.\n\n", shortCommit(p.Commit), dirty(p.Dirty))
	}
	for _, in := range p.Instances {
		for _, e := range in.Errors {
			ew.printf("Error: %s\n", withSubject(fmt.Sprintf("instance %q", in.Name), e))
		}
		for _, wmsg := range in.Warnings {
			ew.printf("Warning: instance %q: %s\n", in.Name, wmsg)
		}
		if hasChanges(in.Changes) || len(in.Unmanaged) > 0 {
			ew.printf("Instance %q\n", in.Name)
			changesText(ew, in.Changes, "  ")
			unmanagedText(ew, in.Unmanaged, "  ")
			ew.printf("\n")
		}
		for _, sp := range in.Spaces {
			for _, e := range sp.Errors {
				ew.printf("Error: instance %q: space %q: %s\n", in.Name, sp.Name, e)
			}
			if !hasChanges(sp.Changes) && len(sp.Unmanaged) == 0 {
				continue
			}
			ew.printf("Space %q on instance %q\n", sp.Name, in.Name)
			changesText(ew, sp.Changes, "  ")
			unmanagedText(ew, sp.Unmanaged, "  ")
			ew.printf("\n")
		}
	}
	ew.printf("%s\n", Summary(p))
	return ew.err
}

// withSubject prefixes a message with its subject unless the message
// already starts with it (errors from the client name their instance).
func withSubject(subject, msg string) string {
	if strings.HasPrefix(msg, subject) {
		return msg
	}
	return subject + ": " + msg
}

// Summary returns the plan's one-line summary.
func Summary(p *reconcile.Plan) string {
	c, u, d := p.Counts()
	switch {
	case p.Errored() && c+u+d == 0:
		return "Plan failed: some instances or spaces could not be read."
	case p.Errored():
		return fmt.Sprintf("Plan failed: some instances or spaces could not be read (elsewhere: %d to create, %d to update, %d to delete).", c, u, d)
	case c+u+d == 0:
		return "No changes."
	}
	return fmt.Sprintf("Plan: %d to create, %d to update, %d to delete.", c, u, d)
}

func hasChanges(cs []*reconcile.Change) bool {
	for _, c := range cs {
		if c.Action != reconcile.NoOp || len(c.Observed) > 0 {
			return true
		}
	}
	return false
}

func changesText(ew *errWriter, cs []*reconcile.Change, indent string) {
	for _, c := range cs {
		if c.Action == reconcile.NoOp && len(c.Observed) == 0 {
			continue
		}
		sym := c.Action.Symbol()
		ew.printf("%s%s %s", indent, sym, c.Label())
		if c.Action == reconcile.Delete || c.Action == reconcile.NoOp {
			ew.printf("  (%s)", c.Reason)
		}
		ew.printf("\n")
		for _, f := range c.Fields {
			fieldText(ew, f, indent+"    ", c.Action == reconcile.Create)
		}
		for _, f := range c.Observed {
			ew.printf("%s    ! %s: %s (observed, not changed)\n", indent, f.Path, describe(f))
		}
	}
}

func fieldText(ew *errWriter, f reconcile.FieldChange, indent string, creating bool) {
	sym := map[reconcile.Op]string{reconcile.OpAdd: "+", reconcile.OpRemove: "-", reconcile.OpChange: "~", reconcile.OpReorder: "↕"}[f.Op]
	whole := f.After
	if f.Op == reconcile.OpRemove {
		whole = f.Before
	}
	if (creating || f.Op == reconcile.OpAdd || f.Op == reconcile.OpRemove) && isComposite(whole) && !f.Sensitive {
		// A whole new (or removed) object: every field, one per line, so a
		// reviewer sees a new step's script, not a shortened line of JSON.
		ew.printf("%s%s %s:\n", indent, sym, f.Path)
		block(ew, indent+"      ", whole)
		return
	}
	if creating {
		ew.printf("%s%s %s = %s\n", indent, sym, f.Path, value(f.After))
		return
	}
	if f.TextDiff != "" {
		ew.printf("%s%s %s:\n", indent, sym, f.Path)
		for _, line := range strings.Split(strings.TrimSuffix(f.TextDiff, "\n"), "\n") {
			ew.printf("%s    %s\n", indent, line)
		}
		return
	}
	ew.printf("%s%s %s: %s\n", indent, sym, f.Path, describe(f))
}

func isComposite(v any) bool {
	switch t := v.(type) {
	case map[string]any:
		return len(t) > 0
	case []any:
		return len(t) > 0 && !allScalar(t)
	}
	return false
}

func allScalar(a []any) bool {
	for _, e := range a {
		if isComposite(e) {
			return false
		}
	}
	return true
}

// block writes a value as indented lines: an object's non-empty fields as
// "Field: value" (Name first), a list of objects as "- " items, multi-line
// text as a "|" block. Empty fields are left out: they are defaults.
func block(ew *errWriter, indent string, v any) {
	switch t := v.(type) {
	case map[string]any:
		keys := make([]string, 0, len(t))
		for k, e := range t {
			if !empty(e) {
				keys = append(keys, k)
			}
		}
		slices.SortFunc(keys, func(a, b string) int {
			if (a == "Name") != (b == "Name") {
				if a == "Name" {
					return -1
				}
				return 1
			}
			return strings.Compare(a, b)
		})
		for _, k := range keys {
			switch e := t[k].(type) {
			case string:
				if strings.Contains(e, "\n") {
					ew.printf("%s%s: |\n", indent, k)
					for _, line := range strings.Split(strings.TrimSuffix(e, "\n"), "\n") {
						ew.printf("%s  %s\n", indent, line)
					}
					continue
				}
			}
			if isComposite(t[k]) {
				ew.printf("%s%s:\n", indent, k)
				block(ew, indent+"  ", t[k])
				continue
			}
			ew.printf("%s%s: %s\n", indent, k, value(t[k]))
		}
	case []any:
		for _, e := range t {
			if !isComposite(e) {
				ew.printf("%s- %s\n", indent, value(e))
				continue
			}
			var sub strings.Builder
			block(&errWriter{w: &sub}, "", e)
			lines := strings.Split(strings.TrimSuffix(sub.String(), "\n"), "\n")
			for i, line := range lines {
				prefix := "  "
				if i == 0 {
					prefix = "- "
				}
				ew.printf("%s%s%s\n", indent, prefix, line)
			}
		}
	default:
		ew.printf("%s%s\n", indent, value(v))
	}
}

// empty reports whether a value is unset as Octopus counts it (null, "",
// false, 0, [], {}).
func empty(v any) bool { return docvalue.IsEmpty(v) }

// describe says what happens to a field in a few words.
func describe(f reconcile.FieldChange) string {
	if f.Sensitive {
		return f.Note
	}
	switch f.Op {
	case reconcile.OpAdd:
		return value(f.After)
	case reconcile.OpRemove:
		return "remove " + value(f.Before)
	case reconcile.OpReorder:
		return value(f.Before) + " → " + value(f.After)
	}
	return value(f.Before) + " → " + value(f.After)
}

// value formats a field value compactly: strings quoted, the rest as JSON,
// long values shortened.
func value(v any) string {
	if v == nil {
		return "null"
	}
	var s string
	if str, ok := v.(string); ok {
		s = fmt.Sprintf("%q", str)
	} else {
		b, err := json.Marshal(v)
		if err != nil {
			s = fmt.Sprint(v)
		} else {
			s = string(b)
		}
	}
	const limit = 200
	if len(s) > limit {
		s = s[:limit] + "…"
	}
	return s
}

func unmanagedText(ew *errWriter, keys []model.Key, indent string) {
	if len(keys) == 0 {
		return
	}
	labels := make([]string, len(keys))
	for i, k := range keys {
		labels[i] = reconcile.ResourceLabel(k)
	}
	ew.printf("%sNot in git, left alone (%d): %s\n", indent, len(keys), strings.Join(labels, ", "))
}

func dirty(d bool) string {
	if d {
		return ", with uncommitted changes"
	}
	return ""
}

func shortCommit(c string) string {
	if len(c) > 12 {
		return c[:12]
	}
	return c
}

// PlanJSON writes the plan as versioned JSON (format_version), the same
// document `plan --out` saves and `apply` reads back.
func PlanJSON(w io.Writer, p *reconcile.Plan) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(p)
}

// errWriter keeps the first write error so renderers can write freely and
// report it once.
type errWriter struct {
	w   io.Writer
	err error
}

func (e *errWriter) printf(format string, args ...any) {
	if e.err == nil {
		_, e.err = fmt.Fprintf(e.w, format, args...)
	}
}
