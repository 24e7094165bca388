package emulator

func init() {
	register(&hooks{
		kind: "subscriptions",
		schema: &schema{fields: []field{
			str("Name").req(),
			enum("Type", "Event").withDefault("Event"),
			boolean("IsDisabled"),
			object("EventNotificationSubscription",
				object("Filter",
					strs("Users"), strs("Projects"), strs("ProjectGroups"), strs("Environments"), strs("EventGroups"),
					strs("EventCategories"), strs("EventAgents"), strs("Tenants"), strs("Tags"), strs("DocumentTypes"),
				),
				strs("EmailTeams"),
				timespan("EmailFrequencyPeriod").withDefault("01:00:00"),
				enum("EmailPriority", "Low", "Normal", "High").withDefault("Normal"),
				str("EmailShowDatesInTimeZoneId").withDefault("UTC"),
				timestamp("EmailDigestLastProcessed").ro(),
				anyValue("EmailDigestLastProcessedEventAutoId").ro(),
				str("WebhookURI"),
				strs("WebhookTeams"),
				timespan("WebhookTimeout").withDefault("00:00:10"),
				str("WebhookHeaderKey"),
				str("WebhookHeaderValue"),
				timestamp("WebhookLastProcessed").ro(),
				anyValue("WebhookLastProcessedEventAutoId").ro(),
				strs("SlackChannelIds"),
				strs("SlackChannelNames"),
				enum("SlackDigestFormat", "Summary", "Detailed").withDefault("Summary"),
				timespan("SlackFrequencyPeriod").withDefault("01:00:00"),
			),
		}},
		perms: crudPerms("Subscription"),
		prepare: func(c *ctx, doc, old Doc) error {
			ens, _ := doc["EventNotificationSubscription"].(map[string]any)
			filter, _ := ens["Filter"].(map[string]any)
			space := asString(doc["SpaceId"])
			var errs []string
			for _, r := range []struct {
				list []string
				kind string
			}{
				{stringList(filter["Environments"]), "environments"},
				{stringList(filter["ProjectGroups"]), "projectGroups"},
				{stringList(filter["Projects"]), "projects"},
				{stringList(filter["Tenants"]), "tenants"},
			} {
				if c.inst.kinds[r.kind] == nil {
					continue
				}
				for _, id := range r.list {
					if d := c.get(r.kind, id); d == nil || asString(d["SpaceId"]) != space {
						errs = append(errs, "The "+c.def(r.kind).Label+" '"+id+"' in the subscription's filter was not found in this space.")
					}
				}
			}
			for _, id := range stringList(filter["Users"]) {
				if c.get("users", id) == nil {
					errs = append(errs, "The user '"+id+"' in the subscription's filter was not found.")
				}
			}
			for _, f := range []string{"EmailTeams", "WebhookTeams"} {
				for _, id := range stringList(ens[f]) {
					if c.get("teams", id) == nil {
						errs = append(errs, "The team '"+id+"' in "+f+" was not found.")
					}
				}
			}
			if len(errs) > 0 {
				return badRequest(errs...)
			}
			return nil
		},
		links: func(l *linker, doc Doc) map[string]string {
			return map[string]string{
				"Self": l.inSpace("subscriptions", doc),
				"Web":  l.web("/" + asString(doc["SpaceId"]) + "/configuration/subscriptions/" + asString(doc["Id"])),
			}
		},
	})
}
