package main

import (
	"cmp"
	"context"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"time"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/render"
	"octosync.dev/octosync/schema"
)

var validateCmd = &command{
	name:    "validate",
	summary: "check the configuration: CUE errors and octosync's own checks, every one at file:line:col",
	usage:   "[DIR] [--output text|json|github] [--repo URL --ref REF --path DIR]",
	doc: `Validate reads the configuration in DIR (default: the current directory),
checks it against octosync's schema and runs octosync's own checks, and
prints every problem at once, each at file:line:col and in Octopus terms:

  spaces/payments.cue:14:15: space "payments": project "api": lifecycle "Standard" is not defined in this space

The schema's checks: a misspelt field (with the field it probably meant),
a wrong type, a value outside an enum, a missing required field, a secret
written as a literal. octosync's own checks: a name that refers to nothing
declared in its space or instance (built-in names such as "Default
Lifecycle" always exist); names that collide when case is ignored; a
lifecycle naming an environment twice; a tenant connected to an unknown
project or environment, or given values for templates that do not exist;
a variable scoped to an unknown environment, channel, step or runbook; a
step template used without a required parameter; a role granted in a
space that does not exist; a space with no managers.

Warnings do not fail validation: a secret reference whose environment
variable is not set or whose file does not exist (it is needed only when
octosync applies), a variable scoped to a role no step runs on, an expired
acknowledgement.

Validate needs no network and no Octopus server: it is the CI gate for
pull requests.

Flags:
  --output FORMAT   text (default: problems on stderr, a summary on
                    stdout), json (one document with format_version,
                    valid, counts and diagnostics), or github (workflow
                    annotations, ::error file=…,line=…,col=…::…, with file
                    paths relative to the directory validate runs in)
  --repo URL        read the configuration from a git repository instead
  --ref REF         the branch, tag or commit to read with --repo
  --path DIR        the directory inside the repository, with --repo

Examples:
  octosync validate
  octosync validate ./octopus --output json
  octosync validate config --output github     # in a GitHub Actions step

Exit status: 0 valid (warnings allowed), 1 invalid or unreadable.`,
}

func init() { validateCmd.run = runValidate }

func runValidate(ctx context.Context, s *streams, args []string) int {
	fs := newFlags(validateCmd, s)
	var src sourceFlags
	src.register(fs)
	output := fs.String("output", "text", "")
	pos, err := parseFlags(fs, s, args)
	if err != nil {
		return flagExit(err)
	}
	if !oneOf(s, "validate", "output", *output, "text", "json", "github") {
		return exitError
	}
	if len(pos) > 1 {
		return s.errf("validate: expected one configuration directory, got %d arguments", len(pos))
	}
	dir := "."
	if len(pos) == 1 {
		dir = pos[0]
	}
	if src.repo == "" {
		if fi, err := os.Stat(dir); err != nil {
			return s.errf("validate: %v", err)
		} else if !fi.IsDir() {
			return s.errf("validate: %s is not a directory", dir)
		}
	}
	snap, abs, err := src.open(ctx, s, pos)
	if err != nil {
		return s.errf("validate: %v", err)
	}
	if src.repo != "" {
		// Annotations name files as the repository has them.
		dir = cmp.Or(snap.Path, ".")
	}
	stats, ds := schema.Check(snap.FS, schema.Options{Getenv: s.getenv, Dir: abs, Now: time.Now})
	switch *output {
	case "json":
		err = render.DiagnosticsJSON(s.out, ds)
	case "github":
		err = render.DiagnosticsGitHub(s.out, underDir(ds, dir))
	default:
		err = render.DiagnosticsText(s.err, ds)
		if err == nil && !ds.HasErrors() {
			_, err = fmt.Fprintf(s.out, "valid: %s, %s, %s\n",
				countOf(stats.Instances, "instance"), countOf(stats.Spaces, "space"), countOf(stats.Resources, "resource"))
		}
	}
	if err != nil {
		return s.errf("validate: %v", err)
	}
	if ds.HasErrors() {
		return exitError
	}
	return exitOK
}

// underDir makes the diagnostics' paths relative to the working directory
// rather than to the configuration's root, as GitHub annotations need.
func underDir(ds model.Diagnostics, dir string) model.Diagnostics {
	prefix := filepath.ToSlash(filepath.Clean(dir))
	if prefix == "." {
		return ds
	}
	out := make(model.Diagnostics, len(ds))
	for i, d := range ds {
		if d.Pos.File != "" {
			d.Pos.File = strings.TrimSuffix(prefix, "/") + "/" + d.Pos.File
		}
		out[i] = d
	}
	return out
}

// countOf formats a number and a noun, plural when needed.
func countOf(n int, noun string) string {
	if n == 1 {
		return "1 " + noun
	}
	return fmt.Sprintf("%d %ss", n, noun)
}
