package octopus

import (
	"bytes"
	"context"
	"crypto/tls"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"strings"
	"sync"
	"sync/atomic"
	"testing"
	"time"
)

// testKey is the API key every test uses; no error may ever contain it.
const testKey = "API-TESTKEY0123456789ABCDEFGHIJ"

// reply is one scripted answer of a fake server.
type reply struct {
	status int
	header map[string]string
	body   string
}

// request is what a fake server saw.
type request struct {
	method, uri, key, userAgent, accept, contentType string
	body                                             []byte
}

// fake is an httptest server answering with scripted replies in order, the
// last one repeating, and recording every request.
type fake struct {
	*httptest.Server
	mu      sync.Mutex
	replies []reply
	seen    []request
}

func newFake(t *testing.T, replies ...reply) *fake {
	t.Helper()
	f := &fake{replies: replies}
	f.Server = httptest.NewServer(http.HandlerFunc(f.serve))
	t.Cleanup(f.Close)
	return f
}

func (f *fake) serve(w http.ResponseWriter, r *http.Request) {
	body, _ := io.ReadAll(r.Body)
	f.mu.Lock()
	f.seen = append(f.seen, request{
		method: r.Method, uri: r.URL.RequestURI(), key: r.Header.Get("X-Octopus-ApiKey"),
		userAgent: r.Header.Get("User-Agent"), accept: r.Header.Get("Accept"),
		contentType: r.Header.Get("Content-Type"), body: body,
	})
	rep := reply{status: http.StatusOK, body: "{}"}
	if len(f.replies) > 0 {
		rep = f.replies[0]
		if len(f.replies) > 1 {
			f.replies = f.replies[1:]
		}
	}
	f.mu.Unlock()
	for k, v := range rep.header {
		w.Header().Set(k, v)
	}
	w.WriteHeader(rep.status)
	io.WriteString(w, rep.body)
}

func (f *fake) requests() []request {
	f.mu.Lock()
	defer f.mu.Unlock()
	return append([]request(nil), f.seen...)
}

// sleeper records the waits a client asks for and returns at once.
type sleeper struct {
	mu    sync.Mutex
	waits []time.Duration
}

func (s *sleeper) sleep(ctx context.Context, d time.Duration) error {
	s.mu.Lock()
	s.waits = append(s.waits, d)
	s.mu.Unlock()
	return ctx.Err()
}

// newClient returns a client for url whose waits go to the returned
// sleeper; edit adjusts the options first.
func newClient(t *testing.T, url string, edit func(*Options)) (*Client, *sleeper) {
	t.Helper()
	s := &sleeper{}
	o := Options{Instance: "hub", URL: url, APIKey: testKey, Sleep: s.sleep}
	if edit != nil {
		edit(&o)
	}
	c, err := New(o)
	if err != nil {
		t.Fatalf("New: %s", errText(t, err))
	}
	return c, s
}

// errText returns err's message after checking that neither it nor its
// verbose forms contain the API key.
func errText(t *testing.T, err error) string {
	t.Helper()
	if err == nil {
		return ""
	}
	for _, s := range []string{err.Error(), fmt.Sprintf("%+v", err), fmt.Sprintf("%#v", err)} {
		if strings.Contains(s, testKey) || strings.Contains(s, strings.TrimPrefix(testKey, "API-")) {
			t.Errorf("error shows the API key: %s", s)
		}
	}
	return err.Error()
}

