package reconcile

import (
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"maps"
	"slices"
	"strings"
	"sync"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/model/docvalue"
	"octosync.dev/octosync/octopus"
)

// Outcome is what apply did to one resource, in the past tense.
type Outcome string

const (
	Created   Outcome = "created"
	Updated   Outcome = "updated"
	Deleted   Outcome = "deleted"
	Unchanged Outcome = "unchanged"
	Skipped   Outcome = "skipped"
	Failed    Outcome = "failed"
)

// ResourceResult is the outcome for one resource.
type ResourceResult struct {
	Key     model.Key `json:"key"`
	Outcome Outcome   `json:"outcome"`
	Error   string    `json:"error,omitempty"`
}

// SpaceResult is what apply did in one space (or, with an empty Space, at
// instance level).
type SpaceResult struct {
	Instance string           `json:"instance"`
	Space    string           `json:"space,omitempty"`
	Results  []ResourceResult `json:"results"`
}

// Count returns how many resources had the outcome.
func (s *SpaceResult) Count(o Outcome) int {
	n := 0
	for _, r := range s.Results {
		if r.Outcome == o {
			n++
		}
	}
	return n
}

// InstanceResult is what apply did to one instance.
type InstanceResult struct {
	Name   string         `json:"name"`
	Scopes []*SpaceResult `json:"scopes"`
	Error  string         `json:"error,omitempty"`
}

// Failed reports whether anything failed.
func (r *InstanceResult) Failed() bool {
	if r.Error != "" {
		return true
	}
	for _, s := range r.Scopes {
		if s.Count(Failed) > 0 || s.Count(Skipped) > 0 {
			return true
		}
	}
	return false
}

// ApplyOptions tune Apply.
type ApplyOptions struct {
	Secrets *Secrets
	// Parallelism bounds the spaces applied at once; 4 when zero.
	Parallelism int
	// Progress, when set, receives each scope's result as it finishes: the
	// instance-level changes before and after the spaces, and each space.
	Progress func(*SpaceResult)
}

// Apply carries out an instance's plan against the live state li (the state
// the plan was built from, or a fresh read checked with Stale). Instance
// settings, roles, teams and spaces go first, then each space's contents
// (spaces in parallel, resources in dependency order, deletes last and in
// reverse order), then role grants. A failure is recorded and the rest goes
// on: a failing space does not stop the others.
func Apply(ctx context.Context, api API, ip *InstancePlan, li *LiveInstance, opts ApplyOptions) *InstanceResult {
	res := &InstanceResult{Name: ip.Name}
	if ip.Errors != nil {
		res.Error = "the plan has errors and cannot be applied"
		return res
	}
	instIdx, spaceIdx := buildIndexes(li)
	a := &applier{
		api: api, opts: opts, instance: ip.Name, li: li,
		fetch:     &fetcher{api: api, sem: make(chan struct{}, 8)},
		templates: map[string]any{},
	}
	led := readLedgers(li, spaceIdx)
	instScope := &scope{idx: instIdx, docs: li.Docs, ledger: led.instance, instanceLevel: true}
	for _, s := range li.Spaces {
		for _, d := range s.Docs["stepTemplates"] {
			a.templates[d.ID] = d.Doc["Version"]
		}
	}

	before, after := splitInstanceChanges(ip.Changes)
	first := &SpaceResult{Instance: ip.Name}
	a.run(ctx, instScope, before, first)
	res.Scopes = append(res.Scopes, first)
	a.progress(first)

	results := make([]*SpaceResult, len(ip.Spaces))
	sem := make(chan struct{}, cmp.Or(opts.Parallelism, 4))
	var wg sync.WaitGroup
	for i, sp := range ip.Spaces {
		wg.Go(func() {
			sem <- struct{}{}
			defer func() { <-sem }()
			sr := &SpaceResult{Instance: ip.Name, Space: sp.Name}
			results[i] = sr
			sc, err := a.spaceScope(ctx, sp, instIdx, spaceIdx, led)
			if err == nil {
				a.addSpaceIndex(sp.Name, sc.idx)
			}
			if err != nil {
				for _, c := range sp.Changes {
					if c.Action != NoOp {
						sr.Results = append(sr.Results, ResourceResult{Key: c.Key, Outcome: Skipped, Error: err.Error()})
					}
				}
			} else {
				a.run(ctx, sc, sp.Changes, sr)
				a.writeLedger(ctx, sc, sr)
			}
			a.progress(sr)
		})
	}
	wg.Wait()
	res.Scopes = append(res.Scopes, results...)

	last := &SpaceResult{Instance: ip.Name}
	a.run(ctx, instScope, after, last)
	a.writeLedger(ctx, instScope, last)
	if len(last.Results) > 0 {
		res.Scopes = append(res.Scopes, last)
		a.progress(last)
	}
	return res
}

