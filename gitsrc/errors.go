package gitsrc

import (
	"errors"
	"net/url"
	"strings"
)

// Errors returned by this package. Each is wrapped with the repository, the
// ref and a hint, so test for them with errors.Is.
var (
	// ErrRepoNotFound means the repository URL or path does not name a
	// repository this process can see (a private repository without a token
	// looks the same as a missing one).
	ErrRepoNotFound = errors.New("repository not found")
	// ErrRepoEmpty means the repository exists but has no commits.
	ErrRepoEmpty = errors.New("repository has no commits")
	// ErrRefNotFound means no branch, tag or commit of the repository
	// matches the ref.
	ErrRefNotFound = errors.New("ref not found")
	// ErrPathNotFound means the subdirectory asked for does not exist at the
	// ref, or is not a directory.
	ErrPathNotFound = errors.New("path not found")
	// ErrAuth means the server refused the credentials, or asked for some
	// and none were given.
	ErrAuth = errors.New("authentication failed")
	// ErrNotWorkTree means a directory given to [Dir] or [WorkTreeChanged]
	// needs a git work tree and is not inside one.
	ErrNotWorkTree = errors.New("not inside a git work tree")
)

// redactURL removes any password or token embedded in a repository URL
// ("https://user:secret@host/…" becomes "https://user:xxxxx@host/…") so it can be
// named in messages and snapshots.
func redactURL(repo string) string {
	u, err := url.Parse(repo)
	if err != nil || u.User == nil {
		return repo
	}
	if _, ok := u.User.Password(); !ok {
		return repo
	}
	return u.Redacted()
}

// scrubbed is an error whose message has had secrets replaced. It unwraps to
// the original, so errors.Is and errors.As see through it.
type scrubbed struct {
	msg string
	err error
}

func (e *scrubbed) Error() string { return e.msg }
func (e *scrubbed) Unwrap() error { return e.err }

// scrub guarantees that none of secrets appears in err's message, whatever a
// server echoed back or a transport formatted into it.
func scrub(err error, secrets ...string) error {
	if err == nil {
		return nil
	}
	msg := err.Error()
	changed := false
	for _, s := range secrets {
		if s != "" && strings.Contains(msg, s) {
			msg = strings.ReplaceAll(msg, s, "xxxxx")
			changed = true
		}
	}
	if !changed {
		return err
	}
	return &scrubbed{msg: msg, err: err}
}
