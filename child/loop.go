package child

import (
	"log/slog"
	"runtime"
	"runtime/debug"
	"sync/atomic"
	"time"

	"eventmpm/child/poll"

	"golang.org/x/sys/unix"
)

// Requests to the event goroutine from other goroutines (loop.requests).
const (
	reqGraceful uint32 = 1 << iota
	reqStop
	reqReopenLogs
)

const (
	// maxPark bounds how long the event goroutine parks: it bumps the
	// scoreboard heartbeat and takes in handed-back connections at least
	// this often, so timeouts fire at most this late.
	maxPark = time.Second
	// publishEvery is how often the connection counters reach the
	// scoreboard under load.
	publishEvery = int64(50 * time.Millisecond)
	// acceptBatch bounds the accepts per listener event so one busy
	// listener cannot starve the other connections.
	acceptBatch = 64
	// shortLinger and longLinger are Apache's lingering-close times
	// (SECONDS_TO_LINGER and MAX_SECS_TO_LINGER).
	shortLinger = 2 * time.Second
	longLinger  = 30 * time.Second
	// shortageBackoff is how long accepting pauses when the child runs
	// out of descriptors and has no idle connection to close.
	shortageBackoff = 100 * time.Millisecond
	// fdCeilingHold is how long a child that ran out of descriptors with
	// no idle connection to close keeps its connections fdReserve below
	// the number it held then (see loop.fdReserve).
	fdCeilingHold = 10 * time.Second
	// drainNewGrace is how long a connection that has sent nothing yet may
	// stay when the child starts a graceful stop.
	drainNewGrace = 2 * time.Second
	// yieldAfter is how long the event goroutine runs, finding work in
	// every poll, before it offers the CPU to other processes (see wait).
	yieldAfter = int64(300 * time.Microsecond)
)

// loop is the child's single event goroutine and what it owns: the
// listeners, every connection not held by a worker, and the timeout queues.
type loop struct {
	ch        *Child
	log       *slog.Logger
	poller    *poll.Poller
	listeners []*listener
	conns     []*conn // by descriptor; event goroutine only
	events    []poll.Event
	rsa       unix.RawSockaddrAny // accept's peer address buffer

	newQ, keepAliveQ, readQ, writeQ, lingerQ timeoutQueue
	handshakeQ                               timeoutQueue // TLS handshakes waiting for the client

	handback  atomic.Pointer[conn] // Treiber stack of handed-back conns
	hand      handoff              // ready connections to the workers
	handedOut int                  // conns handed to workers since the last wait
	busySince int64                // since when every wait found work; 0 after a park
	yield     func()               // yieldCPU; tests count the calls
	cpus      int                  // CPUs this child may run on (runtime.NumCPU)
	crowded   bool                 // more live children than cpus: a saturated loop yields
	busy      atomic.Int32         // workers serving a connection
	wantWake  atomic.Bool          // workers must wake the loop on hand-back
	requests  atomic.Uint32        // reqGraceful | reqStop | reqReopenLogs

	accepting bool
	// gateIdle is how many workers were available when the accept gate
	// last looked (shouldAccept); wait compares it with the count again
	// once workers are told to wake it.
	gateIdle    int
	pausedUntil int64 // descriptor shortage back-off
	// Sharing the CPUs with siblings (share.go): until deferUntil the
	// listeners are left to them (sharing is set while so; deferExpired
	// once the spell is over, until takeLeftovers), deferEnded is when a
	// spell last ended with connections left waiting, lastStamp the last
	// activity stamp.
	deferUntil, deferEnded, lastStamp int64
	sharing, deferExpired             bool
	nconns                            int
	accepted                          int64
	maxAccepted                       int64 // MaxConnectionsPerChild, 0 = unlimited
	draining                          bool
	stopping                          bool
	now                               int64
	revalidated                       bool // the open-file cache was revalidated after now
	lastPublish                       int64
	publishLater                      bool // a publish was skipped for publishEvery; park no longer
	lastHeartbeat                     int64
	shortageLog                       int64
	// fdCeiling, when set, is how many connections a child short of
	// descriptors holds at most, until fdCeilingUntil.
	fdCeiling      int
	fdCeilingUntil int64
}

