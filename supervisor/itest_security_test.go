package supervisor_test

import (
	"fmt"
	"os"
	"os/exec"
	"os/user"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"

	"eventmpm/internal/itest"
)

// TestSecurityRunFiles: the scoreboard and pid files are the parent's.
// Both paths are opened without following a symlink: one planted at either
// makes the start fail, naming it, its target untouched. Started as root
// with User nobody, the server leaves both files owned by root, mode 0644,
// and that user cannot open either for writing through its path, even when
// it had left a writable file of its own at the scoreboard's path before
// the start. Not parallel: it changes the mode of the directory the binary
// was built in, which TestUser (parallel) also does.
func TestSecurityRunFiles(t *testing.T) {
	skipShort(t)
	if os.Geteuid() != 0 {
		t.Skip("needs root to start children as another user")
	}
	nobody, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("no user nobody: %v", err)
	}
	uid, _ := strconv.Atoi(nobody.Uid)
	gid, _ := strconv.Atoi(nobody.Gid)
	grp, err := user.LookupGroupId(nobody.Gid)
	if err != nil {
		t.Skipf("no group %s: %v", nobody.Gid, err)
	}
	conf := baseConf + "User nobody\nGroup " + grp.Name + "\n"
	root := itest.NewRoot(t, conf, map[string]string{"index.html": indexBody})
	// The children must reach the binary and htdocs.
	for _, d := range []string{root.Dir, filepath.Dir(itest.Binary(t))} {
		for ; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
			if err := os.Chmod(d, 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	sbPath, pidPath := root.Path("logs", "eventmpm.scoreboard"), root.Path("logs", "eventmpm.pid")

	t.Run("symlink-at-scoreboard-refused", func(t *testing.T) {
		victim := root.Path("victim-sb")
		writeFile(t, root, "victim-sb", "do not touch")
		if err := os.Symlink(victim, sbPath); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(sbPath)
		r := cli(t, root, "start")
		killPidFile(pidPath)
		if r.code == 0 {
			t.Errorf("start with a symlink at the scoreboard path: got exit 0, want a refusal")
		}
		if got := r.stderr + readFile(root.Path("logs", "error_log")); !strings.Contains(got, "symbolic link") {
			t.Errorf("start with a symlink at the scoreboard path: no mention of the symbolic link in\n%s", got)
		}
		if b, _ := os.ReadFile(victim); string(b) != "do not touch" {
			t.Errorf("the symlink's target: got %q, want it untouched", b)
		}
	})

	t.Run("symlink-at-pid-file-refused", func(t *testing.T) {
		victim := root.Path("victim-pid")
		writeFile(t, root, "victim-pid", "1\n") // a live pid: start would think it runs
		if err := os.Symlink(victim, pidPath); err != nil {
			t.Fatal(err)
		}
		defer os.Remove(pidPath)
		for _, verb := range []string{"start", "stop", "graceful"} {
			r := cli(t, root, verb)
			if r.code != 1 || !strings.Contains(r.stderr, "AH00058") || !strings.Contains(r.stderr, "symbolic link") {
				t.Errorf("%s with a symlink at the pid file path: got exit %d, stderr %q; want 1 and AH00058 naming the symbolic link", verb, r.code, r.stderr)
			}
		}
		if b, _ := os.ReadFile(victim); string(b) != "1\n" {
			t.Errorf("the symlink's target: got %q, want it untouched", b)
		}
	})

	// A writable file of the User's own at the scoreboard path.
	writeFile(t, root, "logs/eventmpm.scoreboard", "left by nobody")
	if err := os.Chmod(sbPath, 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(sbPath, uid, gid); err != nil {
		t.Fatal(err)
	}
	s := runServer(t, root, 2)
	for _, k := range procChildren(s.pid()) {
		if r, _, err := procUID(k); err != nil || r != uid {
			t.Errorf("child %d: got uid %d (%v), want %d (nobody)", k, r, err, uid)
		}
	}
	for _, p := range []string{sbPath, pidPath} {
		st, err := os.Lstat(p)
		if err != nil {
			t.Fatal(err)
		}
		sys := st.Sys().(*syscall.Stat_t)
		mode := os.FileMode(0o644)
		if p == sbPath {
			mode = 0o640 // request lines and client addresses: not for every user
		}
		if !st.Mode().IsRegular() || sys.Uid != 0 || st.Mode().Perm() != mode {
			t.Errorf("%s: got %v owned by %d, want a regular file, mode %v, owned by root", p, st.Mode(), sys.Uid, mode)
		}
		// As the User: read it through the path.
		read := exec.Command("/bin/cat", p)
		read.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
		if out, err := read.Output(); (err == nil) != (p == pidPath) {
			t.Errorf("%s: the User read it: %v (%d bytes), want only the pid file readable", p, err == nil, len(out))
		}
		// As the User: open for writing through the path.
		cmd := exec.Command("/bin/sh", "-c", `printf x >> "$0"`, p)
		cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: uint32(uid), Gid: uint32(gid)}}
		if out, err := cmd.CombinedOutput(); err == nil {
			t.Errorf("%s: the User could write it (%s)", p, out)
		}
	}
	if b, _ := os.ReadFile(pidPath); strings.TrimSpace(string(b)) != strconv.Itoa(s.pid()) {
		t.Errorf("pid file: got %q, want %d", b, s.pid())
	}
	s.get(t, "/")
	s.stopAndWait(t)
}

// killPidFile stops a server a failed test may have left running.
func killPidFile(path string) {
	b, err := os.ReadFile(path)
	if err != nil {
		return
	}
	if pid, err := strconv.Atoi(strings.TrimSpace(string(b))); err == nil && pid > 1 {
		syscall.Kill(pid, syscall.SIGKILL)
	}
}

// readFile returns a file's contents, or a note that it cannot be read.
func readFile(path string) string {
	b, err := os.ReadFile(path)
	if err != nil {
		return fmt.Sprintf("(%v)", err)
	}
	return string(b)
}
