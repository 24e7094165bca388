package emulator

import (
	"maps"
	"net/http"
	"slices"
)

// channelCollections are the channel fields a PUT keeps when the body
// leaves them out (or sends null) and clears when it sends [].
var channelCollections = []string{"Rules", "TenantTags", "GitReferenceRules", "GitResourceRules", "CustomFieldDefinitions"}

// channelPerms are the permissions of channels, which are part of their
// project.
var channelPerms = permissions{View: "ProjectView", Create: "ProjectEdit", Edit: "ProjectEdit", Delete: "ProjectEdit"}

func init() {
	register(&hooks{
		kind: "channels",
		schema: &schema{fields: []field{
			str("Name").req(),
			str("Slug"),
			str("Description"),
			str("ProjectId").req(),
			str("LifecycleId"),
			boolean("IsDefault"),
			objects("Rules",
				str("Id"),
				str("VersionRange"),
				str("Tag"),
				str("VersioningStrategy"),
				str("VersionTagRegex"),
				objects("ActionPackages", str("DeploymentAction"), str("PackageReference")),
			),
			strs("TenantTags"),
			strs("GitReferenceRules"),
			objects("GitResourceRules",
				str("Id"),
				objects("GitDependencyActions", str("DeploymentActionSlug"), str("GitDependencyName")),
				strs("Rules"),
			),
			objects("CustomFieldDefinitions", str("FieldName"), str("Description")),
			enum("Type", "Lifecycle", "EphemeralEnvironment").withDefault("Lifecycle"),
			str("ParentEnvironmentId"),
			str("EphemeralEnvironmentNameTemplate").max(1000),
			boolean("AutomaticEphemeralEnvironmentDeployments"),
		}},
		perms:        channelPerms,
		prepare:      prepareChannel,
		afterCreate:  func(c *ctx, doc Doc) error { undefaultSiblings(c, doc); return nil },
		afterUpdate:  func(c *ctx, doc, _ Doc) error { undefaultSiblings(c, doc); return nil },
		beforeDelete: channelDeletable,
		unique:       uniqueInProject,
		duplicate:    "A channel with this name already exists for this project. Please choose a different name.",
		links: func(l *linker, doc Doc) map[string]string {
			self := l.inSpace("channels", doc)
			return map[string]string{
				"Self":     self,
				"Releases": self + "/releases{?skip,take,searchByVersion}",
				"Project":  l.api("/" + asString(doc["SpaceId"]) + "/projects/" + asString(doc["ProjectId"])),
			}
		},
		routes: append(childRoutes("channels", channelPerms, updateChannel),
			route{method: http.MethodGet, pattern: "{id}/releases", perm: "ReleaseView", handle: emptyPage("Release")},
		),
	})
	registerUsage("lifecycles", func(c *ctx, doc Doc) string {
		for _, ch := range c.list("channels", asString(doc["SpaceId"])) {
			if ch["LifecycleId"] == doc["Id"] {
				return "This lifecycle is used by the channel '" + asString(ch["Name"]) + "' of the project '" + projectName(c, ch) +
					"'. Choose another lifecycle for the channel before deleting this one."
			}
		}
		return ""
	})
}

// projectChannelRoutes serve a project's channels below the project,
// where the project's Channels link points.
var projectChannelRoutes = []route{
	{method: http.MethodGet, pattern: "{id}/channels", perm: "ProjectView", handle: func(c *ctx, _ []string) (int, any, error) {
		env, err := listResponse(c, c.def("channels"), c.inst.links.inSpace("projects", c.doc)+"/channels", ofProject(c, "channels", c.doc))
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, env, nil
	}},
	{method: http.MethodPost, pattern: "{id}/channels", write: true, perm: "ProjectEdit", handle: func(c *ctx, _ []string) (int, any, error) {
		return createInProject(c, "channels", http.StatusOK)
	}},
	{method: http.MethodGet, pattern: "{id}/channels/*", perm: "ProjectView", handle: func(c *ctx, args []string) (int, any, error) {
		ch, err := childInProject(c, "channels", c.doc, args[1])
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, c.render("channels", ch), nil
	}},
	{method: http.MethodPut, pattern: "{id}/channels/*", write: true, perm: "ProjectEdit", handle: func(c *ctx, args []string) (int, any, error) {
		ch, err := childInProject(c, "channels", c.doc, args[1])
		if err != nil {
			return 0, nil, err
		}
		return updateChannel(c, ch)
	}},
	{method: http.MethodDelete, pattern: "{id}/channels/*", write: true, perm: "ProjectEdit", handle: func(c *ctx, args []string) (int, any, error) {
		ch, err := childInProject(c, "channels", c.doc, args[1])
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, nil, c.remove("channels", ch)
	}},
	{method: http.MethodGet, pattern: "{id}/channels/*/releases", perm: "ReleaseView", handle: func(c *ctx, args []string) (int, any, error) {
		if _, err := childInProject(c, "channels", c.doc, args[1]); err != nil {
			return 0, nil, err
		}
		return emptyPage("Release")(c, args)
	}},
}

