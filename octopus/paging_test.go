package octopus

import (
	"context"
	"encoding/json"
	"fmt"
	"net/http"
	"net/http/httptest"
	"reflect"
	"strconv"
	"strings"
	"sync"
	"testing"
)

// pagedServer serves a collection of n environments under prefix, at most
// perPage to a page whatever take asks, the way Octopus writes envelopes;
// links carry the prefix, and are absolute URLs when absolute is set. The
// /all route answers a bare array. It records the request URIs.
func pagedServer(t *testing.T, prefix string, n, perPage int, absolute bool) (*httptest.Server, func() []string) {
	t.Helper()
	var mu sync.Mutex
	var uris []string
	items := make([]map[string]any, n)
	for i := range items {
		items[i] = map[string]any{"Id": fmt.Sprintf("Environments-%d", i+1), "Name": fmt.Sprintf("env %d", i+1), "SortOrder": i}
	}
	var srv *httptest.Server
	srv = httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		mu.Lock()
		uris = append(uris, r.URL.RequestURI())
		mu.Unlock()
		collection := prefix + "/api/Spaces-1/environments"
		switch r.URL.Path {
		case collection + "/all":
			json.NewEncoder(w).Encode(items)
			return
		case collection:
		default:
			http.NotFound(w, r)
			return
		}
		skip, _ := strconv.Atoi(r.URL.Query().Get("skip"))
		take, _ := strconv.Atoi(r.URL.Query().Get("take"))
		if take == 0 || take > perPage {
			take = perPage
		}
		end := min(skip+take, n)
		link := func(skip int) string {
			l := fmt.Sprintf("%s?skip=%d&take=%d", collection, skip, take)
			if absolute {
				l = srv.URL + l
			}
			return l
		}
		links := map[string]string{"Self": link(skip), "Page.All": collection + "?skip=0&take=2147483647", "Page.Current": link(skip)}
		if end < n {
			links["Page.Next"] = link(end)
		}
		json.NewEncoder(w).Encode(map[string]any{
			"ItemType": "Environment", "TotalResults": n, "ItemsPerPage": take, "NumberOfPages": (n + take - 1) / take,
			"LastPageNumber": max((n+take-1)/take-1, 0), "Items": items[skip:end], "Links": links,
		})
	}))
	t.Cleanup(srv.Close)
	return srv, func() []string {
		mu.Lock()
		defer mu.Unlock()
		return append([]string(nil), uris...)
	}
}

func TestList(t *testing.T) {
	for _, tc := range []struct {
		name     string
		prefix   string // the server's virtual directory
		absolute bool
		n        int
		path     string
		wantURIs []string
	}{
		{
			name: "pages", n: 5, path: "/api/Spaces-1/environments",
			wantURIs: []string{
				"/api/Spaces-1/environments?take=1000",
				"/api/Spaces-1/environments?skip=2&take=2",
				"/api/Spaces-1/environments?skip=4&take=2",
			},
		},
		{
			name: "pages below a virtual directory", prefix: "/octopus", n: 5, path: "/api/Spaces-1/environments",
			wantURIs: []string{
				"/octopus/api/Spaces-1/environments?take=1000",
				"/octopus/api/Spaces-1/environments?skip=2&take=2",
				"/octopus/api/Spaces-1/environments?skip=4&take=2",
			},
		},
		{
			name: "absolute links", prefix: "/octopus", absolute: true, n: 3, path: "/api/Spaces-1/environments",
			wantURIs: []string{
				"/octopus/api/Spaces-1/environments?take=1000",
				"/octopus/api/Spaces-1/environments?skip=2&take=2",
			},
		},
		{
			name: "one page", n: 2, path: "/api/Spaces-1/environments",
			wantURIs: []string{"/api/Spaces-1/environments?take=1000"},
		},
		{
			name: "empty", n: 0, path: "/api/Spaces-1/environments",
			wantURIs: []string{"/api/Spaces-1/environments?take=1000"},
		},
		{
			name: "query kept", n: 1, path: "/api/Spaces-1/environments?partialName=env",
			wantURIs: []string{"/api/Spaces-1/environments?partialName=env&take=1000"},
		},
		{
			name: "take kept", n: 3, path: "/api/Spaces-1/environments?Take=1",
			wantURIs: []string{"/api/Spaces-1/environments?Take=1", "/api/Spaces-1/environments?skip=2&take=2"},
		},
		{
			name: "bare array", prefix: "/octopus", n: 5, path: "/api/Spaces-1/environments/all",
			wantURIs: []string{"/octopus/api/Spaces-1/environments/all?take=1000"},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			srv, uris := pagedServer(t, tc.prefix, tc.n, 2, tc.absolute)
			c, _ := newClient(t, srv.URL+tc.prefix, nil)
			items, err := c.List(context.Background(), tc.path)
			if err != nil {
				t.Fatal(errText(t, err))
			}
			if got := uris(); !reflect.DeepEqual(got, tc.wantURIs) {
				t.Errorf("requests:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(tc.wantURIs, "\n"))
			}
			if tc.name == "take kept" {
				return // the server answered take=1 with two items; only the requests matter here
			}
			if len(items) != tc.n {
				t.Fatalf("%d items, want %d", len(items), tc.n)
			}
			for i, raw := range items {
				want := fmt.Sprintf(`{"Id":"Environments-%d","Name":"env %d","SortOrder":%d}`, i+1, i+1, i)
				if string(raw) != want {
					t.Errorf("item %d = %s, want %s", i, raw, want)
				}
			}
		})
	}
}

