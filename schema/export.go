package schema

import (
	"cmp"
	"encoding/json"
	"fmt"
	"io/fs"
	"maps"
	"path"
	"runtime"
	"slices"
	"strings"
	"sync"
	"testing/fstest"
	"unicode"

	"cuelang.org/go/cue"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/octopus"
)

// ExportOptions say how Export writes an instance as configuration.
type ExportOptions struct {
	// Package is the CUE package of the files; "config" when empty.
	Package string
	// URL and APIKey are written as the instance's url and apiKey. When
	// unset, they reference the environment variables
	// OCTOPUS_<INSTANCE>_URL and OCTOPUS_<INSTANCE>_API_KEY.
	URL, APIKey model.Value
	// Check reads the written configuration back with Load and reports,
	// in LeftOut, every resource that does not read back as the model
	// has it (which would make the first plan show changes).
	Check bool
}

// Exported is an instance written as configuration: one CUE package
// that Load reads back into the model it was written from.
type Exported struct {
	// Files maps slash-separated paths to contents: instance.cue (the
	// instance, its settings, roles and teams), spaces/<name>.cue (one per
	// space), cue.mod/module.cue, and secrets.env.example (the
	// environment variables to set, names only).
	Files map[string][]byte
	// Env lists the environment variables the configuration references:
	// the instance's URL and API key (when they are references), then one
	// per secret, in the order the files mention them.
	Env []EnvVar
	// LeftOut says what could not be written as configuration, or does
	// not read back as it was.
	LeftOut []string
	// Unmanaged lists fields the schema does not know and that have no
	// extra field to go to, by resource: they stay as Octopus has them,
	// unmanaged.
	Unmanaged []string
}

// EnvVar is an environment variable the exported configuration
// references.
type EnvVar struct {
	Name string `json:"name"`
	// For says what it holds, in Octopus terms.
	For string `json:"for"`
	// Secret is set for a secret: Octopus never returns it, so its value
	// is not known.
	Secret bool `json:"secret"`
}

// FS returns the exported files as a file system, for Load.
func (e *Exported) FS() fs.FS {
	m := fstest.MapFS{}
	for p, b := range e.Files {
		m[p] = &fstest.MapFile{Data: b, Mode: 0o644}
	}
	return m
}

// Paths returns the exported files' paths, sorted.
func (e *Exported) Paths() []string { return slices.Sorted(maps.Keys(e.Files)) }

// SecretsFile is the name of the exported file listing the environment
// variables to set.
const SecretsFile = "secrets.env.example"

// Export writes an instance of the desired model — what reconcile.Export
// reads from a live instance — as a CUE configuration in the schema's
// terms: names, not ids; fields equal to the schema's defaults left out;
// kinds in dependency order and names sorted; steps written with the
// schema's helpers where one says the same; secrets as references to
// environment variables. Load reads the files back into the same model.
//
// Secrets cannot be read from Octopus, so each one is marked seed (see
// the fields setting): octosync keeps the value Octopus has until the
// mark is removed, and a plan right after the export shows no changes.
func Export(in *model.Instance, opts ExportOptions) (*Exported, error) {
	c, err := newExpCUE()
	if err != nil {
		return nil, err
	}
	x := &exporter{c: c, in: in, opts: opts, out: &Exported{Files: map[string][]byte{}}, envSeen: map[string]bool{}}
	x.opts.Package = cmp.Or(x.opts.Package, "config")
	x.index()
	if err := x.instanceFile(); err != nil {
		return nil, err
	}
	if err := x.spaceFiles(); err != nil {
		return nil, err
	}
	x.unwritten()
	x.out.Files["cue.mod/module.cue"] = []byte(defaultModule)
	x.out.Files[SecretsFile] = x.secretsFile()
	if opts.Check {
		x.check()
	}
	return x.out, nil
}

// exporter holds the state of one Export.
type exporter struct {
	c    *expCUE
	in   *model.Instance
	opts ExportOptions
	out  *Exported
	// res are the resources of the instance and of each space, indexed.
	inst   *expScope
	spaces map[string]*expScope
	// written marks the resources written.
	written map[*model.Resource]bool
	// elided marks resources left out on purpose: built-in ones in the
	// state a new server has them.
	elided  map[*model.Resource]bool
	envSeen map[string]bool
}

// expScope indexes the resources of the instance or of a space.
type expScope struct {
	name string
	// top holds the top-level resources by kind, sorted by name;
	// children the others by kind and owner.
	top      map[string][]*model.Resource
	children map[string]map[string][]*model.Resource
}

