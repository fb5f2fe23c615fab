package child_test

import (
	"net/http"
	"reflect"
	"regexp"
	"strings"
	"testing"
)

// headerConf sets response headers at the server level, in a <FilesMatch>
// and in a <Location>, with each action, both conditions and env=, and
// removes a request header before it is logged.
const headerConf = `Header set X-Frame-Options: DENY
Header always set X-Always yes
Header append Cache-Control no-transform
Header set X-Time "%t %D"
Header unset Server
Header setifempty X-Empty first
Header setifempty X-Empty second
Header add X-Multi one
Header add X-Multi two
Header merge X-Multi two
Header merge X-Multi one
Header edit Content-Type ^text/html$ "text/html; charset=utf-8"
Header edit* X-Multi o "0"
Header set X-Env-Never v env=NOPE
Header set X-Env-Not v env=!NOPE
Header echo ^X-Echo
RequestHeader unset X-Secret early
CustomLog logs/hdr_log "%{X-Secret}i %{X-Frame-Options}o %>s"
<FilesMatch "\.css$">
    Header set Cache-Control "max-age=31536000, public"
</FilesMatch>
<Location /nohdr>
    Header unset X-Frame-Options
</Location>
`

// TestHeaderDirective: Header operations apply in Apache's order (the
// server's, then the sections' in merge order), "onsuccess" ones to 2xx
// and 304 only, "always" ones to error pages too; Server stays; a field
// RequestHeader unset removes is gone from the log.
func TestHeaderDirective(t *testing.T) {
	s := startServer(t, headerConf, map[string]string{
		"index.html":      "home\n",
		"style.css":       "body{}\n",
		"nohdr/plain.txt": "plain\n",
	})
	c := s.open(t)
	defer c.Close()
	get := func(target, extra string) (*http.Response, string) {
		return c.roundTrip("GET "+target+" HTTP/1.1\r\nHost: localhost\r\n"+extra+"\r\n", "GET")
	}

	resp, body := get("/", "X-Echo-A: 1\r\nX-Secret: s3\r\n")
	if resp.StatusCode != 200 || body != "home\n" {
		t.Fatalf("GET /: %d %q", resp.StatusCode, body)
	}
	h := resp.Header
	for name, want := range map[string][]string{
		"X-Frame-Options": {"DENY"},
		"X-Always":        {"yes"},
		"Cache-Control":   {"no-transform"},
		"X-Empty":         {"first"},
		"X-Multi":         {"0ne, tw0", "tw0"},
		"Content-Type":    {"text/html; charset=utf-8"},
		"X-Env-Not":       {"v"},
		"X-Env-Never":     nil,
		"X-Echo-A":        {"1"},
		"X-Secret":        nil,
	} {
		if got := h.Values(name); !reflect.DeepEqual(got, want) && !(len(got) == 0 && want == nil) {
			t.Errorf("GET /: %s %q, want %q", name, got, want)
		}
	}
	if !regexp.MustCompile(`^t=\d{16} D=\d+$`).MatchString(h.Get("X-Time")) {
		t.Errorf("X-Time %q, want t=<microseconds> D=<microseconds>", h.Get("X-Time"))
	}
	if h.Get("Server") == "" || h.Get("Date") == "" || h.Get("Content-Length") != "5" {
		t.Errorf("Server %q, Date %q, Content-Length %q: the HTTP layer's own fields must stay", h.Get("Server"), h.Get("Date"), h.Get("Content-Length"))
	}

	resp, _ = get("/missing", "")
	if resp.StatusCode != 404 || resp.Header.Get("X-Always") != "yes" || resp.Header.Get("X-Frame-Options") != "" || resp.Header.Get("X-Multi") != "" {
		t.Errorf("404: X-Always %q, X-Frame-Options %q, X-Multi %q; want only the always field",
			resp.Header.Get("X-Always"), resp.Header.Get("X-Frame-Options"), resp.Header.Get("X-Multi"))
	}

	resp, _ = get("/style.css", "")
	if got := resp.Header.Values("Cache-Control"); !reflect.DeepEqual(got, []string{"max-age=31536000, public"}) {
		t.Errorf("style.css: Cache-Control %q, want the <FilesMatch>'s set over the server's append", got)
	}
	etag := resp.Header.Get("ETag")

	resp, _ = get("/style.css", "If-None-Match: "+etag+"\r\n")
	if resp.StatusCode != 304 || resp.Header.Get("X-Frame-Options") != "DENY" {
		t.Errorf("304: status %d, X-Frame-Options %q; onsuccess applies to 304", resp.StatusCode, resp.Header.Get("X-Frame-Options"))
	}

	resp, _ = get("/nohdr/plain.txt", "")
	if resp.StatusCode != 200 || resp.Header.Get("X-Frame-Options") != "" || resp.Header.Get("X-Always") != "yes" {
		t.Errorf("/nohdr: X-Frame-Options %q (want the <Location>'s unset), X-Always %q", resp.Header.Get("X-Frame-Options"), resp.Header.Get("X-Always"))
	}
	c.Close()
	s.stop(t)
	log := s.logFile("hdr_log")
	if !strings.HasPrefix(log, "- DENY 200\n") {
		t.Errorf("hdr_log starts %q, want the unset X-Secret as - and the rewritten response field", log)
	}
}

