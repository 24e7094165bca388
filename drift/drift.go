package drift

import (
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"slices"
	"strings"
	"time"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/reconcile"
)

// FormatVersion is the version of the JSON drift report.
const FormatVersion = "1.0"

// Class says what kind of drift an item is.
type Class string

const (
	// Changed: a field was changed outside git; Fields give before (live)
	// and after (git).
	Changed Class = "changed"
	// Missing: git declares the resource and Octopus does not have it.
	Missing Class = "missing"
	// Unmanaged: a resource appeared in Octopus that git does not declare,
	// inside a prune scope (so the next apply would delete it).
	Unmanaged Class = "unmanaged"
	// Sensitive: a write-only value's state changed: cleared, or set to
	// something other than what octosync wrote.
	Sensitive Class = "sensitive"
)

// Item is one drifted resource.
type Item struct {
	Key   model.Key `json:"key"`
	Class Class     `json:"class"`
	// Label names the resource in Octopus terms.
	Label string `json:"label"`
	// Fields are the differences (before: Octopus, after: git); secrets
	// are masked.
	Fields []reconcile.FieldChange `json:"fields,omitempty"`
	// Acknowledged is set when an unexpired acknowledgement in git covers
	// the whole item; such drift does not fail a drift run.
	Acknowledged *Ack `json:"acknowledged,omitempty"`
	// Pos is where git declares the resource.
	Pos model.Pos `json:"pos,omitzero"`
}

// Ack is an acknowledgement as reported.
type Ack struct {
	Reason string `json:"reason"`
	Until  string `json:"until,omitempty"`
	Field  string `json:"field,omitempty"`
}

// Scope is the drift of one instance's instance-level resources (Space
// empty) or of one space.
type Scope struct {
	Instance string `json:"instance"`
	Space    string `json:"space,omitempty"`
	Items    []Item `json:"items"`
	// Errors say what could not be read: drift there is unknown.
	Errors []string `json:"errors,omitempty"`
	// Expired lists acknowledgements whose time ran out, so the drift they
	// covered counts again.
	Expired []string `json:"expired_acknowledgements,omitempty"`
	// NotInGit lists live resources git does not declare outside any prune
	// scope: octosync does not manage them, so they are not drift, but a
	// report says they are there.
	NotInGit []string `json:"not_in_git,omitempty"`
}

// Report is the drift of every instance and space checked.
type Report struct {
	FormatVersion string  `json:"format_version"`
	Commit        string  `json:"commit,omitempty"`
	Dirty         bool    `json:"dirty,omitempty"`
	Scopes        []Scope `json:"scopes"`
}

// Drifted reports whether any unacknowledged drift was found.
func (r *Report) Drifted() bool {
	for _, s := range r.Scopes {
		if s.Drifted() {
			return true
		}
	}
	return false
}

// Errored reports whether anything could not be checked.
func (r *Report) Errored() bool {
	for _, s := range r.Scopes {
		if len(s.Errors) > 0 {
			return true
		}
	}
	return false
}

// Drifted reports whether the scope has unacknowledged drift.
func (s *Scope) Drifted() bool {
	for _, it := range s.Items {
		if it.Acknowledged == nil {
			return true
		}
	}
	return false
}

// Fingerprint is a stable digest of the scope's unacknowledged drift: the
// same drift on the next run gives the same fingerprint, so a GitHub issue
// is left alone; any change gives another.
func (s *Scope) Fingerprint() string {
	type entry struct {
		Key    model.Key
		Class  Class
		Fields []string
	}
	var es []entry
	for _, it := range s.Items {
		if it.Acknowledged != nil {
			continue
		}
		e := entry{Key: it.Key, Class: it.Class}
		for _, f := range it.Fields {
			b, _ := json.Marshal([]any{f.Path, f.Op, f.Before, f.After, f.Note})
			e.Fields = append(e.Fields, string(b))
		}
		slices.Sort(e.Fields)
		es = append(es, e)
	}
	if len(es) == 0 {
		return ""
	}
	b, _ := json.Marshal(es)
	sum := sha256.Sum256(b)
	return hex.EncodeToString(sum[:8])
}

// Acks are the acknowledgements git declares for one scope.
type Acks []model.Ack

// FromPlan classifies the drift a plan reveals. The plan must have been
// built from the same configuration that declared acks; ack looks up the
// acknowledgements of an instance (space "") or a space. now decides which
// acknowledgements have expired.
func FromPlan(p *reconcile.Plan, ack func(instance, space string) Acks, now time.Time) *Report {
	r := &Report{FormatVersion: FormatVersion, Commit: p.Commit, Dirty: p.Dirty}
	for _, in := range p.Instances {
		s := Scope{Instance: in.Name, Errors: in.Errors}
		s.classify(in.Changes, in.Unmanaged, ack(in.Name, ""), now)
		r.Scopes = append(r.Scopes, s)
		for _, sp := range in.Spaces {
			s := Scope{Instance: in.Name, Space: sp.Name, Errors: sp.Errors}
			s.classify(sp.Changes, sp.Unmanaged, ack(in.Name, sp.Name), now)
			r.Scopes = append(r.Scopes, s)
		}
	}
	return r
}

