package render

import (
	"fmt"
	"io"
	"strings"

	"octosync.dev/octosync/reconcile"
)

// ScopeLine writes the one line apply prints as each space (or the
// instance-level part of an instance) finishes, followed by its failures.
func ScopeLine(w io.Writer, sr *reconcile.SpaceResult) error {
	ew := &errWriter{w: w}
	where := fmt.Sprintf("instance %q", sr.Instance)
	if sr.Space != "" {
		where = fmt.Sprintf("space %q on instance %q", sr.Space, sr.Instance)
	}
	ew.printf("%s: %s\n", where, counts(sr))
	for _, r := range sr.Results {
		if r.Outcome == reconcile.Failed || r.Outcome == reconcile.Skipped {
			ew.printf("  %s %s: %s\n", r.Outcome, reconcile.ResourceLabel(r.Key), r.Error)
		}
	}
	return ew.err
}

func counts(sr *reconcile.SpaceResult) string {
	parts := []string{
		fmt.Sprintf("%d created", sr.Count(reconcile.Created)),
		fmt.Sprintf("%d updated", sr.Count(reconcile.Updated)),
		fmt.Sprintf("%d deleted", sr.Count(reconcile.Deleted)),
		fmt.Sprintf("%d failed", sr.Count(reconcile.Failed)),
	}
	if n := sr.Count(reconcile.Skipped); n > 0 {
		parts = append(parts, fmt.Sprintf("%d skipped", n))
	}
	return strings.Join(parts, ", ")
}

// ApplySummary writes the closing summary of an apply: totals, and each
// scope that failed.
func ApplySummary(w io.Writer, results []*reconcile.InstanceResult) error {
	ew := &errWriter{w: w}
	var total reconcile.SpaceResult
	var failed []string
	for _, in := range results {
		if in.Error != "" {
			failed = append(failed, fmt.Sprintf("instance %q: %s", in.Name, in.Error))
		}
		for _, s := range in.Scopes {
			total.Results = append(total.Results, s.Results...)
			if s.Count(reconcile.Failed)+s.Count(reconcile.Skipped) > 0 {
				where := fmt.Sprintf("instance %q", s.Instance)
				if s.Space != "" {
					where = fmt.Sprintf("space %q on instance %q", s.Space, s.Instance)
				}
				failed = append(failed, fmt.Sprintf("%s: %d failed, %d skipped", where, s.Count(reconcile.Failed), s.Count(reconcile.Skipped)))
			}
		}
	}
	ew.printf("\nApply complete: %s.\n", counts(&total))
	if len(failed) > 0 {
		ew.printf("Failed:\n")
		for _, f := range failed {
			ew.printf("  %s\n", f)
		}
	}
	return ew.err
}
