package conformance

import (
	"net/http"
	"net/url"
	"strings"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/client"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/configuration"
	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/environments"
	"github.com/google/uuid"
)

func TestRoot(t *testing.T) {
	root, err := octo.Root.Get()
	must(t, err, "Root.Get")
	must(t, root.Validate(), "root validation")
	if root.APIVersion != "3.0.0" || root.InstallationID == nil || *root.InstallationID == uuid.Nil {
		t.Fatalf("root = %+v", root)
	}
	space := "Spaces-1"
	sr, err := client.GetSpaceRoot(octo, &space)
	must(t, err, "GetSpaceRoot")
	if sr.Version != "" || len(sr.Links) == 0 {
		t.Fatalf("space root = %+v", sr)
	}
	// The root is anonymous; both /api and /api/ answer.
	for _, p := range []string{"/api", "/api/"} {
		r := raw(t, http.MethodGet, p, nil, "X-Octopus-ApiKey", "")
		if r.Status != http.StatusOK {
			t.Fatalf("GET %s: %d", p, r.Status)
		}
		links := r.JSON(t)["Links"].(map[string]any)
		if links["Environments"] != "/api/Spaces-1/environments{/id}{?name,skip,ids,take,partialName}" || links["Spaces"] == nil {
			t.Fatalf("root links: %v", links)
		}
	}
	wantError(t, raw(t, http.MethodGet, "/api/Spaces-999", nil), http.StatusNotFound, "Spaces-999")
	wantError(t, raw(t, http.MethodPost, "/api", "{}"), http.StatusMethodNotAllowed, "")
	status, err := octo.ServerStatus.Get()
	must(t, err, "ServerStatus.Get")
	if status == nil {
		t.Fatal("no server status")
	}
	if r := raw(t, http.MethodGet, "/api/serverstatus/health", nil, "X-Octopus-ApiKey", ""); r.Status != http.StatusOK {
		t.Fatalf("anonymous health check: %d", r.Status)
	}
	perms := raw(t, http.MethodGet, "/api/permissions/all", nil).JSON(t)
	if ev, ok := perms["EnvironmentView"].(map[string]any); !ok || ev["CanApplyAtSpaceLevel"] != true {
		t.Fatalf("permissions/all: %v", perms["EnvironmentView"])
	}
	auth := raw(t, http.MethodGet, "/api/authentication", nil, "X-Octopus-ApiKey", "").JSON(t)
	if providers, _ := auth["AuthenticationProviders"].([]any); len(providers) == 0 {
		t.Fatalf("anonymous /api/authentication lists no provider: %v", auth)
	}
}

func TestAuthentication(t *testing.T) {
	wantError(t, raw(t, http.MethodGet, "/api/spaces", nil, "X-Octopus-ApiKey", ""), http.StatusUnauthorized,
		"You must be logged in to perform this action. Please provide a valid API key or log in again.")
	wantError(t, raw(t, http.MethodGet, "/api/spaces", nil, "X-Octopus-ApiKey", "API-WRONG"), http.StatusUnauthorized, "You must be logged in")
	for _, r := range []rawResponse{
		raw(t, http.MethodGet, "/api/spaces?apikey="+apiKey, nil, "X-Octopus-ApiKey", ""),
		raw(t, http.MethodGet, "/api/spaces?ApiKey="+apiKey, nil, "X-Octopus-ApiKey", ""),
		raw(t, http.MethodGet, "/api/spaces", nil, "X-Octopus-ApiKey", "", "Authorization", "Bearer "+apiKey),
	} {
		if r.Status != http.StatusOK {
			t.Fatalf("authenticated request: %d %s", r.Status, r.Body)
		}
	}
	u, _ := url.Parse(server.URL)
	bearer, err := client.NewClientWithAccessToken(nil, u, apiKey, "Spaces-1")
	must(t, err, "a client with a bearer token")
	if _, err := bearer.Users.GetMe(); err != nil {
		t.Fatalf("GetMe with a bearer token: %v", err)
	}
}

