package supervisor

import (
	"fmt"
	"os"
	"syscall"

	"eventmpm/shm"
)

// The new supervisor's side of a live upgrade (upgrade.go has the old
// one's): it shares the old supervisor's scoreboard, claims only slots no
// process holds, takes the header and the PidFile over once its first
// generation serves, and may stop the old supervisor's draining children
// when every slot is taken.

// openScoreboard creates the scoreboard, or in a live upgrade shares the
// old supervisor's: the inherited descriptor shares its lock, so the file
// is accepted although a live server holds it. Only a file with the same
// layout (ServerLimit and ThreadLimit cannot change) whose header names
// the old supervisor is accepted. When the new configuration names
// another ScoreBoardFile, that file is created as at a first start.
func (s *Supervisor) openScoreboard() (*shm.Scoreboard, error) {
	layout := scoreboardLayout(s.cfg)
	up := s.opts.Upgrade
	if up == nil {
		return shm.Create(s.cfg.ScoreBoardFile, layout)
	}
	if !sameFile(up.Scoreboard, s.cfg.ScoreBoardFile) {
		up.Scoreboard.Close()
		return shm.Create(s.cfg.ScoreBoardFile, layout)
	}
	sb, err := shm.Attach(up.Scoreboard)
	if err != nil {
		up.Scoreboard.Close()
		return nil, err
	}
	switch got := sb.Layout(); {
	case got != layout:
		sb.Close()
		return nil, fmt.Errorf("%s: ServerLimit %d and ThreadLimit %d cannot change in a live upgrade (the running server has %d and %d); stop and start the server instead",
			s.cfg.ScoreBoardFile, layout.ServerLimit/2, layout.ThreadLimit, got.ServerLimit/2, got.ThreadLimit)
	case sb.ParentPID() != up.FromPID:
		sb.Close()
		return nil, fmt.Errorf("%s belongs to pid %d, not to pid %d that started this upgrade", s.cfg.ScoreBoardFile, sb.ParentPID(), up.FromPID)
	}
	return sb, nil
}

// sameFile reports whether f is the file at path.
func sameFile(f *os.File, path string) bool {
	a, err := f.Stat()
	if err != nil {
		return false
	}
	b, err := os.Lstat(path)
	return err == nil && os.SameFile(a, b)
}

// takeOverHeader makes a supervisor started by a live upgrade the owner of
// the scoreboard header and the PidFile once its first generation is
// ready, just before it reports ready to the old one.
func (s *Supervisor) takeOverHeader() {
	if s.opts.Upgrade == nil || s.ownsHeader || s.handedOver {
		return
	}
	s.ownsHeader = true
	s.publishInfo()
	if err := writePidFile(s.cfg.PidFile, s.log, false); err != nil {
		s.log.Error(err.Error(), "module", "core")
	}
	notice(s.log, fmt.Sprintf("upgrade: generation %d serves; took over from pid %d", s.gen, s.opts.Upgrade.FromPID), "module", "mpm_event")
}

// stopForeignChild is makeRoom's last resort after a live upgrade: when
// every slot is taken and none of this supervisor's children drains, the
// old supervisor's child of the lowest generation is told to stop
// (SIGTERM); the old supervisor reaps it and frees its slot.
func (s *Supervisor) stopForeignChild() {
	if s.opts.Upgrade == nil {
		return
	}
	victim, gen := 0, 0
	for i, c := range s.slots {
		p := s.sb.Process(i)
		if pid := p.PID(); c == nil && pid != 0 && !s.foreignStopped[pid] && (victim == 0 || p.Generation() < gen) {
			victim, gen = pid, p.Generation()
		}
	}
	if victim == 0 {
		return
	}
	if s.foreignStopped == nil {
		s.foreignStopped = map[int]bool{}
	}
	s.foreignStopped[victim] = true
	s.log.Warn(fmt.Sprintf("scoreboard slots exhausted: stopping child pid %d of generation %d of the previous supervisor now", victim, gen),
		"module", "mpm_event")
	syscall.Kill(victim, syscall.SIGTERM)
}
