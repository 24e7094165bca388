package octopus

import (
	"bytes"
	"cmp"
	"context"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"strings"
	"sync/atomic"
	"time"
)

// Defaults for the zero values of [Options].
const (
	DefaultConcurrency  = 8
	DefaultRetries      = 4
	DefaultTimeout      = 60 * time.Second
	DefaultUserAgent    = "octosync"
	DefaultPageSize     = 1000
	DefaultBackoff      = 500 * time.Millisecond
	DefaultMaxRetryWait = 60 * time.Second
)

// redactedKey stands in for the API key wherever a value holding it is
// printed.
const redactedKey = "API-***"

// Options configures a [Client] for one Octopus instance. Zero (and, where
// not said otherwise, negative) values mean the defaults above.
type Options struct {
	// Instance is octosync's name for the instance; every error starts
	// with it.
	Instance string
	// URL is the server's address as opened in a browser: http or https, a
	// host, and a path prefix when Octopus is hosted in a virtual directory
	// (http://host/octopus). A trailing "/api" is dropped.
	URL string
	// APIKey authenticates every request in the X-Octopus-ApiKey header.
	// Surrounding white space is ignored. The key is never printed: not in
	// errors, and not when Options or the Client is formatted.
	APIKey string
	// HTTPClient sends the requests. Nil means a client whose transport
	// keeps Concurrency idle connections to the server. Either way redirects
	// are not followed: a redirect is an error telling the user to fix the
	// URL, because following one could turn a PUT into a GET or send the key
	// to another server.
	HTTPClient *http.Client
	// Concurrency bounds the requests in flight at once, across all callers
	// of the client.
	Concurrency int
	// Retries is how many times a failed request may be retried; negative
	// means never. The package documentation says which failures are.
	Retries int
	// Timeout bounds each attempt, from sending the request to reading the
	// whole answer; negative means no limit.
	Timeout time.Duration
	// UserAgent is sent with every request.
	UserAgent string
	// PageSize is the take [Client.List] asks for.
	PageSize int
	// Backoff is the wait before the first retry; it doubles for each
	// further retry, and each wait is jittered down by up to half. Negative
	// means no wait.
	Backoff time.Duration
	// MaxRetryWait caps every wait between attempts, including a server's
	// Retry-After.
	MaxRetryWait time.Duration
	// Observer, when set, is called after every attempt, on the goroutine
	// that made it; it must be safe for concurrent use.
	Observer func(Event)
	// Sleep waits d between attempts, returning early with the context's
	// error when ctx is done. Nil means a timer; tests inject one that
	// records the waits and returns at once.
	Sleep func(ctx context.Context, d time.Duration) error
	// Now tells the time, to turn a Retry-After date into a wait. Nil means
	// time.Now.
	Now func() time.Time
}

// Format prints o as fmt would, with the API key replaced by "API-***".
func (o Options) Format(f fmt.State, verb rune) {
	type plain Options
	if o.APIKey != "" {
		o.APIKey = redactedKey
	}
	fmt.Fprintf(f, fmt.FormatString(f, verb), plain(o))
}

// Event describes one attempt of one request, for [Options.Observer].
type Event struct {
	// Method and Path are the request's; Path is the API path below the
	// instance URL, with its query.
	Method, Path string
	// Attempt counts from 1; a retry has Attempt > 1.
	Attempt int
	// Status is the HTTP status, or 0 when no answer came.
	Status int
	// Err is the transport error when Status is 0.
	Err error
	// Duration is the time from sending the request to reading the answer.
	Duration time.Duration
}

// Stats counts a client's work since it was made. Requests counts attempts:
// a request retried twice counts three times.
type Stats struct {
	// Requests is the sum of the per-method counts.
	Requests int64
	// Get, Post, Put and Delete count requests by method; Other counts the
	// rest (HEAD, …).
	Get, Post, Put, Delete, Other int64
	// Retries counts attempts after the first of each request.
	Retries int64
	// Queued is the total time requests waited for a slot under the
	// concurrency bound.
	Queued time.Duration
	// Backoff is the total time spent waiting between attempts.
	Backoff time.Duration
}

