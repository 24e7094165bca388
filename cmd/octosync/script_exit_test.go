package main

import (
	"errors"
	"os/exec"
	"strconv"
	"strings"

	"github.com/rogpeppe/go-internal/testscript"
)

func init() {
	scriptCmds["exits"] = cmdExits
}

// cmdExits is the script command `exits N PROG [ARGS...]`: it runs PROG like
// exec and fails unless its exit status is exactly N, so scripts can tell
// "changes" (2) from "error" (1). Its output is kept for stdout and stderr.
func cmdExits(ts *testscript.TestScript, neg bool, args []string) {
	if neg || len(args) < 2 {
		ts.Fatalf("usage: exits N PROG [ARGS...]")
	}
	want, err := strconv.Atoi(args[0])
	if err != nil {
		ts.Fatalf("usage: exits N PROG [ARGS...]: %v", err)
	}
	got := 0
	if err := ts.Exec(args[1], args[2:]...); err != nil {
		var ee *exec.ExitError
		if !errors.As(err, &ee) {
			ts.Fatalf("%s: %v", args[1], err)
		}
		got = ee.ExitCode()
	}
	if got != want {
		ts.Logf("[stdout]\n%s", ts.ReadFile("stdout"))
		ts.Logf("[stderr]\n%s", ts.ReadFile("stderr"))
		ts.Fatalf("%s exited with status %d, want %d", args[1], got, want)
	}
	checkNoSecrets(ts)
}

// secretVars are the environment variables scripts keep secrets in: API
// keys, passwords, tokens. Every command run with exits is checked: none
// of their values may appear in its output, whatever the script asserts.
var secretVars = []string{
	"OCTOPUS_API_KEY", "OCTOPUS_HUB_API_KEY", "PROD_API_KEY", "GITHUB_TOKEN", "OCTOSYNC_FINGERPRINT_KEY",
	"FEED_PASSWORD", "DB_PASSWORD", "ARTIFACTORY_TOKEN", "SLACK_WEBHOOK_URL", "SMTP_PASSWORD", "OKTA_CLIENT_SECRET",
}

func checkNoSecrets(ts *testscript.TestScript) {
	out := ts.ReadFile("stdout") + ts.ReadFile("stderr")
	for _, name := range secretVars {
		if v := ts.Getenv(name); len(v) >= 6 && strings.Contains(out, v) {
			ts.Fatalf("the value of %s appears in the output", name)
		}
	}
}
