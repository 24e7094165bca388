// Package reconcile compares the configuration in git with what Octopus
// holds, decides what to change, and changes it.
//
// The work is split the way a reviewer reads it. [Fetch] reads an instance:
// one list request per kind per space, plus the documents each project,
// runbook, library variable set and tenant owns, concurrently within a
// bound. [Build] then compares, without further I/O: each live document is
// normalised into configuration form (server-owned fields dropped, ids
// replaced by names, write-only values replaced by a set/unset marker) and
// compared field by field with the desired document from git. Only fields
// git sets are compared; the rest are not managed, and are sent back
// untouched on update. Elements of arrays pair by identity (steps and
// phases by name, variables by name and scope), so a reordered process is
// a reorder, not a rewrite. Long text is shown as a line diff.
//
// The result is a [Plan]: a value that says, for every resource, create,
// update, delete or nothing, with a reason and the field changes. Deletes
// happen only inside a space's prune scopes; live resources git does not
// declare are otherwise listed as unmanaged and never touched. Resources or
// fields git marks seed are created once and then left alone; observe means
// report, never write.
//
// [Apply] carries out a plan: instance settings, roles, teams and spaces
// first, then each space's contents in dependency order (spaces in
// parallel), deletes last and in reverse order, role grants at the end.
// Every update is a read-modify-write of the live JSON document, and a
// Version conflict re-reads and retries once. Names are resolved to ids as
// resources are created, so a project can use a lifecycle created a moment
// earlier in the same apply. A failure is recorded and the rest goes on.
// [Stale] tells whether a saved plan still describes Octopus.
//
// Secrets never appear in a plan or a result. Octopus does not return them
// either, so octosync keeps a keyed fingerprint of each secret it writes in
// a ledger inside Octopus (see [Secrets] and [LedgerName]), and a plan
// compares the fingerprint of the value git now references with it.
package reconcile
