package child_test

import (
	"fmt"
	"strings"
	"testing"
	"time"

	"eventmpm/internal/itest"
)

// The adversarial request suite (issue 7): raw requests a hostile or
// broken client sends, each with the RFC 9110/9112 answer and, where the
// RFC says the framing can no longer be trusted, the connection closed.
// TestParserRefusals (itest_parse_test.go), TestRequestBodies and TestExpect
// (itest_conn_test.go) and TestStaticTraversal (itest_static_test.go) cover
// the first part of the list; this file adds request smuggling with proof
// that the smuggled request is never served, and the remaining classes.

// smuggledBody is the file a smuggled request asks for: its text in a
// response, or its path in the access log, would show it was served.
const smuggledBody = "SMUGGLED\n"

// smuggled is the request hidden in the body of each smuggling attempt.
const smuggled = "GET /smuggled.txt HTTP/1.1\r\nHost: localhost\r\n\r\n"

// TestSmuggling sends requests whose framing is ambiguous (RFC 9112 6.3,
// 11.2): the part of the stream a lenient or differently configured hop
// would read as a body holds a second request for /smuggled.txt. Each gets
// the RFC's answer and a close, nothing more is sent on the connection,
// and at the end the access log shows that /smuggled.txt was never
// served, while every refused request was logged.
func TestSmuggling(t *testing.T) {
	t.Parallel()
	s := startServer(t, logConf+"LimitRequestBody 1000\n",
		map[string]string{"a.txt": "alpha\n", "smuggled.txt": smuggledBody})
	const h = "Host: localhost\r\n"
	body := "0\r\n\r\n" + smuggled // what a chunked reader stops before
	cases := []struct {
		name, raw string
		status    int
	}{
		// RFC 9112 6.1: a server MAY reject a request with both; eventmpm
		// does, whichever comes first.
		{name: "cl-te", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + fmt.Sprintf("Content-Length: %d\r\n", len(body)) + "Transfer-Encoding: chunked\r\n\r\n" + body},
		{name: "te-cl", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\nContent-Length: 4\r\n\r\n" +
				fmt.Sprintf("%x\r\n%s\r\n0\r\n\r\n", len(smuggled), smuggled)},
		{name: "cl-te-obs-fold", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Content-Length: 5\r\nX: y\r\n Transfer-Encoding: chunked\r\n\r\n" + body},
		// RFC 9110 8.6 and RFC 9112 6.3: differing Content-Length values
		// are unrecoverable.
		{name: "duplicate-content-length", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Content-Length: 0\r\n" + fmt.Sprintf("Content-Length: %d\r\n\r\n", len(smuggled)) + smuggled},
		{name: "content-length-list", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + fmt.Sprintf("Content-Length: 0, %d\r\n\r\n", len(smuggled)) + smuggled},
		{name: "content-length-negative", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Content-Length: -1\r\n\r\n" + smuggled},
		{name: "content-length-hex", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Content-Length: 0x2f\r\n\r\n" + smuggled},
		{name: "content-length-space-inside", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Content-Length: 4 7\r\n\r\n" + smuggled},
		{name: "content-length-overflow", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Content-Length: 18446744073709551663\r\n\r\n" + smuggled},
		// RFC 9112 6.3: chunked not last means the length cannot be
		// determined: 400 and close.
		{name: "te-chunked-identity", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked, identity\r\n\r\n" + body},
		{name: "te-chunked-then-field", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\nTransfer-Encoding: identity\r\n\r\n" + body},
		{name: "te-chunked-twice", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked, chunked\r\n\r\n" + body},
		// RFC 9112 6.1: a coding the server does not understand: 501.
		{name: "te-identity-chunked", status: 501,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Transfer-Encoding: identity, chunked\r\n\r\n" + body},
		// RFC 9112 6.3: chunked not final (here: absent) in a request
		// with Transfer-Encoding: 400.
		{name: "te-xchunked", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Transfer-Encoding: xchunked\r\n\r\n" + body},
		{name: "te-quoted", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Transfer-Encoding: \"chunked\"\r\n\r\n" + body},
		{name: "te-vertical-tab", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\x0b\r\n\r\n" + body},
		{name: "te-space-before-colon", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Transfer-Encoding : chunked\r\n\r\n" + body},
		{name: "te-http10", status: 400,
			raw: "GET /a.txt HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n" + body},
		// RFC 9112 7.1: chunk-size is 1*HEXDIG; one that does not fit is
		// an error, never a wrap-around (17 digits that would wrap to 1).
		{name: "chunk-size-wraps", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n10000000000000001\r\nG\r\n0\r\n\r\n" + smuggled},
		{name: "chunk-size-0x", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n0x0\r\n\r\n" + smuggled},
		{name: "chunk-size-negative", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n-0\r\n\r\n" + smuggled},
		{name: "chunk-size-bare-lf", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n0\n\r\n" + smuggled},
		{name: "chunk-size-over-limit", status: 413,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n10000\r\n" + smuggled},
		// RFC 9112 7.1.1: chunk-ext = *( BWS ";" BWS chunk-ext-name
		// [ BWS "=" BWS chunk-ext-val ] ).
		{name: "chunk-ext-control-byte", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n0;a\x01b\r\n\r\n" + smuggled},
		{name: "chunk-ext-no-name", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n0;=x\r\n\r\n" + smuggled},
		{name: "chunk-ext-unterminated-quote", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n0;a=\"b\r\n\r\n" + smuggled},
		{name: "chunk-ext-bare-lf", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n0;a=b\n\r\n" + smuggled},
		{name: "chunk-data-longer-than-size", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Transfer-Encoding: chunked\r\n\r\n1\r\nab\r\n0\r\n\r\n" + smuggled},
		// A header section ended by a bare LF (RFC 9112 2.2), a header
		// name with a space (5.1): the head cannot be delimited safely.
		{name: "head-ends-bare-lf", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "X: y\n\n" + smuggled},
		{name: "header-name-space", status: 400,
			raw: "GET /a.txt HTTP/1.1\r\n" + h + "Content Length: 47\r\n\r\n" + smuggled},
	}
	t.Run("attempts", func(t *testing.T) {
		for _, tc := range cases {
			t.Run(tc.name, func(t *testing.T) {
				t.Parallel()
				got, closed := s.exchange(t, tc.raw, ioWait)
				want := fmt.Sprintf("HTTP/1.1 %d ", tc.status)
				if !strings.HasPrefix(got, want) || !closed {
					t.Fatalf("got %q (closed %v), want %q... and a close", firstLine(got), closed, want)
				}
				if n := strings.Count(got, "HTTP/1.1 "); n != 1 {
					t.Errorf("got %d responses, want 1:\n%s", n, got)
				}
				if !strings.Contains(got, "\r\nConnection: close\r\n") {
					t.Errorf("got no Connection: close in %q", got)
				}
				if strings.Contains(got, smuggledBody) {
					t.Errorf("the smuggled request was answered: %q", got)
				}
			})
		}
	})
	t.Run("access-log", func(t *testing.T) {
		// The attempts group has returned: every attempt is done.
		var log string
		itest.Eventually(t, ioWait, "every refused request in the access log", func() bool {
			log = s.logFile("access_log")
			return strings.Count(log, "\n") >= len(cases)
		})
		if strings.Contains(log, "smuggled") {
			t.Errorf("the access log shows the smuggled request:\n%s", grepLines(log, "smuggled"))
		}
		for _, l := range strings.Split(strings.TrimSpace(log), "\n") {
			if !strings.Contains(l, `"GET /a.txt HTTP/1.`) {
				t.Errorf("access log line for another request than the outer one: %q", l)
			}
		}
	})
}

// TestAdversarialRequests covers the remaining classes: target forms,
// header names and line endings, garbage after a good request, an
// HTTP/2 preface and other protocols. Each case gives the status, whether
// the connection stays open, and what a second, valid request on it gets
// (when it stays open, it must be served; when not, it must not be).
func TestAdversarialRequests(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", map[string]string{"a.txt": "alpha\n"})
	const h = "Host: localhost\r\n"
	const next = "GET /a.txt HTTP/1.1\r\n" + h + "\r\n"
	for _, tc := range []struct {
		name, raw string
		status    int
		keep      bool // the connection stays open and serves next
	}{
		// RFC 9112 3.2: the four target forms.
		{name: "authority-form-with-get", raw: "GET localhost:80 HTTP/1.1\r\n" + h + "\r\n", status: 400},
		{name: "authority-form-with-options", raw: "OPTIONS localhost:80 HTTP/1.1\r\n" + h + "\r\n", status: 400},
		// Without a proxy, Apache 2.4.71 answers a well-formed CONNECT
		// with 405 and Allow; so does eventmpm, and closes.
		{name: "connect-authority-form", raw: "CONNECT localhost:80 HTTP/1.1\r\n" + h + "\r\n", status: 405},
		{name: "connect-origin-form", raw: "CONNECT /a.txt HTTP/1.1\r\n" + h + "\r\n", status: 400},
		{name: "absolute-form-empty-host", raw: "GET http:///a.txt HTTP/1.1\r\n" + h + "\r\n", status: 400},
		{name: "absolute-form-upper-scheme", raw: "GET HTTP://localhost/a.txt HTTP/1.1\r\n" + h + "\r\n", status: 200, keep: true},
		{name: "absolute-form-https", raw: "GET https://localhost/a.txt HTTP/1.1\r\n" + h + "\r\n", status: 200, keep: true},
		{name: "absolute-form-no-path", raw: "GET http://localhost HTTP/1.1\r\n" + h + "\r\n", status: 403, keep: true}, // "/": no index, no Indexes
		{name: "absolute-form-bad-port", raw: "GET http://localhost:x/a.txt HTTP/1.1\r\n" + h + "\r\n", status: 400},
		{name: "absolute-form-encoded-dotdot", raw: "GET http://localhost/%2e%2e/a.txt HTTP/1.1\r\n" + h + "\r\n", status: 400},
		{name: "scheme-relative-target", raw: "GET //localhost/a.txt HTTP/1.1\r\n" + h + "\r\n", status: 404, keep: true},
		// Header names and line endings (RFC 9112 2.2, 5).
		{name: "whitespace-before-first-field", raw: "GET /a.txt HTTP/1.1\r\n " + h + "\r\n", status: 400},
		{name: "field-name-with-space", raw: "GET /a.txt HTTP/1.1\r\n" + h + "X Y: z\r\n\r\n", status: 400},
		{name: "field-name-tab-before-colon", raw: "GET /a.txt HTTP/1.1\r\n" + h + "X\t: z\r\n\r\n", status: 400},
		{name: "field-name-nul", raw: "GET /a.txt HTTP/1.1\r\n" + h + "X\x00Y: z\r\n\r\n", status: 400},
		{name: "field-name-non-ascii", raw: "GET /a.txt HTTP/1.1\r\n" + h + "X\xe9: z\r\n\r\n", status: 400},
		{name: "field-name-empty", raw: "GET /a.txt HTTP/1.1\r\n" + h + ": z\r\n\r\n", status: 400},
		{name: "bare-lf-in-field", raw: "GET /a.txt HTTP/1.1\r\nHost: localhost\nX: y\r\n\r\n", status: 400},
		{name: "bare-cr-in-request-line", raw: "GET /a.txt\rHTTP/1.1\r\n" + h + "\r\n", status: 400},
		{name: "bare-cr-ends-line", raw: "GET /a.txt HTTP/1.1\r" + h + "\r\n", status: 400},
		{name: "tabs-in-request-line", raw: "GET\t/a.txt\tHTTP/1.1\r\n" + h + "\r\n", status: 400},
		{name: "nul-in-method", raw: "\x00GET /a.txt HTTP/1.1\r\n" + h + "\r\n", status: 400},
		{name: "nul-after-head", raw: "GET /a.txt HTTP/1.1\r\n" + h + "\r\n\x00", status: 200},
		{name: "host-with-userinfo", raw: "GET /a.txt HTTP/1.1\r\nHost: user@localhost\r\n\r\n", status: 400},
		{name: "host-with-path", raw: "GET /a.txt HTTP/1.1\r\nHost: localhost/x\r\n\r\n", status: 400},
		{name: "uppercase-chunked-accepted", raw: "GET /a.txt HTTP/1.1\r\n" + h + "Transfer-Encoding: CHUNKED\r\n\r\n0\r\n\r\n", status: 200, keep: true},
		{name: "content-length-leading-zeros", raw: "GET /a.txt HTTP/1.1\r\n" + h + "Content-Length: 003\r\n\r\nabc", status: 200, keep: true},
		// Garbage after a good request: the good one is answered, the
		// garbage refused, then the close (nul-after-head above too).
		{name: "garbage-after-good-request", raw: "GET /a.txt HTTP/1.1\r\n" + h + "\r\nGARBAGE\r\n\r\n", status: 200},
		{name: "binary-after-good-request", raw: "GET /a.txt HTTP/1.1\r\n" + h + "\r\n\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03", status: 200},
		// Other protocols on the port.
		{name: "tls-client-hello", raw: "\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03" + strings.Repeat("\xaa", 32) + "\r\n\r\n", status: 400},
		{name: "http2-preface", raw: "PRI * HTTP/2.0\r\n\r\nSM\r\n\r\n", status: 505},
		{name: "http2-request-line", raw: "GET /a.txt HTTP/2\r\n" + h + "\r\n", status: 400},
		{name: "http09-simple-request", raw: "GET /a.txt\r\n", status: 400},
		{name: "http-1-1-1", raw: "GET /a.txt HTTP/1.1.1\r\n" + h + "\r\n", status: 400},
		{name: "http3-version", raw: "GET /a.txt HTTP/3.0\r\n" + h + "\r\n", status: 505},
		// Expectations (RFC 9110 10.1.1): anything but 100-continue is 417.
		{name: "expect-list-with-unknown", raw: "GET /a.txt HTTP/1.1\r\n" + h + "Expect: 100-continue, x-y\r\n\r\n", status: 417},
		// An empty Expect has no expectation to refuse (Apache ignores it).
		{name: "expect-empty", raw: "GET /a.txt HTTP/1.1\r\n" + h + "Expect:\r\n\r\n", status: 200, keep: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			got, closed := s.exchange(t, tc.raw+next, 2*time.Second)
			want := fmt.Sprintf("HTTP/1.1 %d ", tc.status)
			if !strings.HasPrefix(got, want) {
				t.Fatalf("got %q, want %q...", firstLine(got), want)
			}
			answers := strings.Count(got, "HTTP/1.1 ")
			switch {
			case tc.keep && (closed || answers != 2 || !strings.HasSuffix(got, "\r\n\r\nalpha\n")):
				t.Errorf("got %d answers (closed %v), want the next request served on the open connection:\n%s", answers, closed, got)
			case !tc.keep && tc.status != 200 && (!closed || answers != 1):
				t.Errorf("got %d answers (closed %v), want this one and a close:\n%s", answers, closed, got)
			case !tc.keep && tc.status == 200 && (!closed || answers != 2 || !strings.Contains(got, "HTTP/1.1 400 ")):
				t.Errorf("got %d answers (closed %v), want 200, then 400 for what follows, and a close:\n%s", answers, closed, got)
			}
		})
	}
}

// TestConnectRefused checks the answer to a well-formed CONNECT: 405 with
// the methods eventmpm allows, as Apache 2.4 without mod_proxy, and a close
// (tunnel data may follow it).
func TestConnectRefused(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", map[string]string{"a.txt": "alpha\n"})
	got, closed := s.exchange(t, "CONNECT localhost:443 HTTP/1.1\r\nHost: localhost\r\n\r\n\x16\x03\x01", 2*time.Second)
	if !strings.HasPrefix(got, "HTTP/1.1 405 ") || !strings.Contains(got, "\r\nAllow: GET,HEAD,OPTIONS\r\n") || !closed {
		t.Errorf("got (closed %v):\n%s\nwant 405 with Allow: GET,HEAD,OPTIONS, then a close", closed, got)
	}
}

// firstLine returns the first line of a response, for messages.
func firstLine(s string) string {
	line, _, _ := strings.Cut(s, "\r\n")
	return line
}

// grepLines returns the lines of s that contain sub, joined.
func grepLines(s, sub string) string { return strings.Join(grep(s, sub), "\n") }