func TestErrors(t *testing.T) {
	wantError(t, raw(t, http.MethodPost, "/api/Spaces-1/environments", `{"Name": "x",`), http.StatusBadRequest, "There was a problem with your request.")
	wantError(t, raw(t, http.MethodPost, "/api/Spaces-1/environments", `["Name"]`), http.StatusBadRequest, "JSON object")
	wantError(t, raw(t, http.MethodPost, "/api/Spaces-1/environments", ``), http.StatusBadRequest, "No request body was supplied.")
	wantError(t, raw(t, http.MethodPost, "/api/Spaces-1/environments", `{"Description": "no name"}`), http.StatusBadRequest, "The Name field is required.")
	wantError(t, raw(t, http.MethodPost, "/api/Spaces-1/environments", `{"Name": "typed", "UseGuidedFailure": {"a": 1}}`), http.StatusBadRequest, "UseGuidedFailure")
	wantError(t, raw(t, http.MethodPost, "/api/Spaces-1/environments", `{"Name": "`+strings.Repeat("n", 51)+`"}`), http.StatusBadRequest, "maximum length of 50")
	wantError(t, raw(t, http.MethodPatch, "/api/Spaces-1/environments", `{}`), http.StatusMethodNotAllowed, "PATCH")
	wantError(t, raw(t, http.MethodGet, "/api/Spaces-1/environments/Environments-99999", nil), http.StatusNotFound, "The resource 'Environments-99999' was not found.")
	wantError(t, raw(t, http.MethodGet, "/api/nonesuch", nil), http.StatusNotFound, "")
	wantError(t, raw(t, http.MethodGet, "/nowhere", nil), http.StatusNotFound, "")
	wantError(t, raw(t, http.MethodGet, "/api/Spaces-1/environments?take=-1", nil), http.StatusBadRequest, "take")
	if r := raw(t, http.MethodPatch, "/api/Spaces-1/environments", `{}`); r.Header.Get("Allow") == "" {
		t.Fatal("a 405 without Allow")
	}
	// Unknown properties are dropped, not stored.
	r := raw(t, http.MethodPost, "/api/Spaces-1/environments", map[string]any{"Name": uniqueName("extra"), "Frobnicate": true, "Links": map[string]any{"Self": "x"}})
	if r.Status != http.StatusCreated {
		t.Fatalf("POST with extra properties: %d %s", r.Status, r.Body)
	}
	doc := r.JSON(t)
	if _, ok := doc["Frobnicate"]; ok {
		t.Fatal("an unknown property was stored")
	}
	if doc["Links"].(map[string]any)["Self"] != "/api/Spaces-1/environments/"+doc["Id"].(string) {
		t.Fatal("Links came from the request body")
	}
	if !strings.HasSuffix(doc["LastModifiedOn"].(string), "+00:00") || doc["LastModifiedBy"] != "admin" {
		t.Fatalf("LastModified* = %v / %v", doc["LastModifiedOn"], doc["LastModifiedBy"])
	}
	// DELETE answers 200.
	if r := raw(t, http.MethodDelete, "/api/Spaces-1/environments/"+doc["Id"].(string), nil); r.Status != http.StatusOK {
		t.Fatalf("DELETE: %d", r.Status)
	}
}

