package supervisor

import (
	"cmp"
	"fmt"
	"os"
	"syscall"
	"time"

	"eventmpm/config"
	"eventmpm/ipc"
)

// signalAction is what a signal asks of the supervisor.
type signalAction struct {
	verb string // the CLI verb that sends it
	code string // Apache's log message ID
	msg  string
	run  func(*Supervisor)
}

// signalActions is the signal table (SPEC.md 4.1).
var signalActions = map[os.Signal]signalAction{
	syscall.SIGTERM:  {"stop", "AH00491", "caught SIGTERM, shutting down", (*Supervisor).beginStop},
	syscall.SIGINT:   {"stop", "AH00491", "caught SIGINT, shutting down", (*Supervisor).beginStop},
	syscall.SIGHUP:   {"restart", "AH00494", "SIGHUP received.  Attempting to restart", (*Supervisor).hardRestart},
	syscall.SIGUSR1:  {"graceful", "AH00493", "SIGUSR1 received.  Doing graceful restart", (*Supervisor).gracefulRestart},
	syscall.SIGWINCH: {"graceful-stop", "AH00492", "caught SIGWINCH, shutting down gracefully", (*Supervisor).beginGracefulStop},
	// Beyond Apache: nginx's binary upgrade (upgrade.go).
	syscall.SIGUSR2: {"upgrade", "", "SIGUSR2 received.  Attempting a live binary upgrade", (*Supervisor).beginUpgrade},
}

// onSignal runs the action of a signal. While a stop is under way only a
// stop can make it harder (TERM during a graceful stop); everything else
// is ignored.
func (s *Supervisor) onSignal(sig os.Signal) {
	a, ok := signalActions[sig]
	if !ok {
		return
	}
	if s.stopping && !(s.gracefulStop && a.verb == "stop") {
		return
	}
	notice(s.log, a.msg, "module", "mpm_event", "ah", a.code)
	if s.upgrade != nil && a.verb != "stop" && a.verb != "graceful-stop" && a.verb != "upgrade" {
		notice(s.log, fmt.Sprintf("%s ignored: an upgrade to pid %d is under way", a.verb, s.upgrade.cmd.Process.Pid), "module", "mpm_event")
		return
	}
	a.run(s)
}

// beginStop stops now: every child is told to stop and escalated with
// TERM and KILL (reclaimSteps); the PidFile is removed.
func (s *Supervisor) beginStop() {
	s.notifyStopping("stopping")
	s.stopping = true
	s.gracefulStop = false
	s.abortUpgrade()
	for _, c := range s.byPID {
		s.stopChild(c)
	}
	if !s.handedOver {
		removePidFile(s.cfg.PidFile, s.log)
	}
}

// beginGracefulStop stops accepting and lets every child finish its
// connections, within GracefulShutdownTimeout when it is set.
func (s *Supervisor) beginGracefulStop() {
	s.notifyStopping(s.gracefulStopSummary())
	s.stopping = true
	s.gracefulStop = true
	s.abortUpgrade()
	CloseListeners(s.listeners)
	s.listeners = nil
	for _, c := range s.byPID {
		s.drainChild(c)
	}
	if !s.handedOver { // after an upgrade the PidFile names the new supervisor
		removePidFile(s.cfg.PidFile, s.log)
	}
	if t := s.cfg.MPM.GracefulShutdownTimeout; t > 0 {
		s.stopDeadline = time.Now().Add(t)
	}
}

// gracefulStopSummary is the STATUS line of a graceful stop.
func (s *Supervisor) gracefulStopSummary() string {
	if t := s.cfg.MPM.GracefulShutdownTimeout; t > 0 {
		return fmt.Sprintf("stopping gracefully: %d children finish their requests, for at most %s", len(s.byPID), t)
	}
	return fmt.Sprintf("stopping gracefully: %d children finish their requests", len(s.byPID))
}

// checkStopDeadline ends a graceful stop that ran out of time.
func (s *Supervisor) checkStopDeadline(now time.Time) {
	if !s.gracefulStop || s.stopDeadline.IsZero() || now.Before(s.stopDeadline) {
		return
	}
	s.log.Warn("GracefulShutdownTimeout reached: stopping the remaining children", "module", "mpm_event")
	s.stopDeadline = time.Time{}
	for _, c := range s.byPID {
		s.stopChild(c)
	}
}

// reload reads the configuration again. A broken one is logged and the
// running generation keeps serving (SPEC.md 0).
func (s *Supervisor) reload(what string) (*config.Config, bool) {
	cfg, err := s.opts.Reload(s.cfg)
	for _, w := range config.LoadWarnings(cfg, err) { // before the error, as at start
		s.log.Warn(w.Located(), "module", "mpm_event")
	}
	if err != nil {
		s.log.Error(fmt.Sprintf("%s aborted, generation %d keeps serving: %v", what, s.gen, err), "module", "core")
		s.notifyRefused(what, err)
		return nil, false
	}
	return cfg, true
}

