package main

import "context"

// exportCmd is not built yet; its issue replaces this file.
var exportCmd = &command{
	name:    "export",
	summary: "(not built yet)",
	hidden:  true,
	run: func(_ context.Context, s *streams, _ []string) int {
		return s.errf("export is not built yet")
	},
}
