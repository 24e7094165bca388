package schema

import (
	"encoding/json"
	"fmt"
	"os"
	"path/filepath"
	"slices"
	"strings"
	"testing"

	"octosync.dev/octosync/model"
)

// exportDoc decodes a JSON document as the model holds it: numbers as
// json.Number, {"env": ...} as a secret reference.
func exportDoc(t *testing.T, s string) model.Doc {
	t.Helper()
	d := json.NewDecoder(strings.NewReader(s))
	d.UseNumber()
	var m map[string]any
	if err := d.Decode(&m); err != nil {
		t.Fatalf("%v in %s", err, s)
	}
	var refs func(v any) any
	refs = func(v any) any {
		switch x := v.(type) {
		case map[string]any:
			if ref, ok := secretRef(x); ok {
				return ref
			}
			for k, e := range x {
				x[k] = refs(e)
			}
		case []any:
			for i, e := range x {
				x[i] = refs(e)
			}
		}
		return v
	}
	return refs(m).(map[string]any)
}

// smallInstance is a model like the one reconcile.Export makes of a small
// live instance: server defaults included, names instead of ids.
func smallInstance(t *testing.T) *model.Instance {
	inst := func(kind, name, doc string) *model.Resource {
		return &model.Resource{Key: model.Key{Instance: "demo", Kind: kind, Name: name}, Doc: exportDoc(t, doc)}
	}
	sp := func(kind, owner, name, doc string) *model.Resource {
		return &model.Resource{Key: model.Key{Instance: "demo", Space: "Payments", Kind: kind, Owner: owner, Name: name}, Doc: exportDoc(t, doc)}
	}
	return &model.Instance{
		Name: "demo",
		Resources: []*model.Resource{
			inst("authentication", "usernamePassword", `{"IsEnabled": true}`),
			inst("authentication", "guest", `{"IsEnabled": false}`),
			inst("smtp", "smtp", `{"SmtpHost": "smtp.acme.example", "SmtpPort": 587, "EnableSsl": false, "SendEmailFrom": "octopus@acme.example",
				"SmtpLogin": "octopus", "SmtpPassword": {"env": "OCTOPUS_SECRET_SMTP_SMTPPASSWORD"}, "Details": null}`),
			inst("auditStream", "auditStream", `{"Active": false, "Description": null, "StreamConfigurationResource": null}`),
			inst("userRoles", "Deployer", `{"Name": "Deployer", "Description": "", "GrantedSpacePermissions": ["ProjectView", "DeploymentCreate"], "GrantedSystemPermissions": []}`),
			inst("teams", "Platform", `{"Name": "Platform", "Description": "The platform team.", "MemberUsers": [], "ExternalSecurityGroups": []}`),
			inst("spaces", "Payments", `{"Name": "Payments", "Description": null, "IsPrivate": false, "SpaceManagersTeams": ["Platform"], "SpaceManagersTeamMembers": []}`),
			inst("scopedUserRoles", "Platform/System administrator", `{"Team": "Platform", "UserRole": "System administrator", "Projects": [], "ProjectGroups": [], "Environments": [], "Tenants": []}`),
			inst("scopedUserRoles", "Platform/Deployer/Payments", `{"Team": "Platform", "UserRole": "Deployer", "Space": "Payments", "Projects": [], "ProjectGroups": [], "Environments": ["Production"], "Tenants": []}`),
		},
		Spaces: []*model.Space{{Name: "Payments", Resources: []*model.Resource{
			sp("environments", "", "Production", `{"Name": "Production", "Description": "Customers.", "SortOrder": 2, "UseGuidedFailure": true, "AllowDynamicInfrastructure": false, "EnvironmentTags": [], "ExtensionSettings": []}`),
			sp("environments", "", "Development", `{"Name": "Development", "Description": null, "SortOrder": 1, "UseGuidedFailure": false, "AllowDynamicInfrastructure": false}`),
			sp("feeds", "", "NuGet", `{"Name": "NuGet", "FeedType": "NuGet", "FeedUri": "https://nuget.example/v3/index.json", "Username": "ci",
				"Password": {"env": "OCTOPUS_SECRET_PAYMENTS_FEED_NUGET_PASSWORD"}, "DownloadAttempts": 5, "DownloadRetryBackoffSeconds": 10, "EnhancedMode": false,
				"PackageAcquisitionLocationOptions": ["Server", "ExecutionTarget"]}`),
			sp("lifecycles", "", "Default Lifecycle", `{"Name": "Default Lifecycle", "Description": "This is the default lifecycle. It has no phases: releases can be deployed to every environment.", "Phases": []}`),
			sp("lifecycles", "", "Standard", `{"Name": "Standard", "Description": null, "Phases": [
				{"Name": "Dev", "AutomaticDeploymentTargets": ["Development"], "OptionalDeploymentTargets": [], "MinimumEnvironmentsBeforePromotion": 0, "IsOptionalPhase": false, "IsPriorityPhase": false, "ReleaseRetentionPolicy": null},
				{"Name": "Prod", "AutomaticDeploymentTargets": [], "OptionalDeploymentTargets": ["Production"], "MinimumEnvironmentsBeforePromotion": 0, "IsOptionalPhase": false, "IsPriorityPhase": true}],
				"ReleaseRetentionPolicy": {"Strategy": "Count", "Unit": "Days", "QuantityToKeep": 30, "ShouldKeepForever": false}}`),
			sp("projectGroups", "", "Services", `{"Name": "Services", "Description": "All services.", "Environments": []}`),
			sp("projects", "", "api", `{"Name": "api", "Description": "The API.", "ProjectGroup": "Services", "Lifecycle": "Standard", "IsDisabled": false,
				"TenantedDeploymentMode": "Untenanted", "DefaultGuidedFailureMode": "EnvironmentDefault", "IncludedLibraryVariableSets": [], "Templates": [],
				"ProjectConnectivityPolicy": {"SkipMachineBehavior": "None", "TargetRoles": [], "AllowDeploymentsToNoTargets": false, "ExcludeUnhealthyTargets": false},
				"AutoDeployReleaseOverrides": [], "ReleaseCreationStrategy": {"ChannelId": null}}`),
			sp("channels", "api", "Default", `{"Name": "Default", "Description": null, "IsDefault": true, "Lifecycle": null, "Rules": [], "TenantTags": [], "Type": "Lifecycle"}`),
			sp("channels", "api", "Hotfix", `{"Name": "Hotfix", "Description": "", "IsDefault": false, "Lifecycle": "Standard", "Rules": [], "TenantTags": [], "Type": "Lifecycle"}`),
			sp("deploymentProcess", "api", "", `{"Steps": [
				{"Name": "Migrate", "Condition": "Success", "StartTrigger": "StartAfterPrevious", "PackageRequirement": "LetOctopusDecide", "Properties": {},
				 "Actions": [{"Name": "Migrate", "ActionType": "Octopus.Script", "IsDisabled": false, "IsRequired": false, "Environments": [], "ExcludedEnvironments": [], "Channels": [],
				              "TenantTags": [], "Packages": [], "Container": {"Image": null, "Feed": null}, "Condition": "Success", "Links": {},
				              "Properties": {"Octopus.Action.Script.ScriptSource": "Inline", "Octopus.Action.Script.Syntax": "Bash", "Octopus.Action.RunOnServer": "true",
				                             "Octopus.Action.Script.ScriptBody": "set -e\n./migrate --to latest\necho \"done: \\\\o/\"\n"}}]},
				{"Name": "Warm", "Condition": "Variable", "StartTrigger": "StartWithPrevious", "PackageRequirement": "LetOctopusDecide",
				 "Properties": {"Octopus.Step.ConditionVariableExpression": "#{Warm}"},
				 "Actions": [{"Name": "Warm", "ActionType": "Octopus.Script", "IsDisabled": true, "IsRequired": false, "Environments": ["Production"],
				              "Properties": {"Octopus.Action.Script.ScriptSource": "Inline", "Octopus.Action.Script.ScriptBody": "curl https://api.example/warm", "Octopus.Action.RunOnServer": "true"}}]}]}`),
			sp("projectVariables", "api", "", `{"Variables": [
				{"Name": "Url", "Value": "https://api.example", "Type": "String", "IsSensitive": false, "IsEditable": true, "Description": null, "Prompt": null, "Scope": {"Environment": ["Production"]}},
				{"Name": "Url", "Value": "https://dev.api.example", "Type": "String", "IsSensitive": false, "IsEditable": true, "Scope": {"Environment": ["Development"], "Channel": ["Hotfix"]}},
				{"Name": "Db.Password", "Value": {"env": "OCTOPUS_SECRET_PAYMENTS_API_DB_PASSWORD"}, "Type": "Sensitive", "IsSensitive": true, "IsEditable": true},
				{"Name": "Approver", "Value": "", "Type": "String", "IsSensitive": false, "IsEditable": true, "Prompt": {"Label": "Who approves?", "Description": null, "Required": true, "DisplaySettings": {}}}]}`),
		}}},
	}
}

