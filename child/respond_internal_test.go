package child

import (
	"net"
	"net/netip"
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
