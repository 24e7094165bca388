package main

import "context"

// validateCmd is not built yet; its issue replaces this file.
var validateCmd = &command{
	name:    "validate",
	summary: "(not built yet)",
	hidden:  true,
	run: func(_ context.Context, s *streams, _ []string) int {
		return s.errf("validate is not built yet")
	},
}
