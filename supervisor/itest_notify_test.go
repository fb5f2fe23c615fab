package supervisor_test

import (
	"bytes"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"syscall"
	"testing"
	"time"
)

// The tests in this file stand in for systemd: they own a unix datagram
// socket, put it in NOTIFY_SOCKET (t.Setenv: these tests never run in
// parallel), start the real supervisor in the foreground and read what it
// tells the service manager (sd_notify(3)) across starts, restarts,
// refused restarts and stops.

// notifySocket is a test-owned datagram socket playing systemd's.
type notifySocket struct {
	name  string
	msgsC chan string
}

// listenNotify opens the socket at name (a path, or '@' and an abstract
// name), sets NOTIFY_SOCKET to it and collects every datagram.
func listenNotify(t *testing.T, name string) *notifySocket {
	t.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatalf("listen %s: %v", name, err)
	}
	n := &notifySocket{name: name, msgsC: make(chan string, 1024)}
	go func() {
		buf := make([]byte, 8192)
		for {
			k, err := c.Read(buf)
			if err != nil {
				close(n.msgsC)
				return
			}
			n.msgsC <- string(buf[:k])
		}
	}()
	t.Cleanup(func() { c.Close() })
	t.Setenv("NOTIFY_SOCKET", name)
	return n
}

// monotonic matches the MONOTONIC_USEC value, which changes every run.
var monotonic = regexp.MustCompile(`MONOTONIC_USEC=[1-9][0-9]*\n`)

// next returns the next datagram (MONOTONIC_USEC's value replaced by N),
// failing the test when none comes within ioWait.
func (n *notifySocket) next(t *testing.T) string {
	t.Helper()
	select {
	case m, ok := <-n.msgsC:
		if !ok {
			t.Fatalf("notify socket closed")
		}
		return monotonic.ReplaceAllString(m, "MONOTONIC_USEC=N\n")
	case <-time.After(ioWait):
		t.Fatalf("no notify message within %v", ioWait)
		return ""
	}
}

// expect reads one datagram per want and compares; a want ending in "…"
// is a prefix.
func (n *notifySocket) expect(t *testing.T, step string, want ...string) []string {
	t.Helper()
	var got []string
	for _, w := range want {
		m := n.next(t)
		got = append(got, m)
		if p, ok := strings.CutSuffix(w, "…"); ok && strings.HasPrefix(m, p) || m == w {
			continue
		}
		t.Fatalf("%s: got message %q, want %q", step, m, w)
	}
	return got
}

// quiet fails the test if a datagram arrives within d.
func (n *notifySocket) quiet(t *testing.T, step string, d time.Duration) {
	t.Helper()
	select {
	case m := <-n.msgsC:
		t.Fatalf("%s: got unexpected message %q", step, m)
	case <-time.After(d):
	}
}

