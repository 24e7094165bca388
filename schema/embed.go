package schema

import (
	"embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path"
	"path/filepath"
	"slices"
	"strings"
)

// moduleFiles is the CUE module of the schema: cue.mod/module.cue and the
// files of package octopus.
//
//go:embed module
var moduleFiles embed.FS

// ImportPath is the import path under which a configuration imports the
// schema: import "octosync.dev/octopus".
const ImportPath = "octosync.dev/octopus"

// pkgDir is where the schema's files live inside a configuration: a local
// package of the configuration's module, which both octosync and plain
// `cue` resolve without a registry.
const pkgDir = "cue.mod/pkg/" + ImportPath

// defaultModule is the module file octosync assumes (and vendor writes)
// for a configuration that has none.
const defaultModule = `module: "octosync.local/config@v0"
language: version: "v0.17.0"
`

// Files returns the schema's CUE files (package octopus) by file name.
func Files() map[string][]byte {
	files := map[string][]byte{}
	entries, err := fs.ReadDir(moduleFiles, "module")
	if err != nil {
		panic(err) // the embedded directory always exists
	}
	for _, e := range entries {
		if e.IsDir() || !strings.HasSuffix(e.Name(), ".cue") {
			continue
		}
		b, err := fs.ReadFile(moduleFiles, "module/"+e.Name())
		if err != nil {
			panic(err)
		}
		files[e.Name()] = b
	}
	return files
}

// Vendor writes the schema into dir/cue.mod/pkg/octosync.dev/octopus, so
// that `cue vet`, `cue export` and editors resolve import
// "octosync.dev/octopus" exactly as octosync does, and writes
// dir/cue.mod/module.cue when dir has none. CUE files in the package
// directory that the schema no longer has are removed. It returns the
// paths written or removed, relative to dir and slash-separated.
func Vendor(dir string) ([]string, error) {
	var done []string
	modFile := filepath.Join(dir, "cue.mod", "module.cue")
	if _, err := os.Stat(modFile); errors.Is(err, fs.ErrNotExist) {
		if err := os.MkdirAll(filepath.Dir(modFile), 0o755); err != nil {
			return done, err
		}
		if err := os.WriteFile(modFile, []byte(defaultModule), 0o644); err != nil {
			return done, err
		}
		done = append(done, "cue.mod/module.cue")
	} else if err != nil {
		return done, err
	}
	target := filepath.Join(dir, filepath.FromSlash(pkgDir))
	if err := os.MkdirAll(target, 0o755); err != nil {
		return done, err
	}
	files := Files()
	old, err := os.ReadDir(target)
	if err != nil {
		return done, err
	}
	for _, e := range old {
		if _, ok := files[e.Name()]; !ok && !e.IsDir() && strings.HasSuffix(e.Name(), ".cue") {
			if err := os.Remove(filepath.Join(target, e.Name())); err != nil {
				return done, err
			}
			done = append(done, path.Join(pkgDir, e.Name())+" (removed)")
		}
	}
	names := make([]string, 0, len(files))
	for name := range files {
		names = append(names, name)
	}
	slices.Sort(names)
	for _, name := range names {
		if err := os.WriteFile(filepath.Join(target, name), files[name], 0o644); err != nil {
			return done, fmt.Errorf("write %s: %w", name, err)
		}
		done = append(done, path.Join(pkgDir, name))
	}
	return done, nil
}
