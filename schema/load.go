package schema

import (
	"context"
	"errors"
	"fmt"
	"io/fs"
	"path"
	"slices"
	"strings"
	"time"

	"cuelang.org/go/cue"
	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/build"
	"cuelang.org/go/cue/cuecontext"
	cueerrors "cuelang.org/go/cue/errors"
	"cuelang.org/go/cue/load"
	"cuelang.org/go/cue/token"
	"cuelang.org/go/mod/modfile"
	"cuelang.org/go/mod/module"

	"octosync.dev/octosync/model"
)

// Options configure Load and Check.
type Options struct {
	// Getenv looks up an environment variable, to warn about an env secret
	// reference whose variable is unset or empty. Nil skips the check.
	Getenv func(string) string
	// Dir is the local directory a relative file secret reference is read
	// from, to warn about one whose file does not exist. Empty skips the
	// check.
	Dir string
	// Now is the time acknowledgements expire against. Nil skips the
	// check.
	Now func() time.Time
}

// Load reads the configuration whose root is fsys and returns the desired
// model and every problem found, errors and warnings, sorted. Positions
// are relative to the root and slash-separated. When there are errors the
// model holds what could be read; callers should not act on it.
func Load(fsys fs.FS, opts Options) (*model.Desired, model.Diagnostics) {
	l := &loader{opts: opts, keep: true, desired: &model.Desired{}}
	l.run(fsys)
	return l.desired, l.diags.Sort()
}

// Check reads the configuration like Load and returns its problems, but
// keeps no documents: spaces are evaluated, checked and dropped one at a
// time, so its memory does not grow with the number of spaces. Stats count
// what it read.
func Check(fsys fs.FS, opts Options) (Stats, model.Diagnostics) {
	l := &loader{opts: opts, desired: &model.Desired{}}
	l.run(fsys)
	return l.stats, l.diags.Sort()
}

// Stats count what a configuration declares.
type Stats struct {
	Instances, Spaces, Resources int
}

// root is the directory the configuration is mounted at for the CUE
// loader. It never exists on disk: every file comes from the overlay.
const root = "/__octosync__/config"

// viewDir holds the package octosync generates to evaluate the
// configuration one space at a time.
const viewDir = "_octosync_view"

// loader holds the state of one Load or Check.
type loader struct {
	opts    Options
	keep    bool
	desired *model.Desired
	diags   model.Diagnostics

	overlay map[string]load.Source
	// view is the generated view package and schema the schema package,
	// built in the same context.
	view, schema cue.Value
	// multi is set when the configuration declares more than one
	// instance: subjects then name the instance.
	multi bool
	stats Stats
	// files are the syntax of the configuration's files.
	files []*ast.File
	// warned holds the secret references already warned about, by
	// position, so a template fanned out to many spaces warns once.
	warned map[string]bool
}

func (l *loader) run(fsys fs.FS) {
	defer func() {
		// A configuration must never crash octosync: an unexpected
		// failure is reported with everything found so far.
		if r := recover(); r != nil {
			l.diags = append(l.diags, model.Diagnostic{Severity: model.Error,
				Message: fmt.Sprintf("internal error while reading the configuration (please report it): %v", r)})
		}
	}()
	insts, ok := l.loadPackages(fsys)
	if !ok {
		return
	}
	if !l.buildView(insts) {
		return
	}
	names, ok := l.stringList(l.view.LookupPath(cue.MakePath(cue.Def("#instances"))), "instances")
	if !ok {
		return
	}
	if len(names) == 0 {
		l.diags = append(l.diags, model.Diagnostic{Severity: model.Error,
			Message: `no instances are declared: the configuration needs instances: <name>: {url: ..., apiKey: ..., spaces: ...}`})
		return
	}
	l.multi = len(names) > 1
	for _, name := range names {
		l.instance(name)
	}
}

