package child

import (
	"bufio"
	"bytes"
	"cmp"
	"context"
	"errors"
	"io"
	"log/slog"
	"maps"
	"net"
	"net/http"
	"net/textproto"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"golang.org/x/sys/unix"

	"eventmpm/child/fcgi"
	"eventmpm/child/http1"
	"eventmpm/child/static"
	"eventmpm/config"
	"eventmpm/internal/errorlog"
	"eventmpm/shm"
)

// mod_proxy_fcgi: a section's SetHandler "proxy:unix:/run/php/php-fpm.sock|
// fcgi://localhost" (Debian's php-fpm configuration) or "proxy:fcgi://
// host:port" sends the request's file to a FastCGI application (PHP-FPM)
// once the request passed its sections and access checks, as Apache's
// handler does: the CGI environment (ap_add_common_vars, ap_add_cgi_vars,
// and the request's variables) as the parameters, the body as stdin, and
// the application's CGI response back to the client. Each request has a
// connection of its own (Apache's default for fcgi), held by the worker.

// maxFCGIChunkedBody bounds a chunked request body read whole to give the
// application its CONTENT_LENGTH, when LimitRequestBody does not.
const maxFCGIChunkedBody = 64 << 20

// fcgiBackendFor returns the backend of a "proxy:" handler: compiled with
// the site's sections, or read now for one an .htaccess file set.
func (sp *siteProxy) fcgiBackendFor(handler string) (config.FCGIBackend, error) {
	if b, ok := sp.fcgi[handler]; ok {
		return b, nil
	}
	return config.ParseProxyHandler(handler)
}

// hasCGIHandler reports whether a section (or a nested <If>) has
// SetHandler cgi-script.
func hasCGIHandler(secs []config.Section) bool {
	for i := range secs {
		if secs[i].Handler == "cgi-script" || hasCGIHandler(secs[i].Ifs) {
			return true
		}
	}
	return false
}

// isScriptHandler reports whether a request's handler runs a script: a
// FastCGI application's or a CGI program.
func isScriptHandler(h string) bool { return h == "cgi-script" || isProxyHandler(h) }

// isProxyHandler reports whether a SetHandler value is mod_proxy's.
func isProxyHandler(h string) bool {
	return len(h) > 6 && strings.EqualFold(h[:6], "proxy:")
}

// compileFCGI collects the sections' "proxy:" handlers; a site with any
// keeps request bodies unread until the handler is known, and looks for
// path info past a script's name.
//
// With mod_proxy_fcgi, mod_cgi or mod_cgid loaded (scriptModules), every
// site is ready for scripts, even without such a handler in its sections:
// an .htaccess file may set one, and a request's body must then still be
// unread when its handler is known.
func (s *site) compileFCGI(secs []config.Section, p *config.Proxy, scriptModules bool) error {
	handlers := map[string]config.FCGIBackend{}
	var collect func(secs []config.Section) error
	collect = func(secs []config.Section) error {
		for i := range secs {
			sec := &secs[i]
			if isProxyHandler(sec.Handler) {
				b, err := config.ParseProxyHandler(sec.Handler)
				if err != nil {
					return err
				}
				handlers[sec.Handler] = b
			}
			if err := collect(sec.Ifs); err != nil {
				return err
			}
		}
		return nil
	}
	if err := collect(secs); err != nil {
		return err
	}
	cgi := slices.ContainsFunc(s.aliases, func(a alias) bool { return a.cfg.CGI }) || hasCGIHandler(secs)
	if len(handlers) == 0 && !cgi && !scriptModules {
		return nil
	}
	if s.proxy == nil {
		s.proxy = &siteProxy{addHeaders: true}
	}
	s.proxy.fcgi, s.proxy.passes, s.proxy.scripts = handlers, true, true
	s.proxy.fcgiGeneric = p != nil && p.FCGIGeneric
	return nil
}

