package child_test

import (
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"

	"eventmpm/internal/itest"
)

// cgiScripts are /bin/sh CGI programs: env describes its environment and
// body and writes a line to standard error; the others answer a Status,
// a Location, a malformed header, nothing, or too late.
var cgiScripts = map[string]string{
	"env.cgi":  "#!/bin/sh\necho 'Content-Type: text/plain'\necho\nenv | sort\necho \"BODY=$(cat)\"\necho 'a line on stderr' >&2\n",
	"st.cgi":   "#!/bin/sh\necho 'Status: 404 Gone Away'\necho 'Content-Type: text/plain'\necho\necho gone\n",
	"loc.cgi":  "#!/bin/sh\necho 'Location: http://example.com/x'\necho 'Set-Cookie: c=1'\necho\n",
	"bad.cgi":  "#!/bin/sh\necho 'no colon here'\necho\n",
	"nil.cgi":  "#!/bin/sh\nexit 0\n",
	"slow.cgi": "#!/bin/sh\nsleep 5\necho 'Content-Type: text/plain'\necho\n",
	// Local redirects (a Location that is a path): to env.cgi, to a
	// file, and to itself.
	"local.cgi": "#!/bin/sh\necho 'Location: /cgi-bin/env.cgi/from?x=1'\necho 'Set-Cookie: l=1'\necho 'X-Script: yes'\n" +
		"echo 'Content-Type: text/html'\necho\necho ignored\n",
	"file.cgi": "#!/bin/sh\necho 'Location: /a.txt'\necho 'Cache-Control: no-cache'\necho 'Content-Length: 99'\necho\n",
	"loop.cgi": "#!/bin/sh\necho 'Location: /cgi-bin/loop.cgi'\necho\n",
}

