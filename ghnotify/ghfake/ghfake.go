package ghfake

import (
	"bytes"
	"encoding/json"
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"
	"unicode/utf8"
)

// Defaults for [Options].
const (
	DefaultToken      = "ghs_fakeTokenForTests"
	DefaultRepository = "acme/platform"
	// BotLogin is the author of everything posted with the token.
	BotLogin = "github-actions[bot]"
)

// epoch is the fake's clock: each write advances it one second, so
// timestamps are deterministic.
var epoch = time.Date(2024, 1, 1, 0, 0, 0, 0, time.UTC)

// maxBody is GitHub's limit on an issue or comment body, in characters.
const maxBody = 65536

// Options configure a [Server]. The zero value is usable.
type Options struct {
	// Token is the one token the server accepts (DefaultToken when empty).
	Token string
	// Repository is the one repository that exists, owner/name
	// (DefaultRepository when empty).
	Repository string
	// PageSize caps per_page on list calls, to exercise paging with few
	// items; 0 means GitHub's own cap of 100.
	PageSize int
}

// Server is a fake GitHub REST API on loopback, holding one repository's
// issues, pull requests and comments in memory.
type Server struct {
	// URL is the API's base URL, with a trailing slash, for GITHUB_API_URL.
	URL string
	// Token is the token the server accepts, for GITHUB_TOKEN.
	Token string
	// Repository is owner/name, for GITHUB_REPOSITORY.
	Repository string

	srv      *httptest.Server
	pageSize int

	mu       sync.Mutex
	issues   []*Issue // issue n at index n-1
	comments []*Comment
	requests []Request
	faults   []*Fault
	tick     int
}

// Issue is an issue or pull request as the fake stores it.
type Issue struct {
	Number      int        `json:"number"`
	PullRequest bool       `json:"pull_request,omitempty"`
	Title       string     `json:"title"`
	Body        string     `json:"body"`
	State       string     `json:"state"`
	StateReason string     `json:"state_reason,omitempty"`
	Labels      []string   `json:"labels"`
	User        string     `json:"user"`
	Comments    []*Comment `json:"comments"`
	created     time.Time
	updated     time.Time
	closed      time.Time
}

// Comment is a comment on an issue or pull request.
type Comment struct {
	ID      int64  `json:"id"`
	Issue   int    `json:"issue"`
	User    string `json:"user"`
	Body    string `json:"body"`
	Edits   int    `json:"edits"` // how many times it was edited
	created time.Time
	updated time.Time
}

// Request is one request the server received.
type Request struct {
	Method string
	Path   string
	Query  string
	Body   string
}

// IsWrite reports whether the request asked to change something.
func (r Request) IsWrite() bool { return r.Method != http.MethodGet && r.Method != http.MethodHead }

// String reads "METHOD PATH?QUERY".
func (r Request) String() string {
	if r.Query == "" {
		return r.Method + " " + r.Path
	}
	return r.Method + " " + r.Path + "?" + r.Query
}

// Fault makes matching requests fail.
type Fault struct {
	// Method and PathPrefix select requests ("" matches any). PathPrefix is
	// matched against the URL path, e.g. "/repos/acme/platform/issues".
	Method     string
	PathPrefix string
	// Status and Message are the error returned (default 500 and "Server
	// Error").
	Status  int
	Message string
	// RateLimit answers 403 with X-RateLimit-Remaining: 0, GitHub's
	// primary rate limit.
	RateLimit bool
	// SecondaryRateLimit answers 403 with Retry-After: 60 and the
	// documentation URL GitHub uses for its secondary rate limit.
	SecondaryRateLimit bool
	// Times is how many requests fail; 0 means one.
	Times int
}

// New starts a fake on a loopback port. Close it when done.
func New(opts Options) *Server {
	s := &Server{Token: opts.Token, Repository: opts.Repository, pageSize: opts.PageSize}
	if s.Token == "" {
		s.Token = DefaultToken
	}
	if s.Repository == "" {
		s.Repository = DefaultRepository
	}
	if s.pageSize <= 0 || s.pageSize > 100 {
		s.pageSize = 100
	}
	s.srv = httptest.NewServer(s.handler())
	s.URL = s.srv.URL + "/"
	return s
}

// Close shuts the server down.
func (s *Server) Close() { s.srv.Close() }

// Env returns the variables GitHub Actions would set to reach this server:
// GITHUB_API_URL, GITHUB_REPOSITORY and GITHUB_TOKEN.
func (s *Server) Env() map[string]string {
	return map[string]string{"GITHUB_API_URL": s.URL, "GITHUB_REPOSITORY": s.Repository, "GITHUB_TOKEN": s.Token}
}

