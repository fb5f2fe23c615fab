package child

import (
	"context"
	"crypto/rand"
	"crypto/tls"
	"crypto/x509"
	"errors"
	"fmt"
	"hash/crc32"
	"io"
	"log/slog"
	"net"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"time"

	"eventmpm/config"
	"eventmpm/internal/errorlog"
	"eventmpm/shm"

	"golang.org/x/sys/unix"
)

// This file is mod_ssl: TLS on the connections whose base server has
// SSLEngine on, with crypto/tls over the connection's raw non-blocking
// descriptor (tlsTransport). The handshake runs on a goroutine of its own,
// not a worker (where Apache's holds a thread): when it must wait for the
// client's next flight, the connection goes back to the event goroutine
// (phaseHandshake, in the handshake queue with its deadline) and the
// goroutine parks until the event goroutine wakes it, so a client that
// stalls in its handshake holds no worker. Afterwards reads and writes
// never block: a read that finds the socket empty hands the connection
// back as a plain one does, and sealed output waits in the transport for
// writability as a plain response's parts do.

// tlsConn is a connection's TLS state.
type tlsConn struct {
	tc *tls.Conn
	tr tlsTransport
	// done is set once the handshake succeeded.
	done bool
	// site is the server whose certificate the handshake used: the one
	// the client named (SNI), else the connection's base server. sni is
	// the name the client sent ("" for none).
	site *site
	sni  string
	// wake is the event goroutine's word to a parked handshake.
	wake chan hsWake
	// state is the connection's TLS state, taken once the handshake is
	// done (it does not change after: Go's server never renegotiates).
	state tls.ConnectionState
}

// hsWake is why a parked handshake was woken.
type hsWake uint8

const (
	hsReadable hsWake = iota // the client sent more
	hsTimedOut               // the handshake's deadline passed
	hsClosing                // the child stops
)

// tlsTransport is the net.Conn crypto/tls reads and writes through: the
// connection's descriptor, read directly, and a buffer of sealed bytes
// that the worker writes out (flushTLS, writeBlocking).
type tlsTransport struct {
	c  *conn
	fd int
	// prefix is input read before the handshake (after a PROXY header),
	// returned by the first reads.
	prefix []byte
	// deadline, while not 0, makes reads and writes wait (the handshake):
	// unix nanoseconds.
	deadline int64
	// loop, when set, is where a read of the handshake waits (park);
	// without it (the benchmarks' harness) it polls.
	loop *loop
	// mu guards out and off: a WebSocket tunnel writes to the client
	// from a goroutine of its own while its worker reads.
	mu  sync.Mutex
	out []byte // sealed bytes; out[off:] not yet written
	off int
	// bufs is the child's pool of sealed-output buffers: out is taken
	// from it for a response and given back once written, so an idle
	// connection holds none.
	bufs *sync.Pool
	outp *[]byte // the pool's handle of out
}

// errWouldBlock is the transport's read on an empty socket: a temporary
// net.Error, which crypto/tls does not keep as the connection's error,
// so the read can be made again once the socket is readable.
var errWouldBlock = wouldBlockError{}

type wouldBlockError struct{}

func (wouldBlockError) Error() string   { return "tls transport: read would block" }
func (wouldBlockError) Timeout() bool   { return true }
func (wouldBlockError) Temporary() bool { return true }

// Read reads the prefix, then the socket.
func (t *tlsTransport) Read(p []byte) (int, error) {
	if len(t.prefix) > 0 {
		n := copy(p, t.prefix)
		t.prefix = t.prefix[n:]
		return n, nil
	}
	for {
		n, err := readSocket(t.fd, p)
		switch {
		case n > 0:
			return n, nil
		case err == nil:
			return 0, io.EOF
		case err == unix.EINTR:
		case err == unix.EAGAIN:
			if t.deadline == 0 {
				return 0, errWouldBlock
			}
			wait := t.park
			if t.loop == nil {
				wait = func() error { return t.wait(unix.POLLIN) }
			}
			if err := wait(); err != nil {
				return 0, err
			}
		default:
			return 0, err
		}
	}
}

