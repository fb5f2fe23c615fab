package child

import (
	"net/netip"
	"time"

	"golang.org/x/sys/unix"
)

// listener is one inherited listening socket.
type listener struct {
	fd    int
	addr  string // as configured ("127.0.0.1:8080")
	proto string
	port  int
	// local is the bound address; when it is a wildcard, a connection's
	// own local address is looked up when something needs it.
	local netip.AddrPort
	// stamped is set when the kernel timestamps the data arriving on the
	// connections accepted here (see readStamped).
	stamped bool
}

// acceptFrom accepts pending connections from one listener, up to
// acceptBatch, while the accept gate allows.
func (l *loop) acceptFrom(ls *listener) {
	if l.leaveToSiblings() {
		return
	}
	l.acceptPending(ls)
}

// acceptPending is acceptFrom without the look at the siblings.
func (l *loop) acceptPending(ls *listener) {
	for i := 0; i < acceptBatch && l.accepting; i++ {
		fd, remote, err := acceptConn(ls.fd, &l.rsa)
		if err != nil {
			if !l.acceptError(err) {
				return
			}
			continue
		}
		l.adopt(fd, ls, remote)
		if l.maxAccepted > 0 && l.accepted >= l.maxAccepted {
			l.log.Debug("Stopping process due to MaxConnectionsPerChild", "module", "mpm_event")
			l.requests.Or(reqGraceful)
			l.closeGate()
			return
		}
		if !l.shouldAccept() {
			l.closeGate()
			return
		}
	}
}

// acceptError handles a failed accept4 and reports whether to try again.
func (l *loop) acceptError(err error) bool {
	switch err {
	case unix.EINTR, unix.ECONNABORTED, unix.EPROTO, unix.EPERM:
		return true
	case unix.EAGAIN:
		return false
	case unix.EMFILE, unix.ENFILE, unix.ENOBUFS, unix.ENOMEM:
		l.shortage(err)
		return false
	}
	l.log.Error("accept failed", "module", "mpm_event", "err", err)
	return false
}

// adopt takes in an accepted connection and hands it to a worker: with
// TCP_DEFER_ACCEPT the request is usually there already. The connection is
// registered with the poller only when it first has to wait (worker.giveBack),
// so a short-lived one (Connection: close) costs no epoll_ctl at all.
func (l *loop) adopt(fd int, ls *listener, remote netip.AddrPort) {
	c := newConn(fd, ls, remote)
	l.ch.setBase(c)
	if c.base.tls != nil {
		l.ch.newTLSConn(c, l)
	}
	c.keepAliveTimeout = c.base.keepAliveTimeout
	c.stageStart = l.now
	c.state.Store(stWorker) // events before dispatch become pending bits
	if fd >= len(l.conns) {
		l.growConns(fd)
	}
	l.conns[fd] = c
	l.nconns++
	l.accepted++
	l.dispatch(c)
	// The scoreboard last: a fault there (its file truncated under us)
	// ends the iteration, and a connection counted but not yet dispatched
	// would sit in no queue and in no poller, forever.
	l.ch.proc.AddAccepted(1)
}

func (l *loop) growConns(fd int) {
	n := 2 * len(l.conns)
	if n <= fd {
		n = fd + 1
	}
	grown := make([]*conn, n)
	copy(grown, l.conns)
	l.conns = grown
}

// shortage handles running out of descriptors or memory in accept: close
// the oldest idle keep-alive connections first (SPEC.md 0); with none to
// close, stop accepting for a moment instead of spinning on a
// level-triggered listener.
func (l *loop) shortage(err error) {
	closed := 0
	for ; closed < 16; closed++ {
		c := l.keepAliveQ.oldest()
		if c == nil {
			break
		}
		l.closeConn(c)
	}
	if l.now-l.shortageLog > int64(10*time.Second) {
		l.shortageLog = l.now
		l.log.Error("accept: out of descriptors; closed idle keep-alive connections",
			"module", "mpm_event", "err", err, "closed", closed, "connections", l.nconns)
	}
	if closed == 0 {
		l.pausedUntil = l.now + int64(shortageBackoff)
		l.fdCeiling = max(1, l.nconns-l.fdReserve())
		l.fdCeilingUntil = l.now + int64(fdCeilingHold)
		l.closeGate()
	}
}

