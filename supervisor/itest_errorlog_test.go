package supervisor_test

import (
	"fmt"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"eventmpm/internal/itest"
)

// vhostLogConf gives the name-based virtual host a.test its own ErrorLog at
// LogLevel info, with a Location only 10.0.0.1 may see, and b.test a
// piped one; the main server logs at warn. {{VHOST_ERRORLOG}} is a.test's
// target.
const vhostLogConf = `LogLevel warn
<VirtualHost 127.0.0.1:{{PORT}}>
    ServerName localhost
</VirtualHost>
<VirtualHost 127.0.0.1:{{PORT}}>
    ServerName a.test
    ErrorLog {{VHOST_ERRORLOG}}
    LogLevel info
    <Location /private>
        Require ip 10.0.0.1
    </Location>
</VirtualHost>
<VirtualHost 127.0.0.1:{{PORT}}>
    ServerName b.test
    ErrorLog "|cat >> {{ROOT}}/logs/b_error_log"
    LogLevel info
</VirtualHost>
`

// getHost asks for path with a Host header and returns the status.
func getHost(t *testing.T, s *server, host, path string) int {
	t.Helper()
	req, err := http.NewRequest("GET", s.url(path), nil)
	if err != nil {
		t.Fatal(err)
	}
	req.Host = host
	resp, err := http.DefaultClient.Do(req)
	if err != nil {
		t.Fatalf("GET %s%s: %v", host, path, err)
	}
	resp.Body.Close()
	return resp.StatusCode
}

// waitFileLine waits until the file at path has a line matching re.
func waitFileLine(t *testing.T, path string, re *regexp.Regexp) {
	t.Helper()
	itest.Eventually(t, ioWait, "a line matching "+re.String()+" in "+path, func() bool {
		b, _ := os.ReadFile(path)
		return re.Match(b)
	})
}

// TestVirtualHostErrorLog: a virtual host's ErrorLog and LogLevel take the
// lines about its requests, as in Apache: a missing file (AH00128, at
// info) and a client refused by Require (AH01630, at error), each with
// the client's address, in a file the supervisor opened and in a piped
// program. The main server's error log, at warn, gets none of them; a
// graceful restart that points the virtual host at another file moves its
// lines there.
func TestVirtualHostErrorLog(t *testing.T) {
	conf := strings.ReplaceAll(vhostLogConf, "{{VHOST_ERRORLOG}}", "logs/a_error_log")
	s := startServer(t, conf, nil)
	aLog := s.root.Path("logs", "a_error_log")
	if got := getHost(t, s, "a.test", "/no-such-file"); got != 404 {
		t.Fatalf("a.test /no-such-file: got %d, want 404", got)
	}
	if got := getHost(t, s, "a.test", "/private"); got != 403 {
		t.Fatalf("a.test /private: got %d, want 403", got)
	}
	if got := getHost(t, s, "b.test", "/b-missing"); got != 404 {
		t.Fatalf("b.test /b-missing: got %d, want 404", got)
	}
	if got := getHost(t, s, "localhost", "/main-missing"); got != 404 {
		t.Fatalf("localhost /main-missing: got %d, want 404", got)
	}
	client := `\[client 127\.0\.0\.1:\d+\] `
	waitFileLine(t, aLog, regexp.MustCompile(`\[core:info\] \[pid \d+:tid \d+\] `+client+
		`AH00128: File does not exist: `+regexp.QuoteMeta(s.root.Path("htdocs", "no-such-file"))+"\n"))
	waitFileLine(t, aLog, regexp.MustCompile(`\[authz_core:error\] \[pid \d+:tid \d+\] `+client+
		`AH01630: client denied by server configuration: `+regexp.QuoteMeta(s.root.Path("htdocs", "private"))+"\n"))
	waitFileLine(t, s.root.Path("logs", "b_error_log"), regexp.MustCompile(`AH00128: File does not exist: .*/b-missing\n`))
	main := s.errorLog()
	for _, leaked := range []string{"no-such-file", "/private", "b-missing", "main-missing"} {
		if strings.Contains(main, leaked) {
			t.Errorf("the main error log (LogLevel warn) has a line about %s:\n%s", leaked, main)
		}
	}

	// A graceful restart with another file for a.test.
	s.root.WriteConf(t, baseConf+strings.ReplaceAll(vhostLogConf, "{{VHOST_ERRORLOG}}", "logs/a2_error_log"))
	if r := cli(t, s.root, "graceful"); r.code != 0 {
		t.Fatalf("graceful: %d %s", r.code, r.stderr)
	}
	s.waitGeneration(1, 30*time.Second)
	itest.Eventually(t, ioWait, "a.test's lines in a2_error_log after the restart", func() bool {
		getHost(t, s, "a.test", "/after-restart")
		b, _ := os.ReadFile(s.root.Path("logs", "a2_error_log"))
		return strings.Contains(string(b), "File does not exist: "+s.root.Path("htdocs", "after-restart"))
	})
	s.stopAndWait(t)
}

