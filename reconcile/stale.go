package reconcile

import (
	"fmt"
	"slices"

	"octosync.dev/octosync/octopus"
)

// Stale compares a saved plan with a fresh read of its instance and
// describes every resource the plan acts on that changed in Octopus since
// the plan was made: updated or deleted documents whose content differs
// from what the plan read, and resources the plan creates that now exist.
// An empty result means the plan still describes Octopus.
func Stale(ip *InstancePlan, li *LiveInstance) []string {
	buildIndexes(li)
	var out []string
	check := func(space string, docs map[string][]*LiveDoc, c *Change) {
		if c.Action == NoOp {
			return
		}
		var found *LiveDoc
		for _, d := range docs[c.Key.Kind] {
			if liveKey(d) == resourceKey(c.Key) {
				found = d
				break
			}
		}
		where := ResourceLabel(c.Key)
		if space != "" {
			where = fmt.Sprintf("space %q: %s", space, where)
		}
		switch {
		case c.LiveHash == "" && found != nil && octopus.KindByName(c.Key.Kind).Shape == octopus.Collection:
			out = append(out, where+" was created in Octopus since the plan was made")
		case c.LiveHash != "" && found == nil:
			out = append(out, where+" was deleted from Octopus since the plan was made")
		case c.LiveHash != "" && hashDoc(found.Raw) != c.LiveHash:
			out = append(out, where+" was changed in Octopus since the plan was made")
		}
	}
	for _, c := range ip.Changes {
		check("", li.Docs, c)
	}
	for _, sp := range ip.Spaces {
		var docs map[string][]*LiveDoc
		if ls := li.Space(sp.Name); ls != nil {
			docs = ls.Docs
		} else if sp.ID != "" {
			out = append(out, fmt.Sprintf("space %q was deleted from Octopus since the plan was made", sp.Name))
			continue
		}
		for _, c := range sp.Changes {
			check(sp.Name, docs, c)
		}
	}
	slices.Sort(out)
	return out
}
