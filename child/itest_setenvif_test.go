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
// answer as in Apache; mod_env's SetEnv and UnsetEnv apply after them,
// without changing what SetEnvIf set (SetEnv is_curl leaves "1", and
// UnsetEnv nokeepalive does not undo BrowserMatch's), as Apache 2.4.71
// answered this configuration.
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

	// force-response-1.0 acts on HTTP/1.0 requests only (after
	// downgrade-1.0 too); nokeepalive stays set through UnsetEnv.
	for _, tt := range []struct {
		ua, reqProto, proto string
		closed              bool
	}{
		{"Ancient/1", "HTTP/1.0", "HTTP/1.0", true},
		{"Ancient/1", "HTTP/1.1", "HTTP/1.1", false},
		{"Ancient/1 downgrade", "HTTP/1.1", "HTTP/1.0", true},
		{"DownGrade/1", "HTTP/1.1", "HTTP/1.1", true},
		{"OldBrowser/2", "HTTP/1.1", "HTTP/1.1", true},
	} {
		c := s.open(t)
		resp, _ := c.roundTrip("GET /a.txt "+tt.reqProto+"\r\nHost: localhost\r\nUser-Agent: "+tt.ua+"\r\n\r\n", "GET")
		if resp.StatusCode != 200 || resp.Proto != tt.proto || resp.Close != tt.closed {
			t.Errorf("%s %s: %d %s close=%v, want 200 %s close=%v", tt.ua, tt.reqProto, resp.StatusCode, resp.Proto, resp.Close, tt.proto, tt.closed)
		}
		if tt.closed {
			c.expectClosed()
		}
		c.Close()
	}
	c = s.open(t)
	resp, _ = c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\nUser-Agent: downgrade\r\nConnection: keep-alive\r\n\r\n", "GET")
	if resp.Close {
		t.Errorf("downgrade-1.0 with Connection: keep-alive: closed, want kept open")
	}
	c.Close()

	s.stop(t)
	env := s.logFile("env_log")
	// SetEnv comes after SetEnvIf and does not override its is_curl. The
	// two requests may be logged in either order (each worker buffers its
	// own lines).
	for _, want := range []string{"/a.txt CURL blue 1 200 eventmpm 1\n", "/a.txt - - - 405 eventmpm \n"} {
		if !strings.Contains(env, want) || strings.Contains(env, "png") {
			t.Errorf("env_log:\n%s\nwant it to hold %q (and no png)", env, want)
		}
	}
	if png := s.logFile("png_log"); png != "/p.png - red 1 200 eventmpm \n" {
		t.Errorf("png_log %q, want the one png request", png)
	}
}

