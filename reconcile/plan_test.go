package reconcile

import (
	"encoding/json"
	"testing"
)

// FuzzReadPlan feeds arbitrary bytes to the saved-plan decoder (a plan file
// is outside input: apply reads whatever it is given) and checks that a
// plan it accepts survives a second round trip unchanged.
func FuzzReadPlan(f *testing.F) {
	f.Add([]byte(`{"format_version":"1.0","instances":[{"name":"hub","url":{"literal":"http://x"},"api_key":{"ref":{"env":"K"}},"changes":[],"spaces":[{"name":"a","changes":[{"key":{"instance":"hub","space":"a","kind":"feeds","name":"f"},"action":"update","reason":"r","desired":{"Name":"f","Password":{"env":"P"},"N":1.50}}]}]}]}`))
	f.Add([]byte(`{"format_version":"1.0","instances":[{"spaces":[{"changes":[{"desired":{"a":[{"file":"x"},{"env":3}]}}]}]}]}`))
	f.Add([]byte(`{}`))
	f.Fuzz(func(t *testing.T, b []byte) {
		var p Plan
		if json.Unmarshal(b, &p) != nil {
			return
		}
		out, err := json.Marshal(&p)
		if err != nil {
			t.Fatalf("marshal a decoded plan: %v", err)
		}
		var q Plan
		if err := json.Unmarshal(out, &q); err != nil {
			t.Fatalf("decode a re-encoded plan: %v", err)
		}
		again, _ := json.Marshal(&q)
		if string(again) != string(out) {
			t.Fatalf("plan changed on a second round trip:\n%s\n%s", out, again)
		}
		p.Counts()
		p.Errored()
	})
}
