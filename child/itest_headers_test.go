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
