package main

import (
	"encoding/json"
	"io"
	"os/exec"
	"strings"
	"testing"
)

// TestLayout keeps the package structure honest: each outside dependency
// stays in the one package that owns it, the pure packages touch no
// network, and nothing but the command and test support
// (reconcile/reconciletest) uses the emulator.
func TestLayout(t *testing.T) {
	out, err := exec.Command("go", "list", "-deps=false", "-json", "octosync.dev/octosync/...").Output()
	if err != nil {
		t.Skipf("go list: %v", err)
	}
	type pkg struct {
		ImportPath string
		Imports    []string
	}
	dec := json.NewDecoder(strings.NewReader(string(out)))
	imports := map[string][]string{}
	for {
		var p pkg
		if err := dec.Decode(&p); err == io.EOF {
			break
		} else if err != nil {
			t.Fatal(err)
		}
		imports[strings.TrimPrefix(p.ImportPath, "octosync.dev/octosync/")] = p.Imports
	}
	if len(imports["schema"]) == 0 || len(imports["reconcile"]) == 0 {
		t.Fatalf("go list found no imports for schema or reconcile: %v", imports)
	}
	owner := map[string]string{
		"cuelang.org/go":                         "schema",
		"github.com/go-git/go-git":               "gitsrc",
		"github.com/google/go-github":            "ghnotify",
		"octosync.dev/octosync/octopus/emulator": "cmd/octosync",
	}
	pure := map[string][]string{
		"model":  {"net/http", "os", "octosync.dev/octosync/"},
		"render": {"net/http", "os", "octosync.dev/octosync/octopus"},
		"drift":  {"net/http", "os", "octosync.dev/octosync/octopus"},
	}
	for p, imps := range imports {
		for _, imp := range imps {
			for prefix, o := range owner {
				if strings.HasPrefix(imp, prefix) && p != o && !strings.HasPrefix(p, o+"/") && !strings.HasPrefix(p, "octopus/emulator") && p != "reconcile/reconciletest" {
					t.Errorf("%s imports %s, which only %s may use", p, imp, o)
				}
			}
			for _, banned := range pure[p] {
				if imp == banned || strings.HasSuffix(banned, "/") && strings.HasPrefix(imp, banned) {
					t.Errorf("%s imports %s: it must stay free of I/O and of other octosync packages it does not render", p, imp)
				}
			}
		}
	}
}
