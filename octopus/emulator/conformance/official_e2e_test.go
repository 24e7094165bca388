package conformance

import (
	"net/http/httptest"
	"os"
	"os/exec"
	"testing"

	"octosync.dev/octosync/octopus/emulator"
)

// officialSkip names the official e2e tests of features the emulator does
// not serve: they are not configuration (machines, workers, packages,
// releases, tasks, events, artifacts, build information), or are newer
// features octosync does not manage (ephemeral environments, deployment
// freezes, rate limiting, community templates, space default retention).
const officialSkip = "RateLimiting|Artifact|BuildInformation|CommunityActionTemplate|DeploymentFreeze|Ephemeral|" +
	"TestEnvironmentServiceGetByPartialName|TestEnvironmentServiceGetByID|Events|Monitor|Machine|Package|ProjectTrigger|" +
	"Release|RunbookSnapshot|RetentionDefaultPolicy|RetentionDefaultPolicyUsing|TaskService|WorkerService"

// TestOfficialE2E runs the official client's own end-to-end tests
// (github.com/OctopusDeploy/go-octopusdeploy/v2/test/e2e, written against a
// real Octopus Server) against a fresh emulator, over loopback. It builds
// and runs another package's tests with the go command, which takes a few
// seconds once the build cache is warm; -short or OCTOSYNC_OFFICIAL_E2E=0
// skips it.
func TestOfficialE2E(t *testing.T) {
	if testing.Short() || os.Getenv("OCTOSYNC_OFFICIAL_E2E") == "0" {
		t.Skip("skipped with -short or OCTOSYNC_OFFICIAL_E2E=0")
	}
	if _, err := exec.LookPath("go"); err != nil {
		t.Skip("the go command is not on PATH")
	}
	const key = "API-OFFICIALE2E00000000000000000"
	em, err := emulator.New(emulator.Options{APIKey: key})
	must(t, err, "starting an emulator")
	srv := httptest.NewServer(em)
	defer srv.Close()
	cmd := exec.Command("go", "test", "-count=1", "-skip", officialSkip, "github.com/OctopusDeploy/go-octopusdeploy/v2/test/e2e")
	cmd.Env = append(os.Environ(), "OCTOPUS_HOST="+srv.URL, "OCTOPUS_API_KEY="+key, "OCTOPUS_SPACE=")
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("the official e2e tests failed against the emulator: %v\n%s", err, out)
	}
	t.Logf("%s", out)
}
