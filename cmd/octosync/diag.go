package main

import (
	"fmt"

	"octosync.dev/octosync/model"
)

// printDiagnostics prints every problem found in the configuration to
// stderr, errors and warnings, one per line, and how many errors there were.
func printDiagnostics(s *streams, ds model.Diagnostics) {
	n := 0
	for _, d := range ds.Sort() {
		fmt.Fprintln(s.err, d.String())
		if d.Severity == model.Error {
			n++
		}
	}
	fmt.Fprintf(s.err, "octosync: the configuration has %d error(s); 'octosync validate' lists them too\n", n)
}

// printWarnings prints the configuration's warnings to stderr.
func printWarnings(s *streams, ds model.Diagnostics) {
	for _, d := range ds.Sort() {
		if d.Severity == model.Warning {
			fmt.Fprintln(s.err, d.String())
		}
	}
}
