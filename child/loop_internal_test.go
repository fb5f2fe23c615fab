package child

import (
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"eventmpm/child/static"
	"eventmpm/shm"

	"golang.org/x/sys/unix"
)

// TestLingerCloseWhileHandedBack is the race that left a stopped child
// running forever: a worker starts a lingering close and hands the
// connection back; before the event goroutine takes in the hand-back list,
// it sees the client's hang-up and closes the connection itself. The
// hand-back list then reported the closed connection a second time, the
// connection count went to -1, and finished() (nconns == 0) never held.
func TestLingerCloseWhileHandedBack(t *testing.T) {
	tc := newTestChild(t, "Listen 127.0.0.1:80\nDocumentRoot htdocs\n", nil)
	c, peer := tc.connect(t)
	tc.w.lingeringClose(c) // shutdown(SHUT_WR), drain, hand back in phaseLinger
	if c.phase != phaseLinger || !c.inHandback.Load() {
		t.Fatalf("got phase %v, on hand-back list %v; want phaseLinger, true", c.phase, c.inHandback.Load())
	}
	peer.Close() // the client reads the EOF and closes
	tc.iterate(t)
	if got := c.state.Load(); got&stClosed == 0 {
		t.Fatalf("got state %#x, want the connection closed by the event goroutine", got)
	}
	if tc.l.nconns != 0 {
		t.Errorf("got nconns %d, want 0", tc.l.nconns)
	}
	tc.iterate(t)
	if tc.l.nconns != 0 {
		t.Errorf("after another iteration: got nconns %d, want 0", tc.l.nconns)
	}
}

// TestReplyAfterSegments: a worker that answered a multipart/byteranges
// request from a file (Reply.Segments) kept a non-nil, empty Segments after
// Reply.Release, and every later body on that worker was dropped: the
// header promised Content-Length bytes that never came, and error pages
// (404 after it) went out empty.
func TestReplyAfterSegments(t *testing.T) {
	// The file is fresh, so the open-file cache keeps it out of memory
	// and a multi-range answer is built from Segments.
	tc := newTestChild(t, "Listen 127.0.0.1:80\nDocumentRoot htdocs\n",
		map[string]string{"d.txt": "0123456789abcdefghij"})
	c, peer := tc.connect(t)
	steps := []struct {
		name, req, wantTail string
	}{
		{name: "multi-range", req: "GET /d.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=0-1,5-6\r\n\r\n", wantTail: "--\r\n"},
		{name: "whole-file", req: "GET /d.txt HTTP/1.1\r\nHost: x\r\n\r\n", wantTail: "\r\n\r\n0123456789abcdefghij"},
		{name: "single-range", req: "GET /d.txt HTTP/1.1\r\nHost: x\r\nRange: bytes=2-4\r\n\r\n", wantTail: "\r\n\r\n234"},
		{name: "not-found", req: "GET /nope HTTP/1.1\r\nHost: x\r\n\r\n", wantTail: "</body></html>\n"},
	}
	for _, st := range steps {
		got := tc.serveOnce(t, c, peer, st.req)
		if len(got) < len(st.wantTail) || got[len(got)-len(st.wantTail):] != st.wantTail {
			t.Errorf("%s: got %q, want it to end in %q", st.name, got, st.wantTail)
		}
	}
}