const headerEnvConf = `SetEnvIf Request_URI "a" myvar=hello
SetEnv fromenv "set by SetEnv"
Header set X-A "v=%{myvar}e"
Header set X-B "v=%{nosuch}e|%{MYVAR}e%%"
Header set X-C "%{fromenv}e and %{fromdir}e"
<Directory htdocs/js>
    SetEnv fromdir "dir value"
    Header set X-E "[%{fromdir}e]"
</Directory>
`

// TestHeaderEnvFormat: a Header value's %{NAME}e is a variable of
// mod_setenvif or mod_env (a section's SetEnv too), named without regard
// to case, "(null)" when unset: what Apache 2.4.71 sent for the same
// configuration and requests.
func TestHeaderEnvFormat(t *testing.T) {
	s := startServer(t, headerEnvConf, map[string]string{"a.txt": "a\n", "js/app.js": "x\n", "index.html": "i\n"})
	c := s.open(t)
	defer c.Close()
	for _, tt := range []struct {
		path string
		want map[string]string
	}{
		{"/a.txt", map[string]string{"X-A": "v=hello", "X-B": "v=(null)|hello%", "X-C": "set by SetEnv and (null)", "X-E": ""}},
		{"/js/app.js", map[string]string{"X-A": "v=hello", "X-C": "set by SetEnv and dir value", "X-E": "[dir value]"}},
		{"/index.html", map[string]string{"X-A": "v=(null)", "X-B": "v=(null)|(null)%"}},
	} {
		resp, _ := c.roundTrip("GET "+tt.path+" HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
		for name, want := range tt.want {
			if got := resp.Header.Get(name); got != want {
				t.Errorf("%s: %s %q, want %q", tt.path, name, got, want)
			}
		}
	}
}

// TestRequestHeaderUnsetConditionals: "RequestHeader unset Range" (the
// old mitigation of the Range flood) and the same for the conditional
// fields reach the handler: the file is served whole, with 200, as Apache
// 2.4.71 serves it for the same configuration and requests.
func TestRequestHeaderUnsetConditionals(t *testing.T) {
	const body = "0123456789abcdefghij\n"
	s := startServer(t, "RequestHeader unset Range\nRequestHeader unset If-None-Match early\n", map[string]string{"a.txt": body})
	c := s.open(t)
	defer c.Close()
	for _, extra := range []string{
		"Range: bytes=0-9\r\n",
		"Range: bytes=0-9\r\nIf-Range: *\r\n",
		"If-None-Match: *\r\n",
	} {
		resp, got := c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: x\r\n"+extra+"\r\n", "GET")
		if resp.StatusCode != 200 || got != body {
			t.Errorf("%q: %d %q, want 200 and the whole file", extra, resp.StatusCode, got)
		}
	}
	// A field not unset still counts.
	resp, _ := c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: x\r\nIf-Match: \"nope\"\r\n\r\n", "GET")
	if resp.StatusCode != 412 {
		t.Errorf("If-Match: %d, want 412", resp.StatusCode)
	}
}