// splitInstanceChanges separates instance-level changes applied before the
// spaces' contents from those applied after (role grants).
func splitInstanceChanges(cs []*Change) (before, after []*Change) {
	for _, c := range cs {
		if kindOrder(c.Key.Kind) < octopus.SpaceContents {
			before = append(before, c)
		} else {
			after = append(after, c)
		}
	}
	return before, after
}

type applier struct {
	mus       sync.Mutex
	spaces    map[string]*index // space name → index, as spaces are prepared
	api       API
	opts      ApplyOptions
	instance  string
	li        *LiveInstance
	fetch     *fetcher
	mu        sync.Mutex
	templates map[string]any // step template id → its live Version
}

func (a *applier) progress(sr *SpaceResult) {
	if a.opts.Progress != nil {
		a.opts.Progress(sr)
	}
}

// spaceIndex returns the index of a space prepared for this apply.
func (a *applier) spaceIndex(name string) *index {
	a.mus.Lock()
	defer a.mus.Unlock()
	for n, x := range a.spaces {
		if strings.EqualFold(n, name) {
			return x
		}
	}
	return nil
}

func (a *applier) addSpaceIndex(name string, x *index) {
	a.mus.Lock()
	defer a.mus.Unlock()
	if a.spaces == nil {
		a.spaces = map[string]*index{}
	}
	a.spaces[name] = x
}

// scope is where changes apply: the instance, or one space.
type scope struct {
	spaceID       string
	idx           *index
	docs          map[string][]*LiveDoc
	ledger        *ledger
	instanceLevel bool
	failed        map[string]bool // resource keys that failed, so dependants skip
}

// spaceScope prepares a space for apply: its id (looked up if the space was
// just created) and index (read if the space is new).
func (a *applier) spaceScope(ctx context.Context, sp *SpacePlan, instIdx *index, spaceIdx map[*LiveSpace]*index, led ledgers) (*scope, error) {
	if ls := a.li.Space(sp.Name); ls != nil {
		return &scope{spaceID: ls.ID, idx: spaceIdx[ls], docs: ls.Docs, ledger: led.spaces[ls]}, nil
	}
	id, ok := instIdx.id("spaces", "", sp.Name)
	if !ok {
		return nil, fmt.Errorf("space %q does not exist and was not created", sp.Name)
	}
	raw, err := a.api.Get(ctx, octopus.KindByName("spaces").DocPath("", id))
	if err != nil {
		return nil, err
	}
	sd := a.fetch.decodeOne(octopus.KindByName("spaces"), raw, "", "")
	ls := a.fetch.space(ctx, sd)
	if len(ls.Missing) > 0 {
		return nil, fmt.Errorf("read new space %q: %v", sp.Name, joinMissing(ls.Missing))
	}
	single := &LiveInstance{Name: a.instance, Docs: a.li.Docs, Spaces: []*LiveSpace{ls}}
	_, idx := buildIndexes(single)
	x := idx[ls]
	x.parent = instIdx
	return &scope{spaceID: ls.ID, idx: x, docs: ls.Docs, ledger: &ledger{space: ls, entries: map[string]map[string]string{}}}, nil
}

func joinMissing(m map[string]error) error {
	var errs []error
	for k, err := range m {
		errs = append(errs, fmt.Errorf("%s: %w", k, err))
	}
	return errors.Join(errs...)
}

// run applies changes in dependency order, deletes last in reverse order.
func (a *applier) run(ctx context.Context, sc *scope, changes []*Change, sr *SpaceResult) {
	ordered := slices.Clone(changes)
	slices.SortStableFunc(ordered, func(x, y *Change) int {
		dx, dy := x.Action == Delete, y.Action == Delete
		switch {
		case dx && !dy:
			return 1
		case !dx && dy:
			return -1
		case dx:
			return cmp.Compare(kindOrder(y.Key.Kind), kindOrder(x.Key.Kind))
		}
		return cmp.Compare(kindOrder(x.Key.Kind), kindOrder(y.Key.Kind))
	})
	if sc.failed == nil {
		sc.failed = map[string]bool{}
	}
	for _, c := range ordered {
		if c.Action == NoOp {
			continue
		}
		if err := ctx.Err(); err != nil {
			sr.Results = append(sr.Results, ResourceResult{Key: c.Key, Outcome: Skipped, Error: err.Error()})
			continue
		}
		r := a.do(ctx, sc, c)
		if r.Outcome == Failed || r.Outcome == Skipped {
			sc.failed[resourceKey(model.Key{Kind: c.Key.Kind, Name: c.Key.Name})] = true
		}
		sr.Results = append(sr.Results, r)
	}
}

