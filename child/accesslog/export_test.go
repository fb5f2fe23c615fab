package accesslog

import "time"

// SetClock replaces the clock the Log's failure reports are rated by.
func SetClock(l *Log, now func() time.Time) { l.report.now = now }

// SetPath makes the next Reopen of l open path instead of its own name.
func SetPath(l *Log, path string) {
	l.open = func() (*target, error) { return openFile(path) }
}

// PipePID returns the pid of l's current piped logger, or 0.
func PipePID(l *Log) int {
	if t := l.cur.Load(); t != nil && t.proc != nil {
		return t.proc.cmd.Process.Pid
	}
	return 0
}

// SetPipeBackoff shortens the restart backoff for tests.
func SetPipeBackoff(d time.Duration) (restore func()) {
	old := pipeMinBackoff
	pipeMinBackoff = d
	return func() { pipeMinBackoff = old }
}

// CutLines exposes cutLines.
func CutLines(p []byte, max int) int { return cutLines(p, max) }