// TestEnvSections: SetEnv, UnsetEnv and PassEnv in <Directory>, <Files>
// and <Location> sections merge in Apache's order over the server's, as
// merge_env_dir_configs does (UnsetEnv removes an earlier SetEnv's
// variable, never SetEnvIf's; SetEnvIf's value wins over SetEnv's). Each
// line was compared with Apache 2.4.71's log on the same configuration.
func TestEnvSections(t *testing.T) {
	s := startServer(t, `SetEnvIf Request_URI "^/a" v1=fromsetenvif
SetEnv v1 fromsetenv
SetEnvIf Request_URI "^/b" v2=fromsetenvif
UnsetEnv v2
SetEnv v2 top2
<Directory htdocs/c>
    SetEnv v1 dirc
    UnsetEnv v2
</Directory>
<Directory htdocs/c/d>
    SetEnv v2 dircd
</Directory>
<Location /c/d>
    UnsetEnv v1
</Location>
<Files "*.txt">
    SetEnv v2 files
</Files>
<Location /g>
    UnsetEnv v2
    SetEnv v2 late
    SetEnv v1 x
    UnsetEnv v1
</Location>
LogFormat "%U %>s [%{v1}e] [%{v2}e]" envsec
CustomLog logs/envsec_log envsec
`, map[string]string{"a/x.html": "x\n", "b.html": "b\n", "c/d/y.html": "y\n", "e/e.txt": "e\n", "g/hi.html": "hi\n"})
	c := s.open(t)
	targets := []string{"/a/x.html", "/b.html", "/c/d/y.html", "/c/zz", "/e/e.txt", "/g/hi.html", "/b/zz"}
	for _, target := range targets {
		c.roundTrip("GET "+target+" HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
	}
	c.Close()
	s.stop(t)
	log := s.logFile("envsec_log")
	for _, want := range []string{
		"/a/x.html 200 [fromsetenvif] [top2]\n",
		"/b.html 200 [fromsetenv] [fromsetenvif]\n",
		"/c/d/y.html 200 [-] [dircd]\n",
		"/c/zz 404 [dirc] [-]\n",
		"/e/e.txt 200 [fromsetenv] [files]\n",
		"/g/hi.html 200 [-] [late]\n",
		"/b/zz 404 [fromsetenv] [fromsetenvif]\n",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
}

const setEnvIfSectionsConf = `AddOutputFilterByType DEFLATE text/plain image/jpeg
LogFormat "%U %{seen}e %{dirvar}e %{filesvar}e %>s" se
CustomLog logs/se_log se
<Location />
    SetEnvIfNoCase Request_URI \.(?:gif|jpe?g|png)$ no-gzip
    SetEnvIf Request_URI "^/js" seen=loc
</Location>
<Directory htdocs/js>
    SetEnvIf seen "^loc$" dirvar=after
</Directory>
<Directory htdocs/priv>
    SetEnvIf X-Key "^secret$" letin
    Require env letin
</Directory>
<Files "*.txt">
    SetEnvIf Request_URI "\.txt$" filesvar=txt nokeepalive
</Files>
`

// TestSetEnvIfInSections: SetEnvIf and BrowserMatch in <Location>,
// <Directory> and <Files> run after the server's, in the sections' merge
// order (a <Directory> before the <Location> that sets what it tests), and
// before the access checks (Require env sees them); their no-gzip keeps a
// file uncompressed and without Vary, their nokeepalive closes. The
// manual's mod_deflate example depends on it. As Apache 2.4.71 answered
// the same requests.
func TestSetEnvIfInSections(t *testing.T) {
	body := strings.Repeat("compress me, compress me\n", 40)
	s := startServer(t, setEnvIfSectionsConf, map[string]string{
		"a.jpg": body, "a.txt": body, "js/app.js": body, "priv/index.html": "secret\n",
	})
	for _, tt := range []struct {
		path, hdr string
		status    int
		enc, vary string
		closed    bool
	}{
		{"/a.jpg", "", 200, "", "", false},
		{"/a.txt", "", 200, "gzip", "Accept-Encoding", true},
		{"/js/app.js", "", 200, "", "", false},
		{"/priv/", "X-Key: secret\r\n", 200, "", "", false},
		{"/priv/", "", 403, "", "", false},
	} {
		c := s.open(t)
		resp, _ := c.roundTrip("GET "+tt.path+" HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\n"+tt.hdr+"\r\n", "GET")
		if resp.StatusCode != tt.status || resp.Header.Get("Content-Encoding") != tt.enc || resp.Header.Get("Vary") != tt.vary || resp.Close != tt.closed {
			t.Errorf("%s: %d, Content-Encoding %q, Vary %q, close %v; want %d %q %q %v", tt.path, resp.StatusCode,
				resp.Header.Get("Content-Encoding"), resp.Header.Get("Vary"), resp.Close, tt.status, tt.enc, tt.vary, tt.closed)
		}
		c.Close()
	}
	s.stop(t)
	expectContains(t, "se_log", s.logFile("se_log"),
		"/a.jpg - - - 200\n", "/a.txt - - txt 200\n", "/js/app.js loc - - 200\n",
		"/priv/index.html - - - 200\n", "/priv/ - - - 403\n")
}