// Client speaks to one Octopus instance. It is safe for concurrent use; all
// requests share one concurrency bound.
type Client struct {
	instance  string
	base      *url.URL // scheme, host and path prefix; no trailing slash
	prefix    string   // base's escaped path: "" or "/octopus"
	key       *apiKey
	http      *http.Client
	slots     chan struct{}
	retries   int
	timeout   time.Duration
	userAgent string
	pageSize  int
	backoff   time.Duration
	maxWait   time.Duration
	observer  func(Event)
	sleep     func(context.Context, time.Duration) error
	now       func() time.Time

	get, post, put, del, other atomic.Int64
	retried, queued, slept     atomic.Int64
}

// apiKey holds the key behind a pointer, so that printing a Client with
// %#v shows an address, not the key.
type apiKey struct{ v string }

// New returns a client for the instance o describes, after checking its
// URL and API key. It makes no request.
func New(o Options) (*Client, error) {
	subject := ""
	if o.Instance != "" {
		subject = fmt.Sprintf("instance %q: ", o.Instance)
	}
	base, err := parseBaseURL(o.URL)
	if err != nil {
		return nil, fmt.Errorf("%s%w", subject, err)
	}
	key := strings.TrimSpace(o.APIKey)
	if err := checkAPIKey(key); err != nil {
		return nil, fmt.Errorf("%s%w", subject, err)
	}
	c := &Client{
		instance:  o.Instance,
		base:      base,
		prefix:    base.EscapedPath(),
		key:       &apiKey{key},
		retries:   orNone(o.Retries, DefaultRetries),
		timeout:   orNone(o.Timeout, DefaultTimeout),
		userAgent: cmp.Or(o.UserAgent, DefaultUserAgent),
		pageSize:  orDefault(o.PageSize, DefaultPageSize),
		backoff:   orNone(o.Backoff, DefaultBackoff),
		maxWait:   orDefault(o.MaxRetryWait, DefaultMaxRetryWait),
		observer:  o.Observer,
		sleep:     o.Sleep,
		now:       o.Now,
	}
	concurrency := orDefault(o.Concurrency, DefaultConcurrency)
	c.slots = make(chan struct{}, concurrency)
	if c.sleep == nil {
		c.sleep = sleep
	}
	if c.now == nil {
		c.now = time.Now
	}
	if o.HTTPClient != nil {
		hc := *o.HTTPClient
		c.http = &hc
	} else {
		c.http = &http.Client{}
		if t, ok := http.DefaultTransport.(*http.Transport); ok {
			t = t.Clone()
			t.MaxIdleConnsPerHost = concurrency
			c.http.Transport = t
		}
	}
	c.http.CheckRedirect = func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse }
	return c, nil
}

// orDefault returns def for a value that is not positive.
func orDefault[T int | time.Duration](v, def T) T {
	if v <= 0 {
		return def
	}
	return v
}

// orNone returns def for zero and zero for a negative value.
func orNone[T int | time.Duration](v, def T) T {
	switch {
	case v == 0:
		return def
	case v < 0:
		return 0
	}
	return v
}

// parseBaseURL checks an instance URL and returns it without a trailing
// slash or "/api".
func parseBaseURL(raw string) (*url.URL, error) {
	const example = "such as https://octopus.example.com"
	raw = strings.TrimSpace(raw)
	if raw == "" {
		return nil, fmt.Errorf("no URL: set the instance's url to the Octopus server's address, %s", example)
	}
	u, err := url.Parse(raw)
	if err != nil {
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err
		}
		return nil, fmt.Errorf("the URL is not valid (%v): set it to the Octopus server's address, %s", err, example)
	}
	switch {
	case u.User != nil:
		return nil, fmt.Errorf("the URL %q carries a user name or password: remove them; octosync authenticates with the API key", u.Redacted())
	case u.Scheme != "http" && u.Scheme != "https":
		return nil, fmt.Errorf("the URL %q must start with http:// or https://, %s", raw, example)
	case u.Host == "":
		return nil, fmt.Errorf("the URL %q has no host: set it to the Octopus server's address, %s", raw, example)
	case u.RawQuery != "" || u.ForceQuery || u.Fragment != "":
		return nil, fmt.Errorf("the URL %q must not have a query or fragment: set it to the Octopus server's address, %s", raw, example)
	}
	p := strings.TrimRight(u.EscapedPath(), "/")
	if len(p) >= 4 && strings.EqualFold(p[len(p)-4:], "/api") {
		p = p[:len(p)-4]
	}
	unescaped, err := url.PathUnescape(p)
	if err != nil {
		return nil, fmt.Errorf("the URL %q has a malformed path: %v", raw, err)
	}
	return &url.URL{Scheme: u.Scheme, Host: u.Host, Path: unescaped, RawPath: p}, nil
}

