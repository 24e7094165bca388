package conformance

import (
	"net/http"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/scriptmodules"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/variables"
)

// TestScriptModules ports the official e2e test: scriptmodules.Add posts a
// library variable set with ContentType ScriptModule and the client-only
// scriptBody and syntax fields (which the server ignores), then writes the
// script into the set's variables.
func TestScriptModules(t *testing.T) {
	body := "function Say-Hello()\r\n{\r\n    Write-Output \"Hello, Octopus!\"\r\n}\r\n"
	sm := variables.NewScriptModule(uniqueName("module"))
	sm.Description = "a script module"
	sm.ScriptBody = body
	sm.Syntax = "PowerShell"
	created, err := scriptmodules.Add(octo, sm)
	must(t, err, "Add")
	if created.ID == "" || created.VariableSetID != "variableset-"+created.ID || created.ScriptBody != body || created.Syntax != "PowerShell" {
		t.Fatalf("Add = %+v", created)
	}
	r := raw(t, http.MethodGet, "/api/Spaces-1/libraryvariablesets/"+created.ID, nil)
	doc := r.JSON(t)
	if doc["ContentType"] != "ScriptModule" || doc["scriptBody"] != nil || doc["syntax"] != nil {
		t.Fatalf("the stored script module = %v", doc)
	}

	// The official test lists with an invalid content type and reads every
	// item back by id (with ?contentType= on the get).
	all, err := scriptmodules.Get(octo, defaultSpace, variables.LibraryVariablesQuery{ContentType: "ScriptModules"})
	must(t, err, "Get with an unknown content type")
	found := false
	for _, item := range all.Items {
		again, err := scriptmodules.GetByID(octo, defaultSpace, item.ID)
		must(t, err, "GetByID")
		sameLinks(t, item.Links, again.Links, "list vs GET")
		if item.ScriptBody != again.ScriptBody || item.Syntax != again.Syntax || item.VariableSetID != again.VariableSetID {
			t.Fatalf("list vs GET: %+v vs %+v", item, again)
		}
		found = found || item.ID == created.ID
	}
	if !found {
		t.Fatal("the script module is not listed")
	}
	modules, err := scriptmodules.Get(octo, defaultSpace, variables.LibraryVariablesQuery{ContentType: "ScriptModule", PartialName: created.Name})
	must(t, err, "Get script modules")
	if len(modules.Items) != 1 || modules.Items[0].ScriptBody != body {
		t.Fatalf("Get script modules = %+v", modules.Items)
	}

	created.Name = uniqueName("module renamed")
	created.ScriptBody = "echo hi"
	created.Syntax = "Bash"
	updated, err := scriptmodules.Update(octo, created)
	must(t, err, "Update")
	if updated.Name != created.Name || updated.ScriptBody != "echo hi" || updated.Syntax != "Bash" {
		t.Fatalf("Update = %+v", updated)
	}
	legacy, err := octo.ScriptModules.GetByID(created.ID)
	must(t, err, "legacy GetByID")
	if legacy.ScriptBody != "echo hi" {
		t.Fatalf("legacy GetByID = %+v", legacy)
	}

	must(t, scriptmodules.DeleteByID(octo, defaultSpace, created.ID), "DeleteByID")
	_, err = scriptmodules.GetByID(octo, defaultSpace, created.ID)
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
}
