package ghnotify

import (
	"context"
	"crypto/sha256"
	"encoding/hex"
	"fmt"
	"regexp"
	"slices"
	"strconv"
	"strings"

	"github.com/google/go-github/v60/github"
)

// IssueSpec is the drift issue for one key as this run sees it.
type IssueSpec struct {
	// Key identifies the issue across runs: an instance ("hub") or an
	// instance and space ("hub/payments"). It is stored in a hidden marker
	// in the issue's body.
	Key string
	// Title and Body (markdown) are the issue's, when it is opened or
	// edited.
	Title string
	Body  string
	// Fingerprint is a stable digest of the drift: the issue is edited only
	// when it changes. Empty means a digest of Title and Body.
	Fingerprint string
	// Labels are put on the issue, and narrow the search for it: the open
	// issue for Key is looked for among the open issues carrying all of
	// them first, and among all open issues only when none of those has
	// the key (someone removed a label, or GitHub dropped them because the
	// token lacks push access). An edit puts missing labels back.
	Labels []string
	// Open says whether there is drift for Key: true opens or edits the
	// issue, false closes it.
	Open bool
	// CloseComment is posted when the issue is closed; empty means a short
	// note that the drift is gone.
	CloseComment string
}

// IssueState is the open drift issue GitHub holds for a key.
type IssueState struct {
	Number      int
	Fingerprint string // from the issue's hidden marker
	Labels      []string
	URL         string
}

// DecideIssue is the drift issue's lifecycle as a pure function: given the
// open issue for the key (nil when there is none) and this run's spec, it
// returns what to do.
//
//	open issue   drift (spec.Open)   fingerprint       action
//	none         no                  -                 None
//	none         yes                 -                 Opened
//	yes          no                  -                 Closed
//	yes          yes                 same as stored    Unchanged (post nothing)
//	yes          yes                 different         Updated (edit in place)
func DecideIssue(current *IssueState, spec IssueSpec) Action {
	switch {
	case current == nil && !spec.Open:
		return None
	case current == nil:
		return Opened
	case !spec.Open:
		return Closed
	case current.Fingerprint == spec.fingerprint():
		return Unchanged
	}
	return Updated
}

// SyncIssue brings the drift issue for spec.Key in line with this run:
// it finds the open issue carrying the key's marker (see
// [IssueSpec.Labels]), applies [DecideIssue], and makes the one or two
// calls that decision needs.
// Nothing is posted when the fingerprint is the one already stored. A
// closed issue is never reopened: drift that comes back gets a new issue
// (searching the repository's issues for the key finds the earlier ones).
func (n *Notifier) SyncIssue(ctx context.Context, spec IssueSpec) (Result, error) {
	if err := spec.validate(); err != nil {
		return Result{}, err
	}
	current, err := n.findIssue(ctx, spec)
	if err != nil {
		return Result{}, err
	}
	switch action := DecideIssue(current, spec); action {
	case None:
		return Result{Action: None}, nil
	case Unchanged:
		return Result{Action: Unchanged, Number: current.Number, URL: current.URL}, nil
	case Opened:
		issue, _, err := n.client.Issues.Create(ctx, n.owner, n.name, &github.IssueRequest{
			Title:  github.String(spec.Title),
			Body:   github.String(issueBody(spec)),
			Labels: &spec.Labels,
		})
		if err != nil {
			return Result{}, n.apiError(fmt.Sprintf("open the drift issue for %s in %s", spec.Key, n.Repo()), err)
		}
		return Result{Action: Opened, Number: issue.GetNumber(), URL: issue.GetHTMLURL()}, nil
	case Updated:
		labels := union(current.Labels, spec.Labels)
		issue, _, err := n.client.Issues.Edit(ctx, n.owner, n.name, current.Number, &github.IssueRequest{
			Title:  github.String(spec.Title),
			Body:   github.String(issueBody(spec)),
			Labels: &labels,
		})
		if err != nil {
			return Result{}, n.apiError(fmt.Sprintf("edit the drift issue %s#%d", n.Repo(), current.Number), err)
		}
		return Result{Action: Updated, Number: current.Number, URL: issue.GetHTMLURL()}, nil
	default: // Closed
		return n.closeIssue(ctx, current, spec)
	}
}

// closeIssue closes the issue, then explains why. In that order a failure
// between the two calls leaves a closed issue without its note, rather
// than a note that the next run would post again.
func (n *Notifier) closeIssue(ctx context.Context, current *IssueState, spec IssueSpec) (Result, error) {
	where := fmt.Sprintf("%s#%d", n.Repo(), current.Number)
	issue, _, err := n.client.Issues.Edit(ctx, n.owner, n.name, current.Number, &github.IssueRequest{
		State:       github.String("closed"),
		StateReason: github.String("completed"),
	})
	if err != nil {
		return Result{}, n.apiError("close the drift issue "+where, err)
	}
	note := spec.CloseComment
	if note == "" {
		note = fmt.Sprintf("The drift in `%s` is gone: the live state matches git again. Closing.", spec.Key)
	}
	if _, _, err := n.client.Issues.CreateComment(ctx, n.owner, n.name, current.Number, &github.IssueComment{Body: github.String(truncate(note, "comment"))}); err != nil {
		return Result{}, n.apiError("comment on the closed drift issue "+where, err)
	}
	return Result{Action: Closed, Number: current.Number, URL: issue.GetHTMLURL()}, nil
}

