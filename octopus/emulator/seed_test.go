package emulator

import (
	"net/http"
	"strings"
	"testing"
	"testing/fstest"
)

func TestSeed(t *testing.T) {
	seed := fstest.MapFS{
		"users/people.json":                                {Data: []byte(`[{"Username": "alice", "DisplayName": "Alice"}, {"Username": "bob"}]`)},
		"spaces/payments.json":                             {Data: []byte(`{"Name": "Payments", "SpaceManagersTeams": ["teams-administrators"]}`)},
		"spaces/Payments/environments/envs.json":           {Data: []byte(`[{"Id": "Environments-10", "Name": "Dev"}, {"Name": "Prod"}]`)},
		"spaces/Payments/lifecycles/standard.json":         {Data: []byte(`{"Name": "Standard", "Phases": [{"Name": "Dev", "AutomaticDeploymentTargets": ["Environments-10"]}]}`)},
		"spaces/Identity/projectGroups/services.json":      {Data: []byte(`{"Name": "Services"}`)},
		"authentication/okta.json":                         {Data: []byte(`{"IsEnabled": true, "Issuer": "https://acme.okta.com", "ClientSecret": {"NewValue": "x"}}`)},
		"smtp/smtp.json":                                   {Data: []byte(`{"SmtpHost": "smtp.acme.com", "SmtpPort": 25}`)},
		"instances/eu/spaces/Default/environments/eu.json": {Data: []byte(`{"Name": "EU"}`)},
		"instances/eu/teams/platform.json":                 {Data: []byte(`{"Name": "Platform"}`)},
	}
	_, ts := start(t, Options{Seed: seed, Instances: []string{"eu"}})
	_, users := call(t, ts, http.MethodGet, "/api/users?filter=alice", nil)
	if users["TotalResults"] != float64(1) {
		t.Fatalf("seeded users: %v", users)
	}
	_, spaces := call(t, ts, http.MethodGet, "/api/spaces/all", nil)
	_, all := callRaw(t, ts, http.MethodGet, "/api/spaces/all", nil)
	if !strings.Contains(string(all), `"Payments"`) || !strings.Contains(string(all), `"Identity"`) {
		t.Fatalf("seeded spaces: %s %v", all, spaces)
	}
	st, env := call(t, ts, http.MethodGet, "/api/spaces/payments/environments/Environments-10", nil)
	wantStatus(t, st, http.StatusOK, env, "the seeded environment with its own id")
	_, lcs := call(t, ts, http.MethodGet, "/api/spaces/payments/lifecycles?name=Standard", nil)
	if lcs["TotalResults"] != float64(1) {
		t.Fatalf("seeded lifecycle: %v", lcs)
	}
	// A new environment does not collide with the seeded id.
	_, created := call(t, ts, http.MethodPost, "/api/spaces/payments/environments", map[string]any{"Name": "Test"})
	if created["Id"] == "Environments-10" || created["Id"] == nil {
		t.Fatalf("new environment: %v", created)
	}
	_, okta := call(t, ts, http.MethodGet, "/api/configuration/authentication-od/values", nil)
	if okta["IsEnabled"] != true || okta["ClientSecret"].(map[string]any)["HasValue"] != true {
		t.Fatalf("seeded okta: %v", okta)
	}
	_, eu := call(t, ts, http.MethodGet, "/eu/api/Spaces-1/environments?name=EU", nil)
	if eu["TotalResults"] != float64(1) {
		t.Fatalf("the eu instance's seed: %v", eu)
	}
	_, def := call(t, ts, http.MethodGet, "/api/Spaces-1/environments?name=EU", nil)
	if def["TotalResults"] != float64(0) {
		t.Fatal("the eu instance's seed went to the default instance")
	}
}

func TestSeedErrors(t *testing.T) {
	for name, seed := range map[string]fstest.MapFS{
		"unknown kind":                 {"widgets/a.json": {Data: []byte(`{}`)}},
		"bad json":                     {"environments/a.json": {Data: []byte(`{`)}},
		"invalid doc":                  {"spaces/Default/environments/a.json": {Data: []byte(`{"Description": "no name"}`)}},
		"not an object":                {"users/a.json": {Data: []byte(`[1]`)}},
		"space kind at instance level": {"environments/a.json": {Data: []byte(`{"Name": "Dev"}`)}},
	} {
		t.Run(name, func(t *testing.T) {
			if _, err := New(Options{APIKey: testKey, Seed: seed}); err == nil {
				t.Fatal("New accepted a bad seed")
			}
		})
	}
}
