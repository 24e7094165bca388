package emulator

import (
	"net/http"
	"slices"
	"strings"
)

// Library variable sets and script modules are one collection, the
// documents of /libraryvariablesets, told apart by ContentType
// ("Variables" or "ScriptModule"). The registry lists them as two kinds
// (libraryVariableSets and scriptModules, with Filter on ContentType);
// the emulator serves both through the libraryVariableSets kind. A script
// module's script lives in its variable set, as the variables
// Octopus.Script.Module[<name>] and Octopus.Script.Module.Language[<name>].

// contentTypes are the values of a library variable set's ContentType.
var contentTypes = []string{"Variables", "ScriptModule"}

func init() {
	register(&hooks{
		kind: "libraryVariableSets",
		schema: &schema{fields: []field{
			str("Name").req(),
			str("Description"),
			enum("ContentType", contentTypes...).withDefault("Variables"),
			str("VariableSetId").ro(),
			templateParameters("Templates"),
			integer("Version").ro(),
		}},
		perms:   crudPerms("LibraryVariableSet"),
		prepare: prepareLibraryVariableSet,
		afterCreate: func(c *ctx, doc Doc) error {
			createDerived(c, "libraryVariables", asString(doc["SpaceId"]), asString(doc["VariableSetId"]), Doc{"OwnerId": doc["Id"]})
			return nil
		},
		afterDelete: func(c *ctx, doc Doc) error {
			if v := c.get("libraryVariables", asString(doc["VariableSetId"])); v != nil {
				c.drop("libraryVariables", v)
			}
			return nil
		},
		links: func(l *linker, doc Doc) map[string]string {
			self := l.inSpace("libraryvariablesets", doc)
			return map[string]string{
				"Self":      self,
				"Variables": l.api("/" + asString(doc["SpaceId"]) + "/variables/" + asString(doc["VariableSetId"])),
				"Usages":    self + "/usages",
			}
		},
		filters: map[string]func(c *ctx, doc Doc, value string) bool{
			// An unknown content type (the official e2e test asks for
			// "ScriptModules") filters nothing out rather than failing.
			"contentType": func(_ *ctx, doc Doc, value string) bool {
				for _, ct := range contentTypes {
					if strings.EqualFold(ct, value) {
						return doc["ContentType"] == ct
					}
				}
				return true
			},
		},
		routes: []route{
			{method: http.MethodGet, pattern: "{id}/usages", perm: "LibraryVariableSetView", handle: func(c *ctx, _ []string) (int, any, error) {
				out := []any{}
				for _, p := range includersOf(c, c.doc) {
					out = append(out, map[string]any{
						"ProjectId":                     p["Id"],
						"ProjectName":                   p["Name"],
						"ProjectSlug":                   p["Slug"],
						"IsCurrentlyBeingUsedInProject": true,
						"Releases":                      []any{},
						"RunbookSnapshots":              []any{},
					})
				}
				return http.StatusOK, out, nil
			}},
		},
	})
	registerUsage("libraryVariableSets", func(c *ctx, doc Doc) string {
		if ps := includersOf(c, doc); len(ps) > 0 {
			return "This " + strings.ToLower(contentNoun(doc)) + " is used by the project '" + asString(ps[0]["Name"]) +
				"'. Remove it from the project before deleting it."
		}
		return ""
	})
}

// prepareLibraryVariableSet keeps the content type a set was created with,
// gives its variable templates their ids, and names its variable set,
// variableset-<Id>.
func prepareLibraryVariableSet(c *ctx, doc, old Doc) error {
	if old != nil {
		doc["ContentType"] = old["ContentType"]
	}
	b := newSecretBook(c, asString(doc["Id"]))
	if errs := prepareTemplates(b, doc, "Templates", true); len(errs) > 0 {
		return badRequest(errs...)
	}
	if old == nil {
		doc["VariableSetId"] = "variableset-" + asString(doc["Id"])
	}
	bumpVersion(doc, old)
	b.commit()
	return nil
}

// includersOf returns the projects of a library variable set's space that
// include it.
func includersOf(c *ctx, lvs Doc) []Doc {
	var out []Doc
	for _, p := range c.list("projects", asString(lvs["SpaceId"])) {
		if slices.Contains(stringList(p["IncludedLibraryVariableSetIds"]), asString(lvs["Id"])) {
			out = append(out, p)
		}
	}
	return out
}

// contentNoun names a library variable set by its content type.
func contentNoun(doc Doc) string {
	if doc["ContentType"] == "ScriptModule" {
		return "Script module"
	}
	return "Library variable set"
}
