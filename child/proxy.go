package child

import (
	"bytes"
	"cmp"
	"context"
	"errors"
	"fmt"
	"io"
	"log/slog"
	"net"
	"net/http"
	"os"
	"slices"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"time"

	"eventmpm/child/http1"
	"eventmpm/config"
	"eventmpm/internal/errorlog"
	"eventmpm/internal/regex"
	"eventmpm/shm"

	"golang.org/x/sys/unix"
)

// siteProxy is a site's mod_proxy configuration compiled for serving: the
// ProxyPass routes in the order tried, each with its own pool of backend
// connections (Apache's worker), and the ProxyPassReverse mappings.
//
// A proxied request holds its worker while the backend answers promptly,
// as in Apache: the worker waits on the backend and on the client's socket
// (poll(2) on the descriptor it owns) instead of handing the connection
// back to the event goroutine. A backend that keeps it waiting for a
// second (a long-poll, server-sent events) makes it give its place in the
// pool to a new worker (retire.go). Backend connections are made by the
// standard library's HTTP client (net/http's Transport, not its server):
// kept alive and reused per route, up to ThreadsPerChild idle ones.
type siteProxy struct {
	routes []proxyRoute
	// tls makes the TLS client side of https:// and wss:// backends
	// (SSLProxyEngine on), nil without.
	tls      *backendTLS
	reverses []config.ProxyReverse
	// cookiePaths and cookieDomains map Set-Cookie's path= and domain=
	// (ProxyPassReverseCookiePath, ProxyPassReverseCookieDomain).
	cookiePaths, cookieDomains []config.ProxyReverse
	preserveHost               bool
	addHeaders                 bool
	// passes is set when a route proxies (not only "!" ones) or a
	// RewriteRule has P: a request with a body then keeps it unread until
	// translation knows.
	passes bool
	// rewrite is the route of RewriteRule [P]'s requests: Apache's
	// default worker, with the server's timeouts; nil without such rules.
	rewrite *proxyRoute
	// fcgi are the backends of the sections' "proxy:" handlers (see
	// proxyfcgi.go); fcgiGeneric is ProxyFCGIBackendType GENERIC.
	fcgi        map[string]config.FCGIBackend
	fcgiGeneric bool
	// scripts is set on a site with FastCGI handlers or CGI scripts: a
	// request body waits for the walk, and path information past a
	// script's name is looked for.
	scripts bool
}

// proxyRoute is one ProxyPass.
type proxyRoute struct {
	cfg       *config.ProxyPass
	re        regex.Regexp // ProxyPassMatch's
	transport *http.Transport
	timeout   time.Duration
	fcgiPool  *fcgiPool // a FastCGI route's idle connections, with enablereuse=on
}

// compileProxy builds the site's siteProxy from its configuration: nil
// without ProxyPass lines and RewriteRule [P].
func (s *site) compileProxy(p *config.Proxy, rw *config.Rewrite, sslProxy *config.SSLProxy, serverTimeout time.Duration, threads int) error {
	rewriteProxies := rw != nil && slices.ContainsFunc(rw.Rules, func(r config.RewriteRule) bool { return r.Flags.Proxy })
	if (p == nil || len(p.Passes) == 0) && !rewriteProxies {
		return nil
	}
	if p == nil {
		p = &config.Proxy{}
	}
	sp := &siteProxy{reverses: p.Reverses, preserveHost: p.PreserveHost, addHeaders: !p.NoAddHeaders,
		cookiePaths: p.CookiePaths, cookieDomains: p.CookieDomains, fcgiGeneric: p.FCGIGeneric}
	if sslProxy != nil && sslProxy.Engine {
		sp.tls = newBackendTLS(sslProxy)
	}
	for i := range p.Passes {
		pp := &p.Passes[i]
		rt := proxyRoute{cfg: pp}
		if pp.Regex {
			re, err := regex.Compile(pp.Path)
			if err != nil {
				return fmt.Errorf("%s:%d: ProxyPassMatch %s: %w", pp.Pos.File, pp.Pos.Line, pp.Path, err)
			}
			rt.re = re
		}
		if !pp.Exclude {
			sp.passes = true
			rt.init(p, sp.tls, serverTimeout, threads)
		}
		sp.routes = append(sp.routes, rt)
	}
	if rewriteProxies {
		sp.passes = true
		sp.rewrite = &proxyRoute{cfg: &config.ProxyPass{}}
		sp.rewrite.init(p, sp.tls, serverTimeout, threads)
	}
	s.proxy = sp
	return nil
}