// TestExportGolden writes a small model and compares the files with
// testdata/export/golden (OCTOSYNC_UPDATE=1 rewrites them), then reads
// them back: the model comes back as it was.
func TestExportGolden(t *testing.T) {
	in := smallInstance(t)
	ex, err := Export(in, ExportOptions{Check: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.LeftOut) > 0 {
		t.Errorf("left out:\n%s", strings.Join(ex.LeftOut, "\n"))
	}
	dir := filepath.Join("testdata", "export", "golden")
	if os.Getenv("OCTOSYNC_UPDATE") != "" {
		_ = os.RemoveAll(dir)
		for _, p := range ex.Paths() {
			path := filepath.Join(dir, filepath.FromSlash(p)) + ".golden"
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, ex.Files[p], 0o644); err != nil {
				t.Fatal(err)
			}
		}
	}
	var golden []string
	_ = filepath.WalkDir(dir, func(p string, d os.DirEntry, err error) error {
		if err == nil && !d.IsDir() {
			rel, _ := filepath.Rel(dir, p)
			golden = append(golden, strings.TrimSuffix(filepath.ToSlash(rel), ".golden"))
		}
		return nil
	})
	slices.Sort(golden)
	if !slices.Equal(golden, ex.Paths()) {
		t.Errorf("files %q, golden %q", ex.Paths(), golden)
	}
	for _, p := range ex.Paths() {
		want, _ := os.ReadFile(filepath.Join(dir, filepath.FromSlash(p)) + ".golden")
		if string(want) != string(ex.Files[p]) {
			t.Errorf("%s differs from its golden file (OCTOSYNC_UPDATE=1 rewrites it):\n%s", p, ex.Files[p])
		}
	}

	wantEnv := []string{"OCTOPUS_DEMO_URL", "OCTOPUS_DEMO_API_KEY", "OCTOPUS_SECRET_SMTP_SMTPPASSWORD",
		"OCTOPUS_SECRET_PAYMENTS_FEED_NUGET_PASSWORD", "OCTOPUS_SECRET_PAYMENTS_API_DB_PASSWORD"}
	var env []string
	for _, e := range ex.Env {
		env = append(env, e.Name)
	}
	if !slices.Equal(env, wantEnv) {
		t.Errorf("variables %q, want %q", env, wantEnv)
	}
	if s := string(ex.Files[SecretsFile]); !strings.Contains(s, "\nOCTOPUS_SECRET_PAYMENTS_API_DB_PASSWORD=\n") {
		t.Errorf("%s does not list the variables:\n%s", SecretsFile, s)
	}
}

