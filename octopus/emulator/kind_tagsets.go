package emulator

import (
	"encoding/json"
	"maps"
	"net/http"
	"regexp"
	"slices"
	"strconv"
	"strings"
)

// tagSetScopes are the values of a tag set's Scopes.
var tagSetScopes = []string{"Tenant", "Environment", "Project", "Target", "Runbook", "Feature Toggle"}

// tagIDPattern is the form of a tag's id, TagSets-<n>/Tags-<m>.
var tagIDPattern = regexp.MustCompile(`^TagSets-\d+/Tags-\d+$`)

func init() {
	register(&hooks{
		kind: "tagSets",
		schema: &schema{fields: []field{
			str("Name").req(),
			str("Description"),
			integer("SortOrder").keep(),
			strs("Scopes").withDefault([]string{"Tenant"}),
			enum("Type", "MultiSelect", "SingleSelect", "FreeText").withDefault("MultiSelect"),
			boolean("IsSystem").ro(),
			objects("Tags",
				str("Id"),
				str("Name").req(),
				str("Description"),
				str("Color"),
				integer("SortOrder"),
				str("CanonicalTagName"),
			),
		}},
		perms:       permissions{Create: "TagSetCreate", Edit: "TagSetEdit", Delete: "TagSetDelete"},
		prepare:     prepareTagSet,
		afterUpdate: renameTags,
		beforeDelete: func(c *ctx, doc Doc) error {
			for _, t := range elements(doc["Tags"]) {
				if who := tagUser(c, asString(doc["SpaceId"]), asString(t["CanonicalTagName"]), asString(t["Id"]), ""); who != "" {
					return refused("The tag '" + asString(t["CanonicalTagName"]) + "' is used by " + who + ". Remove the tag from it before deleting the tag set.")
				}
			}
			return nil
		},
		less: bySortOrder,
		links: func(l *linker, doc Doc) map[string]string {
			return map[string]string{
				"Self": l.inSpace("tagsets", doc),
				"Web":  l.web("/" + asString(doc["SpaceId"]) + "/library/tagsets/" + asString(doc["Id"])),
			}
		},
		filters: map[string]func(c *ctx, doc Doc, value string) bool{
			"scopes": func(_ *ctx, doc Doc, value string) bool {
				for _, s := range splitList(value) {
					if slices.ContainsFunc(stringList(doc["Scopes"]), func(x string) bool { return strings.EqualFold(x, s) }) {
						return true
					}
				}
				return false
			},
			"types": func(_ *ctx, doc Doc, value string) bool {
				return slices.ContainsFunc(splitList(value), func(t string) bool { return strings.EqualFold(t, asString(doc["Type"])) })
			},
		},
		routes: []route{
			{method: http.MethodPut, pattern: "sortorder", write: true, perm: "TagSetEdit", handle: func(c *ctx, _ []string) (int, any, error) {
				return reorder(c, "tagSets")
			}},
		},
	})
}

// prepareTagSet checks a tag set. Its Tags list is complete: tags keep
// their ids when the body carries them, new ones get TagSets-<n>/Tags-<m>
// ids, every tag gets its canonical name (TagSet/Tag), and a tag removed
// while something uses it is refused. A new tag set without a sort order
// goes to the end.
func prepareTagSet(c *ctx, doc, old Doc) error {
	space, id := asString(doc["SpaceId"]), asString(doc["Id"])
	var errs []string
	scopes := []any{}
	for _, s := range stringList(doc["Scopes"]) {
		i := slices.IndexFunc(tagSetScopes, func(x string) bool { return strings.EqualFold(x, s) })
		switch {
		case i < 0:
			errs = append(errs, "Error converting value \""+s+"\" to type 'TagSetScope'. Path 'Scopes'. Valid values are: "+strings.Join(tagSetScopes, ", ")+".")
		case !slices.Contains(scopes, any(tagSetScopes[i])):
			scopes = append(scopes, tagSetScopes[i])
		}
	}
	doc["Scopes"] = scopes
	if doc["Type"] == "FreeText" && len(elements(doc["Tags"])) > 0 {
		errs = append(errs, "A FreeText tag set does not allow predefined tags.")
	}
	oldTags := map[string]map[string]any{}
	if old != nil {
		for _, t := range elements(old["Tags"]) {
			oldTags[asString(t["Id"])] = t
		}
	}
	names := map[string]bool{}
	kept := map[string]bool{}
	for _, t := range elements(doc["Tags"]) {
		tid := asString(t["Id"])
		switch {
		case tid != "" && oldTags[tid] != nil:
			kept[tid] = true
		case tid != "" && !tagIDPattern.MatchString(tid):
			errs = append(errs, "Tag Id is in invalid format.")
		default:
			// A new tag, or one copied from another tag set: the server
			// assigns the id.
			t["Id"] = id + "/" + c.nextID("Tags")
		}
		n := strings.ToLower(asString(t["Name"]))
		if names[n] {
			errs = append(errs, "Tag names must be unique within a tag set; '"+asString(t["Name"])+"' is used more than once.")
		}
		names[n] = true
		t["CanonicalTagName"] = asString(doc["Name"]) + "/" + asString(t["Name"])
	}
	for _, tid := range slices.Sorted(maps.Keys(oldTags)) {
		t := oldTags[tid]
		if kept[tid] {
			continue
		}
		if who := tagUser(c, space, asString(t["CanonicalTagName"]), tid, ""); who != "" {
			errs = append(errs, "The tag '"+asString(t["CanonicalTagName"])+"' cannot be deleted: it is used by "+who+".")
		}
	}
	if old != nil {
		errs = append(errs, tagSetChangesInUse(c, doc, old)...)
	}
	if len(errs) > 0 {
		return badRequest(errs...)
	}
	if old == nil && asInt(doc["SortOrder"]) == 0 {
		last := -1
		for _, ts := range c.list("tagSets", space) {
			last = max(last, asInt(ts["SortOrder"]))
		}
		doc["SortOrder"] = json.Number(strconv.Itoa(last + 1))
	}
	return nil
}

