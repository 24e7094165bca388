package main

import "context"

// compareCmd is not built yet; its issue replaces this file.
var compareCmd = &command{
	name:    "compare",
	summary: "(not built yet)",
	hidden:  true,
	run: func(_ context.Context, s *streams, _ []string) int {
		return s.errf("compare is not built yet")
	},
}
