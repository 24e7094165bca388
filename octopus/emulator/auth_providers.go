package emulator

import (
	"net/http"
)

// providerInfo describes how an enabled authentication provider presents
// itself to clients (the Name and IdentityType of /api/authentication).
var providerInfo = map[string]struct {
	name, identityType string
	forms              bool
}{
	"authentication-usernamepassword":  {"Octopus", "UsernamePassword", true},
	"authentication-guest":             {"Guest", "Guest", true},
	"authentication-aad":               {"Azure AD", "OAuth", false},
	"authentication-od":                {"Okta", "OAuth", false},
	"authentication-googleapps":        {"Google Apps", "OAuth", false},
	"authentication-octopusid":         {"Octopus ID", "OAuth", false},
	"authentication-generic-oidc":      {"Generic OIDC", "OAuth", false},
	"authentication-directoryservices": {"Active Directory", "ActiveDirectory", true},
	"authentication-ldap":              {"LDAP", "Ldap", true},
}

// enabledProviders lists the enabled authentication providers, in the
// order of the configuration sections.
func enabledProviders(c *ctx) []any {
	out := []any{}
	for _, s := range sections {
		info, ok := providerInfo[s.id]
		if !ok || s.get(c)["IsEnabled"] != true {
			continue
		}
		out = append(out, map[string]any{"Name": info.name, "IdentityType": info.identityType, "FormsLoginEnabled": info.forms,
			"Links": map[string]string{}, "CSSLinks": []any{}, "JavascriptLinks": []any{}})
	}
	return out
}

func init() {
	registerAPI(
		apiRoute{method: http.MethodGet, pattern: "authentication", anon: true, handle: func(c *ctx, _ []string) (int, any, error) {
			return http.StatusOK, Doc{
				"AuthenticationProviders":                             enabledProviders(c),
				"AnyAuthenticationProvidersSupportPasswordManagement": sectionByID("authentication-usernamepassword").get(c)["IsEnabled"] == true,
				"AutoLoginEnabled":                                    sectionByID("authentication").get(c)["AutoLoginEnabled"] == true,
				"Links":                                               map[string]string{"Self": c.inst.links.api("/authentication")},
			}, nil
		}},
		apiRoute{method: http.MethodGet, pattern: "users/authentication", handle: func(c *ctx, _ []string) (int, any, error) {
			return http.StatusOK, userAuthentication(c, c.user), nil
		}},
		apiRoute{method: http.MethodGet, pattern: "users/authentication/*", handle: func(c *ctx, args []string) (int, any, error) {
			user := c.get("users", args[0])
			if user == nil {
				return 0, nil, notFound(args[0])
			}
			if user["Id"] != c.user["Id"] {
				if err := c.require("UserView"); err != nil {
					return 0, nil, err
				}
			}
			return http.StatusOK, userAuthentication(c, user), nil
		}},
	)
}

// userAuthentication is what /api/users/authentication{/userId} answers:
// the providers a user can sign in with.
func userAuthentication(c *ctx, user Doc) Doc {
	return Doc{
		"AuthenticationProviders":             enabledProviders(c),
		"CanCurrentUserEditIdentitiesForUser": c.user["Id"] == user["Id"] || c.require("UserEdit") == nil,
		"Links":                               map[string]string{"Self": c.inst.links.api("/users/authentication/" + asString(user["Id"]))},
	}
}
