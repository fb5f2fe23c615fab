package supervisor_test

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"

	"eventmpm/internal/itest"

	"golang.org/x/sys/unix"
)

// containerLogs is what a container runs with: the error log on the
// supervisor's standard error and the access log on its standard output
// (pipes here, as under docker without a tty).
const containerLogs = `LogFormat "%h %l %u %t \"%r\" %>s %b" common
ErrorLog /dev/stderr
CustomLog /dev/stdout common
`

// TestContainerLogs serves with ErrorLog /dev/stderr and CustomLog
// /dev/stdout while standard output and error are pipes: every request's
// access line reaches standard output exactly once, across a graceful
// restart and a hard restart (both reopen the logs), and standard error
// carries the supervisor's and the children's error lines.
func TestContainerLogs(t *testing.T) {
	skipShort(t)
	s := startServer(t, containerLogs, nil)
	const perPhase = 40
	phases := []string{"", "graceful", "restart"}
	var childPIDs []int
	for i, verb := range phases {
		if verb != "" {
			childPIDs = append(childPIDs, pidsOf(s.servingChildren(i-1))...)
			s.verb(t, verb)
			s.waitGeneration(i, 30*time.Second)
		}
		for r := 0; r < perPhase; r++ {
			s.get(t, fmt.Sprintf("/index.html?phase=%d&r=%d", i, r))
		}
	}
	s.verb(t, "graceful-stop")
	s.waitExit(t)

	stdout := s.proc.Stdout.String()
	access := regexp.MustCompile(`^127\.0\.0\.1 - - \[[^]]+\] "GET /index\.html\?phase=(\d)&r=(\d+) HTTP/1\.1" 200 ` +
		fmt.Sprint(len(indexBody)) + `$`)
	startup := regexp.MustCompile(`^127\.0\.0\.1 - - \[[^]]+\] "GET / HTTP/1\.1" 200 ` + fmt.Sprint(len(indexBody)) + `$`)
	seen, startups := map[string]int{}, 0
	for _, line := range strings.Split(strings.TrimSuffix(stdout, "\n"), "\n") {
		m := access.FindStringSubmatch(line)
		if startup.MatchString(line) {
			startups++ // startServer's own request
			continue
		}
		if m == nil {
			t.Errorf("standard output: got line %q, want only access lines of the requests", line)
			continue
		}
		seen[m[1]+"/"+m[2]]++
	}
	for i := range phases {
		for r := 0; r < perPhase; r++ {
			if n := seen[fmt.Sprintf("%d/%d", i, r)]; n != 1 {
				t.Errorf("access line of phase %d request %d: got %d, want 1", i, r, n)
			}
		}
	}
	if startups != 1 {
		t.Errorf("access lines of the startup request GET /: got %d, want 1", startups)
	}
	t.Logf("standard output: %d access lines for %d requests", len(seen), len(phases)*perPhase)

	stderr := s.proc.Stderr.String()
	for _, want := range []string{
		fmt.Sprintf("[pid %d:", s.pid()), "AH00489", "AH00493: SIGUSR1 received", "AH00494: SIGHUP received",
		"AH00492: caught SIGWINCH, shutting down gracefully", "child stopping gracefully",
	} {
		if !strings.Contains(stderr, want) {
			t.Errorf("standard error: no %q in\n%s", want, stderr)
		}
	}
	fromChildren := 0
	for _, pid := range childPIDs {
		if strings.Contains(stderr, fmt.Sprintf("[pid %d:", pid)) {
			fromChildren++
		}
	}
	if fromChildren == 0 {
		t.Errorf("standard error: no line from any child %v", childPIDs)
	}
	t.Logf("standard error: %d lines, from the supervisor and %d of %d old children", strings.Count(stderr, "\n"), fromChildren, len(childPIDs))
}

