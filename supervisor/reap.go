package supervisor

// started reports whether pid is a process the supervisor started and
// waits for itself: a child, a piped log program, or the new binary of a
// live upgrade.
func (s *Supervisor) started(pid int) bool {
	if s.byPID[pid] != nil {
		return true
	}
	if p, ok := s.opts.ErrorLog.(*PipedLog); ok && p.Pid() == pid {
		return true
	}
	for _, p := range s.pipedLogs {
		if p.Pid() == pid {
			return true
		}
	}
	for _, p := range s.retiredLogs {
		if p.Pid() == pid {
			return true
		}
	}
	return s.upgrade != nil && s.upgrade.cmd.Process != nil && s.upgrade.cmd.Process.Pid == pid
}
