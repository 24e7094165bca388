package render

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"octosync.dev/octosync/model"
	"octosync.dev/octosync/reconcile"
)

// ComparedScope is one pair of compared scopes: the instance-level
// resources of two instances, or two spaces.
type ComparedScope struct {
	// Name says what was compared: `instance-level resources` or
	// `space "payments"`.
	Name string `json:"name"`
	*reconcile.Comparison
}

// Comparison is the result of comparing two live instances or spaces.
type Comparison struct {
	FormatVersion string          `json:"format_version"`
	A             string          `json:"a"`
	B             string          `json:"b"`
	Scopes        []ComparedScope `json:"scopes"`
}

// Same reports whether nothing differs.
func (c *Comparison) Same() bool {
	for _, s := range c.Scopes {
		if !s.Same() {
			return false
		}
	}
	return true
}

// CompareText writes a comparison for a terminal.
func CompareText(w io.Writer, c *Comparison) error {
	ew := &errWriter{w: w}
	ew.printf("Comparing %s (A) with %s (B).\n\n", c.A, c.B)
	onlyA, onlyB, differ := 0, 0, 0
	for _, s := range c.Scopes {
		if s.Same() {
			continue
		}
		ew.printf("%s\n", s.Name)
		if len(s.OnlyA) > 0 {
			ew.printf("  B lacks (%d): %s\n", len(s.OnlyA), labels(s.OnlyA))
		}
		if len(s.OnlyB) > 0 {
			ew.printf("  only B has (%d): %s\n", len(s.OnlyB), labels(s.OnlyB))
		}
		for _, ch := range s.Differ {
			ew.printf("  ~ %s\n", ch.Label())
			for _, f := range ch.Fields {
				ew.printf("      %s: %s\n", f.Path, compareField(f))
			}
		}
		ew.printf("\n")
		onlyA, onlyB, differ = onlyA+len(s.OnlyA), onlyB+len(s.OnlyB), differ+len(s.Differ)
	}
	if c.Same() {
		ew.printf("Same: %s and %s hold the same resources, alike.\n", c.A, c.B)
	} else {
		ew.printf("Different: B lacks %d, only B has %d, %d differ.\n", onlyA, onlyB, differ)
	}
	return ew.err
}

// CompareMarkdown writes a comparison as markdown.
func CompareMarkdown(w io.Writer, c *Comparison) error {
	var b strings.Builder
	fmt.Fprintf(&b, "### octosync compare: `%s` (A) and `%s` (B)\n\n", c.A, c.B)
	for _, s := range c.Scopes {
		if s.Same() {
			continue
		}
		fmt.Fprintf(&b, "#### %s\n\n", escapeMD(s.Name))
		if len(s.OnlyA) > 0 {
			fmt.Fprintf(&b, "- **B lacks:** %s\n", escapeMD(labels(s.OnlyA)))
		}
		if len(s.OnlyB) > 0 {
			fmt.Fprintf(&b, "- **only B has:** %s\n", escapeMD(labels(s.OnlyB)))
		}
		if len(s.Differ) > 0 {
			b.WriteString("\n```diff\n")
			for _, ch := range s.Differ {
				fmt.Fprintf(&b, "~ %s\n", ch.Label())
				for _, f := range ch.Fields {
					fmt.Fprintf(&b, "    %s: %s\n", f.Path, compareField(f))
				}
			}
			b.WriteString("```\n")
		}
		b.WriteString("\n")
	}
	if c.Same() {
		b.WriteString("No differences.\n")
	}
	_, err := io.WriteString(w, b.String())
	return err
}

// CompareJSON writes a comparison as versioned JSON.
func CompareJSON(w io.Writer, c *Comparison) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(c)
}

func compareField(f reconcile.FieldChange) string {
	if f.Sensitive {
		if f.Op == reconcile.OpAdd {
			return "set in A, not in B"
		}
		return "set in B, not in A"
	}
	switch f.Op {
	case reconcile.OpAdd:
		return "A has " + value(f.After) + ", B has nothing"
	case reconcile.OpRemove:
		return "B has " + value(f.Before) + ", A has nothing"
	}
	if f.TextDiff != "" {
		return "text differs (- B, + A):\n" + indent(f.TextDiff, "          ")
	}
	return "A has " + value(f.After) + ", B has " + value(f.Before)
}

func labels(keys []model.Key) string {
	out := make([]string, len(keys))
	for i, k := range keys {
		out[i] = reconcile.ResourceLabel(k)
	}
	return strings.Join(out, ", ")
}