// AddPullRequest opens a pull request and returns its number. Pull
// requests and issues share numbers, as on GitHub.
func (s *Server) AddPullRequest(title string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addIssue(&Issue{PullRequest: true, Title: title, User: "octocat", State: "open"}).Number
}

// AddIssue files an issue as a person would (author "octocat") and returns
// its number.
func (s *Server) AddIssue(title, body string, labels ...string) int {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.addIssue(&Issue{Title: title, Body: body, Labels: slices.Clone(labels), User: "octocat", State: "open"}).Number
}

// AddComment comments on an issue or pull request as user and returns the
// comment's id; it panics if the number does not exist.
func (s *Server) AddComment(number int, user, body string) int64 {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issue(number)
	if is == nil {
		panic(fmt.Sprintf("ghfake: no issue #%d", number))
	}
	return s.addComment(is, user, body).ID
}

// Fail installs a fault.
func (s *Server) Fail(f Fault) {
	s.mu.Lock()
	defer s.mu.Unlock()
	if f.Times <= 0 {
		f.Times = 1
	}
	s.faults = append(s.faults, &f)
}

// Issues returns a copy of every issue and pull request, with comments, in
// number order.
func (s *Server) Issues() []Issue {
	s.mu.Lock()
	defer s.mu.Unlock()
	out := make([]Issue, 0, len(s.issues))
	for _, is := range s.issues {
		c := *is
		c.Labels = slices.Clone(is.Labels)
		c.Comments = make([]*Comment, 0, len(is.Comments))
		for _, cm := range is.Comments {
			cc := *cm
			c.Comments = append(c.Comments, &cc)
		}
		out = append(out, c)
	}
	return out
}

// Requests returns the requests received so far, oldest first.
func (s *Server) Requests() []Request {
	s.mu.Lock()
	defer s.mu.Unlock()
	return slices.Clone(s.requests)
}

// Writes returns the requests that asked to change something.
func (s *Server) Writes() []Request {
	var out []Request
	for _, r := range s.Requests() {
		if r.IsWrite() {
			out = append(out, r)
		}
	}
	return out
}

// ResetRequests forgets the requests received so far.
func (s *Server) ResetRequests() {
	s.mu.Lock()
	defer s.mu.Unlock()
	s.requests = nil
}

// State is the fake's contents in a stable JSON shape, for golden files.
type State struct {
	Repository string  `json:"repository"`
	Issues     []Issue `json:"issues"`
}

// State returns the fake's contents.
func (s *Server) State() State {
	return State{Repository: s.Repository, Issues: s.Issues()}
}

// --- storage; callers hold mu ---

func (s *Server) now() time.Time {
	s.tick++
	return epoch.Add(time.Duration(s.tick) * time.Second)
}

func (s *Server) addIssue(is *Issue) *Issue {
	is.Number = len(s.issues) + 1
	is.created = s.now()
	is.updated = is.created
	if is.Labels == nil {
		is.Labels = []string{}
	}
	is.Comments = []*Comment{}
	s.issues = append(s.issues, is)
	return is
}

func (s *Server) addComment(is *Issue, user, body string) *Comment {
	c := &Comment{ID: int64(len(s.comments) + 1), Issue: is.Number, User: user, Body: body, created: s.now()}
	c.updated = c.created
	s.comments = append(s.comments, c)
	is.Comments = append(is.Comments, c)
	is.updated = c.created
	return c
}

func (s *Server) issue(number int) *Issue {
	if number < 1 || number > len(s.issues) {
		return nil
	}
	return s.issues[number-1]
}

// --- HTTP ---

