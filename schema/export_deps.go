package schema

import (
	"slices"
	"strings"
	"sync"

	"cuelang.org/go/cue/ast"
	"cuelang.org/go/cue/parser"
	"cuelang.org/go/cue/token"
)

// The export leaves out fields the schema computes from others (a
// sensitive variable's Type and IsSensitive follow from its Value). To
// know which fields may be computed without evaluating every field of
// every document twice, it reads the schema's source once: a field may
// be computed when its value refers to another field, or when it is set
// to a value or a default inside a comprehension (if Type == ...).

// depSep separates the field names of a dependent path (field names may
// hold dots).
const depSep = "\x1f"

// dependents returns, for a definition of the schema, the paths of the
// fields (names separated by depSep, relative to the definition) whose
// value other fields may decide.
func dependents(def string) []string {
	depsOnce.Do(loadDependents)
	return depsByDef[def]
}

var (
	depsOnce  sync.Once
	depsByDef map[string][]string
)

// depScan is what scanning one definition finds: its own dependent
// paths, and the definitions it embeds or uses at a path.
type depScan struct {
	paths []string
	uses  []depUse
}

type depUse struct {
	prefix, def string
}

func loadDependents() {
	scans := map[string]*depScan{}
	for name, src := range Files() {
		f, err := parser.ParseFile(name, src)
		if err != nil {
			continue
		}
		imports := map[string]bool{}
		for imp := range f.ImportSpecs() {
			p := strings.Trim(imp.Path.Value, `"`)
			imports[p[strings.LastIndexByte(p, '/')+1:]] = true
		}
		for _, d := range f.Decls {
			fd, ok := d.(*ast.Field)
			if !ok {
				continue
			}
			name, _, _ := ast.LabelName(fd.Label)
			if !strings.HasPrefix(name, "#") {
				continue
			}
			s := &depScan{}
			scanDeps(fd.Value, "", false, imports, s)
			scans[name] = s
		}
	}
	depsByDef = map[string][]string{}
	var resolve func(def string, seen map[string]bool) []string
	resolve = func(def string, seen map[string]bool) []string {
		if seen[def] || scans[def] == nil {
			return nil
		}
		seen[def] = true
		defer delete(seen, def)
		out := slices.Clone(scans[def].paths)
		for _, u := range scans[def].uses {
			for _, p := range resolve(u.def, seen) {
				out = append(out, u.prefix+p)
			}
		}
		slices.Sort(out)
		return slices.Compact(out)
	}
	for def := range scans {
		depsByDef[def] = resolve(def, map[string]bool{})
	}
}

// scanDeps scans the value of a definition or of one of its fields.
func scanDeps(e ast.Expr, prefix string, under bool, imports map[string]bool, s *depScan) {
	switch x := e.(type) {
	case *ast.StructLit:
		scanDecls(x.Elts, prefix, under, imports, s)
	case *ast.BinaryExpr:
		if x.Op == token.AND {
			scanDeps(x.X, prefix, under, imports, s)
			scanDeps(x.Y, prefix, under, imports, s)
		}
	case *ast.Ident:
		if strings.HasPrefix(x.Name, "#") {
			s.uses = append(s.uses, depUse{prefix, x.Name})
		}
	case *ast.ParenExpr:
		scanDeps(x.X, prefix, under, imports, s)
	}
}

func scanDecls(decls []ast.Decl, prefix string, under bool, imports map[string]bool, s *depScan) {
	for _, d := range decls {
		switch x := d.(type) {
		case *ast.Field:
			name, _, err := ast.LabelName(x.Label)
			if err != nil || strings.HasPrefix(name, "#") {
				continue
			}
			p := prefix + name
			if hasFieldRef(x.Value, imports) || under && hasValue(x.Value) {
				s.paths = append(s.paths, p)
			}
			scanDeps(x.Value, p+depSep, under, imports, s)
		case *ast.Comprehension:
			if st, ok := x.Value.(*ast.StructLit); ok {
				scanDecls(st.Elts, prefix, true, imports, s)
			}
		case *ast.EmbedDecl:
			scanDeps(x.Expr, prefix, under, imports, s)
		}
	}
}

// predeclared are CUE's own identifiers, which refer to no field.
var predeclared = map[string]bool{
	"string": true, "int": true, "bool": true, "number": true, "float": true, "bytes": true,
	"null": true, "true": true, "false": true, "_": true, "error": true, "len": true, "close": true,
	"and": true, "or": true, "div": true, "mod": true, "quo": true, "rem": true,
}

// hasFieldRef reports whether an expression refers to a field (an
// identifier that is not a definition, a builtin or an import).
func hasFieldRef(e ast.Expr, imports map[string]bool) bool {
	found := false
	ast.Walk(e, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.StructLit, *ast.ListLit:
			return false // a nested value's own fields are scanned apart
		case *ast.SelectorExpr:
			if id, ok := x.X.(*ast.Ident); ok && imports[id.Name] {
				return false
			}
		case *ast.Ident:
			if !strings.HasPrefix(x.Name, "#") && !predeclared[x.Name] && !imports[x.Name] {
				found = true
			}
		}
		return !found
	}, nil)
	return found
}

// hasValue reports whether an expression gives a value or a default
// (rather than only a type).
func hasValue(e ast.Expr) bool {
	found := false
	ast.Walk(e, func(n ast.Node) bool {
		switch x := n.(type) {
		case *ast.BasicLit:
			found = true
		case *ast.UnaryExpr:
			if x.Op == token.MUL {
				found = true
			}
		case *ast.StructLit:
			return false
		}
		return !found
	}, nil)
	return found
}
