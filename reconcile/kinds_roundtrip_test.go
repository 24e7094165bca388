package reconcile_test

import (
	"strings"
	"testing"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/reconcile"
)

// everyKind declares one or more resources of every kind octosync manages,
// in configuration form, in a new space "Payments" and at instance level.
func everyKind(t *testing.T) *model.Instance {
	t.Helper()
	sp := func(kind, owner, name, body string) *model.Resource {
		return &model.Resource{Key: model.Key{Instance: "test", Space: "Payments", Kind: kind, Owner: owner, Name: name}, Doc: doc(t, body)}
	}
	inst := func(kind, name, body string) *model.Resource {
		return &model.Resource{Key: model.Key{Instance: "test", Kind: kind, Name: name}, Doc: doc(t, body)}
	}
	secret := func(r *model.Resource, path ...string) *model.Resource {
		m := r.Doc
		for _, p := range path[:len(path)-1] {
			m = m[p].(map[string]any)
		}
		m[path[len(path)-1]] = model.SecretRef{Env: "TEST_SECRET"}
		return r
	}
	vars := sp("projectVariables", "api", "", `{"Variables": [
		{"Name": "Url", "Value": "https://prod", "Scope": {"Environment": ["Production"]}},
		{"Name": "Url", "Value": "https://dev", "Scope": {"Environment": ["Development"], "Channel": ["Beta"]}},
		{"Name": "DbPassword", "Type": "Sensitive", "IsSensitive": true, "Value": "x"},
		{"Name": "Region", "Value": "eu", "Scope": {"Action": ["Deploy"], "Role": ["web"]}},
		{"Name": "Approver", "Value": "", "Prompt": {"Label": "Who approves?", "Required": true}}]}`)
	vars.Doc["Variables"].([]any)[2].(map[string]any)["Value"] = model.SecretRef{Env: "TEST_SECRET"}
	return &model.Instance{
		Name: "test",
		Resources: []*model.Resource{
			secret(inst("smtp", "smtp", `{"SmtpHost": "smtp.acme.com", "SmtpPort": 587, "SendEmailFrom": "octopus@acme.com", "EnableSsl": true, "SmtpLogin": "octopus", "SmtpPassword": "x"}`), "SmtpPassword"),
			secret(inst("authentication", "okta", `{"IsEnabled": true, "Issuer": "https://acme.okta.com", "ClientId": "0oa1", "ClientSecret": "x"}`), "ClientSecret"),
			inst("userRoles", "Deployer lite", `{"Name": "Deployer lite", "Description": "deploys", "GrantedSpacePermissions": ["DeploymentCreate", "ProjectView"], "GrantedSystemPermissions": []}`),
			inst("teams", "Platform", `{"Name": "Platform", "Description": "the platform team", "MemberUsers": ["admin"], "ExternalSecurityGroups": []}`),
			inst("spaces", "Payments", `{"Name": "Payments", "Description": "payments BU", "SpaceManagersTeams": ["Platform"], "SpaceManagersTeamMembers": []}`),
			inst("scopedUserRoles", "Platform/Deployer lite/Payments", `{"Team": "Platform", "UserRole": "Deployer lite", "Space": "Payments", "Environments": ["Production"]}`),
		},
		Spaces: []*model.Space{{Name: "Payments", Resources: []*model.Resource{
			sp("tagSets", "", "Tier", `{"Name": "Tier", "Description": "", "Tags": [{"Name": "Gold", "Color": "#FFD700"}, {"Name": "Silver", "Color": "#C0C0C0"}]}`),
			sp("environments", "", "Development", `{"Name": "Development", "UseGuidedFailure": false}`),
			sp("environments", "", "Production", `{"Name": "Production", "UseGuidedFailure": true}`),
			sp("machinePolicies", "", "Fast checks", `{"Name": "Fast checks", "ConnectionConnectTimeout": "00:01:00", "ConnectionRetryCountLimit": 5, "ConnectionRetrySleepInterval": "00:00:01", "ConnectionRetryTimeLimit": "00:05:00", "PollingRequestQueueTimeout": "00:02:00", "MachineHealthCheckPolicy": {"HealthCheckType": "OnlyConnectivity", "HealthCheckInterval": "01:00:00"}}`),
			sp("workerPools", "", "Linux", `{"Name": "Linux", "WorkerPoolType": "StaticWorkerPool", "Description": "linux workers"}`),
			secret(sp("feeds", "", "NuGet", `{"Name": "NuGet", "FeedType": "NuGet", "FeedUri": "https://api.nuget.org/v3/index.json", "Username": "ci", "Password": "x"}`), "Password"),
			secret(sp("gitCredentials", "", "GitHub", `{"Name": "GitHub", "Description": "", "Details": {"Type": "UsernamePassword", "Username": "bot", "Password": "x"}}`), "Details", "Password"),
			sp("lifecycles", "", "Standard", `{"Name": "Standard", "Phases": [{"Name": "Dev", "AutomaticDeploymentTargets": ["Development"], "OptionalDeploymentTargets": []}, {"Name": "Prod", "AutomaticDeploymentTargets": [], "OptionalDeploymentTargets": ["Production"]}]}`),
			sp("projectGroups", "", "Services", `{"Name": "Services", "Description": "all services"}`),
			sp("libraryVariableSets", "", "Common", `{"Name": "Common", "Description": "shared", "Templates": [{"Name": "TenantDb", "Label": "Tenant database", "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}}]}`),
			sp("libraryVariables", "Common", "", `{"Variables": [{"Name": "Company", "Value": "Acme"}]}`),
			sp("scriptModules", "", "Helpers", `{"Name": "Helpers", "Description": "shared functions"}`),
			sp("libraryVariables", "Helpers", "", `{"Variables": [{"Name": "Octopus.Script.Module[Helpers]", "Value": "function Say-Hi { 'hi' }"}, {"Name": "Octopus.Script.Module.Language[Helpers]", "Value": "PowerShell"}]}`),
			sp("stepTemplates", "", "Notify", `{"Name": "Notify", "ActionType": "Octopus.Script", "Description": "notify chat", "Properties": {"Octopus.Action.Script.ScriptBody": "echo #{Message}", "Octopus.Action.Script.Syntax": "Bash", "Octopus.Action.Script.ScriptSource": "Inline"}, "Parameters": [{"Name": "Message", "Label": "Message", "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}}]}`),
			sp("projects", "", "api", `{"Name": "api", "Description": "the API", "ProjectGroup": "Services", "Lifecycle": "Standard", "IncludedLibraryVariableSets": ["Common", "Helpers"], "TenantedDeploymentMode": "TenantedOrUntenanted", "Templates": [{"Name": "Tenant alias", "Label": "Alias", "DisplaySettings": {"Octopus.ControlType": "SingleLineText"}}]}`),
			sp("channels", "api", "Beta", `{"Name": "Beta", "Description": "beta builds", "Lifecycle": "Standard", "IsDefault": false}`),
			sp("deploymentProcess", "api", "", `{"Steps": [
				{"Name": "Deploy", "Condition": "Success", "StartTrigger": "StartAfterPrevious", "PackageRequirement": "LetOctopusDecide", "Properties": {"Octopus.Action.TargetRoles": "web"},
				 "Actions": [{"Name": "Deploy", "ActionType": "Octopus.Script", "Environments": ["Production"], "Channels": ["Beta"], "WorkerPool": "Linux",
				              "Properties": {"Octopus.Action.Script.ScriptBody": "echo deploy\necho done", "Octopus.Action.Script.Syntax": "Bash", "Octopus.Action.Script.ScriptSource": "Inline", "Octopus.Action.RunOnServer": true}}]},
				{"Name": "Notify", "Condition": "Always", "StartTrigger": "StartAfterPrevious", "PackageRequirement": "LetOctopusDecide", "Properties": {},
				 "Actions": [{"Name": "Notify", "ActionType": "Octopus.Script", "IsDisabled": true,
				              "Properties": {"Octopus.Action.Template.Id": "Notify", "Message": "deployed", "Octopus.Action.Script.ScriptBody": "echo #{Message}", "Octopus.Action.Script.Syntax": "Bash", "Octopus.Action.Script.ScriptSource": "Inline", "Octopus.Action.RunOnServer": "true"}}]}]}`),
			sp("runbooks", "api", "Restart", `{"Name": "Restart", "Description": "restart the service", "EnvironmentScope": "Specified", "Environments": ["Production"]}`),
			sp("runbookProcess", "api", "Restart", `{"Steps": [{"Name": "Restart", "Condition": "Success", "StartTrigger": "StartAfterPrevious", "PackageRequirement": "LetOctopusDecide", "Properties": {},
				"Actions": [{"Name": "Restart", "ActionType": "Octopus.Script", "Properties": {"Octopus.Action.Script.ScriptBody": "systemctl restart api", "Octopus.Action.Script.Syntax": "Bash", "Octopus.Action.Script.ScriptSource": "Inline", "Octopus.Action.RunOnServer": "true"}}]}]}`),
			vars,
			sp("tenants", "", "Acme", `{"Name": "Acme", "Description": "a customer", "TenantTags": ["Tier/Gold"], "ProjectEnvironments": {"api": ["Development", "Production"]}}`),
			sp("tenantVariables", "Acme", "", `{"ProjectVariables": {"api": {"Production": {"Tenant alias": "acme-prod"}, "Development": {"Tenant alias": "acme-dev"}}}, "LibraryVariables": {"Common": {"TenantDb": "acme_db"}}}`),
			secret(sp("accounts", "", "AWS", `{"Name": "AWS", "AccountType": "AmazonWebServicesAccount", "AccessKey": "AKIA123", "SecretKey": "x", "Environments": ["Production"], "TenantedDeploymentParticipation": "TenantedOrUntenanted", "Tenants": ["Acme"], "TenantTags": []}`), "SecretKey"),
			sp("teams", "", "Payments devs", `{"Name": "Payments devs", "Description": "", "MemberUsers": [], "ExternalSecurityGroups": []}`),
			sp("scopedUserRoles", "", "Payments devs/Project deployer", `{"Team": "Payments devs", "UserRole": "Project deployer", "Projects": ["api"]}`),
			sp("subscriptions", "", "Failures", `{"Name": "Failures", "Type": "Event", "IsDisabled": false, "EventNotificationSubscription": {"Filter": {"Projects": ["api"], "Environments": ["Production"], "EventCategories": ["DeploymentFailed"]}, "EmailTeams": ["Payments devs"], "EmailFrequencyPeriod": "01:00:00", "EmailPriority": "High"}}`),
		}}},
	}
}

