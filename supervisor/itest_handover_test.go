package supervisor_test

import (
	"fmt"
	"net"
	"os"
	"os/exec"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"

	"eventmpm/internal/itest"
)

// The two ways the supervisor receives its listening sockets instead of
// binding them: systemd socket activation (LISTEN_FDS, LISTEN_PID) and a
// live binary upgrade (`eventmpm upgrade`, SIGUSR2).

// activationWrapper sets LISTEN_PID to the pid the binary will run as:
// the shell's, which exec keeps. The test cannot know it before exec.
const activationWrapper = `LISTEN_PID=$$ exec "$0" "$@"`

// holdListener binds a TCP listener on 127.0.0.1 the way a service
// manager would and returns it with its descriptor as a file.
func holdListener(t *testing.T, network string) (net.Addr, *os.File) {
	t.Helper()
	var f *os.File
	var addr net.Addr
	switch network {
	case "tcp":
		l, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer l.Close()
		addr = l.Addr()
		if f, err = l.(*net.TCPListener).File(); err != nil {
			t.Fatal(err)
		}
	case "udp":
		c, err := net.ListenPacket("udp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		defer c.Close()
		addr = c.LocalAddr()
		if f, err = c.(*net.UDPConn).File(); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { f.Close() })
	return addr, f
}

// activatedCmd is `eventmpm -d ROOT start --foreground` with files passed
// as descriptors 3… under the sd_listen_fds(3) protocol.
func activatedCmd(t *testing.T, root *itest.Root, files ...*os.File) *exec.Cmd {
	cmd := exec.Command("/bin/sh", "-c", activationWrapper, binary(t), "-d", root.Dir, "start", "--foreground")
	cmd.Env = append(os.Environ(), "LISTEN_FDS="+strconv.Itoa(len(files)), "LISTEN_FDNAMES=http")
	cmd.ExtraFiles = files
	return cmd
}

// socketInode returns the inode of the socket behind a descriptor link.
func socketInode(link string) string {
	target, err := os.Readlink(link)
	if err != nil || !strings.HasPrefix(target, "socket:[") {
		return ""
	}
	return target
}

// holdsSocket reports whether process pid has the socket inode open.
func holdsSocket(pid int, inode string) bool {
	ents, _ := os.ReadDir(fmt.Sprintf("/proc/%d/fd", pid))
	for _, e := range ents {
		if socketInode(fmt.Sprintf("/proc/%d/fd/%s", pid, e.Name())) == inode {
			return true
		}
	}
	return false
}

// TestSocketActivation passes a listening socket the test holds as
// descriptor 3 with LISTEN_FDS and LISTEN_PID: the supervisor adopts it
// (the test's own socket, the same inode, is the one the children serve;
// binding the port again would fail, since the test holds it), binds the
// second Listen line no descriptor matches, and serves on both.
func TestSocketActivation(t *testing.T) {
	skipShort(t)
	addr, f := holdListener(t, "tcp")
	port := addr.(*net.TCPAddr).Port
	root := itest.NewRoot(t, baseConf, map[string]string{"index.html": indexBody})
	bound := root.Port
	root.Port = port
	root.WriteConf(t, baseConf+fmt.Sprintf("Listen 127.0.0.1:%d\n", bound))
	s := watchServer(t, root, 2, itest.Start(t, activatedCmd(t, root, f)))

	for _, a := range []string{root.Addr(), fmt.Sprintf("127.0.0.1:%d", bound)} {
		if got := s.getAt(t, a); got != indexBody {
			t.Errorf("GET http://%s/: got %q, want the index page", a, got)
		}
	}
	log := s.errorLog()
	for _, want := range []string{
		fmt.Sprintf("Listen 127.0.0.1:%d: using the inherited socket http (127.0.0.1:%d)", port, port),
		fmt.Sprintf("Listen 127.0.0.1:%d: no inherited socket matches; bound it", bound),
	} {
		if !strings.Contains(log, want) {
			t.Errorf("error log lacks %q:\n%s", want, tail(log, 20))
		}
	}
	inode := socketInode(fmt.Sprintf("/proc/self/fd/%d", f.Fd()))
	for _, c := range s.servingChildren(0) {
		if !holdsSocket(c.pid, inode) {
			t.Errorf("child pid %d does not hold the inherited socket %s", c.pid, inode)
		}
	}
	if env, err := os.ReadFile(fmt.Sprintf("/proc/%d/environ", s.servingChildren(0)[0].pid)); err == nil &&
		strings.Contains(string(env), "LISTEN_FDS=") {
		t.Errorf("a child sees LISTEN_FDS: the supervisor must unset it")
	}
	s.stopAndWait(t)
}

// TestSocketActivationRefused: an inherited descriptor that is not a
// listening stream socket, or matches no Listen line, stops the start with
// a message naming it; nothing is served.
func TestSocketActivationRefused(t *testing.T) {
	skipShort(t)
	cases := []struct {
		name    string
		network string
		want    string
	}{
		{name: "unmatched", network: "tcp", want: "matches no Listen directive"},
		{name: "datagram", network: "udp", want: "not a stream socket"},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			addr, f := holdListener(t, tc.network)
			root := itest.NewRoot(t, baseConf, map[string]string{"index.html": indexBody})
			p := itest.Start(t, activatedCmd(t, root, f))
			err, ok := p.Wait(t, ioWait)
			if !ok {
				t.Fatalf("the server started with a %s inherited socket; want a refusal", tc.name)
			}
			if err == nil {
				t.Errorf("exit: got success, want failure")
			}
			for _, want := range []string{tc.want, "inherited socket http", addr.String()} {
				if !strings.Contains(p.Stderr.String(), want) {
					t.Errorf("stderr: got %q, want it to contain %q", p.Stderr.String(), want)
				}
			}
			if _, err := os.Stat(root.Path("logs", "eventmpm.pid")); err == nil {
				t.Errorf("a refused start left a PidFile")
			}
		})
	}
}

