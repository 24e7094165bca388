package schema

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"unicode"

	"cuelang.org/go/cue"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/octopus"
)

// schemaValue loads a minimal configuration and returns the schema package
// as the loader built it.
func schemaValue(t *testing.T) cue.Value {
	t.Helper()
	l := &loader{desired: &model.Desired{}}
	l.run(fstest.MapFS{"main.cue": {Data: []byte("package p\n\ninstances: {}\n")}})
	if !l.schema.Exists() {
		t.Fatalf("the schema did not build: %v", l.diags)
	}
	return l.schema
}

// enum returns the values of a definition that is a disjunction of
// strings.
func enum(t *testing.T, v cue.Value) []string {
	t.Helper()
	op, args := v.Expr()
	if op != cue.OrOp {
		t.Fatalf("%v is not a disjunction", v)
	}
	var out []string
	for _, a := range args {
		s, err := a.String()
		if err != nil {
			t.Fatal(err)
		}
		out = append(out, s)
	}
	slices.Sort(out)
	return out
}

// TestSpaceKinds keeps the schema and the registry in step: a space
// declares every space-level kind of the registry under its name, and
// nothing else but octosync's settings and the space's own API fields.
func TestSpaceKinds(t *testing.T) {
	s := schemaValue(t)
	space := s.LookupPath(cue.MakePath(cue.Def("#Space")))
	want := map[string]bool{"prune": true, "acknowledge": true, "ownership": true, "fields": true, "ignore": true, "extra": true}
	for _, k := range spaceKinds() {
		want[k.Name] = true
		if kindNodes[k.Name] == nil {
			t.Errorf("kind %s has no node in kindNodes", k.Name)
		}
		if !space.Allows(cue.Str(k.Name)) {
			t.Errorf("#Space has no field %s", k.Name)
		}
	}
	for _, f := range fieldsOf(space) {
		if unicode.IsLower(rune(f[0])) && !want[f] {
			t.Errorf("#Space has %s, which is neither a registry kind nor an octosync setting", f)
		}
	}
}

func TestPruneKinds(t *testing.T) {
	s := schemaValue(t)
	var want []string
	for _, k := range octopus.Kinds() {
		if k.Scope.Has(octopus.ScopeSpace) && k.Delete {
			want = append(want, k.Name)
		}
	}
	slices.Sort(want)
	if got := enum(t, s.LookupPath(cue.MakePath(cue.Def("#PruneKind")))); !slices.Equal(got, want) {
		t.Errorf("#PruneKind %v, want the deletable space-level kinds %v", got, want)
	}
}

func TestKindNames(t *testing.T) {
	s := schemaValue(t)
	var want []string
	for _, k := range octopus.Kinds() {
		if k.Managed {
			want = append(want, k.Name)
		}
	}
	slices.Sort(want)
	if got := enum(t, s.LookupPath(cue.MakePath(cue.Def("#KindName")))); !slices.Equal(got, want) {
		t.Errorf("#KindName %v, want the managed kinds %v", got, want)
	}
}

// TestHelperShapes keeps the decoder's lists of API fields in step with the
// schema: what a step or a step template written in the API's shape may
// hold is what the document keeps of one written with a helper.
func TestHelperShapes(t *testing.T) {
	s := schemaValue(t)
	for _, tc := range []struct {
		def  string
		keep map[string]bool
		skip []string
	}{
		{"#Step", stepShape.keep, []string{"extra"}},
		{"#StepTemplate", stepTemplateKeep.keep, append([]string{"extra"}, meta...)},
	} {
		var got []string
		for _, f := range fieldsOf(s.LookupPath(cue.MakePath(cue.Def(tc.def)))) {
			if !slices.Contains(tc.skip, f) {
				got = append(got, f)
			}
		}
		slices.Sort(got)
		var want []string
		for f := range tc.keep {
			want = append(want, f)
		}
		slices.Sort(want)
		if !slices.Equal(got, want) {
			t.Errorf("%s has %v; the decoder keeps %v", tc.def, got, want)
		}
	}
}

func TestVendor(t *testing.T) {
	dir := t.TempDir()
	written, err := Vendor(dir)
	if err != nil {
		t.Fatal(err)
	}
	if !slices.Contains(written, "cue.mod/module.cue") || !slices.Contains(written, pkgDir+"/projects.cue") {
		t.Errorf("written: %v", written)
	}
	for name, data := range Files() {
		got, err := os.ReadFile(filepath.Join(dir, filepath.FromSlash(pkgDir), name))
		if err != nil || string(got) != string(data) {
			t.Errorf("%s: %v, or not the embedded file", name, err)
		}
	}
	// A module file the configuration has is kept; a file the schema no
	// longer has is removed.
	mod := filepath.Join(dir, "cue.mod", "module.cue")
	if err := os.WriteFile(mod, []byte(`module: "acme.example/x@v0"`+"\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	stale := filepath.Join(dir, filepath.FromSlash(pkgDir), "old.cue")
	if err := os.WriteFile(stale, []byte("package octopus\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	written, err = Vendor(dir)
	if err != nil {
		t.Fatal(err)
	}
	if slices.Contains(written, "cue.mod/module.cue") || !slices.Contains(written, pkgDir+"/old.cue (removed)") {
		t.Errorf("written: %v", written)
	}
	if b, _ := os.ReadFile(mod); !strings.Contains(string(b), "acme.example") {
		t.Errorf("the configuration's module file was replaced: %s", b)
	}
	if _, err := os.Stat(stale); !os.IsNotExist(err) {
		t.Errorf("the stale file is still there: %v", err)
	}
}

// TestNoPanic feeds the loader configurations that are wrong in ways that
// reach its less travelled paths; each must end in diagnostics.
func TestNoPanic(t *testing.T) {
	for name, src := range map[string]string{
		"instances not a struct": "package p\ninstances: 5\n",
		"instance not a struct":  "package p\ninstances: hub: 5\n",
		"spaces not a struct":    "package p\ninstances: hub: {url: \"x\", apiKey: {env: \"K\"}, spaces: [1]}\n",
		"kind not a map":         "package p\ninstances: hub: {url: \"x\", apiKey: {env: \"K\"}, spaces: s: {SpaceManagersTeams: [\"a\"], projects: 3}}\n",
		"steps not a list":       "package p\ninstances: hub: {url: \"x\", apiKey: {env: \"K\"}, spaces: s: {SpaceManagersTeams: [\"a\"], projects: p: {ProjectGroup: \"g\", Lifecycle: \"l\", process: Steps: 1}}}\n",
		"variables not lists":    "package p\ninstances: hub: {url: \"x\", apiKey: {env: \"K\"}, spaces: s: {SpaceManagersTeams: [\"a\"], projects: p: {ProjectGroup: \"g\", Lifecycle: \"l\", variables: X: \"y\"}}}\n",
		"other package":          "package p\nimport \"strings\"\nx: strings.Nope(1)\ninstances: {}\n",
		"two packages":           "package p\ninstances: {}\n",
	} {
		t.Run(name, func(t *testing.T) {
			fsys := fstest.MapFS{"main.cue": {Data: []byte(src)}}
			if name == "two packages" {
				fsys["other.cue"] = &fstest.MapFile{Data: []byte("package q\n")}
			}
			_, ds := Load(fsys, Options{})
			if !ds.HasErrors() {
				t.Errorf("no error")
			}
			for _, d := range ds {
				if strings.Contains(d.Message, "internal error") || strings.Contains(d.Pos.File, root) {
					t.Errorf("%s", d)
				}
			}
		})
	}
}
