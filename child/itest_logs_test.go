package child_test

import (
	"bufio"
	"fmt"
	"io"
	"net"
	"net/http"
	"regexp"
	"sort"
	"strconv"
	"strings"
	"testing"
	"time"

	"eventmpm/internal/itest"
)

// logConf writes the common format to access_log and the combined one to
// combined_log.
const logConf = `LogFormat "%h %l %u %t \"%r\" %>s %b \"%{Referer}i\" \"%{User-Agent}i\"" combined
LogFormat "%h %l %u %t \"%r\" %>s %b" common
CustomLog logs/access_log common
CustomLog logs/combined_log combined
`

var clfTime = regexp.MustCompile(`\[(\d\d/[A-Z][a-z]{2}/\d{4}:\d\d:\d\d:\d\d [+-]\d{4})\]`)

// TestAccessLog checks the common and combined lines of fixed requests
// byte for byte (the time is checked to lie within the test's run):
// %b is "-" for an empty body, a missing header logs "-", %r keeps the raw
// request line with Apache's escaping, and refused requests are logged
// too, a 408 with "-" for the request line it never completed.
func TestAccessLog(t *testing.T) {
	t.Parallel()
	s := startConnServer(t, logConf+"RequestReadTimeout header=1\n")
	start := time.Now().Add(-time.Second)
	c := s.open(t)
	exchanges := []struct {
		raw, method string
	}{
		{"GET /a.txt HTTP/1.1\r\nHost: localhost\r\nReferer: http://ref.example/p\r\nUser-Agent: agent/1.0\r\n\r\n", "GET"},
		{"HEAD /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", "HEAD"},
		{"GET /missing?q=1 HTTP/1.1\r\nHost: localhost\r\nUser-Agent: say \"hi\" \\ \xe9\r\n\r\n", "GET"},
		{"GET /a.txt HTTP/1.1\r\nHost: localhost\r\nIf-None-Match: " + etagFor(6, fixedTime) + "\r\n\r\n", "GET"},
		{"GET /a.txt HTTP/1.0\r\n\r\n", "GET"},
	}
	for _, e := range exchanges {
		c.roundTrip(e.raw, e.method)
	}
	c.expectClosed()
	bad := s.open(t)
	bad.roundTrip("GET /a.txt HTTP/1.x\r\nHost: localhost\r\n\r\n", "GET")
	slow := s.open(t)
	if resp, _ := slow.roundTrip("GET /a.txt HT", "GET"); resp.StatusCode != 408 {
		t.Fatalf("got %d, want 408", resp.StatusCode)
	}
	end := time.Now().Add(time.Second)

	common := []string{
		`127.0.0.1 - - [T] "GET /a.txt HTTP/1.1" 200 6`,
		`127.0.0.1 - - [T] "HEAD /a.txt HTTP/1.1" 200 -`,
		`127.0.0.1 - - [T] "GET /missing?q=1 HTTP/1.1" 404 236`,
		`127.0.0.1 - - [T] "GET /a.txt HTTP/1.1" 304 -`,
		`127.0.0.1 - - [T] "GET /a.txt HTTP/1.0" 200 6`,
		`127.0.0.1 - - [T] "GET /a.txt HTTP/1.x" 400 266`,
		`127.0.0.1 - - [T] "-" 408 261`,
	}
	combined := []string{
		`127.0.0.1 - - [T] "GET /a.txt HTTP/1.1" 200 6 "http://ref.example/p" "agent/1.0"`,
		`127.0.0.1 - - [T] "HEAD /a.txt HTTP/1.1" 200 - "-" "-"`,
		`127.0.0.1 - - [T] "GET /missing?q=1 HTTP/1.1" 404 236 "-" "say \"hi\" \\ \xe9"`,
		`127.0.0.1 - - [T] "GET /a.txt HTTP/1.1" 304 - "-" "-"`,
		`127.0.0.1 - - [T] "GET /a.txt HTTP/1.0" 200 6 "-" "-"`,
		`127.0.0.1 - - [T] "GET /a.txt HTTP/1.x" 400 266 "-" "-"`,
		`127.0.0.1 - - [T] "-" 408 261 "-" "-"`,
	}
	for _, tc := range []struct {
		file string
		want []string
	}{
		{file: "access_log", want: common},
		{file: "combined_log", want: combined},
	} {
		t.Run(tc.file, func(t *testing.T) {
			var lines []string
			itest.Eventually(t, ioWait, "the access log lines", func() bool {
				lines = strings.Split(strings.TrimSuffix(s.logFile(tc.file), "\n"), "\n")
				return len(lines) >= len(tc.want)
			})
			if len(lines) != len(tc.want) {
				t.Fatalf("got %d lines, want %d:\n%s", len(lines), len(tc.want), strings.Join(lines, "\n"))
			}
			// Lines from different workers may come in any order.
			got := map[string]int{}
			for _, l := range lines {
				m := clfTime.FindStringSubmatch(l)
				if m == nil {
					t.Errorf("no time in %q", l)
					continue
				}
				when, err := time.Parse("02/Jan/2006:15:04:05 -0700", m[1])
				if err != nil || when.Before(start.Truncate(time.Second)) || when.After(end) {
					t.Errorf("got time %q (%v), want between %v and %v", m[1], err, start, end)
				}
				got[strings.Replace(l, m[0], "[T]", 1)]++
			}
			for _, w := range tc.want {
				if got[w] == 0 {
					t.Errorf("missing line %q; got:\n%s", w, strings.Join(lines, "\n"))
				}
				got[w]--
			}
		})
	}
}

