// Package schema is octosync's configuration language: the CUE schema a
// configuration is written against, and the loader that turns a
// configuration into the desired model (package model) with every
// problem found, each at its file, line and column.
//
// The schema is a CUE module embedded in the binary (module/, package
// octopus). A configuration imports it as "octosync.dev/octopus" with no
// registry: the loader lays the embedded files over the configuration's
// cue.mod/pkg, and Vendor writes the same files there so that plain cue
// and editors see exactly what octosync checks against. Its conventions:
// PascalCase fields are Octopus API fields (with names where the API holds
// ids: Lifecycle, not LifecycleId), lower-case fields are octosync's own
// (the kind maps, process, variables, channels, runbooks, ownership,
// fields, ignore, extra, prune, acknowledge), a resource's name is its key,
// definitions are closed, Octopus's server defaults are CUE defaults, and
// secrets are references ({env: "NAME"} or {file: "path"}) only.
//
// Load reads a configuration from an fs.FS (a directory, or a git commit
// read into memory) and returns a *model.Desired: instance → space → kind
// → name → document, with children (a project's deployment process,
// variables, channels and runbooks; a tenant's variables; a library
// variable set's or script module's variables; a team's role grants) as
// resources of their own, and the position of every resource and of every
// field the configuration set. Check runs the same checks but keeps no
// documents, for validate.
//
// The loader evaluates one space at a time. It generates a small view
// package that imports the configuration and the schema and exposes the
// configuration through definitions with parameters (the instance, the
// space); filling a parameter evaluates that space only, and once its
// documents are built and checked its values are garbage. So the memory
// a check needs is that of the largest space, however many spaces there
// are, where `cue vet` holds the whole evaluated configuration at once.
//
// Problems come from two places. CUE's own errors (a misspelt field, a
// wrong type, a value outside an enum, a missing required field, a
// literal where a secret belongs) are rewritten in Octopus terms, with the
// user's position rather than the schema's; where CUE stops reporting
// inside a struct that holds an error, the loader walks the struct against
// the schema's definitions to report the rest. octosync's own checks run
// on the built documents, driven by the kind registry (package octopus):
// every field the registry lists as a reference must name something
// declared in the same space or instance, or built in; names must not
// collide ignoring case; lifecycles, tenants, variables, step template
// usages, tags, role grants, managers, acknowledgements and secret
// references are checked for what Octopus would refuse or what would fail
// at apply.
package schema
