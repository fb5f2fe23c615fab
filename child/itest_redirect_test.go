package child_test

import (
	"strings"
	"testing"
)

// redirectConf has mod_alias's redirects on the main server, which both
// virtual hosts inherit, and one of the second host's own that comes
// before the main server's for the same path. /old/denied is in a
// <Location> that denies everyone: a redirect answers before access
// control, as in Apache.
const redirectConf = `Redirect /old http://other.example/new
Redirect permanent /perm /target
RedirectTemp /temp/ http://t.example/x/
Redirect seeother /see /seen
Redirect 307 /tmp7 http://x.example/7
Redirect gone /gone
Redirect 404 /hidden
RedirectMatch ^/img/(.*)\.gif$ http://img.example/$1.png
RedirectMatch 301 ^/q/([a-z]+)$ /search?q=$1
RedirectMatch ^/bad/(.*)$ $1
<Location /old/denied>
    Require all denied
</Location>
<VirtualHost *>
    ServerName a.example
</VirtualHost>
<VirtualHost *>
    ServerName v.example
    Redirect /old http://v-own.example
</VirtualHost>
`

// TestRedirect: each form of Redirect and RedirectMatch answers with its
// status and Location (a path made absolute for the request's host, the
// rest of the path escaped and appended, the query carried when the target
// has none), keeps the connection, and leaves everything else alone.
func TestRedirect(t *testing.T) {
	s := startServer(t, redirectConf, map[string]string{
		"older":      "not redirected\n",
		"temp":       "the file temp\n",
		"index.html": "home\n",
	})
	c := s.open(t)
	defer c.Close()
	for _, tt := range []struct {
		host, method, target string
		status               int
		location, body       string
	}{
		{host: "a.example", target: "/old", status: 302, location: "http://other.example/new"},
		{host: "a.example", target: "/old/", status: 302, location: "http://other.example/new/"},
		{host: "a.example", target: "/old//sub/a%20b.txt?x=1&y", status: 302, location: "http://other.example/new/sub/a%20b.txt?x=1&y"},
		{host: "a.example", target: "/old?", status: 302, location: "http://other.example/new?"},
		{host: "a.example", target: "/old/denied", status: 302, location: "http://other.example/new/denied"},
		{host: "a.example", target: "/old/%2e%2e/perm", status: 301, location: "http://a.example/target"},
		{host: "a.example", method: "HEAD", target: "/old", status: 302, location: "http://other.example/new"},
		{host: "a.example", method: "POST", target: "/old", status: 302, location: "http://other.example/new"},
		{host: "a.example", target: "/older", status: 200, body: "not redirected\n"},
		{host: "A.Example:8080", target: "/perm/x", status: 301, location: "http://a.example:8080/target/x"},
		{host: "a.example", target: "/temp", status: 200, body: "the file temp\n"},
		{host: "a.example", target: "/temp/a", status: 302, location: "http://t.example/x/a"},
		{host: "a.example", target: "/see", status: 303, location: "http://a.example/seen", body: "The answer to your request is located"},
		{host: "a.example", target: "/tmp7", status: 307, location: "http://x.example/7"},
		{host: "a.example", target: "/gone/x", status: 410, body: "Gone"},
		{host: "a.example", target: "/hidden", status: 404},
		{host: "a.example", target: "/img/a/b.gif?s=1", status: 302, location: "http://img.example/a/b.png?s=1"},
		{host: "a.example", target: "/img/a.png", status: 404},
		{host: "a.example", target: "/q/hello?page=2", status: 301, location: "http://a.example/search?q=hello"},
		{host: "v.example", target: "/old/x", status: 302, location: "http://v-own.example/x"},
		{host: "v.example", target: "/perm", status: 301, location: "http://v.example/target"},
		{host: "a.example", target: "/", status: 200, body: "home\n"},
	} {
		method := tt.method
		if method == "" {
			method = "GET"
		}
		req := method + " " + tt.target + " HTTP/1.1\r\nHost: " + tt.host + "\r\n"
		if method == "POST" {
			req += "Content-Length: 4\r\n\r\nbody"
		} else {
			req += "\r\n"
		}
		resp, body := c.roundTrip(req, method)
		name := method + " " + tt.host + tt.target
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", name, resp.StatusCode, tt.status)
		}
		if got := resp.Header.Get("Location"); got != tt.location {
			t.Errorf("%s: Location %q, want %q", name, got, tt.location)
		}
		if tt.location != "" && method == "GET" && !strings.Contains(body, `<a href="`+strings.ReplaceAll(tt.location, "&", "&amp;")+`">`) {
			t.Errorf("%s: page %q does not link to the target", name, body)
		}
		if tt.body != "" && !strings.Contains(body, tt.body) {
			t.Errorf("%s: body %q, want it to hold %q", name, body, tt.body)
		}
		if resp.Close {
			t.Fatalf("%s: the connection was closed", name)
		}
	}
	t.Run("a target that is no URL is a 500 with AH00673", func(t *testing.T) {
		c := s.open(t)
		defer c.Close()
		resp, _ := c.roundTrip("GET /bad/x HTTP/1.1\r\nHost: a.example\r\n\r\n", "GET")
		if resp.StatusCode != 500 || resp.Header.Get("Location") != "" {
			t.Errorf("status %d, Location %q; want 500 and none", resp.StatusCode, resp.Header.Get("Location"))
		}
		if log := s.logFile("error_log"); !strings.Contains(log, "AH00673: cannot redirect '/bad/x' to 'x'; target is not a valid absoluteURI or abs_path") {
			t.Errorf("error_log lacks AH00673:\n%s", log)
		}
	})
}