func TestListErrors(t *testing.T) {
	other := newFake(t)
	for _, tc := range []struct {
		name string
		body string
		want string
	}{
		{"a document", `{"Id":"Environments-1","Name":"x"}`, "not a collection: the answer is neither a JSON array nor an object with Items"},
		{"Items not a list", `{"Items":{"a":1}}`, "decode collection Items"},
		{"Page.Next not a string", `{"Items":[],"Links":{"Page.Next":3}}`, `Links["Page.Next"] is a float64, not a string`},
		{"a loop", `{"Items":[{}],"Links":{"Page.Next":"/api/Spaces-1/environments?skip=0&take=1"}}`, "leads to a page already read"},
		{"a link elsewhere", `{"Items":[{}],"Links":{"Page.Next":"` + other.URL + `/api/x"}}`, "refusing to send the API key to " + other.URL},
		{"a string", `"hello"`, "decode collection"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, reply{status: 200, body: tc.body})
			c, _ := newClient(t, f.URL, nil)
			_, err := c.List(context.Background(), "/api/Spaces-1/environments")
			msg := errText(t, err)
			if !strings.Contains(msg, tc.want) || !strings.HasPrefix(msg, `instance "hub": GET `) {
				t.Errorf("error %q, want it to contain %q", msg, tc.want)
			}
		})
	}
	if n := len(other.requests()); n != 0 {
		t.Errorf("the API key went to another server")
	}
	f := newFake(t, reply{status: 403, body: `{"ErrorMessage":"Missing permission: EnvironmentView"}`})
	c, _ := newClient(t, f.URL, nil)
	if _, err := c.List(context.Background(), "/api/Spaces-1/environments"); !strings.Contains(errText(t, err), "403 Forbidden: Missing permission: EnvironmentView") {
		t.Errorf("error %v", err)
	}
}

func TestDocs(t *testing.T) {
	const doc = `{"Id":"Projects-1","Ratio":1.50,"Big":12345678901234567890,"Tiny":1e-7,"Nested":{"List":[1,2.0,"x",null,true]}}`
	f := newFake(t, reply{status: 200, body: doc}, reply{status: 200, body: `{"Items":[` + doc + `,` + doc + `]}`}, reply{status: 200, body: "[1]"})
	c, _ := newClient(t, f.URL, nil)
	ctx := context.Background()
	got, err := c.GetDoc(ctx, "/api/Spaces-1/projects/Projects-1")
	if err != nil {
		t.Fatal(errText(t, err))
	}
	out, err := json.Marshal(got)
	if err != nil {
		t.Fatal(err)
	}
	const want = `{"Big":12345678901234567890,"Id":"Projects-1","Nested":{"List":[1,2.0,"x",null,true]},"Ratio":1.50,"Tiny":1e-7}`
	if string(out) != want {
		t.Errorf("round trip:\n%s\nwant:\n%s", out, want)
	}
	docs, err := c.ListDocs(ctx, "/api/Spaces-1/projects")
	if err != nil || len(docs) != 2 || !reflect.DeepEqual(docs[0], got) {
		t.Errorf("ListDocs = %v, %v", docs, err)
	}
	if _, err := c.ListDocs(ctx, "/api/Spaces-1/projects/all"); !strings.Contains(errText(t, err), "GET /api/Spaces-1/projects/all: item 0: decode document") {
		t.Errorf("ListDocs of numbers: %v", err)
	}
}

func TestDecodeDoc(t *testing.T) {
	for _, tc := range []struct{ in, want string }{
		{`null`, "not a JSON object"},
		{`[]`, "cannot unmarshal array"},
		{`{"a":1} {}`, "unexpected data after the object"},
		{`{"a":`, "unexpected EOF"},
		{``, "EOF"},
	} {
		if _, err := DecodeDoc(json.RawMessage(tc.in)); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("DecodeDoc(%q) error %v, want %q", tc.in, err, tc.want)
		}
	}
	doc, err := DecodeDoc(json.RawMessage(" {\"a\": 1}\n"))
	if err != nil || doc["a"] != json.Number("1") {
		t.Errorf("DecodeDoc = %v, %v", doc, err)
	}
}

func FuzzDecodePage(f *testing.F) {
	for _, s := range []string{
		`[]`, `[{"Id":"a"},1,"x"]`, `{"Items":[]}`, `{"Items":null}`, `{"Items":[{"a":1}],"Links":{"Page.Next":"/api/x?skip=1"}}`,
		`{"Links":{"Page.Next":1}}`, `{}`, `null`, ` [ ] `, `"x"`, `{"Items":[1,2],"Links":null}`,
	} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		items, next, err := decodePage(data)
		if err != nil {
			if items != nil || next != "" {
				t.Errorf("decodePage returned results with an error: %v", err)
			}
			return
		}
		for _, it := range items {
			if !json.Valid(it) {
				t.Errorf("item %q is not JSON", it)
			}
		}
	})
}

func FuzzDecodeDoc(f *testing.F) {
	for _, s := range []string{`{}`, `{"a":1.50,"b":[1e400,-0],"c":{"d":null}}`, `null`, `[]`, `{"a":1}x`, `{"\u00e9":"\ud800"}`} {
		f.Add([]byte(s))
	}
	f.Fuzz(func(t *testing.T, data []byte) {
		doc, err := DecodeDoc(data)
		if err != nil {
			return
		}
		out, err := json.Marshal(doc)
		if err != nil {
			t.Fatalf("a decoded document does not encode: %v", err)
		}
		again, err := DecodeDoc(out)
		if err != nil || !reflect.DeepEqual(doc, again) {
			t.Errorf("round trip changed the document: %v -> %s -> %v (%v)", doc, out, again, err)
		}
	})
}