// adopt switches to a new configuration: listeners that are still wanted
// are kept, new ones bound, dropped ones closed; logs are reopened.
//
// The logs are opened first: a log that cannot be opened (an ErrorLog or
// CustomLog in a directory that does not exist) aborts the restart, and the
// running generation keeps serving, instead of starting children that
// could not log. The error log is reopened even then (log rotation), so
// the refusal is written to the new file. A changed ErrorLog or LogLevel
// applies to the supervisor's own lines too (switchErrorLog).
func (s *Supervisor) adopt(cfg *config.Config) bool {
	if s.opts.ErrorLog != nil {
		if err := s.opts.ErrorLog.Reopen(); err != nil {
			s.log.Error("cannot reopen the error log", "module", "core", "err", err)
		}
	}
	next, started, err := s.nextErrorLog(cfg)
	var logs logSet
	if err == nil {
		logs, err = s.openLogs(cfg, cmp.Or(next, s.opts.ErrorLog))
	}
	if err == nil {
		var lns []Listener
		if lns, err = rebindListeners(s.listeners, cfg); err != nil {
			s.discardLogs(logs)
		} else {
			s.listeners = lns
		}
	}
	if err != nil {
		s.dropErrorLog(next, started)
		s.log.Error(fmt.Sprintf("restart aborted, generation %d keeps serving: %v", s.gen, err), "module", "core")
		s.notifyRefused("restart", err)
		return false
	}
	s.switchErrorLog(cfg, next)
	s.prevCfg = s.cfg
	s.cfg = cfg
	s.recreateScoreboard()
	s.useLogs(logs)
	s.logResuming()
	s.publishInfo()
	if err := writePidFile(s.cfg.PidFile, s.log, false); err != nil {
		s.log.Error(err.Error(), "module", "core")
	}
	return true
}

// gracefulRestart starts a new generation and, once it is ready, lets the
// old one drain: no accepted request is lost and counters continue.
//
// A graceful restart asked for while the previous one's generation is
// still starting is deferred until that generation is ready, and any
// number of them run as one (restartQueued): starting a generation per
// signal would fill the scoreboard with generations that never served,
// none of them ever ready. Only when the pending generation is failing
// (a child died before it was ready) does a new restart supersede it.
func (s *Supervisor) gracefulRestart() {
	s.notifyReloading("graceful restart")
	if s.pendingGen >= 0 && !s.pendingFailed {
		if !s.restartQueued {
			notice(s.log, fmt.Sprintf("graceful restart deferred until generation %d is ready", s.pendingGen), "module", "mpm_event")
			s.restartQueued, s.queuedAt = true, time.Now()
		}
		return
	}
	s.restartQueued = false
	superseded, servingCfg := s.pendingGen, s.prevCfg
	cfg, ok := s.reload("graceful restart")
	if !ok || !s.adopt(cfg) {
		return
	}
	serving := s.gen
	if superseded >= 0 {
		// The failing generation never took over: the one before it
		// still serves, with its configuration (none at first start).
		serving, s.prevCfg = s.servingGen, servingCfg
		s.abandonGeneration(superseded)
	}
	old := s.activeChildren(serving)
	s.servingGen = serving
	s.newGeneration()
	s.publishInfo()
	s.holdOff = 10
	s.spawnRate = 1
	s.owed = 0
	s.startChildren(max(s.cfg.MPM.StartServers, min(old, s.cfg.MPM.ActiveDaemonsLimit)))
	s.setPending()
	s.checkGenerationReady()
}

// setPending makes the current generation the one waiting to be ready.
func (s *Supervisor) setPending() {
	s.pendingGen = s.gen
	s.pendingSince = time.Now()
	s.pendingFailed = false
}

// abandonGeneration tells the children of a generation that never became
// ready to stop gracefully.
func (s *Supervisor) abandonGeneration(gen int) {
	for _, c := range s.byPID {
		if c.gen == gen {
			s.drainChild(c)
		}
	}
}

// runQueuedRestart runs a graceful restart deferred by gracefulRestart,
// once no generation is pending any more (or the pending one is failing)
// and draining children left the slots the new generation needs: a burst
// of restarts then never stops draining children hard (makeRoom). After
// queueWait it runs whatever the room, as a restart asked for directly.
func (s *Supervisor) runQueuedRestart() {
	if !s.restartQueued || s.stopping || (s.pendingGen >= 0 && !s.pendingFailed) {
		return
	}
	if s.pendingGen < 0 && s.freeSlots() < s.restartChildren() && time.Since(s.queuedAt) < queueWait {
		return // reap and maintain call again
	}
	s.gracefulRestart()
}