// splitPathInfo separates what follows a file in the request's file
// path (/var/www/index.php/a/b: PATH_INFO /a/b), as Apache's directory
// walk does, so that the file's sections (a <FilesMatch> on .php) apply.
// Only a path whose inner segments have a dot is looked at.
func (w *worker) splitPathInfo() {
	w.pathInfo = w.pathInfo[:0]
	fs := w.fspath
	last := bytes.LastIndexByte(fs, '/')
	if last <= 0 || bytes.IndexByte(fs[:last], '.') < 0 {
		return
	}
	var st unix.Stat_t
	if err := unix.Stat(string(fs), &st); err != unix.ENOTDIR {
		return
	}
	for i := last; i > 0; i-- {
		if fs[i] != '/' {
			continue
		}
		err := unix.Stat(string(fs[:i]), &st)
		if err == unix.ENOTDIR {
			continue
		}
		if err == nil && st.Mode&unix.S_IFMT == unix.S_IFREG {
			w.pathInfo = append(w.pathInfo, fs[i:]...)
			w.fspath = fs[:i]
		}
		return
	}
}

// serveFCGIHandler answers a request whose handler is "proxy:...fcgi://...":
// its file is the script.
func (w *worker) serveFCGIHandler(c *conn, handler string, keep bool) {
	b, err := w.srv.proxy.fcgiBackendFor(handler)
	if err != nil {
		w.logError(c, errorlog.LevelError, "proxy", "", err.Error(), nil, "")
		w.errorResponse(c, 500, nil, keep)
		return
	}
	// mod_proxy's default reverse worker (no ProxyPass defines this
	// backend) says so to the request's variables.
	w.setEnv("proxy-nokeepalive", []byte("1"))
	w.serveFCGI(c, b, string(w.fspath), keep)
}

// serveFCGIRoute answers a request a ProxyPass to fcgi:// took: the
// backend URL's path is the script (ProxyPassMatch ^/(.*\.php)$
// fcgi://127.0.0.1:9000/var/www/$1).
func (w *worker) serveFCGIRoute(c *conn, keep bool) {
	rt := w.proxyRoute
	b := config.FCGIBackend{Network: "tcp", Address: rt.cfg.Host, Host: rt.cfg.HostName}
	if rt.cfg.Socket != "" {
		b.Network, b.Address = "unix", rt.cfg.Socket
	}
	script := string(w.proxyURL[len("http://")+len(rt.cfg.HostName):])
	script, _, _ = strings.Cut(script, "?")
	w.serveFCGI(c, b, script, keep)
}

