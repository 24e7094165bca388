package render

import (
	"fmt"
	"strings"
	"testing"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/reconcile"
)

// manySpaces is a plan making the same change in n spaces, plus one
// deletion in the first.
func manySpaces(n int, script string) *reconcile.Plan {
	in := &reconcile.InstancePlan{Name: "hub"}
	for i := range n {
		name := fmt.Sprintf("unit-%03d", i)
		sp := &reconcile.SpacePlan{Name: name, Changes: []*reconcile.Change{{
			Key:    model.Key{Instance: "hub", Space: name, Kind: "environments", Name: "Production"},
			Action: reconcile.Update,
			Fields: []reconcile.FieldChange{{Path: "Description", Op: reconcile.OpChange, Before: "old", After: "new"}},
		}}}
		if script != "" {
			sp.Changes = append(sp.Changes, &reconcile.Change{
				Key:    model.Key{Instance: "hub", Space: name, Kind: "deploymentProcess", Owner: "api"},
				Action: reconcile.Update,
				Fields: []reconcile.FieldChange{{Path: `Steps["Run"].Actions["Run"].Properties.Script`, Op: reconcile.OpChange, TextDiff: script + name}},
			})
		}
		in.Spaces = append(in.Spaces, sp)
	}
	in.Spaces[0].Changes = append(in.Spaces[0].Changes, &reconcile.Change{
		Key: model.Key{Instance: "hub", Space: "unit-000", Kind: "projects", Name: "legacy"}, Action: reconcile.Delete,
		Reason: "not in git; prune scope includes projects",
	})
	return &reconcile.Plan{FormatVersion: reconcile.FormatVersion, Instances: []*reconcile.InstancePlan{in}}
}

func TestPlanMarkdownGroupsIdenticalChanges(t *testing.T) {
	var b strings.Builder
	if err := PlanMarkdown(&b, manySpaces(143, "")); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	for _, want := range []string{
		PlanMarker,
		"### octosync plan: 0 to create, 143 to update, 1 to delete",
		"#### `~` environment \"Production\" — × 143 spaces",
		"~ Description: \"old\" → \"new\"",
		"> **⚠️ 1 deletion(s)** — listed first.",
	} {
		if !strings.Contains(out, want) {
			t.Errorf("missing %q in:\n%s", want, out)
		}
	}
	if strings.Index(out, "#### `-` project") > strings.Index(out, "#### `~` environment") {
		t.Error("the deletion is not listed first")
	}
	if n := strings.Count(out, "Description"); n != 1 {
		t.Errorf("the identical change is shown %d times", n)
	}
}

func TestPlanMarkdownStaysUnderGitHubsLimit(t *testing.T) {
	long := strings.Repeat("-old line of a long script\n+new line of a long script\n", 40)
	var b strings.Builder
	if err := PlanMarkdown(&b, manySpaces(400, long)); err != nil {
		t.Fatal(err)
	}
	out := b.String()
	if len(out) > CommentLimit {
		t.Fatalf("comment is %d characters, over GitHub's %d", len(out), CommentLimit)
	}
	if !strings.Contains(out, "more change group(s) are not shown") || !strings.Contains(out, "--output json") {
		t.Error("no pointer to the full JSON plan")
	}
	if !strings.Contains(out, "lines of changes</summary>") {
		t.Error("long diffs are not folded")
	}
	if !strings.HasSuffix(out, "Plan: 0 to create, 800 to update, 1 to delete.\n") {
		t.Errorf("summary missing at the end: %q", out[len(out)-100:])
	}
}

func TestPlanTextNoChanges(t *testing.T) {
	var b strings.Builder
	p := &reconcile.Plan{Instances: []*reconcile.InstancePlan{{Name: "hub", Spaces: []*reconcile.SpacePlan{{Name: "a"}}}}}
	if err := PlanText(&b, p); err != nil {
		t.Fatal(err)
	}
	if b.String() != "No changes.\n" {
		t.Errorf("got %q", b.String())
	}
}

func TestPlanTextShowsNewObjectsWhole(t *testing.T) {
	script := "set -e\ncurl -fsS \"$URL/health\"\n"
	p := &reconcile.Plan{Instances: []*reconcile.InstancePlan{{Name: "hub", Spaces: []*reconcile.SpacePlan{{Name: "a", Changes: []*reconcile.Change{{
		Key:    model.Key{Instance: "hub", Space: "a", Kind: "deploymentProcess", Owner: "api"},
		Action: reconcile.Update,
		Fields: []reconcile.FieldChange{{Path: `Steps["Smoke"]`, Op: reconcile.OpAdd, After: map[string]any{
			"Name": "Smoke", "Condition": "Success", "IsDisabled": false,
			"Actions": []any{map[string]any{"Name": "Smoke", "Properties": map[string]any{"Octopus.Action.Script.ScriptBody": script}}},
		}}},
	}}}}}}}
	var b strings.Builder
	if err := PlanText(&b, p); err != nil {
		t.Fatal(err)
	}
	want := `Space "a" on instance "hub"
  ~ deployment process of project "api"
      + Steps["Smoke"]:
            Name: "Smoke"
            Actions:
              - Name: "Smoke"
                Properties:
                  Octopus.Action.Script.ScriptBody: |
                    set -e
                    curl -fsS "$URL/health"
            Condition: "Success"

Plan: 0 to create, 1 to update, 0 to delete.
`
	if b.String() != want {
		t.Errorf("got:\n%s\nwant:\n%s", b.String(), want)
	}
}
