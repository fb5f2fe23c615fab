package supervisor_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io"
	"net/http"
	"os"
	"os/exec"
	"path/filepath"
	"slices"
	"sort"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"eventmpm/internal/itest"
	"eventmpm/shm"
)

// The integration tests in the itest_*_test.go files run the real binary
// as `eventmpm -d ROOT start --foreground` (a supervisor and its children)
// on a temporary ServerRoot per test, signal it with the CLI verbs and
// with raw signals, send it 127.0.0.1 traffic only, and read its state
// from the scoreboard file, /proc and the error log. They prove issue 5's
// "Done when" end to end.

// TestMain runs the tests through itest.Main: no race-runtime sleep at
// exit in the binaries under test, and the built binary removed at the end.
func TestMain(m *testing.M) { os.Exit(itest.Main(m)) }

// binary returns the binary under test (built once per test process).
func binary(t *testing.T) string {
	t.Helper()
	return itest.Binary(t)
}

// baseConf is the configuration every test starts from; a test appends its
// own directives (later ones win). Two children of four workers; spare
// thresholds that keep exactly two children when nothing happens.
const baseConf = `Listen 127.0.0.1:{{PORT}}
ServerName localhost
ServerAdmin admin@example.com
ServerLimit 4
ThreadLimit 8
StartServers 2
ThreadsPerChild 4
MinSpareThreads 4
MaxSpareThreads 16
MaxRequestWorkers 16
KeepAlive On
KeepAliveTimeout 5
MaxKeepAliveRequests 100
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
`

// indexBody is the small page every load loop asks for.
const indexBody = "<html><body>eventmpm supervisor test</body></html>\n"

// ioWait bounds single reads, writes and CLI runs: long for a loaded CI
// machine running -race, short enough to fail fast.
const ioWait = 15 * time.Second

// server is one running `eventmpm start --foreground`.
type server struct {
	t      *testing.T
	root   *itest.Root
	proc   *itest.Proc
	sb     *shm.Scoreboard // read-only, opened on first use
	starts int             // StartServers: children a generation serves with
}

// startServer lays out a ServerRoot with baseConf plus extra and htdocs
// files (index.html is added), starts the supervisor in the foreground
// and waits until StartServers children serve.
func startServer(t *testing.T, extra string, files map[string]string) *server {
	t.Helper()
	return startServerN(t, extra, files, 2)
}

// startServerN is startServer for a configuration (extra) that sets
// StartServers to starts.
func startServerN(t *testing.T, extra string, files map[string]string, starts int) *server {
	t.Helper()
	if files == nil {
		files = map[string]string{}
	}
	if _, ok := files["index.html"]; !ok {
		files["index.html"] = indexBody
	}
	root := itest.NewRoot(t, baseConf+extra, files)
	return runServer(t, root, starts)
}

// runServer starts the supervisor on an existing root and waits until its
// first generation's starts children serve.
func runServer(t *testing.T, root *itest.Root, starts int) *server {
	t.Helper()
	skipShort(t)
	binary(t)
	return watchServer(t, root, starts, itest.Run(t, root, "start", "--foreground"))
}

// watchServer follows a supervisor started as proc on root until its
// first generation's starts children serve.
func watchServer(t *testing.T, root *itest.Root, starts int, proc *itest.Proc) *server {
	t.Helper()
	s := &server{t: t, root: root, starts: starts, proc: proc}
	t.Cleanup(func() {
		// The children's standard error is the supervisor's: a race
		// report or a panic in any process fails the test.
		for _, bad := range []string{"WARNING: DATA RACE", "panic: ", "fatal error: "} {
			if strings.Contains(s.proc.Stderr.String(), bad) {
				t.Errorf("supervisor or child standard error has %q", bad)
			}
		}
		if t.Failed() {
			t.Logf("supervisor stderr:\n%s", s.proc.Stderr.String())
			t.Logf("error_log:\n%s", tail(s.errorLog(), 60))
		}
		if s.sb != nil {
			s.sb.Close()
		}
	})
	s.proc.WaitListening(t, root.Addr(), 30*time.Second)
	s.sb = itest.WaitScoreboard(t, root.Path("logs", "eventmpm.scoreboard"), 10*time.Second)
	s.waitGeneration(0, 30*time.Second)
	s.get(t, "/")
	return s
}

// pid is the supervisor's pid.
func (s *server) pid() int { return s.proc.Cmd.Process.Pid }

// url is the http URL of path.
func (s *server) url(path string) string { return "http://" + s.root.Addr() + path }

// get fetches path on a fresh connection and fails the test unless it
// answers 200.
func (s *server) get(t *testing.T, path string) string {
	t.Helper()
	c := &http.Client{Timeout: ioWait, Transport: &http.Transport{DisableKeepAlives: true}}
	resp, err := c.Get(s.url(path))
	if err != nil {
		t.Fatalf("GET %s: %v", path, err)
	}
	defer resp.Body.Close()
	b, err := io.ReadAll(resp.Body)
	if err != nil || resp.StatusCode != 200 {
		t.Fatalf("GET %s: got %d %v, want 200", path, resp.StatusCode, err)
	}
	return string(b)
}