// TestErrorLog checks the error_log line layout (SPEC 1.4): the startup
// notice and a request error with the client address. In -X mode the lines
// go to stderr (httpd -X logs to the terminal too); the test reads both.
func TestErrorLog(t *testing.T) {
	t.Parallel()
	s := startConnServer(t, "LogLevel info\n")
	c := s.open(t)
	c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", "GET")
	clientPort := strconv.Itoa(c.LocalAddr().(*net.TCPAddr).Port)
	head := `^\[[A-Z][a-z]{2} [A-Z][a-z]{2} \d\d \d\d:\d\d:\d\d\.\d{6} \d{4}\] `
	for _, tc := range []struct {
		name string
		re   *regexp.Regexp
	}{
		{name: "startup", re: regexp.MustCompile(head + `\[mpm_event:notice\] \[pid \d+:tid \d+\] AH00489: eventmpm/\S+ \(Unix\) \(single process\) configured -- resuming normal operations$`)},
		{name: "request", re: regexp.MustCompile(head + `\[core:error\] \[pid \d+:tid \d+\] \[client 127\.0\.0\.1:` + clientPort + `\] .*501 Unknown Transfer-Encoding`)},
	} {
		t.Run(tc.name, func(t *testing.T) {
			itest.Eventually(t, ioWait, "the error log line", func() bool {
				for _, l := range strings.Split(s.proc.Stderr.String()+s.logFile("error_log"), "\n") {
					if tc.re.MatchString(l) {
						return true
					}
				}
				return false
			})
		})
	}
}

// statusConf has the stock status page (Require local) and one only a
// 10.0.0.0/8 client may see.
const statusConf = `ExtendedStatus On
<Location /server-status>
    SetHandler server-status
    Require local
</Location>
<Location /status-ip>
    SetHandler server-status
    Require ip 10.0.0.0/8
</Location>
`

