package child_test

import (
	"strconv"
	"strings"
	"testing"
	"time"
)

// errorDocConf gives the main server (and so the first virtual host) an
// ErrorDocument of each kind; the second host restores the canned 404 and
// has its own 403.
const errorDocConf = `LogFormat "%v %U %s %>s" doclog
CustomLog logs/doc_log doclog
ErrorDocument 404 /errors/404.html
ErrorDocument 403 "Go away, please"
ErrorDocument 410 http://errors.example/gone
ErrorDocument 405 /errors/405.html?ignored=1
ErrorDocument 500 /errors/missing.html
Redirect gone /gone
Alias /e/ htdocs/errors/
RedirectMatch ^/bad/(.*)$ $1
<Directory htdocs/errors/denied>
    Require all denied
</Directory>
<VirtualHost *>
    ServerName a.example
</VirtualHost>
<VirtualHost *>
    ServerName v.example
    ErrorDocument 404 default
    ErrorDocument 403 /errors/403.html
    ErrorDocument 500 /errors/denied/500.html
    ErrorDocument 405 /e/405.html
</VirtualHost>
`

// TestErrorDocument: each kind of ErrorDocument answers as Apache's does —
// a local page with the error's status (and none of the request's
// conditions or ranges), a message, a 302 to a URL — a page that cannot be
// served gives the canned page with Apache's "Additionally" note, and a
// virtual host's own codes replace the main server's. A page may lie under
// an Alias.
func TestErrorDocument(t *testing.T) {
	const page404 = "<h1>Sorry, not here</h1>\n"
	s := startServer(t, errorDocConf, map[string]string{
		"index.html":             "home\n",
		"errors/404.html":        page404,
		"errors/405.html":        "<h1>Not like that</h1>\n",
		"errors/403.html":        "<h1>v forbids</h1>\n",
		"errors/denied/500.html": "never served\n",
		".htaccess":              "secret\n",
	})
	c := s.open(t)
	defer c.Close()
	for _, tt := range []struct {
		host, method, target, extra string
		status                      int
		ctype, body, header         string
	}{
		{host: "a.example", target: "/missing", status: 404, ctype: "text/html", body: page404},
		{host: "a.example", target: "/missing", extra: "If-None-Match: *\r\nRange: bytes=0-1\r\n", status: 404, ctype: "text/html", body: page404},
		{host: "a.example", method: "HEAD", target: "/missing", status: 404, ctype: "text/html"},
		{host: "a.example", target: "/.htaccess", status: 403, ctype: "text/html; charset=iso-8859-1", body: "Go away, please"},
		{host: "a.example", target: "/gone/x", status: 302, header: "Location: http://errors.example/gone"},
		{host: "a.example", method: "POST", target: "/index.html", status: 405, ctype: "text/html", body: "<h1>Not like that</h1>\n", header: "Allow: GET,HEAD,OPTIONS"},
		// Apache's note names the first status again (the redirect
		// inherits it); the log has the second as %>s.
		{host: "a.example", target: "/bad/x", status: 500, body: "Additionally, a 500 Internal Server Error\nerror was encountered while trying to use an ErrorDocument to handle the request."},
		{host: "v.example", target: "/bad/x", status: 500, body: "Additionally, a 500 Internal Server Error\nerror was encountered"},
		{host: "v.example", target: "/missing", status: 404, body: "The requested URL was not found on this server."},
		{host: "v.example", target: "/.htaccess", status: 403, ctype: "text/html", body: "<h1>v forbids</h1>\n"},
		{host: "v.example", method: "POST", target: "/index.html", status: 405, ctype: "text/html", body: "<h1>Not like that</h1>\n", header: "Allow: GET,HEAD,OPTIONS"},
		{host: "v.example", target: "/gone", status: 302, header: "Location: http://errors.example/gone"},
		{host: "a.example", target: "/", status: 200, body: "home\n"},
	} {
		method := tt.method
		if method == "" {
			method = "GET"
		}
		req := method + " " + tt.target + " HTTP/1.1\r\nHost: " + tt.host + "\r\n" + tt.extra
		if method == "POST" {
			req += "Content-Length: 2\r\n\r\nab"
		} else {
			req += "\r\n"
		}
		name := method + " " + tt.host + tt.target
		if tt.status == 500 {
			c2 := s.open(t) // a 500 closes the connection
			defer c2.Close()
			resp, body := c2.roundTrip(req, method)
			if resp.StatusCode != 500 || !strings.Contains(body, tt.body) || !strings.Contains(body, "<title>500 Internal Server Error</title>") {
				t.Errorf("%s: %d %q, want 500's canned page with %q", name, resp.StatusCode, body, tt.body)
			}
			continue
		}
		resp, body := c.roundTrip(req, method)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", name, resp.StatusCode, tt.status)
		}
		if tt.ctype != "" && resp.Header.Get("Content-Type") != tt.ctype {
			t.Errorf("%s: Content-Type %q, want %q", name, resp.Header.Get("Content-Type"), tt.ctype)
		}
		if method == "GET" && tt.body != "" && (tt.ctype != "" && body != tt.body || !strings.Contains(body, tt.body)) {
			t.Errorf("%s: body %q, want %q", name, body, tt.body)
		}
		if method == "HEAD" && resp.Header.Get("Content-Length") != strconv.Itoa(len(page404)) {
			t.Errorf("%s: Content-Length %q, want the page's %d", name, resp.Header.Get("Content-Length"), len(page404))
		}
		if tt.header != "" {
			k, v, _ := strings.Cut(tt.header, ": ")
			if resp.Header.Get(k) != v {
				t.Errorf("%s: %s %q, want %q", name, k, resp.Header.Get(k), v)
			}
		}
		if resp.Close {
			t.Fatalf("%s: the connection was closed", name)
		}
	}
	c.Close()
	s.stop(t)
	log := s.logFile("doc_log")
	for _, line := range []string{
		"a.example /missing 404 404\n",
		"a.example /bad/x 500 404\n", // the ErrorDocument's page is missing
		"v.example /bad/x 500 403\n", // it is denied
	} {
		if !strings.Contains(log, line) {
			t.Errorf("the access log lacks %q:\n%s", line, log)
		}
	}
}

