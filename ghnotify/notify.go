package ghnotify

import (
	"encoding/json"
	"errors"
	"fmt"
	"net/http"
	"net/url"
	"os"
	"regexp"
	"strconv"
	"strings"

	"github.com/google/go-github/v60/github"
)

// Environment variables read by [FromEnv] and [PullRequestFromEnv]; GitHub
// Actions sets all but the token, which a workflow passes in with
// `env: GITHUB_TOKEN: ${{ secrets.GITHUB_TOKEN }}`.
const (
	EnvToken      = "GITHUB_TOKEN"
	EnvGHToken    = "GH_TOKEN" // the gh CLI's name, used when EnvToken is unset
	EnvRepository = "GITHUB_REPOSITORY"
	EnvAPIURL     = "GITHUB_API_URL"
	EnvEventPath  = "GITHUB_EVENT_PATH"
	EnvRef        = "GITHUB_REF"
)

// DefaultAPIURL is GitHub.com's REST API, used when GITHUB_API_URL is unset.
const DefaultAPIURL = "https://api.github.com/"

// Errors returned by this package; test for them with errors.Is.
var (
	// ErrConfig means a setting (token, repository, API URL) is missing or
	// malformed; the message names the environment variable.
	ErrConfig = errors.New("GitHub is not configured")
	// ErrNoPullRequest means no pull request number was given and none
	// could be found in the GitHub Actions event.
	ErrNoPullRequest = errors.New("no pull request")
	// ErrInvalid means a marker, key or fingerprint cannot be embedded in a
	// hidden HTML comment.
	ErrInvalid = errors.New("invalid argument")
	// ErrRateLimited means the token's primary rate limit is spent.
	ErrRateLimited = errors.New("GitHub API rate limit exceeded")
	// ErrSecondaryRateLimit means GitHub throttled a burst of requests.
	ErrSecondaryRateLimit = errors.New("GitHub API secondary rate limit exceeded")
)

// Notifier posts to one repository's pull requests and issues. It never
// prints its token, not even through %v.
type Notifier struct {
	client *github.Client
	owner  string
	name   string
	token  string // only to scrub from error messages
}

// New returns a Notifier for repo ("owner/name") using token, against the
// REST API at apiURL (DefaultAPIURL when empty; a GitHub Enterprise Server's
// is https://HOST/api/v3/). httpClient may be nil for a default client;
// bound requests with the context passed to each call.
func New(token, apiURL, repo string, httpClient *http.Client) (*Notifier, error) {
	if token == "" {
		return nil, fmt.Errorf("%w: no token: set %s (or %s)", ErrConfig, EnvToken, EnvGHToken)
	}
	owner, name, ok := strings.Cut(repo, "/")
	if !ok || owner == "" || name == "" || strings.Contains(name, "/") {
		return nil, fmt.Errorf("%w: repository %q is not owner/name (%s)", ErrConfig, repo, EnvRepository)
	}
	if apiURL == "" {
		apiURL = DefaultAPIURL
	}
	base, err := url.Parse(apiURL)
	if err != nil || (base.Scheme != "https" && base.Scheme != "http") || base.Host == "" {
		return nil, fmt.Errorf("%w: API URL %q is not an http(s) URL (%s)", ErrConfig, apiURL, EnvAPIURL)
	}
	if !strings.HasSuffix(base.Path, "/") {
		base.Path += "/"
	}
	client := github.NewClient(httpClient).WithAuthToken(token)
	client.BaseURL = base
	return &Notifier{client: client, owner: owner, name: name, token: token}, nil
}

