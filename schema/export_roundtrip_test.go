package schema_test

import (
	"context"
	"net/http/httptest"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/octopus"
	"octosync.dev/octosync/octopus/emulator"
	"octosync.dev/octosync/reconcile"
	"octosync.dev/octosync/schema"
)

const exportTestKey = "API-EXPORTTEST00000000000000000"

// estateDir holds a configuration with every kind and awkward data.
const estateDir = "testdata/export/estate"

// startEmulator starts an emulator and returns a client for it and its
// URL.
func startEmulator(t testing.TB) (*octopus.Client, string) {
	t.Helper()
	srv, err := emulator.New(emulator.Options{APIKey: exportTestKey})
	if err != nil {
		t.Fatal(err)
	}
	hs := httptest.NewServer(srv)
	t.Cleanup(func() { hs.Close(); srv.Close() })
	c, err := octopus.New(octopus.Options{Instance: "hub", URL: hs.URL, APIKey: exportTestKey, Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	return c, hs.URL
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

// planOf reads the instance and plans in against it.
func planOf(t testing.TB, c *octopus.Client, in *model.Instance, secrets *reconcile.Secrets) *reconcile.InstancePlan {
	t.Helper()
	var names []string
	for _, s := range in.Spaces {
		names = append(names, s.Name)
	}
	li, err := reconcile.Fetch(context.Background(), c, in.Name, reconcile.FetchOptions{Spaces: names, Settings: reconcile.SettingsOf(in)})
	if err != nil {
		t.Fatal(err)
	}
	ip := reconcile.Build(in, li, reconcile.PlanOptions{Secrets: secrets})
	errs := slices.Clone(ip.Errors)
	for _, s := range ip.Spaces {
		errs = append(errs, s.Errors...)
	}
	if len(errs) > 0 {
		t.Fatalf("plan errors:\n%s", strings.Join(errs, "\n"))
	}
	return ip
}

// planChanges lists a plan's changes, one line per resource and field.
func planChanges(ip *reconcile.InstancePlan) []string {
	var out []string
	add := func(c *reconcile.Change) {
		if c.Action == reconcile.NoOp {
			return
		}
		line := string(c.Action) + " " + c.Label()
		for _, f := range c.Fields {
			line += "\n    " + string(f.Op) + " " + f.Path + " " + f.Note
		}
		out = append(out, line)
	}
	for _, c := range ip.Changes {
		add(c)
	}
	for _, s := range ip.Spaces {
		for _, c := range s.Changes {
			add(c)
		}
	}
	return out
}

// applyEstate applies the estate to the emulator and returns its model.
func applyEstate(t testing.TB, c *octopus.Client, secrets *reconcile.Secrets) *model.Instance {
	t.Helper()
	d, diags := schema.Load(os.DirFS(estateDir), schema.Options{})
	if diags.HasErrors() {
		t.Fatalf("the estate does not load:\n%v", diags)
	}
	in := d.Instances[0]
	ip := planOf(t, c, in, secrets)
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
	if got := planChanges(planOf(t, c, in, secrets)); len(got) > 0 {
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
	if got := planChanges(planOf(t, c, exported, unset)); len(got) > 0 {
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
	if got := planChanges(planOf(t, c, exported, set)); len(got) > 0 {
		t.Errorf("the export does not plan to No changes (secrets set):\n%s", strings.Join(got, "\n"))
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
