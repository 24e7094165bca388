package ghnotify_test

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"
	"unicode/utf8"

	"octosync.dev/octosync/ghnotify"
	"octosync.dev/octosync/ghnotify/ghfake"
)

func newFake(t *testing.T, opts ghfake.Options) (*ghfake.Server, *ghnotify.Notifier) {
	t.Helper()
	fake := ghfake.New(opts)
	t.Cleanup(fake.Close)
	env := fake.Env()
	n, err := ghnotify.FromEnv(func(k string) string { return env[k] })
	if err != nil {
		t.Fatal(err)
	}
	return fake, n
}

func writes(fake *ghfake.Server) []string {
	var out []string
	for _, r := range fake.Writes() {
		out = append(out, r.Method+" "+r.Path)
	}
	return out
}

func TestUpsertComment(t *testing.T) {
	ctx := context.Background()
	fake, n := newFake(t, ghfake.Options{PageSize: 2})
	pr := fake.AddPullRequest("Add the payments space")
	// Enough conversation to need several pages, including a reviewer
	// quoting the marker somewhere other than the first line.
	for i := range 5 {
		fake.AddComment(pr, "reviewer", fmt.Sprintf("comment %d\n<!-- octosync:plan -->", i))
	}
	const marker = "<!-- octosync:plan -->"

	res, err := n.UpsertComment(ctx, pr, marker, "Plan: 1 to create.")
	if err != nil {
		t.Fatal(err)
	}
	if res.Action != ghnotify.Created || res.Number != pr || res.CommentID == 0 || res.URL == "" {
		t.Errorf("first run = %+v, want created", res)
	}
	id := res.CommentID

	fake.ResetRequests()
	res, err = n.UpsertComment(ctx, pr, marker, "Plan: 1 to create.")
	if err != nil {
		t.Fatal(err)
	}
	if res.Action != ghnotify.Unchanged || res.CommentID != id {
		t.Errorf("same body = %+v, want unchanged comment %d", res, id)
	}
	if w := writes(fake); len(w) != 0 {
		t.Errorf("an unchanged comment wrote %q", w)
	}
	if reads := len(fake.Requests()); reads != 3 {
		t.Errorf("%d list calls for 6 comments 2 to a page, want 3: paging is not followed", reads)
	}

	res, err = n.UpsertComment(ctx, pr, marker, "Plan: 1 to create, 1 to update.")
	if err != nil {
		t.Fatal(err)
	}
	if res.Action != ghnotify.Updated || res.CommentID != id {
		t.Errorf("new body = %+v, want comment %d updated", res, id)
	}

	is := fake.Issues()[pr-1]
	if len(is.Comments) != 6 {
		t.Fatalf("%d comments, want the 5 reviews and one sticky comment", len(is.Comments))
	}
	sticky := is.Comments[5]
	if sticky.ID != id || sticky.User != ghfake.BotLogin || sticky.Edits != 1 ||
		sticky.Body != marker+"\nPlan: 1 to create, 1 to update." {
		t.Errorf("sticky comment = %+v", sticky)
	}
	if w := writes(fake); !slices.Equal(w, []string{fmt.Sprintf("PATCH /repos/acme/platform/issues/comments/%d", id)}) {
		t.Errorf("the edit wrote %q, want one PATCH of the comment", w)
	}

	// Another marker is another comment; a bare marker is wrapped.
	res, err = n.UpsertComment(ctx, pr, "octosync:plan:staging", "Plan: no changes.")
	if err != nil {
		t.Fatal(err)
	}
	if res.Action != ghnotify.Created || res.CommentID == id {
		t.Errorf("second marker = %+v, want a new comment", res)
	}
	if got := fake.Issues()[pr-1].Comments[6].Body; !strings.HasPrefix(got, "<!-- octosync:plan:staging -->\n") {
		t.Errorf("bare marker posted as %q", got)
	}
}

func TestUpsertCommentIgnoresLineEndings(t *testing.T) {
	fake, n := newFake(t, ghfake.Options{})
	pr := fake.AddPullRequest("pr")
	// As GitHub stores a body last edited in the browser.
	fake.AddComment(pr, ghfake.BotLogin, "<!-- octosync:plan -->\r\nline one\r\nline two\r\n")
	res, err := n.UpsertComment(context.Background(), pr, "<!-- octosync:plan -->", "line one\nline two\n")
	if err != nil {
		t.Fatal(err)
	}
	if res.Action != ghnotify.Unchanged || len(fake.Writes()) != 0 {
		t.Errorf("result %+v with writes %q, want unchanged and no writes", res, writes(fake))
	}
}