// do applies one change.
func (a *applier) do(ctx context.Context, sc *scope, c *Change) ResourceResult {
	r := ResourceResult{Key: c.Key}
	k := octopus.KindByName(c.Key.Kind)
	if k.Owner != "" {
		ok := ownerLookupKind(k)
		if sc.failed[resourceKey(model.Key{Kind: ok, Name: c.Key.Owner})] {
			r.Outcome, r.Error = Skipped, fmt.Sprintf("its %s %q failed", octopus.KindByName(ok).Label, c.Key.Owner)
			return r
		}
	}
	var err error
	switch c.Action {
	case Delete:
		err = a.delete(ctx, sc, c)
		r.Outcome = Deleted
	default:
		var created bool
		created, err = a.write(ctx, sc, c)
		r.Outcome = Updated
		if created || c.Action == Create {
			r.Outcome = Created
		}
	}
	if err != nil {
		r.Outcome, r.Error = Failed, err.Error()
	}
	return r
}

// delete removes a live resource. A space is stopped first, as Octopus
// requires.
func (a *applier) delete(ctx context.Context, sc *scope, c *Change) error {
	k := octopus.KindByName(c.Key.Kind)
	path := k.DocPath(sc.spaceID, c.LiveID)
	if k.Name == "spaces" {
		raw, err := a.api.Get(ctx, path)
		if err != nil {
			return err
		}
		doc, err := octopus.DecodeDoc(raw)
		if err != nil {
			return err
		}
		if stopped, _ := doc["TaskQueueStopped"].(bool); !stopped {
			doc["TaskQueueStopped"] = true
			if _, err := a.api.Put(ctx, path, doc); err != nil {
				return fmt.Errorf("stop the space's task queue: %w", err)
			}
		}
	}
	if _, err := a.api.Delete(ctx, path); err != nil {
		return err
	}
	if sc.ledger != nil {
		if _, ok := sc.ledger.entries[ledgerKey(c.Key)]; ok {
			delete(sc.ledger.entries, ledgerKey(c.Key))
			sc.ledger.dirty = true
		}
	}
	return nil
}

