package child

import (
	"io"
	"log/slog"
	"net/netip"
	"os"
	"path/filepath"
	"testing"
	"time"

	"eventmpm/child/static"
	"eventmpm/config"
	"eventmpm/shm"

	"golang.org/x/sys/unix"
)

// testChild is a Child with its event loop and one worker, built from a
// configuration but driven by the test itself: no listeners, no worker
// goroutines. Tests feed it connections made with socketpair(2) and call
// the loop's and the worker's steps directly.
type testChild struct {
	ch *Child
	l  *loop
	w  *worker
}

// newTestChild builds a testChild from conf (an httpd.conf body; "{{ROOT}}"
// is the temporary ServerRoot) with files under its htdocs.
func newTestChild(t testing.TB, conf string, files map[string]string) *testChild {
	t.Helper()
	root := t.TempDir()
	for _, d := range []string{"conf", "htdocs", "logs"} {
		if err := os.MkdirAll(filepath.Join(root, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	for name, body := range files {
		p := filepath.Join(root, "htdocs", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.WriteFile(filepath.Join(root, "conf", "eventmpm.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
	cfg, err := config.Load(config.Options{ServerRoot: root})
	if err != nil {
		t.Fatal(err)
	}
	sb, err := shm.Create(filepath.Join(root, "logs", "sb"), shm.Layout{ServerLimit: cfg.MPM.ServerLimit, ThreadLimit: cfg.MPM.ThreadLimit})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { sb.Close() })
	sb.Process(0).Claim(os.Getpid(), 0)
	ch, err := newChild(Params{Config: cfg, Scoreboard: sb, Log: slog.New(slog.NewTextHandler(io.Discard, nil))})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(ch.closeLogs)
	t.Cleanup(ch.closeSites)
	l, err := ch.newLoop(nil)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { l.poller.Close() })
	w := &worker{ch: ch, l: l, slot: ch.proc.Worker(0), reply: new(static.Reply), wait: newWaiter()}
	w.slot.Start(ch.pid, ch.gen)
	for _, lg := range ch.logs {
		w.logs = append(w.logs, lg.NewBuffer())
	}
	w.req.ContentLength = -1
	return &testChild{ch: ch, l: l, w: w}
}

// testListener stands for the listener a test connection came from.
var testListener = &listener{fd: -1, addr: "127.0.0.1:80", proto: "http", port: 80,
	local: netip.MustParseAddrPort("127.0.0.1:80")}

// connect makes a connection the way adopt does (registered with the
// poller, counted, owned by a worker) over a socketpair and returns it
// with the client's end (blocking).
func (tc *testChild) connect(t testing.TB) (*conn, *os.File) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := unix.SetNonblock(fds[0], true); err != nil {
		t.Fatal(err)
	}
	peer := os.NewFile(uintptr(fds[1]), "client")
	t.Cleanup(func() { peer.Close() })
	l := tc.l
	c := newConn(fds[0], testListener, netip.MustParseAddrPort("127.0.0.1:40000"))
	tc.ch.setBase(c)
	c.keepAliveTimeout = c.base.keepAliveTimeout
	c.state.Store(stWorker)
	if c.fd >= len(l.conns) {
		l.growConns(c.fd)
	}
	l.conns[c.fd] = c
	l.nconns++
	if err := l.poller.AddConn(c.fd); err != nil {
		t.Fatal(err)
	}
	c.registered = true
	return c, peer
}

// iterate runs the first steps of one event-loop iteration, in run's
// order, without blocking: harvest events, act on them, take in hand-backs.
func (tc *testChild) iterate(t testing.TB) {
	t.Helper()
	l := tc.l
	n, err := l.poller.Wait(l.events, 0)
	if err != nil {
		t.Fatal(err)
	}
	l.dispatchEvents(l.events[:n])
	l.drainHandbacks()
}

// dispatched takes the connection the loop queued for a worker, as a
// worker's get would, or returns nil when none is queued.
func (tc *testChild) dispatched() *conn {
	taker := newWaiter()
	c, _ := tc.l.hand.poll(&taker)
	return c
}

// serveOnce writes req from the client's end, gives the connection to the
// worker as dispatch would (taking it off its timeout queue), runs one
// worker turn, takes in the hand-back, and returns every byte the client
// can read without waiting.
func (tc *testChild) serveOnce(t testing.TB, c *conn, peer *os.File, req string) string {
	t.Helper()
	if _, err := peer.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	if c.q != nil {
		c.q.remove(c)
	}
	c.state.Store(stWorker)
	tc.w.serve(c)
	tc.l.drainHandbacks()
	return readAvailable(t, peer)
}

// readAvailable reads what the client's end has buffered, without blocking.
func readAvailable(t testing.TB, peer *os.File) string {
	t.Helper()
	var out []byte
	buf := make([]byte, 64<<10)
	for {
		n, _, err := unix.Recvfrom(int(peer.Fd()), buf, unix.MSG_DONTWAIT)
		if n > 0 {
			out = append(out, buf[:n]...)
		}
		if err == unix.EINTR {
			continue
		}
		if err != nil || n == 0 {
			return string(out)
		}
	}
}

// waitCacheable waits until the file is old enough for the open-file cache
// (its ctime more than the static handler's 2 s racy window ago).
func waitCacheable(t testing.TB, path string) {
	t.Helper()
	var st unix.Stat_t
	if err := unix.Stat(path, &st); err != nil {
		t.Fatal(err)
	}
	ready := time.Unix(st.Ctim.Unix()).Add(2100 * time.Millisecond)
	time.Sleep(time.Until(ready))
	if _, err := os.Stat(path); err != nil {
		t.Fatal(err)
	}
}

// loopbackListener opens a listening TCP socket on 127.0.0.1 (a free
// port), with extra socket flags (unix.SOCK_NONBLOCK), closed at the
// test's end.
func loopbackListener(t testing.TB, flags int) int {
	t.Helper()
	lfd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC|flags, 0)
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(lfd) })
	if err := unix.Bind(lfd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(lfd, 8); err != nil {
		t.Fatal(err)
	}
	return lfd
}