// loadPackages reads every CUE file of fsys into the overlay, with the
// schema laid over cue.mod/pkg, and loads the configuration's packages.
func (l *loader) loadPackages(fsys fs.FS) ([]*build.Instance, bool) {
	l.overlay = map[string]load.Source{}
	var cueFiles int
	var others []string
	hasModule := false
	err := fs.WalkDir(fsys, ".", func(p string, d fs.DirEntry, err error) error {
		if err != nil {
			return err
		}
		if d.IsDir() {
			if p != "." && (strings.HasPrefix(d.Name(), ".") || p == pkgDir || p == viewDir) {
				return fs.SkipDir
			}
			return nil
		}
		switch {
		case p == "cue.mod/module.cue":
			hasModule = true
		case strings.HasSuffix(p, ".cue"):
			if !strings.HasPrefix(p, "cue.mod/") {
				cueFiles++
			}
		default:
			if !strings.HasPrefix(p, "cue.mod/") {
				others = append(others, p)
			}
			return nil
		}
		b, err := fs.ReadFile(fsys, p)
		if err != nil {
			return err
		}
		l.overlay[path.Join(root, p)] = load.FromBytes(b)
		return nil
	})
	if err != nil {
		l.diags = append(l.diags, model.Diagnostic{Severity: model.Error, Message: "cannot read the configuration: " + err.Error()})
		return nil, false
	}
	if cueFiles == 0 {
		msg := "no CUE files: the configuration is a CUE package (*.cue files)"
		if len(others) > 0 {
			slices.Sort(others)
			if len(others) > 5 {
				others = append(others[:5], "...")
			}
			msg += "; found only " + strings.Join(others, ", ")
		}
		l.diags = append(l.diags, model.Diagnostic{Severity: model.Error, Message: msg})
		return nil, false
	}
	if !hasModule {
		l.overlay[path.Join(root, "cue.mod/module.cue")] = load.FromString(defaultModule)
	}
	for name, data := range Files() {
		l.overlay[path.Join(root, pkgDir, name)] = load.FromBytes(data)
	}
	insts := load.Instances([]string{"./..."}, l.config())
	var bad bool
	for _, inst := range insts {
		if inst.Err != nil {
			l.addCUEErrors(inst.Err, nil)
			bad = true
		}
	}
	if bad {
		return nil, false
	}
	configs := configInstances(insts)
	for _, inst := range configs {
		l.files = append(l.files, inst.Files...)
	}
	if len(configs) == 0 {
		l.diags = append(l.diags, model.Diagnostic{Severity: model.Error,
			Message: "the configuration's root directory has no CUE package; put the package that declares instances there"})
		return nil, false
	}
	return configs, true
}

// config returns the CUE loader configuration over the overlay.
func (l *loader) config() *load.Config {
	return &load.Config{
		Dir:        root,
		ModuleRoot: root,
		Overlay:    l.overlay,
		Registry:   offlineRegistry{},
		Env:        []string{},
	}
}

// configInstances picks the instances that make up the configuration: the
// package of the root directory, in the root and in every subdirectory
// holding files of the same package. CUE gives a subdirectory's instance
// the files of its parents too, so only the leaves are kept; unifying
// them gives the whole configuration.
func configInstances(insts []*build.Instance) []*build.Instance {
	pkg := ""
	for _, inst := range insts {
		if inst.Dir == root {
			pkg = inst.PkgName
		}
	}
	if pkg == "" {
		return nil
	}
	var same []*build.Instance
	for _, inst := range insts {
		if inst.PkgName == pkg {
			same = append(same, inst)
		}
	}
	var leaves []*build.Instance
	for _, a := range same {
		leaf := true
		for _, b := range same {
			if b != a && strings.HasPrefix(b.Dir, a.Dir+"/") {
				leaf = false
			}
		}
		if leaf {
			leaves = append(leaves, a)
		}
	}
	return leaves
}