// FromEnv returns a Notifier configured from the variables GitHub Actions
// sets, read through getenv (os.Getenv in production): the token from
// GITHUB_TOKEN or GH_TOKEN, the repository from GITHUB_REPOSITORY and the
// API from GITHUB_API_URL. Missing variables are named in the error.
func FromEnv(getenv func(string) string) (*Notifier, error) {
	token := getenv(EnvToken)
	if token == "" {
		token = getenv(EnvGHToken)
	}
	repo := getenv(EnvRepository)
	var missing []string
	if token == "" {
		missing = append(missing, EnvToken+" (or "+EnvGHToken+")")
	}
	if repo == "" {
		missing = append(missing, EnvRepository+" (owner/name)")
	}
	if len(missing) > 0 {
		return nil, fmt.Errorf("%w: set %s; in GitHub Actions pass the token with `env: %s: ${{ secrets.GITHUB_TOKEN }}`",
			ErrConfig, strings.Join(missing, " and "), EnvToken)
	}
	return New(token, getenv(EnvAPIURL), repo, nil)
}

// Repo returns the repository as owner/name.
func (n *Notifier) Repo() string { return n.owner + "/" + n.name }

// String describes the Notifier without its token.
func (n *Notifier) String() string {
	return fmt.Sprintf("ghnotify.Notifier{repo: %s, api: %s}", n.Repo(), n.client.BaseURL)
}

// GoString is String, so that %#v hides the token too.
func (n *Notifier) GoString() string { return n.String() }

var pullRef = regexp.MustCompile(`^refs/pull/([0-9]+)/(merge|head)$`)

// PullRequestFromEnv finds the pull request a GitHub Actions run is for:
// pull_request.number (or issue.number, for a comment on a pull request)
// in the event file at GITHUB_EVENT_PATH, else the number in a GITHUB_REF
// of the form refs/pull/N/merge. Anything else is ErrNoPullRequest.
func PullRequestFromEnv(getenv func(string) string) (int, error) {
	if p := getenv(EnvEventPath); p != "" {
		data, err := os.ReadFile(p)
		if err != nil {
			return 0, fmt.Errorf("read the GitHub event (%s): %w", EnvEventPath, err)
		}
		var event struct {
			PullRequest *struct {
				Number int `json:"number"`
			} `json:"pull_request"`
			Issue *struct {
				Number      int             `json:"number"`
				PullRequest json.RawMessage `json:"pull_request"`
			} `json:"issue"`
		}
		if err := json.Unmarshal(data, &event); err != nil {
			return 0, fmt.Errorf("read the GitHub event %s (%s): %w", p, EnvEventPath, err)
		}
		switch {
		case event.PullRequest != nil && event.PullRequest.Number > 0:
			return event.PullRequest.Number, nil
		case event.Issue != nil && event.Issue.Number > 0 && len(event.Issue.PullRequest) > 0:
			return event.Issue.Number, nil
		}
	}
	if m := pullRef.FindStringSubmatch(getenv(EnvRef)); m != nil {
		return strconv.Atoi(m[1])
	}
	return 0, fmt.Errorf("%w: this run is not for a pull request (%s has no pull_request.number and %s is %q): give the number explicitly",
		ErrNoPullRequest, EnvEventPath, EnvRef, getenv(EnvRef))
}

// Action says what a call did on GitHub.
type Action string

// The actions: the comment results are Created, Updated and Unchanged; the
// issue results are Opened, Updated, Unchanged, Closed and None.
const (
	Created   Action = "created"   // a new sticky comment was posted
	Updated   Action = "updated"   // the comment or issue was edited in place
	Unchanged Action = "unchanged" // nothing was posted: GitHub already says this
	Opened    Action = "opened"    // a drift issue was opened
	Closed    Action = "closed"    // the drift issue was closed, with a comment
	None      Action = "none"      // no drift and no open issue: nothing to do
)

// Result reports what [Notifier.UpsertComment] or [Notifier.SyncIssue] did.
type Result struct {
	Action Action
	// Number is the pull request or issue; 0 when Action is None.
	Number int
	// CommentID is the sticky comment's id (UpsertComment only).
	CommentID int64
	// URL is the comment's or issue's page on GitHub.
	URL string
}

