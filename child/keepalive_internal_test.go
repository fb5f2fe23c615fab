package child

import (
	"strings"
	"testing"
)

// TestPendingInputThenKeepAlive: a request arrives while the worker still
// holds the connection after its previous answer, so its event becomes the
// pending bit and the worker reads on (taking the bit as a possible
// hang-up, it reads until EAGAIN). Its last successful read was short,
// which once left the connection marked "drained" after that EAGAIN: the
// next request's event then dispatched it to a worker that skipped the
// read and handed it straight back, the edge spent, and the request sat
// unanswered until KeepAliveTimeout closed the connection (net/http's
// client retried it: a 5 s stall every few dozen keep-alive requests).
func TestPendingInputThenKeepAlive(t *testing.T) {
	tc := newTestChild(t, "Listen 127.0.0.1:80\nDocumentRoot htdocs\nKeepAliveTimeout 30\n", map[string]string{"a.txt": "alpha\n"})
	c, peer := tc.connect(t)
	const req = "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
	tc.serveOnce(t, c, peer, req)
	// Back to the moment after that answer, before the hand-back.
	tc.l.keepAliveQ.remove(c)
	c.state.Store(stWorker)
	c.in, c.drained, c.hup = tc.ch.bufs.get(), true, false
	if _, err := peer.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	tc.iterate(t) // the event finds the worker owning it: pending bit
	tc.w.readRequests(c)
	tc.l.drainHandbacks()
	if out := readAvailable(t, peer); !strings.HasSuffix(out, "\r\n\r\nalpha\n") {
		t.Fatalf("second request: got %q, want the answer", out)
	}
	if c.q != &tc.l.keepAliveQ {
		t.Fatalf("after the second request: got queue %v, want keep-alive", c.q)
	}

	// The third request comes while the connection waits in the
	// keep-alive queue: its event must get it read and answered.
	if _, err := peer.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	tc.iterate(t)
	if got := tc.dispatched(); got != c {
		t.Fatalf("%s: dispatched %p, want %p", "the third request was not dispatched", got, c)
	}
	tc.w.serve(c)
	tc.l.drainHandbacks()
	if out := readAvailable(t, peer); !strings.HasSuffix(out, "\r\n\r\nalpha\n") {
		t.Errorf("third request: got %q, want the answer", out)
	}
}