func TestNew(t *testing.T) {
	for _, tc := range []struct {
		name, url, key string
		want           string // error substring; empty means success
		base           string
	}{
		{name: "plain", url: "https://octopus.example.com", key: testKey, base: "https://octopus.example.com"},
		{name: "trailing slash and api", url: "http://host:8080/octopus/api/", key: testKey, base: "http://host:8080/octopus"},
		{name: "key from a file with a newline", url: "http://host", key: testKey + "\n", base: "http://host"},
		{name: "no url", key: testKey, want: `instance "hub": no URL: set the instance's url`},
		{name: "bad scheme", url: "ftp://host", key: testKey, want: `instance "hub": the URL "ftp://host" must start with http:// or https://`},
		{name: "no scheme", url: "octopus.example.com", key: testKey, want: "must start with http:// or https://"},
		{name: "no host", url: "http:///x", key: testKey, want: `the URL "http:///x" has no host`},
		{name: "unparsable", url: "http://[::1", key: testKey, want: "the URL is not valid"},
		{name: "password in url", url: "https://me:secret@host", key: testKey, want: "carries a user name or password"},
		{name: "query", url: "https://host/?a=b", key: testKey, want: "must not have a query or fragment"},
		{name: "no key", url: "http://host", want: `instance "hub": no API key: set the instance's apiKey`},
		{name: "no prefix", url: "http://host", key: "TESTKEY0123456789ABCDEFGHIJ", want: `the API key does not start with "API-"`},
		{name: "lower case", url: "http://host", key: strings.ToLower(testKey[4:]) + "x", want: `does not start with "API-"`},
		{name: "bad characters", url: "http://host", key: "API-TESTKEY0123456789abcdefghij", want: "characters other than upper-case letters and digits"},
		{name: "prefix only", url: "http://host", key: "API-", want: `nothing after "API-"`},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c, err := New(Options{Instance: "hub", URL: tc.url, APIKey: tc.key})
			msg := errText(t, err)
			if tc.want == "" {
				if err != nil {
					t.Fatalf("New: %s", msg)
				}
				if got := c.base.String(); got != tc.base {
					t.Errorf("base = %q, want %q", got, tc.base)
				}
				return
			}
			if !strings.Contains(msg, tc.want) {
				t.Errorf("error %q does not contain %q", msg, tc.want)
			}
			if strings.Contains(msg, "secret") || (len(tc.key) > len("API-") && strings.Contains(msg, tc.key)) {
				t.Errorf("error %q shows a secret", msg)
			}
		})
	}
}

func TestKeyNeverFormatted(t *testing.T) {
	o := Options{Instance: "hub", URL: "http://host", APIKey: testKey}
	c, err := New(o)
	if err != nil {
		t.Fatal(errText(t, err))
	}
	for _, verb := range []string{"%v", "%+v", "%#v", "%s"} {
		for _, v := range []any{o, &o, c} {
			if s := fmt.Sprintf(verb, v); strings.Contains(s, testKey) {
				t.Errorf("fmt %s of %T shows the key: %s", verb, v, s)
			}
		}
	}
	if got, want := fmt.Sprint(o), redactedKey; !strings.Contains(got, want) {
		t.Errorf("Options print as %s, want the key shown as %s", got, want)
	}
}

func TestRequests(t *testing.T) {
	f := newFake(t)
	c, _ := newClient(t, f.URL+"/octopus", func(o *Options) { o.UserAgent = "octosync/test" })
	ctx := context.Background()
	raw := json.RawMessage(`{"Name":"a <b> & c","N":1.50,"Big":12345678901234567890}`)
	doc, err := DecodeDoc(raw)
	if err != nil {
		t.Fatal(err)
	}
	calls := []struct {
		do         func() (json.RawMessage, error)
		method     string
		uri        string
		body       string
		hasContent bool
	}{
		{func() (json.RawMessage, error) { return c.Get(ctx, "/api/Spaces-1/projects/Projects-1") },
			"GET", "/octopus/api/Spaces-1/projects/Projects-1", "", false},
		{func() (json.RawMessage, error) { return c.Put(ctx, "/api/Spaces-1/projects/Projects-1", raw) },
			"PUT", "/octopus/api/Spaces-1/projects/Projects-1", string(raw), true},
		{func() (json.RawMessage, error) { return c.Post(ctx, "/api/Spaces-1/projects", doc) },
			"POST", "/octopus/api/Spaces-1/projects", `{"Big":12345678901234567890,"N":1.50,"Name":"a <b> & c"}`, true},
		{func() (json.RawMessage, error) { return c.Delete(ctx, "/api/Spaces-1/projects/Projects-1") },
			"DELETE", "/octopus/api/Spaces-1/projects/Projects-1", "", false},
		// A link the server returned carries the virtual directory already.
		{func() (json.RawMessage, error) { return c.Get(ctx, "/octopus/api/Spaces-1/projects?skip=30&take=30") },
			"GET", "/octopus/api/Spaces-1/projects?skip=30&take=30", "", false},
		{func() (json.RawMessage, error) { return c.Get(ctx, f.URL+"/OCTOPUS/api/spaces") },
			"GET", "/octopus/api/spaces", "", false},
		// An escaped slash in a git ref stays escaped.
		{func() (json.RawMessage, error) {
			return c.Get(ctx, "/api/Spaces-1/projects/Projects-1/refs%2Fheads%2Fmain/deploymentprocesses")
		}, "GET", "/octopus/api/Spaces-1/projects/Projects-1/refs%2Fheads%2Fmain/deploymentprocesses", "", false},
		{func() (json.RawMessage, error) { return c.Do(ctx, http.MethodHead, "/api", nil) },
			"HEAD", "/octopus/api", "", false},
	}
	for i, call := range calls {
		got, err := call.do()
		if err != nil {
			t.Fatalf("call %d: %s", i, errText(t, err))
		}
		if call.method != "HEAD" && string(got) != "{}" {
			t.Errorf("call %d: body %q, want {}", i, got)
		}
		seen := f.requests()
		r := seen[len(seen)-1]
		if r.method != call.method || r.uri != call.uri {
			t.Errorf("call %d: server saw %s %s, want %s %s", i, r.method, r.uri, call.method, call.uri)
		}
		if string(r.body) != call.body {
			t.Errorf("call %d: body sent %s, want %s", i, r.body, call.body)
		}
		if r.key != testKey || r.userAgent != "octosync/test" || r.accept != "application/json" {
			t.Errorf("call %d: headers key-ok=%v user-agent=%q accept=%q", i, r.key == testKey, r.userAgent, r.accept)
		}
		if (r.contentType == "application/json") != call.hasContent {
			t.Errorf("call %d: Content-Type %q", i, r.contentType)
		}
	}
	st := c.Stats()
	want := Stats{Requests: 8, Get: 4, Post: 1, Put: 1, Delete: 1, Other: 1}
	if st != want {
		t.Errorf("Stats = %+v, want %+v", st, want)
	}
}

