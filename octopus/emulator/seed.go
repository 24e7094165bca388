package emulator

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
)

// singletonSeeders apply a seed document to a singleton kind; name is the
// file's base name without .json (an authentication provider's key or
// section id). Registered by the settings files.
var singletonSeeders = map[string]func(c *ctx, name string, doc Doc) error{}

// seed creates the documents of a seed directory in a fresh instance. The
// layout (documented in doc.go):
//
//	<kind>/*.json                        instance-level documents
//	spaces/<space name>/<kind>/*.json    documents in that space
//	instances/<name>/...                 the same layout for an extra instance
//
// A kind directory is named by the registry kind name or its path,
// case-insensitively. A file holds one document or an array of them.
func (in *instance) seed(fsys fs.FS) error {
	root := "."
	if in.name != "" {
		root = path.Join("instances", in.name)
		if _, err := fs.Stat(fsys, root); err != nil {
			return nil
		}
	}
	c := in.seedCtx()
	dirs, err := fs.ReadDir(fsys, root)
	if err != nil {
		return err
	}
	byKind := map[string]string{}
	for _, d := range dirs {
		if !d.IsDir() || (in.name == "" && d.Name() == "instances") {
			continue
		}
		k := in.kindForDir(d.Name())
		switch {
		case k == nil:
			return fmt.Errorf("%s: no kind is named %q", path.Join(root, d.Name()), d.Name())
		case !k.Scope.Has(scopeInstance) && k.Name != "spaces":
			return fmt.Errorf("%s: %s live in a space; put them under spaces/<space name>/%s", path.Join(root, d.Name()), k.Name, d.Name())
		}
		byKind[k.Name] = path.Join(root, d.Name())
	}
	for _, k := range in.orderedKinds() {
		dir, ok := byKind[k.Name]
		if !ok {
			continue
		}
		if err := in.seedKind(c, fsys, k, "", dir); err != nil {
			return err
		}
		if k.Name == "spaces" {
			if err := in.seedSpaces(c, fsys, dir); err != nil {
				return err
			}
		}
	}
	return nil
}

// kindForDir finds the kind a seed directory names.
func (in *instance) kindForDir(name string) *kindDef {
	for _, k := range in.kinds {
		if strings.EqualFold(k.Name, name) || strings.EqualFold(k.Path, name) {
			return k
		}
	}
	return nil
}

// seedSpaces creates the contents of each spaces/<name> directory,
// creating the space when no spaces/*.json file declared it.
func (in *instance) seedSpaces(c *ctx, fsys fs.FS, dir string) error {
	entries, err := fs.ReadDir(fsys, dir)
	if err != nil {
		return err
	}
	for _, e := range entries {
		if !e.IsDir() {
			continue
		}
		var space Doc
		for _, sp := range c.list("spaces", "") {
			if strings.EqualFold(asString(sp["Name"]), e.Name()) {
				space = sp
			}
		}
		if space == nil {
			space, err = c.create("spaces", "", Doc{"Name": e.Name(), "SpaceManagersTeams": []any{teamAdministrators}})
			if err != nil {
				return fmt.Errorf("%s: creating the space: %w", path.Join(dir, e.Name()), err)
			}
		}
		sub := path.Join(dir, e.Name())
		kinds, err := fs.ReadDir(fsys, sub)
		if err != nil {
			return err
		}
		byKind := map[string]string{}
		for _, kd := range kinds {
			if !kd.IsDir() {
				continue
			}
			k := in.kindForDir(kd.Name())
			if k == nil || !k.Scope.Has(scopeSpace) {
				return fmt.Errorf("%s: no space-level kind is named %q", path.Join(sub, kd.Name()), kd.Name())
			}
			byKind[k.Name] = path.Join(sub, kd.Name())
		}
		for _, k := range in.orderedKinds() {
			if d, ok := byKind[k.Name]; ok {
				if err := in.seedKind(c, fsys, k, asString(space["Id"]), d); err != nil {
					return err
				}
			}
		}
	}
	return nil
}

// seedKind creates the documents of one kind directory.
func (in *instance) seedKind(c *ctx, fsys fs.FS, k *kindDef, space, dir string) error {
	files, err := fs.Glob(fsys, path.Join(dir, "*.json"))
	if err != nil {
		return err
	}
	slices.Sort(files)
	for _, f := range files {
		b, err := fs.ReadFile(fsys, f)
		if err != nil {
			return err
		}
		docs, err := seedDocs(b)
		if err != nil {
			return fmt.Errorf("%s: %w", f, err)
		}
		for i, d := range docs {
			if seeder := singletonSeeders[k.Name]; seeder != nil {
				err = seeder(c, strings.TrimSuffix(path.Base(f), ".json"), d)
			} else {
				_, err = c.create(k.Name, space, d)
			}
			if err != nil {
				return fmt.Errorf("%s: document %d: %w", f, i+1, err)
			}
		}
	}
	return nil
}

// seedDocs decodes a seed file: one object or an array of objects.
func seedDocs(b []byte) ([]Doc, error) {
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, fmt.Errorf("not valid JSON: %w", err)
	}
	switch v := v.(type) {
	case map[string]any:
		return []Doc{v}, nil
	case []any:
		out := make([]Doc, 0, len(v))
		for i, e := range v {
			m, ok := e.(map[string]any)
			if !ok {
				return nil, fmt.Errorf("element %d is not a JSON object", i+1)
			}
			out = append(out, m)
		}
		return out, nil
	}
	return nil, fmt.Errorf("a seed file holds a JSON object or an array of objects")
}
