package emulator

import (
	"strings"
)

// linker builds the paths an instance puts in Links. An instance served
// under a path prefix (a real server behind a virtual directory) puts the
// prefix in every link, as the real server does.
type linker struct {
	prefix string
}

// api returns the path of p below the instance's /api.
func (l *linker) api(p string) string {
	return l.prefix + "/api" + p
}

// collection is the path of a kind's collection in a space ("" for an
// instance-level collection).
func (l *linker) collection(k *kindDef, space string) string {
	if space == "" {
		return l.api("/" + k.Path)
	}
	return l.api("/" + space + "/" + k.Path)
}

// self is the path of a document.
func (l *linker) self(k *kindDef, doc Doc) string {
	return l.collection(k, bucketOf(k, doc)) + "/" + asString(doc["Id"])
}

// inSpace is the path of a document of a space-scoped collection.
func (l *linker) inSpace(collection string, doc Doc) string {
	return l.api("/" + asString(doc["SpaceId"]) + "/" + collection + "/" + asString(doc["Id"]))
}

// web is the path of a document's page in the web portal.
func (l *linker) web(p string) string {
	return l.prefix + "/app#" + p
}

// rootLink is one entry of the root document's Links: a name and an RFC
// 6570 template. A template starting with "{space}" is space-scoped: the
// global root points it at the default space, a space root at its space.
type rootLink struct {
	name, template string
}

