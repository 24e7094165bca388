package emulator

import (
	"fmt"
	"math"
	"math/rand/v2"
	"net/http"
	"path"
	"strconv"
	"strings"
	"sync"
	"time"
)

// Fault is a failure injected into matching API requests: an error status
// (optionally with Retry-After), a dropped connection, or a delay.
//
// Its text form, accepted by ParseFault and the --fault flag, is
//
//	EFFECT[:WHEN][:OPTION]...
//
// EFFECT is an HTTP status (500, 429, 503, ...), "drop" (close the
// connection without answering) or "slow:DURATION" (answer normally after
// the delay). WHEN is a probability between 0 and 1 (default 1), or "#N"
// for exactly the Nth matching request. OPTIONs are "retry-after=DURATION"
// (status faults) and a request filter "METHODS@GLOB": comma-separated
// methods (optional) and a path glob where "*" matches within one path
// segment and "**" matches any number of segments. Examples: "500:0.1",
// "429:0.2:retry-after=1s", "drop:0.05", "slow:2s:0.1",
// "500:PUT@/api/*/variables/*", "503:#3:POST@/api/**".
type Fault struct {
	// Status is the status to answer with; 0 for drop and slow faults.
	Status int
	// Drop closes the connection without an answer.
	Drop bool
	// Delay delays the answer (slow faults).
	Delay time.Duration
	// Probability is the chance a matching request is affected (0..1).
	Probability float64
	// Nth, when positive, affects only the Nth matching request.
	Nth int
	// RetryAfter, when positive, is sent as the Retry-After header.
	RetryAfter time.Duration
	// Methods restricts the fault to these methods (all when empty).
	Methods []string
	// Path restricts the fault to paths matching this glob (all when
	// empty).
	Path string

	spec string
}

// String returns the fault's text form.
func (f Fault) String() string { return f.spec }

// ParseFault parses the text form of a fault (see Fault).
func ParseFault(spec string) (Fault, error) {
	f := Fault{Probability: 1, spec: spec}
	parts := strings.Split(spec, ":")
	bad := func(format string, args ...any) (Fault, error) {
		return Fault{}, fmt.Errorf("fault %q: %s", spec, fmt.Sprintf(format, args...))
	}
	switch effect := strings.ToLower(parts[0]); {
	case effect == "drop":
		f.Drop = true
		parts = parts[1:]
	case effect == "slow":
		if len(parts) < 2 {
			return bad("slow needs a duration, as in slow:2s")
		}
		d, err := time.ParseDuration(parts[1])
		if err != nil || d <= 0 {
			return bad("%q is not a positive duration", parts[1])
		}
		f.Delay = d
		parts = parts[2:]
	default:
		n, err := strconv.Atoi(effect)
		if err != nil || n < 400 || n > 599 {
			return bad("the effect must be an HTTP error status (400-599), drop or slow:DURATION")
		}
		f.Status = n
		parts = parts[1:]
	}
	whenSeen := false
	for _, p := range parts {
		switch {
		case strings.HasPrefix(p, "#"):
			n, err := strconv.Atoi(p[1:])
			if err != nil || n < 1 || whenSeen {
				return bad("%q: #N needs a positive N, once", p)
			}
			f.Nth, whenSeen = n, true
		case strings.HasPrefix(strings.ToLower(p), "retry-after="):
			d, err := time.ParseDuration(p[len("retry-after="):])
			if err != nil || d < 0 || f.Status == 0 {
				return bad("%q: retry-after takes a duration and applies to status faults", p)
			}
			f.RetryAfter = d
		case strings.Contains(p, "@"):
			methods, glob, _ := strings.Cut(p, "@")
			if !strings.HasPrefix(glob, "/") {
				return bad("the path glob %q must start with /", glob)
			}
			if _, err := path.Match(glob, ""); err != nil {
				return bad("the path glob %q is malformed", glob)
			}
			f.Path = glob
			for _, m := range splitList(methods) {
				f.Methods = append(f.Methods, strings.ToUpper(m))
			}
		default:
			pr, err := strconv.ParseFloat(p, 64)
			if err != nil || pr < 0 || pr > 1 || math.IsNaN(pr) || whenSeen {
				return bad("%q is not a probability between 0 and 1, #N, retry-after=DURATION or METHODS@GLOB", p)
			}
			f.Probability, whenSeen = pr, true
		}
	}
	return f, nil
}

