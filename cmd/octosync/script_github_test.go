package main

import (
	"encoding/json"
	"flag"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"sync"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"

	"octosync.dev/octosync/ghnotify/ghfake"
)

// githubFakeUsage documents the github-fake script command.
const githubFakeUsage = `usage:
  github-fake [-token TOKEN] [-repo OWNER/NAME] [-page-size N]
      start a fake GitHub API on loopback for the rest of the script, and set
      GITHUB_API_URL, GITHUB_REPOSITORY and GITHUB_TOKEN to reach it
  github-fake pr [TITLE]
      open a pull request (numbers count up from 1, shared with issues) and
      make this run look like its pull_request workflow: GITHUB_EVENT_PATH,
      GITHUB_EVENT_NAME=pull_request, GITHUB_REF=refs/pull/N/merge
  github-fake issue [-label NAME]... TITLE [BODY]
      file an issue as a person would
  github-fake comment NUMBER USER BODY
      comment on an issue or pull request as USER
  github-fake fail [-status N] [-message TEXT] [-rate-limit] [-secondary-rate-limit] [-times N] [METHOD [PATH-PREFIX]]
      make the next matching request(s) fail
  github-fake issues
      print one line per issue and pull request: number, kind, state, title,
      labels, comments
  github-fake comments NUMBER
      print the comments on an issue or pull request
  github-fake body NUMBER
      print an issue's body
  github-fake requests
      print "METHOD PATH" for each request since the last github-fake requests
  github-fake dump FILE
      write the fake's issues and comments to FILE as JSON`

func init() {
	scriptCmds["github-fake"] = cmdGitHubFake
}

// githubFakes holds the fake each running script started; scripts run in
// parallel.
var githubFakes = struct {
	sync.Mutex
	m map[*testscript.TestScript]*ghfake.Server
}{m: map[*testscript.TestScript]*ghfake.Server{}}

func cmdGitHubFake(ts *testscript.TestScript, neg bool, args []string) {
	if neg {
		ts.Fatalf("github-fake does not fail; assert on its output instead\n%s", githubFakeUsage)
	}
	if len(args) == 0 || strings.HasPrefix(args[0], "-") {
		startGitHubFake(ts, args)
		return
	}
	githubFakes.Lock()
	fake := githubFakes.m[ts]
	githubFakes.Unlock()
	if fake == nil {
		ts.Fatalf("github-fake %s: start the fake first with github-fake", args[0])
	}
	sub, args := args[0], args[1:]
	out := ts.Stdout()
	switch sub {
	case "pr":
		title := "octosync test"
		if len(args) > 1 {
			ts.Fatalf("%s", githubFakeUsage)
		}
		if len(args) == 1 {
			title = args[0]
		}
		n := fake.AddPullRequest(title)
		event := map[string]any{"action": "opened", "number": n, "pull_request": map[string]any{"number": n, "title": title}}
		data, err := json.Marshal(event)
		ts.Check(err)
		path := filepath.Join(ts.Getenv("WORK"), fmt.Sprintf(".github-event-%d.json", n))
		ts.Check(os.WriteFile(path, data, 0o644))
		ts.Setenv("GITHUB_EVENT_PATH", path)
		ts.Setenv("GITHUB_EVENT_NAME", "pull_request")
		ts.Setenv("GITHUB_REF", fmt.Sprintf("refs/pull/%d/merge", n))
	case "issue":
		var labels stringList
		fs := newScriptFlags()
		fs.Var(&labels, "label", "a label (repeatable)")
		args = parseScriptFlags(ts, fs, args)
		if len(args) < 1 || len(args) > 2 {
			ts.Fatalf("%s", githubFakeUsage)
		}
		body := ""
		if len(args) == 2 {
			body = args[1]
		}
		fake.AddIssue(args[0], body, labels...)
	case "comment":
		if len(args) != 3 {
			ts.Fatalf("%s", githubFakeUsage)
		}
		fake.AddComment(issueNumber(ts, fake, args[0]), args[1], args[2])
	case "fail":
		var f ghfake.Fault
		fs := newScriptFlags()
		fs.IntVar(&f.Status, "status", 0, "HTTP status (default 500)")
		fs.StringVar(&f.Message, "message", "", "GitHub's message")
		fs.BoolVar(&f.RateLimit, "rate-limit", false, "answer as GitHub's primary rate limit")
		fs.BoolVar(&f.SecondaryRateLimit, "secondary-rate-limit", false, "answer as GitHub's secondary rate limit")
		fs.IntVar(&f.Times, "times", 1, "how many requests fail")
		args = parseScriptFlags(ts, fs, args)
		if len(args) > 2 {
			ts.Fatalf("%s", githubFakeUsage)
		}
		if len(args) > 0 {
			f.Method = strings.ToUpper(args[0])
		}
		if len(args) > 1 {
			f.PathPrefix = args[1]
		}
		fake.Fail(f)
	case "issues":
		for _, is := range fake.Issues() {
			kind, state := "issue", is.State
			if is.PullRequest {
				kind = "pull request"
			}
			if is.StateReason != "" {
				state += " (" + is.StateReason + ")"
			}
			fmt.Fprintf(out, "#%d %s %s %q labels=%s comments=%d\n",
				is.Number, kind, state, is.Title, strings.Join(is.Labels, ","), len(is.Comments))
		}
	case "comments":
		if len(args) != 1 {
			ts.Fatalf("%s", githubFakeUsage)
		}
		n := issueNumber(ts, fake, args[0])
		for _, c := range fake.Issues()[n-1].Comments {
			fmt.Fprintf(out, "--- comment %d by %s, edited %d times ---\n%s\n", c.ID, c.User, c.Edits, c.Body)
		}
	case "body":
		if len(args) != 1 {
			ts.Fatalf("%s", githubFakeUsage)
		}
		fmt.Fprintln(out, fake.Issues()[issueNumber(ts, fake, args[0])-1].Body)
	case "requests":
		if len(args) != 0 {
			ts.Fatalf("%s", githubFakeUsage)
		}
		for _, r := range fake.Requests() {
			fmt.Fprintf(out, "%s %s\n", r.Method, r.Path)
		}
		fake.ResetRequests()
	case "dump":
		if len(args) != 1 {
			ts.Fatalf("%s", githubFakeUsage)
		}
		data, err := json.MarshalIndent(fake.State(), "", "  ")
		ts.Check(err)
		ts.Check(os.WriteFile(ts.MkAbs(args[0]), append(data, '\n'), 0o644))
	default:
		ts.Fatalf("github-fake: unknown sub-command %q\n%s", sub, githubFakeUsage)
	}
}