// rootLinks are the root document's links, the set a real server
// advertises (as the official clients read them). Routes the emulator does
// not serve answer 404, as they would on a server without the feature.
var rootLinks = []rootLink{
	{"Accounts", "{space}/accounts{/id}{?skip,take,ids,partialName,accountType}"},
	{"ActionTemplateLogo", "{space}/actiontemplates/{typeOrId}/logo{?cb}"},
	{"ActionTemplates", "{space}/actiontemplates{/id}{?skip,take,ids,partialName}"},
	{"ActionTemplatesCategories", "{space}/actiontemplates/categories"},
	{"ActionTemplatesSearch", "{space}/actiontemplates/search"},
	{"ActionTemplateVersionedLogo", "{space}/actiontemplates/{typeOrId}/versions/{version}/logo{?cb}"},
	{"Artifacts", "{space}/artifacts{/id}{?skip,take,regarding,ids,partialName,order}"},
	{"AuditStream", "/audit-stream"},
	{"Authentication", "/authentication"},
	{"AzureEnvironments", "/accounts/azureenvironments"},
	{"BuildInformation", "{space}/build-information{/id}{?filter,packageId,latest,skip,take,overwriteMode}"},
	{"BuildInformationBulk", "{space}/build-information/bulk{?ids}"},
	{"BuiltInFeedStats", "/feeds/stats"},
	{"CertificateConfiguration", "/configuration/certificates{/id}{?skip,take,ids,partialName}"},
	{"Certificates", "{space}/certificates{/id}{?skip,take,search,archived,tenant,firstResult,orderBy,ids,partialName}"},
	{"Channels", "{space}/channels{/id}{?skip,take,ids,partialName}"},
	{"CommunityActionTemplates", "/communityactiontemplates{/id}{?skip,take,ids}"},
	{"Configuration", "/configuration{/id}"},
	{"CurrentLicense", "/licenses/licenses-current"},
	{"CurrentLicenseStatus", "/licenses/licenses-current-status"},
	{"CurrentUser", "/users/me"},
	{"Dashboard", "{space}/dashboard{?projectId,releaseId,selectedTenants,selectedTags,showAll,highestLatestVersionPerProjectAndEnvironment}"},
	{"DashboardConfiguration", "{space}/dashboardconfiguration"},
	{"DashboardDynamic", "{space}/dashboard/dynamic{?projects,environments,includePrevious}"},
	{"DeploymentProcesses", "{space}/deploymentprocesses{/id}{?skip,take,ids}"},
	{"Deployments", "{space}/deployments{/id}{?skip,take,ids,projects,environments,tenants,channels,taskState,partialName}"},
	{"DiscoverMachine", "{space}/machines/discover{?host,port,type,proxyId}"},
	{"DiscoverWorker", "{space}/workers/discover{?host,port,type,proxyId}"},
	{"Environments", "{space}/environments{/id}{?name,skip,ids,take,partialName}"},
	{"EnvironmentSortOrder", "{space}/environments/sortorder"},
	{"EnvironmentsSummary", "{space}/environments/summary{?ids,partialName,machinePartialName,roles,isDisabled,healthStatuses,commStyles,tenantIds,tenantTags,hideEmptyEnvironments,shellNames}"},
	{"EventAgents", "/events/agents"},
	{"EventCategories", "/events/categories{?appliesTo}"},
	{"EventDocumentTypes", "/events/documenttypes"},
	{"EventGroups", "/events/groups{?appliesTo}"},
	{"Events", "/events{/id}{?skip,regarding,regardingAny,user,users,projects,projectGroups,environments,eventGroups,eventCategories,eventAgents,tags,tenants,from,to,internal,fromAutoId,toAutoId,documentTypes,asCsv,take,ids,spaces,includeSystem,excludeDifference}"},
	{"ExtensionStats", "/serverstatus/extensions"},
	{"ExternalSecurityGroupProviders", "/externalsecuritygroupproviders"},
	{"ExternalUserSearch", "/users/external-search{?partialName}"},
	{"FeaturesConfiguration", "/featuresconfiguration"},
	{"FeatureToggles", "/configuration/feature-toggles{?Name}"},
	{"Feeds", "{space}/feeds{/id}{?skip,take,ids,partialName,feedType,name}"},
	{"GitCredentials", "{space}/git-credentials{/id}{?skip,take,name}"},
	{"Interruptions", "{space}/interruptions{/id}{?skip,take,regarding,pendingOnly,ids}"},
	{"Invitations", "/users/invitations"},
	{"IssueTrackers", "/issuetrackers{?skip,take,ids,partialName}"},
	{"LetsEncryptConfiguration", "/letsencryptconfiguration"},
	{"LibraryVariables", "{space}/libraryvariablesets{/id}{?skip,contentType,take,ids,partialName}"},
	{"Lifecycles", "{space}/lifecycles{/id}{?skip,take,ids,partialName}"},
	{"LoginInitiated", "/authentication/checklogininitiated"},
	{"MachineOperatingSystems", "{space}/machines/operatingsystem/names/all"},
	{"MachinePolicies", "{space}/machinepolicies{/id}{?skip,take,ids,partialName}"},
	{"MachinePolicyTemplate", "{space}/machinepolicies/template"},
	{"MachineRoles", "{space}/machineroles/all"},
	{"Machines", "{space}/machines{/id}{?skip,take,name,ids,partialName,roles,isDisabled,healthStatuses,commStyles,tenantIds,tenantTags,environmentIds,thumbprint,deploymentId,shellNames}"},
	{"MachineShells", "{space}/machines/operatingsystem/shells/all"},
	{"MaintenanceConfiguration", "/maintenanceconfiguration"},
	{"OctopusServerClusterSummary", "/octopusservernodes/summary"},
	{"OctopusServerNodes", "/octopusservernodes{/id}{?skip,take,ids,partialName}"},
	{"PackageDeltaSignature", "{space}/packages/{packageId}/{version}/delta-signature"},
	{"PackageDeltaUpload", "{space}/packages/{packageId}/{baseVersion}/delta{?replace,overwriteMode}"},
	{"PackageMetadata", "{space}/package-metadata{/id}{?filter,latest,skip,take,replace,overwriteMode}"},
	{"PackageNotesList", "{space}/packages/notes{?packageIds}"},
	{"Packages", "{space}/packages{/id}{?nuGetPackageId,filter,latest,skip,take,includeNotes}"},
	{"PackagesBulk", "{space}/packages/bulk{?ids}"},
	{"PackageUpload", "{space}/packages/raw{?replace,overwriteMode}"},
	{"PerformanceConfiguration", "/performanceconfiguration"},
	{"PermissionDescriptions", "/permissions/all"},
	{"ProjectGroups", "{space}/projectgroups{/id}{?skip,take,ids,partialName}"},
	{"ProjectPulse", "{space}/projects/pulse{?projectIds}"},
	{"Projects", "{space}/projects{/id}{?name,skip,ids,clone,take,partialName,clonedFromProjectId}"},
	{"ProjectsExperimentalSummaries", "{space}/projects/experimental/summaries{?ids}"},
	{"ProjectTriggers", "{space}/projecttriggers{/id}{?skip,take,ids,runbooks}"},
	{"Proxies", "{space}/proxies{/id}{?skip,take,ids,partialName}"},
	{"Register", "/users/register"},
	{"Releases", "{space}/releases{/id}{?skip,ignoreChannelRules,take,ids}"},
	{"RunbookProcesses", "{space}/runbookProcesses{/id}{?skip,take,ids}"},
	{"RunbookRuns", "{space}/runbookRuns{/id}{?skip,take,ids,projects,environments,tenants,runbooks,taskState,partialName}"},
	{"Runbooks", "{space}/runbooks{/id}{?skip,take,ids,partialName,clone,projectIds}"},
	{"RunbookSnapshots", "{space}/runbookSnapshots{/id}{?skip,take,ids,publish}"},
	{"ScheduledProjectTriggers", "{space}/scheduledprojecttriggers{/id}{?skip,take,ids}"},
	{"Scheduler", "/scheduler/{name}/logs{?verbose,tail}"},
	{"ScopedUserRoles", "/scopeduserroles{/id}{?skip,take,ids,partialName,spaces,includeSystem}"},
	{"ServerConfiguration", "/serverconfiguration"},
	{"ServerConfigurationSettings", "/serverconfiguration/settings"},
	{"ServerHealthStatus", "/serverstatus/health"},
	{"ServerStatus", "/serverstatus"},
	{"SignIn", "/users/login{?returnUrl}"},
	{"SignOut", "/users/logout"},
	{"SmtpConfiguration", "/smtpconfiguration"},
	{"SmtpIsConfigured", "/smtpconfiguration/isconfigured"},
	{"SpaceHome", "/{spaceId}"},
	{"Spaces", "/spaces{/id}{?name,skip,ids,take,partialName}"},
	{"Subscriptions", "{space}/subscriptions{/id}{?skip,take,ids,partialName,spaces}"},
	{"TagSets", "{space}/tagsets{/id}{?skip,take,ids,partialName,scopes}"},
	{"TagSetSortOrder", "{space}/tagsets/sortorder"},
	{"Tasks", "/tasks{/id}{?skip,active,environment,tenant,runbook,project,name,node,running,states,hasPendingInterruptions,hasWarningsOrErrors,take,ids,partialName,spaces,includeSystem}"},
	{"TaskTypes", "/tasks/taskTypes"},
	{"TeamMembership", "/teammembership{?userId,spaces,includeSystem}"},
	{"TeamMembershipPreviewTeam", "/teammembership/previewteam"},
	{"Teams", "/teams{/id}{?skip,take,ids,partialName,spaces,includeSystem}"},
	{"Tenants", "{space}/tenants{/id}{?skip,projectId,name,tags,take,ids,clone,partialName,clonedFromTenantId}"},
	{"TenantsMissingVariables", "{space}/tenants/variables-missing{?tenantId,projectId,environmentId,includeDetails}"},
	{"TenantsStatus", "{space}/tenants/status"},
	{"TenantTagTest", "{space}/tenants/tag-test{?tenantIds,tags}"},
	{"TenantVariables", "{space}/tenantvariables/all{?projectId}"},
	{"Timezones", "/serverstatus/timezones"},
	{"UpgradeConfiguration", "/upgradeconfiguration"},
	{"UserAuthentication", "/users/authentication{/userId}"},
	{"UserIdentityMetadata", "/users/identity-metadata"},
	{"UserOnboarding", "{space}/useronboarding"},
	{"UserRoles", "/userroles{/id}{?skip,take,ids,partialName}"},
	{"Users", "/users{/id}{?skip,take,ids,filter}"},
	{"VariableNames", "{space}/variables/names{?project,runbook,projectEnvironmentsFilter}"},
	{"VariablePreview", "{space}/variables/preview{?project,runbook,environment,channel,tenant,action,machine,role}"},
	{"Variables", "{space}/variables{/id}{?ids}"},
	{"VersionControlClearCache", "/configuration/versioncontrol/clear-cache"},
	{"VersionRuleTest", "{space}/channels/rule-test{?version,versionRange,preReleaseTag,feetType}"},
	{"WorkerOperatingSystems", "{space}/workers/operatingsystem/names/all"},
	{"WorkerPools", "{space}/workerpools{/id}{?name,skip,ids,take,partialName}"},
	{"WorkerPoolsDynamicWorkerTypes", "{space}/workerpools/dynamicworkertypes"},
	{"WorkerPoolsSortOrder", "{space}/workerpools/sortorder"},
	{"WorkerPoolsSummary", "{space}/workerpools/summary{?ids,partialName,machinePartialName,isDisabled,healthStatuses,commStyles,hideEmptyWorkerPools,shellNames}"},
	{"WorkerPoolsSupportedTypes", "{space}/workerpools/supportedtypes"},
	{"Workers", "{space}/workers{/id}{?skip,take,name,ids,partialName,isDisabled,healthStatuses,commStyles,workerPoolIds,thumbprint,shellNames}"},
	{"WorkerShells", "{space}/workers/operatingsystem/shells/all"},
	{"WorkerToolsLatestImages", "/workertoolslatestimages"},
}

