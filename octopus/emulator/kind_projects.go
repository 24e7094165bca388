package emulator

import (
	"maps"
	"net/http"
	"slices"
)

// defaultVersionTemplate is the release version template of a project
// that does not choose one.
const defaultVersionTemplate = "#{Octopus.Version.LastMajor}.#{Octopus.Version.LastMinor}.#{Octopus.Version.NextPatch}"

// connectivityPolicy is the schema of a project's (and a runbook's)
// connectivity policy.
func connectivityPolicy(name string) field {
	return object(name,
		enum("SkipMachineBehavior", "None", "SkipUnavailableMachines").withDefault("None"),
		strs("TargetRoles"),
		boolean("AllowDeploymentsToNoTargets"),
		boolean("ExcludeUnhealthyTargets"),
	)
}

// actionPackage is the schema of a reference to a step's package
// (DonorPackage, ReleaseCreationPackage, a channel rule's ActionPackages).
func actionPackage(name string) field {
	return object(name, str("DeploymentAction"), str("PackageReference")).null()
}

func init() {
	register(&hooks{
		kind: "projects",
		schema: &schema{fields: []field{
			str("Name").req(),
			str("Slug"),
			str("Description"),
			boolean("IsDisabled"),
			str("ProjectGroupId").req(),
			// LifecycleId is required but, as on the real server, not
			// checked against the space's lifecycles (OctopusDeploy/Issues
			// #7906).
			str("LifecycleId").req(),
			strs("IncludedLibraryVariableSetIds"),
			boolean("DefaultToSkipIfAlreadyInstalled"),
			enum("TenantedDeploymentMode", tenantedModes...).withDefault("Untenanted"),
			enum("DefaultGuidedFailureMode", "EnvironmentDefault", "Off", "On").withDefault("EnvironmentDefault"),
			object("VersioningStrategy", str("Template"), actionPackage("DonorPackage"), str("DonorPackageStepId")).
				withDefault(map[string]any{"Template": defaultVersionTemplate, "DonorPackage": nil, "DonorPackageStepId": nil}),
			object("ReleaseCreationStrategy", str("ChannelId"), actionPackage("ReleaseCreationPackage"), str("ReleaseCreationPackageStepId")),
			templateParameters("Templates"),
			connectivityPolicy("ProjectConnectivityPolicy"),
			objects("AutoDeployReleaseOverrides", str("EnvironmentId"), str("TenantId"), str("ReleaseId")),
			str("ReleaseNotesTemplate"),
			str("DeploymentChangesTemplate"),
			boolean("DiscreteChannelRelease"),
			boolean("AutoCreateRelease"),
			boolean("AllowIgnoreChannelRules"),
			boolean("ForcePackageDownload"),
			boolean("CombineHealthAndSyncStatusInDashboardLiveStatus"),
			objects("ExtensionSettings", str("ExtensionId"), anyValue("Values")),
			strs("ProjectTags"),
			str("ProvisioningRunbookId"),
			str("DeprovisioningRunbookId"),
			str("DefaultPowerShellEdition"),
			boolean("ExecuteDeploymentsOnEventBasedPipeline"),
			boolean("IsBadgesEnabled"),
			object("ProjectTemplateDetails", str("Slug"), str("VersionMask"), boolean("IsShared")).null().ro(),
			str("DeploymentProcessId").ro(),
			str("VariableSetId").ro(),
			str("ClonedFromProjectId").ro(),
			boolean("IsVersionControlled").ro(),
			object("PersistenceSettings", str("Type")).ro(),
			anyValue("Icon").ro(),
		}},
		perms:       crudPerms("Project"),
		prepare:     prepareProject,
		afterCreate: createProjectParts,
		afterDelete: deleteProjectParts,
		links:       projectLinks,
		routes: slices.Concat(projectRoutes, projectProcessRoutes, projectVariableRoutes, projectChannelRoutes,
			projectRunbookRoutes, projectRunbookProcessRoutes),
	})
}

// prepareProject checks a project's references, gives its variable
// templates their ids and, on create, names the documents created with
// it.
func prepareProject(c *ctx, doc, old Doc) error {
	assignSlug(c, "projects", doc, old)
	space := asString(doc["SpaceId"])
	var errs []string
	if g := asString(doc["ProjectGroupId"]); g != "" && inSpace(c, "projectGroups", space, g) == nil {
		errs = append(errs, "The project group '"+g+"' was not found in this space.")
	}
	errs = append(errs, checkRefs(c, doc, "IncludedLibraryVariableSetIds", "libraryVariableSets")...)
	errs = append(errs, checkTagRefs(c, doc, "ProjectTags", "Project")...)
	b := newSecretBook(c, asString(doc["Id"]))
	errs = append(errs, prepareTemplates(b, doc, "Templates", true)...)
	if len(errs) > 0 {
		return badRequest(errs...)
	}
	if old == nil {
		id := asString(doc["Id"])
		doc["DeploymentProcessId"] = "deploymentprocess-" + id
		doc["VariableSetId"] = "variableset-" + id
		doc["PersistenceSettings"] = map[string]any{"Type": "Database"}
	}
	b.commit()
	return nil
}

