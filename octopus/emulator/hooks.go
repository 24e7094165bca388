package emulator

import (
	"cmp"
	"fmt"
	"strings"

	"octosync.dev/octosync/octopus"
)

// hooks are what one kind adds to the generic collection store: its
// document schema and the behaviour the registry row cannot express.
// Every function is optional. Each kind registers its hooks from its own
// file (kind_environments.go, ...) with register; the core has no switch
// over kinds.
type hooks struct {
	// kind is the registry kind name; the registry row supplies the path,
	// IDPrefix, ItemType, scope, label and identity.
	kind string
	// def replaces the registry row for a collection the registry does not
	// list (API keys); leave nil for registry kinds.
	def *octopus.Kind
	// schema declares the document's fields (required fields, enums,
	// defaults, write-only values). Id, SpaceId, Links and LastModified*
	// are handled by the core and must not be declared.
	schema *schema
	// perms names the permissions reading, creating, editing and deleting
	// need.
	perms permissions
	// prepare validates a decoded document and sets what the server owns
	// (slugs, element ids). old is nil on create. It runs before the
	// uniqueness check and the write.
	prepare func(c *ctx, doc, old Doc) error
	// afterCreate and afterUpdate run after the write, in the same
	// transaction: side effects such as a new space's team.
	afterCreate func(c *ctx, doc Doc) error
	afterUpdate func(c *ctx, doc, old Doc) error
	// beforeDelete refuses a delete (a built-in, a document in use) by
	// returning an error; afterDelete cleans up after it.
	beforeDelete func(c *ctx, doc Doc) error
	afterDelete  func(c *ctx, doc Doc) error
	// links returns the document's Links. It is the only place Links are
	// made, so every response carries the same map for the same document.
	// When nil the document links only to itself.
	links func(l *linker, doc Doc) map[string]string
	// present adjusts a copy of the document on its way out (values
	// computed at read time).
	present func(c *ctx, doc Doc)
	// less orders list responses; the default is by identity, then Id.
	less func(a, b Doc) int
	// unique returns the key that must be unique within a space (or the
	// instance); "" means the document takes part in no uniqueness rule.
	// The default is the identity field, case-insensitively.
	unique func(doc Doc) string
	// duplicate is the message for a unique key that is taken.
	duplicate string
	// filters are extra list query parameters (lower-case name) beyond
	// skip, take, ids, name and partialName.
	filters map[string]func(c *ctx, doc Doc, value string) bool
	// routes are extra routes below the collection path; they are matched
	// before the generic {id} routes.
	routes []route
	// seedInstance creates the fresh-server documents of this kind;
	// seedSpace creates those every new space starts with.
	seedInstance func(c *ctx) error
	seedSpace    func(c *ctx, space Doc) error
	// noCreate and noDelete refuse POST and DELETE (built-in-only kinds).
	noCreate, noDelete bool
	// pageSize overrides the default page size of 30.
	pageSize int
	// unrouted kinds are stored by the generic store but have no
	// collection route of their own (API keys live below users).
	unrouted bool
}

// usageChecks are functions that report why a document cannot be deleted
// because another document uses it, by the used document's kind. Any kind
// file may add to another kind's list with registerUsage: the project
// family registers "lifecycle used by projects" without touching
// kind_lifecycles.go.
var usageChecks = map[string][]func(c *ctx, doc Doc) string{}

// registerUsage adds a usage check for documents of kind: f returns a
// non-empty explanation when doc is in use.
func registerUsage(kind string, f func(c *ctx, doc Doc) string) {
	usageChecks[kind] = append(usageChecks[kind], f)
}

// permissions names the permission each operation on a kind needs.
type permissions struct {
	View, Create, Edit, Delete string
}

// crudPerms is the usual four permissions of a kind: EnvironmentView,
// EnvironmentCreate, EnvironmentEdit, EnvironmentDelete.
func crudPerms(noun string) permissions {
	return permissions{View: noun + "View", Create: noun + "Create", Edit: noun + "Edit", Delete: noun + "Delete"}
}

// editPerms is a kind guarded by a view and an edit permission only
// (FeedView, FeedEdit).
func editPerms(noun string) permissions {
	return permissions{View: noun + "View", Create: noun + "Edit", Edit: noun + "Edit", Delete: noun + "Edit"}
}

