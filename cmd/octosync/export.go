package main

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"strings"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/reconcile"
	"octosync.dev/octosync/schema"
)

var exportCmd = &command{
	name:    "export",
	summary: "write a live instance (or some of its spaces) as CUE that plans to no changes",
	usage:   "--instance NAME [DIR] | --url URL [--api-key-env VAR] [--space NAME | --all-spaces] [--out DIR] [--force]",
	doc: `Export reads a live Octopus instance and writes it as an octosync
configuration: one CUE package that imports octosync's schema, with
instance.cue (authentication providers, SMTP, the audit log stream, user
roles and system teams with their role grants) and one file per space under
spaces/ (every kind: environments, lifecycles, projects with their
processes, variables, channels and runbooks, library variable sets, script
modules, step templates, tenants and their variables, accounts, feeds,
teams and their roles, and the rest). It is how an existing estate is
adopted: a plan of the export right after it says "No changes.".

The CUE is written the way a person would: names, never ids; fields equal
to the schema's defaults (or to the server's own) left out; kinds in
dependency order and names sorted; steps written with the schema's helpers
(octopus.#Script, #DeployPackage, #ManualIntervention, #StepTemplateUsage)
where one says exactly the same; long scripts as multi-line strings;
formatted as cue fmt would. Built-in resources in the state a new server
has them (the Default Lifecycle, a project's Default channel) are left out:
configuration may use them without declaring them. Export reads the files
back before it finishes and reports anything that would not plan to "No
changes.".

Secrets: Octopus never returns them. Each one is written as a reference to
an environment variable with a generated name (OCTOPUS_SECRET_<SPACE>_
<KIND>_<NAME>_<FIELD>) and marked seed in the resource's fields setting:
octosync keeps the value Octopus has, so the first plan shows no change and
no apply overwrites it. To have octosync manage a secret, set its variable
and remove its fields entry; the next apply writes it and records its
fingerprint. Export prints the variables (names only, never a value) and
lists them in secrets.env.example.

The instance to read is one of the configuration in DIR (default: the
current directory), whose URL and API key references the export reuses, or
the server at --url, whose key is read from OCTOPUS_API_KEY (or the
variable --api-key-env names) and which the export calls --name.

Flags:
  --instance NAME     export this instance of the configuration in DIR
  --url URL           export the server at URL (instead of --instance)
  --api-key-env VAR   with --url, the variable holding the API key
                      (default OCTOPUS_API_KEY)
  --name NAME         with --url, the instance's name in the export
                      (default "octopus")
  --space NAME        export only this space (and the instance's settings,
                      roles and teams); repeat for several
  --all-spaces        export every space (the default)
  --out DIR           where to write (default ./export); a directory that
                      is not empty is refused unless --force is given, and
                      then only files an earlier export wrote are replaced
  --force             write into a directory that is not empty
  --parallelism N     requests in flight (default 8)
  --repo, --ref, --path   read the configuration from git, as for plan

Bad input: an unreachable server or a wrong key is an error naming the
instance, and nothing is written. A space that does not exist, or a kind
the key may not read (a 403), is reported naming the instance and the
space; everything else is still written, with a list of what was not.

Examples:
  octosync export --instance hub --space payments --out adopted
  octosync export --url https://octopus.acme.example --api-key-env ACME_KEY --name acme
  octosync export --instance hub && octosync validate export && octosync plan export

Exit status: 0 everything was exported, 1 anything could not be read or
written (what could was still written).`,
}

func init() { exportCmd.run = runExport }

// stringsFlag collects a repeated flag.
type stringsFlag []string

func (f *stringsFlag) String() string     { return strings.Join(*f, ",") }
func (f *stringsFlag) Set(v string) error { *f = append(*f, v); return nil }

