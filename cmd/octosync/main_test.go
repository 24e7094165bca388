package main

import (
	"os"
	"path/filepath"
	"testing"

	"github.com/rogpeppe/go-internal/testscript"
)

// scriptCmds are the custom commands testscript scripts may use. Each is
// registered by the _test.go file that defines it (script_*_test.go), so
// that the fakes a script needs (an Octopus emulator, a GitHub API) are
// started in-process, on loopback, and stopped when the script ends.
var scriptCmds = map[string]func(ts *testscript.TestScript, neg bool, args []string){}

func TestMain(m *testing.M) {
	testscript.Main(m, map[string]func(){
		"octosync": main,
	})
}

// TestScript runs testdata/script/*.txtar. Set OCTOSYNC_UPDATE=1 to rewrite
// the golden sections of the scripts from what the commands now print.
func TestScript(t *testing.T) {
	examples, err := filepath.Abs("../../examples")
	if err != nil {
		t.Fatal(err)
	}
	testscript.Run(t, testscript.Params{
		// $EXAMPLES is the repository's examples directory, so scripts test
		// the examples users copy.
		Setup: func(e *testscript.Env) error {
			e.Setenv("EXAMPLES", examples)
			return nil
		},
		Dir:                 "../../testdata/script",
		Cmds:                scriptCmds,
		RequireExplicitExec: true,
		RequireUniqueNames:  true,
		UpdateScripts:       os.Getenv("OCTOSYNC_UPDATE") != "",
	})
}
