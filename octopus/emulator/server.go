package emulator

import (
	"errors"
	"fmt"
	"io"
	"io/fs"
	"net/http"
	"regexp"
	"slices"
	"strings"
	"sync"
	"time"

	"octosync.dev/octosync/octopus"
)

// Options configure a Server.
type Options struct {
	// APIKey is the default instance's administrator key (API- followed by
	// upper-case letters and digits). It authenticates as Users-1, "admin".
	APIKey string
	// StatePath, when set, is the state file: loaded at start when it
	// exists, written after every change. A file that is not an emulator
	// state file is an error and is never overwritten.
	StatePath string
	// Seed, when set, holds documents a fresh instance starts with (see
	// the package documentation for the layout). It is ignored when the
	// state comes from StatePath.
	Seed fs.FS
	// Latency is added to every API request.
	Latency time.Duration
	// Faults are injected into matching API requests.
	Faults []Fault
	// FaultSeed makes fault injection reproducible: the same seed and the
	// same sequence of requests inject the same faults. Zero picks a seed
	// at random.
	FaultSeed uint64
	// Instances are extra instances, each served under /NAME/api with its
	// own state: "NAME" (sharing APIKey) or "NAME=API-KEY".
	Instances []string
	// MaxBodyBytes caps request bodies (default 30,000,000 bytes, the
	// limit of the web server Octopus runs on); larger bodies get a 413.
	MaxBodyBytes int64
	// Now is the clock (default time.Now).
	Now func() time.Time
	// Logf receives one line per notable event (default: discard).
	Logf func(format string, args ...any)
}

// Server is an Octopus-compatible HTTP server: one or more emulated
// instances, each under its own path prefix. It is an http.Handler.
type Server struct {
	opts      Options
	instances map[string]*instance // by name; "" is the default
	names     []string
	faults    *faultSet
	counters  *counters

	persistMu sync.Mutex
	// foreign holds the state of instances found in the state file but not
	// configured now; they are written back untouched.
	foreign  map[string][]byte
	closeErr error
}

// DefaultMaxBodyBytes is the default request body limit.
const DefaultMaxBodyBytes = 30_000_000

var (
	apiKeyPattern       = regexp.MustCompile(`^API-[A-Z0-9]+$`)
	instanceNamePattern = regexp.MustCompile(`^[A-Za-z0-9][A-Za-z0-9_-]*$`)
)

// ValidAPIKey reports whether key has the shape of an Octopus API key,
// the shape the official clients insist on before sending a request.
func ValidAPIKey(key string) bool { return apiKeyPattern.MatchString(key) }

// New returns a Server with fresh, seeded or loaded state.
func New(opts Options) (*Server, error) {
	if !ValidAPIKey(opts.APIKey) {
		return nil, fmt.Errorf("API key %q is not an Octopus API key: it must be API- followed by upper-case letters and digits", opts.APIKey)
	}
	if opts.Now == nil {
		opts.Now = time.Now
	}
	if opts.Logf == nil {
		opts.Logf = func(string, ...any) {}
	}
	if opts.MaxBodyBytes <= 0 {
		opts.MaxBodyBytes = DefaultMaxBodyBytes
	}
	s := &Server{
		opts:      opts,
		instances: map[string]*instance{},
		names:     []string{""},
		faults:    newFaultSet(opts.FaultSeed, opts.Faults),
		counters:  newCounters(),
		foreign:   map[string][]byte{},
	}
	s.instances[""] = newInstance(s, "", opts.APIKey)
	for _, spec := range opts.Instances {
		name, key, hasKey := strings.Cut(spec, "=")
		if !hasKey {
			key = opts.APIKey
		}
		switch {
		case !instanceNamePattern.MatchString(name):
			return nil, fmt.Errorf("instance name %q: use letters, digits, '-' and '_'", name)
		case reservedNames[strings.ToLower(name)]:
			return nil, fmt.Errorf("instance name %q is reserved", name)
		case s.instances[name] != nil:
			return nil, fmt.Errorf("instance %q given twice", name)
		case !ValidAPIKey(key):
			return nil, fmt.Errorf("instance %q: API key %q is not an Octopus API key: it must be API- followed by upper-case letters and digits", name, key)
		}
		s.instances[name] = newInstance(s, name, key)
		s.names = append(s.names, name)
	}
	loaded, err := s.load()
	if err != nil {
		return nil, err
	}
	for _, name := range s.names {
		in := s.instances[name]
		if loaded[name] {
			continue
		}
		if err := in.fresh(); err != nil {
			return nil, fmt.Errorf("instance %s: %w", in.label(), err)
		}
		if opts.Seed != nil {
			if err := in.seed(opts.Seed); err != nil {
				return nil, fmt.Errorf("seeding instance %s: %w", in.label(), err)
			}
		}
	}
	if opts.StatePath != "" {
		if err := s.writeState(); err != nil {
			return nil, err
		}
	}
	return s, nil
}

