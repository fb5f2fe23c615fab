package child

import (
	"cmp"
	"io"
	"log/slog"
	"net/http"
	"os"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"eventmpm/child/poll"
	"eventmpm/internal/errorlog"
)

// Protocol upgrades through the proxy (WebSocket), as mod_proxy_http does
// them since Apache 2.4.47: a ws:// backend passes on a client's "Upgrade:
// WebSocket", a route with upgrade= the protocols it names ("*" for any).
// The backend gets "Connection: Upgrade" and the client's Upgrade; when it
// answers 101 with the same protocol, the client gets the 101 with the
// backend's fields and the connection becomes a tunnel: bytes go both ways
// until either side closes, or until neither sent anything for the longer
// of the route's timeout and the server's Timeout.
//
// Unlike Apache's, an open tunnel holds no worker (the third of the event
// MPM's complaints in SPEC.md section 7: WebSockets pin a thread each and
// exhaust MaxRequestWorkers). The worker that switched the protocol hands
// its place in the pool and its scoreboard slot to a new worker (retire)
// and goes on as the tunnel's goroutine; the tunnel waits for the client's
// socket on the event goroutine (tunnelWaits), never in a blocked thread,
// and for the backend in the runtime's poller. The scoreboard counts open
// tunnels among the connections waiting for I/O (ConnsAsyncWaitIO, as
// Apache 2.4.63 shows its async waits).

// proxyUpgradeFor returns the client's Upgrade value when the request's
// route passes it on (ap_proxy_worker_can_upgrade), "" otherwise.
func (w *worker) proxyUpgradeFor() string {
	v := w.req.Get("Upgrade")
	if len(v) == 0 {
		return ""
	}
	up := string(v)
	if allowed := w.proxyRoute.cfg.Upgrade; allowed != "" {
		if allowed == "*" || strings.EqualFold(allowed, up) || hasListToken(allowed, up) {
			return up
		}
		return ""
	}
	if (w.proxyRoute.cfg.WebSocket || w.proxyWS) && strings.EqualFold(up, "WebSocket") {
		return up
	}
	return ""
}

// hasListToken reports whether the comma-separated list holds tok,
// without regard to case (ap_find_token).
func hasListToken(list, tok string) bool {
	for item := range strings.SplitSeq(list, ",") {
		if strings.EqualFold(strings.TrimSpace(item), tok) {
			return true
		}
	}
	return false
}

// switchProtocols answers a backend's 101: with the protocol the request
// asked for, the client gets the 101 and the connection is tunnelled to
// the backend, then closed; any other is 502, "Unexpected Upgrade".
func (w *worker) switchProtocols(c *conn, resp *http.Response) {
	got := resp.Header.Get("Upgrade")
	backend, ok := resp.Body.(io.ReadWriteCloser)
	if w.proxyUpgrade == "" || !ok || !strings.EqualFold(got, w.proxyUpgrade) {
		resp.Body.Close()
		w.proxyFailed(c, 502, "Unexpected Upgrade: "+cmp.Or(got, "n/a")+" (expecting "+cmp.Or(w.proxyUpgrade, "n/a")+")", nil, false)
		return
	}
	defer backend.Close()
	tw, err := w.waitOnLoop(c) // the tunnel waits for the client on the event goroutine
	if err != nil {
		w.proxyFailed(c, 500, "cannot watch connection for the tunnel", err, false)
		return
	}
	w.status = 101
	h := append(w.head[:0], "HTTP/1.1 101 Switching Protocols\r\n"...)
	for _, k := range [...]string{"Server", "Date"} { // an interim response has the backend's, or none
		for _, v := range resp.Header[k] {
			h = append(append(append(append(h, k...), ": "...), v...), "\r\n"...)
		}
	}
	h = w.appendBackendHeader(h, resp)
	h = append(h, "Connection: Upgrade\r\nUpgrade: "...)
	h = append(h, got...)
	h = append(h, "\r\n\r\n"...)
	w.head = h
	w.sent = 0
	w.retire(true)
	if err := w.writeWaiting(c, h, time.Duration(w.srv.timeout), tw.wait); err == nil {
		w.tunnel(c, tw, backend, got, max(w.proxyRoute.timeout, time.Duration(w.srv.timeout)))
	}
	w.complete0(c, false)
}

// tunnelWaits is how a tunnel's two directions wait for the client's
// socket: the event goroutine signals readiness (connEvent) on channels
// of capacity one, so an edge that comes between a read that found
// nothing and the wait is kept, and a stale one only costs a read.
type tunnelWaits struct {
	readable, writable chan struct{}
}

// waitOnLoop makes the event goroutine signal the connection's readiness
// to the channels it returns, instead of keeping it as pending bits for
// a worker: for a tunnel, and for a retired worker waiting for its client
// (clientWait). The connection is registered with the poller, for
// writability too, if it was not. Both channels start signalled, since
// an edge may have become a pending bit just before: the waiter's next
// read or write finds out. giveBack ends it.
func (w *worker) waitOnLoop(c *conn) (*tunnelWaits, error) {
	if tw := c.tunnel.Load(); tw != nil {
		return tw, nil
	}
	if !c.registered {
		if err := w.l.poller.AddConn(c.fd); err != nil {
			return nil, err
		}
		c.registered = true
	}
	if !c.out.armed {
		if err := w.l.poller.WatchWritable(c.fd); err != nil {
			return nil, err
		}
		c.out.armed = true
	}
	tw := &tunnelWaits{readable: make(chan struct{}, 1), writable: make(chan struct{}, 1)}
	c.tunnel.Store(tw)
	notify(tw.readable)
	notify(tw.writable)
	return tw, nil
}