// TestNotifySequence checks, with a socket at a path, the exact sequence
// of messages of a start, a graceful restart (verb and raw USR1), a hard
// restart, a graceful restart and a hard restart refused for a broken
// configuration (raw signals: the verbs refuse before signalling), and a
// stop; MAINPID is the supervisor's pid.
func TestNotifySequence(t *testing.T) {
	skipShort(t)
	n := listenNotify(t, filepath.Join(t.TempDir(), "notify"))
	s := startServer(t, "", nil)
	log := n.expect(t, "start", fmt.Sprintf("READY=1\nMAINPID=%d\nSTATUS=serving, generation 0, 2 children\n", s.pid()))

	conf := filepath.Join(s.root.Dir, "conf", "eventmpm.conf")
	broken := fmt.Sprintf("AH00526: Syntax error on line %d of %s", strings.Count(baseConf, "\n")+1, conf)
	steps := []struct {
		name string
		act  func()
		gen  int // the generation serving afterwards
		want []string
	}{
		{name: "graceful verb", act: func() { s.verb(t, "graceful") }, gen: 1, want: []string{
			"RELOADING=1\nMONOTONIC_USEC=N\nSTATUS=graceful restart under way\n",
			"READY=1\nSTATUS=serving, generation 1, 2 children\n"}},
		{name: "raw USR1", act: func() { s.signal(t, syscall.SIGUSR1) }, gen: 2, want: []string{
			"RELOADING=1\nMONOTONIC_USEC=N\nSTATUS=graceful restart under way\n",
			"READY=1\nSTATUS=serving, generation 2, 2 children\n"}},
		{name: "restart verb", act: func() { s.verb(t, "restart") }, gen: 3, want: []string{
			"RELOADING=1\nMONOTONIC_USEC=N\nSTATUS=restart under way\n",
			"READY=1\nSTATUS=serving, generation 3, 2 children\n"}},
		{name: "USR1, broken config", act: func() {
			s.root.WriteConf(t, baseConf+"BogusDirective on\n")
			s.signal(t, syscall.SIGUSR1)
		}, gen: 3, want: []string{
			"RELOADING=1\nMONOTONIC_USEC=N\nSTATUS=graceful restart under way\n",
			"READY=1\nSTATUS=graceful restart refused, generation 3 keeps serving: " + broken + "…"}},
		{name: "HUP, broken config", act: func() { s.signal(t, syscall.SIGHUP) }, gen: 3, want: []string{
			"RELOADING=1\nMONOTONIC_USEC=N\nSTATUS=restart under way\n",
			"READY=1\nSTATUS=restart refused, generation 3 keeps serving: " + broken + "…"}},
		{name: "graceful, fixed", act: func() {
			s.root.WriteConf(t, baseConf)
			s.verb(t, "graceful")
		}, gen: 4, want: []string{
			"RELOADING=1\nMONOTONIC_USEC=N\nSTATUS=graceful restart under way\n",
			"READY=1\nSTATUS=serving, generation 4, 2 children\n"}},
	}
	for _, st := range steps {
		st.act()
		log = append(log, n.expect(t, st.name, st.want...)...)
		s.waitGeneration(st.gen, 30*time.Second)
		s.get(t, "/")
	}
	n.quiet(t, "serving, nothing asked", 1500*time.Millisecond)
	s.verb(t, "stop")
	log = append(log, n.expect(t, "stop", "STOPPING=1\nSTATUS=stopping\n")...)
	s.waitExit(t)
	n.quiet(t, "after exit", 200*time.Millisecond)
	t.Logf("messages:\n%s", strings.Join(log, "--\n"))
}

// TestNotifyAbstract uses an abstract socket (NOTIFY_SOCKET=@name): a
// start, a graceful restart by USR1, and a graceful stop by WINCH, after
// which the supervisor exits 0; the children's environment has no
// NOTIFY_SOCKET (only the main process notifies).
func TestNotifyAbstract(t *testing.T) {
	skipShort(t)
	n := listenNotify(t, fmt.Sprintf("@eventmpm-itest-notify-%d-%d", os.Getpid(), time.Now().UnixNano()))
	s := startServer(t, "GracefulShutdownTimeout 20\n", nil)
	n.expect(t, "start", fmt.Sprintf("READY=1\nMAINPID=%d\nSTATUS=serving, generation 0, 2 children\n", s.pid()))
	for _, pid := range procChildren(s.pid()) {
		env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", pid))
		if err != nil {
			t.Fatalf("environment of child %d: %v", pid, err)
		}
		if bytes.Contains(env, []byte("NOTIFY_SOCKET=")) {
			t.Errorf("child %d inherited NOTIFY_SOCKET; want it unset", pid)
		}
	}
	s.signal(t, syscall.SIGUSR1)
	n.expect(t, "USR1", "RELOADING=1\nMONOTONIC_USEC=N\nSTATUS=graceful restart under way\n",
		"READY=1\nSTATUS=serving, generation 1, 2 children\n")
	s.waitGeneration(1, 30*time.Second)
	s.signal(t, syscall.SIGWINCH)
	n.expect(t, "WINCH", "STOPPING=1\nSTATUS=stopping gracefully: …")
	s.waitExit(t)
}

