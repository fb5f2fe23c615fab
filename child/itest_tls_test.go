package child_test

import (
	"bufio"
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/httptest"
	"os"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"eventmpm/internal/itest"
)

// tlsServer starts a server whose port speaks TLS: localhost's virtual
// host (the base server, also for 127.0.0.1) and other.test's, each with
// its own self-signed certificate, a third, also.test, with the same
// TLS settings as localhost's, and strict.test, which refuses clients
// without SNI. It returns the client settings that trust
// both certificates.
func tlsServer(t *testing.T, extra, localhostExtra string, files map[string]string) (*server, *tls.Config) {
	t.Helper()
	dir := t.TempDir()
	crt, key, cert := itest.SelfSigned(t, dir, "localhost", "localhost", "127.0.0.1", "also.test", "strict.test")
	otherCrt, otherKey, otherCert := itest.SelfSigned(t, dir, "other", "other.test")
	root := itest.NewRoot(t, baseConf+`LoadModule ssl_module modules/mod_ssl.so
LoadModule rewrite_module modules/mod_rewrite.so
SSLCertificateFile `+crt+`
SSLCertificateKeyFile `+key+`
<VirtualHost *:{{PORT}}>
    ServerName localhost
    SSLEngine on
`+localhostExtra+`
</VirtualHost>
<VirtualHost *:{{PORT}}>
    ServerName other.test
    DocumentRoot {{ROOT}}/other
    SSLEngine on
    SSLCertificateFile `+otherCrt+`
    SSLCertificateKeyFile `+otherKey+`
    SSLProtocol -all +TLSv1.2
    <Directory {{ROOT}}/other>
        Require all granted
    </Directory>
</VirtualHost>
<VirtualHost *:{{PORT}}>
    ServerName also.test
    SSLEngine on
</VirtualHost>
<VirtualHost *:{{PORT}}>
    ServerName strict.test
    SSLEngine on
    SSLStrictSNIVHostCheck on
</VirtualHost>
`+extra, files)
	if err := os.MkdirAll(root.Path("other"), 0o755); err != nil {
		t.Fatal(err)
	}
	if err := os.WriteFile(root.Path("other", "index.html"), []byte("other site\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	s := runServer(t, root)
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	pool.AddCert(otherCert)
	return s, &tls.Config{RootCAs: pool, ServerName: "localhost"}
}

// dialTLS opens a TLS connection to the server, naming sni.
func dialTLS(t *testing.T, s *server, cfg *tls.Config, sni string) *tls.Conn {
	t.Helper()
	cfg = cfg.Clone()
	cfg.ServerName = sni
	d := &net.Dialer{Timeout: ioWait}
	c, err := tls.DialWithDialer(d, "tcp", s.addr, cfg)
	if err != nil {
		t.Fatalf("TLS handshake with %s (SNI %q): %v", s.addr, sni, err)
	}
	t.Cleanup(func() { c.Close() })
	_ = c.SetDeadline(time.Now().Add(ioWait))
	return c
}

// TestTLS: mod_ssl on the event loop. Keep-alive, pipelined, large and
// ranged responses over TLS; the certificate chosen by SNI, and 421 for a
// request naming a host whose TLS settings differ; plain HTTP on the TLS
// port answered with mod_ssl's 400; self-referring redirects in https;
// HTTPS and SSL_* for <If> and mod_rewrite; sessions resumed with the
// shared ticket key; a broken handshake logged and closed.
func TestTLS(t *testing.T) {
	t.Parallel()
	big := bytes.Repeat([]byte("0123456789abcdef"), 70000) // 1.1 MB: many records, sealed as the socket drains
	s, cfg := tlsServer(t, `<If "%{HTTPS} == 'on' && %{SSL_PROTOCOL} =~ /^TLSv1\.[23]$/">
    Header set X-TLS "on"
</If>
`, `Header set X-Proto "%{SSL_PROTOCOL}s %{SSL_CLIENT_S_DN}s"
CustomLog logs/ssl_request_log "%{SSL_PROTOCOL}x %{SSL_CIPHER}x %{ssl_tls_sni}x \"%r\" %>s"
RewriteEngine on
RewriteCond %{HTTPS} =on
RewriteCond %{SSL:SSL_TLS_SNI} =localhost
RewriteRule ^/secure$ /index.html [R=302,L]
`, map[string]string{"index.html": "hello over tls\n", "big.bin": string(big), "dir/index.html": "dir\n"})

	// Three requests on one connection, the third pipelined behind the
	// second, then a 1.1 MB body and a range of it.
	c := dialTLS(t, s, cfg, "localhost")
	if st := c.ConnectionState(); st.NegotiatedProtocol != "" && st.NegotiatedProtocol != "http/1.1" {
		t.Errorf("ALPN: %q", st.NegotiatedProtocol)
	}
	br := bufio.NewReader(c)
	read := func(what string) (*http.Response, string) {
		t.Helper()
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%s: %v", what, err)
		}
		b, err := io.ReadAll(resp.Body)
		if err != nil {
			t.Fatalf("%s: body: %v", what, err)
		}
		return resp, string(b)
	}
	fmt.Fprint(c, "GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n")
	if resp, body := read("first"); resp.StatusCode != 200 || body != "hello over tls\n" || resp.Header.Get("X-TLS") != "on" ||
		resp.Header.Get("X-Proto") != "TLSv1.3 (null)" {
		t.Errorf("first: %d %q X-TLS %q X-Proto %q", resp.StatusCode, body, resp.Header.Get("X-TLS"), resp.Header.Get("X-Proto"))
	}
	fmt.Fprint(c, "GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\nHEAD /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n")
	if resp, body := read("second"); resp.StatusCode != 200 || body != "hello over tls\n" {
		t.Errorf("second: %d %q", resp.StatusCode, body)
	}
	resp, err := http.ReadResponse(br, &http.Request{Method: "HEAD"})
	if err != nil || resp.StatusCode != 200 || resp.ContentLength != int64(len("hello over tls\n")) {
		t.Fatalf("pipelined HEAD: %v %v", resp, err)
	}
	fmt.Fprint(c, "GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n")
	if resp, body := read("big"); resp.StatusCode != 200 || body != string(big) {
		t.Errorf("big: %d, %d bytes, equal %v", resp.StatusCode, len(body), body == string(big))
	}
	fmt.Fprint(c, "GET /big.bin HTTP/1.1\r\nHost: localhost\r\nRange: bytes=100000-100015\r\n\r\n")
	if resp, body := read("range"); resp.StatusCode != 206 || body != string(big[100000:100016]) {
		t.Errorf("range: %d %q", resp.StatusCode, body)
	}
	// Self-referring URLs are https (mod_dir's slash, mod_rewrite's R).
	fmt.Fprint(c, "GET /dir HTTP/1.1\r\nHost: localhost\r\n\r\n")
	if resp, _ := read("dir"); resp.StatusCode != 301 || resp.Header.Get("Location") != "https://localhost/dir/" {
		t.Errorf("dir: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}
	fmt.Fprint(c, "GET /secure HTTP/1.1\r\nHost: localhost\r\n\r\n")
	if resp, _ := read("rewrite"); resp.StatusCode != 302 || resp.Header.Get("Location") != "https://localhost/index.html" {
		t.Errorf("RewriteCond %%{HTTPS}: %d Location %q", resp.StatusCode, resp.Header.Get("Location"))
	}

	// SNI picks other.test's certificate and its site; a request there
	// for localhost, whose settings differ (SSLProtocol), is misdirected.
	o := dialTLS(t, s, cfg, "other.test")
	if st := o.ConnectionState(); st.PeerCertificates[0].Subject.CommonName != "other.test" || st.Version != tls.VersionTLS12 {
		t.Errorf("SNI other.test: certificate %q, version %x", st.PeerCertificates[0].Subject.CommonName, st.Version)
	}
	expectAnswers(t, "SNI other.test", o, "GET /index.html HTTP/1.1\r\nHost: other.test\r\n\r\nGET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n",
		answer{200, "other site\n"}, answer{421, "Server Name Indication"})
	// also.test shares localhost's settings: served on localhost's
	// connection, as mod_ssl's compatible servers are.
	fmt.Fprint(c, "GET /index.html HTTP/1.1\r\nHost: also.test\r\n\r\n")
	if resp, _ := read("also.test"); resp.StatusCode != 200 {
		t.Errorf("also.test on localhost's connection: %d", resp.StatusCode)
	}

	// A client without SNI (an IP address names no server) reaches the
	// base server, but not strict.test (SSLStrictSNIVHostCheck on): 403.
	expectAnswers(t, "no SNI", dialTLS(t, s, cfg, "127.0.0.1"), "GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\nGET /index.html HTTP/1.1\r\nHost: strict.test\r\n\r\n",
		answer{200, "hello over tls"},
		answer{403, "Reason: The client software did not provide a hostname using Server Name Indication (SNI), which is required to access this server.<br />"})

	// A second connection resumes the first one's session.
	rc := cfg.Clone()
	rc.ClientSessionCache = tls.NewLRUClientSessionCache(4)
	for i := range 2 {
		r := dialTLS(t, s, rc, "localhost")
		fmt.Fprint(r, "GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
		got, _ := io.ReadAll(r) // reading the answer takes the session ticket in (TLS 1.3)
		if !strings.Contains(string(got), "hello over tls") {
			t.Errorf("connection %d: %q", i, got)
		}
		if resumed := r.ConnectionState().DidResume; resumed != (i == 1) {
			t.Errorf("connection %d: resumed %v", i, resumed)
		}
	}

	// Plain HTTP on the TLS port: mod_ssl's 400, and the connection closed.
	out, closed := s.exchange(t, "GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n", ioWait)
	if !strings.HasPrefix(out, "HTTP/1.1 400 Bad Request\r\n") || !strings.Contains(out, "Reason: You're speaking plain HTTP to an SSL-enabled server port.<br />\n Instead use the HTTPS scheme to access this URL, please.<br />") || !closed {
		t.Errorf("plain HTTP on the TLS port (closed %v):\n%s", closed, out)
	}
	// A broken handshake is logged (info) and closed.
	out, closed = s.exchange(t, "\x16\x03\x01\x00\x05hello", ioWait)
	if !closed || strings.Contains(out, "HTTP/") {
		t.Errorf("broken handshake: closed %v, %q", closed, out)
	}
	itest.Eventually(t, ioWait, "the handshake failure in the error log", func() bool {
		log := s.logFile("error_log")
		return strings.Contains(log, "[ssl:info]") && strings.Contains(log, "AH02008: SSL library error in handshake (server localhost:443): tls:") &&
			strings.Contains(log, "AH01996: SSL handshake failed: HTTP spoken on HTTPS port")
	})
	if log := s.logFile("error_log"); !strings.Contains(log, "AH02032: Hostname other.test provided via SNI and hostname localhost provided via HTTP have no compatible SSL setup") {
		t.Errorf("no AH02032 for the misdirected request in\n%s", log)
	}
	// mod_ssl's %{...}x in the access log; "-" for the plain request.
	itest.Eventually(t, ioWait, "the plain request's line in ssl_request_log", func() bool {
		return strings.Contains(s.logFile("ssl_request_log"), "- - - \"GET / HTTP/1.0\" 400\n") // mod_ssl's made-up request line
	})
	log := s.logFile("ssl_request_log")
	if !regexp.MustCompile(`(?m)^TLSv1\.3 TLS_(AES_128_GCM_SHA256|AES_256_GCM_SHA384|CHACHA20_POLY1305_SHA256) localhost "GET /index.html HTTP/1.1" 200$`).MatchString(log) {
		t.Errorf("no TLS request line in ssl_request_log:\n%s", log)
	}
}

// TestTLSCGI: a CGI program on a TLS connection gets HTTPS=on, and the
// SSL_* variables where SSLOptions +StdEnvVars applies.
func TestTLSCGI(t *testing.T) {
	t.Parallel()
	s, cfg := tlsServer(t, `LoadModule cgid_module modules/mod_cgid.so
ScriptAlias /cgi-bin/ {{ROOT}}/htdocs/cgi/
ScriptAlias /std/ {{ROOT}}/htdocs/cgi/
<Location /std/>
    SSLOptions +StdEnvVars +ExportCertData
</Location>
`, "", map[string]string{"cgi/env.cgi": "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\nenv\n",
		"cgi/count.cgi": "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\nwc -c\n"})
	for _, f := range []string{"env.cgi", "count.cgi"} {
		if err := os.Chmod(s.root.Path("htdocs", "cgi", f), 0o755); err != nil {
			t.Fatal(err)
		}
	}
	get := func(path string) string {
		c := dialTLS(t, s, cfg, "localhost")
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", path)
		b, _ := io.ReadAll(c)
		return string(b)
	}
	plain := get("/cgi-bin/env.cgi")
	expectContains(t, "/cgi-bin/env.cgi", plain, "\nHTTPS=on\n", "\nREQUEST_SCHEME=https\n")
	if strings.Contains(plain, "SSL_PROTOCOL") {
		t.Errorf("SSL_* without StdEnvVars:\n%s", plain)
	}
	// A body larger than a TLS record reaches the program whole.
	c := dialTLS(t, s, cfg, "localhost")
	body := strings.Repeat("b", 100000)
	go fmt.Fprintf(c, "POST /cgi-bin/count.cgi HTTP/1.1\r\nHost: localhost\r\nContent-Length: %d\r\nConnection: close\r\n\r\n%s", len(body), body)
	got, _ := io.ReadAll(c)
	if !strings.Contains(string(got), " 200 OK\r\n") || !strings.Contains(string(got), "\r\n100000\n") {
		t.Errorf("POST of 100000 bytes over TLS to a CGI program:\n%s", got)
	}
	std := get("/std/env.cgi")
	expectContains(t, "/std/env.cgi", std, "\nHTTPS=on\n", "\nSSL_PROTOCOL=TLSv1.3\n", "\nSSL_TLS_SNI=localhost\n",
		"\nSSL_CIPHER=TLS_", "\nSSL_SESSION_RESUMED=Initial\n", "\nSSL_SERVER_S_DN=CN=localhost,O=eventmpm tests\n", "\nSSL_SERVER_A_KEY=id-ecPublicKey\n",
		"\nSSL_SERVER_CERT=-----BEGIN CERTIFICATE-----\n")
}

// TestTLSWebSocket: a WebSocket over TLS (wss://) tunnelled to a ws://
// backend: the backend's bytes are sealed by the tunnel's writer while
// the worker reads and opens the client's, both ways until the client
// closes.
func TestTLSWebSocket(t *testing.T) {
	t.Parallel()
	b, closed := upgradeBackend(t)
	host := strings.TrimPrefix(b.URL, "http://")
	s, cfg := tlsServer(t, proxyModules, "ProxyPass /ws ws://"+host+"/ws\n", nil)
	c := dialTLS(t, s, cfg, "localhost")
	fmt.Fprint(c, "GET /ws/chat HTTP/1.1\r\nHost: localhost\r\nUpgrade: websocket\r\nConnection: Upgrade\r\n\r\nearly")
	br := bufio.NewReader(c)
	resp, err := http.ReadResponse(br, nil)
	if err != nil || resp.StatusCode != 101 {
		t.Fatalf("101 over TLS: %v %v", resp, err)
	}
	expect := func(want string) {
		t.Helper()
		got := make([]byte, len(want))
		if _, err := io.ReadFull(br, got); err != nil || string(got) != want {
			t.Fatalf("read %q (%v), want %q", got, err, want)
		}
	}
	expect("EARLY")
	for _, m := range []string{"hello", strings.Repeat("x", 40000)} {
		fmt.Fprint(c, m)
		expect(strings.ToUpper(m))
	}
	c.Close()
	if got := <-closed; got != "client closed" {
		t.Errorf("backend: %s, want client closed", got)
	}
}

// tlsBackend runs an https backend on 127.0.0.1 with a certificate for
// names, answering with what it saw.
func tlsBackend(t *testing.T, names ...string) (addr, certFile string) {
	t.Helper()
	crt, key, _ := itest.SelfSigned(t, t.TempDir(), "backend", names...)
	pair, err := tls.LoadX509KeyPair(crt, key)
	if err != nil {
		t.Fatal(err)
	}
	b := httptest.NewUnstartedServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		fmt.Fprintf(rw, "tls=%v sni=%s host=%s path=%s body=%d\n", r.TLS != nil, r.TLS.ServerName, r.Host, r.URL.Path, len(body))
	}))
	b.TLS = &tls.Config{Certificates: []tls.Certificate{pair}}
	b.StartTLS()
	t.Cleanup(b.Close)
	return strings.TrimPrefix(b.URL, "https://"), crt
}

// TestProxyHTTPS: ProxyPass and RewriteRule [P] to https:// backends with
// SSLProxyEngine on: the backend's certificate checked as mod_ssl checks
// it (its chain with SSLProxyVerify require, its name and dates), 502
// "Error during SSL Handshake with remote server" when it fails, or when
// the backend does not speak TLS.
func TestProxyHTTPS(t *testing.T) {
	t.Parallel()
	good, goodCrt := tlsBackend(t, "localhost", "127.0.0.1")
	goodByName := strings.Replace(good, "127.0.0.1", "localhost", 1)
	wrongName, _ := tlsBackend(t, "other.test")
	plain := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { io.WriteString(rw, "plain") }))
	t.Cleanup(plain.Close)
	s := startServer(t, proxyModules+`LoadModule ssl_module modules/mod_ssl.so
LoadModule rewrite_module modules/mod_rewrite.so
Timeout 5
SSLProxyEngine on
SSLProxyVerify require
SSLProxyCACertificateFile `+goodCrt+`
ProxyPass /api/ https://`+goodByName+`/v1/
ProxyPass /wrong/ https://`+wrongName+`/
ProxyPass /plain/ https://`+strings.TrimPrefix(plain.URL, "http://")+`/
RewriteEngine on
RewriteRule ^/rw/(.*)$ https://`+good+`/rw/$1 [P]
`, nil)
	for _, tc := range []struct {
		req, want string
		code      int
	}{
		{"GET /api/x HTTP/1.1\r\nHost: localhost\r\n\r\n", "tls=true sni=localhost host=" + goodByName + " path=/v1/x body=0\n", 200},
		{"POST /api/form HTTP/1.1\r\nHost: localhost\r\nContent-Length: 5\r\n\r\nhello", "path=/v1/form body=5\n", 200},
		// An IP address is not sent as SNI (RFC 6066); the certificate
		// must still name it.
		{"GET /rw/y HTTP/1.1\r\nHost: localhost\r\n\r\n", "tls=true sni= host=" + good + " path=/rw/y", 200},
		{"GET /wrong/ HTTP/1.1\r\nHost: localhost\r\n\r\n", "Error during SSL Handshake with remote server", 502},
		{"GET /plain/ HTTP/1.1\r\nHost: localhost\r\n\r\n", "Error during SSL Handshake with remote server", 502},
	} {
		resp, body := s.open(t).roundTrip(tc.req, "GET")
		if resp.StatusCode != tc.code || !strings.Contains(body, tc.want) {
			t.Errorf("%q: %d %q, want %d with %q\n%s", tc.req, resp.StatusCode, body, tc.code, tc.want, s.logFile("error_log"))
		}
	}
	itest.Eventually(t, ioWait, "the failed handshakes in the error log", func() bool {
		log := s.logFile("error_log")
		return strings.Contains(log, "AH01097: TLS with backend "+wrongName+" failed") &&
			strings.Contains(log, "AH00898: Error during SSL Handshake with remote server returned by /plain/")
	})
}

