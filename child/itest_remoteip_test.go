package child_test

import (
	"bytes"
	"net"
	"slices"
	"strconv"
	"strings"
	"testing"
)

const remoteIPConf = `LogLevel info remoteip:debug
RemoteIPHeader X-Forwarded-For
RemoteIPInternalProxy 127.0.0.1 10.0.0.0/8
RemoteIPTrustedProxy 198.51.100.0/24
RemoteIPProxiesHeader X-Forwarded-By
SetEnvIf Remote_Addr "^(.*)$" ra=$1
LogFormat "%q|%h|%a|%{c}a|%{remote}p|%{X-Forwarded-For}i|%{X-Forwarded-By}i|%{remoteip-proxy-ip-list}n|%{ra}e|%>s" rip
CustomLog logs/rip_log rip
<Location /priv>
    Require ip 203.0.113.0/24
</Location>
`

// TestRemoteIP: behind proxies, mod_remoteip takes the client's address
// from X-Forwarded-For, walking it from the right while the presenting
// proxy is trusted; the address it takes is what %h, %a, SetEnvIf
// Remote_Addr, Require ip, the error log and the scoreboard see, with
// port 0, while %{c}a keeps the peer. The field keeps what was not taken
// and X-Forwarded-By gets the trusted external proxies passed over. The
// expected lines are what Apache 2.4.71 logged for the same configuration
// and requests, but for the "lines" case, where Apache reads only the
// first X-Forwarded-For line and eventmpm the whole list.
func TestRemoteIP(t *testing.T) {
	s := startServer(t, remoteIPConf, map[string]string{"priv/index.html": "secret\n"})
	tests := []struct {
		name   string
		fields []string // X-Forwarded-For lines
		status int
		want   string // the log line after "%q|"; PEER is the connection's port
	}{
		{"none", nil, 403, "127.0.0.1|127.0.0.1|127.0.0.1|PEER|-|-|-|127.0.0.1|403"},
		{"chain", []string{"203.0.113.5, 198.51.100.7, 10.1.1.1"}, 200,
			"203.0.113.5|203.0.113.5|127.0.0.1|0|-|198.51.100.7|198.51.100.7|203.0.113.5|200"},
		{"external presents private", []string{"10.2.2.2, 198.51.100.7, 10.1.1.1"}, 403,
			"198.51.100.7|198.51.100.7|127.0.0.1|0|10.2.2.2|-|-|198.51.100.7|403"},
		{"unparsable", []string{"1.2.3.4 , junk  , 198.51.100.7"}, 403,
			"198.51.100.7|198.51.100.7|127.0.0.1|0|1.2.3.4 , junk|-|-|198.51.100.7|403"},
		{"two external", []string{"203.0.113.9, 198.51.100.8, 198.51.100.7"}, 200,
			"203.0.113.9|203.0.113.9|127.0.0.1|0|-|198.51.100.7, 198.51.100.8|198.51.100.7, 198.51.100.8|203.0.113.9|200"},
		{"untrusted presenter", []string{"203.0.113.5, 192.0.2.1"}, 403,
			"192.0.2.1|192.0.2.1|127.0.0.1|0|203.0.113.5|-|-|192.0.2.1|403"},
		{"mapped", []string{"::ffff:203.0.113.5"}, 200,
			"203.0.113.5|203.0.113.5|127.0.0.1|0|-|-|-|203.0.113.5|200"},
		{"ipv6", []string{"2001:db8::1"}, 403,
			"2001:db8::1|2001:db8::1|127.0.0.1|0|-|-|-|2001:db8::1|403"},
		{"with port", []string{"203.0.113.5:1234"}, 403,
			"127.0.0.1|127.0.0.1|127.0.0.1|PEER|203.0.113.5:1234|-|-|127.0.0.1|403"},
		// A client's own line, then the one its proxy added: the list is
		// "203.0.113.5, 192.0.2.1", and the client does not get in.
		{"lines", []string{"203.0.113.5", "192.0.2.1"}, 403,
			"192.0.2.1|192.0.2.1|127.0.0.1|0|203.0.113.5|-|-|192.0.2.1|403"},
	}
	want := map[string]string{}
	for i, tt := range tests {
		c := s.open(t)
		var req strings.Builder
		req.WriteString("GET /priv/?" + strconv.Itoa(i) + " HTTP/1.1\r\nHost: localhost\r\n")
		for _, f := range tt.fields {
			req.WriteString("X-Forwarded-For: " + f + "\r\n")
		}
		req.WriteString("Connection: close\r\n\r\n")
		resp, _ := c.roundTrip(req.String(), "GET")
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.status)
		}
		_, port, _ := net.SplitHostPort(c.LocalAddr().String())
		want["?"+strconv.Itoa(i)] = strings.ReplaceAll(tt.want, "PEER", port)
		c.Close()
	}

	// The scoreboard shows the client mod_remoteip found.
	c := s.open(t)
	c.roundTrip("GET /priv/ HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-For: 203.0.113.77\r\n\r\n", "GET")
	snap := s.readScoreboard(t)
	seen := false
	for i := range snap.Workers {
		if bytes.Equal(bytes.TrimRight(snap.Workers[i].Client[:], "\x00"), []byte("203.0.113.77")) {
			seen = true
		}
	}
	if !seen {
		t.Errorf("no scoreboard slot shows client 203.0.113.77")
	}
	c.Close()
	s.stop(t)

	checkKeyedLog(t, s.logFile("rip_log"), want, false, true)
	errs := s.logFile("error_log")
	expectContains(t, "error_log", errs,
		"[client 2001:db8::1:0] AH01630: client denied by server configuration",
		"[client 192.0.2.1:0] AH01630",
		// remoteip:debug shows why an address was not taken.
		"[remoteip:debug]",
		"AH01568: RemoteIP: Header X-Forwarded-For value of junk cannot be parsed as a client IP",
		"AH01569: RemoteIP: Header X-Forwarded-For value of 10.2.2.2 appears to be a private IP or nonsensical.  Ignored")
	if strings.Contains(errs, ":debug] ") && strings.Count(errs, ":debug] ") != strings.Count(errs, "[remoteip:debug]") {
		t.Errorf("debug lines of other modules than remoteip:\n%s", errs)
	}
}

