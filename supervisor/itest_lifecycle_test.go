package supervisor_test

import (
	"fmt"
	"net"
	"net/http"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"eventmpm/internal/itest"

	"golang.org/x/sys/unix"
)

// TestStartServeStop starts the supervisor, serves, stops it with the
// stop verb, and checks that nothing is left: no supervisor, no child, no
// PidFile, and a scoreboard that `eventmpm status` reports as not running.
func TestStartServeStop(t *testing.T) {
	s := startServer(t, "", nil)
	if got := s.get(t, "/"); got != indexBody {
		t.Fatalf("GET /: got %q, want %q", got, indexBody)
	}
	kids := procChildren(s.pid())
	if len(kids) != 2 {
		t.Fatalf("children of the supervisor: got %v, want 2", kids)
	}
	if got, want := pidsOf(s.children()), kids; !equalInts(got, want) {
		t.Fatalf("scoreboard pids: got %v, want %v (the supervisor's children)", got, want)
	}
	if r := cli(t, s.root, "status"); r.code != 0 {
		t.Fatalf("status while running: got exit %d (%s), want 0", r.code, r.stderr)
	}

	if r := cli(t, s.root, "stop"); r.code != 0 || r.stdout != "" {
		t.Fatalf("stop: got exit %d, stdout %q, want 0 and nothing", r.code, r.stdout)
	}
	s.waitExit(t)
	waitGone(t, kids, 5*time.Second, "children gone after stop")
	if _, err := os.Stat(s.root.Path("logs", "eventmpm.pid")); !os.IsNotExist(err) {
		t.Fatalf("PidFile after stop: got %v, want it removed", err)
	}
	r := cli(t, s.root, "status")
	if r.code != 3 || r.stderr != "eventmpm not running\n" {
		t.Fatalf("status after stop: got exit %d, stderr %q, want 3 and %q", r.code, r.stderr, "eventmpm not running\n")
	}
	for _, c := range s.children() {
		t.Errorf("scoreboard after stop: slot %d still held by pid %d", c.slot, c.pid)
	}
	s.waitLog("AH00491: caught SIGTERM, shutting down", time.Second)
}

func equalInts(a, b []int) bool {
	if len(a) != len(b) {
		return false
	}
	for i := range a {
		if a[i] != b[i] {
			return false
		}
	}
	return true
}

// TestVerbsNotRunning runs the verbs against a ServerRoot with no server:
// no PidFile, a stale one, a corrupt one (SPEC.md 4.3).
func TestVerbsNotRunning(t *testing.T) {
	t.Parallel()
	gone := exitedPID(t)
	tests := []struct {
		name    string
		pidFile string // "" = none
		args    []string
		code    int
		stdout  string
		stderr  string // a substring
	}{
		{name: "stop, no pid file", args: []string{"stop"}, stdout: "eventmpm (no pid file) not running\n"},
		{name: "-k stop, no pid file", args: []string{"-k", "stop"}, stdout: "eventmpm (no pid file) not running\n"},
		{name: "graceful-stop, no pid file", args: []string{"graceful-stop"}, stdout: "eventmpm (no pid file) not running\n"},
		{name: "status, no pid file", args: []string{"status"}, code: 3, stderr: "eventmpm not running\n"},
		{name: "stop, stale pid file", pidFile: fmt.Sprintf("%d\n", gone), args: []string{"stop"},
			stdout: fmt.Sprintf("eventmpm (pid %d?) not running\n", gone)},
		{name: "-k graceful-stop, stale pid file", pidFile: fmt.Sprintf("%d\n", gone), args: []string{"-k", "graceful-stop"},
			stdout: fmt.Sprintf("eventmpm (pid %d?) not running\n", gone)},
		{name: "stop, corrupt pid file", pidFile: "not a pid\n", args: []string{"stop"}, code: 1,
			stderr: "AH00058: Error retrieving pid file {{PIDFILE}}\nAH00059: Remove it before continuing if it is corrupted.\n"},
		{name: "-k graceful, corrupt pid file", pidFile: "-5\n", args: []string{"-k", "graceful"}, code: 1,
			stderr: "AH00058: Error retrieving pid file {{PIDFILE}}\n"},
		{name: "start, corrupt pid file", pidFile: "\n", args: []string{"start"}, code: 1,
			stderr: "AH00058: Error retrieving pid file {{PIDFILE}}\n"},
		{name: "-k bogus", args: []string{"-k", "bogus"}, code: 2, stderr: `unknown verb "bogus"`},
	}
	root := itest.NewRoot(t, baseConf, map[string]string{"index.html": indexBody})
	pidPath := root.Path("logs", "eventmpm.pid")
	for _, tc := range tests {
		t.Run(tc.name, func(t *testing.T) {
			os.Remove(pidPath)
			if tc.pidFile != "" {
				writeFile(t, root, "logs/eventmpm.pid", tc.pidFile)
			}
			r := cli(t, root, tc.args...)
			wantErr := strings.ReplaceAll(tc.stderr, "{{PIDFILE}}", pidPath)
			if r.code != tc.code || r.stdout != tc.stdout || !strings.Contains(r.stderr, wantErr) {
				t.Fatalf("eventmpm %v: got exit %d, stdout %q, stderr %q; want exit %d, stdout %q, stderr with %q",
					tc.args, r.code, r.stdout, r.stderr, tc.code, tc.stdout, wantErr)
			}
			if _, err := os.Stat(root.Path("logs", "eventmpm.scoreboard")); err == nil && tc.args[len(tc.args)-1] != "status" {
				t.Fatalf("eventmpm %v created a scoreboard: want nothing started", tc.args)
			}
		})
	}
}