func TestUpsertCommentTruncates(t *testing.T) {
	fake, n := newFake(t, ghfake.Options{})
	pr := fake.AddPullRequest("pr")
	huge := strings.Repeat("é", 70000)
	if _, err := n.UpsertComment(context.Background(), pr, "octosync:plan", huge); err != nil {
		t.Fatal(err)
	}
	body := fake.Issues()[pr-1].Comments[0].Body
	if c := utf8.RuneCountInString(body); c > 65536 || !utf8.ValidString(body) || !strings.Contains(body, "cut to GitHub's limit") {
		t.Errorf("posted %d characters (valid UTF-8: %v), want at most 65536 ending in a note", c, utf8.ValidString(body))
	}
}

func TestUpsertCommentInvalidMarker(t *testing.T) {
	_, n := newFake(t, ghfake.Options{})
	for _, m := range []string{"", "<!-- -->", "a--b", "two\nlines", "<!-- unterminated"} {
		if _, err := n.UpsertComment(context.Background(), 1, m, "x"); !errors.Is(err, ghnotify.ErrInvalid) {
			t.Errorf("marker %q: err = %v, want ErrInvalid", m, err)
		}
	}
}

func TestSyncIssueLifecycle(t *testing.T) {
	ctx := context.Background()
	fake, n := newFake(t, ghfake.Options{PageSize: 2})
	// Other open issues, some with the same label, must be left alone.
	human := fake.AddIssue("Octopus upgrade", "plan the upgrade", "octosync-drift")
	fake.AddIssue("Unrelated", "")
	fake.AddPullRequest("a pull request")

	spec := ghnotify.IssueSpec{
		Key:         "hub/payments",
		Title:       "Drift in hub/payments",
		Body:        "1 resource changed outside git.",
		Fingerprint: "fp-1",
		Labels:      []string{"octosync-drift"},
		Open:        true,
	}
	step := func(name string, spec ghnotify.IssueSpec, want ghnotify.Action, wantWrites ...string) ghnotify.Result {
		t.Helper()
		fake.ResetRequests()
		res, err := n.SyncIssue(ctx, spec)
		if err != nil {
			t.Fatalf("%s: %v", name, err)
		}
		if res.Action != want {
			t.Errorf("%s: action %s, want %s", name, res.Action, want)
		}
		if got := writes(fake); !slices.Equal(got, wantWrites) {
			t.Errorf("%s: writes %q, want %q", name, got, wantWrites)
		}
		return res
	}

	opened := step("drift appears", spec, ghnotify.Opened, "POST /repos/acme/platform/issues")
	issuePath := fmt.Sprintf("/repos/acme/platform/issues/%d", opened.Number)
	is := fake.Issues()[opened.Number-1]
	if is.Title != spec.Title || !slices.Equal(is.Labels, spec.Labels) || is.State != "open" ||
		!strings.Contains(is.Body, `<!-- octosync:drift-issue "hub/payments" -->`) ||
		!strings.Contains(is.Body, `<!-- octosync:drift-fingerprint "fp-1" -->`) ||
		!strings.HasSuffix(is.Body, spec.Body) {
		t.Errorf("opened issue = %+v", is)
	}

	same := spec
	same.Body = "the same drift, worded differently"
	if res := step("same fingerprint", same, ghnotify.Unchanged); res.Number != opened.Number {
		t.Errorf("unchanged run names #%d, want #%d", res.Number, opened.Number)
	}

	changed := spec
	changed.Fingerprint, changed.Title, changed.Body = "fp-2", "Drift in hub/payments (2 resources)", "2 resources changed."
	step("drift changes", changed, ghnotify.Updated, "PATCH "+issuePath)
	is = fake.Issues()[opened.Number-1]
	if is.Title != changed.Title || !strings.Contains(is.Body, `"fp-2"`) || len(is.Comments) != 0 {
		t.Errorf("edited issue = %+v, want new title and fingerprint and no comment", is)
	}

	healed := ghnotify.IssueSpec{Key: "hub/payments", Labels: spec.Labels, Open: false}
	step("drift healed", healed, ghnotify.Closed, "PATCH "+issuePath, "POST "+issuePath+"/comments")
	is = fake.Issues()[opened.Number-1]
	if is.State != "closed" || is.StateReason != "completed" || len(is.Comments) != 1 || !strings.Contains(is.Comments[0].Body, "hub/payments") {
		t.Errorf("closed issue = %+v", is)
	}

	step("still healed", healed, ghnotify.None)
	again := step("drift returns", spec, ghnotify.Opened, "POST /repos/acme/platform/issues")
	if again.Number == opened.Number {
		t.Error("returning drift reopened the closed issue, want a new one")
	}

	if h := fake.Issues()[human-1]; h.State != "open" || h.Body != "plan the upgrade" || len(h.Comments) != 0 {
		t.Errorf("a person's issue with the label was touched: %+v", h)
	}
}