// run is the event loop. Each iteration reads as a checklist: park until
// something is ready or the next deadline, dispatch the ready descriptors,
// take in what workers handed back, expire timeouts, act on requests from
// the supervisor, open or close the accept gate, and publish the counters.
func (l *loop) run() error {
	// A fault in the scoreboard mapping (its file truncated under us)
	// becomes a panic that iterate recovers, not a crash.
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	for !l.finished() {
		if err := l.iterate(); err != nil {
			return err
		}
	}
	l.publish(true)
	return nil
}

// iterate is one pass of the event loop.
func (l *loop) iterate() error {
	defer l.recoverFault()
	n, err := l.wait()
	if err != nil {
		return err
	}
	l.now = time.Now().UnixNano()
	l.revalidated = false
	l.stampActive()
	l.dispatchEvents(l.events[:n])
	l.drainHandbacks()
	l.expireTimeouts()
	l.applyRequests()
	l.gateAccept()
	l.publish(false)
	return nil
}

// recoverFault handles a scoreboard fault during an iteration: the
// scoreboard is repaired (or detached) and the loop goes on; the rest of
// the iteration's work is picked up by the next one (events harvested but
// not dispatched are lost, so their connections wait for their timeout).
func (l *loop) recoverFault() {
	r := recover()
	if r == nil {
		return
	}
	if !l.ch.sb.IsFault(r) {
		panic(r)
	}
	l.ch.scoreboardFault()
}

// finished reports whether a draining or stopping child has nothing left.
func (l *loop) finished() bool {
	return (l.draining || l.stopping) && l.nconns == 0 && l.handback.Load() == nil
}

// wait parks until an event, a wake-up, or the next deadline.
//
// When it has just handed out work, it first yields to the workers. With
// the child's CPU share, that usually means one processor, and the
// workers are runnable but not running: polling at once would find
// nothing new, and parking would cost the runtime's own epoll_wait and a
// wake-up before this goroutine could look again. After the yield the
// workers have answered and handed their connections back (so the poll
// below does not block), and under load the next requests are already in.
//
// When the live children outnumber the CPUs this child may run on, and
// every poll has found work for yieldAfter, the child is saturated on a
// core it shares with a sibling, and it offers the CPU. It would otherwise
// keep the core until the kernel's next tick (4 ms at HZ=250) while the
// connections of the sibling wait: with two children on one core, the p99
// of keep-alive requests was 5.5 to 7.9 ms without the yield and 2.2 to
// 3.0 ms with it. With no other runnable process the yield returns at
// once. Children that each have a CPU of their own do not yield: there
// the yield would only hand their core to other programs early, and in the
// graceful-restart soak (load clients on the same two cores) children that
// always yielded served fewer requests in each try (686,000 and 772,000
// raw requests, against 742,000 to 1,005,000 in four tries without).
func (l *loop) wait() (int, error) {
	if l.handedOut > 0 {
		l.handedOut = 0
		runtime.Gosched()
	}
	timeout := l.parkTimeout()
	if l.crowded && l.busySince != 0 && l.now-l.busySince >= yieldAfter {
		l.yield()
		l.busySince = l.now
	}
	// Workers must wake us when we wait on them: the accept gate is shut
	// (a worker going idle may open it), or we are draining. A worker
	// publishes itself (handback, avail) before it reads wantWake, and we
	// store wantWake before we read them again, so one of the two sees
	// the other: a worker that went idle after the gate looked, but read
	// wantWake before it was set, is found here. Without that look the
	// loop parked for maxPark with its gate shut: the workers of a fresh
	// child usually park only after newLoop's first gateAccept, and on a
	// loaded machine before the first wait set wantWake, so the first
	// connection to a new child waited a second.
	l.wantWake.Store(!l.accepting || l.draining || l.stopping)
	if l.handback.Load() != nil || l.requests.Load() != 0 ||
		(!l.accepting && l.hand.available() > l.gateIdle) {
		timeout = 0
	}
	n, err := l.poller.Wait(l.events, timeout)
	if err != nil {
		return 0, err
	}
	if l.poller.Parked() {
		l.busySince = 0
	} else if l.busySince == 0 {
		l.busySince = l.now
	}
	return n, nil
}