// route is an extra route of a kind, below its collection path.
type route struct {
	method string
	// pattern is slash-separated segments relative to the collection;
	// "{id}" matches a document id (the document must exist; it is passed
	// as c.doc), "*" matches any one segment.
	pattern string
	// write routes take the instance's write lock.
	write bool
	// perm is the permission the route needs ("" for any signed-in user).
	perm string
	// handle answers the request: the status and the value to encode.
	handle func(c *ctx, args []string) (int, any, error)
}

// kindDef is a kind as the emulator serves it: the registry row and its
// hooks.
type kindDef struct {
	*octopus.Kind
	h *hooks
}

var registered = map[string]*hooks{}

// register adds a kind's hooks. It is called from init functions, one per
// kind file, and panics on a programming error (an unknown kind, a kind
// registered twice), which the package's tests catch.
func register(h *hooks) {
	if _, dup := registered[h.kind]; dup {
		panic(fmt.Sprintf("emulator: kind %q registered twice", h.kind))
	}
	if h.def == nil && octopus.KindByName(h.kind) == nil {
		panic(fmt.Sprintf("emulator: kind %q is not in the registry", h.kind))
	}
	if h.schema == nil {
		panic(fmt.Sprintf("emulator: kind %q has no schema", h.kind))
	}
	registered[h.kind] = h
}

// definition returns the kindDef of a registered kind.
func definition(name string) *kindDef {
	h := registered[name]
	if h == nil {
		return nil
	}
	k := h.def
	if k == nil {
		k = octopus.KindByName(name)
	}
	return &kindDef{Kind: k, h: h}
}

// identityField is the field that names a document (Name, Username).
func (k *kindDef) identityField() string {
	if len(k.Identity) == 1 {
		return k.Identity[0]
	}
	return "Name"
}

// uniqueKey is the key a document must not share with another in its
// bucket.
func (k *kindDef) uniqueKey(doc Doc) string {
	if k.h.unique != nil {
		return k.h.unique(doc)
	}
	if len(k.Identity) != 1 {
		return ""
	}
	return strings.ToLower(asString(doc[k.Identity[0]]))
}

// compare orders documents for list responses.
func (k *kindDef) compare(a, b Doc) int {
	if k.h.less != nil {
		if c := k.h.less(a, b); c != 0 {
			return c
		}
	} else {
		f := k.identityField()
		if c := compareFold(asString(a[f]), asString(b[f])); c != 0 {
			return c
		}
	}
	return compareIDs(asString(a["Id"]), asString(b["Id"]))
}

// compareFold compares two strings case-insensitively without allocating
// for ASCII text.
func compareFold(a, b string) int {
	for i := 0; i < len(a) && i < len(b); i++ {
		ca, cb := a[i], b[i]
		if ca >= 0x80 || cb >= 0x80 {
			return strings.Compare(strings.ToLower(a[i:]), strings.ToLower(b[i:]))
		}
		if 'A' <= ca && ca <= 'Z' {
			ca += 'a' - 'A'
		}
		if 'A' <= cb && cb <= 'Z' {
			cb += 'a' - 'A'
		}
		if ca != cb {
			return cmp.Compare(ca, cb)
		}
	}
	return cmp.Compare(len(a), len(b))
}

// compareIDs orders ids numerically by their counter where they have one
// (Environments-2 before Environments-10).
func compareIDs(a, b string) int {
	pa, na := splitID(a)
	pb, nb := splitID(b)
	return cmp.Or(cmp.Compare(pa, pb), cmp.Compare(na, nb), cmp.Compare(a, b))
}

func splitID(id string) (string, int) {
	i := strings.LastIndexByte(id, '-')
	if i < 0 {
		return id, 0
	}
	n := 0
	for _, r := range id[i+1:] {
		if r < '0' || r > '9' {
			return id, 0
		}
		n = n*10 + int(r-'0')
	}
	return id[:i], n
}

// duplicateMessage is the 400 text for a name that is taken.
func (k *kindDef) duplicateMessage() string {
	if k.h.duplicate != "" {
		return k.h.duplicate
	}
	return fmt.Sprintf("%s with this name already exists. Please choose a different name.", article(k.Label))
}

// article prefixes a noun with "A" or "An".
func article(noun string) string {
	if noun != "" && strings.ContainsRune("aeiouAEIOU", rune(noun[0])) {
		return "An " + noun
	}
	return "A " + noun
}

// The registry's scopes, spelled short.
const (
	scopeInstance = octopus.ScopeInstance
	scopeSpace    = octopus.ScopeSpace
)