// serveFCGI sends the request to the FastCGI application b with script as
// its file, and its answer to the client.
func (w *worker) serveFCGI(c *conn, b config.FCGIBackend, script string, keep bool) {
	w.setStatus(shm.BusyWrite)
	timeout := time.Duration(w.srv.timeout)
	if w.srv.cfg.Proxy != nil && w.srv.cfg.Proxy.Timeout > 0 {
		timeout = w.srv.cfg.Proxy.Timeout
	}
	dialTimeout := timeout
	if rt := w.proxyRoute; rt != nil && rt.cfg.FCGI {
		// A ProxyPass's worker parameters: timeout= over ProxyTimeout
		// over Timeout (proxyRoute.init), connectiontimeout= to connect.
		timeout, dialTimeout = rt.timeout, cmp.Or(rt.cfg.ConnectTimeout, rt.timeout)
	}
	body, stdin, length, ok := w.scriptStdin(c)
	if !ok {
		return
	}
	defer body.finish()
	prefix := ""
	if !w.srv.proxy.fcgiGeneric {
		prefix = "proxy:fcgi://" + b.Host
	}
	params := w.fcgiParams(c, prefix, script, length)
	var pool *fcgiPool // enablereuse=on
	if rt := w.proxyRoute; rt != nil && rt.cfg.FCGI {
		pool = rt.fcgiPool
	}
	conn := pool.get()
	kept := conn != nil // reused: the application may close it as the request comes
	if conn == nil {
		var err error
		if conn, err = w.dialFCGI(b, dialTimeout); err != nil {
			w.proxyFailed(c, 503, "", nil, keep)
			return
		}
	}
	// A stop gives up the wait: the connection closes (a copy of it, as
	// conn changes when the request goes again below).
	closeOnStop := func(cn net.Conn) func() bool {
		return context.AfterFunc(w.ch.backends, func() { cn.Close() })
	}
	stopCancel := closeOnStop(conn)
	defer func() { stopCancel() }()
	written := make(chan error, 1)
	if w.fcgiReq == nil {
		w.fcgiReq, w.fcgiResp = fcgi.NewRequest(conn, pool != nil), fcgi.NewResponse(nil)
		w.fcgiHead = bufio.NewReaderSize(nil, 8<<10)
	} else {
		w.fcgiReq.Reset(conn, pool != nil) // the last request's writer is done: serveFCGI waited for it
	}
	req, resp, br := w.fcgiReq, w.fcgiResp, w.fcgiHead
	stderr := func(msg []byte) {
		w.logError(c, errorlog.LevelError, "proxy_fcgi", "AH01071", "Got error '", msg, "'")
	}
	// exchange sends the request on cn (begun with req.Reset) and readies
	// the reader of its reply.
	exchange := func(cn net.Conn) {
		go func() {
			cn.SetWriteDeadline(time.Now().Add(timeout))
			err := req.WriteParams(params)
			if err == nil {
				err = req.WriteStdin(stdin)
			}
			written <- err
		}()
		resp.Reset(newTimedReader(cn, timeout, func() { cn.Close() }))
		resp.Stderr = stderr
		br.Reset(resp)
	}
	exchange(conn)
	reusable := false // the reply was read whole: the connection may go back to the pool
	defer func() {
		if reusable {
			// The writer finishes as the reply ends, or soon after (its
			// last record may still be on its way); one that waits longer
			// has an application that did not take the whole body.
			if ok, err := receiveWithin(written, writerGrace); ok {
				if err == nil {
					pool.put(conn)
				} else {
					conn.Close()
				}
				return
			}
		}
		conn.Close()
		if body != nil {
			body.stop() // a writer waiting on the client gives up
		}
		<-written
	}()
	hdr, err := textproto.NewReader(br).ReadMIMEHeader()
	if err != nil && kept && body == nil && !resp.Started() && droppedConn(err) && w.ch.backends.Err() == nil {
		// The application closed the kept connection as the request came
		// (PHP-FPM's pm.max_requests, its idle timeout): it answered
		// nothing, and a request without a body goes again, once, on a
		// new connection, as Go's HTTP client does. Apache answers 503.
		w.logProxy(slog.LevelDebug, "proxy_fcgi", "", "FCGI: the application closed a kept connection; sending the request again on a new one", unwrapErrno(err))
		stopCancel()
		conn.Close()
		<-written
		nc, derr := w.dialFCGI(b, dialTimeout)
		if derr != nil {
			written <- nil // the deferred cleanup waits for a writer
			w.proxyFailed(c, 503, "", nil, keep)
			return
		}
		conn = nc
		stopCancel = closeOnStop(conn)
		req.Reset(conn, pool != nil)
		exchange(conn)
		hdr, err = textproto.NewReader(br).ReadMIMEHeader()
	}
	if err != nil {
		// Apache names the port the request came to, and answers a
		// script that says nothing in time 504.
		port := ":" + strconv.Itoa(w.serverPort(c)) + ":"
		var bad textproto.ProtocolError
		switch {
		case errors.Is(err, context.DeadlineExceeded):
			w.logProxy(slog.LevelError, "proxy_fcgi", "AH01075", "Error dispatching request to "+port+" (polling)", unix.ETIMEDOUT)
			w.proxyFailed(c, 504, "", nil, keep)
			return
		case errors.As(err, &bad):
			w.logProxy(slog.LevelError, "proxy_fcgi", "AH01070", "Error parsing script headers", nil)
			w.proxyFailed(c, 500, "", nil, false)
			return
		}
		w.logProxy(slog.LevelError, "proxy_fcgi", "AH01075", "Error dispatching request to "+port, unwrapErrno(err))
		w.proxyFailed(c, 503, "", nil, keep)
		return
	}
	w.scriptBody = body // the application may still read it: account decides
	w.relayScript(c, hdr, br, false, keep, timeout, func() { conn.Close() })
	reusable = pool != nil && resp.Reusable() && br.Buffered() == 0
}

