package child_test

import (
	"context"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptrace"
	"strings"
	"testing"
	"time"
)

// Canned Apache 2.4 error pages the tests expect byte for byte.
const (
	page404 = "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>404 Not Found</title>\n" +
		"</head><body>\n<h1>Not Found</h1>\n<p>The requested URL was not found on this server.</p>\n</body></html>\n"
)

// connFiles are the documents of the persistence tests.
var connFiles = map[string]string{"index.html": "hello\n", "a.txt": "alpha\n"}

// startConnServer starts a server with connFiles at fixedTime.
func startConnServer(t *testing.T, extra string) *server {
	t.Helper()
	s := startServer(t, extra, connFiles)
	for name := range connFiles {
		setMtime(t, s.root, name, fixedTime)
	}
	return s
}

// TestPersistence covers RFC 9112 section 9 on the real binary: HTTP/1.1
// keep-alive, HTTP/1.0 with and without keep-alive, Connection: close, and
// net/http and curl reusing one connection.
func TestPersistence(t *testing.T) {
	t.Parallel()
	s := startConnServer(t, "KeepAliveTimeout 5\nMaxKeepAliveRequests 100\n")

	t.Run("http11-keepalive", func(t *testing.T) {
		c := s.open(t)
		for i := 0; i < 3; i++ {
			resp, body := c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
			if resp.StatusCode != 200 || body != "alpha\n" {
				t.Fatalf("request %d: got %d %q, want 200 %q", i, resp.StatusCode, body, "alpha\n")
			}
			if resp.Close {
				t.Errorf("request %d: got Connection: close, want keep-alive", i)
			}
			// Not asked: no Keep-Alive field, as in Apache.
			if ka := resp.Header.Get("Keep-Alive"); ka != "" || resp.Header.Get("Connection") != "" {
				t.Errorf("request %d: got Keep-Alive %q Connection %q, want neither", i, ka, resp.Header.Get("Connection"))
			}
		}
		c.expectOpen(200 * time.Millisecond)
	})
	t.Run("http11-keepalive-asked", func(t *testing.T) {
		// Browsers send Connection: keep-alive in HTTP/1.1 too; Apache
		// answers with the timeout and the requests left.
		c := s.open(t)
		for i := 1; i <= 2; i++ {
			resp, _ := c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\nConnection: keep-alive\r\n\r\n", "GET")
			wantKA := fmt.Sprintf("timeout=5, max=%d", 100-i)
			if got := resp.Header.Get("Keep-Alive"); got != wantKA || resp.Header.Get("Connection") != "Keep-Alive" {
				t.Errorf("request %d: got Keep-Alive %q Connection %q, want %q and Keep-Alive", i, got, resp.Header.Get("Connection"), wantKA)
			}
		}
		c.expectOpen(200 * time.Millisecond)
	})
	t.Run("http10-close", func(t *testing.T) {
		got, closed := s.exchange(t, "GET /a.txt HTTP/1.0\r\n\r\n", ioWait)
		want := okHead("alpha\n", "text/plain", "Connection: close\r\n") + "alpha\n"
		if normDate(got) != want || !closed {
			t.Errorf("got %q (closed %v), want %q (closed)", normDate(got), closed, want)
		}
	})
	t.Run("http10-keepalive", func(t *testing.T) {
		c := s.open(t)
		for i := 1; i <= 2; i++ {
			resp, _ := c.roundTrip("GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", "GET")
			wantKA := fmt.Sprintf("timeout=5, max=%d", 100-i)
			if got := resp.Header.Get("Keep-Alive"); got != wantKA {
				t.Errorf("request %d: got Keep-Alive %q, want %q", i, got, wantKA)
			}
			if got := resp.Header.Get("Connection"); got != "Keep-Alive" {
				t.Errorf("request %d: got Connection %q, want Keep-Alive", i, got)
			}
		}
		// An HTTP/1.0 request without the token ends it.
		resp, _ := c.roundTrip("GET /a.txt HTTP/1.0\r\n\r\n", "GET")
		if !resp.Close {
			t.Errorf("got keep-alive, want Connection: close")
		}
		c.expectClosed()
	})
	t.Run("half-close-after-keepalive-request", func(t *testing.T) {
		// A client that shuts down its side right after a request on a
		// kept-alive connection gets its answer, then the close, without
		// the server waiting out KeepAliveTimeout (5s) first.
		c := s.open(t)
		c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
		c.send("GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n")
		c.Conn.(*net.TCPConn).CloseWrite()
		resp, body := c.read("GET")
		if resp.StatusCode != 200 || body != "hello\n" {
			t.Fatalf("got %d %q, want 200 %q", resp.StatusCode, body, "hello\n")
		}
		c.SetReadDeadline(time.Now().Add(3 * time.Second))
		if n, err := c.br.Read(make([]byte, 1)); n != 0 || err != io.EOF {
			t.Errorf("got %d bytes, %v; want the server's close (EOF) before KeepAliveTimeout", n, err)
		}
	})
	t.Run("half-close-mid-head", func(t *testing.T) {
		// Input that ends after a whole request line but before the end
		// of the head gets 400 and the close, as Apache answers it (the
		// client still reads); part of a request line gets the close only.
		for _, tc := range []struct{ sent, status string }{
			{"GET /a.txt HTTP/1.1\r\nHost: localhost\r\n", "HTTP/1.1 400 Bad Request\r\n"},
			{"GET /a.txt HTTP/1.1\r\n", "HTTP/1.1 400 Bad Request\r\n"},
			{"GET /a.t", ""},
		} {
			c := s.dial(t)
			io.WriteString(c, tc.sent)
			c.(*net.TCPConn).CloseWrite()
			got, closed := readUntilClose(c, ioWait)
			if !strings.HasPrefix(got, tc.status) || tc.status == "" && got != "" || !closed {
				t.Errorf("%q then EOF: got %q (closed %v), want %q and the close", tc.sent, got, closed, tc.status)
			}
		}
	})
	t.Run("connection-close", func(t *testing.T) {
		c := s.open(t)
		resp, body := c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", "GET")
		if resp.StatusCode != 200 || body != "alpha\n" || !resp.Close {
			t.Errorf("got %d %q close %v, want 200 %q close", resp.StatusCode, body, resp.Close, "alpha\n")
		}
		c.expectClosed()
	})
	t.Run("net-http-reuse", func(t *testing.T) {
		cl := newClient()
		defer cl.CloseIdleConnections()
		reused := 0
		for i := 0; i < 5; i++ {
			trace := &httptrace.ClientTrace{GotConn: func(info httptrace.GotConnInfo) {
				if info.Reused {
					reused++
				}
			}}
			req, _ := http.NewRequestWithContext(httptrace.WithClientTrace(context.Background(), trace), "GET", s.url("/"), nil)
			resp, err := cl.Do(req)
			if err != nil {
				t.Fatal(err)
			}
			body, _ := io.ReadAll(resp.Body)
			resp.Body.Close()
			if resp.StatusCode != 200 || string(body) != "hello\n" {
				t.Fatalf("got %d %q, want 200 %q", resp.StatusCode, body, "hello\n")
			}
		}
		if reused != 4 {
			t.Errorf("got %d reused connections, want 4", reused)
		}
	})
	t.Run("curl-reuse", func(t *testing.T) {
		out := curl(t, "-v", s.url("/a.txt"), s.url("/index.html"))
		if !strings.Contains(out, "alpha\n") || !strings.Contains(out, "hello\n") {
			t.Errorf("got %q, want both bodies", out)
		}
		if !strings.Contains(out, "Re-using existing connection") && !strings.Contains(out, "Reusing existing connection") {
			t.Errorf("curl did not reuse the connection:\n%s", out)
		}
	})
}

