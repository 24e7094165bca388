package schema

import (
	"encoding/json"
	"reflect"
	"slices"
	"strings"
	"testing"
	"testing/fstest"
	"time"

	"octosync.dev/octosync/model"
)

// config is a configuration exercising every kind of child resource,
// secrets, helpers, ownership and positions. Line numbers matter: tests
// below point into it.
const config = `package platform

import "octosync.dev/octopus"

instances: [_]: octopus.#Instance

instances: hub: {
	url:    "https://octopus.example"
	apiKey: {env: "OCTOPUS_API_KEY"}
	settings: smtp: {SmtpHost: "smtp.example", SmtpPassword: {env: "SMTP_PASSWORD"}}
	teams: Platform: roles: [{UserRole: "Release approver", Space: "payments", Environments: ["Production"]}]
	userRoles: "Release approver": GrantedSpacePermissions: ["DeploymentCreate"]
	acknowledge: [{kind: "teams", name: "Platform", reason: "membership", until: "2030-01-01"}]
	spaces: payments: {
		SpaceManagersTeams: ["Platform"]
		environments: {
			Test: {}
			Production: UseGuidedFailure: true
		}
		lifecycles: Standard: Phases: [
			{Name: "Test", AutomaticDeploymentTargets: ["Test"]},
			{Name: "Production", OptionalDeploymentTargets: ["Production"]},
		]
		feeds: nuget: {FeedType: "NuGet", FeedUri: "https://nuget.example", Password: {env: "NUGET_PASSWORD"}}
		libraryVariableSets: Common: {
			Templates: [{Name: "Hostname"}]
			variables: Level: [{Value: "debug"}]
		}
		scriptModules: Helpers: {syntax: "Bash", script: "say() { echo $1; }"}
		stepTemplates: Notify: octopus.#ScriptStepTemplate & {
			Syntax: "Bash"
			Script: "notify #{Message}"
			Parameters: [{Name: "Message"}, {Name: "Token", DisplaySettings: "Octopus.ControlType": "Sensitive"}]
		}
		projects: api: {
			ProjectGroup: "Default Project Group"
			Lifecycle:    "Standard"
			IncludedLibraryVariableSets: ["Common", "Helpers"]
			ownership: "seed"
			fields: "/Description": "observe"
			ignore: ["/ReleaseNotesTemplate"]
			extra: CombineHealthAndSyncStatusInDashboardLiveStatus: true
			process: {
				ownership: "enforce"
				Steps: [
					octopus.#Script & {Name: "Smoke", Syntax: "Bash", Script: "curl -fsS localhost", Environments: ["Test"]},
					octopus.#StepTemplateUsage & {Name: "Notify", Template: "Notify", Parameters: {Message: "hi", Token: {file: "token.txt"}}},
				]
			}
			variables: {
				Url: [
					{Value: "https://test.example", Scope: Environment: ["Test"]},
					{Value: "https://example", Scope: Environment: ["Production"]},
				]
				Password: [{Value: {env: "DB_PASSWORD"}}]
			}
			channels: Hotfix: Lifecycle: "Standard"
			runbooks: Restart: process: Steps: [octopus.#Script & {Name: "Restart", Script: "restart", TargetRoles: ["web"]}]
		}
		tenants: Globex: {
			ProjectEnvironments: api: ["Production"]
			variables: LibraryVariables: Common: Hostname: "globex.example"
		}
		teams: Developers: roles: [{UserRole: "Project deployer", Projects: ["api"]}]
		prune: ["projects"]
		acknowledge: [{kind: "channels", owner: "api", name: "Hotfix", reason: "hand edited"}]
	}
}
`

func loadFS(t *testing.T, files map[string]string, opts Options) (*model.Desired, model.Diagnostics) {
	t.Helper()
	fsys := fstest.MapFS{}
	for name, data := range files {
		fsys[name] = &fstest.MapFile{Data: []byte(data)}
	}
	return Load(fsys, opts)
}

