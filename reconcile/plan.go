package reconcile

import (
	"bytes"
	"cmp"
	"crypto/sha256"
	"encoding/hex"
	"encoding/json"
	"fmt"
	"slices"
	"strings"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/octopus"
)

// FormatVersion is the version of the saved plan format (and of the JSON
// plan output built from it). It changes when a field changes meaning.
const FormatVersion = "1.0"

// Action is what a plan does to one resource.
type Action string

const (
	Create Action = "create"
	Update Action = "update"
	Delete Action = "delete"
	// NoOp: git and the live resource agree, or the resource is seeded and
	// exists, or it is only observed.
	NoOp Action = "no-op"
)

// Symbol returns the one-character mark plans print for an action.
func (a Action) Symbol() string {
	switch a {
	case Create:
		return "+"
	case Update:
		return "~"
	case Delete:
		return "-"
	}
	return " "
}

// Change is the plan for one resource.
type Change struct {
	Key    model.Key `json:"key"`
	Action Action    `json:"action"`
	// Reason says why, in a few words: "not in Octopus", "in git, differs
	// from Octopus", "not in git; prune scope includes projects".
	Reason string `json:"reason"`
	// Fields are the differences the action resolves.
	Fields []FieldChange `json:"fields,omitempty"`
	// Observed are differences octosync reports but does not resolve:
	// observed resources and fields.
	Observed []FieldChange `json:"observed,omitempty"`
	// Pos is where git declares the resource (absent for deletes).
	Pos model.Pos `json:"pos,omitzero"`
	// LiveID is the live document's id; LiveHash fingerprints the live
	// document as read, so that applying a saved plan can tell whether
	// Octopus changed since.
	LiveID   string `json:"live_id,omitempty"`
	LiveHash string `json:"live_hash,omitempty"`
	// Desired is the resource as git declares it (configuration form,
	// secrets as references), so a saved plan applies exactly what was
	// reviewed.
	Desired        model.Doc                  `json:"desired,omitempty"`
	Ownership      model.Ownership            `json:"ownership,omitempty"`
	FieldOwnership map[string]model.Ownership `json:"field_ownership,omitempty"`
	Ignore         []string                   `json:"ignore,omitempty"`
}

// Label names the change's resource in Octopus terms: `project "api"`,
// `channel "Beta" of project "api"`, `deployment process of project "api"`.
func (c *Change) Label() string { return ResourceLabel(c.Key) }

// ResourceLabel names a resource in Octopus terms.
func ResourceLabel(k model.Key) string {
	kind := octopus.KindByName(k.Kind)
	label := k.Kind
	if kind != nil {
		label = kind.Label
	}
	switch {
	case kind != nil && kind.Shape == octopus.Derived && k.Name == "":
		return fmt.Sprintf("%s of %s %q", label, octopus.KindByName(ownerLookupKind(kind)).Label, k.Owner)
	case kind != nil && kind.Name == "runbookProcess":
		return fmt.Sprintf("%s of runbook %q of project %q", label, k.Name, k.Owner)
	case k.Owner != "":
		return fmt.Sprintf("%s %q of %s %q", label, k.Name, octopus.KindByName(ownerLookupKind(kind)).Label, k.Owner)
	}
	return fmt.Sprintf("%s %q", label, k.Name)
}

// SpacePlan is the plan for one space.
type SpacePlan struct {
	Name string `json:"name"`
	// ID is the live space's id; empty when the space will be created.
	ID string `json:"id,omitempty"`
	// Changes in display order: deletes first, then creates and updates in
	// dependency order. No-ops are kept (they carry observed differences and
	// let apply check staleness) but renderers skip them.
	Changes []*Change `json:"changes"`
	// Unmanaged lists live resources git does not declare and no prune
	// scope covers: reported, never touched.
	Unmanaged []model.Key `json:"unmanaged,omitempty"`
	// Errors say why the space could not be (fully) planned.
	Errors []string `json:"errors,omitempty"`
}

