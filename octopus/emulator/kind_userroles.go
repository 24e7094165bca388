package emulator

import (
	"slices"
	"strings"
)

// builtInRole is a user role every server ships with, with the permissions
// Octopus's documentation lists for it.
type builtInRole struct {
	id, name, description string
	system, space         []string
}

var (
	viewerSystem = []string{"TeamView", "UserView", "UserRoleView"}
	viewerSpace  = []string{
		"ReleaseView", "ProjectView", "DeploymentView", "ProcessView", "EnvironmentView", "ArtifactView", "EventView",
		"ProjectGroupView", "LibraryVariableSetView", "TeamView", "TaskView", "InterruptionView", "LifecycleView",
		"MachinePolicyView", "TenantView", "TriggerView", "CertificateView", "RunbookView", "RunbookRunView",
	}
	contributorSpace = append(slices.Clone(viewerSpace),
		"ArtifactCreate", "ActionTemplateView", "ActionTemplateCreate", "ActionTemplateEdit", "ActionTemplateDelete",
		"ProcessEdit", "ProjectEdit", "FeedView", "LibraryVariableSetCreate", "LibraryVariableSetEdit",
		"LibraryVariableSetDelete", "TaskCreate", "InterruptionViewSubmitResponsible", "MachineView", "DefectReport",
		"DefectResolve", "VariableView", "VariableEdit", "TriggerCreate", "TriggerDelete", "TriggerEdit", "RunbookEdit")
	adminSystem = []string{
		"AdministerSystem", "ConfigureServer", "EventRetentionDelete", "EventRetentionView", "EventView", "TeamCreate",
		"TeamView", "TeamEdit", "TeamDelete", "TaskView", "TaskCreate", "TaskCancel", "TaskEdit", "SpaceView", "SpaceEdit",
		"SpaceCreate", "SpaceDelete", "UserView", "UserInvite", "UserRoleView", "UserRoleEdit", "UserEdit",
	}
	environmentViewerSpace = []string{
		"EnvironmentView", "MachineView", "TaskView", "TeamView", "AccountView", "MachinePolicyView", "CertificateView",
		"ProxyView", "WorkerView",
	}
)

