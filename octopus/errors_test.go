package octopus

import (
	"context"
	"errors"
	"fmt"
	"net/http"
	"testing"
)

func TestAPIErrorFormat(t *testing.T) {
	for _, tc := range []struct {
		err  *APIError
		want string
	}{
		{
			&APIError{Instance: "hub", Space: "payments", Kind: "project", Name: "api", Method: "PUT", Path: "/api/Spaces-2/projects/Projects-3",
				Status: 400, ErrorMessage: "There was a problem with your request.", Errors: []string{"Name is required.", "LifecycleId is invalid."}},
			`instance "hub": space "payments": project "api": PUT /api/Spaces-2/projects/Projects-3: 400 Bad Request: There was a problem with your request. (Name is required.; LifecycleId is invalid.)`,
		},
		{
			&APIError{Instance: "hub", Kind: "user role", Name: "Deployer", Method: "POST", Path: "/api/userroles", Status: 400, ErrorMessage: "A role with this name already exists."},
			`instance "hub": user role "Deployer": POST /api/userroles: 400 Bad Request: A role with this name already exists.`,
		},
		{
			&APIError{Instance: "hub", Space: "payments", Kind: "deployment process", Method: "GET", Path: "/api/Spaces-2/deploymentprocesses/deploymentprocess-Projects-9", Status: 404,
				ErrorMessage: "The resource 'deploymentprocess-Projects-9' was not found."},
			`instance "hub": space "payments": deployment process: GET /api/Spaces-2/deploymentprocesses/deploymentprocess-Projects-9: 404 Not Found: The resource 'deploymentprocess-Projects-9' was not found.`,
		},
		{
			&APIError{Method: "GET", Path: "/api/spaces", Status: 400, Errors: []string{"one", "two"}},
			`GET /api/spaces: 400 Bad Request: one; two`,
		},
		{
			&APIError{Instance: "hub", Method: "GET", Path: "/api/spaces", Status: 400, ErrorMessage: "same", Errors: []string{"same"}},
			`instance "hub": GET /api/spaces: 400 Bad Request: same`,
		},
		{
			&APIError{Instance: "hub", Method: "GET", Path: "/api/x", Status: 599},
			`instance "hub": GET /api/x: 599`,
		},
		{
			&APIError{Instance: "hub", Method: "GET", Path: "/api/spaces", Status: 401,
				ErrorMessage: "You must be logged in to perform this action. Please provide a valid API key or log in again."},
			`instance "hub": GET /api/spaces: 401 Unauthorized: You must be logged in to perform this action. Please provide a valid API key or log in again.; check the API key of instance "hub": it may be wrong, expired or revoked`,
		},
		{
			&APIError{Method: "GET", Path: "/api/spaces", Status: 401},
			`GET /api/spaces: 401 Unauthorized; check the API key: it may be wrong, expired or revoked`,
		},
		{
			&APIError{Instance: "hub", Method: "GET", Path: "/api/spaces", Status: 404},
			`instance "hub": GET /api/spaces: 404 Not Found; the answer is not an Octopus error document: check the instance URL`,
		},
	} {
		if got := tc.err.Error(); got != tc.want {
			t.Errorf("got  %s\nwant %s", got, tc.want)
		}
	}
}

