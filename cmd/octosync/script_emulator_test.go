package main

import (
	"bytes"
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"github.com/rogpeppe/go-internal/testscript"

	"octosync.dev/octosync/octopus/emulator"
)

// scriptAPIKey is the administrator's key of every emulator a script
// starts with octopus-emulator; scripts read it from ${VAR}_API_KEY.
const scriptAPIKey = "API-OCTOSYNCSCRIPT0000000000000000"

// octopusEmulatorUsage documents the octopus-emulator script command.
const octopusEmulatorUsage = `usage:
  octopus-emulator [-seed DIR] [-state FILE] [-latency D] [-fault SPEC]... [-fault-seed N] [-instance NAME[=KEY]]... VAR
      start an Octopus emulator on loopback for the rest of the script; set
      $VAR to its base URL and ${VAR}_API_KEY to its administrator's key
      (` + scriptAPIKey + `)
  octopus-emulator call VAR METHOD PATH [BODYFILE]
      send a request to the emulator at $VAR with ${VAR}_API_KEY and print the
      response body; fail unless the status is 2xx (with !, unless it is not)
  octopus-emulator requests VAR
      print "METHOD PATTERN COUNT" for each request pattern since the last
      octopus-emulator requests, and reset the counters
  octopus-emulator fault VAR SPEC
      inject a fault (the --fault syntax) from now on
  octopus-emulator port VAR
      set $VAR to a free loopback port, for starting octosync emulator itself
  octopus-emulator wait VAR
      wait (up to 30s) until an emulator answers at $VAR`

func init() {
	scriptCmds["octopus-emulator"] = cmdOctopusEmulator
}

// scriptEmulators holds the servers each running script started, by the
// name of their URL variable; scripts run in parallel.
var scriptEmulators = struct {
	sync.Mutex
	m map[*testscript.TestScript]map[string]*httptest.Server
}{m: map[*testscript.TestScript]map[string]*httptest.Server{}}

func cmdOctopusEmulator(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) == 0 {
		ts.Fatalf("%s", octopusEmulatorUsage)
	}
	switch args[0] {
	case "call":
		emulatorCall(ts, neg, args[1:])
	case "requests":
		noNeg(ts, neg)
		emulatorRequests(ts, args[1:])
	case "fault":
		noNeg(ts, neg)
		if len(args) != 3 {
			ts.Fatalf("%s", octopusEmulatorUsage)
		}
		body, _ := json.Marshal(map[string]string{"Spec": args[2]})
		status, out := emulatorDo(ts, args[1], http.MethodPost, "/_emulator/faults", body)
		if status != http.StatusCreated {
			ts.Fatalf("adding the fault: %d %s", status, out)
		}
	case "port":
		noNeg(ts, neg)
		if len(args) != 2 {
			ts.Fatalf("%s", octopusEmulatorUsage)
		}
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		ts.Check(err)
		port := ln.Addr().(*net.TCPAddr).Port
		ts.Check(ln.Close())
		ts.Setenv(args[1], strconv.Itoa(port))
	case "wait":
		noNeg(ts, neg)
		if len(args) != 2 {
			ts.Fatalf("%s", octopusEmulatorUsage)
		}
		emulatorWait(ts, ts.Getenv(args[1]))
	default:
		noNeg(ts, neg)
		emulatorStart(ts, args)
	}
}

func noNeg(ts *testscript.TestScript, neg bool) {
	if neg {
		ts.Fatalf("this octopus-emulator command does not fail; assert on its output instead\n%s", octopusEmulatorUsage)
	}
}

