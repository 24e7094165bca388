package emulator

import (
	"fmt"
	"net/http"
	"strings"
)

// apiError is an error the emulator answers with: an HTTP status and the
// JSON body Octopus uses for every 4xx and 5xx response,
// {"ErrorMessage": "...", "Errors": [...]}.
type apiError struct {
	Status  int
	Message string
	Errors  []string
	// header holds extra response headers (Allow on a 405).
	header http.Header
}

func (e *apiError) Error() string {
	if len(e.Errors) == 0 {
		return fmt.Sprintf("%d %s", e.Status, e.Message)
	}
	return fmt.Sprintf("%d %s: %s", e.Status, e.Message, strings.Join(e.Errors, "; "))
}

// body returns the JSON error document. A 400 always lists its Errors
// (possibly empty); other errors carry Errors only when there are some, as
// the real server's 404s do ({"ErrorMessage": "The resource 'X' was not
// found."}). The difference matters: the official Go client's legacy
// services report any response carrying an Errors array as a generic
// error, and only recognise a 404 by its status when Errors is absent.
func (e *apiError) body() map[string]any {
	b := map[string]any{"ErrorMessage": e.Message}
	switch {
	case len(e.Errors) > 0:
		b["Errors"] = e.Errors
	case e.Status == http.StatusBadRequest:
		b["Errors"] = []string{}
	}
	return b
}

// Messages the real server uses, word for word.
const (
	msgBadRequest   = "There was a problem with your request."
	msgUnauthorized = "You must be logged in to perform this action. Please provide a valid API key or log in again."
	msgForbidden    = "You do not have permission to perform this action. Please contact your Octopus administrator. Missing permission: "
	msgNoBody       = "No request body was supplied."
	msgRouteMissing = "The resource you requested was not found."
)

// badRequest is a 400 whose details are listed in Errors, the shape of
// Octopus's model-validation failures.
func badRequest(errs ...string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Message: msgBadRequest, Errors: errs}
}

// badRequestf is badRequest with one formatted detail.
func badRequestf(format string, args ...any) *apiError {
	return badRequest(fmt.Sprintf(format, args...))
}

// refused is a 400 whose message is itself the explanation, as Octopus
// answers operations it refuses (deleting the default machine policy, a
// stale Version). The message is repeated in Errors so that clients that
// only surface Errors (the legacy Go services) still show it.
func refused(msg string) *apiError {
	return &apiError{Status: http.StatusBadRequest, Message: msg, Errors: []string{msg}}
}

// notFound is Octopus's 404 for an id that does not exist.
func notFound(id string) *apiError {
	return &apiError{Status: http.StatusNotFound, Message: fmt.Sprintf("The resource '%s' was not found.", id)}
}

// routeNotFound is the 404 for a path the server has no route for.
func routeNotFound() *apiError {
	return &apiError{Status: http.StatusNotFound, Message: msgRouteMissing}
}

func unauthorized() *apiError {
	return &apiError{Status: http.StatusUnauthorized, Message: msgUnauthorized}
}

func forbidden(permission string) *apiError {
	return &apiError{Status: http.StatusForbidden, Message: msgForbidden + permission}
}

func methodNotAllowed(method string, allow []string) *apiError {
	h := http.Header{}
	h.Set("Allow", strings.Join(allow, ", "))
	return &apiError{
		Status:  http.StatusMethodNotAllowed,
		Message: fmt.Sprintf("The requested resource does not support http method '%s'.", method),
		header:  h,
	}
}