// TestRedirectSections: redirects in directory sections, as Apache 2.4.71
// answered the same configuration side by side. A section's URL-path and
// pattern forms act after the access checks (mod_alias's fixups), the
// sections merged later first; the short form sends every request of its
// section to its URL as written (the rest of the path is not appended),
// and in <Location> before the server's redirects and the access checks
// (Apache walks <Location> before translate_name). A section's redirect
// runs before mod_env, so its log line has none of SetEnv's variables;
// the <Location> sections' ErrorDocuments apply to a short-form "gone".
func TestRedirectSections(t *testing.T) {
	s := startServer(t, `Redirect /srv http://example.com/srv
SetEnv v1 top
<Location /srv>
    Redirect http://example.com/loc
</Location>
<Location /old>
    Redirect permanent "http://example.com/new"
</Location>
<Location /den>
    Require all denied
    Redirect "http://example.com/den"
</Location>
<Location /den2>
    Require all denied
    Redirect /den2 http://example.com/den2
</Location>
<Directory htdocs/a>
    Redirect /a/x.html /b.html
    Redirect /zzz http://x.example/
</Directory>
<Directory htdocs/c>
    RedirectMatch "^/c/(.*)\.html$" /e/$1.txt
    Redirect http://example.com/c
</Directory>
<Directory htdocs/g>
    Redirect /g http://example.com/g
</Directory>
<Location /g>
    Redirect /g http://example.com/gloc
</Location>
<Files "*.txt">
    Redirect /e http://example.com/files
</Files>
<Location /gone>
    Redirect gone
    ErrorDocument 410 "gone away"
</Location>
LogFormat "%U %>s %{v1}e" redirlog
CustomLog logs/redir_log redirlog
`, map[string]string{"a/x.html": "x\n", "a/zzz": "zzz\n", "b.html": "b\n", "c/d/y.html": "y\n", "e/e.txt": "e\n", "g/hi.html": "hi\n"})
	c := s.open(t)
	defer c.Close()
	for _, tt := range []struct {
		target   string
		status   int
		location string
		body     string
	}{
		{"/srv/x", 302, "http://example.com/loc", ""},
		{"/old/x?q=1", 301, "http://example.com/new?q=1", ""},
		{"/den", 302, "http://example.com/den", ""},
		{"/den2/x", 403, "", ""},
		{"/a/x.html", 302, "http://localhost/b.html", ""},
		{"/a/zzz", 200, "", "zzz\n"},
		{"/c/d/y.html", 302, "http://example.com/c", ""},
		{"/g/hi.html", 302, "http://example.com/gloc/hi.html", ""},
		{"/e/e.txt", 302, "http://example.com/files/e.txt", ""},
		{"/e/zz.txt", 302, "http://example.com/files/zz.txt", ""},
		{"/gone/x", 410, "", "gone away"},
		{"/b.html", 200, "", "b\n"},
	} {
		resp, body := c.roundTrip("GET "+tt.target+" HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
		if resp.StatusCode != tt.status || resp.Header.Get("Location") != tt.location || !strings.Contains(body, tt.body) {
			t.Errorf("%s: %d Location %q body %q, want %d Location %q body with %q", tt.target, resp.StatusCode,
				resp.Header.Get("Location"), body, tt.status, tt.location, tt.body)
		}
	}
	c.Close()
	s.stop(t)
	log := s.logFile("redir_log")
	for _, want := range []string{"/a/x.html 302 -\n", "/srv/x 302 -\n", "/b.html 200 top\n"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
}

// TestSectionRedirectBadTarget: a section's redirect to a target that is
// no URL is a 500 logged as mod_alias's fixups hook logs it, AH00676 (the
// server's redirects log AH00673), as Apache 2.4.71 did.
func TestSectionRedirectBadTarget(t *testing.T) {
	s := startServer(t, "<Location /loc>\n    RedirectMatch ^/loc/bad/(.*)$ $1\n</Location>\n", map[string]string{"a.txt": "a\n"})
	c := s.open(t)
	resp, _ := c.roundTrip("GET /loc/bad/y HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
	c.Close()
	if resp.StatusCode != 500 {
		t.Errorf("status %d, want 500", resp.StatusCode)
	}
	s.stop(t)
	expectContains(t, "error_log", s.logFile("error_log"), "AH00676: cannot redirect '/loc/bad/y' to 'y'; target is not a valid absoluteURI or abs_path")
}
