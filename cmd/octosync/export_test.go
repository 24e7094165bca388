package main

import (
	"testing"

	"octosync.dev/octosync/model"
)

// TestSecretNames: two places whose generated names collide get names of
// their own, and asking again for a place gives the name it was given.
func TestSecretNames(t *testing.T) {
	name := secretNames()
	a := model.Key{Space: "S", Kind: "feeds", Name: "a b"}
	b := model.Key{Space: "S", Kind: "feeds", Name: "a-b"}
	got := []string{name(a, "Password").Env, name(b, "Password").Env, name(a, "Password").Env}
	want := []string{"OCTOPUS_SECRET_S_FEED_A_B_PASSWORD", "OCTOPUS_SECRET_S_FEED_A_B_PASSWORD_2", "OCTOPUS_SECRET_S_FEED_A_B_PASSWORD"}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("name %d: got %s, want %s", i, got[i], want[i])
		}
	}
}
