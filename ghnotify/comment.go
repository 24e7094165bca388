package ghnotify

import (
	"context"
	"fmt"
	"strings"
	"unicode/utf8"

	"github.com/google/go-github/v60/github"
)

// maxBody is GitHub's limit on an issue or comment body, in characters.
const maxBody = 65536

// perPage is the page size for list calls, GitHub's largest.
const perPage = 100

// UpsertComment keeps one sticky comment on pull request pr: the first
// comment whose first line is marker. It creates the comment when there is
// none, edits it in place when body differs (it is never deleted and
// re-posted, so its place in the conversation and its link stay), and
// does nothing when the body is already there.
//
// marker is a hidden HTML comment such as "<!-- octosync:plan -->"; a bare
// name such as "octosync:plan" is wrapped into one. Use a different marker
// for each comment a workflow keeps (one per configuration directory, say).
// Every comment is read, page by page, until the marker is found. A body
// longer than GitHub's limit is cut, with a note saying so.
func (n *Notifier) UpsertComment(ctx context.Context, pr int, marker, body string) (Result, error) {
	marker, err := normalizeMarker(marker)
	if err != nil {
		return Result{}, err
	}
	full := truncate(marker+"\n"+body, "comment")
	where := fmt.Sprintf("%s#%d", n.Repo(), pr)

	existing, err := n.findComment(ctx, pr, marker)
	if err != nil {
		return Result{}, err
	}
	if existing == nil {
		c, _, err := n.client.Issues.CreateComment(ctx, n.owner, n.name, pr, &github.IssueComment{Body: &full})
		if err != nil {
			return Result{}, n.apiError("comment on "+where, err)
		}
		return Result{Action: Created, Number: pr, CommentID: c.GetID(), URL: c.GetHTMLURL()}, nil
	}
	if sameBody(existing.GetBody(), full) {
		return Result{Action: Unchanged, Number: pr, CommentID: existing.GetID(), URL: existing.GetHTMLURL()}, nil
	}
	c, _, err := n.client.Issues.EditComment(ctx, n.owner, n.name, existing.GetID(), &github.IssueComment{Body: &full})
	if err != nil {
		return Result{}, n.apiError(fmt.Sprintf("edit comment %d on %s", existing.GetID(), where), err)
	}
	return Result{Action: Updated, Number: pr, CommentID: c.GetID(), URL: c.GetHTMLURL()}, nil
}

// findComment returns the oldest comment on pr whose first line is marker.
func (n *Notifier) findComment(ctx context.Context, pr int, marker string) (*github.IssueComment, error) {
	// GitHub lists an issue's comments oldest first.
	opts := &github.IssueListCommentsOptions{ListOptions: github.ListOptions{PerPage: perPage}}
	for {
		comments, resp, err := n.client.Issues.ListComments(ctx, n.owner, n.name, pr, opts)
		if err != nil {
			return nil, n.apiError(fmt.Sprintf("list the comments on %s#%d", n.Repo(), pr), err)
		}
		for _, c := range comments {
			if firstLine(c.GetBody()) == marker {
				return c, nil
			}
		}
		if resp.NextPage == 0 {
			return nil, nil
		}
		opts.Page = resp.NextPage
	}
}

// normalizeMarker wraps a bare marker in an HTML comment and checks that it
// stays one line and one comment.
func normalizeMarker(marker string) (string, error) {
	marker = strings.TrimSpace(marker)
	if !strings.HasPrefix(marker, "<!--") {
		marker = "<!-- " + marker + " -->"
	}
	inner := strings.TrimSuffix(strings.TrimPrefix(marker, "<!--"), "-->")
	if strings.TrimSpace(inner) == "" || !strings.HasSuffix(marker, "-->") ||
		strings.Contains(inner, "--") || strings.ContainsAny(inner, "\r\n") {
		return "", fmt.Errorf("%w: marker %q must be one line of text without \"--\", written bare or as <!-- text -->", ErrInvalid, marker)
	}
	return marker, nil
}

// firstLine returns s up to its first line break, without a trailing \r.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\n")
	return strings.TrimSuffix(line, "\r")
}

// sameBody compares two bodies as GitHub shows them: line endings and
// trailing white space do not count (GitHub stores \r\n for bodies edited
// in the browser).
func sameBody(a, b string) bool {
	norm := func(s string) string { return strings.TrimRight(strings.ReplaceAll(s, "\r\n", "\n"), " \t\n") }
	return norm(a) == norm(b)
}

// truncate cuts a body to GitHub's limit, on a rune boundary, and says so.
func truncate(body, what string) string {
	if utf8.RuneCountInString(body) <= maxBody {
		return body
	}
	note := fmt.Sprintf("\n\n… (this %s was cut to GitHub's limit of %d characters; the full report is in the job's log)", what, maxBody)
	keep := maxBody - utf8.RuneCountInString(note)
	i := 0
	for range keep {
		_, size := utf8.DecodeRuneInString(body[i:])
		i += size
	}
	return body[:i] + note
}