// spaceOverrides are the templates a space root gives for links whose
// global form is instance-wide (a space's teams and role grants).
var spaceOverrides = map[string]string{
	"Teams":           "{space}/teams{/id}{?skip,take,ids,partialName,includeSystem}",
	"ScopedUserRoles": "{space}/scopeduserroles{/id}{?skip,take,ids,partialName,includeSystem}",
}

// rootLinksFor returns the Links of the global root (space is the default
// space's id, or "" when the instance has none) or of a space root.
func (l *linker) rootLinksFor(space string, spaceRoot bool) map[string]string {
	out := make(map[string]string, len(rootLinks)+4)
	for _, rl := range rootLinks {
		t := rl.template
		if o, ok := spaceOverrides[rl.name]; ok && spaceRoot {
			t = o
		}
		scoped := strings.HasPrefix(t, "{space}")
		switch {
		case spaceRoot && !scoped:
			continue
		case scoped && space == "":
			t = strings.TrimPrefix(t, "{space}")
		case scoped:
			t = "/" + space + strings.TrimPrefix(t, "{space}")
		}
		out[rl.name] = l.api(t)
	}
	if spaceRoot {
		out["Self"] = l.api("/" + space)
		out["SpaceHome"] = l.api("/" + space)
		out["Web"] = l.prefix + "/app#/" + space
	} else {
		out["Self"] = l.api("")
		out["Web"] = l.prefix + "/app"
	}
	return out
}
