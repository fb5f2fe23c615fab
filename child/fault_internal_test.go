package child

import (
	"net/netip"
	"os"
	"runtime/debug"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// faultConf is the configuration of the scoreboard-fault tests.
const faultConf = "Listen 127.0.0.1:80\nDocumentRoot htdocs\n"

// truncateScoreboard cuts the test child's scoreboard file to nothing, as
// an operator's mistake would: every access to the mapping then faults.
func truncateScoreboard(t *testing.T, tc *testChild) {
	t.Helper()
	if err := os.Truncate(tc.ch.sb.File().Name(), 0); err != nil {
		t.Fatal(err)
	}
}

// TestWorkerSurvivesScoreboardFault: a worker whose turn faults on a
// truncated scoreboard closes the connection it was serving (its state is
// unknown) and goes on serving the next one. It used to take the fault for
// the end of the loop and exit, so each fault cost the child a worker for
// good, and a child whose scoreboard was truncated a few times under load
// had none left.
func TestWorkerSurvivesScoreboardFault(t *testing.T) {
	tc := newTestChild(t, faultConf, map[string]string{"a.txt": "alpha\n"})
	done := make(chan struct{})
	go func() { tc.w.run(); close(done) }()
	eventually(t, "the worker waiting for work", func() bool { return tc.l.hand.parked.Load() > 0 })
	const req = "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n"
	c1, peer1 := tc.connect(t)
	if _, err := peer1.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	truncateScoreboard(t, tc)
	tc.l.hand.push(c1)
	eventually(t, "the connection served during the fault closed", func() bool {
		return c1.state.Load()&stClosed != 0
	})
	c2, peer2 := tc.connect(t)
	if _, err := peer2.Write([]byte(req)); err != nil {
		t.Fatal(err)
	}
	tc.l.hand.push(c2)
	var got string
	eventually(t, "the next connection answered by the same worker", func() bool {
		got += readAvailable(t, peer2)
		return strings.HasSuffix(got, "\r\n\r\nalpha\n")
	})
	tc.l.hand.close()
	<-done
}

// eventually polls cond every millisecond for up to 5 s.
func eventually(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(5 * time.Second); !cond(); time.Sleep(time.Millisecond) {
		if time.Now().After(deadline) {
			t.Fatalf("waited 5s for %s", what)
		}
	}
}

// TestAdoptDispatchesBeforeScoreboard: a fault on the scoreboard while the
// event loop takes in a new connection must not leave the connection
// counted but in no queue, no poller and no worker's hands: it is
// dispatched before the scoreboard is touched.
func TestAdoptDispatchesBeforeScoreboard(t *testing.T) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	tc := newTestChild(t, faultConf, nil)
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[1])
	truncateScoreboard(t, tc)
	func() {
		defer func() {
			if r := recover(); r == nil || !tc.ch.sb.IsFault(r) {
				t.Fatalf("adopt on a truncated scoreboard: got %v, want a fault in the mapping", r)
			}
		}()
		tc.l.adopt(fds[0], testListener, netip.MustParseAddrPort("127.0.0.1:40000"))
	}()
	c := tc.dispatched()
	if c == nil {
		t.Fatal("the connection was not dispatched before the fault")
	}
	if c.fd != fds[0] {
		t.Fatalf("dispatched fd %d, want %d", c.fd, fds[0])
	}
	unix.Close(c.fd)
}
