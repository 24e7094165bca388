package reconcile_test

import (
	"context"
	"slices"
	"strings"
	"testing"
	"time"

	"octosync.dev/octosync/drift"
	"octosync.dev/octosync/model"
	"octosync.dev/octosync/octopus"
	"octosync.dev/octosync/reconcile"
)

// outsideEdits change one managed field of a document of each kind, as
// someone editing in the Octopus portal would.
var outsideEdits = map[string]func(model.Doc){
	"smtp":           func(d model.Doc) { d["SmtpHost"] = "mail.elsewhere.example" },
	"authentication": func(d model.Doc) { d["Issuer"] = "https://evil.okta.example" },
	"userRoles":      func(d model.Doc) { d["Description"] = "edited" },
	"teams":          func(d model.Doc) { d["Description"] = "edited" },
	"spaces":         func(d model.Doc) { d["Description"] = "edited" },
	"scopedUserRoles": func(d model.Doc) {
		d["EnvironmentIds"] = []any{}
	},
	"tagSets":         func(d model.Doc) { d["Description"] = "edited" },
	"environments":    func(d model.Doc) { d["UseGuidedFailure"] = d["UseGuidedFailure"] != true },
	"machinePolicies": func(d model.Doc) { d["ConnectionRetryCountLimit"] = 9 },
	"workerPools":     func(d model.Doc) { d["Description"] = "edited" },
	"feeds":           func(d model.Doc) { d["Username"] = "someone-else" },
	"gitCredentials":  func(d model.Doc) { d["Description"] = "edited" },
	"lifecycles": func(d model.Doc) {
		d["Phases"] = d["Phases"].([]any)[:1]
	},
	"projectGroups":       func(d model.Doc) { d["Description"] = "edited" },
	"libraryVariableSets": func(d model.Doc) { d["Description"] = "edited" },
	"libraryVariables": func(d model.Doc) {
		d["Variables"].([]any)[0].(map[string]any)["Value"] = "edited"
	},
	"scriptModules": func(d model.Doc) { d["Description"] = "edited" },
	"stepTemplates": func(d model.Doc) { d["Description"] = "edited" },
	"projects":      func(d model.Doc) { d["Description"] = "edited" },
	"channels":      func(d model.Doc) { d["Description"] = "edited" },
	"runbooks":      func(d model.Doc) { d["Description"] = "edited" },
	"tenants":       func(d model.Doc) { d["Description"] = "edited" },
	"accounts":      func(d model.Doc) { d["AccessKey"] = "AKIAEDITED" },
	"subscriptions": func(d model.Doc) { d["IsDisabled"] = true },
	"deploymentProcess": func(d model.Doc) {
		step := d["Steps"].([]any)[0].(map[string]any)
		step["Actions"].([]any)[0].(map[string]any)["Properties"].(map[string]any)["Octopus.Action.Script.ScriptBody"] = "echo edited"
	},
	"runbookProcess": func(d model.Doc) {
		step := d["Steps"].([]any)[0].(map[string]any)
		step["Actions"].([]any)[0].(map[string]any)["Properties"].(map[string]any)["Octopus.Action.Script.ScriptBody"] = "echo edited"
	},
	"projectVariables": func(d model.Doc) {
		for _, v := range d["Variables"].([]any) {
			if m := v.(map[string]any); m["Name"] == "Region" {
				m["Value"] = "us"
			}
		}
	},
	"tenantVariables": func(d model.Doc) {
		for _, l := range d["LibraryVariables"].(map[string]any) {
			for id := range l.(map[string]any)["Variables"].(map[string]any) {
				l.(map[string]any)["Variables"].(map[string]any)[id] = "edited_db"
			}
		}
	},
}

// TestDriftOnEveryKind applies a configuration holding every kind, edits
// one field of each resource through the API, and checks that drift names
// each resource as changed outside git — reading with GET requests only.
func TestDriftOnEveryKind(t *testing.T) {
	c := newInstance(t)
	secrets := &reconcile.Secrets{Getenv: func(string) string { return "s3cret" }, Key: []byte("k")}
	in := everyKind(t)
	applyPlan(t, c, plan(t, c, in, secrets), secrets)

	ctx := context.Background()
	li, err := reconcile.Fetch(ctx, c, "test", reconcile.FetchOptions{Settings: reconcile.SettingsOf(in)})
	if err != nil {
		t.Fatal(err)
	}
	space := li.Space("Payments")
	edited := map[string]bool{}
	edit := func(d *reconcile.LiveDoc, spaceID string) {
		fn := outsideEdits[d.Kind.Name]
		if fn == nil || edited[d.Kind.Name] {
			return
		}
		path := d.Kind.DocPath(spaceID, d.ID)
		switch d.Kind.Shape {
		case octopus.Derived:
			path = d.Kind.DocPath(spaceID, d.Kind.DerivedID(derivedOwner(d)))
		case octopus.Singleton:
			path = d.Kind.DocPath("", d.ID)
		}
		doc, err := c.GetDoc(ctx, path)
		if err != nil {
			t.Fatalf("%s: %v", d.Kind.Name, err)
		}
		fn(doc)
		if _, err := c.Put(ctx, path, doc); err != nil {
			t.Fatalf("edit %s %q: %v", d.Kind.Name, d.Name, err)
		}
		edited[d.Kind.Name] = true
	}
	declared := map[string]bool{}
	for _, r := range in.Resources {
		declared[r.Key.Kind+"/"+r.Key.Owner+"/"+r.Key.Name] = true
	}
	for _, r := range in.Spaces[0].Resources {
		declared[r.Key.Kind+"/"+r.Key.Owner+"/"+r.Key.Name] = true
	}
	for _, docs := range li.Docs {
		for _, d := range docs {
			if declared[d.Kind.Name+"/"+d.Owner+"/"+d.Name] {
				edit(d, "")
			}
		}
	}
	for _, docs := range space.Docs {
		for _, d := range docs {
			if declared[d.Kind.Name+"/"+d.Owner+"/"+d.Name] {
				edit(d, space.ID)
			}
		}
	}

	gets := c.Stats().Get
	before := c.Stats().Requests
	ip := plan(t, c, in, secrets)
	if n, g := c.Stats().Requests-before, c.Stats().Get-gets; n != g {
		t.Errorf("drift sent %d requests that were not GETs", n-g)
	}
	report := drift.FromPlan(&reconcile.Plan{Instances: []*reconcile.InstancePlan{ip}}, func(string, string) drift.Acks { return nil }, time.Now())
	changed := map[string]bool{}
	for _, s := range report.Scopes {
		for _, it := range s.Items {
			if it.Class == drift.Changed {
				changed[it.Key.Kind] = true
			}
		}
	}
	var missing []string
	for kind := range edited {
		if !changed[kind] {
			missing = append(missing, kind)
		}
	}
	for kind := range outsideEdits {
		if !edited[kind] {
			missing = append(missing, kind+" (not edited)")
		}
	}
	slices.Sort(missing)
	if len(missing) > 0 {
		t.Errorf("drift not reported for: %s\nplan:\n%s", strings.Join(missing, ", "), strings.Join(changes(ip), "\n"))
	}
}

// derivedOwner returns the id a derived document's path is made from.
func derivedOwner(d *reconcile.LiveDoc) string {
	if d.Kind.Name == "runbookProcess" {
		id, _ := d.Doc["RunbookId"].(string)
		return id
	}
	return d.OwnerID
}