// parkTimeout is the time to the earliest queue deadline, at most maxPark.
func (l *loop) parkTimeout() time.Duration {
	now := time.Now().UnixNano()
	next := now + int64(maxPark)
	for _, q := range l.queues() {
		if d := q.next(); d != 0 && d < next {
			next = d
		}
	}
	if l.pausedUntil != 0 && l.pausedUntil < next {
		next = l.pausedUntil
	}
	if l.deferUntil != 0 && l.deferUntil < next {
		next = l.deferUntil
	}
	if l.publishLater && l.lastPublish+publishEvery < next {
		next = l.lastPublish + publishEvery
	}
	if next <= now {
		return 0
	}
	return time.Duration(next - now)
}

func (l *loop) queues() [6]*timeoutQueue {
	return [6]*timeoutQueue{&l.newQ, &l.keepAliveQ, &l.readQ, &l.writeQ, &l.lingerQ, &l.handshakeQ}
}

// dispatchEvents acts on each ready descriptor.
func (l *loop) dispatchEvents(evs []poll.Event) {
	for _, ev := range evs {
		fd := int(ev.Fd)
		if fd < len(l.conns) && l.conns[fd] != nil {
			l.connEvent(l.conns[fd], ev.Flags)
			continue
		}
		if ls := l.listenerFor(fd); ls != nil {
			l.acceptFrom(ls)
		}
	}
}

func (l *loop) listenerFor(fd int) *listener {
	for _, ls := range l.listeners {
		if ls.fd == fd {
			return ls
		}
	}
	return nil
}

// connEvent records readiness for a worker-owned connection, or acts on it
// for one the event goroutine owns.
func (l *loop) connEvent(c *conn, f poll.Flags) {
	if tw := c.tunnel.Load(); tw != nil {
		tw.signal(f)
		return
	}
	for {
		s := c.state.Load()
		if s&stClosed != 0 {
			return
		}
		if s&stWorker == 0 {
			break
		}
		add := uint32(0)
		if f&(poll.Readable|poll.Hangup|poll.Error) != 0 {
			add |= stPendIn
		}
		if f&(poll.Writable|poll.Error) != 0 {
			add |= stPendOut
		}
		if c.state.CompareAndSwap(s, s|add) {
			return
		}
	}
	c.hup = f&(poll.Hangup|poll.Error) != 0
	switch c.phase {
	case phaseNew, phaseKeepAlive, phaseRead:
		if f&(poll.Readable|poll.Hangup|poll.Error) != 0 {
			l.revalidate()
			c.edgeAt = l.now
			l.dispatch(c)
		}
	case phaseWrite:
		if f&(poll.Writable|poll.Hangup|poll.Error) != 0 {
			l.dispatch(c)
		}
	case phaseLinger:
		l.lingerRead(c)
	case phaseHandshake:
		if f&(poll.Readable|poll.Hangup|poll.Error) != 0 {
			l.wakeHandshake(c, hsReadable)
		}
	}
}

// revalidate brings the open-file cache up to date with the file-system
// changes notified so far, once per iteration and before the first
// connection it dispatches for input: their requests arrived before l.now,
// which the sync started after, so the workers' cache hits need no sync
// (see conn.edgeAt).
func (l *loop) revalidate() {
	if l.revalidated {
		return
	}
	l.revalidated = true
	if s := l.ch.main; s != nil && s.static != nil {
		s.static.Revalidate(l.now)
	}
}

// dispatch hands a connection the event goroutine owns to a worker.
func (l *loop) dispatch(c *conn) {
	if c.q != nil {
		c.q.remove(c)
	}
	c.state.Store(stWorker)
	l.handedOut++
	l.hand.push(c)
}

