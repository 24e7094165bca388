package emulator

import (
	"net/http"
	"strconv"
	"strings"

	"octosync.dev/octosync/octopus"
)

// builtInStep is one of the step types every server ships, listed by
// actiontemplates/search and grouped by actiontemplates/categories. The
// emulator lists a representative set, not every step type of a real
// server.
type builtInStep struct {
	actionType, name, category, description string
}

var builtInSteps = []builtInStep{
	{"Octopus.Script", "Run a Script", "Script", "Runs a custom script written in PowerShell, C#, Bash, F# or Python."},
	{"Octopus.TentaclePackage", "Deploy a Package", "Package", "Deploys a package to one or more machines."},
	{"Octopus.TransferPackage", "Transfer a Package", "Package", "Copies a package to a location on one or more machines."},
	{"Octopus.IIS", "Deploy to IIS", "Windows", "Deploys a package to an IIS web site or virtual directory."},
	{"Octopus.WindowsService", "Deploy a Windows Service", "Windows", "Deploys a package as a Windows service."},
	{"Octopus.KubernetesRunScript", "Run a kubectl script", "Kubernetes", "Runs a script against a Kubernetes cluster."},
	{"Octopus.KubernetesDeployRawYaml", "Deploy Kubernetes YAML", "Kubernetes", "Applies Kubernetes YAML to a cluster."},
	{"Octopus.HelmChartUpgrade", "Upgrade a Helm Chart", "Kubernetes", "Upgrades a Helm release."},
	{"Octopus.AzurePowerShell", "Run an Azure Script", "Azure", "Runs a script with an Azure account."},
	{"Octopus.AwsRunScript", "Run an AWS CLI Script", "AWS", "Runs a script with an AWS account."},
	{"Octopus.TerraformApply", "Apply a Terraform template", "Terraform", "Applies a Terraform template."},
	{"Octopus.DeployRelease", "Deploy a Release", "Other", "Deploys a release of another project."},
	{"Octopus.Manual", "Manual Intervention Required", "Other", "Pauses the deployment until someone approves it."},
	{"Octopus.Email", "Send an Email", "Other", "Sends an email."},
	{"Octopus.HealthCheck", "Health Check", "Other", "Checks the health of deployment targets."},
}

// stepTemplateVersions is the emulator's own store of every version of
// every step template, for actiontemplates/{id}/versions/{version}. It has
// no route: it is not part of the Octopus API.
var stepTemplateVersions = &octopus.Kind{
	Name: "stepTemplateVersions", Label: "step template version", Scope: octopus.ScopeSpace,
	Shape: octopus.Collection, Path: "actiontemplateversions", IDPrefix: "ActionTemplateVersions",
}

func init() {
	register(&hooks{
		kind: "stepTemplates",
		schema: &schema{fields: []field{
			str("Name").req(),
			str("Description"),
			str("ActionType").req(),
			integer("Version").ro(),
			str("CommunityActionTemplateId").ro(),
			anyValue("Properties"),
			templateParameters("Parameters"),
			objects("Packages", str("Id"), str("Name"), str("PackageId"), str("FeedId"), str("AcquisitionLocation"), strMap("Properties")),
			objects("GitDependencies", str("Name"), str("RepositoryUri"), str("DefaultBranch"), str("GitCredentialType"),
				str("GitCredentialId"), strs("FilePathFilters"), str("StepPackageInputsReferenceId")),
			str("StepPackageVersion"),
			anyValue("Inputs"),
		}},
		perms:       crudPerms("ActionTemplate"),
		prepare:     prepareStepTemplate,
		afterCreate: func(c *ctx, doc Doc) error { keepVersion(c, doc); return nil },
		afterUpdate: func(c *ctx, doc, _ Doc) error { keepVersion(c, doc); return nil },
		beforeDelete: func(c *ctx, doc Doc) error {
			if where := stepUsing(c, doc, func(a map[string]any) bool { return usesTemplate(a, doc) }); where != "" {
				return refused("The step template '" + asString(doc["Name"]) + "' is used by " + where + ". Remove it from the process before deleting the step template.")
			}
			return nil
		},
		afterDelete: func(c *ctx, doc Doc) error {
			for _, v := range c.list(stepTemplateVersions.Name, asString(doc["SpaceId"])) {
				if v["TemplateId"] == doc["Id"] {
					c.drop(stepTemplateVersions.Name, v)
				}
			}
			return nil
		},
		links: func(l *linker, doc Doc) map[string]string {
			self := l.inSpace("actiontemplates", doc)
			return map[string]string{
				"Self":     self,
				"Usage":    self + "/usage",
				"Versions": self + "/versions/{version}",
				"Logo":     self + "/logo",
				"Web":      l.web("/" + asString(doc["SpaceId"]) + "/library/steptemplates/" + asString(doc["Id"])),
			}
		},
		routes: []route{
			{method: http.MethodGet, pattern: "categories", perm: "ActionTemplateView", handle: stepCategories},
			{method: http.MethodGet, pattern: "search", perm: "ActionTemplateView", handle: searchStepTemplates},
			{method: http.MethodGet, pattern: "{id}/usage", perm: "ActionTemplateView", handle: stepTemplateUsage},
			{method: http.MethodGet, pattern: "{id}/versions/*", perm: "ActionTemplateView", handle: func(c *ctx, args []string) (int, any, error) {
				v := c.get(stepTemplateVersions.Name, versionID(asString(c.doc["Id"]), args[1]))
				if v == nil {
					return 0, nil, notFound(asString(c.doc["Id"]) + " version " + args[1])
				}
				tmpl, _ := v["Template"].(map[string]any)
				return http.StatusOK, c.render("stepTemplates", tmpl), nil
			}},
		},
	})
	register(&hooks{
		kind: stepTemplateVersions.Name,
		def:  stepTemplateVersions,
		schema: &schema{fields: []field{
			str("TemplateId"),
			integer("Version"),
			anyValue("Template"),
		}},
		perms:    crudPerms("ActionTemplate"),
		unrouted: true,
	})
}

