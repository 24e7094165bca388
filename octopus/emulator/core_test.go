package emulator

import (
	"encoding/json"
	"net/http"
	"strings"
	"testing"
	"time"

	"octosync.dev/octosync/octopus"
)

func TestTimeSpans(t *testing.T) {
	for in, want := range map[string]string{
		"00:01:00":         "00:01:00",
		"1.00:00:00":       "1.00:00:00",
		"01.00:00:00":      "1.00:00:00",
		"10.02:03:04.5":    "10.02:03:04.5000000",
		"-00:00:01":        "-00:00:01",
		"00:00:00.0000001": "00:00:00.0000001",
	} {
		d, err := parseTimeSpan(in)
		if err != nil {
			t.Fatalf("parseTimeSpan(%q): %v", in, err)
		}
		if got := formatTimeSpan(d); got != want {
			t.Errorf("%q: formatted as %q, want %q", in, got, want)
		}
	}
	for _, bad := range []string{"", "1h", "24:00:00", "00:60:00", "1.2.3", "00:00", "x.00:00:00"} {
		if _, err := parseTimeSpan(bad); err == nil {
			t.Errorf("parseTimeSpan(%q) accepted it", bad)
		}
	}
}

func TestSchemaDecode(t *testing.T) {
	s := &schema{fields: []field{
		str("Name").req(), integer("Count").withDefault(3), strs("Tags"), enum("Mode", "On", "Off"),
		object("Inner", boolean("Flag")), objects("Items", str("Id"), str("Name").req()), sensitive("Secret"),
		str("Server").ro(), strs("Kept").keep(),
	}}
	out, secrets, errs := s.decode(Doc{"Name": "x", "Mode": "on", "Unknown": 1, "Server": "client value",
		"Secret": map[string]any{"HasValue": true, "NewValue": "s3cret"}, "Kept": []any{"a"}}, nil)
	if len(errs) > 0 {
		t.Fatal(errs)
	}
	if out["Mode"] != "On" || out["Count"] != json.Number("3") || out["Server"] != nil || out["Unknown"] != nil {
		t.Fatalf("decoded %v", out)
	}
	if tags, _ := out["Tags"].([]any); tags == nil || len(tags) != 0 {
		t.Fatalf("an unset list is %v, want []", out["Tags"])
	}
	if inner := out["Inner"].(map[string]any); inner["Flag"] != false {
		t.Fatalf("an unset object is %v", out["Inner"])
	}
	if sv := out["Secret"].(map[string]any); sv["HasValue"] != true || sv["NewValue"] != nil {
		t.Fatalf("the secret is stored as %v", sv)
	}
	if len(secrets) != 1 || secrets[0].Value != "s3cret" {
		t.Fatalf("secret writes %v", secrets)
	}
	// An update: absent secret kept, HasValue false clears, keep() fields
	// survive, read-only fields keep the stored value.
	out["Server"] = "server value"
	upd, secrets, errs := s.decode(Doc{"Name": "x"}, out)
	if len(errs) > 0 || upd["Secret"].(map[string]any)["HasValue"] != true || len(secrets) != 0 ||
		upd["Server"] != "server value" || len(upd["Kept"].([]any)) != 1 {
		t.Fatalf("update = %v, %v, %v", upd, secrets, errs)
	}
	cleared, secrets, _ := s.decode(Doc{"Name": "x", "Secret": map[string]any{"HasValue": false}}, out)
	if cleared["Secret"].(map[string]any)["HasValue"] != false || len(secrets) != 1 || !secrets[0].Clear {
		t.Fatalf("clear = %v, %v", cleared["Secret"], secrets)
	}
	_, _, errs = s.decode(Doc{"Count": "many", "Mode": "Sideways", "Items": []any{map[string]any{}}, "Secret": "plain", "Tags": "x"}, nil)
	want := []string{"The Name field is required.", "'System.Int32'. Path 'Count'", "Sideways", "Items[0].Name", "Path 'Secret'", "Path 'Tags'"}
	all := strings.Join(errs, "\n")
	for _, w := range want {
		if !strings.Contains(all, w) {
			t.Errorf("errors do not mention %q:\n%s", w, all)
		}
	}
}

// TestSchemasCoverTheRegistry checks every registered kind against its
// registry row: the registry's write-only fields are declared write-only
// in the schema, so that they never leak.
func TestSchemasCoverTheRegistry(t *testing.T) {
	for name, h := range registered {
		k := octopus.KindByName(name)
		if k == nil {
			if h.def == nil {
				t.Errorf("%s: not in the registry", name)
			}
			continue
		}
		if len(h.schema.fields) == 0 && len(h.schema.variants) == 0 {
			continue // a singleton served by settings.go
		}
		for _, p := range k.Sensitive {
			if !declaresSensitive(h.schema, p) {
				t.Errorf("%s: the registry's write-only field %s is not a sensitive field of the schema", name, p)
			}
		}
	}
	for _, s := range append(sections, smtp, auditStream) {
		for _, f := range s.schema.fields {
			if strings.Contains(strings.ToLower(f.name), "password") || strings.Contains(f.name, "Secret") || f.name == "Token" {
				if f.typ != tSensitive {
					t.Errorf("%s: %s should be write-only", s.id, f.name)
				}
			}
		}
	}
}