// init makes the route's pool of backend connections, with its worker
// parameters over ProxyTimeout over the server's Timeout.
func (rt *proxyRoute) init(p *config.Proxy, bt *backendTLS, serverTimeout time.Duration, threads int) {
	pp := rt.cfg
	rt.timeout = cmp.Or(pp.Timeout, p.Timeout, serverTimeout, 60*time.Second)
	dialer := &net.Dialer{Timeout: cmp.Or(pp.ConnectTimeout, rt.timeout), KeepAlive: -1}
	if pp.KeepAlive {
		dialer.KeepAlive = 0 // the system's probes, as Apache's keepalive=On
	}
	dial := dialer.DialContext
	if pp.Socket != "" {
		// "unix:/path|http://host/": every connection goes to the socket.
		dial = func(ctx context.Context, _, _ string) (net.Conn, error) {
			return dialer.DialContext(ctx, "unix", pp.Socket)
		}
	}
	rt.transport = &http.Transport{
		DialContext:            dial,
		MaxIdleConnsPerHost:    max(threads, 2),
		MaxConnsPerHost:        pp.Max,
		DisableKeepAlives:      pp.DisableReuse,
		DisableCompression:     true,
		ResponseHeaderTimeout:  rt.timeout,
		MaxResponseHeaderBytes: 1 << 20,
		IdleConnTimeout:        90 * time.Second,
	}
	if bt != nil {
		rt.transport.DialTLSContext = bt.dialer(dial, cmp.Or(pp.ConnectTimeout, rt.timeout))
	}
	if pp.FCGI && pp.Reuse {
		rt.fcgiPool = &fcgiPool{max: max(threads, 1)}
	}
}

// close drops the routes' idle backend connections.
func (sp *siteProxy) close() {
	for i := range sp.routes {
		if t := sp.routes[i].transport; t != nil {
			t.CloseIdleConnections()
		}
		if p := sp.routes[i].fcgiPool; p != nil {
			p.close()
		}
	}
	if sp.rewrite != nil {
		sp.rewrite.transport.CloseIdleConnections()
	}
}

// match is mod_proxy's proxy_trans: the first route whose path matches the
// cleaned URL-path p, and how much of p it covers (all of it for a
// ProxyPassMatch); nil when none does or the first that does is an
// excluding one ("ProxyPass /x !").
func (sp *siteProxy) match(p []byte) (*proxyRoute, int) {
	for i := range sp.routes {
		rt := &sp.routes[i]
		n := 0
		if rt.re != nil {
			if rt.re.Match(p) {
				n = len(p)
			}
		} else {
			n = rt.cfg.Match(p)
		}
		if n > 0 {
			if rt.cfg.Exclude {
				return nil, 0
			}
			return rt, n
		}
	}
	return nil, 0
}

// translateProxy maps a request to its backend when a route takes it: the
// backend URL (the route's, then the rest of the path re-encoded as
// mod_proxy_http's canonicalisation does, then the query unless noquery)
// in w.proxyURL, and "proxy:" and that URL as the request's file name
// (%f, the error log), as Apache's r->filename.
func (w *worker) translateProxy(p []byte) bool {
	rt, n := w.srv.proxy.match(p)
	if rt == nil {
		return false
	}
	w.proxyRoute, w.proxyHost, w.proxyAddr = rt, rt.cfg.HostName, rt.cfg.Host
	u := append(w.proxyURL[:0], backendScheme(rt.cfg.TLS)...)
	u = append(u, rt.cfg.HostName...)
	if rt.re != nil {
		// ap_pregsub of the URL's path; without a $N in it, the whole
		// URL-path appended (ProxyPassMatch \.gif$ http://b).
		base := rt.cfg.BasePath
		w.rwRaw = appendSubst(w.rwRaw[:0], base, p, rt.re.FindSubmatchIndex(p))
		if string(w.rwRaw) == base {
			w.rwRaw = append(w.rwRaw, p...)
		}
		u = appendCanonKeepEscapes(u, string(w.rwRaw))
	} else {
		u = append(u, rt.cfg.BasePath...)
		u = appendCanonPath(u, p[n:])
	}
	if len(w.req.Query) > 0 && !rt.cfg.NoQuery {
		u = append(append(u, '?'), w.req.Query...)
	}
	w.proxyURL = u
	w.fspath = append(append(w.fspath[:0], "proxy:"...), u...)
	return true
}

// translateRewriteProxy takes the URL a RewriteRule with P made
// (w.rwProxy) as the request's backend: an http:// or ws:// URL, its path
// re-encoded as mod_proxy_http's canonicalisation does (escapes already
// there kept), its query as mod_rewrite left it. Another scheme is 500,
// logged. It reports false when it answered.
func (w *worker) translateRewriteProxy(c *conn, keep bool) bool {
	target := string(w.rwProxy)
	scheme, rest, ok := "", "", false
	for _, s := range [...]string{"http", "ws", "https", "wss"} {
		if rest, ok = cutPrefixFold(target, s+"://"); ok {
			scheme = s
			break
		}
	}
	if !ok {
		w.logError(c, errorlog.LevelError, "rewrite", "", "RewriteRule [P]: eventmpm proxies to http://, https://, ws:// and wss:// backends only, not ", w.rwProxy, "")
		w.errorResponse(c, 500, nil, keep)
		return false
	}
	w.proxyWS = scheme == "ws" || scheme == "wss"
	secure := scheme == "https" || scheme == "wss"
	if secure && w.srv.proxy.tls == nil {
		w.logError(c, errorlog.LevelError, "proxy", "AH00961", "https: failed to enable ssl support for "+w.srv.cfg.ServerName+" (SSLProxyEngine not set?): ", w.rwProxy, "")
		w.errorResponse(c, 500, nil, keep)
		return false
	}
	defaultPort := "80"
	if secure {
		defaultPort = "443"
	}
	hostport, pathQuery := rest, ""
	if i := strings.IndexAny(rest, "/?"); i >= 0 {
		hostport, pathQuery = rest[:i], rest[i:]
	}
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = strings.Trim(hostport, "[]"), defaultPort
	}
	if host == "" {
		w.logError(c, errorlog.LevelError, "rewrite", "", "RewriteRule [P]: no host in ", w.rwProxy, "")
		w.errorResponse(c, 500, nil, keep)
		return false
	}
	path, query, hasQuery := strings.Cut(pathQuery, "?")
	w.proxyRoute = w.srv.proxy.rewrite
	w.proxyHost = strings.ToLower(strings.TrimSuffix(hostport, ":"+defaultPort))
	w.proxyAddr = net.JoinHostPort(strings.ToLower(host), port)
	u := append(append(w.proxyURL[:0], backendScheme(secure)...), w.proxyHost...)
	if path == "" {
		path = "/"
	}
	u = appendCanonKeepEscapes(u, path)
	if hasQuery {
		u = append(append(u, '?'), query...)
	}
	w.proxyURL = u
	w.fspath = append(append(w.fspath[:0], "proxy:"...), u...)
	return true
}

