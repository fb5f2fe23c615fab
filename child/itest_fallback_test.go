package child_test

import (
	"strings"
	"testing"
)

// TestFallbackResource: mod_dir's FallbackResource answers a request
// whose file does not exist with its own resource and status (200, 304 and
// 206 by the request's conditions and ranges), by the sections in effect
// ("disabled" turns it off below); an existing file, a file with trailing
// path information and a denied fallback are answered as without it; %U
// and %f name the fallback. Each answer is Apache 2.4.71's for the same
// configuration, but for a fallback that does not exist itself: Apache
// loops on it until it answers 500, eventmpm answers the original 404.
func TestFallbackResource(t *testing.T) {
	s := startServer(t, `LogFormat "%U %>s" fallbacklog
CustomLog logs/fallback_log fallbacklog
FallbackResource /b.html
<Directory htdocs/app>
    FallbackResource /app/index.html
</Directory>
<Directory htdocs/app/assets>
    FallbackResource disabled
</Directory>
<Location /app2>
    FallbackResource /app2/missing.html
</Location>
<Location /den>
    FallbackResource /denied/p.html
</Location>
<Directory htdocs/denied>
    Require all denied
</Directory>
<Location /dirfb>
    FallbackResource /app/
</Location>
<Location /gz>
    FallbackResource /long.html
</Location>
AddOutputFilterByType DEFLATE text/html
SetEnvIf Request_URI "^/gz/no" no-gzip
`, map[string]string{"b.html": "b page\n", "app/index.html": "<html>app shell</html>\n",
		"app/assets/a.js": "js\n", "denied/p.html": "secret\n",
		"long.html": "<p>" + strings.Repeat("a long page, worth compressing ", 10) + "</p>\n"})
	c := s.open(t)
	defer c.Close()
	for _, tt := range []struct {
		target, extra string
		status        int
		body          string
	}{
		{"/nothing?x=1", "", 200, "b page\n"},
		{"/app/some/route", "", 200, "<html>app shell</html>\n"},
		{"/app/assets/missing.js", "", 404, "Not Found"},
		{"/app/assets/a.js", "", 200, "js\n"},
		{"/app2/x", "", 404, "Not Found"},
		{"/app/other", "If-None-Match: *\r\n", 304, ""},
		{"/app/other", "Range: bytes=0-3\r\n", 206, "<htm"},
		{"/den/x", "", 403, "Forbidden"},
		{"/dirfb/x", "", 200, "<html>app shell</html>\n"},
		{"/b.html/extra", "", 404, "Not Found"},
	} {
		resp, body := c.roundTrip("GET "+tt.target+" HTTP/1.1\r\nHost: localhost\r\n"+tt.extra+"\r\n", "GET")
		if resp.StatusCode != tt.status || !strings.Contains(body, tt.body) {
			t.Errorf("%s %q: %d %q, want %d with %q", tt.target, tt.extra, resp.StatusCode, body, tt.status, tt.body)
		}
	}
	// The fallback is compressed as any page, unless SetEnvIf said
	// no-gzip for the request.
	for target, want := range map[string]string{"/gz/yes": "gzip", "/gz/no": ""} {
		resp, _ := c.roundTrip("GET "+target+" HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\n\r\n", "GET")
		if resp.StatusCode != 200 || resp.Header.Get("Content-Encoding") != want {
			t.Errorf("%s: %d Content-Encoding %q, want 200 %q", target, resp.StatusCode, resp.Header.Get("Content-Encoding"), want)
		}
	}
	c.Close()
	s.stop(t)
	log := s.logFile("fallback_log")
	for _, want := range []string{"/b.html 200\n", "/app/index.html 200\n", "/app/index.html 304\n", "/app/assets/missing.js 404\n"} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
	// A path that goes on past a file is core's AH00130, not AH00128.
	expectContains(t, "error_log", s.logFile("error_log"), "AH00130: File does not exist: "+s.root.Path("htdocs", "b.html", "extra"))
}
