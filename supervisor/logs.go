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
// own marks the supervisor's own error log, whose descriptor changes when
// it is reopened: f is unset, and each child gets the current one.
type logFile struct {
	target string
	f      *os.File
	pipe   *PipedLog
	own    bool
}

// openLogFiles opens the logs of the current configuration and gives them
// to the children started from now on (see openLogs).
func (s *Supervisor) openLogFiles() error {
	set, err := s.openLogs(s.cfg, s.opts.ErrorLog)
	if err != nil {
		return err
	}
	s.useLogs(set)
	return nil
}

// logSet is the log files opened for a generation; fresh are the piped
// programs started for it.
type logSet struct {
	files []logFile
	fresh []*PipedLog
}

// openLogs opens every log the children of cfg write to: the main server's
// ErrorLog (the supervisor's own, errLog, already open), the ErrorLog of
// each virtual host, and every CustomLog target. Files are opened again
// (which is how logs are reopened after rotation), piped programs are
// started unless one with the same command line already runs. Called at
// start and on every restart, before anything else changes: a target that
// cannot be opened is an error naming the directive's file and line, and
// leaves nothing open. /dev/stdout and /dev/stderr are the supervisor's
// own streams, duplicated (errorlog.OpenAppend), so a container's or the
// journal's stream works.
func (s *Supervisor) openLogs(cfg *config.Config, errLog ErrorLogFile) (logSet, error) {
	var set logSet
	seen := map[string]bool{}
	if errLog != nil {
		seen[cfg.ErrorLog] = true
		p, _ := errLog.(*PipedLog)
		set.files = append(set.files, logFile{target: cfg.ErrorLog, pipe: p, own: true})
	}
	for _, t := range logTargets(cfg) {
		if t.target == "" || seen[t.target] {
			continue
		}
		seen[t.target] = true
		lf, started, err := s.openLogFile(t.target, t.errorLog)
		if err != nil {
			s.discardLogs(set)
			return logSet{}, fmt.Errorf("%s:%d: %w", t.pos.File, t.pos.Line, err)
		}
		if started {
			set.fresh = append(set.fresh, lf.pipe)
		}
		set.files = append(set.files, lf)
	}
	return set, nil
}

// useLogs makes set the logs of the children started from now on and
// retires the piped programs no generation uses any more.
func (s *Supervisor) useLogs(set logSet) {
	s.closeLogFiles()
	s.logFiles = set.files
	s.retirePipedLogs()
}

// discardLogs closes a set of logs that will not be used.
func (s *Supervisor) discardLogs(set logSet) {
	s.closeFreshPipedLogs(set.fresh)
	closeLogs(set.files)
}

// openLogFile opens one log target for the children: a CustomLog's, or
// (errorLog) a virtual host's own ErrorLog; started reports a piped
// program started for it.
func (s *Supervisor) openLogFile(target string, errorLog bool) (lf logFile, started bool, err error) {
	if strings.HasPrefix(target, "|") {
		p, started, err := s.pipedLogFor(target)
		if err != nil {
			return logFile{}, false, err
		}
		return logFile{target: target, f: p.File(), pipe: p}, started, nil
	}
	f, err := errorlog.OpenAppend(target)
	if err != nil {
		if errorLog {
			return logFile{}, false, fmt.Errorf("AH00091: could not open error log file %s: %w", target, err)
		}
		return logFile{}, false, fmt.Errorf("AH00649: could not open transfer log file %s: %w", target, err)
	}
	return logFile{target: target, f: f}, false, nil
}

// logTarget is one log a generation's children write to, besides the
// main server's ErrorLog (the supervisor's own).
type logTarget struct {
	target   string
	errorLog bool // a virtual host's ErrorLog, not a CustomLog
	pos      config.Pos
}

// logTargets lists the CustomLog directives of the main server, then the
// ErrorLog and CustomLog directives of every virtual host.
func logTargets(cfg *config.Config) []logTarget {
	var out []logTarget
	for _, cl := range cfg.Server.CustomLogs {
		out = append(out, logTarget{target: cl.Target, pos: cl.Pos})
	}
	for _, vh := range cfg.VirtualHosts {
		pos := vh.Server.ErrorLogPos
		if pos.File == "" {
			pos = vh.Pos
		}
		out = append(out, logTarget{target: vh.Server.ErrorLog, errorLog: true, pos: pos})
		for _, cl := range vh.Server.CustomLogs {
			out = append(out, logTarget{target: cl.Target, pos: cl.Pos})
		}
	}
	return out
}

// closeLogFiles closes the parent's copies of the log files (children keep
// their own).
func (s *Supervisor) closeLogFiles() {
	closeLogs(s.logFiles)
	s.logFiles = nil
}

// closeLogs closes files, except the error log (the logger's own) and the
// pipes of piped logs (their PipedLog closes them once no child uses them).
func closeLogs(files []logFile) {
	for _, lf := range files {
		if lf.pipe == nil && !lf.own {
			lf.f.Close()
		}
	}
}

// logDescriptor is the descriptor a child started now gets for lf.
func (s *Supervisor) logDescriptor(lf logFile) *os.File {
	if lf.own {
		return s.opts.ErrorLog.File()
	}
	return lf.f
}