// buildView generates and builds the view package: it imports the
// configuration and the schema and exposes the unified configuration one
// instance or one space at a time, through definitions whose parameters
// are filled in later. Nothing is evaluated until a parameter is filled,
// so evaluating one space costs that space only.
func (l *loader) buildView(configs []*build.Instance) bool {
	var imports, unified []string
	for i, inst := range configs {
		imports = append(imports, fmt.Sprintf("\tc%d %q", i, inst.ImportPath))
		unified = append(unified, fmt.Sprintf("c%d", i))
	}
	user := strings.Join(unified, " & ")
	cfg := "(octopus.#Config & " + user + ")"
	src := fmt.Sprintf(`package octosyncview

import (
	"octosync.dev/octopus"
%s
)

#instances: [for n, _ in %[2]s.instances {n}]
#instance: {#i: string, out: {for k, v in %[2]s.instances[#i] if k != "spaces" {(k): v}}}
#spaces: {#i: string, out: [for n, _ in %[2]s.instances[#i].spaces {n}]}
#space: {#i: string, #s: string, out: %[2]s.instances[#i].spaces[#s]}
others: {for k, v in (%[3]s) if k != "instances" {(k): v}}
`, strings.Join(imports, "\n"), cfg, user)
	l.overlay[path.Join(root, viewDir, "view.cue")] = load.FromString(src)
	insts := load.Instances([]string{"./" + viewDir}, l.config())
	if len(insts) != 1 || insts[0].Err != nil {
		if len(insts) == 1 {
			l.addCUEErrors(insts[0].Err, nil)
		}
		return false
	}
	ctx := cuecontext.New()
	l.view = ctx.BuildInstance(insts[0])
	for _, imp := range insts[0].Imports {
		if imp.ImportPath == ImportPath {
			l.schema = ctx.BuildInstance(imp)
		}
	}
	if err := l.view.Err(); err != nil {
		l.addCUEErrors(err, nil)
		return false
	}
	if err := l.view.LookupPath(cue.ParsePath("others")).Validate(cue.Concrete(true)); err != nil {
		l.addCUEErrors(err, nil)
	}
	return true
}

// param returns the view definition def with its parameters filled in,
// and its out field.
func (l *loader) param(def string, args ...string) cue.Value {
	v := l.view.LookupPath(cue.MakePath(cue.Def(def)))
	names := []string{"#i", "#s"}
	for i, a := range args {
		v = v.FillPath(cue.MakePath(cue.Def(names[i])), a)
	}
	return v.LookupPath(cue.ParsePath("out"))
}

// stringList decodes a list of names, reporting an error about what as a
// diagnostic. A list over a field the configuration leaves out (no
// instances, no spaces) is empty.
func (l *loader) stringList(v cue.Value, what string) ([]string, bool) {
	if err := v.Validate(cue.Concrete(true)); err != nil {
		if absent(err) {
			return nil, true
		}
		l.addCUEErrors(err, nil)
		return nil, false
	}
	var out []string
	if err := v.Decode(&out); err != nil {
		l.diags = append(l.diags, model.Diagnostic{Severity: model.Error, Message: "cannot read the " + what + ": " + err.Error()})
		return nil, false
	}
	return out, true
}

// offlineRegistry refuses every module download: octosync serves the
// schema itself and reads nothing from the network.
type offlineRegistry struct{}

var errOffline = errors.New("octosync does not download CUE modules; vendor dependencies into cue.mod/pkg")

func (offlineRegistry) ModFile(context.Context, module.Version) (*modfile.File, error) {
	return nil, errOffline
}

func (offlineRegistry) Fetch(context.Context, module.Version) (module.SourceLoc, error) {
	return module.SourceLoc{}, errOffline
}

func (offlineRegistry) ModuleVersions(context.Context, string) ([]string, error) {
	return nil, errOffline
}

// fieldPos finds where the configuration's files declare the field at
// path (labels from the package's root), for values the view copies and
// whose positions are the view's: the first declaration in the files'
// syntax, through nested structs and `a: b: c:` shorthands.
func (l *loader) fieldPos(path ...string) model.Pos {
	for _, f := range l.files {
		if p := findField(f.Decls, path); p.IsValid() {
			return l.pos(p)
		}
	}
	return model.Pos{}
}

func findField(decls []ast.Decl, path []string) token.Pos {
	for _, d := range decls {
		f, ok := d.(*ast.Field)
		if !ok {
			continue
		}
		name, _, err := ast.LabelName(f.Label)
		if err != nil || name != path[0] {
			continue
		}
		if len(path) == 1 {
			return f.Label.Pos()
		}
		if s, ok := f.Value.(*ast.StructLit); ok {
			if p := findField(s.Elts, path[1:]); p.IsValid() {
				return p
			}
		}
	}
	return token.NoPos
}

// absent reports whether err only says that an optional field the
// configuration leaves out was referenced.
func absent(err error) bool {
	for _, e := range cueerrors.Errors(err) {
		if f, _ := e.Msg(); !strings.HasPrefix(f, "cannot reference optional field") {
			return false
		}
	}
	return true
}
