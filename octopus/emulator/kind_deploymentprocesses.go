package emulator

import (
	"net/http"
	"slices"
	"strconv"
	"strings"
)

// staleDeploymentProcess is the real server's 400 text for a PUT of a
// deployment process carrying an old Version.
const staleDeploymentProcess = "Changes to this deployment process could not be saved, because another user has made changes to the deployment process between when you started editing and when you saved your changes. Please reload or open a new tab to make your changes."

// processSteps is the schema of a process's steps (deployment and runbook
// processes share it): steps, their actions, and the actions' packages.
// The Properties of steps and actions hold strings or SensitiveValue
// objects and are checked by prepareSteps.
func processSteps() field {
	return objects("Steps",
		str("Id"),
		str("Name").req(),
		str("Slug"),
		enum("PackageRequirement", "LetOctopusDecide", "BeforePackageAcquisition", "AfterPackageAcquisition").withDefault("LetOctopusDecide"),
		enum("Condition", "Success", "Failure", "Always", "Variable").withDefault("Success"),
		enum("StartTrigger", "StartAfterPrevious", "StartWithPrevious", "Variable").withDefault("StartAfterPrevious"),
		anyValue("Properties"),
		objects("Actions",
			str("Id"),
			str("Name").req(),
			str("Slug"),
			str("ActionType").req(),
			str("Notes"),
			boolean("IsDisabled"),
			boolean("IsRequired"),
			boolean("CanBeUsedForProjectVersioning"),
			str("WorkerPoolId"),
			str("WorkerPoolVariable"),
			object("Container", str("Image"), str("FeedId"), str("GitUrl"), str("Dockerfile")),
			strs("Environments"),
			strs("ExcludedEnvironments"),
			strs("Channels"),
			strs("TenantTags"),
			str("Condition").withDefault("Success"),
			// Package properties are plain strings (the official client
			// reads them into a map of strings).
			objects("Packages", str("Id"), str("Name"), str("PackageId"), str("FeedId"), str("AcquisitionLocation"), strMap("Properties")),
			objects("GitDependencies", str("Name"), str("RepositoryUri"), str("DefaultBranch"), str("GitCredentialType"),
				str("GitCredentialId"), strs("FilePathFilters"), str("StepPackageInputsReferenceId")),
			anyValue("Properties"),
			str("StepPackageVersion"),
			anyValue("Inputs"),
			// Actions carry an empty Links object, as on the real server.
			object("Links"),
		),
	)
}

func init() {
	register(&hooks{
		kind: "deploymentProcess",
		def:  servedAt("deploymentProcess", "DeploymentProcess"),
		schema: &schema{fields: []field{
			str("ProjectId").ro(),
			integer("Version").req(),
			str("LastSnapshotId").ro(),
			processSteps(),
		}},
		perms:    permissions{View: "ProcessView", Edit: "ProcessEdit"},
		noCreate: true,
		noDelete: true,
		prepare: func(c *ctx, doc, old Doc) error {
			return prepareProcess(c, doc, old, staleDeploymentProcess)
		},
		links: func(l *linker, doc Doc) map[string]string {
			project := l.api("/" + asString(doc["SpaceId"]) + "/projects/" + asString(doc["ProjectId"]))
			self := project + "/deploymentprocesses"
			return map[string]string{
				"Self":       self,
				"Project":    project,
				"Template":   self + "/template{?channel,releaseId}",
				"Validation": self + "/validate",
			}
		},
		routes: []route{
			{method: http.MethodGet, pattern: "{id}/template", perm: "ProcessView", handle: func(c *ctx, _ []string) (int, any, error) {
				return http.StatusOK, processTemplate(c, c.doc), nil
			}},
		},
	})
	registerUsage("workerPools", func(c *ctx, doc Doc) string {
		if where := stepUsing(c, doc, func(a map[string]any) bool { return a["WorkerPoolId"] == doc["Id"] }); where != "" {
			return "This worker pool is used by " + where + ". Choose another worker pool for the step before deleting this one."
		}
		return ""
	})
	registerUsage("feeds", func(c *ctx, doc Doc) string {
		id := asString(doc["Id"])
		if where := stepUsing(c, doc, func(a map[string]any) bool { return actionUsesFeed(a, id) }); where != "" {
			return "This feed is used by " + where + ". Choose another feed for the step's packages before deleting this one."
		}
		return ""
	})
	registerUsage("environments", func(c *ctx, doc Doc) string {
		if where := stepUsing(c, doc, func(a map[string]any) bool {
			return slices.Contains(stringList(a["Environments"]), asString(doc["Id"])) ||
				slices.Contains(stringList(a["ExcludedEnvironments"]), asString(doc["Id"]))
		}); where != "" {
			return "This environment is used by " + where + ". Remove it from the step before deleting the environment."
		}
		return ""
	})
}

