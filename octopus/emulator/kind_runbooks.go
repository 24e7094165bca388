package emulator

import (
	"net/http"
	"slices"
)

// runRetention is the schema of a runbook's RunRetentionPolicy; a runbook
// that does not say keeps 100 runs, the server's default.
func runRetention() field {
	return object("RunRetentionPolicy",
		integer("QuantityToKeep"),
		boolean("ShouldKeepForever"),
		enum("Unit", "Days", "Items").withDefault("Items"),
		enum("Strategy", "Default", "Count", "Forever"),
	).withDefault(map[string]any{"QuantityToKeep": 100, "ShouldKeepForever": false, "Unit": "Items", "Strategy": "Default"})
}

// runbookPerms are the permissions of runbooks.
var runbookPerms = permissions{View: "RunbookView", Create: "RunbookEdit", Edit: "RunbookEdit", Delete: "RunbookEdit"}

func init() {
	register(&hooks{
		kind: "runbooks",
		schema: &schema{fields: []field{
			str("Name").req(),
			str("Slug"),
			str("Description"),
			str("ProjectId").req(),
			enum("MultiTenancyMode", tenantedModes...).withDefault("Untenanted"),
			enum("EnvironmentScope", "All", "Specified", "FromProjectLifecycles").withDefault("All"),
			strs("Environments"),
			enum("DefaultGuidedFailureMode", "EnvironmentDefault", "Off", "On").withDefault("Off"),
			connectivityPolicy("ConnectivityPolicy"),
			runRetention(),
			boolean("ForcePackageDownload"),
			strs("RunbookTags"),
			boolean("FailTargetDiscovery"),
			boolean("CancelQueuedTasks"),
			boolean("CancelRunningTasks"),
			str("PublishedRunbookSnapshotId"),
			// RunbookProcessId is the server's: a PUT that sends null (as
			// clients that did not read the runbook first do) keeps it.
			str("RunbookProcessId").ro(),
		}},
		perms:   runbookPerms,
		prepare: prepareRunbook,
		afterCreate: func(c *ctx, doc Doc) error {
			createDerived(c, "runbookProcess", asString(doc["SpaceId"]), asString(doc["RunbookProcessId"]),
				Doc{"ProjectId": doc["ProjectId"], "RunbookId": doc["Id"]})
			return nil
		},
		afterDelete: func(c *ctx, doc Doc) error {
			if p := c.get("runbookProcess", asString(doc["RunbookProcessId"])); p != nil {
				c.drop("runbookProcess", p)
			}
			return nil
		},
		unique:    uniqueInProject,
		duplicate: "A runbook with this name already exists for this project. Please choose a different name.",
		links:     runbookLinks,
		filters: map[string]func(c *ctx, doc Doc, value string) bool{
			"projectIds": func(_ *ctx, doc Doc, value string) bool {
				return slices.Contains(splitList(value), asString(doc["ProjectId"]))
			},
		},
		routes: append(childRoutes("runbooks", runbookPerms, func(c *ctx, old Doc) (int, any, error) {
			return updateRendered(c, "runbooks", old)
		}),
			route{method: http.MethodGet, pattern: "{id}/runbookSnapshotTemplate", perm: "RunbookView", handle: func(c *ctx, _ []string) (int, any, error) {
				return http.StatusOK, snapshotTemplate(c, c.doc), nil
			}},
			route{method: http.MethodGet, pattern: "{id}/environments", perm: "EnvironmentView", handle: func(c *ctx, _ []string) (int, any, error) {
				return http.StatusOK, runbookEnvironments(c, c.doc), nil
			}},
		),
	})
}

// projectRunbookRoutes serve a project's runbooks below the project, the
// form the newer Go functions and the project's Runbooks link use.
var projectRunbookRoutes = []route{
	{method: http.MethodGet, pattern: "{id}/runbooks", perm: "RunbookView", handle: func(c *ctx, _ []string) (int, any, error) {
		env, err := listResponse(c, c.def("runbooks"), c.inst.links.inSpace("projects", c.doc)+"/runbooks", ofProject(c, "runbooks", c.doc))
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, env, nil
	}},
	{method: http.MethodPost, pattern: "{id}/runbooks", write: true, perm: "RunbookEdit", handle: func(c *ctx, _ []string) (int, any, error) {
		return createInProject(c, "runbooks", http.StatusCreated)
	}},
	{method: http.MethodGet, pattern: "{id}/runbooks/all/v2", perm: "RunbookView", handle: func(c *ctx, _ []string) (int, any, error) {
		ids := splitList(c.param("ids"))
		out := []Doc{}
		for _, rb := range ofProject(c, "runbooks", c.doc) {
			if len(ids) == 0 || slices.Contains(ids, asString(rb["Id"])) {
				out = append(out, c.render("runbooks", rb))
			}
		}
		return http.StatusOK, map[string]any{"Runbooks": out}, nil
	}},
	{method: http.MethodGet, pattern: "{id}/runbooks/*", perm: "RunbookView", handle: func(c *ctx, args []string) (int, any, error) {
		rb, err := childInProject(c, "runbooks", c.doc, args[1])
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, c.render("runbooks", rb), nil
	}},
	{method: http.MethodPut, pattern: "{id}/runbooks/*", write: true, perm: "RunbookEdit", handle: func(c *ctx, args []string) (int, any, error) {
		rb, err := childInProject(c, "runbooks", c.doc, args[1])
		if err != nil {
			return 0, nil, err
		}
		return updateRendered(c, "runbooks", rb)
	}},
	{method: http.MethodDelete, pattern: "{id}/runbooks/*", write: true, perm: "RunbookEdit", handle: func(c *ctx, args []string) (int, any, error) {
		rb, err := childInProject(c, "runbooks", c.doc, args[1])
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, nil, c.remove("runbooks", rb)
	}},
	{method: http.MethodGet, pattern: "{id}/runbooks/*/environments", perm: "EnvironmentView", handle: func(c *ctx, args []string) (int, any, error) {
		rb, err := childInProject(c, "runbooks", c.doc, args[1])
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, runbookEnvironments(c, rb), nil
	}},
	{method: http.MethodGet, pattern: "{id}/runbooks/*/runbookSnapshotTemplate", perm: "RunbookView", handle: func(c *ctx, args []string) (int, any, error) {
		rb, err := childInProject(c, "runbooks", c.doc, args[1])
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, snapshotTemplate(c, rb), nil
	}},
	{method: http.MethodGet, pattern: "{id}/runbooks/*/runbookSnapshots", perm: "RunbookView", handle: func(c *ctx, args []string) (int, any, error) {
		if _, err := childInProject(c, "runbooks", c.doc, args[1]); err != nil {
			return 0, nil, err
		}
		return emptyPage("RunbookSnapshot")(c, args)
	}},
	{method: http.MethodGet, pattern: "{id}/runbookSnapshots", perm: "RunbookView", handle: emptyPage("RunbookSnapshot")},
	{method: http.MethodGet, pattern: "{id}/runbookSnapshots/*", perm: "RunbookView", handle: func(c *ctx, args []string) (int, any, error) {
		return 0, nil, notFound(args[1])
	}},
}

