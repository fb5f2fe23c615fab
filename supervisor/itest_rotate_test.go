package supervisor_test

import (
	"fmt"
	"os"
	"os/exec"
	"strings"
	"syscall"
	"testing"
	"time"

	"eventmpm/internal/itest"
)

// The rotation tests follow logrotate's default scheme: rename the logs,
// then `eventmpm graceful` (postrotate), under continuous traffic.

// rotateConf logs every request with its unique id to logs/access_log.
const rotateConf = pidLogFormat + `CustomLog logs/access_log pidlog
`

// TestLogRotationGraceful renames access_log and error_log by hand and
// runs the graceful verb.
func TestLogRotationGraceful(t *testing.T) {
	s := startServer(t, rotateConf, nil)
	checkRotation(t, s, func() {
		for _, name := range []string{"access_log", "error_log"} {
			if err := os.Rename(s.root.Path("logs", name), s.root.Path("logs", name+".1")); err != nil {
				t.Fatal(err)
			}
		}
		if r := cli(t, s.root, "graceful"); r.code != 0 {
			t.Fatalf("graceful: %d %s", r.code, r.stderr)
		}
	})
}

// TestLogRotationLogrotate runs Debian's logrotate -f with a generated
// configuration whose postrotate runs this binary's graceful verb.
func TestLogRotationLogrotate(t *testing.T) {
	lr, err := exec.LookPath("logrotate")
	if err != nil {
		lr, err = exec.LookPath("/usr/sbin/logrotate") // not in a user's PATH
	}
	if err != nil {
		t.Skip("logrotate is not installed (apt-get install logrotate; .ci/run installs it)")
	}
	s := startServer(t, rotateConf, nil)
	conf := s.root.Path("conf", "logrotate.conf")
	body := fmt.Sprintf(`%s %s {
    rotate 3
    missingok
    nocompress
    nocreate
    sharedscripts
    postrotate
        %s -d %s -f %s graceful
    endscript
}
`, s.root.Path("logs", "access_log"), s.root.Path("logs", "error_log"), binary(t), s.root.Dir, s.root.Path("conf", "eventmpm.conf"))
	if err := os.WriteFile(conf, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	checkRotation(t, s, func() {
		out, err := exec.Command(lr, "-f", "-s", s.root.Path("logrotate.state"), conf).CombinedOutput()
		if err != nil {
			t.Fatalf("logrotate: %v\n%s", err, out)
		}
	})
}

// checkRotation runs rotate under a continuous load and checks the
// result: every request is logged exactly once across access_log.1 and
// the new access_log, nothing reaches access_log.1 once the old
// generation is gone, and the new files are eventmpm's, mode 0644.
func checkRotation(t *testing.T, s *server, rotate func()) {
	t.Helper()
	logs := func(name string) string { return s.root.Path("logs", name) }
	stop := make(chan struct{})
	done := make(chan []string)
	go func() { done <- uniqueLoadUntil(t, s, "r", 4, 100000, false, stop) }()
	defer func() {
		if !closed(stop) {
			close(stop)
			<-done
		}
	}()
	itest.Eventually(t, 30*time.Second, "200 lines in access_log", func() bool { return lineCount(logs("access_log")) >= 200 })
	rotate()
	s.waitGeneration(1, 30*time.Second)
	itest.Eventually(t, 30*time.Second, "generation 0 gone", func() bool {
		for _, c := range s.children() {
			if c.gen == 0 {
				return false
			}
		}
		return true
	})
	oldSize := fileSize(logs("access_log.1"))
	itest.Eventually(t, 30*time.Second, "200 lines in the new access_log", func() bool { return lineCount(logs("access_log")) >= 200 })
	close(stop)
	ok := <-done
	checkLogged(t, ok, logs("access_log.1"), logs("access_log"))
	if got := fileSize(logs("access_log.1")); got != oldSize {
		t.Errorf("access_log.1 grew from %d to %d bytes after the old generation exited", oldSize, got)
	}
	for _, name := range []string{"access_log", "error_log"} {
		checkNewLog(t, logs(name))
	}
	if b, _ := os.ReadFile(logs("error_log.1")); !strings.Contains(string(b), "AH00493") {
		t.Errorf("error_log.1 lacks the graceful restart line (AH00493)")
	}
	t.Logf("%d requests, each logged once: %d lines in access_log.1 (%d bytes, unchanged after generation 0 exited), %d in access_log",
		len(ok), lineCount(logs("access_log.1")), oldSize, lineCount(logs("access_log")))
}

// checkNewLog requires path to exist, owned by this test's user, mode 0644.
func checkNewLog(t *testing.T, path string) {
	t.Helper()
	fi, err := os.Stat(path)
	if err != nil {
		t.Errorf("new log: %v", err)
		return
	}
	st := fi.Sys().(*syscall.Stat_t)
	if fi.Mode().Perm() != 0o644 || int(st.Uid) != os.Getuid() || int(st.Gid) != os.Getgid() {
		t.Errorf("%s: got mode %v owner %d:%d, want -rw-r--r-- %d:%d", path, fi.Mode().Perm(), st.Uid, st.Gid, os.Getuid(), os.Getgid())
	}
}

// lineCount counts the lines of a file (0 when it does not exist).
func lineCount(path string) int {
	b, _ := os.ReadFile(path)
	return strings.Count(string(b), "\n")
}

// fileSize is a file's size (-1 when it does not exist).
func fileSize(path string) int64 {
	fi, err := os.Stat(path)
	if err != nil {
		return -1
	}
	return fi.Size()
}
