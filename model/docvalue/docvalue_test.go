package docvalue

import (
	"encoding/json"
	"testing"

	"octosync.dev/octosync/model"
)

func TestEqualScalar(t *testing.T) {
	for _, tc := range []struct {
		a, b any
		want bool
	}{
		{nil, "", true}, {false, nil, true}, {json.Number("0"), []any{}, true},
		{json.Number("5"), json.Number("5.0"), true}, {json.Number("5"), 5.0, true},
		{"a", "b", false}, {true, "true", false}, {json.Number("5"), "5", false},
		{model.SecretRef{Env: "A"}, model.SecretRef{Env: "A"}, true},
		{model.SecretRef{Env: "A"}, model.SecretRef{Env: "B"}, false},
	} {
		if got := EqualScalar(tc.a, tc.b); got != tc.want {
			t.Errorf("EqualScalar(%#v, %#v) = %v", tc.a, tc.b, got)
		}
	}
}

func TestDeepEmptyAndCopy(t *testing.T) {
	v := map[string]any{"Production": map[string]any{}, "Test": []any{nil, ""}}
	if !DeepEmpty(v) || DeepEmpty(map[string]any{"x": map[string]any{"y": "z"}}) {
		t.Error("DeepEmpty")
	}
	c := DeepCopy(v).(map[string]any)
	c["Production"].(map[string]any)["x"] = 1
	if len(v["Production"].(map[string]any)) != 0 {
		t.Error("DeepCopy shares maps")
	}
}
