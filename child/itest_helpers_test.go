package child_test

import (
	"bufio"
	"errors"
	"fmt"
	"io"
	"maps"
	"net"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"eventmpm/internal/itest"
	"eventmpm/shm"
)

// The integration tests in the itest_*_test.go files run the real binary
// as `eventmpm -d ROOT start -X` (one child in the foreground, binding its
// own listener) on a temporary ServerRoot per top-level test, and talk to
// it with net/http, raw sockets and curl. They prove issue 4's "Done
// when" end to end; the sub-packages have their own unit tests.

// baseConf is the configuration every integration test starts from; a test
// appends its own directives (later directives win, as in Apache).
const baseConf = `Listen 127.0.0.1:{{PORT}}
ServerName localhost
ServerAdmin admin@example.com
ServerLimit 1
ThreadsPerChild 4
ThreadLimit 4
MaxRequestWorkers 4
ScoreBoardFile logs/eventmpm.scoreboard
PidFile logs/eventmpm.pid
ErrorLog logs/error_log
LogLevel info
DocumentRoot htdocs
<Directory />
    Options FollowSymLinks
    Require all denied
</Directory>
<Directory htdocs>
    Options FollowSymLinks
    Require all granted
</Directory>
<Files ".ht*">
    Require all denied
</Files>
`

// ioWait bounds every single read or write of the tests: long enough for a
// loaded CI machine running -race, short enough to fail fast.
const ioWait = 10 * time.Second

// server is one running `eventmpm start -X`.
type server struct {
	t    *testing.T
	root *itest.Root
	proc *itest.Proc
	addr string
}

// startServer lays out a ServerRoot with baseConf plus extra and the given
// htdocs files, starts the binary and waits until it accepts connections.
func startServer(t *testing.T, extra string, files map[string]string) *server {
	t.Helper()
	root := itest.NewRoot(t, baseConf+extra, files)
	return runServer(t, root)
}

// runServer starts the binary on an existing root.
func runServer(t *testing.T, root *itest.Root) *server {
	t.Helper()
	s := launch(t, root)
	s.proc.WaitListening(t, root.Addr(), 20*time.Second)
	return s
}

// startServerQuiet is startServer without the probing connection
// WaitListening makes, for tests that count connections: it waits for the
// child's workers to show up in the scoreboard instead. The listener is
// bound before the scoreboard is created, so connections made afterwards
// wait in its backlog at worst.
func startServerQuiet(t *testing.T, extra string, files map[string]string) *server {
	t.Helper()
	s := launch(t, itest.NewRoot(t, baseConf+extra, files))
	pid := s.proc.Cmd.Process.Pid
	itest.Eventually(t, 20*time.Second, "the child's workers in the scoreboard", func() bool {
		if s.proc.Exited() {
			t.Fatalf("the server exited: %s", s.proc.Stderr.String())
		}
		sb, err := shm.OpenReadOnly(s.root.Path("logs", "eventmpm.scoreboard"))
		if err != nil {
			return false
		}
		defer sb.Close()
		var snap shm.Snapshot
		sb.Snapshot(&snap)
		if snap.Processes[0].PID != pid {
			return false
		}
		for i := 0; i < snap.ThreadsPerChild; i++ {
			if snap.WorkerAt(0, i).Status != shm.Ready {
				return false
			}
		}
		return snap.ThreadsPerChild > 0
	})
	return s
}

// launch starts the binary and registers its stop.
func launch(t *testing.T, root *itest.Root) *server {
	t.Helper()
	return launchArgs(t, root, "start", "-X")
}

// launchArgs is launch with the binary's arguments after -d root.
func launchArgs(t *testing.T, root *itest.Root, args ...string) *server {
	t.Helper()
	if testing.Short() {
		t.Skip("integration test (make test-short runs unit tests only)")
	}
	p := itest.Run(t, root, args...)
	s := &server{t: t, root: root, proc: p, addr: root.Addr()}
	t.Cleanup(func() {
		s.stop(t)
		if t.Failed() {
			t.Logf("server stderr:\n%s", p.Stderr.String())
		}
	})
	return s
}

// stop ends the server with SIGTERM, as an operator would, and checks that
// it exits promptly with status 0 whatever the tests left behind (a
// stopping child that never exits is a bug, not a cleanup detail).
func (s *server) stop(t *testing.T) {
	t.Helper()
	if s.proc.Exited() {
		return
	}
	if err := s.proc.Signal(syscall.SIGTERM); err != nil {
		t.Errorf("SIGTERM: %v", err)
		return
	}
	err, ok := s.proc.Wait(t, 10*time.Second)
	switch {
	case !ok:
		t.Errorf("the server did not exit within 10s of SIGTERM")
	case err != nil:
		t.Errorf("after SIGTERM: got exit %v, want status 0", err)
	}
}

