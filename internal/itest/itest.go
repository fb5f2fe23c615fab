package itest

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"
)

// Harness builds the binary once per test process.
type Harness struct {
	once sync.Once
	bin  string
	err  error
	dir  string
}

// H is used by tests through Binary; it is written once, under once.
var h Harness

// Binary returns the path of an eventmpm binary built from this checkout
// (once per test process, with the race detector when the tests have it).
func Binary(t testing.TB) string {
	t.Helper()
	h.once.Do(func() {
		h.dir, h.err = os.MkdirTemp("", "eventmpm-itest-")
		if h.err != nil {
			return
		}
		root, err := moduleRoot()
		if err != nil {
			h.err = err
			return
		}
		h.bin = filepath.Join(h.dir, "eventmpm")
		args := []string{"build", "-o", h.bin}
		if raceEnabled {
			args = append(args, "-race")
		}
		args = append(args, "./cmd/eventmpm")
		cmd := exec.Command("go", args...)
		cmd.Dir = root
		if out, err := cmd.CombinedOutput(); err != nil {
			h.err = fmt.Errorf("go build: %v\n%s", err, out)
		}
	})
	if h.err != nil {
		t.Fatalf("itest: %v", h.err)
	}
	return h.bin
}

// moduleRoot finds the directory holding go.mod above the working directory.
func moduleRoot() (string, error) {
	dir, err := os.Getwd()
	if err != nil {
		return "", err
	}
	for {
		if _, err := os.Stat(filepath.Join(dir, "go.mod")); err == nil {
			return dir, nil
		}
		parent := filepath.Dir(dir)
		if parent == dir {
			return "", fmt.Errorf("no go.mod above the working directory")
		}
		dir = parent
	}
}

// FreePort returns a TCP port on 127.0.0.1 that was free a moment ago.
func FreePort(t testing.TB) int {
	t.Helper()
	l, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatalf("itest: free port: %v", err)
	}
	defer l.Close()
	return l.Addr().(*net.TCPAddr).Port
}

// Root is a ServerRoot laid out in a temporary directory: conf/, htdocs/
// and logs/.
type Root struct {
	Dir  string
	Port int
}