// dialFCGI connects to the application b, and logs a failure as
// mod_proxy_fcgi does.
func (w *worker) dialFCGI(b config.FCGIBackend, timeout time.Duration) (net.Conn, error) {
	conn, err := (&net.Dialer{Timeout: timeout}).Dial(b.Network, b.Address)
	if err != nil {
		if b.Network == "unix" {
			w.logProxyServer(slog.LevelError, "proxy", "AH02454", "FCGI: attempt to connect to Unix domain socket "+b.Address+" ("+b.HostPort()+") failed", unwrapErrno(err))
		} else {
			w.logProxyServer(slog.LevelError, "proxy", "AH00957", "FCGI: attempt to connect to "+b.Address+" ("+b.Host+") failed", unwrapErrno(err))
		}
		w.logProxy(slog.LevelError, "proxy_fcgi", "AH01079", "failed to make connection to backend: "+b.HostName(), nil)
	}
	return conn, err
}

// droppedConn reports whether err is the application closing the
// connection: its end, or a reset (it closed with the request unread).
func droppedConn(err error) bool {
	return errors.Is(err, io.ErrUnexpectedEOF) || errors.Is(err, io.EOF) ||
		errors.Is(err, syscall.ECONNRESET) || errors.Is(err, syscall.EPIPE)
}

// writerGrace is how long a kept FastCGI connection's writer may take to
// report, once the reply ended, before the connection is given up.
const writerGrace = 100 * time.Millisecond

// receiveWithin receives from ch, waiting up to d; ok is false when
// nothing came.
func receiveWithin(ch <-chan error, d time.Duration) (ok bool, err error) {
	select {
	case err = <-ch:
		return true, err
	default:
	}
	t := time.NewTimer(d)
	defer t.Stop()
	select {
	case err = <-ch:
		return true, err
	case <-t.C:
		return false, nil
	}
}

// fcgiPool keeps the idle connections of a FastCGI route with
// enablereuse=on, as mod_proxy's connection pool of the route's worker
// (mod_proxy_fcgi opens a connection per request without it): each
// request is sent with FCGI_KEEP_CONN, and a connection whose reply was
// read whole goes back, up to max idle ones, the latest taken first. A
// connection the application closed meanwhile is found out before it is
// used, as Apache's ap_proxy_is_socket_connected does.
type fcgiPool struct {
	mu     sync.Mutex
	idle   []net.Conn
	max    int
	closed bool
}

// get takes an idle connection that is still open, nil for none (or a
// nil pool).
func (p *fcgiPool) get() net.Conn {
	if p == nil {
		return nil
	}
	for {
		p.mu.Lock()
		n := len(p.idle)
		if n == 0 {
			p.mu.Unlock()
			return nil
		}
		c := p.idle[n-1]
		p.idle[n-1] = nil
		p.idle = p.idle[:n-1]
		p.mu.Unlock()
		if stillOpen(c) {
			return c
		}
		c.Close()
	}
}

// put gives a connection back, or closes it when the pool is full or
// closed.
func (p *fcgiPool) put(c net.Conn) {
	p.mu.Lock()
	if !p.closed && len(p.idle) < p.max {
		p.idle = append(p.idle, c)
		p.mu.Unlock()
		return
	}
	p.mu.Unlock()
	c.Close()
}

// close closes the idle connections; later ones given back are closed.
func (p *fcgiPool) close() {
	p.mu.Lock()
	idle := p.idle
	p.idle, p.closed = nil, true
	p.mu.Unlock()
	for _, c := range idle {
		c.Close()
	}
}

// stillOpen reports whether an idle connection is open and has nothing
// to read: a peek that would block. The end of input (the application
// closed it) or stray bytes make it unusable.
func stillOpen(c net.Conn) bool {
	sc, ok := c.(syscall.Conn)
	if !ok {
		return false
	}
	rc, err := sc.SyscallConn()
	if err != nil {
		return false
	}
	open := false
	err = rc.Read(func(fd uintptr) bool {
		var b [1]byte
		_, _, rerr := unix.Recvfrom(int(fd), b[:], unix.MSG_PEEK|unix.MSG_DONTWAIT)
		open = rerr == unix.EAGAIN
		return true // never wait
	})
	return err == nil && open
}