// TestNewConnectionTimeout drives the header-stage timeout of a new
// connection through the loop: one that sent nothing is closed without a
// response (the integration test cannot reach this case on Linux, where
// TCP_DEFER_ACCEPT keeps such connections in the kernel); one that sent
// part of a request line gets 408 and a lingering close.
func TestNewConnectionTimeout(t *testing.T) {
	for _, tc := range []struct {
		name, sent, wantPrefix string
	}{
		{name: "silent", sent: "", wantPrefix: ""},
		{name: "partial", sent: "GET /a HT", wantPrefix: "HTTP/1.1 408 Request Timeout\r\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := newTestChild(t, "Listen 127.0.0.1:80\nDocumentRoot htdocs\nRequestReadTimeout header=1\n", nil)
			c, peer := ch.connect(t)
			if tc.sent != "" {
				peer.Write([]byte(tc.sent))
			}
			ch.w.serve(c) // reads what there is, then hands the connection back
			ch.l.drainHandbacks()
			wantQ := &ch.l.newQ
			if tc.sent != "" {
				wantQ = &ch.l.readQ
			}
			if c.q != wantQ {
				t.Fatalf("got queue %v, want %s", c.q, wantQ.name)
			}
			ch.l.now = c.deadline
			ch.l.expireTimeouts()
			got := ch.dispatched() // with phaseTimedOut
			if got != c || c.phase != phaseTimedOut {
				t.Fatalf("got %p phase %v, want the connection in phaseTimedOut", got, c.phase)
			}
			ch.w.serve(c)
			ch.l.drainHandbacks()
			out := readAvailable(t, peer)
			if len(out) < len(tc.wantPrefix) || out[:len(tc.wantPrefix)] != tc.wantPrefix || (tc.wantPrefix == "" && out != "") {
				t.Errorf("got %q, want %q...", out, tc.wantPrefix)
			}
			if tc.sent == "" && c.state.Load()&stClosed == 0 {
				t.Errorf("got state %#x, want closed", c.state.Load())
			}
			if tc.sent != "" && c.q != &ch.l.lingerQ {
				t.Errorf("got queue %v, want linger", c.q)
			}
		})
	}
}

// TestWriteContinuedByAnotherWorker: a response that would block is handed
// back to the loop and continued later by whichever worker is free. pend
// took the write deadline from the worker's own last site (w.srv), which
// belongs to another connection, and is nil in a worker that has served
// nothing yet: the child crashed with a nil dereference as soon as a fresh
// worker continued a slow download.
func TestWriteContinuedByAnotherWorker(t *testing.T) {
	big := strings.Repeat("0123456789abcdef", 1<<16) // 1 MiB, more than a socketpair holds
	tc := newTestChild(t, "Listen 127.0.0.1:80\nDocumentRoot htdocs\nTimeout 7\n", map[string]string{"big.bin": big})
	c, peer := tc.connect(t)
	got := tc.serveOnce(t, c, peer, "GET /big.bin HTTP/1.1\r\nHost: x\r\n\r\n")
	if c.phase != phaseWrite || c.q != &tc.l.writeQ {
		t.Fatalf("got phase %v queue %v, want the write pending in the write queue", c.phase, c.q)
	}
	fresh := &worker{ch: tc.ch, l: tc.l, slot: tc.ch.proc.Worker(1), reply: new(static.Reply), wait: newWaiter()}
	fresh.req.ContentLength = -1
	for i := 0; len(got) < len(big) && i < 1000; i++ {
		tc.l.writeQ.remove(c)
		c.state.Store(stWorker)
		before := nowNano()
		fresh.serve(c) // writes what fits, then pends again
		tc.l.drainHandbacks()
		if c.q == &tc.l.writeQ {
			if d := c.deadline - before; d < int64(6*time.Second) || d > int64(8*time.Second) {
				t.Fatalf("got a write deadline %v away, want Timeout 7s", time.Duration(d))
			}
		}
		got += readAvailable(t, peer)
	}
	if !strings.HasSuffix(got, big) {
		t.Errorf("got %d bytes, want the head and the %d bytes of the file", len(got), len(big))
	}
}