func TestRefusedPaths(t *testing.T) {
	f := newFake(t)
	c, _ := newClient(t, f.URL, nil)
	for _, tc := range []struct{ path, want string }{
		{"", "empty path"},
		{"api/spaces", "must start with /"},
		{"https://elsewhere.example.com/api/spaces", "refusing to send the API key to https://elsewhere.example.com"},
		{"/api/%zz", "invalid path"},
	} {
		_, err := c.Get(context.Background(), tc.path)
		if msg := errText(t, err); !strings.Contains(msg, tc.want) || !strings.HasPrefix(msg, `instance "hub": GET `) {
			t.Errorf("Get(%q): error %q, want it to contain %q", tc.path, msg, tc.want)
		}
	}
	if _, err := c.Put(context.Background(), "/api/x", json.RawMessage("{")); !strings.Contains(errText(t, err), "not valid JSON") {
		t.Errorf("Put of invalid JSON: %v", err)
	}
	if n := len(f.requests()); n != 0 {
		t.Errorf("%d requests sent, want none", n)
	}
}

func TestRetries(t *testing.T) {
	now := time.Date(2026, 3, 1, 12, 0, 0, 0, time.UTC)
	status := func(code int) reply { return reply{status: code, body: `{"ErrorMessage":"boom"}`} }
	after := func(code int, v string) reply {
		return reply{status: code, header: map[string]string{"Retry-After": v}, body: `{"ErrorMessage":"slow down"}`}
	}
	ok := reply{status: http.StatusOK, body: `{"Id":"x"}`}
	for _, tc := range []struct {
		name    string
		method  string
		retries int
		replies []reply
		// want is the status of the final error, 0 for success.
		want int
		// waits are exact waits; when nil, backoff bounds are checked.
		waits    []time.Duration
		attempts int
	}{
		{name: "GET 500 then ok", method: "GET", replies: []reply{status(500), status(500), ok}, attempts: 3},
		{name: "GET every retriable status", method: "GET", replies: []reply{status(408), status(502), status(503), status(504), ok}, attempts: 5},
		{name: "GET gives up", method: "GET", replies: []reply{status(500)}, want: 500, attempts: 5},
		{name: "GET retries off", method: "GET", retries: -1, replies: []reply{status(503)}, want: 503, attempts: 1},
		{name: "GET two retries", method: "GET", retries: 2, replies: []reply{status(503)}, want: 503, attempts: 3},
		{name: "GET 400 not retried", method: "GET", replies: []reply{status(400)}, want: 400, attempts: 1},
		{name: "GET 404 not retried", method: "GET", replies: []reply{status(404)}, want: 404, attempts: 1},
		{name: "PUT 502 then ok", method: "PUT", replies: []reply{status(502), ok}, attempts: 2},
		{name: "DELETE 503 then ok", method: "DELETE", replies: []reply{status(503), ok}, attempts: 2},
		{name: "POST 500 not retried", method: "POST", replies: []reply{status(500), ok}, want: 500, attempts: 1},
		{name: "POST 503 not retried", method: "POST", replies: []reply{status(503), ok}, want: 503, attempts: 1},
		{name: "POST 429 retried", method: "POST", replies: []reply{after(429, "2"), ok}, attempts: 2,
			waits: []time.Duration{2 * time.Second}},
		{name: "Retry-After seconds", method: "GET", replies: []reply{after(503, "7"), after(429, "0"), ok}, attempts: 3,
			waits: []time.Duration{7 * time.Second, 0}},
		{name: "Retry-After date", method: "GET", replies: []reply{after(429, now.Add(30*time.Second).Format(http.TimeFormat)), ok},
			attempts: 2, waits: []time.Duration{30 * time.Second}},
		{name: "Retry-After date passed", method: "GET", replies: []reply{after(429, now.Add(-time.Hour).Format(http.TimeFormat)), ok},
			attempts: 2, waits: []time.Duration{0}},
		{name: "Retry-After capped", method: "GET", replies: []reply{after(503, "86400"), ok}, attempts: 2,
			waits: []time.Duration{DefaultMaxRetryWait}},
		{name: "Retry-After huge", method: "GET", replies: []reply{after(503, "99999999999999999"), ok}, attempts: 2,
			waits: []time.Duration{DefaultMaxRetryWait}},
		{name: "Retry-After on 400 ignored", method: "GET", replies: []reply{after(400, "5"), ok}, want: 400, attempts: 1},
		{name: "DELETE 500 then 404 is done", method: "DELETE", replies: []reply{status(500), status(404)}, attempts: 2},
		{name: "DELETE 503 then 404 is not found", method: "DELETE", replies: []reply{status(503), status(404)}, want: 404, attempts: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.replies...)
			c, s := newClient(t, f.URL, func(o *Options) {
				o.Retries = tc.retries
				o.Now = func() time.Time { return now }
			})
			var body any
			if tc.method == "POST" || tc.method == "PUT" {
				body = json.RawMessage(`{"Name":"x"}`)
			}
			_, err := c.Do(context.Background(), tc.method, "/api/Spaces-1/environments", body)
			msg := errText(t, err)
			var apiErr *APIError
			switch {
			case tc.want == 0 && err != nil:
				t.Fatalf("error: %s", msg)
			case tc.want != 0 && !errors.As(err, &apiErr):
				t.Fatalf("error %v, want an *APIError", err)
			case tc.want != 0 && apiErr.Status != tc.want:
				t.Errorf("status %d, want %d", apiErr.Status, tc.want)
			}
			reqs := f.requests()
			if len(reqs) != tc.attempts {
				t.Errorf("%d attempts, want %d", len(reqs), tc.attempts)
			}
			for i, r := range reqs {
				if body != nil && string(r.body) != `{"Name":"x"}` {
					t.Errorf("attempt %d sent body %q", i+1, r.body)
				}
			}
			if len(s.waits) != tc.attempts-1 {
				t.Fatalf("waits %v, want %d", s.waits, tc.attempts-1)
			}
			for i, w := range s.waits {
				if tc.waits != nil {
					if w != tc.waits[i] {
						t.Errorf("wait %d = %v, want %v", i+1, w, tc.waits[i])
					}
					continue
				}
				full := DefaultBackoff << i
				if w < full/2 || w > full {
					t.Errorf("wait %d = %v, want within [%v, %v]", i+1, w, full/2, full)
				}
			}
			st := c.Stats()
			if st.Requests != int64(tc.attempts) || st.Retries != int64(tc.attempts-1) {
				t.Errorf("Stats = %+v", st)
			}
			var total time.Duration
			for _, w := range s.waits {
				total += w
			}
			if st.Backoff != total {
				t.Errorf("Stats.Backoff = %v, want %v", st.Backoff, total)
			}
		})
	}
}