// Write takes sealed bytes. While the handshake waits (deadline set) they
// are written at once; otherwise they wait for the worker's flush.
func (t *tlsTransport) Write(p []byte) (int, error) {
	t.mu.Lock()
	if t.out == nil && t.bufs != nil {
		t.outp = t.bufs.Get().(*[]byte)
		t.out = (*t.outp)[:0]
	}
	t.out = append(t.out, p...)
	t.mu.Unlock()
	if t.deadline != 0 {
		for {
			err := t.writeOut()
			if err == nil {
				break
			}
			if err != unix.EAGAIN {
				return 0, err
			}
			if err := t.wait(unix.POLLOUT); err != nil {
				return 0, err
			}
		}
	}
	return len(p), nil
}

// pending reports whether sealed bytes wait to be written.
func (t *tlsTransport) pending() bool {
	t.mu.Lock()
	defer t.mu.Unlock()
	return t.off < len(t.out)
}

// writeOut writes the sealed bytes; unix.EAGAIN when the socket took
// only part of them.
func (t *tlsTransport) writeOut() error {
	t.mu.Lock()
	defer t.mu.Unlock()
	for t.off < len(t.out) {
		n, err := writeSocket(t.fd, t.out[t.off:])
		if n > 0 {
			t.off += n
			continue
		}
		if err == unix.EINTR {
			continue
		}
		if err == nil {
			err = io.ErrShortWrite
		}
		return err
	}
	t.off = 0
	if t.outp != nil && cap(t.out) <= tlsOutBufSize {
		*t.outp = t.out[:0]
		t.bufs.Put(t.outp)
	}
	t.out, t.outp = nil, nil // an idle connection keeps no buffer
	return nil
}

// park waits for the client's next bytes without holding a thread of the
// pool: the connection goes back to the event goroutine in phaseHandshake
// (registered with the poller the first time), which wakes the goroutine
// when the socket is readable, the deadline passed or the child stops,
// handing the connection back to it first.
func (t *tlsTransport) park() error {
	c, l := t.c, t.loop
	if !c.registered {
		if err := l.poller.AddConn(c.fd); err != nil {
			return err
		}
		c.registered = true
	}
	c.phase, c.deadline = phaseHandshake, t.deadline
	for {
		s := c.state.Load()
		if s&stPendIn != 0 { // readable meanwhile: read again
			c.state.Store(stWorker)
			return nil
		}
		if c.state.CompareAndSwap(s, 0) {
			break
		}
	}
	l.handBack(c)
	switch <-c.tls.wake {
	case hsTimedOut:
		return os.ErrDeadlineExceeded
	case hsClosing:
		return net.ErrClosed
	}
	return nil
}

// wakeHandshake hands a parked handshake's connection back to its
// goroutine and wakes it, saying why.
func (l *loop) wakeHandshake(c *conn, why hsWake) {
	if c.q != nil {
		c.q.remove(c)
	}
	c.state.Store(stWorker)
	c.tls.wake <- why // buffered: one wake per park
}

// wait polls for events until the deadline.
func (t *tlsTransport) wait(events int16) error {
	left := time.Duration(t.deadline - time.Now().UnixNano())
	if left <= 0 {
		return os.ErrDeadlineExceeded
	}
	return waitFD(t.fd, events, left)
}

// The rest of net.Conn: the descriptor is closed by the connection's
// owner, and deadlines are the transport's own.
func (t *tlsTransport) Close() error                     { return nil }
func (t *tlsTransport) LocalAddr() net.Addr              { return net.TCPAddrFromAddrPort(t.c.localAddrPort()) }
func (t *tlsTransport) RemoteAddr() net.Addr             { return net.TCPAddrFromAddrPort(t.c.remote) }
func (t *tlsTransport) SetDeadline(time.Time) error      { return nil }
func (t *tlsTransport) SetReadDeadline(time.Time) error  { return nil }
func (t *tlsTransport) SetWriteDeadline(time.Time) error { return nil }

// tlsPlainChunk is how much plaintext is sealed at a time (a TLS
// record's most); tlsOutHigh is how much sealed output is gathered before
// it is written.
const (
	tlsPlainChunk = 16 << 10
	tlsOutHigh    = 64 << 10
	// tlsOutBufSize is the pooled buffers' size: the records gathered up
	// to tlsOutHigh, the last one a full record with its overhead.
	tlsOutBufSize = tlsOutHigh + tlsPlainChunk + 1024
)

