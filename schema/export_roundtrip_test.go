package schema_test

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/model/docvalue"
	"octosync.dev/octosync/octopus"
	"octosync.dev/octosync/octopus/emulator"
	"octosync.dev/octosync/reconcile"
	"octosync.dev/octosync/reconcile/reconciletest"
	"octosync.dev/octosync/schema"
)

const exportTestKey = "API-EXPORTTEST00000000000000000"

// estateDir holds a configuration with every kind and awkward data.
const estateDir = "testdata/export/estate"

// startEmulator starts an emulator and returns a client for it and its
// URL.
func startEmulator(t testing.TB) (*octopus.Client, string) {
	t.Helper()
	url := reconciletest.Start(t, emulator.Options{APIKey: exportTestKey})
	return reconciletest.Client(t, "hub", url, octopus.Options{APIKey: exportTestKey, Retries: -1}), url
}

// estateSecrets resolves the estate's references: each ESTATE_ variable
// holds a value of its own.
func estateSecrets(t testing.TB, url string) *reconcile.Secrets {
	dir, err := filepath.Abs(estateDir)
	if err != nil {
		t.Fatal(err)
	}
	return &reconcile.Secrets{BaseDir: dir, Key: []byte("export-test"), Getenv: func(name string) string {
		switch {
		case name == "OCTOPUS_URL":
			return url
		case name == "OCTOPUS_API_KEY":
			return exportTestKey
		case strings.HasPrefix(name, "ESTATE_"):
			return "value of " + name
		}
		return ""
	}}
}

// applyEstate applies the estate to the emulator and returns its model.
func applyEstate(t testing.TB, c *octopus.Client, secrets *reconcile.Secrets) *model.Instance {
	t.Helper()
	d, diags := schema.Load(os.DirFS(estateDir), schema.Options{})
	if diags.HasErrors() {
		t.Fatalf("the estate does not load:\n%v", diags)
	}
	in := d.Instances[0]
	ip := reconciletest.Plan(t, c, in, secrets)
	r := reconcile.Apply(context.Background(), c, ip, ip.Live(), reconcile.ApplyOptions{Secrets: secrets})
	for _, s := range r.Scopes {
		for _, rr := range s.Results {
			if rr.Outcome == reconcile.Failed || rr.Outcome == reconcile.Skipped {
				t.Errorf("applying the estate: %s %s: %s", rr.Outcome, rr.Key, rr.Error)
			}
		}
	}
	if r.Error != "" || t.Failed() {
		t.Fatalf("applying the estate failed: %s", r.Error)
	}
	if got := reconciletest.Changes(reconciletest.Plan(t, c, in, secrets)); len(got) > 0 {
		t.Fatalf("the estate does not plan to No changes after apply:\n%s", strings.Join(got, "\n"))
	}
	return in
}

// exportLive reads the whole instance and exports it.
func exportLive(t testing.TB, c *octopus.Client, opts schema.ExportOptions) *schema.Exported {
	t.Helper()
	li, err := reconcile.Fetch(context.Background(), c, "hub", reconcile.FetchOptions{})
	if err != nil {
		t.Fatal(err)
	}
	for k, err := range li.Missing {
		t.Fatalf("could not read %s: %v", k, err)
	}
	ex, err := schema.Export(reconcile.Export(li, reconcile.ExportOptions{}), opts)
	if err != nil {
		t.Fatal(err)
	}
	if dir := os.Getenv("OCTOSYNC_EXPORT_DUMP"); dir != "" {
		for p, b := range ex.Files {
			_ = os.MkdirAll(filepath.Join(dir, filepath.Dir(p)), 0o755)
			_ = os.WriteFile(filepath.Join(dir, p), b, 0o644)
		}
	}
	return ex
}

