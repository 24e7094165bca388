package emulator

import (
	"net/http"
	"strings"
)

// Built-in feeds: every space has one of each; in the Default space they
// have these fixed ids.
const (
	builtInFeedID   = "feeds-builtin"
	releasesFeedID  = "feeds-builtin-releases"
	builtInFeedName = "Octopus Server (built-in)"
	releasesFeed    = "Octopus Server Releases"
)

// retries are the download settings most external feeds have.
func retries() []field {
	return []field{integer("DownloadAttempts").withDefault(5), integer("DownloadRetryBackoffSeconds").withDefault(10)}
}

// feedOIDC is the OpenID Connect authentication of container registries.
func feedOIDC() field {
	return object("OidcAuthentication",
		enum("Type", "Azure", "AWS", "Google"),
		str("ClientId"), str("TenantId"), str("Audience"), strs("SubjectKeys"),
		str("SessionDuration"), str("RoleArn"),
	).null()
}

func withRetries(fs ...field) []field { return append(fs, retries()...) }

func init() {
	register(&hooks{
		kind: "feeds",
		schema: &schema{
			fields: []field{
				str("Name").req(),
				str("Slug"),
				strs("PackageAcquisitionLocationOptions"),
			},
			discriminator: "FeedType",
			variants: map[string][]field{
				"BuiltIn": withRetries(integer("DeleteUnreleasedPackagesAfterDays").withDefault(30),
					boolean("DeletePackagesAssociatedWithReleases"), boolean("IsBuiltInRepoSyncEnabled")),
				"OctopusProject": {},
				"NuGet":          withRetries(str("FeedUri").req(), boolean("EnhancedMode"), str("Username"), sensitive("Password")),
				"Docker":         withRetries(str("FeedUri").req(), str("ApiVersion"), str("RegistryPath"), str("Username"), sensitive("Password")),
				"Maven":          withRetries(str("FeedUri").req(), str("Username"), sensitive("Password")),
				"GitHub":         withRetries(str("FeedUri").req(), str("Username"), sensitive("Password")),
				"Npm":            withRetries(str("FeedUri").req(), str("Username"), sensitive("Password")),
				"PyPi":           withRetries(str("FeedUri").req(), str("Username"), sensitive("Password")),
				"Helm":           {str("FeedUri").req(), str("Username"), sensitive("Password")},
				"OciRegistry":    {str("FeedUri").req(), str("Username"), sensitive("Password")},
				"AwsElasticContainerRegistry": {str("AccessKey"), sensitive("SecretKey"), str("Region").req(),
					str("ApiVersion"), str("RegistryPath"), feedOIDC()},
				"AzureContainerRegistry":  {str("FeedUri").req(), str("ApiVersion"), str("RegistryPath"), str("Username"), sensitive("Password"), feedOIDC()},
				"GoogleContainerRegistry": {str("FeedUri").req(), str("ApiVersion"), str("RegistryPath"), str("Username"), sensitive("Password"), feedOIDC()},
				"ArtifactoryGeneric":      {str("FeedUri").req(), str("Repository").req(), str("LayoutRegex"), str("Username"), sensitive("Password")},
				"S3":                      withRetries(boolean("UseMachineCredentials"), str("AccessKey"), sensitive("SecretKey")),
				"GcsStorage":              withRetries(boolean("UseServiceAccountKey"), sensitive("ServiceAccountJsonKey"), str("Project"), feedOIDC()),
			},
		},
		perms: editPerms("Feed"),
		prepare: func(c *ctx, doc, old Doc) error {
			t := asString(doc["FeedType"])
			if old == nil && !c.system && (t == "BuiltIn" || t == "OctopusProject") {
				return badRequestf("A %s feed cannot be created: every space has exactly one.", t)
			}
			if old != nil && (t == "BuiltIn" || t == "OctopusProject") && doc["Name"] != old["Name"] {
				return refused("The name of a built-in feed cannot be changed.")
			}
			if len(stringList(doc["PackageAcquisitionLocationOptions"])) == 0 {
				doc["PackageAcquisitionLocationOptions"] = defaultAcquisition(t)
			}
			for _, o := range stringList(doc["PackageAcquisitionLocationOptions"]) {
				if o != "Server" && o != "ExecutionTarget" && o != "NotAcquired" {
					return badRequestf("Error converting value %q to type 'PackageAcquisitionLocation'. Path 'PackageAcquisitionLocationOptions'.", o)
				}
			}
			assignSlug(c, "feeds", doc, old)
			return nil
		},
		beforeDelete: func(c *ctx, doc Doc) error {
			if t := doc["FeedType"]; t == "BuiltIn" || t == "OctopusProject" {
				return refused("Built-in feeds cannot be deleted.")
			}
			return nil
		},
		links: func(l *linker, doc Doc) map[string]string {
			self := l.inSpace("feeds", doc)
			return map[string]string{
				"Self":                          self,
				"Packages":                      self + "/packages{?packageId,partialMatch,includeMultipleVersions,includeNotes,includePreRelease,versionRange,preReleaseTag,take}",
				"SearchPackagesTemplate":        self + "/packages/search{?term,skip,take}",
				"SearchPackageVersionsTemplate": self + "/packages/versions{?packageId,take,skip,includePreRelease,versionRange,preReleaseTag,filter,includeReleaseNotes}",
				"Web":                           l.web("/" + asString(doc["SpaceId"]) + "/library/feeds/" + asString(doc["Id"])),
			}
		},
		filters: map[string]func(c *ctx, doc Doc, value string) bool{
			"feedType": func(_ *ctx, doc Doc, v string) bool {
				for _, t := range splitList(v) {
					if strings.EqualFold(asString(doc["FeedType"]), t) {
						return true
					}
				}
				return false
			},
		},
		routes: []route{
			// Package search talks to the outside world on a real server;
			// the emulator's feeds are empty.
			{method: http.MethodGet, pattern: "{id}/packages/search", perm: "FeedView", handle: emptyPage("PackageDescription")},
			{method: http.MethodGet, pattern: "{id}/packages/versions", perm: "FeedView", handle: emptyPage("PackageVersion")},
			{method: http.MethodGet, pattern: "{id}/packages", perm: "FeedView", handle: emptyPage("Package")},
		},
		seedSpace: func(c *ctx, space Doc) error {
			id := asString(space["Id"])
			builtinID, releasesID := "", ""
			if space["IsDefault"] == true {
				builtinID, releasesID = builtInFeedID, releasesFeedID
			}
			system := c.system
			c.system = true
			defer func() { c.system = system }()
			if _, err := c.createAs("feeds", id, builtinID, Doc{"Name": builtInFeedName, "FeedType": "BuiltIn"}); err != nil {
				return err
			}
			_, err := c.createAs("feeds", id, releasesID, Doc{"Name": releasesFeed, "FeedType": "OctopusProject"})
			return err
		},
	})
	registerAPI(apiRoute{method: http.MethodGet, pattern: "feeds/stats", perm: "FeedView", handle: func(c *ctx, _ []string) (int, any, error) {
		return http.StatusOK, map[string]any{"TotalPackages": 0}, nil
	}})
}

// defaultAcquisition is where a feed's packages are acquired unless the
// client says.
func defaultAcquisition(feedType string) []any {
	switch feedType {
	case "Docker", "AwsElasticContainerRegistry", "AzureContainerRegistry", "GoogleContainerRegistry", "OciRegistry":
		return []any{"ExecutionTarget", "NotAcquired"}
	}
	return []any{"Server", "ExecutionTarget"}
}
