package conformance

import (
	"bytes"
	"encoding/json"
	"errors"
	"fmt"
	"io"
	"net/http"
	"reflect"
	"strings"
	"sync/atomic"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/core"
)

var nameCounter atomic.Int64

// uniqueName returns a name no other test uses, in the shape of the
// official e2e tests' random names.
func uniqueName(prefix string) string {
	return fmt.Sprintf("%s %04d", prefix, nameCounter.Add(1))
}

// must fails the test on an error.
func must(t *testing.T, err error, what string) {
	t.Helper()
	if err != nil {
		t.Fatalf("%s: %v", what, err)
	}
}

// wantStatus checks that err is an Octopus API error with the status (the
// new client's errors carry it; the legacy ones only for 404).
func wantStatus(t *testing.T, err error, status int, what string) {
	t.Helper()
	if err == nil {
		t.Fatalf("%s: no error, want %d", what, status)
	}
	var ae *core.APIError
	if errors.As(err, &ae) {
		if ae.StatusCode != status {
			t.Fatalf("%s: status %d (%v), want %d", what, ae.StatusCode, err, status)
		}
		return
	}
	if status == http.StatusBadRequest && strings.Contains(err.Error(), "bad request") {
		return
	}
	if status == http.StatusBadRequest && strings.Contains(err.Error(), "octopus deploy api returned an error") {
		return
	}
	t.Fatalf("%s: error %v (%T) is not an API error with status %d", what, err, err, status)
}

// sameLinks checks that two representations of a document carry identical
// Links, as the official e2e tests insist.
func sameLinks(t *testing.T, a, b map[string]string, what string) {
	t.Helper()
	if len(a) == 0 {
		t.Fatalf("%s: no Links", what)
	}
	if !reflect.DeepEqual(a, b) {
		t.Fatalf("%s: Links differ:\n%v\n%v", what, a, b)
	}
}

// rawResponse is a response of the raw HTTP helper.
type rawResponse struct {
	Status int
	Header http.Header
	Body   []byte
}

// JSON decodes the body.
func (r rawResponse) JSON(t *testing.T) map[string]any {
	t.Helper()
	var m map[string]any
	if err := json.Unmarshal(r.Body, &m); err != nil {
		t.Fatalf("response body %q is not a JSON object: %v", r.Body, err)
	}
	return m
}

// raw sends a request with the administrator's key (unless headers say
// otherwise) and returns the response.
func raw(t *testing.T, method, path string, body any, headers ...string) rawResponse {
	t.Helper()
	var rd io.Reader
	switch b := body.(type) {
	case nil:
	case string:
		rd = strings.NewReader(b)
	case []byte:
		rd = bytes.NewReader(b)
	default:
		enc, err := json.Marshal(b)
		must(t, err, "encoding body")
		rd = bytes.NewReader(enc)
	}
	req, err := http.NewRequest(method, server.URL+path, rd)
	must(t, err, "building request")
	req.Header.Set("X-Octopus-ApiKey", apiKey)
	for i := 0; i+1 < len(headers); i += 2 {
		if headers[i+1] == "" {
			req.Header.Del(headers[i])
		} else {
			req.Header.Set(headers[i], headers[i+1])
		}
	}
	resp, err := http.DefaultClient.Do(req)
	must(t, err, method+" "+path)
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	must(t, err, "reading body")
	return rawResponse{Status: resp.StatusCode, Header: resp.Header, Body: b}
}

// wantError checks a raw error response: its status and an Octopus error
// body whose ErrorMessage (or one of its Errors) contains text.
func wantError(t *testing.T, r rawResponse, status int, text string) {
	t.Helper()
	if r.Status != status {
		t.Fatalf("status %d, want %d; body %s", r.Status, status, r.Body)
	}
	var e struct {
		ErrorMessage string
		Errors       []string
	}
	if err := json.Unmarshal(r.Body, &e); err != nil || e.ErrorMessage == "" || (status == http.StatusBadRequest && e.Errors == nil) {
		t.Fatalf("error body %q is not {ErrorMessage, Errors}", r.Body)
	}
	if text == "" {
		return
	}
	if strings.Contains(e.ErrorMessage, text) {
		return
	}
	for _, s := range e.Errors {
		if strings.Contains(s, text) {
			return
		}
	}
	t.Fatalf("error %s does not mention %q", r.Body, text)
}
