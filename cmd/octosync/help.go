package main

import (
	"context"
	"fmt"
	"io"
	"strings"
	"text/tabwriter"
)

var helpCmd = &command{
	name:    "help",
	summary: "show help for octosync or one of its commands",
	usage:   "[COMMAND]",
	doc:     "Help prints the list of commands, or the full help of one command.",
}

// runHelp lists every command, including help itself, so it is wired here
// rather than in helpCmd's initialiser, which would be a cycle.
func init() { helpCmd.run = runHelp }

const overview = `octosync keeps Octopus Deploy instances and spaces in line with a
configuration written in CUE and kept in git.

Usage:
  octosync <command> [arguments]

Commands:
`

const exitCodes = `Exit codes (every command):
  0  success, and nothing to do (no changes, no drift, valid configuration)
  1  an error: invalid configuration, an unreachable instance, a failed apply
  2  success with changes (plan, compare) or drift found (drift)
`

func printUsage(w io.Writer) {
	fmt.Fprint(w, overview)
	tw := tabwriter.NewWriter(w, 0, 4, 2, ' ', 0)
	for _, c := range commands() {
		if !c.hidden {
			fmt.Fprintf(tw, "  %s\t%s\n", c.name, c.summary)
		}
	}
	tw.Flush()
	fmt.Fprint(w, "\n"+exitCodes)
	fmt.Fprint(w, "\nRun 'octosync help <command>' for more about a command.\n")
}

func helpText(c *command) string {
	var b strings.Builder
	fmt.Fprintf(&b, "Usage: octosync %s %s\n\n", c.name, c.usage)
	b.WriteString(strings.TrimSpace(c.doc))
	b.WriteString("\n\n")
	b.WriteString(exitCodes)
	return b.String()
}

func runHelp(_ context.Context, s *streams, args []string) int {
	if len(args) == 0 {
		printUsage(s.out)
		return exitOK
	}
	c := lookup(args[0])
	if c == nil {
		return s.errf("unknown command %q; run 'octosync help' for the list", args[0])
	}
	fmt.Fprint(s.out, helpText(c))
	return exitOK
}
