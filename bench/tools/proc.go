package main

import (
	"bytes"
	"errors"
	"flag"
	"fmt"
	"os"
	"strconv"
	"strings"
	"syscall"
)

// A procStat is what compare.sh needs of one process.
type procStat struct {
	pid, ppid      int
	utime, stime   int64 // clock ticks
	cutime, cstime int64 // ticks of reaped children
	rssKB          int64
	start          int64 // start time since boot, in ticks: with pid, names the process
}

// readProc reads /proc/PID/stat and the VmRSS line of /proc/PID/status.
func readProc(pid int) (procStat, error) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return procStat{}, err
	}
	// The command name may hold spaces and parentheses: split after the last ')'.
	i := bytes.LastIndexByte(b, ')')
	if i < 0 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: no ')'", pid)
	}
	f := strings.Fields(string(b[i+1:]))
	// f[0] is field 3 (state); field n is f[n-3].
	if len(f) < 20 {
		return procStat{}, fmt.Errorf("/proc/%d/stat: %d fields", pid, len(f))
	}
	st := procStat{pid: pid}
	st.ppid, _ = strconv.Atoi(f[1])
	st.utime, _ = strconv.ParseInt(f[11], 10, 64)
	st.stime, _ = strconv.ParseInt(f[12], 10, 64)
	st.cutime, _ = strconv.ParseInt(f[13], 10, 64)
	st.cstime, _ = strconv.ParseInt(f[14], 10, 64)
	st.start, _ = strconv.ParseInt(f[19], 10, 64)
	status, err := os.ReadFile(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return procStat{}, err
	}
	for _, line := range strings.Split(string(status), "\n") {
		if rest, ok := strings.CutPrefix(line, "VmRSS:"); ok {
			fs := strings.Fields(rest)
			if len(fs) > 0 {
				st.rssKB, _ = strconv.ParseInt(fs[0], 10, 64)
			}
		}
	}
	return st, nil
}

// processTree returns root and all its living descendants, deepest first
// and root last, so that a caller stopping them in order stops children
// before their parent can respawn them.
func processTree(root int) ([]procStat, error) {
	rootStat, err := readProc(root)
	if err != nil {
		return nil, err
	}
	entries, err := os.ReadDir("/proc")
	if err != nil {
		return nil, err
	}
	children := map[int][]procStat{}
	for _, e := range entries {
		pid, err := strconv.Atoi(e.Name())
		if err != nil || pid == root {
			continue
		}
		st, err := readProc(pid)
		if err != nil {
			continue // exited meanwhile, or a kernel thread without status
		}
		children[st.ppid] = append(children[st.ppid], st)
	}
	var out []procStat
	var walk func(st procStat)
	walk = func(st procStat) {
		for _, c := range children[st.pid] {
			walk(c)
		}
		out = append(out, st)
	}
	walk(rootStat)
	return out, nil
}

// runProc prints the total RSS (KiB), the CPU time (clock ticks: utime and
// stime of every living process of the tree, plus the ticks of children
// the root already reaped) and the number of processes of PID's tree.
func runProc(args []string) error {
	fs := flag.NewFlagSet("proc", flag.ContinueOnError)
	if err := fs.Parse(args); err != nil {
		return err
	}
	if fs.NArg() != 1 {
		return errors.New("usage: proc PID")
	}
	pid, err := strconv.Atoi(fs.Arg(0))
	if err != nil {
		return err
	}
	tree, err := processTree(pid)
	if err != nil {
		return err
	}
	var rss, ticks int64
	for _, st := range tree {
		rss += st.rssKB
		ticks += st.utime + st.stime
	}
	root := tree[len(tree)-1]
	ticks += root.cutime + root.cstime
	fmt.Println(rss, ticks, len(tree))
	return nil
}

// runTree prints PID's tree, deepest first, one "PID:STARTTIME" a line:
// the names runSignal takes, which cannot hit a recycled pid.
func runTree(args []string) error {
	if len(args) != 1 {
		return errors.New("usage: tree PID")
	}
	pid, err := strconv.Atoi(args[0])
	if err != nil {
		return err
	}
	tree, err := processTree(pid)
	if err != nil {
		return err
	}
	for _, st := range tree {
		fmt.Printf("%d:%d\n", st.pid, st.start)
	}
	return nil
}

// runSignal sends SIG (TERM, KILL, USR1, ...) to each "PID:STARTTIME" that
// still names the same process; gone or recycled pids are skipped.
func runSignal(args []string) error {
	if len(args) < 1 {
		return errors.New("usage: signal SIG PID:STARTTIME...")
	}
	sig, ok := signals[args[0]]
	if !ok {
		return fmt.Errorf("unknown signal %q", args[0])
	}
	for _, tok := range args[1:] {
		p, s, ok := strings.Cut(tok, ":")
		pid, err1 := strconv.Atoi(p)
		start, err2 := strconv.ParseInt(s, 10, 64)
		if !ok || err1 != nil || err2 != nil || pid <= 1 {
			return fmt.Errorf("bad process name %q, want PID:STARTTIME", tok)
		}
		if st, err := readProc(pid); err != nil || st.start != start {
			continue
		}
		_ = syscall.Kill(pid, sig)
	}
	return nil
}

var signals = map[string]syscall.Signal{
	"TERM": syscall.SIGTERM, "KILL": syscall.SIGKILL, "INT": syscall.SIGINT, "USR1": syscall.SIGUSR1,
}
