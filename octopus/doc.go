// Package octopus speaks Octopus Deploy's REST API and describes what it
// speaks about.
//
// The kind registry ([Kinds], [KindByName]) is one row per kind of Octopus
// document octosync manages or looks up: where its collection lives, whether
// it belongs to the instance or a space, how its ids are made, which fields
// name it, which fields hold ids of other kinds (and so hold names in the
// configuration), which fields the server owns, which are write-only secrets,
// how elements of its arrays are paired, and its place in the dependency
// order. Fetching, normalising, diffing, ordering and applying are all driven
// by this table; adding a kind is adding a row, not a code path.
//
// The client works on raw JSON documents, never typed structs, so that a
// read-modify-write sends back every field it was given, including those
// octosync does not know.
package octopus
