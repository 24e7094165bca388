package emulator

import (
	"bytes"
	"crypto/sha256"
	"crypto/subtle"
	"encoding/hex"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"net/url"
	"regexp"
	"slices"
	"strings"
	"sync"

	"octosync.dev/octosync/octopus"
)

// instance is one emulated Octopus Server: its own state, API key and
// path prefix.
type instance struct {
	srv    *Server
	name   string // "" for the default instance
	prefix string // "" or "/name"
	apiKey string
	links  *linker
	kinds  map[string]*kindDef // registered kinds by name
	byPath map[string]*kindDef // collection kinds by lower-case path

	mu sync.RWMutex
	st *state
	// installationID is the root document's InstallationId, kept in the
	// state so that it survives a restart.
	installationID string
}

func newInstance(srv *Server, name, apiKey string) *instance {
	in := &instance{srv: srv, name: name, apiKey: apiKey, kinds: map[string]*kindDef{}, byPath: map[string]*kindDef{}}
	if name != "" {
		in.prefix = "/" + name
	}
	in.links = &linker{prefix: in.prefix}
	for name := range registered {
		k := definition(name)
		in.kinds[name] = k
		if k.Shape == octopus.Collection && !k.h.unrouted {
			p := strings.ToLower(k.Path)
			if other := in.byPath[p]; other != nil {
				panic(fmt.Sprintf("emulator: kinds %q and %q share the path %q", other.Name, k.Name, k.Path))
			}
			in.byPath[p] = k
		}
	}
	return in
}

// apiRoute is a route that is not part of a kind's collection: the root,
// settings, server status. pattern is matched against the path segments
// after /api/ ("*" matches any one segment).
type apiRoute struct {
	method  string
	pattern string
	anon    bool // served without an API key
	write   bool
	perm    string
	handle  func(c *ctx, args []string) (int, any, error)
}

var apiRoutes []apiRoute

// registerAPI adds instance-level routes; called from init functions.
func registerAPI(rs ...apiRoute) { apiRoutes = append(apiRoutes, rs...) }

// endpoint is a matched route, before the request's state is looked at.
type endpoint struct {
	write bool
	anon  bool
	perm  string
	// space is the space the route names: an id or slug, defaultSpace for
	// the unprefixed default-space form, or "" for an instance route.
	space  string
	handle func(c *ctx) (int, any, error)
}

// defaultSpace marks an unprefixed route to a space-scoped collection.
const defaultSpace = "\x00default"

var spaceIDPattern = regexp.MustCompile(`(?i)^spaces-\d+$`)

// spaceScopedSegments are the names after /api/spaces/{id}/ that belong to
// the space document itself rather than to a collection in the space.
var spaceScopedSegments = map[string]bool{"logo": true, "search": true}

// match finds the route for a method and the path segments after /api.
func (in *instance) match(method string, segs []string) (*endpoint, error) {
	if len(segs) == 0 {
		if method != http.MethodGet {
			return nil, methodNotAllowed(method, []string{http.MethodGet})
		}
		return &endpoint{anon: true, handle: in.root}, nil
	}
	if spaceIDPattern.MatchString(segs[0]) {
		if len(segs) == 1 {
			if method != http.MethodGet {
				return nil, methodNotAllowed(method, []string{http.MethodGet})
			}
			return &endpoint{anon: true, space: segs[0], handle: in.spaceRoot}, nil
		}
		return in.matchSpace(method, segs[0], segs[1:])
	}
	if strings.EqualFold(segs[0], "spaces") && len(segs) >= 3 && !strings.EqualFold(segs[1], "all") && !spaceScopedSegments[strings.ToLower(segs[2])] {
		return in.matchSpace(method, segs[1], segs[2:])
	}
	if ep, err := matchAPIRoutes(method, segs); ep != nil || err != nil {
		return ep, err
	}
	if k := in.byPath[strings.ToLower(segs[0])]; k != nil {
		if k.Scope.Has(scopeInstance) {
			return in.matchCollection(method, k, "", segs[1:])
		}
		return in.matchCollection(method, k, defaultSpace, segs[1:])
	}
	return nil, routeNotFound()
}

