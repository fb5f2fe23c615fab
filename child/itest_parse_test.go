package child_test

import (
	"regexp"
	"strings"
	"testing"
	"time"

	"eventmpm/internal/itest"
)

// page400 and page400End are Apache 2.4.71's 400 page, byte for byte,
// around its notes (Apache's error-notes), which page400Notes returns.
const (
	page400 = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>400 Bad Request</title>\n" +
		"</head><body>\n<h1>Bad Request</h1>\n<p>Your browser sent a request that this server could not understand.<br />\n"
	page400End = "</p>\n</body></html>\n"
)

// page400Notes returns the notes of a 400 page, and whether body is one.
func page400Notes(body string) (string, bool) {
	notes, ok := strings.CutPrefix(body, page400)
	if !ok {
		return "", false
	}
	return strings.CutSuffix(notes, page400End)
}

// TestParserRefusals sends every kind of request the parser refuses and
// checks the status and that the connection is closed after the answer
// (RFC 9112 9.6 and 11.2: after a framing error nothing that follows can
// be trusted). A request queued behind the bad one must not be answered.
func TestParserRefusals(t *testing.T) {
	t.Parallel()
	s := startServer(t, "LimitRequestLine 100\nLimitRequestFieldSize 100\nLimitRequestFields 5\n",
		map[string]string{"a.txt": "alpha\n"})
	long := strings.Repeat("x", 200)
	const h = "Host: localhost\r\n"
	for _, tc := range []struct {
		name, raw string
		status    int
		notes     string // the 400 page's notes: Apache's, or none
	}{
		{name: "request-line-over-limit", raw: "GET /" + long + " HTTP/1.1\r\n" + h + "\r\n", status: 414},
		{name: "request-line-over-limit-unterminated", raw: "GET /" + long, status: 414},
		{name: "field-over-limit", raw: "GET /a.txt HTTP/1.1\r\n" + h + "X-Long: " + long + "\r\n\r\n", status: 400,
			notes: "Size of a request header field exceeds server limit."},
		{name: "too-many-fields", raw: "GET /a.txt HTTP/1.1\r\n" + h + strings.Repeat("X: y\r\n", 5) + "\r\n", status: 400,
			notes: "The number of request header fields exceeds this server's limit."},
		{name: "too-many-blank-lines", raw: strings.Repeat("\r\n", 11) + "GET /a.txt HTTP/1.1\r\n" + h + "\r\n", status: 400},
		// A method the server does not know: 501, as Apache (RFC 9110 9.1).
		{name: "unknown-method-501", raw: "BREW /a.txt HTTP/1.1\r\n" + h + "\r\n", status: 501},
		{name: "lowercase-method-501", raw: "get /a.txt HTTP/1.1\r\n" + h + "\r\n", status: 501},
		{name: "missing-host", raw: "GET /a.txt HTTP/1.1\r\n\r\n", status: 400},
		{name: "duplicate-host", raw: "GET /a.txt HTTP/1.1\r\n" + h + h + "\r\n", status: 400},
		{name: "bad-host", raw: "GET /a.txt HTTP/1.1\r\nHost: a b\r\n\r\n", status: 400},
		// An empty Host: Apache refuses it too (RFC 9110 4.2.1: an http
		// URI with an empty host is invalid).
		{name: "empty-host", raw: "GET /a.txt HTTP/1.1\r\nHost:\r\n\r\n", status: 400},
		// Content-Length given twice is refused even when the values
		// agree, as by Apache and nginx: no framing two parsers may read
		// differently.
		{name: "repeated-equal-content-length", raw: "GET /a.txt HTTP/1.1\r\n" + h + "Content-Length: 3\r\nContent-Length: 3\r\n\r\nabc", status: 400},
		{name: "equal-content-length-list", raw: "GET /a.txt HTTP/1.1\r\n" + h + "Content-Length: 3, 3\r\n\r\nabc", status: 400},
		{name: "content-length-and-transfer-encoding", raw: "GET /a.txt HTTP/1.1\r\n" + h + "Content-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", status: 400},
		{name: "differing-content-lengths", raw: "GET /a.txt HTTP/1.1\r\n" + h + "Content-Length: 3\r\nContent-Length: 4\r\n\r\nabcd", status: 400},
		{name: "differing-content-lengths-one-field", raw: "GET /a.txt HTTP/1.1\r\n" + h + "Content-Length: 3, 4\r\n\r\nabcd", status: 400},
		{name: "malformed-content-length", raw: "GET /a.txt HTTP/1.1\r\n" + h + "Content-Length: +3\r\n\r\nabc", status: 400},
		{name: "transfer-encoding-http10", raw: "GET /a.txt HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n0\r\n\r\n", status: 400},
		{name: "transfer-encoding-not-chunked-last", raw: "GET /a.txt HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked, gzip\r\n\r\n", status: 400},
		{name: "transfer-encoding-unknown", raw: "GET /a.txt HTTP/1.1\r\n" + h + "Transfer-Encoding: gzip, chunked\r\n\r\n", status: 501},
		{name: "obs-fold", raw: "GET /a.txt HTTP/1.1\r\n" + h + "X-Folded: a\r\n b\r\n\r\n", status: 400},
		{name: "nul-in-value", raw: "GET /a.txt HTTP/1.1\r\n" + h + "X: a\x00b\r\n\r\n", status: 400},
		{name: "nul-in-target", raw: "GET /a\x00.txt HTTP/1.1\r\n" + h + "\r\n", status: 400},
		{name: "control-byte-in-value", raw: "GET /a.txt HTTP/1.1\r\n" + h + "X: a\x01b\r\n\r\n", status: 400},
		{name: "del-in-value", raw: "GET /a.txt HTTP/1.1\r\n" + h + "X: a\x7fb\r\n\r\n", status: 400},
		{name: "control-byte-in-name", raw: "GET /a.txt HTTP/1.1\r\n" + h + "X\x01: y\r\n\r\n", status: 400},
		{name: "space-before-colon", raw: "GET /a.txt HTTP/1.1\r\n" + "Host : localhost\r\n\r\n", status: 400},
		{name: "no-colon", raw: "GET /a.txt HTTP/1.1\r\n" + h + "NoColon\r\n\r\n", status: 400},
		{name: "bare-lf", raw: "GET /a.txt HTTP/1.1\n" + h + "\r\n", status: 400},
		{name: "bare-cr", raw: "GET /a.txt HTTP/1.1\r\n" + h + "X: a\rb\r\n\r\n", status: 400},
		{name: "bad-method-token", raw: "G@T /a.txt HTTP/1.1\r\n" + h + "\r\n", status: 400},
		{name: "method-with-nul", raw: "GE\x00T /a.txt HTTP/1.1\r\n" + h + "\r\n", status: 400},
		{name: "http09", raw: "GET /a.txt\r\n\r\n", status: 400},
		{name: "extra-space", raw: "GET  /a.txt HTTP/1.1\r\n" + h + "\r\n", status: 400},
		{name: "malformed-version", raw: "GET /a.txt HTTP/1.x\r\n" + h + "\r\n", status: 400},
		{name: "lowercase-version", raw: "GET /a.txt http/1.1\r\n" + h + "\r\n", status: 400},
		{name: "version-2", raw: "GET /a.txt HTTP/2.0\r\n" + h + "\r\n", status: 505},
		{name: "version-0", raw: "GET /a.txt HTTP/0.9\r\n" + h + "\r\n", status: 505},
		{name: "fragment-in-target", raw: "GET /a.txt#frag HTTP/1.1\r\n" + h + "\r\n", status: 400},
		{name: "non-ascii-target", raw: "GET /\xe9.txt HTTP/1.1\r\n" + h + "\r\n", status: 400},
		{name: "asterisk-with-get", raw: "GET * HTTP/1.1\r\n" + h + "\r\n", status: 400},
		{name: "absolute-form-userinfo", raw: "GET http://u:p@localhost/a.txt HTTP/1.1\r\n" + h + "\r\n", status: 400},
		{name: "absolute-form-bad-scheme", raw: "GET ftp://localhost/a.txt HTTP/1.1\r\n" + h + "\r\n", status: 400},
		{name: "malformed-escape", raw: "GET /%zz HTTP/1.1\r\n" + h + "\r\n", status: 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			c := s.open(t)
			// A valid request queued behind the bad one must go unanswered.
			c.send(tc.raw + "GET /a.txt HTTP/1.1\r\n" + h + "\r\n")
			resp, body := c.read("GET")
			if resp.StatusCode != tc.status || !resp.Close {
				t.Fatalf("got %d (close %v), want %d and Connection: close", resp.StatusCode, resp.Close, tc.status)
			}
			if tc.status == 400 {
				// The page gives the reason only where Apache's does
				// ("Size of a request header field exceeds server
				// limit."); the error log has it for the others.
				if notes, ok := page400Notes(body); !ok || notes != tc.notes {
					t.Errorf("got body %q, want the 400 page with the notes %q", body, tc.notes)
				}
			}
			c.expectClosed()
		})
	}
}