func (s *Server) handler() http.Handler {
	mux := http.NewServeMux()
	mux.HandleFunc("GET /repos/{owner}/{repo}/issues", s.listIssues)
	mux.HandleFunc("POST /repos/{owner}/{repo}/issues", s.createIssue)
	mux.HandleFunc("GET /repos/{owner}/{repo}/issues/{number}", s.getIssue)
	mux.HandleFunc("PATCH /repos/{owner}/{repo}/issues/{number}", s.editIssue)
	mux.HandleFunc("GET /repos/{owner}/{repo}/issues/{number}/comments", s.listComments)
	mux.HandleFunc("POST /repos/{owner}/{repo}/issues/{number}/comments", s.createComment)
	mux.HandleFunc("PATCH /repos/{owner}/{repo}/issues/comments/{id}", s.editComment)
	mux.HandleFunc("/", func(w http.ResponseWriter, r *http.Request) {
		writeError(w, http.StatusNotFound, "Not Found")
	})
	return http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		body, err := io.ReadAll(io.LimitReader(r.Body, 1<<20))
		if err != nil {
			writeError(w, http.StatusBadRequest, "Problems parsing JSON")
			return
		}
		r.Body = io.NopCloser(bytes.NewReader(body))
		s.mu.Lock()
		s.requests = append(s.requests, Request{Method: r.Method, Path: r.URL.Path, Query: r.URL.RawQuery, Body: string(body)})
		fault := s.fault(r)
		s.mu.Unlock()

		if !s.authorized(r) {
			writeError(w, http.StatusUnauthorized, "Bad credentials")
			return
		}
		if fault != nil {
			writeFault(w, fault)
			return
		}
		if rest, ok := strings.CutPrefix(r.URL.Path, "/repos/"); ok {
			parts := strings.SplitN(rest, "/", 3)
			if len(parts) < 2 || parts[0]+"/"+parts[1] != s.Repository {
				writeError(w, http.StatusNotFound, "Not Found")
				return
			}
		}
		w.Header().Set("X-RateLimit-Limit", "5000")
		w.Header().Set("X-RateLimit-Remaining", "4999")
		mux.ServeHTTP(w, r)
	})
}

func (s *Server) authorized(r *http.Request) bool {
	auth := r.Header.Get("Authorization")
	for _, scheme := range []string{"Bearer ", "token "} {
		if tok, ok := strings.CutPrefix(auth, scheme); ok && tok == s.Token {
			return true
		}
	}
	return false
}

// fault returns the first fault matching r, spending one of its uses.
func (s *Server) fault(r *http.Request) *Fault {
	for i, f := range s.faults {
		if (f.Method == "" || f.Method == r.Method) && strings.HasPrefix(r.URL.Path, f.PathPrefix) {
			f.Times--
			if f.Times <= 0 {
				s.faults = slices.Delete(s.faults, i, i+1)
			}
			return f
		}
	}
	return nil
}

func writeFault(w http.ResponseWriter, f *Fault) {
	switch {
	case f.RateLimit:
		w.Header().Set("X-RateLimit-Limit", "5000")
		w.Header().Set("X-RateLimit-Remaining", "0")
		w.Header().Set("X-RateLimit-Reset", strconv.FormatInt(epoch.Add(time.Hour).Unix(), 10))
		writeJSON(w, http.StatusForbidden, map[string]string{
			"message":           "API rate limit exceeded for installation ID 1.",
			"documentation_url": "https://docs.github.com/rest/overview/resources-in-the-rest-api#rate-limiting",
		})
	case f.SecondaryRateLimit:
		w.Header().Set("Retry-After", "60")
		writeJSON(w, http.StatusForbidden, map[string]string{
			"message":           "You have exceeded a secondary rate limit. Please wait a few minutes before you try again.",
			"documentation_url": "https://docs.github.com/rest/overview/rate-limits-for-the-rest-api#about-secondary-rate-limits",
		})
	default:
		status, msg := f.Status, f.Message
		if status == 0 {
			status = http.StatusInternalServerError
		}
		if msg == "" {
			msg = http.StatusText(status)
		}
		writeError(w, status, msg)
	}
}