// backendScheme is the scheme of a backend URL for net/http's client:
// https:// for https:// and wss:// backends, http:// for the others (ws://
// goes through mod_proxy_http's path, as an Upgrade).
func backendScheme(secure bool) string {
	if secure {
		return "https://"
	}
	return "http://"
}

// cutPrefixFold is strings.CutPrefix without regard to case.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// appendCanonKeepEscapes is appendCanonPath for a path that may hold
// escapes already (a substitution): "%XX" stays as it is.
func appendCanonKeepEscapes(dst []byte, p string) []byte {
	for i := 0; i < len(p); i++ {
		if p[i] == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]) {
			dst = append(dst, p[i:i+3]...)
			i += 2
			continue
		}
		dst = appendCanonPath(dst, []byte{p[i]})
	}
	return dst
}

func isHex(b byte) bool { return '0' <= b && b <= '9' || 'a' <= b && b <= 'f' || 'A' <= b && b <= 'F' }

// appendCanonPath appends the decoded path p re-encoded as Apache's
// ap_proxy_canonenc does for a path: letters, digits and
// "$-_.+!*'(),;:@&=/~" as they are, every other byte as %XX.
func appendCanonPath(dst, p []byte) []byte {
	const hex = "0123456789ABCDEF"
	for _, b := range p {
		if 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9' || strings.IndexByte("$-_.+!*'(),;:@&=/~", b) >= 0 {
			dst = append(dst, b)
			continue
		}
		dst = append(dst, '%', hex[b>>4], hex[b&15])
	}
	return dst
}

// hopByHop are the header fields that belong to one connection (RFC 9110
// 7.6.1), never passed on in either direction, with those the Connection
// field names.
var hopByHop = []string{"Connection", "Keep-Alive", "Proxy-Authenticate", "Proxy-Authorization",
	"Proxy-Connection", "TE", "Trailer", "Transfer-Encoding", "Upgrade"}

// isHopByHop reports whether name is a hop-by-hop field of a message whose
// Connection field is conn.
func isHopByHop(name string, conn []string) bool {
	for _, h := range hopByHop {
		if strings.EqualFold(name, h) {
			return true
		}
	}
	for _, v := range conn {
		for tok := range strings.SplitSeq(v, ",") {
			if strings.EqualFold(strings.TrimSpace(tok), name) {
				return true
			}
		}
	}
	return false
}

// backendRequest is the request sent to the backend: the client's method,
// the backend URL, the client's fields but the hop-by-hop ones, Expect
// (answered here) and Content-Length (the body's framing is the
// client's), with Host the backend's (or the client's, ProxyPreserveHost
// On) and the X-Forwarded-* fields added to (ProxyAddHeaders).
func (w *worker) backendRequest(ctx context.Context, body io.Reader, length int64) (*http.Request, error) {
	req, err := http.NewRequestWithContext(ctx, string(w.req.Method), string(w.proxyURL), nil)
	if err != nil {
		return nil, err
	}
	var conn []string
	for _, f := range w.req.Headers {
		if strings.EqualFold(string(f.Name), "Connection") {
			conn = append(conn, string(f.Value))
		}
	}
	h := make(http.Header, len(w.req.Headers)+4)
	for _, f := range w.req.Headers {
		name := string(f.Name)
		if isHopByHop(name, conn) || strings.EqualFold(name, "Expect") || strings.EqualFold(name, "Content-Length") ||
			strings.EqualFold(name, "Host") {
			continue
		}
		key := http.CanonicalHeaderKey(name)
		h[key] = append(h[key], string(f.Value))
	}
	if _, ok := h["User-Agent"]; !ok {
		h["User-Agent"] = nil // none, not the Go client's
	}
	sp := w.srv.proxy
	preserve, add := sp.preserveHost, sp.addHeaders
	w.srv.eachSection(w.path, w.fspath, true, func(cs *section) { // the innermost section's, as a directory merge
		if v := cs.sec.ProxyPreserveHost; v != nil {
			preserve = *v
		}
		if v := cs.sec.ProxyAddHeaders; v != nil {
			add = *v
		}
	})
	req.Host = w.proxyHost
	if preserve && len(w.req.Host) > 0 {
		req.Host = string(w.req.Host)
	}
	if add {
		appendForwarded(h, "X-Forwarded-For", w.remote.Addr().String())
		if len(w.req.Host) > 0 {
			appendForwarded(h, "X-Forwarded-Host", string(w.req.Host))
		}
		appendForwarded(h, "X-Forwarded-Server", string(w.srv.nameBytes))
	}
	if w.proxyUpgrade != "" {
		// The client's upgrade, passed on (mod_proxy_http's req->upgrade).
		h["Connection"] = []string{"Upgrade"}
		h["Upgrade"] = []string{w.proxyUpgrade}
	}
	req.Header = h
	if body != nil {
		req.Body, req.ContentLength = io.NopCloser(body), length
	}
	return req, nil
}

