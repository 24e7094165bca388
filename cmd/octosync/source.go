package main

import (
	"context"
	"flag"
	"fmt"
	"os"
	"path/filepath"
	"slices"

	"octosync.dev/octosync/gitsrc"
	"octosync.dev/octosync/model"
	"octosync.dev/octosync/reconcile"
	"octosync.dev/octosync/schema"
)

// sourceFlags say where the configuration is read from: a directory (the
// positional argument), or a ref of a git repository.
type sourceFlags struct {
	repo, ref, path string
}

func (sf *sourceFlags) register(fs *flag.FlagSet) {
	fs.StringVar(&sf.repo, "repo", "", "read the configuration from this git `repository` (URL or path) instead of a directory")
	fs.StringVar(&sf.ref, "ref", "", "the branch, tag or commit to read with --repo (default: the remote's HEAD)")
	fs.StringVar(&sf.path, "path", "", "the `directory` inside the repository that holds the configuration, with --repo")
}

// config is a loaded configuration and where it came from.
type config struct {
	desired *model.Desired
	diags   model.Diagnostics
	snap    *gitsrc.Snapshot
	// dir is the local directory file secrets are relative to.
	dir string
}

// load reads and checks the configuration. A configuration with errors is
// returned with its diagnostics and a nil desired state.
func (sf *sourceFlags) load(ctx context.Context, s *streams, args []string) (*config, error) {
	snap, dir, err := sf.open(ctx, s, args)
	if err != nil {
		return nil, err
	}
	desired, diags := schema.Load(snap.FS, schema.Options{Getenv: s.getenv, Dir: dir})
	if diags.HasErrors() {
		desired = nil
	}
	return &config{desired: desired, diags: diags, snap: snap, dir: dir}, nil
}

// loadSelected loads the configuration for a verb and narrows it to the
// selected instances and space. When it fails it has printed why (every
// configuration problem, or one error line) and returns false.
func (sf *sourceFlags) loadSelected(ctx context.Context, s *streams, verb string, sel selection, args []string) (*config, []*model.Instance, bool) {
	cfg, err := sf.load(ctx, s, args)
	if err != nil {
		s.errf("%s: %v", verb, err)
		return nil, nil, false
	}
	if cfg.desired == nil {
		printDiagnostics(s, cfg.diags)
		return nil, nil, false
	}
	printWarnings(s, cfg.diags)
	instances, err := sel.apply(cfg.desired)
	if err != nil {
		s.errf("%s: %v", verb, err)
		return nil, nil, false
	}
	return cfg, instances, true
}

// open returns the configuration's files.
func (sf *sourceFlags) open(ctx context.Context, s *streams, args []string) (*gitsrc.Snapshot, string, error) {
	if len(args) > 1 {
		return nil, "", fmt.Errorf("expected one configuration directory, got %d arguments", len(args))
	}
	if sf.repo != "" {
		if len(args) == 1 {
			return nil, "", fmt.Errorf("give either a directory or --repo, not both")
		}
		snap, err := gitsrc.At(ctx, sf.repo, sf.ref, gitsrc.Options{Path: sf.path, Credentials: gitsrc.CredentialsFromEnv(s.getenv)})
		if err != nil {
			return nil, "", err
		}
		wd, _ := os.Getwd()
		return snap, wd, nil
	}
	if sf.ref != "" || sf.path != "" {
		return nil, "", fmt.Errorf("--ref and --path need --repo")
	}
	dir := "."
	if len(args) == 1 {
		dir = args[0]
	}
	snap, err := gitsrc.Dir(dir)
	if err != nil {
		return nil, "", err
	}
	abs, err := filepath.Abs(dir)
	if err != nil {
		return nil, "", err
	}
	return snap, abs, nil
}

// loadBase reads the configuration at another ref of the same repository
// as cfg, for plan --base: the repository given with --repo, or the work
// tree's own repository.
func (sf *sourceFlags) loadBase(ctx context.Context, s *streams, cfg *config, base string) (*model.Desired, string, error) {
	repo, path := sf.repo, sf.path
	opts := gitsrc.Options{Credentials: gitsrc.CredentialsFromEnv(s.getenv)}
	if repo == "" {
		if cfg.snap.Repo == "" {
			return nil, "", fmt.Errorf("--base needs git: %s is not inside a git work tree (or use --repo)", cfg.dir)
		}
		repo, path = cfg.snap.Repo, cfg.snap.Path
	}
	opts.Path = path
	snap, err := gitsrc.At(ctx, repo, base, opts)
	if err != nil {
		return nil, "", fmt.Errorf("--base: %w", err)
	}
	desired, diags := schema.Load(snap.FS, schema.Options{Getenv: s.getenv, Dir: cfg.dir})
	if diags.HasErrors() {
		// The base may not be valid (that may be what the change fixes):
		// then every instance and space counts as changed.
		return &model.Desired{}, snap.Commit, nil
	}
	return desired, snap.Commit, nil
}

// onlyChanged narrows instances to what changed since the base: the
// changed spaces of each instance, and the instance-level resources only
// when they changed.
func onlyChanged(instances []*model.Instance, ch *reconcile.Changed) []*model.Instance {
	var out []*model.Instance
	for _, in := range instances {
		ci := ch.Instances[in.Name]
		if ci == nil {
			continue
		}
		narrowed := *in
		if !ci.Settings {
			narrowed.Resources, narrowed.Prune = nil, nil
		}
		narrowed.Spaces = nil
		for _, sp := range in.Spaces {
			if slices.Contains(ci.Spaces, sp.Name) {
				narrowed.Spaces = append(narrowed.Spaces, sp)
			}
		}
		out = append(out, &narrowed)
	}
	return out
}