// TestPipelining sends several requests in one write and checks that the
// answers come back in order, byte for byte.
func TestPipelining(t *testing.T) {
	t.Parallel()
	s := startConnServer(t, "")
	type exchange struct {
		req, resp string
		body      bool // the request carries a body
	}
	exchanges := []exchange{
		{req: "GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n", resp: okHead("hello\n", "text/html") + "hello\n"},
		{req: "HEAD /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", resp: okHead("alpha\n", "text/plain")},
		{req: "GET /missing HTTP/1.1\r\nHost: localhost\r\n\r\n",
			resp: "HTTP/1.1 404 Not Found\r\nDate: X\r\nServer: eventmpm/0.1.0 (Unix)\r\n" +
				"Content-Type: text/html; charset=iso-8859-1\r\nContent-Length: 236\r\n\r\n" + page404},
		{req: "GET /a.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nxxxxx",
			resp: okHead("alpha\n", "text/plain") + "alpha\n", body: true},
		{req: "GET /index.html?q=1 HTTP/1.1\r\nHost: localhost\r\n\r\n", resp: okHead("hello\n", "text/html") + "hello\n"},
		{req: "GET /a.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n",
			resp: okHead("alpha\n", "text/plain", "Connection: close\r\n") + "alpha\n"},
	}
	for _, tc := range []struct {
		name  string
		split int // write the requests in pieces of this size; 0: one write
	}{
		{name: "one-write"},
		// A body that is not there when its head is parsed closes the
		// connection (TestRequestBodies), so the pieces go without it.
		{name: "7-byte-pieces", split: 7},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var reqs, want string
			for _, e := range exchanges {
				if e.body && tc.split > 0 {
					continue
				}
				reqs += e.req
				want += e.resp
			}
			c := s.dial(t)
			if tc.split == 0 {
				io.WriteString(c, reqs)
			} else {
				for i := 0; i < len(reqs); i += tc.split {
					io.WriteString(c, reqs[i:min(i+tc.split, len(reqs))])
				}
			}
			got, closed := readUntilClose(c, ioWait)
			if normDate(got) != want || !closed {
				t.Errorf("got (closed %v)\n%q\nwant\n%q", closed, normDate(got), want)
			}
		})
	}
}