// appendForwarded adds value to an X-Forwarded-* field, after ", " when
// the client sent one, as Apache's apr_table_mergen.
func appendForwarded(h http.Header, key, value string) {
	if old := h[key]; len(old) > 0 {
		h[key] = []string{strings.Join(old, ", ") + ", " + value}
		return
	}
	h[key] = []string{value}
}

// serveProxy answers a request a ProxyPass route took: the request goes to
// the backend with its body streamed from the client, and the backend's
// response comes back streamed (its length kept, else chunked to an
// HTTP/1.1 client, else delimited by the close). A backend that cannot
// be reached is 503, one that does not answer (in time) or answers
// badly 502, each with the proxy error page and Apache's log
// lines. A response cut short by the backend closes the client's
// connection without the final chunk, so the client sees it was cut.
func (w *worker) serveProxy(c *conn, keep bool) {
	rt := w.proxyRoute
	if rt.cfg.FCGI {
		w.serveFCGIRoute(c, keep)
		return
	}
	w.setStatus(shm.BusyWrite)
	body, _, ok := w.takeProxyBody(c)
	if !ok {
		return
	}
	defer body.finish()
	ctx, cancel := context.WithCancel(w.ch.backends)
	defer cancel()
	var reader io.Reader
	length := w.req.ContentLength
	if body != nil {
		reader = body
		if w.req.Chunked {
			// mod_proxy_http's prefetch: a chunked body that ends within
			// 16 KiB goes on with a Content-Length (not every backend
			// takes a chunked request), a longer one chunked.
			pre, err := body.prefetch(w.proxyPrefetch[:0], 16<<10)
			w.proxyPrefetch = pre
			if err != nil {
				w.refuseProxyBody(c, err)
				return
			}
			reader, length = bytes.NewReader(pre), int64(len(pre))
			if !body.done {
				reader, length = io.MultiReader(reader, body), -1
			}
		}
	}
	w.proxyUpgrade = w.proxyUpgradeFor()
	req, err := w.backendRequest(ctx, reader, length)
	if err != nil {
		w.proxyFailed(c, 500, "invalid backend URL "+string(w.proxyURL), err, false)
		return
	}
	w.armRetire()
	resp, err := rt.transport.RoundTrip(req)
	w.disarmRetire()
	if body != nil {
		body.stop()
		if body.err != nil {
			// The client's body failed (too large, malformed, too slow):
			// its answer, not the backend's.
			if resp != nil {
				resp.Body.Close()
			}
			w.refuseProxyBody(c, body.err)
			return
		}
		if !body.complete() {
			// The backend answered before it took the whole body: the
			// rest is drained by a lingering close.
			keep = false
			c.lingerShort = true
		}
	}
	if err != nil {
		w.backendError(c, err, keep)
		return
	}
	defer resp.Body.Close()
	if resp.StatusCode == http.StatusSwitchingProtocols {
		w.switchProtocols(c, resp)
		return
	}
	w.relayResponse(c, resp, keep, cancel)
}

// backendError answers a request whose backend gave no response: 503 when
// it could not be connected to (AH00957, AH01114), 502 otherwise
// (AH01102, AH00898), a timeout included, as mod_proxy_http.
func (w *worker) backendError(c *conn, err error, keep bool) {
	addr := w.proxyAddr
	var opErr *net.OpError
	if errors.As(err, &opErr) && opErr.Op == "dial" {
		if sock := w.proxyRoute.cfg.Socket; sock != "" {
			w.logProxyServer(slog.LevelError, "proxy", "AH02454", "http: attempt to connect to Unix domain socket "+sock+" ("+addr+") failed", unwrapErrno(opErr.Err))
		} else {
			w.logProxyServer(slog.LevelError, "proxy", "AH00957", "http: attempt to connect to "+addr+" ("+addr+") failed", unwrapErrno(opErr.Err))
		}
		w.logProxy(slog.LevelError, "proxy_http", "AH01114", "HTTP: failed to make connection to backend: "+hostOnly(addr), nil)
		w.proxyFailed(c, 503, "", nil, keep)
		return
	}
	if isBackendTLSError(err) {
		w.logProxy(slog.LevelError, "proxy_http", "AH01097", "TLS with backend "+addr+" failed", err)
		w.proxyFailed(c, 502, "Error during SSL Handshake with remote server", nil, keep)
		return
	}
	// A timeout is 502 too, as Apache 2.4 answers it.
	w.logProxy(slog.LevelError, "proxy_http", "AH01102", "error reading status line from remote server "+addr, unwrapErrno(err))
	w.proxyFailed(c, 502, "Error reading from remote server", nil, keep)
}

