package supervisor_test

import (
	"crypto/tls"
	"crypto/x509"
	"fmt"
	"io"
	"net"
	"strings"
	"testing"
	"time"

	"eventmpm/internal/itest"
)

// TestTLSAcrossChildren: with the supervisor, a TLS port's certificate
// and key reach the children with the configuration (read once by the
// parent), and the session ticket key is the supervisor's: a client's
// session resumes on any child, also on the children of the generation a
// graceful restart starts, which never saw the first handshake.
func TestTLSAcrossChildren(t *testing.T) {
	dir := t.TempDir()
	crt, key, cert := itest.SelfSigned(t, dir, "site", "localhost")
	tlsPort := itest.FreePort(t)
	s := startServer(t, fmt.Sprintf(`LoadModule ssl_module modules/mod_ssl.so
Listen 127.0.0.1:%d
<VirtualHost *:%d>
    ServerName localhost
    SSLEngine on
    SSLCertificateFile %s
    SSLCertificateKeyFile %s
</VirtualHost>
`, tlsPort, tlsPort, crt, key), nil)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	cfg := &tls.Config{RootCAs: pool, ServerName: "localhost", ClientSessionCache: tls.NewLRUClientSessionCache(8)}
	addr := fmt.Sprintf("127.0.0.1:%d", tlsPort)
	get := func(what string) bool {
		t.Helper()
		c, err := tls.DialWithDialer(&net.Dialer{Timeout: ioWait}, "tcp", addr, cfg)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(ioWait))
		fmt.Fprint(c, "GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
		b, err := io.ReadAll(c) // the answer, and the session ticket before it (TLS 1.3)
		if err != nil || !strings.Contains(string(b), indexBody) {
			t.Fatalf("%s: %v %q", what, err, b)
		}
		return c.ConnectionState().DidResume
	}
	if get("first connection") {
		t.Error("first connection resumed a session")
	}
	for i := range 4 {
		if !get(fmt.Sprintf("connection %d", i+2)) {
			t.Errorf("connection %d: session not resumed", i+2)
		}
	}
	if r := cli(t, s.root, "graceful"); r.code != 0 {
		t.Fatalf("graceful: exit %d (%s)", r.code, r.stderr)
	}
	s.waitGeneration(1, 30*time.Second)
	itest.Eventually(t, 30*time.Second, "only generation 1's children serving", func() bool {
		for _, c := range s.children() {
			if c.gen != 1 {
				return false
			}
		}
		return true
	})
	if !get("after the graceful restart") {
		t.Error("after a graceful restart: session not resumed by the new generation's children")
	}
}