// prepareRunbook checks a runbook: its project (fixed once created), the
// environments it may run in, its tags and published snapshot; it tidies
// the retention policy and, on create, names the runbook's process,
// RunbookProcess-<RunbookId>.
func prepareRunbook(c *ctx, doc, old Doc) error {
	if old != nil {
		doc["ProjectId"] = old["ProjectId"]
	}
	space := asString(doc["SpaceId"])
	var errs []string
	if p := asString(doc["ProjectId"]); p != "" && inSpace(c, "projects", space, p) == nil {
		errs = append(errs, "The project '"+p+"' was not found in this space.")
	}
	errs = append(errs, checkRefs(c, doc, "Environments", "environments")...)
	errs = append(errs, checkTagRefs(c, doc, "RunbookTags", "Runbook")...)
	if s := asString(doc["PublishedRunbookSnapshotId"]); s != "" && (old == nil || s != asString(old["PublishedRunbookSnapshotId"])) {
		errs = append(errs, "The runbook snapshot '"+s+"' was not found. A snapshot can only be published after the runbook exists and has a process.")
	}
	if len(errs) > 0 {
		return badRequest(errs...)
	}
	if old == nil {
		doc["RunbookProcessId"] = "RunbookProcess-" + asString(doc["Id"])
	}
	fixRunRetention(doc["RunRetentionPolicy"])
	slugInProject(c, "runbooks", doc, old)
	return nil
}

// fixRunRetention fills a run retention policy's Strategy the way the
// clients read a policy without one, and makes ShouldKeepForever agree
// with it.
func fixRunRetention(v any) {
	r, ok := v.(map[string]any)
	if !ok {
		return
	}
	if asString(r["Strategy"]) == "" {
		switch {
		case asInt(r["QuantityToKeep"]) == 0 || r["ShouldKeepForever"] == true:
			r["Strategy"] = "Forever"
		case asInt(r["QuantityToKeep"]) == 100 && r["Unit"] == "Items":
			r["Strategy"] = "Default"
		default:
			r["Strategy"] = "Count"
		}
	}
	r["ShouldKeepForever"] = r["Strategy"] == "Forever"
}

// runbookLinks are a runbook's Links; every runbook carries
// RunbookSnapshotTemplate, which the official client follows.
func runbookLinks(l *linker, doc Doc) map[string]string {
	self := l.inSpace("runbooks", doc)
	space := "/" + asString(doc["SpaceId"])
	project := l.api(space + "/projects/" + asString(doc["ProjectId"]))
	return map[string]string{
		"Self":                    self,
		"Project":                 project,
		"RunbookProcess":          l.api(space + "/runbookProcesses/" + asString(doc["RunbookProcessId"])),
		"RunbookSnapshots":        project + "/runbooks/" + asString(doc["Id"]) + "/runbookSnapshots{/name}{?skip,take,searchByName}",
		"RunbookSnapshotTemplate": self + "/runbookSnapshotTemplate",
		"Environments":            project + "/runbooks/" + asString(doc["Id"]) + "/environments",
		"Web":                     l.web(space + "/projects/" + asString(doc["ProjectId"]) + "/operations/runbooks/" + asString(doc["Id"])),
	}
}

// runbookEnvironments lists the environments a runbook can run in:
// those it names, those of its project's lifecycles, or all of them.
func runbookEnvironments(c *ctx, rb Doc) []Doc {
	space := asString(rb["SpaceId"])
	var ids []string
	switch rb["EnvironmentScope"] {
	case "Specified":
		ids = stringList(rb["Environments"])
	case "FromProjectLifecycles":
		if p := c.get("projects", asString(rb["ProjectId"])); p != nil {
			ids = lifecycleEnvironments(c, space, asString(p["LifecycleId"]))
			for _, ch := range ofProject(c, "channels", p) {
				if lc := asString(ch["LifecycleId"]); lc != "" {
					for _, e := range lifecycleEnvironments(c, space, lc) {
						if !slices.Contains(ids, e) {
							ids = append(ids, e)
						}
					}
				}
			}
		}
	default:
		for _, e := range c.list("environments", space) {
			ids = append(ids, asString(e["Id"]))
		}
	}
	out := []Doc{}
	for _, id := range ids {
		if e := inSpace(c, "environments", space, id); e != nil {
			out = append(out, c.render("environments", e))
		}
	}
	return out
}