// matchSpace matches a route inside a space.
func (in *instance) matchSpace(method, space string, segs []string) (*endpoint, error) {
	if k := in.byPath[strings.ToLower(segs[0])]; k != nil && k.Scope.Has(scopeSpace) {
		return in.matchCollection(method, k, space, segs[1:])
	}
	return nil, routeNotFound()
}

func matchAPIRoutes(method string, segs []string) (*endpoint, error) {
	var allow []string
	for _, r := range apiRoutes {
		args, ok := matchPattern(r.pattern, segs)
		if !ok {
			continue
		}
		if r.method != method {
			allow = append(allow, r.method)
			continue
		}
		return &endpoint{anon: r.anon, write: r.write, perm: r.perm, handle: func(c *ctx) (int, any, error) {
			return r.handle(c, args)
		}}, nil
	}
	if allow != nil {
		return nil, methodNotAllowed(method, allow)
	}
	return nil, nil
}

// matchPattern matches segments against a slash-separated pattern whose
// "*" and "{id}" segments match anything; it returns the matched values.
func matchPattern(pattern string, segs []string) ([]string, bool) {
	var parts []string
	if pattern != "" {
		parts = strings.Split(pattern, "/")
	}
	if len(parts) != len(segs) {
		return nil, false
	}
	var args []string
	for i, p := range parts {
		switch {
		case p == "*" || p == "{id}":
			args = append(args, segs[i])
		case !strings.EqualFold(p, segs[i]):
			return nil, false
		}
	}
	return args, true
}

// matchCollection matches a route below a kind's collection path.
func (in *instance) matchCollection(method string, k *kindDef, space string, rest []string) (*endpoint, error) {
	var allow []string
	for _, r := range k.h.routes {
		args, ok := matchPattern(r.pattern, rest)
		if !ok {
			continue
		}
		if r.method != method {
			allow = append(allow, r.method)
			continue
		}
		withID := strings.HasPrefix(r.pattern, "{id}")
		return &endpoint{write: r.write, perm: r.perm, space: space, handle: func(c *ctx) (int, any, error) {
			if withID {
				doc, err := findDoc(c, k, args[0])
				if err != nil {
					return 0, nil, err
				}
				c.doc = doc
			}
			return r.handle(c, args)
		}}, nil
	}
	if allow != nil {
		return nil, methodNotAllowed(method, allow)
	}
	p := k.h.perms
	switch {
	case len(rest) == 0:
		switch method {
		case http.MethodGet:
			return &endpoint{perm: p.View, space: space, handle: func(c *ctx) (int, any, error) { return listHandler(c, k) }}, nil
		case http.MethodPost:
			if k.h.noCreate {
				return nil, methodNotAllowed(method, []string{http.MethodGet})
			}
			return &endpoint{write: true, perm: p.Create, space: space, handle: func(c *ctx) (int, any, error) { return createHandler(c, k) }}, nil
		}
		return nil, methodNotAllowed(method, []string{http.MethodGet, http.MethodPost})
	case len(rest) == 1 && strings.EqualFold(rest[0], "all"):
		if method != http.MethodGet {
			return nil, methodNotAllowed(method, []string{http.MethodGet})
		}
		return &endpoint{perm: p.View, space: space, handle: func(c *ctx) (int, any, error) { return allHandler(c, k) }}, nil
	case len(rest) == 1:
		id := rest[0]
		switch method {
		case http.MethodGet:
			return &endpoint{perm: p.View, space: space, handle: func(c *ctx) (int, any, error) { return getHandler(c, k, id) }}, nil
		case http.MethodPut:
			return &endpoint{write: true, perm: p.Edit, space: space, handle: func(c *ctx) (int, any, error) { return updateHandler(c, k, id) }}, nil
		case http.MethodDelete:
			if k.h.noDelete {
				return nil, methodNotAllowed(method, []string{http.MethodGet, http.MethodPut})
			}
			return &endpoint{write: true, perm: p.Delete, space: space, handle: func(c *ctx) (int, any, error) { return deleteHandler(c, k, id) }}, nil
		}
		return nil, methodNotAllowed(method, []string{http.MethodGet, http.MethodPut, http.MethodDelete})
	}
	return nil, routeNotFound()
}