// exitedPID returns the pid of a process that has exited (a stale PidFile).
func exitedPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command("/bin/sh", "-c", "exit 0")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}

// TestVerbsRunning runs the verbs against a running supervisor: start says
// it already runs, graceful and restart signal it, graceful-stop stops it
// (SPEC.md 4.1, 4.3).
func TestVerbsRunning(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	tests := []struct {
		args   []string
		stdout string
		log    string // the error log line the signal causes
	}{
		{args: []string{"start"}, stdout: fmt.Sprintf("eventmpm (pid %d) already running\n", s.pid())},
		{args: []string{"-k", "start"}, stdout: fmt.Sprintf("eventmpm (pid %d) already running\n", s.pid())},
		{args: []string{"graceful"}, log: "AH00493: SIGUSR1 received.  Doing graceful restart"},
		{args: []string{"-k", "graceful"}, log: "AH00493: SIGUSR1 received.  Doing graceful restart"},
		{args: []string{"restart"}, log: "AH00494: SIGHUP received.  Attempting to restart"},
		{args: []string{"-k", "restart"}, log: "AH00494: SIGHUP received.  Attempting to restart"},
	}
	for _, tc := range tests {
		gen := s.snapshot().Generation
		r := cli(t, s.root, tc.args...)
		if r.code != 0 || r.stdout != tc.stdout {
			t.Fatalf("eventmpm %v: got exit %d, stdout %q, stderr %q; want 0 and %q", tc.args, r.code, r.stdout, r.stderr, tc.stdout)
		}
		if tc.log != "" {
			itest.Eventually(t, 10*time.Second, fmt.Sprintf("eventmpm %v starts generation %d", tc.args, gen+1), func() bool {
				return s.snapshot().Generation == gen+1
			})
			s.waitGeneration(gen+1, 30*time.Second)
			s.get(t, "/")
		}
	}
	log := s.errorLog()
	for _, tc := range tests {
		if tc.log != "" && strings.Count(log, tc.log) < 2 {
			t.Errorf("error log: got %d lines %q, want 2", strings.Count(log, tc.log), tc.log)
		}
	}
	kids := procChildren(s.pid())
	if r := cli(t, s.root, "-k", "graceful-stop"); r.code != 0 || r.stdout != "" {
		t.Fatalf("graceful-stop: got exit %d, stdout %q, want 0 and nothing", r.code, r.stdout)
	}
	s.waitExit(t)
	waitGone(t, kids, 5*time.Second, "children gone after graceful-stop")
	if _, err := os.Stat(s.root.Path("logs", "eventmpm.pid")); !os.IsNotExist(err) {
		t.Fatalf("PidFile after graceful-stop: got %v, want it removed", err)
	}
	s.waitLog("AH00492: caught SIGWINCH, shutting down gracefully", time.Second)
}

