package conformance

import (
	"net/http"
	"reflect"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/accounts"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/core"
	"github.com/google/uuid"
)

func TestAccounts(t *testing.T) {
	space := newSpace(t)
	secret := core.NewSensitiveValue("s3cret")
	aws, err := accounts.NewAmazonWebServicesAccount(uniqueName("aws"), "AKIA0000", secret)
	must(t, err, "NewAmazonWebServicesAccount")
	aws.SpaceID = space
	sp, err := accounts.NewAzureServicePrincipalAccount(uniqueName("azure sp"), uuid.New(), uuid.New(), uuid.New(), secret)
	must(t, err, "NewAzureServicePrincipalAccount")
	sp.SpaceID = space
	oidc, err := accounts.NewAzureOIDCAccount(uniqueName("azure oidc"), uuid.New(), uuid.New(), uuid.New())
	must(t, err, "NewAzureOIDCAccount")
	oidc.SpaceID = space
	sub, err := accounts.NewAzureSubscriptionAccount(uniqueName("azure sub"), uuid.New())
	must(t, err, "NewAzureSubscriptionAccount")
	sub.SpaceID = space
	ssh, err := accounts.NewSSHKeyAccount(uniqueName("ssh"), "root", secret)
	must(t, err, "NewSSHKeyAccount")
	ssh.SpaceID = space
	token, err := accounts.NewTokenAccount(uniqueName("token"), secret)
	must(t, err, "NewTokenAccount")
	token.SpaceID = space
	up, err := accounts.NewUsernamePasswordAccount(uniqueName("userpass"))
	must(t, err, "NewUsernamePasswordAccount")
	up.SetUsername("deployer")
	up.SetPassword(secret)
	up.SpaceID = space
	gcp, err := accounts.NewGoogleCloudPlatformAccount(uniqueName("gcp"), secret)
	must(t, err, "NewGoogleCloudPlatformAccount")
	gcp.SpaceID = space
	awsOidc, err := accounts.NewAwsOIDCAccount(uniqueName("aws oidc"), "arn:aws:iam::1:role/x")
	must(t, err, "NewAwsOIDCAccount")
	awsOidc.SpaceID = space
	generic, err := accounts.NewGenericOIDCAccount(uniqueName("generic oidc"))
	must(t, err, "NewGenericOIDCAccount")
	generic.SpaceID = space

	for _, a := range []accounts.IAccount{aws, sp, oidc, sub, ssh, token, up, gcp, awsOidc, generic} {
		created, err := accounts.Add(octo, a)
		must(t, err, "Add "+string(a.GetAccountType()))
		got, err := accounts.GetByID(octo, space, created.GetID())
		must(t, err, "GetByID "+string(a.GetAccountType()))
		sameLinks(t, created.GetLinks(), got.GetLinks(), "POST vs GET")
		// PUT back what was read: secrets must still be set afterwards.
		got.SetDescription("updated")
		updated, err := accounts.Update(octo, got)
		must(t, err, "Update "+string(a.GetAccountType()))
		if !reflect.DeepEqual(secretsOf(created), secretsOf(updated)) {
			t.Fatalf("%s: secrets changed by a PUT of what was read: %+v vs %+v", a.GetAccountType(), secretsOf(created), secretsOf(updated))
		}
		for name, sv := range secretsOf(updated) {
			set := secretsOf(a)[name] != nil && secretsOf(a)[name].NewValue != nil
			if sv == nil || sv.HasValue != set || sv.NewValue != nil {
				t.Fatalf("%s: %s = %+v, want {HasValue: %v, NewValue: null}", a.GetAccountType(), name, sv, set)
			}
		}
	}
	// The legacy service works in the client's space.
	legacy, err := accounts.NewTokenAccount(uniqueName("legacy token"), secret)
	must(t, err, "NewTokenAccount")
	lcreated, err := octo.Accounts.Add(legacy)
	must(t, err, "Add (legacy)")
	lgot, err := octo.Accounts.GetByID(lcreated.GetID())
	must(t, err, "GetByID (legacy)")
	sameLinks(t, lcreated.GetLinks(), lgot.GetLinks(), "POST vs GET (legacy)")
	if tk := lgot.(*accounts.TokenAccount).Token; tk == nil || !tk.HasValue || tk.NewValue != nil {
		t.Fatalf("legacy GetByID Token = %+v", tk)
	}
	if _, err := octo.Accounts.GetUsages(lgot); err != nil {
		t.Fatalf("GetUsages: %v", err)
	}
	lall, err := octo.Accounts.GetAll()
	must(t, err, "GetAll (legacy)")
	if len(lall) == 0 {
		t.Fatal("GetAll (legacy) found nothing")
	}
	must(t, octo.Accounts.DeleteByID(lcreated.GetID()), "DeleteByID (legacy)")
	_, err = octo.Accounts.GetByID(lcreated.GetID())
	wantStatus(t, err, http.StatusNotFound, "GetByID after delete (legacy)")

	page, err := accounts.Get(octo, space, &accounts.AccountsQuery{AccountType: accounts.AccountTypeToken})
	must(t, err, "Get by accountType")
	if page.TotalResults != 1 {
		t.Fatalf("accountType filter found %d", page.TotalResults)
	}
	dup, _ := accounts.NewTokenAccount(token.Name, secret)
	dup.SpaceID = space
	_, err = accounts.Add(octo, dup)
	wantStatus(t, err, http.StatusBadRequest, "duplicate name")
	wantError(t, raw(t, http.MethodPost, "/api/"+space+"/accounts", map[string]any{"Name": "bad guid", "AccountType": "AzureServicePrincipal",
		"SubscriptionNumber": "nope", "TenantId": uuid.NewString(), "ClientId": uuid.NewString()}), http.StatusBadRequest, "SubscriptionNumber")
	all, err := accounts.GetAll(octo, space)
	must(t, err, "GetAll")
	for _, a := range all {
		must(t, accounts.DeleteByID(octo, space, a.GetID()), "DeleteByID")
		_, err := accounts.GetByID(octo, space, a.GetID())
		wantStatus(t, err, http.StatusNotFound, "GetByID after delete")
	}
}

// secretsOf returns an account's write-only values by name.
func secretsOf(a accounts.IAccount) map[string]*core.SensitiveValue {
	switch a := a.(type) {
	case *accounts.AmazonWebServicesAccount:
		return map[string]*core.SensitiveValue{"SecretKey": a.SecretKey}
	case *accounts.AzureServicePrincipalAccount:
		return map[string]*core.SensitiveValue{"Password": a.ApplicationPassword}
	case *accounts.AzureSubscriptionAccount:
		return map[string]*core.SensitiveValue{"CertificateBytes": a.CertificateBytes}
	case *accounts.SSHKeyAccount:
		return map[string]*core.SensitiveValue{"PrivateKeyFile": a.PrivateKeyFile}
	case *accounts.TokenAccount:
		return map[string]*core.SensitiveValue{"Token": a.Token}
	case *accounts.UsernamePasswordAccount:
		return map[string]*core.SensitiveValue{"Password": a.Password}
	case *accounts.GoogleCloudPlatformAccount:
		return map[string]*core.SensitiveValue{"JsonKey": a.JsonKey}
	}
	return nil
}