// autoKeys are the ?auto keys in Apache's order (SPEC 5.3), as far as
// eventmpm prints them.
var autoKeys = []string{"ServerVersion", "ServerMPM", "Server Built", "CurrentTime", "RestartTime",
	"ParentServerConfigGeneration", "ParentServerMPMGeneration", "ServerUptimeSeconds", "ServerUptime",
	"Load1", "Load5", "Load15", "Total Accesses", "Total kBytes", "Total Duration", "CPUUser", "CPUSystem",
	"CPUChildrenUser", "CPUChildrenSystem", "BusyWorkers", "GracefulWorkers", "IdleWorkers", "Processes",
	"Stopping", "ConnsTotal", "ConnsAsyncWaitIO", "ConnsAsyncWriting", "ConnsAsyncKeepAlive",
	"ConnsAsyncClosing", "Scoreboard"}

// TestServerStatus covers <Location /server-status> SetHandler
// server-status: ?auto (keys in order, values that parse as numbers, the
// status request's own worker shown busy), ?refresh=N, the HTML page,
// GET only, and Require local / Require ip.
func TestServerStatus(t *testing.T) {
	t.Parallel()
	s := startConnServer(t, statusConf)
	cl := newClient()
	get := func(t *testing.T, method, path string) (*http.Response, string) {
		t.Helper()
		req, _ := http.NewRequest(method, s.url(path), nil)
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		defer resp.Body.Close()
		b, _ := io.ReadAll(resp.Body)
		return resp, string(b)
	}
	t.Run("auto", func(t *testing.T) {
		resp, body := get(t, "GET", "/server-status?auto")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/plain; charset=ISO-8859-1" {
			t.Fatalf("got %d %q, want 200 text/plain; charset=ISO-8859-1", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		sc := bufio.NewScanner(strings.NewReader(body))
		sc.Scan()
		if first := sc.Text(); first != "127.0.0.1" && first != "localhost" {
			t.Errorf("got first line %q, want the server name alone", first)
		}
		values := map[string]string{}
		var keys []string
		for sc.Scan() {
			k, v, ok := strings.Cut(sc.Text(), ":")
			if !ok {
				t.Errorf("line without a colon: %q", sc.Text())
				continue
			}
			keys = append(keys, k)
			values[k] = strings.TrimSpace(v)
		}
		i := 0
		for _, k := range keys {
			if i < len(autoKeys) && k == autoKeys[i] {
				i++
			}
		}
		if i != len(autoKeys) {
			t.Errorf("keys out of order or missing at %q; got %q", autoKeys[min(i, len(autoKeys)-1)], keys)
		}
		for _, k := range keys {
			switch k {
			case "ServerVersion", "ServerMPM", "Server Built", "CurrentTime", "RestartTime", "ServerUptime", "Scoreboard":
				continue
			}
			if _, err := strconv.ParseFloat(values[k], 64); err != nil {
				t.Errorf("%s: %q does not parse as a number", k, values[k])
			}
		}
		if values["ServerMPM"] != "event" || !regexp.MustCompile(`^eventmpm/\d+\.\d+\.\d+ `).MatchString(values["ServerVersion"]) {
			t.Errorf("got ServerMPM %q ServerVersion %q, want event and Product/MAJOR.MINOR.PATCH", values["ServerMPM"], values["ServerVersion"])
		}
		if sb := values["Scoreboard"]; len(sb) != 4 || strings.Count(sb, "W") < 1 {
			t.Errorf("got Scoreboard %q, want 4 slots with this request's worker busy (W)", sb)
		}
		if busy, _ := strconv.Atoi(values["BusyWorkers"]); busy < 1 {
			t.Errorf("got BusyWorkers %d, want at least the status request's own", busy)
		}
	})
	t.Run("refresh", func(t *testing.T) {
		for _, tc := range []struct {
			query, refresh string
		}{
			{query: "?refresh=3", refresh: "3"},
			{query: "?refresh", refresh: "10"},
			{query: "?refresh=0", refresh: "10"},
			{query: "?auto&refresh=2", refresh: "2"},
			{query: "", refresh: ""},
		} {
			resp, _ := get(t, "GET", "/server-status"+tc.query)
			if got := resp.Header.Get("Refresh"); resp.StatusCode != 200 || got != tc.refresh {
				t.Errorf("%s: got %d Refresh %q, want 200 %q", tc.query, resp.StatusCode, got, tc.refresh)
			}
		}
	})
	t.Run("html", func(t *testing.T) {
		resp, body := get(t, "GET", "/server-status")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != "text/html; charset=ISO-8859-1" {
			t.Fatalf("got %d %q, want 200 text/html; charset=ISO-8859-1", resp.StatusCode, resp.Header.Get("Content-Type"))
		}
		for _, want := range []string{"<h1>Apache Server Status for ", "Server MPM: event", "idle workers", "<pre>", "Waiting for Connection"} {
			if !strings.Contains(body, want) {
				t.Errorf("the page lacks %q", want)
			}
		}
	})
	t.Run("head", func(t *testing.T) {
		resp, body := get(t, "HEAD", "/server-status?auto")
		if resp.StatusCode != 200 || body != "" {
			t.Errorf("got %d %q, want 200 and no body", resp.StatusCode, body)
		}
	})
	t.Run("post-405", func(t *testing.T) {
		resp, _ := get(t, "POST", "/server-status")
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET,HEAD" {
			t.Errorf("got %d Allow %q, want 405 GET,HEAD", resp.StatusCode, resp.Header.Get("Allow"))
		}
	})
	t.Run("require-ip-refuses-loopback", func(t *testing.T) {
		resp, body := get(t, "GET", "/status-ip?auto")
		if resp.StatusCode != 403 || strings.Contains(body, "Scoreboard") {
			t.Errorf("got %d, want 403 without the status", resp.StatusCode)
		}
	})
	t.Run("curl-auto", func(t *testing.T) {
		out := curl(t, s.url("/server-status?auto"))
		if !strings.Contains(out, "\nServerMPM: event\n") || !strings.Contains(out, "\nScoreboard: ") {
			t.Errorf("got %q, want the ?auto text", out)
		}
	})
	t.Run("access-counted", func(t *testing.T) {
		_, body := get(t, "GET", "/server-status?auto")
		if !strings.Contains(body, "\nTotal Accesses: ") {
			t.Fatalf("no Total Accesses in %q", body)
		}
		var n1, n2 int
		fmt.Sscanf(body[strings.Index(body, "Total Accesses: "):], "Total Accesses: %d", &n1)
		get(t, "GET", "/a.txt")
		_, body = get(t, "GET", "/server-status?auto")
		fmt.Sscanf(body[strings.Index(body, "Total Accesses: "):], "Total Accesses: %d", &n2)
		if n2 < n1+2 {
			t.Errorf("got Total Accesses %d then %d, want it to grow by at least 2", n1, n2)
		}
	})
}