// relayScript answers with a script's CGI response (a FastCGI
// application's or a CGI program's): its header fields hdr, the rest of
// its output in br, each read of which may take timeout (cancel then
// ends it). Status sets the status; without it, the script's
// Last-Modified and ETag decide the request's conditions, as
// ap_scan_script_header's ap_meets_conditions. A CGI program's Location
// without Status (mod_cgi's rule, not mod_proxy_fcgi's, which passes it
// on with a 200, as Apache 2.4.71 does) is a local redirect for a path,
// else a 302.
func (w *worker) relayScript(c *conn, hdr textproto.MIMEHeader, br io.Reader, cgi, keep bool, timeout time.Duration, cancel func()) {
	status := 200
	if s := hdr.Get("Status"); s == "" && (w.req.MethodID == http1.MethodGet || w.req.MethodID == http1.MethodHead) &&
		(hdr.Get("Last-Modified") != "" || hdr.Get("ETag") != "") {
		// A script's validators decide a conditional request, as
		// ap_scan_script_header's ap_meets_conditions does.
		lm, _ := http.ParseTime(hdr.Get("Last-Modified"))
		var etag []byte
		if e := hdr.Get("ETag"); e != "" {
			etag = []byte(e)
		}
		switch static.Preconditions(&w.req, etag, lm, w.start.Unix()) {
		case 304:
			status = 304
			for _, k := range [...]string{"Content-Type", "Content-Length", "Content-Encoding", "Content-Language"} {
				hdr.Del(k)
			}
		case 412:
			status = 412 // with the script's fields and no body, as Apache
			hdr.Del("Content-Length")
			reply := &http.Response{StatusCode: status, Header: http.Header(hdr), ContentLength: 0, Body: http.NoBody}
			w.relayResponseTimeout(c, reply, keep, timeout, cancel)
			return
		}
	} else if s != "" {
		n, err := strconv.Atoi(strings.TrimSpace(strings.SplitN(strings.TrimSpace(s), " ", 2)[0]))
		if err != nil || n < 100 || n > 999 {
			w.logProxy(slog.LevelError, "proxy_fcgi", "AH01070", "Error parsing script headers: bad Status "+s, nil)
			w.proxyFailed(c, 500, "", nil, keep)
			return
		}
		status = n
		hdr.Del("Status")
	} else if loc := hdr.Get("Location"); cgi && strings.HasPrefix(loc, "/") {
		// A local redirect response (RFC 3875 6.2.2): served once the
		// script is done (followScriptLocation). The script's fields
		// but those ap_scan_script_header takes for the response itself
		// go with the answer, as Apache keeps them in err_headers_out.
		for _, k := range slices.Sorted(maps.Keys(hdr)) {
			switch k {
			case "Location", "Content-Type", "Content-Length", "Last-Modified", "Transfer-Encoding", "Etag":
				continue
			}
			for _, v := range hdr[k] {
				w.rwCookies = append(append(append(append(w.rwCookies, k...), ": "...), v...), "\r\n"...)
			}
		}
		w.scriptLocation = loc
		return
	} else if cgi && loc != "" {
		// ap_scan_script_header: a Location without Status is a
		// redirect, answered with the server's own 302 page and the
		// script's cookies.
		w.reply.Header = w.reply.Header[:0]
		for _, v := range hdr["Set-Cookie"] {
			w.reply.Header = append(append(append(w.reply.Header, "Set-Cookie: "...), v...), "\r\n"...)
		}
		w.loc = append(w.loc[:0], loc...)
		w.sendRedirect(c, 302, w.loc, keep)
		return
	}
	cl := int64(-1)
	if v := hdr.Get("Content-Length"); v != "" {
		if n, err := strconv.ParseInt(v, 10, 64); err == nil && n >= 0 {
			cl = n
		}
	}
	reply := &http.Response{StatusCode: status, Header: http.Header(hdr), ContentLength: cl, Body: io.NopCloser(br)}
	w.relayResponseTimeout(c, reply, keep, timeout, cancel)
}

