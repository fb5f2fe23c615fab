package accesslog_test

import (
	"os"
	"path/filepath"
	"strings"
	"syscall"
	"testing"
	"time"

	"eventmpm/child/accesslog"
)

// waitFor polls cond for up to 10 s; the piped logger is another process.
func waitFor(t *testing.T, what string, cond func() bool) {
	t.Helper()
	for deadline := time.Now().Add(10 * time.Second); time.Now().Before(deadline); time.Sleep(5 * time.Millisecond) {
		if cond() {
			return
		}
	}
	t.Fatalf("timed out waiting for %s", what)
}

func TestPipe(t *testing.T) {
	out := filepath.Join(t.TempDir(), "out")
	l, err := accesslog.Open("|cat >> "+out, accesslog.Options{OnError: func(err error) { t.Errorf("OnError: %v", err) }})
	if err != nil {
		t.Fatal(err)
	}
	pid := accesslog.PipePID(l)
	const writers, perWriter = 4, 500
	writeLines(l, writers, perWriter, nil)
	if err := l.Reopen(); err != nil || accesslog.PipePID(l) != pid {
		t.Errorf("Reopen: got %v and pid %d, want nil and the same program %d", err, accesslog.PipePID(l), pid)
	}
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	// Close waited for cat to exit, so everything is in the file.
	checkAll(t, readLines(t, out), writers, perWriter)
}

func TestPipeRestart(t *testing.T) {
	defer accesslog.SetPipeBackoff(10 * time.Millisecond)()
	var rec recorder
	out := filepath.Join(t.TempDir(), "out")
	l, err := accesslog.Open("|cat >> "+out, accesslog.Options{OnError: rec.onError})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	b := l.NewBuffer()
	b.Write([]byte("before"))
	b.Flush()
	waitFor(t, "the first line", func() bool {
		got, _ := os.ReadFile(out)
		return string(got) == "before\n"
	})

	pid := accesslog.PipePID(l)
	if err := syscall.Kill(pid, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the restart", func() bool { p := accesslog.PipePID(l); return p != 0 && p != pid })
	errs := rec.get()
	if len(errs) == 0 || !strings.Contains(errs[0].Error(), `piped log program "cat >> `+out+`" failed unexpectedly`) {
		t.Errorf("got %v, want a failed unexpectedly report", errs)
	}
	b.Write([]byte("after"))
	b.Flush()
	waitFor(t, "the line after the restart", func() bool {
		got, _ := os.ReadFile(out)
		return string(got) == "before\nafter\n"
	})
}

func TestPipeStartError(t *testing.T) {
	// sh starts; the command fails at once. Open succeeds (as in Apache,
	// the program is only known dead later) and the death is reported.
	defer accesslog.SetPipeBackoff(time.Hour)()
	var rec recorder
	l, err := accesslog.Open("|exit 3", accesslog.Options{OnError: rec.onError})
	if err != nil {
		t.Fatal(err)
	}
	waitFor(t, "the report", func() bool { return len(rec.get()) > 0 })
	if got := rec.get()[0].Error(); !strings.Contains(got, "exit status 3") {
		t.Errorf("got %v, want the exit status", got)
	}
	l.Close()
}