// visible reports whether a document of k may be addressed in the
// request's space: documents of the space, and for kinds that also live at
// instance level (teams, role grants) instance-level documents too.
func visible(c *ctx, k *kindDef, doc Doc) bool {
	b := bucketOf(k, doc)
	if c.spaceID == "" {
		return true
	}
	return b == c.spaceID || (b == "" && k.Scope.Has(scopeInstance))
}

// findDoc looks a document up by id (or slug, for kinds that have one) in
// the request's scope.
func findDoc(c *ctx, k *kindDef, id string) (Doc, error) {
	coll := c.st.coll(k)
	doc := coll.get(id)
	if doc == nil {
		// Ids are matched case-insensitively and slugs are accepted in
		// place of ids, as the real server does for the kinds that have
		// them.
		for _, d := range coll.list(k, c.spaceID) {
			if strings.EqualFold(asString(d["Id"]), id) || (asString(d["Slug"]) != "" && asString(d["Slug"]) == id) {
				doc = d
				break
			}
		}
	}
	if doc == nil || !visible(c, k, doc) {
		return nil, notFound(id)
	}
	return doc, nil
}

// docsInScope returns the documents of k a list request in the request's
// scope sees.
func docsInScope(c *ctx, k *kindDef) []Doc {
	coll := c.st.coll(k)
	if c.spaceID != "" {
		docs := coll.list(k, c.spaceID)
		if k.Scope.Has(scopeInstance) && !strings.EqualFold(c.param("includeSystem"), "false") {
			docs = append(slices.Clone(docs), coll.list(k, "")...)
			slices.SortFunc(docs, k.compare)
		}
		return docs
	}
	if !k.Scope.Has(scopeSpace) {
		return coll.list(k, "")
	}
	// An instance-level list of a kind that lives at both levels: every
	// document, or those of the spaces asked for.
	docs := coll.all(k)
	spaces := splitList(c.param("spaces"))
	system := !strings.EqualFold(c.param("includeSystem"), "false")
	if len(spaces) == 0 {
		return docs
	}
	out := docs[:0:0]
	for _, d := range docs {
		b := bucketOf(k, d)
		if (b == "" && system) || slices.Contains(spaces, b) {
			out = append(out, d)
		}
	}
	return out
}

func listHandler(c *ctx, k *kindDef) (int, any, error) {
	env, err := listResponse(c, k, c.inst.links.collection(k, c.spaceID), docsInScope(c, k))
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, env, nil
}

func allHandler(c *ctx, k *kindDef) (int, any, error) {
	return http.StatusOK, c.renderAll(k.Name, filterDocs(c, k, docsInScope(c, k))), nil
}

func getHandler(c *ctx, k *kindDef, id string) (int, any, error) {
	doc, err := findDoc(c, k, id)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, c.render(k.Name, doc), nil
}

func createHandler(c *ctx, k *kindDef) (int, any, error) {
	body, err := c.requireBody()
	if err != nil {
		return 0, nil, err
	}
	space := c.spaceID
	if space == "" && k.Scope.Has(scopeSpace) {
		// A kind living at both levels, created at instance level: the
		// body says which space, if any.
		if s := asString(body["SpaceId"]); s != "" {
			sp := c.get("spaces", s)
			if sp == nil {
				return 0, nil, badRequestf("The space '%s' was not found.", s)
			}
			space = asString(sp["Id"])
		}
	}
	doc, err := c.create(k.Name, space, body)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusCreated, c.render(k.Name, doc), nil
}

func updateHandler(c *ctx, k *kindDef, id string) (int, any, error) {
	old, err := findDoc(c, k, id)
	if err != nil {
		return 0, nil, err
	}
	body, err := c.requireBody()
	if err != nil {
		return 0, nil, err
	}
	doc, err := c.update(k.Name, old, body)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, c.render(k.Name, doc), nil
}

func deleteHandler(c *ctx, k *kindDef, id string) (int, any, error) {
	doc, err := findDoc(c, k, id)
	if err != nil {
		return 0, nil, err
	}
	if err := c.remove(k.Name, doc); err != nil {
		return 0, nil, err
	}
	return http.StatusOK, nil, nil
}

