package ghfake_test

import (
	"encoding/json"
	"io"
	"net/http"
	"slices"
	"strings"
	"testing"

	"octosync.dev/octosync/ghnotify/ghfake"
)

// call makes one request to the fake and decodes the JSON answer into out.
func call(t *testing.T, s *ghfake.Server, token, method, path, body string, out any) *http.Response {
	t.Helper()
	var r io.Reader
	if body != "" {
		r = strings.NewReader(body)
	}
	req, err := http.NewRequest(method, s.URL+strings.TrimPrefix(path, "/"), r)
	if err != nil {
		t.Fatal(err)
	}
	if token != "" {
		req.Header.Set("Authorization", "Bearer "+token)
	}
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatal(err)
	}
	defer resp.Body.Close()
	if out != nil {
		if err := json.NewDecoder(resp.Body).Decode(out); err != nil {
			t.Fatalf("%s %s: %v", method, path, err)
		}
	}
	return resp
}

type issueJSON struct {
	Number      int    `json:"number"`
	Title       string `json:"title"`
	State       string `json:"state"`
	StateReason string `json:"state_reason"`
	Labels      []struct {
		Name string `json:"name"`
	} `json:"labels"`
	PullRequest *struct{} `json:"pull_request"`
}

type errorJSON struct {
	Message string `json:"message"`
	Errors  []struct {
		Field, Code, Message string
	} `json:"errors"`
}

func TestAuthAndRepository(t *testing.T) {
	s := ghfake.New(ghfake.Options{Token: "tok", Repository: "acme/platform"})
	defer s.Close()
	var e errorJSON
	if resp := call(t, s, "", "GET", "/repos/acme/platform/issues", "", &e); resp.StatusCode != 401 || e.Message != "Bad credentials" {
		t.Errorf("no token: %d %q", resp.StatusCode, e.Message)
	}
	if resp := call(t, s, "wrong", "GET", "/repos/acme/platform/issues", "", nil); resp.StatusCode != 401 {
		t.Errorf("wrong token: %d", resp.StatusCode)
	}
	if resp := call(t, s, "tok", "GET", "/repos/acme/other/issues", "", &e); resp.StatusCode != 404 || e.Message != "Not Found" {
		t.Errorf("other repository: %d %q", resp.StatusCode, e.Message)
	}
	if resp := call(t, s, "tok", "GET", "/user", "", nil); resp.StatusCode != 404 {
		t.Errorf("unimplemented endpoint: %d", resp.StatusCode)
	}
	if got := s.Env(); got["GITHUB_API_URL"] != s.URL || got["GITHUB_REPOSITORY"] != "acme/platform" || got["GITHUB_TOKEN"] != "tok" {
		t.Errorf("Env = %v", got)
	}
}

func TestListIssues(t *testing.T) {
	s := ghfake.New(ghfake.Options{PageSize: 2})
	defer s.Close()
	tok := s.Token
	s.AddIssue("one", "", "drift")
	s.AddPullRequest("two")
	s.AddIssue("three", "", "drift", "triaged")
	s.AddIssue("four", "")
	call(t, s, tok, "PATCH", "/repos/acme/platform/issues/4", `{"state":"closed","state_reason":"not_planned"}`, nil)

	var page []issueJSON
	resp := call(t, s, tok, "GET", "/repos/acme/platform/issues?per_page=100", "", &page)
	if len(page) != 2 || page[0].Number != 3 || page[1].Number != 2 || page[1].PullRequest == nil {
		t.Errorf("first page = %+v, want #3 and pull request #2, newest first, capped at 2", page)
	}
	if link := resp.Header.Get("Link"); !strings.Contains(link, `page=2`) || !strings.Contains(link, `rel="next"`) {
		t.Errorf("Link = %q, want a next page", link)
	}
	call(t, s, tok, "GET", "/repos/acme/platform/issues?per_page=100&page=2", "", &page)
	if len(page) != 1 || page[0].Number != 1 {
		t.Errorf("second page = %+v, want #1", page)
	}
	call(t, s, tok, "GET", "/repos/acme/platform/issues?labels=drift,triaged&direction=asc", "", &page)
	if len(page) != 1 || page[0].Number != 3 {
		t.Errorf("labels drift,triaged = %+v, want #3", page)
	}
	call(t, s, tok, "GET", "/repos/acme/platform/issues?state=closed", "", &page)
	if len(page) != 1 || page[0].Number != 4 || page[0].StateReason != "not_planned" {
		t.Errorf("closed = %+v, want #4 not planned", page)
	}
	call(t, s, tok, "GET", "/repos/acme/platform/issues?state=all&direction=asc&per_page=1&page=4", "", &page)
	if len(page) != 1 || page[0].Number != 4 {
		t.Errorf("state=all page 4 = %+v, want #4", page)
	}
}

