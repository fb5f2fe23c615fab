package supervisor

import (
	"fmt"
	"os"
	"time"

	"eventmpm/internal/sdnotify"
)

// The supervisor is the service's main process, so it alone tells the
// service manager (Options.Notifier, systemd's Type=notify) what it does:
//
//	first generation ready      READY=1, MAINPID, STATUS=serving, ...
//	restart or graceful begins  RELOADING=1, MONOTONIC_USEC, STATUS=...
//	new generation ready        READY=1, STATUS=serving, ...
//	restart refused             READY=1, STATUS=... refused, generation N keeps serving: why
//	stop or graceful-stop       STOPPING=1, STATUS=...
//	serving children change     STATUS=serving, ...
//	every WatchdogInterval/2    WATCHDOG=1
//
// A reload that was refused still ends with READY=1: the running
// generation serves, and systemctl reload must not hang.

// notifyState is what the supervisor last told the service manager.
type notifyState struct {
	ready     bool   // READY=1 was sent for the first generation
	reloading bool   // RELOADING=1 was sent, READY=1 not yet
	summary   string // the serving summary last reported
	failing   bool   // the last send failed (logged once)
}

// notify sends states; the first failure of a run of them is logged.
func (s *Supervisor) notify(states ...string) {
	err := s.opts.Notifier.Notify(states...)
	switch {
	case err != nil && !s.sd.failing:
		s.log.Warn("cannot notify the service manager: "+err.Error(), "module", "core")
		s.sd.failing = true
	case err == nil:
		s.sd.failing = false
	}
}

// servingSummary is the STATUS line while serving.
func (s *Supervisor) servingSummary() string {
	n := 0
	for _, c := range s.byPID {
		if c.gen == s.gen && c.ready && !c.draining && !c.stopped {
			n++
		}
	}
	return fmt.Sprintf("serving, generation %d, %d children", s.gen, n)
}

// notifyReady reports a generation that became ready: the first one
// (with MAINPID) or the one a reload started.
func (s *Supervisor) notifyReady() {
	if s.sd.ready && !s.sd.reloading {
		return
	}
	s.sd.summary = s.servingSummary()
	states := []string{sdnotify.Ready}
	if !s.sd.ready {
		states = append(states, sdnotify.MainPID(os.Getpid()))
	}
	s.sd.ready, s.sd.reloading = true, false
	s.notify(append(states, sdnotify.Status(s.sd.summary))...)
}

// notifyReloading reports that a restart began (once until it ends).
func (s *Supervisor) notifyReloading(what string) {
	if !s.sd.ready || s.sd.reloading {
		return
	}
	s.sd.reloading = true
	s.notify(sdnotify.Reloading, sdnotify.MonotonicUsec(), sdnotify.Status(what+" under way"))
}

// notifyRefused ends a reload that was refused: the running generation
// keeps serving, and STATUS says why.
func (s *Supervisor) notifyRefused(what string, err error) {
	if !s.sd.ready {
		return
	}
	s.sd.reloading = false
	s.sd.summary = s.servingSummary()
	s.notify(sdnotify.Ready, sdnotify.Status(fmt.Sprintf("%s refused, generation %d keeps serving: %v", what, s.gen, err)))
}

// notifyNotReady ends a reload whose generation is slow to become ready,
// so that systemctl reload returns; STATUS says so, and the summary
// follows once the generation serves.
func (s *Supervisor) notifyNotReady(wait time.Duration) {
	if !s.sd.reloading {
		return
	}
	s.sd.reloading = false
	s.notify(sdnotify.Ready, sdnotify.Status(fmt.Sprintf("generation %d is not ready after %s",
		s.pendingGen, wait.Round(time.Second))))
}

// notifyStopping reports that a stop began.
func (s *Supervisor) notifyStopping(status string) {
	if s.handedOver {
		return // a live upgrade made another process the main one
	}
	s.notify(sdnotify.Stopping, sdnotify.Status(status))
}

// notifySummary sends STATUS when the serving summary changed (children
// started or stopped by the spare-thread maintenance) while nothing else
// is under way.
func (s *Supervisor) notifySummary() {
	if !s.sd.ready || s.sd.reloading || s.stopping || s.pendingGen >= 0 {
		return
	}
	if sum := s.servingSummary(); sum != s.sd.summary {
		s.sd.summary = sum
		s.notify(sdnotify.Status(sum))
	}
}

// watchdog returns the channel of the watchdog's ticks (nil: no
// watchdog) and the function that stops it.
func (s *Supervisor) watchdog() (<-chan time.Time, func()) {
	d := s.opts.Notifier.WatchdogInterval()
	if d <= 0 {
		return nil, func() {}
	}
	t := time.NewTicker(max(d/2, time.Millisecond))
	return t.C, t.Stop
}