func newExpScope(name string, rs []*model.Resource) *expScope {
	s := &expScope{name: name, top: map[string][]*model.Resource{}, children: map[string]map[string][]*model.Resource{}}
	for _, r := range rs {
		if r.Key.Owner == "" {
			s.top[r.Key.Kind] = append(s.top[r.Key.Kind], r)
			continue
		}
		if s.children[r.Key.Kind] == nil {
			s.children[r.Key.Kind] = map[string][]*model.Resource{}
		}
		s.children[r.Key.Kind][r.Key.Owner] = append(s.children[r.Key.Kind][r.Key.Owner], r)
	}
	byName := func(a, b *model.Resource) int {
		return cmp.Or(strings.Compare(strings.ToLower(a.Key.Name), strings.ToLower(b.Key.Name)), strings.Compare(a.Key.Name, b.Key.Name))
	}
	for _, list := range s.top {
		slices.SortStableFunc(list, byName)
	}
	for _, m := range s.children {
		for _, list := range m {
			slices.SortStableFunc(list, byName)
		}
	}
	return s
}

func (x *exporter) index() {
	x.written = map[*model.Resource]bool{}
	x.elided = map[*model.Resource]bool{}
	x.inst = newExpScope("", x.in.Resources)
	x.spaces = map[string]*expScope{}
	for _, sp := range x.in.Spaces {
		x.spaces[sp.Name] = newExpScope(sp.Name, sp.Resources)
	}
}

// leftOut records something that could not be written.
func (x *exporter) leftOut(subj, format string, args ...any) {
	x.out.LeftOut = append(x.out.LeftOut, subject(subj, fmt.Sprintf(format, args...)))
}

// subj names a resource in Octopus terms, inside its space.
func (x *exporter) subj(space string, parts ...string) string {
	if space != "" {
		parts = append([]string{named("space", space)}, parts...)
	}
	return subject(parts...)
}

// ---- the instance ----

// authOrder is the order the schema declares authentication providers in.
var authOrder = []string{"usernamePassword", "guest", "azureAD", "okta", "googleApps", "octopusID", "genericOidc", "activeDirectory", "ldap"}

func (x *exporter) instanceFile() error {
	in := x.in
	url, key := x.opts.URL, x.opts.APIKey
	if url == (model.Value{}) {
		url = model.Value{Ref: model.SecretRef{Env: model.EnvName("OCTOPUS", in.Name, "URL")}}
	}
	if key == (model.Value{}) {
		key = model.Value{Ref: model.SecretRef{Env: model.EnvName("OCTOPUS", in.Name, "API_KEY")}}
	}
	body := &expStruct{}
	for _, f := range []struct {
		label, what string
		v           model.Value
	}{{"url", "URL", url}, {"apiKey", "API key", key}} {
		if f.v.IsRef() {
			body.add(f.label, expValue(f.v.Ref))
			if f.v.Ref.Env != "" {
				x.env(EnvVar{Name: f.v.Ref.Env, For: fmt.Sprintf("the %s of instance %q", f.what, in.Name), Secret: f.label == "apiKey"})
			}
		} else {
			body.add(f.label, f.v.Literal)
		}
	}

	settings := &expStruct{}
	auth := &expStruct{}
	for _, key := range authOrder {
		r := x.instRes("authentication", key)
		if r == nil {
			continue
		}
		def := instanceNode.fields["settings"].fields["authentication"].fields[key].def
		subj := named("authentication provider", key)
		s, w := x.resource(r, def, "", r.Doc, nil, subj)
		enabled, _ := r.Doc["IsEnabled"].(bool)
		if !enabled && w["IsEnabled"] == nil {
			x.elided[r] = true // disabled, as on a new server: its settings do nothing
			continue
		}
		if enabled && w["IsEnabled"] == nil {
			s.fields = append([]expField{{label: "IsEnabled", value: expRaw("true")}}, s.fields...)
		}
		auth.add(key, s)
	}
	if len(auth.fields) > 0 {
		settings.add("authentication", auth)
	}
	if r := x.instRes("smtp", "smtp"); r != nil {
		if host, _ := r.Doc["SmtpHost"].(string); host != "" {
			s, _ := x.resource(r, "#Smtp", "", r.Doc, nil, "SMTP configuration")
			settings.add("smtp", s)
		} else {
			x.written[r], x.elided[r] = true, true // not configured
		}
	}
	if r := x.instRes("auditStream", "auditStream"); r != nil {
		if sc, _ := r.Doc["StreamConfigurationResource"].(map[string]any); len(sc) > 0 {
			s, _ := x.resource(r, "#AuditStream", "", r.Doc, nil, "audit log stream")
			settings.add("auditStream", s)
		} else {
			x.written[r], x.elided[r] = true, true // not configured
		}
	}
	if len(settings.fields) > 0 {
		body.fields = append(body.fields, expField{label: "settings", value: settings, gap: true})
	}

	if roles := x.inst.top["userRoles"]; len(roles) > 0 {
		s := &expStruct{}
		for _, r := range roles {
			rs, _ := x.resource(r, "#UserRole", r.Key.Name, r.Doc, nil, named("user role", r.Key.Name))
			s.add(r.Key.Name, rs)
		}
		body.fields = append(body.fields, expField{label: "userRoles", value: s, gap: true})
	}
	if teams := x.inst.top["teams"]; len(teams) > 0 {
		s := &expStruct{}
		for _, r := range teams {
			s.add(r.Key.Name, x.team(r, "", x.inst.top["scopedUserRoles"]))
		}
		body.fields = append(body.fields, expField{label: "teams", value: s, gap: true})
	}
	for _, r := range x.inst.top["spaces"] {
		if x.spaces[r.Key.Name] == nil {
			x.written[r], x.elided[r] = true, true // a space whose contents were not exported
		}
	}

	top := &expStruct{}
	top.fields = append(top.fields,
		expField{label: "instances", value: &expStruct{fields: []expField{{label: "[_]", raw: true, value: expRaw("octopus.#Instance")}}}},
		expField{label: "instances", value: (&expStruct{}).add(in.Name, body), gap: true},
	)
	header := []string{
		fmt.Sprintf("Instance %q, exported from Octopus by octosync export: its settings,", in.Name),
		"user roles and system teams. Each space is in spaces/.",
	}
	b, err := expFile(header, x.opts.Package, true, top)
	if err != nil {
		return fmt.Errorf("write instance.cue: %w", err)
	}
	x.out.Files["instance.cue"] = b
	return nil
}