// matches reports whether a request is one the fault applies to.
func (f *Fault) matches(method, p string) bool {
	if len(f.Methods) > 0 {
		found := false
		for _, m := range f.Methods {
			found = found || m == method
		}
		if !found {
			return false
		}
	}
	return f.Path == "" || globMatch(f.Path, p)
}

// globMatch matches a slash-separated path against a glob whose "**"
// segments match any number of segments.
func globMatch(glob, p string) bool {
	return globSegments(strings.Split(strings.Trim(glob, "/"), "/"), strings.Split(strings.Trim(p, "/"), "/"))
}

func globSegments(g, s []string) bool {
	for len(g) > 0 {
		if g[0] == "**" {
			for i := 0; i <= len(s); i++ {
				if globSegments(g[1:], s[i:]) {
					return true
				}
			}
			return false
		}
		if len(s) == 0 {
			return false
		}
		if ok, _ := path.Match(g[0], s[0]); !ok {
			return false
		}
		g, s = g[1:], s[1:]
	}
	return len(s) == 0
}

// faultSet is the faults of a server with the random source and counters
// that decide when they fire.
type faultSet struct {
	mu     sync.Mutex
	rng    *rand.Rand
	faults []*activeFault
}

type activeFault struct {
	Fault
	seen int
}

func newFaultSet(seed uint64, faults []Fault) *faultSet {
	if seed == 0 {
		seed = rand.Uint64()
	}
	fs := &faultSet{rng: rand.New(rand.NewPCG(seed, seed^0x9e3779b97f4a7c15))}
	for _, f := range faults {
		fs.add(f)
	}
	return fs
}

func (fs *faultSet) add(f Fault) {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.faults = append(fs.faults, &activeFault{Fault: f})
}

func (fs *faultSet) clear() {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	fs.faults = nil
}

func (fs *faultSet) specs() []string {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	out := make([]string, 0, len(fs.faults))
	for _, f := range fs.faults {
		out = append(out, f.spec)
	}
	return out
}

// pick returns the first fault that fires for a request, or nil. Every
// matching fault counts the request, so #N faults count independently.
func (fs *faultSet) pick(method, p string) *Fault {
	fs.mu.Lock()
	defer fs.mu.Unlock()
	var fired *Fault
	for _, f := range fs.faults {
		if !f.matches(method, p) {
			continue
		}
		f.seen++
		var fire bool
		if f.Nth > 0 {
			fire = f.seen == f.Nth
		} else {
			fire = f.Probability >= 1 || fs.rng.Float64() < f.Probability
		}
		if fire && fired == nil {
			ff := f.Fault
			fired = &ff
		}
	}
	return fired
}

// apply injects a fault into a request when one fires; it reports whether
// the request has been answered (or dropped).
func (fs *faultSet) apply(w http.ResponseWriter, r *http.Request) bool {
	f := fs.pick(r.Method, r.URL.Path)
	switch {
	case f == nil:
		return false
	case f.Delay > 0:
		t := time.NewTimer(f.Delay)
		defer t.Stop()
		select {
		case <-t.C:
			return false
		case <-r.Context().Done():
			return true
		}
	case f.Drop:
		if conn, _, err := http.NewResponseController(w).Hijack(); err == nil {
			_ = conn.Close()
			return true
		}
		panic(http.ErrAbortHandler)
	}
	e := &apiError{Status: f.Status, Message: fmt.Sprintf("Injected fault %q: %s.", f.spec, http.StatusText(f.Status))}
	if f.RetryAfter > 0 {
		e.header = http.Header{"Retry-After": {strconv.Itoa(int(math.Ceil(f.RetryAfter.Seconds())))}}
	}
	writeError(w, e)
	return true
}