// TestSystemdSocketActivate runs the server under systemd's own
// socket-activation tool, which binds the port, waits for the first
// connection and execs the server with LISTEN_FDS.
func TestSystemdSocketActivate(t *testing.T) {
	skipShort(t)
	tool, err := exec.LookPath("systemd-socket-activate")
	if err != nil {
		t.Skip("systemd-socket-activate not installed (Debian package systemd); socket activation is covered by TestSocketActivation")
	}
	root := itest.NewRoot(t, baseConf, map[string]string{"index.html": indexBody})
	cmd := exec.Command(tool, "-l", root.Addr(), binary(t), "-d", root.Dir, "start", "--foreground")
	s := watchServer(t, root, 2, itest.Start(t, cmd))
	s.waitLog("using the inherited socket", ioWait)
	if got := s.get(t, "/"); got != indexBody {
		t.Errorf("GET /: got %q, want the index page", got)
	}
	s.stopAndWait(t)
}

// getAt fetches / at addr on a fresh connection.
func (s *server) getAt(t *testing.T, addr string) string {
	t.Helper()
	saved := s.root.Port
	defer func() { s.root.Port = saved }()
	_, p, _ := net.SplitHostPort(addr)
	s.root.Port, _ = strconv.Atoi(p)
	return s.get(t, "/")
}

// pidFile reads the PidFile.
func (s *server) pidFile() int {
	b, _ := os.ReadFile(s.root.Path("logs", "eventmpm.pid"))
	pid, _ := strconv.Atoi(strings.TrimSpace(string(b)))
	return pid
}

// stopUpgraded stops a supervisor a live upgrade started (not the test's
// child: the old supervisor that was is gone) when the test ends.
func stopUpgraded(t *testing.T, pid int) {
	t.Cleanup(func() {
		syscall.Kill(pid, syscall.SIGTERM)
		waitGone(t, []int{pid}, 20*time.Second, "upgraded supervisor")
	})
}