// checkAPIKey checks that key looks like an Octopus API key, as the
// official client does: "API-" then upper-case letters and digits. Its
// errors never quote the key.
func checkAPIKey(key string) error {
	const shape = `an Octopus API key is "API-" followed by upper-case letters and digits; create one on your Octopus user's profile page, under API keys`
	rest, ok := strings.CutPrefix(key, "API-")
	switch {
	case key == "":
		return errors.New("no API key: set the instance's apiKey; " + shape)
	case !ok:
		return errors.New(`the API key does not start with "API-": ` + shape)
	case rest == "":
		return errors.New(`the API key has nothing after "API-": ` + shape)
	}
	for _, r := range rest {
		if (r < 'A' || r > 'Z') && (r < '0' || r > '9') {
			return errors.New(`the API key has characters other than upper-case letters and digits after "API-": ` + shape)
		}
	}
	return nil
}

// String describes c without its API key.
func (c *Client) String() string {
	return fmt.Sprintf("octopus client for instance %q at %s", c.instance, c.base)
}

// Stats returns the client's counters.
func (c *Client) Stats() Stats {
	s := Stats{
		Get:     c.get.Load(),
		Post:    c.post.Load(),
		Put:     c.put.Load(),
		Delete:  c.del.Load(),
		Other:   c.other.Load(),
		Retries: c.retried.Load(),
		Queued:  time.Duration(c.queued.Load()),
		Backoff: time.Duration(c.slept.Load()),
	}
	s.Requests = s.Get + s.Post + s.Put + s.Delete + s.Other
	return s
}

// Get reads the document at path.
func (c *Client) Get(ctx context.Context, path string) (json.RawMessage, error) {
	return c.Do(ctx, http.MethodGet, path, nil)
}

// Post sends body to path, usually to create a document, and returns the
// server's answer (the created document).
func (c *Client) Post(ctx context.Context, path string, body any) (json.RawMessage, error) {
	return c.Do(ctx, http.MethodPost, path, body)
}

// Put replaces the document at path with body and returns the server's
// answer (the stored document).
func (c *Client) Put(ctx context.Context, path string, body any) (json.RawMessage, error) {
	return c.Do(ctx, http.MethodPut, path, body)
}

// Delete deletes the document at path and returns the server's answer,
// which is empty or, for some kinds, a task.
func (c *Client) Delete(ctx context.Context, path string) (json.RawMessage, error) {
	return c.Do(ctx, http.MethodDelete, path, nil)
}

// Do sends one request and returns the answer's body, nil when it is empty.
//
// path is an API path such as "/api/Spaces-1/projects", with an optional
// query; it is put below the instance URL's path prefix unless it already
// starts with it, as links the server returns do. An absolute URL is
// accepted only when it points at the instance's own server.
//
// body is sent as JSON: a [json.RawMessage] as it is, anything else
// marshalled (without HTML escaping); nil sends no body.
//
// Failed attempts are retried as the package documentation describes. A
// 2xx answer whose body is not JSON is an error (the URL probably does not
// point at Octopus). Any other answer is an [*APIError]; no answer at all
// is an [*UnreachableError]. A DELETE retried after an attempt that may
// have reached the server, and then answered 404, has succeeded.
func (c *Client) Do(ctx context.Context, method, path string, body any) (json.RawMessage, error) {
	u, display, err := c.resolve(path)
	if err != nil {
		return nil, c.wrap(method, path, err)
	}
	payload, err := encodeBody(body)
	if err != nil {
		return nil, c.wrap(method, display, err)
	}
	reached := false // an earlier attempt may have been carried out
	for attempt := 1; ; attempt++ {
		r, err := c.attempt(ctx, method, u, display, payload, attempt)
		var (
			fail       error
			again      bool
			wait       time.Duration
			serverWait bool
		)
		switch {
		case err != nil:
			if ctx.Err() != nil {
				return nil, c.wrap(method, display, context.Cause(ctx))
			}
			fail = &UnreachableError{Instance: c.instance, URL: c.base.String(), Method: method, Path: display, Attempts: attempt, Err: err}
			again = retryTransport(method, err)
			reached = reached || !notSent(err)
		case r.status >= 200 && r.status < 300:
			return c.success(method, display, r)
		case method == http.MethodDelete && r.status == http.StatusNotFound && reached:
			return nil, nil
		default:
			fail = c.apiError(method, display, r)
			again = retryStatus(method, r.status)
			wait, serverWait = retryAfter(r.header, c.now())
			reached = reached || ambiguousStatus(r.status)
		}
		if !again || attempt > c.retries {
			return nil, fail
		}
		if !serverWait {
			wait = c.backoffFor(attempt)
		}
		wait = min(wait, c.maxWait)
		c.retried.Add(1)
		c.slept.Add(int64(wait))
		if err := c.sleep(ctx, wait); err != nil {
			return nil, c.wrap(method, display, err)
		}
	}
}