// InstancePlan is the plan for one instance.
type InstancePlan struct {
	Name string `json:"name"`
	// URL and APIKey say how to reach the instance, as git says it: a
	// literal URL or references, never a key's value.
	URL    model.Value `json:"url"`
	APIKey model.Value `json:"api_key"`
	// Changes to instance-level resources: settings, teams, roles, spaces.
	Changes   []*Change    `json:"changes"`
	Unmanaged []model.Key  `json:"unmanaged,omitempty"`
	Spaces    []*SpacePlan `json:"spaces"`
	Errors    []string     `json:"errors,omitempty"`
	Warnings  []string     `json:"warnings,omitempty"`
	live      *LiveInstance
}

// Live returns the live state the plan was built from, or nil for a plan
// read back from a file.
func (ip *InstancePlan) Live() *LiveInstance { return ip.live }

// Plan is what octosync would do to every instance and space it targets.
// It is a value: building it changes nothing, and Apply carries it out.
type Plan struct {
	FormatVersion string `json:"format_version"`
	// Commit is the git commit the configuration was read from, if known.
	Commit string `json:"commit,omitempty"`
	// Dirty says the configuration was read from a work tree with changes
	// not committed to Commit.
	Dirty bool `json:"dirty,omitempty"`
	// BaseCommit, for a plan limited to what changed since another commit
	// (plan --base), is that commit.
	BaseCommit string          `json:"base_commit,omitempty"`
	Instances  []*InstancePlan `json:"instances"`
}

// Errored reports whether any instance or space could not be planned. An
// errored plan cannot be applied.
func (p *Plan) Errored() bool {
	for _, in := range p.Instances {
		if len(in.Errors) > 0 {
			return true
		}
		for _, s := range in.Spaces {
			if len(s.Errors) > 0 {
				return true
			}
		}
	}
	return false
}

// Counts returns how many resources the plan creates, updates and deletes.
func (p *Plan) Counts() (create, update, del int) {
	p.Each(func(_ *InstancePlan, _ *SpacePlan, c *Change) {
		switch c.Action {
		case Create:
			create++
		case Update:
			update++
		case Delete:
			del++
		}
	})
	return create, update, del
}

// HasChanges reports whether applying the plan would change anything.
func (p *Plan) HasChanges() bool {
	c, u, d := p.Counts()
	return c+u+d > 0
}

// Each calls fn for every change, instance-level ones with a nil space.
func (p *Plan) Each(fn func(in *InstancePlan, sp *SpacePlan, c *Change)) {
	for _, in := range p.Instances {
		for _, c := range in.Changes {
			fn(in, nil, c)
		}
		for _, s := range in.Spaces {
			for _, c := range s.Changes {
				fn(in, s, c)
			}
		}
	}
}

// PlanOptions tune how a plan is built.
type PlanOptions struct {
	// Secrets resolves secret references and fingerprints them; nil treats
	// every secret as unresolvable (its changes cannot be detected).
	Secrets *Secrets
}

