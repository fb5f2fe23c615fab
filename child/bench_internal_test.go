package child

import (
	"bytes"
	"crypto/tls"
	"crypto/x509"
	"eventmpm/internal/itest"
	"net"
	"net/http"
	"net/http/fcgi"
	"net/http/httptest"
	"path/filepath"
	"testing"

	"eventmpm/child/http1"

	"golang.org/x/sys/unix"
)

// BenchmarkResponseHead measures the head of a static 200 response: status
// line, Date, Server, the static handler's headers, Content-Length.
func BenchmarkResponseHead(b *testing.B) {
	benchHead(b, "", false)
}

// benchHead builds a static 200's head b.N times with the configuration
// conf added, and, with rewrite, runs the Header/Expires rewrite over it.
// It returns the last head.
func benchHead(b *testing.B, conf string, rewrite bool) []byte {
	tc := newTestChild(b, "Listen 127.0.0.1:80\nDocumentRoot htdocs\n"+conf, nil)
	w := tc.w
	c := newConn(-1, testListener, testListener.local)
	w.srv = tc.ch.main
	w.req.KeepAlive = true
	w.req.ProtoMinor = 1
	hdr := []byte("Last-Modified: Wed, 25 Nov 2026 19:34:32 GMT\r\nETag: \"18b-6611eea9015a2\"\r\nAccept-Ranges: bytes\r\nContent-Type: text/html\r\n")
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		h := w.startHead(c, 200, true)
		h = append(h, hdr...)
		h = http1.AppendHeaderInt(h, "Content-Length", 1024)
		w.head = append(h, "\r\n"...)
		if rewrite {
			w.rewriteHead(200)
		}
	}
	b.SetBytes(int64(len(w.head)))
	return w.head
}

// BenchmarkHandOff measures one round of the worker hand-off with no
// system call (the connection is a registered socketpair end that is never
// read): the event goroutine dispatches an idle keep-alive connection
// through the hand-off, a worker takes it and hands it back with the
// ownership compare-and-swap, and the event goroutine files it again.
func BenchmarkHandOff(b *testing.B) {
	tc := newTestChild(b, "Listen 127.0.0.1:80\nDocumentRoot htdocs\n", nil)
	l, w := tc.l, tc.w
	c, _ := tc.connect(b) // a real, registered socket: giveBack files it without a system call
	c.phase = phaseKeepAlive
	done := make(chan struct{})
	go func() {
		taker := newWaiter()
		for {
			c, closed := l.hand.take(&taker)
			switch {
			case closed:
				return
			case c == nil:
				<-taker.wake
				continue
			}
			w.giveBack(c, phaseKeepAlive, 1<<62)
			done <- struct{}{}
		}
	}()
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		l.dispatch(c)
		<-done
		l.drainHandbacks()
	}
	l.hand.close()
}

// BenchmarkServeKeepAlive measures a worker's whole turn for a cached 1 KiB
// file on a keep-alive connection over a socketpair: read, parse, route,
// serve, write, hand back (logging off). System calls included.
func BenchmarkServeKeepAlive(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 1024)
	tc := newTestChild(b, "Listen 127.0.0.1:80\nMaxKeepAliveRequests 0\nDocumentRoot htdocs\n",
		map[string]string{"index.html": string(body)})
	waitCacheable(b, tc.ch.main.cfg.DocumentRoot+"/index.html")
	benchTurns(b, tc, "GET /index.html HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n", body)
}

// BenchmarkServeProxy is BenchmarkServeKeepAlive for a request ProxyPass
// takes: the worker's whole turn, a 1 KiB answer from a backend on
// 127.0.0.1 over a kept-alive backend connection (net/http's client: its
// allocations are most of this path's), relayed to the client.
func BenchmarkServeProxy(b *testing.B) {
	body := bytes.Repeat([]byte("y"), 1024)
	backend := httptest.NewServer(http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { rw.Write(body) }))
	defer backend.Close()
	tc := newTestChild(b, "Listen 127.0.0.1:80\nMaxKeepAliveRequests 0\nDocumentRoot htdocs\n"+
		"LoadModule proxy_module m.so\nLoadModule proxy_http_module m.so\nProxyPass /app/ http://"+backend.Listener.Addr().String()+"/\n", nil)
	benchTurns(b, tc, "GET /app/x HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n", body)
}

// BenchmarkServeFCGI measures a request sent to a FastCGI application by
// a <FilesMatch>'s SetHandler "proxy:unix:...|fcgi://localhost" (Debian's
// php-fpm configuration) and its 1 KiB answer: the CGI environment, a
// new connection to the application's socket, the records both ways and
// the CGI response relayed. The application is the standard library's
// FastCGI server in this process, so its own cost is included.
func BenchmarkServeFCGI(b *testing.B) {
	benchFCGI(b, func(sock string) string {
		return "<FilesMatch \\.php$>\nSetHandler \"proxy:unix:" + sock + "|fcgi://localhost\"\n</FilesMatch>\n"
	})
}

// BenchmarkServeFCGIReuse is BenchmarkServeFCGI through a ProxyPassMatch
// with enablereuse=on: one kept connection to the application.
func BenchmarkServeFCGIReuse(b *testing.B) {
	benchFCGI(b, func(sock string) string {
		return "ProxyPassMatch ^/(.*\\.php)$ \"unix:" + sock + "|fcgi://localhost/srv/$1\" enablereuse=on\n"
	})
}

