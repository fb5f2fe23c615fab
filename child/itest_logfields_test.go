package child_test

import (
	"net"
	"net/http"
	"os"
	"strconv"
	"strings"
	"testing"
	"time"

	"eventmpm/internal/itest"
)

// fieldItems are the access-log items TestAccessLogFields reads. They are
// logged tab-separated: Apache's escaping writes a tab inside a value as
// \t, so a raw tab always separates two items.
var fieldItems = []string{"%A", "%{local}p", "%k", "%I", "%m", "%U", "%q", "%H", "%{Host}i", "%r", "%>s", "%f"}

// fieldsConf logs fieldItems to logs/fields_log.
var fieldsConf = "LogFormat \"" + strings.Join(fieldItems, `\t`) + "\" fields\n" +
	"CustomLog logs/fields_log fields\nRequestReadTimeout header=1\n"

// TestAccessLogFields checks, against what Apache 2.4 logs for the same
// bytes (a side-by-side run), the access-log items of served and refused
// requests. Each case runs on its own connection and waits for its lines
// before the next starts, so the log holds them in order; a case checks
// only the items it names.
func TestAccessLogFields(t *testing.T) {
	t.Parallel()
	s := startConnServer(t, fieldsConf)
	_, port, _ := net.SplitHostPort(s.addr)
	n := func(s string) string { return strconv.Itoa(len(s)) }
	const (
		get      = "GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"
		getClose = "GET /a.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n"
		post     = "POST /a.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\n"
		badField = "GET /a.txt?q HTTP/1.1\r\nHost: localhost\r\nno colon\r\n"
		partHead = "GET /a.txt?x=1 HTTP/1.1\r\nHost: localhost\r\n"
	)
	longLine := "GET /" + strings.Repeat("a", 9000) + " HTTP/1.1"
	lines := 0
	for _, tc := range []struct {
		name string
		raw  string
		want []map[string]string // per logged line, item -> value
	}{
		{
			name: "local address of a served request",
			raw:  "GET /a.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
			want: []map[string]string{{"%A": "127.0.0.1", "%{local}p": port, "%>s": "200"}},
		},
		{
			name: "local address of a refused request",
			raw:  "GARBAGE\r\n\r\n",
			want: []map[string]string{{"%A": "127.0.0.1", "%{local}p": port, "%>s": "400"}},
		},
		{
			// Apache: "GET /ten.txt HTTP/1.1" 408, %k 0, %I all the bytes.
			name: "408 after the request line",
			raw:  partHead,
			want: []map[string]string{{"%r": "GET /a.txt?x=1 HTTP/1.1", "%m": "GET", "%U": "/a.txt", "%q": "?x=1",
				"%H": "HTTP/1.1", "%k": "0", "%I": n(partHead), "%>s": "408"}},
		},
		{
			name: "408 within the request line",
			raw:  "GET /a.txt HT",
			want: []map[string]string{{"%r": "-", "%m": "-", "%U": "-", "%H": "-", "%k": "0", "%I": "13", "%>s": "408"}},
		},
		{
			// Apache logs the line as far as its LimitRequestLine+2-byte
			// buffer held it; how much of the rest was read (%I) depends
			// on how the bytes arrived.
			name: "414",
			raw:  longLine + "\r\nHost: localhost\r\n\r\n",
			want: []map[string]string{{"%r": longLine[:8191], "%m": "-", "%U": "-", "%H": "-", "%k": "0", "%>s": "414"}},
		},
		{
			// Apache logs the parsed request line and the header fields
			// before the bad one, and counts the bytes up to its end.
			name: "400 after a parsed request line",
			raw:  badField + "\r\n",
			want: []map[string]string{{"%r": "GET /a.txt?q HTTP/1.1", "%m": "GET", "%U": "/a.txt", "%q": "?q",
				"%H": "HTTP/1.1", "%{Host}i": "localhost", "%k": "0", "%I": n(badField), "%>s": "400"}},
		},
		{
			name: "400 for a line that does not parse",
			raw:  "GARBAGE\r\n\r\n",
			want: []map[string]string{{"%r": "GARBAGE", "%m": "-", "%U": "-", "%H": "-", "%{Host}i": "-", "%k": "0", "%I": "9", "%>s": "400"}},
		},
		{
			name: "400 after a keep-alive request",
			raw:  get + "GARBAGE\r\n\r\n",
			want: []map[string]string{
				{"%k": "0", "%I": n(get), "%>s": "200"},
				{"%k": "1", "%I": "9", "%>s": "400"},
			},
		},
		{
			// Apache: %I 67 for its POST /ten.txt, head and body.
			name: "body read and discarded, pipelined",
			raw:  post + "hello" + getClose,
			want: []map[string]string{
				{"%m": "POST", "%k": "0", "%I": n(post + "hello"), "%>s": "405"},
				{"%m": "GET", "%k": "1", "%I": n(getClose), "%>s": "200"},
			},
		},
		{
			// Apache: mod_dir's internal redirect to the index file is
			// what %U and %f name; the second answer comes from the cache.
			name: "index file of a directory",
			raw:  "GET /?x=1 HTTP/1.1\r\nHost: localhost\r\n\r\n" + "GET / HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
			want: []map[string]string{
				{"%U": "/index.html", "%q": "?x=1", "%f": s.root.Path("htdocs", "index.html"), "%r": "GET /?x=1 HTTP/1.1", "%>s": "200"},
				{"%U": "/index.html", "%f": s.root.Path("htdocs", "index.html"), "%>s": "200"},
			},
		},
		{
			// Apache's %U is r->uri: decoded, dot segments resolved,
			// runs of '/' merged; %r keeps what the client sent.
			name: "normalized path",
			raw:  "GET /x/%2e%2e//%61.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
			want: []map[string]string{{"%U": "/a.txt", "%r": "GET /x/%2e%2e//%61.txt HTTP/1.1", "%>s": "200"}},
		},
		{
			name: "password in an absolute-form target",
			raw:  "GET http://u:p@localhost/a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n",
			want: []map[string]string{{"%r": "GET http://u:XXXXXXXX@localhost/a.txt HTTP/1.1", "%>s": "400"}},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			s.exchange(t, tc.raw, ioWait)
			lines += len(tc.want)
			got := waitLogLines(t, s, "fields_log", lines)
			for i, want := range tc.want {
				fields := strings.Split(got[lines-len(tc.want)+i], "\t")
				if len(fields) != len(fieldItems) {
					t.Fatalf("line %d: got %d items, want %d: %q", i, len(fields), len(fieldItems), fields)
				}
				for j, item := range fieldItems {
					if w, ok := want[item]; ok && fields[j] != w {
						t.Errorf("line %d: %s: got %q, want %q", i, item, fields[j], w)
					}
				}
			}
		})
	}
}