// TestGracefulStopDrains is what `systemctl stop` (KillSignal=SIGWINCH)
// and `docker stop` (STOPSIGNAL SIGWINCH) do: a download in flight when
// WINCH arrives finishes whole, and the supervisor then exits 0.
// With a download longer than GracefulShutdownTimeout, the supervisor
// stops the children at the bound and still exits 0.
func TestGracefulStopDrains(t *testing.T) {
	skipShort(t)
	big := randomBody(bigSize)
	tests := []struct {
		name     string
		timeout  int           // GracefulShutdownTimeout, seconds
		download time.Duration // how long the download takes
		whole    bool          // it finishes whole
	}{
		{name: "drained", timeout: 30, download: 3 * time.Second, whole: true},
		{name: "bounded", timeout: 2, download: 12 * time.Second, whole: false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := startServer(t, fmt.Sprintf("GracefulShutdownTimeout %d\n", tt.timeout), map[string]string{"big.bin": big})
			started, done := slowDownload(s.root.Addr(), "/big.bin", bigSize, tt.download)
			<-started
			begin := time.Now()
			s.signal(t, syscall.SIGWINCH)
			s.waitExitWithin(t, time.Duration(tt.timeout)*time.Second+30*time.Second)
			took := time.Since(begin)
			dl := <-done
			whole := dl.err == nil && dl.n == bigSize && dl.sum == sha256.Sum256([]byte(big))
			if whole != tt.whole {
				t.Errorf("download: got whole %v (%d bytes, %v), want %v", whole, dl.n, dl.err, tt.whole)
			}
			t.Logf("WINCH to exit 0: %v (GracefulShutdownTimeout %ds; download %d bytes, %v)", took.Round(time.Millisecond), tt.timeout, dl.n, dl.err)
		})
	}
}

// waitExitWithin waits up to d for the supervisor to exit with status 0.
func (s *server) waitExitWithin(t *testing.T, d time.Duration) {
	t.Helper()
	err, ok := s.proc.Wait(t, d)
	if !ok {
		t.Fatalf("supervisor still running %v after it was told to stop", d)
	}
	if err != nil {
		t.Fatalf("supervisor exit: got %v, want success\nstderr:\n%s", err, s.proc.Stderr.String())
	}
}

// TestHttpdForegroundCommand runs the server the way the httpd container
// image runs Apache, `httpd -DFOREGROUND` (the value attached, no verb):
// it serves in the foreground and stops on SIGTERM with status 0. That
// command line used to print the usage and exit 2.
func TestHttpdForegroundCommand(t *testing.T) {
	skipShort(t)
	root := itest.NewRoot(t, baseConf, map[string]string{"index.html": indexBody})
	s := watchServer(t, root, 2, itest.Start(t, exec.Command(binary(t), "-d", root.Dir, "-DFOREGROUND")))
	if got := s.get(t, "/index.html"); got != indexBody {
		t.Fatalf("GET /index.html: got %q, want the page", got)
	}
	if err := s.proc.Signal(syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	s.waitExit(t)
	if !strings.Contains(s.errorLog(), "AH00491: caught SIGTERM") {
		t.Errorf("error log lacks AH00491:\n%s", s.errorLog())
	}
}

// TestJournalStreams runs the supervisor with standard output and error
// on a unix stream socket, as systemd connects them to the journal, where
// open("/dev/stdout") fails with ENXIO: the logs are duplicated from the
// supervisor's descriptors instead, and both logs reach the socket across
// a graceful restart.
func TestJournalStreams(t *testing.T) {
	skipShort(t)
	root := itest.NewRoot(t, baseConf+containerLogs, map[string]string{"index.html": indexBody})
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	ours, theirs := os.NewFile(uintptr(fds[0]), "journal"), os.NewFile(uintptr(fds[1]), "stream")
	var out itest.SyncBuffer
	copied := make(chan struct{})
	go func() { io.Copy(&out, ours); close(copied) }()
	cmd := exec.Command(binary(t), "-d", root.Dir, "start", "--foreground")
	cmd.Stdout, cmd.Stderr = theirs, theirs
	if err := cmd.Start(); err != nil {
		t.Fatal(err)
	}
	theirs.Close()
	waited := make(chan error, 1)
	go func() { waited <- cmd.Wait() }()
	t.Cleanup(func() { cmd.Process.Kill(); ours.Close() })
	s := &server{t: t, root: root, starts: 2}
	itest.Eventually(t, 30*time.Second, "serving with standard streams on a socket", func() bool {
		resp, err := http.Get(s.url("/index.html?before"))
		if err != nil {
			return false
		}
		resp.Body.Close()
		return true
	})
	s.verb(t, "graceful")
	s.waitGeneration(1, 30*time.Second)
	s.get(t, "/index.html?after")
	s.verb(t, "stop")
	select {
	case err := <-waited:
		if err != nil {
			t.Fatalf("supervisor exit: got %v, want success\n%s", err, out.String())
		}
	case <-time.After(20 * time.Second):
		t.Fatalf("supervisor still running 20s after stop\n%s", out.String())
	}
	<-copied
	got := out.String()
	for _, want := range []string{`"GET /index.html?before HTTP/1.1" 200`, `"GET /index.html?after HTTP/1.1" 200`,
		"AH00489", "AH00493", "child stopping gracefully", "AH00491"} {
		if !strings.Contains(got, want) {
			t.Errorf("socket: no %q in\n%s", want, got)
		}
	}
}
