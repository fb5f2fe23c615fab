package child_test

import (
	"strings"
	"testing"
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
		c := s.open(t)
		defer c.Close()
		long := "/" + strings.Repeat("a", 300)
		resp, _ := c.roundTrip("GET "+long+" HTTP/1.1\r\nHost: second.example\r\n\r\n", "GET")
		if resp.StatusCode != 414 {
			t.Errorf("a 300-byte target for second.example: got %d, want 414 (the first host's LimitRequestLine 200)", resp.StatusCode)
		}
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
