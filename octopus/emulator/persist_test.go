package emulator

import (
	"net/http"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

func TestStateSurvivesARestart(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s, ts := start(t, Options{StatePath: path, Instances: []string{"eu"}})
	st, env := call(t, ts, http.MethodPost, "/api/Spaces-1/environments", map[string]any{"Name": "Production"})
	wantStatus(t, st, http.StatusCreated, env, "POST environment")
	st, feed := call(t, ts, http.MethodPost, "/api/Spaces-1/feeds", map[string]any{"Name": "NuGet", "FeedType": "NuGet",
		"FeedUri": "https://api.nuget.org/v3/index.json", "Password": map[string]any{"NewValue": "pw"}})
	wantStatus(t, st, http.StatusCreated, feed, "POST feed")
	st, _ = call(t, ts, http.MethodPost, "/eu/api/Spaces-1/environments", map[string]any{"Name": "EU only"})
	wantStatus(t, st, http.StatusCreated, nil, "POST in the eu instance")
	_, rootBefore := call(t, ts, http.MethodGet, "/api", nil)
	ts.Close()
	if err := s.Close(); err != nil {
		t.Fatal(err)
	}
	b, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if strings.Contains(string(b), testKey) {
		t.Fatal("the state file holds the API key")
	}

	_, ts2 := start(t, Options{StatePath: path, Instances: []string{"eu"}})
	st, got := call(t, ts2, http.MethodGet, "/api/Spaces-1/environments/"+env["Id"].(string), nil)
	wantStatus(t, st, http.StatusOK, got, "GET after a restart")
	if got["Name"] != "Production" {
		t.Fatalf("after a restart: %v", got)
	}
	_, f := call(t, ts2, http.MethodGet, "/api/Spaces-1/feeds/"+feed["Id"].(string), nil)
	if f["Password"].(map[string]any)["HasValue"] != true {
		t.Fatal("the feed's password did not survive a restart")
	}
	_, eu := call(t, ts2, http.MethodGet, "/eu/api/Spaces-1/environments?name=EU%20only", nil)
	if eu["TotalResults"] != float64(1) {
		t.Fatal("the eu instance's state did not survive a restart")
	}
	_, rootAfter := call(t, ts2, http.MethodGet, "/api", nil)
	if rootAfter["InstallationId"] != rootBefore["InstallationId"] {
		t.Fatal("the InstallationId changed across a restart")
	}
	// Counters continue: the next environment does not reuse an id.
	_, env2 := call(t, ts2, http.MethodPost, "/api/Spaces-1/environments", map[string]any{"Name": "Staging"})
	if env2["Id"] == env["Id"] {
		t.Fatal("an id was reused after a restart")
	}
}

func TestStateFileIsNeverClobbered(t *testing.T) {
	for _, tc := range []struct{ name, content, want string }{
		{"corrupt", `{"Format": "octosync-emulator-state", "Version": 1, "Instances": {`, "not valid JSON"},
		{"foreign", `{"name": "my-app", "version": "1.0.0"}`, "is not an octosync emulator state file"},
		{"empty", ``, "not valid JSON"},
		{"newer", `{"Format": "octosync-emulator-state", "Version": 99, "Instances": {}}`, "version 99"},
		{"broken instance", `{"Format": "octosync-emulator-state", "Version": 1, "Instances": {"default": {"InstallationId": "x", "Collections": {"environments": [{"Name": "no id"}]}}}}`, "has no Id"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			path := filepath.Join(t.TempDir(), "state.json")
			if err := os.WriteFile(path, []byte(tc.content), 0o600); err != nil {
				t.Fatal(err)
			}
			_, err := New(Options{APIKey: testKey, StatePath: path})
			if err == nil || !strings.Contains(err.Error(), tc.want) {
				t.Fatalf("New: %v, want an error mentioning %q", err, tc.want)
			}
			b, _ := os.ReadFile(path)
			if string(b) != tc.content {
				t.Fatal("the file was changed")
			}
		})
	}
}

func TestStateKeepsUnconfiguredInstances(t *testing.T) {
	path := filepath.Join(t.TempDir(), "state.json")
	s, ts := start(t, Options{StatePath: path, Instances: []string{"eu"}})
	call(t, ts, http.MethodPost, "/eu/api/Spaces-1/environments", map[string]any{"Name": "Kept"})
	ts.Close()
	s.Close()
	// Restart without the eu instance, change something, restart with it.
	s2, ts2 := start(t, Options{StatePath: path})
	call(t, ts2, http.MethodPost, "/api/Spaces-1/environments", map[string]any{"Name": "Default only"})
	ts2.Close()
	s2.Close()
	_, ts3 := start(t, Options{StatePath: path, Instances: []string{"eu"}})
	_, eu := call(t, ts3, http.MethodGet, "/eu/api/Spaces-1/environments?name=Kept", nil)
	if eu["TotalResults"] != float64(1) {
		t.Fatal("an instance that was not configured lost its state")
	}
}