// findIssue returns the oldest open issue (not pull request) whose body
// holds the marker for spec.Key: among those carrying spec.Labels, then,
// failing that, among all open issues.
func (n *Notifier) findIssue(ctx context.Context, spec IssueSpec) (*IssueState, error) {
	found, err := n.scanIssues(ctx, spec.Key, spec.Labels)
	if found != nil || err != nil || len(spec.Labels) == 0 {
		return found, err
	}
	return n.scanIssues(ctx, spec.Key, nil)
}

// scanIssues pages through the open issues carrying labels, oldest first,
// for the one marked with key.
func (n *Notifier) scanIssues(ctx context.Context, key string, labels []string) (*IssueState, error) {
	opts := &github.IssueListByRepoOptions{
		State:       "open",
		Labels:      labels,
		Sort:        "created",
		Direction:   "asc",
		ListOptions: github.ListOptions{PerPage: perPage},
	}
	for {
		issues, resp, err := n.client.Issues.ListByRepo(ctx, n.owner, n.name, opts)
		if err != nil {
			return nil, n.apiError(fmt.Sprintf("list the open issues of %s", n.Repo()), err)
		}
		for _, is := range issues {
			if is.IsPullRequest() {
				continue
			}
			if k, ok := markerValue(keyMarker, is.GetBody()); !ok || k != key {
				continue
			}
			fp, _ := markerValue(fingerprintMarker, is.GetBody())
			var names []string
			for _, l := range is.Labels {
				names = append(names, l.GetName())
			}
			return &IssueState{Number: is.GetNumber(), Fingerprint: fp, Labels: names, URL: is.GetHTMLURL()}, nil
		}
		if resp.NextPage == 0 {
			return nil, nil
		}
		opts.Page = resp.NextPage
	}
}

// The hidden markers in a drift issue's body. Values are Go-quoted.
const (
	keyMarker         = "octosync:drift-issue"
	fingerprintMarker = "octosync:drift-fingerprint"
)

var markerLine = regexp.MustCompile(`(?m)^<!-- (octosync:[a-z-]+) ("(?:[^"\\]|\\.)*") -->\r?$`)

// markerValue finds the value of the named marker in body.
func markerValue(name, body string) (string, bool) {
	for _, m := range markerLine.FindAllStringSubmatch(body, -1) {
		if m[1] != name {
			continue
		}
		if v, err := strconv.Unquote(m[2]); err == nil {
			return v, true
		}
	}
	return "", false
}

func marker(name, value string) string {
	return fmt.Sprintf("<!-- %s %s -->", name, strconv.Quote(value))
}

// issueBody is the body posted for spec: the two markers, then spec.Body.
func issueBody(spec IssueSpec) string {
	return truncate(marker(keyMarker, spec.Key)+"\n"+marker(fingerprintMarker, spec.fingerprint())+"\n"+spec.Body, "issue")
}

// fingerprint is spec.Fingerprint, or a digest of the title and body.
func (spec IssueSpec) fingerprint() string {
	if spec.Fingerprint != "" {
		return spec.Fingerprint
	}
	sum := sha256.Sum256([]byte(spec.Title + "\x00" + spec.Body))
	return "sha256:" + hex.EncodeToString(sum[:])
}

func (spec IssueSpec) validate() error {
	check := func(what, v string) error {
		if strings.Contains(v, "--") || strings.ContainsAny(v, "\r\n") {
			return fmt.Errorf("%w: drift issue %s %q: must be one line without \"--\"", ErrInvalid, what, v)
		}
		return nil
	}
	if spec.Key == "" {
		return fmt.Errorf("%w: drift issue without a key", ErrInvalid)
	}
	if err := check("key", spec.Key); err != nil {
		return err
	}
	if err := check("fingerprint", spec.Fingerprint); err != nil {
		return err
	}
	if spec.Open && strings.TrimSpace(spec.Title) == "" {
		return fmt.Errorf("%w: drift issue for %s has no title", ErrInvalid, spec.Key)
	}
	return nil
}

// union returns a's labels followed by those of b it lacks.
func union(a, b []string) []string {
	out := slices.Clone(a)
	for _, l := range b {
		if !slices.Contains(out, l) {
			out = append(out, l)
		}
	}
	return out
}
