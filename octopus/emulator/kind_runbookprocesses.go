package emulator

import (
	"net/http"
)

// staleRunbookProcess is the real server's 400 text for a PUT of a
// runbook process carrying an old Version.
const staleRunbookProcess = "Changes to this process could not be saved, because another user has made changes to the process between when you started editing and when you saved your changes. Please reload or open a new tab to make your changes."

func init() {
	register(&hooks{
		kind: "runbookProcess",
		def:  servedAt("runbookProcess", "RunbookProcess"),
		schema: &schema{fields: []field{
			str("ProjectId").ro(),
			str("RunbookId").ro(),
			integer("Version").req(),
			str("LastSnapshotId").ro(),
			processSteps(),
		}},
		perms:    permissions{View: "RunbookView", Edit: "RunbookEdit"},
		noCreate: true,
		noDelete: true,
		prepare: func(c *ctx, doc, old Doc) error {
			return prepareProcess(c, doc, old, staleRunbookProcess)
		},
		links: func(l *linker, doc Doc) map[string]string {
			space := "/" + asString(doc["SpaceId"])
			self := l.inSpace("runbookProcesses", doc)
			return map[string]string{
				"Self":                    self,
				"Project":                 l.api(space + "/projects/" + asString(doc["ProjectId"])),
				"Runbook":                 l.api(space + "/runbooks/" + asString(doc["RunbookId"])),
				"RunbookSnapshotTemplate": self + "/runbookSnapshotTemplate",
			}
		},
		routes: []route{
			{method: http.MethodGet, pattern: "{id}/runbookSnapshotTemplate", perm: "RunbookView", handle: func(c *ctx, _ []string) (int, any, error) {
				rb := c.get("runbooks", asString(c.doc["RunbookId"]))
				if rb == nil {
					return 0, nil, notFound(asString(c.doc["RunbookId"]))
				}
				return http.StatusOK, snapshotTemplate(c, rb), nil
			}},
		},
	})
}

// projectRunbookProcessRoutes serve runbook processes below their
// project, the form the newer Go functions use.
var projectRunbookProcessRoutes = []route{
	{method: http.MethodGet, pattern: "{id}/runbookProcesses", perm: "RunbookView", handle: func(c *ctx, _ []string) (int, any, error) {
		var docs []Doc
		for _, rb := range ofProject(c, "runbooks", c.doc) {
			if p := c.get("runbookProcess", asString(rb["RunbookProcessId"])); p != nil {
				docs = append(docs, p)
			}
		}
		k := c.def("runbookProcess")
		env, err := listResponse(c, k, c.inst.links.inSpace("projects", c.doc)+"/runbookProcesses", docs)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, env, nil
	}},
	{method: http.MethodGet, pattern: "{id}/runbookProcesses/*", perm: "RunbookView", handle: func(c *ctx, args []string) (int, any, error) {
		p, err := projectRunbookProcess(c, args[1])
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, c.render("runbookProcess", p), nil
	}},
	{method: http.MethodPut, pattern: "{id}/runbookProcesses/*", write: true, perm: "RunbookEdit", handle: func(c *ctx, args []string) (int, any, error) {
		p, err := projectRunbookProcess(c, args[1])
		if err != nil {
			return 0, nil, err
		}
		return updateRendered(c, "runbookProcess", p)
	}},
}

// projectRunbookProcess finds a runbook process of the project a route
// matched.
func projectRunbookProcess(c *ctx, id string) (Doc, error) {
	p := c.get("runbookProcess", id)
	if p == nil || p["ProjectId"] != c.doc["Id"] {
		return nil, notFound(id)
	}
	return p, nil
}

// snapshotTemplate is a runbook's snapshot template: the packages a
// snapshot would choose versions for, and the name the next snapshot
// gets.
func snapshotTemplate(c *ctx, runbook Doc) map[string]any {
	packages := []any{}
	if p := c.get("runbookProcess", asString(runbook["RunbookProcessId"])); p != nil {
		eachAction(p, func(s, a map[string]any) {
			for _, pk := range elements(a["Packages"]) {
				if asString(pk["PackageId"]) == "" {
					continue
				}
				packages = append(packages, map[string]any{
					"ActionName":           a["Name"],
					"StepName":             s["Name"],
					"PackageReferenceName": pk["Name"],
					"PackageId":            pk["PackageId"],
					"FeedId":               pk["FeedId"],
					"IsResolvable":         true,
				})
			}
		})
	}
	return map[string]any{
		"RunbookId":         runbook["Id"],
		"RunbookProcessId":  runbook["RunbookProcessId"],
		"NextNameIncrement": "Snapshot 1",
		"Packages":          packages,
		"GitResources":      []any{},
		"Links":             map[string]string{},
	}
}
