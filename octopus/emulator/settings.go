package emulator

import (
	"net/http"
	"slices"
	"strings"
)

// singleton is an instance-wide settings document: a configuration
// section's values, the SMTP configuration, the audit stream.
type singleton struct {
	id, name, description string
	schema                *schema
	// self is the document's path below /api.
	self string
	// prepare validates a decoded document before it is stored.
	prepare func(c *ctx, doc Doc) error
	// stamped documents carry LastModifiedOn and LastModifiedBy.
	stamped bool
}

// get returns the stored document, or the defaults when it was never set.
func (s *singleton) get(c *ctx) Doc {
	if d := c.st.singletons[s.id]; d != nil {
		return d
	}
	d, _, _ := s.schema.decode(Doc{}, nil)
	d["Id"] = s.id
	if s.stamped {
		d["LastModifiedOn"], d["LastModifiedBy"] = neverModified, nil
	}
	return d
}

// render is the document with its Links.
func (s *singleton) render(c *ctx, d Doc) Doc {
	out := cloneDoc(d)
	out["Links"] = map[string]string{"Self": c.inst.links.api(s.self)}
	return out
}

// put replaces the document with body, the server's PUT semantics.
func (s *singleton) put(c *ctx, body Doc) (Doc, error) {
	old := s.get(c)
	doc, secrets, errs := s.schema.decode(body, old)
	if len(errs) > 0 {
		return nil, badRequest(errs...)
	}
	doc["Id"] = s.id
	if s.prepare != nil {
		if err := s.prepare(c, doc); err != nil {
			return nil, err
		}
	}
	if s.stamped {
		doc["LastModifiedOn"], doc["LastModifiedBy"] = c.stamp(), c.username()
	}
	prev, had := c.st.singletons[s.id]
	c.undo = append(c.undo, func() {
		if had {
			c.st.singletons[s.id] = prev
		} else {
			delete(c.st.singletons, s.id)
		}
	})
	c.st.singletons[s.id] = doc
	c.setSecrets(s.id, secrets)
	c.mutated = true
	return doc, nil
}

// getRoute and putRoute serve a singleton at a path.
func (s *singleton) routes(pattern string) []apiRoute {
	return []apiRoute{
		{method: http.MethodGet, pattern: pattern, perm: "ConfigureServer", handle: func(c *ctx, _ []string) (int, any, error) {
			return http.StatusOK, s.render(c, s.get(c)), nil
		}},
		{method: http.MethodPut, pattern: pattern, write: true, perm: "ConfigureServer", handle: func(c *ctx, _ []string) (int, any, error) {
			body, err := c.requireBody()
			if err != nil {
				return 0, nil, err
			}
			doc, err := s.put(c, body)
			if err != nil {
				return 0, nil, err
			}
			return http.StatusOK, s.render(c, doc), nil
		}},
	}
}

// oidc is the fields every OpenID Connect provider has.
func oidc(extra ...field) []field {
	return append([]field{boolean("IsEnabled"), str("Issuer"), str("ClientId"), sensitive("ClientSecret"),
		boolean("AllowAutoUserCreation").withDefault(true)}, extra...)
}

