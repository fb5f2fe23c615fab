package child

import (
	"syscall"
	"time"

	"golang.org/x/sys/unix"
)

// applyRequests acts on what the supervisor (or MaxConnectionsPerChild, or
// the parent's death) asked for since the last iteration.
func (l *loop) applyRequests() {
	r := l.requests.Swap(0)
	if r == 0 {
		return
	}
	if r&reqReopenLogs != 0 {
		l.ch.reopenLogs()
	}
	switch {
	case r&reqStop != 0:
		l.stop()
	case r&reqGraceful != 0:
		l.startDrain()
	}
}

// closeListeners stops accepting for good: this child's copies of the
// listening sockets are closed (the parent and other children keep theirs).
func (l *loop) closeListeners() {
	l.closeGate()
	for _, ls := range l.listeners {
		unix.Close(ls.fd)
	}
	l.listeners = nil
}

// startDrain begins a graceful stop (SPEC.md 3.5): stop accepting, close
// idle keep-alive connections, let requests in progress and pending writes
// finish. The loop ends when the last connection is gone.
func (l *loop) startDrain() {
	if l.draining || l.stopping {
		return
	}
	l.draining = true
	l.ch.dying.Store(true)
	l.closeListeners()
	l.ch.proc.SetQuiescing(1)
	l.ch.markIdleGraceful()
	l.log.Info("child stopping gracefully", "module", "mpm_event", "connections", l.nconns)
	if l.ch.draining != nil {
		l.ch.draining()
	}
	for c := l.keepAliveQ.head; c != nil; {
		next := c.qnext
		if hasInput(c.fd) { // a request raced the drain: serve it
			l.dispatch(c)
		} else {
			l.closeConn(c)
		}
		c = next
	}
	grace := l.now + int64(drainNewGrace)
	for c := l.newQ.head; c != nil; c = c.qnext {
		if c.deadline > grace {
			c.deadline = grace
		}
	}
	l.sortNewQ()
}

// sortNewQ restores deadline order after startDrain shortened deadlines.
func (l *loop) sortNewQ() {
	var all []*conn
	for c := l.newQ.oldest(); c != nil; c = l.newQ.oldest() {
		all = append(all, c)
	}
	for _, c := range all {
		l.newQ.push(c)
	}
}

// stop closes everything at once (SPEC.md 3.5, ungraceful): queued
// connections are closed and worker-held ones shut down so that their
// workers' next system call fails and they close them.
func (l *loop) stop() {
	if l.stopping {
		return
	}
	l.stopping = true
	l.ch.dying.Store(true)
	l.ch.stopping.Store(true)
	l.ch.stopBackends()
	l.closeListeners()
	l.ch.proc.SetQuiescing(1)
	for _, q := range l.queues() {
		for c := q.oldest(); c != nil; c = q.oldest() {
			if q == &l.handshakeQ {
				l.wakeHandshake(c, hsClosing) // its goroutine closes it
				continue
			}
			l.closeConn(c)
		}
	}
	for _, c := range l.conns {
		if c != nil && c.state.Load()&stWorker != 0 {
			unix.Shutdown(c.fd, unix.SHUT_RDWR)
		}
	}
}

// hasInput reports whether a connection has bytes waiting, without
// consuming them.
func hasInput(fd int) bool {
	var b [1]byte
	n, _, err := unix.Recvfrom(fd, b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
	return err == nil && n > 0
}

// publish writes the connection counters to the scoreboard (at most every
// publishEvery unless forced) and, once a second, the heartbeat and the
// child's CPU times.
func (l *loop) publish(force bool) {
	if !force && l.now-l.lastPublish < publishEvery {
		// Publish on the next wake-up, at the latest publishEvery from the
		// last one: the loop may otherwise park for maxPark with the
		// scoreboard showing the counters of before the last burst.
		l.publishLater = true
		return
	}
	l.lastPublish, l.publishLater = l.now, false
	l.ch.proc.SetConnCounts(int32(l.nconns), int32(l.writeQ.n), int32(l.keepAliveQ.n),
		int32(l.lingerQ.n), l.ch.retired.Load(), 0)
	if l.now-l.lastHeartbeat < int64(time.Second) && !force {
		return
	}
	l.lastHeartbeat = l.now
	l.ch.proc.Heartbeat(time.Unix(0, l.now))
	l.crowded = l.ch.liveChildren() > l.cpus
	var ru syscall.Rusage
	if syscall.Getrusage(syscall.RUSAGE_SELF, &ru) == nil {
		l.ch.proc.SetCPU(time.Duration(ru.Utime.Nano()), time.Duration(ru.Stime.Nano()))
	}
}

// liveChildren counts the scoreboard's process slots held by a live
// process, of any generation: the children that compete for the CPUs.
func (ch *Child) liveChildren() int {
	n := 0
	for i := 0; i < ch.sb.Layout().ServerLimit; i++ {
		if ch.sb.Process(i).PID() != 0 {
			n++
		}
	}
	return n
}
