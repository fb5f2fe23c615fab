package child_test

import (
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/fcgi"
	"path/filepath"
	"sort"
	"strings"
	"sync"
	"sync/atomic"
	"testing"

	"eventmpm/internal/itest"
)

// fcgiApp runs the standard library's FastCGI server on a Unix socket and
// on 127.0.0.1: /slow never answers, a Status of ?status= is sent back,
// anything else describes the CGI environment and the body it got.
func fcgiApp(t *testing.T, dir string) (sock, addr string) {
	t.Helper()
	h := http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		env := fcgi.ProcessEnv(r)
		switch {
		case strings.HasSuffix(env["SCRIPT_FILENAME"], "/slow.php"):
			<-r.Context().Done()
			return
		}
		if s := r.URL.Query().Get("status"); s != "" {
			var code int
			fmt.Sscan(s, &code)
			rw.Header().Set("X-App", "1")
			rw.WriteHeader(code)
		}
		body, _ := io.ReadAll(r.Body)
		var names []string
		for k := range env {
			names = append(names, k)
		}
		sort.Strings(names)
		// The standard variables went into r (cgi.RequestFromMap), the
		// others stay in env.
		fmt.Fprintf(rw, "method=%s uri=%s len=%d body=%q\n", r.Method, r.URL, r.ContentLength, body)
		var fields []string
		for k, v := range r.Header {
			fields = append(fields, "field "+k+"="+strings.Join(v, ","))
		}
		sort.Strings(fields)
		fmt.Fprintln(rw, strings.Join(fields, "\n"))
		for _, k := range names {
			fmt.Fprintf(rw, "%s=%s\n", k, env[k])
		}
	})
	sock = filepath.Join(dir, "app.sock")
	for _, l := range []struct{ network, address string }{{"unix", sock}, {"tcp", "127.0.0.1:0"}} {
		ln, err := net.Listen(l.network, l.address)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { ln.Close() })
		go fcgi.Serve(ln, h)
		if l.network == "tcp" {
			addr = ln.Addr().String()
		}
	}
	return sock, addr
}

