package child_test

import (
	"io"
	"net"
	"os"
	"strings"
	"sync"
	"testing"
	"time"
)

// TestKeepAliveLimits covers MaxKeepAliveRequests (the Nth response says
// "Connection: close" and the connection ends), KeepAlive Off, and
// KeepAliveTimeout (the server closes an idle connection, silently).
func TestKeepAliveLimits(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name, conf string
		closeAfter int // the response that closes the connection
	}{
		{name: "max-keepalive-requests-3", conf: "MaxKeepAliveRequests 3\n", closeAfter: 3},
		{name: "max-keepalive-requests-1", conf: "MaxKeepAliveRequests 1\n", closeAfter: 1},
		{name: "keepalive-off", conf: "KeepAlive Off\n", closeAfter: 1},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			s := startConnServer(t, tc.conf)
			c := s.open(t)
			for i := 1; i <= tc.closeAfter; i++ {
				resp, body := c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
				if resp.StatusCode != 200 || body != "alpha\n" {
					t.Fatalf("request %d: got %d %q, want 200 %q", i, resp.StatusCode, body, "alpha\n")
				}
				if want := i == tc.closeAfter; resp.Close != want {
					t.Fatalf("request %d: got Connection: close %v, want %v", i, resp.Close, want)
				}
			}
			c.expectClosed()
		})
	}
	t.Run("keepalive-timeout", func(t *testing.T) {
		t.Parallel()
		s := startConnServer(t, "KeepAliveTimeout 1\n")
		c := s.open(t)
		resp, _ := c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
		if resp.Close {
			t.Fatalf("got Connection: close, want keep-alive")
		}
		start := time.Now()
		c.expectClosed() // no 408 or anything else: a silent close
		if waited := time.Since(start); waited < 500*time.Millisecond {
			t.Errorf("closed after %v, before the 1s KeepAliveTimeout", waited)
		}
	})
	t.Run("keepalive-timeout-ms", func(t *testing.T) {
		t.Parallel()
		s := startConnServer(t, "KeepAliveTimeout 300ms\n")
		c := s.open(t)
		c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
		c.expectClosed()
	})
}

// TestMaxConnectionsPerChild: with MaxConnectionsPerChild 3 the -X child
// stops gracefully once it has accepted its third connection: that one is
// still served, every connection is closed after its answer, the listener
// is closed (new connections are refused), and the process exits with
// status 0, as httpd -X does.
func TestMaxConnectionsPerChild(t *testing.T) {
	t.Parallel()
	s := startServerQuiet(t, "MaxConnectionsPerChild 3\nKeepAliveTimeout 30\n"+
		"LogFormat \"%h %l %u %t \\\"%r\\\" %>s %b\" common\nCustomLog logs/access_log common\n", connFiles)
	var conns []*rawConn
	for i := 1; i <= 3; i++ {
		c := s.open(t)
		resp, body := c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
		if resp.StatusCode != 200 || body != "alpha\n" {
			t.Fatalf("connection %d: got %d %q, want 200 %q", i, resp.StatusCode, body, "alpha\n")
		}
		// The third may say "Connection: close" or not: its worker can
		// answer before the loop starts the drain (in Apache too, the
		// listener starts it after pushing the connection to a worker).
		if i < 3 && resp.Close {
			t.Errorf("connection %d: got Connection: close, want keep-alive", i)
		}
		conns = append(conns, c)
	}
	for _, c := range conns {
		c.expectClosed()
	}
	err, ok := s.proc.Wait(t, ioWait)
	if !ok {
		t.Fatalf("the child did not exit after MaxConnectionsPerChild")
	}
	if err != nil {
		t.Fatalf("got exit %v, want status 0", err)
	}
	if _, err := net.DialTimeout("tcp", s.addr, time.Second); err == nil {
		t.Errorf("a fourth connection was accepted")
	}
	// Every request is logged, the last one included (its worker exits
	// right after it).
	if got := strings.Count(s.logFile("access_log"), `"GET /a.txt HTTP/1.1" 200 6`); got != 3 {
		t.Errorf("got %d access log lines, want 3:\n%s", got, s.logFile("access_log"))
	}
}