// scriptStdin prepares the request's body for a script (nil for none,
// and its reader and length): a chunked one is read whole first, the
// application learning the length from CONTENT_LENGTH. ok is false when
// the request was answered (413, a bad body); otherwise the caller
// defers body.finish.
func (w *worker) scriptStdin(c *conn) (body *proxyBody, stdin io.Reader, length int64, ok bool) {
	body, limit, ok := w.takeProxyBody(c)
	if !ok || body == nil {
		return nil, nil, w.req.ContentLength, ok
	}
	if !w.req.Chunked {
		return body, body, w.req.ContentLength, true
	}
	pre, err := body.prefetch(w.proxyPrefetch[:0], int(min(cmpPositive(limit, maxFCGIChunkedBody), maxFCGIChunkedBody))+1)
	w.proxyPrefetch = pre
	if err == nil && !body.done {
		err = http1.ErrBodyTooLarge
	}
	if err != nil {
		w.refuseProxyBody(c, err)
		body.finish()
		return nil, nil, 0, false
	}
	return body, bytes.NewReader(pre), int64(len(pre)), true
}

// cmpPositive is a when it is positive, else b.
func cmpPositive(a, b int64) int64 {
	if a > 0 {
		return a
	}
	return b
}

// timedReader reads from r, giving each read timeout: then expire runs
// (it closes the connection, kills the program), which ends the read, and
// the read fails with context.DeadlineExceeded.
type timedReader struct {
	r       io.Reader
	timeout time.Duration
	timer   *time.Timer
	expired atomic.Bool
	expire  func()
}

func newTimedReader(r io.Reader, timeout time.Duration, expire func()) *timedReader {
	t := &timedReader{r: r, timeout: timeout, expire: expire}
	t.timer = time.AfterFunc(timeout, t.Cancel)
	t.timer.Stop()
	return t
}

func (t *timedReader) Read(p []byte) (int, error) {
	t.timer.Reset(t.timeout)
	n, err := t.r.Read(p)
	t.timer.Stop()
	if err != nil && t.expired.Load() {
		return n, context.DeadlineExceeded
	}
	return n, err
}

// Cancel ends the reading now, as a timeout does.
func (t *timedReader) Cancel() {
	t.expired.Store(true)
	t.expire()
}

// Expired reports whether a timeout or Cancel ended the reading.
func (t *timedReader) Expired() bool { return t.expired.Load() }

