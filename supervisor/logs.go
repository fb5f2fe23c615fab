package supervisor

import (
	"fmt"
	"os"
	"strings"

	"eventmpm/config"
	"eventmpm/internal/errorlog"
)

// logFile is a log file the parent opened for its children: they may run as
// an unprivileged User that could not open it. For a piped log, f is the
// write end of the program's pipe and pipe the program.
type logFile struct {
	target string
	f      *os.File
	pipe   *PipedLog
}

// openLogFiles opens the error log and every CustomLog target for the
// current generation: files are opened again (which is how logs are
// reopened after rotation), piped programs are started unless one with the
// same command line already runs. Called at start and on every restart.
// A target that cannot be opened is an error naming the directive's file
// and line. /dev/stdout and /dev/stderr are the supervisor's own streams,
// duplicated (errorlog.OpenAppend), so a container's or the journal's
// stream works.
func (s *Supervisor) openLogFiles() error {
	var files []logFile
	var fresh []*PipedLog // programs started by this call
	seen := map[string]bool{}
	if s.opts.ErrorLog != nil {
		seen[s.cfg.ErrorLog] = true
		p, _ := s.opts.ErrorLog.(*PipedLog)
		files = append(files, logFile{target: s.cfg.ErrorLog, f: s.opts.ErrorLog.File(), pipe: p})
	}
	for _, cl := range s.customLogs() {
		if cl.Target == "" || seen[cl.Target] {
			continue
		}
		seen[cl.Target] = true
		lf, started, err := s.openLogFile(cl.Target)
		if err != nil {
			s.closeFreshPipedLogs(fresh)
			closeLogs(files, s.opts.ErrorLog)
			return fmt.Errorf("%s:%d: %w", cl.Pos.File, cl.Pos.Line, err)
		}
		if started {
			fresh = append(fresh, lf.pipe)
		}
		files = append(files, lf)
	}
	s.closeLogFiles()
	s.logFiles = files
	s.retirePipedLogs()
	return nil
}

// openLogFile opens one CustomLog target; started reports a piped program
// started for it.
func (s *Supervisor) openLogFile(target string) (lf logFile, started bool, err error) {
	if strings.HasPrefix(target, "|") {
		p, started, err := s.pipedLogFor(target)
		if err != nil {
			return logFile{}, false, err
		}
		return logFile{target: target, f: p.File(), pipe: p}, started, nil
	}
	f, err := errorlog.OpenAppend(target)
	if err != nil {
		return logFile{}, false, fmt.Errorf("AH00649: could not open transfer log file %s: %w", target, err)
	}
	return logFile{target: target, f: f}, false, nil
}

// customLogs lists the CustomLog directives of the main server and of
// every virtual host.
func (s *Supervisor) customLogs() []config.CustomLog {
	out := append([]config.CustomLog(nil), s.cfg.Server.CustomLogs...)
	for _, vh := range s.cfg.VirtualHosts {
		out = append(out, vh.Server.CustomLogs...)
	}
	return out
}

// closeLogFiles closes the parent's copies of the log files (children keep
// their own).
func (s *Supervisor) closeLogFiles() {
	closeLogs(s.logFiles, s.opts.ErrorLog)
	s.logFiles = nil
}

// closeLogs closes files, except the error log (the logger's own) and the
// pipes of piped logs (their PipedLog closes them once no child uses them).
func closeLogs(files []logFile, keep Reopener) {
	for _, lf := range files {
		if lf.pipe != nil || (keep != nil && lf.f == keep.File()) {
			continue
		}
		lf.f.Close()
	}
}
