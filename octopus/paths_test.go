package octopus

import (
	"strings"
	"testing"
)

// TestKindPaths pins the paths of every registry kind. A kind added to the
// registry without an entry here fails, so its paths get decided.
func TestKindPaths(t *testing.T) {
	// For collection kinds: the space collection (or the instance one for
	// instance-only kinds), a document, and for kinds at both levels the
	// instance collection. For derived kinds: the document of owner "O-1".
	// For singletons: the document of each fixed name. For child kinds:
	// OwnerPath for owner "O-1".
	type paths struct {
		collection, doc, instance string
		fixed                     map[string]string
		owner                     string
	}
	const space, id, owner = "Spaces-1", "X-1", "O-1"
	want := map[string]paths{
		"users": {collection: "/api/users", doc: "/api/users/X-1"},
		"authentication": {fixed: map[string]string{
			"usernamePassword": "/api/configuration/authentication-usernamepassword/values",
			"guest":            "/api/configuration/authentication-guest/values",
			"azureAD":          "/api/configuration/authentication-aad/values",
			"okta":             "/api/configuration/authentication-od/values",
			"googleApps":       "/api/configuration/authentication-googleapps/values",
			"octopusID":        "/api/configuration/authentication-octopusid/values",
			"genericOidc":      "/api/configuration/authentication-generic-oidc/values",
			"activeDirectory":  "/api/configuration/authentication-directoryservices/values",
			"ldap":             "/api/configuration/authentication-ldap/values",
		}},
		"smtp":                {fixed: map[string]string{"smtp": "/api/smtpconfiguration"}},
		"auditStream":         {fixed: map[string]string{"auditStream": "/api/audit-stream"}},
		"userRoles":           {collection: "/api/userroles", doc: "/api/userroles/X-1"},
		"teams":               {collection: "/api/Spaces-1/teams", doc: "/api/Spaces-1/teams/X-1", instance: "/api/teams"},
		"spaces":              {collection: "/api/spaces", doc: "/api/spaces/X-1"},
		"tagSets":             {collection: "/api/Spaces-1/tagsets", doc: "/api/Spaces-1/tagsets/X-1"},
		"environments":        {collection: "/api/Spaces-1/environments", doc: "/api/Spaces-1/environments/X-1"},
		"machinePolicies":     {collection: "/api/Spaces-1/machinepolicies", doc: "/api/Spaces-1/machinepolicies/X-1"},
		"workerPools":         {collection: "/api/Spaces-1/workerpools", doc: "/api/Spaces-1/workerpools/X-1"},
		"feeds":               {collection: "/api/Spaces-1/feeds", doc: "/api/Spaces-1/feeds/X-1"},
		"gitCredentials":      {collection: "/api/Spaces-1/git-credentials", doc: "/api/Spaces-1/git-credentials/X-1"},
		"lifecycles":          {collection: "/api/Spaces-1/lifecycles", doc: "/api/Spaces-1/lifecycles/X-1"},
		"projectGroups":       {collection: "/api/Spaces-1/projectgroups", doc: "/api/Spaces-1/projectgroups/X-1"},
		"libraryVariableSets": {collection: "/api/Spaces-1/libraryvariablesets", doc: "/api/Spaces-1/libraryvariablesets/X-1"},
		"scriptModules":       {collection: "/api/Spaces-1/libraryvariablesets", doc: "/api/Spaces-1/libraryvariablesets/X-1"},
		"libraryVariables":    {owner: "/api/Spaces-1/variables/variableset-O-1"},
		"stepTemplates":       {collection: "/api/Spaces-1/actiontemplates", doc: "/api/Spaces-1/actiontemplates/X-1"},
		"projects":            {collection: "/api/Spaces-1/projects", doc: "/api/Spaces-1/projects/X-1"},
		"channels": {collection: "/api/Spaces-1/channels", doc: "/api/Spaces-1/channels/X-1",
			owner: "/api/Spaces-1/projects/O-1/channels"},
		"tenants":           {collection: "/api/Spaces-1/tenants", doc: "/api/Spaces-1/tenants/X-1"},
		"accounts":          {collection: "/api/Spaces-1/accounts", doc: "/api/Spaces-1/accounts/X-1"},
		"certificates":      {collection: "/api/Spaces-1/certificates", doc: "/api/Spaces-1/certificates/X-1"},
		"deploymentProcess": {owner: "/api/Spaces-1/deploymentprocesses/deploymentprocess-O-1"},
		"runbooks": {collection: "/api/Spaces-1/runbooks", doc: "/api/Spaces-1/runbooks/X-1",
			owner: "/api/Spaces-1/projects/O-1/runbooks"},
		"runbookProcess":   {owner: "/api/Spaces-1/runbookProcesses/RunbookProcess-O-1"},
		"projectVariables": {owner: "/api/Spaces-1/variables/variableset-O-1"},
		"tenantVariables":  {owner: "/api/Spaces-1/tenants/O-1/variables"},
		"scopedUserRoles": {collection: "/api/Spaces-1/scopeduserroles", doc: "/api/Spaces-1/scopeduserroles/X-1",
			instance: "/api/scopeduserroles"},
		"subscriptions": {collection: "/api/Spaces-1/subscriptions", doc: "/api/Spaces-1/subscriptions/X-1"},
	}
	for _, k := range Kinds() {
		w, ok := want[k.Name]
		if !ok {
			t.Errorf("kind %s: no expected paths: add them to this test (and a rule to paths.go if need be)", k.Name)
			continue
		}
		delete(want, k.Name)
		check := func(what, got, want string) {
			t.Helper()
			if got != want {
				t.Errorf("kind %s: %s = %q, want %q", k.Name, what, got, want)
			}
		}
		switch k.Shape {
		case Collection:
			check("CollectionPath", k.CollectionPath(space), w.collection)
			check("DocPath", k.DocPath(space, id), w.doc)
			if k.Scope == ScopeInstance|ScopeSpace {
				check("CollectionPath at instance level", k.CollectionPath(""), w.instance)
			}
		case Derived:
			check("DocPath of DerivedID", k.DocPath(space, k.DerivedID(owner)), w.owner)
		case Singleton:
			if len(k.Fixed) != len(w.fixed) {
				t.Errorf("kind %s: %d fixed names, want %d", k.Name, len(k.Fixed), len(w.fixed))
			}
			for name, docID := range k.Fixed {
				check("DocPath of "+name, k.DocPath("", docID), w.fixed[name])
			}
		}
		if k.Owner != "" {
			check("OwnerPath", k.OwnerPath(space, owner), w.owner)
		}
	}
	for name := range want {
		t.Errorf("expected paths for %s, which is not in the registry", name)
	}
}