// TestStartDetached starts the server without --foreground: the command
// returns once the server answers, the supervisor runs in its own session,
// and `restart` on a stopped server starts one too.
func TestStartDetached(t *testing.T) {
	t.Parallel()
	root := itest.NewRoot(t, baseConf, map[string]string{"index.html": indexBody})
	tests := []struct {
		args   []string
		stdout string
	}{
		{args: []string{"start"}},
		{args: []string{"-k", "graceful"}, stdout: "eventmpm not running, trying to start\n"},
		{args: []string{"restart"}, stdout: "eventmpm not running, trying to start\n"},
	}
	for _, tc := range tests {
		pid := startDetached(t, root, tc.stdout, tc.args...)
		if sid, _ := unix.Getsid(pid); sid != pid {
			t.Errorf("eventmpm %v: supervisor %d in session %d, want its own", tc.args, pid, sid)
		}
		kids := procChildren(pid)
		if len(kids) != 2 {
			t.Errorf("eventmpm %v: children %v, want 2", tc.args, kids)
		}
		if r := cli(t, root, "stop"); r.code != 0 {
			t.Fatalf("stop: got exit %d (%s), want 0", r.code, r.stderr)
		}
		waitGone(t, append(kids, pid), 20*time.Second, "supervisor and children gone after stop")
		if r := cli(t, root, "status"); r.code != 3 {
			t.Fatalf("status after stop: got exit %d, want 3", r.code)
		}
	}
}

// startDetached runs a verb that starts a detached server, checks that it
// answers as soon as the verb returns, and returns the supervisor's pid
// (stopped with its children when the test ends).
func startDetached(t *testing.T, root *itest.Root, stdout string, args ...string) int {
	t.Helper()
	r := cli(t, root, args...)
	if r.code != 0 || r.stdout != stdout {
		t.Fatalf("eventmpm %v: got exit %d, stdout %q, stderr %q; want 0 and %q", args, r.code, r.stdout, r.stderr, stdout)
	}
	b, err := os.ReadFile(root.Path("logs", "eventmpm.pid"))
	if err != nil {
		t.Fatalf("PidFile after %v: %v", args, err)
	}
	pid, err := strconv.Atoi(strings.TrimSpace(string(b)))
	if err != nil {
		t.Fatalf("PidFile after %v: %q", args, b)
	}
	t.Cleanup(func() { killTree(pid) })
	c := &http.Client{Timeout: ioWait}
	resp, err := c.Get("http://" + root.Addr() + "/")
	if err != nil {
		t.Fatalf("GET / right after %v returned: %v", args, err)
	}
	resp.Body.Close()
	return pid
}

// killTree kills a detached supervisor and its children if they still run.
func killTree(pid int) {
	kids := procChildren(pid)
	syscall.Kill(pid, syscall.SIGKILL)
	for _, k := range kids {
		syscall.Kill(k, syscall.SIGKILL)
	}
}

