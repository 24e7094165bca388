// Package drift turns a plan into a drift report: what in Octopus no longer
// matches git, classified so a person on call can act on it.
//
// Drift is a plan read the other way round. A drift run reads Octopus with
// GET requests only (it works with a key that cannot write) and builds the
// same plan apply would carry out; each change is then drift of one class:
//
//   - changed: a field was changed outside git (before is Octopus, after is
//     git; secrets masked);
//   - missing: git declares a resource Octopus does not have;
//   - unmanaged: a resource appeared inside a prune scope, where git is the
//     whole truth (the next apply would delete it);
//   - sensitive: a write-only value was cleared, or no longer matches the
//     fingerprint octosync recorded when it wrote it.
//
// Live resources outside any prune scope that git does not declare are not
// drift: octosync does not manage them. The report lists them apart.
//
// A team can acknowledge known drift in git (which resource, optionally
// which field, why, until when). Acknowledged drift is still reported, as
// such, but does not fail the run until the acknowledgement expires.
//
// Each scope (an instance's own settings, or one space) has a stable
// fingerprint of its unacknowledged drift, so a notifier can tell a new
// drift from the same drift seen again and stay quiet when nothing changed.
package drift
