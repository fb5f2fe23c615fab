//go:build linux

package supervisor

import (
	"bytes"
	"os"
	"path/filepath"
	"strconv"

	"golang.org/x/sys/unix"
)

// becomeReaper makes the supervisor a child subreaper (prctl
// PR_SET_CHILD_SUBREAPER): a process orphaned below it, such as a child a
// piped logger left behind, is re-parented to it instead of to PID 1, and
// reapOrphans waits for it. As PID 1 in a container it is every orphan's
// parent anyway; without a reaper those would stay zombies for good.
func (s *Supervisor) becomeReaper() {
	if err := unix.Prctl(unix.PR_SET_CHILD_SUBREAPER, 1, 0, 0, 0); err != nil && os.Getpid() != 1 {
		s.log.Debug("cannot become a child subreaper", "module", "mpm_event", "err", err)
	}
}

// reapOrphans waits for the zombies among the supervisor's children that
// it did not start itself (see becomeReaper): the ones it started are
// waited for by their own goroutines (exec.Cmd.Wait), and are left alone.
// Called from the once-a-second maintenance.
func (s *Supervisor) reapOrphans() {
	for _, pid := range zombieChildren() {
		if s.started(pid) {
			continue
		}
		var ws unix.WaitStatus
		if got, err := unix.Wait4(pid, &ws, unix.WNOHANG, nil); err == nil && got == pid {
			s.log.Debug("reaped an orphaned process", "module", "mpm_event", "pid", pid, "status", ws.ExitStatus())
		}
	}
}

// zombieChildren lists this process's children that have exited and not
// been waited for, from each thread's /proc children list (orphans are
// re-parented to one of the threads).
func zombieChildren() []int {
	tasks, _ := filepath.Glob("/proc/self/task/*/children")
	var out []int
	for _, t := range tasks {
		b, err := os.ReadFile(t)
		if err != nil {
			continue
		}
		for _, f := range bytes.Fields(b) {
			pid, err := strconv.Atoi(string(f))
			if err == nil && isZombie(pid) {
				out = append(out, pid)
			}
		}
	}
	return out
}

// isZombie reports whether pid's state in /proc/PID/stat is Z.
func isZombie(pid int) bool {
	b, err := os.ReadFile("/proc/" + strconv.Itoa(pid) + "/stat")
	if err != nil {
		return false
	}
	i := bytes.LastIndexByte(b, ')')
	return i >= 0 && i+2 < len(b) && b[i+2] == 'Z'
}