func TestPagingEnvelope(t *testing.T) {
	space := newSpace(t)
	for i := 0; i < 5; i++ {
		e := environments.NewEnvironment(uniqueName("envelope env"))
		e.SpaceID = space
		_, err := environments.Add(octo, e)
		must(t, err, "Add")
	}
	r := raw(t, http.MethodGet, "/api/"+space+"/environments?Skip=2&TAKE=2&partialname=ENVELOPE&ignored=", nil)
	if r.Status != http.StatusOK {
		t.Fatalf("list: %d %s", r.Status, r.Body)
	}
	env := r.JSON(t)
	if env["ItemType"] != "Environment" || env["TotalResults"] != float64(5) || env["ItemsPerPage"] != float64(2) ||
		env["NumberOfPages"] != float64(3) || env["LastPageNumber"] != float64(2) || len(env["Items"].([]any)) != 2 {
		t.Fatalf("envelope = %v", env)
	}
	links := env["Links"].(map[string]any)
	for _, k := range []string{"Self", "Template", "Page.All", "Page.Current", "Page.Last", "Page.Next", "Page.Previous"} {
		if links[k] == nil {
			t.Fatalf("no %s link: %v", k, links)
		}
	}
	if !strings.Contains(links["Page.Next"].(string), "skip=4") || !strings.Contains(links["Page.Next"].(string), "partialname=ENVELOPE") {
		t.Fatalf("Page.Next = %v: it must keep the filters", links["Page.Next"])
	}
	last := raw(t, http.MethodGet, "/api/"+space+"/environments?skip=4&take=2", nil).JSON(t)
	if _, ok := last["Links"].(map[string]any)["Page.Next"]; ok {
		t.Fatal("the last page has a Page.Next link")
	}
	all := raw(t, http.MethodGet, "/api/"+space+"/environments/all", nil)
	if !strings.HasPrefix(string(all.Body), "[") {
		t.Fatalf("/all is not a bare array: %s", all.Body)
	}
	ids := raw(t, http.MethodGet, "/api/"+space+"/environments?ids=Environments-999999", nil).JSON(t)
	if ids["TotalResults"] != float64(0) {
		t.Fatalf("ids filter = %v", ids["TotalResults"])
	}
}