func TestSyncIssueKeys(t *testing.T) {
	ctx := context.Background()
	fake, n := newFake(t, ghfake.Options{})
	labels := []string{"octosync-drift"}
	for _, key := range []string{"hub", "hub/payments", `quoted "name"`} {
		res, err := n.SyncIssue(ctx, ghnotify.IssueSpec{Key: key, Title: "Drift in " + key, Body: "x", Labels: labels, Open: true})
		if err != nil || res.Action != ghnotify.Opened {
			t.Fatalf("%s: %+v, %v", key, res, err)
		}
	}
	// "hub" must not find the issue for "hub/payments", and vice versa.
	res, err := n.SyncIssue(ctx, ghnotify.IssueSpec{Key: "hub", Labels: labels})
	if err != nil || res.Action != ghnotify.Closed || res.Number != 1 {
		t.Errorf("closing hub = %+v, %v; want #1 closed", res, err)
	}
	if is := fake.Issues(); is[1].State != "open" || is[2].State != "open" {
		t.Errorf("closing hub closed another key's issue")
	}
	// An empty fingerprint is a digest of the title and body.
	spec := ghnotify.IssueSpec{Key: "hub/payments", Title: "Drift in hub/payments", Body: "x", Labels: labels, Open: true}
	if res, err := n.SyncIssue(ctx, spec); err != nil || res.Action != ghnotify.Unchanged {
		t.Errorf("same title and body = %+v, %v; want unchanged", res, err)
	}
	spec.Body = "y"
	if res, err := n.SyncIssue(ctx, spec); err != nil || res.Action != ghnotify.Updated {
		t.Errorf("new body = %+v, %v; want updated", res, err)
	}
}

func TestSyncIssueLabelsChangedByPeople(t *testing.T) {
	ctx := context.Background()
	fake, n := newFake(t, ghfake.Options{})
	spec := ghnotify.IssueSpec{Key: "hub", Title: "Drift in hub", Body: "x", Fingerprint: "1", Labels: []string{"octosync-drift"}, Open: true}
	res, err := n.SyncIssue(ctx, spec)
	if err != nil {
		t.Fatal(err)
	}
	// Someone triages the issue: adds a label and removes octosync's.
	req, err := http.NewRequest(http.MethodPatch, fmt.Sprintf("%srepos/acme/platform/issues/%d", fake.URL, res.Number),
		strings.NewReader(`{"labels": ["triaged"]}`))
	if err != nil {
		t.Fatal(err)
	}
	req.Header.Set("Authorization", "Bearer "+fake.Token)
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()

	fake.ResetRequests()
	if again, err := n.SyncIssue(ctx, spec); err != nil || again.Action != ghnotify.Unchanged || again.Number != res.Number || len(fake.Writes()) != 0 {
		t.Errorf("same drift after a label was removed = %+v, %v, writes %q; want the issue found and nothing posted", again, err, writes(fake))
	}
	spec.Fingerprint = "2"
	if again, err := n.SyncIssue(ctx, spec); err != nil || again.Action != ghnotify.Updated || again.Number != res.Number {
		t.Errorf("changed drift = %+v, %v; want the issue updated", again, err)
	}
	if got := fake.Issues()[res.Number-1].Labels; !slices.Equal(got, []string{"triaged", "octosync-drift"}) {
		t.Errorf("labels after an update = %q, want the person's label kept and octosync's back", got)
	}
	if len(fake.Issues()) != 1 {
		t.Errorf("%d issues, want no duplicate", len(fake.Issues()))
	}
}

