package child_test

import (
	"strings"
	"testing"

	"eventmpm/internal/itest"

	"golang.org/x/sys/unix"
)

// TestDescriptorShortage: a child short of descriptors closes its oldest
// idle keep-alive connections to accept new ones (SPEC.md 0) instead of
// refusing service. The test lowers the running child's RLIMIT_NOFILE to
// 64 and opens 100 keep-alive connections one after the other; every one
// is answered (OPTIONS *, which needs no file), the oldest are closed, the
// newest still serves, and the error log says why.
func TestDescriptorShortage(t *testing.T) {
	t.Parallel()
	s := startServerQuiet(t, "KeepAliveTimeout 120\nLogLevel info\n", connFiles)
	lim := unix.Rlimit{Cur: 64, Max: 64}
	if err := unix.Prlimit(s.proc.Cmd.Process.Pid, unix.RLIMIT_NOFILE, &lim, nil); err != nil {
		t.Skipf("prlimit: %v", err)
	}
	const n = 100
	conns := make([]*rawConn, n)
	for i := range conns {
		c := s.open(t)
		resp, _ := c.roundTrip("OPTIONS * HTTP/1.1\r\nHost: localhost\r\n\r\n", "OPTIONS")
		if resp.StatusCode != 200 || resp.Close {
			t.Fatalf("connection %d: got %d (close %v), want 200 kept alive", i, resp.StatusCode, resp.Close)
		}
		conns[i] = c
	}
	conns[0].expectClosed()
	resp, _ := conns[n-1].roundTrip("OPTIONS * HTTP/1.1\r\nHost: localhost\r\n\r\n", "OPTIONS")
	if resp.StatusCode != 200 {
		t.Errorf("the newest connection: got %d, want 200", resp.StatusCode)
	}
	itest.Eventually(t, ioWait, "the shortage in the error log", func() bool {
		return strings.Contains(s.proc.Stderr.String()+s.logFile("error_log"), "out of descriptors")
	})
}