// TestExportRoundTrip applies the estate, exports the instance, and checks
// that the export validates and plans to "No changes." — with the
// secrets' variables unset, and set to values Octopus does not have.
func TestExportRoundTrip(t *testing.T) {
	c, url := startEmulator(t)
	secrets := estateSecrets(t, url)
	in := applyEstate(t, c, secrets)

	ex := exportLive(t, c, schema.ExportOptions{URL: in.URL, APIKey: in.APIKey, Check: true})
	if len(ex.LeftOut) > 0 {
		t.Errorf("left out of the export:\n%s", strings.Join(ex.LeftOut, "\n"))
	}
	d, diags := schema.Load(ex.FS(), schema.Options{})
	if diags.HasErrors() {
		for _, p := range ex.Paths() {
			t.Logf("%s:\n%s", p, ex.Files[p])
		}
		t.Fatalf("the export does not load:\n%v", diags)
	}
	exported := d.Instances[0]
	if got, want := spaceNames(exported), []string{"Default", "Payments", "Ünïcode ✓ space"}; !slices.Equal(got, want) {
		t.Errorf("exported spaces %q, want %q", got, want)
	}

	// Every kind octosync manages is in the export, and everything the
	// estate declares reads back from it as declared.
	kinds := map[string]bool{}
	for _, r := range allResources(exported) {
		kinds[r.Key.Kind] = true
	}
	for _, k := range octopus.Kinds() {
		if k.Managed && !kinds[k.Name] {
			t.Errorf("the export has no %s", k.Name)
		}
	}
	declared := map[model.Key]*model.Resource{}
	for _, r := range allResources(exported) {
		declared[r.Key] = r
	}
	for _, r := range allResources(in) {
		got := declared[r.Key]
		if got == nil {
			t.Errorf("%s: declared in the estate, not in the export", r.Key)
			continue
		}
		if diffs := fidelity("", normal(r.Doc), normal(got.Doc)); len(diffs) > 0 {
			t.Errorf("%s: the export does not say what the estate does:\n\t%s", r.Key, strings.Join(diffs, "\n\t"))
		}
	}

	// The secrets' variables unset: octosync cannot tell whether they
	// changed, and the seed marks keep them out of the plan anyway.
	unset := estateSecrets(t, url)
	get := unset.Getenv
	unset.Getenv = func(name string) string {
		if strings.HasPrefix(name, "OCTOPUS_SECRET_") {
			return ""
		}
		return get(name)
	}
	if got := reconciletest.Changes(reconciletest.Plan(t, c, exported, unset)); len(got) > 0 {
		t.Errorf("the export does not plan to No changes (secrets unset):\n%s", strings.Join(got, "\n"))
	}
	// Set to any value: still nothing to do, the secrets are seeded.
	set := estateSecrets(t, url)
	set.Getenv = func(name string) string {
		if strings.HasPrefix(name, "OCTOPUS_SECRET_") {
			return "not the value Octopus has"
		}
		return get(name)
	}
	if got := reconciletest.Changes(reconciletest.Plan(t, c, exported, set)); len(got) > 0 {
		t.Errorf("the export does not plan to No changes (secrets set):\n%s", strings.Join(got, "\n"))
	}
	// Removing a secret's seed mark hands it to octosync: the next plan
	// sets it (here octosync wrote the estate, so it knows the value
	// changed; on an instance it never wrote it has no fingerprint to
	// compare with), and after the apply the plan is empty again.
	var feed *model.Resource
	for _, r := range allResources(exported) {
		if r.Key.Kind == "feeds" && r.Key.Name == "Artifactory" {
			feed = r
		}
	}
	if feed == nil || feed.FieldOwnership["/Password"] != model.Seed {
		t.Fatalf("the feed's password is not seeded: %+v", feed)
	}
	delete(feed.FieldOwnership, "/Password")
	ip := reconciletest.Plan(t, c, exported, set)
	if got := reconciletest.Changes(ip); len(got) != 1 || !strings.HasPrefix(got[0], `update feed "Artifactory"`+"\n    change Password sensitive value will be ") {
		t.Fatalf("plan after unseeding the feed's password:\n%s\nwant the password set, alone", strings.Join(got, "\n"))
	}
	r := reconcile.Apply(context.Background(), c, ip, ip.Live(), reconcile.ApplyOptions{Secrets: set})
	if r.Failed() {
		t.Fatalf("applying the unseeded password failed: %+v", r)
	}
	if got := reconciletest.Changes(reconciletest.Plan(t, c, exported, set)); len(got) > 0 {
		t.Errorf("plan after applying the unseeded password:\n%s", strings.Join(got, "\n"))
	}

	for _, e := range ex.Env {
		if e.Secret && !strings.HasPrefix(e.Name, "OCTOPUS_SECRET_") && e.Name != "OCTOPUS_API_KEY" {
			t.Errorf("secret variable %s: want a generated OCTOPUS_SECRET_ name", e.Name)
		}
	}
}

