package emulator

import (
	"net/http"
)

func init() {
	register(&hooks{
		kind: "gitCredentials",
		schema: &schema{fields: []field{
			str("Name").req(),
			str("Description"),
			object("Details",
				enum("Type", "UsernamePassword", "GitHub", "Anonymous", "Reference").req(),
				str("Username"),
				sensitive("Password"),
				str("Id"),
			),
			// A PUT with RepositoryRestrictions null keeps them, as the
			// official client's e2e tests expect.
			object("RepositoryRestrictions", boolean("Enabled"), strs("AllowedRepositories")).keep(),
		}},
		perms: editPerms("GitCredential"),
		prepare: func(c *ctx, doc, old Doc) error {
			d, _ := doc["Details"].(map[string]any)
			switch d["Type"] {
			case "UsernamePassword":
				if asString(d["Username"]) == "" {
					return badRequest("The Details.Username field is required.")
				}
				delete(d, "Id")
			case "GitHub", "Reference":
				if asString(d["Id"]) == "" {
					return badRequest("The Details.Id field is required.")
				}
				delete(d, "Username")
				delete(d, "Password")
			default:
				delete(d, "Username")
				delete(d, "Password")
				delete(d, "Id")
			}
			return nil
		},
		links: func(l *linker, doc Doc) map[string]string {
			self := l.inSpace("git-credentials", doc)
			return map[string]string{
				"Self":  self,
				"Usage": self + "/usage",
				"Web":   l.web("/" + asString(doc["SpaceId"]) + "/library/gitcredentials/" + asString(doc["Id"])),
			}
		},
		routes: []route{
			{method: http.MethodGet, pattern: "{id}/usage", perm: "GitCredentialView", handle: func(c *ctx, _ []string) (int, any, error) {
				return http.StatusOK, map[string]any{"Projects": []any{}, "OtherProjects": 0}, nil
			}},
		},
	})
}