func TestSyncIssueInvalid(t *testing.T) {
	_, n := newFake(t, ghfake.Options{})
	for _, spec := range []ghnotify.IssueSpec{
		{Title: "no key", Open: true},
		{Key: "a\nb", Title: "t", Open: true},
		{Key: "a--b", Title: "t", Open: true},
		{Key: "hub", Fingerprint: "x-->y", Title: "t", Open: true},
		{Key: "hub", Open: true},
	} {
		if _, err := n.SyncIssue(context.Background(), spec); !errors.Is(err, ghnotify.ErrInvalid) {
			t.Errorf("%+v: err = %v, want ErrInvalid", spec, err)
		}
	}
}

func TestFromEnv(t *testing.T) {
	fake := ghfake.New(ghfake.Options{})
	defer fake.Close()
	for _, tc := range []struct {
		name     string
		env      map[string]string
		mentions []string // in the error; none means success
	}{
		{"nothing set", map[string]string{}, []string{"GITHUB_TOKEN", "GITHUB_REPOSITORY"}},
		{"no token", map[string]string{"GITHUB_REPOSITORY": "acme/platform"}, []string{"GITHUB_TOKEN (or GH_TOKEN)"}},
		{"no repository", map[string]string{"GITHUB_TOKEN": "t"}, []string{"GITHUB_REPOSITORY"}},
		{"repository not owner/name", map[string]string{"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "platform"}, []string{`"platform"`, "owner/name"}},
		{"API URL not a URL", map[string]string{"GITHUB_TOKEN": "t", "GITHUB_REPOSITORY": "acme/platform", "GITHUB_API_URL": "api.github.com"}, []string{"GITHUB_API_URL"}},
		{"GH_TOKEN, API URL without a slash", map[string]string{"GH_TOKEN": fake.Token, "GITHUB_REPOSITORY": "acme/platform", "GITHUB_API_URL": strings.TrimSuffix(fake.URL, "/")}, nil},
	} {
		t.Run(tc.name, func(t *testing.T) {
			n, err := ghnotify.FromEnv(func(k string) string { return tc.env[k] })
			if tc.mentions == nil {
				if err != nil {
					t.Fatal(err)
				}
				pr := fake.AddPullRequest("pr")
				if _, err := n.UpsertComment(context.Background(), pr, "m", "body"); err != nil {
					t.Errorf("the notifier cannot reach the fake: %v", err)
				}
				return
			}
			if !errors.Is(err, ghnotify.ErrConfig) {
				t.Fatalf("err = %v, want ErrConfig", err)
			}
			for _, m := range tc.mentions {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %s", err, m)
				}
			}
		})
	}
}

func TestPullRequestFromEnv(t *testing.T) {
	dir := t.TempDir()
	event := func(name, content string) string {
		p := filepath.Join(dir, name)
		if err := os.WriteFile(p, []byte(content), 0o644); err != nil {
			t.Fatal(err)
		}
		return p
	}
	for _, tc := range []struct {
		name string
		env  map[string]string
		want int
		err  error
	}{
		{"pull_request event", map[string]string{"GITHUB_EVENT_PATH": event("pr.json", `{"action":"synchronize","number":42,"pull_request":{"number":42}}`)}, 42, nil},
		{"comment on a pull request", map[string]string{"GITHUB_EVENT_PATH": event("comment.json", `{"issue":{"number":7,"pull_request":{"url":"x"}}}`)}, 7, nil},
		{"comment on an issue", map[string]string{"GITHUB_EVENT_PATH": event("issue.json", `{"issue":{"number":7}}`)}, 0, ghnotify.ErrNoPullRequest},
		{"push event, pull ref", map[string]string{"GITHUB_EVENT_PATH": event("push.json", `{"ref":"refs/heads/main"}`), "GITHUB_REF": "refs/pull/13/merge"}, 13, nil},
		{"schedule", map[string]string{"GITHUB_REF": "refs/heads/main"}, 0, ghnotify.ErrNoPullRequest},
		{"missing event file", map[string]string{"GITHUB_EVENT_PATH": filepath.Join(dir, "missing.json")}, 0, os.ErrNotExist},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got, err := ghnotify.PullRequestFromEnv(func(k string) string { return tc.env[k] })
			if tc.err != nil {
				if !errors.Is(err, tc.err) {
					t.Fatalf("err = %v, want %v", err, tc.err)
				}
				return
			}
			if err != nil || got != tc.want {
				t.Errorf("= %d, %v; want %d", got, err, tc.want)
			}
		})
	}
}

