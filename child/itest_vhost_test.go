package child_test

import (
	"fmt"
	"strings"
	"testing"

	"eventmpm/internal/itest"
)

// vhostConf has two name-based virtual hosts on every address: the first
// (the base server of every connection) with a short request line limit
// and keep-alive timeout, the second with generous ones.
const vhostConf = `<VirtualHost *>
    ServerName first.example
    DocumentRoot htdocs/first
    LimitRequestLine 200
    KeepAliveTimeout 1
</VirtualHost>
<VirtualHost *>
    ServerName second.example
    DocumentRoot htdocs/second
    LimitRequestLine 8190
    KeepAliveTimeout 30
</VirtualHost>
<Directory htdocs/first>
    Require all granted
</Directory>
<Directory htdocs/second>
    Require all granted
</Directory>
`

// TestVirtualHosts: requests go to the virtual host their Host names (the
// first one when none matches), and what Apache decides with the
// connection's base server (the first virtual host of its address) before
// or regardless of the Host header comes from that one:
// LimitRequestLine and KeepAliveTimeout, as Apache's manual says for
// name-based hosts.
func TestVirtualHosts(t *testing.T) {
	s := startServer(t, vhostConf, map[string]string{
		"first/index.html":  "first\n",
		"second/index.html": "second\n",
	})
	t.Run("routing", func(t *testing.T) {
		for host, want := range map[string]string{"first.example": "first\n", "SECOND.example": "second\n", "other.example": "first\n"} {
			c := s.open(t)
			resp, body := c.roundTrip("GET / HTTP/1.1\r\nHost: "+host+"\r\n\r\n", "GET")
			if resp.StatusCode != 200 || body != want {
				t.Errorf("Host %s: got %d %q, want 200 %q", host, resp.StatusCode, body, want)
			}
			c.Close()
		}
	})
	t.Run("LimitRequestLine of the base server", func(t *testing.T) {
		expectBaseLineLimit(t, s, "second.example")
	})
	t.Run("KeepAliveTimeout of the base server", func(t *testing.T) {
		c := s.open(t)
		defer c.Close()
		resp, _ := c.roundTrip("GET / HTTP/1.0\r\nHost: second.example\r\nConnection: keep-alive\r\n\r\n", "GET")
		if got := resp.Header.Get("Keep-Alive"); !strings.HasPrefix(got, "timeout=1") {
			t.Errorf("Keep-Alive header for second.example: %q, want timeout=1 (the first host's)", got)
		}
		c.expectClosed() // within ioWait (10 s): the second host's 30 s would fail it
	})
}

// nameFiles gives each virtual host of the selection tests a page that
// names it.
var nameFiles = map[string]string{
	"first/index.html":  "first\n",
	"second/index.html": "second\n",
	"star/index.html":   "star\n",
	"ip/index.html":     "ip\n",
	"ip2/index.html":    "ip2\n",
}

// getHost asks for / with Host host on a new connection (HTTP/1.0 without
// Host when host is "") and returns the body, which names the virtual host.
func getHost(t *testing.T, s *server, host string) string {
	t.Helper()
	c := s.open(t)
	defer c.Close()
	req := "GET / HTTP/1.0\r\n\r\n"
	if host != "" {
		req = "GET / HTTP/1.1\r\nHost: " + host + "\r\nConnection: close\r\n\r\n"
	}
	resp, body := c.roundTrip(req, "GET")
	if resp.StatusCode != 200 {
		t.Errorf("Host %q: got %d, want 200", host, resp.StatusCode)
	}
	return body
}

// TestVirtualHostNames: Host is matched against ServerName and ServerAlias
// as Apache's matches_aliases does: case-insensitively, with "*" and "?"
// as wildcards in a ServerAlias (ap_strcasecmp_match), without the port
// and without a final dot (fix_hostname; two final dots are 400 there, as
// in Apache, see TestParseHostForms).
func TestVirtualHostNames(t *testing.T) {
	t.Parallel()
	s := startServer(t, `<VirtualHost *:{{PORT}}>
    ServerName first.example
    DocumentRoot htdocs/first
</VirtualHost>
<VirtualHost *:{{PORT}}>
    ServerName second.example
    ServerAlias *.wild.example w?.other.example
    DocumentRoot htdocs/second
</VirtualHost>
`, nameFiles)
	port := fmt.Sprint(s.root.Port)
	for _, tc := range []struct{ host, want string }{
		{"a.wild.example", "second"},
		{"x.y.wild.example", "second"},
		{"A.Wild.Example:" + port, "second"},
		{"wild.example", "first"}, // "*." needs something before the dot
		{"w1.other.example", "second"},
		{"w12.other.example", "first"},
		{"second.example.", "second"},
		{"SECOND.example.:" + port, "second"},
		{"a.wild.example.", "second"},
		{"first.example.", "first"},
	} {
		if got := getHost(t, s, tc.host); got != tc.want+"\n" {
			t.Errorf("Host %q: got %q, want %q", tc.host, got, tc.want+"\n")
		}
	}
}

