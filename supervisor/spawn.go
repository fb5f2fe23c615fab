package supervisor

import (
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"syscall"
	"time"

	"eventmpm/ipc"
)

// Exit codes children use (package child's ExitSick and ExitFatal, as
// Apache's APEXIT_CHILDSICK and APEXIT_CHILDFATAL).
const (
	exitChildSick  = 0x7
	exitChildFatal = 0xf
)

// childProc is the supervisor's record of one child process.
type childProc struct {
	pid      int
	slot     int
	gen      int
	cmd      *exec.Cmd
	ctl      *ipc.Controller
	started  time.Time
	ready    bool
	draining bool        // told to stop gracefully
	drainAt  time.Time   // when
	stopped  bool        // told to stop now
	stopAt   time.Time   // when it was told to stop (escalation)
	step     int         // next escalation step
	pipes    []*PipedLog // piped logs whose pipe it inherited
}

// childExit reports a child process that ended.
type childExit struct {
	c     *childProc
	state *os.ProcessState
	err   error
}

// childStatus is one status byte from a child.
type childStatus struct {
	c *childProc
	b byte
}

// freeSlot returns the lowest free process slot, or -1. A slot is free
// when none of this supervisor's children holds it and the scoreboard
// shows no pid in it: during and after a live upgrade, the other
// supervisor's children hold slots of the same scoreboard.
func (s *Supervisor) freeSlot() int {
	for i, c := range s.slots {
		if c == nil && s.sb.Process(i).PID() == 0 {
			return i
		}
	}
	return -1
}

// startChildren starts up to n children of the current generation in free
// slots, making room from draining old generations if it must.
func (s *Supervisor) startChildren(n int) int {
	if s.upgrade != nil {
		// The new supervisor claims free slots until it is ready; two
		// supervisors spawning at once could pick the same one.
		return 0
	}
	started := 0
	for ; started < n; started++ {
		slot := s.freeSlot()
		if slot < 0 && !s.makeRoom() {
			break
		}
		if slot < 0 {
			slot = s.freeSlot()
		}
		if slot < 0 {
			break
		}
		if err := s.spawn(slot); err != nil {
			s.log.Error("fork: Unable to fork new process", "module", "mpm_event", "ah", "AH00481", "err", err)
			s.failStartup()
			break
		}
	}
	return started
}

// makeRoom stops the oldest draining child of an old generation hard when
// every slot is taken (only after restarts come faster than old
// generations drain). A child of the current generation that drains
// (MaxConnectionsPerChild, spare-thread maintenance) is never stopped
// hard: its connections are the current configuration's, and its slot
// comes free when they end. It reports whether a slot will come free.
func (s *Supervisor) makeRoom() bool {
	var oldest *childProc
	for _, c := range s.slots {
		if c != nil && c.draining && !c.stopped && c.gen != s.gen && (oldest == nil || c.gen < oldest.gen) {
			oldest = c
		}
	}
	if oldest == nil {
		s.stopForeignChild()
		return false
	}
	s.log.Warn(fmt.Sprintf("scoreboard slots exhausted by draining generations: stopping child pid %d of generation %d now", oldest.pid, oldest.gen),
		"module", "mpm_event")
	s.stopChild(oldest)
	return false
}