// proxyFailed answers status for a proxied request; a message is
// ap_proxyerror's: logged (AH00898) and shown as the page's reason.
func (w *worker) proxyFailed(c *conn, status int, message string, cause error, keep bool) {
	if message != "" {
		w.logProxy(slog.LevelError, "proxy", "AH00898", message+" returned by "+string(w.path), cause)
		w.proxyNotes = "The proxy server could not handle the request<p>Reason: <strong>" + htmlEscape(message) + "</strong></p>"
	}
	w.errorResponse(c, status, nil, keep)
}

// refuseProxyBody answers a request whose body the client could not
// deliver: 413 past LimitRequestBody, 400 for a malformed chunk, 408 for
// one too slow, and closes the connection after.
func (w *worker) refuseProxyBody(c *conn, err error) {
	status := 400
	var pe *http1.ParseError
	switch {
	case errors.As(err, &pe):
		status = pe.Status
	case isTimeout(err):
		status = 408
	case errors.Is(err, io.ErrUnexpectedEOF):
		w.closeAfter(c)
		return
	}
	c.lingerShort = true
	w.errorResponse(c, status, err, false)
}

// closeAfter ends a request whose client is gone: nothing is sent and the
// connection closes.
func (w *worker) closeAfter(c *conn) {
	w.status = 400
	w.sent = 0
	w.head = w.head[:0]
	w.complete0(c, false)
}

// relayResponse sends the backend's response to the client.
func (w *worker) relayResponse(c *conn, resp *http.Response, keep bool, cancel context.CancelFunc) {
	w.relayResponseTimeout(c, resp, keep, w.proxyRoute.timeout, cancel)
}

// relayResponseTimeout is relayResponse with each read of the body
// allowed readTimeout, after which cancel is called.
func (w *worker) relayResponseTimeout(c *conn, resp *http.Response, keep bool, readTimeout time.Duration, cancel func()) {
	status := resp.StatusCode
	noBody := w.req.MethodID == http1.MethodHead || status == 204 || status == 304 || status < 200
	var length int64 = -1
	if !noBody {
		length = resp.ContentLength
	}
	chunked := !noBody && length < 0 && w.req.ProtoMinor >= 1 && !w.forceHTTP10
	if !noBody && length < 0 && !chunked {
		keep = false // the close ends the body for an HTTP/1.0 client
	}
	w.status = status
	h := w.startHeadFrom(c, status, keep, resp.Header.Get("Date"), resp.Header.Get("Server"))
	h = w.appendBackendHeader(h, resp)
	switch {
	case chunked:
		h = append(h, "Transfer-Encoding: chunked\r\n"...)
	case length >= 0:
		h = http1.AppendHeaderInt(h, "Content-Length", length)
	case noBody && resp.ContentLength >= 0 && w.req.MethodID == http1.MethodHead:
		h = http1.AppendHeaderInt(h, "Content-Length", resp.ContentLength)
	}
	h = append(h, "\r\n"...)
	w.head = h
	if w.srv.rewritesHead || len(w.secs.head) > 0 || len(w.ifVary) > 0 {
		w.relaying = true
		w.rewriteHead(w.status)
		w.relaying = false
	}
	w.sent = 0
	timeout := time.Duration(w.srv.timeout)
	if err := w.writeBlocking(c, w.head, timeout); err != nil {
		w.complete0(c, false)
		return
	}
	ok := true
	if !noBody {
		ok = w.copyBody(c, resp.Body, chunked, readTimeout, timeout, cancel)
	}
	w.complete0(c, keep && ok)
}

// conventionalNames spell the fields whose usual form is not what Go's
// client makes of every name ("Etag"): the backend most likely sent them
// so, and Apache passes its spelling on.
var conventionalNames = map[string]string{
	"Etag": "ETag", "Www-Authenticate": "WWW-Authenticate", "Content-Md5": "Content-MD5",
	"Sec-Websocket-Accept": "Sec-WebSocket-Accept", "Sec-Websocket-Protocol": "Sec-WebSocket-Protocol",
	"Sec-Websocket-Extensions": "Sec-WebSocket-Extensions", "Sec-Websocket-Version": "Sec-WebSocket-Version",
	"X-Xss-Protection": "X-XSS-Protection", "X-Ua-Compatible": "X-UA-Compatible", "Dnt": "DNT",
}

// appendBackendHeader appends the backend's header fields but the
// hop-by-hop ones, the framing (set here) and Date and Server (in the
// status block already), with ProxyPassReverse applied to Location,
// Content-Location and URI. The names are sorted: the client library
// keeps the fields in a map.
func (w *worker) appendBackendHeader(h []byte, resp *http.Response) []byte {
	conn := resp.Header["Connection"]
	keys := make([]string, 0, len(resp.Header))
	for k := range resp.Header {
		keys = append(keys, k)
	}
	slices.Sort(keys)
	for _, k := range keys {
		if isHopByHop(k, conn) || k == "Content-Length" || k == "Date" || k == "Server" {
			continue
		}
		reverse := k == "Location" || k == "Content-Location" || k == "Uri"
		cookie := k == "Set-Cookie" || k == "Set-Cookie2"
		name := k
		if conv, ok := conventionalNames[k]; ok {
			name = conv
		}
		for _, v := range resp.Header[k] {
			h = append(append(h, name...), ": "...)
			switch {
			case reverse:
				h = w.appendReverse(h, v)
			case cookie:
				h = w.srv.proxy.appendCookie(h, v)
			default:
				h = append(h, v...)
			}
			h = append(h, "\r\n"...)
		}
	}
	return h
}

