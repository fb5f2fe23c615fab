package child_test

import (
	"encoding/binary"
	"testing"
	"time"
)

const proxyProtocolConf = `RemoteIPProxyProtocol On
RemoteIPHeader X-Forwarded-For
LogFormat "%q|%a|%{c}a|%{remote}p|%{X-Forwarded-For}i|%>s" pp
CustomLog logs/pp_log pp
<Location /priv>
    Require ip 203.0.113.0/24 2001:db8::/32
</Location>
`

// TestProxyProtocol: with RemoteIPProxyProtocol On each connection
// begins with a PROXY header (version 1 or 2, whole or in pieces), whose
// client (with its port) is the client of every request on the
// connection, for the log, Require ip and the error log, while %{c}a is
// the proxy; X-Forwarded-For is then left alone, as in Apache. A
// connection without a header, or with a bad one, is closed unanswered
// and the error log says why. Compared with Apache 2.4.71 on the same
// requests (but for PROXY UNKNOWN, which Apache fails on, and v2 UNSPEC,
// which it refuses: the specification says to use the peer).
func TestProxyProtocol(t *testing.T) {
	s := startServer(t, proxyProtocolConf, map[string]string{"priv/index.html": "secret\n"})
	get := func(q string) string {
		return "GET /priv/?" + q + " HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-For: 203.0.113.50\r\n\r\n"
	}
	v2 := append([]byte("\r\n\r\n\x00\r\nQUIT\n"), 0x21, 0x11, 0, 12, 198, 51, 100, 7, 127, 0, 0, 1)
	v2 = binary.BigEndian.AppendUint16(v2, 4444)
	v2 = binary.BigEndian.AppendUint16(v2, 80)

	// Version 1, then a second request on the same connection.
	c := s.open(t)
	c.send("PROXY TCP4 203.0.113.9 127.0.0.1 5555 80\r\n" + get("v1"))
	if resp, _ := c.read("GET"); resp.StatusCode != 200 {
		t.Errorf("v1: %d, want 200", resp.StatusCode)
	}
	if resp, _ := c.roundTrip(get("again"), "GET"); resp.StatusCode != 200 {
		t.Errorf("second request: %d, want 200", resp.StatusCode)
	}
	c.Close()

	// Version 2 in two pieces.
	c = s.open(t)
	c.send(string(v2[:10]))
	time.Sleep(50 * time.Millisecond)
	c.send(string(v2[10:]) + get("v2"))
	if resp, _ := c.read("GET"); resp.StatusCode != 403 {
		t.Errorf("v2: %d, want 403 (198.51.100.7 is not let in)", resp.StatusCode)
	}
	c.Close()

	// PROXY UNKNOWN: the peer stands.
	c = s.open(t)
	if resp, _ := c.roundTrip("PROXY UNKNOWN\r\n"+get("unknown"), "GET"); resp.StatusCode != 403 {
		t.Errorf("UNKNOWN: %d, want 403", resp.StatusCode)
	}
	c.Close()

	for _, bad := range []string{get("none"), "PROXY TCP5 203.0.113.9 127.0.0.1 5555 80\r\n" + get("bad")} {
		c = s.open(t)
		c.send(bad)
		c.expectClosed()
		c.Close()
	}
	s.stop(t)

	want := map[string]string{
		"?v1":      "203.0.113.9|127.0.0.1|5555|203.0.113.50|200",
		"?again":   "203.0.113.9|127.0.0.1|5555|203.0.113.50|200",
		"?v2":      "198.51.100.7|127.0.0.1|4444|203.0.113.50|403",
		"?unknown": "127.0.0.1|127.0.0.1|",
	}
	checkKeyedLog(t, s.logFile("pp_log"), want, true, false)
	expectContains(t, "error_log", s.logFile("error_log"),
		"[client 198.51.100.7:4444] AH01630: client denied by server configuration",
		"RemoteIPProxyProtocol: the connection did not begin with a PROXY header",
		"AH03499: RemoteIPProxyProtocol: unknown family 'TCP5' in header 'PROXY TCP5 203.0.113.9 127.0.0.1 5555 80'")
}

// TestProxyProtocolExceptions: a peer in RemoteIPProxyProtocolExceptions
// connects without a header, and X-Forwarded-For applies to it again.
func TestProxyProtocolExceptions(t *testing.T) {
	s := startServer(t, proxyProtocolConf+"RemoteIPProxyProtocolExceptions 127.0.0.0/8\n",
		map[string]string{"priv/index.html": "secret\n"})
	c := s.open(t)
	resp, _ := c.roundTrip("GET /priv/ HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-For: 203.0.113.50\r\n\r\n", "GET")
	if resp.StatusCode != 200 {
		t.Errorf("status %d, want 200 (X-Forwarded-For's 203.0.113.50)", resp.StatusCode)
	}
	c.Close()
}
