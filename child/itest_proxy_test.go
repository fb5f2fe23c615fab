package child_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"path/filepath"
	"sort"
	"strconv"
	"strings"
	"sync/atomic"
	"testing"

	"eventmpm/internal/itest"
)

// proxyBackend is an HTTP server on 127.0.0.1 for the proxy tests: /echo
// describes the request it got, /chunked answers in chunks, /redirect
// sends a Location of its own, /big sends n bytes ("/big?n=..."), /early
// answers before it reads the body; it counts the requests it served.
func proxyBackend(t *testing.T) (*httptest.Server, *atomic.Int64) {
	t.Helper()
	var hits atomic.Int64
	srv := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		hits.Add(1)
		switch {
		case r.URL.Path == "/chunked":
			rw.Header().Set("Content-Type", "text/plain")
			for i := range 3 {
				fmt.Fprintf(rw, "part %d\n", i)
				rw.(http.Flusher).Flush()
			}
		case r.URL.Path == "/redirect":
			rw.Header().Set("Location", "http://"+r.Host+"/moved/here?x=1")
			rw.WriteHeader(302)
		case r.URL.Path == "/big":
			n, _ := strconv.Atoi(r.URL.Query().Get("n"))
			rw.Header().Set("Content-Length", strconv.Itoa(n))
			rw.Write([]byte(strings.Repeat("b", n)))
		case r.URL.Path == "/cookie":
			rw.Header().Add("Set-Cookie", "s=1; Path=/; Domain=backend.test; HttpOnly")
		case r.URL.Path == "/early":
			rw.Header().Set("Connection", "close")
			rw.WriteHeader(413)
		default:
			body, _ := io.ReadAll(r.Body)
			rw.Header().Set("Server", "backend/1")
			rw.Header().Add("Set-Cookie", "a=1")
			rw.Header().Add("Set-Cookie", "b=2")
			rw.Header().Set("Keep-Alive", "timeout=5") // hop-by-hop: not passed on
			var names []string
			for k := range r.Header {
				names = append(names, k)
			}
			sort.Strings(names)
			fmt.Fprintf(rw, "%s %s host=%s len=%d te=%v body=%q\n", r.Method, r.URL.RequestURI(), r.Host, r.ContentLength, r.TransferEncoding, truncate(body, 40))
			for _, k := range names {
				fmt.Fprintf(rw, "%s: %s\n", k, strings.Join(r.Header[k], " | "))
			}
		}
	}))
	t.Cleanup(srv.Close)
	return srv, &hits
}

// proxyModules loads mod_proxy and mod_proxy_http: their directives are
// unknown without, as in Apache.
const proxyModules = "LoadModule proxy_module modules/mod_proxy.so\nLoadModule proxy_http_module modules/mod_proxy_http.so\n"

func truncate(b []byte, n int) string {
	if len(b) > n {
		return string(b[:n]) + fmt.Sprintf("...(%d)", len(b))
	}
	return string(b)
}