// createProjectParts creates what a new project comes with: its
// deployment process, its variable set and the Default channel.
func createProjectParts(c *ctx, doc Doc) error {
	id, space := asString(doc["Id"]), asString(doc["SpaceId"])
	createDerived(c, "deploymentProcess", space, asString(doc["DeploymentProcessId"]), Doc{"ProjectId": id})
	createDerived(c, "projectVariables", space, asString(doc["VariableSetId"]), Doc{"OwnerId": id})
	_, err := c.create("channels", space, Doc{"Name": "Default", "ProjectId": id, "IsDefault": true})
	return err
}

// deleteProjectParts removes what belongs to a deleted project: its
// process, variable set, channels, runbooks and their processes, and its
// connections to tenants.
func deleteProjectParts(c *ctx, doc Doc) error {
	if p := c.get("deploymentProcess", asString(doc["DeploymentProcessId"])); p != nil {
		c.drop("deploymentProcess", p)
	}
	if v := c.get("projectVariables", asString(doc["VariableSetId"])); v != nil {
		c.drop("projectVariables", v)
	}
	for _, ch := range ofProject(c, "channels", doc) {
		c.drop("channels", ch)
	}
	for _, rb := range ofProject(c, "runbooks", doc) {
		c.drop("runbooks", rb)
		if p := c.get("runbookProcess", asString(rb["RunbookProcessId"])); p != nil {
			c.drop("runbookProcess", p)
		}
	}
	disconnectProject(c, doc)
	return nil
}

// projectLinks are a project's Links: every link the official clients
// follow, in the shape a database-backed project has.
func projectLinks(l *linker, doc Doc) map[string]string {
	self := l.inSpace("projects", doc)
	space, id := asString(doc["SpaceId"]), asString(doc["Id"])
	return map[string]string{
		"Self":                   self,
		"Variables":              self + "/variables",
		"Releases":               self + "/releases{/version}{?skip,take,searchByVersion}",
		"Channels":               self + "/channels{/id}{?skip,take,partialName}",
		"Triggers":               self + "/triggers{?skip,take,partialName,triggerActionType,triggerActionCategory,runbooks}",
		"ScheduledTriggers":      self + "/triggers{?skip,take,partialName}",
		"OrderChannels":          self + "/channels/order",
		"Progression":            self + "/progression{?aggregate}",
		"DeploymentProcess":      self + "/deploymentprocesses",
		"DeploymentSettings":     self + "/deploymentsettings",
		"Runbooks":               self + "/runbooks{?skip,take,partialName}",
		"RunbookSnapshots":       self + "/runbookSnapshots{/name}{?skip,take,searchByName}",
		"Summary":                self + "/summary",
		"Metadata":               self + "/metadata",
		"Logo":                   self + "/logo",
		"GitConnectionTest":      self + "/git/connectivity-test",
		"GitCompatibilityReport": self + "/git/compatibility-report",
		"ConvertToGit":           self + "/git/convert",
		"ConvertToVcs":           self + "/git/convert",
		"Web":                    l.web("/" + space + "/projects/" + id),
	}
}

// projectRoutes are the project's own routes below /projects/{id}; the
// routes of its process, variables, channels and runbooks come from their
// kinds' files.
var projectRoutes = []route{
	{method: http.MethodGet, pattern: "{id}/releases", perm: "ReleaseView", handle: emptyPage("Release")},
	{method: http.MethodGet, pattern: "{id}/releases/*", perm: "ReleaseView", handle: func(c *ctx, args []string) (int, any, error) {
		return 0, nil, notFound(args[1])
	}},
	{method: http.MethodGet, pattern: "{id}/triggers", perm: "TriggerView", handle: emptyPage("ProjectTrigger")},
	{method: http.MethodGet, pattern: "{id}/summary", perm: "ProjectView", handle: projectSummary},
	{method: http.MethodGet, pattern: "{id}/progression", perm: "ProjectView", handle: projectProgression},
	{method: http.MethodGet, pattern: "{id}/deploymentsettings", perm: "ProjectView", handle: func(c *ctx, _ []string) (int, any, error) {
		return http.StatusOK, deploymentSettings(c, c.doc), nil
	}},
	{method: http.MethodPut, pattern: "{id}/deploymentsettings", write: true, perm: "ProjectEdit", handle: putDeploymentSettings},
	{method: http.MethodPost, pattern: "{id}/git/convert", write: true, perm: "ProjectEdit", handle: func(c *ctx, _ []string) (int, any, error) {
		return 0, nil, refused("The emulator keeps every project in its database: converting a project to version control is not supported.")
	}},
}