// projectProcessRoutes serve a project's deployment process below the
// project, where the project's DeploymentProcess link points.
var projectProcessRoutes = []route{
	{method: http.MethodGet, pattern: "{id}/deploymentprocesses", perm: "ProcessView", handle: func(c *ctx, _ []string) (int, any, error) {
		p, err := projectProcess(c)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, c.render("deploymentProcess", p), nil
	}},
	{method: http.MethodPut, pattern: "{id}/deploymentprocesses", write: true, perm: "ProcessEdit", handle: func(c *ctx, _ []string) (int, any, error) {
		p, err := projectProcess(c)
		if err != nil {
			return 0, nil, err
		}
		return updateRendered(c, "deploymentProcess", p)
	}},
	{method: http.MethodGet, pattern: "{id}/deploymentprocesses/template", perm: "ProcessView", handle: func(c *ctx, _ []string) (int, any, error) {
		p, err := projectProcess(c)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, processTemplate(c, p), nil
	}},
	{method: http.MethodPost, pattern: "{id}/deploymentprocesses/validate", perm: "ProcessView", handle: func(c *ctx, _ []string) (int, any, error) {
		p, err := projectProcess(c)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, validateProcess(p), nil
	}},
}

// validateProcess is the non-blocking validation of a deployment process:
// the target tags (roles) of each step that no deployment target carries.
// The emulator has no deployment targets, so every tag a step names is
// one.
func validateProcess(process Doc) map[string]any {
	missing := map[string]any{}
	for _, s := range elements(process["Steps"]) {
		props, _ := s["Properties"].(map[string]any)
		var roles []any
		for r := range strings.SplitSeq(asString(props["Octopus.Action.TargetRoles"]), ",") {
			if r = strings.TrimSpace(r); r != "" {
				roles = append(roles, r)
			}
		}
		if len(roles) > 0 {
			missing[asString(s["Id"])] = roles
		}
	}
	return map[string]any{"Details": map[string]any{}, "HasWarnings": len(missing) > 0, "TagsWithoutTargetsByStepId": missing}
}

// projectProcess is the deployment process of the project a route
// matched.
func projectProcess(c *ctx) (Doc, error) {
	id := asString(c.doc["DeploymentProcessId"])
	p := c.get("deploymentProcess", id)
	if p == nil {
		return nil, notFound(id)
	}
	return p, nil
}

// updateRendered replaces a document with the request body and answers
// with the stored result.
func updateRendered(c *ctx, kind string, old Doc) (int, any, error) {
	body, err := c.requireBody()
	if err != nil {
		return 0, nil, err
	}
	doc, err := c.update(kind, old, body)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, c.render(kind, doc), nil
}

// prepareProcess checks a deployment or runbook process on PUT: the
// Version (refused with stale when old), step and action ids (kept when
// given, GUIDs when not), unique names, and write-only property values.
func prepareProcess(c *ctx, doc, old Doc, stale string) error {
	if err := checkVersion(doc, old, stale); err != nil {
		return err
	}
	b := newSecretBook(c, asString(doc["Id"]))
	if errs := prepareSteps(b, doc); len(errs) > 0 {
		return badRequest(errs...)
	}
	b.commit()
	return nil
}

// prepareSteps assigns the ids and slugs of steps, actions and packages,
// checks that step names and action names are unique (case-insensitively)
// and that ids are not repeated, and takes the secrets out of the
// Properties maps of steps and actions. Secrets are kept by element id, so
// a step that moves keeps its sensitive values.
func prepareSteps(b *secretBook, doc Doc) []string {
	var errs []string
	ids := map[string]bool{}
	unique := func(what, id string) {
		if ids[id] {
			errs = append(errs, what+" ids must be unique; '"+id+"' is used more than once.")
		}
		ids[id] = true
	}
	stepNames, actionNames := map[string]bool{}, map[string]bool{}
	stepSlugs, actionSlugs := map[string]bool{}, map[string]bool{}
	props := func(m map[string]any, path string) {
		p, perrs := b.properties(m["Properties"], path+".Properties")
		m["Properties"] = p
		errs = append(errs, perrs...)
	}
	for _, s := range elements(doc["Steps"]) {
		ensureID(s)
		sid := asString(s["Id"])
		unique("Step", sid)
		if n := strings.ToLower(strings.TrimSpace(asString(s["Name"]))); n != "" {
			if stepNames[n] {
				errs = append(errs, "Step names must be unique. The name '"+asString(s["Name"])+"' is used by more than one step.")
			}
			stepNames[n] = true
		}
		elementSlug(s, stepSlugs)
		path := "Steps[" + sid + "]"
		props(s, path)
		for _, a := range elements(s["Actions"]) {
			ensureID(a)
			aid := asString(a["Id"])
			unique("Action", aid)
			if n := strings.ToLower(strings.TrimSpace(asString(a["Name"]))); n != "" {
				if actionNames[n] {
					errs = append(errs, "Action names must be unique. The name '"+asString(a["Name"])+"' is used by more than one action.")
				}
				actionNames[n] = true
			}
			elementSlug(a, actionSlugs)
			apath := path + ".Actions[" + aid + "]"
			props(a, apath)
			for _, p := range elements(a["Packages"]) {
				ensureID(p)
			}
		}
	}
	return errs
}

