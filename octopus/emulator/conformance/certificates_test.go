package conformance

import (
	"crypto/ecdsa"
	"crypto/elliptic"
	"crypto/rand"
	"crypto/sha1"
	"crypto/x509"
	"crypto/x509/pkix"
	"encoding/base64"
	"encoding/hex"
	"encoding/pem"
	"math/big"
	"net/http"
	"strings"
	"testing"
	"time"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/certificates"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/core"
)

// selfSigned returns a fresh self-signed certificate as base64 PEM (with
// its private key) and its SHA-1 thumbprint.
func selfSigned(t *testing.T, cn string) (string, string) {
	t.Helper()
	key, err := ecdsa.GenerateKey(elliptic.P256(), rand.Reader)
	must(t, err, "generating a key")
	tmpl := &x509.Certificate{
		SerialNumber: big.NewInt(4242),
		Subject:      pkix.Name{CommonName: cn, Organization: []string{"Octosync"}},
		NotBefore:    time.Now().Add(-time.Hour),
		NotAfter:     time.Now().Add(24 * time.Hour),
		DNSNames:     []string{cn},
	}
	der, err := x509.CreateCertificate(rand.Reader, tmpl, tmpl, &key.PublicKey, key)
	must(t, err, "creating a certificate")
	keyDER, err := x509.MarshalECPrivateKey(key)
	must(t, err, "encoding the key")
	data := pem.EncodeToMemory(&pem.Block{Type: "CERTIFICATE", Bytes: der})
	data = append(data, pem.EncodeToMemory(&pem.Block{Type: "EC PRIVATE KEY", Bytes: keyDER})...)
	sum := sha1.Sum(der)
	return base64.StdEncoding.EncodeToString(data), strings.ToUpper(hex.EncodeToString(sum[:]))
}

func TestCertificates(t *testing.T) {
	data, thumb := selfSigned(t, "emulator.example.com")
	cert := certificates.NewCertificateResource(uniqueName("certificate"), core.NewSensitiveValue(data), core.NewSensitiveValue(""))
	created, err := octo.Certificates.Add(cert)
	must(t, err, "Add")
	if created.Thumbprint != thumb || created.SubjectCommonName != "emulator.example.com" || !created.HasPrivateKey ||
		!created.SelfSigned || created.CertificateDataFormat != "Pem" || created.SubjectOrganization != "Octosync" {
		t.Fatalf("derived fields are wrong: %+v", created)
	}
	if created.CertificateData == nil || !created.CertificateData.HasValue || created.CertificateData.NewValue != nil {
		t.Fatalf("CertificateData read back as %+v", created.CertificateData)
	}
	got, err := certificates.GetByID(octo, "Spaces-1", created.ID)
	must(t, err, "GetByID")
	sameLinks(t, created.Links, got.Links, "POST vs GET")
	if got.Thumbprint != created.Thumbprint || got.SerialNumber != created.SerialNumber || got.Version != created.Version {
		t.Fatal("POST and GET disagree")
	}
	got.Notes = "updated"
	updated, err := octo.Certificates.Update(*got)
	must(t, err, "Update")
	if updated.Notes != "updated" || updated.Thumbprint != thumb {
		t.Fatalf("Update = %+v", updated)
	}
	wantStatus(t, certificates.DeleteByID(octo, "Spaces-1", created.ID), http.StatusBadRequest, "deleting a certificate that is not archived")

	archived, err := octo.Certificates.Archive(updated)
	must(t, err, "Archive")
	if archived.Archived == "" {
		t.Fatal("Archive did not set Archived")
	}
	unarchived, err := octo.Certificates.Unarchive(archived)
	must(t, err, "Unarchive")
	if unarchived.Archived != "" {
		t.Fatal("Unarchive did not clear Archived")
	}

	data2, thumb2 := selfSigned(t, "replacement.example.com")
	replaced, err := octo.Certificates.Replace(created.ID, certificates.NewReplacementCertificate(data2, ""))
	must(t, err, "Replace")
	if replaced.Thumbprint != thumb2 || replaced.ID != created.ID {
		t.Fatalf("after Replace the certificate is %s with thumbprint %s", replaced.ID, replaced.Thumbprint)
	}

	_, err = octo.Certificates.Add(certificates.NewCertificateResource(uniqueName("garbage"), core.NewSensitiveValue("bm90IGEgY2VydGlmaWNhdGU="), nil))
	wantStatus(t, err, http.StatusBadRequest, "unparseable certificate data")

	all, err := certificates.GetAll(octo, "Spaces-1")
	must(t, err, "GetAll")
	for _, c := range all {
		if c.Archived == "" {
			_, err := octo.Certificates.Archive(c)
			must(t, err, "Archive")
		}
		must(t, certificates.DeleteByID(octo, "Spaces-1", c.ID), "DeleteByID")
		_, err := certificates.GetByID(octo, "Spaces-1", c.ID)
		wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
	}
}

// TestCertificatePKCS12 creates a certificate from the PFX file of the
// official e2e tests and checks the thumbprint they record for it.
func TestCertificatePKCS12(t *testing.T) {
	pfx := e2ePFX
	cert := certificates.NewCertificateResource(uniqueName("pfx"), core.NewSensitiveValue(pfx), core.NewSensitiveValue("HCWVMo7u"))
	created, err := certificates.Add(octo, cert)
	must(t, err, "Add")
	if created.CertificateDataFormat != "Pkcs12" {
		t.Fatalf("format = %q", created.CertificateDataFormat)
	}
	if created.Thumbprint != "0454EAD1FC6F3F60F22AE82230165C14C4FD7FA7" || !created.HasPrivateKey {
		t.Fatalf("thumbprint = %q", created.Thumbprint)
	}
	bad := certificates.NewCertificateResource(uniqueName("pfx wrong password"), core.NewSensitiveValue(pfx), core.NewSensitiveValue("wrong"))
	_, err = certificates.Add(octo, bad)
	wantStatus(t, err, http.StatusBadRequest, "a PFX with the wrong password")
}