// TestVirtualHostErrorLogOneProcess: without a supervisor (start -X) the
// child opens a virtual host's ErrorLog itself; the lines about the
// virtual host's requests go there at its LogLevel, not to the main log.
func TestVirtualHostErrorLogOneProcess(t *testing.T) {
	t.Parallel()
	s := startConnServer(t, hostsConf("LogLevel warn\n", "v.test", "    ErrorLog logs/v_error_log\n    LogLevel info\n"))
	c := s.open(t)
	if resp, _ := c.roundTrip("GET /v-missing HTTP/1.1\r\nHost: v.test\r\n\r\n", "GET"); resp.StatusCode != 404 {
		t.Fatalf("got %d, want 404", resp.StatusCode)
	}
	re := regexp.MustCompile(`\[core:info\] \[pid \d+:tid \d+\] \[client 127\.0\.0\.1:\d+\] AH00128: File does not exist: .*/htdocs/v-missing\n`)
	itest.Eventually(t, ioWait, "the AH00128 line in v_error_log", func() bool {
		return re.MatchString(s.logFile("v_error_log"))
	})
	if main := s.proc.Stderr.String() + s.logFile("error_log"); strings.Contains(main, "v-missing") {
		t.Errorf("the main error log has the virtual host's line:\n%s", main)
	}
}

