// Package model is the vocabulary every other octosync package shares: the
// identity of a resource ([Key]), a source position ([Pos]), a problem found
// in the configuration ([Diagnostic]), a reference to a secret ([SecretRef]),
// and the desired state loaded from git ([Desired] → [Instance] → [Space] →
// [Resource]).
//
// The package holds data and the few methods that print or order it; it does
// no I/O and knows nothing of CUE, HTTP or Octopus's wire format. A
// [Resource]'s document is an Octopus API document written with names where
// the API has ids (`Lifecycle: "Standard"` rather than
// `LifecycleId: "Lifecycles-7"`); turning names into ids is the job of the
// reconcile package, which knows the live ids.
//
// Secrets never enter a document as values. Where the configuration holds a
// secret, the document holds a [SecretRef] (an environment variable or a
// file), and only the code that writes to Octopus resolves it.
package model