func TestEveryKindRoundTrips(t *testing.T) {
	c := newInstance(t)
	secrets := &reconcile.Secrets{Getenv: func(string) string { return "s3cret-value" }, Key: []byte("k")}
	in := everyKind(t)
	first := plan(t, c, in, secrets)
	applyPlan(t, c, first, secrets)
	second := plan(t, c, in, secrets)
	if got := changes(second); len(got) != 0 {
		t.Fatalf("plan after apply is not empty:\n%s", strings.Join(got, "\n"))
	}

	// A secret changed in git shows as an update of that field only.
	changed := &reconcile.Secrets{Getenv: func(string) string { return "rotated" }, Key: []byte("k")}
	third := plan(t, c, in, changed)
	for _, line := range changes(third) {
		if !strings.Contains(line, "Password") && !strings.Contains(line, "Secret") && !strings.Contains(line, "DbPassword") {
			t.Errorf("unexpected change after rotating the secret:\n%s", line)
		}
	}
	if len(changes(third)) == 0 {
		t.Fatal("a rotated secret was not detected")
	}
	applyPlan(t, c, third, changed)
	if got := changes(plan(t, c, in, changed)); len(got) != 0 {
		t.Fatalf("plan after applying the rotation is not empty:\n%s", strings.Join(got, "\n"))
	}
}
