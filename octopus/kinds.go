package octopus

import (
	"slices"
	"strings"
)

// Scope says where a kind lives.
type Scope uint8

const (
	// ScopeInstance kinds live at /api/<Path> and belong to the instance.
	ScopeInstance Scope = 1 << iota
	// ScopeSpace kinds live at /api/{spaceId}/<Path> and belong to a space.
	ScopeSpace
)

// Has reports whether s includes t.
func (s Scope) Has(t Scope) bool { return s&t != 0 }

// Shape says how a kind's documents are addressed and created.
type Shape uint8

const (
	// Collection kinds are listed, created with POST to the collection,
	// and read, updated and deleted at <collection>/{id}.
	Collection Shape = iota
	// Derived kinds exist because their owner exists (a project's
	// deployment process and variable set); they are read and replaced with
	// PUT at an id derived from the owner's id, and never created or deleted.
	Derived
	// Singleton kinds are one document per instance, or one per fixed name
	// (the authentication providers), read and replaced with PUT.
	Singleton
)

// Ref is a field holding the id (or ids) of resources of another kind. In
// the configuration the field holds names instead.
//
// Path is a field path into the API document: names separated by dots; a
// "[]" suffix steps into every element of an array, "{}" into every value of
// an object, and a final "{key}" addresses the keys of an object rather than
// its values; a name containing dots is written in brackets and quotes,
// `Properties["Octopus.Action.Template.Id"]`, and keeps its name in the
// configuration. Examples: "LifecycleId", "Phases[].AutomaticDeploymentTargets[]",
// "ProjectEnvironments{key}", "ProjectEnvironments{}[]".
type Ref struct {
	Path string
	// Kind is the kind the ids belong to. Besides registry kinds it may be
	// the pseudo-kind "actions", meaning the steps of the owning project's
	// deployment process (resolved by step name).
	Kind string
	// Config overrides the configuration's field name for the last path
	// segment; empty means ConfigName derives it.
	Config string
}

// ConfigPath returns the path with its last field renamed as the
// configuration spells it.
func (r Ref) ConfigPath() string {
	if strings.HasSuffix(r.Path, `"]`) {
		return r.Path
	}
	i := strings.LastIndexByte(r.Path, '.')
	head, last := r.Path[:i+1], r.Path[i+1:]
	suffix := ""
	if j := strings.IndexAny(last, "[{"); j >= 0 {
		last, suffix = last[:j], last[j:]
	}
	if r.Config != "" {
		return head + r.Config + suffix
	}
	return head + ConfigName(last) + suffix
}

// ConfigName turns an API field that holds ids into the name the
// configuration uses for the same field holding names: "LifecycleId" →
// "Lifecycle", "EnvironmentIds" → "Environments"; a field whose name does
// not end in Id or Ids keeps its name.
func ConfigName(field string) string {
	switch {
	case strings.HasSuffix(field, "Ids"):
		return strings.TrimSuffix(field, "Ids") + "s"
	case strings.HasSuffix(field, "Id") && len(field) > 2:
		return strings.TrimSuffix(field, "Id")
	}
	return field
}

