package main

import "context"

// schemaCmd is not built yet; its issue replaces this file.
var schemaCmd = &command{
	name:    "schema",
	summary: "(not built yet)",
	hidden:  true,
	run: func(_ context.Context, s *streams, _ []string) int {
		return s.errf("schema is not built yet")
	},
}
