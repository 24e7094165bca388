package conformance

import (
	"net/http"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/core"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/feeds"
)

func TestFeeds(t *testing.T) {
	nuget, err := feeds.NewNuGetFeed(uniqueName("nuget"), "https://api.nuget.org/v3/index.json")
	must(t, err, "NewNuGetFeed")
	nuget.Username = "reader"
	nuget.Password = core.NewSensitiveValue("s3cret")
	created, err := octo.Feeds.Add(nuget)
	must(t, err, "Add")
	if p := created.GetPassword(); p == nil || !p.HasValue || p.NewValue != nil {
		t.Fatalf("the POST response's Password = %+v: a secret must read back as {HasValue: true, NewValue: null}", p)
	}
	got, err := octo.Feeds.GetByID(created.GetID())
	must(t, err, "GetByID")
	sameLinks(t, created.GetLinks(), got.GetLinks(), "POST vs GET")
	n := got.(*feeds.NuGetFeed)
	if n.FeedURI != nuget.FeedURI || n.DownloadAttempts != 5 || n.Username != "reader" {
		t.Fatalf("GetByID = %+v", n)
	}
	// PUT back what was read: the secret is kept.
	n.EnhancedMode = true
	updated, err := octo.Feeds.Update(n)
	must(t, err, "Update")
	if p := updated.GetPassword(); p == nil || !p.HasValue || !updated.(*feeds.NuGetFeed).EnhancedMode {
		t.Fatalf("Update lost the password or the change: %+v", updated)
	}
	// HasValue false clears it.
	n.Password = core.NewSensitiveValue("")
	n.Password.HasValue = false
	cleared, err := feeds.Update(octo, n)
	must(t, err, "Update clearing the password")
	if cleared.GetPassword() != nil && cleared.GetPassword().HasValue {
		t.Fatal("HasValue false did not clear the password")
	}

	docker, err := feeds.NewDockerContainerRegistry(uniqueName("docker"))
	must(t, err, "NewDockerContainerRegistry")
	docker.FeedURI = "https://index.docker.io"
	dcreated, err := feeds.Add(octo, docker)
	must(t, err, "Add docker (new client)")
	if opts := dcreated.GetPackageAcquisitionLocationOptions(); len(opts) != 2 || opts[0] != "ExecutionTarget" {
		t.Fatalf("docker acquisition options = %v", opts)
	}
	page, err := feeds.Get(octo, "Spaces-1", feeds.FeedsQuery{FeedType: "Docker"})
	must(t, err, "Get by feedType")
	for _, f := range page.Items {
		if f.GetFeedType() != feeds.FeedTypeDocker {
			t.Fatalf("feedType filter let %s through", f.GetFeedType())
		}
	}
	all, err := feeds.GetAll(octo, "Spaces-1")
	must(t, err, "GetAll")
	builtin := 0
	for _, f := range all {
		switch f.GetFeedType() {
		case feeds.FeedTypeBuiltIn:
			builtin++
			if f.GetID() != "feeds-builtin" {
				t.Fatalf("the Default space's built-in feed is %s", f.GetID())
			}
			wantStatus(t, feeds.DeleteByID(octo, "Spaces-1", f.GetID()), http.StatusBadRequest, "deleting the built-in feed")
		case feeds.FeedTypeOctopusProject:
			builtin++
			wantStatus(t, feeds.DeleteByID(octo, "Spaces-1", f.GetID()), http.StatusBadRequest, "deleting the Octopus Server Releases feed")
		}
	}
	if builtin != 2 {
		t.Fatalf("%d built-in feeds, want 2", builtin)
	}
	res, err := octo.Feeds.SearchPackages(got, feeds.SearchPackagesQuery{Term: "x"})
	must(t, err, "SearchPackages")
	if len(res.Items) != 0 {
		t.Fatal("package search should be empty")
	}
	dup, _ := feeds.NewNuGetFeed(nuget.Name, "https://example.com/nuget")
	_, err = octo.Feeds.Add(dup)
	wantStatus(t, err, http.StatusBadRequest, "duplicate name")
	wantError(t, raw(t, http.MethodPost, "/api/Spaces-1/feeds", map[string]any{"Name": uniqueName("nofeedtype")}), http.StatusBadRequest, "FeedType")
	wantError(t, raw(t, http.MethodPost, "/api/Spaces-1/feeds", map[string]any{"Name": uniqueName("badtype"), "FeedType": "Floppy"}), http.StatusBadRequest, "Floppy")
	wantError(t, raw(t, http.MethodPost, "/api/Spaces-1/feeds", map[string]any{"Name": uniqueName("plain secret"), "FeedType": "NuGet",
		"FeedUri": "https://x", "Password": "plain"}), http.StatusBadRequest, "Password")

	for _, id := range []string{created.GetID(), dcreated.GetID()} {
		must(t, feeds.DeleteByID(octo, "Spaces-1", id), "DeleteByID")
		_, err = feeds.GetByID(octo, "Spaces-1", id)
		wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
	}
}