// TestKillParent kills the supervisor with SIGKILL: its children must
// exit by themselves within a few seconds (no orphan serves without a
// supervisor), the port stops answering, and the leftover PidFile is then
// reported as stale and does not stop a new start.
func TestKillParent(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	kids := procChildren(s.pid())
	if len(kids) != 2 {
		t.Fatalf("children: got %v, want 2", kids)
	}
	if err := s.proc.Signal(syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	killed := time.Now()
	waitGone(t, kids, 5*time.Second, "children exit after their parent was killed")
	t.Logf("children %v gone %v after the parent", kids, time.Since(killed).Round(time.Millisecond))
	if _, ok := s.proc.Wait(t, 5*time.Second); !ok {
		t.Fatal("the supervisor is still running after SIGKILL")
	}
	if c, err := net.DialTimeout("tcp", s.root.Addr(), time.Second); err == nil {
		c.Close()
		t.Errorf("dial %s after every process died: got a connection, want refused", s.root.Addr())
	}
	r := cli(t, s.root, "stop")
	if want := fmt.Sprintf("eventmpm (pid %d?) not running\n", s.pid()); r.code != 0 || r.stdout != want {
		t.Errorf("stop with the stale PidFile: got exit %d, stdout %q; want 0 and %q", r.code, r.stdout, want)
	}
	if r := cli(t, s.root, "status"); r.code != 3 {
		t.Errorf("status: got exit %d, want 3", r.code)
	}
	s2 := runServer(t, s.root, 2)
	s2.waitLog("AH00098: pid file "+s.root.Path("logs", "eventmpm.pid")+" overwritten -- Unclean shutdown of previous eventmpm run?", 5*time.Second)
	s2.stopAndWait(t)
}

// TestUser starts the server as root with User and Group naming a
// throwaway unprivileged user: the children run as that user, the parent
// stays root, pages are served, and the error and access logs, in a
// directory only root may write, are still written by the children
// (through descriptors the parent opened).
func TestUser(t *testing.T) {
	t.Parallel()
	skipShort(t)
	if os.Geteuid() != 0 {
		t.Skip("needs root to start children as another user")
	}
	name := fmt.Sprintf("evmpm%d", os.Getpid()%100000)
	if out, err := exec.Command("useradd", "--system", "--user-group", "--no-create-home", "--shell", "/usr/sbin/nologin", name).CombinedOutput(); err != nil {
		t.Skipf("useradd %s: %v\n%s", name, err, out)
	}
	t.Cleanup(func() { exec.Command("userdel", name).Run() })
	u, err := user.Lookup(name)
	if err != nil {
		t.Fatal(err)
	}
	uid, _ := strconv.Atoi(u.Uid)

	root := itest.NewRoot(t, baseConf+"User "+name+"\nGroup "+name+"\nLogFormat \"%h %l %u %t \\\"%r\\\" %>s %b\" common\nCustomLog logs/access_log common\n",
		map[string]string{"index.html": indexBody})
	// The children must reach htdocs: open up the temporary directories
	// (made 0700) on the way to it.
	for d := root.Dir; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		if err := os.Chmod(d, 0o755); err != nil {
			t.Fatal(err)
		}
	}

	// The test binary is made 0700 for a moment: the user cannot execute
	// it (children start from /proc/self/exe, which skips the path's
	// directories but not the file's own permission), so no child can
	// start. The start must fail, promptly and saying why, and leave
	// nothing running.
	bin := binary(t)
	if err := os.Chmod(bin, 0o700); err != nil {
		t.Fatal(err)
	}
	r := cli(t, root, "start")
	if b, err := os.ReadFile(root.Path("logs", "eventmpm.pid")); err == nil { // should not be
		if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil {
			killTree(pid)
		}
	}
	if want := "eventmpm: the server stopped with exit code 15; see the error log " + root.Path("logs", "error_log"); r.code != 1 || !strings.Contains(r.stderr, want) {
		t.Errorf("start with a binary User cannot execute: got exit %d, stderr %q; want 1 and %q", r.code, r.stderr, want)
	}
	b, _ := os.ReadFile(root.Path("logs", "error_log"))
	for _, want := range []string{"AH00481: fork: Unable to fork new process", "permission denied", "AH02324: A resource shortage"} {
		if !strings.Contains(string(b), want) {
			t.Errorf("error log after the failed start: no %q in\n%s", want, b)
		}
	}
	if _, err := os.Stat(root.Path("logs", "eventmpm.pid")); !os.IsNotExist(err) {
		t.Errorf("PidFile after the failed start: got %v, want none", err)
	}
	if err := os.Chmod(bin, 0o755); err != nil {
		t.Fatal(err)
	}

	s := runServer(t, root, 2)
	if r, e, err := procUID(s.pid()); err != nil || r != 0 || e != 0 {
		t.Errorf("supervisor uid: got %d/%d (%v), want 0/0", r, e, err)
	}
	kids := procChildren(s.pid())
	for _, k := range kids {
		if r, e, err := procUID(k); err != nil || r != uid || e != uid {
			t.Errorf("child %d uid: got %d/%d (%v), want %d/%d (%s)", k, r, e, err, uid, uid, name)
		}
	}
	if got := s.get(t, "/"); got != indexBody {
		t.Errorf("GET /: got %q, want %q", got, indexBody)
	}
	if r := cli(t, root, "graceful"); r.code != 0 { // the old children log that they stop
		t.Fatalf("graceful: got exit %d (%s)", r.code, r.stderr)
	}
	s.waitGeneration(1, 30*time.Second)
	for _, k := range kids {
		s.waitLog(fmt.Sprintf("[pid %d:tid 0] child stopping gracefully", k), 10*time.Second)
	}
	itest.Eventually(t, 10*time.Second, "access log written", func() bool {
		b, _ := os.ReadFile(root.Path("logs", "access_log"))
		return strings.Contains(string(b), `"GET / HTTP/1.1" 200`)
	})
	for _, k := range procChildren(s.pid()) {
		if r, _, err := procUID(k); err == nil && r != uid {
			t.Errorf("generation 1 child %d uid: got %d, want %d", k, r, uid)
		}
	}
	s.stopAndWait(t)
}

