package emulator

import (
	"maps"
	"net/http"
	"strings"
	"time"
)

// neverModified is LastModifiedOn of a document no user has touched, as a
// fresh real server reports it.
const neverModified = "0001-01-01T00:00:00.000+00:00"

// formatTime writes t the way the server does.
func formatTime(t time.Time) string {
	return t.UTC().Format("2006-01-02T15:04:05.000") + "+00:00"
}

// ctx is one request (or one seeding step) acting on one instance's state.
// Every write goes through it so that a request that fails half-way is
// rolled back: writes are journaled and undone in reverse.
type ctx struct {
	inst *instance
	st   *state
	r    *http.Request
	// query holds the request's query parameters by lower-case name.
	query map[string]string
	// user is the signed-in user (nil while seeding).
	user Doc
	// spaceID is the space the request acts in ("" at instance level).
	spaceID string
	// doc is the document an {id} route matched.
	doc Doc
	// body is the request body of a POST or PUT when it is a JSON object;
	// bodyValue is the body whatever its JSON type (nil when empty).
	body      Doc
	bodyValue any
	now       time.Time
	// seeding writes are the emulator's own (fresh state, seed files):
	// never modified, by no one. system writes are the server's (a new
	// space's built-in feeds): allowed what a client is refused.
	seeding bool
	system  bool
	mutated bool
	undo    []func()
	perms   map[string]bool
}

// stamp is the LastModifiedOn this request writes.
func (c *ctx) stamp() any {
	if c.seeding {
		return neverModified
	}
	return formatTime(c.now)
}

// username is the LastModifiedBy this request writes.
func (c *ctx) username() any {
	if c.user == nil {
		return nil
	}
	return c.user["Username"]
}

// def returns a registered kind; it panics for an unregistered one, a
// programming error.
func (c *ctx) def(kind string) *kindDef {
	k := c.inst.kinds[kind]
	if k == nil {
		panic("emulator: kind " + kind + " is not registered")
	}
	return k
}

// get returns a document of a kind by id, or nil.
func (c *ctx) get(kind, id string) Doc {
	return c.st.coll(c.def(kind)).get(id)
}

// list returns the documents of a kind in a space ("" for instance-level
// documents) in list order. The slice must not be modified.
func (c *ctx) list(kind, space string) []Doc {
	k := c.def(kind)
	return c.st.coll(k).list(k, space)
}

// each calls f for every document of a kind in a space, in no particular
// order.
func (c *ctx) each(kind, space string, f func(Doc)) {
	c.st.coll(c.def(kind)).each(space, f)
}

// bucketOf is the space a document of k belongs to.
func bucketOf(k *kindDef, doc Doc) string {
	if k.Scope.Has(scopeSpace) {
		return asString(doc["SpaceId"])
	}
	return ""
}

// put writes a document as it is, journaled. Hooks use it for side effects
// that are not a client's create or update (re-numbering sort orders).
func (c *ctx) put(kind string, doc Doc) {
	k := c.def(kind)
	coll := c.st.coll(k)
	id := asString(doc["Id"])
	if old := coll.get(id); old != nil {
		oldSpace := bucketOf(k, old)
		c.undo = append(c.undo, func() { coll.put(k, oldSpace, old) })
	} else {
		c.undo = append(c.undo, func() { coll.remove(k, id) })
	}
	coll.put(k, bucketOf(k, doc), doc)
	c.mutated = true
}

// drop removes a document as it is, journaled, with its secrets.
func (c *ctx) drop(kind string, doc Doc) {
	k := c.def(kind)
	coll := c.st.coll(k)
	id := asString(doc["Id"])
	space := bucketOf(k, doc)
	coll.remove(k, id)
	secrets := c.st.secrets[id]
	delete(c.st.secrets, id)
	c.undo = append(c.undo, func() {
		coll.put(k, space, doc)
		if secrets != nil {
			c.st.secrets[id] = secrets
		}
	})
	c.mutated = true
}

// setSecrets records write-only values, journaled.
func (c *ctx) setSecrets(id string, writes []secretWrite) {
	if len(writes) == 0 {
		return
	}
	before := maps.Clone(c.st.secrets[id])
	c.undo = append(c.undo, func() {
		if before == nil {
			delete(c.st.secrets, id)
		} else {
			c.st.secrets[id] = before
		}
	})
	c.st.setSecrets(id, writes)
	c.mutated = true
}

// nextID takes the next id of a prefix, journaled.
func (c *ctx) nextID(prefix string) string {
	c.saveCounter(prefix)
	return c.st.nextID(prefix)
}

// saveCounter journals a prefix's counter before it changes.
func (c *ctx) saveCounter(prefix string) {
	before, had := c.st.counters[prefix]
	c.undo = append(c.undo, func() {
		if had {
			c.st.counters[prefix] = before
		} else {
			delete(c.st.counters, prefix)
		}
	})
}

// rollback undoes every write of the request.
func (c *ctx) rollback() {
	for i := len(c.undo) - 1; i >= 0; i-- {
		c.undo[i]()
	}
	c.undo = nil
	c.mutated = false
}

// serverManaged are the fields a client cannot set on any document.
var serverManaged = []string{"Id", "Links", "LastModifiedOn", "LastModifiedBy"}