// write creates or updates one resource; it reports whether it created it.
func (a *applier) write(ctx context.Context, sc *scope, c *Change) (bool, error) {
	ki := kindInfos[c.Key.Kind]
	k := ki.kind
	ownerID := ""
	if k.Owner != "" {
		id, ok := sc.idx.id(ownerLookupKind(k), "", c.Key.Owner)
		if !ok {
			return false, fmt.Errorf("its %s %q does not exist", octopus.KindByName(ownerLookupKind(k)).Label, c.Key.Owner)
		}
		ownerID = id
	}
	idx := sc.idx
	if space, _ := c.Desired["Space"].(string); sc.instanceLevel && space != "" {
		// A system team's grant inside a space names that space's
		// projects and environments.
		if x := a.spaceIndex(space); x != nil {
			idx = x
		}
	}
	ids := func(kind, owner, name string) (string, bool) { return idx.id(kind, owner, name) }
	desired, errs := toAPI(ki, c.Desired, ownerID, ids)
	if len(errs) > 0 {
		return false, errors.Join(errs...)
	}
	// Every secret git references must be available, written or not: an
	// apply cannot vouch for a secret it cannot read.
	for _, ref := range secretPaths(ki.rules, c.Desired) {
		if _, err := a.opts.Secrets.Resolve(ref); err != nil {
			return false, err
		}
	}
	write := secretWriter(c)
	m := &merger{rules: ki.rules, write: write, secrets: a.opts.Secrets}

	var created bool
	var err error
	var resp json.RawMessage
	switch k.Shape {
	case octopus.Collection:
		id := c.LiveID
		if id == "" {
			id, _ = sc.idx.id(k.Name, cond(k.Owner != "", ownerID, ""), c.Key.Name)
		}
		if id == "" && slices.Contains(k.BuiltIn, c.Key.Name) {
			id, err = a.findBuiltIn(ctx, sc, k, ownerID, c.Key.Name)
			if err != nil {
				return false, err
			}
		}
		if id == "" {
			body := m.merge(nil, desired, "", "", "").(map[string]any)
			if len(m.errs) > 0 {
				return false, errors.Join(m.errs...)
			}
			a.fixup(sc, k, body, nil, ownerID)
			resp, err = a.api.Post(ctx, k.CollectionPath(sc.spaceID), body)
			created = true
			if err == nil {
				err = a.recordCreated(ctx, sc, k, resp, ownerID, c.Key.Name)
			}
		} else {
			resp, err = a.update(ctx, sc, k, m, k.DocPath(sc.spaceID, id), desired, c, ownerID)
		}
	case octopus.Derived:
		docID := ownerID
		if k.Owner == "runbooks" {
			docID, _ = sc.idx.id("runbooks", ownerID, c.Key.Name)
			if docID == "" {
				return false, fmt.Errorf("runbook %q of project %q does not exist", c.Key.Name, c.Key.Owner)
			}
		}
		resp, err = a.update(ctx, sc, k, m, k.DocPath(sc.spaceID, k.DerivedID(docID)), desired, c, ownerID)
	case octopus.Singleton:
		resp, err = a.update(ctx, sc, k, m, k.DocPath("", k.Fixed[c.Key.Name]), desired, c, ownerID)
	}
	if err != nil {
		return created, err
	}
	if k.Name == "deploymentProcess" || k.Name == "runbookProcess" {
		if doc, derr := octopus.DecodeDoc(resp); derr == nil {
			indexActions(sc.idx, &LiveDoc{Doc: doc, OwnerID: ownerID})
		}
	}
	a.recordSecrets(sc, ki, c)
	return created, nil
}

// update reads the live document, lays the desired one over it and writes
// it back. A Version conflict — someone else saved the document in between
// — re-reads and retries once.
func (a *applier) update(ctx context.Context, sc *scope, k *octopus.Kind, m *merger, path string, desired model.Doc, c *Change, ownerID string) (json.RawMessage, error) {
	for attempt := 0; ; attempt++ {
		raw, err := a.api.Get(ctx, path)
		if err != nil {
			return nil, err
		}
		base, err := octopus.DecodeDoc(raw)
		if err != nil {
			return nil, fmt.Errorf("read %s: %w", path, err)
		}
		var body map[string]any
		if k.Name == "tenantVariables" {
			body = mergeTenantVariables(base, c.Desired, sc.idx, m)
		} else {
			body = m.merge(base, desired, "", "", "").(map[string]any)
		}
		if len(m.errs) > 0 {
			return nil, errors.Join(m.errs...)
		}
		a.fixup(sc, k, body, base, ownerID)
		resp, err := a.api.Put(ctx, path, body)
		if err != nil && octopus.IsVersionConflict(err) && attempt == 0 {
			m.errs = nil
			continue
		}
		return resp, err
	}
}

// fixup sets what a written document needs beyond git's fields: its owner,
// its space, its kind's filter values, the version of the step templates
// its steps use, and the space's own managers team.
func (a *applier) fixup(sc *scope, k *octopus.Kind, body, base map[string]any, ownerID string) {
	if k.Owner != "" && k.Shape == octopus.Collection && base == nil {
		body[k.OwnerRef] = ownerID
	}
	if !sc.instanceLevel && k.Scope.Has(octopus.ScopeInstance) && k.Scope.Has(octopus.ScopeSpace) {
		body["SpaceId"] = sc.spaceID
	}
	if base == nil {
		for f, v := range k.Filter {
			body[f] = v
		}
	}
	switch k.Name {
	case "deploymentProcess", "runbookProcess":
		a.mu.Lock()
		forEachAction(body, func(props map[string]any) {
			if id, ok := props["Octopus.Action.Template.Id"].(string); ok {
				if v, ok := a.templates[id]; ok {
					props["Octopus.Action.Template.Version"] = fmt.Sprint(v)
				}
			}
		})
		a.mu.Unlock()
	case "spaces":
		// Octopus lists the space's own Space Managers team among its
		// managers; git does not, and it must stay.
		if base != nil {
			own, _ := base["Id"].(string)
			teams, _ := body["SpaceManagersTeams"].([]any)
			if own != "" && !slices.Contains(teams, any("teams-spacemanagers-"+own)) {
				body["SpaceManagersTeams"] = append(teams, "teams-spacemanagers-"+own)
			}
		}
	}
}

