package render

import (
	"encoding/json"
	"fmt"
	"io"
	"strings"

	"octosync.dev/octosync/drift"
	"octosync.dev/octosync/reconcile"
)

// DriftMarker prefixes the hidden marker of a drift issue; the scope's key
// follows it.
const DriftMarker = "<!-- octosync:drift "

var classText = map[drift.Class]string{
	drift.Changed:   "changed outside git",
	drift.Missing:   "missing from Octopus",
	drift.Unmanaged: "appeared in Octopus, not in git (inside a prune scope)",
	drift.Sensitive: "sensitive value changed",
}

// DriftText writes a drift report for a terminal or a log.
func DriftText(w io.Writer, r *drift.Report) error {
	ew := &errWriter{w: w}
	if r.Commit != "" {
		ew.printf("Configuration at commit %s%s.\n\n", shortCommit(r.Commit), dirty(r.Dirty))
	}
	for _, s := range r.Scopes {
		where := scopeName(s)
		for _, e := range s.Errors {
			ew.printf("Error: %s: %s\n", where, e)
		}
		if len(s.Items) == 0 && len(s.Expired) == 0 {
			continue
		}
		ew.printf("%s\n", strings.ToUpper(where[:1])+where[1:])
		for _, it := range s.Items {
			ack := ""
			if it.Acknowledged != nil {
				ack = fmt.Sprintf(" [acknowledged: %s%s]", it.Acknowledged.Reason, until(it.Acknowledged.Until))
			}
			ew.printf("  %s: %s%s\n", it.Label, classText[it.Class], ack)
			for _, f := range it.Fields {
				ew.printf("      %s: %s\n", f.Path, driftField(f))
			}
		}
		for _, e := range s.Expired {
			ew.printf("  expired acknowledgement: %s\n", e)
		}
		ew.printf("\n")
	}
	ew.printf("%s\n", DriftSummary(r))
	return ew.err
}

// DriftSummary returns the report's one-line summary.
func DriftSummary(r *drift.Report) string {
	open, acked := 0, 0
	for _, s := range r.Scopes {
		for _, it := range s.Items {
			if it.Acknowledged != nil {
				acked++
			} else {
				open++
			}
		}
	}
	var b strings.Builder
	switch {
	case open == 0 && !r.Errored():
		b.WriteString("No drift: Octopus matches git.")
	case open == 0:
		b.WriteString("No drift found where Octopus could be read; some instances or spaces could not be checked.")
	default:
		fmt.Fprintf(&b, "Drift: %d resource(s) differ from git.", open)
	}
	if acked > 0 {
		fmt.Fprintf(&b, " %d acknowledged.", acked)
	}
	return b.String()
}

// driftField says how a field drifted: Octopus's value, then git's.
func driftField(f reconcile.FieldChange) string {
	if f.Sensitive {
		return f.Note
	}
	switch f.Op {
	case reconcile.OpAdd:
		return fmt.Sprintf("missing in Octopus, git has %s", value(f.After))
	case reconcile.OpRemove:
		return fmt.Sprintf("Octopus has %s, git does not", value(f.Before))
	}
	if f.TextDiff != "" {
		return "text differs:\n" + indent(f.TextDiff, "        ")
	}
	return fmt.Sprintf("Octopus has %s, git has %s", value(f.Before), value(f.After))
}

func indent(s, prefix string) string {
	lines := strings.Split(strings.TrimSuffix(s, "\n"), "\n")
	for i, l := range lines {
		lines[i] = prefix + l
	}
	return strings.Join(lines, "\n")
}

func until(u string) string {
	if u == "" {
		return ""
	}
	return ", until " + u
}

func scopeName(s drift.Scope) string {
	if s.Space == "" {
		return fmt.Sprintf("instance %q", s.Instance)
	}
	return fmt.Sprintf("space %q on instance %q", s.Space, s.Instance)
}

// DriftJSON writes the report as versioned JSON.
func DriftJSON(w io.Writer, r *drift.Report) error {
	enc := json.NewEncoder(w)
	enc.SetIndent("", "  ")
	return enc.Encode(r)
}

// DriftMarkdown writes the drift of the given scopes as the body of a
// GitHub issue (or a chat message): a heading, a table of drifted
// resources, field details folded when long, and a hidden marker carrying
// key and fingerprint so a notifier can find and compare it next time.
func DriftMarkdown(w io.Writer, r *drift.Report, key string) error {
	var b strings.Builder
	fmt.Fprintf(&b, "%s%s -->\n", DriftMarker, key)
	b.WriteString("### octosync drift\n\n")
	if r.Commit != "" {
		fmt.Fprintf(&b, "Compared with the configuration at `%s`.\n\n", shortCommit(r.Commit))
	}
	for _, s := range r.Scopes {
		for _, e := range s.Errors {
			fmt.Fprintf(&b, "- ❌ %s: %s\n", escapeMD(scopeName(s)), escapeMD(e))
		}
		if len(s.Items) == 0 {
			continue
		}
		fmt.Fprintf(&b, "\n#### %s\n\n| resource | drift | acknowledged |\n|---|---|---|\n", escapeMD(scopeName(s)))
		for _, it := range s.Items {
			ack := ""
			if it.Acknowledged != nil {
				ack = escapeMD(it.Acknowledged.Reason + until(it.Acknowledged.Until))
			}
			fmt.Fprintf(&b, "| %s | %s | %s |\n", escapeMD(it.Label), classText[it.Class], ack)
		}
		var details strings.Builder
		for _, it := range s.Items {
			for _, f := range it.Fields {
				fmt.Fprintf(&details, "%s %s: %s\n", it.Label, f.Path, driftField(f))
			}
		}
		if details.Len() > 0 {
			body := "```\n" + strings.ReplaceAll(details.String(), "```", "`\u200b``") + "```\n"
			if strings.Count(details.String(), "\n") > maxUnfoldedLines {
				fmt.Fprintf(&b, "\n<details><summary>field changes</summary>\n\n%s\n</details>\n", body)
			} else {
				b.WriteString("\n" + body)
			}
		}
		for _, e := range s.Expired {
			fmt.Fprintf(&b, "\n- expired acknowledgement: %s\n", escapeMD(e))
		}
	}
	fmt.Fprintf(&b, "\n---\n%s\n", DriftSummary(r))
	out := b.String()
	if len(out) > CommentLimit {
		out = out[:CommentLimit-200] + "\n\n… (truncated: run `octosync drift --output json` for the whole report)\n"
	}
	_, err := io.WriteString(w, out)
	return err
}
