package emulator

import (
	"bytes"
	"crypto/sha1"
	"crypto/x509"
	"encoding/base64"
	"encoding/hex"
	"encoding/json"
	"encoding/pem"
	"errors"
	"net/http"
	"strconv"
	"strings"

	"golang.org/x/crypto/pkcs12"
)

func init() {
	register(&hooks{
		kind: "certificates",
		schema: &schema{fields: []field{
			str("Name").req(),
			str("Notes"),
			sensitive("CertificateData"),
			sensitive("Password"),
			strs("EnvironmentIds"),
			strs("TenantIds"),
			strs("TenantTags"),
			enum("TenantedDeploymentParticipation", tenantedModes...).withDefault("Untenanted"),
			str("Thumbprint").ro(),
			str("SubjectDistinguishedName").ro(),
			str("SubjectCommonName").ro(),
			str("SubjectOrganization").ro(),
			str("IssuerDistinguishedName").ro(),
			str("IssuerCommonName").ro(),
			str("IssuerOrganization").ro(),
			str("NotBefore").ro(),
			str("NotAfter").ro(),
			str("SerialNumber").ro(),
			str("SignatureAlgorithmName").ro(),
			boolean("HasPrivateKey").ro(),
			boolean("SelfSigned").ro(),
			boolean("IsExpired").ro(),
			str("CertificateDataFormat").ro(),
			strs("SubjectAlternativeNames").ro(),
			integer("Version").ro(),
			str("Archived").ro(),
			str("ReplacedBy").ro(),
			anyValue("CertificateChain").ro().withDefault([]any{}),
		}},
		perms: crudPerms("Certificate"),
		prepare: func(c *ctx, doc, old Doc) error {
			if err := checkAllRefs(c, doc, "EnvironmentIds", "environments", "TenantIds", "tenants"); err != nil {
				return err
			}
			data, password := "", ""
			if b, ok := c.body["CertificateData"].(map[string]any); ok {
				data, _ = b["NewValue"].(string)
			}
			if b, ok := c.body["Password"].(map[string]any); ok {
				password, _ = b["NewValue"].(string)
			}
			if old == nil && data == "" {
				return badRequest("No Certificate Data was provided.")
			}
			if data == "" {
				return nil
			}
			if old != nil {
				// New data is given with POST {id}/replace, not PUT.
				return refused("A certificate's data cannot be changed with PUT; replace the certificate instead.")
			}
			derived, err := inspectCertificate(data, password)
			if err != nil {
				return badRequestf("Could not parse certificate data. Possible causes: 1) The certificate format is not supported. 2) The password is incorrect. 3) The file is corrupt. Error: Unable to parse certificate '%s' (id: ): %v", doc["Name"], err)
			}
			for k, v := range derived {
				doc[k] = v
			}
			doc["Version"] = json.Number("1")
			return nil
		},
		present: func(c *ctx, doc Doc) {
			if na, err := parseTime(asString(doc["NotAfter"])); err == nil {
				doc["IsExpired"] = !c.now.Before(na)
			}
		},
		beforeDelete: func(c *ctx, doc Doc) error {
			if doc["Archived"] == nil {
				return refused("A certificate must be archived before it can be deleted.")
			}
			return nil
		},
		links: func(l *linker, doc Doc) map[string]string {
			self := l.inSpace("certificates", doc)
			return map[string]string{
				"Self":      self,
				"Archive":   self + "/archive",
				"Unarchive": self + "/unarchive",
				"Replace":   self + "/replace",
				"Usages":    self + "/usages",
				"Export":    self + "/export{?includePrivateKey,password,format}",
				"Web":       l.web("/" + asString(doc["SpaceId"]) + "/library/certificates/" + asString(doc["Id"])),
			}
		},
		routes: []route{
			{method: http.MethodPost, pattern: "{id}/archive", write: true, perm: "CertificateEdit", handle: func(c *ctx, _ []string) (int, any, error) {
				if c.doc["Archived"] != nil {
					return http.StatusOK, c.render("certificates", c.doc), nil
				}
				return setArchived(c, formatTime(c.now))
			}},
			{method: http.MethodPost, pattern: "{id}/unarchive", write: true, perm: "CertificateEdit", handle: func(c *ctx, _ []string) (int, any, error) {
				if c.doc["ReplacedBy"] != nil {
					return 0, nil, refused("You cannot unarchive a certificate that has been replaced.")
				}
				return setArchived(c, nil)
			}},
			{method: http.MethodPost, pattern: "{id}/replace", write: true, perm: "CertificateEdit", handle: replaceCertificate},
			{method: http.MethodGet, pattern: "{id}/usages", perm: "CertificateView", handle: func(c *ctx, _ []string) (int, any, error) {
				return http.StatusOK, map[string]any{"ProjectUsages": []any{}, "LibraryVariableSetUsages": []any{}, "TenantUsages": []any{}, "DeploymentTargetUsages": []any{}}, nil
			}},
		},
		filters: map[string]func(c *ctx, doc Doc, value string) bool{
			"archived": func(_ *ctx, doc Doc, v string) bool {
				return strings.EqualFold(v, "true") == (doc["Archived"] != nil)
			},
		},
	})
}

func setArchived(c *ctx, archived any) (int, any, error) {
	doc := cloneDoc(c.doc)
	doc["Archived"] = archived
	doc["LastModifiedOn"], doc["LastModifiedBy"] = c.stamp(), c.username()
	c.put("certificates", doc)
	return http.StatusOK, c.render("certificates", doc), nil
}

