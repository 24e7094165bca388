package emulator

import (
	"net/http"
	"strings"
)

// retention is the schema of a retention policy. Strategy is the newer
// way of saying what ShouldKeepForever and QuantityToKeep say; a policy
// without one gets the Strategy its other fields imply.
func retention(name string) field {
	return object(name,
		integer("QuantityToKeep"),
		boolean("ShouldKeepForever"),
		enum("Unit", "Days", "Items").withDefault("Days"),
		enum("Strategy", "Default", "Forever", "Count"),
	)
}

// defaultRetention is the retention of a lifecycle that does not say:
// the space's default.
func defaultRetention() map[string]any {
	return map[string]any{"QuantityToKeep": 0, "ShouldKeepForever": true, "Unit": "Days", "Strategy": "Default"}
}

func init() {
	register(&hooks{
		kind: "lifecycles",
		schema: &schema{fields: []field{
			str("Name").req(),
			str("Slug"),
			str("Description"),
			retention("ReleaseRetentionPolicy").withDefault(defaultRetention()),
			retention("TentacleRetentionPolicy").withDefault(defaultRetention()),
			objects("Phases",
				str("Id"),
				str("Name").req(),
				strs("AutomaticDeploymentTargets"),
				strs("OptionalDeploymentTargets"),
				integer("MinimumEnvironmentsBeforePromotion"),
				boolean("IsOptionalPhase"),
				boolean("IsPriorityPhase"),
				retention("ReleaseRetentionPolicy").null(),
				retention("TentacleRetentionPolicy").null(),
			),
		}},
		perms: crudPerms("Lifecycle"),
		prepare: func(c *ctx, doc, old Doc) error {
			assignSlug(c, "lifecycles", doc, old)
			space := asString(doc["SpaceId"])
			var errs []string
			names := map[string]bool{}
			for _, p := range phases(doc) {
				if asString(p["Id"]) == "" {
					p["Id"] = newUUID()
				}
				n := strings.ToLower(asString(p["Name"]))
				if names[n] {
					errs = append(errs, "Phase names must be unique; '"+asString(p["Name"])+"' is used more than once.")
				}
				names[n] = true
				for _, f := range []string{"AutomaticDeploymentTargets", "OptionalDeploymentTargets"} {
					for _, id := range stringList(p[f]) {
						if e := c.get("environments", id); e == nil || asString(e["SpaceId"]) != space {
							errs = append(errs, "The environment '"+id+"' in phase '"+asString(p["Name"])+"' was not found.")
						}
					}
				}
				fixRetention(p["ReleaseRetentionPolicy"])
				fixRetention(p["TentacleRetentionPolicy"])
			}
			fixRetention(doc["ReleaseRetentionPolicy"])
			fixRetention(doc["TentacleRetentionPolicy"])
			if len(errs) > 0 {
				return badRequest(errs...)
			}
			return nil
		},
		links: func(l *linker, doc Doc) map[string]string {
			self := l.inSpace("lifecycles", doc)
			return map[string]string{
				"Self":     self,
				"Preview":  self + "/preview",
				"Projects": self + "/projects",
				"Web":      l.web("/" + asString(doc["SpaceId"]) + "/library/lifecycles/" + asString(doc["Id"])),
			}
		},
		routes: []route{
			{method: http.MethodGet, pattern: "{id}/projects", perm: "ProjectView", handle: func(c *ctx, _ []string) (int, any, error) {
				// A bare array, unlike projectgroups/{id}/projects.
				return http.StatusOK, c.renderAll("projects", usersOf(c, "projects", "LifecycleId", c.doc)), nil
			}},
		},
		seedSpace: func(c *ctx, space Doc) error {
			_, err := c.create("lifecycles", asString(space["Id"]), Doc{
				"Name":        "Default Lifecycle",
				"Description": "This is the default lifecycle. It has no phases: releases can be deployed to every environment.",
			})
			return err
		},
	})
	registerUsage("lifecycles", func(c *ctx, doc Doc) string {
		if ps := usersOf(c, "projects", "LifecycleId", doc); len(ps) > 0 {
			return "This lifecycle is used by the project '" + asString(ps[0]["Name"]) + "'. Choose another lifecycle for it before deleting this one."
		}
		return ""
	})
}

// phases returns a lifecycle's phases (the maps themselves).
func phases(l Doc) []map[string]any {
	list, _ := l["Phases"].([]any)
	out := make([]map[string]any, 0, len(list))
	for _, p := range list {
		if m, ok := p.(map[string]any); ok {
			out = append(out, m)
		}
	}
	return out
}

// fixRetention fills a retention policy's Strategy from its other fields
// when the client did not send one, and makes ShouldKeepForever agree with
// a Forever strategy.
func fixRetention(v any) {
	r, ok := v.(map[string]any)
	if !ok {
		return
	}
	switch asString(r["Strategy"]) {
	case "":
		if r["ShouldKeepForever"] == true {
			r["Strategy"] = "Forever"
		} else {
			r["Strategy"] = "Count"
		}
	case "Forever":
		r["ShouldKeepForever"] = true
	case "Count":
		r["ShouldKeepForever"] = false
	}
}

// usersOf returns the documents of kind (when that kind is served) in the
// same space as doc whose field holds doc's id: the projects of a
// lifecycle or project group. It is empty until the kind is registered.
func usersOf(c *ctx, kind, field string, doc Doc) []Doc {
	if c.inst.kinds[kind] == nil {
		return nil
	}
	var out []Doc
	for _, d := range c.list(kind, asString(doc["SpaceId"])) {
		if d[field] == doc["Id"] {
			out = append(out, d)
		}
	}
	return out
}