// queueWait bounds how long a deferred graceful restart waits for
// draining children to free scoreboard slots.
const queueWait = 10 * time.Second

// restartChildren is how many children a graceful restart starts: as many
// as serve now, at least StartServers.
func (s *Supervisor) restartChildren() int {
	return max(s.cfg.MPM.StartServers, min(s.activeChildren(s.gen), s.cfg.MPM.ActiveDaemonsLimit))
}

// freeSlots counts the free process slots.
func (s *Supervisor) freeSlots() int {
	n := 0
	for i, c := range s.slots {
		if c == nil && s.sb.Process(i).PID() == 0 {
			n++
		}
	}
	return n
}

// hardRestart stops every child now and starts a new generation with its
// counters reset, once the old children are gone.
func (s *Supervisor) hardRestart() {
	s.notifyReloading("restart")
	cfg, ok := s.reload("restart")
	if !ok || !s.adopt(cfg) {
		return
	}
	for _, c := range s.byPID {
		s.stopChild(c)
	}
	s.newGeneration()
	s.sb.ResetCounters()
	for slot, c := range s.slots {
		if c != nil { // still exiting: keep its slot claimed in the fresh board
			s.sb.Process(slot).Claim(c.pid, c.gen)
		}
	}
	s.owed = 0
	s.spawnRate = 1
	s.restartQueued = false
	s.startChildren(s.cfg.MPM.StartServers)
	s.setPending()
}

// activeChildren counts the children of gen that are not stopping.
func (s *Supervisor) activeChildren(gen int) int {
	n := 0
	for _, c := range s.byPID {
		if c.gen == gen && !c.draining && !c.stopped {
			n++
		}
	}
	return n
}

// checkGenerationReady tells older generations to drain once every child
// started for the pending generation is ready.
func (s *Supervisor) checkGenerationReady() {
	if s.pendingGen < 0 {
		return
	}
	total, ready := 0, 0
	for _, c := range s.byPID {
		if c.gen == s.pendingGen && !c.draining && !c.stopped {
			total++
			if c.ready {
				ready++
			}
		}
	}
	if total == 0 || ready < total {
		return
	}
	s.pendingGen = -1
	s.prevCfg = nil
	for _, c := range s.byPID {
		if c.gen < s.gen && !c.draining && !c.stopped {
			s.drainChild(c)
		}
	}
	s.takeOverHeader()
	if !s.readyCalled && s.opts.Ready != nil {
		s.readyCalled = true
		s.opts.Ready()
	}
	s.notifyReady()
	s.runQueuedRestart()
}

// checkPendingGeneration reports a generation slow to become ready; the
// old one keeps serving meanwhile.
func (s *Supervisor) checkPendingGeneration(now time.Time) {
	if s.pendingGen < 0 || now.Sub(s.pendingSince) < 30*time.Second {
		return
	}
	s.log.Warn(fmt.Sprintf("generation %d is not ready after %s; the previous generation keeps serving",
		s.pendingGen, now.Sub(s.pendingSince).Round(time.Second)), "module", "mpm_event")
	s.notifyNotReady(now.Sub(s.pendingSince))
	s.pendingSince = now
}

// checkRestartTimeout stops old-generation children that drained longer
// than GracefulRestartTimeout.
func (s *Supervisor) checkRestartTimeout(now time.Time) {
	t := s.cfg.MPM.GracefulRestartTimeout
	if t <= 0 {
		return
	}
	for _, c := range s.byPID {
		if c.draining && !c.stopped && c.gen < s.gen && now.Sub(c.drainAt) > t {
			s.log.Warn(fmt.Sprintf("GracefulRestartTimeout of %s reached: stopping child pid %d of generation %d", t, c.pid, c.gen),
				"module", "mpm_event")
			s.stopChild(c)
		}
	}
}

// drainChild tells a child to stop gracefully.
func (s *Supervisor) drainChild(c *childProc) {
	if c.draining || c.stopped {
		return
	}
	c.draining = true
	c.drainAt = time.Now()
	if err := c.ctl.Send(ipc.CommandGraceful); err != nil {
		s.stopChild(c)
	}
}

// newGeneration moves to a fresh generation number (never reused, even
// after a rollback) and publishes it.
func (s *Supervisor) newGeneration() {
	s.lastGen++
	s.gen = s.lastGen
	s.sb.SetGeneration(s.gen)
	s.publishInfo()
}