func TestBackoffGrowsAndIsCapped(t *testing.T) {
	c, _ := newClient(t, "http://host", func(o *Options) {
		o.Backoff = time.Second
		o.MaxRetryWait = 10 * time.Second
	})
	for n, full := range map[int]time.Duration{1: time.Second, 2: 2 * time.Second, 3: 4 * time.Second, 4: 8 * time.Second, 5: 10 * time.Second, 40: 10 * time.Second} {
		for range 50 {
			if w := c.backoffFor(n); w < full/2 || w > full {
				t.Fatalf("backoffFor(%d) = %v, want within [%v, %v]", n, w, full/2, full)
			}
		}
	}
	c, _ = newClient(t, "http://host", func(o *Options) { o.Backoff = -1 })
	if w := c.backoffFor(3); w != 0 {
		t.Errorf("backoffFor with no backoff = %v, want 0", w)
	}
}

// deadServer returns the URL of a server that has gone: connections are
// refused.
func deadServer(t *testing.T) string {
	t.Helper()
	srv := httptest.NewServer(http.NotFoundHandler())
	srv.Close()
	return srv.URL
}

// hangUpServer returns a server that reads each request and closes the
// connection without answering, and counts the requests.
func hangUpServer(t *testing.T) (string, *atomic.Int64) {
	t.Helper()
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		io.ReadAll(r.Body)
		conn, _, err := w.(http.Hijacker).Hijack()
		if err == nil {
			conn.Close()
		}
	}))
	t.Cleanup(srv.Close)
	return srv.URL, &n
}