// spaceFiles writes the spaces' files, spaces in parallel (each worker
// with a CUE context of its own), and gathers what they found in the
// spaces' order, so the export does not depend on the scheduling.
func (x *exporter) spaceFiles() error {
	spaces := x.in.Spaces
	files := spaceFileNames(spaces)
	forks := make([]*exporter, len(spaces))
	errs := make([]error, len(spaces))
	workers := min(runtime.GOMAXPROCS(0), len(spaces))
	contexts := []*expCUE{x.c}
	for len(contexts) < workers {
		c, err := newExpCUE()
		if err != nil {
			return err
		}
		contexts = append(contexts, c)
	}
	next := make(chan int)
	var wg sync.WaitGroup
	for _, c := range contexts {
		wg.Go(func() {
			for i := range next {
				forks[i] = x.fork(c)
				errs[i] = forks[i].spaceFile(spaces[i], files[i])
			}
		})
	}
	for i := range spaces {
		next <- i
	}
	close(next)
	wg.Wait()
	for i, f := range forks {
		if errs[i] != nil {
			return errs[i]
		}
		x.join(f)
	}
	return nil
}

// fork returns an exporter for one space's file, sharing what is read
// only and recording what it finds apart.
func (x *exporter) fork(c *expCUE) *exporter {
	return &exporter{c: c, in: x.in, opts: x.opts, out: &Exported{Files: map[string][]byte{}},
		inst: x.inst, spaces: x.spaces, written: map[*model.Resource]bool{}, elided: map[*model.Resource]bool{}, envSeen: map[string]bool{}}
}

// join gathers what a fork found.
func (x *exporter) join(f *exporter) {
	maps.Copy(x.out.Files, f.out.Files)
	for _, e := range f.out.Env {
		x.env(e)
	}
	x.out.LeftOut = append(x.out.LeftOut, f.out.LeftOut...)
	x.out.Unmanaged = append(x.out.Unmanaged, f.out.Unmanaged...)
	maps.Copy(x.written, f.written)
	maps.Copy(x.elided, f.elided)
}