// fcgiParams is the request's CGI environment as mod_proxy_fcgi sends it
// (and mod_cgi gives a program, with no prefix to its file's name):
// the request's variables (SetEnv, SetEnvIf, UNIQUE_ID...), then
// ap_add_common_vars' (the fields as HTTP_*, but Authorization and Proxy,
// the server's and the client's addresses, SCRIPT_FILENAME) and
// ap_add_cgi_vars' (GATEWAY_INTERFACE ... PATH_TRANSLATED). FPM's
// SCRIPT_FILENAME is "proxy:fcgi://host/path", which PHP-FPM reads;
// ProxyFCGIBackendType GENERIC gives the path.
func (w *worker) fcgiParams(c *conn, scriptPrefix, script string, length int64) []fcgi.Param {
	req := &w.req
	ps := make([]fcgi.Param, 0, len(w.env)+len(req.Headers)+32)
	set := func(name, value string) {
		for i := range ps {
			if ps[i].Name == name {
				ps[i].Value = value
				return
			}
		}
		ps = append(ps, fcgi.Param{Name: name, Value: value})
	}
	for _, v := range w.env {
		set(v.Name, string(v.Value))
	}
	fromFields := len(ps)
	passAuth := false
	w.srv.eachSection(w.path, w.fspath, true, func(cs *section) { // the innermost section's, as a directory merge
		if v := cs.sec.CGIPassAuth; v != nil {
			passAuth = *v
		}
	})
	for _, f := range req.Headers {
		name := string(f.Name)
		switch {
		case strings.EqualFold(name, "Content-Type"):
			set("CONTENT_TYPE", string(f.Value))
		case strings.EqualFold(name, "Content-Length"):
			set("CONTENT_LENGTH", string(f.Value))
		case strings.EqualFold(name, "Proxy"), strings.EqualFold(name, "Transfer-Encoding") && req.Chunked,
			!passAuth && (strings.EqualFold(name, "Authorization") || strings.EqualFold(name, "Proxy-Authorization")):
		default:
			env, ok := httpEnvName(name)
			if !ok {
				continue
			}
			// A repeated field is one value, as Apache reads the head.
			if i := slices.IndexFunc(ps[fromFields:], func(p fcgi.Param) bool { return p.Name == env }); i >= 0 {
				ps[fromFields+i].Value += ", " + string(f.Value)
				continue
			}
			set(env, string(f.Value))
		}
	}
	if req.Chunked {
		set("CONTENT_LENGTH", strconv.FormatInt(length, 10))
	}
	set("PATH", cmp.Or(os.Getenv("PATH"), "/bin:/usr/bin:/usr/ucb:/usr/bsd:/usr/local/bin"))
	if v, ok := os.LookupEnv("LD_LIBRARY_PATH"); ok {
		set("LD_LIBRARY_PATH", v)
	}
	sig := ""
	if d := w.signatureDetail(c); d.Signature != "" {
		sig = string(http1.AppendAddress(nil, &d))
	}
	set("SERVER_SIGNATURE", sig)
	set("SERVER_SOFTWARE", string(w.ch.server))
	set("SERVER_NAME", string(w.serverName()))
	set("SERVER_ADDR", c.localAddrPort().Addr().Unmap().String())
	set("SERVER_PORT", strconv.Itoa(w.serverPort(c)))
	set("REMOTE_ADDR", w.remote.Addr().Unmap().String())
	docRoot := w.srv.cfg.DocumentRoot
	if w.vrootServed {
		docRoot = string(w.vroot)
	}
	set("DOCUMENT_ROOT", docRoot)
	set("REQUEST_SCHEME", w.srv.scheme)
	w.tlsEnv(c, set)
	prefix, contextRoot := "", docRoot
	if a, n := w.srv.matchAlias(w.path); a != nil && a.re == nil {
		prefix, contextRoot = string(w.path[:n]), a.cfg.Path // mod_alias's ap_set_context_info
		if strings.HasSuffix(a.cfg.URL, "/") {
			contextRoot += "/" // the target as written: "ScriptAlias /cgi-bin/ /usr/lib/cgi-bin/"
		}
	}
	set("CONTEXT_PREFIX", prefix)
	set("CONTEXT_DOCUMENT_ROOT", contextRoot)
	set("SERVER_ADMIN", w.srv.serverAdmin())
	set("SCRIPT_FILENAME", scriptPrefix+script)
	peer := c.remote // the connection's client port, as Apache's c->client_addr
	if c.proxyClient.IsValid() {
		peer = c.proxyClient
	}
	set("REMOTE_PORT", strconv.Itoa(int(peer.Port())))
	if w.user != "" {
		set("REMOTE_USER", w.user)
		if !w.userFromTLS {
			set("AUTH_TYPE", "Basic")
		}
	}
	if w.origPath != nil {
		for _, v := range w.redirEnv {
			set("REDIRECT_"+v.Name, string(v.Value))
		}
		set("REDIRECT_STATUS", "200")
		set("REDIRECT_URL", string(w.origPath))
		if len(w.redirQuery) > 0 {
			set("REDIRECT_QUERY_STRING", string(w.redirQuery))
		}
	}
	set("GATEWAY_INTERFACE", "CGI/1.1")
	set("SERVER_PROTOCOL", string(req.Protocol()))
	set("REQUEST_METHOD", string(req.Method))
	set("QUERY_STRING", string(req.Query))
	set("REQUEST_URI", string(req.Target))
	scriptName := string(w.path)
	if pi := string(w.pathInfo); pi != "" {
		set("SCRIPT_NAME", strings.TrimSuffix(scriptName, pi))
		set("PATH_INFO", pi)
		set("PATH_TRANSLATED", docRoot+pi)
	} else {
		set("SCRIPT_NAME", scriptName)
	}
	return ps
}

// httpEnvName is http2env: "HTTP_" and the field name upper-cased with
// '-' as '_'; a name with other characters is not passed (false).
func httpEnvName(name string) (string, bool) {
	b := make([]byte, 0, 5+len(name))
	b = append(b, "HTTP_"...)
	for i := 0; i < len(name); i++ {
		switch c := name[i]; {
		case 'a' <= c && c <= 'z':
			b = append(b, c-'a'+'A')
		case 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
			b = append(b, c)
		case c == '-':
			b = append(b, '_')
		default:
			return "", false
		}
	}
	return string(b), true
}