// TestParserRefusalLogged: a refusal's reason, which Apache's page does not
// show, is in the error log at info level, with the client's address.
func TestParserRefusalLogged(t *testing.T) {
	t.Parallel()
	s := startServer(t, "LogLevel info\n", map[string]string{"a.txt": "alpha\n"})
	c := s.open(t)
	defer c.Close()
	resp, body := c.roundTrip("GET /a.txt HTTP/1.1\nHost: localhost\r\n\r\n", "GET")
	if notes, ok := page400Notes(body); resp.StatusCode != 400 || !ok || notes != "" {
		t.Fatalf("got %d %q, want the 400 page without notes", resp.StatusCode, body)
	}
	c.expectClosed()
	s.stop(t)
	want := regexp.MustCompile(`\[core:info\] \[pid \d+:tid \d+\] \[client 127\.0\.0\.1:\d+\] request failed: Line terminated by a bare LF; CRLF is required\.\n`)
	if log := s.logFile("error_log"); !want.MatchString(log) {
		t.Errorf("error log:\n%s\nwant a line matching %s", log, want)
	}
}

// TestUnknownMethod: a method the server does not know gets 501 with the
// Allow line of the server's OPTIONS answers and 405s (Apache's
// ap_send_error_response sends Allow with a 501 as with a 405), the
// connection closes, and the error log has core's AH00135 with the
// request line, at level error as Apache writes it (seen at the default
// LogLevel warn).
func TestUnknownMethod(t *testing.T) {
	t.Parallel()
	s := startServer(t, "LogLevel warn\n", map[string]string{"a.txt": "alpha\n"})
	for _, line := range []string{"BREW /a.txt?x=1 HTTP/1.1", "get / HTTP/1.1"} {
		c := s.open(t)
		resp, _ := c.roundTrip(line+"\r\nHost: localhost\r\n\r\n", "GET")
		if resp.StatusCode != 501 || !resp.Close {
			t.Fatalf("%s: got %d (close %v), want 501 and Connection: close", line, resp.StatusCode, resp.Close)
		}
		if got, want := resp.Header.Get("Allow"), "GET,HEAD,OPTIONS"; got != want {
			t.Errorf("%s: got Allow %q, want %q", line, got, want)
		}
		c.expectClosed()
		re := regexp.MustCompile(`\[core:error\] \[pid \d+:tid \d+\] \[client 127\.0\.0\.1:\d+\] AH00135: Invalid method in request ` +
			regexp.QuoteMeta(line) + "\n")
		itest.Eventually(t, ioWait, re.String(), func() bool { return re.MatchString(s.logFile("error_log")) })
	}
}

