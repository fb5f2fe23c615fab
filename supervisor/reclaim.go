package supervisor

import (
	"fmt"
	"syscall"
	"time"

	"eventmpm/ipc"
)

// reclaimStep is one step of stopping a child that was told to stop now.
type reclaimStep struct {
	after  time.Duration
	signal syscall.Signal // 0: give up
	code   string
	msg    string
}

// reclaimSteps is Apache's ap_reclaim_child_processes table (SPEC.md 3.2):
// SIGTERM at once (with the stop command), again at 3, 5 and 7 seconds,
// SIGKILL at 9, and at 10 seconds give up and go on without it.
var reclaimSteps = []reclaimStep{
	{0, syscall.SIGTERM, "", ""},
	{3 * time.Second, syscall.SIGTERM, "AH00045", "child process %d still did not exit, sending a SIGTERM"},
	{5 * time.Second, syscall.SIGTERM, "AH00045", "child process %d still did not exit, sending a SIGTERM"},
	{7 * time.Second, syscall.SIGTERM, "AH00045", "child process %d still did not exit, sending a SIGTERM"},
	{9 * time.Second, syscall.SIGKILL, "AH00046", "child process %d still did not exit, sending a SIGKILL"},
	{10 * time.Second, 0, "AH00047", "could not make child process %d exit, attempting to continue anyway"},
}

// stopChild tells a child to stop now and starts its escalation.
func (s *Supervisor) stopChild(c *childProc) {
	if c.stopped {
		return
	}
	c.stopped = true
	c.stopAt = time.Now()
	c.step = 0
	_ = c.ctl.Send(ipc.CommandStop)
	s.escalate(c, c.stopAt)
}

// escalateStops moves every stopping child along reclaimSteps.
func (s *Supervisor) escalateStops(now time.Time) {
	for _, c := range s.byPID {
		if c.stopped {
			s.escalate(c, now)
		}
	}
}

// escalate runs the steps of c that are due.
func (s *Supervisor) escalate(c *childProc, now time.Time) {
	for c.step < len(reclaimSteps) && now.Sub(c.stopAt) >= reclaimSteps[c.step].after {
		st := reclaimSteps[c.step]
		c.step++
		if st.msg != "" {
			s.log.Warn(fmt.Sprintf(st.msg, c.pid), "module", "mpm_unix", "ah", st.code)
		}
		if st.signal == 0 {
			s.forget(c)
			return
		}
		syscall.Kill(c.pid, st.signal)
	}
}

// forget drops a child that would not exit (its slot stays marked, so it
// is not reused while the process may still write to it).
func (s *Supervisor) forget(c *childProc) {
	delete(s.byPID, c.pid)
}
