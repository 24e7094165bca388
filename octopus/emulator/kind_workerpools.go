package emulator

import (
	"encoding/json"
	"net/http"
	"strconv"
)

// dynamicWorkerTypes are the worker images a dynamic worker pool may use
// (the ones Octopus Cloud offers).
var dynamicWorkerTypes = []map[string]any{
	{"Id": "Ubuntu2204", "Type": "Ubuntu2204", "Description": "Ubuntu Server 22.04", "DeprecationDateUtc": nil, "EndOfLifeDateUtc": nil, "StartDateUtc": "2023-01-01T00:00:00.000+00:00"},
	{"Id": "Windows2022", "Type": "Windows2022", "Description": "Windows Server Core 2022", "DeprecationDateUtc": nil, "EndOfLifeDateUtc": nil, "StartDateUtc": "2023-01-01T00:00:00.000+00:00"},
	{"Id": "Windows2019", "Type": "Windows2019", "Description": "Windows Server Core 2019", "DeprecationDateUtc": nil, "EndOfLifeDateUtc": nil, "StartDateUtc": "2020-01-01T00:00:00.000+00:00"},
}

func isDynamicWorkerType(t string) bool {
	for _, w := range dynamicWorkerTypes {
		if w["Type"] == t {
			return true
		}
	}
	return false
}

func init() {
	register(&hooks{
		kind: "workerPools",
		schema: &schema{
			fields: []field{
				str("Name").req(),
				str("Slug"),
				str("Description"),
				boolean("IsDefault"),
				integer("SortOrder"),
				boolean("CanAddWorkers").ro(),
			},
			discriminator: "WorkerPoolType",
			variants: map[string][]field{
				"StaticWorkerPool":  {},
				"DynamicWorkerPool": {str("WorkerType").req()},
			},
		},
		perms: editPerms("Worker"),
		prepare: func(c *ctx, doc, old Doc) error {
			assignSlug(c, "workerPools", doc, old)
			doc["CanAddWorkers"] = doc["WorkerPoolType"] == "StaticWorkerPool"
			if doc["WorkerPoolType"] == "DynamicWorkerPool" && !isDynamicWorkerType(asString(doc["WorkerType"])) {
				return badRequestf("The worker type '%s' is not a dynamic worker type this server offers.", doc["WorkerType"])
			}
			if old != nil && old["IsDefault"] == true && doc["IsDefault"] != true {
				return badRequest("A space must have a default worker pool. Make another worker pool the default instead.")
			}
			if old == nil && asInt(doc["SortOrder"]) == 0 {
				n := 0
				c.each("workerPools", asString(doc["SpaceId"]), func(Doc) { n++ })
				doc["SortOrder"] = json.Number(strconv.Itoa(n))
			}
			return nil
		},
		afterCreate: func(c *ctx, doc Doc) error { return onlyDefaultPool(c, doc) },
		afterUpdate: func(c *ctx, doc, _ Doc) error { return onlyDefaultPool(c, doc) },
		beforeDelete: func(c *ctx, doc Doc) error {
			if doc["IsDefault"] == true {
				return refused("The default worker pool cannot be deleted.")
			}
			return nil
		},
		less: bySortOrder,
		links: func(l *linker, doc Doc) map[string]string {
			self := l.inSpace("workerpools", doc)
			return map[string]string{
				"Self":    self,
				"Workers": self + "/workers{?skip,take}",
				"Web":     l.web("/" + asString(doc["SpaceId"]) + "/infrastructure/workerpools/" + asString(doc["Id"])),
			}
		},
		routes: []route{
			{method: http.MethodGet, pattern: "dynamicworkertypes", handle: func(c *ctx, _ []string) (int, any, error) {
				return http.StatusOK, map[string]any{"Id": "dynamicworkertypes", "WorkerTypes": dynamicWorkerTypes}, nil
			}},
			{method: http.MethodGet, pattern: "supportedtypes", handle: func(c *ctx, _ []string) (int, any, error) {
				return http.StatusOK, []string{"StaticWorkerPool", "DynamicWorkerPool"}, nil
			}},
			{method: http.MethodPut, pattern: "sortorder", write: true, perm: "WorkerEdit", handle: func(c *ctx, _ []string) (int, any, error) {
				return reorder(c, "workerPools")
			}},
			{method: http.MethodGet, pattern: "{id}/workers", perm: "WorkerView", handle: emptyPage("Worker")},
		},
		seedSpace: func(c *ctx, space Doc) error {
			_, err := c.create("workerPools", asString(space["Id"]), Doc{
				"Name": "Default Worker Pool", "WorkerPoolType": "StaticWorkerPool", "IsDefault": true,
			})
			return err
		},
	})
}

// onlyDefaultPool keeps one default worker pool per space: the one just
// made default.
func onlyDefaultPool(c *ctx, doc Doc) error {
	if doc["IsDefault"] != true {
		return nil
	}
	for _, p := range c.list("workerPools", asString(doc["SpaceId"])) {
		if p["Id"] != doc["Id"] && p["IsDefault"] == true {
			p = cloneDoc(p)
			p["IsDefault"] = false
			c.put("workerPools", p)
		}
	}
	return nil
}
