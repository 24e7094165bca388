// Package conformance drives the emulator with the official Octopus
// Deploy Go client, github.com/OctopusDeploy/go-octopusdeploy/v2 at
// v2.115.0, through both of its API generations: the legacy services
// (client.Environments.Add) and the newer package functions
// (environments.Add(client, ...)). Where the client fails, the emulator is
// wrong. Tests that the client cannot express (error bodies, status codes,
// paging links) talk HTTP directly.
package conformance

import (
	"fmt"
	"net/http/httptest"
	"net/url"
	"os"
	"testing"

	"github.com/OctopusDeploy/go-octopusdeploy/v2/pkg/client"
	"octosync.dev/octosync/octopus/emulator"
)

// apiKey is the administrator's key of the emulator under test.
const apiKey = "API-CONFORMANCE0000000000000000000"

var (
	// server is the emulator on loopback, shared by every test.
	server *httptest.Server
	// octo is a client for the default space of the default instance.
	octo *client.Client
)

func TestMain(m *testing.M) {
	em, err := emulator.New(emulator.Options{APIKey: apiKey, Instances: []string{"second=API-SECONDINSTANCE000000000000000"}})
	if err != nil {
		fmt.Fprintln(os.Stderr, err)
		os.Exit(1)
	}
	server = httptest.NewServer(em)
	u, _ := url.Parse(server.URL)
	octo, err = client.NewClient(nil, u, apiKey, "")
	if err != nil {
		fmt.Fprintln(os.Stderr, "the official client cannot connect:", err)
		server.Close()
		os.Exit(1)
	}
	code := m.Run()
	server.Close()
	os.Exit(code)
}