func (s *Scope) classify(changes []*reconcile.Change, unmanaged []model.Key, acks Acks, now time.Time) {
	for _, k := range unmanaged {
		s.NotInGit = append(s.NotInGit, reconcile.ResourceLabel(k))
	}
	active, expired := splitAcks(acks, now)
	for _, a := range expired {
		s.Expired = append(s.Expired, describeAck(a))
	}
	for _, c := range changes {
		var items []Item
		switch c.Action {
		case reconcile.Create:
			items = append(items, Item{Key: c.Key, Class: Missing})
		case reconcile.Delete:
			items = append(items, Item{Key: c.Key, Class: Unmanaged})
		case reconcile.Update:
			var changed, sensitive []reconcile.FieldChange
			for _, f := range c.Fields {
				if f.Sensitive {
					sensitive = append(sensitive, f)
				} else {
					changed = append(changed, f)
				}
			}
			if len(changed) > 0 {
				items = append(items, Item{Key: c.Key, Class: Changed, Fields: changed})
			}
			if len(sensitive) > 0 {
				items = append(items, Item{Key: c.Key, Class: Sensitive, Fields: sensitive})
			}
		}
		if len(c.Observed) > 0 {
			items = append(items, Item{Key: c.Key, Class: Changed, Fields: c.Observed})
		}
		for _, it := range items {
			it.Label, it.Pos = reconcile.ResourceLabel(it.Key), c.Pos
			s.Items = append(s.Items, acknowledge(it, active)...)
		}
	}
}

// acknowledge applies the acknowledgements to an item: one that covers the
// resource marks the whole item; ones that cover fields split those fields
// into an acknowledged item of their own.
func acknowledge(it Item, acks Acks) []Item {
	var fieldAcks Acks
	for _, a := range acks {
		if !matches(a, it.Key) {
			continue
		}
		if a.Field == "" {
			it.Acknowledged = &Ack{Reason: a.Reason, Until: a.Until}
			return []Item{it}
		}
		fieldAcks = append(fieldAcks, a)
	}
	if len(fieldAcks) == 0 || len(it.Fields) == 0 {
		return []Item{it}
	}
	var open, acked []reconcile.FieldChange
	var by *model.Ack
	for _, f := range it.Fields {
		covered := false
		for i, a := range fieldAcks {
			if fieldCovered(a.Field, f) {
				covered, by = true, &fieldAcks[i]
				break
			}
		}
		if covered {
			acked = append(acked, f)
		} else {
			open = append(open, f)
		}
	}
	var out []Item
	if len(open) > 0 {
		o := it
		o.Fields = open
		out = append(out, o)
	}
	if len(acked) > 0 {
		a := it
		a.Fields = acked
		a.Acknowledged = &Ack{Reason: by.Reason, Until: by.Until, Field: by.Field}
		out = append(out, a)
	}
	return out
}

// fieldCovered reports whether an acknowledgement's field (a JSON pointer
// or a readable path) covers a field change.
func fieldCovered(field string, f reconcile.FieldChange) bool {
	for _, s := range []string{f.Pointer, f.Path} {
		if s == field || strings.HasPrefix(s, field) && len(s) > len(field) && strings.ContainsRune("/.[", rune(s[len(field)])) {
			return true
		}
	}
	return false
}

func matches(a model.Ack, k model.Key) bool {
	return a.Kind == k.Kind && strings.EqualFold(a.Name, k.Name) && strings.EqualFold(a.Owner, k.Owner)
}

// splitAcks separates acknowledgements still in force from expired ones.
// Until is a date (the acknowledgement holds through that day, UTC) or an
// RFC 3339 time.
func splitAcks(acks Acks, now time.Time) (active, expired Acks) {
	for _, a := range acks {
		if a.Until == "" {
			active = append(active, a)
			continue
		}
		end, ok := parseUntil(a.Until)
		if ok && now.Before(end) {
			active = append(active, a)
		} else {
			expired = append(expired, a)
		}
	}
	return active, expired
}

func parseUntil(s string) (time.Time, bool) {
	if t, err := time.Parse(time.RFC3339, s); err == nil {
		return t, true
	}
	if t, err := time.Parse(time.DateOnly, s); err == nil {
		return t.AddDate(0, 0, 1), true
	}
	return time.Time{}, false
}

func describeAck(a model.Ack) string {
	s := reconcile.ResourceLabel(model.Key{Kind: a.Kind, Owner: a.Owner, Name: a.Name})
	if a.Field != "" {
		s += " " + a.Field
	}
	return s + " (until " + a.Until + ": " + a.Reason + ")"
}