// APIError is a failed GitHub API call: what was being done, GitHub's
// status and message, and a hint. It unwraps to ErrRateLimited or
// ErrSecondaryRateLimit when GitHub throttled the call, and to the
// go-github error.
type APIError struct {
	Op      string   // what was being done, naming the repository and number
	Status  int      // the HTTP status; 0 when no response came back
	Message string   // GitHub's message
	Details []string // GitHub's per-field errors
	Hint    string   // what to do about it
	err     error
	kind    error // ErrRateLimited, ErrSecondaryRateLimit or nil
}

// Error reads "OP: GitHub API STATUS: MESSAGE (DETAILS): HINT".
func (e *APIError) Error() string {
	var b strings.Builder
	b.WriteString(e.Op)
	b.WriteString(": ")
	if e.Status != 0 {
		fmt.Fprintf(&b, "GitHub API %d", e.Status)
		if e.Message != "" {
			b.WriteString(": " + e.Message)
		}
	} else {
		b.WriteString(e.Message)
	}
	if len(e.Details) > 0 {
		b.WriteString(" (" + strings.Join(e.Details, "; ") + ")")
	}
	if e.Hint != "" {
		b.WriteString(": " + e.Hint)
	}
	return b.String()
}

// Unwrap returns the sentinel, if any, and the underlying error.
func (e *APIError) Unwrap() []error {
	if e.kind != nil {
		return []error{e.kind, e.err}
	}
	return []error{e.err}
}

// apiError turns a go-github error into an *APIError with a hint, its
// message scrubbed of the token.
func (n *Notifier) apiError(op string, err error) error {
	e := &APIError{Op: op, err: err}
	var (
		rate  *github.RateLimitError
		abuse *github.AbuseRateLimitError
		resp  *github.ErrorResponse
	)
	switch {
	case errors.As(err, &rate):
		e.kind, e.Status, e.Message = ErrRateLimited, rate.Response.StatusCode, rate.Message
		e.Hint = fmt.Sprintf("the token's limit of %d requests an hour is spent; it resets at %s",
			rate.Rate.Limit, rate.Rate.Reset.UTC().Format("2006-01-02 15:04:05 MST"))
	case errors.As(err, &abuse):
		e.kind, e.Status, e.Message = ErrSecondaryRateLimit, abuse.Response.StatusCode, abuse.Message
		e.Hint = "GitHub throttled a burst of requests; run again later"
		if abuse.RetryAfter != nil {
			e.Hint = fmt.Sprintf("GitHub throttled a burst of requests; retry after %s", abuse.RetryAfter)
		}
	case errors.As(err, &resp):
		e.Message = resp.Message
		if resp.Response != nil {
			e.Status = resp.Response.StatusCode
		}
		for _, d := range resp.Errors {
			if d.Message != "" {
				e.Details = append(e.Details, d.Message)
			} else {
				e.Details = append(e.Details, fmt.Sprintf("%s %s is %s", d.Resource, d.Field, d.Code))
			}
		}
		e.Hint = hintFor(e.Status)
		if e.Status == http.StatusTooManyRequests {
			e.kind = ErrRateLimited
		}
	default:
		e.Message = err.Error()
	}
	e.Op = scrubString(e.Op, n.token)
	e.Message = scrubString(e.Message, n.token)
	for i, d := range e.Details {
		e.Details[i] = scrubString(d, n.token)
	}
	return e
}

func hintFor(status int) string {
	switch status {
	case http.StatusUnauthorized:
		return "the token is invalid or has expired"
	case http.StatusForbidden:
		return "the token may not write here: give the workflow `permissions: {pull-requests: write, issues: write}`; a pull request from a fork only gets a read-only token"
	case http.StatusNotFound:
		return "the repository, pull request or issue does not exist, or the token cannot see it"
	case http.StatusGone:
		return "issues are disabled in this repository"
	case http.StatusUnprocessableEntity:
		return "GitHub rejected the request as invalid"
	case http.StatusTooManyRequests:
		return "GitHub throttled the requests; run again later"
	}
	return ""
}

func scrubString(s, secret string) string {
	if secret == "" {
		return s
	}
	return strings.ReplaceAll(s, secret, "xxxxx")
}