// TestProxyPass: mod_proxy with mod_proxy_http. ProxyPass maps a URL-path
// to a backend (the rest of the path re-encoded, the query kept), "!"
// keeps a path local, the <Location> form takes the section's path; the
// client's fields go on but the hop-by-hop ones, with X-Forwarded-For,
// -Host and -Server added and the backend's Host; bodies go on by length
// or, chunked and short, with a length; the backend's response comes back
// with its Server and Date, without its hop-by-hop fields, chunked when it
// had no length; ProxyPassReverse maps its Location; the client's
// connection stays open for the next request. Apache 2.4.71 sent the
// backend the same request lines and fields (but "Connection:
// Keep-Alive", which Go's client leaves implicit) and the client the same
// statuses, fields and bodies.
func TestProxyPass(t *testing.T) {
	backend, hits := proxyBackend(t)
	b := backend.Listener.Addr().String()
	s := startServer(t, fmt.Sprintf(proxyModules+`ProxyPass /app/static !
ProxyPass /app/ http://%[1]s/
ProxyPassReverse /app/ http://%[1]s/
ProxyPassReverseCookiePath / /app/
ProxyPassReverseCookieDomain backend.test www.example
ProxyPass /down/ http://127.0.0.1:1/
<Location /loc>
    ProxyPass http://%[1]s/echo
</Location>
<Location /app/private>
    Require all denied
</Location>
LimitRequestBody 100000
CustomLog logs/access_log "%%h %%l %%u %%t \"%%r\" %%>s %%b"
`, b), map[string]string{"app/static/a.txt": "local file\n", "index.html": "home\n"})

	c := s.open(t)
	resp, body := c.roundTrip("GET /app/echo/a%20b?q=1&r=%2F HTTP/1.1\r\nHost: www.example\r\nX-Forwarded-For: 10.0.0.9\r\n"+
		"Connection: keep-alive, X-Drop\r\nX-Drop: 1\r\nX-Keep: 2\r\nUser-Agent: t\r\n\r\n", "GET")
	if resp.StatusCode != 200 || resp.Header.Get("Server") != "backend/1" || len(resp.Header["Set-Cookie"]) != 2 ||
		resp.Header.Get("Keep-Alive") != "timeout=5, max=99" || resp.Header.Get("Date") == "" { // eventmpm's own: the client asked
		t.Errorf("GET /app/echo: %d %v", resp.StatusCode, resp.Header)
	}
	expectContains(t, "the backend's view of GET", body,
		"GET /echo/a%20b?q=1&r=%2F host="+b+" len=0 te=[] body=\"\"\n",
		"X-Forwarded-For: 10.0.0.9, 127.0.0.1\n", "X-Forwarded-Host: www.example\n", "X-Forwarded-Server: localhost\n",
		"X-Keep: 2\n", "User-Agent: t\n")
	for _, hop := range []string{"X-Drop", "Connection:"} {
		if strings.Contains(body, hop) {
			t.Errorf("the backend got %q:\n%s", hop, body)
		}
	}
	// The same connection: a local file, then a POST with a length.
	resp, body = c.roundTrip("GET /app/static/a.txt HTTP/1.1\r\nHost: x\r\n\r\n", "GET")
	if resp.StatusCode != 200 || body != "local file\n" {
		t.Errorf("GET /app/static/a.txt: %d %q", resp.StatusCode, body)
	}
	_, body = c.roundTrip("POST /app/form HTTP/1.1\r\nHost: x\r\nContent-Length: 5\r\n\r\nhello", "POST")
	expectContains(t, "POST with a length", body, "POST /form host="+b+" len=5 te=[] body=\"hello\"\n")
	// A short chunked body goes on with a length, as Apache's prefetch.
	_, body = c.roundTrip("PUT /app/put HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\n\r\n3\r\nabc\r\n2\r\nde\r\n0\r\n\r\n", "PUT")
	expectContains(t, "a short chunked PUT", body, "PUT /put host="+b+" len=5 te=[] body=\"abcde\"\n")
	resp, _ = c.roundTrip("GET /app/cookie HTTP/1.1\r\nHost: x\r\n\r\n", "GET")
	if got := resp.Header.Get("Set-Cookie"); got != "s=1; Path=/app/; Domain=www.example; HttpOnly" {
		t.Errorf("ProxyPassReverseCookiePath and -Domain: Set-Cookie %q", got)
	}
	resp, body = c.roundTrip("GET /app/chunked HTTP/1.1\r\nHost: x\r\n\r\n", "GET")
	if resp.StatusCode != 200 || body != "part 0\npart 1\npart 2\n" || len(resp.TransferEncoding) != 1 {
		t.Errorf("GET /app/chunked: %d %v %q", resp.StatusCode, resp.TransferEncoding, body)
	}
	resp, _ = c.roundTrip("GET /app/redirect HTTP/1.1\r\nHost: www.example:8080\r\n\r\n", "GET")
	if resp.StatusCode != 302 || resp.Header.Get("Location") != "http://www.example:8080/app/moved/here?x=1" {
		t.Errorf("GET /app/redirect: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	_, body = c.roundTrip("GET /loc/more?z HTTP/1.1\r\nHost: x\r\n\r\n", "GET")
	expectContains(t, "the <Location> form", body, "GET /echo/more?z host="+b)
	resp, body = c.roundTrip("HEAD /app/big?n=5000 HTTP/1.1\r\nHost: x\r\n\r\n", "HEAD")
	if resp.StatusCode != 200 || resp.ContentLength != 5000 || body != "" {
		t.Errorf("HEAD /app/big: %d length %d body %q", resp.StatusCode, resp.ContentLength, body)
	}
	resp, body = c.roundTrip("GET /app/big?n=3000000 HTTP/1.1\r\nHost: x\r\n\r\n", "GET")
	if resp.StatusCode != 200 || len(body) != 3000000 {
		t.Errorf("GET /app/big: %d, %d bytes", resp.StatusCode, len(body))
	}
	c.Close()

	// An HTTP/1.0 client gets a body without a length delimited by the close.
	raw, closed := s.exchange(t, "GET /app/chunked HTTP/1.0\r\n\r\n", ioWait)
	if !closed || !strings.HasSuffix(raw, "\r\n\r\npart 0\npart 1\npart 2\n") || strings.Contains(raw, "chunked") {
		t.Errorf("HTTP/1.0 GET /app/chunked: closed %v\n%s", closed, raw)
	}

	// A long chunked body streams on chunked; Expect: 100-continue is met.
	c = s.open(t)
	c.send("POST /app/upload HTTP/1.1\r\nHost: x\r\nTransfer-Encoding: chunked\r\nExpect: 100-continue\r\n\r\n")
	cont, err := c.br.ReadString('\n')
	if err != nil || cont != "HTTP/1.1 100 Continue\r\n" {
		t.Fatalf("100-continue: %q %v", cont, err)
	}
	c.br.ReadString('\n')
	piece := strings.Repeat("u", 10000)
	for range 5 {
		c.send(fmt.Sprintf("%x\r\n%s\r\n", len(piece), piece))
	}
	_, body = c.roundTrip("0\r\n\r\n", "POST")
	expectContains(t, "a long chunked POST", body, "POST /upload host="+b+" len=-1 te=[chunked] body=\"uuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuuu...(50000)\"\n")
	c.Close()

	before := hits.Load()
	for _, tc := range []struct {
		raw    string
		status int
		text   string
	}{
		{"GET /app/private/x HTTP/1.1\r\nHost: x\r\n\r\n", 403, ""},
		{"POST /app/x HTTP/1.1\r\nHost: x\r\nContent-Length: 200000\r\n\r\n", 413, ""},
		{"GET /down/x HTTP/1.1\r\nHost: x\r\n\r\n", 503, "temporarily unable"},
	} {
		c := s.open(t)
		resp, body := c.roundTrip(tc.raw, strings.Fields(tc.raw)[0])
		c.Close()
		if resp.StatusCode != tc.status || !strings.Contains(body, tc.text) {
			t.Errorf("%q: %d, want %d with %q:\n%s", tc.raw, resp.StatusCode, tc.status, tc.text, body)
		}
	}
	if n := hits.Load() - before; n != 0 {
		t.Errorf("the backend got %d requests that were refused here", n)
	}
	expectContains(t, "the error log", s.logFile("error_log"),
		"(111)Connection refused: AH00957: http: attempt to connect to 127.0.0.1:1 (127.0.0.1:1) failed\n",
		"AH01114: HTTP: failed to make connection to backend: 127.0.0.1\n")
	expectContains(t, "the access log", s.logFile("access_log"),
		`"GET /app/echo/a%20b?q=1&r=%2F HTTP/1.1" 200 `, `"GET /app/big?n=3000000 HTTP/1.1" 200 3000000`)
}

// TestProxyBadBackend: a backend that closes without an answer, or sends
// something that is no HTTP response, is 502 with Apache's "Proxy Error"
// page and lines; one whose body ends early leaves the client's
// connection closed without the body's end, so the client sees it cut.
func TestProxyBadBackend(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		for {
			conn, err := ln.Accept()
			if err != nil {
				return
			}
			go func() {
				defer conn.Close()
				buf := make([]byte, 4096)
				n, _ := conn.Read(buf)
				switch {
				case strings.Contains(string(buf[:n]), "/garbage"):
					io.WriteString(conn, "garbage\r\n\r\n")
				case strings.Contains(string(buf[:n]), "/cut"):
					io.WriteString(conn, "HTTP/1.1 200 OK\r\nContent-Length: 100\r\n\r\nshort")
				}
			}()
		}
	}()
	s := startServer(t, fmt.Sprintf(proxyModules+"ProxyPass /b/ http://%s/\n", ln.Addr()), nil)
	for _, path := range []string{"/b/close", "/b/garbage"} {
		c := s.open(t)
		resp, body := c.roundTrip("GET "+path+" HTTP/1.1\r\nHost: x\r\nReferer: http://r.example/p\r\n\r\n", "GET")
		c.Close()
		if resp.StatusCode != 502 || resp.Status != "502 Proxy Error" ||
			!strings.Contains(body, "<title>502 Proxy Error</title>") ||
			!strings.Contains(body, "The proxy server could not handle the request<p>Reason: <strong>Error reading from remote server</strong></p></p>\n") {
			t.Errorf("GET %s: %s\n%s", path, resp.Status, body)
		}
	}
	raw, closed := s.exchange(t, "GET /b/cut HTTP/1.1\r\nHost: x\r\n\r\n", ioWait)
	if !closed || !strings.HasSuffix(raw, "\r\n\r\nshort") {
		t.Errorf("GET /b/cut: closed %v\n%q", closed, raw)
	}
	expectContains(t, "the error log", s.logFile("error_log"),
		"AH01102: error reading status line from remote server "+ln.Addr().String(),
		"AH00898: Error reading from remote server returned by /b/garbage, referer: http://r.example/p\n",
		"AH01110: error reading response")
}

// TestProxyPreserveHost: ProxyPreserveHost On in a virtual host sends the
// client's Host; ProxyAddHeaders Off sends no X-Forwarded-* fields; a
// <Location> sets both again for its paths; the virtual host tries the
// main server's ProxyPass lines first.
func TestProxyPreserveHost(t *testing.T) {
	backend, _ := proxyBackend(t)
	b := backend.Listener.Addr().String()
	s := startServer(t, fmt.Sprintf(proxyModules+`ProxyPass /main/ http://%[1]s/main/
<VirtualHost *:{{PORT}}>
    ServerName v.example
    ProxyPreserveHost On
    ProxyAddHeaders Off
    ProxyPass /main/x/ http://%[1]s/never/
    ProxyPass /v/ http://%[1]s/vhost/
    <Location /v/other>
        ProxyPreserveHost Off
        ProxyAddHeaders On
    </Location>
</VirtualHost>
`, b), nil)
	for _, tc := range []struct {
		target, want string
		forwarded    bool
	}{
		{"/v/a", "GET /vhost/a host=v.example:81 ", false},
		{"/main/x/a", "GET /main/x/a host=v.example:81 ", false},
		{"/v/other/b", "GET /vhost/other/b host=" + b + " ", true},
	} {
		c := s.open(t)
		_, body := c.roundTrip("GET "+tc.target+" HTTP/1.1\r\nHost: v.example:81\r\n\r\n", "GET")
		c.Close()
		expectContains(t, tc.target, body, tc.want)
		if strings.Contains(body, "X-Forwarded-Host: v.example:81\n") != tc.forwarded {
			t.Errorf("%s: X-Forwarded-* fields sent: %v, want %v:\n%s", tc.target, !tc.forwarded, tc.forwarded, body)
		}
	}
}

// TestRewriteProxy: RewriteRule with P proxies to the URL it makes: the
// query as mod_rewrite leaves it (QSA, QSD, the request's by default),
// the path's bytes re-encoded, a body passed on; P is the last rule; a
// URL that is not http:// is 500. Apache 2.4.71 sent the backend the same
// request lines (and "Connection: close", where eventmpm keeps the
// backend connection for the next request).
func TestRewriteProxy(t *testing.T) {
	backend, _ := proxyBackend(t)
	b := backend.Listener.Addr().String()
	s := startServer(t, fmt.Sprintf(proxyModules+`RewriteEngine On
RewriteRule ^/api/(.*)$ http://%[1]s/v1/$1 [P]
RewriteRule ^/q/(.*)$ http://%[1]s/x/$1?added=1 [P,QSA]
RewriteRule ^/d/(.*)$ http://%[1]s/d/$1 [QSD,P]
RewriteRule ^/s/(.*)$ https://%[1]s/$1 [P]
RewriteRule ^/api/ /never.html [L]
`, b), nil)
	for _, tc := range []struct {
		raw, want string
		status    int
	}{
		{"GET /api/a%20b?z=1 HTTP/1.1\r\nHost: x\r\n\r\n", "GET /v1/a%20b?z=1 host=" + b, 200},
		{"GET /q/e?orig=2 HTTP/1.1\r\nHost: x\r\n\r\n", "GET /x/e?added=1&orig=2 host=" + b, 200},
		{"GET /d/e?orig=3 HTTP/1.1\r\nHost: x\r\n\r\n", "GET /d/e host=" + b, 200},
		{"POST /api/form HTTP/1.1\r\nHost: x\r\nContent-Length: 2\r\n\r\nhi", "POST /v1/form host=" + b + " len=2 te=[] body=\"hi\"", 200},
		{"GET /s/x HTTP/1.1\r\nHost: x\r\n\r\n", "Internal Server Error", 500},
	} {
		c := s.open(t)
		resp, body := c.roundTrip(tc.raw, strings.Fields(tc.raw)[0])
		c.Close()
		if resp.StatusCode != tc.status || !strings.Contains(body, tc.want) {
			t.Errorf("%q: %d, want %d with %q:\n%s", tc.raw, resp.StatusCode, tc.status, tc.want, body)
		}
	}
	expectContains(t, "the error log", s.logFile("error_log"),
		"AH00961: https: failed to enable ssl support for localhost (SSLProxyEngine not set?): https://"+b+"/x\n")
}

// TestProxyPassMatch: ProxyPassMatch maps by a regular expression, $N in
// the URL's path taking its submatches; a URL without $N gets the whole
// URL-path appended (also in <LocationMatch>); "!" keeps a match local.
// Apache 2.4.71 sent the backend the same request lines.
func TestProxyPassMatch(t *testing.T) {
	backend, _ := proxyBackend(t)
	b := backend.Listener.Addr().String()
	s := startServer(t, fmt.Sprintf(proxyModules+`ProxyPassMatch ^/static/ !
ProxyPassMatch ^/(.*\.gif)$ http://%[1]s/img/$1
ProxyPassMatch \.php$ http://%[1]s
ProxyPassMatch ^/u/([^/]+)/(.*)$ http://%[1]s/user/$2/id/$1
<LocationMatch ^/lm/>
    ProxyPassMatch http://%[1]s/lm
</LocationMatch>
`, b), map[string]string{"static/x.gif": "local\n"})
	for _, tc := range []struct{ target, want string }{
		{"/a/b.gif?q=1", "GET /img/a/b.gif?q=1 host="},
		{"/x/y.php?z", "GET /x/y.php?z host="},
		{"/u/bob/c%20d", "GET /user/c%20d/id/bob host="},
		{"/lm/zz", "GET /lm/lm/zz host="},
		{"/static/x.gif", "local\n"},
	} {
		c := s.open(t)
		_, body := c.roundTrip("GET "+tc.target+" HTTP/1.1\r\nHost: x\r\n\r\n", "GET")
		c.Close()
		expectContains(t, tc.target, body, tc.want)
	}
}

// TestProxyEarlyAnswerBody: on a site that keeps request bodies unread
// for a backend, a request answered before it reaches one (an invalid
// path, an unmet Expect) closes its connection: its body, which here
// holds a request line, is never read as the next request.
func TestProxyEarlyAnswerBody(t *testing.T) {
	t.Parallel()
	b, _ := proxyBackend(t)
	s := startServer(t, proxyModules+"ProxyPass /b "+b.URL+"\n", nil)
	smuggled := "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
	for _, head := range []string{
		"POST /%2e%2e/x HTTP/1.1\r\nHost: x\r\n",
		"POST /a%2fb HTTP/1.1\r\nHost: x\r\n",
		"POST /b/echo HTTP/1.1\r\nHost: x\r\nExpect: something-else\r\n",
	} {
		raw := head + "Content-Length: " + strconv.Itoa(len(smuggled)) + "\r\n\r\n" + smuggled
		out, closed := s.exchange(t, raw, ioWait)
		if n := strings.Count(out, "HTTP/1.1 "); n != 1 || !closed {
			t.Errorf("%q: %d responses, closed %v:\n%s", head, n, closed, out)
		}
	}
}

// TestProxyUnixSocket: "unix:/path|http://host/" connects to a Unix
// domain socket and sends the URL's host; a socket that is not there is
// 503 with Apache's AH02454.
func TestProxyUnixSocket(t *testing.T) {
	t.Parallel()
	sock := filepath.Join(t.TempDir(), "app.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		t.Fatal(err)
	}
	srv := &http.Server{Handler: http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(rw, "%s host=%s", r.URL.RequestURI(), r.Host)
	})}
	go srv.Serve(ln)
	t.Cleanup(func() { srv.Close() })
	s := startServer(t, proxyModules+"ProxyPass /app/ unix:"+sock+"|http://localhost/base/\n"+
		"ProxyPass /gone/ unix:"+sock+".gone|http://localhost/\n", nil)
	resp, body := s.open(t).roundTrip("GET /app/x?y=1 HTTP/1.1\r\nHost: h\r\n\r\n", "GET")
	if resp.StatusCode != 200 || body != "/base/x?y=1 host=localhost" {
		t.Errorf("/app/x: %d %q", resp.StatusCode, body)
	}
	if resp, _ := s.open(t).roundTrip("GET /gone/z HTTP/1.1\r\nHost: h\r\n\r\n", "GET"); resp.StatusCode != 503 {
		t.Errorf("/gone/z: %d, want 503", resp.StatusCode)
	}
	itest.Eventually(t, ioWait, "the AH02454 line", func() bool {
		return strings.Contains(s.logFile("error_log"), "AH02454: http: attempt to connect to Unix domain socket "+sock+".gone (localhost:80) failed")
	})
}
