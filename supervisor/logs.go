package supervisor

import (
	"fmt"
	"os"
	"strings"

	"eventmpm/internal/errorlog"
)

// logFile is a log file the parent opened for its children: they may run as
// an unprivileged User that could not open it.
type logFile struct {
	target string
	f      *os.File
}

// openLogFiles opens the error log and every file CustomLog target for the
// current generation (piped logs are started by each child itself). Called
// at start and on every restart, which is how logs are reopened.
// /dev/stdout and /dev/stderr are the supervisor's own streams, duplicated
// (errorlog.OpenAppend), so a container's or the journal's stream works.
func (s *Supervisor) openLogFiles() error {
	var files []logFile
	seen := map[string]bool{}
	add := func(target string) error {
		if target == "" || seen[target] || strings.HasPrefix(target, "|") || strings.HasPrefix(target, "syslog") {
			return nil
		}
		seen[target] = true
		f, err := errorlog.OpenAppend(target)
		if err != nil {
			return fmt.Errorf("could not open log file %s: %w", target, err)
		}
		files = append(files, logFile{target: target, f: f})
		return nil
	}
	if s.opts.ErrorLog != nil {
		seen[s.cfg.ErrorLog] = true
		files = append(files, logFile{target: s.cfg.ErrorLog, f: s.opts.ErrorLog.File()})
	}
	for _, target := range s.customLogTargets() {
		if err := add(target); err != nil {
			closeLogs(files, s.opts.ErrorLog)
			return err
		}
	}
	s.closeLogFiles()
	s.logFiles = files
	return nil
}

// customLogTargets lists the CustomLog targets of the main server and of
// every virtual host.
func (s *Supervisor) customLogTargets() []string {
	var out []string
	for _, cl := range s.cfg.Server.CustomLogs {
		out = append(out, cl.Target)
	}
	for _, vh := range s.cfg.VirtualHosts {
		for _, cl := range vh.Server.CustomLogs {
			out = append(out, cl.Target)
		}
	}
	return out
}

// closeLogFiles closes the parent's copies of the log files (children keep
// their own).
func (s *Supervisor) closeLogFiles() {
	closeLogs(s.logFiles, s.opts.ErrorLog)
	s.logFiles = nil
}

func closeLogs(files []logFile, keep Reopener) {
	for _, lf := range files {
		if keep != nil && lf.f == keep.File() {
			continue // the error log is the logger's own
		}
		lf.f.Close()
	}
}