// spaceFileNames makes the spaces' file names, unique whatever their
// case.
func spaceFileNames(spaces []*model.Space) []string {
	used := map[string]bool{}
	out := make([]string, len(spaces))
	for i, sp := range spaces {
		name := fileName(sp.Name)
		for n := 2; used[strings.ToLower(name)]; n++ {
			name = fmt.Sprintf("%s-%d", fileName(sp.Name), n)
		}
		used[strings.ToLower(name)] = true
		out[i] = path.Join("spaces", name+".cue")
	}
	return out
}

// instRes returns the instance-level resource of kind with the name.
func (x *exporter) instRes(kind, name string) *model.Resource {
	for _, r := range x.inst.top[kind] {
		if r.Key.Name == name {
			return r
		}
	}
	return nil
}

// team writes a team with its role grants: those of grants whose Team is
// the team (for a system team, only grants in the spaces exported).
func (x *exporter) team(r *model.Resource, space string, grants []*model.Resource) *expStruct {
	def, grantDef := "#Team", "#SystemRoleGrant"
	if space != "" {
		def, grantDef = "#SpaceTeam", "#RoleGrant"
	}
	subj := x.subj(space, named("team", r.Key.Name))
	s, _ := x.resource(r, def, r.Key.Name, r.Doc, nil, subj)
	var mine []*model.Resource
	for _, g := range grants {
		if team, _ := g.Doc["Team"].(string); team != r.Key.Name {
			continue
		}
		if sp, _ := g.Doc["Space"].(string); sp != "" && x.spaces[sp] == nil {
			x.written[g], x.elided[g] = true, true // a grant in a space not exported
			continue
		}
		mine = append(mine, g)
	}
	slices.SortStableFunc(mine, func(a, b *model.Resource) int {
		str := func(r *model.Resource, f string) string { s, _ := r.Doc[f].(string); return s }
		return cmp.Or(strings.Compare(str(a, "Space"), str(b, "Space")), strings.Compare(str(a, "UserRole"), str(b, "UserRole")))
	})
	if len(mine) == 0 {
		return s
	}
	roles := &expList{}
	for _, g := range mine {
		d := maps.Clone(g.Doc)
		delete(d, "Team")
		role, _ := d["UserRole"].(string)
		gs, _ := x.resource(g, grantDef, "", d, nil, subject(subj, named("role", role)))
		roles.elems = append(roles.elems, gs)
	}
	x.insertBeforeMeta(s, expField{label: "roles", value: roles})
	return s
}

// insertBeforeMeta adds a field before octosync's own settings (fields,
// extra) at the end of a resource.
func (x *exporter) insertBeforeMeta(s *expStruct, f expField) {
	i := len(s.fields)
	for i > 0 && (s.fields[i-1].label == "fields" || s.fields[i-1].label == "extra") {
		i--
	}
	s.fields = slices.Insert(s.fields, i, f)
}

// ---- resources ----

// serverDefaults are the values Octopus gives fields the schema leaves
// unset (fields it does not know, or optional ones), by kind and path
// pattern: writing them would only repeat the server's defaults, and
// left out they are not managed. nil matches any value.
var serverDefaults = map[string]map[string]any{
	"channels": {"Type": "Lifecycle"},
	"feeds":    {"PackageAcquisitionLocationOptions": nil, "DownloadAttempts": json.Number("5"), "DownloadRetryBackoffSeconds": json.Number("10")},
	"machinePolicies": {"MachinePackageCacheRetentionPolicy": map[string]any{
		"Strategy": "Default", "QuantityOfPackagesToKeep": json.Number("0"), "QuantityOfVersionsToKeep": json.Number("0"),
	}},
	"deploymentProcess": {"Steps[].Actions[].Condition": "Success"},
	"runbookProcess":    {"Steps[].Actions[].Condition": "Success"},
	"projects":          {"VersioningStrategy": map[string]any{"Template": "#{Octopus.Version.LastMajor}.#{Octopus.Version.LastMinor}.#{Octopus.Version.NextPatch}"}},
	"lifecycles":        {"ReleaseRetentionPolicy": defaultRetention, "TentacleRetentionPolicy": defaultRetention},
	"subscriptions": {
		"EventNotificationSubscription.SlackDigestFormat":    "Summary",
		"EventNotificationSubscription.SlackFrequencyPeriod": "01:00:00",
	},
}

// defaultRetention is a lifecycle's retention policy as the server has it
// when none is given: the space's default.
var defaultRetention = map[string]any{"Strategy": "Default", "Unit": "Days", "QuantityToKeep": json.Number("0"), "ShouldKeepForever": true}

