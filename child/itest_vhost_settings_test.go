package child_test

import (
	"bufio"
	"fmt"
	"net"
	"os"
	"strings"
	"testing"

	"eventmpm/internal/itest"
)

// hostsConf is a test configuration's tail: mainConf for the main server,
// a first name-based virtual host "localhost" (the default of the address)
// and a second one, name, whose section holds body (indented lines).
func hostsConf(mainConf, name, body string) string {
	return mainConf + `<VirtualHost 127.0.0.1:{{PORT}}>
    ServerName localhost
</VirtualHost>
<VirtualHost 127.0.0.1:{{PORT}}>
    ServerName ` + name + "\n" + body + "</VirtualHost>\n"
}

// TestVirtualHostMissingDocumentRoot: a virtual host whose DocumentRoot
// does not exist is a warning (AH00112), as in Apache, not a server that
// passes configtest and then refuses to start: its requests are answered
// 404, the other hosts are served, and once the directory appears its
// files are served too.
func TestVirtualHostMissingDocumentRoot(t *testing.T) {
	t.Parallel()
	s := startConnServer(t, hostsConf("", "later.test", `    DocumentRoot later
    <Directory later>
        Require all granted
    </Directory>
`))
	itest.Eventually(t, ioWait, "the AH00112 warning on standard error", func() bool {
		return strings.Contains(s.proc.Stderr.String(), "AH00112: Warning: DocumentRoot")
	})
	c := s.open(t)
	get := func(host, path string) int {
		t.Helper()
		resp, _ := c.roundTrip("GET "+path+" HTTP/1.1\r\nHost: "+host+"\r\n\r\n", "GET")
		return resp.StatusCode
	}
	if got := get("later.test", "/a.txt"); got != 404 {
		t.Errorf("later.test before its DocumentRoot exists: got %d, want 404", got)
	}
	if got := get("localhost", "/a.txt"); got != 200 {
		t.Errorf("localhost: got %d, want 200", got)
	}
	if err := os.Mkdir(s.root.Path("later"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(s.root.Path("later", "a.txt"), []byte("later\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if got := get("later.test", "/a.txt"); got != 200 {
		t.Errorf("later.test once its DocumentRoot exists: got %d, want 200", got)
	}
}

// TestServerNameScheme: the scheme of ServerName (a server behind a
// proxy that terminates TLS) starts the Location of the trailing-slash
// redirect, as Apache's ap_construct_url does; without one it is http.
func TestServerNameScheme(t *testing.T) {
	t.Parallel()
	s := startServer(t, hostsConf("", "https://secure.test", ""), map[string]string{"sub/index.html": "<p>sub</p>\n"})
	c := s.open(t)
	for _, tc := range []struct{ host, want string }{
		{"localhost", "http://localhost/sub/"},
		{"secure.test", "https://secure.test/sub/"},
	} {
		resp, _ := c.roundTrip("GET /sub HTTP/1.1\r\nHost: "+tc.host+"\r\n\r\n", "GET")
		if got := resp.Header.Get("Location"); resp.StatusCode != 301 || got != tc.want {
			t.Errorf("%s: got %d Location %q, want 301 %q", tc.host, resp.StatusCode, got, tc.want)
		}
	}
}

// TestVirtualHostLogFormat: a LogFormat inside a <VirtualHost> is that
// host's own, as in mod_log_config: its CustomLog uses it, the main
// server's logs keep the main format of the same nickname. A CustomLog
// with env=var gets no line (no SetEnvIf here sets it), env=!var every one.
func TestVirtualHostLogFormat(t *testing.T) {
	t.Parallel()
	s := startConnServer(t, hostsConf(`LogFormat "main %>s %U" short
CustomLog logs/main_log short
CustomLog logs/never_log short env=tagged
CustomLog logs/always_log short env=!tagged
`, "own.test", `    LogFormat "own %>s %U" short
    CustomLog logs/own_log short
`))
	c := s.open(t)
	c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
	c.roundTrip("GET /a.txt?own HTTP/1.1\r\nHost: own.test\r\n\r\n", "GET")
	c.roundTrip("GET /b.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
	want := map[string]string{
		"main_log":   "main 200 /a.txt\nmain 404 /b.txt\n",
		"own_log":    "own 200 /a.txt\n",
		"always_log": "main 200 /a.txt\nmain 404 /b.txt\n",
		"never_log":  "",
	}
	s.stop(t) // the logs are complete once the child has exited
	for name, body := range want {
		if got := s.logFile(name); got != body {
			t.Errorf("%s: got %q, want %q", name, got, body)
		}
	}
}

// TestVirtualHostLimitRequestBody: LimitRequestBody is the request's
// server's, as in Apache: a name-based virtual host that is not the first
// on its address applies its own limit (413, connection closed), and one
// with a larger limit than the first accepts what the first would refuse.
func TestVirtualHostLimitRequestBody(t *testing.T) {
	t.Parallel()
	s := startConnServer(t, `<VirtualHost 127.0.0.1:{{PORT}}>
    ServerName localhost
    LimitRequestBody 100
</VirtualHost>
<VirtualHost 127.0.0.1:{{PORT}}>
    ServerName small.test
    LimitRequestBody 10
</VirtualHost>
<VirtualHost 127.0.0.1:{{PORT}}>
    ServerName large.test
    LimitRequestBody 1000
</VirtualHost>
`)
	body := strings.Repeat("x", 50)
	big := strings.Repeat("y", 500)
	for _, tc := range []struct {
		name, host, body string
		chunked          bool
		status           int
	}{
		{"base-within", "localhost", body, false, 200},
		{"small-over", "small.test", body, false, 413},
		{"small-over-chunked", "small.test", body, true, 413},
		{"large-within", "large.test", big, false, 200},
		{"large-within-chunked", "large.test", big, true, 200},
		{"base-over", "localhost", big, false, 413},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := s.open(t)
			raw := "GET /a.txt HTTP/1.1\r\nHost: " + tc.host + "\r\n"
			if tc.chunked {
				raw += fmt.Sprintf("Transfer-Encoding: chunked\r\n\r\n%x\r\n%s\r\n0\r\n\r\n", len(tc.body), tc.body)
			} else {
				raw += fmt.Sprintf("Content-Length: %d\r\n\r\n%s", len(tc.body), tc.body)
			}
			resp, _ := c.roundTrip(raw, "GET")
			if resp.StatusCode != tc.status {
				t.Fatalf("got %d, want %d", resp.StatusCode, tc.status)
			}
			if tc.status == 413 {
				c.expectClosed()
			}
		})
	}
}

// TestVirtualHostServerSignature: ServerSignature is per server, as in
// Apache: a virtual host's own setting decides its error pages' footer,
// and one without a setting inherits the main server's.
func TestVirtualHostServerSignature(t *testing.T) {
	t.Parallel()
	s := startConnServer(t, hostsConf("ServerSignature Off\n", "signed.test", "    ServerSignature On\n"))
	c := s.open(t)
	for _, tc := range []struct {
		host   string
		footer bool
	}{{"localhost", false}, {"signed.test", true}} {
		_, body := c.roundTrip("GET /missing HTTP/1.1\r\nHost: "+tc.host+"\r\n\r\n", "GET")
		footer := fmt.Sprintf("Server at %s Port %d</address>", tc.host, s.root.Port)
		if got := strings.Contains(body, footer); got != tc.footer {
			t.Errorf("%s: footer %q in the 404 page: got %v, want %v\n%s", tc.host, footer, got, tc.footer, body)
		}
	}
}

// TestSectionLimitRequestBody: LimitRequestBody in a <Location> or a
// <Directory> section decides for the requests it covers, the last one in
// Apache's merge order winning; 0 lifts the server's limit.
func TestSectionLimitRequestBody(t *testing.T) {
	t.Parallel()
	s := startConnServer(t, `LimitRequestBody 100
<Directory htdocs/open>
    LimitRequestBody 0
</Directory>
<Location /tight>
    LimitRequestBody 5
</Location>
<Location /open/tight>
    LimitRequestBody 5
</Location>
`)
	for _, tc := range []struct {
		path   string
		size   int
		status int
	}{
		{"/a.txt", 50, 200},
		{"/a.txt", 500, 413},
		{"/tight/x", 50, 413},
		{"/open/x", 500, 404},
		{"/open/tight/x", 50, 413},
	} {
		c := s.open(t)
		raw := fmt.Sprintf("GET %s HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n%s", tc.path, tc.size, strings.Repeat("z", tc.size))
		if resp, _ := c.roundTrip(raw, "GET"); resp.StatusCode != tc.status {
			t.Errorf("%s with a %d-byte body: got %d, want %d", tc.path, tc.size, resp.StatusCode, tc.status)
		}
	}
}

// TestServerPortFromRequest: with Apache's default UseCanonicalName Off,
// the error page's signature takes the port the request's Host names, else
// the port the connection arrived on, not the first Listen's or
// ServerName's. %p logs ServerName's port whatever the Host says (Apache's
// canonical port; a client must not choose what the log says).
func TestServerPortFromRequest(t *testing.T) {
	t.Parallel()
	s := startConnServer(t, "ServerName localhost:7000\nServerSignature On\nLogFormat \"%p %{canonical}p %V\" ports\nCustomLog logs/ports_log ports\n")
	c := s.open(t)
	for _, tc := range []struct{ host, footer string }{
		{"localhost:12345", "Server at localhost Port 12345"},
		{"LocalHost", fmt.Sprintf("Server at localhost Port %d", s.root.Port)},
	} {
		_, body := c.roundTrip("GET /missing HTTP/1.1\r\nHost: "+tc.host+"\r\n\r\n", "GET")
		if !strings.Contains(body, tc.footer) {
			t.Errorf("Host %s: the 404 page lacks %q:\n%s", tc.host, tc.footer, body)
		}
	}
	s.stop(t)
	if got, want := s.logFile("ports_log"), "7000 7000 localhost\n7000 7000 localhost\n"; got != want {
		t.Errorf("ports_log: got %q, want %q", got, want)
	}
}

// TestScoreboardVHostPort: the scoreboard's VHost text is ServerName and
// the port the connection arrived on, as Apache's, not the first Listen's;
// its protocol is the connection's, http/1.1.
func TestScoreboardVHostPort(t *testing.T) {
	t.Parallel()
	second := itest.FreePort(t)
	s := startConnServer(t, fmt.Sprintf("ExtendedStatus On\nListen 127.0.0.1:%d\n", second))
	conn, err := net.Dial("tcp", fmt.Sprintf("127.0.0.1:%d", second))
	if err != nil {
		t.Fatal(err)
	}
	defer conn.Close()
	c := &rawConn{Conn: conn, br: bufio.NewReader(conn), t: t}
	if resp, _ := c.roundTrip("GET /a.txt HTTP/1.0\r\nHost: localhost\r\n\r\n", "GET"); resp.StatusCode != 200 {
		t.Fatalf("got %d, want 200", resp.StatusCode)
	}
	want := fmt.Sprintf("localhost:%d", second)
	itest.Eventually(t, ioWait, "a worker showing VHost "+want+" and protocol http/1.1", func() bool {
		snap := s.readScoreboard(t)
		for i := 0; i < snap.ThreadsPerChild; i++ {
			// The protocol is the connection's, as Apache's
			// ap_get_protocol: http/1.1 for an HTTP/1.0 request too.
			w := snap.WorkerAt(0, i)
			if strings.TrimRight(string(w.VHost[:]), "\x00") == want && strings.TrimRight(string(w.Protocol[:]), "\x00") == "http/1.1" {
				return true
			}
		}
		return false
	})
}
