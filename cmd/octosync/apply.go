package main

import (
	"bufio"
	"context"
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"

	"octosync.dev/octosync/reconcile"
	"octosync.dev/octosync/render"
)

var applyCmd = &command{
	name:    "apply",
	summary: "carry out a plan: make every instance and space match git",
	usage:   "[DIR | PLANFILE] [--auto-approve] [--allow-deletes N] [--instance NAME] [--space NAME]",
	doc: `Apply makes Octopus match the configuration. Given a directory (or --repo),
it plans first, prints the plan, asks for confirmation, and applies it. Given
a plan saved with 'plan --out FILE', it applies exactly that plan, after
checking that nothing it acts on changed in Octopus since: a stale plan is
refused, and so is a plan that had errors.

Instance settings, roles, teams and spaces are applied first, then each
space's contents in dependency order (spaces in parallel), deletions last,
role grants at the end. Every update sends back the live document with only
git's fields changed, so nothing octosync does not manage is lost. A space
that fails does not stop the others: apply prints a line per space as it
finishes and a summary naming every failure.

Flags:
  --auto-approve      do not ask for confirmation (required when stdin is
                      not a terminal)
  --allow-deletes N   allow up to N deletions (default 0: a plan that
                      deletes anything is refused until you allow it)
  --instance NAME     apply only this instance
  --space NAME        apply only this space
  --parallelism N     requests in flight per instance (default 8)
  --repo, --ref, --path   read the configuration from git, as for plan

Examples:
  octosync apply ./config --auto-approve
  octosync plan --out plan.json && octosync apply plan.json --auto-approve

Exit status: 0 applied (or nothing to do), 1 anything failed or was refused.`,
}

func init() { applyCmd.run = runApply }

func runApply(ctx context.Context, s *streams, args []string) int {
	fs := newFlags(applyCmd, s)
	var src sourceFlags
	src.register(fs)
	var sel selection
	sel.register(fs)
	autoApprove := fs.Bool("auto-approve", false, "")
	allowDeletes := fs.Int("allow-deletes", 0, "")
	parallelism := fs.Int("parallelism", 8, "")
	pos, err := parseFlags(fs, s, args)
	if err != nil {
		return flagExit(err)
	}

	var p *reconcile.Plan
	var secrets *reconcile.Secrets
	saved := len(pos) == 1 && isFile(pos[0])
	if saved {
		if sel.instance != "" || sel.space != "" || src.repo != "" {
			return s.errf("apply: a saved plan is applied whole: --instance, --space and --repo do not apply to it")
		}
		p, err = readPlan(pos[0])
		if err != nil {
			return s.errf("apply: %v", err)
		}
		wd, _ := os.Getwd()
		secrets = newSecrets(s, wd)
	} else {
		cfg, instances, ok := src.loadSelected(ctx, s, "apply", sel, pos)
		if !ok {
			return exitError
		}
		secrets = newSecrets(s, cfg.dir)
		p = buildPlan(ctx, instances, planOptions{parallelism: *parallelism, secrets: secrets, progress: newProgress(s), commit: cfg.snap.Commit, dirty: cfg.snap.Dirty})
		if err := render.PlanText(s.out, p); err != nil {
			return s.errf("apply: %v", err)
		}
	}
	if p.Errored() {
		return s.errf("apply: the plan has errors; fix them and plan again")
	}
	if !p.HasChanges() {
		if saved {
			fmt.Fprintln(s.out, "No changes.")
		}
		return exitOK
	}
	if _, _, d := p.Counts(); d > *allowDeletes {
		return s.errf("apply: the plan deletes %d resource(s), more than --allow-deletes %d allows; review the deletions and rerun with --allow-deletes %d", d, *allowDeletes, d)
	}
	if !*autoApprove {
		if !confirm(s) {
			return s.errf("apply: cancelled")
		}
	}

	var mu sync.Mutex
	lines := func(sr *reconcile.SpaceResult) {
		if len(sr.Results) == 0 {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		render.ScopeLine(s.out, sr)
	}
	results := make([]*reconcile.InstanceResult, len(p.Instances))
	var wg sync.WaitGroup
	for i, ip := range p.Instances {
		wg.Go(func() {
			results[i] = applyInstance(ctx, ip, saved, secrets, *parallelism, lines)
		})
	}
	wg.Wait()
	for _, r := range results {
		if r.Error != "" {
			fmt.Fprintf(s.err, "octosync: apply: instance %q: %s\n", r.Name, r.Error)
		}
	}
	render.ApplySummary(s.out, results)
	for _, r := range results {
		if r.Failed() {
			return exitError
		}
	}
	return exitOK
}

// applyInstance applies one instance's part of a plan. A saved plan is
// checked against a fresh read first.
func applyInstance(ctx context.Context, ip *reconcile.InstancePlan, saved bool, secrets *reconcile.Secrets, parallelism int, progress func(*reconcile.SpaceResult)) *reconcile.InstanceResult {
	failed := func(format string, args ...any) *reconcile.InstanceResult {
		return &reconcile.InstanceResult{Name: ip.Name, Error: fmt.Sprintf(format, args...)}
	}
	client, err := connect(ip.Name, ip.URL, ip.APIKey, secrets, parallelism)
	if err != nil {
		return failed("%v", err)
	}
	li := ip.Live()
	if saved {
		names := make([]string, 0, len(ip.Spaces))
		for _, sp := range ip.Spaces {
			names = append(names, sp.Name)
		}
		li, err = reconcile.Fetch(ctx, client, ip.Name, reconcile.FetchOptions{Spaces: names, Parallelism: parallelism})
		if err != nil {
			return failed("%v", err)
		}
		if stale := reconcile.Stale(ip, li); len(stale) > 0 {
			return failed("the saved plan is stale, plan again:\n  %s", strings.Join(stale, "\n  "))
		}
	}
	return reconcile.Apply(ctx, client, ip, li, reconcile.ApplyOptions{Secrets: secrets, Parallelism: parallelism, Progress: progress})
}

// confirm asks on the terminal; without a terminal it refuses.
func confirm(s *streams) bool {
	f, ok := s.in.(*os.File)
	if !ok {
		fmt.Fprintln(s.err, "octosync: apply: stdin is not a terminal; pass --auto-approve to apply without confirmation")
		return false
	}
	if fi, err := f.Stat(); err != nil || fi.Mode()&os.ModeCharDevice == 0 {
		fmt.Fprintln(s.err, "octosync: apply: stdin is not a terminal; pass --auto-approve to apply without confirmation")
		return false
	}
	fmt.Fprint(s.out, "\nDo you want to apply these changes? Only 'yes' will be accepted: ")
	line, _ := bufio.NewReader(f).ReadString('\n')
	return strings.TrimSpace(line) == "yes"
}

func isFile(path string) bool {
	fi, err := os.Stat(path)
	return err == nil && fi.Mode().IsRegular()
}

func dirOf(path string) string { return filepath.Dir(path) }

// readPlan reads a plan saved by 'plan --out'.
func readPlan(path string) (*reconcile.Plan, error) {
	b, err := os.ReadFile(path)
	if err != nil {
		return nil, fmt.Errorf("read the plan: %w", err)
	}
	var p reconcile.Plan
	if err := json.Unmarshal(b, &p); err != nil {
		return nil, fmt.Errorf("%s is not a saved octosync plan: %w", path, err)
	}
	if p.FormatVersion != reconcile.FormatVersion {
		return nil, fmt.Errorf("%s is a plan in format %q; this octosync reads format %q: plan again", path, p.FormatVersion, reconcile.FormatVersion)
	}
	return &p, nil
}