// recordCreated indexes a document just created, so that resources created
// later in the same apply can refer to it by name.
func (a *applier) recordCreated(ctx context.Context, sc *scope, k *octopus.Kind, resp json.RawMessage, ownerID, name string) error {
	doc, err := octopus.DecodeDoc(resp)
	if err != nil {
		return fmt.Errorf("read the created %s: %w", k.Label, err)
	}
	id, _ := doc["Id"].(string)
	if id == "" {
		return fmt.Errorf("octopus returned no id for the created %s", k.Label)
	}
	owner := cond(k.Owner != "", ownerID, "")
	sc.idx.add(k.Name, owner, id, name)
	if k.Name == "scriptModules" {
		sc.idx.add("libraryVariableSets", owner, id, name)
	}
	if k.Name == "projects" {
		sc.idx.add("runbooks", id, id, name)
	}
	if k.Name == "stepTemplates" {
		a.mu.Lock()
		a.templates[id] = doc["Version"]
		a.mu.Unlock()
	}
	return nil
}

// findBuiltIn looks up a built-in resource (a new project's Default channel,
// a new space's Default Lifecycle) that git declares but the plan could
// not see because its owner did not exist yet.
func (a *applier) findBuiltIn(ctx context.Context, sc *scope, k *octopus.Kind, ownerID, name string) (string, error) {
	path := k.CollectionPath(sc.spaceID)
	if k.Owner != "" {
		path = k.OwnerPath(sc.spaceID, ownerID)
	}
	raws, err := a.api.List(ctx, path)
	if err != nil {
		return "", err
	}
	for _, raw := range raws {
		d := a.fetch.decodeOne(k, raw, "", "")
		if d != nil && strings.EqualFold(d.Name, name) {
			sc.idx.add(k.Name, cond(k.Owner != "", ownerID, ""), d.ID, d.Name)
			return d.ID, nil
		}
	}
	return "", nil
}

// secretWriter returns whether the secret at a pointer into the desired
// document is to be written: when the plan changes it, or adds the element
// holding it, or creates the resource.
func secretWriter(c *Change) func(string) bool {
	if c.Action == Create {
		return func(string) bool { return true }
	}
	var ptrs []string
	for _, f := range c.Fields {
		ptrs = append(ptrs, f.Pointer)
	}
	return func(ptr string) bool {
		for _, p := range ptrs {
			if covers(p, ptr, '/') {
				return true
			}
		}
		return false
	}
}

// recordSecrets records, after a successful write, the fingerprints of
// every secret the resource now holds as git says.
func (a *applier) recordSecrets(sc *scope, ki *kindInfo, c *Change) {
	paths := secretPaths(ki.rules, normalizeDesired(ki, c.Desired))
	if len(paths) == 0 || sc.ledger == nil {
		return
	}
	l := sc.ledger
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.salt == "" {
		l.salt = newSalt()
	}
	fps := map[string]string{}
	for p, ref := range paths {
		v, err := a.opts.Secrets.Resolve(ref)
		if err != nil {
			continue
		}
		fps[p] = a.opts.Secrets.Fingerprint(ledgerKey(c.Key), l.salt, v)
	}
	key := ledgerKey(c.Key)
	if !maps.Equal(l.entries[key], fps) {
		l.entries[key] = fps
		l.dirty = true
	}
}

func cond[T any](c bool, a, b T) T {
	if c {
		return a
	}
	return b
}

// mergeTenantVariables writes the desired tenant variables (configuration
// form: names) into the live tenant variables document (keyed by ids).
// Values git does not give are removed; secrets are written or kept as the
// merger decides.
func mergeTenantVariables(base model.Doc, desired model.Doc, idx *index, m *merger) map[string]any {
	out := docvalue.DeepCopy(base).(map[string]any)
	dp, _ := desired["ProjectVariables"].(map[string]any)
	pv, _ := out["ProjectVariables"].(map[string]any)
	for _, p := range pv {
		proj, _ := p.(map[string]any)
		pname, _ := proj["ProjectName"].(string)
		ids := templateIDs(proj["Templates"])
		want, _ := dp[pname].(map[string]any)
		vars, _ := proj["Variables"].(map[string]any)
		for envID, cur := range vars {
			env, _ := idx.name("environments", envID)
			values, _ := want[env].(map[string]any)
			at := tenantPath{
				path: joinPath(joinPath("ProjectVariables", pname), env),
				ptr:  "/ProjectVariables/" + escapePointer(pname) + "/" + escapePointer(env),
			}
			vars[envID] = tenantValues(cur, values, ids, at, m)
		}
	}
	dl, _ := desired["LibraryVariables"].(map[string]any)
	lv, _ := out["LibraryVariables"].(map[string]any)
	for _, l := range lv {
		lib, _ := l.(map[string]any)
		name, _ := lib["LibraryVariableSetName"].(string)
		values, _ := dl[name].(map[string]any)
		at := tenantPath{path: joinPath("LibraryVariables", name), ptr: "/LibraryVariables/" + escapePointer(name)}
		lib["Variables"] = tenantValues(lib["Variables"], values, templateIDs(lib["Templates"]), at, m)
	}
	return out
}

