// Command eventmpm is Apache httpd's event MPM rebuilt in Go: a supervisor
// that runs children, each with one event loop and a pool of workers.
//
//	eventmpm [-f FILE] [-d DIR] [-D NAME]... [-C DIRECTIVE] [-c DIRECTIVE] VERB
//
// where VERB is start, stop, restart, graceful, graceful-stop, configtest,
// status or version. Apache habits work too: -k VERB, -t, -S, -v, -V, -X.
//
// This package is the only place that reads os.Args or calls os.Exit.
package main

import (
	"os"
)

func main() {
	os.Exit(run(os.Args, os.Stdout, os.Stderr))
}
