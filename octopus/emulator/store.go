package emulator

import (
	"encoding/json"
	"slices"
	"strconv"
)

// state is everything one instance holds. It is guarded by the instance's
// lock and is what the state file persists.
type state struct {
	// counters holds the last number used per id prefix ("Environments"
	// → 12); ids are counted across the whole instance, not per space.
	counters map[string]int
	// colls holds the documents of each collection kind, by kind name.
	colls map[string]*collection
	// singletons holds the documents of singleton kinds (configuration
	// sections, SMTP, the audit stream) by id.
	singletons map[string]Doc
	// secrets holds write-only values by document id, then field path.
	// They are never served; they live only here and in the state file.
	secrets map[string]map[string]string
	// keys maps the SHA-256 of an API key to the id of its ApiKeys
	// document, so keys created over the API authenticate.
	keys map[string]string
	// unknown holds collections of kinds this build does not serve, read
	// from a state file and written back untouched.
	unknown map[string]json.RawMessage
}

func newState() *state {
	return &state{
		counters:   map[string]int{},
		colls:      map[string]*collection{},
		singletons: map[string]Doc{},
		secrets:    map[string]map[string]string{},
		keys:       map[string]string{},
	}
}

// nextID returns the next id for a prefix: "Environments" → "Environments-13".
func (st *state) nextID(prefix string) string {
	st.counters[prefix]++
	return prefix + "-" + strconv.Itoa(st.counters[prefix])
}

// noteID raises a prefix's counter past an id given from outside (a seed
// document that names its Id), so later ids do not collide with it.
func (st *state) noteID(prefix, id string) {
	p, n := splitID(id)
	if p == prefix && n > st.counters[prefix] {
		st.counters[prefix] = n
	}
}

// coll returns the collection of a kind, creating it empty.
func (st *state) coll(k *kindDef) *collection {
	c := st.colls[k.Name]
	if c == nil {
		c = &collection{byID: map[string]*bucket{}, buckets: map[string]*bucket{}}
		st.colls[k.Name] = c
	}
	return c
}

// collection is every document of one kind in an instance, grouped in
// buckets by space ("" for instance-level documents).
type collection struct {
	byID    map[string]*bucket
	buckets map[string]*bucket
}

// bucket is the documents of one kind in one space, with the index that
// enforces unique names and a cached sort order.
type bucket struct {
	docs   map[string]Doc
	unique map[string]string // unique key → id
	sorted []Doc             // nil when stale
}

func (c *collection) get(id string) Doc {
	if b := c.byID[id]; b != nil {
		return b.docs[id]
	}
	return nil
}

func (c *collection) bucket(space string) *bucket {
	b := c.buckets[space]
	if b == nil {
		b = &bucket{docs: map[string]Doc{}, unique: map[string]string{}}
		c.buckets[space] = b
	}
	return b
}

// put stores doc (replacing any document with its id) in the bucket of
// space, keeping the unique index and the sort cache right.
func (c *collection) put(k *kindDef, space string, doc Doc) {
	id := asString(doc["Id"])
	if old := c.byID[id]; old != nil {
		old.remove(k, id)
	}
	b := c.bucket(space)
	b.docs[id] = doc
	if key := k.uniqueKey(doc); key != "" {
		b.unique[key] = id
	}
	b.sorted = nil
	c.byID[id] = b
}

// remove deletes a document by id.
func (c *collection) remove(k *kindDef, id string) {
	if b := c.byID[id]; b != nil {
		b.remove(k, id)
		delete(c.byID, id)
	}
}

func (b *bucket) remove(k *kindDef, id string) {
	if doc := b.docs[id]; doc != nil {
		if key := k.uniqueKey(doc); key != "" && b.unique[key] == id {
			delete(b.unique, key)
		}
	}
	delete(b.docs, id)
	b.sorted = nil
}

// taken reports the id of another document holding key in space.
func (c *collection) taken(space, key, id string) string {
	b := c.buckets[space]
	if b == nil || key == "" {
		return ""
	}
	if other := b.unique[key]; other != "" && other != id {
		return other
	}
	return ""
}

// list returns the documents of a space in list order. The slice is shared
// and must not be modified.
func (c *collection) list(k *kindDef, space string) []Doc {
	b := c.buckets[space]
	if b == nil {
		return nil
	}
	if b.sorted == nil {
		b.sorted = make([]Doc, 0, len(b.docs))
		for _, d := range b.docs {
			b.sorted = append(b.sorted, d)
		}
		slices.SortFunc(b.sorted, k.compare)
	}
	return b.sorted
}

// each calls f for every document of a space, in no particular order; it
// is cheaper than list when order does not matter.
func (c *collection) each(space string, f func(Doc)) {
	if b := c.buckets[space]; b != nil {
		for _, d := range b.docs {
			f(d)
		}
	}
}

// all returns every document of the collection, across spaces, in list
// order.
func (c *collection) all(k *kindDef) []Doc {
	var out []Doc
	for _, b := range c.buckets {
		for _, d := range b.docs {
			out = append(out, d)
		}
	}
	slices.SortFunc(out, k.compare)
	return out
}

// setSecrets applies the write-only changes of one document.
func (st *state) setSecrets(id string, writes []secretWrite) {
	for _, w := range writes {
		m := st.secrets[id]
		if w.Clear {
			delete(m, w.Path)
			if len(m) == 0 {
				delete(st.secrets, id)
			}
			continue
		}
		if m == nil {
			m = map[string]string{}
			st.secrets[id] = m
		}
		m[w.Path] = w.Value
	}
}
