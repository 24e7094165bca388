package reconcile_test

import (
	"context"
	"encoding/json"
	"slices"
	"strings"
	"testing"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/octopus"
	"octosync.dev/octosync/reconcile"
)

// TestPlanWithAKeyThatCannotWrite reads and plans an estate with the API key
// of a user whose only role grants view permissions — as a scheduled drift
// check would run — and checks that such a key indeed cannot write.
func TestPlanWithAKeyThatCannotWrite(t *testing.T) {
	admin, url := newInstanceAt(t)
	ctx := context.Background()
	in := everyKind(t)
	// Settings (SMTP, authentication) need ConfigureServer even to read
	// them in Octopus; a read-only drift check leaves them out.
	var resources []*model.Resource
	for _, r := range in.Resources {
		if r.Key.Kind != "smtp" && r.Key.Kind != "authentication" {
			resources = append(resources, r)
		}
	}
	in.Resources = resources
	secrets := &reconcile.Secrets{Getenv: func(string) string { return "s3cret" }, Key: []byte("k")}
	applyPlan(t, admin, plan(t, admin, in, secrets), secrets)

	// An auditor: a user, a role with every View permission, a team.
	perms, err := admin.GetDoc(ctx, "/api/permissions/all")
	if err != nil {
		t.Fatal(err)
	}
	var view []any
	for name := range perms {
		if strings.HasSuffix(name, "View") {
			view = append(view, name)
		}
	}
	slices.SortFunc(view, func(a, b any) int { return strings.Compare(a.(string), b.(string)) })
	post := func(path string, body any) model.Doc {
		t.Helper()
		raw, err := admin.Post(ctx, path, body)
		if err != nil {
			t.Fatalf("POST %s: %v", path, err)
		}
		d, _ := octopus.DecodeDoc(raw)
		return d
	}
	user := post("/api/users", map[string]any{"Username": "auditor", "DisplayName": "Auditor", "IsService": true, "IsActive": true})
	key := post("/api/users/"+user["Id"].(string)+"/apikeys", map[string]any{"Purpose": "drift"})
	role := post("/api/userroles", map[string]any{"Name": "Auditor", "GrantedSpacePermissions": view, "GrantedSystemPermissions": view})
	team := post("/api/teams", map[string]any{"Name": "Auditors", "MemberUserIds": []any{user["Id"]}, "ExternalSecurityGroups": []any{}})
	spaces, err := admin.List(ctx, "/api/spaces")
	if err != nil {
		t.Fatal(err)
	}
	post("/api/scopeduserroles", map[string]any{"TeamId": team["Id"], "UserRoleId": role["Id"]})
	for _, raw := range spaces {
		var s struct{ Id string }
		json.Unmarshal(raw, &s)
		post("/api/scopeduserroles", map[string]any{"TeamId": team["Id"], "UserRoleId": role["Id"], "SpaceId": s.Id})
	}

	auditor, err := octopus.New(octopus.Options{Instance: "test", URL: url, APIKey: key["ApiKey"].(string), Retries: -1})
	if err != nil {
		t.Fatal(err)
	}
	// The auditor's user, role, team and grants are not in git; they are
	// listed as unmanaged and are not changes.
	if got := changes(plan(t, auditor, in, secrets)); len(got) != 0 {
		t.Errorf("plan with the read-only key:\n%s", strings.Join(got, "\n"))
	}
	if _, err := auditor.Put(ctx, "/api/Spaces-1/environments/Environments-1", map[string]any{"Name": "x"}); err == nil || !strings.Contains(err.Error(), "403") {
		t.Errorf("the read-only key could write: %v", err)
	}
}