// TestRequestBodies covers bodies on requests for static resources: a
// Content-Length or chunked body that arrived with its head is drained and
// the connection kept; one that has not fully arrived is not waited for:
// the connection closes after the answer. A body over LimitRequestBody is
// 413 and a malformed chunked body 400, both closing the connection.
func TestRequestBodies(t *testing.T) {
	t.Parallel()
	s := startConnServer(t, "LimitRequestBody 100\n")

	t.Run("content-length-drained", func(t *testing.T) {
		c := s.open(t)
		// The body looks like a request: it must not be taken for one.
		body := "GET /missing HTTP/1.1\r\nHost: x\r\n\r\n"
		resp, got := c.roundTrip(fmt.Sprintf("GET /a.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\n\r\n%s", len(body), body), "GET")
		if resp.StatusCode != 200 || got != "alpha\n" || resp.Close {
			t.Fatalf("got %d %q close %v, want 200 %q and keep-alive", resp.StatusCode, got, resp.Close, "alpha\n")
		}
		resp, _ = c.roundTrip("GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
		if resp.StatusCode != 200 {
			t.Fatalf("next request: got %d, want 200", resp.StatusCode)
		}
		c.expectOpen(100 * time.Millisecond)
	})
	t.Run("content-length-at-limit", func(t *testing.T) {
		c := s.open(t)
		resp, _ := c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 100\r\n\r\n"+strings.Repeat("b", 100), "GET")
		if resp.StatusCode != 200 {
			t.Fatalf("got %d, want 200", resp.StatusCode)
		}
	})
	t.Run("content-length-not-arrived", func(t *testing.T) {
		// The rest of the body is skipped as it comes, as Apache's
		// ap_discard_request_body reads it; the connection stays open and
		// the request after the body is answered.
		c := s.open(t)
		resp, got := c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 50\r\n\r\nabc", "GET")
		if resp.StatusCode != 200 || got != "alpha\n" || resp.Close {
			t.Fatalf("got %d %q close %v, want 200 %q and keep-alive", resp.StatusCode, got, resp.Close, "alpha\n")
		}
		c.send(strings.Repeat("d", 20))
		time.Sleep(50 * time.Millisecond)
		resp, got = c.roundTrip(strings.Repeat("d", 27)+"GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
		if resp.StatusCode != 200 || got != "hello\n" {
			t.Fatalf("after the body: got %d %q, want 200 %q", resp.StatusCode, got, "hello\n")
		}
		c.expectOpen(100 * time.Millisecond)
	})
	t.Run("content-length-not-arrived-then-close", func(t *testing.T) {
		// With the body's rest due, a response that closes the connection
		// lingers (no reset that could cut the response short).
		c := s.open(t)
		resp, got := c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\nContent-Length: 50\r\n\r\nabc", "GET")
		if resp.StatusCode != 200 || got != "alpha\n" || !resp.Close {
			t.Fatalf("got %d %q close %v, want 200 %q close", resp.StatusCode, got, resp.Close, "alpha\n")
		}
		c.send(strings.Repeat("d", 47))
		c.expectClosed()
	})
	t.Run("chunked-drained", func(t *testing.T) {
		c := s.open(t)
		resp, got := c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n"+
			"5;ext=1\r\nhello\r\n0\r\nTrailer: x\r\n\r\n", "GET")
		if resp.StatusCode != 200 || got != "alpha\n" || resp.Close {
			t.Fatalf("got %d %q close %v, want 200 %q and keep-alive", resp.StatusCode, got, resp.Close, "alpha\n")
		}
		resp, _ = c.roundTrip("GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
		if resp.StatusCode != 200 {
			t.Fatalf("next request: got %d, want 200", resp.StatusCode)
		}
	})
	t.Run("chunked-not-arrived", func(t *testing.T) {
		c := s.open(t)
		resp, got := c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n5\r\nhel", "GET")
		if resp.StatusCode != 200 || got != "alpha\n" || !resp.Close {
			t.Fatalf("got %d %q close %v, want 200 %q close", resp.StatusCode, got, resp.Close, "alpha\n")
		}
		c.send("lo\r\n0\r\n\r\n")
		c.expectClosed()
	})
	for _, tc := range []struct {
		name, raw string
		status    int
	}{
		{name: "content-length-over-limit", raw: "GET /a.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 101\r\n\r\n", status: 413},
		{name: "chunk-over-limit", raw: "GET /a.txt HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n65\r\n", status: 413},
		{name: "bad-chunk-size", raw: "GET /a.txt HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nzz\r\n", status: 400},
		{name: "chunk-size-overflow", raw: "GET /a.txt HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\nffffffffffffffffff\r\n", status: 400},
		{name: "chunk-data-without-crlf", raw: "GET /a.txt HTTP/1.1\r\nHost: localhost\r\nTransfer-Encoding: chunked\r\n\r\n1\r\nxy", status: 400},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := s.open(t)
			resp, _ := c.roundTrip(tc.raw, "GET")
			if resp.StatusCode != tc.status || !resp.Close {
				t.Fatalf("got %d close %v, want %d close", resp.StatusCode, resp.Close, tc.status)
			}
			c.expectClosed()
		})
	}
}