func TestUnreachable(t *testing.T) {
	dead := deadServer(t)
	hangUp, _ := hangUpServer(t)
	for _, tc := range []struct {
		name, url, method string
		attempts          int
	}{
		{"GET refused", dead, "GET", 5},
		{"POST refused is retried: it was never sent", dead, "POST", 5},
		{"GET hung up", hangUp, "GET", 5},
		{"PUT hung up", hangUp, "PUT", 5},
		{"POST hung up is not retried: it may have been carried out", hangUp, "POST", 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var events atomic.Int64
			c, _ := newClient(t, tc.url+"/octopus", func(o *Options) {
				o.Observer = func(ev Event) {
					events.Add(1)
					if ev.Status != 0 || ev.Err == nil {
						t.Errorf("event %+v, want status 0 and an error", ev)
					}
				}
			})
			var body any
			if tc.method != "GET" {
				body = map[string]any{"Name": "x"}
			}
			_, err := c.Do(context.Background(), tc.method, "/api/spaces", body)
			msg := errText(t, err)
			want := fmt.Sprintf(`instance "hub": %s /api/spaces: cannot reach the Octopus server at %s/octopus`, tc.method, tc.url)
			if !strings.HasPrefix(msg, want) {
				t.Errorf("error %q, want it to start with %q", msg, want)
			}
			if tc.url == hangUp && !strings.Contains(msg, "the connection closed before an answer came") {
				t.Errorf("error %q does not say the connection closed", msg)
			}
			var ue *UnreachableError
			if !errors.Is(err, ErrUnreachable) || !errors.As(err, &ue) || ue.Attempts != tc.attempts {
				t.Errorf("error %#v, want an *UnreachableError after %d attempts", err, tc.attempts)
			}
			if n := events.Load(); n != int64(tc.attempts) {
				t.Errorf("%d attempts observed, want %d", n, tc.attempts)
			}
		})
	}
}

func TestRetryTransport(t *testing.T) {
	dial := &net.OpError{Op: "dial", Net: "tcp", Err: errors.New("connect: connection refused")}
	read := &net.OpError{Op: "read", Net: "tcp", Err: errors.New("connection reset by peer")}
	unknownHost := &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "no such host", Name: "x.invalid", IsNotFound: true}}
	dnsTimeout := &net.OpError{Op: "dial", Net: "tcp", Err: &net.DNSError{Err: "i/o timeout", Name: "x", IsTimeout: true}}
	badCert := &tls.CertificateVerificationError{Err: errors.New("x509: certificate signed by unknown authority")}
	for _, tc := range []struct {
		method string
		err    error
		want   bool
	}{
		{"GET", dial, true},
		{"GET", read, true},
		{"GET", io.ErrUnexpectedEOF, true},
		{"PUT", read, true},
		{"DELETE", read, true},
		{"POST", dial, true},
		{"POST", dnsTimeout, true},
		{"POST", read, false},
		{"POST", io.ErrUnexpectedEOF, false},
		{"GET", unknownHost, false},
		{"GET", badCert, false},
		{"GET", fmt.Errorf("tls: %w", badCert), false},
	} {
		if got := retryTransport(tc.method, tc.err); got != tc.want {
			t.Errorf("retryTransport(%s, %v) = %v, want %v", tc.method, tc.err, got, tc.want)
		}
	}
}