// TestUpgradeUnderLoad upgrades a server while keep-alive clients (raw
// sockets that never retry, and net/http) and new connections hammer it:
// no request fails, the PidFile names the new supervisor, the old one
// exits once its children drained, and the new one serves.
func TestUpgradeUnderLoad(t *testing.T) {
	s := startServer(t, "", nil)
	old := s.pid()
	o := loadOpts{addr: s.root.Addr(), path: "/index.html", want: []byte(indexBody), workers: 4, max: 20000, dur: 25 * time.Second}
	raw, htc := startRawLoad(t, o), startHTTPLoad(t, o)
	fresh := startFreshLoad(t, o)
	time.Sleep(500 * time.Millisecond)

	began := time.Now()
	r := cli(t, s.root, "upgrade")
	took := time.Since(began)
	if r.code != 0 {
		t.Fatalf("upgrade: got exit %d (%s), want 0", r.code, r.stderr)
	}
	for _, l := range []*load{raw, htc, fresh} {
		select {
		case <-l.done:
			t.Fatalf("a load loop ended before the upgrade did (%v): the test proves nothing", l.stop())
		default:
		}
	}
	newPID := s.pidFile()
	if newPID == old || newPID == 0 {
		t.Fatalf("PidFile after the upgrade: got %d, want a new pid (old %d)", newPID, old)
	}
	stopUpgraded(t, newPID)
	if want := fmt.Sprintf("eventmpm upgraded: pid %d serves", newPID); !strings.Contains(r.stdout, want) {
		t.Errorf("upgrade printed %q, want %q", r.stdout, want)
	}
	waitGone(t, []int{old}, 30*time.Second, "old supervisor")
	rs, hs, fs := raw.wait(), htc.wait(), fresh.wait()
	t.Logf("upgrade verb took %v (%s)", took.Round(time.Millisecond), strings.TrimSpace(r.stdout))
	t.Logf("raw clients: %v; errors %v", rs, rs.errs)
	t.Logf("net/http clients: %v; errors %v", hs, hs.errs)
	t.Logf("new-connection clients: %v; errors %v", fs, fs.errs)
	if rs.Failed != 0 || hs.Failed != 0 || fs.Failed != 0 {
		t.Errorf("failed requests: got %d raw, %d net/http, %d new-connection, want none", rs.Failed, hs.Failed, fs.Failed)
	}
	if rs.Requests == 0 || hs.Requests == 0 || fs.Requests == 0 {
		t.Errorf("a load loop made no request: %v / %v / %v", rs, hs, fs)
	}
	if got := s.get(t, "/"); got != indexBody {
		t.Errorf("GET / from the new supervisor: got %q", got)
	}
	if pid := s.snapshot().ParentPID; pid != newPID {
		t.Errorf("scoreboard parent pid: got %d, want %d", pid, newPID)
	}
	for _, c := range s.children() {
		if pp := ppid(c.pid); pp != newPID {
			t.Errorf("child pid %d in slot %d: parent %d, want the new supervisor %d", c.pid, c.slot, pp, newPID)
		}
	}
}

// startFreshLoad is a load loop that opens a new connection per request.
func startFreshLoad(t *testing.T, o loadOpts) *load {
	t.Helper()
	l, ctx := newLoad(o)
	done := make(chan struct{}, o.workers)
	for range o.workers {
		go func() {
			defer func() { done <- struct{}{} }()
			for l.take(ctx) {
				rc := &rawClient{l: l, o: o}
				rc.do()
				rc.close()
			}
		}()
	}
	go func() {
		for range o.workers {
			<-done
		}
		close(l.done)
	}()
	t.Cleanup(func() { l.stop() })
	return l
}

// ppid returns the parent pid of pid from /proc, 0 if unknown.
func ppid(pid int) int {
	st, ok := procStat(pid)
	if !ok {
		return 0
	}
	return st.ppid
}

// TestUpgradeFails: when the new binary cannot take over, the old
// supervisor keeps serving with its PidFile, and `eventmpm upgrade` exits
// 1 with the reason.
func TestUpgradeFails(t *testing.T) {
	cases := []struct {
		name    string
		breakIt func(t *testing.T, s *server, bin string)
		want    string
	}{
		{
			name: "binary exits 1",
			breakIt: func(t *testing.T, s *server, bin string) {
				replaceFile(t, bin, "#!/bin/sh\necho 'not an eventmpm' >&2\nexit 1\n", 0o755)
			},
			want: "exited before it was ready (exit status 1)",
		},
		{
			name: "ServerLimit changed",
			breakIt: func(t *testing.T, s *server, bin string) {
				writeFile(t, s.root, "conf/eventmpm.conf", strings.Replace(readConf(t, s), "ServerLimit 4", "ServerLimit 5", 1))
			},
			want: "cannot change in a live upgrade",
		},
	}
	for _, tc := range cases {
		t.Run(tc.name, func(t *testing.T) {
			skipShort(t)
			root := itest.NewRoot(t, baseConf, map[string]string{"index.html": indexBody})
			bin := filepath.Join(root.Dir, "eventmpm")
			copyBinary(t, binary(t), bin)
			s := watchServer(t, root, 2, itest.Start(t, exec.Command(bin, "-d", root.Dir, "start", "--foreground")))
			old := s.pid()
			tc.breakIt(t, s, bin)
			r := cli(t, s.root, "upgrade")
			if r.code != 1 || !strings.Contains(r.stderr, fmt.Sprintf("upgrade failed, pid %d keeps serving", old)) ||
				!strings.Contains(r.stderr, tc.want) {
				t.Errorf("upgrade: got exit %d, stderr %q; want 1 and %q", r.code, r.stderr, tc.want)
			}
			s.waitLog("upgrade failed", ioWait)
			if got := s.pidFile(); got != old {
				t.Errorf("PidFile: got %d, want the old supervisor %d", got, old)
			}
			if got := s.get(t, "/"); got != indexBody {
				t.Errorf("GET / after the failed upgrade: got %q", got)
			}
			if len(s.servingChildren(0)) < 2 {
				t.Errorf("children of generation 0 serving: got %+v, want 2", s.children())
			}
			s.stopAndWait(t)
		})
	}
}