// Kind is one row of the registry: everything octosync and the emulator
// need to know about one kind of Octopus document.
type Kind struct {
	// Name is octosync's name for the kind: the key under which the
	// configuration declares it (for top-level kinds), the word prune scopes
	// and plan output use.
	Name string
	// Label is the singular noun used in messages: "project".
	Label string
	// Scope says whether the kind lives in the instance, a space or both
	// (teams and role grants exist at both levels).
	Scope Scope
	// Shape says how documents are addressed and created.
	Shape Shape
	// Path is the collection's path segment after /api/ or /api/{spaceId}/.
	// For derived kinds it is the segment before the derived id.
	Path string
	// IDPrefix makes collection ids: "Projects" → "Projects-12". For
	// derived kinds it is the prefix put before the owner's id:
	// "deploymentprocess-" → "deploymentprocess-Projects-12".
	IDPrefix string
	// ItemType is the ItemType of a paged collection envelope.
	ItemType string
	// Owner is the kind owning each document of a child kind (channels
	// belong to projects); empty for top-level kinds.
	Owner string
	// OwnerRef is the field of a child document holding its owner's id.
	OwnerRef string
	// Identity lists the fields that name a document within its scope:
	// usually just "Name". A composite identity joins the resolved values
	// with "/" (a role grant is "team/role" or "team/role/space").
	Identity []string
	// Filter restricts a collection to the documents whose fields have
	// these values (script modules are library variable sets whose
	// ContentType is ScriptModule); creates set them.
	Filter map[string]string
	// Fixed maps the configuration's names of a singleton kind to the
	// document ids (Okta's configuration section is "authentication-od").
	Fixed map[string]string
	// Order is the dependency order: lower orders are created and updated
	// first and deleted last. Instance-level kinds below SpaceContents are
	// applied before any space's contents, those above after them.
	Order int
	// Refs lists the fields holding ids of other kinds.
	Refs []Ref
	// ServerManaged lists the top-level fields the server owns; they are
	// dropped from both sides before a diff. Every kind also drops
	// CommonServerManaged.
	ServerManaged []string
	// Sensitive lists the paths (Ref path syntax) of write-only
	// SensitiveValue fields. Other secrets, such as sensitive variables and
	// action properties, are recognised by their shape.
	Sensitive []string
	// Elements maps the path of an array of objects to the field that
	// identifies an element, so that elements pair by name, not position.
	Elements map[string]string
	// Delete reports whether octosync may delete documents of this kind
	// (inside a prune scope). Derived and singleton kinds never are.
	Delete bool
	// Managed is false for kinds that are only looked up to resolve
	// references (users) and never written.
	Managed bool
	// BuiltIn names the documents a fresh server (or a new space) already
	// holds: configuration may reference them without declaring them, and
	// octosync never deletes them.
	BuiltIn []string
}

// SpaceContents is the Order boundary: instance-level kinds ordered below it
// are applied before the spaces' contents, those above it after.
const SpaceContents = 10

// CommonServerManaged are the fields every document's server owns.
var CommonServerManaged = []string{"Id", "Links", "SpaceId", "LastModifiedOn", "LastModifiedBy"}

var stepRefs = []Ref{
	{Path: "Steps[].Actions[].Environments[]", Kind: "environments"},
	{Path: "Steps[].Actions[].ExcludedEnvironments[]", Kind: "environments"},
	{Path: "Steps[].Actions[].Channels[]", Kind: "channels"},
	{Path: "Steps[].Actions[].WorkerPoolId", Kind: "workerPools"},
	{Path: "Steps[].Actions[].Container.FeedId", Kind: "feeds"},
	{Path: "Steps[].Actions[].Packages[].FeedId", Kind: "feeds"},
	{Path: `Steps[].Actions[].Properties["Octopus.Action.Template.Id"]`, Kind: "stepTemplates"},
	{Path: `Steps[].Actions[].Properties["Octopus.Action.Package.FeedId"]`, Kind: "feeds"},
}

var stepElements = map[string]string{
	"Steps":                      "Name",
	"Steps[].Actions":            "Name",
	"Steps[].Actions[].Packages": "Name",
}

var variableRefs = []Ref{
	{Path: "Variables[].Scope.Environment[]", Kind: "environments"},
	{Path: "Variables[].Scope.Channel[]", Kind: "channels"},
	{Path: "Variables[].Scope.Action[]", Kind: "actions"},
	{Path: "Variables[].Scope.ProcessOwner[]", Kind: "runbooks"},
}