func TestTimeout(t *testing.T) {
	var n atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n.Add(1)
		<-r.Context().Done() // never answers
	}))
	t.Cleanup(srv.Close)
	c, s := newClient(t, srv.URL, func(o *Options) {
		o.Timeout = 20 * time.Millisecond
		o.Retries = 1
	})
	_, err := c.Get(context.Background(), "/api/spaces")
	msg := errText(t, err)
	if !strings.Contains(msg, "cannot reach the Octopus server") || !strings.Contains(msg, "(2 attempts): no answer within 20ms") {
		t.Errorf("error %q", msg)
	}
	if !errors.Is(err, ErrUnreachable) || !errors.Is(err, context.DeadlineExceeded) {
		t.Errorf("error %#v, want ErrUnreachable and DeadlineExceeded", err)
	}
	if len(s.waits) != 1 {
		t.Errorf("waits %v, want one", s.waits)
	}
}

func TestCancel(t *testing.T) {
	t.Run("while waiting to retry", func(t *testing.T) {
		f := newFake(t, reply{status: 503, body: "{}"})
		ctx, cancel := context.WithCancel(context.Background())
		defer cancel()
		c, _ := newClient(t, f.URL, func(o *Options) {
			o.Sleep = nil // the real timer, which must give up when ctx is done
			o.Backoff = time.Hour
			o.Observer = func(Event) { cancel() }
		})
		_, err := c.Get(ctx, "/api/spaces")
		if msg := errText(t, err); !errors.Is(err, context.Canceled) || !strings.HasPrefix(msg, `instance "hub": GET /api/spaces: `) {
			t.Errorf("error %q, want context.Canceled", msg)
		}
		if n := len(f.requests()); n != 1 {
			t.Errorf("%d attempts, want 1", n)
		}
	})
	t.Run("while in flight", func(t *testing.T) {
		started := make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			close(started)
			<-r.Context().Done()
		}))
		t.Cleanup(srv.Close)
		c, s := newClient(t, srv.URL, nil)
		ctx, cancel := context.WithCancel(context.Background())
		go func() { <-started; cancel() }()
		_, err := c.Get(ctx, "/api/spaces")
		if msg := errText(t, err); !errors.Is(err, context.Canceled) || errors.Is(err, ErrUnreachable) {
			t.Errorf("error %q, want context.Canceled only", msg)
		}
		if len(s.waits) != 0 {
			t.Errorf("retried after cancellation: waits %v", s.waits)
		}
	})
	t.Run("while queued", func(t *testing.T) {
		started, release := make(chan struct{}), make(chan struct{})
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			started <- struct{}{}
			<-release
			io.WriteString(w, "{}")
		}))
		t.Cleanup(srv.Close)
		c, _ := newClient(t, srv.URL, func(o *Options) { o.Concurrency = 1 })
		done := make(chan error)
		go func() { _, err := c.Get(context.Background(), "/api/a"); done <- err }()
		<-started
		ctx, cancel := context.WithCancel(context.Background())
		cancel()
		_, err := c.Get(ctx, "/api/b")
		if !errors.Is(err, context.Canceled) {
			t.Errorf("queued request: error %v, want context.Canceled", err)
		}
		close(release)
		if err := <-done; err != nil {
			t.Errorf("first request: %s", errText(t, err))
		}
	})
}