// Build compares the desired state of one instance with what was read from
// it and returns the instance's plan. It reads nothing and writes nothing.
func Build(in *model.Instance, li *LiveInstance, opts PlanOptions) *InstancePlan {
	ip := &InstancePlan{Name: in.Name, URL: in.URL, APIKey: in.APIKey, live: li}
	instIdx, spaceIdx := buildIndexes(li)
	ledgers := readLedgers(li, spaceIdx)
	b := &builder{secrets: opts.Secrets, instance: in.Name}

	for k, err := range li.Missing {
		ip.Errors = append(ip.Errors, fmt.Sprintf("could not read %s: %v", k, err))
	}
	slices.Sort(ip.Errors)

	// Instance-level resources.
	ip.Changes = b.changes(in.Resources, li.Docs, instIdx, true, ledgers.instance)
	ip.Unmanaged = b.unmanaged(in.Resources, li.Docs, instLevelPrune(in))
	ip.Changes = append(ip.Changes, b.deletes(in.Resources, li.Docs, instLevelPrune(in), "")...)
	sortChanges(ip.Changes)

	for _, ds := range in.Spaces {
		sp := &SpacePlan{Name: ds.Name}
		ls := li.Space(ds.Name)
		var docs map[string][]*LiveDoc
		idx := newIndex(instIdx)
		led := &ledger{entries: map[string]map[string]string{}}
		if ls != nil {
			sp.ID = ls.ID
			docs, idx, led = ls.Docs, spaceIdx[ls], ledgers.spaces[ls]
			for kind, err := range ls.Missing {
				sp.Errors = append(sp.Errors, fmt.Sprintf("could not read %s: %v", kind, err))
			}
			slices.Sort(sp.Errors)
		}
		sp.Changes = b.changes(ds.Resources, docs, idx, false, led)
		sp.Unmanaged = b.unmanaged(ds.Resources, docs, ds.Prune)
		sp.Changes = append(sp.Changes, b.deletes(ds.Resources, docs, ds.Prune, ds.Name)...)
		sortChanges(sp.Changes)
		for i := range sp.Unmanaged {
			sp.Unmanaged[i].Instance, sp.Unmanaged[i].Space = in.Name, ds.Name
		}
		ip.Spaces = append(ip.Spaces, sp)
	}
	for i := range ip.Unmanaged {
		ip.Unmanaged[i].Instance = in.Name
	}
	return ip
}

// instLevelPrune returns the instance's prune scopes.
func instLevelPrune(in *model.Instance) []string { return in.Prune }

type builder struct {
	secrets  *Secrets
	instance string
}

// liveKey identifies a live document the way a desired resource's key does.
func liveKey(d *LiveDoc) string {
	return d.Kind.Name + "\x00" + strings.ToLower(d.Owner) + "\x00" + strings.ToLower(d.Name)
}

func resourceKey(k model.Key) string {
	return k.Kind + "\x00" + strings.ToLower(k.Owner) + "\x00" + strings.ToLower(k.Name)
}

// changes plans every desired resource of one scope.
func (b *builder) changes(rs []*model.Resource, docs map[string][]*LiveDoc, idx *index, instanceLevel bool, led *ledger) []*Change {
	live := map[string]*LiveDoc{}
	for _, list := range docs {
		for _, d := range list {
			live[liveKey(d)] = d
		}
	}
	out := make([]*Change, 0, len(rs))
	for _, r := range rs {
		ki := kindInfos[r.Key.Kind]
		if ki == nil {
			continue
		}
		c := &Change{
			Key: r.Key, Pos: r.Pos, Desired: r.Doc,
			Ownership: cmp.Or(r.Ownership, model.Enforce), FieldOwnership: r.FieldOwnership, Ignore: r.Ignore,
		}
		desired := b.withFingerprints(r.Key, led.salt, normalizeDesired(ki, r.Doc))
		l := live[resourceKey(r.Key)]
		if l == nil {
			c.Action, c.Reason = Create, "not in Octopus"
			if ki.kind.Shape != octopus.Collection {
				c.Reason = "owner will be created"
				if ki.kind.Shape == octopus.Singleton {
					c.Reason = "not read from Octopus"
				}
			}
			c.Fields = diffDocs(ki.rules, desired, nil)
			if c.Ownership == model.Observe {
				c.Action, c.Reason, c.Observed, c.Fields = NoOp, "observed: missing from Octopus", c.Fields, nil
			}
			out = append(out, c)
			continue
		}
		c.LiveID, c.LiveHash = l.ID, hashDoc(l.Raw)
		cx := &normCtx{ownerID: l.OwnerID, instanceLevel: instanceLevel, names: func(kind, _, id string) (string, bool) { return idx.name(kind, id) }}
		liveCfg := toConfig(ki, l.Doc, cx)
		d := differ{rules: ki.rules, ledger: led.entries[ledgerKey(r.Key)]}
		d.value("", "", "", desired, liveCfg)
		fields := filterIgnored(d.out, r.Ignore)
		switch c.Ownership {
		case model.Seed:
			c.Action, c.Reason = NoOp, "seeded: exists in Octopus, left alone"
		case model.Observe:
			c.Action, c.Reason, c.Observed = NoOp, "observed only", fields
		default:
			for _, f := range fields {
				switch fieldOwnership(r.FieldOwnership, f.Pointer) {
				case model.Seed:
					continue
				case model.Observe:
					f.Ownership = model.Observe
					c.Observed = append(c.Observed, f)
				default:
					c.Fields = append(c.Fields, f)
				}
			}
			c.Action, c.Reason = NoOp, "matches git"
			if len(c.Fields) > 0 {
				c.Action, c.Reason = Update, "differs from git"
			}
		}
		out = append(out, c)
	}
	return out
}

