package child_test

import (
	"strconv"
	"strings"
	"testing"
)

// errorDocConf gives the main server (and so the first virtual host) an
// ErrorDocument of each kind; the second host restores the canned 404 and
// has its own 403.
const errorDocConf = `ErrorDocument 404 /errors/404.html
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
		{host: "a.example", target: "/bad/x", status: 500, body: "Additionally, a 404 Not Found\nerror was encountered while trying to use an ErrorDocument to handle the request."},
		{host: "v.example", target: "/bad/x", status: 500, body: "Additionally, a 403 Forbidden\nerror was encountered"},
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
}