// builtInRoles are the built-in user roles, with ids userroles-<name
// without spaces, lower case>.
var builtInRoles = []builtInRole{
	{"userroles-buildserver", "Build server", "Build servers can publish packages, and create releases, deployments, runbook snapshots and runbook runs.", nil, []string{
		"BuiltInFeedAdminister", "BuiltInFeedDownload", "BuiltInFeedPush", "DeploymentCreate", "DeploymentView", "EnvironmentView",
		"FeedView", "LibraryVariableSetView", "LifecycleView", "BuildInformationPush", "BuildInformationAdminister", "ProcessView",
		"ProjectView", "ReleaseCreate", "ReleaseView", "TaskView", "TenantView", "RunbookView", "RunbookEdit", "RunbookRunView",
		"RunbookRunCreate"}},
	{"userroles-certificatemanager", "Certificate manager", "Certificate managers can edit certificates and export private-keys", nil, []string{
		"CertificateView", "CertificateCreate", "CertificateEdit", "CertificateDelete", "CertificateExportPrivateKey", "EnvironmentView", "TenantView"}},
	{"userroles-deploymentcreator", "Deployment creator", "Deployment creators can create new deployments and runbook runs.", nil, []string{
		"DeploymentCreate", "DeploymentView", "EnvironmentView", "LifecycleView", "ProcessView", "ProjectView", "ReleaseView", "TaskView",
		"TenantView", "LibraryVariableSetView", "RunbookView", "RunbookRunView", "RunbookRunCreate"}},
	{"userroles-environmentmanager", "Environment manager", "Environment managers can view and edit environments and their machines.", []string{"TeamView"},
		append(slices.Clone(environmentViewerSpace), "EnvironmentCreate", "EnvironmentEdit", "EnvironmentDelete", "MachineCreate",
			"MachineEdit", "MachineDelete", "TaskCreate", "TaskCancel", "AccountCreate", "AccountEdit", "AccountDelete", "ProxyCreate",
			"ProxyEdit", "ProxyDelete", "MachinePolicyCreate", "MachinePolicyEdit", "MachinePolicyDelete", "WorkerEdit")},
	{"userroles-environmentviewer", "Environment viewer", "Environment viewers can view environments and their machines, but not edit them.", []string{"TeamView"}, environmentViewerSpace},
	{"userroles-packagepublisher", "Package publisher", "Permits packages to be pushed to the Octopus Server's built-in NuGet feed.", nil, []string{
		"BuiltInFeedAdminister", "BuiltInFeedDownload", "BuiltInFeedPush", "FeedView", "BuildInformationPush", "BuildInformationAdminister"}},
	{"userroles-projectcontributor", "Project contributor", "All project viewer permissions, plus: editing and viewing variables, editing the deployment steps. Project contributors can't create or deploy releases.", viewerSystem, contributorSpace},
	{"userroles-projectdeployer", "Project deployer", "All project contributor permissions, plus: deploying releases, but not creating them.", viewerSystem,
		append(slices.Clone(contributorSpace), "DeploymentCreate", "InterruptionSubmit", "TaskCancel", "RunbookRunCreate")},
	{"userroles-projectinitiator", "Project initiator", "All project viewer permissions, plus: create new projects.", viewerSystem,
		append(slices.Clone(viewerSpace), "ProjectCreate", "ProjectEdit", "ProjectDelete", "DefectReport", "DefectResolve")},
	{"userroles-projectlead", "Project lead", "All project contributor permissions, plus: creating releases, but not deploying them.", viewerSystem,
		append(slices.Clone(contributorSpace), "ReleaseCreate", "ReleaseEdit", "ReleaseDelete", "ArtifactEdit", "ArtifactDelete")},
	{"userroles-projectviewer", "Project viewer", "Project viewers have read-only access to a project. They can see a project in their dashboard, view releases and deployments. Restrict this role by project to limit it to a subset of projects, and restrict it by environment to limit which environments they can view deployments to.", viewerSystem, viewerSpace},
	{"userroles-releasecreator", "Release creator", "Release creators can create new releases and runbook snapshots.", nil, []string{
		"EnvironmentView", "FeedView", "ProcessView", "ProjectView", "ReleaseCreate", "ReleaseView", "RunbookView", "RunbookEdit"}},
	{"userroles-runbookconsumer", "Runbook consumer", "Runbook consumers can view and execute runbooks.", nil, []string{
		"ProjectView", "EnvironmentView", "ArtifactView", "EventView", "ProjectGroupView", "LibraryVariableSetView", "TeamView", "FeedView",
		"TaskView", "InterruptionView", "MachinePolicyView", "TenantView", "TriggerView", "CertificateView", "MachineView", "RunbookView",
		"RunbookRunView", "RunbookRunCreate"}},
	{"userroles-runbookproducer", "Runbook producer", "Runbook producers can edit and execute runbooks.", nil, []string{
		"ProjectCreate", "ProjectEdit", "ProjectDelete", "LifecycleView", "ActionTemplateView", "ActionTemplateCreate", "ActionTemplateEdit",
		"ActionTemplateDelete", "LibraryVariableSetCreate", "LibraryVariableSetEdit", "LibraryVariableSetDelete", "TaskCreate", "TaskCancel",
		"InterruptionViewSubmitResponsible", "VariableView", "VariableEdit", "TriggerCreate", "TriggerDelete", "TriggerEdit", "RunbookEdit",
		"RunbookRunDelete", "ArtifactCreate", "ArtifactEdit", "ArtifactDelete", "InterruptionSubmit", "ProjectView", "EnvironmentView",
		"ArtifactView", "EventView", "ProjectGroupView", "LibraryVariableSetView", "TeamView", "FeedView", "TaskView", "InterruptionView",
		"MachinePolicyView", "TenantView", "TriggerView", "CertificateView", "MachineView", "RunbookView", "RunbookRunView", "RunbookRunCreate"}},
	{"userroles-spacemanager", "Space manager", "Space managers can do everything within the context of the space they own.", viewerSystem, []string{
		"ProjectEdit", "ProjectView", "ProjectCreate", "ProjectDelete", "ProcessView", "ProcessEdit", "VariableEdit", "VariableEditUnscoped",
		"VariableView", "VariableViewUnscoped", "ReleaseCreate", "ReleaseView", "ReleaseEdit", "ReleaseDelete", "DefectReport", "DefectResolve",
		"DeploymentCreate", "DeploymentDelete", "DeploymentView", "EnvironmentView", "EnvironmentCreate", "EnvironmentEdit", "EnvironmentDelete",
		"MachineCreate", "MachineEdit", "MachineView", "MachineDelete", "ArtifactView", "ArtifactCreate", "ArtifactEdit", "ArtifactDelete",
		"FeedView", "FeedEdit", "GitCredentialView", "GitCredentialEdit", "EventView", "LibraryVariableSetView", "LibraryVariableSetCreate",
		"LibraryVariableSetEdit", "LibraryVariableSetDelete", "ProjectGroupView", "ProjectGroupCreate", "ProjectGroupEdit", "ProjectGroupDelete",
		"TeamCreate", "TeamView", "TeamEdit", "TeamDelete", "TaskView", "TaskCreate", "TaskCancel", "TaskEdit", "InterruptionView",
		"InterruptionSubmit", "InterruptionViewSubmitResponsible", "BuiltInFeedPush", "BuiltInFeedAdminister", "BuiltInFeedDownload",
		"ActionTemplateView", "ActionTemplateCreate", "ActionTemplateEdit", "ActionTemplateDelete", "LifecycleCreate", "LifecycleView",
		"LifecycleEdit", "LifecycleDelete", "AccountView", "AccountEdit", "AccountCreate", "AccountDelete", "TenantCreate", "TenantEdit",
		"TenantView", "TenantDelete", "TagSetCreate", "TagSetEdit", "TagSetDelete", "MachinePolicyCreate", "MachinePolicyView",
		"MachinePolicyEdit", "MachinePolicyDelete", "ProxyCreate", "ProxyView", "ProxyEdit", "ProxyDelete", "SubscriptionCreate",
		"SubscriptionView", "SubscriptionEdit", "SubscriptionDelete", "TriggerCreate", "TriggerView", "TriggerEdit", "TriggerDelete",
		"CertificateView", "CertificateCreate", "CertificateEdit", "CertificateDelete", "CertificateExportPrivateKey", "WorkerView",
		"WorkerEdit", "BuildInformationPush", "BuildInformationAdminister", "RunbookView", "RunbookEdit", "RunbookRunView",
		"RunbookRunDelete", "RunbookRunCreate"}},
	{"userroles-systemadministrator", "System administrator", "System administrators can do everything at the system level.", adminSystem, nil},
	{"userroles-systemmanager", "System manager", "System managers can do everything at the system level except certain system-level functions reserved for system administrators.",
		slices.DeleteFunc(slices.Clone(adminSystem), func(p string) bool { return p == "AdministerSystem" }), nil},
	{"userroles-tenantmanager", "Tenant manager", "Tenant managers can edit tenants and their tags", nil, []string{
		"TenantCreate", "TenantEdit", "TenantDelete", "TenantView"}},
}

