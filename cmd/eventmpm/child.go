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

// runChild runs this process as a child of the supervisor.
func runChild(stderr io.Writer) int {
	m, err := ipc.ReadManifestFromEnv(os.LookupEnv)
	if err != nil {
		fmt.Fprintln(stderr, "eventmpm child:", err)
		return child.ExitFatal
	}
	return child.Main(m, stderr)
}