// TestErrorDocumentSections: ErrorDocument in <Directory>, <Files> and
// <Location> sections, merged code by code in Apache's order (Directory by
// length, Files, Location) over the server's; "default" brings the canned
// page back; a code a section does not set keeps the server's. Each
// answer was compared with Apache 2.4.71's on the same configuration.
func TestErrorDocumentSections(t *testing.T) {
	s := startServer(t, `ErrorDocument 404 /top404.html
ErrorDocument 403 "top forbidden"
<Directory htdocs/a>
    ErrorDocument 404 /a404.html
</Directory>
<Directory htdocs/c>
    ErrorDocument 404 default
</Directory>
<Directory htdocs/c/d>
    ErrorDocument 403 http://errors.example/forbidden
</Directory>
<Location /c/d/deny>
    Require all denied
</Location>
<Files "*.txt">
    ErrorDocument 404 "txt missing"
</Files>
<Location /e>
    ErrorDocument 404 /b.html
</Location>
`, map[string]string{
		"top404.html": "top 404\n",
		"a404.html":   "a 404\n",
		"b.html":      "b page\n",
		"a/x.html":    "x\n",
		"c/d/y.html":  "y\n",
		"e/e.txt":     "e\n",
	})
	c := s.open(t)
	defer c.Close()
	for _, tt := range []struct {
		target   string
		status   int
		body     string // the whole body, or a part of the canned page
		location string
	}{
		{"/zz", 404, "top 404\n", ""},
		{"/a/zz", 404, "a 404\n", ""},
		{"/a/x.html", 200, "x\n", ""},
		{"/c/zz", 404, "The requested URL was not found on this server.", ""},
		{"/c/d/zz", 404, "The requested URL was not found on this server.", ""},
		{"/c/d/deny", 302, "", "http://errors.example/forbidden"},
		{"/e/zz", 404, "b page\n", ""},
		{"/e/zz.txt", 404, "b page\n", ""}, // <Location> merges after <Files>
		{"/a/zz.txt", 404, "txt missing", ""},
		{"/.htaccess", 403, "top forbidden", ""},
	} {
		resp, body := c.roundTrip("GET "+tt.target+" HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
		if resp.StatusCode != tt.status || !strings.Contains(body, tt.body) || resp.Header.Get("Location") != tt.location {
			t.Errorf("%s: %d %q Location %q, want %d %q Location %q", tt.target, resp.StatusCode, body,
				resp.Header.Get("Location"), tt.status, tt.body, tt.location)
		}
	}
}

// TestErrorDocumentRefused: a request refused before it is routed gets its
// server's ErrorDocument too, as Apache 2.4.71 answered the same
// requests: a malformed head (400, the connection's default server), an
// over-long target (414, a local page), a late head (408), and a body over
// LimitRequestBody (413, the server the Host chose, which logs it).
func TestErrorDocumentRefused(t *testing.T) {
	s := startServer(t, `ErrorDocument 400 "custom bad request"
ErrorDocument 414 /long.html
ErrorDocument 408 "custom 408"
ErrorDocument 413 "custom 413"
LimitRequestBody 10
RequestReadTimeout header=1
LogFormat "%v %>s" refusedlog
CustomLog logs/refused_log refusedlog
<VirtualHost *>
    ServerName main.example
</VirtualHost>
<VirtualHost *>
    ServerName v.example
    ErrorDocument 413 "v's 413"
    CustomLog logs/v_log refusedlog
</VirtualHost>
`, map[string]string{"long.html": "too long, sorry\n", "b.html": "b\n"})
	for _, tt := range []struct {
		name, raw string
		status    string
		body      string
		wait      time.Duration
	}{
		{"malformed field", "GET /b.html HTTP/1.1\r\nHost: v.example\r\nBad Header\r\n\r\n", "400 Bad Request", "custom bad request", ioWait},
		{"long target", "GET /" + strings.Repeat("a", 9000) + " HTTP/1.1\r\nHost: v.example\r\n\r\n", "414 Request-URI Too Long", "too long, sorry\n", ioWait},
		{"late head", "GET /b.html HTTP/1.1\r\nHost: v.example\r\n", "408 Request Timeout", "custom 408", 5 * time.Second},
		{"large body", "GET /b.html HTTP/1.1\r\nHost: main.example\r\nContent-Length: 20\r\n\r\n0123456789abcdefghij", "413 Request Entity Too Large", "custom 413", ioWait},
		{"large body, v", "GET /b.html HTTP/1.1\r\nHost: v.example\r\nContent-Length: 20\r\n\r\n0123456789abcdefghij", "413 Request Entity Too Large", "v's 413", ioWait},
	} {
		got, closed := s.exchange(t, tt.raw, tt.wait)
		head, body, _ := strings.Cut(got, "\r\n\r\n")
		if !strings.HasPrefix(head, "HTTP/1.1 "+tt.status+"\r\n") || body != tt.body || !closed {
			t.Errorf("%s: %q closed=%v, want %s with %q and the connection closed", tt.name, got, closed, tt.status, tt.body)
		}
	}
	s.stop(t)
	if log := s.logFile("v_log"); log != "v.example 413\n" {
		t.Errorf("v_log %q, want the one 413 of v.example", log)
	}
}

// TestErrorDocumentExpressions: an ErrorDocument is an Apache expression
// string, made per response, of the kind its text as written has: a
// message, a local path, a URL. A made path that leaves the tree is
// refused with Apache's AH10244 and the canned page. Each answer, and the
// log line, were compared with Apache 2.4.71's on the same configuration.
func TestErrorDocumentExpressions(t *testing.T) {
	s := startServer(t, `ErrorDocument 404 "No %{REQUEST_URI} here, %{req:X-Who} (%{toupper:%{REQUEST_METHOD}})"
ErrorDocument 403 /errdoc/%{REQUEST_METHOD}.html
ErrorDocument 410 http://errors.example%{REQUEST_URI}?q=%{QUERY_STRING}
ErrorDocument 405 "Costs \$5: \"%{REQUEST_METHOD}\" a\\tb"
Redirect gone /gone
<Directory htdocs/private>
    Require all denied
</Directory>
<Directory htdocs/private2>
    ErrorDocument 403 /errdoc/../../etc/%{REQUEST_METHOD}
    Require all denied
</Directory>
`, map[string]string{
		"errdoc/GET.html": "GET page\n",
		"private/x.html":  "secret\n",
		"private2/x.html": "secret\n",
		"index.html":      "home\n",
	})
	for _, tt := range []struct {
		req      string
		status   int
		body     string // all of it, or with "…" a part
		location string
	}{
		{"GET /nope HTTP/1.1\r\nHost: x\r\nX-Who: Bob\r\n\r\n", 404, "No /nope here, Bob (GET)", ""},
		{"HEAD /nope HTTP/1.1\r\nHost: x\r\n\r\n", 404, "", ""}, // no Content-Length, as Apache
		{"GET /private/x.html HTTP/1.1\r\nHost: x\r\n\r\n", 403, "GET page\n", ""},
		{"POST /private/x.html HTTP/1.1\r\nHost: x\r\nContent-Length: 1\r\n\r\nx", 403, "…Additionally, a 403 Forbidden\nerror was encountered", ""},
		{"GET /gone/p?z=1 HTTP/1.1\r\nHost: x\r\n\r\n", 302, "…The document has moved", "http://errors.example/gone/p?q=z=1"},
		{"DELETE /index.html HTTP/1.1\r\nHost: x\r\n\r\n", 405, "Costs $5: \"DELETE\" a\tb", ""},
		{"GET /private2/x.html HTTP/1.1\r\nHost: x\r\n\r\n", 403, "…Additionally, a 403 Forbidden\nerror was encountered", ""},
	} {
		c := s.open(t)
		method, _, _ := strings.Cut(tt.req, " ")
		resp, body := c.roundTrip(tt.req, method)
		c.Close()
		name := strings.SplitN(tt.req, "\r\n", 2)[0]
		if part, ok := strings.CutPrefix(tt.body, "…"); ok && !strings.Contains(body, part) || !ok && body != tt.body {
			t.Errorf("%s: body %q, want %q", name, body, tt.body)
		}
		if resp.StatusCode != tt.status || resp.Header.Get("Location") != tt.location {
			t.Errorf("%s: %d, Location %q; want %d, %q", name, resp.StatusCode, resp.Header.Get("Location"), tt.status, tt.location)
		}
		if cl := resp.Header.Get("Content-Length"); method == "HEAD" && cl != "" {
			t.Errorf("%s: Content-Length %q; Apache sends none for a message answering HEAD", name, cl)
		}
	}
	if log := s.logFile("error_log"); !strings.Contains(log, "[core:error]") || !strings.Contains(log, "AH10244: invalid URI path (/errdoc/../../etc/GET)") {
		t.Errorf("the error log lacks AH10244:\n%s", log)
	}
}

// TestErrorDocumentHeaders: an ErrorDocument served from a local path
// gets the Header directives of its own sections too, and "onsuccess"
// ones with the "always" ones (the request's and the document's), as
// Apache's internal redirect to it runs mod_headers' fixups; a canned
// error page gets the "always" ones only. Compared with Apache 2.4.71.
func TestErrorDocumentHeaders(t *testing.T) {
	t.Parallel()
	s := startServer(t, `ErrorDocument 404 /errs/404.html
<Directory htdocs>
    Header always set X-Orig always
    Header set X-Orig-Success yes
</Directory>
<Directory htdocs/errs>
    Header always set X-Err yes
    Header set X-Err-Success yes
</Directory>
<Directory htdocs/deny>
    Require all denied
</Directory>
`, map[string]string{"errs/404.html": "custom 404\n", "deny/x.txt": "x\n"})
	c := newClient()
	for _, tt := range []struct {
		path    string
		status  int
		present []string
		absent  []string
	}{
		{"/missing", 404, []string{"X-Orig", "X-Orig-Success", "X-Err", "X-Err-Success"}, nil},
		{"/deny/x.txt", 403, []string{"X-Orig"}, []string{"X-Orig-Success", "X-Err", "X-Err-Success"}},
	} {
		resp, err := c.Get(s.url(tt.path))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != tt.status {
			t.Errorf("GET %s: %d, want %d", tt.path, resp.StatusCode, tt.status)
		}
		for _, h := range tt.present {
			if resp.Header.Get(h) == "" {
				t.Errorf("GET %s: no %s", tt.path, h)
			}
		}
		for _, h := range tt.absent {
			if v := resp.Header.Get(h); v != "" {
				t.Errorf("GET %s: %s %q, want none", tt.path, h, v)
			}
		}
	}
}
