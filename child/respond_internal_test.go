package child

import (
	"bytes"
	"net"
	"net/netip"
	"testing"
	"time"

	"eventmpm/child/http1"
	"eventmpm/shm"
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

// TestScoreboardRequestMasksPassword: the request line the scoreboard
// shows (eventmpm status, /server-status with ExtendedStatus On) has the
// password of an absolute-form target masked, as the access log's %r. The
// parser refuses such a target, so the request is made by hand.
func TestScoreboardRequestMasksPassword(t *testing.T) {
	tc := newTestChild(t, "Listen 127.0.0.1:80\nDocumentRoot htdocs\nExtendedStatus On\n", map[string]string{"a.txt": "hello\n"})
	c, _ := tc.connect(t)
	w := tc.w
	for _, tt := range []struct{ line, want string }{
		{line: "GET http://u:secret@localhost/a.txt HTTP/1.1", want: "GET http://u:XXXXXXXX@localhost/a.txt HTTP/1.1"},
		{line: "GET /a.txt HTTP/1.1", want: "GET /a.txt HTTP/1.1"},
	} {
		line := []byte(tt.line)
		sp := bytes.LastIndexByte(line, ' ')
		w.req.Reset()
		w.req.Line, w.req.Method, w.req.MethodID, w.req.Target = line, line[:3], http1.MethodGet, line[4:sp]
		w.req.Path, w.req.Host, w.req.ProtoMajor, w.req.ProtoMinor = []byte("/a.txt"), []byte("localhost"), 1, 1
		w.srv = tc.ch.defaultSite(c)
		w.start = time.Now()
		w.respond(c, false)
		w.reply.Release()
		var snap shm.Snapshot
		tc.ch.sb.Snapshot(&snap)
		if got := string(shm.Text(snap.WorkerAt(0, 0).Request[:])); got != tt.want {
			t.Errorf("got %q, want %q", got, tt.want)
		}
	}
}