// TestFCGI: mod_proxy_fcgi as Debian's php-fpm configuration uses it, a
// <FilesMatch> with SetHandler "proxy:unix:...|fcgi://localhost", and a
// ProxyPassMatch to fcgi://: the CGI environment (FPM's SCRIPT_FILENAME,
// PATH_INFO past the script, HTTP_* fields, Authorization only through
// SetEnvIfNoCase's regular expression or CGIPassAuth On, SetEnv's
// variables), bodies with
// a length and chunked, the script's Status, 503 for an application that
// is down and
// 504 for one that does not answer in Timeout, and a .phps file
// refused by its own section.
func TestFCGI(t *testing.T) {
	t.Parallel()
	sock, addr := fcgiApp(t, t.TempDir())
	s := startServer(t, `LoadModule proxy_module modules/mod_proxy.so
LoadModule proxy_fcgi_module modules/mod_proxy_fcgi.so
Timeout 2
SetEnvIfNoCase ^Authorization$ "(.+)" HTTP_AUTHORIZATION=$1
SetEnv FOO bar
<FilesMatch ".+\.ph(?:ar|p|tml)$">
    SetHandler "proxy:unix:`+sock+`|fcgi://localhost"
</FilesMatch>
<FilesMatch ".+\.phps$">
    Require all denied
</FilesMatch>
<Location /down>
    SetHandler "proxy:unix:`+sock+`.gone|fcgi://localhost"
</Location>
ProxyPassMatch ^/pm/(.*\.php)$ fcgi://`+addr+`/srv/app/$1
<Directory htdocs/pass>
    CGIPassAuth On
</Directory>
<Location /bad>
    SetHandler "proxy:fcgi://`+rawFCGIApp(t, "no colon in this line\r\n\r\nbody")+`"
</Location>
<Location /loc>
    SetHandler "proxy:fcgi://`+rawFCGIApp(t, "Location: /a.php\r\nX-App: yes\r\n\r\n")+`"
</Location>
`, map[string]string{"index.php": "<?php // served by the application", "form.php": "", "a.php": "", "x.phps": "", "pass/a.php": ""})
	doc := s.root.Path("htdocs")
	get := func(raw string) (int, string) {
		t.Helper()
		resp, body := s.open(t).roundTrip(raw, "GET")
		return resp.StatusCode, body
	}
	code, body := get("GET /index.php/extra/path?a=1 HTTP/1.1\r\nHost: localhost\r\nAuthorization: Basic Zm9vOmJhcg==\r\nX-Custom: yes\r\nConnection: close\r\n\r\n")
	for _, want := range []string{
		"method=GET uri=http://localhost/index.php/extra/path?a=1 len=0", "SCRIPT_FILENAME=proxy:fcgi://localhost" + doc + "/index.php\n",
		"PATH_TRANSLATED=" + doc + "/extra/path\n", "field X-Custom=yes\n",
		"field Authorization=Basic Zm9vOmJhcg==\n", "FOO=bar\n", "GATEWAY_INTERFACE=CGI/1.1\n",
		"DOCUMENT_ROOT=" + doc + "\n", "proxy-nokeepalive=1\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("GET /index.php/extra/path: %d, no %q in\n%s", code, want, body)
		}
	}
	// Proxy-Authorization goes on with CGIPassAuth On only.
	const proxyAuth = "Proxy-Authorization: Basic cDpx\r\n"
	if _, body = get("GET /a.php HTTP/1.1\r\nHost: localhost\r\n" + proxyAuth + "\r\n"); strings.Contains(body, "field Proxy-Authorization") {
		t.Errorf("Proxy-Authorization passed without CGIPassAuth:\n%s", body)
	}
	if _, body = get("GET /pass/a.php HTTP/1.1\r\nHost: localhost\r\n" + proxyAuth + "\r\n"); !strings.Contains(body, "field Proxy-Authorization=Basic cDpx\n") {
		t.Errorf("CGIPassAuth On: no Proxy-Authorization in\n%s", body)
	}
	// A POST with a length, then a chunked one on the same connection.
	c := s.open(t)
	_, body = c.roundTrip("POST /form.php HTTP/1.1\r\nHost: localhost\r\nContent-Type: application/x-www-form-urlencoded\r\nContent-Length: 7\r\n\r\nx=1&y=2", "POST")
	if !strings.Contains(body, `len=7 body="x=1&y=2"`) || !strings.Contains(body, "field Content-Type=application/x-www-form-urlencoded\n") {
		t.Errorf("POST with a length:\n%s", body)
	}
	_, body = c.roundTrip("POST /form.php HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", "POST")
	if !strings.Contains(body, `len=5 body="hello"`) {
		t.Errorf("chunked POST:\n%s", body)
	}
	if code, body = get("GET /a.php?status=404 HTTP/1.1\r\nHost: localhost\r\n\r\n"); code != 404 {
		t.Errorf("Status: 404 from the script: got %d %q", code, body)
	}
	if code, _ = get("GET /x.phps HTTP/1.1\r\nHost: localhost\r\n\r\n"); code != 403 {
		t.Errorf("/x.phps: got %d, want 403", code)
	}
	code, body = get("GET /pm/sub/page.php?q=2 HTTP/1.1\r\nHost: localhost\r\n\r\n")
	if code != 200 || !strings.Contains(body, "SCRIPT_FILENAME=proxy:fcgi://"+addr+"/srv/app/sub/page.php\n") ||
		!strings.Contains(body, "uri=http://localhost/pm/sub/page.php?q=2 ") || strings.Contains(body, "proxy-nokeepalive") {
		t.Errorf("ProxyPassMatch to fcgi://: %d\n%s", code, body)
	}
	if code, _ = get("GET /bad/x HTTP/1.1\r\nHost: localhost\r\n\r\n"); code != 500 {
		t.Errorf("a malformed script header: got %d, want 500", code)
	}
	// A Location without Status goes on with a 200, as mod_proxy_fcgi
	// (Apache 2.4.71) passes it: no redirect, internal or not.
	resp, body := s.open(t).roundTrip("GET /loc/x HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
	if resp.StatusCode != 200 || resp.Header.Get("Location") != "/a.php" || resp.Header.Get("X-App") != "yes" || body != "" {
		t.Errorf("a Location without Status: %d %v %q", resp.StatusCode, resp.Header, body)
	}
	if code, _ = get("GET /down/x HTTP/1.1\r\nHost: localhost\r\n\r\n"); code != 503 {
		t.Errorf("application down: got %d, want 503", code)
	}
	if code, _ = get("GET /slow.php HTTP/1.1\r\nHost: localhost\r\n\r\n"); code != 504 {
		t.Errorf("application silent past Timeout: got %d, want 504", code)
	}
	itest.Eventually(t, ioWait, "the error log's lines", func() bool {
		log := s.logFile("error_log")
		return strings.Contains(log, "AH02454: FCGI: attempt to connect to Unix domain socket "+sock+".gone (localhost:8000) failed") &&
			strings.Contains(log, "AH01079: failed to make connection to backend: localhost") &&
			strings.Contains(log, "AH01075: Error dispatching request to :")
	})
}