// projectSummary answers GET projects/{id}/summary.
func projectSummary(c *ctx, _ []string) (int, any, error) {
	steps := 0
	if p := c.get("deploymentProcess", asString(c.doc["DeploymentProcessId"])); p != nil {
		steps = len(elements(p["Steps"]))
	}
	return http.StatusOK, map[string]any{
		"HasDeploymentProcess": steps > 0,
		"HasRunbooks":          len(ofProject(c, "runbooks", c.doc)) > 0,
	}, nil
}

// projectProgression answers GET projects/{id}/progression: the
// environments a project deploys to, per channel, and no releases (the
// emulator has none).
func projectProgression(c *ctx, _ []string) (int, any, error) {
	space := asString(c.doc["SpaceId"])
	refs := func(ids []string) []any {
		out := []any{}
		for _, id := range ids {
			if e := inSpace(c, "environments", space, id); e != nil {
				out = append(out, refWithName(e["Id"], e["Name"]))
			}
		}
		return out
	}
	channelEnvs := map[string]any{}
	for _, ch := range ofProject(c, "channels", c.doc) {
		lc := asString(ch["LifecycleId"])
		if lc == "" {
			lc = asString(c.doc["LifecycleId"])
		}
		channelEnvs[asString(ch["Id"])] = refs(lifecycleEnvironments(c, space, lc))
	}
	return http.StatusOK, map[string]any{
		"Environments":          refs(lifecycleEnvironments(c, space, asString(c.doc["LifecycleId"]))),
		"ChannelEnvironments":   channelEnvs,
		"LifecycleEnvironments": map[string]any{},
		"Releases":              []any{},
		"Links":                 map[string]string{},
	}, nil
}

// lifecycleEnvironments lists the environments a lifecycle deploys to, in
// phase order; a lifecycle without phases (or an unknown one) deploys to
// every environment of the space.
func lifecycleEnvironments(c *ctx, space, lifecycleID string) []string {
	var ids []string
	if lc := inSpace(c, "lifecycles", space, lifecycleID); lc != nil {
		for _, p := range phases(lc) {
			for _, f := range []string{"AutomaticDeploymentTargets", "OptionalDeploymentTargets"} {
				for _, e := range stringList(p[f]) {
					if !slices.Contains(ids, e) {
						ids = append(ids, e)
					}
				}
			}
		}
		if len(phases(lc)) > 0 {
			return ids
		}
	}
	for _, e := range c.list("environments", space) {
		ids = append(ids, asString(e["Id"]))
	}
	return ids
}

// deploymentSettingsFields maps the fields of a project's deployment
// settings document to the project's own.
var deploymentSettingsFields = map[string]string{
	"ConnectivityPolicy":              "ProjectConnectivityPolicy",
	"DefaultGuidedFailureMode":        "DefaultGuidedFailureMode",
	"DefaultToSkipIfAlreadyInstalled": "DefaultToSkipIfAlreadyInstalled",
	"DeploymentChangesTemplate":       "DeploymentChangesTemplate",
	"ReleaseNotesTemplate":            "ReleaseNotesTemplate",
	"VersioningStrategy":              "VersioningStrategy",
	"ReleaseCreationStrategy":         "ReleaseCreationStrategy",
}

// deploymentSettings is a project's deployment settings document
// (deploymentsettings-<ProjectId>): a view of the project's deployment
// fields.
func deploymentSettings(c *ctx, project Doc) Doc {
	self := c.inst.links.inSpace("projects", project) + "/deploymentsettings"
	out := Doc{
		"Id":             "deploymentsettings-" + asString(project["Id"]),
		"ProjectId":      project["Id"],
		"SpaceId":        project["SpaceId"],
		"LastModifiedOn": project["LastModifiedOn"],
		"LastModifiedBy": project["LastModifiedBy"],
		"Links":          map[string]string{"Self": self},
	}
	for k, f := range deploymentSettingsFields {
		out[k] = cloneJSON(project[f])
	}
	return out
}

// putDeploymentSettings answers PUT projects/{id}/deploymentsettings: the
// settings are written to the project, as a project PUT would.
func putDeploymentSettings(c *ctx, _ []string) (int, any, error) {
	body, err := c.requireBody()
	if err != nil {
		return 0, nil, err
	}
	next := maps.Clone(c.doc)
	for k, f := range deploymentSettingsFields {
		if v, ok := body[k]; ok {
			next[f] = v
		}
	}
	doc, err := c.update("projects", c.doc, next)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, deploymentSettings(c, doc), nil
}
