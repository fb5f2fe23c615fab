package child_test

import (
	"strings"
	"testing"
)

// TestAllowMethods: mod_allowmethods refuses the methods a section does
// not list with 405, before the other access checks and whether or not
// the file exists, logging Apache's AH01623 line; the 405's Allow line
// lists the allowed methods; GET allows HEAD; a deeper section's "reset"
// lifts the restriction. Apache 2.4.71 answered the same statuses and
// logged the same lines (its Allow line lists TRACE alone).
func TestAllowMethods(t *testing.T) {
	s := startServer(t, `<Location /ro>
    AllowMethods GET
</Location>
<Location /ro/open>
    AllowMethods reset
</Location>
<Location /ro/private>
    Require all denied
</Location>
`, map[string]string{"ro/a.txt": "a\n", "ro/open/b.txt": "b\n", "ro/private/c.txt": "c\n"})
	for _, tc := range []struct {
		method, path string
		status       int
		allow        string
	}{
		{"GET", "/ro/a.txt", 200, ""},
		{"HEAD", "/ro/a.txt", 200, ""},
		{"POST", "/ro/a.txt", 405, "GET,HEAD"},
		{"DELETE", "/ro/missing", 405, "GET,HEAD"},
		{"PROPFIND", "/ro/a.txt", 405, "GET,HEAD"},
		{"PUT", "/ro/private/c.txt", 405, "GET,HEAD"}, // before Require
		{"GET", "/ro/private/c.txt", 403, ""},
		{"POST", "/ro/open/b.txt", 405, "GET,HEAD,OPTIONS"}, // the static file's own 405
		{"GET", "/ro/open/b.txt", 200, ""},
	} {
		c := s.open(t)
		resp, _ := c.roundTrip(tc.method+" "+tc.path+" HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n", tc.method)
		c.Close()
		if resp.StatusCode != tc.status || resp.Header.Get("Allow") != tc.allow {
			t.Errorf("%s %s: %d Allow %q, want %d Allow %q", tc.method, tc.path, resp.StatusCode, resp.Header.Get("Allow"), tc.status, tc.allow)
		}
	}
	log := s.logFile("error_log")
	for _, want := range []string{
		"AH01623: client method denied by server configuration: 'POST' to " + s.root.Path("htdocs", "ro", "a.txt"),
		"AH01623: client method denied by server configuration: 'PUT' to " + s.root.Path("htdocs", "ro", "private", "c.txt"),
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the error log lacks %q:\n%s", want, log)
		}
	}
	if strings.Contains(log, "'POST' to "+s.root.Path("htdocs", "ro", "open")) {
		t.Errorf("a method allowed by reset was logged:\n%s", log)
	}
}
