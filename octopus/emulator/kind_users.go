package emulator

import (
	"crypto/rand"
	"net/http"
	"slices"
	"strings"

	"octosync.dev/octosync/octopus"
)

// adminUserID is the administrator every instance starts with; the API key
// given on the command line authenticates as this user.
const adminUserID = "Users-1"

// apiKeyKind is the collection of API keys. The registry does not list it
// (octosync never manages keys); keys live below their user at
// /api/users/{id}/apikeys.
var apiKeyKind = &octopus.Kind{
	Name: "apiKeys", Label: "API key", Scope: octopus.ScopeInstance, Shape: octopus.Collection,
	Path: "apikeys", IDPrefix: "ApiKeys", ItemType: "ApiKey", Owner: "users", OwnerRef: "UserId",
}

func init() {
	register(&hooks{
		kind: "users",
		schema: &schema{fields: []field{
			str("Username").req().max(64),
			str("DisplayName").max(64),
			str("EmailAddress"),
			boolean("IsActive").withDefault(true),
			boolean("IsService"),
			boolean("IsRequestor").ro(),
			boolean("CanPasswordBeEdited").ro().withDefault(true),
			objects("Identities", str("IdentityProviderName").req(), anyValue("Claims")),
		}},
		perms:     permissions{View: "UserView", Create: "UserEdit", Edit: "UserEdit", Delete: "UserEdit"},
		duplicate: "A user with this username already exists. Please choose a different username.",
		prepare: func(c *ctx, doc, old Doc) error {
			doc["CanPasswordBeEdited"] = doc["IsService"] != true
			if old != nil && asString(old["Id"]) == adminUserID && doc["IsActive"] != true {
				return refused("You cannot deactivate the administrator the emulator was started with.")
			}
			pw, _ := c.body["Password"].(string)
			if pw == "" {
				return nil
			}
			if doc["IsService"] == true {
				return badRequest("Service accounts cannot have a password.")
			}
			c.setSecrets(asString(doc["Id"]), []secretWrite{{Path: "Password", Value: hashKey(pw)}})
			return nil
		},
		beforeDelete: func(c *ctx, doc Doc) error {
			if c.user != nil && c.user["Id"] == doc["Id"] {
				return refused("You cannot delete your own user account.")
			}
			if doc["Id"] == adminUserID {
				return refused("You cannot delete the administrator the emulator was started with.")
			}
			return nil
		},
		afterDelete: func(c *ctx, doc Doc) error {
			id := doc["Id"]
			for _, t := range c.st.coll(c.def("teams")).all(c.def("teams")) {
				members, _ := t["MemberUserIds"].([]any)
				if slices.Contains(members, id) {
					t = cloneDoc(t)
					t["MemberUserIds"] = slices.DeleteFunc(slices.Clone(members), func(m any) bool { return m == id })
					c.put("teams", t)
				}
			}
			for _, k := range c.list("apiKeys", "") {
				if k["UserId"] == id {
					c.dropKey(k)
				}
			}
			return nil
		},
		present: func(c *ctx, doc Doc) {
			// The user making the request is the "requestor", the one
			// account a client must not delete.
			doc["IsRequestor"] = c.user != nil && c.user["Id"] == doc["Id"]
		},
		links: func(l *linker, doc Doc) map[string]string {
			self := l.api("/users/" + asString(doc["Id"]))
			return map[string]string{
				"Self":                     self,
				"Permissions":              self + "/permissions",
				"PermissionsConfiguration": self + "/permissions/configuration",
				"ApiKeys":                  self + "/apikeys{/id}{?skip,take}",
				"Avatar":                   "https://www.gravatar.com/avatar/?d=blank",
				"Spaces":                   self + "/spaces",
				"Teams":                    self + "/teams{?spaces,includeSystem}",
			}
		},
		less: func(a, b Doc) int {
			return strings.Compare(strings.ToLower(asString(a["DisplayName"])), strings.ToLower(asString(b["DisplayName"])))
		},
		filters: map[string]func(c *ctx, doc Doc, value string) bool{
			"filter": func(_ *ctx, doc Doc, v string) bool {
				v = strings.ToLower(v)
				for _, f := range []string{"Username", "DisplayName", "EmailAddress"} {
					if strings.Contains(strings.ToLower(asString(doc[f])), v) {
						return true
					}
				}
				return false
			},
		},
		routes: []route{
			{method: http.MethodGet, pattern: "{id}/apikeys", handle: listKeys},
			{method: http.MethodPost, pattern: "{id}/apikeys", write: true, handle: createKey},
			{method: http.MethodGet, pattern: "{id}/apikeys/*", handle: getKey},
			{method: http.MethodDelete, pattern: "{id}/apikeys/*", write: true, handle: deleteKey},
			{method: http.MethodGet, pattern: "{id}/teams", perm: "TeamView", handle: func(c *ctx, _ []string) (int, any, error) {
				return http.StatusOK, projectedTeams(c, c.doc), nil
			}},
			{method: http.MethodGet, pattern: "{id}/permissions", handle: permissionSet},
			{method: http.MethodGet, pattern: "{id}/permissions/configuration", handle: permissionSet},
			{method: http.MethodGet, pattern: "{id}/spaces", handle: userSpaces},
		},
		seedInstance: func(c *ctx) error {
			_, err := c.create("users", "", Doc{"Id": adminUserID, "Username": "admin", "DisplayName": "Administrator", "IsActive": true})
			return err
		},
	})
	register(&hooks{
		kind: "apiKeys",
		def:  apiKeyKind,
		schema: &schema{fields: []field{
			str("Purpose"),
			str("UserId").ro(),
			timestamp("Expires"),
			timestamp("Created").ro(),
			anyValue("ApiKey").ro(),
		}},
		unrouted: true,
		unique:   func(Doc) string { return "" },
		less: func(a, b Doc) int {
			return strings.Compare(asString(b["Created"]), asString(a["Created"]))
		},
		links: func(l *linker, doc Doc) map[string]string {
			return map[string]string{
				"Self": l.api("/users/" + asString(doc["UserId"]) + "/apikeys/" + asString(doc["Id"])),
				"User": l.api("/users/" + asString(doc["UserId"])),
			}
		},
	})
	registerAPI(apiRoute{method: http.MethodGet, pattern: "users/me", handle: func(c *ctx, _ []string) (int, any, error) {
		return http.StatusOK, c.render("users", c.user), nil
	}})
}