// tenantPath locates a group of tenant variable values: its readable path
// and its JSON pointer in the desired document.
type tenantPath struct{ path, ptr string }

func templateIDs(v any) map[string]string {
	ids := map[string]string{}
	for id, name := range templateNames(v) {
		ids[name] = id
	}
	return ids
}

// tenantValues builds the values of one project environment or library
// variable set, keyed by template id, from the desired values keyed by
// template name.
func tenantValues(cur any, want map[string]any, ids map[string]string, at tenantPath, m *merger) map[string]any {
	curm, _ := cur.(map[string]any)
	out := map[string]any{}
	for name, v := range want {
		id, ok := ids[name]
		if !ok {
			m.errs = append(m.errs, fmt.Errorf("%s: the template %q does not exist", at.path, name))
			continue
		}
		out[id] = m.merge(curm[id], v, joinPath(at.path, name), at.ptr+"/"+escapePointer(name), "")
	}
	return out
}

// writeLedger saves a scope's ledger when apply changed it, creating the
// ledger's library variable set on first use.
func (a *applier) writeLedger(ctx context.Context, sc *scope, sr *SpaceResult) {
	l := sc.ledger
	if l == nil {
		return
	}
	l.mu.Lock()
	dirty := l.dirty
	l.mu.Unlock()
	if !dirty {
		return
	}
	key := model.Key{Instance: a.instance, Space: sr.Space, Kind: ledgerKind.Name, Name: LedgerName}
	fail := func(err error) {
		sr.Results = append(sr.Results, ResourceResult{Key: key, Outcome: Failed, Error: "record secret fingerprints: " + err.Error()})
	}
	if l.space == nil {
		fail(errors.New("the default space, which keeps instance-level fingerprints, was not read"))
		return
	}
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.lvs == nil {
		body := map[string]any{"Name": LedgerName, "Description": ledgerDescription + l.salt, "ContentType": "Variables"}
		resp, err := a.api.Post(ctx, ledgerKind.CollectionPath(l.space.ID), body)
		if err != nil {
			fail(err)
			return
		}
		if l.lvs = a.fetch.decodeOne(ledgerKind, resp, "", ""); l.lvs == nil {
			fail(errors.New("octopus returned no library variable set"))
			return
		}
	}
	varsKind := octopus.KindByName("libraryVariables")
	path := varsKind.DocPath(l.space.ID, varsKind.DerivedID(l.lvs.ID))
	for attempt := 0; ; attempt++ {
		raw, err := a.api.Get(ctx, path)
		if err != nil {
			fail(err)
			return
		}
		doc, err := octopus.DecodeDoc(raw)
		if err != nil {
			fail(err)
			return
		}
		ids := map[string]any{}
		old, _ := doc["Variables"].([]any)
		for _, v := range old {
			vm, _ := v.(map[string]any)
			if n, _ := vm["Name"].(string); n != "" {
				ids[n] = vm["Id"]
			}
		}
		vars := make([]any, 0, len(l.entries))
		for _, name := range slices.Sorted(maps.Keys(l.entries)) {
			value, _ := json.Marshal(l.entries[name])
			v := map[string]any{"Name": name, "Value": string(value), "Type": "String", "IsSensitive": false}
			if id, ok := ids[name]; ok {
				v["Id"] = id
			}
			vars = append(vars, v)
		}
		doc["Variables"] = vars
		_, err = a.api.Put(ctx, path, doc)
		if err != nil && octopus.IsVersionConflict(err) && attempt == 0 {
			continue
		}
		if err != nil {
			fail(err)
			return
		}
		l.dirty = false
		return
	}
}
