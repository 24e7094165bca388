package reconcile

import (
	"encoding/json"
	"slices"

	"octosync.dev/octosync/model"
)

// Changed says which parts of a configuration differ between two versions
// of it (two git refs): per instance, whether its instance-level resources
// changed, and which of its spaces did. A part that exists in one version
// only counts as changed. Comparing the loaded models rather than files
// follows every CUE import and template: a change to a shared definition
// marks each space it fans out to.
type Changed struct {
	Instances map[string]*ChangedInstance
}

// ChangedInstance is what changed in one instance.
type ChangedInstance struct {
	// Settings reports a change to the instance itself: its URL or key
	// references, settings, teams, roles, role grants, spaces' own fields.
	Settings bool
	// Spaces lists the spaces whose contents changed.
	Spaces []string
}

// Compare returns what differs between base and head.
func Compare(base, head *model.Desired) *Changed {
	out := &Changed{Instances: map[string]*ChangedInstance{}}
	names := map[string]bool{}
	for _, in := range base.Instances {
		names[in.Name] = true
	}
	for _, in := range head.Instances {
		names[in.Name] = true
	}
	for name := range names {
		b, h := base.Instance(name), head.Instance(name)
		ci := &ChangedInstance{}
		if b == nil || h == nil {
			ci.Settings = true
			for _, in := range []*model.Instance{b, h} {
				if in != nil {
					for _, s := range in.Spaces {
						ci.Spaces = append(ci.Spaces, s.Name)
					}
				}
			}
		} else {
			ci.Settings = b.URL != h.URL || b.APIKey != h.APIKey || !slices.Equal(b.Prune, h.Prune) ||
				digest(b.Resources) != digest(h.Resources) || digestAcks(b.Acks) != digestAcks(h.Acks)
			spaces := map[string]bool{}
			for _, s := range b.Spaces {
				spaces[s.Name] = true
			}
			for _, s := range h.Spaces {
				spaces[s.Name] = true
			}
			for s := range spaces {
				bs, hs := b.Space(s), h.Space(s)
				if bs == nil || hs == nil || !slices.Equal(bs.Prune, hs.Prune) || digest(bs.Resources) != digest(hs.Resources) || digestAcks(bs.Acks) != digestAcks(hs.Acks) {
					ci.Spaces = append(ci.Spaces, s)
				}
			}
		}
		slices.Sort(ci.Spaces)
		ci.Spaces = slices.Compact(ci.Spaces)
		if ci.Settings || len(ci.Spaces) > 0 {
			out.Instances[name] = ci
		}
	}
	return out
}

// digest fingerprints resources by what octosync would do with them: keys,
// documents, ownership and ignore rules, not source positions.
func digest(rs []*model.Resource) string {
	type entry struct {
		Key            model.Key
		Doc            model.Doc
		Ownership      model.Ownership
		FieldOwnership map[string]model.Ownership
		Ignore         []string
	}
	es := make([]entry, len(rs))
	for i, r := range rs {
		es[i] = entry{r.Key, r.Doc, r.Ownership, r.FieldOwnership, r.Ignore}
	}
	slices.SortFunc(es, func(a, b entry) int { return a.Key.Compare(b.Key) })
	b, _ := json.Marshal(es)
	return string(b)
}

func digestAcks(acks []model.Ack) string {
	c := slices.Clone(acks)
	for i := range c {
		c[i].Pos = model.Pos{}
	}
	b, _ := json.Marshal(c)
	return string(b)
}
