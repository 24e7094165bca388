package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"net"
	"net/http"
	"os"
	"strings"
	"time"

	"octosync.dev/octosync/octopus/emulator"
)

var emulatorCmd = &command{
	name:    "emulator",
	summary: "serve an Octopus-compatible API on loopback, for tests, examples and the demo",
	usage:   "--addr 127.0.0.1:PORT --api-key API-KEY [--state FILE] [--seed DIR] [--latency DUR] [--fault SPEC]... [--fault-seed N] [--instance NAME[=KEY]]...",
	doc: `Emulator serves an Octopus Deploy compatible REST API, so that octosync
can be tried, tested and benchmarked without an Octopus Server. When it is
ready it prints one line to stderr,

  listening on http://ADDR

with the port resolved (--addr 127.0.0.1:0 picks a free one), and serves
until interrupted (Ctrl-C, SIGTERM), when it finishes the requests in flight
and writes its state file.

A fresh emulator holds what a new Octopus Server holds: the Default space
(Spaces-1), the built-in teams and user roles, the default lifecycle,
project group, machine policy, worker pool and feeds, and an administrator,
Users-1 "admin", whose API key is --api-key. The official Go client works
against it unchanged.

Flags:
  --addr HOST:PORT      where to listen (default 127.0.0.1:0, a free port);
                        the emulator is a test double: keep it on loopback
  --api-key KEY         the administrator's API key: API- and upper-case
                        letters and digits (required)
  --state FILE          keep the state in FILE: loaded at start if it exists,
                        rewritten (atomically) after every change; a file that
                        is not an emulator state file is an error and is left
                        untouched
  --seed DIR            start a fresh emulator from the documents in DIR:
                        <kind>/*.json for instance-level documents and
                        spaces/<space name>/<kind>/*.json for a space's
                        (ignored when --state names an existing file)
  --latency DUR         delay every API request by DUR (100ms, 1s)
  --fault SPEC          inject faults; repeatable. SPEC is
                        EFFECT[:WHEN][:OPTION]..., EFFECT a status (500, 429),
                        drop or slow:DURATION; WHEN a probability (0.1) or #N
                        for the Nth matching request; OPTIONs retry-after=DUR
                        and [METHODS]@PATH-GLOB
  --fault-seed N        make random faults reproducible (default: random)
  --instance NAME[=KEY] also serve an independent instance under /NAME/api,
                        as a server behind a virtual directory; with its own
                        administrator key, or --api-key; repeatable

Besides the Octopus API, /_emulator/requests counts requests per method
and path pattern (DELETE resets it) and /_emulator/faults lists, adds and
clears faults at run time.

Examples:
  octosync emulator --addr 127.0.0.1:8065 --api-key API-DEMO0000000000000000000000
  octosync emulator --api-key API-TEST123 --state emulator.json --seed ./seed
  octosync emulator --api-key API-TEST123 --latency 50ms --fault 500:0.1 --fault 429:0.05:retry-after=1s
  octosync emulator --api-key API-HUB1 --instance eu=API-EU1 --instance us=API-US1

Exit status: 0 after an interrupt, 1 when the emulator cannot start.`,
}

func init() { emulatorCmd.run = runEmulator }

// listFlag is a repeatable string flag.
type listFlag []string

func (l *listFlag) String() string     { return strings.Join(*l, ",") }
func (l *listFlag) Set(v string) error { *l = append(*l, v); return nil }

func runEmulator(ctx context.Context, s *streams, args []string) int {
	fs := newFlags(emulatorCmd, s)
	addr := fs.String("addr", "127.0.0.1:0", "")
	apiKey := fs.String("api-key", "", "")
	state := fs.String("state", "", "")
	seed := fs.String("seed", "", "")
	latency := fs.Duration("latency", 0, "")
	faultSeed := fs.Uint64("fault-seed", 0, "")
	var faults, instances listFlag
	fs.Var(&faults, "fault", "")
	fs.Var(&instances, "instance", "")
	pos, err := parseFlags(fs, s, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) > 0 {
		return s.errf("emulator: unexpected argument %q; run 'octosync help emulator' for usage", pos[0])
	}
	opts, err := emulatorOptions(*apiKey, *state, *seed, *latency, *faultSeed, faults, instances)
	if err != nil {
		return s.errf("emulator: %v", err)
	}
	opts.Logf = func(format string, args ...any) { fmt.Fprintf(s.err, "octosync emulator: "+format+"\n", args...) }
	srv, err := emulator.New(opts)
	if err != nil {
		return s.errf("emulator: %v", err)
	}
	ln, err := net.Listen("tcp", *addr)
	if err != nil {
		srv.Close()
		return s.errf("emulator: %v", err)
	}
	fmt.Fprintf(s.err, "listening on http://%s\n", ln.Addr())
	hs := &http.Server{Handler: srv, ReadHeaderTimeout: 30 * time.Second}
	served := make(chan error, 1)
	go func() { served <- hs.Serve(ln) }()
	select {
	case err = <-served:
	case <-ctx.Done():
		shutdown, cancel := context.WithTimeout(context.Background(), 10*time.Second)
		err = hs.Shutdown(shutdown)
		cancel()
	}
	if cerr := srv.Close(); cerr != nil {
		return s.errf("emulator: writing the state file: %v", cerr)
	}
	if err != nil && !errors.Is(err, http.ErrServerClosed) {
		return s.errf("emulator: %v", err)
	}
	return exitOK
}

// emulatorOptions checks the flags and turns them into emulator options.
func emulatorOptions(apiKey, state, seed string, latency time.Duration, faultSeed uint64, faults, instances []string) (emulator.Options, error) {
	opts := emulator.Options{APIKey: apiKey, StatePath: state, Latency: latency, FaultSeed: faultSeed, Instances: instances}
	switch {
	case apiKey == "":
		return opts, errors.New("--api-key is required: the administrator's key, API- followed by upper-case letters and digits")
	case !emulator.ValidAPIKey(apiKey):
		return opts, fmt.Errorf("--api-key %q is not an Octopus API key: it must be API- followed by upper-case letters and digits, as in API-EXAMPLE0123", apiKey)
	case latency < 0:
		return opts, fmt.Errorf("--latency %s is negative", latency)
	}
	for _, spec := range faults {
		f, err := emulator.ParseFault(spec)
		if err != nil {
			return opts, fmt.Errorf("--fault: %w", err)
		}
		opts.Faults = append(opts.Faults, f)
	}
	if seed != "" {
		st, err := os.Stat(seed)
		if err != nil {
			return opts, fmt.Errorf("--seed: %w", err)
		}
		if !st.IsDir() {
			return opts, fmt.Errorf("--seed %s is not a directory", seed)
		}
		opts.Seed = os.DirFS(seed)
	}
	return opts, nil
}

var _ flag.Value = (*listFlag)(nil)