// find returns the resource with key k, or fails.
func find(t *testing.T, d *model.Desired, k model.Key) *model.Resource {
	t.Helper()
	for _, in := range d.Instances {
		for _, r := range in.Resources {
			if r.Key == k {
				return r
			}
		}
		for _, s := range in.Spaces {
			for _, r := range s.Resources {
				if r.Key == k {
					return r
				}
			}
		}
	}
	t.Fatalf("no resource %s", k)
	return nil
}

func loadConfig(t *testing.T) *model.Desired {
	t.Helper()
	d, ds := loadFS(t, map[string]string{"main.cue": config}, Options{})
	if ds.HasErrors() {
		t.Fatalf("unexpected errors:\n%v", ds)
	}
	return d
}

func TestLoadKeys(t *testing.T) {
	d := loadConfig(t)
	var got []string
	for _, in := range d.Instances {
		for _, r := range in.Resources {
			got = append(got, r.Key.String())
		}
		for _, s := range in.Spaces {
			for _, r := range s.Resources {
				got = append(got, r.Key.String())
			}
		}
	}
	slices.Sort(got)
	want := []string{
		"hub/payments/channels/api/Hotfix",
		"hub/payments/deploymentProcess/api",
		"hub/payments/environments/Production",
		"hub/payments/environments/Test",
		"hub/payments/feeds/nuget",
		"hub/payments/libraryVariableSets/Common",
		"hub/payments/libraryVariables/Common",
		"hub/payments/libraryVariables/Helpers",
		"hub/payments/lifecycles/Standard",
		"hub/payments/projectVariables/api",
		"hub/payments/projects/api",
		"hub/payments/runbookProcess/api/Restart",
		"hub/payments/runbooks/api/Restart",
		"hub/payments/scopedUserRoles/Developers/Project deployer",
		"hub/payments/scriptModules/Helpers",
		"hub/payments/stepTemplates/Notify",
		"hub/payments/teams/Developers",
		"hub/payments/tenantVariables/Globex",
		"hub/payments/tenants/Globex",
		"hub/scopedUserRoles/Platform/Release approver/payments",
		"hub/smtp/smtp",
		"hub/spaces/payments",
		"hub/teams/Platform",
		"hub/userRoles/Release approver",
	}
	if !slices.Equal(got, want) {
		t.Errorf("keys:\n got %q\nwant %q", got, want)
	}
}

