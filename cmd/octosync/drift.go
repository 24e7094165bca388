package main

import "context"

// driftCmd is not built yet; its issue replaces this file.
var driftCmd = &command{
	name:    "drift",
	summary: "(not built yet)",
	hidden:  true,
	run: func(_ context.Context, s *streams, _ []string) int {
		return s.errf("drift is not built yet")
	},
}