// sections are the configuration sections at /api/configuration/{id}:
// the authentication providers and the web portal.
var sections = []*singleton{
	{id: "authentication", name: "Authentication", description: "Authentication settings shared by every provider.",
		schema: &schema{fields: []field{boolean("AutoLoginEnabled")}}},
	{id: "authentication-usernamepassword", name: "Username/Password", description: "Username and password authentication.",
		schema: &schema{fields: []field{boolean("IsEnabled").withDefault(true)}}},
	{id: "authentication-guest", name: "Guest Login", description: "Guest login.",
		schema: &schema{fields: []field{boolean("IsEnabled")}}},
	{id: "authentication-aad", name: "Azure AD", description: "Microsoft Entra ID (Azure AD) authentication.",
		schema: &schema{fields: oidc(str("RoleClaimType").withDefault("roles"), boolean("ScimEnabled"))}},
	{id: "authentication-od", name: "Okta", description: "Okta authentication.",
		schema: &schema{fields: oidc(str("RoleClaimType").withDefault("groups"), str("UsernameClaimType").withDefault("preferred_username"))}},
	{id: "authentication-googleapps", name: "Google Apps", description: "Google Workspace authentication.",
		schema: &schema{fields: oidc(str("HostedDomain"))}},
	{id: "authentication-octopusid", name: "Octopus ID", description: "Octopus ID authentication.",
		schema: &schema{fields: oidc(boolean("AllowDynamicRegistration"))}},
	{id: "authentication-generic-oidc", name: "Generic OIDC", description: "Generic OpenID Connect authentication.",
		schema: &schema{fields: oidc(str("RoleClaimType"), str("UsernameClaimType"), str("Resource"), strs("Scopes"), str("DisplayName"))}},
	{id: "authentication-directoryservices", name: "Active Directory", description: "Active Directory authentication.",
		schema: &schema{fields: []field{boolean("IsEnabled"), str("ActiveDirectoryContainer"),
			enum("AuthenticationScheme", "Ntlm", "Negotiate", "IntegratedWindowsAuthentication").withDefault("Ntlm"),
			boolean("AllowFormsAuthenticationForDomainUsers").withDefault(true), boolean("AreSecurityGroupsEnabled").withDefault(true),
			boolean("AllowAutoUserCreation").withDefault(true)}}},
	{id: "authentication-ldap", name: "LDAP", description: "LDAP authentication.",
		schema: &schema{fields: []field{boolean("IsEnabled"), str("Server"), integer("Port").withDefault(389),
			enum("SecurityProtocol", "None", "StartTLS", "SSL").withDefault("None"), boolean("IgnoreSslErrors"),
			str("ConnectUsername"), sensitive("ConnectPassword"), str("UserBaseDN"), str("DefaultDomain"),
			str("UserFilter").withDefault("(&(objectClass=person)(sAMAccountName=*))"), str("GroupBaseDN"),
			str("GroupFilter").withDefault("(&(objectClass=group)(cn=*))"), str("NestedGroupFilter").withDefault("(&(objectClass=group)(uniqueMember=*))"),
			integer("NestedGroupSearchDepth").withDefault(5), boolean("AllowAutoUserCreation").withDefault(true),
			boolean("ReferralFollowingEnabled").withDefault(true), integer("ReferralHopLimit").withDefault(10),
			integer("ConstraintTimeLimit").withDefault(30),
			object("AttributeMapping", str("UniqueAccountNameAttribute").withDefault("sAMAccountName"),
				str("UserPrincipalNameAttribute").withDefault("userPrincipalName"), str("UserDisplayNameAttribute").withDefault("displayName"),
				str("UserEmailAttribute").withDefault("mail"), str("UserMembershipAttribute").withDefault("memberOf"),
				str("GroupNameAttribute").withDefault("cn"))}}},
	{id: "webportal", name: "Web Portal", description: "Web portal security and logging settings.",
		schema: &schema{fields: []field{
			object("Security", str("CorsWhitelist"), str("ReferrerPolicy").withDefault("no-referrer"),
				boolean("ContentSecurityPolicyEnabled").withDefault(true), boolean("HttpStrictTransportSecurityEnabled"),
				integer("HttpStrictTransportSecurityMaxAge").withDefault(31556926),
				object("XOptions", enum("XFrameOptions", "None", "Deny", "SameOrigin", "AllowFrom").withDefault("SameOrigin"), str("XFrameOptionAllowFrom"))),
			object("Logging", str("TrustedProxies")),
		}}},
}

// smtp is the SMTP configuration. It serves two shapes at once: the older
// flat one (SmtpLogin, SmtpPassword at the top) and the newer one with the
// credentials in Details{CredentialType, ...}.
var smtp = &singleton{
	id: "smtpconfiguration", self: "/smtpconfiguration", stamped: true,
	schema: &schema{fields: []field{
		str("SmtpHost"), integer("SmtpPort").withDefault(25), str("SendEmailFrom"), boolean("EnableSsl"),
		integer("Timeout").withDefault(12000), str("SmtpLogin"), sensitive("SmtpPassword"),
		object("Details", str("CredentialType"), str("SmtpLogin"), sensitive("SmtpPassword"), str("GoogleAudience"),
			str("GoogleServiceAccount"), str("AzureAudience"), str("AzureClientId"), str("AzureTenantId")).null(),
	}},
	prepare: func(c *ctx, doc Doc) error {
		if pw, _ := c.body["NewSmtpPassword"].(string); pw != "" {
			// The deprecated write-only field sets the flat password.
			c.setSecrets(smtpID, []secretWrite{{Path: "SmtpPassword", Value: pw}})
			doc["SmtpPassword"] = sensitiveDoc(true, nil)
		}
		if p := asInt(doc["SmtpPort"]); p < 1 || p > 65535 {
			return badRequest("The field SmtpPort must be between 1 and 65535.")
		}
		return nil
	},
}