// siteTLS is a server's compiled mod_ssl configuration.
type siteTLS struct {
	config *tls.Config
	// compat is what mod_ssl's ssl_server_compatible compares: a request
	// for another server than the handshake's is served on the
	// connection only when both agree on it.
	compat    string
	strictSNI bool
	options   uint8 // the server's SSLOptions
	leaf      *x509.Certificate
	userName  string // SSLUserName's variable, "" for none
}

// compileTLS builds a server's TLS configuration, nil without SSLEngine
// on. The session ticket key is the supervisor's, shared by its children.
func compileTLS(ssl *config.SSL, ticketKey [32]byte) (*siteTLS, error) {
	if ssl == nil || !ssl.Engine {
		return nil, nil
	}
	st := &siteTLS{strictSNI: ssl.StrictSNI, options: ssl.Options.Merge(0)}
	cfg := &tls.Config{
		MinVersion: ssl.MinVersion, MaxVersion: ssl.MaxVersion, CipherSuites: ssl.CipherSuites,
		SessionTicketsDisabled: ssl.NoTickets, NextProtos: []string{"http/1.1"},
	}
	st.userName = ssl.UserName
	if err := clientAuth(cfg, ssl); err != nil {
		return nil, err
	}
	for _, ck := range ssl.Certs {
		cert, err := tls.X509KeyPair(ck.CertPEM, ck.KeyPEM)
		if err != nil {
			return nil, fmt.Errorf("AH02565: certificate %s: %w", ck.CertFile, err)
		}
		cfg.Certificates = append(cfg.Certificates, cert)
		if st.leaf == nil {
			st.leaf = cert.Leaf
		}
	}
	cfg.SetSessionTicketKeys([][32]byte{ticketKey})
	st.config = cfg
	st.compat = fmt.Sprintf("%x-%x %x %v %s %d %x", ssl.MinVersion, ssl.MaxVersion, ssl.CipherSuites, ssl.NoTickets,
		ssl.VerifyClient, verifyDepth(ssl), crc32.ChecksumIEEE(ssl.ClientCAs))
	return st, nil
}

// ticketKeyFor is the key the supervisor gave, or a random one (one
// process, start -X).
func ticketKeyFor(given []byte) ([32]byte, error) {
	var k [32]byte
	if len(given) == len(k) {
		copy(k[:], given)
		return k, nil
	}
	_, err := rand.Read(k[:])
	return k, err
}

// newTLSConn starts TLS on an accepted connection whose base server has
// SSLEngine on; l is the event loop its handshake waits in (nil: the
// handshake polls, on the worker).
func (ch *Child) newTLSConn(c *conn, l *loop) {
	t := &tlsConn{site: c.base}
	t.tr.c, t.tr.fd, t.tr.bufs, t.tr.loop = c, c.fd, &ch.tlsBufs, l
	if l != nil {
		t.wake = make(chan hsWake, 1)
	}
	t.tc = tls.Server(&t.tr, ch.tlsServer)
	c.tls = t
	c.stampRead = false // the first read is the handshake's
}

// tlsForHello is the handshake's choice of server (SNI): the first of the
// connection's virtual hosts with TLS that the client's name matches,
// else the base server.
func (ch *Child) tlsForHello(hello *tls.ClientHelloInfo) (*tls.Config, error) {
	tr, ok := hello.Conn.(*tlsTransport)
	if !ok {
		return nil, errors.New("tls: not an eventmpm connection")
	}
	c := tr.c
	t := c.tls
	t.sni = hello.ServerName
	if hello.ServerName == "" {
		return c.base.tls.config, nil
	}
	name := []byte(strings.ToLower(hello.ServerName))
	for _, s := range c.vhosts {
		if s.tls != nil && s.namesHost(name) {
			t.site = s
			return s.tls.config, nil
		}
	}
	return c.base.tls.config, nil
}