// TestRemoteIPWithoutProxies: with RemoteIPHeader alone every peer is a
// trusted external proxy, as in Apache: a public address is taken, a
// private one ignored.
func TestRemoteIPWithoutProxies(t *testing.T) {
	s := startServer(t, "RemoteIPHeader X-Forwarded-For\nLogFormat \"%a %{X-Forwarded-For}i\" ra\nCustomLog logs/ra_log ra\n",
		map[string]string{"a.txt": "a\n"})
	for _, xff := range []string{"10.0.0.1", "203.0.113.5", "127.0.0.1, 198.51.100.1"} {
		c := s.open(t)
		c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\nX-Forwarded-For: "+xff+"\r\nConnection: close\r\n\r\n", "GET")
		c.Close()
	}
	s.stop(t)
	got := strings.Split(strings.TrimSpace(s.logFile("ra_log")), "\n")
	want := []string{"127.0.0.1 10.0.0.1", "203.0.113.5 -", "198.51.100.1 127.0.0.1"}
	slices.Sort(got)
	slices.Sort(want)
	if strings.Join(got, "\n") != strings.Join(want, "\n") {
		t.Errorf("log:\n%s\nwant:\n%s", strings.Join(got, "\n"), strings.Join(want, "\n"))
	}
	if w := "RemoteIPHeader X-Forwarded-For without RemoteIPTrustedProxy or RemoteIPInternalProxy"; !strings.Contains(s.proc.Stderr.String(), w) {
		t.Errorf("start-up output lacks the warning %q", w)
	}
}