// appendReverse appends a backend's URL as ProxyPassReverse maps it, as
// ap_proxy_location_reverse_map: the first mapping whose URL begins the
// value replaces that part with its path, made an absolute URL of this
// server; a value no mapping takes is kept.
func (w *worker) appendReverse(h []byte, v string) []byte {
	for _, r := range w.srv.proxy.reverses {
		if rest, ok := cutPrefixFold(v, r.URL); ok { // strncasecmp, as Apache
			path := r.Path
			if strings.HasSuffix(path, "/") && strings.HasPrefix(rest, "/") {
				path = path[:len(path)-1]
			}
			saved := w.reply.Location
			w.reply.Location = append(append(w.reply.Location[:0:0], path...), rest...)
			h = append(h, w.locationValue(nil)...)
			w.reply.Location = saved
			return h
		}
	}
	return append(h, v...)
}

// appendCookie appends a Set-Cookie value with its last path= and
// domain= attributes mapped as ap_proxy_cookie_reverse_map does: the
// first ProxyPassReverseCookiePath whose internal path begins the value
// (ProxyPassReverseCookieDomain: without regard to case) replaces the
// whole value with its public one.
func (sp *siteProxy) appendCookie(h []byte, v string) []byte {
	if len(sp.cookiePaths) == 0 && len(sp.cookieDomains) == 0 {
		return append(h, v...)
	}
	type span struct {
		start, end int
		with       string
	}
	var path, domain span
	for pos := 0; pos <= len(v); {
		end := strings.IndexByte(v[pos:], ';')
		if end < 0 {
			end = len(v)
		} else {
			end += pos
		}
		tok := pos
		for tok < end && (v[tok] == ' ' || v[tok] == '\t') {
			tok++
		}
		if val, ok := cutPrefixFold(v[tok:end], "path="); ok {
			path = span{}
			for _, m := range sp.cookiePaths {
				if strings.HasPrefix(val, m.Path) {
					path = span{tok + 5, end, m.URL}
					break
				}
			}
		} else if val, ok := cutPrefixFold(v[tok:end], "domain="); ok {
			domain = span{}
			for _, m := range sp.cookieDomains {
				if _, ok := cutPrefixFold(val, m.Path); ok {
					domain = span{tok + 7, end, m.URL}
					break
				}
			}
		}
		pos = end + 1
	}
	first, second := path, domain
	if domain.end != 0 && (path.end == 0 || domain.start < path.start) {
		first, second = domain, path
	}
	at := 0
	for _, s := range []span{first, second} {
		if s.end == 0 {
			continue
		}
		h = append(append(h, v[at:s.start]...), s.with...)
		at = s.end
	}
	return append(h, v[at:]...)
}

// copyBody streams the backend's body to the client, chunked or not; it
// reports whether all of it was sent. Each read from the backend may take
// up to the route's timeout, each write to the client the server's.
func (w *worker) copyBody(c *conn, body io.Reader, chunked bool, readTimeout, writeTimeout time.Duration, cancel func()) bool {
	if w.proxyBuf == nil {
		w.proxyBuf = make([]byte, copyChunk+32)
	}
	const room = 16 // a chunk's size line: up to 8 hex digits and CRLF
	buf := w.proxyBuf
	timer := time.AfterFunc(readTimeout, cancel)
	defer timer.Stop()
	for {
		timer.Reset(readTimeout)
		w.armRetire()
		n, err := body.Read(buf[room : room+copyChunk])
		w.disarmRetire()
		if n > 0 {
			out := buf[room : room+n]
			if chunked {
				size := strconv.AppendInt(buf[:0:room], int64(n), 16)
				size = append(size, "\r\n"...)
				start := room - len(size)
				copy(buf[start:], size)
				out = append(buf[start:room+n], "\r\n"...)
			}
			if werr := w.writeBlocking(c, out, writeTimeout); werr != nil {
				return false
			}
			w.sent += int64(n)
		}
		if err == io.EOF {
			if chunked {
				return w.writeBlocking(c, []byte("0\r\n\r\n"), writeTimeout) == nil
			}
			return true
		}
		if err != nil {
			w.logProxy(slog.LevelError, "proxy_http", "AH01110", "error reading response", unwrapErrno(err))
			return false
		}
	}
}

// writeBlocking writes b to the client's socket, waiting for room up to
// timeout for each part the socket takes (clientWait).
func (w *worker) writeBlocking(c *conn, b []byte, timeout time.Duration) error {
	if w.clientWaitFn == nil {
		w.clientWaitFn = w.clientWait // made once: a method value escapes
	}
	return w.writeWaiting(c, b, timeout, w.clientWaitFn)
}