// mayManageKeys allows users to manage their own keys; other users' keys
// need UserEdit.
func mayManageKeys(c *ctx) error {
	if c.user["Id"] == c.doc["Id"] {
		return nil
	}
	return c.require("UserEdit")
}

func listKeys(c *ctx, _ []string) (int, any, error) {
	if err := mayManageKeys(c); err != nil {
		return 0, nil, err
	}
	var keys []Doc
	for _, k := range c.list("apiKeys", "") {
		if k["UserId"] == c.doc["Id"] {
			keys = append(keys, k)
		}
	}
	env, err := listResponse(c, c.def("apiKeys"), c.inst.links.api("/users/"+asString(c.doc["Id"])+"/apikeys"), keys)
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, env, nil
}

// newAPIKey returns a fresh key: API- and 27 upper-case letters and
// digits.
func newAPIKey() string {
	const alphabet = "ABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789"
	b := make([]byte, 27)
	_, _ = rand.Read(b)
	for i := range b {
		b[i] = alphabet[int(b[i])%len(alphabet)]
	}
	return "API-" + string(b)
}

// createKey makes an API key for a user; the response carries the key in
// plain text, the only time it is ever shown.
func createKey(c *ctx, _ []string) (int, any, error) {
	if err := mayManageKeys(c); err != nil {
		return 0, nil, err
	}
	body, err := c.requireBody()
	if err != nil {
		return 0, nil, err
	}
	if strings.TrimSpace(asString(body["Purpose"])) == "" {
		return 0, nil, badRequest("The Purpose field is required.")
	}
	doc, err := c.create("apiKeys", "", body)
	if err != nil {
		return 0, nil, err
	}
	key := newAPIKey()
	doc = cloneDoc(doc)
	doc["UserId"] = c.doc["Id"]
	doc["Created"] = formatTime(c.now)
	doc["ApiKey"] = sensitiveDoc(true, nil)
	c.put("apiKeys", doc)
	hash := hashKey(key)
	c.st.keys[hash] = asString(doc["Id"])
	c.undo = append(c.undo, func() { delete(c.st.keys, hash) })
	out := c.render("apiKeys", doc)
	out["ApiKey"] = key
	return http.StatusCreated, out, nil
}

func findKey(c *ctx, id string) (Doc, error) {
	k := c.get("apiKeys", id)
	if k == nil || k["UserId"] != c.doc["Id"] {
		return nil, notFound(id)
	}
	return k, nil
}

func getKey(c *ctx, args []string) (int, any, error) {
	if err := mayManageKeys(c); err != nil {
		return 0, nil, err
	}
	k, err := findKey(c, args[1])
	if err != nil {
		return 0, nil, err
	}
	return http.StatusOK, c.render("apiKeys", k), nil
}

func deleteKey(c *ctx, args []string) (int, any, error) {
	if err := mayManageKeys(c); err != nil {
		return 0, nil, err
	}
	k, err := findKey(c, args[1])
	if err != nil {
		return 0, nil, err
	}
	c.dropKey(k)
	return http.StatusOK, nil, nil
}

// dropKey deletes an API key document and its hash.
func (c *ctx) dropKey(k Doc) {
	c.drop("apiKeys", k)
	for h, id := range c.st.keys {
		if id == k["Id"] {
			delete(c.st.keys, h)
			c.undo = append(c.undo, func() { c.st.keys[h] = id })
		}
	}
}

// userSpaces lists the spaces a user can see, as a bare array.
func userSpaces(c *ctx, _ []string) (int, any, error) {
	return http.StatusOK, c.renderAll("spaces", c.list("spaces", "")), nil
}