// emulatorStart starts an emulator in-process on a free loopback port.
func emulatorStart(ts *testscript.TestScript, args []string) {
	fs := flag.NewFlagSet("octopus-emulator", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	seed := fs.String("seed", "", "")
	state := fs.String("state", "", "")
	latency := fs.Duration("latency", 0, "")
	faultSeed := fs.Uint64("fault-seed", 1, "")
	var faults, instances listFlag
	fs.Var(&faults, "fault", "")
	fs.Var(&instances, "instance", "")
	if err := fs.Parse(args); err != nil || fs.NArg() != 1 {
		ts.Fatalf("%v\n%s", err, octopusEmulatorUsage)
	}
	name := fs.Arg(0)
	if *seed != "" {
		*seed = ts.MkAbs(*seed)
	}
	if *state != "" {
		*state = ts.MkAbs(*state)
	}
	opts, err := emulatorOptions(scriptAPIKey, *state, *seed, *latency, *faultSeed, faults, instances)
	ts.Check(err)
	opts.Logf = func(format string, args ...any) { ts.Logf(format, args...) }
	srv, err := emulator.New(opts)
	ts.Check(err)
	hs := httptest.NewServer(srv)
	ts.Defer(func() {
		hs.Close()
		if err := srv.Close(); err != nil {
			ts.Logf("closing the emulator: %v", err)
		}
		scriptEmulators.Lock()
		delete(scriptEmulators.m, ts)
		scriptEmulators.Unlock()
	})
	scriptEmulators.Lock()
	if scriptEmulators.m[ts] == nil {
		scriptEmulators.m[ts] = map[string]*httptest.Server{}
	}
	scriptEmulators.m[ts][name] = hs
	scriptEmulators.Unlock()
	ts.Setenv(name, hs.URL)
	ts.Setenv(name+"_API_KEY", scriptAPIKey)
}

// emulatorDo sends a request to the emulator whose URL is in $VAR.
func emulatorDo(ts *testscript.TestScript, name, method, path string, body []byte) (int, []byte) {
	base := ts.Getenv(name)
	if base == "" {
		ts.Fatalf("$%s is not set: start an emulator with octopus-emulator %s", name, name)
	}
	var rd io.Reader
	if body != nil {
		rd = bytes.NewReader(body)
	}
	req, err := http.NewRequest(method, base+path, rd)
	ts.Check(err)
	if key := ts.Getenv(name + "_API_KEY"); key != "" {
		req.Header.Set("X-Octopus-ApiKey", key)
	}
	if body != nil {
		req.Header.Set("Content-Type", "application/json")
	}
	resp, err := http.DefaultClient.Do(req)
	ts.Check(err)
	defer resp.Body.Close()
	out, err := io.ReadAll(resp.Body)
	ts.Check(err)
	return resp.StatusCode, out
}

func emulatorCall(ts *testscript.TestScript, neg bool, args []string) {
	if len(args) < 3 || len(args) > 4 {
		ts.Fatalf("%s", octopusEmulatorUsage)
	}
	var body []byte
	if len(args) == 4 {
		b, err := os.ReadFile(ts.MkAbs(args[3]))
		ts.Check(err)
		body = b
	}
	status, out := emulatorDo(ts, args[0], strings.ToUpper(args[1]), args[2], body)
	fmt.Fprintf(ts.Stdout(), "%s\n", out)
	ok := status >= 200 && status < 300
	switch {
	case ok && neg:
		ts.Fatalf("%s %s answered %d", args[1], args[2], status)
	case !ok && !neg:
		ts.Fatalf("%s %s answered %d: %s", args[1], args[2], status, out)
	}
}

func emulatorRequests(ts *testscript.TestScript, args []string) {
	if len(args) != 1 {
		ts.Fatalf("%s", octopusEmulatorUsage)
	}
	_, out := emulatorDo(ts, args[0], http.MethodGet, "/_emulator/requests", nil)
	var counts struct{ Requests map[string]int }
	if err := json.Unmarshal(out, &counts); err != nil {
		ts.Fatalf("reading the request counters: %v: %s", err, out)
	}
	keys := make([]string, 0, len(counts.Requests))
	for k := range counts.Requests {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		fmt.Fprintf(ts.Stdout(), "%s %d\n", k, counts.Requests[k])
	}
	emulatorDo(ts, args[0], http.MethodDelete, "/_emulator/requests", nil)
}

func emulatorWait(ts *testscript.TestScript, base string) {
	deadline := time.Now().Add(30 * time.Second)
	for {
		resp, err := http.Get(base + "/_emulator/health")
		if err == nil {
			resp.Body.Close()
			if resp.StatusCode == http.StatusOK {
				return
			}
		}
		if time.Now().After(deadline) {
			ts.Fatalf("no emulator answered at %s: %v", base, err)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