// knownPermissions are the permission names a user role may grant: those
// of Octopus Server's Permission enumeration and those of newer servers'
// built-in roles.
var knownPermissions = func() map[string]bool {
	m := map[string]bool{}
	for _, p := range []string{
		"AccountCreate", "AccountDelete", "AccountEdit", "AccountView", "ActionTemplateCreate", "ActionTemplateDelete",
		"ActionTemplateEdit", "ActionTemplateView", "AdministerSystem", "ArtifactCreate", "ArtifactDelete", "ArtifactEdit",
		"ArtifactView", "BuildInformationAdminister", "BuildInformationPush", "BuiltInFeedAdminister", "BuiltInFeedDownload",
		"BuiltInFeedPush", "CertificateCreate", "CertificateDelete", "CertificateEdit", "CertificateExportPrivateKey",
		"CertificateView", "ConfigureServer", "DefectReport", "DefectResolve", "DeploymentCreate", "DeploymentDelete",
		"DeploymentFreezeAdminister", "DeploymentView", "EnvironmentCreate", "EnvironmentDelete", "EnvironmentEdit",
		"EnvironmentView", "EventRetentionDelete", "EventRetentionView", "EventView", "FeedEdit", "FeedView", "GitCredentialEdit",
		"GitCredentialView", "InsightsReportCreate", "InsightsReportDelete", "InsightsReportEdit", "InsightsReportView",
		"InterruptionSubmit", "InterruptionView", "InterruptionViewSubmitResponsible", "LibraryVariableSetCreate",
		"LibraryVariableSetDelete", "LibraryVariableSetEdit", "LibraryVariableSetView", "LifecycleCreate", "LifecycleDelete",
		"LifecycleEdit", "LifecycleView", "MachineCreate", "MachineDelete", "MachineEdit", "MachinePolicyCreate",
		"MachinePolicyDelete", "MachinePolicyEdit", "MachinePolicyView", "MachineView", "ProcessEdit", "ProcessView",
		"ProjectCreate", "ProjectDelete", "ProjectEdit", "ProjectGroupCreate", "ProjectGroupDelete", "ProjectGroupEdit",
		"ProjectGroupView", "ProjectView", "ProxyCreate", "ProxyDelete", "ProxyEdit", "ProxyView", "ReleaseCreate",
		"ReleaseDelete", "ReleaseEdit", "ReleaseView", "RunbookEdit", "RunbookRunCreate", "RunbookRunDelete", "RunbookRunView",
		"RunbookView", "SpaceCreate", "SpaceDelete", "SpaceEdit", "SpaceView", "SubscriptionCreate", "SubscriptionDelete",
		"SubscriptionEdit", "SubscriptionView", "TagSetCreate", "TagSetDelete", "TagSetEdit", "TaskCancel", "TaskCreate",
		"TaskEdit", "TaskView", "TeamCreate", "TeamDelete", "TeamEdit", "TeamView", "TenantCreate", "TenantDelete",
		"TenantEdit", "TenantView", "TriggerCreate", "TriggerDelete", "TriggerEdit", "TriggerView", "UserEdit", "UserInvite",
		"UserRoleEdit", "UserRoleView", "UserView", "VariableEdit", "VariableEditUnscoped", "VariableView",
		"VariableViewUnscoped", "WorkerEdit", "WorkerView",
	} {
		m[p] = true
	}
	return m
}()