// TestExportStrings writes awkward strings and names, and reads them back
// exactly.
func TestExportStrings(t *testing.T) {
	values := []string{
		"", "plain", `with "quotes"`, `back\slash`, `\(not interpolated)`, "tab\tinside", "multi\nline",
		"ends with a newline\n", "\n\nstarts with newlines", "trailing spaces  \nnext", "   \n  ", "\r\nwindows\r\nlines\r\n",
		`"""three quotes"""`, "three\n\"\"\"\nquotes", "unicode ✓ 日本語 👍", "zero\u200bwidth", "#{Octopus.Var}", "nul\x00byte",
		"line\u2028separator", "\t\tindented\n\tscript\n", strings.Repeat("a long line ", 40), "\\\n\\",
	}
	names := []string{"if", "octopus", "_hidden", "#def", "with space", "ünï", "a.b", "123abc", "ownership-ish", "true", "Name", "$dollar"}
	var vars []any
	for i, v := range values {
		vars = append(vars, map[string]any{"Name": fmt.Sprintf("V%02d", i), "Value": v, "Type": "String", "IsSensitive": false, "IsEditable": true})
	}
	var rs []*model.Resource
	for _, n := range names {
		rs = append(rs, &model.Resource{Key: model.Key{Instance: "x", Space: "S", Kind: "environments", Name: n},
			Doc: model.Doc{"Name": n, "Description": strings.Join(values, "|")}})
	}
	rs = append(rs,
		&model.Resource{Key: model.Key{Instance: "x", Space: "S", Kind: "libraryVariableSets", Name: "Set"}, Doc: model.Doc{"Name": "Set"}},
		&model.Resource{Key: model.Key{Instance: "x", Space: "S", Kind: "libraryVariables", Owner: "Set"}, Doc: model.Doc{"Variables": vars}},
	)
	in := &model.Instance{Name: "x",
		Resources: []*model.Resource{{Key: model.Key{Instance: "x", Kind: "spaces", Name: "S"}, Doc: model.Doc{"Name": "S", "SpaceManagersTeams": []any{"Octopus Managers"}}}},
		Spaces:    []*model.Space{{Name: "S", Resources: rs}},
	}
	ex, err := Export(in, ExportOptions{Check: true})
	if err != nil {
		t.Fatal(err)
	}
	if len(ex.LeftOut) > 0 {
		t.Fatalf("left out:\n%s\n%s", strings.Join(ex.LeftOut, "\n"), ex.Files["spaces/s.cue"])
	}
	d, diags := Load(ex.FS(), Options{})
	if diags.HasErrors() {
		t.Fatalf("%v\n%s", diags, ex.Files["spaces/s.cue"])
	}
	got := map[string]any{}
	envs := map[string]bool{}
	for _, r := range d.Instances[0].Spaces[0].Resources {
		switch r.Key.Kind {
		case "libraryVariables":
			for _, v := range r.Doc["Variables"].([]any) {
				m := v.(map[string]any)
				got[m["Name"].(string)] = m["Value"]
			}
		case "environments":
			envs[r.Key.Name] = true
			if r.Doc["Description"] != strings.Join(values, "|") {
				t.Errorf("environment %q: description %q", r.Key.Name, r.Doc["Description"])
			}
		}
	}
	for i, v := range values {
		name := fmt.Sprintf("V%02d", i)
		if g, ok := got[name]; v != "" && g != v || v == "" && ok && g != "" {
			t.Errorf("%s: wrote %q, read back %q", name, v, g)
		}
	}
	for _, n := range names {
		if !envs[n] {
			t.Errorf("environment %q did not read back", n)
		}
	}
}

