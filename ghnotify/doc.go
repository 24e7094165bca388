// Package ghnotify tells GitHub what octosync found: it keeps one sticky
// comment on a pull request up to date with the latest plan, and keeps one
// issue per drifting instance (or space) open, current and then closed as
// the drift comes and goes. It posts markdown it is given (the render
// package writes it) and is the only package that imports go-github (v60).
//
// # Configuration
//
// [FromEnv] reads what a GitHub Actions job provides: the token from
// GITHUB_TOKEN (or GH_TOKEN, the gh CLI's name), the repository from
// GITHUB_REPOSITORY and the API from GITHUB_API_URL, which on GitHub
// Enterprise Server points at its own /api/v3/. [PullRequestFromEnv] finds
// the pull request in the event file at GITHUB_EVENT_PATH, or in a
// GITHUB_REF such as refs/pull/7/merge. A missing variable is an error that
// names it. The token is never printed: not by a Notifier's String, not in
// an error, even when a server echoes it back.
//
// # The sticky comment
//
// [Notifier.UpsertComment] looks through every comment on the pull request,
// page by page, for the first whose first line is a hidden HTML marker
// such as <!-- octosync:plan -->. It edits that comment in place, creates it
// when there is none, and makes no write at all when the body is already
// the same (ignoring line endings, which GitHub rewrites). Re-running a
// workflow therefore never stacks up plan comments, and the comment's link
// stays stable while the pull request evolves.
//
// # The drift issue
//
// [Notifier.SyncIssue] keeps one open issue per key. The key and a
// fingerprint of the drift live in two hidden markers in the body;
// the issue is looked for among the open issues carrying the spec's labels,
// then among all open issues, so a removed label does not cause a
// duplicate. The
// lifecycle is a pure function, [DecideIssue], from the open issue (if any)
// and this run's spec to an [Action]: open an issue when drift appears,
// edit it in place when the fingerprint changes, post nothing at all when
// the fingerprint is the one stored, close it with a short comment when the
// drift is gone, and do nothing when there is neither drift nor an issue.
// A scheduled drift job that finds the same drift every hour is thus
// silent after the first run, and nobody is notified twice for one change.
// The methods around the decision are thin: a paged list or two, and at
// most two writes.
//
// # Errors
//
// A failed call is an [*APIError] naming what was being done, with
// GitHub's status, message and per-field errors, and a hint (a 403 usually
// means the workflow lacks `permissions: pull-requests: write` or
// `issues: write`, or runs for a fork). Rate limiting unwraps to
// [ErrRateLimited] (with the reset time) or [ErrSecondaryRateLimit] (with
// GitHub's Retry-After); nothing is retried, since the next scheduled run
// is the retry.
//
// The ghfake sub-package is a fake of the endpoints used, for tests here
// and in the CLI.
package ghnotify