// declaresSensitive reports whether a dotted path names a sensitive field
// in the schema or in any of its variants.
func declaresSensitive(s *schema, path string) bool {
	lists := [][]field{s.fields}
	for _, v := range s.variants {
		lists = append(lists, v)
	}
	for _, fs := range lists {
		if pathIsSensitive(fs, strings.Split(path, ".")) {
			return true
		}
	}
	return false
}

func pathIsSensitive(fs []field, parts []string) bool {
	for _, f := range fs {
		if f.name != parts[0] {
			continue
		}
		if len(parts) == 1 {
			return f.typ == tSensitive
		}
		return pathIsSensitive(f.fields, parts[1:])
	}
	return false
}

func TestFailedRequestsLeaveNoTrace(t *testing.T) {
	s, err := New(Options{APIKey: testKey})
	if err != nil {
		t.Fatal(err)
	}
	in := s.instances[""]
	before, err := in.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	// Creating a space writes the space, its team, its grants and the
	// documents every space starts with; a rollback undoes them all.
	c := &ctx{inst: in, st: in.st, now: time.Now(), query: map[string]string{}, user: in.st.coll(in.kinds["users"]).get(adminUserID)}
	if _, err := c.create("spaces", "", Doc{"Name": "Doomed", "SpaceManagersTeams": []any{teamAdministrators}}); err != nil {
		t.Fatal(err)
	}
	c.rollback()
	after, err := in.snapshot()
	if err != nil {
		t.Fatal(err)
	}
	if string(before) != string(after) {
		i := 0
		for i < len(before) && i < len(after) && before[i] == after[i] {
			i++
		}
		t.Fatalf("a rollback did not restore the state; it differs at %q", after[max(0, i-80):min(len(after), i+80)])
	}

	_, ts := start(t, Options{})
	st, body := call(t, ts, http.MethodPost, "/api/spaces", map[string]any{"Name": "Doomed", "SpaceManagersTeamMembers": []any{"Users-999"}})
	wantStatus(t, st, http.StatusBadRequest, body, "a space with an unknown manager")
	_, sp := call(t, ts, http.MethodPost, "/api/spaces", map[string]any{"Name": "Next", "SpaceManagersTeams": []any{"teams-administrators"}})
	if sp["Id"] != "Spaces-2" {
		t.Fatalf("the failed request used up an id: the next space is %v", sp["Id"])
	}
}

func TestPanicsBecome500s(t *testing.T) {
	registerAPI(apiRoute{method: http.MethodGet, pattern: "emulator-test-panic", handle: func(*ctx, []string) (int, any, error) {
		panic("boom")
	}})
	_, ts := start(t, Options{})
	st, body := call(t, ts, http.MethodGet, "/api/emulator-test-panic", nil)
	if st != http.StatusInternalServerError || !strings.Contains(body["ErrorMessage"].(string), "boom") {
		t.Fatalf("a panic answered %d %v", st, body)
	}
	if st, _ := call(t, ts, http.MethodGet, "/api/spaces", nil); st != http.StatusOK {
		t.Fatalf("the server does not answer after a panic: %d", st)
	}
}

func TestOversizedBodies(t *testing.T) {
	_, ts := start(t, Options{MaxBodyBytes: 1024})
	st, body := call(t, ts, http.MethodPost, "/api/Spaces-1/environments", map[string]any{"Name": "x", "Description": strings.Repeat("d", 2000)})
	wantStatus(t, st, http.StatusRequestEntityTooLarge, body, "an oversized body")
	if body["ErrorMessage"] == nil {
		t.Fatal("a 413 without an ErrorMessage")
	}
}

func TestOptionsAreChecked(t *testing.T) {
	for _, opts := range []Options{
		{APIKey: "not-a-key"},
		{APIKey: testKey, Instances: []string{"api"}},
		{APIKey: testKey, Instances: []string{"eu", "eu"}},
		{APIKey: testKey, Instances: []string{"eu=bad"}},
		{APIKey: testKey, Instances: []string{"with space"}},
	} {
		if _, err := New(opts); err == nil {
			t.Errorf("New(%+v) accepted it", opts)
		}
	}
}

func TestTimestamps(t *testing.T) {
	when := time.Date(2026, 3, 4, 5, 6, 7, 8_000_000, time.FixedZone("X", 3600))
	_, ts := start(t, Options{Now: func() time.Time { return when }})
	_, env := call(t, ts, http.MethodPost, "/api/Spaces-1/environments", map[string]any{"Name": "Clocked"})
	if env["LastModifiedOn"] != "2026-03-04T04:06:07.008+00:00" {
		t.Fatalf("LastModifiedOn = %v", env["LastModifiedOn"])
	}
	_, sp := call(t, ts, http.MethodGet, "/api/spaces/Spaces-1", nil)
	if sp["LastModifiedOn"] != neverModified || sp["LastModifiedBy"] != nil {
		t.Fatalf("the Default space was modified: %v %v", sp["LastModifiedOn"], sp["LastModifiedBy"])
	}
}
