package drift

import (
	"testing"
	"time"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/reconcile"
)

func samplePlan() *reconcile.Plan {
	key := func(kind, name string) model.Key {
		return model.Key{Instance: "hub", Space: "payments", Kind: kind, Name: name}
	}
	return &reconcile.Plan{Instances: []*reconcile.InstancePlan{{
		Name: "hub",
		Spaces: []*reconcile.SpacePlan{{
			Name: "payments",
			Changes: []*reconcile.Change{
				{Key: key("projects", "old"), Action: reconcile.Delete},
				{Key: key("environments", "Production"), Action: reconcile.Update, Fields: []reconcile.FieldChange{
					{Path: "Description", Pointer: "/Description", Op: reconcile.OpChange, Before: "edited", After: "git"},
					{Path: "UseGuidedFailure", Pointer: "/UseGuidedFailure", Op: reconcile.OpChange, Before: false, After: true},
				}},
				{Key: key("feeds", "nuget"), Action: reconcile.Update, Fields: []reconcile.FieldChange{
					{Path: "Password", Pointer: "/Password", Op: reconcile.OpAdd, Sensitive: true, Note: "sensitive value will be set"},
				}},
				{Key: key("lifecycles", "Standard"), Action: reconcile.Create},
				{Key: key("environments", "Test"), Action: reconcile.NoOp},
			},
			Unmanaged: []model.Key{key("projects", "manual")},
		}},
	}}}
}

func TestClassification(t *testing.T) {
	r := FromPlan(samplePlan(), func(string, string) Acks { return nil }, time.Now())
	if !r.Drifted() {
		t.Fatal("no drift found")
	}
	s := r.Scopes[1]
	var got []string
	for _, it := range s.Items {
		got = append(got, string(it.Class)+" "+it.Label)
	}
	want := []string{`unmanaged project "old"`, `changed environment "Production"`, `sensitive feed "nuget"`, `missing lifecycle "Standard"`}
	if len(got) != len(want) {
		t.Fatalf("items = %q, want %q", got, want)
	}
	for i := range want {
		if got[i] != want[i] {
			t.Errorf("item %d = %q, want %q", i, got[i], want[i])
		}
	}
	if len(s.NotInGit) != 1 || s.NotInGit[0] != `project "manual"` {
		t.Errorf("NotInGit = %q", s.NotInGit)
	}
	if s.Fingerprint() == "" || s.Fingerprint() != FromPlan(samplePlan(), func(string, string) Acks { return nil }, time.Now()).Scopes[1].Fingerprint() {
		t.Error("fingerprint is not stable")
	}
}

func TestAcknowledgements(t *testing.T) {
	now := time.Date(2026, 11, 25, 12, 0, 0, 0, time.UTC)
	acks := Acks{
		{Kind: "environments", Name: "Production", Field: "/Description", Reason: "hotfix", Until: "2026-11-30"},
		{Kind: "projects", Name: "old", Reason: "being migrated", Until: "2026-11-24"},
		{Kind: "lifecycles", Name: "Standard", Reason: "created next sprint"},
	}
	r := FromPlan(samplePlan(), func(_, space string) Acks {
		if space == "payments" {
			return acks
		}
		return nil
	}, now)
	s := r.Scopes[1]
	var open, acked []string
	for _, it := range s.Items {
		label := string(it.Class) + " " + it.Label
		for _, f := range it.Fields {
			label += " " + f.Path
		}
		if it.Acknowledged != nil {
			acked = append(acked, label)
		} else {
			open = append(open, label)
		}
	}
	wantOpen := []string{`unmanaged project "old"`, `changed environment "Production" UseGuidedFailure`, `sensitive feed "nuget" Password`}
	wantAcked := []string{`changed environment "Production" Description`, `missing lifecycle "Standard"`}
	if len(open) != len(wantOpen) || len(acked) != len(wantAcked) {
		t.Fatalf("open = %q\nacked = %q", open, acked)
	}
	for i := range wantOpen {
		if open[i] != wantOpen[i] {
			t.Errorf("open[%d] = %q, want %q", i, open[i], wantOpen[i])
		}
	}
	for i := range wantAcked {
		if acked[i] != wantAcked[i] {
			t.Errorf("acked[%d] = %q, want %q", i, acked[i], wantAcked[i])
		}
	}
	if len(s.Expired) != 1 {
		t.Errorf("expired = %q", s.Expired)
	}

	// After every acknowledgement expires, all drift counts.
	later := FromPlan(samplePlan(), func(_, space string) Acks { return acks[:2] }, now.AddDate(0, 1, 0))
	for _, it := range later.Scopes[1].Items {
		if it.Acknowledged != nil {
			t.Errorf("%s still acknowledged after expiry", it.Label)
		}
	}
}