func TestKindPathsEscape(t *testing.T) {
	if got := KindByName("projects").DocPath("Spaces-1", "a/b?c"); got != "/api/Spaces-1/projects/a%2Fb%3Fc" {
		t.Errorf("DocPath with a slash = %q", got)
	}
	// Instance-only kinds ignore a space id.
	if got := KindByName("users").DocPath("Spaces-1", "Users-1"); got != "/api/users/Users-1" {
		t.Errorf("users DocPath in a space = %q", got)
	}
}

func TestKindPathsMisuse(t *testing.T) {
	for _, tc := range []struct {
		name string
		call func()
		want string
	}{
		{"collection of a derived kind", func() { KindByName("deploymentProcess").CollectionPath("Spaces-1") }, "not a collection"},
		{"collection of a singleton", func() { KindByName("smtp").CollectionPath("") }, "not a collection"},
		{"space kind without a space", func() { KindByName("projects").CollectionPath("") }, "lives in a space"},
		{"derived id of a collection", func() { KindByName("projects").DerivedID("Projects-1") }, "not derived"},
		{"owner path of a top-level kind", func() { KindByName("projects").OwnerPath("Spaces-1", "x") }, "has no owner"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			defer func() {
				msg, _ := recover().(string)
				if !strings.Contains(msg, tc.want) {
					t.Errorf("panic %q, want %q", msg, tc.want)
				}
			}()
			tc.call()
		})
	}
}

// Every kind named in ownerSubdocument is a derived kind of the registry.
func TestOwnerSubdocuments(t *testing.T) {
	for name := range ownerSubdocument {
		if k := KindByName(name); k == nil || k.Shape != Derived {
			t.Errorf("ownerSubdocument names %s, which is not a derived kind", name)
		}
	}
}
