package emulator

import (
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"net/http"
	"strings"
)

// oidcSubjects are the fields of accounts that authenticate with OpenID
// Connect.
func oidcSubjects() []field {
	return []field{str("Audience"), strs("DeploymentSubjectKeys"), strs("HealthCheckSubjectKeys"), strs("AccountTestSubjectKeys"), strMap("CustomClaims")}
}

func azureEndpoints() []field {
	return []field{str("AzureEnvironment"), str("ActiveDirectoryEndpointBaseUri"), str("ResourceManagementEndpointBaseUri")}
}

func init() {
	register(&hooks{
		kind: "accounts",
		schema: &schema{
			fields: []field{
				str("Name").req(),
				str("Slug"),
				str("Description"),
				strs("EnvironmentIds"),
				strs("TenantIds"),
				strs("TenantTags"),
				enum("TenantedDeploymentParticipation", tenantedModes...).withDefault("Untenanted"),
			},
			discriminator: "AccountType",
			variants: map[string][]field{
				"None":                         {},
				"UsernamePassword":             {str("Username"), sensitive("Password")},
				"SshKeyPair":                   {str("Username").req(), sensitive("PrivateKeyFile"), sensitive("PrivateKeyPassphrase")},
				"Token":                        {sensitive("Token")},
				"AmazonWebServicesAccount":     {str("AccessKey").req(), sensitive("SecretKey"), str("Region")},
				"AmazonWebServicesRoleAccount": {str("RoleArn").req(), str("SessionDuration"), str("Region")},
				"AmazonWebServicesOidcAccount": append([]field{str("RoleArn").req(), str("SessionDuration"), str("Region")}, oidcSubjects()...),
				"AzureServicePrincipal": append([]field{guid("SubscriptionNumber").req(), guid("TenantId").req(), guid("ClientId").req(),
					sensitive("Password")}, azureEndpoints()...),
				"AzureOidc": append(append([]field{guid("SubscriptionNumber").req(), guid("TenantId").req(), guid("ClientId").req()},
					azureEndpoints()...), oidcSubjects()...),
				"AzureSubscription": {guid("SubscriptionNumber").req(), sensitive("CertificateBytes"), str("CertificateThumbprint"),
					str("AzureEnvironment"), str("ServiceManagementEndpointBaseUri"), str("ServiceManagementEndpointSuffix")},
				"GoogleCloudAccount": {sensitive("JsonKey")},
				"GenericOidcAccount": {str("Audience"), strs("DeploymentSubjectKeys"), strMap("CustomClaims")},
			},
		},
		perms: crudPerms("Account"),
		prepare: func(c *ctx, doc, old Doc) error {
			assignSlug(c, "accounts", doc, old)
			if doc["AccountType"] == "AzureSubscription" {
				// The server derives the thumbprint from the certificate
				// it is given.
				if b, ok := c.body["CertificateBytes"].(map[string]any); ok {
					if v, ok := b["NewValue"].(string); ok && v != "" {
						if tp := thumbprint(v); tp != "" {
							doc["CertificateThumbprint"] = tp
						}
					}
				}
			}
			return checkAllRefs(c, doc, "EnvironmentIds", "environments", "TenantIds", "tenants")
		},
		links: func(l *linker, doc Doc) map[string]string {
			self := l.inSpace("accounts", doc)
			return map[string]string{
				"Self":   self,
				"Usages": self + "/usages",
				"Web":    l.web("/" + asString(doc["SpaceId"]) + "/infrastructure/accounts/" + asString(doc["Id"])),
			}
		},
		filters: map[string]func(c *ctx, doc Doc, value string) bool{
			"accountType": func(_ *ctx, doc Doc, v string) bool {
				for _, t := range splitList(v) {
					if strings.EqualFold(asString(doc["AccountType"]), t) {
						return true
					}
				}
				return false
			},
		},
		routes: []route{
			{method: http.MethodGet, pattern: "{id}/usages", perm: "AccountView", handle: func(c *ctx, _ []string) (int, any, error) {
				return http.StatusOK, map[string]any{
					"DeploymentProcesses": []any{}, "LibraryVariableSets": []any{}, "ProjectVariableSets": []any{},
					"Releases": []any{}, "RunbookProcesses": []any{}, "RunbookSnapshots": []any{}, "Targets": []any{},
				}, nil
			}},
		},
	})
}

// thumbprint is the SHA-1 thumbprint (upper-case hex) of the first
// certificate in base64-encoded PEM or DER data, or "" when the data holds
// none the standard library can parse.
func thumbprint(b64 string) string {
	cert := parseCertificate(b64)
	if cert == nil {
		return ""
	}
	sum := sha1.Sum(cert.Raw)
	return strings.ToUpper(hex.EncodeToString(sum[:]))
}

// parseCertificate parses the first certificate of base64-encoded PEM or
// DER data; nil when there is none.
func parseCertificate(b64 string) *x509.Certificate {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return nil
	}
	if blk, _ := pem.Decode(raw); blk != nil {
		raw = blk.Bytes
	}
	cert, err := x509.ParseCertificate(raw)
	if err != nil {
		return nil
	}
	return cert
}
