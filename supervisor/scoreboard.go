package supervisor

import (
	"errors"
	"fmt"
	"runtime/debug"
	"time"

	"eventmpm/shm"
)

// checkScoreboard looks at the scoreboard file once a second. A truncated
// file is extended back at once (its counters are lost, the server goes
// on), and its header rewritten: a child that faulted on the cut pages may
// have extended it first, leaving a header of zeros that readers and new
// children refuse. A deleted one is recreated at the next restart, since
// the children keep using the deleted inode until then.
func (s *Supervisor) checkScoreboard() {
	err := s.sb.Check()
	switch {
	case err == nil:
		s.sbReported = false
	case errors.Is(err, shm.ErrTruncated), errors.Is(err, shm.ErrHeaderLost):
		if rerr := s.sb.Repair(); rerr != nil {
			s.logScoreboardOnce(fmt.Sprintf("scoreboard file %s was truncated while running and cannot be restored: %v",
				s.cfg.ScoreBoardFile, rerr))
			return
		}
		s.sb.RestoreHeader(time.Now())
		s.log.Error(fmt.Sprintf("scoreboard file %s was truncated while running: restored its size and header; its counters were lost",
			s.cfg.ScoreBoardFile), "module", "mpm_event")
		s.publishInfo()
		for slot, c := range s.slots {
			if c != nil {
				s.sb.Process(slot).Claim(c.pid, c.gen)
			}
		}
	case errors.Is(err, shm.ErrUnlinked):
		s.sbDeleted = true
		s.logScoreboardOnce(fmt.Sprintf("scoreboard file %s was deleted while running: `eventmpm status` cannot read it; the next restart recreates it",
			s.cfg.ScoreBoardFile))
	default:
		s.logScoreboardOnce(fmt.Sprintf("cannot check scoreboard file %s: %v", s.cfg.ScoreBoardFile, err))
	}
}

func (s *Supervisor) logScoreboardOnce(msg string) {
	if s.sbReported {
		return
	}
	s.sbReported = true
	s.log.Error(msg, "module", "mpm_event")
}

// recreateScoreboard makes a new scoreboard file at a restart when the old
// one was deleted. Children already running keep the old one.
func (s *Supervisor) recreateScoreboard() {
	if !s.sbDeleted {
		return
	}
	sb, err := shm.Create(s.cfg.ScoreBoardFile, s.sb.Layout())
	if err != nil {
		s.log.Error("cannot recreate the scoreboard file", "module", "mpm_event", "err", err)
		return
	}
	s.oldBoards = append(s.oldBoards, s.sb)
	s.sb = sb
	s.sbDeleted = false
	s.sbReported = false
	s.publishInfo()
	s.log.Error("scoreboard file "+s.cfg.ScoreBoardFile+" recreated", "module", "mpm_event")
}

// guardFaults makes a fault in the scoreboard mapping (the file truncated
// under it) a recoverable panic on the supervisor's goroutine; recoverFault
// handles it.
func (s *Supervisor) guardFaults() func() {
	old := debug.SetPanicOnFault(true)
	return func() { debug.SetPanicOnFault(old) }
}

// recoverFault is deferred around each event the loop handles.
func (s *Supervisor) recoverFault() {
	r := recover()
	if r == nil {
		return
	}
	if !s.sb.IsFault(r) {
		panic(r)
	}
	what, err := s.sb.RecoverFault()
	if err != nil {
		s.log.Error("scoreboard fault", "module", "mpm_event", "err", err)
		return
	}
	s.log.Error("scoreboard fault: "+what, "module", "mpm_event")
}