// rawFCGIApp answers every FastCGI request on 127.0.0.1 with out as its
// standard output, as written (Go's net/http/fcgi always sends a Status),
// one request per connection.
func rawFCGIApp(t *testing.T, out string) string {
	t.Helper()
	addr, _ := recyclingFCGIApp(t, out, 1)
	return addr
}

// countingListener counts the connections it accepted and keeps them,
// so that a test can close them from the application's side.
type countingListener struct {
	net.Listener
	mu    sync.Mutex
	conns []net.Conn
}

func (l *countingListener) Accept() (net.Conn, error) {
	c, err := l.Listener.Accept()
	if err == nil {
		l.mu.Lock()
		l.conns = append(l.conns, c)
		l.mu.Unlock()
	}
	return c, err
}

func (l *countingListener) accepted() int {
	l.mu.Lock()
	defer l.mu.Unlock()
	return len(l.conns)
}

// closeAll closes every accepted connection, as an application that
// restarts would.
func (l *countingListener) closeAll() {
	l.mu.Lock()
	defer l.mu.Unlock()
	for _, c := range l.conns {
		c.Close()
	}
}

// TestFCGIReuse: with enablereuse=on a FastCGI route's requests go over
// one kept connection (FCGI_KEEP_CONN), those of one client and of the
// next, a body included; a reply not read whole (HEAD) does not give its
// connection back; a kept connection the application closed is found out
// and replaced without a failed request. Without enablereuse, as in
// Apache, every request has a connection of its own.
func TestFCGIReuse(t *testing.T) {
	t.Parallel()
	apps := make([]*countingListener, 2)
	for i := range apps {
		ln, err := net.Listen("tcp", "127.0.0.1:0")
		if err != nil {
			t.Fatal(err)
		}
		apps[i] = &countingListener{Listener: ln}
		t.Cleanup(func() { ln.Close(); apps[i].closeAll() })
		go fcgi.Serve(apps[i], http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
			body, _ := io.ReadAll(r.Body)
			fmt.Fprintf(rw, "script=%s body=%s", fcgi.ProcessEnv(r)["SCRIPT_FILENAME"], body)
		}))
	}
	s := startServer(t, `LoadModule proxy_module modules/mod_proxy.so
LoadModule proxy_fcgi_module modules/mod_proxy_fcgi.so
ProxyPass /kept/ fcgi://`+apps[0].Addr().String()+`/srv/ enablereuse=on
ProxyPass /own/ fcgi://`+apps[1].Addr().String()+`/srv/
`, nil)
	get := func(c *rawConn, raw, want string) {
		t.Helper()
		method, _, _ := strings.Cut(raw, " ")
		if resp, body := c.roundTrip(raw, method); resp.StatusCode != 200 || body != want {
			t.Fatalf("%s: %d %q, want 200 %q", strings.SplitN(raw, "\r\n", 2)[0], resp.StatusCode, body, want)
		}
	}
	// A worker gives a kept connection back after the client has its
	// answer: before a request from another client, wait until every
	// worker is done, or that request may find the pool empty and rightly
	// open a second connection.
	settled := func() {
		t.Helper()
		pollScoreboard(t, "every worker idle", func() bool { return busyWorkers(s.readScoreboard(t)) == 0 })
	}
	addrOf := map[string]net.Addr{"/kept/": apps[0].Addr(), "/own/": apps[1].Addr()}
	for _, prefix := range []string{"/kept/", "/own/"} {
		c := s.open(t)
		for i := range 3 {
			get(c, fmt.Sprintf("GET %sa%d.php HTTP/1.1\r\nHost: localhost\r\n\r\n", prefix, i),
				fmt.Sprintf("script=proxy:fcgi://%s/srv/a%d.php body=", addrOf[prefix], i))
		}
		settled()
		get(s.open(t), "POST "+prefix+"p.php HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello",
			fmt.Sprintf("script=proxy:fcgi://%s/srv/p.php body=hello", addrOf[prefix]))
	}
	settled()
	if kept, own := apps[0].accepted(), apps[1].accepted(); kept != 1 || own != 4 {
		t.Errorf("connections: %d with enablereuse=on (want 1), %d without (want 4)", kept, own)
	}
	// The application drops its connections: the next request notices
	// before it sends anything, and takes a new one.
	apps[0].closeAll()
	get(s.open(t), "GET /kept/b.php HTTP/1.1\r\nHost: localhost\r\n\r\n", fmt.Sprintf("script=proxy:fcgi://%s/srv/b.php body=", apps[0].Addr()))
	if n := apps[0].accepted(); n != 2 {
		t.Errorf("after the application closed its connection: %d connections, want 2", n)
	}
	// A HEAD leaves the reply unread: that connection is not kept.
	settled()
	if resp, _ := s.open(t).roundTrip("HEAD /kept/h.php HTTP/1.1\r\nHost: localhost\r\n\r\n", "HEAD"); resp.StatusCode != 200 {
		t.Fatalf("HEAD: %d", resp.StatusCode)
	}
	settled()
	get(s.open(t), "GET /kept/c.php HTTP/1.1\r\nHost: localhost\r\n\r\n", fmt.Sprintf("script=proxy:fcgi://%s/srv/c.php body=", apps[0].Addr()))
	if n := apps[0].accepted(); n != 3 {
		t.Errorf("after a HEAD: %d connections, want 3", n)
	}
}

