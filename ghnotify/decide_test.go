package ghnotify_test

import (
	"testing"

	"octosync.dev/octosync/ghnotify"
)

func TestDecideIssue(t *testing.T) {
	open := &ghnotify.IssueState{Number: 4, Fingerprint: "fp-1"}
	digest := &ghnotify.IssueState{Number: 4, Fingerprint: "sha256:8f1ba0b1bd0d8ba7fdc0ab0a5b1a5c9b4d0e02d7c63d1e4fd09b2ee0b34f2bc5"}
	for _, tc := range []struct {
		name    string
		current *ghnotify.IssueState
		spec    ghnotify.IssueSpec
		want    ghnotify.Action
	}{
		{"no drift, no issue", nil, ghnotify.IssueSpec{Key: "hub"}, ghnotify.None},
		{"drift appears", nil, ghnotify.IssueSpec{Key: "hub", Open: true, Fingerprint: "fp-1"}, ghnotify.Opened},
		{"same drift", open, ghnotify.IssueSpec{Key: "hub", Open: true, Fingerprint: "fp-1", Title: "new words"}, ghnotify.Unchanged},
		{"drift changed", open, ghnotify.IssueSpec{Key: "hub", Open: true, Fingerprint: "fp-2"}, ghnotify.Updated},
		{"drift healed", open, ghnotify.IssueSpec{Key: "hub", Open: false, Fingerprint: "fp-1"}, ghnotify.Closed},
		{"issue without a fingerprint marker", &ghnotify.IssueState{Number: 4}, ghnotify.IssueSpec{Key: "hub", Open: true, Fingerprint: "fp-1"}, ghnotify.Updated},
		{"derived fingerprint differs", digest, ghnotify.IssueSpec{Key: "hub", Open: true, Title: "t", Body: "b"}, ghnotify.Updated},
	} {
		if got := ghnotify.DecideIssue(tc.current, tc.spec); got != tc.want {
			t.Errorf("%s: DecideIssue = %s, want %s", tc.name, got, tc.want)
		}
	}
}
