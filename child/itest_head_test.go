package child_test

import (
	"strconv"
	"testing"
)

// TestHeadMatchesGet: HEAD gets the header fields GET would (RFC 9110
// 9.3.2), also for a redirect and an error: the Location of the trailing
// slash redirect (curl -IL follows it), the canned page's Content-Type
// and its Content-Length, not 0. A 304 stays without a page.
func TestHeadMatchesGet(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", map[string]string{"sub/index.html": "<p>sub</p>\n", "a.txt": "alpha\n"})
	for _, tc := range []struct {
		name, target, extra string
		status              int
	}{
		{"redirect", "/sub", "", 301},
		{"not-found", "/missing", "", 404},
		{"precondition", "/a.txt", "If-Match: \"nope\"\r\n", 412},
		{"file", "/a.txt", "", 200},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := s.open(t)
			get, body := c.roundTrip("GET "+tc.target+" HTTP/1.1\r\nHost: localhost\r\n"+tc.extra+"\r\n", "GET")
			head, _ := c.roundTrip("HEAD "+tc.target+" HTTP/1.1\r\nHost: localhost\r\n"+tc.extra+"\r\n", "HEAD")
			if get.StatusCode != tc.status || head.StatusCode != tc.status {
				t.Fatalf("got GET %d and HEAD %d, want %d", get.StatusCode, head.StatusCode, tc.status)
			}
			for _, name := range []string{"Location", "Content-Type", "Content-Length"} {
				if g, h := get.Header.Get(name), head.Header.Get(name); g != h {
					t.Errorf("%s: GET has %q, HEAD has %q", name, g, h)
				}
			}
			if got := head.Header.Get("Content-Length"); got != strconv.Itoa(len(body)) {
				t.Errorf("HEAD Content-Length %q, want the GET body's %d", got, len(body))
			}
		})
	}
}

// TestRepeatedETagLists: If-None-Match and If-Match are lists, and RFC
// 9110 5.3 combines their field lines: a tag in a second line counts, as
// in Apache, which merges repeated fields when it reads them.
func TestRepeatedETagLists(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", map[string]string{"a.txt": "alpha\n"})
	setMtime(t, s.root, "a.txt", fixedTime) // an old file has a strong tag, for If-Match
	c := s.open(t)
	first, _ := c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
	etag := first.Header.Get("ETag")
	for _, tc := range []struct {
		name, fields string
		status       int
	}{
		{"if-none-match-second-line", "If-None-Match: \"abc\"\r\nIf-None-Match: " + etag + "\r\n", 304},
		{"if-none-match-no-line", "If-None-Match: \"abc\"\r\nIf-None-Match: \"def\"\r\n", 200},
		{"if-match-second-line", "If-Match: \"abc\"\r\nIf-Match: " + etag + "\r\n", 200},
		{"if-match-no-line", "If-Match: \"abc\"\r\nIf-Match: \"def\"\r\n", 412},
	} {
		resp, _ := c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\n"+tc.fields+"\r\n", "GET")
		if resp.StatusCode != tc.status {
			t.Errorf("%s: got %d, want %d", tc.name, resp.StatusCode, tc.status)
		}
	}
}