func TestValidation(t *testing.T) {
	s := ghfake.New(ghfake.Options{})
	defer s.Close()
	tok := s.Token
	s.AddIssue("exists", "")
	for _, tc := range []struct {
		method, path, body string
		status             int
		field              string
	}{
		{"POST", "/repos/acme/platform/issues", `{"body":"no title"}`, 422, "title"},
		{"POST", "/repos/acme/platform/issues", `{"title":"t","body":"` + strings.Repeat("x", 65537) + `"}`, 422, "body"},
		{"POST", "/repos/acme/platform/issues", `not json`, 400, ""},
		{"PATCH", "/repos/acme/platform/issues/1", `{"state":"gone"}`, 422, "state"},
		{"PATCH", "/repos/acme/platform/issues/9", `{"title":"x"}`, 404, ""},
		{"POST", "/repos/acme/platform/issues/9/comments", `{"body":"x"}`, 404, ""},
		{"POST", "/repos/acme/platform/issues/1/comments", `{"body":""}`, 422, "body"},
		{"PATCH", "/repos/acme/platform/issues/comments/99", `{"body":"x"}`, 404, ""},
	} {
		var e errorJSON
		resp := call(t, s, tok, tc.method, tc.path, tc.body, &e)
		if resp.StatusCode != tc.status || (tc.field != "" && (len(e.Errors) != 1 || e.Errors[0].Field != tc.field)) {
			t.Errorf("%s %s: %d %+v, want %d on field %q", tc.method, tc.path, resp.StatusCode, e, tc.status, tc.field)
		}
	}
}

func TestFaultsAndRecording(t *testing.T) {
	s := ghfake.New(ghfake.Options{})
	defer s.Close()
	tok := s.Token
	n := s.AddPullRequest("pr")
	s.Fail(ghfake.Fault{Method: "POST", PathPrefix: "/repos/acme/platform/issues/1/comments", Status: 503, Times: 2})
	for range 2 {
		if resp := call(t, s, tok, "POST", "/repos/acme/platform/issues/1/comments", `{"body":"hi"}`, nil); resp.StatusCode != 503 {
			t.Errorf("faulted POST: %d, want 503", resp.StatusCode)
		}
	}
	if resp := call(t, s, tok, "GET", "/repos/acme/platform/issues/1/comments", "", nil); resp.StatusCode != 200 {
		t.Errorf("GET matched a POST fault: %d", resp.StatusCode)
	}
	var c struct {
		ID      int64  `json:"id"`
		HTMLURL string `json:"html_url"`
	}
	if resp := call(t, s, tok, "POST", "/repos/acme/platform/issues/1/comments", `{"body":"hi"}`, &c); resp.StatusCode != 201 || c.ID != 1 ||
		c.HTMLURL != "https://github.com/acme/platform/pull/1#issuecomment-1" {
		t.Errorf("third POST: %d %+v, want the fault spent and comment 1 created", resp.StatusCode, c)
	}

	s.Fail(ghfake.Fault{RateLimit: true})
	resp := call(t, s, tok, "GET", "/repos/acme/platform/issues", "", nil)
	if resp.StatusCode != 403 || resp.Header.Get("X-RateLimit-Remaining") != "0" {
		t.Errorf("rate limit: %d remaining %q", resp.StatusCode, resp.Header.Get("X-RateLimit-Remaining"))
	}
	s.Fail(ghfake.Fault{SecondaryRateLimit: true})
	if resp := call(t, s, tok, "GET", "/repos/acme/platform/issues", "", nil); resp.StatusCode != 403 || resp.Header.Get("Retry-After") != "60" {
		t.Errorf("secondary rate limit: %d retry-after %q", resp.StatusCode, resp.Header.Get("Retry-After"))
	}

	var got []string
	for _, r := range s.Writes() {
		got = append(got, r.String())
	}
	want := slices.Repeat([]string{"POST /repos/acme/platform/issues/1/comments"}, 3)
	if !slices.Equal(got, want) {
		t.Errorf("Writes = %q, want %q", got, want)
	}
	s.ResetRequests()
	if len(s.Requests()) != 0 {
		t.Error("ResetRequests kept requests")
	}
	st := s.State()
	if st.Repository != "acme/platform" || len(st.Issues) != 1 || st.Issues[0].Number != n || len(st.Issues[0].Comments) != 1 {
		t.Errorf("State = %+v", st)
	}
	a, _ := json.Marshal(s.State())
	b, _ := json.Marshal(s.State())
	if string(a) != string(b) || strings.Contains(string(a), "created") {
		t.Errorf("State JSON is not stable: %s", a)
	}
}