// requireBody returns the request's JSON object body, or the 400 a real
// server gives when there is none.
func (c *ctx) requireBody() (Doc, error) {
	switch {
	case c.bodyValue == nil:
		return nil, badRequest(msgNoBody)
	case c.body == nil:
		return nil, badRequest(fmt.Sprintf("The request body must be a JSON object, not %s.", literal(c.bodyValue)))
	}
	return c.body, nil
}

// rawQuery returns the request's query parameters as sent.
func (c *ctx) rawQuery() url.Values {
	if c.r == nil {
		return nil
	}
	return c.r.URL.Query()
}

// serve answers one request to this instance; apiPath is the path after
// the instance's /api.
func (in *instance) serve(w http.ResponseWriter, r *http.Request, apiPath string) {
	segs, err := splitSegments(apiPath)
	if err != nil {
		writeError(w, err)
		return
	}
	ep, err := in.match(r.Method, segs)
	if err != nil {
		writeError(w, err)
		return
	}
	var body any
	if r.Method == http.MethodPost || r.Method == http.MethodPut {
		if body, err = in.srv.readBody(w, r); err != nil {
			writeError(w, err)
			return
		}
	}
	status, out, mutated, err := in.run(r, ep, body)
	if mutated {
		in.srv.persist()
	}
	if err != nil {
		writeError(w, err)
		return
	}
	writeJSON(w, status, out)
}

// run executes a matched endpoint under the instance's lock and returns
// the encoded response. Reads take the lock exclusively too: they fill
// caches (a kind's empty collection, a bucket's sort order), so sharing it
// between readers would race.
func (in *instance) run(r *http.Request, ep *endpoint, body any) (int, []byte, bool, error) {
	in.mu.Lock()
	defer in.mu.Unlock()
	c := &ctx{inst: in, st: in.st, r: r, query: lowerQuery(r.URL.Query()), bodyValue: body, now: in.srv.now()}
	c.body, _ = body.(map[string]any)
	status, out, err := in.runLocked(c, ep)
	if err != nil {
		c.rollback()
		return 0, nil, false, err
	}
	if out == nil {
		return status, nil, c.mutated, nil
	}
	b, err := marshal(out)
	if err != nil {
		c.rollback()
		return 0, nil, false, fmt.Errorf("encoding response: %w", err)
	}
	return status, b, c.mutated, nil
}

func (in *instance) runLocked(c *ctx, ep *endpoint) (int, any, error) {
	if !ep.anon {
		user, err := in.authenticate(c)
		if err != nil {
			return 0, nil, err
		}
		c.user = user
	}
	switch ep.space {
	case "":
	case defaultSpace:
		sp := in.defaultSpaceDoc()
		if sp == nil {
			return 0, nil, routeNotFound()
		}
		c.spaceID = asString(sp["Id"])
	default:
		sp := in.spaceByIDOrSlug(ep.space)
		if sp == nil {
			return 0, nil, notFound(ep.space)
		}
		c.spaceID = asString(sp["Id"])
	}
	if ep.perm != "" && !ep.anon {
		if err := c.require(ep.perm); err != nil {
			return 0, nil, err
		}
	}
	return ep.handle(c)
}

// defaultSpaceDoc is the space with IsDefault set.
func (in *instance) defaultSpaceDoc() Doc {
	for _, sp := range in.st.coll(in.kinds["spaces"]).list(in.kinds["spaces"], "") {
		if sp["IsDefault"] == true {
			return sp
		}
	}
	return nil
}

// spaceByIDOrSlug finds a space by id (case-insensitively) or slug.
func (in *instance) spaceByIDOrSlug(ref string) Doc {
	k := in.kinds["spaces"]
	coll := in.st.coll(k)
	if sp := coll.get(ref); sp != nil {
		return sp
	}
	for _, sp := range coll.list(k, "") {
		if strings.EqualFold(asString(sp["Id"]), ref) || strings.EqualFold(asString(sp["Slug"]), ref) {
			return sp
		}
	}
	return nil
}

// credential returns the API key or bearer token a request carries.
func credential(r *http.Request) string {
	if k := r.Header.Get("X-Octopus-ApiKey"); k != "" {
		return k
	}
	if k := r.Header.Get("X-NuGet-ApiKey"); k != "" {
		return k
	}
	if a := r.Header.Get("Authorization"); len(a) > 7 && strings.EqualFold(a[:7], "Bearer ") {
		return strings.TrimSpace(a[7:])
	}
	for name, v := range r.URL.Query() {
		if strings.EqualFold(name, "apikey") && len(v) > 0 && v[0] != "" {
			return v[0]
		}
	}
	return ""
}