// tagSetChangesInUse refuses what a tag set in use cannot do: change its
// type other than from SingleSelect to MultiSelect, or drop a scope whose
// documents use its tags.
func tagSetChangesInUse(c *ctx, doc, old Doc) []string {
	space := asString(doc["SpaceId"])
	used := func(scope string) string {
		for _, t := range elements(old["Tags"]) {
			if who := tagUser(c, space, asString(t["CanonicalTagName"]), asString(t["Id"]), scope); who != "" {
				return who
			}
		}
		return ""
	}
	var errs []string
	if was, now := asString(old["Type"]), asString(doc["Type"]); was != now && !(was == "SingleSelect" && now == "MultiSelect") {
		if who := used(""); who != "" {
			errs = append(errs, "The type of a tag set in use can only change from SingleSelect to MultiSelect; its tags are used by "+who+".")
		}
	}
	for _, s := range stringList(old["Scopes"]) {
		if slices.Contains(stringList(doc["Scopes"]), s) {
			continue
		}
		if who := used(s); who != "" {
			errs = append(errs, "The scope '"+s+"' cannot be removed: the tag set's tags are used by "+who+".")
		}
	}
	return errs
}

// tagHolders are the documents that refer to tags (by canonical name, or
// for projects and runbooks also by id): each kind, the list field holding
// them, and the tag set scope that lets a tag be used there.
var tagHolders = []struct {
	kind, label, field, scope string
}{
	{"tenants", "the tenant", "TenantTags", "Tenant"},
	{"channels", "the channel", "TenantTags", "Tenant"},
	{"projects", "the project", "ProjectTags", "Project"},
	{"runbooks", "the runbook", "RunbookTags", "Runbook"},
	{"environments", "the environment", "EnvironmentTags", "Environment"},
}

// tagUser describes the first document of a space using a tag (by its
// canonical name or, where ids are allowed, its id), or returns "". A
// scope limits the search to the documents of that tag set scope.
func tagUser(c *ctx, space, canonical, id, scope string) string {
	uses := func(list []string) bool {
		return slices.ContainsFunc(list, func(s string) bool { return strings.EqualFold(s, canonical) || s == id })
	}
	for _, h := range tagHolders {
		if c.inst.kinds[h.kind] == nil || (scope != "" && h.scope != scope) {
			continue
		}
		for _, d := range c.list(h.kind, space) {
			if uses(stringList(d[h.field])) {
				return h.label + " '" + asString(d["Name"]) + "'"
			}
		}
	}
	if scope != "" && scope != "Tenant" {
		return ""
	}
	for _, kind := range []string{"deploymentProcess", "runbookProcess"} {
		for _, p := range c.list(kind, space) {
			found := false
			eachAction(p, func(_, a map[string]any) { found = found || uses(stringList(a["TenantTags"])) })
			if found {
				return "a step of the project '" + projectName(c, p) + "'"
			}
		}
	}
	for _, kind := range variableSetKinds {
		for _, set := range c.list(kind, space) {
			for _, v := range elements(set["Variables"]) {
				vs, _ := v["Scope"].(map[string]any)
				if uses(stringList(vs["TenantTag"])) {
					return "the scope of the variable '" + asString(v["Name"]) + "' of " + variableSetOwner(c, set)
				}
			}
		}
	}
	return ""
}