func (s *Server) listIssues(w http.ResponseWriter, r *http.Request) {
	q := r.URL.Query()
	state := q.Get("state")
	if state == "" {
		state = "open"
	}
	var want []string
	if l := q.Get("labels"); l != "" {
		want = strings.Split(l, ",")
	}
	s.mu.Lock()
	var list []*Issue
	for _, is := range s.issues {
		if (state == "all" || is.State == state) && hasAll(is.Labels, want) {
			list = append(list, is)
		}
	}
	if q.Get("direction") != "asc" { // GitHub's default is newest first
		slices.Reverse(list)
	}
	page := s.page(w, r, len(list))
	out := make([]map[string]any, 0, len(page))
	for _, i := range page {
		out = append(out, s.issueJSON(r, list[i]))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

func (s *Server) getIssue(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issueFromPath(r)
	if is == nil {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	writeJSON(w, http.StatusOK, s.issueJSON(r, is))
}

type issueRequest struct {
	Title       *string   `json:"title"`
	Body        *string   `json:"body"`
	State       *string   `json:"state"`
	StateReason *string   `json:"state_reason"`
	Labels      *[]string `json:"labels"`
}

func (s *Server) createIssue(w http.ResponseWriter, r *http.Request) {
	var req issueRequest
	if !decode(w, r, &req) {
		return
	}
	if req.Title == nil || strings.TrimSpace(*req.Title) == "" {
		writeValidation(w, "Issue", "title", "missing_field", "")
		return
	}
	if req.Body != nil && utf8.RuneCountInString(*req.Body) > maxBody {
		writeValidation(w, "Issue", "body", "custom", "body is too long (maximum is 65536 characters)")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	is := &Issue{Title: *req.Title, State: "open", User: BotLogin}
	if req.Body != nil {
		is.Body = *req.Body
	}
	if req.Labels != nil {
		is.Labels = slices.Clone(*req.Labels)
	}
	s.addIssue(is)
	writeJSON(w, http.StatusCreated, s.issueJSON(r, is))
}

func (s *Server) editIssue(w http.ResponseWriter, r *http.Request) {
	var req issueRequest
	if !decode(w, r, &req) {
		return
	}
	if req.Body != nil && utf8.RuneCountInString(*req.Body) > maxBody {
		writeValidation(w, "Issue", "body", "custom", "body is too long (maximum is 65536 characters)")
		return
	}
	if req.State != nil && *req.State != "open" && *req.State != "closed" {
		writeValidation(w, "Issue", "state", "invalid", "")
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issueFromPath(r)
	if is == nil {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	if req.Title != nil {
		is.Title = *req.Title
	}
	if req.Body != nil {
		is.Body = *req.Body
	}
	if req.Labels != nil {
		is.Labels = slices.Clone(*req.Labels)
	}
	if req.State != nil && *req.State != is.State {
		is.State = *req.State
		is.StateReason = ""
		is.closed = time.Time{}
		if is.State == "closed" {
			is.StateReason = "completed"
			is.closed = s.now()
		}
	}
	if req.StateReason != nil && is.State == "closed" {
		is.StateReason = *req.StateReason
	}
	is.updated = s.now()
	writeJSON(w, http.StatusOK, s.issueJSON(r, is))
}

func (s *Server) listComments(w http.ResponseWriter, r *http.Request) {
	s.mu.Lock()
	is := s.issueFromPath(r)
	if is == nil {
		s.mu.Unlock()
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	page := s.page(w, r, len(is.Comments))
	out := make([]map[string]any, 0, len(page))
	for _, i := range page {
		out = append(out, s.commentJSON(r, is.Comments[i]))
	}
	s.mu.Unlock()
	writeJSON(w, http.StatusOK, out)
}

type commentRequest struct {
	Body *string `json:"body"`
}

func (s *Server) createComment(w http.ResponseWriter, r *http.Request) {
	var req commentRequest
	if !decode(w, r, &req) || !validComment(w, req) {
		return
	}
	s.mu.Lock()
	defer s.mu.Unlock()
	is := s.issueFromPath(r)
	if is == nil {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	c := s.addComment(is, BotLogin, *req.Body)
	writeJSON(w, http.StatusCreated, s.commentJSON(r, c))
}

func (s *Server) editComment(w http.ResponseWriter, r *http.Request) {
	var req commentRequest
	if !decode(w, r, &req) || !validComment(w, req) {
		return
	}
	id, err := strconv.ParseInt(r.PathValue("id"), 10, 64)
	s.mu.Lock()
	defer s.mu.Unlock()
	if err != nil || id < 1 || id > int64(len(s.comments)) {
		writeError(w, http.StatusNotFound, "Not Found")
		return
	}
	c := s.comments[id-1]
	c.Body = *req.Body
	c.Edits++
	c.updated = s.now()
	writeJSON(w, http.StatusOK, s.commentJSON(r, c))
}

func validComment(w http.ResponseWriter, req commentRequest) bool {
	switch {
	case req.Body == nil || *req.Body == "":
		writeValidation(w, "IssueComment", "body", "missing_field", "")
		return false
	case utf8.RuneCountInString(*req.Body) > maxBody:
		writeValidation(w, "IssueComment", "body", "custom", "body is too long (maximum is 65536 characters)")
		return false
	}
	return true
}

func (s *Server) issueFromPath(r *http.Request) *Issue {
	n, err := strconv.Atoi(r.PathValue("number"))
	if err != nil {
		return nil
	}
	return s.issue(n)
}

// page selects the indexes of one page of n items from per_page and page,
// and sets the Link header GitHub sends (rel="next", rel="last").
func (s *Server) page(w http.ResponseWriter, r *http.Request, n int) []int {
	q := r.URL.Query()
	per, err := strconv.Atoi(q.Get("per_page"))
	if err != nil || per <= 0 {
		per = 30
	}
	per = min(per, s.pageSize)
	p, err := strconv.Atoi(q.Get("page"))
	if err != nil || p <= 0 {
		p = 1
	}
	last := max(1, (n+per-1)/per)
	var idx []int
	for i := (p - 1) * per; i < min(n, p*per); i++ {
		idx = append(idx, i)
	}
	link := func(page int, rel string) string {
		u := url.URL{Scheme: "http", Host: r.Host, Path: r.URL.Path}
		v := r.URL.Query()
		v.Set("page", strconv.Itoa(page))
		v.Set("per_page", strconv.Itoa(per))
		u.RawQuery = v.Encode()
		return fmt.Sprintf("<%s>; rel=%q", u.String(), rel)
	}
	var links []string
	if p < last {
		links = append(links, link(p+1, "next"), link(last, "last"))
	}
	if p > 1 {
		links = append(links, link(1, "first"), link(p-1, "prev"))
	}
	if len(links) > 0 {
		w.Header().Set("Link", strings.Join(links, ", "))
	}
	return idx
}

func (s *Server) htmlURL(is *Issue) string {
	kind := "issues"
	if is.PullRequest {
		kind = "pull"
	}
	return fmt.Sprintf("https://github.com/%s/%s/%d", s.Repository, kind, is.Number)
}

func (s *Server) issueJSON(r *http.Request, is *Issue) map[string]any {
	api := fmt.Sprintf("http://%s/repos/%s/issues/%d", r.Host, s.Repository, is.Number)
	labels := make([]map[string]any, 0, len(is.Labels))
	for i, l := range is.Labels {
		labels = append(labels, map[string]any{"id": i + 1, "name": l})
	}
	m := map[string]any{
		"id":         is.Number * 1000,
		"number":     is.Number,
		"title":      is.Title,
		"body":       is.Body,
		"state":      is.State,
		"labels":     labels,
		"user":       map[string]any{"login": is.User},
		"comments":   len(is.Comments),
		"url":        api,
		"html_url":   s.htmlURL(is),
		"created_at": is.created,
		"updated_at": is.updated,
	}
	if is.StateReason != "" {
		m["state_reason"] = is.StateReason
	}
	if !is.closed.IsZero() {
		m["closed_at"] = is.closed
	}
	if is.PullRequest {
		m["pull_request"] = map[string]any{
			"url":      fmt.Sprintf("http://%s/repos/%s/pulls/%d", r.Host, s.Repository, is.Number),
			"html_url": s.htmlURL(is),
		}
	}
	return m
}

func (s *Server) commentJSON(r *http.Request, c *Comment) map[string]any {
	is := s.issue(c.Issue)
	return map[string]any{
		"id":         c.ID,
		"body":       c.Body,
		"user":       map[string]any{"login": c.User},
		"html_url":   fmt.Sprintf("%s#issuecomment-%d", s.htmlURL(is), c.ID),
		"issue_url":  fmt.Sprintf("http://%s/repos/%s/issues/%d", r.Host, s.Repository, c.Issue),
		"created_at": c.created,
		"updated_at": c.updated,
	}
}

func hasAll(have, want []string) bool {
	for _, w := range want {
		if !slices.Contains(have, w) {
			return false
		}
	}
	return true
}

func decode(w http.ResponseWriter, r *http.Request, v any) bool {
	if err := json.NewDecoder(r.Body).Decode(v); err != nil {
		writeError(w, http.StatusBadRequest, "Problems parsing JSON")
		return false
	}
	return true
}

func writeJSON(w http.ResponseWriter, status int, v any) {
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_ = json.NewEncoder(w).Encode(v)
}

func writeError(w http.ResponseWriter, status int, msg string) {
	writeJSON(w, status, map[string]string{"message": msg, "documentation_url": "https://docs.github.com/rest"})
}

func writeValidation(w http.ResponseWriter, resource, field, code, msg string) {
	e := map[string]string{"resource": resource, "field": field, "code": code}
	if msg != "" {
		e["message"] = msg
	}
	writeJSON(w, http.StatusUnprocessableEntity, map[string]any{
		"message":           "Validation Failed",
		"errors":            []map[string]string{e},
		"documentation_url": "https://docs.github.com/rest",
	})
}