// TestRequestReadTimeout covers mod_reqtimeout's header stage: a client
// trickling header bytes, or stopping halfway, gets 408 and the connection
// closes; a connection that never sends anything is closed without a
// response (a browser's preconnect).
func TestRequestReadTimeout(t *testing.T) {
	t.Parallel()
	s := startConnServer(t, "RequestReadTimeout header=1-2,MinRate=100\n")
	expect408 := func(t *testing.T, c *rawConn) {
		t.Helper()
		resp, body := c.read("GET")
		if resp.StatusCode != 408 || !resp.Close || !strings.Contains(body, "<title>408 Request Timeout</title>") {
			t.Fatalf("got %d (close %v) %q, want 408 with Connection: close", resp.StatusCode, resp.Close, body)
		}
		c.expectClosed()
	}
	t.Run("trickle", func(t *testing.T) {
		t.Parallel()
		c := s.open(t)
		c.send("GET /a.txt HTTP/1.1\r\nHost: localhost\r\n")
		stop := make(chan struct{})
		var wg sync.WaitGroup
		wg.Add(1)
		go func() { // one header byte every 100 ms, never the end of the head
			defer wg.Done()
			tick := time.NewTicker(100 * time.Millisecond)
			defer tick.Stop()
			for i := 0; i < 100; i++ {
				select {
				case <-stop:
					return
				case <-tick.C:
				}
				if _, err := c.Write([]byte{"X-Slow: abcdefgh"[i%16]}); err != nil {
					return
				}
			}
		}()
		defer wg.Wait()
		defer close(stop)
		expect408(t, c)
	})
	t.Run("half-request-line", func(t *testing.T) {
		t.Parallel()
		c := s.open(t)
		c.send("GET /a.txt HTT")
		expect408(t, c)
	})
	t.Run("blank-line-only", func(t *testing.T) {
		t.Parallel()
		c := s.open(t)
		c.send("\r\n")
		expect408(t, c)
	})
}

// TestSilentConnection: a connection that never sends anything is closed
// at the header stage's timeout without a response (a browser's
// preconnect; Apache's mod_reqtimeout logs no 408 line for it either).
func TestSilentConnection(t *testing.T) {
	t.Parallel()
	s := startServerQuiet(t, "RequestReadTimeout header=1-2,MinRate=100\n", connFiles)
	c := s.open(t)
	time.Sleep(300 * time.Millisecond)
	if snap := s.readScoreboard(t); snap.Processes[0].Connections == 0 {
		// Linux's TCP_DEFER_ACCEPT keeps a connection that has sent
		// nothing in the kernel for 30s; the child never sees it.
		t.Skip("the silent connection never reached the child: the listener has TCP_DEFER_ACCEPT (supervisor/listen_linux.go)")
	}
	c.expectClosed()
}

// TestSlowReader covers Timeout on write completion: clients that stop
// reading a large response hold no worker (more of them than
// ThreadsPerChild wait in the event loop, shown as ConnsAsyncWriting),
// another client is served meanwhile, and the server cuts the slow ones
// off after Timeout.
func TestSlowReader(t *testing.T) {
	t.Parallel()
	root := startConnServer(t, "Timeout 2\nSendBufferSize 65536\n")
	// A 16 MiB sparse file: more than the socket buffers can hold.
	f, err := os.Create(root.root.Path("htdocs", "big.bin"))
	if err != nil {
		t.Fatal(err)
	}
	const size = 16 << 20
	if err := f.Truncate(size); err != nil {
		t.Fatal(err)
	}
	f.Close()
	s := root
	const slow = 6 // > ThreadsPerChild 4
	var slowConns []net.Conn
	for i := 0; i < slow; i++ {
		c := s.dial(t)
		io.WriteString(c, "GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
		slowConns = append(slowConns, c)
	}
	pollScoreboard(t, "ConnsAsyncWriting to count the slow readers", func() bool {
		return s.readScoreboard(t).Processes[0].WriteCompletion == slow
	})
	for i := 0; i < 3; i++ {
		c := s.open(t)
		resp, body := c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", "GET")
		if resp.StatusCode != 200 || body != "alpha\n" {
			t.Fatalf("other client: got %d %q, want 200 %q", resp.StatusCode, body, "alpha\n")
		}
	}
	// The server cuts them off after Timeout: they leave the scoreboard.
	// (A client may see the FIN late: the kernel still owes it the
	// closed socket's send buffer, behind a zero window.)
	pollScoreboard(t, "the slow readers to be cut off", func() bool {
		p := s.readScoreboard(t).Processes[0]
		return p.WriteCompletion == 0 && p.Connections == 0
	})
	for i, c := range slowConns {
		c.SetReadDeadline(time.Now().Add(200 * time.Millisecond))
		n, _ := io.Copy(io.Discard, c)
		if n >= size {
			t.Errorf("slow reader %d: got the whole file, want it cut off", i)
		}
	}
}

// pollScoreboard waits (bounded) for cond on the scoreboard, which the
// child publishes at most every 50 ms.
func pollScoreboard(t *testing.T, what string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(ioWait)
	for !cond() {
		if time.Now().After(deadline) {
			t.Fatalf("waited %v for %s", ioWait, what)
		}
		time.Sleep(20 * time.Millisecond)
	}
}
