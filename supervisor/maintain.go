package supervisor

import (
	"fmt"
	"syscall"
	"time"

	"eventmpm/shm"
)

// maxSpawnRate is Apache's MAX_SPAWN_RATE: at most 32 children a second.
const maxSpawnRate = 32

// maintain is the once-a-second pass: escalate stops, bound draining
// generations, kill hung children, start owed children, and keep the
// spare threads between MinSpareThreads and MaxSpareThreads.
func (s *Supervisor) maintain() {
	now := time.Now()
	if s.ownsHeader {
		s.sb.SetParentCPU(parentCPU())
	}
	s.escalateStops(now)
	s.reapOrphans()
	if s.stopping {
		s.checkStopDeadline(now)
		return
	}
	s.checkPendingGeneration(now)
	s.checkRestartTimeout(now)
	s.runQueuedRestart()
	s.checkScoreboard()
	s.sb.Snapshot(&s.snap)
	s.killHung(now)
	s.startOwed(now)
	s.performIdleServerMaintenance()
	s.notifySummary()
}

// startOwed starts the children owed (a replacement held back after a
// crash, or waiting for a free slot) once nextSpawnOK has passed, never
// more than the active children limit leaves room for.
func (s *Supervisor) startOwed(now time.Time) {
	if s.owed == 0 || s.stopping || now.Before(s.nextSpawnOK) {
		return
	}
	_, _, active := s.spareCounts()
	s.owed = min(s.owed, max(0, s.cfg.MPM.ActiveDaemonsLimit-active))
	s.owed -= s.startChildren(s.owed)
}

// spareCounts counts, over children of the current generation that are not
// stopping and accept connections, the idle workers (Dead, Starting and
// Ready all count, as in Apache), and the active threads and children.
func (s *Supervisor) spareCounts() (idle, activeThreads, active int) {
	threads := s.cfg.MPM.ThreadsPerChild
	for slot, c := range s.slots {
		if c == nil || c.draining || c.stopped || c.gen != s.gen {
			continue
		}
		active++
		p := &s.snap.Processes[slot]
		for t := 0; t < threads; t++ {
			st := s.snap.WorkerAt(slot, t).Status
			if st <= shm.Ready && !p.NotAccepting {
				idle++
			}
			if st >= shm.Ready && st < shm.Graceful {
				activeThreads++
			}
		}
	}
	return idle, activeThreads, active
}

// performIdleServerMaintenance is Apache's perform_idle_server_maintenance
// (SPEC.md 3.1) for one bucket.
func (s *Supervisor) performIdleServerMaintenance() {
	mpm := s.cfg.MPM
	idle, activeThreads, active := s.spareCounts()
	switch {
	case idle > mpm.MaxSpareThreads:
		if s.drainingByMaintenance() == 0 {
			if c := s.lastActiveChild(); c != nil {
				s.drainChild(c)
			}
		}
		s.spawnRate = 1
	case idle < mpm.MinSpareThreads:
		s.spawnForSpares(idle, activeThreads, active)
	default:
		s.spawnRate = 1
	}
	if s.holdOff > 0 {
		s.holdOff--
	}
}

func (s *Supervisor) spawnForSpares(idle, activeThreads, active int) {
	mpm := s.cfg.MPM
	if activeThreads >= mpm.MaxRequestWorkers || active >= mpm.ActiveDaemonsLimit {
		if idle == 0 && !s.loggedMaxReq {
			s.log.Error("server reached MaxRequestWorkers setting, consider raising the MaxRequestWorkers setting",
				"module", "mpm_event", "ah", "AH00484")
			s.loggedMaxReq = true
		} else if idle > 0 && !s.loggedMinSpar {
			s.log.Error("server is within MinSpareThreads of MaxRequestWorkers, consider raising the MaxRequestWorkers setting",
				"module", "mpm_event", "ah", "AH10159")
			s.loggedMinSpar = true
		}
		s.spawnRate = 1
		return
	}
	if s.freeSlot() < 0 {
		// Every slot, headroom included, is taken (SPEC.md 3.1: logged on
		// every pass); a draining child is stopped to make room.
		s.log.Error("scoreboard is full, not at MaxRequestWorkers.Increase ServerLimit.", "module", "mpm_event", "ah", "AH03490")
		s.makeRoom()
		s.spawnRate = 1
		return
	}
	n := min(s.spawnRate, mpm.ActiveDaemonsLimit-active)
	if s.spawnRate >= 8 {
		s.log.Info(fmt.Sprintf("server seems busy, (you may need to increase StartServers, ThreadsPerChild or Min/MaxSpareThreads), spawning %d children, there are around %d idle threads, %d active children, and %d children that are shutting down",
			n, idle, active, s.stoppingChildren()), "module", "mpm_event", "ah", "AH00486")
	}
	s.startChildren(n)
	if s.holdOff == 0 && s.spawnRate < maxSpawnRate {
		s.spawnRate *= 2
	}
}

// drainingByMaintenance counts current-generation children told to stop.
func (s *Supervisor) drainingByMaintenance() int {
	n := 0
	for _, c := range s.slots {
		if c != nil && c.draining && c.gen == s.gen {
			n++
		}
	}
	return n
}

func (s *Supervisor) stoppingChildren() int {
	n := 0
	for _, c := range s.slots {
		if c != nil && (c.draining || c.stopped) {
			n++
		}
	}
	return n
}

// lastActiveChild is the active current-generation child in the highest
// slot: the one Apache's maintenance would tell to stop.
func (s *Supervisor) lastActiveChild() *childProc {
	for i := len(s.slots) - 1; i >= 0; i-- {
		c := s.slots[i]
		if c != nil && !c.draining && !c.stopped && c.gen == s.gen && c.ready {
			return c
		}
	}
	return nil
}

// killHung kills a ready child whose heartbeat stopped (SIGSTOP, a
// deadlock) and lets the crash path replace it.
func (s *Supervisor) killHung(now time.Time) {
	for slot, c := range s.slots {
		if c == nil || !c.ready || c.stopped {
			continue
		}
		hb := s.snap.Processes[slot].Heartbeat
		if hb.IsZero() || now.Sub(hb) < s.hangTimeout() {
			continue
		}
		s.log.Error(fmt.Sprintf("child pid %d made no progress for %s (heartbeat %s): killing it",
			c.pid, now.Sub(hb).Round(time.Second), hb.Format(time.RFC3339)), "module", "mpm_event")
		syscall.Kill(c.pid, syscall.SIGKILL)
		syscall.Kill(c.pid, syscall.SIGCONT)
	}
}

// hangTimeout is HangTimeout, or Options.HangTimeout when set (2 s at
// least).
func (s *Supervisor) hangTimeout() time.Duration {
	if d := s.opts.HangTimeout; d > 0 {
		return max(d, 2*time.Second)
	}
	return HangTimeout
}

// parentCPU reads the parent's and its reaped children's CPU times.
func parentCPU() shm.CPUTimes {
	var self, kids syscall.Rusage
	syscall.Getrusage(syscall.RUSAGE_SELF, &self)
	syscall.Getrusage(syscall.RUSAGE_CHILDREN, &kids)
	return shm.CPUTimes{
		User: time.Duration(self.Utime.Nano()), System: time.Duration(self.Stime.Nano()),
		ChildrenUser: time.Duration(kids.Utime.Nano()), ChildrenSystem: time.Duration(kids.Stime.Nano()),
	}
}