// resource writes one document fitted to a definition of the schema, and
// marks the resource written. It returns the struct to write and the
// fields it holds.
func (x *exporter) resource(r *model.Resource, def, name string, d, init map[string]any, subj string) (*expStruct, map[string]any) {
	if r != nil {
		x.written[r] = true
	}
	kind := ""
	if r != nil {
		kind = r.Key.Kind
	}
	dv := x.c.def(def, "")
	w, v := x.fit(def, dv, d, init, serverDefaults[kind], subj)
	if name != "" && w["Name"] == name {
		delete(w, "Name") // the key names it
	}
	s, _ := x.c.order(dv, v, w).(*expStruct)
	if s == nil {
		s = &expStruct{}
	}
	x.seed(s, x.seedSecrets(d, "", subj))
	return s, w
}

// fit fits a document to a definition (see expCUE.fit) and records what
// could not be written: fields the schema does not know where there is no
// extra to hold them, and values the schema does not allow.
func (x *exporter) fit(defName string, def cue.Value, d, init, defaults map[string]any, subj string) (map[string]any, cue.Value) {
	w, v, dropped, invalid := x.c.fit(def, d, init, defaults, dependents(defName))
	for _, p := range dropped {
		x.out.Unmanaged = append(x.out.Unmanaged, subject(subj, p))
	}
	for _, p := range invalid {
		x.leftOut(subj, "%s: Octopus has a value the schema does not allow; it is left out (unmanaged)", strings.TrimPrefix(p, "/"))
	}
	for _, p := range x.c.conflicts(v, d, "") {
		x.leftOut(subj, "the schema sets %s, which Octopus leaves empty; the first plan will set it", strings.TrimPrefix(p, "/"))
	}
	return w, v
}

// seedSecrets records the secret references of a document, describing
// each in Octopus terms, and returns their JSON pointers (base prefixes
// them, for a document the loader builds from another shape).
func (x *exporter) seedSecrets(d map[string]any, base, subj string) []string {
	var ptrs []string
	for _, p := range x.secretRefs(d, "") {
		sub, field := describe(model.Doc(d), p.ptr)
		x.secretEnv(p.ref, subject(subj, sub, field))
		ptrs = append(ptrs, base+p.ptr)
	}
	return ptrs
}

func (x *exporter) env(e EnvVar) {
	if !x.envSeen[e.Name] {
		x.envSeen[e.Name] = true
		x.out.Env = append(x.out.Env, e)
	}
}

// seedComment explains the fields setting of exported secrets.
var seedComment = []string{
	"Octopus never returns secrets: these are seeded, so octosync keeps the",
	"values Octopus has. Remove a line to have octosync set the secret from",
	"its reference (see " + SecretsFile + ").",
}

// seed marks secrets seed, in the fields setting at the end of s.
func (x *exporter) seed(s *expStruct, ptrs []string) {
	if len(ptrs) == 0 {
		return
	}
	f := &expStruct{}
	for _, p := range ptrs {
		f.add(p, "seed")
	}
	if existing, ok := s.get("fields").(*expStruct); ok {
		existing.fields = append(existing.fields, f.fields...)
		return
	}
	s.fields = append(s.fields, expField{label: "fields", value: f, comment: seedComment})
}

// unwritten reports the resources no part of the export wrote.
func (x *exporter) unwritten() {
	report := func(space string, rs []*model.Resource) {
		for _, r := range rs {
			if !x.written[r] {
				x.leftOut(x.subj(space, resourceLabel(r.Key)), "not written: octosync export does not know where it goes")
			}
		}
	}
	report("", x.in.Resources)
	for _, sp := range x.in.Spaces {
		report(sp.Name, sp.Resources)
	}
}

// resourceLabel names a resource in Octopus terms.
func resourceLabel(k model.Key) string {
	kind := octopus.KindByName(k.Kind)
	label := k.Kind
	if kind != nil {
		label = kind.Label
	}
	switch {
	case k.Owner != "" && k.Name != "":
		return fmt.Sprintf("%s %q of %q", label, k.Name, k.Owner)
	case k.Owner != "":
		return fmt.Sprintf("%s of %q", label, k.Owner)
	}
	return named(label, k.Name)
}

// ---- secrets.env.example ----