// hashKey is how API keys are stored: never the key itself.
func hashKey(key string) string {
	sum := sha256.Sum256([]byte(key))
	return hex.EncodeToString(sum[:])
}

// authenticate finds the user a request's API key (or bearer token, which
// the emulator treats as an API key) belongs to.
func (in *instance) authenticate(c *ctx) (Doc, error) {
	key := credential(c.r)
	if key == "" {
		return nil, unauthorized()
	}
	if subtle.ConstantTimeCompare([]byte(key), []byte(in.apiKey)) == 1 {
		if admin := c.get("users", adminUserID); admin != nil {
			return admin, nil
		}
		return nil, unauthorized()
	}
	keyID := in.st.keys[hashKey(key)]
	if keyID == "" {
		return nil, unauthorized()
	}
	kd := c.get("apiKeys", keyID)
	if kd == nil {
		return nil, unauthorized()
	}
	if exp := asString(kd["Expires"]); exp != "" {
		if t, err := parseTime(exp); err == nil && !c.now.Before(t) {
			return nil, unauthorized()
		}
	}
	user := c.get("users", asString(kd["UserId"]))
	if user == nil || user["IsActive"] != true {
		return nil, unauthorized()
	}
	return user, nil
}

// lowerQuery indexes query parameters by lower-case name (the first
// non-empty value wins), since the real server's names are
// case-insensitive.
func lowerQuery(q url.Values) map[string]string {
	out := make(map[string]string, len(q))
	for name, vs := range q {
		n := strings.ToLower(name)
		for _, v := range vs {
			if v != "" && out[n] == "" {
				out[n] = v
			}
		}
		// Repeated ids parameters add up.
		if n == "ids" && len(vs) > 1 {
			out[n] = strings.Join(vs, ",")
		}
	}
	return out
}

// splitSegments splits an escaped path into unescaped segments, dropping
// empty ones (a trailing slash).
func splitSegments(escaped string) ([]string, error) {
	var out []string
	for _, s := range strings.Split(escaped, "/") {
		if s == "" {
			continue
		}
		u, err := url.PathUnescape(s)
		if err != nil {
			return nil, badRequestf("The path segment %q is not valid: %v", s, err)
		}
		out = append(out, u)
	}
	return out, nil
}

// decodeBody decodes a request body: any JSON value (nil for an empty
// body), syntax errors answered with a 400.
func decodeBody(b []byte) (any, error) {
	if len(bytes.TrimSpace(b)) == 0 {
		return nil, nil
	}
	dec := json.NewDecoder(bytes.NewReader(b))
	dec.UseNumber()
	var v any
	if err := dec.Decode(&v); err != nil {
		return nil, badRequest(fmt.Sprintf("The request body is not valid JSON: %v.", err))
	}
	if _, err := dec.Token(); !errors.Is(err, io.EOF) {
		return nil, badRequest("The request body is not valid JSON: unexpected data after the top-level value.")
	}
	if v == nil {
		return nil, badRequest("The request body must be a JSON object, not null.")
	}
	return v, nil
}

// writeJSON writes a response body (none for a nil body).
func writeJSON(w http.ResponseWriter, status int, body []byte) {
	if body == nil {
		w.Header().Set("Content-Length", "0")
		w.WriteHeader(status)
		return
	}
	w.Header().Set("Content-Type", "application/json; charset=utf-8")
	w.WriteHeader(status)
	_, _ = w.Write(body)
}

// writeError writes an error in Octopus's shape. Errors that are not
// apiErrors are the emulator's own failures: a 500 with the message.
func writeError(w http.ResponseWriter, err error) {
	var ae *apiError
	if !errors.As(err, &ae) {
		ae = &apiError{Status: http.StatusInternalServerError, Message: err.Error()}
	}
	for k, v := range ae.header {
		w.Header()[k] = v
	}
	b, _ := json.Marshal(ae.body())
	writeJSON(w, ae.Status, b)
}