// fdWaiter waits up to timeout for a descriptor to be ready for events
// (POLLIN, POLLOUT); os.ErrDeadlineExceeded when it was not. waitFD is
// one, which blocks its thread in poll; a tunnel's waits on the event
// goroutine (tunnelWaits.wait).
type fdWaiter func(fd int, events int16, timeout time.Duration) error

// writeWaiting is writeBlocking with the given way to wait for room.
func (w *worker) writeWaiting(c *conn, b []byte, timeout time.Duration, wait fdWaiter) error {
	if c.tls != nil {
		return w.writeBlockingTLS(c, b, timeout, wait)
	}
	for len(b) > 0 {
		n, err := writeSocket(c.fd, b)
		if n > 0 {
			b = b[n:]
			continue
		}
		switch err {
		case unix.EAGAIN:
			if err := wait(c.fd, unix.POLLOUT, timeout); err != nil {
				return err
			}
		case unix.EINTR, nil:
		default:
			return err
		}
	}
	return nil
}

// waitFD waits up to timeout for fd to be ready for events (POLLIN,
// POLLOUT); os.ErrDeadlineExceeded when it was not.
func waitFD(fd int, events int16, timeout time.Duration) error {
	deadline := time.Now().Add(timeout)
	for {
		left := time.Until(deadline)
		if left <= 0 {
			return os.ErrDeadlineExceeded
		}
		fds := []unix.PollFd{{Fd: int32(fd), Events: events}}
		n, err := unix.Poll(fds, int(min(left, time.Second)/time.Millisecond)+1)
		switch {
		case err == unix.EINTR:
		case err != nil:
			return err
		case n > 0:
			return nil
		}
	}
}

// logProxy writes one of mod_proxy's error-log lines for the request.
func (w *worker) logProxy(level slog.Level, module, ah, msg string, err error) {
	w.logProxyLine(level, module, ah, msg, err, true)
}

// logProxyServer writes one of mod_proxy's server-level lines (no client).
func (w *worker) logProxyServer(level slog.Level, module, ah, msg string, err error) {
	w.logProxyLine(level, module, ah, msg, err, false)
}

func (w *worker) logProxyLine(level slog.Level, module, ah, msg string, err error, client bool) {
	if w.ch.stopping.Load() && level >= slog.LevelError {
		return // a stop gave up the backend's wait (stopBackends): not the backend's failure
	}
	lg := w.srv.log
	if !lg.Enabled(context.Background(), level) {
		return
	}
	args := []any{"module", module, "ah", ah, errorlog.TID(w.id)}
	if client {
		args = append(args, errorlog.Client(w.remote), errorlog.ReqAttr(w))
	}
	if err != nil {
		args = append(args, errorlog.ErrorKey, err)
	}
	lg.Log(context.Background(), level, msg, args...)
}

// unwrapErrno returns the system error under err, or err.
func unwrapErrno(err error) error {
	var errno syscall.Errno
	if errors.As(err, &errno) {
		return errno
	}
	return err
}

// isTimeout reports whether err is a timeout (a deadline, a cancelled
// wait for a slow backend).
func isTimeout(err error) bool {
	var ne net.Error
	return errors.Is(err, os.ErrDeadlineExceeded) || errors.Is(err, context.Canceled) ||
		errors.Is(err, context.DeadlineExceeded) || errors.As(err, &ne) && ne.Timeout()
}

// hostOnly is the host of "host:port".
func hostOnly(hostport string) string {
	h, _, err := net.SplitHostPort(hostport)
	if err != nil {
		return hostport
	}
	return h
}

// proxyBody is a request body read from the client for the backend, from
// what was read with the head and then from the socket, waiting (poll)
// up to the server's Timeout for each read; a chunked body is decoded.
// The backend client reads it on a goroutine of its own, which may still
// be reading when the response comes back: stop ends that, and the
// worker takes the connection's buffer back only after.
type proxyBody struct {
	w  *worker
	c  *conn
	mu sync.Mutex
	// stopping makes a Read that waits on the socket give up; closed,
	// under mu, makes every later Read fail.
	stopping atomic.Bool
	closed   bool
	left     int64 // bytes of a Content-Length body still to come
	limit    int64 // LimitRequestBody, 0 for none
	timeout  time.Duration
	done     bool
	err      error
	extra    *buffer // what the socket gave after the head (see read)
}

// takeProxyBody prepares a proxied request's body for the backend, nil
// for none, with its LimitRequestBody: a length past the limit is
// answered 413 here (ok false). The caller defers finish. From here the
// caller owns the body: one it does not read whole closes the connection.
func (w *worker) takeProxyBody(c *conn) (body *proxyBody, limit int64, ok bool) {
	if !w.req.HasBody() {
		return nil, 0, true
	}
	limit = w.srv.mappedBodyLimit(w, w.path, w.fspath)
	if !w.req.Chunked && limit > 0 && w.req.ContentLength > limit {
		c.lingerShort = true
		w.errorResponse(c, 413, http1.ErrBodyTooLarge, false)
		return nil, limit, false
	}
	w.bodyDeferred = false
	return w.newProxyBody(c, limit), limit, true
}

// finish ends the body's reading and gives the connection back what was
// read past it; nothing for no body.
func (b *proxyBody) finish() {
	if b != nil {
		b.stop()
		b.release()
	}
}