// fieldOwnership returns the ownership rule that covers a JSON pointer: the
// rule for the pointer or its closest parent.
func fieldOwnership(rules map[string]model.Ownership, ptr string) model.Ownership {
	for p := ptr; ; p = p[:strings.LastIndexByte(p, '/')] {
		if o, ok := rules[p]; ok {
			return o
		}
		if p == "" {
			return model.Enforce
		}
	}
}

// filterIgnored drops the field changes an ignore rule covers. A rule is a
// JSON pointer into the desired document, or a readable path as plans
// print it; it covers the field and everything below it.
func filterIgnored(fs []FieldChange, rules []string) []FieldChange {
	if len(rules) == 0 {
		return fs
	}
	out := fs[:0]
	for _, f := range fs {
		ignored := false
		for _, r := range rules {
			if covers(r, f.Pointer, '/') || covers(r, f.Path, '.') || covers(r, f.Path, '[') {
				ignored = true
				break
			}
		}
		if !ignored {
			out = append(out, f)
		}
	}
	return out
}

// covers reports whether rule equals s or is a parent of it, s continuing
// with sep after the rule.
func covers(rule, s string, sep byte) bool {
	return s == rule || strings.HasPrefix(s, rule) && len(s) > len(rule) && s[len(rule)] == sep
}

// unmanaged lists the live resources of one scope that git does not declare
// and that no prune scope covers.
func (b *builder) unmanaged(rs []*model.Resource, docs map[string][]*LiveDoc, prune []string) []model.Key {
	return b.orphans(rs, docs, prune, false)
}

// deletes plans the deletion of live resources that git does not declare,
// inside prune scopes.
func (b *builder) deletes(rs []*model.Resource, docs map[string][]*LiveDoc, prune []string, space string) []*Change {
	var out []*Change
	for _, k := range b.orphans(rs, docs, prune, true) {
		d := findLive(docs, k)
		out = append(out, &Change{
			Key:    model.Key{Instance: b.instance, Space: space, Kind: k.Kind, Owner: k.Owner, Name: k.Name},
			Action: Delete, Reason: fmt.Sprintf("not in git; prune scope includes %s", k.Kind),
			LiveID: d.ID, LiveHash: hashDoc(d.Raw),
		})
	}
	return out
}

// orphans returns the keys of live resources git does not declare: those
// inside a prune scope when pruned is true, the others when false. Derived
// documents, built-in resources, octosync's own ledger and the children of
// owners git does not declare are never orphans.
func (b *builder) orphans(rs []*model.Resource, docs map[string][]*LiveDoc, prune []string, pruned bool) []model.Key {
	declared := map[string]bool{}
	owners := map[string]bool{}
	for _, r := range rs {
		declared[resourceKey(r.Key)] = true
		owners[r.Key.Kind+"\x00"+strings.ToLower(r.Key.Name)] = true
	}
	var out []model.Key
	for _, k := range octopus.Kinds() {
		if !k.Managed || k.Shape != octopus.Collection {
			continue
		}
		for _, d := range docs[k.Name] {
			if declared[liveKey(d)] || slices.Contains(k.BuiltIn, d.Name) || isLedger(d) || isBuiltInDoc(d) {
				continue
			}
			if k.Owner != "" && !owners[ownerLookupKind(k)+"\x00"+strings.ToLower(d.Owner)] {
				continue
			}
			if slices.Contains(prune, k.Name) == pruned {
				out = append(out, model.Key{Kind: k.Name, Owner: d.Owner, Name: d.Name})
			}
		}
	}
	slices.SortFunc(out, model.Key.Compare)
	return out
}