// TestTLSClientCert: SSLVerifyClient in a <VirtualHost>. require refuses
// a handshake without a certificate its SSLCACertificateFile vouches for;
// with one, mod_ssl's SSL_CLIENT_* variables work in Require expr and
// Header, and SSLUserName names the user in the access log. optional
// lets a client without one in (SSL_CLIENT_VERIFY NONE), and a CGI
// program sees the certificate of one that sent it (StdEnvVars).
func TestTLSClientCert(t *testing.T) {
	t.Parallel()
	dir := t.TempDir()
	aliceCrt, aliceKey, _ := itest.ClientCert(t, dir, "alice", "alice")
	bobCrt, bobKey, _ := itest.ClientCert(t, dir, "bob", "bob")
	_, _, _ = itest.ClientCert(t, dir, "mallory", "mallory") // not in the CA file
	cas := filepath.Join(dir, "clients.pem")
	var pemData []byte
	for _, f := range []string{aliceCrt, bobCrt} {
		b, err := os.ReadFile(f)
		if err != nil {
			t.Fatal(err)
		}
		pemData = append(pemData, b...)
	}
	if err := os.WriteFile(cas, pemData, 0o644); err != nil {
		t.Fatal(err)
	}
	s, cfg := tlsServer(t, "", `SSLVerifyClient require
SSLCACertificateFile `+cas+`
SSLUserName SSL_CLIENT_S_DN_CN
Header always set X-Client "%{SSL_CLIENT_S_DN_CN}s %{SSL_CLIENT_VERIFY}s"
CustomLog logs/client_log "%u %{SSL_CLIENT_S_DN_CN}x %>s"
<Location /alice>
    Require expr %{SSL_CLIENT_S_DN_CN} == 'alice'
</Location>
`, map[string]string{"index.html": "hello\n", "alice/index.html": "for alice\n"})
	dial := func(crt, key string) (*tls.Conn, error) {
		c := cfg.Clone() // cfg and s are those of the server under test
		if crt != "" {
			pair, err := tls.LoadX509KeyPair(crt, key)
			if err != nil {
				t.Fatal(err)
			}
			c.Certificates = []tls.Certificate{pair}
		}
		conn, err := tls.DialWithDialer(&net.Dialer{Timeout: ioWait}, "tcp", s.addr, c)
		if err != nil {
			return nil, err
		}
		_ = conn.SetDeadline(time.Now().Add(ioWait))
		// TLS 1.3: the server's verdict on the client's certificate comes
		// with its first answer, so the handshake error shows on a read.
		fmt.Fprint(conn, "GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n")
		_, err = http.ReadResponse(bufio.NewReader(conn), nil)
		conn.Close()
		if err != nil {
			return nil, err
		}
		return tls.DialWithDialer(&net.Dialer{Timeout: ioWait}, "tcp", s.addr, c)
	}
	if _, err := dial("", ""); err == nil {
		t.Error("SSLVerifyClient require: a client without a certificate was let in")
	}
	if _, err := dial(filepath.Join(dir, "mallory.crt"), filepath.Join(dir, "mallory.key")); err == nil {
		t.Error("SSLVerifyClient require: a certificate outside SSLCACertificateFile was taken")
	}
	get := func(crt, key, path string) (int, string, string) {
		t.Helper()
		c, err := dial(crt, key)
		if err != nil {
			t.Fatalf("%s: %v", crt, err)
		}
		defer c.Close()
		_ = c.SetDeadline(time.Now().Add(ioWait))
		fmt.Fprintf(c, "GET %s HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n", path)
		resp, err := http.ReadResponse(bufio.NewReader(c), nil)
		if err != nil {
			t.Fatalf("%s %s: %v", crt, path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		return resp.StatusCode, resp.Header.Get("X-Client"), string(b)
	}
	if code, hdr, body := get(aliceCrt, aliceKey, "/alice/"); code != 200 || hdr != "alice SUCCESS" || body != "for alice\n" {
		t.Errorf("alice: %d %q %q", code, hdr, body)
	}
	if code, hdr, _ := get(bobCrt, bobKey, "/alice/"); code != 403 || hdr != "bob SUCCESS" {
		t.Errorf("bob at /alice/: %d %q, want 403", code, hdr)
	}
	itest.Eventually(t, ioWait, "the users in client_log", func() bool {
		log := s.logFile("client_log")
		return strings.Contains(log, "alice alice 200\n") && strings.Contains(log, "bob bob 403\n")
	})

	// optional: in without a certificate; with one, a CGI program sees it.
	o, ocfg := tlsServer(t, `LoadModule cgid_module modules/mod_cgid.so
ScriptAlias /cgi-bin/ {{ROOT}}/htdocs/cgi/
`, `SSLVerifyClient optional
SSLCACertificateFile `+cas+`
SSLOptions +StdEnvVars
Header always set X-Client "%{SSL_CLIENT_S_DN_CN}s %{SSL_CLIENT_VERIFY}s"
`, map[string]string{"index.html": "hello\n", "cgi/env.cgi": "#!/bin/sh\nprintf 'Content-Type: text/plain\\n\\n'\nenv\n"})
	if err := os.Chmod(o.root.Path("htdocs", "cgi", "env.cgi"), 0o755); err != nil {
		t.Fatal(err)
	}
	s, cfg = o, ocfg
	if code, hdr, _ := get("", "", "/index.html"); code != 200 || hdr != "(null) NONE" {
		t.Errorf("optional, no certificate: %d %q", code, hdr)
	}
	code, _, env := get(aliceCrt, aliceKey, "/cgi-bin/env.cgi")
	expectContains(t, fmt.Sprintf("optional, alice's certificate, CGI environment (%d)", code), env,
		"\nSSL_CLIENT_VERIFY=SUCCESS\n", "\nSSL_CLIENT_S_DN_CN=alice\n", "\nSSL_CLIENT_S_DN=CN=alice,O=eventmpm tests\n", "\nSSL_CLIENT_M_SERIAL=")
}

// TestTLSHandshakeHoldsNoWorker: clients that stall in their handshake
// (a record header and part of a hello, then nothing) wait in the event
// loop, not on workers: with four workers and ten such clients a real
// client is served while all ten are still open (were their handshakes
// on the workers, it would get one only once some had timed out), and
// RequestReadTimeout's handshake stage closes them after (AH01382).
func TestTLSHandshakeHoldsNoWorker(t *testing.T) {
	t.Parallel()
	s, cfg := tlsServer(t, "RequestReadTimeout handshake=5\n", "", map[string]string{"index.html": "hello\n"})
	var stalled []net.Conn
	for range 10 {
		c, err := net.Dial("tcp", s.addr)
		if err != nil {
			t.Fatal(err)
		}
		t.Cleanup(func() { c.Close() })
		if _, err := c.Write([]byte("\x16\x03\x01\x02\x00\x01\x00\x01\xfc\x03\x03")); err != nil { // a hello's first bytes of 512
			t.Fatal(err)
		}
		stalled = append(stalled, c)
	}
	time.Sleep(200 * time.Millisecond) // let their handshakes start first (a wait, not an assertion)
	c := dialTLS(t, s, cfg, "localhost")
	fmt.Fprint(c, "GET /index.html HTTP/1.1\r\nHost: localhost\r\nConnection: close\r\n\r\n")
	b, err := io.ReadAll(c)
	if err != nil || !strings.Contains(string(b), "hello") {
		t.Fatalf("a client behind ten stalled handshakes: %v %q", err, b)
	}
	for i, sc := range stalled {
		_ = sc.SetReadDeadline(time.Now().Add(10 * time.Millisecond))
		if _, err := sc.Read(make([]byte, 1)); !errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("stalled handshake %d was over (%v) before the real client was answered: the handshakes hold workers", i, err)
		}
	}
	for i, sc := range stalled {
		_ = sc.SetReadDeadline(time.Now().Add(ioWait))
		if n, err := sc.Read(make([]byte, 1)); n != 0 || err == nil || errors.Is(err, os.ErrDeadlineExceeded) {
			t.Errorf("stalled handshake %d: read %d, %v; want the server to close it", i, n, err)
		}
	}
	itest.Eventually(t, ioWait, "AH01382 in the error log", func() bool {
		return strings.Count(s.logFile("error_log"), "AH01382: Request handshake read timeout (server localhost:443)") == len(stalled)
	})
}

// answer is a status and a piece of the body expectAnswers wants.
type answer struct {
	code int
	body string
}

// expectAnswers writes raw (pipelined requests) on c and reads one
// response for each of wants.
func expectAnswers(t *testing.T, what string, c net.Conn, raw string, wants ...answer) {
	t.Helper()
	br := bufio.NewReader(c)
	fmt.Fprint(c, raw)
	for i, want := range wants {
		resp, err := http.ReadResponse(br, nil)
		if err != nil {
			t.Fatalf("%s, request %d: %v", what, i, err)
		}
		b, _ := io.ReadAll(resp.Body)
		if resp.StatusCode != want.code || !strings.Contains(string(b), want.body) {
			t.Errorf("%s, request %d: %d %q, want %d with %q", what, i, resp.StatusCode, b, want.code, want.body)
		}
	}
}