// board returns the scoreboard, mapped read-only.
func (s *server) board() *shm.Scoreboard {
	s.t.Helper()
	if s.sb == nil {
		sb, err := shm.OpenReadOnly(s.root.Path("logs", "eventmpm.scoreboard"))
		if err != nil {
			s.t.Fatalf("open scoreboard: %v", err)
		}
		s.sb = sb
	}
	return s.sb
}

// snapshot copies the scoreboard.
func (s *server) snapshot() *shm.Snapshot {
	var snap shm.Snapshot
	s.board().Snapshot(&snap)
	return &snap
}

// child is one process slot in use, as the scoreboard shows it.
type child struct {
	slot, pid, gen, quiescing int
	accepting                 bool
	busy, ready, graceful     int // worker slots by state
}

// children lists the process slots in use.
func (s *server) children() []child {
	snap := s.snapshot()
	var out []child
	for slot, p := range snap.Processes {
		if p.PID == 0 {
			continue
		}
		c := child{slot: slot, pid: p.PID, gen: p.Generation, quiescing: p.Quiescing, accepting: !p.NotAccepting}
		for th := 0; th < snap.ThreadsPerChild; th++ {
			switch st := snap.WorkerAt(slot, th).Status; {
			case st == shm.Ready:
				c.ready++
			case st == shm.Graceful:
				c.graceful++
			case st.Busy():
				c.busy++
			}
		}
		out = append(out, c)
	}
	return out
}

// servingChildren lists the children of gen that serve: not quiescing,
// accepting, every worker started.
func (s *server) servingChildren(gen int) []child {
	var out []child
	for _, c := range s.children() {
		if c.gen == gen && c.quiescing == 0 && c.accepting && c.ready+c.busy == s.snapshot().ThreadsPerChild {
			out = append(out, c)
		}
	}
	return out
}

// waitGeneration waits until gen is the running generation and its
// StartServers children serve.
func (s *server) waitGeneration(gen int, d time.Duration) {
	s.t.Helper()
	itest.Eventually(s.t, d, fmt.Sprintf("generation %d serving with %d children", gen, s.starts), func() bool {
		return s.snapshot().Generation == gen && len(s.servingChildren(gen)) >= s.starts
	})
}

// errorLog returns the error log so far.
func (s *server) errorLog() string {
	b, _ := os.ReadFile(s.root.Path("logs", "error_log"))
	return string(b)
}

// waitLog waits until the error log contains want.
func (s *server) waitLog(want string, d time.Duration) {
	s.t.Helper()
	itest.Eventually(s.t, d, "error log line "+strconv.Quote(want), func() bool {
		return strings.Contains(s.errorLog(), want)
	})
}

// stopAndWait sends TERM to the supervisor and waits for it to exit.
func (s *server) stopAndWait(t *testing.T) {
	t.Helper()
	if err := s.proc.Signal(syscall.SIGTERM); err != nil {
		t.Fatalf("SIGTERM: %v", err)
	}
	s.waitExit(t)
}

// waitExit waits for the supervisor to exit cleanly.
func (s *server) waitExit(t *testing.T) {
	t.Helper()
	err, ok := s.proc.Wait(t, 20*time.Second)
	if !ok {
		t.Fatalf("supervisor still running 20s after it was told to stop")
	}
	if err != nil {
		t.Fatalf("supervisor exit: got %v, want success\nstderr:\n%s", err, s.proc.Stderr.String())
	}
}

// skipShort skips an integration test under -short (make test-short runs
// unit tests only, as in package child).
func skipShort(t *testing.T) {
	if testing.Short() {
		t.Skip("integration test (make test-short runs unit tests only)")
	}
}

// result is what one CLI run printed and its exit code.
type result struct {
	stdout, stderr string
	code           int
}

// cli runs `eventmpm -d ROOT args...` to completion.
func cli(t *testing.T, root *itest.Root, args ...string) result {
	t.Helper()
	skipShort(t)
	ctx, cancel := context.WithTimeout(context.Background(), 60*time.Second)
	defer cancel()
	cmd := exec.CommandContext(ctx, binary(t), append([]string{"-d", root.Dir}, args...)...)
	var out, errb strings.Builder
	cmd.Stdout, cmd.Stderr = &out, &errb
	err := cmd.Run()
	r := result{stdout: out.String(), stderr: errb.String()}
	var ee *exec.ExitError
	switch {
	case errors.As(err, &ee):
		r.code = ee.ExitCode()
	case err != nil:
		t.Fatalf("eventmpm %v: %v", args, err)
	}
	return r
}

// alive reports whether pid exists and is not a zombie.
func alive(pid int) bool {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	return i < 0 || i+2 >= len(s) || s[i+2] != 'Z'
}

// allThreadsStopped reports whether every thread of pid is in the stopped
// state (SIGSTOP's group stop reaches the threads one by one).
func allThreadsStopped(pid int) bool {
	tasks, err := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	if err != nil || len(tasks) == 0 {
		return false
	}
	for _, task := range tasks {
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/stat", pid, task.Name()))
		if err != nil {
			return false
		}
		s := string(b)
		i := strings.LastIndexByte(s, ')')
		if i < 0 || i+2 >= len(s) || s[i+2] != 'T' && s[i+2] != 't' {
			return false
		}
	}
	return true
}