// prepareStepTemplate keeps the action type a template was created with
// (it is writable on create only), gives parameters and packages their
// ids, takes write-only property values out, and bumps Version: 0 on
// create, one more on every update.
func prepareStepTemplate(c *ctx, doc, old Doc) error {
	if old != nil {
		doc["ActionType"] = old["ActionType"]
	}
	b := newSecretBook(c, asString(doc["Id"]))
	errs := prepareTemplates(b, doc, "Parameters", false)
	props, perrs := b.properties(doc["Properties"], "Properties")
	doc["Properties"] = props
	errs = append(errs, perrs...)
	for _, p := range elements(doc["Packages"]) {
		ensureID(p)
	}
	if len(errs) > 0 {
		return badRequest(errs...)
	}
	bumpVersion(doc, old)
	b.commit()
	return nil
}

// versionID is the id under which a version of a step template is kept.
func versionID(templateID, version string) string {
	return templateID + "/versions/" + version
}

// keepVersion records the template as it is now under its Version.
func keepVersion(c *ctx, doc Doc) {
	c.put(stepTemplateVersions.Name, Doc{
		"Id":         versionID(asString(doc["Id"]), strconv.Itoa(asInt(doc["Version"]))),
		"SpaceId":    doc["SpaceId"],
		"TemplateId": doc["Id"],
		"Version":    doc["Version"],
		"Template":   cloneDoc(doc),
	})
}

// usesTemplate reports whether an action is an instance of a step
// template.
func usesTemplate(a map[string]any, tmpl Doc) bool {
	props, _ := a["Properties"].(map[string]any)
	return props["Octopus.Action.Template.Id"] == tmpl["Id"]
}

// stepTemplateUsage answers GET actiontemplates/{id}/usage: every action of
// a deployment or runbook process made from the template.
func stepTemplateUsage(c *ctx, _ []string) (int, any, error) {
	out := []any{}
	for _, kind := range []string{"deploymentProcess", "runbookProcess"} {
		for _, p := range c.list(kind, c.spaceID) {
			project := c.get("projects", asString(p["ProjectId"]))
			if project == nil {
				continue
			}
			eachAction(p, func(s, a map[string]any) {
				if !usesTemplate(a, c.doc) {
					return
				}
				props, _ := a["Properties"].(map[string]any)
				u := map[string]any{
					"ActionTemplateId":      c.doc["Id"],
					"ActionTemplateVersion": props["Octopus.Action.Template.Version"],
					"ProjectId":             project["Id"],
					"ProjectName":           project["Name"],
					"ProjectSlug":           project["Slug"],
					"StepId":                s["Id"],
					"StepName":              s["Name"],
					"ActionId":              a["Id"],
					"ActionName":            a["Name"],
					"DeploymentProcessId":   nil,
					"RunbookId":             nil,
					"RunbookName":           nil,
					"Version":               c.doc["Version"],
				}
				if kind == "deploymentProcess" {
					u["DeploymentProcessId"] = p["Id"]
				} else if rb := c.get("runbooks", asString(p["RunbookId"])); rb != nil {
					u["RunbookId"], u["RunbookName"] = rb["Id"], rb["Name"]
				}
				out = append(out, u)
			})
		}
	}
	return http.StatusOK, out, nil
}

// stepCategories answers GET actiontemplates/categories: the categories
// of the built-in step types, in display order.
func stepCategories(*ctx, []string) (int, any, error) {
	out := []any{}
	seen := map[string]bool{}
	for _, s := range builtInSteps {
		if seen[s.category] {
			continue
		}
		seen[s.category] = true
		out = append(out, map[string]any{
			"Id":           strings.ToLower(s.category),
			"Name":         s.category,
			"DisplayOrder": len(out),
			"Links":        map[string]string{},
		})
	}
	return http.StatusOK, out, nil
}

// searchStepTemplates answers GET actiontemplates/search: the built-in
// step types and the space's step templates (the emulator knows no
// community templates).
func searchStepTemplates(c *ctx, _ []string) (int, any, error) {
	out := []any{}
	for _, s := range builtInSteps {
		out = append(out, map[string]any{
			"Type":        s.actionType,
			"Name":        s.name,
			"Description": s.description,
			"Category":    strings.ToLower(s.category),
			"Categories":  []any{strings.ToLower(s.category)},
			"Author":      "Octopus Deploy",
			"Keywords":    "",
			"IsBuiltIn":   true,
			"IsInstalled": true,
			"HasUpdate":   false,
			"Links":       map[string]string{},
		})
	}
	for _, t := range c.list("stepTemplates", c.spaceID) {
		out = append(out, map[string]any{
			"Id":          t["Id"],
			"Type":        t["ActionType"],
			"Name":        t["Name"],
			"Description": t["Description"],
			"Category":    "stepTemplate",
			"Categories":  []any{"stepTemplate"},
			"Keywords":    "",
			"IsBuiltIn":   false,
			"IsInstalled": true,
			"HasUpdate":   false,
			"Links":       map[string]string{"Self": c.inst.links.inSpace("actiontemplates", t)},
		})
	}
	return http.StatusOK, out, nil
}