// replaceCertificate answers POST {id}/replace: a new certificate takes
// the old one's id and settings with the new data; the old one is kept,
// archived, under a new id, and is what the response carries.
func replaceCertificate(c *ctx, _ []string) (int, any, error) {
	body, err := c.requireBody()
	if err != nil {
		return 0, nil, err
	}
	data, _ := body["CertificateData"].(string)
	password, _ := body["Password"].(string)
	if data == "" {
		return 0, nil, badRequest("No Certificate Data was provided.")
	}
	derived, err := inspectCertificate(data, password)
	if err != nil {
		return 0, nil, badRequest("Certificate Invalid.", err.Error())
	}
	id := asString(c.doc["Id"])
	oldCopy := cloneDoc(c.doc)
	oldCopy["Id"] = c.nextID("Certificates")
	oldCopy["Archived"] = formatTime(c.now)
	oldCopy["ReplacedBy"] = id
	c.put("certificates", oldCopy)
	if s := c.st.secrets[id]; s != nil {
		c.setSecrets(asString(oldCopy["Id"]), secretsOf(s))
	}
	doc := cloneDoc(c.doc)
	for k, v := range derived {
		doc[k] = v
	}
	doc["Version"] = json.Number(strconv.Itoa(asInt(c.doc["Version"]) + 1))
	doc["CertificateData"] = sensitiveDoc(true, nil)
	doc["Password"] = sensitiveDoc(password != "", nil)
	doc["LastModifiedOn"], doc["LastModifiedBy"] = c.stamp(), c.username()
	c.put("certificates", doc)
	writes := []secretWrite{{Path: "CertificateData", Value: data}, {Path: "Password", Value: password, Clear: password == ""}}
	c.setSecrets(id, writes)
	return http.StatusOK, c.render("certificates", oldCopy), nil
}

// secretsOf turns a stored secret map back into writes.
func secretsOf(m map[string]string) []secretWrite {
	out := make([]secretWrite, 0, len(m))
	for p, v := range m {
		out = append(out, secretWrite{Path: p, Value: v})
	}
	return out
}

// inspectCertificate derives a certificate's fields from its base64 data:
// PEM, DER or PKCS#12 (with its password). A PKCS#12 file protected with
// an algorithm the Go PKCS#12 decoder does not implement (AES, as OpenSSL
// 3 writes by default) is accepted with its derived fields left empty.
func inspectCertificate(b64, password string) (map[string]any, error) {
	raw, err := base64.StdEncoding.DecodeString(strings.TrimSpace(b64))
	if err != nil {
		return nil, errors.New("the data is not base64")
	}
	format := "Der"
	var certs []*x509.Certificate
	hasKey := false
	switch {
	case bytes.Contains(raw, []byte("-----BEGIN")):
		format = "Pem"
		for rest := raw; ; {
			var blk *pem.Block
			blk, rest = pem.Decode(rest)
			if blk == nil {
				break
			}
			if blk.Type == "CERTIFICATE" {
				cert, err := x509.ParseCertificate(blk.Bytes)
				if err != nil {
					return nil, err
				}
				certs = append(certs, cert)
			} else if strings.Contains(blk.Type, "PRIVATE KEY") {
				hasKey = true
			}
		}
	default:
		if cert, err := x509.ParseCertificate(raw); err == nil {
			certs = append(certs, cert)
			break
		}
		format = "Pkcs12"
		blocks, err := pkcs12.ToPEM(raw, password)
		var notImpl pkcs12.NotImplementedError
		switch {
		case errors.As(err, &notImpl):
			return map[string]any{"CertificateDataFormat": format, "HasPrivateKey": true}, nil
		case err != nil:
			return nil, err
		}
		for _, blk := range blocks {
			if blk.Type == "CERTIFICATE" {
				if cert, err := x509.ParseCertificate(blk.Bytes); err == nil {
					certs = append(certs, cert)
				}
			} else if strings.Contains(blk.Type, "PRIVATE KEY") {
				hasKey = true
			}
		}
	}
	if len(certs) == 0 {
		return nil, errors.New("the data holds no certificate")
	}
	cert := certs[0]
	sum := sha1.Sum(cert.Raw)
	sans := []any{}
	for _, n := range cert.DNSNames {
		sans = append(sans, "DNS Name="+n)
	}
	for _, ip := range cert.IPAddresses {
		sans = append(sans, "IP Address="+ip.String())
	}
	first := func(s []string) any {
		if len(s) == 0 {
			return nil
		}
		return s[0]
	}
	return map[string]any{
		"Thumbprint":               strings.ToUpper(hex.EncodeToString(sum[:])),
		"SubjectDistinguishedName": cert.Subject.String(),
		"SubjectCommonName":        cert.Subject.CommonName,
		"SubjectOrganization":      first(cert.Subject.Organization),
		"IssuerDistinguishedName":  cert.Issuer.String(),
		"IssuerCommonName":         cert.Issuer.CommonName,
		"IssuerOrganization":       first(cert.Issuer.Organization),
		"NotBefore":                formatTime(cert.NotBefore),
		"NotAfter":                 formatTime(cert.NotAfter),
		"SerialNumber":             strings.ToUpper(cert.SerialNumber.Text(16)),
		"SignatureAlgorithmName":   cert.SignatureAlgorithm.String(),
		"HasPrivateKey":            hasKey,
		"SelfSigned":               bytes.Equal(cert.RawSubject, cert.RawIssuer),
		"CertificateDataFormat":    format,
		"SubjectAlternativeNames":  sans,
	}, nil
}
