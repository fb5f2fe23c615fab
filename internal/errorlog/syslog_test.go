package errorlog

import (
	"net"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"testing"
	"time"
)

// listenSyslog plays the system logger on a datagram socket at path.
func listenSyslog(t *testing.T, path string) (*net.UnixConn, <-chan string) {
	t.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: path, Net: "unixgram"})
	if err != nil {
		t.Fatal(err)
	}
	msgs := make(chan string, 64)
	go func() {
		buf := make([]byte, 128<<10)
		for {
			n, err := c.Read(buf)
			if err != nil {
				close(msgs)
				return
			}
			msgs <- string(buf[:n])
		}
	}()
	return c, msgs
}

func nextMsg(t *testing.T, msgs <-chan string) string {
	t.Helper()
	select {
	case m := <-msgs:
		return m
	case <-time.After(5 * time.Second):
		t.Fatal("no syslog message within 5s")
		return ""
	}
}

// TestSyslogRelay: lines written into the pipe, by this process or by any
// holder of File, arrive as one RFC 3164 message each, with the facility,
// the severity of the line's level, the tag and pid, and without Apache's
// timestamp; after the logger went away and came back, it is told how many
// lines were lost.
func TestSyslogRelay(t *testing.T) {
	path := filepath.Join(t.TempDir(), "log")
	ln, msgs := listenSyslog(t, path)
	s, err := OpenSyslog(16, "eventmpm", path) // local0
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	head := regexp.QuoteMeta("eventmpm[" + strconv.Itoa(os.Getpid()) + "]: ")
	stamp := `[A-Z][a-z]{2} [ 0-9]\d \d\d:\d\d:\d\d `
	tests := []struct {
		line string
		want string
	}{
		{"[Sat Dec 05 20:00:00.000001 2026] [mpm_event:notice] [pid 7] AH00489: resuming normal operations\n",
			`^<133>` + stamp + head + regexp.QuoteMeta("[mpm_event:notice] [pid 7] AH00489: resuming normal operations") + `$`},
		{"[Sat Dec 05 20:00:00.000001 2026] [core:error] [pid 8] boom\n", `^<131>` + stamp + head + `\[core:error\] \[pid 8\] boom$`},
		{"[Sat Dec 05 20:00:00.000001 2026] [core:trace3] [pid 8] detail\n", `^<135>` + stamp + head + `\[core:trace3\]`},
		{"no brackets at all\n", `^<133>` + stamp + head + `no brackets at all$`},
		// An ErrorLogFormat line: nothing is taken for a timestamp.
		{"[authz_core:error] AH01630: denied\n", `^<131>` + stamp + head + regexp.QuoteMeta("[authz_core:error] AH01630: denied") + `$`},
		{"[x] [core:warn] kept\n", `^<133>` + stamp + head + regexp.QuoteMeta("[x] [core:warn] kept") + `$`},
	}
	for _, tt := range tests {
		if _, err := s.File().Write([]byte(tt.line)); err != nil {
			t.Fatal(err)
		}
		if m := nextMsg(t, msgs); !regexp.MustCompile(tt.want).MatchString(m) {
			t.Errorf("line %q\n sent %q\n want %s", tt.line, m, tt.want)
		}
	}

	ln.Close() // syslogd stops
	os.Remove(path)
	if _, err := s.Write([]byte("[Mon Dec 07 11:30:48.123456 2026] [core:warn] [pid 9] lost while down\n")); err != nil {
		t.Fatal(err)
	}
	time.Sleep(200 * time.Millisecond) // the relay tries and drops it
	_, msgs = listenSyslog(t, path)    // syslogd is back
	if _, err := s.Write([]byte("[Mon Dec 07 11:30:48.123456 2026] [core:warn] [pid 9] after\n")); err != nil {
		t.Fatal(err)
	}
	if m := nextMsg(t, msgs); !regexp.MustCompile(`^<132>.*1 error log lines were lost`).MatchString(m) {
		t.Errorf("after the logger came back: %q, want the count of lost lines", m)
	}
	if m := nextMsg(t, msgs); !regexp.MustCompile(`^<132>.*\[pid 9\] after$`).MatchString(m) {
		t.Errorf("after the logger came back: %q, want the new line", m)
	}
}

// TestSyslogUnreachable: no logger at the socket is an error at open.
func TestSyslogUnreachable(t *testing.T) {
	if _, err := OpenSyslog(23, "eventmpm", filepath.Join(t.TempDir(), "nobody")); err == nil {
		t.Fatal("OpenSyslog with no logger listening: got no error")
	}
}