// TestParserAccepts covers requests that look odd but are valid, and the
// method answers: they keep the connection.
func TestParserAccepts(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", map[string]string{"a.txt": "alpha\n"})
	const h = "Host: localhost\r\n"
	for _, tc := range []struct {
		name, raw, method string
		status            int
		allow, body       string
	}{
		{name: "leading-blank-lines", raw: "\r\n\r\nGET /a.txt HTTP/1.1\r\n" + h + "\r\n", status: 200, body: "alpha\n"},
		// A stray LF after a body, before the next request on the
		// connection: skipped as an empty line, as Apache's
		// check_pipeline eats it.
		{name: "stray-lf-after-body", raw: "GET /a.txt HTTP/1.1\r\n" + h + "Content-Length: 5\r\n\r\nhello\n", status: 200, body: "alpha\n"},
		{name: "absolute-form-wins-over-host", raw: "GET http://localhost/a.txt HTTP/1.1\r\nHost: other.example\r\n\r\n", status: 200, body: "alpha\n"},
		{name: "http11-minor-above-1", raw: "GET /a.txt HTTP/1.7\r\n" + h + "\r\n", status: 200, body: "alpha\n"},
		{name: "http10-without-host", raw: "GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", status: 200, body: "alpha\n"},
		{name: "tab-and-obs-text-in-value", raw: "GET /a.txt HTTP/1.1\r\n" + h + "X: a\tb\xe9\r\n\r\n", status: 200, body: "alpha\n"},
		{name: "options-asterisk", raw: "OPTIONS * HTTP/1.1\r\n" + h + "\r\n", method: "OPTIONS", status: 200, allow: "GET,HEAD,OPTIONS"},
		{name: "options-file", raw: "OPTIONS /a.txt HTTP/1.1\r\n" + h + "\r\n", method: "OPTIONS", status: 200, allow: "GET,HEAD,OPTIONS"},
		{name: "post-405", raw: "POST /a.txt HTTP/1.1\r\n" + h + "Content-Length: 2\r\n\r\nhi", method: "POST", status: 405, allow: "GET,HEAD,OPTIONS"},
		{name: "put-405", raw: "PUT /a.txt HTTP/1.1\r\n" + h + "Content-Length: 0\r\n\r\n", method: "PUT", status: 405, allow: "GET,HEAD,OPTIONS"},
		{name: "delete-405", raw: "DELETE /a.txt HTTP/1.1\r\n" + h + "\r\n", method: "DELETE", status: 405, allow: "GET,HEAD,OPTIONS"},
		{name: "trace-405", raw: "TRACE /a.txt HTTP/1.1\r\n" + h + "\r\n", method: "TRACE", status: 405, allow: "GET,HEAD,OPTIONS"},
		{name: "webdav-method-405", raw: "PROPFIND /a.txt HTTP/1.1\r\n" + h + "\r\n", method: "PROPFIND", status: 405, allow: "GET,HEAD,OPTIONS"},
		{name: "missing-file-404", raw: "GET /nope HTTP/1.1\r\n" + h + "\r\n", status: 404, body: page404},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			method := tc.method
			if method == "" {
				method = "GET"
			}
			c := s.open(t)
			resp, body := c.roundTrip(tc.raw, method)
			if resp.StatusCode != tc.status || resp.Close {
				t.Fatalf("got %d (close %v), want %d and keep-alive", resp.StatusCode, resp.Close, tc.status)
			}
			if got := resp.Header.Get("Allow"); got != tc.allow {
				t.Errorf("got Allow %q, want %q", got, tc.allow)
			}
			if tc.body != "" && body != tc.body {
				t.Errorf("got body %q, want %q", body, tc.body)
			}
			if tc.status == 200 && method == "OPTIONS" && resp.ContentLength != 0 {
				t.Errorf("got Content-Length %d, want 0", resp.ContentLength)
			}
			// The connection serves the next request.
			resp, body = c.roundTrip("GET /a.txt HTTP/1.1\r\n"+h+"\r\n", "GET")
			if resp.StatusCode != 200 || body != "alpha\n" {
				t.Fatalf("next request: got %d %q, want 200 %q", resp.StatusCode, body, "alpha\n")
			}
		})
	}
	t.Run("byte-at-a-time", func(t *testing.T) {
		c := s.open(t)
		raw := "GET /a.txt HTTP/1.1\r\nHost: localhost\r\nUser-Agent: slow\r\n\r\n"
		for i := 0; i < len(raw); i++ {
			c.send(raw[i : i+1])
			time.Sleep(time.Millisecond)
		}
		resp, body := c.read("GET")
		if resp.StatusCode != 200 || body != "alpha\n" {
			t.Fatalf("got %d %q, want 200 %q", resp.StatusCode, body, "alpha\n")
		}
	})
}
