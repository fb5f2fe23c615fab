package child

import (
	"net"
	"net/netip"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
)

// TestLocalAddrPort: a connection's local address (%A, %{local}p) is its
// listener's when that is bound to one address, else the socket's own,
// looked up once and remembered.
func TestLocalAddrPort(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	client, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer client.Close()
	server, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	defer server.Close()
	f, err := server.(*net.TCPConn).File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	bound := netip.MustParseAddrPort(ln.Addr().String())
	for _, tc := range []struct {
		name  string
		local netip.AddrPort // the listener's
		want  netip.AddrPort
	}{
		{name: "bound", local: netip.MustParseAddrPort("192.0.2.1:8080"), want: netip.MustParseAddrPort("192.0.2.1:8080")},
		{name: "wildcard", local: netip.AddrPortFrom(netip.IPv4Unspecified(), bound.Port()), want: bound},
		{name: "wildcard6", local: netip.AddrPortFrom(netip.IPv6Unspecified(), bound.Port()), want: bound},
	} {
		t.Run(tc.name, func(t *testing.T) {
			c := &conn{fd: int(f.Fd()), lst: &listener{local: tc.local}}
			if got := c.localAddrPort(); got != tc.want {
				t.Fatalf("got %v, want %v", got, tc.want)
			}
			c.fd = -1 // a second lookup would fail: the first is remembered
			if got := c.localAddrPort(); got != tc.want {
				t.Errorf("second call: got %v, want %v", got, tc.want)
			}
			if got := c.localAddr(); got != tc.want.Addr() {
				t.Errorf("localAddr: got %v, want %v", got, tc.want.Addr())
			}
		})
	}
}

// TestBodyBytesIn: %I counts the request body bytes the worker consumed
// (read and discarded) with the head, as mod_logio counts what the input
// filters read: a whole Content-Length or chunked body, the part of one
// that arrived before the response, a chunked body up to a refused byte.
func TestBodyBytesIn(t *testing.T) {
	const head = "POST /a.txt HTTP/1.1\r\nHost: x\r\n"
	for _, tc := range []struct {
		name, raw string
		status    string
		unread    int // bytes at the end of raw the worker leaves unread
	}{
		{name: "no body", raw: "GET /a.txt HTTP/1.1\r\nHost: x\r\n\r\n", status: "200"},
		{name: "content-length", raw: head + "Content-Length: 5\r\n\r\nhello", status: "405"},
		{name: "content-length, part", raw: head + "Content-Length: 100\r\n\r\nshort", status: "405"},
		{name: "chunked", raw: head + "Transfer-Encoding: chunked\r\n\r\n5\r\nhello\r\n0\r\n\r\n", status: "405"},
		{name: "chunked, part", raw: head + "Transfer-Encoding: chunked\r\n\r\n5\r\nhel", status: "405"},
		{name: "chunked, refused", raw: head + "Transfer-Encoding: chunked\r\n\r\n5\r\nhelloXX", status: "400", unread: 2},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := newTestChild(t, "Listen 127.0.0.1:80\nDocumentRoot htdocs\nLogFormat \"%>s %I\" io\nCustomLog logs/io_log io\n",
				map[string]string{"a.txt": "alpha\n"})
			c, peer := ch.connect(t)
			ch.serveOnce(t, c, peer, tc.raw)
			ch.w.flushLogs()
			b, err := os.ReadFile(filepath.Join(filepath.Dir(ch.ch.cfg.Server.DocumentRoot), "logs", "io_log"))
			if err != nil {
				t.Fatal(err)
			}
			want := tc.status + " " + strconv.Itoa(len(tc.raw)-tc.unread)
			if got := strings.TrimSuffix(string(b), "\n"); got != want {
				t.Errorf("got %q, want %q", got, want)
			}
		})
	}
}

// TestRequestText: the scoreboard keeps a request line of up to 63 bytes
// whole, and of a longer one its first 63 bytes, or its last 63 with
// SeeRequestTail On (Apache's copy_request into its 64-byte field).
func TestRequestText(t *testing.T) {
	line63 := "GET /" + strings.Repeat("a", 49) + " HTTP/1.1"
	line64 := "GET /" + strings.Repeat("a", 50) + " HTTP/1.1"
	long := "GET /search?q=" + strings.Repeat("x", 60) + "&page=2 HTTP/1.1"
	for _, tc := range []struct {
		name, line string
		tail       bool
		want       string
	}{
		{name: "short head", line: "GET / HTTP/1.1", want: "GET / HTTP/1.1"},
		{name: "short tail", line: "GET / HTTP/1.1", tail: true, want: "GET / HTTP/1.1"},
		{name: "63 head", line: line63, want: line63},
		{name: "63 tail", line: line63, tail: true, want: line63},
		{name: "64 head", line: line64, want: line64[:63]},
		{name: "64 tail", line: line64, tail: true, want: line64[1:]},
		{name: "long head", line: long, want: long[:63]},
		{name: "long tail", line: long, tail: true, want: long[len(long)-63:]},
	} {
		if got := string(requestText([]byte(tc.line), tc.tail)); got != tc.want {
			t.Errorf("%s: got %q, want %q", tc.name, got, tc.want)
		}
	}
	if len(line63) != 63 || len(line64) != 64 {
		t.Fatalf("test lines of %d and %d bytes, want 63 and 64", len(line63), len(line64))
	}
}