const smtpID = "smtpconfiguration"

// auditStream is the audit log stream. Its outer shape is Octopus's; the
// StreamConfigurationResource inside is octosync's own definition, since
// Octopus has not published one (see the package documentation).
var auditStream = &singleton{
	id: "audit-stream", self: "/audit-stream", stamped: true,
	schema: &schema{fields: []field{
		boolean("Active"), str("Description"),
		object("StreamConfigurationResource",
			enum("Type", "Splunk", "SumoLogic", "OpenTelemetry").req(),
			str("Endpoint"), sensitive("Token"), sensitive("Url"),
			enum("Protocol", "HttpProtobuf", "Grpc"), strMap("Headers"), sensitive("Secret"),
		).null(),
	}},
	prepare: func(c *ctx, doc Doc) error {
		sc, _ := doc["StreamConfigurationResource"].(map[string]any)
		if sc == nil {
			if doc["Active"] == true {
				return badRequest("An audit stream cannot be active without a StreamConfigurationResource.")
			}
			return nil
		}
		has := func(f string) bool { m, _ := sc[f].(map[string]any); return m["HasValue"] == true }
		var errs []string
		switch sc["Type"] {
		case "Splunk":
			if asString(sc["Endpoint"]) == "" {
				errs = append(errs, "A Splunk stream needs an Endpoint (the HTTP Event Collector URL).")
			}
			if !has("Token") {
				errs = append(errs, "A Splunk stream needs a Token (the HTTP Event Collector token).")
			}
		case "SumoLogic":
			if !has("Url") {
				errs = append(errs, "A Sumo Logic stream needs a Url (the HTTP source URL).")
			}
		case "OpenTelemetry":
			if asString(sc["Endpoint"]) == "" {
				errs = append(errs, "An OpenTelemetry stream needs an Endpoint.")
			}
			if asString(sc["Protocol"]) == "" {
				sc["Protocol"] = "HttpProtobuf"
			}
		}
		if len(errs) > 0 {
			return badRequest(errs...)
		}
		return nil
	},
}

func sectionByID(id string) *singleton {
	for _, s := range sections {
		if strings.EqualFold(s.id, id) {
			return s
		}
	}
	return nil
}

// sectionSummary is a configuration section as /api/configuration lists it.
func sectionSummary(c *ctx, s *singleton) Doc {
	self := c.inst.links.api("/configuration/" + s.id)
	return Doc{"Id": s.id, "Name": s.name, "Description": s.description,
		"Links": map[string]string{"Self": self, "Values": self + "/values", "Metadata": self + "/metadata"}}
}

// metadata describes a section's fields, the shape of
// /api/configuration/{id}/metadata.
func metadata(s *singleton) Doc {
	var props []any
	for _, f := range s.schema.fields {
		t := map[ftype]string{tBool: "bool", tInt: "int", tStrings: "string[]", tObject: "object", tSensitive: "sensitive"}[f.typ]
		if t == "" {
			t = "string"
		}
		props = append(props, map[string]any{"Name": f.name, "Type": t,
			"DisplayInfo": map[string]any{"Required": f.required, "ReadOnly": f.readOnly, "Label": f.name, "Options": f.enum}})
	}
	return Doc{"Description": s.description, "Types": []any{map[string]any{"Name": s.name, "Properties": props}}}
}

