package octopus

import (
	"errors"
	"fmt"
	"net/http"
	"strconv"
	"strings"
)

// Sentinel errors. An [*APIError] or [*UnreachableError] unwraps to the one
// that describes it, so callers test with errors.Is.
var (
	// ErrNotFound: the server answered 404.
	ErrNotFound = errors.New("not found")
	// ErrUnauthorized: the server answered 401; the API key is wrong,
	// expired or revoked.
	ErrUnauthorized = errors.New("unauthorized")
	// ErrForbidden: the server answered 403; the key's user lacks a
	// permission (Octopus names it in the message).
	ErrForbidden = errors.New("forbidden")
	// ErrVersionConflict: a write was refused because the document changed
	// on the server since it was read (a stale Version).
	ErrVersionConflict = errors.New("version conflict")
	// ErrUnreachable: no answer came from the server.
	ErrUnreachable = errors.New("server unreachable")
)

// versionConflictText is the part every one of Octopus's stale-Version
// messages shares: "Changes to this deployment process could not be saved,
// because another user has made changes to the deployment process between
// when you started editing and when you saved your changes…", and the same
// for variables and runbook processes.
const versionConflictText = "another user has made changes"

// APIError is an error answer from an Octopus server. The client fills in
// Instance, Method, Path, Status and, from Octopus's JSON error document,
// ErrorMessage and Errors; callers that know which resource the request was
// about add Space, Kind and Name with [APIError.About] or [About].
type APIError struct {
	// Instance is octosync's name for the instance.
	Instance string
	// Space is the space's name; empty for instance-level resources.
	Space string
	// Kind is the singular label of the resource's kind ("project").
	Kind string
	// Name is the resource's name.
	Name string
	// Method and Path are the request's; Path is the API path below the
	// instance URL, with its query.
	Method, Path string
	// Status is the HTTP status code.
	Status int
	// ErrorMessage and Errors are Octopus's own explanation.
	ErrorMessage string
	Errors       []string
}

// Error formats e as
//
//	instance "hub": space "payments": project "api": PUT /api/Spaces-2/projects/Projects-3: 400 Bad Request: message (error; error)
//
// leaving out the parts that are empty, and adds what to do where the status
// alone says it (401: check the instance's API key).
func (e *APIError) Error() string {
	var b strings.Builder
	writeSubject(&b, e.Instance, e.Space, e.Kind, e.Name)
	fmt.Fprintf(&b, "%s %s: %d", e.Method, e.Path, e.Status)
	if text := http.StatusText(e.Status); text != "" {
		b.WriteString(" " + text)
	}
	errs := e.Errors
	if len(errs) == 1 && errs[0] == e.ErrorMessage {
		errs = nil
	}
	switch {
	case e.ErrorMessage != "" && len(errs) > 0:
		fmt.Fprintf(&b, ": %s (%s)", e.ErrorMessage, strings.Join(errs, "; "))
	case e.ErrorMessage != "":
		b.WriteString(": " + e.ErrorMessage)
	case len(errs) > 0:
		b.WriteString(": " + strings.Join(errs, "; "))
	}
	switch {
	case e.Status == http.StatusUnauthorized && e.Instance != "":
		fmt.Fprintf(&b, "; check the API key of instance %q: it may be wrong, expired or revoked", e.Instance)
	case e.Status == http.StatusUnauthorized:
		b.WriteString("; check the API key: it may be wrong, expired or revoked")
	case e.Status == http.StatusNotFound && e.ErrorMessage == "" && len(e.Errors) == 0:
		b.WriteString("; the answer is not an Octopus error document: check the instance URL")
	}
	return b.String()
}

// Unwrap returns the sentinel error describing e ([ErrNotFound],
// [ErrUnauthorized], [ErrForbidden], [ErrVersionConflict]), or nil.
func (e *APIError) Unwrap() error {
	switch {
	case e.Status == http.StatusUnauthorized:
		return ErrUnauthorized
	case e.Status == http.StatusForbidden:
		return ErrForbidden
	case e.Status == http.StatusNotFound:
		return ErrNotFound
	case e.isVersionConflict():
		return ErrVersionConflict
	}
	return nil
}

func (e *APIError) isVersionConflict() bool {
	if e.Status != http.StatusBadRequest && e.Status != http.StatusConflict {
		return false
	}
	for _, s := range append([]string{e.ErrorMessage}, e.Errors...) {
		if strings.Contains(strings.ToLower(s), versionConflictText) {
			return true
		}
	}
	return false
}

// About records which resource the failed request was about and returns e.
// kind is the kind's singular label ([Kind.Label], "project"); space is
// empty for instance-level resources.
func (e *APIError) About(space, kind, name string) *APIError {
	e.Space, e.Kind, e.Name = space, kind, name
	return e
}

// About records on the [*APIError] in err's chain, if there is one, which
// resource the failed request was about, and returns err. Client methods
// return their *APIError unwrapped, so call About before wrapping the error
// further: fmt.Errorf fixes a wrapper's message when it is made.
func About(err error, space, kind, name string) error {
	if e, ok := errors.AsType[*APIError](err); ok {
		e.About(space, kind, name)
	}
	return err
}

// IsNotFound reports whether err says the server answered 404.
func IsNotFound(err error) bool { return errors.Is(err, ErrNotFound) }

// IsVersionConflict reports whether err says a write was refused because the
// document changed on the server since it was read: Octopus answers a stale
// Version with 400 and "Changes to this … could not be saved, because another
// user has made changes …". The caller should read the document again.
func IsVersionConflict(err error) bool { return errors.Is(err, ErrVersionConflict) }

// UnreachableError says a request got no answer from the server: the
// connection was refused, the name did not resolve, TLS failed, or no answer
// came in time, on every attempt.
type UnreachableError struct {
	// Instance is octosync's name for the instance; URL is its base URL.
	Instance, URL string
	// Method and Path are the request's, as in [APIError].
	Method, Path string
	// Attempts is how many times the request was tried.
	Attempts int
	// Err is the last attempt's error.
	Err error
}

// Error formats e as
//
//	instance "hub": GET /api/spaces: cannot reach the Octopus server at https://octopus.example.com (5 attempts): dial tcp: …: connection refused
func (e *UnreachableError) Error() string {
	var b strings.Builder
	writeSubject(&b, e.Instance, "", "", "")
	fmt.Fprintf(&b, "%s %s: cannot reach the Octopus server at %s", e.Method, e.Path, e.URL)
	if e.Attempts > 1 {
		b.WriteString(" (" + strconv.Itoa(e.Attempts) + " attempts)")
	}
	if e.Err != nil {
		b.WriteString(": " + e.Err.Error())
	}
	return b.String()
}

// Unwrap returns [ErrUnreachable] and the last attempt's error.
func (e *UnreachableError) Unwrap() []error { return []error{ErrUnreachable, e.Err} }

// writeSubject writes `instance "i": space "s": kind "name": `, leaving
// out the empty parts.
func writeSubject(b *strings.Builder, instance, space, kind, name string) {
	if instance != "" {
		fmt.Fprintf(b, "instance %q: ", instance)
	}
	if space != "" {
		fmt.Fprintf(b, "space %q: ", space)
	}
	switch {
	case kind != "" && name != "":
		fmt.Fprintf(b, "%s %q: ", kind, name)
	case kind != "":
		b.WriteString(kind + ": ")
	case name != "":
		fmt.Fprintf(b, "%q: ", name)
	}
}
