package schema

import (
	"encoding/json"
	"strings"
	"testing"
	"testing/fstest"

	"octosync.dev/octosync/model"
)

// FuzzLoad feeds the loader arbitrary configurations (the corpus under
// testdata/fuzz/FuzzLoad starts from valid and invalid ones). Whatever the
// input, Load must not fail internally, must place every diagnostic in the
// configuration's own files, and, when it reports no error, must return
// documents of JSON values and secret references only.
func FuzzLoad(f *testing.F) {
	f.Add(config)
	f.Add("package p\n\ninstances: hub: {url: \"x\", apiKey: {env: \"K\"}}\n")
	f.Fuzz(func(t *testing.T, src string) {
		d, ds := Load(fstest.MapFS{"main.cue": {Data: []byte(src)}}, Options{})
		for _, x := range ds {
			if strings.Contains(x.Message, "internal error") {
				t.Fatalf("%s", x)
			}
			if f := x.Pos.File; f != "" && f != "main.cue" {
				t.Fatalf("a diagnostic outside the configuration: %s", x)
			}
		}
		if ds.HasErrors() {
			return
		}
		for _, in := range d.Instances {
			rs := in.Resources
			for _, s := range in.Spaces {
				rs = append(rs, s.Resources...)
			}
			for _, r := range rs {
				if err := jsonShaped(r.Doc); err != "" {
					t.Fatalf("%s: %s", r.Key, err)
				}
			}
		}
	})
}

// jsonShaped reports what in v is not a JSON value or a secret reference.
func jsonShaped(v any) string {
	switch v := v.(type) {
	case nil, string, bool, json.Number, model.SecretRef:
		return ""
	case map[string]any:
		for k, x := range v {
			if e := jsonShaped(x); e != "" {
				return k + ": " + e
			}
		}
		return ""
	case []any:
		for _, x := range v {
			if e := jsonShaped(x); e != "" {
				return e
			}
		}
		return ""
	}
	return "unexpected value"
}
