package main

import (
	"fmt"
	"io"
	"os"

	"eventmpm/child"
	"eventmpm/ipc"
)

// childVerb is the hidden verb the supervisor re-executes the binary with.
const childVerb = "child"

// init names a child after its supervisor (ipc.AdoptName) before main
// runs: package initialisation runs on the main thread, whose name is the
// one ps -C, pgrep -x, top and killall read, and before the runtime has
// started most of the threads that would inherit the old name.
func init() {
	if len(os.Args) > 1 && os.Args[1] == childVerb {
		ipc.AdoptName(os.LookupEnv)
	}
}

// runChild runs this process as a child of the supervisor.
func runChild(stderr io.Writer) int {
	m, err := ipc.ReadManifestFromEnv(os.LookupEnv)
	if err != nil {
		fmt.Fprintln(stderr, "eventmpm child:", err)
		return child.ExitFatal
	}
	return child.Main(m, stderr)
}
