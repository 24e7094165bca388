package emulator

import (
	"net/http"
)

// machinePolicyFields are a machine policy's fields with the defaults of
// the server's template for a new policy.
func machinePolicyFields() []field {
	script := func(name string) field {
		return object(name, enum("RunType", "InheritFromDefault", "Inline", "OnlyConnectivity").withDefault("InheritFromDefault"), str("ScriptBody"))
	}
	return []field{
		str("Name").req(),
		str("Slug"),
		str("Description"),
		boolean("IsDefault").ro(),
		timespan("ConnectionConnectTimeout").withDefault("00:01:00"),
		integer("ConnectionRetryCountLimit").withDefault(5),
		timespan("ConnectionRetrySleepInterval").withDefault("00:00:01"),
		timespan("ConnectionRetryTimeLimit").withDefault("00:05:00"),
		timespan("PollingRequestQueueTimeout").withDefault("00:02:00"),
		timespan("PollingRequestMaximumMessageProcessingTimeout").withDefault("00:10:00"),
		object("MachineHealthCheckPolicy",
			script("PowerShellHealthCheckPolicy"),
			script("BashHealthCheckPolicy"),
			enum("HealthCheckType", "RunScript", "OnlyConnectivity").withDefault("RunScript"),
			timespan("HealthCheckInterval").withDefault("1.00:00:00"),
			str("HealthCheckCron"),
			str("HealthCheckCronTimezone").withDefault("UTC"),
		),
		object("MachineConnectivityPolicy",
			enum("MachineConnectivityBehavior", "ExpectedToBeOnline", "MayBeOfflineAndCanBeSkipped").withDefault("ExpectedToBeOnline"),
		),
		object("MachineCleanupPolicy",
			enum("DeleteMachinesBehavior", "DoNotDelete", "DeleteUnavailableMachines").withDefault("DoNotDelete"),
			timespan("DeleteMachinesElapsedTimeSpan").withDefault("01:00:00"),
		),
		object("MachineUpdatePolicy",
			enum("CalamariUpdateBehavior", "UpdateOnDeployment", "UpdateOnNewMachine", "UpdateAlways").withDefault("UpdateOnDeployment"),
			enum("TentacleUpdateBehavior", "NeverUpdate", "Update").withDefault("NeverUpdate"),
			enum("KubernetesAgentUpdateBehavior", "Update", "NeverUpdate", "Block").withDefault("Update"),
			str("TentacleUpdateAccountId"),
		),
		object("MachinePackageCacheRetentionPolicy",
			enum("Strategy", "Default", "Quantities").withDefault("Default"),
			integer("QuantityOfPackagesToKeep"),
			enum("PackageUnit", "Items"),
			integer("QuantityOfVersionsToKeep"),
			enum("VersionUnit", "Items"),
		),
	}
}

func init() {
	register(&hooks{
		kind:   "machinePolicies",
		schema: &schema{fields: machinePolicyFields()},
		perms:  crudPerms("MachinePolicy"),
		prepare: func(c *ctx, doc, old Doc) error {
			if asInt(doc["ConnectionRetryCountLimit"]) < 1 {
				return badRequest("The field ConnectionRetryCountLimit must be at least 1.")
			}
			if u, _ := doc["MachineUpdatePolicy"].(map[string]any); u != nil && asString(u["TentacleUpdateAccountId"]) != "" {
				if a := c.get("accounts", asString(u["TentacleUpdateAccountId"])); a == nil || a["SpaceId"] != doc["SpaceId"] {
					return badRequestf("The account '%s' in MachineUpdatePolicy.TentacleUpdateAccountId was not found in this space.", u["TentacleUpdateAccountId"])
				}
			}
			assignSlug(c, "machinePolicies", doc, old)
			return nil
		},
		beforeDelete: func(c *ctx, doc Doc) error {
			if doc["IsDefault"] == true {
				return refused("You cannot delete your default machine policy.")
			}
			return nil
		},
		links: func(l *linker, doc Doc) map[string]string {
			self := l.inSpace("machinepolicies", doc)
			return map[string]string{
				"Self":     self,
				"Machines": self + "/machines{?skip,take}",
				"Workers":  self + "/workers{?skip,take}",
				"Web":      l.web("/" + asString(doc["SpaceId"]) + "/infrastructure/machinepolicies/" + asString(doc["Id"])),
			}
		},
		routes: []route{
			{method: http.MethodGet, pattern: "template", perm: "MachinePolicyView", handle: func(c *ctx, _ []string) (int, any, error) {
				// The defaults of a new policy; the template has no name.
				tmpl, _, _ := c.def("machinePolicies").h.schema.decode(Doc{}, nil)
				tmpl["Id"], tmpl["SpaceId"], tmpl["Links"] = nil, c.spaceID, map[string]string{}
				return http.StatusOK, tmpl, nil
			}},
			{method: http.MethodGet, pattern: "{id}/machines", perm: "MachineView", handle: emptyPage("DeploymentTarget")},
			{method: http.MethodGet, pattern: "{id}/workers", perm: "WorkerView", handle: emptyPage("Worker")},
		},
		seedSpace: func(c *ctx, space Doc) error {
			doc, err := c.create("machinePolicies", asString(space["Id"]), Doc{
				"Name": "Default Machine Policy", "Description": "This is the default machine policy.",
			})
			if err != nil {
				return err
			}
			doc = cloneDoc(doc)
			doc["IsDefault"] = true
			c.put("machinePolicies", doc)
			return nil
		},
	})
}
