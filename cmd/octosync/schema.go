package main

import (
	"context"
	"errors"
	"fmt"
	"os"
	"sort"

	"octosync.dev/octosync/schema"
)

var schemaCmd = &command{
	name:    "schema",
	summary: "write octosync's CUE schema into a configuration, for cue and editors",
	usage:   "vendor [DIR]",
	doc: `The schema a configuration imports ("octosync.dev/octopus") is built into
octosync: validate, plan and apply need nothing on disk and no registry.

Schema vendor writes the same schema into DIR/cue.mod/pkg/octosync.dev/octopus
(and DIR/cue.mod/module.cue when DIR has none), so that plain cue (cue vet,
cue export, cue fmt) and editors with a CUE language server see exactly the
definitions octosync checks against. Run it again after upgrading octosync;
files an older schema had and this one does not are removed. Whatever
vendored copy a configuration holds, octosync always uses its own.

Examples:
  octosync schema vendor            # into the current directory
  octosync schema vendor ./octopus && cue vet -c ./octopus

Exit status: 0 written, 1 an error.`,
}

func init() { schemaCmd.run = runSchema }

func runSchema(_ context.Context, s *streams, args []string) int {
	fs := newFlags(schemaCmd, s)
	pos, err := parseFlags(fs, s, args)
	if err != nil {
		return flagExit(err)
	}
	if len(pos) == 0 || pos[0] != "vendor" || len(pos) > 2 {
		fmt.Fprintf(s.err, "octosync schema: usage: octosync schema vendor [DIR]\nRun 'octosync help schema' for usage.\n")
		return exitError
	}
	dir := "."
	if len(pos) == 2 {
		dir = pos[1]
	}
	if fi, err := os.Stat(dir); errors.Is(err, os.ErrNotExist) {
		// A new configuration starts here.
		if err := os.MkdirAll(dir, 0o755); err != nil {
			return s.errf("schema vendor: %v", err)
		}
	} else if err != nil {
		return s.errf("schema vendor: %v", err)
	} else if !fi.IsDir() {
		return s.errf("schema vendor: %s is not a directory", dir)
	}
	written, err := schema.Vendor(dir)
	if err != nil {
		return s.errf("schema vendor: %v", err)
	}
	sort.Strings(written)
	for _, w := range written {
		fmt.Fprintln(s.out, w)
	}
	return exitOK
}
