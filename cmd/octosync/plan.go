package main

import "context"

// planCmd is not built yet; its issue replaces this file.
var planCmd = &command{
	name:    "plan",
	summary: "(not built yet)",
	hidden:  true,
	run: func(_ context.Context, s *streams, _ []string) int {
		return s.errf("plan is not built yet")
	},
}