// TestChildrenNamed: the children run the supervisor's binary image from
// /proc/self/exe, which would name them "exe"; they take the supervisor's
// name instead, on every thread, so ps -C, pgrep -x, top and killall find
// them as they find Apache's. The binary is copied under another name
// than eventmpm so the name cannot come from anywhere but the supervisor.
// A child started later (a replacement) is named too.
func TestChildrenNamed(t *testing.T) {
	t.Parallel()
	skipShort(t)
	root := itest.NewRoot(t, baseConf, map[string]string{"index.html": indexBody})
	bin := filepath.Join(root.Dir, "httpd-renamed")
	copyBinary(t, binary(t), bin)
	s := watchServer(t, root, 2, itest.Start(t, exec.Command(bin, "-d", root.Dir, "start", "--foreground")))
	names := threadNames(t, s.pid())
	if want := filepath.Base(bin); names[0] != want {
		t.Fatalf("supervisor name: got %q, want %q", names[0], want)
	}
	want := names[0]
	checkNames := func(what string) {
		t.Helper()
		kids := procChildren(s.pid())
		if len(kids) == 0 {
			t.Fatalf("%s: no children", what)
		}
		for _, k := range kids {
			for i, got := range threadNames(t, k) {
				if got != want {
					t.Errorf("%s: child %d thread %d: got name %q, want %q (the supervisor's)", what, k, i, got, want)
				}
			}
		}
	}
	checkNames("first generation")

	s.killForReplacement(t, 0, 15*time.Second)
	checkNames("after a replacement")
	s.stopAndWait(t)
}

// threadNames returns the names (/proc/PID/task/TID/comm) of pid's
// threads, the main thread's first.
func threadNames(t *testing.T, pid int) []string {
	t.Helper()
	main, err := os.ReadFile(fmt.Sprintf("/proc/%d/comm", pid))
	if err != nil {
		t.Fatalf("name of pid %d: %v", pid, err)
	}
	out := []string{strings.TrimSuffix(string(main), "\n")}
	tasks, _ := os.ReadDir(fmt.Sprintf("/proc/%d/task", pid))
	for _, task := range tasks {
		if task.Name() == strconv.Itoa(pid) {
			continue
		}
		b, err := os.ReadFile(fmt.Sprintf("/proc/%d/task/%s/comm", pid, task.Name()))
		if err == nil {
			out = append(out, strings.TrimSuffix(string(b), "\n"))
		}
	}
	return out
}