// TestCGI: mod_cgid as Debian's serve-cgi-bin.conf sets it up (a
// ScriptAlias), and SetHandler cgi-script where Options ExecCGI allows it:
// the CGI environment (PATH_INFO, the query, the body), the program's
// Status and fields, a Location turned into a 302, standard error in the
// error log, and Apache's answers and lines for a malformed header, no
// output, a program too slow for Timeout, a missing script, a directory,
// and a script where ExecCGI is off; an .htaccess file's SetHandler
// cgi-script gets the request body too.
func TestCGI(t *testing.T) {
	t.Parallel()
	root := itest.NewRoot(t, baseConf+`LoadModule cgid_module modules/mod_cgid.so
Timeout 2
ScriptAlias /cgi-bin/ {{ROOT}}/cgi/
<Directory {{ROOT}}/cgi>
    Options -FollowSymLinks
    Require all granted
</Directory>
<Directory htdocs/exec>
    Options +ExecCGI
</Directory>
<Directory htdocs/ht>
    AllowOverride All
</Directory>
<FilesMatch "\.cgi$">
    SetHandler cgi-script
</FilesMatch>
LogFormat "%m %U %>s %r" st
CustomLog logs/status_log st
`, map[string]string{"ht/.htaccess": "Options +ExecCGI\nSetHandler cgi-script\n", "a.txt": "static\n"})
	for name, script := range cgiScripts {
		for _, dir := range []string{"cgi", "htdocs/exec", "htdocs", "htdocs/ht"} {
			path := root.Path(dir, name)
			if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
				t.Fatal(err)
			}
			if err := os.WriteFile(path, []byte(script), 0o755); err != nil {
				t.Fatal(err)
			}
		}
	}
	// A script that is a symbolic link, in a directory without
	// FollowSymLinks: 403, as the directory walk refuses it.
	if err := os.Symlink(root.Path("cgi", "env.cgi"), root.Path("cgi", "link.cgi")); err != nil {
		t.Fatal(err)
	}
	s := runServer(t, root)
	get := func(raw string) (int, string) {
		t.Helper()
		resp, body := s.open(t).roundTrip(raw, "GET")
		return resp.StatusCode, body
	}
	resp, body := s.open(t).roundTrip("POST /cgi-bin/env.cgi/extra/path?q=1 HTTP/1.1\r\nHost: localhost\r\nX-Test: yes\r\nContent-Length: 5\r\n\r\nhello", "POST")
	for _, want := range []string{
		"SCRIPT_FILENAME=" + root.Path("cgi", "env.cgi") + "\n", "SCRIPT_NAME=/cgi-bin/env.cgi\n", "PATH_INFO=/extra/path\n",
		"QUERY_STRING=q=1\n", "REQUEST_METHOD=POST\n", "CONTENT_LENGTH=5\n", "HTTP_X_TEST=yes\n", "GATEWAY_INTERFACE=CGI/1.1\n",
		"CONTEXT_PREFIX=/cgi-bin/\n", "BODY=hello\n",
	} {
		if resp.StatusCode != 200 || !strings.Contains(body, want) {
			t.Errorf("POST /cgi-bin/env.cgi: %d, no %q in\n%s", resp.StatusCode, want, body)
		}
	}
	// An .htaccess file's SetHandler: the body still reaches the program.
	resp, body = s.open(t).roundTrip("POST /ht/env.cgi HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc", "POST")
	if resp.StatusCode != 200 || !strings.Contains(body, "BODY=abc\n") {
		t.Errorf("POST to a script an .htaccess file makes one: %d\n%s", resp.StatusCode, body)
	}
	// A program that does not read its body: the rest of it, here a
	// request line, is never read as the next request.
	smuggled := strings.Repeat("x", 200<<10) + "GET /smuggled HTTP/1.1\r\nHost: x\r\n\r\n"
	out, closed := s.exchange(t, "POST /exec/st.cgi HTTP/1.1\r\nHost: localhost\r\nContent-Length: "+
		strconv.Itoa(len(smuggled))+"\r\n\r\n"+smuggled, ioWait)
	if n := strings.Count(out, "HTTP/1.1 "); n != 1 || !closed || !strings.Contains(out, "gone") {
		t.Errorf("a body the program left unread: %d responses, closed %v:\n%.300s", n, closed, out)
	}
	if code, body := get("GET /exec/st.cgi HTTP/1.1\r\nHost: localhost\r\n\r\n"); code != 404 || body != "gone\n" {
		t.Errorf("Status: 404 from a script in an ExecCGI directory: %d %q", code, body)
	}
	resp, _ = s.open(t).roundTrip("GET /cgi-bin/loc.cgi HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
	if resp.StatusCode != 302 || resp.Header.Get("Location") != "http://example.com/x" || resp.Header.Get("Set-Cookie") != "c=1" {
		t.Errorf("a Location without Status: %d %v", resp.StatusCode, resp.Header)
	}
	// A local redirect (RFC 3875 6.2.2), as Apache's mod_cgi: served
	// internally as a GET without the body, for the Location's path and
	// query, with the script's fields but its framing and type, and the
	// original request's variables as REDIRECT_*.
	resp, body = s.open(t).roundTrip("POST /cgi-bin/local.cgi?orig=1 HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello", "POST")
	if resp.StatusCode != 200 || resp.Header.Get("Set-Cookie") != "l=1" || resp.Header.Get("X-Script") != "yes" ||
		resp.Header.Get("Content-Type") != "text/plain" || resp.Header.Get("Location") != "" {
		t.Errorf("a local redirect: %d %v", resp.StatusCode, resp.Header)
	}
	for _, want := range []string{
		"REQUEST_METHOD=GET\n", "PATH_INFO=/from\n", "QUERY_STRING=x=1\n", "SCRIPT_NAME=/cgi-bin/env.cgi\n",
		"REDIRECT_STATUS=200\n", "REDIRECT_URL=/cgi-bin/local.cgi\n", "REDIRECT_QUERY_STRING=orig=1\n",
		"REQUEST_URI=/cgi-bin/local.cgi?orig=1\n", "BODY=\n",
	} {
		if !strings.Contains(body, want) {
			t.Errorf("a local redirect to a script: no %q in\n%s", want, body)
		}
	}
	if strings.Contains(body, "\nCONTENT_LENGTH=") {
		t.Errorf("the redirected request has a CONTENT_LENGTH:\n%s", body)
	}
	resp, body = s.open(t).roundTrip("GET /cgi-bin/file.cgi HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
	if resp.StatusCode != 200 || body != "static\n" || resp.Header.Get("Cache-Control") != "no-cache" || resp.ContentLength != 7 {
		t.Errorf("a local redirect to a file: %d %v %q", resp.StatusCode, resp.Header, body)
	}
	for _, tc := range []struct {
		path string
		code int
	}{
		{"/cgi-bin/loop.cgi", 500}, {"/cgi-bin/bad.cgi", 500}, {"/cgi-bin/nil.cgi", 500}, {"/cgi-bin/slow.cgi", 504},
		{"/cgi-bin/none.cgi", 404}, {"/cgi-bin/", 403}, {"/env.cgi", 403}, {"/cgi-bin/link.cgi", 403},
	} {
		if code, _ := get("GET " + tc.path + " HTTP/1.1\r\nHost: localhost\r\n\r\n"); code != tc.code {
			t.Errorf("%s: got %d, want %d", tc.path, code, tc.code)
		}
	}
	lines := []string{
		"AH01215: stderr from " + root.Path("cgi", "env.cgi") + ": a line on stderr",
		"malformed header from script 'bad.cgi': Bad header: no colon here",
		"End of script output before headers: nil.cgi",
		"Script timed out before returning headers: slow.cgi",
		"AH01264: stderr from " + root.Path("cgi", "none.cgi") + ": script not found or unable to stat",
		"AH01265: stderr from " + root.Path("cgi") + "/: attempt to invoke directory as script",
		"AH01262: stderr from " + root.Path("htdocs", "env.cgi") + ": Options ExecCGI is off in this directory",
		"AH00124: Request exceeded the limit of 10 internal redirects",
	}
	itest.Eventually(t, ioWait, "the error log's lines", func() bool {
		log := s.logFile("error_log")
		for _, l := range lines {
			if !strings.Contains(log, l) {
				return false
			}
		}
		return true
	})
}

// TestCGIAccessFileOnly: on a server whose configuration names no script
// handler, an .htaccess file's SetHandler cgi-script still gets the
// request's body to its program (the body waits for the handler).
func TestCGIAccessFileOnly(t *testing.T) {
	t.Parallel()
	root := itest.NewRoot(t, baseConf+`LoadModule cgid_module modules/mod_cgid.so
<Directory htdocs/ht>
    AllowOverride All
</Directory>
`, map[string]string{"ht/.htaccess": "Options +ExecCGI\nSetHandler cgi-script\n"})
	if err := os.WriteFile(root.Path("htdocs", "ht", "env.cgi"), []byte(cgiScripts["env.cgi"]), 0o755); err != nil {
		t.Fatal(err)
	}
	s := runServer(t, root)
	resp, body := s.open(t).roundTrip("POST /ht/env.cgi HTTP/1.1\r\nHost: localhost\r\nContent-Length: 3\r\n\r\nabc", "POST")
	if resp.StatusCode != 200 || !strings.Contains(body, "BODY=abc\n") {
		t.Errorf("POST to a script an .htaccess file makes one: %d\n%s", resp.StatusCode, body)
	}
}

// TestCGIAddHandler: AddHandler cgi-script runs the files whose last
// extension it names, where Options ExecCGI allows it; a file with
// another last extension is served as it is ("x.cgi.txt", which Apache
// would run), and RemoveHandler takes the extension back in a
// subdirectory.
func TestCGIAddHandler(t *testing.T) {
	t.Parallel()
	root := itest.NewRoot(t, baseConf+`LoadModule cgid_module modules/mod_cgid.so
AddHandler cgi-script .cgi
<Directory htdocs/run>
    Options +ExecCGI
</Directory>
<Directory htdocs/run/plain>
    RemoveHandler .cgi
</Directory>
`, nil)
	for _, name := range []string{"run/st.cgi", "run/st.cgi.txt", "run/plain/st.cgi"} {
		path := root.Path("htdocs", name)
		if err := os.MkdirAll(filepath.Dir(path), 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(path, []byte(cgiScripts["st.cgi"]), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	s := runServer(t, root)
	for _, tc := range []struct {
		path string
		code int
		ran  bool
	}{
		{"/run/st.cgi", 404, true}, {"/run/st.cgi.txt", 200, false}, {"/run/plain/st.cgi", 200, false},
	} {
		resp, body := s.open(t).roundTrip("GET "+tc.path+" HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
		if resp.StatusCode != tc.code || (body == "gone\n") != tc.ran {
			t.Errorf("%s: %d %q, want %d (run: %v)", tc.path, resp.StatusCode, body, tc.code, tc.ran)
		}
	}
}
