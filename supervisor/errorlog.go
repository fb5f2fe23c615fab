package supervisor

import (
	"fmt"
	"io"
	"os"
	"strings"

	"eventmpm/config"
	"eventmpm/internal/errorlog"
)

// This file is the supervisor's own error log (the main server's ErrorLog
// and LogLevel): opening it, and switching to another one when a restart
// changes them, as Apache opens its error log anew on every restart.

// ErrorLogFile is the supervisor's error log: a file, a piped logger
// program or the relay to the system logger.
type ErrorLogFile interface {
	Reopener
	io.Writer
	Close() error
}

// OpenErrorLog opens an ErrorLog target: "syslog[:facility]" through the
// logger's socket (syslogSocket, "" for the system's), "|command" (a piped
// program whose own standard error is stderr), or a file, appended to.
func OpenErrorLog(target, syslogSocket string, stderr *os.File) (ErrorLogFile, error) {
	if facility, ok := config.SyslogFacility(target); ok {
		sl, err := errorlog.OpenSyslog(facility, "eventmpm", syslogSocket)
		if err != nil {
			return nil, fmt.Errorf("AH00015: Unable to open logs: ErrorLog %s: %w", target, err)
		}
		return sl, nil
	}
	if strings.HasPrefix(target, "|") {
		p, err := StartPipedLog(target, stderr)
		if err != nil {
			return nil, fmt.Errorf("AH00015: Unable to open logs: ErrorLog: %w", err)
		}
		return p, nil
	}
	f, err := errorlog.OpenFile(target)
	if err != nil {
		return nil, fmt.Errorf("AH00015: Unable to open logs: %w", err)
	}
	return f, nil
}

// nextErrorLog is the error log a restart to cfg switches to: nil when
// cfg's ErrorLog is the running one. A piped program already running for
// a CustomLog with the same command line is shared. started reports a
// program started for it, closed again if the restart is aborted.
func (s *Supervisor) nextErrorLog(cfg *config.Config) (next ErrorLogFile, started bool, err error) {
	if s.opts.ErrorLog == nil || cfg.ErrorLog == s.cfg.ErrorLog {
		return nil, false, nil
	}
	if strings.HasPrefix(cfg.ErrorLog, "|") {
		p, started, err := s.pipedLogFor(cfg.ErrorLog)
		if err != nil {
			return nil, false, fmt.Errorf("%s:%d: ErrorLog: %w", cfg.Server.ErrorLogPos.File, cfg.Server.ErrorLogPos.Line, err)
		}
		return p, started, nil
	}
	next, err = OpenErrorLog(cfg.ErrorLog, s.opts.SyslogSocket, s.opts.ChildStderr)
	if err != nil {
		return nil, false, fmt.Errorf("%s:%d: %w", cfg.Server.ErrorLogPos.File, cfg.Server.ErrorLogPos.Line, err)
	}
	return next, true, nil
}

// dropErrorLog closes an error log a restart opened and did not use.
func (s *Supervisor) dropErrorLog(next ErrorLogFile, started bool) {
	if next == nil || !started {
		return
	}
	if p, ok := next.(*PipedLog); ok {
		delete(s.pipedLogs, p.target)
		s.closePipedLog(p)
		return
	}
	s.closeErrorLog(next)
}

// switchErrorLog makes next (when set) the supervisor's error log and the
// one the new generation's children inherit, and applies cfg's LogLevel,
// ErrorLogFormat and ServerName to the supervisor's logger. The previous error log is closed: a file or the
// syslog relay at once (children of the old generation write to their own
// descriptors), a piped program once no child holds its pipe
// (retirePipedLogs).
func (s *Supervisor) switchErrorLog(cfg *config.Config, next ErrorLogFile) {
	h, ok := s.log.Handler().(*errorlog.Handler)
	if next == nil {
		if ok && s.opts.ErrorLog != nil && (cfg.LogLevel != s.cfg.LogLevel || cfg.Server.ServerName != s.cfg.Server.ServerName ||
			!cfg.Server.ErrorLogFormat.Equal(s.cfg.Server.ErrorLogFormat)) {
			h.Redirect(s.opts.ErrorLog, errorlog.OptionsFor(cfg.LogLevel, cfg.Server.ErrorLogFormat, cfg.Server.ServerName))
		}
		return
	}
	old := s.opts.ErrorLog
	notice(s.log, fmt.Sprintf("ErrorLog changed: the error log is now %s", cfg.ErrorLog), "module", "core")
	s.opts.ErrorLog = next
	if ok {
		h.Redirect(next, errorlog.OptionsFor(cfg.LogLevel, cfg.Server.ErrorLogFormat, cfg.Server.ServerName))
	}
	if p, ok := next.(*PipedLog); ok {
		p.setLogger(s.log)
	}
	if _, piped := old.(*PipedLog); !piped {
		s.closeErrorLog(old)
	}
	s.errorLogOwned = true
}

// closeErrorLog closes a file or syslog error log without blocking the
// loop (the relay's Close waits for its pipe to drain).
func (s *Supervisor) closeErrorLog(l ErrorLogFile) {
	s.pipesClosing.Add(1)
	go func() {
		defer s.pipesClosing.Done()
		l.Close()
	}()
}
