package child_test

import (
	"bufio"
	"io"
	"net"
	"net/http"
	"os/exec"
	"strings"
	"sync"
	"testing"
	"time"

	"eventmpm/internal/itest"
	"eventmpm/shm"

	"golang.org/x/sys/unix"
)

// idleConns is how many idle keep-alive connections the test holds: issue
// 4's "Done when" number.
const idleConns = 2000

// TestIdleKeepAlive is the event MPM's reason to exist: 2,000 idle
// keep-alive connections against a child with ThreadsPerChild 25 hold no
// worker. Each connection sends one request and reads the answer, then
// stays open; another client is then served normally, and the scoreboard
// shows every worker idle and ConnsAsyncKeepAlive equal to the idle count
// (read three ways: the file mapped read-only, `eventmpm status --auto`,
// and /server-status?auto, where only the status request's own worker is
// busy).
func TestIdleKeepAlive(t *testing.T) {
	t.Parallel()
	// The client side holds idleConns sockets too. Go raises the soft
	// limit to the hard one at start; the child does the same.
	var rl unix.Rlimit
	if err := unix.Getrlimit(unix.RLIMIT_NOFILE, &rl); err != nil || rl.Cur < idleConns+200 {
		t.Skipf("RLIMIT_NOFILE %d (hard %d) is too low for %d connections", rl.Cur, rl.Max, idleConns)
	}
	s := startServer(t, `ThreadsPerChild 25
ThreadLimit 25
MaxRequestWorkers 25
KeepAliveTimeout 120
MaxKeepAliveRequests 0
<Location /server-status>
    SetHandler server-status
    Require local
</Location>
`, connFiles)

	conns := openIdle(t, s, idleConns)

	other := &http.Client{Timeout: ioWait, Transport: &http.Transport{DisableKeepAlives: true}}
	for i := 0; i < 3; i++ {
		resp, err := other.Get(s.url("/a.txt"))
		if err != nil {
			t.Fatalf("another client: %v", err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(body) != "alpha\n" {
			t.Fatalf("another client: got %d %q, want 200 %q", resp.StatusCode, body, "alpha\n")
		}
	}

	t.Run("scoreboard-file", func(t *testing.T) {
		var p shm.ProcessInfo
		var letters string
		pollScoreboard(t, "ConnsAsyncKeepAlive to reach the idle count with no worker busy", func() bool {
			snap := s.readScoreboard(t)
			p, letters = snap.Processes[0], ""
			busy := 0
			for i := 0; i < snap.ThreadsPerChild; i++ {
				st := snap.WorkerAt(0, i).Status
				letters += string(st.Letter())
				if st.Busy() {
					busy++
				}
			}
			return p.KeepAlive == idleConns && p.Connections == idleConns && busy == 0
		})
		t.Logf("scoreboard: connections %d, keep-alive %d, writing %d, closing %d, accepting %v, workers %q",
			p.Connections, p.KeepAlive, p.WriteCompletion, p.LingeringClose, !p.NotAccepting, letters)
		if p.NotAccepting {
			t.Errorf("the child stopped accepting with %d idle connections", idleConns)
		}
	})
	t.Run("status-command", func(t *testing.T) {
		out, err := exec.Command(itest.Binary(t), "-d", s.root.Dir, "status", "--auto").CombinedOutput()
		if err != nil {
			t.Fatalf("eventmpm status --auto: %v\n%s", err, out)
		}
		for _, want := range []string{"\nBusyWorkers: 0\n", "\nIdleWorkers: 25\n", "\nConnsAsyncKeepAlive: 2000\n", "\nScoreboard: " + strings.Repeat("_", 25) + "\n"} {
			if !strings.Contains(string(out), want) {
				t.Errorf("status --auto lacks %q:\n%s", strings.TrimSpace(want), out)
			}
		}
	})
	t.Run("status-page", func(t *testing.T) {
		resp, err := other.Get(s.url("/server-status?auto"))
		if err != nil {
			t.Fatal(err)
		}
		body, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		for _, want := range []string{"\nBusyWorkers: 1\n", "\nConnsAsyncKeepAlive: 2000\n"} {
			if !strings.Contains(string(body), want) {
				t.Errorf("?auto lacks %q:\n%s", strings.TrimSpace(want), body)
			}
		}
	})
	t.Run("idle-connections-still-serve", func(t *testing.T) {
		for i := 0; i < len(conns); i += len(conns) / 20 {
			resp, body := conns[i].roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
			if resp.StatusCode != 200 || body != "alpha\n" || resp.Close {
				t.Fatalf("connection %d: got %d %q (close %v), want 200 %q kept alive", i, resp.StatusCode, body, resp.Close, "alpha\n")
			}
		}
	})
}

// openIdle opens n connections that each send one request, read the
// answer and stay open, 50 at a time.
func openIdle(t *testing.T, s *server, n int) []*rawConn {
	t.Helper()
	conns := make([]*rawConn, n)
	var wg sync.WaitGroup
	errs := make(chan error, 1)
	work := make(chan int)
	for w := 0; w < 50; w++ {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for i := range work {
				c, err := net.DialTimeout("tcp", s.addr, ioWait)
				if err == nil {
					err = oneRequest(c)
				}
				if err != nil {
					select {
					case errs <- err:
					default:
					}
					continue
				}
				conns[i] = &rawConn{t: t, Conn: c, br: bufio.NewReader(c)}
			}
		}()
	}
	for i := 0; i < n; i++ {
		work <- i
	}
	close(work)
	wg.Wait()
	t.Cleanup(func() {
		for _, c := range conns {
			if c != nil {
				c.Close()
			}
		}
	})
	select {
	case err := <-errs:
		t.Fatalf("opening %d idle connections: %v", n, err)
	default:
	}
	return conns
}

// oneRequest sends a GET on c and reads its answer, which must keep the
// connection open.
func oneRequest(c net.Conn) error {
	c.SetDeadline(time.Now().Add(ioWait))
	defer c.SetDeadline(time.Time{})
	if _, err := io.WriteString(c, "GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"); err != nil {
		return err
	}
	resp, err := http.ReadResponse(bufio.NewReader(c), &http.Request{Method: "GET"})
	if err != nil {
		return err
	}
	body, err := io.ReadAll(resp.Body)
	if err == nil && (resp.StatusCode != 200 || string(body) != "alpha\n" || resp.Close) {
		err = &unexpected{resp.StatusCode, string(body)}
	}
	return err
}

type unexpected struct {
	status int
	body   string
}

func (u *unexpected) Error() string {
	return "unexpected answer " + http.StatusText(u.status) + " " + u.body
}