// procChildren lists the live processes whose parent is ppid (pgrep -P).
func procChildren(ppid int) []int {
	ents, _ := os.ReadDir("/proc")
	var out []int
	for _, e := range ents {
		pid, err := strconv.Atoi(e.Name())
		if err != nil {
			continue
		}
		if st, ok := procStat(pid); ok && st.ppid == ppid && st.state != 'Z' {
			out = append(out, pid)
		}
	}
	sort.Ints(out)
	return out
}

// stat is the part of /proc/PID/stat the tests read.
type stat struct {
	state byte
	ppid  int
}

func procStat(pid int) (stat, bool) {
	b, err := os.ReadFile(fmt.Sprintf("/proc/%d/stat", pid))
	if err != nil {
		return stat{}, false
	}
	s := string(b)
	i := strings.LastIndexByte(s, ')')
	if i < 0 {
		return stat{}, false
	}
	f := strings.Fields(s[i+1:])
	if len(f) < 2 {
		return stat{}, false
	}
	ppid, _ := strconv.Atoi(f[1])
	return stat{state: f[0][0], ppid: ppid}, true
}

// procUID returns the real and effective uid of pid (/proc/PID/status).
func procUID(pid int) (real, effective int, err error) {
	f, err := os.Open(fmt.Sprintf("/proc/%d/status", pid))
	if err != nil {
		return 0, 0, err
	}
	defer f.Close()
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		if rest, ok := strings.CutPrefix(sc.Text(), "Uid:"); ok {
			fs := strings.Fields(rest)
			if len(fs) < 2 {
				break
			}
			real, _ = strconv.Atoi(fs[0])
			effective, _ = strconv.Atoi(fs[1])
			return real, effective, nil
		}
	}
	return 0, 0, fmt.Errorf("no Uid line in /proc/%d/status", pid)
}

// waitGone waits until none of pids is alive.
func waitGone(t *testing.T, pids []int, d time.Duration, what string) {
	t.Helper()
	itest.Eventually(t, d, what, func() bool {
		for _, p := range pids {
			if alive(p) {
				return false
			}
		}
		return true
	})
}

// killForReplacement kills (SIGKILL) the first of the children serving
// in generation gen and waits up to wait for a child that was not among
// them to serve; it returns that child.
func (s *server) killForReplacement(t *testing.T, gen int, wait time.Duration) child {
	t.Helper()
	before := s.servingChildren(gen)
	if err := syscall.Kill(before[0].pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var replacement child
	itest.Eventually(t, wait, "a replacement child serving", func() bool {
		for _, c := range s.servingChildren(gen) {
			if !slices.Contains(pidsOf(before), c.pid) {
				replacement = c
				return true
			}
		}
		return false
	})
	return replacement
}

// pidsOf lists the pids of children.
func pidsOf(cs []child) []int {
	out := make([]int, len(cs))
	for i, c := range cs {
		out[i] = c.pid
	}
	sort.Ints(out)
	return out
}

// writeFile writes a file under the root.
func writeFile(t *testing.T, root *itest.Root, rel, body string) {
	t.Helper()
	p := root.Path(rel)
	if err := os.MkdirAll(filepath.Dir(p), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
}

// tail returns the last n lines of s.
func tail(s string, n int) string {
	lines := strings.Split(strings.TrimRight(s, "\n"), "\n")
	if len(lines) > n {
		lines = lines[len(lines)-n:]
	}
	return strings.Join(lines, "\n")
}

// connOwners maps the client port of every connection to the server's
// port held by one of pids to that pid, from /proc/PID/fd and
// /proc/net/tcp: which child serves which client connection.
func connOwners(serverPort int, pids []int) map[int]int {
	inodeOwner := map[string]int{}
	for _, pid := range pids {
		dir := fmt.Sprintf("/proc/%d/fd", pid)
		ents, _ := os.ReadDir(dir)
		for _, e := range ents {
			l, err := os.Readlink(filepath.Join(dir, e.Name()))
			if ino, ok := strings.CutPrefix(l, "socket:["); ok && err == nil {
				inodeOwner[strings.TrimSuffix(ino, "]")] = pid
			}
		}
	}
	out := map[int]int{}
	for _, table := range []string{"/proc/net/tcp", "/proc/net/tcp6"} {
		b, _ := os.ReadFile(table)
		for _, line := range strings.Split(string(b), "\n")[1:] {
			f := strings.Fields(line)
			if len(f) < 10 {
				continue
			}
			if hexPort(f[1]) != serverPort {
				continue
			}
			if pid, ok := inodeOwner[f[9]]; ok && hexPort(f[2]) != 0 {
				out[hexPort(f[2])] = pid
			}
		}
	}
	return out
}

// hexPort parses the port of a /proc/net/tcp address ("0100007F:1F90").
func hexPort(addr string) int {
	i := strings.LastIndexByte(addr, ':')
	n, _ := strconv.ParseInt(addr[i+1:], 16, 32)
	return int(n)
}
