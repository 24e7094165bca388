package main

import "context"

// applyCmd is not built yet; its issue replaces this file.
var applyCmd = &command{
	name:    "apply",
	summary: "(not built yet)",
	hidden:  true,
	run: func(_ context.Context, s *streams, _ []string) int {
		return s.errf("apply is not built yet")
	},
}