// create runs the whole create path for a document of kind in space:
// schema, hooks, uniqueness, write, side effects. A seed document may name
// its Id; a client's may not.
func (c *ctx) create(kind, space string, body Doc) (Doc, error) {
	id := ""
	if c.seeding {
		id = asString(body["Id"])
	}
	return c.createAs(kind, space, id, body)
}

// createAs is create with an id chosen by the server (the built-in feed's
// feeds-builtin, a space's teams-spacemanagers-<id>); "" takes the next
// id of the kind's prefix.
func (c *ctx) createAs(kind, space, id string, body Doc) (Doc, error) {
	k := c.def(kind)
	if k.h.noCreate {
		return nil, methodNotAllowed(http.MethodPost, []string{http.MethodGet})
	}
	doc, secrets, errs := k.h.schema.decode(body, nil)
	if len(errs) > 0 {
		return nil, badRequest(errs...)
	}
	if id == "" {
		id = c.nextID(k.IDPrefix)
	} else {
		c.saveCounter(k.IDPrefix)
		c.st.noteID(k.IDPrefix, id)
		if c.st.coll(k).get(id) != nil {
			return nil, badRequestf("A document with the id '%s' already exists.", id)
		}
	}
	doc["Id"] = id
	if k.Scope.Has(scopeSpace) {
		if space != "" || !k.Scope.Has(scopeInstance) {
			doc["SpaceId"] = space
		} else {
			doc["SpaceId"] = nil
		}
	}
	if err := c.store(k, kind, id, doc, nil, secrets); err != nil {
		return nil, err
	}
	if k.h.afterCreate != nil {
		if err := k.h.afterCreate(c, doc); err != nil {
			return nil, err
		}
	}
	return c.get(kind, id), nil
}

// update runs the whole update path: the body replaces the document, field
// by field as the schema says, keeping what the server owns.
func (c *ctx) update(kind string, old, body Doc) (Doc, error) {
	k := c.def(kind)
	doc, secrets, errs := k.h.schema.decode(body, old)
	if len(errs) > 0 {
		return nil, badRequest(errs...)
	}
	id := asString(old["Id"])
	doc["Id"] = id
	if _, ok := old["SpaceId"]; ok {
		doc["SpaceId"] = old["SpaceId"]
	}
	if err := c.store(k, kind, id, doc, old, secrets); err != nil {
		return nil, err
	}
	if k.h.afterUpdate != nil {
		if err := k.h.afterUpdate(c, doc, old); err != nil {
			return nil, err
		}
	}
	return c.get(kind, id), nil
}

// store is what create and update share once the body is decoded: the
// kind's own checks (old is nil on create), the uniqueness rule, the
// modification stamp, and the write of the document and its secrets.
func (c *ctx) store(k *kindDef, kind, id string, doc, old Doc, secrets []secretWrite) error {
	if k.h.prepare != nil {
		if err := k.h.prepare(c, doc, old); err != nil {
			return err
		}
	}
	if err := c.checkUnique(k, doc); err != nil {
		return err
	}
	doc["LastModifiedOn"] = c.stamp()
	doc["LastModifiedBy"] = c.username()
	c.put(kind, doc)
	c.setSecrets(id, secrets)
	return nil
}

// remove runs the whole delete path.
func (c *ctx) remove(kind string, doc Doc) error {
	k := c.def(kind)
	if k.h.noDelete {
		return methodNotAllowed(http.MethodDelete, []string{http.MethodGet, http.MethodPut})
	}
	if k.h.beforeDelete != nil {
		if err := k.h.beforeDelete(c, doc); err != nil {
			return err
		}
	}
	for _, check := range usageChecks[kind] {
		if why := check(c, doc); why != "" {
			return refused(why)
		}
	}
	c.drop(kind, doc)
	if k.h.afterDelete != nil {
		return k.h.afterDelete(c, doc)
	}
	return nil
}

func (c *ctx) checkUnique(k *kindDef, doc Doc) error {
	key := k.uniqueKey(doc)
	if key == "" {
		return nil
	}
	if c.st.coll(k).taken(bucketOf(k, doc), key, asString(doc["Id"])) != "" {
		return badRequest(k.duplicateMessage())
	}
	return nil
}

// render is a document as responses carry it: a copy with its Links and
// any values computed at read time. Every response that carries a
// document goes through render, so its Links are the same everywhere.
func (c *ctx) render(kind string, doc Doc) Doc {
	k := c.def(kind)
	out := maps.Clone(doc)
	if k.h.links != nil {
		out["Links"] = k.h.links(c.inst.links, doc)
	} else {
		out["Links"] = map[string]string{"Self": c.inst.links.self(k, doc)}
	}
	if k.h.present != nil {
		k.h.present(c, out)
	}
	return out
}

// renderAll renders a list of documents.
func (c *ctx) renderAll(kind string, docs []Doc) []Doc {
	out := make([]Doc, len(docs))
	for i, d := range docs {
		out[i] = c.render(kind, d)
	}
	return out
}

// param returns a query parameter by name, case-insensitively; an empty
// value counts as absent.
func (c *ctx) param(name string) string {
	return c.query[strings.ToLower(name)]
}