// tlsHandshake starts the handshake of a connection whose first bytes
// arrived, bounded by the RequestReadTimeout handshake stage's deadline
// (else Timeout). With the event loop it runs on a goroutine of its own
// and the worker lets the connection go (false); the harness of the
// benchmarks, without one, makes it here, waiting with poll. It returns
// whether to go on reading requests.
func (w *worker) tlsHandshake(c *conn) bool {
	t := c.tls
	w.setStatus(shm.BusyRead)
	if c.in != nil && c.in.len() > 0 { // after a PROXY header
		t.tr.prefix = slices.Clone(c.in.data())
		c.in.consume(c.in.len())
	}
	timeout := c.base.cfg.Timeout
	if hs := c.base.cfg.RequestReadTimeout.Handshake; hs.Timeout > 0 {
		timeout = max(hs.Timeout, hs.Max)
	}
	t.tr.deadline = time.Now().Add(timeout).UnixNano()
	if l := t.tr.loop; l != nil {
		w.cur = nil // the handshake's goroutine owns it now
		go l.handshake(c)
		return false
	}
	if !w.ch.handshake(c) {
		w.closeConn(c)
		return false
	}
	return true
}

// handshake is a handshake's goroutine: once it is over the connection
// goes to a worker at once (dispatchNow), or is closed.
func (l *loop) handshake(c *conn) {
	if !l.ch.handshake(c) {
		c.release()
		l.ch.closeFd(c.fd)
		c.state.Store(stClosed)
		l.handBack(c)
		return
	}
	c.phase, c.dispatchNow = phaseNew, true
	for {
		s := c.state.Load()
		if c.state.CompareAndSwap(s, 0) { // pending bits dropped: the worker reads anyway
			break
		}
	}
	l.handBack(c)
}

// handshake makes the TLS handshake of c and reports whether its requests
// are to be read: after a handshake that succeeded, or with mod_ssl's
// made-up request for a client that spoke plain HTTP. A handshake that
// failed is logged (info) unless the client just went away; the caller
// closes the connection.
func (ch *Child) handshake(c *conn) bool {
	t := c.tls
	err := t.tc.Handshake()
	t.tr.deadline = 0
	if err == nil {
		t.done = true
		t.state = t.tc.ConnectionState()
		c.headStarted, c.stageBytes = false, 0 // the request's stage starts with its first byte
		// The handshake may have read the first request's records along
		// with its own: read before waiting for an edge.
		c.drained = false
		return true
	}
	var rh tls.RecordHeaderError
	if errors.As(err, &rh) && isHTTPStart(rh.RecordHeader[:]) {
		// mod_ssl answers the request line it makes up, "GET /
		// HTTP/1.0", with its 400 page (and logs that line), reading
		// nothing more of what the client sent: the connection closes
		// with a lingering close.
		logConn(c, errorlog.LevelInfo, "ssl", "AH01996", "SSL handshake failed: HTTP spoken on HTTPS port; trying to send HTML error page")
		c.tls, c.plainOnTLS, c.lingerShort = nil, true, true
		if c.in == nil {
			c.in = ch.bufs.get()
		}
		c.in.consume(c.in.len())
		c.in.w += copy(c.in.free(), httpOnHTTPSPort)
		c.headStarted, c.stageStart = true, time.Now().UnixNano()
		return true
	}
	switch {
	case errors.Is(err, io.EOF), errors.Is(err, unix.ECONNRESET), errors.Is(err, net.ErrClosed):
		// The client gave up, or the child stops: nothing to report.
	case errors.Is(err, os.ErrDeadlineExceeded):
		logConn(c, errorlog.LevelInfo, "ssl", "AH01382", "Request handshake read timeout (server "+c.base.vhostID()+")")
	default:
		logConn(c, errorlog.LevelInfo, "ssl", "AH02008", "SSL library error in handshake (server "+c.base.vhostID()+"): "+err.Error())
	}
	return false
}

// logConn writes an error-log line about a connection outside any
// request (a TLS handshake's), to its base server's log.
func logConn(c *conn, level slog.Level, module, ah, text string) {
	lg := c.base.log
	if !lg.Enabled(context.Background(), level) {
		return
	}
	lg.Log(context.Background(), level, text, "module", module, "ah", ah, errorlog.Client(c.remote))
}