func TestAPIErrorFromServer(t *testing.T) {
	const (
		unauthorized = "You must be logged in to perform this action. Please provide a valid API key or log in again."
		forbidden    = "You do not have permission to perform this action. Please contact your Octopus administrator. Missing permission: ProjectEdit"
		stale        = "Changes to this deployment process could not be saved, because another user has made changes to the deployment process between when you started editing and when you saved your changes. Please reload or open a new tab to make your changes."
		staleVars    = "Changes to these variables could not be saved, because another user has made changes to the variables between when you started editing and when you saved your changes. Please reload or open a new tab to make your changes."
	)
	for _, tc := range []struct {
		name  string
		reply reply
		want  string
		is    []error
		isNot []error
	}{
		{
			name:  "401",
			reply: reply{status: 401, body: fmt.Sprintf(`{"ErrorMessage":%q}`, unauthorized)},
			want:  `instance "hub": PUT /api/Spaces-1/deploymentprocesses/deploymentprocess-Projects-1: 401 Unauthorized: ` + unauthorized + `; check the API key of instance "hub": it may be wrong, expired or revoked`,
			is:    []error{ErrUnauthorized},
		},
		{
			name:  "403 keeps the missing permission",
			reply: reply{status: 403, body: fmt.Sprintf(`{"ErrorMessage":%q}`, forbidden)},
			want:  `instance "hub": PUT /api/Spaces-1/deploymentprocesses/deploymentprocess-Projects-1: 403 Forbidden: ` + forbidden,
			is:    []error{ErrForbidden},
		},
		{
			name:  "404",
			reply: reply{status: 404, body: `{"ErrorMessage":"The resource 'deploymentprocess-Projects-1' was not found."}`},
			want:  `instance "hub": PUT /api/Spaces-1/deploymentprocesses/deploymentprocess-Projects-1: 404 Not Found: The resource 'deploymentprocess-Projects-1' was not found.`,
			is:    []error{ErrNotFound},
		},
		{
			name:  "404 from something that is not Octopus",
			reply: reply{status: 404, header: map[string]string{"Content-Type": "text/html"}, body: "<h1>Not Found</h1>"},
			want:  `instance "hub": PUT /api/Spaces-1/deploymentprocesses/deploymentprocess-Projects-1: 404 Not Found; the answer is not an Octopus error document: check the instance URL`,
			is:    []error{ErrNotFound},
		},
		{
			name:  "stale version",
			reply: reply{status: 400, body: fmt.Sprintf(`{"ErrorMessage":%q}`, stale)},
			want:  `instance "hub": PUT /api/Spaces-1/deploymentprocesses/deploymentprocess-Projects-1: 400 Bad Request: ` + stale,
			is:    []error{ErrVersionConflict},
		},
		{
			name:  "stale variables in Errors",
			reply: reply{status: 400, body: fmt.Sprintf(`{"ErrorMessage":"There was a problem with your request.","Errors":[%q]}`, staleVars)},
			want:  `instance "hub": PUT /api/Spaces-1/deploymentprocesses/deploymentprocess-Projects-1: 400 Bad Request: There was a problem with your request. (` + staleVars + `)`,
			is:    []error{ErrVersionConflict},
		},
		{
			name:  "other 400",
			reply: reply{status: 400, body: `{"ErrorMessage":"Step names must be unique.","Details":{"x":1}}`},
			want:  `instance "hub": PUT /api/Spaces-1/deploymentprocesses/deploymentprocess-Projects-1: 400 Bad Request: Step names must be unique.`,
			isNot: []error{ErrVersionConflict, ErrNotFound},
		},
		{
			name:  "Errors of another shape",
			reply: reply{status: 400, body: `{"ErrorMessage":"Validation failed.","Errors":{"Name":"required"}}`},
			want:  `instance "hub": PUT /api/Spaces-1/deploymentprocesses/deploymentprocess-Projects-1: 400 Bad Request: Validation failed.`,
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			f := newFake(t, tc.reply)
			c, _ := newClient(t, f.URL, nil)
			_, err := c.Put(context.Background(), "/api/Spaces-1/deploymentprocesses/deploymentprocess-Projects-1", map[string]any{"Version": 3})
			if got := errText(t, err); got != tc.want {
				t.Errorf("got  %s\nwant %s", got, tc.want)
			}
			for _, target := range tc.is {
				if !errors.Is(err, target) {
					t.Errorf("error is not %v", target)
				}
			}
			for _, target := range tc.isNot {
				if errors.Is(err, target) {
					t.Errorf("error is %v", target)
				}
			}
			if IsNotFound(err) != errors.Is(err, ErrNotFound) || IsVersionConflict(err) != errors.Is(err, ErrVersionConflict) {
				t.Error("IsNotFound or IsVersionConflict disagree with errors.Is")
			}
		})
	}
}

func TestAbout(t *testing.T) {
	apiErr := &APIError{Instance: "hub", Method: http.MethodPut, Path: "/api/Spaces-2/projects/Projects-3", Status: 400, ErrorMessage: "Name must be unique."}
	var err error = apiErr // as a Client method returns it
	if got := About(err, "payments", "project", "api"); got != err {
		t.Errorf("About returned %v, want its argument", got)
	}
	want := `apply: instance "hub": space "payments": project "api": PUT /api/Spaces-2/projects/Projects-3: 400 Bad Request: Name must be unique.`
	if got := fmt.Errorf("apply: %w", err).Error(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	// Through a wrapper the fields are still filled in.
	About(fmt.Errorf("apply: %w", err), "identity", "environment", "Test")
	if apiErr.Space != "identity" || apiErr.Kind != "environment" || apiErr.Name != "Test" {
		t.Errorf("About through a wrapper: %+v", apiErr)
	}
	other := errors.New("not an API error")
	if got := About(other, "s", "k", "n"); got != other || got.Error() != "not an API error" {
		t.Errorf("About changed a foreign error: %v", got)
	}
	if got := apiErr.About("", "user role", "Deployer").Error(); got != `instance "hub": user role "Deployer": PUT /api/Spaces-2/projects/Projects-3: 400 Bad Request: Name must be unique.` {
		t.Errorf("APIError.About: %s", got)
	}
}

func TestUnreachableErrorFormat(t *testing.T) {
	cause := errors.New("dial tcp 10.0.0.1:443: connect: connection refused")
	err := &UnreachableError{Instance: "hub", URL: "https://octopus.example.com/octopus", Method: "GET", Path: "/api/spaces", Attempts: 5, Err: cause}
	want := `instance "hub": GET /api/spaces: cannot reach the Octopus server at https://octopus.example.com/octopus (5 attempts): dial tcp 10.0.0.1:443: connect: connection refused`
	if got := err.Error(); got != want {
		t.Errorf("got  %s\nwant %s", got, want)
	}
	if !errors.Is(err, ErrUnreachable) || !errors.Is(err, cause) {
		t.Error("UnreachableError does not unwrap to ErrUnreachable and its cause")
	}
	err.Attempts = 1
	if got := err.Error(); got != `instance "hub": GET /api/spaces: cannot reach the Octopus server at https://octopus.example.com/octopus: dial tcp 10.0.0.1:443: connect: connection refused` {
		t.Errorf("one attempt: %s", got)
	}
}