// TestErrorLogFormat: ErrorLogFormat's main format, its once-per-connection
// and once-per-request lines (each written once, before the first line
// about the connection or the request), a virtual host's own format on the
// same file, and %L in the access log naming the request's error log ID
// ("-" for a request without error log lines).
func TestErrorLogFormat(t *testing.T) {
	t.Parallel()
	s := startConnServer(t, hostsConf(`ErrorLogFormat "[%l] [%m] [%-L] %M% ,\ ref\ %{Referer}i"
ErrorLogFormat connection "C %{c}L %{c}a"
ErrorLogFormat request "R %L %-{X-Test}i k=%k"
LogFormat "%L %>s %U" ids
CustomLog logs/id_log ids
`, "v.test", "    ErrorLogFormat \"V %v %M\"\n"))
	c := s.open(t)
	for _, raw := range []string{
		"GET /missing1 HTTP/1.1\r\nHost: localhost\r\nReferer: http://r.example/\r\nX-Test: one\r\n\r\n",
		"GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n",
		"GET /missing2 HTTP/1.1\r\nHost: localhost\r\n\r\n",
	} {
		c.roundTrip(raw, "GET")
	}
	s.open(t).roundTrip("GET /missing3 HTTP/1.1\r\nHost: v.test\r\n\r\n", "GET")

	// The two connections' workers flush their access lines in either
	// order: sort them by path, the last field (a log ID may hold '/').
	ids := waitLogLines(t, s, "id_log", 4)
	path := func(line string) string { return line[strings.LastIndexByte(line, ' ')+1:] }
	sort.Slice(ids, func(i, j int) bool { return path(ids[i]) < path(ids[j]) })
	id := `([A-Za-z0-9+/]{11})`
	idLog := regexp.MustCompile(`^- 200 /a\.txt\n` + id + ` 404 /missing1\n` + id + ` 404 /missing2\n` + id + ` 404 /missing3$`)
	m := idLog.FindStringSubmatch(strings.Join(ids, "\n"))
	if m == nil {
		t.Fatalf("id_log:\n%s", strings.Join(ids, "\n"))
	}
	r1, r2, r3 := regexp.QuoteMeta(m[1]), regexp.QuoteMeta(m[2]), regexp.QuoteMeta(m[3]) // base64 has '+' and '/'
	if m[1] == m[2] || m[2] == m[3] {
		t.Errorf("two requests share a log ID: %v", m[1:])
	}
	doc := regexp.QuoteMeta(s.root.Path("htdocs"))
	want := regexp.MustCompile(`(?m)^C ` + id + ` 127\.0\.0\.1:\d+\n` +
		`R ` + r1 + ` one k=0\n` +
		`\[info\] \[core\] \[` + r1 + `\] AH00128: File does not exist: ` + doc + `/missing1, ref http://r\.example/\n` +
		`R ` + r2 + ` - k=2\n` +
		`\[info\] \[core\] \[` + r2 + `\] AH00128: File does not exist: ` + doc + `/missing2\n` +
		`C ` + id + ` 127\.0\.0\.1:\d+\n` +
		`R ` + r3 + ` - k=0\n` +
		`V v\.test AH00128: File does not exist: ` + doc + `/missing3\n`)
	var got string
	defer func() {
		if t.Failed() {
			t.Logf("error_log:\n%s", got)
		}
	}()
	itest.Eventually(t, ioWait, "the formatted lines in error_log", func() bool {
		got = s.logFile("error_log")
		return want.MatchString(got)
	})
	if m := want.FindStringSubmatch(got); m[1] == m[2] {
		t.Errorf("two connections share a log ID %s", m[1])
	}
}