// fdReserve is how many descriptors below the point where accept failed a
// child short of descriptors keeps free for the connections it holds: to
// open the files they ask for and to log them. Without it, every
// descriptor a closing connection frees is taken at once by the next
// connection in the backlog, and the held ones are answered 500 for want
// of a descriptor to open their file with.
func (l *loop) fdReserve() int { return max(16, l.ch.threads) }

// shouldAccept is the accept gate (SPEC.md 3.3 with eventmpm's difference):
// stop when no worker is idle, or when the connections that need a worker
// reach ThreadsPerChild + AsyncRequestWorkerFactor × idle workers.
//
// Connections parked in the event loop waiting for the client to send a
// request — idle keep-alive ones, new ones that sent nothing yet, and ones
// whose request head is incomplete — hold no worker and are not counted.
// In Apache a worker blocks reading an incomplete head, so it counts those;
// here that would let a few dozen slowloris connections (a head trickled,
// never finished) shut the gate of every child until RequestReadTimeout
// cut them off, while the backlog behind them, normal clients included,
// waited: 100 of them kept a one-child server from answering anyone for
// two minutes. The event loop holds such connections at the cost of a
// descriptor and a small buffer, and RequestReadTimeout bounds them.
func (l *loop) shouldAccept() bool {
	l.gateIdle = l.hand.available() // before any early return: see wait
	if l.draining || l.stopping || len(l.listeners) == 0 {
		return false
	}
	if l.pausedUntil != 0 {
		if l.now < l.pausedUntil {
			return false
		}
		l.pausedUntil = 0
	}
	if l.deferUntil != 0 {
		if l.now < l.deferUntil {
			return false
		}
		l.deferUntil, l.deferExpired = 0, true
	}
	if l.fdCeiling != 0 {
		switch {
		case l.now >= l.fdCeilingUntil:
			l.fdCeiling = 0 // the limit may have been raised: try again
		case l.nconns >= l.fdCeiling && l.keepAliveQ.n == 0:
			return false // keep the reserve; with idle ones, shortage closes them
		}
	}
	idle := l.gateIdle
	if idle <= 0 {
		return false
	}
	// A retired worker's connection needs no worker (see retire.go).
	needWorker := l.nconns - l.keepAliveQ.n - l.newQ.n - l.readQ.n - int(l.ch.retired.Load())
	limit := l.ch.threads + int(l.ch.factor*float64(idle))
	return needWorker < limit
}

// gateAccept opens or closes the accept gate as shouldAccept says.
func (l *loop) gateAccept() {
	if l.shouldAccept() {
		l.openGate()
		if l.deferExpired {
			l.takeLeftovers()
		}
	} else {
		l.closeGate()
	}
}

func (l *loop) openGate() {
	if l.accepting {
		return
	}
	for _, ls := range l.listeners {
		if err := l.poller.AddListener(ls.fd); err != nil {
			l.log.Error("cannot poll listener", "module", "mpm_event", "listener", ls.addr, "err", err)
		}
	}
	l.accepting = true
	if l.sharing {
		l.sharing = false // back from leaving connections to siblings: not worth a line
		return
	}
	l.ch.proc.SetNotAccepting(false)
	l.log.Debug("Accepting new connections again", "module", "mpm_event", "ah", "AH00457",
		"connections", l.nconns, "idle_workers", l.hand.parked.Load())
}

func (l *loop) closeGate() {
	if !l.accepting {
		return
	}
	for _, ls := range l.listeners {
		_ = l.poller.RemoveListener(ls.fd)
	}
	l.accepting = false
	if l.sharing {
		// Still available to new connections, for the siblings' choice
		// and for the parent's count of idle workers (which leaves out
		// children not accepting, and would start more children to make
		// up for this one's).
		return
	}
	l.ch.proc.SetNotAccepting(true)
	l.log.Debug("not accepting new connections in this process", "module", "mpm_event",
		"connections", l.nconns, "idle_workers", l.hand.parked.Load())
}

// sockaddrToAddrPort converts an accepted peer address.
func sockaddrToAddrPort(sa unix.Sockaddr) netip.AddrPort {
	switch a := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(a.Addr), uint16(a.Port))
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(a.Addr).Unmap(), uint16(a.Port))
	}
	return netip.AddrPort{}
}
