package main

import (
	"fmt"
	"io"
	"net/http"
	"net/http/httptest"
	"sync"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() {
	scriptCmds["webhook-fake"] = cmdWebhookFake
}

// webhookFakes are the receivers scripts started, by script and variable.
var webhookFakes = struct {
	sync.Mutex
	m map[*testscript.TestScript]map[string]*webhookFake
}{m: map[*testscript.TestScript]map[string]*webhookFake{}}

type webhookFake struct {
	mu     sync.Mutex
	bodies []string
}

// cmdWebhookFake is the script command
//
//	webhook-fake VAR            start a receiver; $VAR is its URL
//	webhook-fake received VAR   print how many POSTs it got, then each body
func cmdWebhookFake(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("webhook-fake does not fail")
	}
	webhookFakes.Lock()
	defer webhookFakes.Unlock()
	if webhookFakes.m[ts] == nil {
		webhookFakes.m[ts] = map[string]*webhookFake{}
	}
	switch {
	case len(args) == 1:
		f := &webhookFake{}
		srv := httptest.NewServer(http.HandlerFunc(func(w http.ResponseWriter, r *http.Request) {
			b, _ := io.ReadAll(r.Body)
			f.mu.Lock()
			f.bodies = append(f.bodies, r.Method+" "+r.Header.Get("Content-Type")+"\n"+string(b))
			f.mu.Unlock()
			w.WriteHeader(http.StatusNoContent)
		}))
		webhookFakes.m[ts][args[0]] = f
		ts.Setenv(args[0], srv.URL)
		ts.Defer(func() {
			srv.Close()
			webhookFakes.Lock()
			delete(webhookFakes.m, ts)
			webhookFakes.Unlock()
		})
	case len(args) == 2 && args[0] == "received":
		f := webhookFakes.m[ts][args[1]]
		if f == nil {
			ts.Fatalf("no webhook-fake %s", args[1])
		}
		f.mu.Lock()
		defer f.mu.Unlock()
		fmt.Fprintf(ts.Stdout(), "%d\n", len(f.bodies))
		for _, b := range f.bodies {
			fmt.Fprintln(ts.Stdout(), b)
		}
	default:
		ts.Fatalf("usage: webhook-fake VAR | webhook-fake received VAR")
	}
}