// benchFCGI times requests for /index.php, which the configuration lines
// conf makes for the application's socket send to the application.
func benchFCGI(b *testing.B, conf func(sock string) string) {
	body := bytes.Repeat([]byte("z"), 1024)
	sock := filepath.Join(b.TempDir(), "app.sock")
	ln, err := net.Listen("unix", sock)
	if err != nil {
		b.Fatal(err)
	}
	defer ln.Close()
	go fcgi.Serve(ln, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) { rw.Write(body) }))
	tc := newTestChild(b, "Listen 127.0.0.1:80\nMaxKeepAliveRequests 0\nDocumentRoot htdocs\n"+
		"LoadModule proxy_module m.so\nLoadModule proxy_fcgi_module m.so\n"+conf(sock), nil)
	// The application sends no length: the answer is chunked.
	benchTurns(b, tc, "GET /index.php?x=1 HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n",
		append(body, "\r\n0\r\n\r\n"...))
}

// benchTurns times b.N worker turns on one keep-alive connection over a
// socketpair: the request written, the connection served and handed
// back, the response read up to the body it ends with.
func benchTurns(b *testing.B, tc *testChild, request string, body []byte) {
	c, peer := tc.connect(b)
	pfd := int(peer.Fd())
	req := []byte(request)
	buf := make([]byte, 8192)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := unix.Write(pfd, req); err != nil {
			b.Fatal(err)
		}
		if c.q != nil {
			c.q.remove(c)
		}
		c.state.Store(stWorker)
		tc.w.serve(c)
		tc.l.drainHandbacks()
		n := 0
		for !bytes.HasSuffix(buf[:n], body) {
			m, err := unix.Read(pfd, buf[n:])
			if err != nil || m == 0 {
				b.Fatalf("read: %v", err)
			}
			n += m
		}
	}
}

// BenchmarkRewriteHead measures mod_expires and mod_headers rewriting a
// static 200's head: a by-type Expires with max-age merged into a
// Cache-Control, then four Header operations (set, append, unset, a
// formatted value), as a site with security headers and cache rules
// configures them.
func BenchmarkRewriteHead(b *testing.B) {
	head := benchHead(b, "ExpiresActive On\nExpiresByType text/html A3600\n"+
		"Header always set X-Frame-Options DENY\nHeader append Cache-Control public\nHeader unset ETag\n"+
		"Header set X-Served \"%D\"\n", true)
	if !bytes.Contains(head, []byte("Cache-Control: max-age=3600, public\r\n")) {
		b.Fatalf("head %q", head)
	}
}

// BenchmarkServeTLS is BenchmarkServeKeepAlive over TLS 1.3 (mod_ssl):
// the worker's turn decrypts the request, seals head and body and writes
// them. The client's half of the work (sealing the request, opening the
// response, with crypto/tls in this process) is in the figure too.
func BenchmarkServeTLS(b *testing.B) {
	body := bytes.Repeat([]byte("x"), 1024)
	crt, key, cert := itest.SelfSigned(b, b.TempDir(), "site", "localhost")
	tc := newTestChild(b, "LoadModule ssl_module m.so\nListen 127.0.0.1:80\nMaxKeepAliveRequests 0\nDocumentRoot htdocs\n"+
		"SSLEngine on\nSSLCertificateFile "+crt+"\nSSLCertificateKeyFile "+key+"\n", map[string]string{"index.html": string(body)})
	waitCacheable(b, tc.ch.main.cfg.DocumentRoot+"/index.html")
	c, peer := tc.connect(b)
	tc.ch.newTLSConn(c, nil) // the handshake polls: this harness runs no event loop
	pc, err := net.FileConn(peer)
	if err != nil {
		b.Fatal(err)
	}
	defer pc.Close()
	pool := x509.NewCertPool()
	pool.AddCert(cert)
	client := tls.Client(pc, &tls.Config{RootCAs: pool, ServerName: "localhost"})
	done := make(chan error, 1)
	go func() { done <- client.Handshake() }()
	turn := func() {
		if c.q != nil {
			c.q.remove(c)
		}
		c.state.Store(stWorker)
		tc.w.serve(c)
		tc.l.drainHandbacks()
	}
	for !c.tls.done { // the first turns wait for the client's hello, then shake hands
		turn()
	}
	if err := <-done; err != nil {
		b.Fatal(err)
	}
	turn() // the rest of the handshake's reads
	req := []byte("GET /index.html HTTP/1.1\r\nHost: localhost\r\nUser-Agent: bench\r\nAccept: */*\r\n\r\n")
	buf := make([]byte, 8192)
	b.ReportAllocs()
	b.ResetTimer()
	for i := 0; i < b.N; i++ {
		if _, err := client.Write(req); err != nil {
			b.Fatal(err)
		}
		turn()
		n := 0
		for !bytes.HasSuffix(buf[:n], body) {
			m, err := client.Read(buf[n:])
			if err != nil || m == 0 {
				b.Fatalf("read: %v", err)
			}
			n += m
		}
	}
}