func (x *exporter) secretsFile() []byte {
	var b strings.Builder
	fmt.Fprintf(&b, "# The environment variables the configuration of instance %q references.\n", x.in.Name)
	b.WriteString("# Octopus never returns secrets, so their values are not here: the exported\n")
	b.WriteString("# configuration marks each one seed, and octosync keeps the value Octopus has\n")
	b.WriteString("# until you remove its line from the resource's fields. Set them before an\n")
	b.WriteString("# apply that changes a resource holding one.\n")
	for _, e := range x.out.Env {
		fmt.Fprintf(&b, "\n# %s\n%s=\n", e.For, e.Name)
	}
	return []byte(b.String())
}

// ---- file names ----

// fileName makes a file name of a space's name: lower case letters and
// digits, other characters as dashes.
func fileName(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			b.WriteRune(r)
			dash = false
		} else if !dash && b.Len() > 0 {
			b.WriteByte('-')
			dash = true
		}
	}
	s := strings.TrimSuffix(b.String(), "-")
	if s == "" {
		s = "space"
	}
	return s
}

// ---- checking the export ----

// check loads the written configuration and compares what it declares
// with the model: every resource must read back as a desired document
// that changes nothing in the exported one.
func (x *exporter) check() {
	d, diags := Load(x.out.FS(), Options{})
	for _, dg := range diags {
		if dg.Severity == model.Error {
			x.out.LeftOut = append(x.out.LeftOut, "the exported configuration does not validate: "+dg.String())
		}
	}
	if diags.HasErrors() || d == nil || len(d.Instances) != 1 {
		return
	}
	got := d.Instances[0]
	compare := func(space string, want, have []*model.Resource) {
		loaded := map[model.Key]*model.Resource{}
		for _, r := range have {
			k := r.Key
			k.Instance, k.Space = "", ""
			loaded[k] = r
		}
		for _, r := range want {
			if !x.written[r] {
				continue
			}
			k := r.Key
			k.Instance, k.Space = "", ""
			l := loaded[k]
			if l == nil {
				if !x.elided[r] {
					x.leftOut(x.subj(space, resourceLabel(r.Key)), "does not read back from the exported configuration")
				}
				continue
			}
			if !docCovers(r.Key.Kind, l.Doc, r.Doc) {
				x.leftOut(x.subj(space, resourceLabel(r.Key)), "reads back differently from the exported configuration; the first plan will show changes")
			}
		}
	}
	compare("", x.in.Resources, got.Resources)
	for _, sp := range x.in.Spaces {
		if gs := got.Space(sp.Name); gs != nil {
			compare(sp.Name, sp.Resources, gs.Resources)
		}
	}
}

// docCovers reports whether the loaded document changes nothing in the
// exported one: variables pair by name and scope, anything else by field
// and position.
func docCovers(kind string, loaded, exported model.Doc) bool {
	if kind != "projectVariables" && kind != "libraryVariables" {
		return expCovers(map[string]any(loaded), map[string]any(exported))
	}
	key := func(v any) string {
		m, _ := v.(map[string]any)
		scope, _ := m["Scope"].(map[string]any)
		return fmt.Sprint(m["Name"]) + "\x00" + expCanonical(canonicalScope(scope))
	}
	have := map[string][]any{}
	for _, v := range asList(exported["Variables"]) {
		have[key(v)] = append(have[key(v)], v)
	}
	for _, v := range asList(loaded["Variables"]) {
		list := have[key(v)]
		i := slices.IndexFunc(list, func(e any) bool { return expCovers(v, e) })
		if i < 0 {
			return false
		}
		have[key(v)] = slices.Delete(list, i, i+1)
	}
	return true
}

func asList(v any) []any { l, _ := v.([]any); return l }

// canonicalScope sorts a variable scope's lists and drops empty ones.
func canonicalScope(scope map[string]any) map[string]any {
	out := map[string]any{}
	for k, v := range scope {
		l := asList(v)
		if len(l) == 0 {
			continue
		}
		out[k] = expScalarSetAny(l)
	}
	return out
}

func expScalarSetAny(l []any) []any {
	s := expScalarSet(l)
	out := make([]any, len(s))
	for i, e := range s {
		out[i] = e
	}
	return out
}

// ---- evaluation helpers used by the kinds ----

// decodeAs evaluates def unified with w and decodes it as the loader does.
func (x *exporter) decodeAs(def cue.Value, w map[string]any, sh *shape) (map[string]any, cue.Value, bool) {
	v := x.c.unify(def, w)
	if v.Validate(cue.Concrete(true)) != nil {
		return nil, v, false
	}
	l, _, ok := x.c.dec.value(v, "", sh)
	m, _ := l.(map[string]any)
	return m, v, ok && m != nil
}