func init() {
	register(&hooks{
		kind: "userRoles",
		schema: &schema{fields: []field{
			str("Name").req().max(200),
			str("Description"),
			strs("GrantedSpacePermissions"),
			strs("GrantedSystemPermissions"),
			boolean("CanBeDeleted").ro().withDefault(true),
			strs("SupportedRestrictions").ro(),
			strs("SpacePermissionDescriptions").ro(),
			strs("SystemPermissionDescriptions").ro(),
		}},
		perms: permissions{View: "UserRoleView", Create: "UserRoleEdit", Edit: "UserRoleEdit", Delete: "UserRoleEdit"},
		prepare: func(c *ctx, doc, old Doc) error {
			var errs []string
			for _, f := range []string{"GrantedSpacePermissions", "GrantedSystemPermissions"} {
				for _, p := range stringList(doc[f]) {
					if !knownPermissions[p] {
						errs = append(errs, "Error converting value \""+p+"\" to type 'Octopus.Server.Extensibility.HostServices.Model.Permission'. Path '"+f+"'.")
					}
				}
			}
			if len(errs) > 0 {
				return badRequest(errs...)
			}
			if old != nil && old["CanBeDeleted"] == false && !strings.EqualFold(asString(old["Name"]), asString(doc["Name"])) {
				return badRequest("The name of a built-in user role cannot be changed.")
			}
			doc["SupportedRestrictions"] = supportedRestrictions(stringList(doc["GrantedSpacePermissions"]))
			doc["SpacePermissionDescriptions"] = describe(stringList(doc["GrantedSpacePermissions"]))
			doc["SystemPermissionDescriptions"] = describe(stringList(doc["GrantedSystemPermissions"]))
			return nil
		},
		beforeDelete: func(c *ctx, doc Doc) error {
			if doc["CanBeDeleted"] == false {
				return refused("Built-in user roles cannot be deleted.")
			}
			for _, g := range c.st.coll(c.def("scopedUserRoles")).all(c.def("scopedUserRoles")) {
				if g["UserRoleId"] == doc["Id"] {
					return refused("This user role is assigned to one or more teams. Remove it from those teams before deleting it.")
				}
			}
			return nil
		},
		seedInstance: func(c *ctx) error {
			for _, r := range builtInRoles {
				doc, err := c.create("userRoles", "", Doc{
					"Id": r.id, "Name": r.name, "Description": r.description,
					"GrantedSystemPermissions": toAnyList(r.system), "GrantedSpacePermissions": toAnyList(r.space),
				})
				if err != nil {
					return err
				}
				doc = cloneDoc(doc)
				doc["CanBeDeleted"] = false
				c.put("userRoles", doc)
			}
			return nil
		},
	})
}

// supportedRestrictions lists the scopes a role's grants can be
// restricted to, derived from its space permissions.
func supportedRestrictions(space []string) []any {
	out := []any{}
	has := func(prefixes ...string) bool {
		for _, p := range space {
			for _, pre := range prefixes {
				if strings.HasPrefix(p, pre) {
					return true
				}
			}
		}
		return false
	}
	if has("Project", "Process", "Release", "Deployment", "Variable", "Runbook", "Trigger") {
		out = append(out, "ProjectGroups", "Projects")
	}
	if has("Environment", "Deployment", "Machine", "Variable", "Task", "Runbook") {
		out = append(out, "Environments")
	}
	if has("Tenant", "Deployment", "Variable", "Runbook") {
		out = append(out, "Tenants")
	}
	return out
}

// describe turns permission names into the descriptions a role lists:
// "EnvironmentView" becomes "View environments (EnvironmentView)".
func describe(perms []string) []any {
	out := make([]any, 0, len(perms))
	for _, p := range perms {
		if text := permissionText[p]; text != "" {
			out = append(out, text+" ("+p+")")
		} else {
			out = append(out, p)
		}
	}
	return out
}

// toAnyList converts a string slice to a JSON array value.
func toAnyList(s []string) []any {
	out := make([]any, len(s))
	for i, v := range s {
		out[i] = v
	}
	return out
}

// cloneDoc copies a stored document so that it can be changed and put
// back.
func cloneDoc(d Doc) Doc { return cloneJSON(d).(map[string]any) }