// response is one answer, read in full.
type response struct {
	status int
	header http.Header
	body   []byte
}

// attempt sends one request under the concurrency bound and the per-attempt
// timeout, and reads the whole answer.
func (c *Client) attempt(ctx context.Context, method string, u *url.URL, display string, payload []byte, n int) (*response, error) {
	if err := c.acquire(ctx); err != nil {
		return nil, err
	}
	defer func() { <-c.slots }()
	actx, cancel := ctx, context.CancelFunc(func() {})
	if c.timeout > 0 {
		actx, cancel = context.WithTimeout(ctx, c.timeout)
	}
	defer cancel()
	var rd io.Reader
	if payload != nil {
		rd = bytes.NewReader(payload)
	}
	req, err := http.NewRequestWithContext(actx, method, u.String(), rd)
	if err != nil {
		return nil, err
	}
	req.Header.Set("X-Octopus-ApiKey", c.key.v)
	req.Header.Set("Accept", "application/json")
	req.Header.Set("User-Agent", c.userAgent)
	if payload != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	c.count(method)
	start := time.Now()
	var r *response
	res, err := c.http.Do(req)
	if err == nil {
		var body []byte
		body, err = io.ReadAll(res.Body)
		res.Body.Close()
		r = &response{status: res.StatusCode, header: res.Header, body: body}
	}
	if err != nil {
		r = nil
		if ue, ok := errors.AsType[*url.Error](err); ok {
			err = ue.Err // the URL is in the caller's message already
		}
		switch {
		case ctx.Err() == nil && errors.Is(actx.Err(), context.DeadlineExceeded):
			err = fmt.Errorf("no answer within %v: %w", c.timeout, context.DeadlineExceeded)
		case errors.Is(err, io.EOF) || errors.Is(err, io.ErrUnexpectedEOF):
			err = fmt.Errorf("the connection closed before an answer came: %w", err)
		}
	}
	if c.observer != nil {
		ev := Event{Method: method, Path: display, Attempt: n, Err: err, Duration: time.Since(start)}
		if r != nil {
			ev.Status = r.status
		}
		c.observer(ev)
	}
	return r, err
}