func TestAPIErrors(t *testing.T) {
	ctx := context.Background()
	for _, tc := range []struct {
		name     string
		fault    ghfake.Fault
		sentinel error
		status   int
		mentions []string
	}{
		{"server error", ghfake.Fault{Method: "POST", Status: 502, Message: "upstream exploded"}, nil, 502, []string{"GitHub API 502", "upstream exploded", "acme/platform#1"}},
		{"forbidden", ghfake.Fault{Method: "POST", Status: 403, Message: "Resource not accessible by integration"}, nil, 403, []string{"Resource not accessible by integration", "pull-requests: write"}},
		{"rate limit", ghfake.Fault{RateLimit: true}, ghnotify.ErrRateLimited, 403, []string{"API rate limit exceeded", "5000 requests an hour", "resets at 2024-01-01 01:00:00 UTC"}},
		{"secondary rate limit", ghfake.Fault{SecondaryRateLimit: true}, ghnotify.ErrSecondaryRateLimit, 403, []string{"secondary rate limit", "retry after 1m0s"}},
		{"too many requests", ghfake.Fault{Status: 429, Message: "slow down"}, ghnotify.ErrRateLimited, 429, []string{"slow down"}},
		{"server echoes the token", ghfake.Fault{Status: 400, Message: "bad request from Bearer " + ghfake.DefaultToken}, nil, 400, []string{"Bearer xxxxx"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			fake, n := newFake(t, ghfake.Options{})
			pr := fake.AddPullRequest("pr")
			fake.Fail(tc.fault)
			_, err := n.UpsertComment(ctx, pr, "octosync:plan", "body")
			var apiErr *ghnotify.APIError
			if !errors.As(err, &apiErr) || apiErr.Status != tc.status {
				t.Fatalf("err = %v, want an *APIError with status %d", err, tc.status)
			}
			if tc.sentinel != nil && !errors.Is(err, tc.sentinel) {
				t.Errorf("err = %v, want %v", err, tc.sentinel)
			}
			for _, m := range tc.mentions {
				if !strings.Contains(err.Error(), m) {
					t.Errorf("error %q does not mention %q", err, m)
				}
			}
			if strings.Contains(err.Error(), fake.Token) {
				t.Errorf("error shows the token: %v", err)
			}
		})
	}
}

func TestBadTokenAndRepository(t *testing.T) {
	fake := ghfake.New(ghfake.Options{})
	defer fake.Close()
	wrong, err := ghnotify.New("ghs_wrongToken", fake.URL, "acme/platform", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = wrong.SyncIssue(context.Background(), ghnotify.IssueSpec{Key: "hub", Title: "t", Open: true})
	var apiErr *ghnotify.APIError
	if !errors.As(err, &apiErr) || apiErr.Status != 401 || !strings.Contains(err.Error(), "Bad credentials") || strings.Contains(err.Error(), "ghs_wrongToken") {
		t.Errorf("wrong token: %v", err)
	}
	for _, format := range []string{"%v", "%+v", "%#v", "%s"} {
		if s := fmt.Sprintf(format, wrong); strings.Contains(s, "ghs_wrongToken") {
			t.Errorf("Printf(%s, notifier) shows the token: %s", format, s)
		}
	}
	other, err := ghnotify.New(fake.Token, fake.URL, "acme/other", nil)
	if err != nil {
		t.Fatal(err)
	}
	_, err = other.UpsertComment(context.Background(), 1, "m", "b")
	if !errors.As(err, &apiErr) || apiErr.Status != 404 || !strings.Contains(err.Error(), "acme/other#1") {
		t.Errorf("missing repository: %v", err)
	}
}
