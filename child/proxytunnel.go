package child

import (
	"cmp"
	"io"
	"log/slog"
	"net/http"
	"strings"
	"sync/atomic"
	"time"

	"golang.org/x/sys/unix"

	"eventmpm/internal/errorlog"
)

// Protocol upgrades through the proxy (WebSocket), as mod_proxy_http does
// them since Apache 2.4.47: a ws:// backend passes on a client's "Upgrade:
// WebSocket", a route with upgrade= the protocols it names ("*" for any).
// The backend gets "Connection: Upgrade" and the client's Upgrade; when it
// answers 101 with the same protocol, the client gets the 101 with the
// backend's fields and the connection becomes a tunnel: bytes go both ways
// until either side closes, or until neither sent anything for the longer
// of the route's timeout and the server's Timeout. As in Apache, the
// worker holds the connection while the tunnel is open.

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
	if err := w.writeBlocking(c, h, time.Duration(w.srv.timeout)); err != nil {
		w.complete0(c, false)
		return
	}
	w.tunnel(c, backend, got, max(w.proxyRoute.timeout, time.Duration(w.srv.timeout)))
	w.complete0(c, false)
}

// tunnel relays bytes between the client's socket and the backend until
// either side closes or fails, or nothing moved either way for timeout.
// The backend's bytes go to the client on a goroutine of their own; the
// worker reads the client. When the backend's side ends, that goroutine
// shuts the socket's reading down, which wakes the worker's poll at once.
func (w *worker) tunnel(c *conn, backend io.ReadWriteCloser, proto string, timeout time.Duration) {
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
		buf := make([]byte, copyChunk)
		for {
			n, err := backend.Read(buf)
			if n > 0 {
				last.Store(time.Now().UnixNano())
				if w.writeBlocking(c, buf[:n], timeout) != nil {
					break
				}
				sent.Add(int64(n))
			}
			if err != nil {
				break
			}
		}
		_ = unix.Shutdown(c.fd, unix.SHUT_RD) // the worker's poll returns, its read finds the end
	}()
	if w.proxyBuf == nil {
		w.proxyBuf = make([]byte, copyChunk+32)
	}
	buf := w.proxyBuf[:copyChunk]
	for {
		n, err := w.readClient(c, buf)
		if n > 0 {
			w.bodyIn += int64(n)
			if !toBackend(buf[:n]) {
				break
			}
			continue
		}
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
		if err := waitFD(c.fd, unix.POLLIN, timeout-idle); err != nil && !isTimeout(err) {
			break
		}
	}
	backend.Close() // ends the goroutine's read
	<-done
	w.sent += sent.Load()
}