// renameTags rewrites the canonical names other documents hold when a tag
// set or a tag is renamed, as the server rewrites references it stores.
func renameTags(c *ctx, doc, old Doc) error {
	renames := map[string]string{}
	byID := map[string]string{}
	for _, t := range elements(old["Tags"]) {
		byID[asString(t["Id"])] = asString(t["CanonicalTagName"])
	}
	for _, t := range elements(doc["Tags"]) {
		if was, ok := byID[asString(t["Id"])]; ok && was != asString(t["CanonicalTagName"]) {
			renames[strings.ToLower(was)] = asString(t["CanonicalTagName"])
		}
	}
	if len(renames) == 0 {
		return nil
	}
	rewrite := func(v any) (any, bool) {
		list, _ := v.([]any)
		changed := false
		out := make([]any, len(list))
		for i, e := range list {
			out[i] = e
			if n, ok := renames[strings.ToLower(asString(e))]; ok {
				out[i], changed = n, true
			}
		}
		return out, changed
	}
	space := asString(doc["SpaceId"])
	for _, h := range tagHolders {
		if c.inst.kinds[h.kind] == nil {
			continue
		}
		for _, d := range c.list(h.kind, space) {
			if v, ok := rewrite(d[h.field]); ok {
				next := cloneDoc(d)
				next[h.field] = v
				touch(c, h.kind, next)
			}
		}
	}
	for _, kind := range []string{"deploymentProcess", "runbookProcess"} {
		for _, p := range c.list(kind, space) {
			next, changed := cloneDoc(p), false
			eachAction(next, func(_, a map[string]any) {
				if v, ok := rewrite(a["TenantTags"]); ok {
					a["TenantTags"], changed = v, true
				}
			})
			if changed {
				touch(c, kind, next)
			}
		}
	}
	for _, kind := range variableSetKinds {
		for _, set := range c.list(kind, space) {
			next, changed := cloneDoc(set), false
			for _, v := range elements(next["Variables"]) {
				scope, _ := v["Scope"].(map[string]any)
				if nv, ok := rewrite(scope["TenantTag"]); ok {
					scope["TenantTag"], changed = nv, true
				}
			}
			if changed {
				touch(c, kind, next)
			}
		}
	}
	return nil
}

// tagsFor returns the tags of a space whose tag sets apply to scope
// (Tenant, Project, Runbook, ...; "" for every tag set): their canonical
// names, lower-case, and their ids.
func tagsFor(c *ctx, space, scope string) (names, ids map[string]bool) {
	names, ids = map[string]bool{}, map[string]bool{}
	if c.inst.kinds["tagSets"] == nil {
		return names, ids
	}
	c.each("tagSets", space, func(ts Doc) {
		if scope != "" && !slices.ContainsFunc(stringList(ts["Scopes"]), func(s string) bool { return strings.EqualFold(s, scope) }) {
			return
		}
		for _, t := range elements(ts["Tags"]) {
			names[strings.ToLower(asString(t["CanonicalTagName"]))] = true
			ids[asString(t["Id"])] = true
		}
	})
	return names, ids
}

// checkTenantTags returns an error line for each tag in doc[field] that is
// not the canonical name (TagSet/Tag) of a tag whose tag set applies to
// tenants: tenants, channels and steps refer to tenant tags by name.
func checkTenantTags(c *ctx, doc Doc, field string) []string {
	names, _ := tagsFor(c, asString(doc["SpaceId"]), "Tenant")
	var errs []string
	for _, t := range stringList(doc[field]) {
		if !names[strings.ToLower(t)] {
			errs = append(errs, "The tag '"+t+"' in "+field+" was not found among the tags that apply to tenants. Tags are given by their canonical name, TagSet/Tag.")
		}
	}
	return errs
}

// checkTagRefs returns an error line for each tag in doc[field] that names
// no tag of a tag set applying to scope. Project and runbook tags are
// written TagSet/Tag with either the names (the canonical name) or the
// ids (TagSets-<n>/Tags-<m>) of the tag set and the tag.
func checkTagRefs(c *ctx, doc Doc, field, scope string) []string {
	names, ids := tagsFor(c, asString(doc["SpaceId"]), scope)
	var errs []string
	for _, t := range stringList(doc[field]) {
		if !names[strings.ToLower(t)] && !ids[t] {
			errs = append(errs, "The tag '"+t+"' in "+field+" was not found among the tags that apply to "+strings.ToLower(scope)+"s.")
		}
	}
	return errs
}