// newProxyBody prepares the request's body for reading; an HTTP/1.1 client
// that expects 100-continue gets it first.
func (w *worker) newProxyBody(c *conn, limit int64) *proxyBody {
	b := &proxyBody{w: w, c: c, limit: limit, timeout: time.Duration(w.srv.timeout), left: w.req.ContentLength}
	if w.req.Chunked {
		w.bodyLimits = c.base.limits
		w.bodyLimits.Body = limit
		w.chunks.Reset(&w.bodyLimits)
	}
	if w.req.Expect100 && (c.in == nil || c.in.len() == 0) {
		_ = w.writeBlocking(c, []byte("HTTP/1.1 100 Continue\r\n\r\n"), b.timeout)
	}
	return b
}

// Read gives the backend client the next part of the body.
func (b *proxyBody) Read(p []byte) (int, error) {
	b.mu.Lock()
	defer b.mu.Unlock()
	if b.closed {
		return 0, io.ErrClosedPipe
	}
	if b.done {
		return 0, io.EOF
	}
	if b.err != nil {
		return 0, b.err
	}
	n, err := b.read(p)
	if err != nil && err != io.EOF {
		b.err = err
	}
	if err == io.EOF {
		b.done = true
	}
	return n, err
}

// read is Read under the lock. The body's bytes that came with the head
// are taken from the connection's buffer without writing to it: the
// request's fields still point into it (the access log, the backend's
// request). What the socket gives after goes to a buffer of its own.
func (b *proxyBody) read(p []byte) (int, error) {
	w, c := b.w, b.c
	for {
		src := b.extra
		if c.in != nil && c.in.len() > 0 {
			src = c.in
		}
		if src != nil && src.len() > 0 {
			if w.req.Chunked {
				used, n, done, err := w.chunks.Decode(src.data(), p)
				src.consume(used)
				w.bodyIn += int64(used)
				if err != nil {
					return 0, err
				}
				if done {
					return n, io.EOF
				}
				if n > 0 {
					return n, nil
				}
			} else {
				if b.left == 0 {
					return 0, io.EOF
				}
				n := copy(p[:min(int64(len(p)), b.left)], src.data())
				src.consume(n)
				b.left -= int64(n)
				w.bodyIn += int64(n)
				return n, nil
			}
		} else if !w.req.Chunked && b.left == 0 {
			return 0, io.EOF
		}
		if err := b.fill(); err != nil {
			return 0, err
		}
	}
}

// fill reads more of the body from the socket into b.extra, waiting for
// it up to the timeout.
func (b *proxyBody) fill() error {
	c := b.c
	if b.extra == nil {
		b.extra = b.w.ch.bufs.get()
	}
	x := b.extra
	x.compact()
	if len(x.free()) == 0 && !x.grow(0) {
		return io.ErrShortBuffer
	}
	deadline := time.Now().Add(b.timeout)
	for {
		if b.stopping.Load() {
			return io.ErrClosedPipe
		}
		n, err := b.w.readClient(c, x.free())
		switch {
		case n > 0:
			x.w += n
			return nil
		case err == unix.EAGAIN:
			// In slices, so that stop need not wait a whole Timeout.
			left := time.Until(deadline)
			if left <= 0 {
				return os.ErrDeadlineExceeded
			}
			if err := waitFD(c.fd, unix.POLLIN, min(left, 100*time.Millisecond)); err != nil && err != os.ErrDeadlineExceeded {
				return err
			}
		case err == unix.EINTR:
		case err == nil: // the client closed before the end of its body
			return io.ErrUnexpectedEOF
		default:
			return err
		}
	}
}

// release gives the connection back what was read past the body (a
// pipelined request), once the response is done with the request's head.
func (b *proxyBody) release() {
	x := b.extra
	if x == nil {
		return
	}
	b.extra = nil
	if x.len() > 0 {
		c := b.c
		if c.in == nil {
			c.in = b.w.ch.bufs.get()
		}
		c.in.compact()
		for len(c.in.free()) < x.len() && c.in.grow(0) {
		}
		c.in.w += copy(c.in.free(), x.data())
	}
	x.pool.put(x)
}

// prefetch reads the body into dst until it ends or n bytes are read.
func (b *proxyBody) prefetch(dst []byte, n int) ([]byte, error) {
	for len(dst) < n && !b.done {
		if cap(dst) < n {
			dst = slices.Grow(dst, n-len(dst))
		}
		m, err := b.Read(dst[len(dst):n])
		dst = dst[:len(dst)+m]
		if err != nil && err != io.EOF {
			return dst, err
		}
	}
	return dst, nil
}

// stop ends the backend client's reading: after it returns, the body is no
// longer read and the connection's buffer is the worker's again.
func (b *proxyBody) stop() {
	b.stopping.Store(true)
	b.mu.Lock() // waits for a Read in progress
	b.closed = true
	b.mu.Unlock()
}

// complete reports whether the whole body was read: the connection can
// then read the next request. A body with a length is whole once its last
// byte was given, whether or not the backend client came back for the
// end of input before the backend's answer arrived.
func (b *proxyBody) complete() bool {
	return b.err == nil && (b.done || !b.w.req.Chunked && b.left == 0)
}
