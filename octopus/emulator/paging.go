package emulator

import (
	"net/http"
	"net/url"
	"slices"
	"strconv"
	"strings"
)

const (
	// defaultTake is the page size when a request does not say: 30, as on
	// a real server.
	defaultTake = 30
	// allTake is the take of the Page.All link.
	allTake = 2147483647
)

// listFilters are the query parameters every collection understands.
var listFilters = []string{"skip", "take", "ids", "name", "partialName"}

// filterDocs keeps the documents the request's ids, name, partialName and
// the kind's own filters select.
func filterDocs(c *ctx, k *kindDef, docs []Doc) []Doc {
	ids := splitList(c.query["ids"])
	name := c.query["name"]
	partial := strings.ToLower(c.query["partialname"])
	var kindFilters []func(Doc) bool
	for pname, f := range k.h.filters {
		if v := c.query[strings.ToLower(pname)]; v != "" {
			kindFilters = append(kindFilters, func(d Doc) bool { return f(c, d, v) })
		}
	}
	if len(ids) == 0 && name == "" && partial == "" && len(kindFilters) == 0 {
		return docs
	}
	idf := k.identityField()
	out := make([]Doc, 0, len(docs))
	for _, d := range docs {
		if len(ids) > 0 && !slices.Contains(ids, asString(d["Id"])) {
			continue
		}
		if name != "" && !strings.EqualFold(asString(d[idf]), name) {
			continue
		}
		if partial != "" && !strings.Contains(strings.ToLower(asString(d[idf])), partial) {
			continue
		}
		ok := true
		for _, f := range kindFilters {
			if !f(d) {
				ok = false
				break
			}
		}
		if ok {
			out = append(out, d)
		}
	}
	return out
}

// splitList splits a comma-separated query value, dropping empty items.
func splitList(v string) []string {
	var out []string
	for _, s := range strings.Split(v, ",") {
		if s = strings.TrimSpace(s); s != "" {
			out = append(out, s)
		}
	}
	return out
}

// pageParams reads skip and take, rejecting values that are not
// non-negative integers.
func pageParams(c *ctx, def int) (skip, take int, err error) {
	skip, take = 0, def
	if v := c.query["skip"]; v != "" {
		n, e := strconv.Atoi(v)
		if e != nil || n < 0 {
			return 0, 0, badRequestf("The value '%s' is not valid for skip.", v)
		}
		skip = n
	}
	if v := c.query["take"]; v != "" {
		n, e := strconv.Atoi(v)
		if e != nil || n < 0 {
			return 0, 0, badRequestf("The value '%s' is not valid for take.", v)
		}
		if n > 0 {
			take = n
		}
	}
	return skip, take, nil
}

// envelope is the paged collection every list route answers with.
func envelope(c *ctx, itemType, base string, extraParams []string, items []Doc, skip, take int) map[string]any {
	total := len(items)
	pages := 1
	if total > 0 {
		pages = (total + take - 1) / take
	}
	var page []Doc
	if skip < total {
		page = items[skip:min(total, skip+take)]
	}
	if page == nil {
		page = []Doc{}
	}
	keep := url.Values{}
	for name, v := range c.rawQuery() {
		switch strings.ToLower(name) {
		case "skip", "take", "apikey":
			continue
		}
		keep[name] = v
	}
	link := func(skip, take int) string {
		q := url.Values{}
		for k, v := range keep {
			q[k] = v
		}
		q.Set("skip", strconv.Itoa(skip))
		q.Set("take", strconv.Itoa(take))
		return base + "?" + q.Encode()
	}
	params := append(slices.Clone(listFilters), extraParams...)
	links := map[string]string{
		"Self":         link(skip, take),
		"Template":     base + "{?" + strings.Join(params, ",") + "}",
		"Page.All":     link(0, allTake),
		"Page.Current": link(skip, take),
		"Page.Last":    link((pages-1)*take, take),
	}
	if skip+take < total {
		links["Page.Next"] = link(skip+take, take)
	}
	if skip > 0 {
		links["Page.Previous"] = link(max(0, skip-take), take)
	}
	return map[string]any{
		"ItemType":       itemType,
		"TotalResults":   total,
		"ItemsPerPage":   take,
		"NumberOfPages":  pages,
		"LastPageNumber": pages - 1,
		"Items":          page,
		"Links":          links,
	}
}

// emptyPage answers a listing the emulator keeps empty (machines,
// workers, packages: things octosync does not manage) with an empty page
// of itemType.
func emptyPage(itemType string) func(c *ctx, _ []string) (int, any, error) {
	return func(c *ctx, _ []string) (int, any, error) {
		skip, take, err := pageParams(c, defaultTake)
		if err != nil {
			return 0, nil, err
		}
		return http.StatusOK, envelope(c, itemType, c.r.URL.Path, nil, nil, skip, take), nil
	}
}

// listResponse filters, sorts and pages documents of a kind.
func listResponse(c *ctx, k *kindDef, base string, docs []Doc) (map[string]any, error) {
	size := defaultTake
	if k.h.pageSize > 0 {
		size = k.h.pageSize
	}
	skip, take, err := pageParams(c, size)
	if err != nil {
		return nil, err
	}
	docs = filterDocs(c, k, docs)
	var extra []string
	for name := range k.h.filters {
		extra = append(extra, name)
	}
	slices.Sort(extra)
	env := envelope(c, k.ItemType, base, extra, docs, skip, take)
	env["Items"] = c.renderAll(k.Name, env["Items"].([]Doc))
	return env, nil
}