// createInProject answers a POST of a channel or runbook below its
// project: the project comes from the path. The real server answers with
// status: 200 for a channel, 201 for a runbook.
func createInProject(c *ctx, kind string, status int) (int, any, error) {
	body, err := c.requireBody()
	if err != nil {
		return 0, nil, err
	}
	body = maps.Clone(body)
	body["ProjectId"] = c.doc["Id"]
	doc, err := c.create(kind, c.spaceID, body)
	if err != nil {
		return 0, nil, err
	}
	return status, c.render(kind, doc), nil
}

// updateChannel replaces a channel with the request body, keeping the
// collections the body leaves out.
func updateChannel(c *ctx, old Doc) (int, any, error) {
	body, err := c.requireBody()
	if err != nil {
		return 0, nil, err
	}
	doc, err := c.update("channels", old, keepAbsent(body, old, channelCollections...))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, c.render("channels", doc), nil
}

// prepareChannel checks a channel: its project (fixed once created), its
// lifecycle (none inherits the project's) and tenant tags; it gives rules
// their ids.
func prepareChannel(c *ctx, doc, old Doc) error {
	if old != nil {
		doc["ProjectId"], doc["Type"] = old["ProjectId"], old["Type"]
	}
	space := asString(doc["SpaceId"])
	var errs []string
	if p := asString(doc["ProjectId"]); p != "" && inSpace(c, "projects", space, p) == nil {
		errs = append(errs, "The project '"+p+"' was not found in this space.")
	}
	if lc := asString(doc["LifecycleId"]); lc != "" && inSpace(c, "lifecycles", space, lc) == nil {
		errs = append(errs, "The lifecycle '"+lc+"' was not found in this space.")
	}
	errs = append(errs, checkTenantTags(c, doc, "TenantTags")...)
	if len(errs) > 0 {
		return badRequest(errs...)
	}
	for _, r := range elements(doc["Rules"]) {
		ensureID(r)
	}
	for _, r := range elements(doc["GitResourceRules"]) {
		ensureID(r)
	}
	slugInProject(c, "channels", doc, old)
	return nil
}

// undefaultSiblings makes doc the project's only default channel when it
// is one.
func undefaultSiblings(c *ctx, doc Doc) {
	if doc["IsDefault"] != true {
		return
	}
	var others []Doc
	c.each("channels", asString(doc["SpaceId"]), func(ch Doc) {
		if ch["ProjectId"] == doc["ProjectId"] && ch["Id"] != doc["Id"] && ch["IsDefault"] == true {
			others = append(others, ch)
		}
	})
	for _, ch := range others {
		ch = cloneDoc(ch)
		ch["IsDefault"] = false
		touch(c, "channels", ch)
	}
}

// channelDeletable refuses to delete a project's default channel, its
// only channel, or a channel a step is limited to, with the real server's
// texts.
func channelDeletable(c *ctx, doc Doc) error {
	if doc["IsDefault"] == true {
		return refused("You cannot delete the default channel.")
	}
	siblings := 0
	c.each("channels", asString(doc["SpaceId"]), func(ch Doc) {
		if ch["ProjectId"] == doc["ProjectId"] {
			siblings++
		}
	})
	if siblings <= 1 {
		return refused("You cannot delete the only remaining channel")
	}
	if p := c.get("projects", asString(doc["ProjectId"])); p != nil {
		if process := c.get("deploymentProcess", asString(p["DeploymentProcessId"])); process != nil {
			used := ""
			eachAction(process, func(_, a map[string]any) {
				if used == "" && slices.Contains(stringList(a["Channels"]), asString(doc["Id"])) {
					used = asString(a["Name"])
				}
			})
			if used != "" {
				return refused("The channel you are about to remove is used by '" + used + "' step.")
			}
		}
	}
	return nil
}

// projectName is the name of the project a channel or runbook belongs to.
func projectName(c *ctx, doc Doc) string {
	if p := c.get("projects", asString(doc["ProjectId"])); p != nil {
		return asString(p["Name"])
	}
	return asString(doc["ProjectId"])
}