// reservedNames cannot name an extra instance.
var reservedNames = map[string]bool{"api": true, "_emulator": true, "default": true, "app": true}

func (in *instance) label() string {
	if in.name == "" {
		return "default"
	}
	return in.name
}

// fresh gives the instance the state of a newly installed server.
func (in *instance) fresh() error {
	in.st = newState()
	in.installationID = newUUID()
	c := in.seedCtx()
	for _, k := range in.orderedKinds() {
		if k.h.seedInstance == nil {
			continue
		}
		if err := k.h.seedInstance(c); err != nil {
			return fmt.Errorf("creating the built-in %ss: %w", k.Label, err)
		}
	}
	return nil
}

// seedCtx is a context for writes made by the emulator itself.
func (in *instance) seedCtx() *ctx {
	return &ctx{inst: in, st: in.st, now: in.srv.now(), seeding: true, system: true, query: map[string]string{}}
}

// orderedKinds returns the registered kinds in registry order.
func (in *instance) orderedKinds() []*kindDef {
	var out []*kindDef
	for _, k := range octopus.Kinds() {
		if d := in.kinds[k.Name]; d != nil {
			out = append(out, d)
		}
	}
	for _, d := range in.kinds {
		if !slices.Contains(out, d) {
			out = append(out, d)
		}
	}
	slices.SortStableFunc(out, func(a, b *kindDef) int { return a.Order - b.Order })
	return out
}

func (s *Server) now() time.Time { return s.opts.Now() }

// Close writes the state file one last time. The Server must not serve
// requests afterwards.
func (s *Server) Close() error {
	if s.opts.StatePath == "" {
		return nil
	}
	return s.writeState()
}

// ServeHTTP routes a request to its instance, after the admin routes,
// counters, injected faults and latency.
func (s *Server) ServeHTTP(w http.ResponseWriter, r *http.Request) {
	defer func() {
		if v := recover(); v != nil {
			if v == http.ErrAbortHandler {
				panic(v)
			}
			s.opts.Logf("emulator: panic serving %s %s: %v", r.Method, r.URL.Path, v)
			writeError(w, &apiError{Status: http.StatusInternalServerError, Message: fmt.Sprintf("The emulator failed while handling the request: %v", v)})
		}
	}()
	path := r.URL.EscapedPath()
	if path == "/_emulator" || strings.HasPrefix(path, "/_emulator/") {
		s.admin(w, r, strings.TrimPrefix(path, "/_emulator"))
		return
	}
	in, apiPath, ok := s.instanceFor(path)
	if !ok {
		writeError(w, routeNotFound())
		return
	}
	s.counters.count(r.Method, in.prefix+"/api"+patternOf(apiPath))
	if s.faults.apply(w, r) {
		return
	}
	if s.opts.Latency > 0 {
		t := time.NewTimer(s.opts.Latency)
		select {
		case <-t.C:
		case <-r.Context().Done():
			t.Stop()
			return
		}
	}
	in.serve(w, r, apiPath)
}

// instanceFor finds the instance a path belongs to and the path after its
// /api.
func (s *Server) instanceFor(path string) (*instance, string, bool) {
	if rest, ok := cutAPI(path); ok {
		return s.instances[""], rest, true
	}
	name, after, found := strings.Cut(strings.TrimPrefix(path, "/"), "/")
	if !found {
		return nil, "", false
	}
	in := s.instances[name]
	if in == nil || name == "" {
		return nil, "", false
	}
	rest, ok := cutAPI("/" + after)
	return in, rest, ok
}

// cutAPI strips a leading /api from a path.
func cutAPI(path string) (string, bool) {
	switch {
	case path == "/api":
		return "", true
	case strings.HasPrefix(path, "/api/"):
		return path[len("/api"):], true
	}
	return "", false
}

// readBody reads a request body up to the size limit and decodes it.
func (s *Server) readBody(w http.ResponseWriter, r *http.Request) (any, error) {
	b, err := io.ReadAll(http.MaxBytesReader(w, r.Body, s.opts.MaxBodyBytes))
	if err != nil {
		var mbe *http.MaxBytesError
		if errors.As(err, &mbe) {
			return nil, &apiError{Status: http.StatusRequestEntityTooLarge,
				Message: fmt.Sprintf("The request body is larger than the limit of %d bytes.", s.opts.MaxBodyBytes)}
		}
		return nil, badRequestf("The request body could not be read: %v", err)
	}
	return decodeBody(b)
}
