package main

import "context"

// emulatorCmd is not built yet; its issue replaces this file.
var emulatorCmd = &command{
	name:    "emulator",
	summary: "(not built yet)",
	hidden:  true,
	run: func(_ context.Context, s *streams, _ []string) int {
		return s.errf("emulator is not built yet")
	},
}