// TestUpgradeBrokenConfig: the verb checks the configuration before it
// signals (nothing is sent); a raw SIGUSR2 with the broken configuration
// is logged with its file and line and the server keeps serving.
func TestUpgradeBrokenConfig(t *testing.T) {
	s := startServer(t, "", nil)
	writeFile(t, s.root, "conf/eventmpm.conf", readConf(t, s)+"NoSuchDirective on\n")
	r := cli(t, s.root, "upgrade")
	if r.code != 1 || !strings.Contains(r.stderr, "AH00526") {
		t.Errorf("upgrade with a broken configuration: got exit %d, stderr %q; want 1 and AH00526", r.code, r.stderr)
	}
	if strings.Contains(s.errorLog(), "SIGUSR2") {
		t.Errorf("the verb signalled although the configuration is broken")
	}
	if err := s.proc.Signal(syscall.SIGUSR2); err != nil {
		t.Fatal(err)
	}
	s.waitLog("upgrade failed, pid "+strconv.Itoa(s.pid())+" keeps serving: AH00526: Syntax error on line", ioWait)
	if got := s.get(t, "/"); got != indexBody {
		t.Errorf("GET / after the failed upgrade: got %q", got)
	}
	if got := s.pidFile(); got != s.pid() {
		t.Errorf("PidFile: got %d, want %d", got, s.pid())
	}
	s.stopAndWait(t)
}

func readConf(t *testing.T, s *server) string {
	t.Helper()
	b, err := os.ReadFile(s.root.Path("conf", "eventmpm.conf"))
	if err != nil {
		t.Fatal(err)
	}
	return string(b)
}

// copyBinary copies the binary under test, so a test can replace it.
func copyBinary(t *testing.T, from, to string) {
	t.Helper()
	b, err := os.ReadFile(from)
	if err != nil {
		t.Fatal(err)
	}
	replaceFile(t, to, string(b), 0o755)
}

// replaceFile writes a file beside path and renames it into place, as a
// package manager replaces a running binary.
func replaceFile(t *testing.T, path, body string, mode os.FileMode) {
	t.Helper()
	tmp := path + ".new"
	if err := os.WriteFile(tmp, []byte(body), mode); err != nil {
		t.Fatal(err)
	}
	if err := os.Rename(tmp, path); err != nil {
		t.Fatal(err)
	}
}

// TestReplacedBinaryKeepsChildren: a package upgrade replaces the binary
// on disk under a running server (not a live upgrade). A child killed
// afterwards is replaced, and a graceful restart starts its generation,
// from the binary the supervisor runs, not the file now at its path.
func TestReplacedBinaryKeepsChildren(t *testing.T) {
	skipShort(t)
	root := itest.NewRoot(t, baseConf, map[string]string{"index.html": indexBody})
	bin := filepath.Join(root.Dir, "eventmpm")
	copyBinary(t, binary(t), bin)
	s := watchServer(t, root, 2, itest.Start(t, exec.Command(bin, "-d", root.Dir, "start", "--foreground")))
	replaceFile(t, bin, "#!/bin/sh\necho 'not an eventmpm' >&2\nexit 1\n", 0o755)

	s.killForReplacement(t, 0, 15*time.Second)
	if err := syscall.Kill(s.pid(), syscall.SIGUSR1); err != nil {
		t.Fatal(err)
	}
	s.waitGeneration(1, 30*time.Second)
	if got := s.get(t, "/index.html"); got != indexBody {
		t.Errorf("GET /index.html after the graceful restart: %q", got)
	}
	if log := s.errorLog(); strings.Contains(log, "not an eventmpm") || strings.Contains(s.proc.Stderr.String(), "not an eventmpm") {
		t.Errorf("a child ran the replaced file:\n%s", log)
	}
}
