// Command benchtool holds the small helpers of bench/compare.sh and
// bench/micro.sh that are awkward in bash. It uses the standard library only
// and lives in its own module, outside eventmpm's.
//
//	benchtool freeport                  print a free TCP port on 127.0.0.1
//	benchtool get URL [LEN] [WAIT]      GET URL until 200 (and LEN body bytes) or WAIT passes
//	benchtool proc PID                  "RSS_KB CPU_TICKS NPROCS" of PID and all its descendants
//	benchtool tree PID                  PID's descendants (deepest first), then PID, as PID:STARTTIME
//	benchtool signal SIG PID:START...   signal those processes, skipping gone or recycled pids
//	benchtool wrkparse FILE             "RPS P50_MS P99_MS REQUESTS ERRORS NON2XX" from wrk --latency output
//	benchtool idle [flags]              open, hold and count idle keep-alive connections
//	benchtool report RESULTS.tsv        Markdown tables of a compare.sh run
//	benchtool micro BENCH.txt           Markdown table of `go test -bench -benchmem` output
//	benchtool splice FILE NAME          replace FILE's generated section NAME with stdin
package main

import (
	"fmt"
	"os"
)

var commands = map[string]func(args []string) error{
	"freeport": runFreeport,
	"get":      runGet,
	"proc":     runProc,
	"tree":     runTree,
	"signal":   runSignal,
	"wrkparse": runWrkParse,
	"idle":     runIdle,
	"report":   runReport,
	"micro":    runMicro,
	"splice":   runSplice,
}

func main() {
	if len(os.Args) < 2 || commands[os.Args[1]] == nil {
		fmt.Fprintln(os.Stderr, "usage: benchtool freeport|get|proc|tree|signal|wrkparse|idle|report|micro|splice ...")
		os.Exit(2)
	}
	if err := commands[os.Args[1]](os.Args[2:]); err != nil {
		fmt.Fprintf(os.Stderr, "benchtool %s: %v\n", os.Args[1], err)
		os.Exit(1)
	}
}