// isHTTPStart reports whether the first five bytes of a connection are
// an HTTP request's, as OpenSSL recognises one (SSL_R_HTTP_REQUEST):
// "GET ", "POST ", "HEAD " or "PUT ".
func isHTTPStart(b []byte) bool {
	for _, m := range []string{"GET ", "POST ", "HEAD ", "PUT "} {
		if strings.HasPrefix(string(b), m) {
			return true
		}
	}
	return false
}

// httpOnHTTPSPort is the request mod_ssl reads in place of a plain HTTP
// client's (its HTTP_ON_HTTPS_PORT).
const httpOnHTTPSPort = "GET / HTTP/1.0\r\n\r\n"

// strictSNINotes is mod_ssl's error note for a client without SNI that
// SSLStrictSNIVHostCheck refuses.
const strictSNINotes = "Reason: The client software did not provide a hostname using Server Name Indication (SNI), " +

	"which is required to access this server.<br />\n"

// plainOnTLSNotes is mod_ssl's error note for a plain HTTP request on a
// TLS port (HTML: the page shows it as is).
const plainOnTLSNotes = "Reason: You're speaking plain HTTP to an SSL-enabled server port.<br />\n" +

	" Instead use the HTTPS scheme to access this URL, please.<br />\n"

// tlsRead reads decrypted input into p as readSocket reads a plain
// connection: unix.EAGAIN when the socket has nothing more, (0, nil) at
// the end of input. Whatever the read had to send (a TLS 1.3 key update)
// goes out at once where the socket takes it.
func (t *tlsConn) read(p []byte) (int, error) {
	n, err := t.tc.Read(p)
	if t.tr.pending() {
		_ = t.tr.writeOut() // what the socket does not take goes out with the next response
	}
	switch {
	case n > 0:
		return n, nil
	case err == nil:
		return 0, unix.EAGAIN
	case errors.Is(err, errWouldBlock):
		return 0, unix.EAGAIN
	case err == io.EOF:
		return 0, nil
	}
	return 0, err
}

// flushTLS is flush for a TLS connection: the parts are sealed a record
// at a time (files read with pread: sendfile cannot encrypt) and written
// from the transport's buffer. On EAGAIN the connection waits for
// writability as a plain one does, its sealed bytes kept.
func (w *worker) flushTLS(c *conn) flushResult {
	t := c.tls
	for {
		if t.tr.pending() {
			switch err := t.tr.writeOut(); err {
			case nil:
			case unix.EAGAIN:
				if w.pend(c) {
					return flushPending
				}
				continue
			default:
				return flushFailed
			}
		}
		if len(c.out.parts) == 0 {
			return flushDone
		}
		for len(c.out.parts) > 0 && len(t.tr.out) < tlsOutHigh {
			plain, err := w.gatherPlain(c)
			if err != nil {
				return flushFailed
			}
			if len(plain) == 0 {
				continue
			}
			if _, err := t.tc.Write(plain); err != nil {
				return flushFailed
			}
		}
	}
}

// gatherPlain takes up to a record's worth of plaintext from the front of
// the parts, reading file parts, into the worker's buffer.
func (w *worker) gatherPlain(c *conn) ([]byte, error) {
	if w.tlsPlain == nil {
		w.tlsPlain = make([]byte, tlsPlainChunk)
	}
	buf := w.tlsPlain[:0]
	for len(c.out.parts) > 0 && len(buf) < cap(buf) {
		p := &c.out.parts[0]
		if p.file == nil {
			n := copy(buf[len(buf):cap(buf)], p.data)
			buf = buf[:len(buf)+n]
			if p.data = p.data[n:]; len(p.data) == 0 {
				c.out.parts = c.out.parts[1:]
			}
			continue
		}
		if p.n == 0 {
			c.out.parts = c.out.parts[1:]
			continue
		}
		room := int(min(int64(cap(buf)-len(buf)), p.n))
		m, err := unix.Pread(p.file.Fd(), buf[len(buf):len(buf)+room], p.off)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if m == 0 {
			c.out.cutShort() // the file shrank: close after what was sent
			return buf, nil
		}
		buf = buf[:len(buf)+m]
		p.off += int64(m)
		if p.n -= int64(m); p.n == 0 {
			c.out.parts = c.out.parts[1:]
		}
	}
	return buf, nil
}

