// Command octosync keeps Octopus Deploy instances and spaces in line with a
// configuration written in CUE and kept in git. See `octosync help`.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args[1:], os.Stdin, os.Stdout, os.Stderr))
}