// waitLogLines waits until logs/name holds at least n lines and returns
// them.
func waitLogLines(t *testing.T, s *server, name string, n int) []string {
	t.Helper()
	var lines []string
	itest.Eventually(t, ioWait, strconv.Itoa(n)+" lines in "+name, func() bool {
		lines = strings.Split(strings.TrimSuffix(s.logFile(name), "\n"), "\n")
		return len(lines) >= n && lines[0] != ""
	})
	return lines
}

// TestLogDuration checks when a response ends for the access log and its
// Date: a script that sends its head at once and its body 400 ms later is
// logged with %D of at least 400 ms (the end is read again after the
// body, not reused from the head), and a cached file's Date is the
// current time.
func TestLogDuration(t *testing.T) {
	t.Parallel()
	root := itest.NewRoot(t, baseConf+`LoadModule cgid_module modules/mod_cgid.so
ScriptAlias /cgi-bin/ {{ROOT}}/cgi/
<Directory {{ROOT}}/cgi>
    Require all granted
</Directory>
LogFormat "%U %>s %D" dur
CustomLog logs/dur_log dur
`, map[string]string{"a.txt": "static\n"})
	script := "#!/bin/sh\necho 'Content-Type: text/plain'\necho\necho head\nsleep 0.4\necho body\n"
	if err := os.MkdirAll(root.Path("cgi"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(root.Path("cgi", "late.cgi"), []byte(script), 0o755); err != nil {
		t.Fatal(err)
	}
	s := runServer(t, root)
	c := s.open(t)
	for range 3 { // the second and third are open-file cache hits
		before := time.Now().Truncate(time.Second)
		resp, body := c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
		after := time.Now()
		date, err := http.ParseTime(resp.Header.Get("Date"))
		if resp.StatusCode != 200 || body != "static\n" || err != nil || date.Before(before) || date.After(after) {
			t.Fatalf("a.txt: %d %q, Date %q (%v), want 200, the file, a Date between %v and %v",
				resp.StatusCode, body, resp.Header.Get("Date"), err, before, after)
		}
	}
	if resp, body := c.roundTrip("GET /cgi-bin/late.cgi HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET"); resp.StatusCode != 200 || body != "head\nbody\n" {
		t.Fatalf("late.cgi: %d %q", resp.StatusCode, body)
	}
	lines := waitLogLines(t, s, "dur_log", 4)
	for i, line := range lines {
		f := strings.Fields(line)
		if len(f) != 3 || f[1] != "200" {
			t.Fatalf("line %d: %q, want path, 200, duration", i, line)
		}
		d, err := strconv.Atoi(f[2])
		switch {
		case err != nil || d < 0:
			t.Errorf("line %q: bad %%D", line)
		case f[0] == "/cgi-bin/late.cgi" && d < 400000:
			t.Errorf("late.cgi logged %d µs, want at least 400000 (the body came 400 ms after the head)", d)
		case f[0] == "/a.txt" && d >= 400000:
			// The first request to the fresh server used to wait for
			// the event loop's 1 s park on a loaded machine (see
			// TestWaitSeesWorkersParkedBeforeIt).
			t.Errorf("a.txt logged %d µs (line %d of %q)", d, i, lines)
		}
	}
}