func spaceNames(in *model.Instance) []string {
	var out []string
	for _, s := range in.Spaces {
		out = append(out, s.Name)
	}
	slices.Sort(out)
	return out
}

func allResources(in *model.Instance) []*model.Resource {
	out := slices.Clone(in.Resources)
	for _, s := range in.Spaces {
		out = append(out, s.Resources...)
	}
	return out
}

// normal returns a document as plain JSON values, every secret reference
// as "secret" (the export names its own variables) and variables sorted
// by name and scope.
func normal(d model.Doc) any {
	b, err := json.Marshal(d)
	if err != nil {
		panic(err)
	}
	var v any
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	if err := dec.Decode(&v); err != nil {
		panic(err)
	}
	var walk func(v any) any
	walk = func(v any) any {
		switch t := v.(type) {
		case map[string]any:
			if _, ok := t["env"]; ok && len(t) == 1 {
				return "secret"
			}
			if _, ok := t["file"]; ok && len(t) == 1 {
				return "secret"
			}
			for k, e := range t {
				t[k] = walk(e)
			}
		case []any:
			for i, e := range t {
				t[i] = walk(e)
			}
		}
		return v
	}
	v = walk(v)
	if vars, ok := v.(map[string]any)["Variables"].([]any); ok {
		slices.SortStableFunc(vars, func(a, b any) int {
			ja, _ := json.Marshal([]any{a.(map[string]any)["Name"], a.(map[string]any)["Scope"]})
			jb, _ := json.Marshal([]any{b.(map[string]any)["Name"], b.(map[string]any)["Scope"]})
			return strings.Compare(string(ja), string(jb))
		})
	}
	return v
}

// fidelity lists the fields of want that got lacks or holds differently;
// empty values count as absent, and lists of strings as sets.
func fidelity(path string, want, got any) []string {
	switch w := want.(type) {
	case map[string]any:
		g, _ := got.(map[string]any)
		var out []string
		for _, k := range slices.Sorted(maps.Keys(w)) {
			out = append(out, fidelity(path+"/"+k, w[k], g[k])...)
		}
		return out
	case []any:
		g, _ := got.([]any)
		if len(w) == 0 && len(g) == 0 {
			return nil
		}
		if len(w) != len(g) {
			return []string{fmt.Sprintf("%s: %d elements, the export has %d", path, len(w), len(g))}
		}
		if _, objects := w[0].(map[string]any); !objects {
			ws, gs := fmt.Sprint(sortedStrings(w)), fmt.Sprint(sortedStrings(g))
			if ws != gs {
				return []string{fmt.Sprintf("%s: %s, the export has %s", path, ws, gs)}
			}
			return nil
		}
		var out []string
		for i := range w {
			out = append(out, fidelity(fmt.Sprintf("%s/%d", path, i), w[i], g[i])...)
		}
		return out
	}
	if docvalue.IsEmpty(want) && docvalue.IsEmpty(got) {
		return nil
	}
	if fmt.Sprint(want) != fmt.Sprint(got) {
		return []string{fmt.Sprintf("%s: %v, the export has %v", path, want, got)}
	}
	return nil
}

func sortedStrings(l []any) []string {
	out := make([]string, len(l))
	for i, e := range l {
		out[i] = fmt.Sprint(e)
	}
	slices.Sort(out)
	return out
}
