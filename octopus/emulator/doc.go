// Package emulator is an Octopus Deploy compatible HTTP server for tests,
// examples and the demo. No Octopus Server runs where octosync is built,
// so every test of octosync talks to this package instead; it is only
// worth having if it behaves like the real server. The reference is
// octopus-api.md and its addendum (outside the repository), and the
// official Go client, github.com/OctopusDeploy/go-octopusdeploy/v2 at
// v2.115.0, must work against it unchanged: the conformance package beside
// this one drives it with that client, through both of the client's API
// generations, and runs the client's own end-to-end tests against it.
//
// # What it serves
//
// A Server is an http.Handler. It hosts a default instance at /api and any
// number of extra instances, each under a path prefix (/<name>/api), as a
// real server behind a virtual directory would be; each has its own state
// and, optionally, its own API key. An instance serves:
//
//   - the anonymous root document at /api and /api/ (Application, Version,
//     ApiVersion "3.0.0", a UUID InstallationId, and RFC 6570 Links for
//     every collection, the space-scoped ones pointing at the default
//     space), and the space root at /api/{spaceId};
//   - every space-scoped collection three ways: /api/{spaceId}/<path>,
//     /api/spaces/{spaceIdOrSlug}/<path>, and the unprefixed default-space
//     form /api/<path>;
//   - the instance-level kinds at /api/<path>: spaces, users (with
//     /api/users/me and API keys at /api/users/{id}/apikeys), teams (system
//     and space teams), user roles, role grants (scoped user roles),
//     configuration sections, SMTP, the audit log stream, server status.
//
// Each collection answers GET (a paged envelope), GET /all (a bare
// array), POST (201), GET/PUT (200) and DELETE (200, no body) of /{id},
// plus its kind's extra routes. Lists take skip, take (default 30), ids
// (comma-separated), name (exact) and partialName (case-insensitive
// substring), with parameter names matched case-insensitively and empty
// values ignored; the envelope carries ItemType, TotalResults,
// ItemsPerPage, NumberOfPages, LastPageNumber, Items and Links with Self,
// Template, Page.All, Page.Current, Page.Last, and Page.Next and
// Page.Previous only when those pages exist. Lists sort by name
// (environments and worker pools by SortOrder).
//
// # Authentication and errors
//
// Every route but the root, the space root and /api/serverstatus/health
// needs an API key: in the X-Octopus-ApiKey header, the apikey query
// parameter (any case), or as a bearer token in Authorization. The key
// given in Options authenticates as the administrator Users-1 ("admin");
// keys created at /api/users/{id}/apikeys authenticate as their user. A
// missing or unknown key is a 401, a missing permission a 403, both with
// Octopus's ErrorMessage text. Permissions follow Octopus's model, made
// simpler: members of Octopus Administrators may do everything; others
// hold the permissions of the roles granted to their teams (system
// permissions everywhere, space permissions in the grant's space);
// restrictions of a grant to projects, environments or tenants are not
// enforced.
//
// Every error is a JSON body with an ErrorMessage: 400 for malformed JSON,
// wrong types, missing required fields, bad enum values, taken names,
// unknown ids in references and refused operations, always with an Errors
// list ("There was a problem with your request." and the details, in the
// wording of the server's model validation and JSON converter); 404 "The
// resource 'X' was not found." for unknown ids and 404 for unknown routes;
// 405 (with Allow) for wrong methods; 413 for bodies over
// Options.MaxBodyBytes; 500 when the emulator itself fails (a panic is
// recovered into one). Errors other than 400s carry no Errors array, as on
// the real server: the official Go client's legacy services only
// recognise a 404 when the body has none.
//
// References the emulator checks: environments in lifecycle phases,
// project groups, accounts, certificates and role grants; teams and users
// named as space managers, team members and subscription recipients; the
// team and role of a grant; permissions named by a user role; worker
// types of dynamic worker pools. Documents in use are not deleted: an
// environment in a lifecycle or project group, a lifecycle or project
// group with projects, a role that is granted, the default worker pool,
// the default machine policy, built-in feeds, teams and roles, a space
// whose task queue still runs, and a certificate that is not archived.
//
// # Documents
//
// Documents are stored as raw JSON objects. Each kind declares a schema:
// its fields, their types, which are required, which enums they take,
// their server defaults, and which are write-only. A request body is
// decoded field by field against it, as the real server deserialises into
// typed resources: properties the kind does not have are dropped, not
// stored; unset ones take their defaults, so that every response for a
// document carries the same fields (lists as [], never null). Ids are
// <IDPrefix>-N, counted per prefix across the instance. Names are unique
// per space, case-insensitively. LastModifiedOn is an RFC 3339 time
// (0001-01-01T00:00:00.000+00:00 for what no one has touched) and
// LastModifiedBy the user's username. Links come from one function per
// kind, so a document's Links are identical in POST, PUT, GET, list and
// /all responses.
//
// # Settings
//
// The authentication providers and the web portal are configuration
// sections: /api/configuration lists them, /api/configuration/{id} and
// /api/configuration/{id}/metadata describe one, and
// /api/configuration/{id}/values is read and replaced with GET and PUT.
// Their ids are Octopus's (authentication-usernamepassword, -guest, -aad,
// -od for Okta, -googleapps, -octopusid, -generic-oidc, -directoryservices,
// -ldap, webportal, and authentication for the shared settings). SMTP is
// /api/smtpconfiguration (with /isconfigured); it accepts and returns both
// Octopus's shapes at once, the older flat one (SmtpLogin, SmtpPassword)
// and the newer Details{CredentialType, SmtpLogin, SmtpPassword, Google*,
// Azure*}; CredentialType is not checked against a list, since its values
// are not published.
//
// The audit log stream is /api/audit-stream (GET, PUT, DELETE to remove
// it). Its outer shape is Octopus's: {Id, Active, Description,
// StreamConfigurationResource, Links, LastModifiedOn, LastModifiedBy}.
// Octopus has not published StreamConfigurationResource, so its shape here
// is octosync's own definition, not Octopus's:
//
//	{"Type":     "Splunk" | "SumoLogic" | "OpenTelemetry",
//	 "Endpoint": "https://..."   (Splunk's HTTP Event Collector, OpenTelemetry's collector),
//	 "Token":    SensitiveValue   (Splunk's HEC token),
//	 "Url":      SensitiveValue   (Sumo Logic's HTTP source URL),
//	 "Protocol": "HttpProtobuf" | "Grpc"   (OpenTelemetry; default HttpProtobuf),
//	 "Headers":  {"name": "value"}          (OpenTelemetry),
//	 "Secret":   SensitiveValue   (OpenTelemetry)}
//
// Splunk needs Endpoint and Token, Sumo Logic Url, OpenTelemetry
// Endpoint; an active stream needs a configuration. Its secrets are
// write-only like every other.
//
// # Write-only values
//
// Write-only values are SensitiveValue objects {HasValue, NewValue, Hint}:
// a non-null NewValue sets the value, HasValue false clears it, and null,
// an absent field, or HasValue true without NewValue keep it. Responses
// carry {"HasValue": true|false, "NewValue": null}: a secret never leaves
// the emulator. A plain string where a SensitiveValue belongs is a 400.
// Secrets are kept apart from the documents (and in the state file).
//
// # Fresh state
//
// A new instance holds what a newly installed server holds: the Default
// space (Spaces-1, slug "default", IsDefault) with its Space Managers team
// teams-spacemanagers-Spaces-1; the built-in teams teams-everyone,
// teams-administrators and teams-managers; the built-in user roles
// (userroles-<name>, with the permissions Octopus documents); the
// administrator Users-1; and in each space a Default Lifecycle, a Default
// Project Group, the Default Machine Policy (MachinePolicies-1 in the
// Default space), a Default Worker Pool, the built-in package feed
// (feeds-builtin in the Default space) and the Octopus Server Releases
// feed. A space created later gets the same.
//
// Certificates are parsed with crypto/x509 (PEM and DER) and
// golang.org/x/crypto/pkcs12 (PFX with its password) to derive Thumbprint,
// subject, issuer, validity, serial number, signature algorithm and
// HasPrivateKey; data that does not parse is refused as the real server
// refuses it. A PFX encrypted with an algorithm that decoder lacks (the
// AES of OpenSSL 3) is accepted with its derived fields left empty.
//
// # What it does not do
//
// It serves configuration, not deployments: machines, workers, packages,
// releases, deployments, tasks, events, artifacts and build information
// answer empty lists where a configuration document links to them, or
// 404. The feature-toggled newer features (ephemeral environments,
// deployment freezes, rate limiting policies, space default retention
// policies) are not served. Role grants restricted to projects,
// environments or tenants are not enforced. Bearer tokens are API keys;
// there is no OpenID Connect token exchange.
//
// # Operations
//
// Options.StatePath persists the state: loaded at start, written after
// every change (before the response is sent) to a temporary file that is
// then synced and renamed over the state file, so the file is whole
// whatever happens. The whole state is rewritten each time: keep state
// files to tests and demos, not benchmarks. The file is versioned JSON ({"Format": "octosync-emulator-state",
// "Version": 1, ...}); a file that is not one, or is corrupt, stops New
// with an error and is never overwritten.
//
// Options.Seed starts a fresh instance from documents in a directory:
//
//	<kind>/*.json                        instance-level documents (users, teams, spaces, ...)
//	spaces/<space name>/<kind>/*.json    documents in that space (created if no spaces/*.json declares it)
//	instances/<name>/...                 the same layout for the extra instance <name>
//
// A kind directory is named by the registry's kind name or its path
// (environments, projectGroups or projectgroups), case-insensitively; a
// file holds one document or an array of them, as a client would POST
// them. A seed document may name its Id, so that other seed documents can
// refer to it. Settings take one file per section: authentication/okta.json
// (the file is named by the provider's key or section id), smtp/*.json,
// auditStream/*.json.
//
// Options.Latency delays every API request; Options.Faults inject errors,
// dropped connections and delays (see Fault for the syntax), reproducibly
// with Options.FaultSeed. Requests are counted per method and path pattern
// (ids replaced by {id} and space ids by {spaceId}).
//
// The emulator's own routes live outside /api, need no key, and are not
// part of the Octopus API:
//
//	GET    /_emulator/health     {"Status": "OK", "Instances": [...]}
//	GET    /_emulator/requests   {"Total": N, "Requests": {"GET /api/{spaceId}/environments": 3, ...}}
//	DELETE /_emulator/requests   reset the counters
//	GET    /_emulator/faults     the faults in force
//	POST   /_emulator/faults     add one: {"Spec": "503:#1:GET@/api/**"}
//	DELETE /_emulator/faults     remove them all
//
// # Adding a kind
//
// A kind is a registry row (octopus.Kinds) plus one file here,
// kind_<name>.go, whose init function calls register with the kind's
// hooks. The core never switches on a kind: the registry row gives the
// collection path, the IDPrefix, the ItemType, the scope and the identity
// field; the hooks give the rest.
//
//   - schema: the fields, built with str, boolean, integer, strs,
//     strMap, object, objects, anyValue, sensitive, timestamp, guid,
//     timespan and enum, refined with req (required), ro (server-owned),
//     keep (an update that omits it or sends null keeps the stored value),
//     null (an unset object is null),
//     withDefault and max. Polymorphic kinds name a discriminator and the
//     fields of each variant. Do not declare Id, SpaceId, Links or
//     LastModified*.
//   - perms: the permissions each operation needs (crudPerms("Project")).
//   - prepare(c, doc, old): validate the decoded document and set what
//     the server owns (assignSlug, element ids with newUUID); old is nil on
//     create. Return badRequest(...) or refused(...) to answer 400.
//   - afterCreate, afterUpdate, beforeDelete, afterDelete: side effects in
//     the same transaction (a project's deployment process and variable
//     set, a default channel); any error rolls the whole request back.
//     registerUsage lets any file refuse the delete of another kind's
//     documents that are in use.
//   - links: the document's Links (the linker gives l.inSpace, l.api,
//     l.web); present: values computed on the way out.
//   - less, unique, duplicate: list order, the uniqueness key (channels
//     and runbooks are unique per project: return project id + "/" +
//     lower-case name) and the 400 text for a taken one.
//   - filters: extra list parameters (feedType, accountType, projectId).
//   - routes: extra routes below the collection, matched before {id};
//     a pattern starting with {id} receives the document as c.doc. Handlers
//     use the ctx: c.get, c.list, c.create, c.createAs, c.update, c.remove,
//     c.put (a raw, journaled write), c.render and listResponse for a paged
//     answer.
//   - seedInstance, seedSpace: documents a fresh instance or a new space
//     starts with.
//   - noCreate, noDelete, unrouted, pageSize: kinds that are built-in
//     only, never deleted, stored without a collection route of their own,
//     or paged differently.
//
// Helpers shared by kinds: checkAllRefs (ids that must name documents of
// a kind in the same space), usersOf (documents of another kind pointing
// at this one), assignSlug, bySortOrder and reorder (PUT .../sortorder),
// emptyPage, newUUID, sensitiveDoc. Instance-level routes that are not a
// collection (settings, status) are added with registerAPI. Each kind
// gets a conformance test file driving it with the official client, and
// an entry in the seed layout comes for free.
//
// The projects engineer plugs into what exists: lifecycles/{id}/projects
// and projectgroups/{id}/projects list the documents of the "projects"
// kind whose LifecycleId or ProjectGroupId point at them as soon as that
// kind is registered, and deleting a lifecycle or project group in use is
// refused the same way.
//
// # The project family
//
// Projects (found by id or slug) come with their deployment process,
// deploymentprocess-<ProjectId>, their variable set,
// variableset-<ProjectId>, and a channel named Default (IsDefault, no
// lifecycle: it inherits the project's); deleting a project deletes them,
// its other channels, its runbooks and their processes, and disconnects
// its tenants (with their values for it). ProjectGroupId must name a
// project group of the space; LifecycleId is required but, as on the real
// server (OctopusDeploy/Issues #7906), not checked. Variable templates
// (the Templates of projects and library variable sets, the Parameters of
// step templates) get GUID ids, nameless ones too. Below /projects/{id}
// are the project's channels, runbooks (and runbooks/all/v2), runbook
// processes, deployment process (with /template and POST /validate),
// variables (whose PUT, a command, answers {}), deployment settings,
// summary and progression; releases, triggers and runbook snapshots are
// empty lists.
//
// Deployment processes, runbook processes (RunbookProcess-<RunbookId>,
// created with the runbook) and variable sets are created with their
// owners and are only read and replaced: POST and DELETE answer 405, and a
// seed directory cannot create them. A process PUT needs a Version and a
// variable set PUT should carry one: a Version other than the stored one
// is refused with the server's text ("Changes to this deployment process
// could not be saved, because another user has made changes to the
// deployment process ...", and its analogues for runbook processes and
// variables); a PUT that succeeds bumps it. Steps, actions, packages and
// variables keep the ids they are sent with and get GUIDs otherwise; step
// names, and action names, are unique per process, case-insensitively.
// The Properties of steps, actions and step templates and template
// default values are strings or SensitiveValue objects, the latter
// write-only; package properties are strings. Variable sets are replaced
// whole: ids may not repeat ("Variable ids must be unique."); Scope keys
// are the server's singular ScopeField names, and the environments,
// channels, tenants, tenant tags, process owners and actions they name must
// exist; a prompted variable may be scoped to environments only;
// ScopeValues is computed on the way out. A sensitive variable
// (IsSensitive or Type Sensitive; both are then set) reads back with Value
// null: a non-empty Value replaces its secret, an empty or null one keeps
// it when the variable carries its Id and leaves none when it does not.
// Both kinds of variable set are served at /variables/{id}.
//
// Channel and runbook names are unique per project ("A channel with this
// name already exists for this project. Please choose a different
// name."), and so are their slugs: in the space-wide /channels and
// /runbooks they are found by id only, below their project by id, slug or
// name. A channel PUT keeps Rules, TenantTags, GitReferenceRules,
// GitResourceRules and CustomFieldDefinitions when the body leaves them
// out or sends null and clears them with []; a channel made the default
// un-defaults the project's others; the default channel, a project's only
// channel and a channel a step is limited to are not deleted, with the
// server's texts. A runbook's RunbookProcessId is the server's: a PUT
// without it keeps it.
//
// Library variable sets and script modules are one collection,
// /libraryvariablesets, told apart by ContentType (fixed at create;
// ?contentType= filters lists, and an unknown value filters nothing): the
// registry's scriptModules kind is served by the libraryVariableSets kind.
// Each set has the variable set variableset-<Id>. Step templates
// (/actiontemplates) start at Version 0 and count their updates; each
// version is kept for /versions/{version}; ActionType is fixed at create.
// /categories and /search list a fixed set of built-in step types (and,
// in search, the space's templates): there are no community templates.
//
// Tenants connect to projects and environments through ProjectEnvironments
// (a PUT replaces them: a project left out loses the tenant's values for
// it) and carry tags by canonical name (TagSet/Tag); both are checked, and
// a deleted environment drops out of its tenants. Tenant variables are one
// document per tenant, a list of values each scoped to environments, read
// and written two ways: the legacy document at /tenants/{id}/variables
// (GET; PUT or POST replace it; it has an object for every connected
// project and environment, values keyed by template id) and
// tenantvariables/all; and the newer /tenants/{id}/projectvariables and
// /commonvariables (a full replace keyed by value Id; missing values listed
// on request). A ConcurrencyToken, when sent back, must be current.
// tenants/variables-missing lists the templates that have neither a value
// nor a default. Tag sets list by SortOrder (PUT tagsets/sortorder
// reorders them); a PUT replaces the whole Tags list, new tags get
// TagSets-<n>/Tags-<m> ids and their canonical names in the PUT's
// response, and a renamed tag is renamed where it is used. A tag set's
// Scopes say where its tags may be used (tenants, channels, steps and
// variable scopes take Tenant tags by name; projects, runbooks and
// environments their own, by name or id); a FreeText set has no tags; a
// set in use keeps its used tags and scopes and only changes type from
// SingleSelect to MultiSelect.
//
// Deletes refused because of use, beyond those above: an environment a
// step or a variable's scope uses, a lifecycle a channel uses, a channel a
// variable's scope uses, a library variable set a project includes, a step
// template a process uses, a tag set whose tags are used, a worker pool or
// feed a step uses, and an account, certificate or worker pool a variable
// of its type names. Not served:
// version-controlled (Git) projects (/git/convert is refused), cloning
// projects and tenants, releases and runbook snapshots beyond empty lists,
// logos. The projects and tenants lists take name as an exact match (the
// real server, for these two, treats it as a contains match).
package emulator