// url returns the http URL of path on the server.
func (s *server) url(path string) string { return "http://" + s.addr + path }

// dial opens a raw connection to the server.
func (s *server) dial(t *testing.T) net.Conn {
	t.Helper()
	c, err := net.DialTimeout("tcp", s.addr, ioWait)
	if err != nil {
		t.Fatalf("dial %s: %v", s.addr, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

// exchange writes raw to a new connection and reads until the server
// closes it (or wait passes). It returns what was read and whether the
// server closed the connection.
func (s *server) exchange(t *testing.T, raw string, wait time.Duration) (string, bool) {
	t.Helper()
	c := s.dial(t)
	if _, err := io.WriteString(c, raw); err != nil {
		t.Fatalf("write: %v", err)
	}
	return readUntilClose(c, wait)
}

// readUntilClose reads c until EOF, a reset or wait passes, and reports
// whether the server closed the connection.
func readUntilClose(c net.Conn, wait time.Duration) (string, bool) {
	c.SetReadDeadline(time.Now().Add(wait))
	b, err := io.ReadAll(c)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		return string(b), false
	}
	return string(b), true
}

// rawConn is a client connection read through one buffered reader.
type rawConn struct {
	t *testing.T
	net.Conn
	br *bufio.Reader
}

// open dials the server for a raw conversation.
func (s *server) open(t *testing.T) *rawConn {
	t.Helper()
	c := s.dial(t)
	return &rawConn{t: t, Conn: c, br: bufio.NewReader(c)}
}

// send writes raw bytes.
func (c *rawConn) send(raw string) {
	c.t.Helper()
	c.SetWriteDeadline(time.Now().Add(ioWait))
	if _, err := io.WriteString(c, raw); err != nil {
		c.t.Fatalf("write: %v", err)
	}
}

// read reads one response to a request with method, body included.
func (c *rawConn) read(method string) (*http.Response, string) {
	c.t.Helper()
	c.SetReadDeadline(time.Now().Add(ioWait))
	resp, err := http.ReadResponse(c.br, &http.Request{Method: method})
	if err != nil {
		c.t.Fatalf("read response: %v", err)
	}
	body, err := io.ReadAll(resp.Body)
	if err != nil {
		c.t.Fatalf("read body: %v", err)
	}
	resp.Body.Close()
	return resp, string(body)
}

// roundTrip sends raw and reads one response.
func (c *rawConn) roundTrip(raw, method string) (*http.Response, string) {
	c.t.Helper()
	c.send(raw)
	return c.read(method)
}

// expectClosed checks that the server closes the connection (EOF or
// reset) without sending anything more.
func (c *rawConn) expectClosed() {
	c.t.Helper()
	c.SetReadDeadline(time.Now().Add(ioWait))
	b, err := io.ReadAll(c.br)
	var ne net.Error
	if errors.As(err, &ne) && ne.Timeout() {
		c.t.Fatalf("connection not closed by the server within %v (read %q)", ioWait, b)
	}
	if len(b) > 0 {
		c.t.Fatalf("got %q before the close, want nothing", b)
	}
}

// expectOpen checks that the connection stays open and silent for d.
func (c *rawConn) expectOpen(d time.Duration) {
	c.t.Helper()
	c.SetReadDeadline(time.Now().Add(d))
	n, err := c.br.Read(make([]byte, 1))
	var ne net.Error
	if !errors.As(err, &ne) || !ne.Timeout() {
		c.t.Fatalf("connection closed or sent data: read %d bytes, err %v", n, err)
	}
	c.SetReadDeadline(time.Time{})
}

var dateLine = regexp.MustCompile(`(?m)^Date: [A-Z][a-z]{2}, \d\d [A-Z][a-z]{2} \d{4} \d\d:\d\d:\d\d GMT\r$`)

// normDate replaces every Date header value with "X".
func normDate(s string) string { return dateLine.ReplaceAllString(s, "Date: X\r") }

// setMtime gives a file under htdocs a fixed modification time, so its
// ETag and Last-Modified are known.
func setMtime(t *testing.T, r *itest.Root, name string, mt time.Time) {
	t.Helper()
	if err := os.Chtimes(r.Path("htdocs", name), mt, mt); err != nil {
		t.Fatal(err)
	}
}

// fixedTime is the modification time tests give their files.
var fixedTime = time.Date(2024, time.March, 1, 12, 0, 0, 0, time.UTC)

// etagFor is Apache's default ETag (FileETag MTime Size) of a file.
func etagFor(size int, mt time.Time) string {
	return fmt.Sprintf(`"%x-%x"`, size, mt.UnixMicro())
}

// okHead is the header block of a 200 for a file with fixedTime.
func okHead(body, ctype string, extra ...string) string {
	h := "HTTP/1.1 200 OK\r\nDate: X\r\nServer: eventmpm/0.1.0 (Unix)\r\n" + strings.Join(extra, "") +
		"Last-Modified: Fri, 01 Mar 2024 12:00:00 GMT\r\nETag: " + etagFor(len(body), fixedTime) +
		"\r\nAccept-Ranges: bytes\r\nContent-Type: " + ctype + "\r\n" +
		fmt.Sprintf("Content-Length: %d\r\n\r\n", len(body))
	return h
}

// readScoreboard maps the server's scoreboard read-only and copies it.
func (s *server) readScoreboard(t *testing.T) *shm.Snapshot {
	t.Helper()
	// With -X the listener is bound before the scoreboard is made, so a
	// connection can be accepted into the backlog while the file is still
	// empty: wait for it to be one.
	var sb *shm.Scoreboard
	var err error
	itest.Eventually(t, ioWait, "the scoreboard made", func() bool {
		sb, err = shm.OpenReadOnly(s.root.Path("logs", "eventmpm.scoreboard"))
		return err == nil
	})
	if err != nil {
		t.Fatalf("open scoreboard: %v", err)
	}
	defer sb.Close()
	snap := new(shm.Snapshot)
	sb.Snapshot(snap)
	return snap
}

// logFile returns the contents of a file under logs/.
func (s *server) logFile(name string) string {
	b, _ := os.ReadFile(s.root.Path("logs", name))
	return string(b)
}

// checkKeyedLog checks a log whose lines begin with "key|": each key of
// want needs a line, whose rest equals want[key] or, with prefix, begins
// with it. Lines of other keys are an error unless allowOthers.
func checkKeyedLog(t *testing.T, log string, want map[string]string, prefix, allowOthers bool) {
	t.Helper()
	want = maps.Clone(want)
	for _, line := range strings.Split(strings.TrimSpace(log), "\n") {
		key, rest, _ := strings.Cut(line, "|")
		w, ok := want[key]
		switch {
		case !ok && !allowOthers:
			t.Errorf("unexpected log line %q", line)
		case !ok:
		case prefix && !strings.HasPrefix(rest, w), !prefix && rest != w:
			t.Errorf("log for %s:\n got %s\nwant %s", key, rest, w)
		}
		delete(want, key)
	}
	for key := range want {
		t.Errorf("no log line for %s", key)
	}
}

// expectContains reports each of wants that text (named what) lacks.
func expectContains(t *testing.T, what, text string, wants ...string) {
	t.Helper()
	for _, w := range wants {
		if !strings.Contains(text, w) {
			t.Errorf("%s lacks %q:\n%s", what, w, text)
		}
	}
}

// curl runs curl with args, skipping the test when curl is missing.
func curl(t *testing.T, args ...string) string {
	t.Helper()
	path, err := exec.LookPath("curl")
	if err != nil {
		t.Skip("curl not installed")
	}
	cmd := exec.Command(path, append([]string{"-sS", "--max-time", "10"}, args...)...)
	out, err := cmd.CombinedOutput()
	if err != nil {
		t.Fatalf("curl %v: %v\n%s", args, err, out)
	}
	return string(out)
}

// symlink makes a symlink inside the root.
func symlink(t *testing.T, target string, r *itest.Root, name string) {
	t.Helper()
	if err := os.Symlink(target, filepath.Join(r.Dir, "htdocs", name)); err != nil {
		t.Fatal(err)
	}
}

// client returns a net/http client that does not follow redirects and
// keeps its own connection pool.
func newClient() *http.Client {
	return &http.Client{
		Timeout:       ioWait,
		Transport:     &http.Transport{MaxIdleConnsPerHost: 4, DisableCompression: true},
		CheckRedirect: func(*http.Request, []*http.Request) error { return http.ErrUseLastResponse },
	}
}

// TestMain runs the tests through itest.Main: no race-runtime sleep at
// exit in the binaries under test, and the built binary removed at the end.
func TestMain(m *testing.M) { os.Exit(itest.Main(m)) }