// elementSlug gives a step or action without a slug one made from its
// name, unique among those of the process.
func elementSlug(m map[string]any, taken map[string]bool) {
	slug := asString(m["Slug"])
	if slug == "" {
		base := slugify(asString(m["Name"]))
		if base == "" {
			base = "step"
		}
		slug = base
		for i := 1; taken[slug]; i++ {
			slug = base + "-" + strconv.Itoa(i)
		}
		m["Slug"] = slug
	}
	taken[slug] = true
}

// actionUsesFeed reports whether an action takes a package or its
// container image from a feed.
func actionUsesFeed(a map[string]any, feed string) bool {
	if cont, _ := a["Container"].(map[string]any); cont["FeedId"] == feed {
		return true
	}
	if props, _ := a["Properties"].(map[string]any); props["Octopus.Action.Package.FeedId"] == feed {
		return true
	}
	for _, p := range elements(a["Packages"]) {
		if p["FeedId"] == feed {
			return true
		}
	}
	return false
}

// eachAction calls f with every action of a process document and the name
// of its step.
func eachAction(process Doc, f func(step, action map[string]any)) {
	for _, s := range elements(process["Steps"]) {
		for _, a := range elements(s["Actions"]) {
			f(s, a)
		}
	}
}

// stepUsing describes the first step (of a deployment or runbook process
// in doc's space) with an action that uses something, or returns "".
func stepUsing(c *ctx, doc Doc, uses func(a map[string]any) bool) string {
	space := asString(doc["SpaceId"])
	for _, kind := range []string{"deploymentProcess", "runbookProcess"} {
		for _, p := range c.list(kind, space) {
			found := ""
			eachAction(p, func(s, a map[string]any) {
				if found == "" && uses(a) {
					found = asString(s["Name"])
				}
			})
			if found != "" {
				project := "'" + asString(p["ProjectId"]) + "'"
				if pr := c.get("projects", asString(p["ProjectId"])); pr != nil {
					project = "'" + asString(pr["Name"]) + "'"
				}
				return "the step '" + found + "' of the project " + project
			}
		}
	}
	return ""
}

// processTemplate is the release template of a deployment process: the
// packages a release would choose versions for and the next version
// number the project's versioning template gives when there are no
// releases yet.
func processTemplate(c *ctx, process Doc) map[string]any {
	project := c.get("projects", asString(process["ProjectId"]))
	packages := []any{}
	eachAction(process, func(s, a map[string]any) {
		for _, p := range elements(a["Packages"]) {
			if asString(p["PackageId"]) == "" {
				continue
			}
			packages = append(packages, map[string]any{
				"ActionName":                 a["Name"],
				"StepName":                   s["Name"],
				"PackageReferenceName":       p["Name"],
				"PackageId":                  p["PackageId"],
				"FeedId":                     p["FeedId"],
				"ProjectName":                project["Name"],
				"IsResolvable":               true,
				"VersionSelectedLastRelease": nil,
			})
		}
	})
	template := defaultVersionTemplate
	if vs, ok := project["VersioningStrategy"].(map[string]any); ok && asString(vs["Template"]) != "" {
		template = asString(vs["Template"])
	}
	return map[string]any{
		"DeploymentProcessId":            process["Id"],
		"LastReleaseVersion":             nil,
		"NextVersionIncrement":           firstVersion(template),
		"VersioningPackageStepName":      nil,
		"VersioningPackageReferenceName": nil,
		"Packages":                       packages,
		"GitResources":                   []any{},
		"Links":                          map[string]string{},
	}
}

// firstVersion evaluates a release version template for a project without
// releases: every Last* part is 0 and every Next* part 1.
func firstVersion(template string) string {
	r := strings.NewReplacer(
		"#{Octopus.Version.LastMajor}", "0", "#{Octopus.Version.LastMinor}", "0", "#{Octopus.Version.LastPatch}", "0",
		"#{Octopus.Version.LastBuild}", "0", "#{Octopus.Version.NextMajor}", "1", "#{Octopus.Version.NextMinor}", "1",
		"#{Octopus.Version.NextPatch}", "1", "#{Octopus.Version.NextBuild}", "1",
	)
	return r.Replace(template)
}