// handBack is called by a worker that gave up its connection (state already
// swapped to loop-owned, or stClosed). The event goroutine picks it up in
// drainHandbacks; a connection already on the list is not pushed twice.
func (l *loop) handBack(c *conn) {
	if c.inHandback.Swap(true) {
		return
	}
	for {
		head := l.handback.Load()
		c.hbNext = head
		if l.handback.CompareAndSwap(head, c) {
			break
		}
	}
	if l.wantWake.Load() {
		l.poller.Wake()
	}
}

// drainHandbacks files every handed-back connection into the queue of its
// phase, or forgets it when its worker closed it.
func (l *loop) drainHandbacks() {
	c := l.handback.Swap(nil)
	for c != nil {
		next := c.hbNext
		c.hbNext = nil
		c.inHandback.Store(false)
		s := c.state.Load()
		switch {
		case s&stClosed != 0:
			l.forget(c)
		case s&stWorker == 0 && c.dispatchNow:
			c.dispatchNow = false
			l.dispatch(c)
		case s&stWorker == 0:
			l.file(c)
		}
		c = next
	}
}

// file puts a loop-owned connection into the queue of its phase.
func (l *loop) file(c *conn) {
	if c.phase == phaseHandshake {
		if l.stopping {
			l.wakeHandshake(c, hsClosing) // its goroutine closes it
			return
		}
		l.handshakeQ.push(c)
		return
	}
	if l.stopping {
		l.closeConn(c)
		return
	}
	switch c.phase {
	case phaseNew:
		l.newQ.push(c)
	case phaseKeepAlive:
		if l.draining {
			l.closeConn(c)
			return
		}
		l.keepAliveQ.push(c)
	case phaseRead:
		l.readQ.push(c)
	case phaseWrite:
		l.writeQ.push(c)
	case phaseLinger:
		l.lingerQ.push(c)
	}
}

// forget drops a closed connection from the table and the count, once. A
// connection can be reported twice: a worker hands it back (lingering
// close, say), the event goroutine sees its hang-up in the same iteration,
// before it takes in the hand-back list, and closes it (closeConn); the
// hand-back list then still holds it, closed. Counting it twice drove
// nconns negative, and a stopping child never saw zero and never exited.
func (l *loop) forget(c *conn) {
	if c.forgotten {
		return
	}
	c.forgotten = true
	if c.fd >= 0 && c.fd < len(l.conns) && l.conns[c.fd] == c {
		l.conns[c.fd] = nil
	}
	l.nconns--
}

// closeConn closes a connection the event goroutine owns.
func (l *loop) closeConn(c *conn) {
	if c.q != nil {
		c.q.remove(c)
	}
	c.release()
	closeSocket(c.fd)
	c.state.Store(stClosed)
	l.forget(c)
}

// expireTimeouts acts on every connection whose deadline passed.
func (l *loop) expireTimeouts() {
	for c := l.keepAliveQ.expired(l.now); c != nil; c = l.keepAliveQ.expired(l.now) {
		l.closeConn(c)
	}
	for _, q := range [2]*timeoutQueue{&l.newQ, &l.readQ} {
		for c := q.expired(l.now); c != nil; c = q.expired(l.now) {
			c.phase = phaseTimedOut
			l.dispatch(c)
		}
	}
	for _, q := range [2]*timeoutQueue{&l.writeQ, &l.lingerQ} {
		for c := q.expired(l.now); c != nil; c = q.expired(l.now) {
			l.closeConn(c)
		}
	}
	for c := l.handshakeQ.expired(l.now); c != nil; c = l.handshakeQ.expired(l.now) {
		l.wakeHandshake(c, hsTimedOut)
	}
}

// lingerRead drains and discards input of a lingering connection, closing
// it at end of input or on error.
func (l *loop) lingerRead(c *conn) {
	var buf [4096]byte
	for i := 0; i < 16; i++ {
		n, err := readSocket(c.fd, buf[:])
		if err == unix.EAGAIN {
			return
		}
		if err == unix.EINTR {
			continue
		}
		if n <= 0 || err != nil {
			l.closeConn(c)
			return
		}
	}
}