// TestVirtualHostErrorLogOpenFailure: a virtual host's ErrorLog that
// cannot be opened refuses the start, naming the directive's file and
// line; at a graceful restart it keeps the running generation serving.
func TestVirtualHostErrorLogOpenFailure(t *testing.T) {
	bad := strings.ReplaceAll(vhostLogConf, "{{VHOST_ERRORLOG}}", "{{ROOT}}/no/such/dir/error_log")
	line := strings.Count(baseConf+bad[:strings.Index(bad, "{{ROOT}}/no/such")], "\n") + 1
	want := fmt.Sprintf("eventmpm.conf:%d: AH00091: could not open error log file", line)

	root := itest.NewRoot(t, baseConf+bad, map[string]string{"index.html": indexBody})
	r := cli(t, root, "start", "--foreground")
	if r.code == 0 || !strings.Contains(r.stderr, want) {
		t.Errorf("start: got code %d and %q, want failure naming %q", r.code, r.stderr, want)
	}

	s := startServer(t, strings.ReplaceAll(vhostLogConf, "{{VHOST_ERRORLOG}}", "logs/a_error_log"), nil)
	s.root.WriteConf(t, baseConf+bad)
	if r := cli(t, s.root, "graceful"); r.code != 0 {
		t.Fatalf("graceful: %d %s", r.code, r.stderr)
	}
	s.waitLog(want, ioWait)
	s.waitLog("generation 0 keeps serving", ioWait)
	if got := getHost(t, s, "a.test", "/"); got != 200 {
		t.Errorf("after the refused restart: got %d, want 200 from generation 0", got)
	}
	s.stopAndWait(t)
}

// mainLogConf replaces the main server's ErrorLog and LogLevel of baseConf
// (later directives win).
func mainLogConf(errorLog, level string) string {
	return baseConf + "ErrorLog " + errorLog + "\nLogLevel " + level + "\n"
}

