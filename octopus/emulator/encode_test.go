package emulator

import (
	"encoding/json"
	"testing"
)

// TestMarshalMatchesEncodingJSON checks the hand-written encoder against
// encoding/json on the shapes documents take.
func TestMarshalMatchesEncodingJSON(t *testing.T) {
	for _, v := range []any{
		nil, true, "plain", "quotes \" and \\ and <tags> & \n\t\r \x01 \u2028 ünïcödé \xff",
		json.Number("12"), json.Number("-3.5e2"), 42,
		map[string]any{"b": 1, "a": []any{"x", nil, false, map[string]any{}}, "c": map[string]string{"z": "1", "y": "<2>"}},
		[]Doc{{"Id": "Environments-1", "Links": map[string]string{"Self": "/api/x{?skip,take}"}}},
		[]string{"a", "b"}, []any{}, map[string]any{}, 1.5,
	} {
		got, err := marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		want, err := json.Marshal(v)
		if err != nil {
			t.Fatal(err)
		}
		if string(got) != string(want) {
			t.Errorf("marshal(%#v)\n got %s\nwant %s", v, got, want)
		}
	}
}