// TestPublishNotLeftStale: counters that change within publishEvery of the
// last publish are not published then; the loop must not park for maxPark
// with the stale values in the scoreboard (it did, so `eventmpm status`
// and ?auto lagged up to a second behind a burst of connections).
func TestPublishNotLeftStale(t *testing.T) {
	tc := newTestChild(t, "Listen 127.0.0.1:80\nDocumentRoot htdocs\n", nil)
	l := tc.l
	l.now = nowNano()
	l.publish(true)
	l.nconns = 7 // a burst right after
	l.publish(false)
	if got := l.parkTimeout(); got > time.Duration(publishEvery) {
		t.Errorf("got park timeout %v, want at most publishEvery %v", got, time.Duration(publishEvery))
	}
	l.now += publishEvery
	l.publish(false)
	var snap shm.Snapshot
	tc.ch.sb.Snapshot(&snap)
	if got := snap.Processes[0].Connections; got != 7 {
		t.Errorf("got Connections %d, want 7", got)
	}
	if got := l.parkTimeout(); got < time.Duration(publishEvery) {
		t.Errorf("after publishing: got park timeout %v, want the normal maxPark", got)
	}
}

// TestWorkerFlushesLogsOnExit: a worker flushed its access-log buffer only
// before it blocked for more work. When the loop ended right after the
// worker's last request (the connection that drained the child, or the
// last under MaxConnectionsPerChild), next saw the closed channel first
// and the worker exited with the line still buffered: the request was
// never logged.
func TestWorkerFlushesLogsOnExit(t *testing.T) {
	tc := newTestChild(t, "Listen 127.0.0.1:80\nDocumentRoot htdocs\nLogFormat \"%r %>s\" short\nCustomLog logs/access_log short\n",
		map[string]string{"a.txt": "alpha\n"})
	c, peer := tc.connect(t)
	tc.serveOnce(t, c, peer, "GET /a.txt HTTP/1.1\r\nHost: x\r\nConnection: close\r\n\r\n")
	tc.l.hand.close()
	tc.w.run() // the loop is gone: the worker exits at once
	tc.ch.closeLogs()
	b, err := os.ReadFile(filepath.Join(filepath.Dir(tc.ch.cfg.Server.DocumentRoot), "logs", "access_log"))
	if err != nil {
		t.Fatal(err)
	}
	if got, want := string(b), "GET /a.txt HTTP/1.1 200\n"; got != want {
		t.Errorf("got log %q, want %q", got, want)
	}
}

