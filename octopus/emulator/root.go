package emulator

import (
	"net/http"
	"slices"
	"strings"
)

// ServerVersion is the Octopus Server version the emulator reports.
const ServerVersion = "2025.2.0"

// root answers GET /api: the anonymous root document.
func (in *instance) root(c *ctx) (int, any, error) {
	space := ""
	if sp := in.defaultSpaceDoc(); sp != nil {
		space = asString(sp["Id"])
	}
	return http.StatusOK, map[string]any{
		"Application":          "Octopus Deploy",
		"Version":              ServerVersion,
		"ApiVersion":           "3.0.0",
		"InstallationId":       in.installationID,
		"IsEarlyAccessProgram": false,
		"HasLongTermSupport":   false,
		"Links":                in.links.rootLinksFor(space, false),
	}, nil
}

// spaceRoot answers GET /api/{spaceId}: the space's links, nothing else.
func (in *instance) spaceRoot(c *ctx) (int, any, error) {
	return http.StatusOK, map[string]any{
		"Id":             c.spaceID,
		"LastModifiedOn": nil,
		"LastModifiedBy": nil,
		"Links":          in.links.rootLinksFor(c.spaceID, true),
	}, nil
}

// featureToggles are the toggles GET /api/configuration/feature-toggles
// reports; all are off in the emulator.
var featureToggles = []string{
	"CommonVariableScopingFeatureToggle",
	"EphemeralEnvironments",
	"PartialUpdatesOnVariables",
	"RateLimitingV2",
}

// systemPermission reports whether a permission is granted at system
// level rather than in a space.
func systemPermission(p string) bool {
	for _, r := range builtInRoles {
		if slices.Contains(r.system, p) {
			return !slices.Contains(r.space, p)
		}
	}
	return false
}

func init() {
	registerAPI(
		apiRoute{method: http.MethodGet, pattern: "serverstatus", handle: func(c *ctx, _ []string) (int, any, error) {
			return http.StatusOK, map[string]any{
				"Id":                                      "serverstatus",
				"IsDatabaseEncrypted":                     true,
				"IsMajorMinorUpgrade":                     false,
				"IsInMaintenanceMode":                     false,
				"IsUpgradeAvailable":                      false,
				"MaintenanceExpires":                      "9999-12-31T23:59:59.999+00:00",
				"MaximumAvailableVersion":                 ServerVersion,
				"MaximumAvailableVersionCoveredByLicense": ServerVersion,
				"Links": map[string]string{
					"Self":   c.inst.links.api("/serverstatus"),
					"Health": c.inst.links.api("/serverstatus/health"),
				},
			}, nil
		}},
		apiRoute{method: http.MethodGet, pattern: "serverstatus/health", anon: true, handle: func(c *ctx, _ []string) (int, any, error) {
			return http.StatusOK, map[string]any{"Status": "Healthy", "Links": map[string]string{"Self": c.inst.links.api("/serverstatus/health")}}, nil
		}},
		apiRoute{method: http.MethodGet, pattern: "configuration/feature-toggles", handle: func(c *ctx, _ []string) (int, any, error) {
			want := c.param("Name")
			list := []any{}
			for _, n := range featureToggles {
				if want == "" || strings.EqualFold(want, n) {
					list = append(list, map[string]any{"Name": n, "IsEnabled": false})
				}
			}
			return http.StatusOK, map[string]any{"FeatureToggles": list}, nil
		}},
		apiRoute{method: http.MethodGet, pattern: "permissions/all", handle: func(c *ctx, _ []string) (int, any, error) {
			// A map of permission name to its description, as the real
			// server answers (PermissionDescription in the official
			// client).
			out := map[string]any{}
			for p := range knownPermissions {
				system := systemPermission(p)
				out[p] = map[string]any{
					"Description": permissionText[p], "CanApplyAtSystemLevel": system, "CanApplyAtSpaceLevel": !system,
					"SupportedRestrictions": supportedRestrictions([]string{p}),
				}
			}
			return http.StatusOK, out, nil
		}},
	)
}
