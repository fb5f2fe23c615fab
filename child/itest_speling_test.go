package child_test

import (
	"strings"
	"testing"
)

// TestSpelling: mod_speling's CheckSpelling. One best match is a 301 to
// it (the query kept), a missing directory is fixed too, several of the
// same quality are a 300 listing them, CheckCaseOnly fixes case alone,
// and only GET and HEAD are fixed. Apache 2.4.71 answered the same
// statuses, Locations and pages (the 300's list in the file system's
// order) and logged the same lines, a Referer at their end.
func TestSpelling(t *testing.T) {
	s := startServer(t, `<Directory htdocs/sp>
    CheckSpelling On
</Directory>
<Directory htdocs/sp/case>
    CheckSpelling On
    CheckCaseOnly On
</Directory>
`, map[string]string{
		"sp/Index.html": "i\n", "sp/docs/Guide.html": "g\n", "sp/a.txt": "a\n", "sp/a.html": "a\n",
		"sp/b.txt": "b\n", "sp/readme.txt": "r\n", "sp/case/a.txt": "a\n",
	})
	port := s.addr[strings.LastIndexByte(s.addr, ':'):]
	for _, tc := range []struct {
		method, target string
		status         int
		location       string
		body           []string
	}{
		{"GET", "/sp/index.html", 301, "/sp/Index.html", nil},
		{"HEAD", "/sp/INDEX.HTML", 301, "/sp/Index.html", nil},
		{"GET", "/sp/index.html?x=1&y", 301, "/sp/Index.html?x=1&y", nil},
		{"GET", "/sp/DOCS/Guide.html", 301, "/sp/docs/Guide.html", nil},
		{"GET", "/sp/reade.txt", 301, "/sp/readme.txt", nil},
		{"GET", "/sp/x.txt", 300, "", []string{"<h1>Multiple Choices</h1>\nThe document name you requested (<code>/sp/x.txt</code>) could not be found on this server.\n" +
			"However, we found documents with names similar to the one you requested.<p>Available documents:\n<ul>\n",
			"<li><a href=\"/sp/a.txt\">/sp/a.txt</a> (mistyped character)\n", "<li><a href=\"/sp/b.txt\">/sp/b.txt</a> (mistyped character)\n"}},
		{"GET", "/sp/a.pdf", 300, "", []string{"<li><a href=\"/sp/a.txt\">/sp/a.txt</a> (common basename)\n",
			"<li><a href=\"/sp/a.html\">/sp/a.html</a> (common basename)\n"}},
		{"POST", "/sp/index.html", 404, "", nil},
		{"GET", "/sp/case/A.TXT", 301, "/sp/case/a.txt", nil},
		{"GET", "/sp/case/b.txt", 404, "", nil},
		{"GET", "/sp/nothing-like-it", 404, "", nil},
	} {
		c := s.open(t)
		resp, body := c.roundTrip(tc.method+" "+tc.target+" HTTP/1.1\r\nHost: localhost"+port+"\r\nContent-Length: 0\r\n\r\n", tc.method)
		c.Close()
		want := ""
		if tc.location != "" {
			want = "http://localhost" + port + tc.location
		}
		if resp.StatusCode != tc.status || resp.Header.Get("Location") != want {
			t.Errorf("%s %s: %d Location %q, want %d %q", tc.method, tc.target, resp.StatusCode, resp.Header.Get("Location"), tc.status, want)
		}
		expectContains(t, tc.method+" "+tc.target, body, tc.body...)
	}
	c := s.open(t)
	_, body := c.roundTrip("GET /sp/x.txt HTTP/1.1\r\nHost: localhost\r\nReferer: http://r.example/<p>\r\n\r\n", "GET")
	c.Close()
	expectContains(t, "the 300 page for a request with a Referer", body,
		"</ul>\nPlease consider informing the owner of the referring page <tt>http://r.example/&lt;p&gt;</tt> about the broken link.\n")
	expectContains(t, "the error log", s.logFile("error_log"),
		"AH03225: Fixed spelling: /sp/index.html to /sp/Index.html\n",
		"AH03227: Spelling fix: /sp/x.txt: 2 candidates\n",
		// Apache's default error log format ends a request's line with its Referer.
		"AH03226: Spelling fix: /sp/x.txt: 2 candidates from http://r.example/<p>, referer: http://r.example/<p>\n")
}
