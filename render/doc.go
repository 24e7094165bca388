// Package render writes octosync's results for people and machines: plans
// as terminal text, as a pull-request comment in markdown and as versioned
// JSON; apply progress and summaries; drift reports; and configuration
// diagnostics as text, JSON or GitHub workflow annotations.
//
// Every renderer is a pure function of its input and an io.Writer: no
// network, no files, no environment, no clock. Secrets cannot reach a
// renderer: the reconcile package masks them where it computes a diff, so
// a renderer only ever sees "(sensitive)" and a note on what will happen to
// the value.
package render