func runExport(ctx context.Context, s *streams, args []string) int {
	fs := newFlags(exportCmd, s)
	var src sourceFlags
	src.register(fs)
	instance := fs.String("instance", "", "")
	url := fs.String("url", "", "")
	apiKeyEnv := fs.String("api-key-env", "OCTOPUS_API_KEY", "")
	name := fs.String("name", "", "")
	var spaces stringsFlag
	fs.Var(&spaces, "space", "")
	allSpaces := fs.Bool("all-spaces", false, "")
	out := fs.String("out", "export", "")
	force := fs.Bool("force", false, "")
	parallelism := fs.Int("parallelism", 8, "")
	pos, err := parseFlags(fs, s, args)
	if err != nil {
		return flagExit(err)
	}
	switch {
	case (*instance == "") == (*url == ""):
		return s.errf("export: give either --instance NAME (an instance of the configuration) or --url URL (see 'octosync help export')")
	case *allSpaces && len(spaces) > 0:
		return s.errf("export: give --space or --all-spaces, not both")
	case *url != "" && (len(pos) > 0 || src.repo != ""):
		return s.errf("export: --url reads no configuration: drop the directory (or --repo)")
	case *instance != "" && *name != "":
		return s.errf("export: --name goes with --url; with --instance the export keeps the instance's name")
	}
	if err := checkOut(*out, *force); err != nil {
		return s.errf("export: %v", err)
	}

	// The instance to read and how to reach it.
	var urlV, keyV model.Value
	var secrets *reconcile.Secrets
	inst := *instance
	if inst != "" {
		cfg, err := src.load(ctx, s, pos)
		if err != nil {
			return s.errf("export: %v", err)
		}
		if cfg.desired == nil {
			printDiagnostics(s, cfg.diags)
			return exitError
		}
		in, err := selection{instance: inst}.apply(cfg.desired)
		if err != nil {
			return s.errf("export: %v", err)
		}
		urlV, keyV = in[0].URL, in[0].APIKey
		secrets = newSecrets(s, cfg.dir)
	} else {
		inst = cmp.Or(*name, "octopus")
		urlV = model.Value{Literal: *url}
		keyV = model.Value{Ref: model.SecretRef{Env: *apiKeyEnv}}
		wd, _ := os.Getwd()
		secrets = newSecrets(s, wd)
	}
	client, err := connect(inst, urlV, keyV, secrets, *parallelism)
	if err != nil {
		return s.errf("export: instance %q: %v", inst, err)
	}
	opts := reconcile.FetchOptions{Parallelism: *parallelism, Progress: newProgress(s).spaces(inst)}
	if len(spaces) > 0 {
		opts.Spaces = spaces
	}
	li, err := reconcile.Fetch(ctx, client, inst, opts)
	if err != nil {
		return s.errf("export: %v", err)
	}

	// What could not be read.
	var problems []string
	for _, k := range slices.Sorted(maps.Keys(li.Missing)) {
		problems = append(problems, fmt.Sprintf("instance %q: could not read %s: %v", inst, k, li.Missing[k]))
	}
	for _, sp := range spaces {
		if li.Space(sp) == nil {
			problems = append(problems, fmt.Sprintf("instance %q has no space %q (it has: %s)", inst, sp, strings.Join(liveSpaceNames(li), ", ")))
		}
	}
	for _, ls := range li.Spaces {
		if ls.LedgerOnly {
			continue
		}
		for _, k := range slices.Sorted(maps.Keys(ls.Missing)) {
			if li.Missing[k] != nil {
				continue // said once, for the instance
			}
			problems = append(problems, fmt.Sprintf("instance %q: space %q: could not read %s: %v", inst, ls.Name, k, ls.Missing[k]))
		}
	}

	m := reconcile.Export(li, reconcile.ExportOptions{SecretRef: secretNames()})
	ex, err := schema.Export(m, schema.ExportOptions{URL: urlV, APIKey: keyV, Check: true})
	if err != nil {
		return s.errf("export: %v", err)
	}
	problems = append(problems, ex.LeftOut...)
	if err := writeExport(*out, ex); err != nil {
		return s.errf("export: %v", err)
	}
	printExport(s, inst, *out, m, ex, problems)
	if len(problems) > 0 {
		fmt.Fprintf(s.err, "octosync: export: %s could not be exported (listed above); the rest was written to %s\n", countOf(len(problems), "thing"), *out)
		return exitError
	}
	return exitOK
}

func liveSpaceNames(li *reconcile.LiveInstance) []string {
	var names []string
	for _, d := range li.Docs["spaces"] {
		names = append(names, d.Name)
	}
	slices.Sort(names)
	return names
}

// secretNames names the secrets found in Octopus after their place
// (reconcile.SecretEnvName), with a number added when two places make the
// same name.
func secretNames() func(model.Key, string) model.SecretRef {
	used := map[string]string{}
	return func(k model.Key, path string) model.SecretRef {
		base := reconcile.SecretEnvName(k, path)
		id := k.String() + "\x00" + path
		name := base
		for i := 2; used[name] != "" && used[name] != id; i++ {
			name = fmt.Sprintf("%s_%d", base, i)
		}
		used[name] = id
		return model.SecretRef{Env: name}
	}
}

