package reconcile

import (
	"slices"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/octopus"
)

// Comparison is how two live scopes (instances or spaces) differ, in
// configuration terms: names, not ids.
type Comparison struct {
	A, B string `json:"-"`
	// OnlyA lists what B lacks; OnlyB what only B has.
	OnlyA []model.Key `json:"only_a,omitempty"`
	OnlyB []model.Key `json:"only_b,omitempty"`
	// Differ lists resources both have, with their differing fields
	// (before: B, after: A).
	Differ []*Change `json:"differ,omitempty"`
}

// Same reports whether the two scopes hold the same resources alike.
func (c *Comparison) Same() bool { return len(c.OnlyA)+len(c.OnlyB)+len(c.Differ) == 0 }

// CompareResources compares two exported scopes resource by resource.
// Keys are compared without their instance and space, so a space compares
// with a space of another name or on another instance. Secrets compare by
// whether they are set: their values cannot be read.
func CompareResources(a, b []*model.Resource) *Comparison {
	c := &Comparison{}
	strip := func(k model.Key) model.Key { k.Instance, k.Space = "", ""; return k }
	bm := map[string]*model.Resource{}
	for _, r := range b {
		bm[resourceKey(r.Key)] = r
	}
	seen := map[string]bool{}
	for _, ra := range a {
		rk := resourceKey(ra.Key)
		seen[rk] = true
		rb := bm[rk]
		if rb == nil {
			c.OnlyA = append(c.OnlyA, strip(ra.Key))
			continue
		}
		ki := kindInfos[ra.Key.Kind]
		rules := ki.rules
		rules.exactAll = true
		fields := diffDocs(rules, asSensitive(ra.Doc), asSensitive(rb.Doc))
		if len(fields) > 0 {
			c.Differ = append(c.Differ, &Change{Key: strip(ra.Key), Action: Update, Reason: "differs", Fields: fields})
		}
	}
	for _, rb := range b {
		if !seen[resourceKey(rb.Key)] {
			c.OnlyB = append(c.OnlyB, strip(rb.Key))
		}
	}
	c.OnlyA, c.OnlyB = withoutChildren(c.OnlyA), withoutChildren(c.OnlyB)
	slices.SortFunc(c.OnlyA, model.Key.Compare)
	slices.SortFunc(c.OnlyB, model.Key.Compare)
	return c
}

// withoutChildren drops the children of resources that are in the list
// themselves: a project B lacks brings its process, variables and channels
// with it.
func withoutChildren(keys []model.Key) []model.Key {
	owners := map[string]bool{}
	for _, k := range keys {
		owners[k.Kind+"\x00"+k.Name] = true
	}
	out := keys[:0]
	for _, k := range keys {
		if kind := octopus.KindByName(k.Kind); kind != nil && kind.Owner != "" && owners[ownerLookupKind(kind)+"\x00"+k.Owner] {
			continue
		}
		out = append(out, k)
	}
	return out
}

// asSensitive turns the secret references of an exported document back
// into "set" markers, so that two exports compare secrets by presence.
func asSensitive(doc model.Doc) model.Doc {
	return mapSecrets(doc, func(model.SecretRef) any { return Sensitive{Set: true, Fingerprint: "exported"} }).(map[string]any)
}