// NewRoot makes a ServerRoot whose conf/eventmpm.conf is conf with every
// "{{PORT}}" replaced by a free port and "{{ROOT}}" by the directory, and
// whose htdocs holds files (paths relative to htdocs).
func NewRoot(t testing.TB, conf string, files map[string]string) *Root {
	t.Helper()
	r := &Root{Dir: t.TempDir(), Port: FreePort(t)}
	for _, d := range []string{"conf", "htdocs", "logs"} {
		if err := os.MkdirAll(filepath.Join(r.Dir, d), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	r.WriteConf(t, conf)
	for name, body := range files {
		p := filepath.Join(r.Dir, "htdocs", name)
		if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	return r
}

// WriteConf (re)writes conf/eventmpm.conf with the placeholders filled.
func (r *Root) WriteConf(t testing.TB, conf string) {
	t.Helper()
	conf = strings.ReplaceAll(conf, "{{PORT}}", fmt.Sprint(r.Port))
	conf = strings.ReplaceAll(conf, "{{ROOT}}", r.Dir)
	if err := os.WriteFile(filepath.Join(r.Dir, "conf", "eventmpm.conf"), []byte(conf), 0o644); err != nil {
		t.Fatal(err)
	}
}

// Path returns a path inside the root.
func (r *Root) Path(elem ...string) string {
	return filepath.Join(append([]string{r.Dir}, elem...)...)
}

// Addr is the 127.0.0.1 address of the root's port.
func (r *Root) Addr() string { return fmt.Sprintf("127.0.0.1:%d", r.Port) }

// Proc is a running eventmpm process.
type Proc struct {
	Cmd    *exec.Cmd
	Stdout *SyncBuffer
	Stderr *SyncBuffer
	done   chan struct{}
	err    error
}

// Run starts the binary with -d root and args, stopping it (SIGKILL if it
// does not exit after SIGTERM) when the test ends.
func Run(t testing.TB, r *Root, args ...string) *Proc {
	t.Helper()
	return Start(t, exec.Command(Binary(t), append([]string{"-d", r.Dir}, args...)...))
}

// Start starts cmd (its own process group, output captured) like Run does,
// for a test that needs its own command line, environment or inherited
// descriptors.
func Start(t testing.TB, cmd *exec.Cmd) *Proc {
	t.Helper()
	p := &Proc{Cmd: cmd, Stdout: &SyncBuffer{}, Stderr: &SyncBuffer{}, done: make(chan struct{})}
	cmd.Stdout, cmd.Stderr = p.Stdout, p.Stderr
	cmd.SysProcAttr = &syscall.SysProcAttr{Setpgid: true}
	if err := cmd.Start(); err != nil {
		t.Fatalf("itest: start %s: %v", cmd.Path, err)
	}
	go func() { p.err = cmd.Wait(); close(p.done) }()
	t.Cleanup(func() { p.Kill(t) })
	return p
}

// Signal sends sig to the process.
func (p *Proc) Signal(sig syscall.Signal) error { return p.Cmd.Process.Signal(sig) }

// Wait waits up to d for the process to exit and returns its error.
func (p *Proc) Wait(t testing.TB, d time.Duration) (error, bool) {
	select {
	case <-p.done:
		return p.err, true
	case <-time.After(d):
		return nil, false
	}
}

// Exited reports whether the process has exited.
func (p *Proc) Exited() bool {
	select {
	case <-p.done:
		return true
	default:
		return false
	}
}

// Kill stops the process and its process group: SIGTERM, then SIGKILL.
func (p *Proc) Kill(t testing.TB) {
	if p.Exited() {
		return
	}
	_ = syscall.Kill(-p.Cmd.Process.Pid, syscall.SIGTERM)
	if _, ok := p.Wait(t, 10*time.Second); !ok {
		_ = syscall.Kill(-p.Cmd.Process.Pid, syscall.SIGKILL)
		p.Wait(t, 5*time.Second)
	}
}

// WaitListening waits up to d for addr to accept connections, failing the
// test (with the process's output) if it does not or the process exits.
func (p *Proc) WaitListening(t testing.TB, addr string, d time.Duration) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if p.Exited() {
			t.Fatalf("itest: process exited before listening: %v\nstderr:\n%s", p.err, p.Stderr.String())
		}
		c, err := net.DialTimeout("tcp", addr, 200*time.Millisecond)
		if err == nil {
			c.Close()
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("itest: %s not listening after %v\nstderr:\n%s", addr, d, p.Stderr.String())
}

// Eventually polls cond every 20 ms for up to d and fails the test with
// msg if it never holds.
func Eventually(t testing.TB, d time.Duration, msg string, cond func() bool) {
	t.Helper()
	deadline := time.Now().Add(d)
	for time.Now().Before(deadline) {
		if cond() {
			return
		}
		time.Sleep(20 * time.Millisecond)
	}
	t.Fatalf("itest: %s (waited %v)", msg, d)
}

// SyncBuffer is a bytes.Buffer safe for the concurrent writes of a child
// process's output (or any writer goroutine) and the test's reads.
type SyncBuffer struct {
	mu sync.Mutex
	b  bytes.Buffer
}

// Write appends p.
func (s *SyncBuffer) Write(p []byte) (int, error) {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.Write(p)
}

// String returns what was written so far.
func (s *SyncBuffer) String() string {
	s.mu.Lock()
	defer s.mu.Unlock()
	return s.b.String()
}

// Main runs a package's tests for its TestMain and returns the exit code:
// it turns off the race runtime's one-second sleep before exit (GORACE
// atexit_sleep_ms) in the binaries the tests start, which would otherwise
// make every verb and every child's exit a second slower than the real
// thing, and it removes the directory the binary was built in.
func Main(m *testing.M) int {
	os.Setenv("GORACE", strings.TrimSpace(os.Getenv("GORACE")+" atexit_sleep_ms=0"))
	code := m.Run()
	if h.dir != "" {
		os.RemoveAll(h.dir)
	}
	return code
}