// spawn starts one child in slot: the same binary with the hidden child
// verb, the manifest pipe, the scoreboard, the control and status pipes,
// the log files and the listeners as inherited descriptors, and the
// supervisor's name to take.
func (s *Supervisor) spawn(slot int) error {
	h, err := s.newHandover(slot)
	if err != nil {
		return err
	}
	defer h.closeChildEnds()
	cmd := exec.Command(s.opts.Executable, "child")
	if s.opts.Argv0 != "" {
		cmd.Args[0] = s.opts.Argv0
	}
	cmd.Env = append(os.Environ(), ipc.ManifestEnv+"=3", "GOTRACEBACK="+s.tracebackMode())
	if s.name != "" {
		// Started from /proc/self/exe, the child would be named "exe".
		cmd.Env = append(cmd.Env, ipc.NameEnv+"="+s.name)
	}
	cmd.ExtraFiles = h.extra
	cmd.Stdout = s.opts.ChildStderr
	cmd.Stderr = s.opts.ChildStderr
	cmd.SysProcAttr = s.childAttr()
	if s.cfg.CoreDumpDirectory != "" {
		cmd.Dir = s.cfg.CoreDumpDirectory
	}
	if err := cmd.Start(); err != nil {
		h.ctl.Close()
		h.statusR.Close()
		h.manW.Close()
		return fmt.Errorf("start child in slot %d: %w", slot, err)
	}
	c := &childProc{pid: cmd.Process.Pid, slot: slot, gen: s.gen, cmd: cmd, ctl: h.ctl, started: time.Now(),
		pipes: s.currentPipes()}
	if !s.sb.Process(slot).Claim(c.pid, s.gen) {
		s.log.Error(fmt.Sprintf("scoreboard slot %d was taken while child pid %d started", slot, c.pid), "module", "mpm_event")
	}
	s.slots[slot] = c
	s.byPID[c.pid] = c
	go h.writeManifest(s.log)
	go s.watchStatus(c, h.statusR)
	go func() {
		err := cmd.Wait()
		s.exitC <- childExit{c: c, state: cmd.ProcessState, err: err}
	}()
	return nil
}

func (s *Supervisor) tracebackMode() string {
	if s.cfg.CoreDumpDirectory != "" {
		return "crash" // dump core on a fatal error, as Apache's CoreDumpDirectory
	}
	return "single"
}

// watchStatus forwards a child's status bytes to the loop.
func (s *Supervisor) watchStatus(c *childProc, r *os.File) {
	for b := range ipc.ReadStatus(r) {
		s.statusC <- childStatus{c: c, b: b}
	}
	r.Close()
}

// onStatus handles a status byte.
func (s *Supervisor) onStatus(st childStatus) {
	c := st.c
	if s.byPID[c.pid] != c {
		return
	}
	if st.b == ipc.StatusDraining {
		// The child stops by itself (MaxConnectionsPerChild): replace it
		// now, so recycling never leaves the server short of children.
		if !c.draining && !s.stopping && c.gen == s.gen {
			c.draining = true
			if s.startChildren(1) == 0 {
				// Every slot is taken (no ServerLimit headroom, or
				// other children still draining): start it as soon as
				// one comes free.
				s.owed++
			}
		}
		return
	}
	if st.b != ipc.StatusReady {
		return
	}
	st.c.ready = true
	s.everReady = true
	s.crashDelay = 0
	if s.pendingGen >= 0 && st.c.gen == s.pendingGen {
		s.checkGenerationReady()
	}
}

// failStartup stops the server when no child can be started before any
// was ever ready (the binary cannot be executed as User, descriptors or
// processes run out at start): retrying every second would leave a
// server that holds the port and the PidFile with no child, and the
// start command waiting in vain.
func (s *Supervisor) failStartup() {
	if s.everReady || s.stopping {
		return
	}
	s.log.Error("A resource shortage or other unrecoverable failure was encountered before any child process initialized successfully... eventmpm is exiting!",
		"module", "mpm_event", "ah", "AH02324")
	s.exitCode = exitChildFatal
	s.beginStop()
}

// reap handles a child that exited: release its slot, log why, and replace
// it when it died without being told to.
func (s *Supervisor) reap(ex childExit) {
	c := ex.c
	known := s.byPID[c.pid] == c
	if known {
		delete(s.byPID, c.pid)
	}
	if s.slots[c.slot] == c { // also for a child given up on (forget)
		s.slots[c.slot] = nil
		s.sb.Process(c.slot).Release()
	}
	c.ctl.Close()
	s.closeRetiredPipedLogs() // the old generation's last writer may be gone
	s.runQueuedRestart()      // a slot came free
	if !known {
		return
	}
	if s.pendingGen == c.gen {
		s.checkGenerationReady()
	}
	if c.draining || c.stopped || s.stopping {
		s.startOwed(time.Now()) // a replacement may wait for this slot
		return
	}
	s.childDied(c, ex.state)
}