// TestExportLists writes empty, null and full lists: an empty or null
// list is left out (Octopus holds them alike), a full one is written.
func TestExportLists(t *testing.T) {
	c, err := newExpCUE()
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		doc  string
		want string
	}{
		{`{"Name": "P", "AutomaticDeploymentTargets": [], "OptionalDeploymentTargets": null}`, `{"Name":"P"}`},
		{`{"Name": "P", "AutomaticDeploymentTargets": ["A"], "OptionalDeploymentTargets": []}`, `{"AutomaticDeploymentTargets":["A"],"Name":"P"}`},
		{`{"Name": "P", "MinimumEnvironmentsBeforePromotion": 0, "IsOptionalPhase": false, "IsPriorityPhase": true}`, `{"IsPriorityPhase":true,"Name":"P"}`},
		{`{"Name": "P", "ReleaseRetentionPolicy": {"Strategy": "Count", "Unit": "Days", "QuantityToKeep": 3, "ShouldKeepForever": false}}`,
			`{"Name":"P","ReleaseRetentionPolicy":{"QuantityToKeep":3,"Strategy":"Count"}}`},
	} {
		d := exportDoc(t, tc.doc)
		w, _, _, _ := c.fit(c.def("#Phase", ""), d, nil, nil, dependents("#Phase"))
		if got := expCanonical(w); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.doc, got, tc.want)
		}
	}
}

// TestExportFileNames makes file names of space names: unique whatever
// their case, never empty.
func TestExportFileNames(t *testing.T) {
	var spaces []*model.Space
	var rs []*model.Resource
	for _, n := range []string{"Payments", "payments ", "Ünïcode ✓ space", "../etc", "!!!"} {
		spaces = append(spaces, &model.Space{Name: n})
		rs = append(rs, &model.Resource{Key: model.Key{Instance: "x", Kind: "spaces", Name: n}, Doc: model.Doc{"Name": n, "SpaceManagersTeams": []any{"Octopus Managers"}}})
	}
	ex, err := Export(&model.Instance{Name: "x", Resources: rs, Spaces: spaces}, ExportOptions{})
	if err != nil {
		t.Fatal(err)
	}
	want := []string{"cue.mod/module.cue", "instance.cue", "secrets.env.example", "spaces/etc.cue", "spaces/payments-2.cue", "spaces/payments.cue", "spaces/space.cue", "spaces/ünïcode-space.cue"}
	if got := ex.Paths(); !slices.Equal(got, want) {
		t.Errorf("files %q, want %q", got, want)
	}
}