// asJSON renders a document for comparison; secret references print as
// {"env": ...}.
func asJSON(t *testing.T, v any) string {
	t.Helper()
	b, err := json.Marshal(v)
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

func TestLoadDocuments(t *testing.T) {
	d := loadConfig(t)
	for _, tc := range []struct {
		key  model.Key
		want string
	}{
		{model.Key{Instance: "hub", Kind: "spaces", Name: "payments"},
			`{"Name":"payments","SpaceManagersTeamMembers":[],"SpaceManagersTeams":["Platform"]}`},
		{model.Key{Instance: "hub", Kind: "scopedUserRoles", Name: "Platform/Release approver/payments"},
			`{"Environments":["Production"],"ProjectGroups":[],"Projects":[],"Space":"payments","Team":"Platform","Tenants":[],"UserRole":"Release approver"}`},
		{model.Key{Instance: "hub", Space: "payments", Kind: "environments", Name: "Production"},
			`{"AllowDynamicInfrastructure":false,"Name":"Production","UseGuidedFailure":true}`},
		{model.Key{Instance: "hub", Space: "payments", Kind: "projects", Name: "api"},
			`{"AutoCreateRelease":false,"CombineHealthAndSyncStatusInDashboardLiveStatus":true,"DefaultGuidedFailureMode":"EnvironmentDefault",` +
				`"DefaultToSkipIfAlreadyInstalled":false,"DiscreteChannelRelease":false,"IncludedLibraryVariableSets":["Common","Helpers"],` +
				`"IsDisabled":false,"Lifecycle":"Standard","Name":"api","ProjectConnectivityPolicy":{"AllowDeploymentsToNoTargets":false,` +
				`"ExcludeUnhealthyTargets":false,"SkipMachineBehavior":"None","TargetRoles":[]},"ProjectGroup":"Default Project Group",` +
				`"Templates":[],"TenantedDeploymentMode":"Untenanted"}`},
		{model.Key{Instance: "hub", Space: "payments", Kind: "projectVariables", Owner: "api"},
			`{"Variables":[{"IsEditable":true,"IsSensitive":false,"Name":"Url","Scope":{"Environment":["Test"]},"Type":"String","Value":"https://test.example"},` +
				`{"IsEditable":true,"IsSensitive":false,"Name":"Url","Scope":{"Environment":["Production"]},"Type":"String","Value":"https://example"},` +
				`{"IsEditable":true,"IsSensitive":true,"Name":"Password","Scope":{},"Type":"Sensitive","Value":{"env":"DB_PASSWORD"}}]}`},
		{model.Key{Instance: "hub", Space: "payments", Kind: "libraryVariables", Owner: "Helpers"},
			`{"Variables":[{"IsEditable":true,"IsSensitive":false,"Name":"Octopus.Script.Module[Helpers]","Scope":{},"Type":"String","Value":"say() { echo $1; }"},` +
				`{"IsEditable":true,"IsSensitive":false,"Name":"Octopus.Script.Module.Language[Helpers]","Scope":{},"Type":"String","Value":"Bash"}]}`},
		{model.Key{Instance: "hub", Space: "payments", Kind: "scriptModules", Name: "Helpers"}, `{"Name":"Helpers"}`},
		{model.Key{Instance: "hub", Space: "payments", Kind: "tenantVariables", Owner: "Globex"},
			`{"LibraryVariables":{"Common":{"Hostname":"globex.example"}},"ProjectVariables":{}}`},
		{model.Key{Instance: "hub", Space: "payments", Kind: "channels", Owner: "api", Name: "Hotfix"},
			`{"Lifecycle":"Standard","Name":"Hotfix","Rules":[],"TenantTags":[]}`},
		{model.Key{Instance: "hub", Space: "payments", Kind: "stepTemplates", Name: "Notify"},
			`{"ActionType":"Octopus.Script","Name":"Notify","Packages":[],"Parameters":[{"DisplaySettings":{},"Name":"Message"},` +
				`{"DisplaySettings":{"Octopus.ControlType":"Sensitive"},"Name":"Token"}],"Properties":{"Octopus.Action.Script.ScriptBody":"notify #{Message}",` +
				`"Octopus.Action.Script.ScriptSource":"Inline","Octopus.Action.Script.Syntax":"Bash"}}`},
	} {
		if got := asJSON(t, find(t, d, tc.key).Doc); got != tc.want {
			t.Errorf("%s:\n got %s\nwant %s", tc.key, got, tc.want)
		}
	}
}

func TestLoadSteps(t *testing.T) {
	d := loadConfig(t)
	p := find(t, d, model.Key{Instance: "hub", Space: "payments", Kind: "deploymentProcess", Owner: "api"})
	steps := p.Doc["Steps"].([]any)
	smoke := steps[0].(map[string]any)
	if _, ok := smoke["Script"]; ok {
		t.Errorf("a helper's input reached the document: %v", smoke)
	}
	action := smoke["Actions"].([]any)[0].(map[string]any)
	if got := asJSON(t, action["Properties"]); got != `{"Octopus.Action.RunOnServer":"true","Octopus.Action.Script.ScriptBody":"curl -fsS localhost",`+
		`"Octopus.Action.Script.ScriptSource":"Inline","Octopus.Action.Script.Syntax":"Bash"}` {
		t.Errorf("script properties: %s", got)
	}
	if got := asJSON(t, action["Environments"]); got != `["Test"]` {
		t.Errorf("script environments: %s", got)
	}
	// A template usage holds the template's name and, copied from the
	// template as Octopus copies it, the template's own properties.
	usage := steps[1].(map[string]any)["Actions"].([]any)[0].(map[string]any)
	if got := asJSON(t, usage["Properties"]); got != `{"Message":"hi","Octopus.Action.RunOnServer":"true","Octopus.Action.Script.ScriptBody":"notify #{Message}",`+
		`"Octopus.Action.Script.ScriptSource":"Inline","Octopus.Action.Script.Syntax":"Bash","Octopus.Action.Template.Id":"Notify","Token":{"file":"token.txt"}}` {
		t.Errorf("template usage properties: %s", got)
	}
	rb := find(t, d, model.Key{Instance: "hub", Space: "payments", Kind: "runbookProcess", Owner: "api", Name: "Restart"})
	step := rb.Doc["Steps"].([]any)[0].(map[string]any)
	if got := asJSON(t, step["Properties"]); got != `{"Octopus.Action.TargetRoles":"web"}` {
		t.Errorf("runbook step properties: %s", got)
	}
}

func TestLoadSecrets(t *testing.T) {
	d := loadConfig(t)
	in := d.Instance("hub")
	if in.URL != (model.Value{Literal: "https://octopus.example"}) || in.APIKey != (model.Value{Ref: model.SecretRef{Env: "OCTOPUS_API_KEY"}}) {
		t.Errorf("url %+v, apiKey %+v", in.URL, in.APIKey)
	}
	feed := find(t, d, model.Key{Instance: "hub", Space: "payments", Kind: "feeds", Name: "nuget"})
	if feed.Doc["Password"] != (model.SecretRef{Env: "NUGET_PASSWORD"}) {
		t.Errorf("feed password: %#v", feed.Doc["Password"])
	}
	smtp := find(t, d, model.Key{Instance: "hub", Kind: "smtp", Name: "smtp"})
	if smtp.Doc["SmtpPassword"] != (model.SecretRef{Env: "SMTP_PASSWORD"}) {
		t.Errorf("smtp password: %#v", smtp.Doc["SmtpPassword"])
	}
}

func TestLoadPositions(t *testing.T) {
	d := loadConfig(t)
	p := find(t, d, model.Key{Instance: "hub", Space: "payments", Kind: "projects", Name: "api"})
	for ptr, want := range map[string]string{
		"/Lifecycle":                        "main.cue:37:18",
		"/IncludedLibraryVariableSets/1":    "main.cue:38:44",
		"/Templates":                        "main.cue:36:18",
		"/CombineHealthAndSyncStatusInDash": "main.cue:36:18",
	} {
		if got := p.FieldPos(ptr).String(); got != want {
			t.Errorf("project %s at %s, want %s", ptr, got, want)
		}
	}
	// A resource is placed at the first field the configuration set.
	if got := p.Pos.String(); got != "main.cue:36:18" {
		t.Errorf("project at %s, want main.cue:36:18", got)
	}
	proc := find(t, d, model.Key{Instance: "hub", Space: "payments", Kind: "deploymentProcess", Owner: "api"})
	for ptr, want := range map[string]string{
		// A helper's expansion is placed at the input it came from.
		"/Steps/0/Actions/0/Properties/Octopus.Action.Script.ScriptBody": "main.cue:46:64",
		"/Steps/0/Actions/0/Environments/0":                              "main.cue:46:102",
		"/Steps/1/Actions/0/Properties/Token":                            "main.cue:47:114",
	} {
		if got := proc.FieldPos(ptr).String(); got != want {
			t.Errorf("process %s at %s, want %s", ptr, got, want)
		}
	}
	vars := find(t, d, model.Key{Instance: "hub", Space: "payments", Kind: "projectVariables", Owner: "api"})
	if got := vars.FieldPos("/Variables/1/Scope/Environment/0").String(); got != "main.cue:53:54" {
		t.Errorf("variable scope at %s", got)
	}
	env := find(t, d, model.Key{Instance: "hub", Space: "payments", Kind: "environments", Name: "Test"})
	if got := env.Pos.String(); got != "main.cue:17:4" {
		t.Errorf("an environment that sets no field is at %s, want where it is declared", got)
	}
	// Defaults come from the schema: no position of the configuration.
	if _, ok := env.Fields["/UseGuidedFailure"]; ok {
		t.Errorf("a default has a position: %v", env.Fields)
	}
}

func TestLoadSettings(t *testing.T) {
	d := loadConfig(t)
	p := find(t, d, model.Key{Instance: "hub", Space: "payments", Kind: "projects", Name: "api"})
	if p.Ownership != model.Seed || !reflect.DeepEqual(p.FieldOwnership, map[string]model.Ownership{"/Description": model.Observe}) ||
		!slices.Equal(p.Ignore, []string{"/ReleaseNotesTemplate"}) {
		t.Errorf("project settings: %s %v %v", p.Ownership, p.FieldOwnership, p.Ignore)
	}
	vars := find(t, d, model.Key{Instance: "hub", Space: "payments", Kind: "projectVariables", Owner: "api"})
	if vars.Ownership != model.Seed {
		t.Errorf("a child takes its owner's ownership: %s", vars.Ownership)
	}
	proc := find(t, d, model.Key{Instance: "hub", Space: "payments", Kind: "deploymentProcess", Owner: "api"})
	if proc.Ownership != model.Enforce {
		t.Errorf("a child's own ownership wins: %s", proc.Ownership)
	}
	in := d.Instance("hub")
	sp := in.Space("payments")
	if !slices.Equal(sp.Prune, []string{"projects"}) {
		t.Errorf("prune %v", sp.Prune)
	}
	if len(in.Acks) != 1 || in.Acks[0].Kind != "teams" || in.Acks[0].Until != "2030-01-01" || !in.Acks[0].Pos.IsValid() {
		t.Errorf("instance acks %+v", in.Acks)
	}
	if len(sp.Acks) != 1 || sp.Acks[0].Owner != "api" || sp.Acks[0].Name != "Hotfix" {
		t.Errorf("space acks %+v", sp.Acks)
	}
}

func TestCheckSecretsExist(t *testing.T) {
	env := map[string]string{"OCTOPUS_API_KEY": "API-X", "SMTP_PASSWORD": "x", "NUGET_PASSWORD": "x"}
	fsys := fstest.MapFS{"main.cue": {Data: []byte(config)}}
	_, ds := Check(fsys, Options{Getenv: func(k string) string { return env[k] }, Dir: t.TempDir()})
	var got []string
	for _, d := range ds {
		got = append(got, d.String())
	}
	want := []string{
		`main.cue:47:114: warning: space "payments": project "api": deployment process: step "Notify": Properties.Token: file token.txt does not exist; the secret must be there when octosync applies`,
		`main.cue:55:30: warning: space "payments": project "api": variables: variable "Password": Value: environment variable DB_PASSWORD is not set; the secret must be there when octosync applies`,
	}
	if !slices.Equal(got, want) {
		t.Errorf("diagnostics:\n%s", strings.Join(got, "\n"))
	}
}

func TestCheckExpiredAck(t *testing.T) {
	fsys := fstest.MapFS{"main.cue": {Data: []byte(config)}}
	_, ds := Check(fsys, Options{Now: func() time.Time { return time.Date(2030, 1, 2, 0, 0, 0, 0, time.UTC) }})
	if len(ds) != 1 || ds[0].Severity != model.Warning || !strings.Contains(ds[0].Message, "expired on 2030-01-01") {
		t.Errorf("diagnostics: %v", ds)
	}
	_, ds = Check(fsys, Options{Now: func() time.Time { return time.Date(2030, 1, 1, 23, 0, 0, 0, time.UTC) }})
	if len(ds) != 0 {
		t.Errorf("an acknowledgement lasts to the end of its day: %v", ds)
	}
}

func TestRefValues(t *testing.T) {
	doc := model.Doc{
		"ProjectEnvironments": map[string]any{"web": []any{"Test", "Production"}, "api": []any{"Production"}},
		"Steps": []any{map[string]any{"Actions": []any{map[string]any{
			"Properties": map[string]any{"Octopus.Action.Template.Id": "Notify"},
		}}}},
	}
	for path, want := range map[string][]refValue{
		"ProjectEnvironments{key}": {{"api", "/ProjectEnvironments/api"}, {"web", "/ProjectEnvironments/web"}},
		"ProjectEnvironments{}[]": {{"Production", "/ProjectEnvironments/api/0"}, {"Test", "/ProjectEnvironments/web/0"},
			{"Production", "/ProjectEnvironments/web/1"}},
		`Steps[].Actions[].Properties["Octopus.Action.Template.Id"]`: {{"Notify", "/Steps/0/Actions/0/Properties/Octopus.Action.Template.Id"}},
		"Missing[]": nil,
	} {
		if got := refValues(doc, path); !reflect.DeepEqual(got, want) {
			t.Errorf("%s: got %v, want %v", path, got, want)
		}
	}
}