// TestRequestHeaderOperations: RequestHeader's actions change the request
// as Apache 2.4.71's do for the same configuration and requests (compared
// side by side; Header echo shows the result): a repeated field is one
// value joined with ", " before they apply, early operations come before
// mod_setenvif and the others after it (env= sees its variables), an
// expression reads the fields as the operations before it left them, and
// only conditions add to Vary.
func TestRequestHeaderOperations(t *testing.T) {
	s := startServer(t, `RequestHeader set X-Forwarded-Proto https
RequestHeader append X-A "two"
RequestHeader add X-B "added"
RequestHeader merge X-C "m"
RequestHeader setifempty X-D "empty"
RequestHeader edit* X-E "o" "0"
SetEnvIf User-Agent "bot" IS_BOT
RequestHeader set X-Bot yes env=IS_BOT
RequestHeader set X-Early early early
RequestHeader set X-Early-Bot yes early
RequestHeader unset X-Early-Bot env=IS_BOT
RequestHeader unset X-Gone
RequestHeader set X-Expr "expr=%{REQUEST_METHOD}-%{req:X-A}"
RequestHeader set X-Cond c "expr=%{req:X-C} =~ /m/"
Header echo ^X-
`, map[string]string{"a.txt": "a\n"})
	c := s.open(t)
	defer c.Close()
	for _, tt := range []struct {
		extra string
		want  map[string]string
	}{
		{"", map[string]string{"X-Forwarded-Proto": "https", "X-A": "two", "X-B": "added", "X-C": "m", "X-D": "empty",
			"X-Early": "early", "X-Early-Bot": "yes", "X-Expr": "GET-two", "X-Cond": "c", "X-Bot": "", "Vary": "X-C"}},
		{"User-Agent: bot\r\nX-A: one\r\nX-B: b1\r\nX-C: a, m\r\nX-D: d\r\nX-E: foo boo\r\nX-Gone: 1\r\n",
			map[string]string{"X-A": "one, two", "X-B": "b1 | added", "X-C": "a, m", "X-D": "d", "X-E": "f00 b00",
				"X-Bot": "yes", "X-Early-Bot": "", "X-Gone": "", "X-Expr": "GET-one, two", "X-Cond": "c"}},
		{"X-C: q\r\nX-C: r\r\n", map[string]string{"X-C": "q, r, m"}},
	} {
		resp, _ := c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: x\r\n"+tt.extra+"\r\n", "GET")
		for k, v := range tt.want {
			if got := strings.Join(resp.Header.Values(k), " | "); got != v {
				t.Errorf("%q: %s %q, want %q", tt.extra, k, got, v)
			}
		}
	}
}

// TestRequestHeaderPhases: an early RequestHeader changes the request as
// it is read; the others at fixups, once the request passed its access
// checks. <If>, SetEnvIf and Require see only the early field, a refused
// request is logged without the late one, and the handler and the log of
// a served request see both — as Apache 2.4.71 did for the same
// configuration and requests, side by side.
func TestRequestHeaderPhases(t *testing.T) {
	s := startServer(t, `RequestHeader set X-Late late
RequestHeader set X-Early early early
<If "-n req('X-Late')">
    Header set X-Seen-Late-In-If yes
</If>
<If "-n req('X-Early')">
    Header set X-Seen-Early-In-If yes
</If>
SetEnvIf X-Late late LATE_SEEN
Header set X-SetEnvIf-Saw-Late yes env=LATE_SEEN
<Directory htdocs/private>
    Require expr "-n req('X-Late')"
</Directory>
LogFormat "late=%{X-Late}i early=%{X-Early}i s=%>s" phases
CustomLog logs/phases_log phases
Header echo ^X-
`, map[string]string{"a.txt": "a\n", "private/x.txt": "x\n"})
	c := s.open(t)
	defer c.Close()
	resp, _ := c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n", "GET")
	for k, v := range map[string]string{"X-Late": "late", "X-Early": "early", "X-Seen-Early-In-If": "yes",
		"X-Seen-Late-In-If": "", "X-SetEnvIf-Saw-Late": "", "Vary": "X-Late,X-Early"} {
		if got := resp.Header.Get(k); got != v {
			t.Errorf("%s: %q, want %q", k, got, v)
		}
	}
	if resp, _ := c.roundTrip("GET /private/x.txt HTTP/1.1\r\nHost: x\r\n\r\n", "GET"); resp.StatusCode != 403 {
		t.Errorf("Require expr on a late field: %d, want 403", resp.StatusCode)
	}
	c.Close()
	s.stop(t)
	log := s.logFile("phases_log")
	for _, line := range []string{"late=late early=early s=200\n", "late=- early=early s=403\n"} {
		if !strings.Contains(log, line) {
			t.Errorf("phases_log lacks %q:\n%s", line, log)
		}
	}
}
