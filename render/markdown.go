package render

import (
	"fmt"
	"io"
	"slices"
	"sort"
	"strings"

	"octosync.dev/octosync/reconcile"
)

// PlanMarker is the hidden marker that identifies octosync's sticky plan
// comment on a pull request.
const PlanMarker = "<!-- octosync:plan -->"

// CommentLimit is GitHub's limit on the length of a comment body.
const CommentLimit = 65536

// maxUnfoldedLines is how long a change's details may be before they are
// folded into <details>.
const maxUnfoldedLines = 12

// PlanMarkdown writes a plan as a pull-request comment. It stays readable
// at scale: a change that is identical in many spaces is shown once with
// "× N spaces", long diffs are folded, and the whole comment is kept under
// GitHub's limit, with a pointer to the full JSON plan when something had
// to be left out.
func PlanMarkdown(w io.Writer, p *reconcile.Plan) error {
	var b strings.Builder
	c, u, d := p.Counts()
	b.WriteString(PlanMarker + "\n")
	switch {
	case p.Errored():
		b.WriteString("### ❌ octosync plan failed\n\n")
	case c+u+d == 0:
		b.WriteString("### ✅ octosync plan: no changes\n\n")
	default:
		fmt.Fprintf(&b, "### octosync plan: %d to create, %d to update, %d to delete\n\n", c, u, d)
	}
	switch {
	case p.BaseCommit != "":
		fmt.Fprintf(&b, "Configuration at `%s`; only instances and spaces changed since `%s` are planned.\n\n", shortCommit(p.Commit), shortCommit(p.BaseCommit))
	case p.Commit != "":
		fmt.Fprintf(&b, "Configuration at `%s`.\n\n", shortCommit(p.Commit))
	}
	for _, in := range p.Instances {
		for _, e := range in.Errors {
			fmt.Fprintf(&b, "- ❌ instance `%s`: %s\n", in.Name, e)
		}
		for _, sp := range in.Spaces {
			for _, e := range sp.Errors {
				fmt.Fprintf(&b, "- ❌ instance `%s`, space `%s`: %s\n", in.Name, sp.Name, e)
			}
		}
	}
	groups := groupChanges(p)
	var sections []string
	deletes := 0
	for _, g := range groups {
		if g.action == reconcile.Delete {
			deletes++
		}
		sections = append(sections, g.markdown())
	}
	if deletes > 0 {
		fmt.Fprintf(&b, "> **⚠️ %d deletion(s)** — listed first.\n\n", deletes)
	}
	footer := "\n---\n" + Summary(p) + "\n"
	omitted := 0
	for i, s := range sections {
		if b.Len()+len(s)+len(footer)+400 > CommentLimit {
			omitted = len(sections) - i
			break
		}
		b.WriteString(s)
	}
	if omitted > 0 {
		fmt.Fprintf(&b, "\n> %d more change group(s) are not shown: the comment would exceed GitHub's limit. The full plan is in the JSON output (`octosync plan --output json --out plan.json`).\n", omitted)
	}
	b.WriteString(footer)
	_, err := io.WriteString(w, b.String())
	return err
}

// changeGroup is one change made identically in one or more places.
type changeGroup struct {
	action reconcile.Action
	label  string
	reason string
	body   string   // the rendered field changes
	where  []string // "instance/space" (or "instance" for instance-level)
	order  int
}

// groupChanges collects identical changes (same resource, action and
// field changes) across spaces and instances, deletes first.
func groupChanges(p *reconcile.Plan) []*changeGroup {
	bySig := map[string]*changeGroup{}
	var out []*changeGroup
	p.Each(func(in *reconcile.InstancePlan, sp *reconcile.SpacePlan, c *reconcile.Change) {
		if c.Action == reconcile.NoOp && len(c.Observed) == 0 {
			return
		}
		var body strings.Builder
		ew := &errWriter{w: &body}
		for _, f := range c.Fields {
			fieldText(ew, f, "", c.Action == reconcile.Create)
		}
		for _, f := range c.Observed {
			ew.printf("! %s: %s (observed, not changed)\n", f.Path, describe(f))
		}
		sig := string(c.Action) + "\x00" + c.Label() + "\x00" + body.String()
		where := in.Name
		if sp != nil {
			where += "/" + sp.Name
		}
		g := bySig[sig]
		if g == nil {
			g = &changeGroup{action: c.Action, label: c.Label(), reason: c.Reason, body: body.String(), order: len(out)}
			bySig[sig] = g
			out = append(out, g)
		}
		g.where = append(g.where, where)
	})
	sort.SliceStable(out, func(i, j int) bool {
		di, dj := out[i].action == reconcile.Delete, out[j].action == reconcile.Delete
		if di != dj {
			return di
		}
		return out[i].order < out[j].order
	})
	return out
}

func (g *changeGroup) markdown() string {
	var b strings.Builder
	slices.Sort(g.where)
	count := ""
	if len(g.where) > 1 {
		count = fmt.Sprintf(" — × %d spaces", len(g.where))
	}
	fmt.Fprintf(&b, "#### `%s` %s%s\n", g.action.Symbol(), escapeMD(g.label), count)
	if g.action == reconcile.Delete || g.action == reconcile.NoOp {
		fmt.Fprintf(&b, "_%s_\n", escapeMD(g.reason))
	}
	if len(g.where) > 1 {
		fmt.Fprintf(&b, "<details><summary>where: %s</summary>\n\n%s\n\n</details>\n\n", escapeMD(abbreviate(g.where, 3)), escapeMD(strings.Join(g.where, ", ")))
	} else {
		fmt.Fprintf(&b, "in `%s`\n\n", g.where[0])
	}
	if g.body != "" {
		lines := strings.Count(g.body, "\n")
		fence := "```diff\n" + strings.ReplaceAll(g.body, "```", "`\u200b``") + "```\n"
		if lines > maxUnfoldedLines {
			fmt.Fprintf(&b, "<details><summary>%d lines of changes</summary>\n\n%s\n</details>\n", lines, fence)
		} else {
			b.WriteString(fence)
		}
	}
	b.WriteString("\n")
	return b.String()
}

func abbreviate(items []string, n int) string {
	if len(items) <= n {
		return strings.Join(items, ", ")
	}
	return strings.Join(items[:n], ", ") + fmt.Sprintf(", … (%d in all)", len(items))
}

// escapeMD keeps names from being read as markdown.
func escapeMD(s string) string {
	r := strings.NewReplacer("<", "&lt;", ">", "&gt;", "|", "\\|", "*", "\\*", "_", "\\_", "`", "\\`")
	return r.Replace(s)
}