// TestErrorLogChangeOnGraceful: a graceful restart that changes the main
// server's ErrorLog moves the supervisor's lines and the new generation's
// there, as Apache reopens its error log on every restart: from a file to
// another file (with a new LogLevel), to a piped program, and back to a
// file. The old file gets a line naming the new one; a piped program no
// generation logs to any more exits once the old children are gone, and
// none is left behind when the server stops. A target that cannot be
// opened keeps the running generation and its error log. A new
// ErrorLogFormat on the same file applies to the supervisor's lines and the
// new generation's.
func TestErrorLogChangeOnGraceful(t *testing.T) {
	s := startServer(t, "", nil)
	graceful := func(conf string, gen int) {
		t.Helper()
		s.root.WriteConf(t, conf)
		if r := cli(t, s.root, "graceful"); r.code != 0 {
			t.Fatalf("graceful: %d %s", r.code, r.stderr)
		}
		if gen < 0 {
			return
		}
		s.waitGeneration(gen, 30*time.Second)
		// Requests must reach the new generation, which logs where the
		// new configuration says: wait until the old one stopped
		// accepting (it is told to once the new one is ready).
		itest.Eventually(t, ioWait, "the older generations no longer accepting", func() bool {
			for _, c := range s.children() {
				if c.gen < gen && c.accepting {
					return false
				}
			}
			return true
		})
	}
	read := func(name string) string {
		b, _ := os.ReadFile(s.root.Path("logs", name))
		return string(b)
	}
	missing := func(name string) string {
		t.Helper()
		if got := getHost(t, s, "localhost", "/"+name); got != 404 {
			t.Fatalf("/%s: got %d, want 404", name, got)
		}
		return "File does not exist: " + s.root.Path("htdocs", name)
	}
	resuming := regexp.MustCompile(fmt.Sprintf(`\[mpm_event:notice\] \[pid %d:tid \d+\] AH00489: .* configured -- resuming normal operations`, s.pid()))

	// 1. To another file, at LogLevel error: the children's AH00128 (info)
	// is no longer logged; the supervisor's notices are.
	graceful(mainLogConf("logs/second_error_log", "error"), 1)
	s.waitLog("ErrorLog changed: the error log is now "+s.root.Path("logs", "second_error_log"), ioWait)
	waitFileLine(t, s.root.Path("logs", "second_error_log"), resuming)
	quiet := missing("quiet")
	if strings.Contains(read("second_error_log"), quiet) || strings.Contains(read("error_log"), quiet) {
		t.Errorf("an info line was logged at LogLevel error")
	}

	// 2. To a piped program, at info.
	piped := `"|echo $$ > {{ROOT}}/logs/elog.pid; exec cat >> {{ROOT}}/logs/piped_error_log"`
	graceful(mainLogConf(piped, "info"), 2)
	waitFileLine(t, s.root.Path("logs", "piped_error_log"), resuming)
	line := missing("to-pipe")
	itest.Eventually(t, ioWait, "the child's line in the piped error log", func() bool {
		return strings.Contains(read("piped_error_log"), line)
	})
	var loggerPid int
	if _, err := fmt.Sscan(read("elog.pid"), &loggerPid); err != nil {
		t.Fatalf("elog.pid: %v", err)
	}

	// 3. A target that cannot be opened: refused, the pipe stays.
	graceful(mainLogConf("{{ROOT}}/no/such/dir/error_log", "info"), -1)
	itest.Eventually(t, ioWait, "the refusal in the piped error log", func() bool {
		return strings.Contains(read("piped_error_log"), "restart aborted, generation 2 keeps serving") &&
			strings.Contains(read("piped_error_log"), "could not open error log file")
	})
	line = missing("still-piped")
	itest.Eventually(t, ioWait, "the child's line in the piped error log", func() bool {
		return strings.Contains(read("piped_error_log"), line)
	})

	// 4. Back to a file: the program exits once generation 2 is gone.
	graceful(mainLogConf("logs/third_error_log", "info"), 3)
	waitFileLine(t, s.root.Path("logs", "third_error_log"), resuming)
	line = missing("back-to-file")
	itest.Eventually(t, ioWait, "the child's line in third_error_log", func() bool {
		return strings.Contains(read("third_error_log"), line)
	})
	waitGone(t, []int{loggerPid}, 20*time.Second, "the piped error log program exits once no generation uses it")

	// 5. The same file with an ErrorLogFormat: the supervisor's lines and
	// the new generation's follow it.
	graceful(mainLogConf("logs/third_error_log", "info")+`ErrorLogFormat "F [%l] [%m] [%v] %M"`+"\n", 4)
	waitFileLine(t, s.root.Path("logs", "third_error_log"),
		regexp.MustCompile(`(?m)^F \[notice\] \[mpm_event\] \[localhost\] AH00489: .* configured -- resuming normal operations$`))
	line = missing("formatted")
	itest.Eventually(t, ioWait, "the child's formatted line in third_error_log", func() bool {
		return strings.Contains(read("third_error_log"), "F [info] [core] [localhost] AH00128: "+line+"\n")
	})
	s.stopAndWait(t)
}