// TestFeedTypes creates one feed of every type the emulator knows, with
// its secret where it has one, and reads it back.
func TestFeedTypes(t *testing.T) {
	space := newSpace(t)
	for _, body := range []map[string]any{
		{"FeedType": "Maven", "FeedUri": "https://repo.maven.apache.org/maven2", "Password": map[string]any{"NewValue": "x"}},
		{"FeedType": "GitHub", "FeedUri": "https://api.github.com"},
		{"FeedType": "Helm", "FeedUri": "https://charts.example.com"},
		{"FeedType": "Npm", "FeedUri": "https://registry.npmjs.org"},
		{"FeedType": "PyPi", "FeedUri": "https://pypi.org"},
		{"FeedType": "OciRegistry", "FeedUri": "oci://registry.example.com"},
		{"FeedType": "AwsElasticContainerRegistry", "Region": "us-east-1", "AccessKey": "AKIA", "SecretKey": map[string]any{"NewValue": "x"}},
		{"FeedType": "AzureContainerRegistry", "FeedUri": "https://x.azurecr.io"},
		{"FeedType": "GoogleContainerRegistry", "FeedUri": "https://gcr.io"},
		{"FeedType": "ArtifactoryGeneric", "FeedUri": "https://x.jfrog.io", "Repository": "generic-local"},
		{"FeedType": "S3", "UseMachineCredentials": true},
		{"FeedType": "GcsStorage", "UseServiceAccountKey": true, "ServiceAccountJsonKey": map[string]any{"NewValue": "{}"}, "Project": "p"},
	} {
		body["Name"] = uniqueName(body["FeedType"].(string))
		r := raw(t, http.MethodPost, "/api/"+space+"/feeds", body)
		if r.Status != http.StatusCreated {
			t.Fatalf("creating a %s feed: %d %s", body["FeedType"], r.Status, r.Body)
		}
		f, err := feeds.GetByID(octo, space, r.JSON(t)["Id"].(string))
		must(t, err, "GetByID "+body["FeedType"].(string))
		if string(f.GetFeedType()) != body["FeedType"] {
			t.Fatalf("feed type %s read back as %s", body["FeedType"], f.GetFeedType())
		}
		for _, secret := range []string{"Password", "SecretKey", "ServiceAccountJsonKey"} {
			if sv, ok := r.JSON(t)[secret].(map[string]any); ok && sv["NewValue"] != nil {
				t.Fatalf("%s feed: %s read back: %v", body["FeedType"], secret, sv)
			}
		}
	}
	wantError(t, raw(t, http.MethodPost, "/api/"+space+"/feeds", map[string]any{"Name": "builtin", "FeedType": "BuiltIn"}), http.StatusBadRequest, "BuiltIn")
}
