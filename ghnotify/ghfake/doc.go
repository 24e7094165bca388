// Package ghfake is a fake of the parts of GitHub's REST API that ghnotify
// uses, for tests: issues and pull requests (list with state, label filters,
// sort direction and paging; create; edit title, body, labels and state),
// and their comments (list with paging, create, edit). It runs on a loopback
// port through net/http/httptest, holds one repository in memory, accepts
// one token, and answers with GitHub's JSON shapes, status codes, Link
// headers and validation errors, so go-github works against it unchanged.
//
// Every request is recorded, so a test can assert that a run posted
// nothing ([Server.Writes]), and faults can be injected per method and path
// ([Server.Fail]), including GitHub's primary and secondary rate limits.
// Timestamps come from a clock that ticks once per write, and ids and
// numbers are sequential, so [Server.State] is stable enough for golden
// files. The CLI's testscript command github-fake is built on it.
package ghfake
