package model

import "testing"

func TestDiagnosticString(t *testing.T) {
	for _, tc := range []struct {
		d    Diagnostic
		want string
	}{
		{Diagnostic{Pos: Pos{File: "spaces/payments.cue", Line: 14, Col: 15}, Subject: `space "payments": project "api"`, Message: `lifecycle "Standard" is not defined in this space`},
			`spaces/payments.cue:14:15: space "payments": project "api": lifecycle "Standard" is not defined in this space`},
		{Diagnostic{Severity: Warning, Pos: Pos{File: "a.cue", Line: 3}, Message: "m"}, "a.cue:3: warning: m"},
		{Diagnostic{Message: "no position"}, "no position"},
	} {
		if got := tc.d.String(); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
}

func TestDiagnosticsSortAndCompact(t *testing.T) {
	ds := Diagnostics{
		{Pos: Pos{File: "b.cue", Line: 1}, Message: "x"},
		{Pos: Pos{File: "a.cue", Line: 9}, Message: "y"},
		{Pos: Pos{File: "a.cue", Line: 2}, Message: "z", Severity: Warning},
		{Pos: Pos{File: "b.cue", Line: 1}, Message: "x"},
	}.Sort()
	if len(ds) != 3 || ds[0].Pos.Line != 2 || ds[2].Pos.File != "b.cue" {
		t.Errorf("Sort = %v", ds)
	}
	if !ds.HasErrors() || (Diagnostics{ds[0]}).HasErrors() {
		t.Error("HasErrors")
	}
}

func TestKeyAndFieldPos(t *testing.T) {
	k := Key{Instance: "hub", Space: "payments", Kind: "channels", Owner: "api", Name: "Beta"}
	if k.String() != "hub/payments/channels/api/Beta" {
		t.Errorf("Key.String = %s", k)
	}
	r := &Resource{Pos: Pos{File: "r.cue", Line: 1}, Fields: map[string]Pos{"/Phases/0": {File: "r.cue", Line: 5}}}
	if p := r.FieldPos("/Phases/0/Name"); p.Line != 5 {
		t.Errorf("FieldPos of a child = %v", p)
	}
	if p := r.FieldPos("/Description"); p.Line != 1 {
		t.Errorf("FieldPos of an unknown field = %v", p)
	}
}