// exportMark is in the first line of every CUE file export writes; --force
// replaces only files that have it.
const exportMark = "exported from Octopus by octosync export"

// checkOut refuses to write into a directory that is not empty, unless
// forced.
func checkOut(dir string, force bool) error {
	entries, err := os.ReadDir(dir)
	switch {
	case errors.Is(err, fs.ErrNotExist):
		return nil
	case err != nil:
		return err
	case len(entries) > 0 && !force:
		return fmt.Errorf("%s is not empty; give --force to write into it (only files an earlier export wrote are replaced)", dir)
	}
	return nil
}

// writeExport writes the exported files under dir. Space files an earlier
// export wrote that this one did not are removed, so a space deleted
// since does not linger.
func writeExport(dir string, ex *schema.Exported) error {
	old, _ := filepath.Glob(filepath.Join(dir, "spaces", "*.cue"))
	for _, p := range old {
		rel, _ := filepath.Rel(dir, p)
		if _, ok := ex.Files[filepath.ToSlash(rel)]; ok {
			continue
		}
		if b, err := os.ReadFile(p); err == nil && bytes.Contains(firstLine(b), []byte(exportMark)) {
			if err := os.Remove(p); err != nil {
				return err
			}
		}
	}
	for _, p := range ex.Paths() {
		path := filepath.Join(dir, filepath.FromSlash(p))
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			return err
		}
		if b, err := os.ReadFile(path); err == nil && strings.HasSuffix(p, ".cue") && p != "cue.mod/module.cue" && !bytes.Contains(firstLine(b), []byte(exportMark)) {
			return fmt.Errorf("%s exists and was not written by octosync export; not replacing it", path)
		}
		if err := os.WriteFile(path, ex.Files[p], 0o644); err != nil {
			return err
		}
	}
	return nil
}

func firstLine(b []byte) []byte {
	if i := bytes.IndexByte(b, '\n'); i >= 0 {
		return b[:i]
	}
	return b
}

// printExport says what was written, the variables to set and what could
// not be exported. It never prints a secret: Octopus returns none.
func printExport(s *streams, inst, dir string, m *model.Instance, ex *schema.Exported, problems []string) {
	resources := len(m.Resources)
	for _, sp := range m.Spaces {
		resources += len(sp.Resources)
	}
	fmt.Fprintf(s.out, "Exported instance %q to %s (%s, %s):\n", inst, dir, countOf(len(m.Spaces), "space"), countOf(resources, "resource"))
	for _, p := range ex.Paths() {
		fmt.Fprintf(s.out, "  %s\n", p)
	}
	if len(ex.Env) > 0 {
		fmt.Fprintf(s.out, "\nEnvironment variables the configuration references (names only; also in %s):\n", filepath.Join(dir, schema.SecretsFile))
		secrets, wide := 0, 0
		for _, e := range ex.Env {
			wide = max(wide, len(e.Name))
			if e.Secret && strings.HasPrefix(e.Name, "OCTOPUS_SECRET_") {
				secrets++
			}
		}
		for _, e := range ex.Env {
			if wide <= 32 {
				fmt.Fprintf(s.out, "  %-*s  %s\n", wide, e.Name, e.For)
			} else {
				fmt.Fprintf(s.out, "  %s\n      %s\n", e.Name, e.For)
			}
		}
		if secrets > 0 {
			fmt.Fprintf(s.out, "\nOctopus never returns secrets: the %s named OCTOPUS_SECRET_* are seeded, so\n"+
				"octosync keeps the values Octopus has. Set a variable and remove its resource's\n"+
				"fields entry to have octosync manage that secret.\n", countOf(secrets, "secret"))
		}
	}
	if n := len(ex.Unmanaged); n > 0 {
		fmt.Fprintf(s.out, "\nLeft as Octopus has them (fields the schema does not know, %d):\n", n)
		for i, u := range ex.Unmanaged {
			if i == 10 {
				fmt.Fprintf(s.out, "  ... and %d more\n", n-10)
				break
			}
			fmt.Fprintf(s.out, "  %s\n", u)
		}
	}
	if len(problems) > 0 {
		fmt.Fprintf(s.out, "\nNot exported (%d):\n", len(problems))
		for _, p := range problems {
			fmt.Fprintf(s.out, "  %s\n", p)
		}
		return
	}
	fmt.Fprintf(s.out, "\nNext: octosync validate %s && octosync plan %s\n", dir, dir)
}