func init() {
	for _, s := range sections {
		s.self = "/configuration/" + s.id + "/values"
	}
	registerAPI(
		apiRoute{method: http.MethodGet, pattern: "configuration", perm: "ConfigureServer", handle: func(c *ctx, _ []string) (int, any, error) {
			items := make([]Doc, 0, len(sections))
			for _, s := range sections {
				items = append(items, sectionSummary(c, s))
			}
			skip, take, err := pageParams(c, defaultTake)
			if err != nil {
				return 0, nil, err
			}
			return http.StatusOK, envelope(c, "ConfigurationSection", c.inst.links.api("/configuration"), nil, items, skip, take), nil
		}},
		apiRoute{method: http.MethodGet, pattern: "configuration/*", perm: "ConfigureServer", handle: func(c *ctx, args []string) (int, any, error) {
			s := sectionByID(args[0])
			if s == nil {
				return 0, nil, notFound(args[0])
			}
			return http.StatusOK, sectionSummary(c, s), nil
		}},
		apiRoute{method: http.MethodGet, pattern: "configuration/*/metadata", perm: "ConfigureServer", handle: func(c *ctx, args []string) (int, any, error) {
			s := sectionByID(args[0])
			if s == nil {
				return 0, nil, notFound(args[0])
			}
			return http.StatusOK, metadata(s), nil
		}},
		apiRoute{method: http.MethodGet, pattern: "configuration/*/values", perm: "ConfigureServer", handle: func(c *ctx, args []string) (int, any, error) {
			s := sectionByID(args[0])
			if s == nil {
				return 0, nil, notFound(args[0])
			}
			return http.StatusOK, s.render(c, s.get(c)), nil
		}},
		apiRoute{method: http.MethodPut, pattern: "configuration/*/values", write: true, perm: "ConfigureServer", handle: func(c *ctx, args []string) (int, any, error) {
			s := sectionByID(args[0])
			if s == nil {
				return 0, nil, notFound(args[0])
			}
			body, err := c.requireBody()
			if err != nil {
				return 0, nil, err
			}
			doc, err := s.put(c, body)
			if err != nil {
				return 0, nil, err
			}
			return http.StatusOK, s.render(c, doc), nil
		}},
		apiRoute{method: http.MethodGet, pattern: "smtpconfiguration/isconfigured", perm: "ConfigureServer", handle: func(c *ctx, _ []string) (int, any, error) {
			d := smtp.get(c)
			return http.StatusOK, Doc{"Id": "smtpconfiguration-isconfigured", "IsConfigured": asString(d["SmtpHost"]) != "",
				"Links": map[string]string{"Self": c.inst.links.api("/smtpconfiguration/isconfigured")}}, nil
		}},
		apiRoute{method: http.MethodDelete, pattern: "audit-stream", write: true, perm: "ConfigureServer", handle: func(c *ctx, _ []string) (int, any, error) {
			if prev, had := c.st.singletons[auditStream.id]; had {
				secrets := c.st.secrets[auditStream.id]
				delete(c.st.singletons, auditStream.id)
				delete(c.st.secrets, auditStream.id)
				c.undo = append(c.undo, func() {
					c.st.singletons[auditStream.id] = prev
					if secrets != nil {
						c.st.secrets[auditStream.id] = secrets
					}
				})
				c.mutated = true
			}
			return http.StatusOK, nil, nil
		}},
	)
	registerAPI(smtp.routes("smtpconfiguration")...)
	registerAPI(auditStream.routes("audit-stream")...)

	// The registry's singleton kinds, for seed files.
	for _, k := range []string{"authentication", "smtp", "auditStream"} {
		register(&hooks{kind: k, schema: &schema{}, unrouted: true})
	}
	singletonSeeders["authentication"] = func(c *ctx, name string, doc Doc) error {
		id := name
		if k := c.def("authentication").Fixed[name]; k != "" {
			id = k
		}
		s := sectionByID(id)
		if s == nil {
			return badRequestf("%q names no authentication provider or configuration section; use one of %s", name, strings.Join(sectionIDs(), ", "))
		}
		_, err := s.put(c, doc)
		return err
	}
	singletonSeeders["smtp"] = func(c *ctx, _ string, doc Doc) error { _, err := smtp.put(c, doc); return err }
	singletonSeeders["auditStream"] = func(c *ctx, _ string, doc Doc) error { _, err := auditStream.put(c, doc); return err }
}

func sectionIDs() []string {
	var ids []string
	for _, s := range sections {
		ids = append(ids, s.id)
	}
	slices.Sort(ids)
	return ids
}