func TestSettings(t *testing.T) {
	section, err := octo.Configuration.GetByID("authentication")
	must(t, err, "Configuration.GetByID")
	if section.Links["Values"] == "" || section.Links["Metadata"] == "" {
		t.Fatalf("section links = %v", section.Links)
	}
	toggles, err := configuration.Get(octo, &configuration.FeatureToggleConfigurationQuery{Name: "RateLimitingV2"})
	must(t, err, "feature toggles")
	if len(toggles.FeatureToggles) != 1 {
		t.Fatalf("feature toggles = %+v", toggles)
	}
	list := raw(t, http.MethodGet, "/api/configuration", nil).JSON(t)
	if list["TotalResults"].(float64) < 10 {
		t.Fatalf("configuration sections = %v", list["TotalResults"])
	}

	okta := map[string]any{"IsEnabled": true, "Issuer": "https://acme.okta.com", "ClientId": "0oa1",
		"ClientSecret": map[string]any{"HasValue": true, "NewValue": "shh"}, "Frobnicate": 1}
	r := raw(t, http.MethodPut, "/api/configuration/authentication-od/values", okta)
	if r.Status != http.StatusOK {
		t.Fatalf("PUT okta: %d %s", r.Status, r.Body)
	}
	got := raw(t, http.MethodGet, "/api/configuration/authentication-od/values", nil).JSON(t)
	cs := got["ClientSecret"].(map[string]any)
	if got["Issuer"] != "https://acme.okta.com" || cs["HasValue"] != true || cs["NewValue"] != nil || got["Frobnicate"] != nil {
		t.Fatalf("okta values = %v", got)
	}
	delete(got, "ClientSecret") // null: keep
	got["ClientId"] = "0oa2"
	raw(t, http.MethodPut, "/api/configuration/authentication-od/values", got)
	again := raw(t, http.MethodGet, "/api/configuration/authentication-od/values", nil).JSON(t)
	if again["ClientId"] != "0oa2" || again["ClientSecret"].(map[string]any)["HasValue"] != true {
		t.Fatalf("a PUT without ClientSecret lost it: %v", again)
	}
	for _, id := range []string{"authentication-usernamepassword", "authentication-guest", "authentication-aad", "authentication-googleapps",
		"authentication-octopusid", "authentication-generic-oidc", "authentication-directoryservices", "authentication-ldap", "webportal"} {
		if r := raw(t, http.MethodGet, "/api/configuration/"+id+"/values", nil); r.Status != http.StatusOK {
			t.Fatalf("GET %s values: %d", id, r.Status)
		}
	}
	wantError(t, raw(t, http.MethodPut, "/api/configuration/authentication-ldap/values", map[string]any{"SecurityProtocol": "Carrier pigeon"}),
		http.StatusBadRequest, "SecurityProtocol")

	// SMTP, in both shapes.
	smtp := map[string]any{"SmtpHost": "smtp.acme.com", "SmtpPort": 587, "SendEmailFrom": "octopus@acme.com", "EnableSsl": true,
		"SmtpLogin": "octopus", "SmtpPassword": map[string]any{"NewValue": "pw"},
		"Details": map[string]any{"CredentialType": "UsernamePassword", "SmtpLogin": "octopus", "SmtpPassword": map[string]any{"NewValue": "pw"}}}
	if r := raw(t, http.MethodPut, "/api/smtpconfiguration", smtp); r.Status != http.StatusOK {
		t.Fatalf("PUT smtp: %d %s", r.Status, r.Body)
	}
	s := raw(t, http.MethodGet, "/api/smtpconfiguration", nil).JSON(t)
	if s["SmtpPort"] != float64(587) || s["SmtpPassword"].(map[string]any)["HasValue"] != true ||
		s["Details"].(map[string]any)["SmtpPassword"].(map[string]any)["NewValue"] != nil {
		t.Fatalf("smtp = %v", s)
	}
	if raw(t, http.MethodGet, "/api/smtpconfiguration/isconfigured", nil).JSON(t)["IsConfigured"] != true {
		t.Fatal("smtp is not configured")
	}

	// The audit stream (its inner shape is octosync's own).
	wantError(t, raw(t, http.MethodPut, "/api/audit-stream", map[string]any{"Active": true,
		"StreamConfigurationResource": map[string]any{"Type": "Splunk", "Endpoint": "https://splunk:8088"}}), http.StatusBadRequest, "Token")
	stream := map[string]any{"Active": true, "Description": "to Splunk", "StreamConfigurationResource": map[string]any{
		"Type": "Splunk", "Endpoint": "https://splunk:8088", "Token": map[string]any{"NewValue": "hec"}}}
	if r := raw(t, http.MethodPut, "/api/audit-stream", stream); r.Status != http.StatusOK {
		t.Fatalf("PUT audit-stream: %d %s", r.Status, r.Body)
	}
	as := raw(t, http.MethodGet, "/api/audit-stream", nil).JSON(t)
	tok := as["StreamConfigurationResource"].(map[string]any)["Token"].(map[string]any)
	if as["Active"] != true || tok["HasValue"] != true || tok["NewValue"] != nil || as["LastModifiedBy"] != "admin" {
		t.Fatalf("audit stream = %v", as)
	}
}

func TestSecondInstance(t *testing.T) {
	second := "API-SECONDINSTANCE000000000000000"
	wantError(t, raw(t, http.MethodGet, "/second/api/spaces", nil, "X-Octopus-ApiKey", apiKey), http.StatusUnauthorized, "")
	u, _ := url.Parse(server.URL + "/second")
	c, err := client.NewClient(nil, u, second, "")
	must(t, err, "a client for the second instance")
	e, err := environments.Add(c, environments.NewEnvironment(uniqueName("second env")))
	must(t, err, "Add in the second instance")
	if !strings.HasPrefix(e.Links["Self"], "/second/api/") {
		t.Fatalf("links of the second instance lack its prefix: %v", e.Links)
	}
	got, err := c.Environments.GetByID(e.ID)
	must(t, err, "GetByID (legacy) in the second instance")
	sameLinks(t, e.Links, got.Links, "POST vs GET")
	if _, err := environments.GetByID(octo, "Spaces-1", e.ID); err == nil {
		t.Fatal("the default instance sees the second instance's environment")
	}
	root := raw(t, http.MethodGet, "/second/api", nil).JSON(t)
	if root["InstallationId"] == raw(t, http.MethodGet, "/api", nil).JSON(t)["InstallationId"] {
		t.Fatal("two instances share an InstallationId")
	}
}