var registry = []*Kind{
	// Instance level, before the spaces' contents.
	{
		Name: "users", Label: "user", Scope: ScopeInstance, Path: "users", IDPrefix: "Users", ItemType: "UserResource",
		Identity: []string{"Username"}, Order: 0,
	},
	{
		Name: "authentication", Label: "authentication provider", Scope: ScopeInstance, Shape: Singleton,
		Path: "configuration", Identity: []string{"Name"}, Order: 1, Managed: true,
		Fixed: map[string]string{
			"usernamePassword": "authentication-usernamepassword",
			"guest":            "authentication-guest",
			"azureAD":          "authentication-aad",
			"okta":             "authentication-od",
			"googleApps":       "authentication-googleapps",
			"octopusID":        "authentication-octopusid",
			"genericOidc":      "authentication-generic-oidc",
			"activeDirectory":  "authentication-directoryservices",
			"ldap":             "authentication-ldap",
		},
		Sensitive: []string{"ClientSecret", "ConnectPassword"},
	},
	{
		Name: "smtp", Label: "SMTP configuration", Scope: ScopeInstance, Shape: Singleton, Path: "smtpconfiguration",
		Fixed: map[string]string{"smtp": "smtpconfiguration"}, Order: 2, Managed: true,
		Sensitive: []string{"SmtpPassword", "Details.SmtpPassword"},
	},
	{
		Name: "auditStream", Label: "audit log stream", Scope: ScopeInstance, Shape: Singleton, Path: "audit-stream",
		Fixed: map[string]string{"auditStream": "audit-stream"}, Order: 3, Managed: true,
		Sensitive: []string{"StreamConfigurationResource.Token", "StreamConfigurationResource.Url", "StreamConfigurationResource.Secret"},
	},
	{
		Name: "userRoles", Label: "user role", Scope: ScopeInstance, Path: "userroles", IDPrefix: "UserRoles", ItemType: "UserRole",
		Identity: []string{"Name"}, Order: 4, Delete: true, Managed: true,
		BuiltIn:       []string{"Build server", "Certificate manager", "Deployment creator", "Environment manager", "Environment viewer", "Package publisher", "Project contributor", "Project deployer", "Project initiator", "Project lead", "Project viewer", "Release creator", "Runbook consumer", "Runbook producer", "Space manager", "System administrator", "System manager", "Tenant manager"},
		ServerManaged: []string{"CanBeDeleted", "SupportedRestrictions", "SpacePermissionDescriptions", "SystemPermissionDescriptions"},
	},
	{
		Name: "teams", Label: "team", Scope: ScopeInstance | ScopeSpace, Path: "teams", IDPrefix: "Teams", ItemType: "Team",
		Identity: []string{"Name"}, Order: 5, Delete: true, Managed: true,
		BuiltIn:       []string{"Everyone", "Octopus Administrators", "Octopus Managers", "Space Managers"},
		Refs:          []Ref{{Path: "MemberUserIds[]", Kind: "users"}},
		ServerManaged: []string{"CanBeDeleted", "CanBeRenamed", "CanChangeMembers", "CanChangeRoles", "Slug"},
	},
	{
		Name: "spaces", Label: "space", Scope: ScopeInstance, Path: "spaces", IDPrefix: "Spaces", ItemType: "Space",
		Identity: []string{"Name"}, Order: 6, Delete: true, Managed: true,
		Refs: []Ref{
			{Path: "SpaceManagersTeams[]", Kind: "teams"},
			{Path: "SpaceManagersTeamMembers[]", Kind: "users"},
		},
		ServerManaged: []string{"Slug", "IsDefault", "TaskQueueStopped", "Icon", "ExtensionSettings"},
	},

	// Space contents, in dependency order.
	{
		Name: "tagSets", Label: "tag set", Scope: ScopeSpace, Path: "tagsets", IDPrefix: "TagSets", ItemType: "TagSet",
		Identity: []string{"Name"}, Order: 11, Delete: true, Managed: true,
		ServerManaged: []string{"IsSystem"},
		Elements:      map[string]string{"Tags": "Name"},
	},
	{
		Name: "environments", Label: "environment", Scope: ScopeSpace, Path: "environments", IDPrefix: "Environments", ItemType: "Environment",
		Identity: []string{"Name"}, Order: 12, Delete: true, Managed: true,
		ServerManaged: []string{"Slug"},
	},
	{
		Name: "machinePolicies", Label: "machine policy", Scope: ScopeSpace, Path: "machinepolicies", IDPrefix: "MachinePolicies", ItemType: "MachinePolicy",
		Identity: []string{"Name"}, Order: 13, Delete: true, Managed: true,
		BuiltIn:       []string{"Default Machine Policy"},
		ServerManaged: []string{"IsDefault"},
	},
	{
		Name: "workerPools", Label: "worker pool", Scope: ScopeSpace, Path: "workerpools", IDPrefix: "WorkerPools", ItemType: "WorkerPool",
		Identity: []string{"Name"}, Order: 14, Delete: true, Managed: true,
		BuiltIn:       []string{"Default Worker Pool"},
		ServerManaged: []string{"Slug", "CanAddWorkers"},
	},
	{
		Name: "feeds", Label: "feed", Scope: ScopeSpace, Path: "feeds", IDPrefix: "Feeds", ItemType: "Feed",
		Identity: []string{"Name"}, Order: 15, Delete: true, Managed: true,
		BuiltIn:       []string{"Octopus Server (built-in)", "Octopus Server Releases"},
		ServerManaged: []string{"Slug"},
		Sensitive:     []string{"Password", "SecretKey", "ServiceAccountJsonKey"},
	},
	{
		Name: "gitCredentials", Label: "git credential", Scope: ScopeSpace, Path: "git-credentials", IDPrefix: "GitCredentials", ItemType: "GitCredential",
		Identity: []string{"Name"}, Order: 16, Delete: true, Managed: true,
		Sensitive: []string{"Details.Password"},
	},
	{
		Name: "lifecycles", Label: "lifecycle", Scope: ScopeSpace, Path: "lifecycles", IDPrefix: "Lifecycles", ItemType: "Lifecycle",
		Identity: []string{"Name"}, Order: 17, Delete: true, Managed: true,
		BuiltIn: []string{"Default Lifecycle"},
		Refs: []Ref{
			{Path: "Phases[].AutomaticDeploymentTargets[]", Kind: "environments"},
			{Path: "Phases[].OptionalDeploymentTargets[]", Kind: "environments"},
		},
		ServerManaged: []string{"Slug"},
		Elements:      map[string]string{"Phases": "Name"},
	},
	{
		Name: "projectGroups", Label: "project group", Scope: ScopeSpace, Path: "projectgroups", IDPrefix: "ProjectGroups", ItemType: "ProjectGroup",
		Identity: []string{"Name"}, Order: 18, Delete: true, Managed: true,
		BuiltIn:       []string{"Default Project Group"},
		Refs:          []Ref{{Path: "EnvironmentIds[]", Kind: "environments"}},
		ServerManaged: []string{"Slug", "RetentionPolicyId"},
	},
	{
		Name: "libraryVariableSets", Label: "library variable set", Scope: ScopeSpace, Path: "libraryvariablesets", IDPrefix: "LibraryVariableSets", ItemType: "LibraryVariableSet",
		Identity: []string{"Name"}, Order: 19, Delete: true, Managed: true,
		Filter:        map[string]string{"ContentType": "Variables"},
		ServerManaged: []string{"VariableSetId", "Version"},
		Elements:      map[string]string{"Templates": "Name"},
	},
	{
		Name: "scriptModules", Label: "script module", Scope: ScopeSpace, Path: "libraryvariablesets", IDPrefix: "LibraryVariableSets", ItemType: "LibraryVariableSet",
		Identity: []string{"Name"}, Order: 19, Delete: true, Managed: true,
		Filter:        map[string]string{"ContentType": "ScriptModule"},
		ServerManaged: []string{"VariableSetId", "Version", "Templates"},
	},
	{
		Name: "libraryVariables", Label: "library variable set's variables", Scope: ScopeSpace, Shape: Derived,
		Path: "variables", IDPrefix: "variableset-", Owner: "libraryVariableSets", OwnerRef: "OwnerId", Order: 20, Managed: true,
		Refs:          variableRefs,
		ServerManaged: []string{"OwnerId", "Version", "ScopeValues"},
		Elements:      map[string]string{"Variables": "Name"},
	},
	{
		Name: "stepTemplates", Label: "step template", Scope: ScopeSpace, Path: "actiontemplates", IDPrefix: "ActionTemplates", ItemType: "ActionTemplate",
		Identity: []string{"Name"}, Order: 21, Delete: true, Managed: true,
		Refs:          []Ref{{Path: "Packages[].FeedId", Kind: "feeds"}},
		ServerManaged: []string{"Version", "CommunityActionTemplateId"},
		Elements:      map[string]string{"Parameters": "Name", "Packages": "Name"},
	},
	{
		Name: "projects", Label: "project", Scope: ScopeSpace, Path: "projects", IDPrefix: "Projects", ItemType: "Project",
		Identity: []string{"Name"}, Order: 22, Delete: true, Managed: true,
		Refs: []Ref{
			{Path: "ProjectGroupId", Kind: "projectGroups"},
			{Path: "LifecycleId", Kind: "lifecycles"},
			{Path: "IncludedLibraryVariableSetIds[]", Kind: "libraryVariableSets"},
		},
		ServerManaged: []string{
			"Slug", "VariableSetId", "DeploymentProcessId", "ClonedFromProjectId", "IsVersionControlled",
			"PersistenceSettings", "Icon",
		},
		Elements: map[string]string{"Templates": "Name"},
	},
	{
		Name: "channels", Label: "channel", Scope: ScopeSpace, Path: "channels", IDPrefix: "Channels", ItemType: "Channel",
		Owner: "projects", OwnerRef: "ProjectId", Identity: []string{"Name"}, Order: 23, Delete: true, Managed: true,
		BuiltIn:       []string{"Default"},
		Refs:          []Ref{{Path: "LifecycleId", Kind: "lifecycles"}},
		ServerManaged: []string{"ProjectId", "Slug"},
	},
	{
		Name: "tenants", Label: "tenant", Scope: ScopeSpace, Path: "tenants", IDPrefix: "Tenants", ItemType: "Tenant",
		Identity: []string{"Name"}, Order: 24, Delete: true, Managed: true,
		Refs: []Ref{
			{Path: "ProjectEnvironments{key}", Kind: "projects"},
			{Path: "ProjectEnvironments{}[]", Kind: "environments"},
		},
		ServerManaged: []string{"Slug", "ClonedFromTenantId", "Icon"},
	},
	{
		Name: "accounts", Label: "account", Scope: ScopeSpace, Path: "accounts", IDPrefix: "Accounts", ItemType: "Account",
		Identity: []string{"Name"}, Order: 25, Delete: true, Managed: true,
		Refs: []Ref{
			{Path: "EnvironmentIds[]", Kind: "environments"},
			{Path: "TenantIds[]", Kind: "tenants"},
		},
		ServerManaged: []string{"Slug"},
		Sensitive: []string{
			"Password", "PrivateKeyFile", "PrivateKeyPassphrase", "Token", "SecretKey", "CertificateBytes", "JsonKey",
		},
	},
	{
		Name: "certificates", Label: "certificate", Scope: ScopeSpace, Path: "certificates", IDPrefix: "Certificates", ItemType: "Certificate",
		Identity: []string{"Name"}, Order: 26, Delete: true, Managed: true,
		Refs: []Ref{
			{Path: "EnvironmentIds[]", Kind: "environments"},
			{Path: "TenantIds[]", Kind: "tenants"},
		},
		ServerManaged: []string{
			"Thumbprint", "SubjectDistinguishedName", "SubjectCommonName", "SubjectOrganization", "IssuerDistinguishedName",
			"IssuerCommonName", "IssuerOrganization", "NotBefore", "NotAfter", "SerialNumber", "SignatureAlgorithmName",
			"HasPrivateKey", "SelfSigned", "IsExpired", "CertificateDataFormat", "SubjectAlternativeNames", "Version",
			"Archived", "ReplacedBy", "CertificateChain",
		},
		Sensitive: []string{"CertificateData", "Password"},
	},
	{
		Name: "deploymentProcess", Label: "deployment process", Scope: ScopeSpace, Shape: Derived,
		Path: "deploymentprocesses", IDPrefix: "deploymentprocess-", Owner: "projects", OwnerRef: "ProjectId", Order: 27, Managed: true,
		Refs:          stepRefs,
		ServerManaged: []string{"ProjectId", "Version", "LastSnapshotId"},
		Elements:      stepElements,
	},
	{
		Name: "runbooks", Label: "runbook", Scope: ScopeSpace, Path: "runbooks", IDPrefix: "Runbooks", ItemType: "Runbook",
		Owner: "projects", OwnerRef: "ProjectId", Identity: []string{"Name"}, Order: 28, Delete: true, Managed: true,
		Refs:          []Ref{{Path: "Environments[]", Kind: "environments"}},
		ServerManaged: []string{"ProjectId", "Slug", "RunbookProcessId", "PublishedRunbookSnapshotId"},
	},
	{
		Name: "runbookProcess", Label: "runbook process", Scope: ScopeSpace, Shape: Derived,
		Path: "runbookProcesses", IDPrefix: "RunbookProcess-", Owner: "runbooks", OwnerRef: "RunbookId", Order: 29, Managed: true,
		Refs:          stepRefs,
		ServerManaged: []string{"ProjectId", "RunbookId", "Version", "LastSnapshotId"},
		Elements:      stepElements,
	},
	{
		Name: "projectVariables", Label: "project variables", Scope: ScopeSpace, Shape: Derived,
		Path: "variables", IDPrefix: "variableset-", Owner: "projects", OwnerRef: "OwnerId", Order: 30, Managed: true,
		Refs:          variableRefs,
		ServerManaged: []string{"OwnerId", "Version", "ScopeValues"},
		Elements:      map[string]string{"Variables": "Name"},
	},
	{
		Name: "tenantVariables", Label: "tenant variables", Scope: ScopeSpace, Shape: Derived,
		Path: "tenants", Owner: "tenants", OwnerRef: "TenantId", Order: 31, Managed: true,
		ServerManaged: []string{"TenantId", "TenantName", "ConcurrencyToken"},
	},
	{
		Name: "scopedUserRoles", Label: "role grant", Scope: ScopeInstance | ScopeSpace, Path: "scopeduserroles", IDPrefix: "ScopedUserRoles", ItemType: "ScopedUserRole",
		Identity: []string{"TeamId", "UserRoleId", "SpaceId"}, Order: 110, Delete: true, Managed: true,
		Refs: []Ref{
			{Path: "TeamId", Kind: "teams"},
			{Path: "UserRoleId", Kind: "userRoles"},
			{Path: "SpaceId", Kind: "spaces", Config: "Space"},
			{Path: "ProjectIds[]", Kind: "projects"},
			{Path: "ProjectGroupIds[]", Kind: "projectGroups"},
			{Path: "EnvironmentIds[]", Kind: "environments"},
			{Path: "TenantIds[]", Kind: "tenants"},
		},
	},
	{
		Name: "subscriptions", Label: "subscription", Scope: ScopeSpace, Path: "subscriptions", IDPrefix: "Subscriptions", ItemType: "Subscription",
		Identity: []string{"Name"}, Order: 40, Delete: true, Managed: true,
		Refs: []Ref{
			{Path: "EventNotificationSubscription.Filter.Projects[]", Kind: "projects"},
			{Path: "EventNotificationSubscription.Filter.ProjectGroups[]", Kind: "projectGroups"},
			{Path: "EventNotificationSubscription.Filter.Environments[]", Kind: "environments"},
			{Path: "EventNotificationSubscription.Filter.Tenants[]", Kind: "tenants"},
			{Path: "EventNotificationSubscription.Filter.Users[]", Kind: "users"},
			{Path: "EventNotificationSubscription.EmailTeams[]", Kind: "teams"},
			{Path: "EventNotificationSubscription.WebhookTeams[]", Kind: "teams"},
		},
	},
}

var byName = func() map[string]*Kind {
	m := make(map[string]*Kind, len(registry))
	for _, k := range registry {
		m[k.Name] = k
	}
	return m
}()

// Kinds returns every kind in dependency order. The slice is shared: do not
// modify it.
func Kinds() []*Kind {
	return sortedKinds
}

var sortedKinds = func() []*Kind {
	ks := slices.Clone(registry)
	slices.SortStableFunc(ks, func(a, b *Kind) int { return a.Order - b.Order })
	return ks
}()

// KindByName returns the named kind, or nil.
func KindByName(name string) *Kind { return byName[name] }

// IsServerManaged reports whether a top-level field of k's documents is
// owned by the server.
func (k *Kind) IsServerManaged(field string) bool {
	return slices.Contains(CommonServerManaged, field) || slices.Contains(k.ServerManaged, field)
}

// String returns the kind's name.
func (k *Kind) String() string { return k.Name }
