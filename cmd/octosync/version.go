package main

import (
	"context"
	"fmt"
	"runtime"
	"runtime/debug"
)

// version is set at link time (-ldflags "-X main.version=…"); otherwise the
// module version from the build information is used.
var version = ""

var versionCmd = &command{
	name:    "version",
	summary: "print octosync's version",
	usage:   "",
	doc:     "Version prints octosync's version, the Go version it was built with, and its platform.",
	run: func(_ context.Context, s *streams, args []string) int {
		v := version
		if v == "" {
			v = "(devel)"
			if bi, ok := debug.ReadBuildInfo(); ok && bi.Main.Version != "" {
				v = bi.Main.Version
			}
		}
		fmt.Fprintf(s.out, "octosync %s %s %s/%s\n", v, runtime.Version(), runtime.GOOS, runtime.GOARCH)
		return exitOK
	},
}