// childDied handles a child that ended on its own: crash, fatal error or
// resource shortage (SPEC.md 3.1).
func (s *Supervisor) childDied(c *childProc, st *os.ProcessState) {
	ws, _ := st.Sys().(syscall.WaitStatus)
	switch {
	case ws.Signaled():
		s.log.Error(fmt.Sprintf("child pid %d exit signal %s (%d)", c.pid, ws.Signal(), int(ws.Signal())),
			"module", "core", "ah", "AH00052")
		s.killedInARow++
	case ws.ExitStatus() == exitChildFatal && c.gen == s.gen && s.pendingGen == s.gen && s.prevCfg != nil:
		s.rollback(c)
		return
	case ws.ExitStatus() == exitChildFatal && c.gen == s.gen:
		s.log.Error(fmt.Sprintf("Child %d returned a Fatal error... eventmpm is exiting!", c.pid), "module", "mpm_event", "ah", "AH00050")
		s.exitCode = exitChildFatal
		s.beginStop()
		return
	case ws.ExitStatus() == exitChildSick || ws.ExitStatus() != 0:
		s.spawnRate = 1
		if !s.everReady {
			s.log.Error("A resource shortage or other unrecoverable failure was encountered before any child process initialized successfully... eventmpm is exiting!",
				"module", "mpm_event", "ah", "AH02324", "exit_status", ws.ExitStatus())
			s.exitCode = exitChildFatal
			s.beginStop()
			return
		}
		s.log.Error(fmt.Sprintf("child pid %d exited with status %d", c.pid, ws.ExitStatus()), "module", "mpm_event")
	}
	s.replace(c) // also a clean exit the child decided by itself

}

// replace starts a child in place of one that died, slowing down when
// children keep dying right after they start (no fork storm).
func (s *Supervisor) replace(dead *childProc) {
	if dead.gen != s.gen {
		return
	}
	if time.Since(dead.started) < 10*time.Second && !dead.ready {
		s.crashDelay = min(max(2*s.crashDelay, time.Second), time.Minute)
		s.nextSpawnOK = time.Now().Add(s.crashDelay)
		s.log.Error("child died before it became ready; respawning in "+s.crashDelay.String(), "module", "mpm_event",
			"pid", strconv.Itoa(dead.pid))
		s.owed++
		if dead.gen == s.pendingGen {
			s.pendingFailed = true
			s.runQueuedRestart()
		}
		return // maintain() starts it when nextSpawnOK passes
	}
	if s.killedInARow > 3 {
		s.log.Error("children are killed successively!", "module", "mpm_event", "ah", "AH10392")
		s.killedInARow = 0
		s.owed++
		return // maintain() replaces it on the next tick
	}
	s.startChildren(1)
}

// rollback gives up a generation whose child failed fatally before the
// generation became ready: its children are stopped and the previous
// generation, still serving, stays current with its configuration.
func (s *Supervisor) rollback(failed *childProc) {
	s.log.Error(fmt.Sprintf("Child %d of the new generation %d returned a Fatal error; generation %d keeps serving",
		failed.pid, s.gen, s.servingGen), "module", "mpm_event", "ah", "AH00050")
	for _, c := range s.byPID {
		if c.gen == s.gen {
			s.stopChild(c)
		}
	}
	s.cfg, s.prevCfg = s.prevCfg, nil
	s.gen = s.servingGen
	s.pendingGen = -1
	s.owed = 0
	s.sb.SetGeneration(s.gen)
	s.publishInfo()
	s.runQueuedRestart()
}
