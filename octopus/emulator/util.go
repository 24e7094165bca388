package emulator

import (
	"crypto/rand"
	"fmt"
	"strings"
	"time"
	"unicode"
)

// newUUID returns a random (version 4) UUID, the form of the server's
// element ids and installation id.
func newUUID() string {
	var b [16]byte
	_, _ = rand.Read(b[:])
	b[6] = b[6]&0x0f | 0x40
	b[8] = b[8]&0x3f | 0x80
	return fmt.Sprintf("%x-%x-%x-%x-%x", b[0:4], b[4:6], b[6:8], b[8:10], b[10:16])
}

// parseTime parses an RFC 3339 date-time.
func parseTime(s string) (time.Time, error) {
	return time.Parse(time.RFC3339Nano, s)
}

// slugify makes a slug the way the server does: lower case, each run of
// characters other than letters and digits turned into one hyphen.
func slugify(name string) string {
	var b strings.Builder
	dash := false
	for _, r := range strings.ToLower(name) {
		if unicode.IsLetter(r) || unicode.IsDigit(r) {
			if dash && b.Len() > 0 {
				b.WriteByte('-')
			}
			dash = false
			b.WriteRune(r)
			continue
		}
		dash = true
	}
	return b.String()
}

// assignSlug sets a document's Slug when the client left it empty: from
// the name, made unique among the other documents of the kind in the same
// space, falling back to the id for a name without letters or digits. A
// slug, once set, survives renames.
func assignSlug(c *ctx, kind string, doc, old Doc) {
	if s := asString(doc["Slug"]); s != "" {
		return
	}
	if old != nil && asString(old["Slug"]) != "" {
		doc["Slug"] = old["Slug"]
		return
	}
	base := slugify(asString(doc["Name"]))
	if base == "" {
		base = strings.ToLower(asString(doc["Id"]))
	}
	k := c.def(kind)
	taken := map[string]bool{}
	c.each(kind, bucketOf(k, doc), func(d Doc) {
		if d["Id"] != doc["Id"] {
			taken[asString(d["Slug"])] = true
		}
	})
	slug := base
	for i := 1; taken[slug]; i++ {
		slug = fmt.Sprintf("%s-%d", base, i)
	}
	doc["Slug"] = slug
}
