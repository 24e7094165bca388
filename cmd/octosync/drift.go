package main

import (
	"bytes"
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"slices"
	"strings"
	"time"

	"octosync.dev/octosync/drift"
	"octosync.dev/octosync/ghnotify"
	"octosync.dev/octosync/model"
	"octosync.dev/octosync/render"
)

var driftCmd = &command{
	name:    "drift",
	summary: "compare live Octopus with git, read-only, and report what drifted",
	usage:   "[DIR] [--output text|markdown|json] [--github-issue] [--webhook URL] [--instance NAME] [--space NAME]",
	doc: `Drift reads every instance and space the configuration targets and reports
what no longer matches git. It only reads: it sends GET requests and
nothing else, so it runs with an API key that cannot write.

Each drifted resource is classified:
  changed outside git     a field differs (Octopus's value, then git's)
  missing from Octopus    git declares it, Octopus does not have it
  appeared in Octopus     inside a prune scope, a resource git does not
                          declare (the next apply would delete it)
  sensitive value changed a secret was cleared, or no longer matches the
                          fingerprint octosync recorded when it wrote it

Known drift can be acknowledged in git (acknowledge: [{kind, name, field,
reason, until}]): it is still reported, but does not fail the run until
the acknowledgement expires. Resources outside any prune scope that git
does not declare are not drift; the report lists them apart.

Flags:
  --output FORMAT        text (default), markdown, or json
  --github-issue         keep one GitHub issue per instance (or per space,
                         with --issue-per space) up to date: opened when
                         drift appears, edited when it changes, left alone
                         when it is the same as last run, closed when it is
                         gone. Uses GITHUB_TOKEN, GITHUB_REPOSITORY and
                         GITHUB_API_URL, as GitHub Actions sets them.
  --issue-per SCOPE      instance (default) or space
  --issue-label LABEL    the label drift issues carry (default octosync-drift)
  --webhook URL          POST the JSON report to URL when there is drift
                         or an error
  --instance, --space    check only this instance or space
  --repo, --ref, --path  read the configuration from git, as for plan

Exit status: 0 no drift, 2 drift, 1 an error (an instance or space that
could not be read: the others are still checked and reported).`,
}

func init() { driftCmd.run = runDrift }

func runDrift(ctx context.Context, s *streams, args []string) int {
	fs := newFlags(driftCmd, s)
	var src sourceFlags
	src.register(fs)
	var sel selection
	sel.register(fs)
	output := fs.String("output", "text", "")
	githubIssue := fs.Bool("github-issue", false, "")
	issuePer := fs.String("issue-per", "instance", "")
	issueLabel := fs.String("issue-label", "octosync-drift", "")
	webhook := fs.String("webhook", "", "")
	parallelism := fs.Int("parallelism", 8, "")
	pos, err := parseFlags(fs, s, args)
	if err != nil {
		return flagExit(err)
	}
	if !oneOf(s, "drift", "output", *output, "text", "markdown", "json") || !oneOf(s, "drift", "issue-per", *issuePer, "instance", "space") {
		return exitError
	}
	cfg, instances, ok := src.loadSelected(ctx, s, "drift", sel, pos)
	if !ok {
		return exitError
	}
	p := buildPlan(ctx, instances, planOptions{
		parallelism: *parallelism,
		secrets:     newSecrets(s, cfg.dir),
		progress:    newProgress(s),
		commit:      cfg.snap.Commit,
		dirty:       cfg.snap.Dirty,
	})
	report := drift.FromPlan(p, acksOf(cfg.desired), time.Now())

	switch *output {
	case "json":
		err = render.DriftJSON(s.out, report)
	case "markdown":
		err = render.DriftMarkdown(s.out, report, "all")
	default:
		err = render.DriftText(s.out, report)
	}
	if err != nil {
		return s.errf("drift: %v", err)
	}
	code := exitOK
	switch {
	case report.Errored():
		code = exitError
	case report.Drifted():
		code = exitChanges
	}
	if *githubIssue {
		if err := syncIssues(ctx, s, report, *issuePer, *issueLabel); err != nil {
			fmt.Fprintf(s.err, "octosync: drift: %v\n", err)
			code = exitError
		}
	}
	if *webhook != "" && (report.Drifted() || report.Errored()) {
		if err := postWebhook(ctx, *webhook, report); err != nil {
			fmt.Fprintf(s.err, "octosync: drift: %v\n", err)
			code = exitError
		}
	}
	return code
}