// signal passes the event goroutine's readiness flags on.
func (tw *tunnelWaits) signal(f poll.Flags) {
	if f&(poll.Readable|poll.Hangup|poll.Error) != 0 {
		notify(tw.readable)
	}
	if f&(poll.Writable|poll.Hangup|poll.Error) != 0 {
		notify(tw.writable)
	}
}

// notify sends on a channel of capacity one unless a send waits there.
func notify(ch chan struct{}) {
	select {
	case ch <- struct{}{}:
	default:
	}
}

// wait is an fdWaiter for the tunnel's client socket.
func (tw *tunnelWaits) wait(_ int, events int16, timeout time.Duration) error {
	ch := tw.readable
	if events&unix.POLLOUT != 0 {
		ch = tw.writable
	}
	select {
	case <-ch:
		return nil
	default:
	}
	t := time.NewTimer(timeout)
	defer t.Stop()
	select {
	case <-ch:
		return nil
	case <-t.C:
		return os.ErrDeadlineExceeded
	}
}

// tunnelChunk is the size of a tunnel's pooled buffers, taken while bytes
// move; tunnelIdleChunk the one a silent backend is waited for with.
const (
	tunnelChunk     = 16 << 10
	tunnelIdleChunk = 1 << 10
)

// tunnel relays bytes between the client's socket and the backend until
// either side closes or fails, or nothing moved either way for timeout.
// The backend's bytes go to the client on a goroutine of their own; this
// one reads the client. When the backend's side ends, that goroutine
// shuts the socket's reading down, which ends this one's read.
func (w *worker) tunnel(c *conn, tw *tunnelWaits, backend io.ReadWriteCloser, proto string, timeout time.Duration) {
	w.logProxy(slog.LevelDebug, "proxy_http", "AH10239", "HTTP: tunneling protocol "+proto, nil)
	var last atomic.Int64 // when bytes last moved, unix nanoseconds
	last.Store(time.Now().UnixNano())
	writeTimer := time.AfterFunc(timeout, func() { backend.Close() })
	writeTimer.Stop()
	toBackend := func(b []byte) bool {
		writeTimer.Reset(timeout) // a backend that takes nothing for so long is closed
		_, err := backend.Write(b)
		writeTimer.Stop()
		last.Store(time.Now().UnixNano())
		return err == nil
	}
	// The client's bytes that came with its request head (or after it)
	// are the tunnel's first.
	if c.in != nil && c.in.len() > 0 {
		n := c.in.len()
		ok := toBackend(c.in.data())
		c.in.consume(n)
		w.bodyIn += int64(n)
		if !ok {
			return
		}
	}
	var sent atomic.Int64
	done := make(chan struct{})
	go func() {
		defer close(done)
		// While the backend is silent the read waits with a small buffer;
		// a read that fills it takes a pooled one for what follows, given
		// back after the first read that does not fill it.
		var small [tunnelIdleChunk]byte
		var big *[]byte
		for {
			buf := small[:]
			if big != nil {
				buf = *big
			}
			n, err := backend.Read(buf)
			if n > 0 {
				last.Store(time.Now().UnixNano())
				if w.writeWaiting(c, buf[:n], timeout, tw.wait) != nil {
					break
				}
				sent.Add(int64(n))
			}
			if err != nil {
				break
			}
			switch {
			case big == nil && n == len(buf):
				big = w.ch.tunnelBufs.Get().(*[]byte)
			case big != nil && n < len(buf):
				w.ch.tunnelBufs.Put(big)
				big = nil
			}
		}
		if big != nil {
			w.ch.tunnelBufs.Put(big)
		}
		_ = unix.Shutdown(c.fd, unix.SHUT_RD) // the client's side reads the end
		notify(tw.readable)
	}()
	for {
		bp := w.ch.tunnelBufs.Get().(*[]byte)
		n, err := w.readClient(c, *bp)
		if n > 0 {
			w.bodyIn += int64(n)
			ok := toBackend((*bp)[:n])
			w.ch.tunnelBufs.Put(bp)
			if !ok {
				break
			}
			continue
		}
		w.ch.tunnelBufs.Put(bp) // an idle tunnel holds no buffer for the client
		if err == unix.EINTR {
			continue
		}
		if err != unix.EAGAIN {
			break // the client closed (or the backend's side ended), or failed
		}
		idle := time.Duration(time.Now().UnixNano() - last.Load())
		if idle >= timeout {
			w.logProxy(errorlog.LevelTrace2, "proxy", "AH10213", "proxy: "+proto+": polling timed out", nil)
			break
		}
		if err := tw.wait(c.fd, unix.POLLIN, timeout-idle); err != nil && !isTimeout(err) {
			break
		}
	}
	backend.Close() // ends the goroutine's read
	<-done
	w.sent += sent.Load()
}