// TestFCGIReuseClosedOnArrival: an application that closes a kept
// connection as the next request arrives on it (PHP-FPM's pm.max_requests
// or its idle timeout, met at the wrong moment) answered nothing, and a
// request without a body is sent again on a new connection: every request
// is answered 200, none 503 as in Apache.
func TestFCGIReuseClosedOnArrival(t *testing.T) {
	t.Parallel()
	addr, conns := recyclingFCGIApp(t, "Content-Type: text/plain\r\n\r\nhello", 1)
	s := startServer(t, `LoadModule proxy_module modules/mod_proxy.so
LoadModule proxy_fcgi_module modules/mod_proxy_fcgi.so
ProxyPass /app/ fcgi://`+addr+`/srv/ enablereuse=on
LogLevel proxy_fcgi:debug
`, nil)
	c := s.open(t)
	for i := range 3 {
		resp, body := c.roundTrip("GET /app/x.php HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
		if resp.StatusCode != 200 || body != "hello" {
			t.Fatalf("request %d: %d %q, want 200 %q", i, resp.StatusCode, body, "hello")
		}
	}
	if n := conns.Load(); n != 3 {
		t.Errorf("%d connections to the application, want 3 (a kept one for each request, closed by the application when the next came)", n)
	}
	itest.Eventually(t, ioWait, "the debug line of a request sent again", func() bool {
		return strings.Count(s.logFile("error_log"), "the application closed a kept connection; sending the request again on a new one") == 2
	})
}

// recyclingFCGIApp answers perConn FastCGI requests on each connection on
// 127.0.0.1 with out as the standard output, keeping the connection; when
// the next request comes, it reads its first record's header and closes
// the connection. It counts the connections it accepted.
func recyclingFCGIApp(t *testing.T, out string, perConn int) (string, *atomic.Int32) {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	record := func(typ byte, content string) []byte {
		n := len(content)
		return append([]byte{1, typ, 0, 1, byte(n >> 8), byte(n), 0, 0}, content...)
	}
	reply := append(append(record(6, out), record(6, "")...), record(3, "\x00\x00\x00\x00\x00\x00\x00\x00")...)
	var conns atomic.Int32
	go func() {
		for {
			c, err := ln.Accept()
			if err != nil {
				return
			}
			conns.Add(1)
			go func() {
				defer c.Close()
				var h [8]byte
				for range perConn {
					for { // the request, up to its empty stdin record
						if _, err := io.ReadFull(c, h[:]); err != nil {
							return
						}
						n := int(h[4])<<8 | int(h[5]) + int(h[6])
						io.CopyN(io.Discard, c, int64(n))
						if h[1] == 5 && n == 0 {
							break
						}
					}
					if _, err := c.Write(reply); err != nil {
						return
					}
				}
				io.ReadFull(c, h[:]) // the next request's first record: close now
			}()
		}
	}()
	return ln.Addr().String(), &conns
}