// acquire takes a slot under the concurrency bound, waiting for one if
// need be.
func (c *Client) acquire(ctx context.Context) error {
	select {
	case c.slots <- struct{}{}:
		return nil
	default:
	}
	start := time.Now()
	defer func() { c.queued.Add(int64(time.Since(start))) }()
	select {
	case c.slots <- struct{}{}:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}

func (c *Client) count(method string) {
	switch method {
	case http.MethodGet:
		c.get.Add(1)
	case http.MethodPost:
		c.post.Add(1)
	case http.MethodPut:
		c.put.Add(1)
	case http.MethodDelete:
		c.del.Add(1)
	default:
		c.other.Add(1)
	}
}

// success returns a 2xx answer's body after checking that it is JSON.
func (c *Client) success(method, display string, r *response) (json.RawMessage, error) {
	if len(bytes.TrimSpace(r.body)) == 0 {
		return nil, nil
	}
	if !json.Valid(r.body) {
		ct := r.header.Get("Content-Type")
		if ct == "" {
			ct = "no content type"
		}
		return nil, c.wrap(method, display, fmt.Errorf("the server at %s answered %d with something other than JSON (%s): check that the instance URL is the Octopus server's address", c.base, r.status, ct))
	}
	return r.body, nil
}

// apiError makes an error answer into an *APIError, reading Octopus's JSON
// error document when there is one.
func (c *Client) apiError(method, display string, r *response) *APIError {
	e := &APIError{Instance: c.instance, Method: method, Path: display, Status: r.status}
	var doc struct {
		ErrorMessage string
		Errors       []string
	}
	if json.Unmarshal(r.body, &doc) != nil {
		// Errors may be something other than a list of strings; keep the
		// message at least.
		doc.Errors = nil
		var msg struct{ ErrorMessage string }
		_ = json.Unmarshal(r.body, &msg)
		doc.ErrorMessage = msg.ErrorMessage
	}
	e.ErrorMessage = c.scrub(doc.ErrorMessage)
	for _, s := range doc.Errors {
		e.Errors = append(e.Errors, c.scrub(s))
	}
	if r.status >= 300 && r.status < 400 {
		e.ErrorMessage = fmt.Sprintf("the server redirects to %q and octosync does not follow redirects: set the instance URL to the address it redirects to", c.scrub(r.header.Get("Location")))
	}
	return e
}

// scrub removes the API key from text the server sent, in case a proxy or
// a server echoes it back.
func (c *Client) scrub(s string) string {
	return strings.ReplaceAll(s, c.key.v, redactedKey)
}

// wrap puts the instance, method and path before err.
func (c *Client) wrap(method, path string, err error) error {
	var b strings.Builder
	writeSubject(&b, c.instance, "", "", "")
	return fmt.Errorf("%s%s %s: %w", b.String(), method, path, err)
}

// resolve turns an API path, a server link (which may already carry the
// virtual directory) or an absolute URL on the instance's server into the
// URL to request, and the API path to show in messages.
func (c *Client) resolve(path string) (*url.URL, string, error) {
	if path == "" {
		return nil, "", errors.New("empty path")
	}
	ref, err := url.Parse(path)
	if err != nil {
		return nil, "", fmt.Errorf("invalid path: %w", err)
	}
	if ref.Scheme != "" || ref.Host != "" {
		if !strings.EqualFold(ref.Scheme, c.base.Scheme) || !strings.EqualFold(ref.Host, c.base.Host) {
			return nil, "", fmt.Errorf("refusing to send the API key to %s://%s, which is not the instance's server", ref.Scheme, ref.Host)
		}
	}
	rel := ref.EscapedPath()
	if !strings.HasPrefix(rel, "/") {
		return nil, "", errors.New("the path must start with /")
	}
	if p := c.prefix; p != "" && len(rel) >= len(p)+4 && strings.EqualFold(rel[:len(p)], p) &&
		rel[len(p):len(p)+4] == "/api" && (len(rel) == len(p)+4 || rel[len(p)+4] == '/') {
		rel = rel[len(p):]
	}
	full := c.prefix + rel
	unescaped, err := url.PathUnescape(full)
	if err != nil {
		return nil, "", fmt.Errorf("invalid path: %w", err)
	}
	u := &url.URL{Scheme: c.base.Scheme, Host: c.base.Host, Path: unescaped, RawPath: full, RawQuery: ref.RawQuery}
	display := rel
	if ref.RawQuery != "" {
		display += "?" + ref.RawQuery
	}
	return u, display, nil
}

// encodeBody returns the JSON to send for body: nil for nil, a RawMessage
// as it is (after checking it), anything else marshalled without HTML
// escaping.
func encodeBody(body any) ([]byte, error) {
	switch b := body.(type) {
	case nil:
		return nil, nil
	case json.RawMessage:
		if len(b) == 0 {
			return nil, nil
		}
		if !json.Valid(b) {
			return nil, errors.New("the request body is not valid JSON")
		}
		return b, nil
	}
	var buf bytes.Buffer
	enc := json.NewEncoder(&buf)
	enc.SetEscapeHTML(false)
	if err := enc.Encode(body); err != nil {
		return nil, fmt.Errorf("encode the request body: %w", err)
	}
	return bytes.TrimSuffix(buf.Bytes(), []byte("\n")), nil
}

// sleep waits d or until ctx is done.
func sleep(ctx context.Context, d time.Duration) error {
	if d <= 0 {
		return context.Cause(ctx)
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case <-t.C:
		return nil
	case <-ctx.Done():
		return context.Cause(ctx)
	}
}