// TestNotifyWatchdog sets WATCHDOG_USEC (systemd's WatchdogSec): the
// supervisor sends WATCHDOG=1 at half the interval from its loop.
func TestNotifyWatchdog(t *testing.T) {
	skipShort(t)
	n := listenNotify(t, filepath.Join(t.TempDir(), "notify"))
	t.Setenv("WATCHDOG_USEC", "400000")
	s := startServer(t, "", nil)
	seen, ready := 0, false
	deadline := time.Now().Add(30 * time.Second)
	for seen < 5 && time.Now().Before(deadline) {
		switch m := n.next(t); {
		case m == "WATCHDOG=1\n":
			seen++
		case strings.HasPrefix(m, "READY=1\n"):
			ready = true
		default:
			t.Fatalf("got message %q, want WATCHDOG=1 or READY=1", m)
		}
	}
	if seen < 5 || !ready {
		t.Fatalf("got %d WATCHDOG=1 and READY %v, want 5 and true", seen, ready)
	}
	s.stopAndWait(t)
}

// verb runs a CLI verb against the server and fails unless it exits 0.
func (s *server) verb(t *testing.T, verb string) {
	t.Helper()
	if r := cli(t, s.root, verb); r.code != 0 {
		t.Fatalf("%s: got exit %d (%s), want 0", verb, r.code, r.stderr)
	}
}

// signal sends sig to the supervisor.
func (s *server) signal(t *testing.T, sig syscall.Signal) {
	t.Helper()
	if err := s.proc.Signal(sig); err != nil {
		t.Fatalf("%v: %v", sig, err)
	}
}

// TestNotifyUpgrade: a live upgrade under systemd hands the service over.
// The old supervisor sends MAINPID=<new pid> and no STOPPING=1 (its
// drain is not the service's stop); the new one inherits the notify socket
// and reports itself ready, and later its own stop.
func TestNotifyUpgrade(t *testing.T) {
	skipShort(t)
	n := listenNotify(t, filepath.Join(t.TempDir(), "notify"))
	s := startServer(t, "", nil)
	old := s.pid()
	n.expect(t, "start", fmt.Sprintf("READY=1\nMAINPID=%d\nSTATUS=serving, generation 0, 2 children\n", old))
	if r := cli(t, s.root, "upgrade"); r.code != 0 {
		t.Fatalf("upgrade: exit %d (%s)", r.code, r.stderr)
	}
	newPID := s.pidFile()
	if newPID == old || newPID == 0 {
		t.Fatalf("PidFile after the upgrade names %d (old %d)", newPID, old)
	}
	handover := fmt.Sprintf("MAINPID=%d\nSTATUS=upgraded: pid %d serves, pid %d finishes its connections\n", newPID, newPID, old)
	ready := fmt.Sprintf("READY=1\nMAINPID=%d\nSTATUS=serving, generation …", newPID)
	var sawHandover, sawReady bool
	for !(sawHandover && sawReady) {
		m := n.next(t)
		switch {
		case m == handover:
			sawHandover = true
		case strings.HasPrefix(m, strings.TrimSuffix(ready, "…")):
			sawReady = true
		case strings.HasPrefix(m, "STATUS="):
			// the new supervisor's summary while its children start
		default:
			t.Fatalf("upgrade: unexpected message %q", m)
		}
	}
	waitGone(t, []int{old}, 30*time.Second, "old supervisor")
	n.quiet(t, "old supervisor drained and exited", 500*time.Millisecond)
	if err := syscall.Kill(newPID, syscall.SIGTERM); err != nil {
		t.Fatal(err)
	}
	n.expect(t, "stop of the new supervisor", "STOPPING=1\nSTATUS=stopping\n")
	waitGone(t, []int{newPID}, 20*time.Second, "upgraded supervisor")
}