// TestExpect covers Expect (RFC 9110 10.1.1). A static resource needs no
// request content, so eventmpm never sends 100 (Continue): it answers with
// the final status at once. When the announced body has not arrived it
// says "Connection: close" and closes after a lingering close (the RFC's
// SHOULD for a final status sent before the content); a body that came
// with the head is drained and the connection kept. Apache's default
// handler instead sends 100 and reads the body to discard it, which makes a
// worker wait on the client. Any other expectation is 417 (Apache's
// "unrecognized expectation"), and the connection closes.
func TestExpect(t *testing.T) {
	t.Parallel()
	s := startConnServer(t, "")
	for _, tc := range []struct {
		name, raw string
		status    int
		close     bool
	}{
		{name: "100-continue-body-pending", raw: "GET /a.txt HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n", status: 200, close: true},
		{name: "100-continue-body-sent", raw: "GET /a.txt HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\nhello", status: 200},
		{name: "100-continue-no-body", raw: "GET /a.txt HTTP/1.1\r\nHost: localhost\r\nExpect: 100-Continue\r\n\r\n", status: 200},
		{name: "100-continue-http10-ignored", raw: "GET /a.txt HTTP/1.0\r\nConnection: keep-alive\r\nExpect: 100-continue\r\n\r\n", status: 200},
		{name: "100-continue-post-405", raw: "POST /a.txt HTTP/1.1\r\nHost: localhost\r\nExpect: 100-continue\r\nContent-Length: 5\r\n\r\n", status: 405, close: true},
		{name: "unknown-expectation", raw: "GET /a.txt HTTP/1.1\r\nHost: localhost\r\nExpect: the-unexpected\r\n\r\n", status: 417, close: true},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := s.open(t)
			c.send(tc.raw)
			c.SetReadDeadline(time.Now().Add(ioWait))
			line, err := c.br.Peek(12)
			if err != nil {
				t.Fatal(err)
			}
			if want := fmt.Sprintf("HTTP/1.1 %d", tc.status); string(line) != want {
				t.Fatalf("got status line %q..., want %q (no interim 100)", line, want)
			}
			resp, _ := c.read("GET")
			if got := resp.Close; got != tc.close {
				t.Fatalf("got Connection: close %v, want %v", got, tc.close)
			}
			if tc.close {
				c.expectClosed()
			} else {
				c.expectOpen(100 * time.Millisecond)
			}
		})
	}
	t.Run("net-http-expect", func(t *testing.T) {
		cl := &http.Client{Transport: &http.Transport{ExpectContinueTimeout: 5 * time.Second}, Timeout: ioWait}
		req, _ := http.NewRequest("PUT", s.url("/a.txt"), strings.NewReader("hello"))
		req.Header.Set("Expect", "100-continue")
		start := time.Now()
		resp, err := cl.Do(req)
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != 405 || resp.Header.Get("Allow") != "GET,HEAD,OPTIONS" {
			t.Errorf("got %d Allow %q, want 405 GET,HEAD,OPTIONS", resp.StatusCode, resp.Header.Get("Allow"))
		}
		if time.Since(start) > 4*time.Second {
			t.Errorf("the client waited out its ExpectContinueTimeout: the final status did not come at once")
		}
	})
	t.Run("curl-expect", func(t *testing.T) {
		out := curl(t, "-i", "-H", "Expect: 100-continue", "--data-binary", "hello", s.url("/a.txt"))
		if !strings.HasPrefix(out, "HTTP/1.1 405") {
			t.Errorf("got %q, want a 405 first", out)
		}
	})
}

// TestServerTokens covers the Server header under ServerTokens and the
// error page footer under ServerSignature, which follows the same tokens.
func TestServerTokens(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		tokens, server string
	}{
		{tokens: "Prod", server: "eventmpm"},
		{tokens: "Major", server: "eventmpm/0"},
		{tokens: "Minimal", server: "eventmpm/0.1.0"},
		{tokens: "OS", server: "eventmpm/0.1.0 (Unix)"},
	} {
		t.Run(tc.tokens, func(t *testing.T) {
			t.Parallel()
			s := startConnServer(t, "ServerTokens "+tc.tokens+"\nServerSignature On\n")
			c := s.open(t)
			resp, body := c.roundTrip("GET /missing HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
			if got := resp.Header.Get("Server"); got != tc.server {
				t.Errorf("got Server %q, want %q", got, tc.server)
			}
			footer := fmt.Sprintf("<address>%s Server at localhost Port %d</address>\n", tc.server, s.root.Port)
			if !strings.HasSuffix(body, footer+"</body></html>\n") {
				t.Errorf("got page %q, want it to end with the footer %q", body, footer)
			}
		})
	}
}
