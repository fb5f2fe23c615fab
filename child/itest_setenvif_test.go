package child_test

import (
	"strings"
	"testing"
)

const setEnvIfConf = `SetEnvIf Request_URI "\.png$" dontlog
SetEnvIfNoCase User-Agent "^curl" is_curl agent=$0
SetEnvIf X-Tag "^(\w+)$" tag=$1
SetEnvIf tag "^blue$" blue
SetEnvIf Remote_Addr "^127\." local
SetEnvIf Request_Method "^POST$" !local
BrowserMatch "OldBrowser" nokeepalive
BrowserMatch "Ancient" force-response-1.0
BrowserMatchNoCase "downgrade" downgrade-1.0
SetEnv site eventmpm
SetEnv is_curl
UnsetEnv nokeepalive
LogFormat "%U %{agent}e %{tag}e %{local}e %>s %{site}e %{is_curl}e" envfmt
CustomLog logs/env_log envfmt env=!dontlog
CustomLog logs/png_log envfmt env=dontlog
Header set X-Blue yes env=blue
`

// TestSetEnvIf: mod_setenvif's variables, set by attribute, header,
// earlier variable and client address, with $N values and unsets, decide
// which CustomLog takes a request, what %{VAR}e logs and whether a Header
// applies; nokeepalive, force-response-1.0 and downgrade-1.0 change the
// answer as in Apache; mod_env's SetEnv and UnsetEnv apply after them (so
// UnsetEnv nokeepalive undoes BrowserMatch's).
func TestSetEnvIf(t *testing.T) {
	s := startServer(t, setEnvIfConf, map[string]string{"a.txt": "a\n", "p.png": "png"})
	c := s.open(t)
	resp, _ := c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\nUser-Agent: CURL/8.1\r\nX-Tag: blue\r\n\r\n", "GET")
	if resp.Header.Get("X-Blue") != "yes" {
		t.Errorf("X-Blue %q, want yes (blue set from the tag variable)", resp.Header.Get("X-Blue"))
	}
	resp, _ = c.roundTrip("GET /p.png HTTP/1.1\r\nHost: localhost\r\nX-Tag: red\r\n\r\n", "GET")
	if resp.StatusCode != 200 || resp.Header.Get("X-Blue") != "" {
		t.Errorf("p.png: %d, X-Blue %q", resp.StatusCode, resp.Header.Get("X-Blue"))
	}
	c.roundTrip("POST /a.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n", "POST")
	c.Close()

	for _, tt := range []struct {
		ua    string
		proto string
	}{
		{"Ancient/1", "HTTP/1.0"},
		{"DownGrade/1", "HTTP/1.1"},
	} {
		c := s.open(t)
		resp, _ := c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\nUser-Agent: "+tt.ua+"\r\n\r\n", "GET")
		if resp.StatusCode != 200 || resp.Proto != tt.proto || !resp.Close {
			t.Errorf("%s: %d %s close=%v, want 200 %s and the connection closed", tt.ua, resp.StatusCode, resp.Proto, resp.Close, tt.proto)
		}
		c.expectClosed()
		c.Close()
	}
	c = s.open(t)
	resp, _ = c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\nUser-Agent: OldBrowser/2\r\n\r\n", "GET")
	if resp.Close {
		t.Errorf("OldBrowser: closed, want kept open (UnsetEnv nokeepalive)")
	}
	c.Close()
	c = s.open(t)
	resp, _ = c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\nUser-Agent: downgrade\r\nConnection: keep-alive\r\n\r\n", "GET")
	if resp.Close {
		t.Errorf("downgrade-1.0 with Connection: keep-alive: closed, want kept open")
	}
	c.Close()

	s.stop(t)
	env := s.logFile("env_log")
	// SetEnv comes after SetEnvIf: it overrides is_curl with "". The two
	// requests may be logged in either order (each worker buffers its own
	// lines).
	for _, want := range []string{"/a.txt CURL blue 1 200 eventmpm \n", "/a.txt - - - 405 eventmpm \n"} {
		if !strings.Contains(env, want) || strings.Contains(env, "png") {
			t.Errorf("env_log:\n%s\nwant it to hold %q (and no png)", env, want)
		}
	}
	if png := s.logFile("png_log"); png != "/p.png - red 1 200 eventmpm \n" {
		t.Errorf("png_log %q, want the one png request", png)
	}
}