// writeBlockingTLS is writeWaiting for a TLS connection.
func (w *worker) writeBlockingTLS(c *conn, b []byte, timeout time.Duration, wait fdWaiter) error {
	t := c.tls
	if _, err := t.tc.Write(b); err != nil {
		return err
	}
	for {
		err := t.tr.writeOut()
		if err != unix.EAGAIN {
			return err
		}
		if err := wait(c.fd, unix.POLLOUT, timeout); err != nil {
			return err
		}
	}
}

// closeNotify sends TLS's close_notify alert before the connection is
// shut down, where the socket takes it at once (mod_ssl's shutdown).
func (t *tlsConn) closeNotify() {
	if !t.done {
		return
	}
	_ = t.tc.CloseWrite()
	_ = t.tr.writeOut()
}

// misdirected answers a request whose server is not the one the
// handshake chose, as mod_ssl's ssl_hook_ReadReq: without SNI, 403 where
// SSLStrictSNIVHostCheck is on in the request's server or the
// connection's base server (AH02033); with SNI, 421 when the two servers'
// TLS settings differ, or the request's has none (AH02032). It reports
// whether it answered.
func (w *worker) misdirected(c *conn, keep bool) bool {
	t := c.tls
	if t.sni == "" {
		if !c.base.tls.strictSNI && (w.srv.tls == nil || !w.srv.tls.strictSNI) {
			return false
		}
		w.logError(c, errorlog.LevelInfo, "ssl", "AH02033", "No hostname was provided via SNI for a name based virtual host", nil, "")
		w.pageNotes = strictSNINotes
		w.errorResponse(c, 403, nil, keep)
		return true
	}
	if w.srv.tls != nil && w.srv.tls.compat == t.site.tls.compat {
		return false
	}
	w.logError(c, errorlog.LevelError, "ssl", "AH02032", "Hostname "+t.sni+" provided via SNI and hostname ",
		config.TrimHost(w.req.Host), " provided via HTTP have no compatible SSL setup")
	w.errorResponse(c, 421, nil, keep)
	return true
}

// readClient reads the client's input past the request head (a body, a
// tunnel's bytes) as readSocket does, through TLS on a TLS connection.
func (w *worker) readClient(c *conn, p []byte) (int, error) {
	if c.tls != nil {
		return c.tls.read(p)
	}
	return readSocket(c.fd, p)
}

// vhostID is mod_ssl's name of a server in its messages (ssl_util_vhostid):
// ServerName and the port it names, else 443.
func (s *site) vhostID() string {
	port := s.cfg.Port
	if port == 0 {
		port = 443
	}
	return s.cfg.ServerName + ":" + strconv.Itoa(port)
}

// verifyDepth is SSLVerifyDepth, mod_ssl's default 1 when not set.
func verifyDepth(ssl *config.SSL) int {
	if ssl.VerifyDepth != nil {
		return *ssl.VerifyDepth
	}
	return 1
}

// clientAuth sets SSLVerifyClient's request for a client certificate:
// require and optional verify it against SSLCACertificateFile's CAs, with
// at most SSLVerifyDepth CA certificates above it; optional_no_ca asks
// for one and checks nothing (SSL_CLIENT_VERIFY says GENEROUS).
func clientAuth(cfg *tls.Config, ssl *config.SSL) error {
	switch ssl.VerifyClient {
	case "":
		return nil
	case "optional_no_ca":
		cfg.ClientAuth = tls.RequestClientCert
		return nil
	case "require":
		cfg.ClientAuth = tls.RequireAndVerifyClientCert
	default:
		cfg.ClientAuth = tls.VerifyClientCertIfGiven
	}
	cfg.ClientCAs = x509.NewCertPool()
	if !cfg.ClientCAs.AppendCertsFromPEM(ssl.ClientCAs) {
		return errors.New("SSLCACertificateFile holds no certificate")
	}
	depth := verifyDepth(ssl)
	cfg.VerifyConnection = func(cs tls.ConnectionState) error {
		for _, chain := range cs.VerifiedChains {
			if len(chain)-1 <= max(depth, 0) || len(chain) == 1 {
				return nil
			}
		}
		if len(cs.VerifiedChains) > 0 {
			return fmt.Errorf("the client's certificate chain is longer than SSLVerifyDepth %d allows", depth)
		}
		return nil
	}
	return nil
}
