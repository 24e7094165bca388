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
//
// A [Client] speaks to one instance ([New] checks its URL and API key
// without calling it). Requests take API paths such as
// "/api/Spaces-1/projects", placed below the instance URL's virtual
// directory; links the server returns, which carry that directory already,
// work too, but the API key is never sent to any other server and redirects
// are not followed. [Client.Get], [Client.Post], [Client.Put] and
// [Client.Delete] return the answer as [encoding/json.RawMessage];
// [Client.List] reads a whole collection, following Links["Page.Next"] or
// taking a bare array as it is; [DecodeDoc] decodes a document into a
// [octosync.dev/octosync/model.Doc] whose numbers keep their exact text. The
// [Kind] methods CollectionPath, DocPath, DerivedID and OwnerPath give each
// registry kind's paths.
//
// All requests of a client share one bound on requests in flight (8 by
// default), and each attempt has a timeout (60s). GET, HEAD, PUT and DELETE
// are retried (4 times by default) after no answer (except for an unknown
// host name or an untrusted certificate, which a retry cannot mend) and
// after 408, 429, 500, 502, 503 and 504; POST, which could create twice, only
// after 429 and after a connection that could not be made. Waits grow
// exponentially from 500ms with jitter, or follow the server's Retry-After
// (seconds or a date), capped at a minute, and end early when the context is
// done. An error answer is an [*APIError] carrying Octopus's ErrorMessage and
// Errors, to which the caller adds the space, kind and name it was about
// ([About]); [IsNotFound] and [IsVersionConflict] classify it. No answer is
// an [*UnreachableError] naming the instance and its URL. The API key
// appears in no error and no formatted value. [Client.Stats] counts requests
// for benchmarks, and [Options.Observer] reports each attempt as it ends.
package octopus
