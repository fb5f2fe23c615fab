package child

import (
	"sync"
	"time"
)

// Retiring workers: a connection that waits long for something other
// than its client holds no worker of the pool. Apache's event MPM frees
// its threads of idle keep-alive connections only; a WebSocket, a
// long-poll, a stream of server-sent events or a slow backend pins one
// thread each, and MaxRequestWorkers runs out (SPEC.md section 7, the
// third and fourth complaints). Here a worker in that position hands its
// place in the pool, with its scoreboard slot and its access log buffers,
// to a new worker, and goes on serving its request as a goroutine of its
// own: at once for a tunnel (see switchProtocols), for a request whose
// proxied HTTP server has kept it waiting for retireAfter (for its
// response or the next part of its body; retirePressed when no worker of
// the pool is idle), and for one whose client has taken nothing of such a
// response for retireAfter (clientWait).
//
// Scripts are left out: a CGI program per request, or a FastCGI
// application's fixed pool of processes, is what MaxRequestWorkers
// protects, and with their workers let go a slow application would get
// ever more requests (more programs forked, an FPM backlog that overflows
// into 503s), where Apache keeps them waiting in the listen queue.
//
// A retired worker holds no thread while it waits (the runtime's poller
// for the backend, the event goroutine for the client: waitOnLoop), and
// ends with its request: the connection goes back to the event goroutine,
// which hands its next request to a worker of the pool (handOn). Requests
// served so are counted in the scoreboard when they retire (their bytes
// after that are not: the slot's counters have one writer), are shown
// among the connections waiting for I/O (ConnsAsyncWaitIO), and do not
// count as connections that need a worker in the accept gate. Their
// access log lines are written when they end, as any.

// retireAfter is how long a worker waits on a backend before it retires,
// and retirePressed how long while no worker of the pool is idle (the
// next connections wait for one). Shorter waits keep the worker:
// MaxRequestWorkers still bounds the requests a backend gets at once while
// it answers promptly. Under pressure a burst of long-polls gets through
// ThreadsPerChild every retirePressed (ProxyPass max= bounds the
// connections a backend gets).
const (
	retireAfter   = time.Second
	retirePressed = 100 * time.Millisecond
)

// retireWatch is a worker's watch over a wait on a backend. While armed,
// its timer looks every retirePressed and retires the worker from the
// timer's goroutine once the wait lasted retireAfter, or at once when no
// worker of the pool is idle; mu orders that with the worker's own
// goroutine, which touches none of what retire changes while the watch
// is armed.
type retireWatch struct {
	mu    sync.Mutex
	armed bool
	since int64 // when the wait began, unix nanoseconds
	timer *time.Timer
}

// mayRetire reports whether the request may let its worker go when it
// waits: a request mod_proxy_http serves (not a script's, see above).
func (w *worker) mayRetire() bool {
	return w.l != nil && w.proxyRoute != nil && !w.proxyRoute.cfg.FCGI
}

// armRetire starts watching a wait on a backend (see retireWatch).
func (w *worker) armRetire() {
	if w.retired || !w.mayRetire() {
		return
	}
	w.watch.mu.Lock()
	defer w.watch.mu.Unlock() // the timer's goroutine reads timer under it
	w.watch.armed, w.watch.since = true, nowNano()
	if w.watch.timer == nil {
		w.watch.timer = time.AfterFunc(retirePressed, w.retireLate)
	} else {
		w.watch.timer.Reset(retirePressed)
	}
}

// disarmRetire ends the watch armRetire started; after it, the worker
// sees whether it retired meanwhile.
func (w *worker) disarmRetire() {
	if w.watch.timer == nil {
		return
	}
	w.watch.timer.Stop()
	w.watch.mu.Lock()
	w.watch.armed = false
	w.watch.mu.Unlock()
}

// retireLate is the watch's timer: the worker retires once the wait
// lasted retireAfter, or now when no worker of the pool is idle; else the
// timer looks again.
func (w *worker) retireLate() {
	w.watch.mu.Lock()
	defer w.watch.mu.Unlock()
	if !w.watch.armed {
		return
	}
	if waited := time.Duration(nowNano() - w.watch.since); waited < retireAfter && w.l.hand.available() > 0 {
		w.watch.timer.Reset(min(retirePressed, retireAfter-waited))
		return
	}
	w.watch.armed = false
	w.retire(false) // the worker may be using its buffers
}

// retire hands the worker's place in the pool, its scoreboard slot and
// its access log buffers to a new worker (with giveBuffers, its buffers
// for bodies too, which a tunnel does not use), unless it retired
// already. From here the worker serves its request without a slot and
// ends with it (turn, handOn).
func (w *worker) retire(giveBuffers bool) {
	if w.retired {
		return
	}
	if w.slot != nil {
		w.slot.EndRequest(0, time.Since(w.start))
	}
	next := w.ch.newWorker(w.id, w.slot)
	next.logs, w.logs = w.logs, nil // logRequest makes new ones
	if giveBuffers {
		next.proxyBuf, w.proxyBuf = w.proxyBuf, nil
		next.copyBuf, w.copyBuf = w.copyBuf, nil
		next.fcgiReq, next.fcgiResp, next.fcgiHead = w.fcgiReq, w.fcgiResp, w.fcgiHead
		w.fcgiReq, w.fcgiResp, w.fcgiHead = nil, nil, nil
	}
	w.slot = nil
	w.retired = true
	w.l.busy.Add(-1)
	w.ch.retired.Add(1)
	w.ch.workerGroup.Add(1)
	go func() {
		defer w.ch.workerGroup.Done()
		next.run()
	}()
}

// clientWait is the fdWaiter of a worker that writes to its client (a
// proxied or a script's response): waitFD, but a wait that lasts
// retireAfter retires the worker, and a retired worker waits on the event
// goroutine (waitOnLoop), not in poll(2): a slow client holds neither a
// worker of the pool nor a thread.
func (w *worker) clientWait(fd int, events int16, timeout time.Duration) error {
	c := w.cur
	if c == nil || c.fd != fd || !w.retired && !w.mayRetire() {
		return waitFD(fd, events, timeout)
	}
	if !w.retired && c.tunnel.Load() == nil {
		if timeout <= retireAfter {
			return waitFD(fd, events, timeout)
		}
		if err := waitFD(fd, events, retireAfter); !isTimeout(err) {
			return err
		}
		timeout -= retireAfter
		w.retire(false)
	}
	tw, err := w.waitOnLoop(c)
	if err != nil {
		return waitFD(fd, events, timeout)
	}
	return tw.wait(fd, events, timeout)
}

// handOn gives the connection of a retired worker, its request answered
// and kept alive, back to the event goroutine, which hands it to a worker
// of the pool at once: its next request may be buffered already.
func (w *worker) handOn(c *conn) {
	c.dispatchNow = true
	for !w.giveBack(c, phaseKeepAlive, 0) {
	}
}