// TestVirtualHostAddressPrecedence: a <VirtualHost> named by the
// connection's IP address beats the "*" ones on its port, whatever their
// order in the file, as in Apache: only the IP-specific hosts are
// candidates for Host, the first of them is the default and the
// connection's base server (its LimitRequestLine applies before Host is
// read). With the listener bound to 127.0.0.1 and to every address (when
// the local address comes from the connection).
func TestVirtualHostAddressPrecedence(t *testing.T) {
	t.Parallel()
	const vhosts = `<VirtualHost *:{{PORT}}>
    ServerName star.example
    DocumentRoot htdocs/star
</VirtualHost>
<VirtualHost 127.0.0.1:{{PORT}}>
    ServerName ip.example
    DocumentRoot htdocs/ip
    LimitRequestLine 200
</VirtualHost>
<VirtualHost 127.0.0.1:{{PORT}}>
    ServerName ip2.example
    DocumentRoot htdocs/ip2
</VirtualHost>
`
	for _, tc := range []struct{ name, listen string }{
		{"listen 127.0.0.1", "Listen 127.0.0.1:{{PORT}}"},
		{"listen any address", "Listen {{PORT}}"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			conf := strings.Replace(baseConf, "Listen 127.0.0.1:{{PORT}}", tc.listen, 1)
			s := runServer(t, itest.NewRoot(t, conf+vhosts, nameFiles))
			for _, h := range []struct{ host, want string }{
				{"ip.example", "ip"},
				{"ip2.example", "ip2"},
				{"star.example", "ip"}, // not a candidate on 127.0.0.1
				{"other.example", "ip"},
				{"", "ip"},
			} {
				if got := getHost(t, s, h.host); got != h.want+"\n" {
					t.Errorf("Host %q: got %q, want %q", h.host, got, h.want+"\n")
				}
			}
			expectBaseLineLimit(t, s, "ip2.example")
		})
	}
}

// expectBaseLineLimit asks for a 300-byte target naming host and wants 414:
// the connection's base server's LimitRequestLine (200 in these tests)
// applies, whatever host the request names.
func expectBaseLineLimit(t *testing.T, s *server, host string) {
	t.Helper()
	c := s.open(t)
	defer c.Close()
	long := "/" + strings.Repeat("a", 300)
	resp, _ := c.roundTrip("GET "+long+" HTTP/1.1\r\nHost: "+host+"\r\n\r\n", "GET")
	if resp.StatusCode != 414 {
		t.Errorf("a 300-byte target for %s: got %d, want 414 (the base server's LimitRequestLine 200)", host, resp.StatusCode)
	}
}

// TestStrictHostCheck: with StrictHostCheck On in the connection's
// default server, a Host that names none of the chosen server's names
// gets 400 and AH10157; a virtual host's own setting decides for the
// connections it is the default of; an HTTP/1.0 request without Host
// passes, as Apache 2.4.71 answered.
func TestStrictHostCheck(t *testing.T) {
	s := startServer(t, "StrictHostCheck On\n<VirtualHost *>\n    ServerName a.test\n</VirtualHost>\n"+
		"<VirtualHost *>\n    ServerName b.test\n    ServerAlias *.b.test\n</VirtualHost>\n", map[string]string{"a.txt": "a\n"})
	for _, tt := range []struct {
		host   string
		status int
	}{{"a.test", 200}, {"x.b.test", 200}, {"A.TEST.:80", 200}, {"c.test", 400}, {"localhost", 400}, {"", 200}} {
		c := s.open(t)
		req := "GET /a.txt HTTP/1.1\r\nHost: " + tt.host + "\r\n\r\n"
		if tt.host == "" {
			req = "GET /a.txt HTTP/1.0\r\n\r\n"
		}
		if resp, _ := c.roundTrip(req, "GET"); resp.StatusCode != tt.status {
			t.Errorf("Host %q: %d, want %d", tt.host, resp.StatusCode, tt.status)
		}
		c.Close()
	}
	s.stop(t)
	expectContains(t, "error_log", s.logFile("error_log"),
		"AH10157: Requested hostname 'c.test' did not match any ServerName/ServerAlias in the matching virtual host (default vhost for current connection is ")
}