func TestConcurrencyBound(t *testing.T) {
	const limit, requests = 3, 20
	var inFlight, peak atomic.Int64
	full, release := make(chan struct{}), make(chan struct{})
	var once sync.Once
	srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
		n := inFlight.Add(1)
		defer inFlight.Add(-1)
		for p := peak.Load(); n > p && !peak.CompareAndSwap(p, n); p = peak.Load() {
		}
		if n == limit {
			once.Do(func() { close(full) })
		}
		<-release
		io.WriteString(w, "{}")
	}))
	t.Cleanup(srv.Close)
	c, _ := newClient(t, srv.URL, func(o *Options) { o.Concurrency = limit })
	var wg sync.WaitGroup
	for i := range requests {
		wg.Go(func() {
			if _, err := c.Get(context.Background(), fmt.Sprintf("/api/Spaces-%d", i)); err != nil {
				t.Error(errText(t, err))
			}
		})
	}
	<-full // the bound is reached; more requests are waiting for a slot
	close(release)
	wg.Wait()
	if p := peak.Load(); p != limit {
		t.Errorf("peak in flight = %d, want %d", p, limit)
	}
	if st := c.Stats(); st.Get != requests || st.Queued <= 0 {
		t.Errorf("Stats = %+v, want %d GETs and some queueing", st, requests)
	}
}

func TestAnswers(t *testing.T) {
	elsewhere := newFake(t)
	for _, tc := range []struct {
		name  string
		reply reply
		want  string // error substring; empty means success with body
		body  string
	}{
		{name: "empty body", reply: reply{status: 200}, body: ""},
		{name: "created", reply: reply{status: 201, body: `{"Id":"Projects-1"}`}, body: `{"Id":"Projects-1"}`},
		{name: "html", reply: reply{status: 200, header: map[string]string{"Content-Type": "text/html"}, body: "<html>sign in</html>"},
			want: "answered 200 with something other than JSON (text/html): check that the instance URL is the Octopus server's address"},
		{name: "redirect", reply: reply{status: 302, header: map[string]string{"Location": elsewhere.URL + "/api/spaces"}},
			want: `302 Found: the server redirects to "` + elsewhere.URL + `/api/spaces" and octosync does not follow redirects: set the instance URL`},
		{name: "key echoed", reply: reply{status: 400, body: `{"ErrorMessage":"bad key ` + testKey + `","Errors":["` + testKey + `"]}`},
			want: "400 Bad Request: bad key API-*** (API-***)"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.reply)
			c, _ := newClient(t, f.URL, nil)
			got, err := c.Put(context.Background(), "/api/spaces/Spaces-1", map[string]any{"Name": "x"})
			msg := errText(t, err)
			switch {
			case tc.want == "" && err != nil:
				t.Fatalf("error %s", msg)
			case tc.want == "" && string(got) != tc.body:
				t.Errorf("body %q, want %q", got, tc.body)
			case tc.want != "" && !strings.Contains(msg, tc.want):
				t.Errorf("error %q, want it to contain %q", msg, tc.want)
			}
		})
	}
	if n := len(elsewhere.requests()); n != 0 {
		t.Errorf("the redirect was followed")
	}
}

func TestObserver(t *testing.T) {
	f := newFake(t, reply{status: 503, body: "{}"}, reply{status: 200, body: "{}"})
	var mu sync.Mutex
	var events []Event
	c, _ := newClient(t, f.URL, func(o *Options) {
		o.Observer = func(ev Event) {
			mu.Lock()
			defer mu.Unlock()
			events = append(events, ev)
		}
	})
	if _, err := c.Get(context.Background(), "/api/spaces?take=5"); err != nil {
		t.Fatal(errText(t, err))
	}
	var got []string
	for _, ev := range events {
		got = append(got, fmt.Sprintf("%s %s %d #%d", ev.Method, ev.Path, ev.Status, ev.Attempt))
	}
	want := []string{"GET /api/spaces?take=5 503 #1", "GET /api/spaces?take=5 200 #2"}
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("events:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
}

func TestEncodeBody(t *testing.T) {
	for _, tc := range []struct {
		body any
		want string
	}{
		{nil, ""},
		{json.RawMessage(nil), ""},
		{json.RawMessage(` {"a": 1.0} `), ` {"a": 1.0} `},
		{map[string]any{"Script": "a && b > c", "N": json.Number("1.50")}, `{"N":1.50,"Script":"a && b > c"}`},
	} {
		got, err := encodeBody(tc.body)
		if err != nil || !bytes.Equal(got, []byte(tc.want)) || (tc.want == "") != (got == nil) {
			t.Errorf("encodeBody(%v) = %q, %v; want %q", tc.body, got, err, tc.want)
		}
	}
	if _, err := encodeBody(func() {}); err == nil {
		t.Error("encodeBody(func) succeeded")
	}
}