// isBuiltInDoc recognises built-in documents by their own flags rather than
// their names: system teams and roles that cannot be deleted, the built-in
// feeds, default pools and policies.
func isBuiltInDoc(d *LiveDoc) bool {
	if v, ok := d.Doc["CanBeDeleted"].(bool); ok && !v {
		return true
	}
	if v, _ := d.Doc["IsDefault"].(bool); v && d.Kind.Name != "channels" && d.Kind.Name != "spaces" {
		return true
	}
	if team, _ := d.Doc["TeamId"].(string); d.Kind.Name == "scopedUserRoles" && strings.HasPrefix(team, "teams-") {
		return true // the built-in teams' own grants
	}
	if role, _ := d.Doc["UserRoleId"].(string); d.Kind.Name == "scopedUserRoles" && role == "userroles-spacemanager" {
		return true // made by Octopus for each team a space lists as its managers
	}
	switch ft, _ := d.Doc["FeedType"].(string); ft {
	case "BuiltIn", "OctopusProject":
		return true
	}
	return false
}

func findLive(docs map[string][]*LiveDoc, k model.Key) *LiveDoc {
	for _, d := range docs[k.Kind] {
		if d.Name == k.Name && d.Owner == k.Owner {
			return d
		}
	}
	return &LiveDoc{}
}

// sortChanges orders changes for display and apply: deletes first (in
// reverse dependency order), then the rest in dependency order, each group
// by key.
func sortChanges(cs []*Change) {
	slices.SortStableFunc(cs, func(a, b *Change) int {
		da, db := a.Action == Delete, b.Action == Delete
		if da != db {
			if da {
				return -1
			}
			return 1
		}
		oa, ob := kindOrder(a.Key.Kind), kindOrder(b.Key.Kind)
		if da {
			oa, ob = -oa, -ob
		}
		return cmp.Or(cmp.Compare(oa, ob), a.Key.Compare(b.Key))
	})
}

func kindOrder(kind string) int {
	if k := octopus.KindByName(kind); k != nil {
		return k.Order
	}
	return 0
}

// hashDoc fingerprints a live document as read, to detect that it changed
// between plan and apply.
func hashDoc(raw []byte) string {
	if len(raw) == 0 {
		return ""
	}
	sum := sha256.Sum256(raw)
	return hex.EncodeToString(sum[:12])
}

// UnmarshalJSON reads a change from a saved plan: numbers stay exact
// (json.Number) and secret references ({"env": …} or {"file": …}, which no
// Octopus field is spelled like) become model.SecretRef values again.
func (c *Change) UnmarshalJSON(b []byte) error {
	type plain Change
	var p plain
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&p); err != nil {
		return err
	}
	if p.Desired != nil {
		p.Desired = secretRefs(p.Desired).(map[string]any)
	}
	*c = Change(p)
	return nil
}

// secretRefs turns objects shaped like a secret reference back into one.
func secretRefs(v any) any {
	switch t := v.(type) {
	case map[string]any:
		if len(t) == 1 {
			if s, ok := t["env"].(string); ok {
				return model.SecretRef{Env: s}
			}
			if s, ok := t["file"].(string); ok {
				return model.SecretRef{File: s}
			}
		}
		for k, e := range t {
			t[k] = secretRefs(e)
		}
	case []any:
		for i, e := range t {
			t[i] = secretRefs(e)
		}
	}
	return v
}