// TestHalfCloseAfterKeepAliveRequest: a client on a keep-alive connection
// sends a request and shuts down its side at once. Both arrive while the
// connection waits in the keep-alive queue, so one event carries them, and
// the worker's read gets the request but not yet the end of input. Since
// the worker skips the read that would only say EAGAIN after a short
// read, it must still read to the EOF that the hang-up announced, or the
// connection sits in CLOSE_WAIT until KeepAliveTimeout.
func TestHalfCloseAfterKeepAliveRequest(t *testing.T) {
	tc := newTestChild(t, "Listen 127.0.0.1:80\nDocumentRoot htdocs\nKeepAliveTimeout 30\n", map[string]string{"a.txt": "alpha\n"})
	c, peer := tc.connect(t)
	tc.serveOnce(t, c, peer, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
	if c.q != &tc.l.keepAliveQ {
		t.Fatalf("got queue %v, want keep-alive", c.q)
	}
	tc.iterate(t) // nothing pending
	if _, err := peer.Write([]byte("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	if err := unix.Shutdown(int(peer.Fd()), unix.SHUT_WR); err != nil {
		t.Fatal(err)
	}
	tc.iterate(t) // one event: readable and hung up
	if got := tc.dispatched(); got != c {
		t.Fatalf("%s: dispatched %p, want %p", "the request was not dispatched", got, c)
	}
	tc.w.serve(c)
	tc.l.drainHandbacks()
	if out := readAvailable(t, peer); !strings.HasSuffix(out, "\r\n\r\nalpha\n") {
		t.Errorf("got %q, want the answer", out)
	}
	if s := c.state.Load(); s&stClosed == 0 {
		t.Errorf("got state %#x in queue %v, want the connection closed at the end of input", s, c.q)
	}
}

// TestHalfCloseSeenWhileWorkerHolds: the same half-close, but the request
// and the hang-up arrive while the worker still holds the connection after
// its previous answer. The event becomes the pending bit, which the
// worker's hand-back consumes; it then reads the request with a short
// read, and with the hang-up's edge already spent it must not skip the
// read that finds the end of input.
func TestHalfCloseSeenWhileWorkerHolds(t *testing.T) {
	tc := newTestChild(t, "Listen 127.0.0.1:80\nDocumentRoot htdocs\nKeepAliveTimeout 30\n", map[string]string{"a.txt": "alpha\n"})
	c, peer := tc.connect(t)
	tc.serveOnce(t, c, peer, "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")
	// Back to the moment after that answer, before the hand-back: the
	// worker holds the connection, its buffer empty, its last read short.
	tc.l.keepAliveQ.remove(c)
	c.state.Store(stWorker)
	c.in, c.drained, c.hup = tc.ch.bufs.get(), true, false
	if _, err := peer.Write([]byte("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	if err := unix.Shutdown(int(peer.Fd()), unix.SHUT_WR); err != nil {
		t.Fatal(err)
	}
	tc.iterate(t) // the event finds the worker owning it: pending bit
	if s := c.state.Load(); s&stPendIn == 0 {
		t.Fatalf("got state %#x, want the pending-input bit", s)
	}
	tc.w.readRequests(c)
	tc.l.drainHandbacks()
	if out := readAvailable(t, peer); !strings.HasSuffix(out, "\r\n\r\nalpha\n") {
		t.Errorf("got %q, want the answer", out)
	}
	if s := c.state.Load(); s&stClosed == 0 {
		t.Errorf("got state %#x in queue %v, want the connection closed at the end of input", s, c.q)
	}
}

// TestYieldWhenSaturated: on a crowded machine the event goroutine offers
// the CPU once it has found work in every poll for yieldAfter, and not
// before; a wait that parks starts the count again.
func TestYieldWhenSaturated(t *testing.T) {
	tc := newTestChild(t, "Listen 127.0.0.1:80\nDocumentRoot htdocs\n", nil)
	l := tc.l
	yields := 0
	l.yield = func() { yields++ }
	l.crowded = true
	_, peer := tc.connect(t)
	busy := func() { // a wait that finds work at once
		t.Helper()
		if _, err := peer.Write([]byte("x")); err != nil {
			t.Fatal(err)
		}
		if n, err := l.wait(); n != 1 || err != nil {
			t.Fatalf("wait with data ready: got %d, %v; want 1, nil", n, err)
		}
	}
	start := l.now
	busy()
	if l.busySince != start {
		t.Fatalf("busySince after a busy wait: got %d, want %d", l.busySince, start)
	}
	l.now = start + yieldAfter - 1
	busy()
	if yields != 0 {
		t.Fatalf("yields before yieldAfter: got %d, want 0", yields)
	}
	l.now = start + yieldAfter
	busy()
	if yields != 1 {
		t.Fatalf("yields after yieldAfter: got %d, want 1", yields)
	}
	busy() // the count restarts at the yield
	if yields != 1 {
		t.Fatalf("yields right after a yield: got %d, want 1", yields)
	}
	go func() { time.Sleep(20 * time.Millisecond); peer.Write([]byte("y")) }()
	if n, err := l.wait(); n != 1 || err != nil {
		t.Fatalf("wait for later data: got %d, %v; want 1, nil", n, err)
	}
	if l.busySince != 0 {
		t.Fatalf("busySince after a park: got %d, want 0", l.busySince)
	}
	l.now += 10 * yieldAfter
	busy()
	if yields != 1 {
		t.Fatalf("yields on the first busy wait after a park: got %d, want 1", yields)
	}
}

// TestYieldOnlyWhenCrowded: the loop yields only while the live children
// outnumber its CPUs, as the scoreboard shows them at each heartbeat.
func TestYieldOnlyWhenCrowded(t *testing.T) {
	tc := newTestChild(t, "Listen 127.0.0.1:80\nDocumentRoot htdocs\nServerLimit 4\n", nil)
	l := tc.l
	yields := 0
	l.yield = func() { yields++ }
	l.cpus = 1
	heartbeat := func() {
		l.now += int64(time.Second)
		l.publish(false)
	}
	heartbeat()
	if got := tc.ch.liveChildren(); got != 1 || l.crowded {
		t.Fatalf("one child, one CPU: got %d live, crowded %v; want 1, false", got, l.crowded)
	}
	_, peer := tc.connect(t)
	saturated := func() { // two busy waits yieldAfter apart
		t.Helper()
		for i := 0; i < 2; i++ {
			if _, err := peer.Write([]byte("x")); err != nil {
				t.Fatal(err)
			}
			if n, err := l.wait(); n != 1 || err != nil {
				t.Fatalf("wait with data ready: got %d, %v; want 1, nil", n, err)
			}
			l.now += yieldAfter
		}
	}
	saturated()
	if yields != 0 {
		t.Fatalf("yields with a CPU per child: got %d, want 0", yields)
	}
	sibling := tc.ch.sb.Process(1)
	if !sibling.Claim(os.Getppid(), 0) {
		t.Fatal("could not claim a second process slot")
	}
	heartbeat()
	if got := tc.ch.liveChildren(); got != 2 || !l.crowded {
		t.Fatalf("two children, one CPU: got %d live, crowded %v; want 2, true", got, l.crowded)
	}
	saturated()
	if yields == 0 {
		t.Fatal("no yield with two children on one CPU")
	}
	l.cpus = 2
	heartbeat()
	if l.crowded {
		t.Fatal("two children, two CPUs: crowded")
	}
	sibling.Release()
	heartbeat()
	if got := tc.ch.liveChildren(); got != 1 {
		t.Fatalf("after the sibling's release: got %d live, want 1", got)
	}
}

// TestWaitSeesWorkersParkedBeforeIt: newLoop looks at the accept gate
// before the workers start, so the gate starts shut. Workers that went
// idle before the loop's first wait read wantWake while it was still
// false and woke no one; the loop then parked for maxPark with its gate
// shut, and the first connection to a fresh child on a loaded machine
// waited a second.
func TestWaitSeesWorkersParkedBeforeIt(t *testing.T) {
	tc := newTestChild(t, "Listen 127.0.0.1:80\nDocumentRoot htdocs\n", nil)
	l := tc.l
	l.listeners = []*listener{{fd: loopbackListener(t, unix.SOCK_NONBLOCK), addr: "127.0.0.1:0", proto: "http"}}
	l.now = nowNano()
	l.gateAccept()
	if l.accepting {
		t.Fatal("the gate is open with no worker started")
	}
	// A worker parks while wantWake is false: it wakes no one.
	if c, closed := l.hand.take(&tc.w.wait); c != nil || closed {
		t.Fatalf("take: got %v, closed %v; want to park", c, closed)
	}
	if l.wantWake.Load() {
		t.Fatal("wantWake set before the first wait")
	}
	if _, err := l.wait(); err != nil {
		t.Fatal(err)
	}
	if l.poller.Parked() {
		t.Fatal("the loop parked with its gate shut and an idle worker it had not seen")
	}
	l.gateAccept()
	if !l.accepting {
		t.Fatal("the gate stayed shut with an idle worker")
	}
	// Nothing changed since the gate looked: the next wait may park (the
	// listener has nothing waiting, so it parks until the timeout).
	l.closeGate()
	l.gateIdle = l.hand.available()
	l.pausedUntil = nowNano() + int64(time.Millisecond) // bounds the park below
	if _, err := l.wait(); err != nil {
		t.Fatal(err)
	}
	if !l.poller.Parked() {
		t.Error("the loop spun with its gate shut and no new idle worker")
	}
}
