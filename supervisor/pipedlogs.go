package supervisor

import "fmt"

// This file is the supervisor's side of piped logs: which programs the
// current generation uses, and when a program no generation uses any more
// is closed (see pipedlog.go for the decisions).

// pipedLogFor returns the program for target: the running one when a
// generation already uses the same command line (it is kept across
// graceful restarts), else a new one; started reports a new one.
func (s *Supervisor) pipedLogFor(target string) (p *PipedLog, started bool, err error) {
	if p := s.pipedLogs[target]; p != nil {
		return p, false, nil
	}
	p, err = StartPipedLog(target, s.opts.ChildStderr)
	if err != nil {
		return nil, false, err
	}
	p.setLogger(s.log)
	s.pipedLogs[target] = p
	s.log.Info(fmt.Sprintf("piped log program '%s' started, pid %d", p.commandLine(), p.Pid()), "module", "core")
	return p, true, nil
}

// adoptErrorPipe registers a piped ErrorLog started by the command (the
// supervisor's own error log) so that a CustomLog with the same command
// shares it; it is never retired, and the command closes it.
func (s *Supervisor) adoptErrorPipe() {
	if p, ok := s.opts.ErrorLog.(*PipedLog); ok {
		p.setLogger(s.log)
		s.pipedLogs[p.target] = p
	}
}

// closeFreshPipedLogs closes programs started for a set of log files that
// could not be opened as a whole.
func (s *Supervisor) closeFreshPipedLogs(fresh []*PipedLog) {
	for _, p := range fresh {
		delete(s.pipedLogs, p.target)
		s.closePipedLog(p)
	}
}

// retirePipedLogs retires the programs the current log files no longer
// use (a graceful restart changed or dropped their command line): each is
// closed once no child holds its pipe.
func (s *Supervisor) retirePipedLogs() {
	inUse := map[*PipedLog]bool{}
	for _, lf := range s.logFiles {
		if lf.pipe != nil {
			inUse[lf.pipe] = true
		}
	}
	for target, p := range s.pipedLogs {
		if !inUse[p] && Reopener(p) != s.opts.ErrorLog {
			delete(s.pipedLogs, target)
			s.retiredLogs = append(s.retiredLogs, p)
		}
	}
	s.closeRetiredPipedLogs()
}

// closeRetiredPipedLogs closes the retired programs whose pipe no child
// holds any more: the old generation has exited, so every line it wrote is
// in the pipe, and the program reads it before it sees end of file.
func (s *Supervisor) closeRetiredPipedLogs() {
	kept := s.retiredLogs[:0]
	for _, p := range s.retiredLogs {
		if s.pipeHeld(p) {
			kept = append(kept, p)
			continue
		}
		notice(s.log, fmt.Sprintf("piped log program '%s' (pid %d) is no longer used: closing its pipe", p.commandLine(), p.Pid()),
			"module", "core")
		s.closePipedLog(p)
	}
	s.retiredLogs = kept
}

// pipeHeld reports whether a child still holds p's pipe.
func (s *Supervisor) pipeHeld(p *PipedLog) bool {
	for _, c := range s.byPID {
		for _, q := range c.pipes {
			if q == p {
				return true
			}
		}
	}
	return false
}

// currentPipes lists the programs whose pipes a child started now
// inherits.
func (s *Supervisor) currentPipes() []*PipedLog {
	var out []*PipedLog
	for _, lf := range s.logFiles {
		if lf.pipe != nil {
			out = append(out, lf.pipe)
		}
	}
	return out
}

// closePipedLog closes p without blocking the loop (Close waits for the
// program to drain the pipe); closeAllPipedLogs waits for all of them.
func (s *Supervisor) closePipedLog(p *PipedLog) {
	s.pipesClosing.Add(1)
	go func() {
		defer s.pipesClosing.Done()
		p.Close()
	}()
}

// closeAllPipedLogs closes every program but the error log's (the command
// closes that one) and waits until they have exited: nothing is left
// behind when the server stops.
func (s *Supervisor) closeAllPipedLogs() {
	for target, p := range s.pipedLogs {
		if Reopener(p) != s.opts.ErrorLog {
			s.closePipedLog(p)
		}
		delete(s.pipedLogs, target)
	}
	for _, p := range s.retiredLogs {
		s.closePipedLog(p)
	}
	s.retiredLogs = nil
	s.pipesClosing.Wait()
}
