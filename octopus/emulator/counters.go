package emulator

import (
	"regexp"
	"strings"
	"sync"
)

// counters count API requests by method and path pattern.
type counters struct {
	mu    sync.Mutex
	total int
	byKey map[string]int
}

func newCounters() *counters { return &counters{byKey: map[string]int{}} }

func (c *counters) count(method, pattern string) {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total++
	c.byKey[method+" "+pattern]++
}

// snapshot returns the total and a copy of the counts.
func (c *counters) snapshot() (int, map[string]int) {
	c.mu.Lock()
	defer c.mu.Unlock()
	out := make(map[string]int, len(c.byKey))
	for k, v := range c.byKey {
		out[k] = v
	}
	return c.total, out
}

func (c *counters) reset() {
	c.mu.Lock()
	defer c.mu.Unlock()
	c.total = 0
	c.byKey = map[string]int{}
}

var (
	numberedID = regexp.MustCompile(`^[A-Za-z]+-\d+$`)
	guidID     = regexp.MustCompile(`^[0-9a-fA-F]{8}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{4}-[0-9a-fA-F]{12}$`)
	namedID    = regexp.MustCompile(`(?i)^(teams|userroles|feeds|deploymentprocess|variableset|runbookprocess|authentication)-.+$`)
)

// patternOf turns a path below /api into the pattern it is counted under:
// space ids become {spaceId} and document ids {id}, so that
// "/Spaces-1/environments/Environments-7" counts as
// "/{spaceId}/environments/{id}".
func patternOf(apiPath string) string {
	segs := strings.Split(strings.Trim(apiPath, "/"), "/")
	if len(segs) == 1 && segs[0] == "" {
		return ""
	}
	for i, s := range segs {
		switch {
		case i == 0 && spaceIDPattern.MatchString(s):
			segs[i] = "{spaceId}"
		case i == 1 && strings.EqualFold(segs[0], "spaces") && len(segs) > 2:
			segs[i] = "{spaceId}"
		case numberedID.MatchString(s) || guidID.MatchString(s) || namedID.MatchString(s):
			segs[i] = "{id}"
		}
	}
	return "/" + strings.Join(segs, "/")
}