func startGitHubFake(ts *testscript.TestScript, args []string) {
	var opts ghfake.Options
	fs := newScriptFlags()
	fs.StringVar(&opts.Token, "token", "", "the token the fake accepts")
	fs.StringVar(&opts.Repository, "repo", "", "the repository, owner/name")
	fs.IntVar(&opts.PageSize, "page-size", 0, "cap list pages at N items")
	if rest := parseScriptFlags(ts, fs, args); len(rest) > 0 {
		ts.Fatalf("%s", githubFakeUsage)
	}
	githubFakes.Lock()
	defer githubFakes.Unlock()
	if githubFakes.m[ts] != nil {
		ts.Fatalf("github-fake: already started in this script")
	}
	fake := ghfake.New(opts)
	githubFakes.m[ts] = fake
	ts.Defer(func() {
		fake.Close()
		githubFakes.Lock()
		delete(githubFakes.m, ts)
		githubFakes.Unlock()
	})
	for k, v := range fake.Env() {
		ts.Setenv(k, v)
	}
}

func issueNumber(ts *testscript.TestScript, fake *ghfake.Server, s string) int {
	n, err := strconv.Atoi(strings.TrimPrefix(s, "#"))
	if err != nil || n < 1 || n > len(fake.Issues()) {
		ts.Fatalf("github-fake: no issue or pull request %q", s)
	}
	return n
}

func newScriptFlags() *flag.FlagSet {
	fs := flag.NewFlagSet("github-fake", flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	return fs
}

func parseScriptFlags(ts *testscript.TestScript, fs *flag.FlagSet, args []string) []string {
	if err := fs.Parse(args); err != nil {
		ts.Fatalf("github-fake: %v\n%s", err, githubFakeUsage)
	}
	return fs.Args()
}

// stringList is a repeatable string flag.
type stringList []string

func (l *stringList) String() string     { return strings.Join(*l, ",") }
func (l *stringList) Set(v string) error { *l = append(*l, v); return nil }

// TestGitHubFakeCommand runs the github-fake command through a script of
// its own, so the command works before any verb uses it.
func TestGitHubFakeCommand(t *testing.T) {
	dir := t.TempDir()
	script := filepath.Join(dir, "github_fake.txtar")
	if err := os.WriteFile(script, []byte(githubFakeScript), 0o644); err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{Files: []string{script}, Cmds: scriptCmds})
}

const githubFakeScript = `# The github-fake command: start, seed, inspect.
github-fake -repo acme/platform -token ghs_script -page-size 2
github-fake pr 'Add payments'
cmpenv env.txt env.golden
grep '"number":1' $GITHUB_EVENT_PATH

github-fake issue -label octosync-drift -label triaged 'Upgrade Octopus' 'plan it'
github-fake comment 1 reviewer 'looks good'
github-fake issues
cmp stdout issues.golden
github-fake comments 1
stdout '^--- comment 1 by reviewer, edited 0 times ---$'
stdout '^looks good$'
github-fake body 2
stdout '^plan it$'

github-fake requests
! stdout .
github-fake fail -status 503 POST /repos/acme/platform/issues
github-fake dump state.json
grep '"repository": "acme/platform"' state.json
grep '"title": "Upgrade Octopus"' state.json

-- env.txt --
repository=acme/platform
token=ghs_script
event=pull_request
ref=refs/pull/1/merge
-- env.golden --
repository=$GITHUB_REPOSITORY
token=$GITHUB_TOKEN
event=$GITHUB_EVENT_NAME
ref=$GITHUB_REF
-- issues.golden --
#1 pull request open "Add payments" labels= comments=1
#2 issue open "Upgrade Octopus" labels=octosync-drift,triaged comments=0
`
