package reconcile

import (
	"strings"
	"testing"

	"octosync.dev/octosync/model"
)

func TestDiffOnlyComparesDesiredFields(t *testing.T) {
	desired := decode(t, `{"Name": "Production", "UseGuidedFailure": true, "Description": ""}`)
	live := decode(t, `{"Name": "Production", "UseGuidedFailure": false, "Description": null, "SortOrder": 4, "ExtensionSettings": []}`)
	got := diffDocs(diffRules{}, desired, live)
	if len(got) != 1 || got[0].Path != "UseGuidedFailure" || got[0].Op != OpChange || got[0].Before != false || got[0].After != true {
		t.Errorf("diff = %+v", got)
	}
}

func TestDiffPairsElementsByName(t *testing.T) {
	rules := kindInfos["lifecycles"].rules
	desired := decode(t, `{"Phases": [{"Name": "Dev", "AutomaticDeploymentTargets": ["Development"]}, {"Name": "Prod", "OptionalDeploymentTargets": ["Production"]}]}`)
	live := decode(t, `{"Phases": [{"Id": "a", "Name": "Prod", "OptionalDeploymentTargets": ["Production"]}, {"Id": "b", "Name": "Dev", "AutomaticDeploymentTargets": ["Development", "Test"]}, {"Id": "c", "Name": "Old"}]}`)
	got := diffDocs(rules, desired, live)
	var paths []string
	for _, c := range got {
		paths = append(paths, string(c.Op)+" "+c.Path)
	}
	want := []string{
		`change Phases["Dev"].AutomaticDeploymentTargets`,
		`remove Phases["Old"]`,
		`reorder Phases`,
	}
	if strings.Join(paths, "\n") != strings.Join(want, "\n") {
		t.Errorf("diff paths:\n%s\nwant:\n%s", strings.Join(paths, "\n"), strings.Join(want, "\n"))
	}
}

func TestDiffVariablesByNameAndScope(t *testing.T) {
	rules := kindInfos["projectVariables"].rules
	desired := normalizeDesired(kindInfos["projectVariables"], decode(t, `{"Variables": [
		{"Name": "URL", "Value": "https://prod", "Scope": {"Environment": ["Production"]}},
		{"Name": "URL", "Value": "https://test", "Scope": {"Environment": ["Test", "Dev"]}}]}`))
	live := toConfig(kindInfos["projectVariables"], decode(t, `{"Variables": [
		{"Id": "1", "Name": "URL", "Value": "https://test", "Scope": {"Environment": ["Dev", "Test"]}},
		{"Id": "2", "Name": "URL", "Value": "https://old", "Scope": {"Environment": ["Production"]}}]}`), &normCtx{names: names(nil)})
	got := diffDocs(rules, desired, live)
	if len(got) != 1 || got[0].Path != `Variables["URL" {"Environment":["Production"]}].Value` || got[0].Before != "https://old" {
		t.Errorf("diff = %+v", got)
	}
}

func TestDiffExactPropertyBag(t *testing.T) {
	rules := kindInfos["deploymentProcess"].rules
	desired := decode(t, `{"Steps": [{"Name": "A", "Actions": [{"Name": "A", "Properties": {"x": "1"}}]}]}`)
	live := decode(t, `{"Steps": [{"Name": "A", "Actions": [{"Name": "A", "Properties": {"x": "1", "y": "2"}}]}]}`)
	got := diffDocs(rules, desired, live)
	if len(got) != 1 || got[0].Op != OpRemove || got[0].Path != `Steps["A"].Actions["A"].Properties.y` {
		t.Errorf("diff = %+v", got)
	}
}

func TestDiffLongTextAsLineDiff(t *testing.T) {
	before := "line 1\nline 2\nline 3\nline 4\nline 5\nline 6\nline 7\nline 8\n"
	after := strings.Replace(before, "line 7", "line seven", 1)
	got := diffDocs(diffRules{}, model.Doc{"Script": after}, model.Doc{"Script": before})
	if len(got) != 1 {
		t.Fatalf("diff = %+v", got)
	}
	want := "@@\n line 4\n line 5\n line 6\n-line 7\n+line seven\n line 8\n"
	if got[0].TextDiff != want {
		t.Errorf("text diff:\n%s\nwant:\n%s", got[0].TextDiff, want)
	}
}

func TestDiffSensitive(t *testing.T) {
	ref := model.SecretRef{Env: "PW"}
	for _, tc := range []struct {
		name string
		want Sensitive
		live any
		note string
	}{
		{"unset live", Sensitive{Set: true, Ref: ref, Fingerprint: "a"}, Sensitive{}, "sensitive value will be set"},
		{"no fingerprint on record", Sensitive{Set: true, Ref: ref, Fingerprint: "a"}, Sensitive{Set: true}, "sensitive value will be set (octosync has no fingerprint of the live value)"},
		{"changed", Sensitive{Set: true, Ref: ref, Fingerprint: "a"}, Sensitive{Set: true, Fingerprint: "b"}, "sensitive value will be updated (the secret changed since octosync set it)"},
		{"unchanged", Sensitive{Set: true, Ref: ref, Fingerprint: "a"}, Sensitive{Set: true, Fingerprint: "a"}, ""},
	} {
		t.Run(tc.name, func(t *testing.T) {
			got := diffDocs(diffRules{}, model.Doc{"Password": tc.want}, model.Doc{"Password": tc.live})
			if tc.note == "" {
				if len(got) != 0 {
					t.Errorf("diff = %+v", got)
				}
				return
			}
			if len(got) != 1 || got[0].Note != tc.note || !got[0].Sensitive {
				t.Fatalf("diff = %+v", got)
			}
			if got[0].After != nil && got[0].After != Masked {
				t.Errorf("After = %v, want masked", got[0].After)
			}
		})
	}
}
