package main

import (
	"context"
	"errors"
	"flag"
	"fmt"
	"io"
	"os"
	"os/signal"
	"strings"
	"syscall"
)

// Exit codes, the same for every verb.
const (
	exitOK      = 0 // success, nothing to do
	exitError   = 1 // an error, including invalid configuration
	exitChanges = 2 // success with changes (plan) or drift (drift)
)

// command is one verb of the command line.
type command struct {
	name    string
	summary string
	usage   string // one line: the arguments after the verb
	doc     string // long help, printed by `octosync help VERB`
	hidden  bool
	run     func(ctx context.Context, io *streams, args []string) int
}

// streams are a command's standard streams and environment.
type streams struct {
	in       io.Reader
	out, err io.Writer
	getenv   func(string) string
}

// errf prints a one-line error to stderr and returns exitError.
func (s *streams) errf(format string, args ...any) int {
	fmt.Fprintf(s.err, "octosync: "+format+"\n", args...)
	return exitError
}

// commands lists the verbs in the order help shows them.
func commands() []*command {
	return []*command{
		validateCmd,
		planCmd,
		applyCmd,
		driftCmd,
		exportCmd,
		compareCmd,
		schemaCmd,
		emulatorCmd,
		versionCmd,
		helpCmd,
	}
}

func lookup(name string) *command {
	for _, c := range commands() {
		if c.name == name {
			return c
		}
	}
	return nil
}

func run(args []string, stdin io.Reader, stdout, stderr io.Writer) int {
	ctx, stop := signal.NotifyContext(context.Background(), os.Interrupt, syscall.SIGTERM)
	defer stop()
	s := &streams{in: stdin, out: stdout, err: stderr, getenv: os.Getenv}
	if len(args) == 0 {
		printUsage(stderr)
		return exitError
	}
	name := args[0]
	switch name {
	case "-h", "-help", "--help":
		name = "help"
	case "-version", "--version":
		name = "version"
	}
	c := lookup(name)
	if c == nil {
		fmt.Fprintf(stderr, "octosync: unknown command %q\nRun 'octosync help' for the list of commands.\n", name)
		return exitError
	}
	return c.run(ctx, s, args[1:])
}

// newFlags returns a flag set for a verb whose usage errors name the verb
// and point at its help.
func newFlags(c *command, s *streams) *flag.FlagSet {
	fs := flag.NewFlagSet(c.name, flag.ContinueOnError)
	fs.SetOutput(io.Discard)
	fs.Usage = func() {}
	return fs
}

// parseFlags parses args with fs, allowing flags before and after the
// positional arguments (`plan DIR --output json` as well as
// `plan --output json DIR`), and returns the positional arguments. A usage
// error is printed and reported as a non-nil error.
func parseFlags(fs *flag.FlagSet, s *streams, args []string) ([]string, error) {
	var pos []string
	for {
		if err := fs.Parse(args); err != nil {
			if errors.Is(err, flag.ErrHelp) {
				fmt.Fprint(s.out, helpText(lookup(fs.Name())))
				return nil, errHelpShown
			}
			fmt.Fprintf(s.err, "octosync %s: %v\nRun 'octosync help %s' for usage.\n", fs.Name(), err, fs.Name())
			return nil, err
		}
		args = fs.Args()
		if len(args) == 0 {
			return pos, nil
		}
		if args[0] == "--" {
			return append(pos, args[1:]...), nil
		}
		pos = append(pos, args[0])
		args = args[1:]
	}
}

// errHelpShown reports that -h was given and help was printed.
var errHelpShown = errors.New("help shown")

// flagExit turns the error of parseFlags into an exit code.
func flagExit(err error) int {
	if errors.Is(err, errHelpShown) {
		return exitOK
	}
	return exitError
}

// oneOf checks an enumerated flag value.
func oneOf(s *streams, verb, flagName, value string, allowed ...string) bool {
	for _, a := range allowed {
		if value == a {
			return true
		}
	}
	fmt.Fprintf(s.err, "octosync %s: --%s must be one of %s, not %q\n", verb, flagName, strings.Join(allowed, ", "), value)
	return false
}
