package main

import (
	"bytes"
	"context"
	"fmt"
	"io"
	"os"

	"octosync.dev/octosync/ghnotify"
	"octosync.dev/octosync/model"
	"octosync.dev/octosync/reconcile"
	"octosync.dev/octosync/render"
)

var planCmd = &command{
	name:    "plan",
	summary: "show what apply would change in every instance and space, field by field",
	usage:   "[DIR] [--instance NAME] [--space NAME] [--output text|markdown|json] [--out FILE] [--repo URL --ref REF]",
	doc: `Plan reads the configuration, reads every instance and space it targets,
and prints what apply would do: each resource to create (+), update (~) or
delete (-), with the fields that change, and a summary line
("Plan: 1 to create, 2 to update, 0 to delete." or "No changes.").

Plan changes nothing. Deletions happen only inside a space's prune scopes
and are listed first; live resources git does not declare are otherwise
listed as "not in git, left alone". Secrets are never printed: a changed
secret shows as "sensitive value will be updated".

Flags:
  --instance NAME     plan only this instance
  --space NAME        plan only this space (of the selected instances)
  --output FORMAT     text (default), markdown (a pull-request comment:
                      identical changes across spaces shown once), or json
  --out FILE          also save the plan as JSON; apply FILE carries out
                      exactly this plan
  --parallelism N     requests in flight per instance (default 8)
  --base REF          plan only the instances and spaces whose configuration
                      changed since REF (a branch, tag or commit of the same
                      repository); shared templates and imports count, so a
                      change to a template plans every space it reaches
  --github-comment    post the plan as a sticky comment on the pull request
                      (edited in place on every run), using GITHUB_TOKEN,
                      GITHUB_REPOSITORY, GITHUB_API_URL and the pull request
                      of GITHUB_EVENT_PATH, as GitHub Actions sets them
  --pr N              the pull request to comment on, when not in the event
  --repo URL          read the configuration from a git repository
  --ref REF           the branch, tag or commit to read with --repo
  --path DIR          the directory inside the repository, with --repo

Examples:
  octosync plan ./config
  octosync plan --output markdown --out plan.json
  octosync plan --repo https://github.com/acme/octopus-config --ref main

Exit status: 0 no changes, 2 changes, 1 an error (invalid configuration,
an instance or space that could not be read).`,
}

func init() { planCmd.run = runPlan }

func runPlan(ctx context.Context, s *streams, args []string) int {
	fs := newFlags(planCmd, s)
	var src sourceFlags
	src.register(fs)
	var sel selection
	sel.register(fs)
	output := fs.String("output", "text", "")
	out := fs.String("out", "", "")
	parallelism := fs.Int("parallelism", 8, "")
	base := fs.String("base", "", "")
	githubComment := fs.Bool("github-comment", false, "")
	pr := fs.Int("pr", 0, "")
	pos, err := parseFlags(fs, s, args)
	if err != nil {
		return flagExit(err)
	}
	if !oneOf(s, "plan", "output", *output, "text", "markdown", "json") {
		return exitError
	}
	cfg, instances, ok := src.loadSelected(ctx, s, "plan", sel, pos)
	if !ok {
		return exitError
	}
	var baseCommit string
	if *base != "" {
		var baseDesired *model.Desired
		baseDesired, baseCommit, err = src.loadBase(ctx, s, cfg, *base)
		if err != nil {
			return s.errf("plan: %v", err)
		}
		instances = onlyChanged(instances, reconcile.Compare(baseDesired, cfg.desired))
	}
	p := buildPlan(ctx, instances, planOptions{
		parallelism: *parallelism,
		secrets:     newSecrets(s, cfg.dir),
		progress:    newProgress(s),
		commit:      cfg.snap.Commit,
		dirty:       cfg.snap.Dirty,
	})
	p.BaseCommit = baseCommit
	if *out != "" {
		if err := savePlan(*out, p); err != nil {
			return s.errf("plan: %v", err)
		}
	}
	if err := writePlan(s.out, p, *output); err != nil {
		return s.errf("plan: %v", err)
	}
	if *githubComment {
		if err := postPlanComment(ctx, s, p, *pr); err != nil {
			return s.errf("plan: %v", err)
		}
	}
	switch {
	case p.Errored():
		return exitError
	case p.HasChanges():
		return exitChanges
	}
	return exitOK
}

// postPlanComment creates or edits the pull request's sticky plan comment.
func postPlanComment(ctx context.Context, s *streams, p *reconcile.Plan, pr int) error {
	n, err := ghnotify.FromEnv(s.getenv)
	if err != nil {
		return fmt.Errorf("--github-comment: %w", err)
	}
	if pr == 0 {
		if pr, err = ghnotify.PullRequestFromEnv(s.getenv); err != nil {
			return fmt.Errorf("--github-comment: %w (or give --pr N)", err)
		}
	}
	var body bytes.Buffer
	if err := render.PlanMarkdown(&body, p); err != nil {
		return err
	}
	res, err := n.UpsertComment(ctx, pr, render.PlanMarker, body.String())
	if err != nil {
		return fmt.Errorf("--github-comment: %w", err)
	}
	fmt.Fprintf(s.err, "plan comment on pull request #%d: %s %s\n", pr, res.Action, res.URL)
	return nil
}

func writePlan(w io.Writer, p *reconcile.Plan, format string) error {
	switch format {
	case "markdown":
		return render.PlanMarkdown(w, p)
	case "json":
		return render.PlanJSON(w, p)
	}
	return render.PlanText(w, p)
}

// savePlan writes the plan as JSON, atomically, readable only by its owner:
// it holds no secret, but names the variables and files secrets come from.
func savePlan(path string, p *reconcile.Plan) error {
	tmp, err := os.CreateTemp(dirOf(path), ".octosync-plan-*")
	if err != nil {
		return fmt.Errorf("save the plan: %w", err)
	}
	defer os.Remove(tmp.Name())
	if err := render.PlanJSON(tmp, p); err != nil {
		tmp.Close()
		return fmt.Errorf("save the plan: %w", err)
	}
	if err := tmp.Close(); err != nil {
		return fmt.Errorf("save the plan: %w", err)
	}
	if err := os.Rename(tmp.Name(), path); err != nil {
		return fmt.Errorf("save the plan: %w", err)
	}
	return nil
}