// acksOf returns the acknowledgements git declares, by instance and space.
func acksOf(d *model.Desired) func(instance, space string) drift.Acks {
	return func(instance, space string) drift.Acks {
		in := d.Instance(instance)
		if in == nil {
			return nil
		}
		if space == "" {
			return in.Acks
		}
		if sp := in.Space(space); sp != nil {
			return sp.Acks
		}
		return nil
	}
}

// syncIssues keeps one GitHub issue per instance (or space) in line with
// the report. Every scope checked gets a call, so healed drift closes its
// issue; a scope that could not be read is skipped, so an outage does not
// close an issue about drift that may still be there.
func syncIssues(ctx context.Context, s *streams, r *drift.Report, per, label string) error {
	n, err := ghnotify.FromEnv(s.getenv)
	if err != nil {
		return fmt.Errorf("--github-issue: %w", err)
	}
	groups := map[string]*drift.Report{}
	var keys []string
	errored := map[string]bool{}
	for _, sc := range r.Scopes {
		key := sc.Instance
		if per == "space" && sc.Space != "" {
			key += "/" + sc.Space
		}
		if groups[key] == nil {
			groups[key] = &drift.Report{FormatVersion: r.FormatVersion, Commit: r.Commit}
			keys = append(keys, key)
		}
		groups[key].Scopes = append(groups[key].Scopes, sc)
		if len(sc.Errors) > 0 {
			errored[key] = true
		}
	}
	slices.Sort(keys)
	var failed []string
	for _, key := range keys {
		if errored[key] {
			continue
		}
		g := groups[key]
		var body bytes.Buffer
		render.DriftMarkdown(&body, g, key)
		var fps []string
		for _, sc := range g.Scopes {
			if fp := sc.Fingerprint(); fp != "" {
				fps = append(fps, fp)
			}
		}
		res, err := n.SyncIssue(ctx, ghnotify.IssueSpec{
			Key:         key,
			Title:       fmt.Sprintf("Octopus drift: %s", key),
			Body:        body.String(),
			Fingerprint: strings.Join(fps, "-"),
			Labels:      []string{label},
			Open:        g.Drifted(),
		})
		if err != nil {
			failed = append(failed, fmt.Sprintf("%s: %v", key, err))
			continue
		}
		if res.Action != ghnotify.None {
			fmt.Fprintf(s.err, "drift issue for %s: %s %s\n", key, res.Action, res.URL)
		}
	}
	if len(failed) > 0 {
		return fmt.Errorf("--github-issue: %s", strings.Join(failed, "; "))
	}
	return nil
}

// postWebhook sends the JSON report to a generic webhook.
func postWebhook(ctx context.Context, url string, r *drift.Report) error {
	body, err := json.Marshal(r)
	if err != nil {
		return err
	}
	ctx, cancel := context.WithTimeout(ctx, 30*time.Second)
	defer cancel()
	req, err := http.NewRequestWithContext(ctx, http.MethodPost, url, bytes.NewReader(body))
	if err != nil {
		return fmt.Errorf("--webhook: %w", err)
	}
	req.Header.Set("Content-Type", "application/json")
	req.Header.Set("User-Agent", "octosync")
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		return fmt.Errorf("--webhook: %w", err)
	}
	resp.Body.Close()
	if resp.StatusCode >= 300 {
		return fmt.Errorf("--webhook: %s answered %s", url, resp.Status)
	}
	return nil
}
