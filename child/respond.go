package child

import (
	"bytes"
	"context"
	"log/slog"
	"strconv"
	"strings"
	"time"

	"eventmpm/child/accesslog"
	"eventmpm/child/http1"
	"eventmpm/child/static"
	"eventmpm/config"
	"eventmpm/internal/errorlog"
	"eventmpm/shm"

	"golang.org/x/sys/unix"
)

// respond routes the parsed request in w.req and prepares its response in
// c.out: the server-status or metrics handler, a static file (below an
// Alias's target or DocumentRoot), or an error page. <Directory> and
// <Files> sections apply by the file-system path, <Location> sections by
// the URL path.
func (w *worker) respond(c *conn, keep bool) {
	req := &w.req
	keepable := keep && w.keepAlive(c)
	keep = w.responseEnv() && keepable // responseEnv sets forceHTTP10 either way
	w.secs.reset()                     // until the walk, the server's alone
	if w.ch.ext {
		// req.Line carries no password: the parser refuses userinfo in
		// the target (errTargetUserinfo), and refused requests never
		// reach the scoreboard. The access log masks one (%r), as Apache.
		w.slot.SetRequestInfo(w.clientText(c), requestText(req.Line, w.ch.tail), w.srv.vhostText(c.lst.port), connProtocol)
	}
	if c.base.strictHost && len(req.Host) > 0 && !w.srv.namesHost(req.Host) {
		w.logError(c, errorlog.LevelError, "core", "AH10157", "Requested hostname '", config.TrimHost(req.Host),
			"' did not match any ServerName/ServerAlias in the matching virtual host"+w.srv.defnNote())
		w.errorResponse(c, 400, nil, false)
		return
	}
	if c.plainOnTLS {
		w.pageNotes = plainOnTLSNotes
		w.errorResponse(c, 400, nil, false) // mod_ssl's page for plain HTTP on a TLS port
		return
	}
	if c.tls != nil {
		if w.srv != c.tls.site && w.misdirected(c, keep) {
			return
		}
		if w.srv.tls != nil && w.srv.tls.userName != "" {
			w.user, _ = w.tlsVar(c, w.srv.tls.userName) // SSLUserName
			w.userFromTLS = w.user != ""
		}
	}
	if req.MethodID == http1.MethodOther && !http1.Registered(req.Method) {
		w.refuseMethod(c, keep)
		return
	}
	if req.ExpectOther {
		w.errorResponse(c, 417, nil, keep)
		return
	}
	if req.MethodID == http1.MethodConnect {
		w.refuseConnect(c)
		return
	}
	if req.MethodID == http1.MethodOptions && string(req.Path) == "*" {
		w.optionsAsterisk(c, keep)
		return
	}
	p, st := static.CleanPath(req.Path, w.path[:0])
	w.path = p
	if st != 0 {
		// Apache's core logs both, which traversal scanners set off.
		if st == 400 {
			w.logError(c, errorlog.LevelError, "core", "AH10244", "invalid URI path (", req.Target, ")")
		} else {
			w.logError(c, errorlog.LevelInfo, "core", "AH00026", "found %2f (encoded '/') in URI path (", req.Target, "), returning 404")
		}
		w.errorResponse(c, st, nil, keep)
		return
	}
	w.fspath = w.fspath[:0] // no file yet: a redirect's expression reads REQUEST_FILENAME as ""
	h, hp, answered := w.translate(c, p, keep)
	// On a site with FastCGI handlers the body waits for the walk, which
	// tells whether the request goes to one; what answers before that
	// closes the connection (account).
	fcgiLater := w.bodyDeferred && w.proxyRoute == nil && !answered && w.srv.proxy.scripts
	if w.bodyDeferred && w.proxyRoute == nil && !fcgiLater && !w.skipDeferredBody(c, answered, &keep, &keepable) {
		return
	}
	if answered || h != nil && w.applyAccessFiles(c, h, hp, keep) {
		return
	}
	p = w.path
	fsLen := len(w.fspath)
	if w.srv.proxy != nil && w.srv.proxy.scripts {
		w.splitPathInfo()
	}
	acc := w.srv.walk(p, w.fspath, &w.secs, w.condFor(c, p, w.fspath))
	scriptAliased := false
	if w.srv.proxy != nil && w.srv.proxy.scripts {
		if a, _ := w.srv.matchAlias(p); a != nil && a.cfg.CGI {
			scriptAliased = true // runs whatever Options ExecCGI says (mod_cgi's is_scriptaliased)
			if acc.handler == "" {
				acc.handler = "cgi-script" // mod_alias's handler for ScriptAlias
			}
		}
		if acc.handler == "" && w.cgiByExtension() {
			acc.handler = "cgi-script" // AddHandler cgi-script .ext
		}
	}
	if !isScriptHandler(acc.handler) {
		w.fspath, w.pathInfo = w.fspath[:fsLen], w.pathInfo[:0] // a file's path info: core's 404 names the whole path
		if fcgiLater && !w.skipDeferredBody(c, false, &keep, &keepable) {
			return
		}
	}
	w.signature, w.signatureSet = acc.signature, acc.signatureSet
	if len(w.secs.setEnvIf) > 0 {
		w.evalSectionSetEnvIf(c)
		keep = w.responseEnv() && keepable
	}
	if len(acc.allowMethods) > 0 && !w.methodAllowed(c, acc.allowMethods) {
		w.errorResponse(c, 405, nil, keep)
		return
	}
	if st := w.authorize(c, &acc); st != 0 {
		if w.negotiated {
			w.renegotiate(c, keep) // a variant the client may not have is no variant
			return
		}
		w.errorResponse(c, st, nil, keep)
		return
	}
	// MultiViews for a file's path (a directory's index is negotiated by
	// ServeMapped, after the fixups, as mod_dir does it); what found no
	// variant here is not looked for again there.
	negTried := w.srv.view.Load().flags.multiViews && h != nil && acc.handler == "" && !w.negotiated && len(hp) > 0 && hp[len(hp)-1] != '/'
	if negTried && w.negotiateEarly(c, h, hp, p, keep) {
		return
	}
	// The fixups hooks: mod_rewrite's first, then mod_alias's before
	// mod_env's, as Apache runs them (a section's redirect logs none of
	// SetEnv's variables), and mod_headers' RequestHeader last.
	if len(w.secs.rewrite) > 0 {
		switch w.rewriteDir(c, keep) {
		case rewriteAnswered:
			return
		case rewriteInternal:
			// Apache redirects from the handler, after every fixup:
			// mod_env's variables are the original request's too.
			if len(w.srv.envBase) > 0 || len(w.secs.env) > 0 {
				w.modEnv()
			}
			w.internalRedirect(c, keep)
			return
		}
	}
	if len(w.secs.redirects) > 0 && w.trySectionRedirect(c, keep) {
		return
	}
	if (len(w.srv.envBase) > 0 || len(w.secs.env) > 0) && w.modEnv() {
		keep = w.responseEnv() && keepable
	}
	if len(w.srv.reqHeaders) > 0 {
		w.applyRequestHeaders(c, w.srv.reqHeaders)
	}
	for _, sec := range w.secs.reqHeaders {
		w.applyRequestHeaders(c, sec.reqHeaders) // mod_headers' merge: the sections' after the server's
	}
	if w.proxyRoute != nil {
		w.serveProxy(c, keep)
		return
	}
	switch {
	case isProxyHandler(acc.handler):
		w.serveFCGIHandler(c, acc.handler, keep)
		return
	case acc.handler == "cgi-script":
		w.serveCGI(c, scriptAliased, keep)
		w.followScriptLocation(c, keep)
		return
	}
	if h == nil { // a rewrite to a file outside DocumentRoot and the aliases
		w.logError(c, errorlog.LevelError, "rewrite", "", "eventmpm serves files below DocumentRoot and the Alias targets only, not ", w.fspath, "")
		w.errorResponse(c, 404, nil, keep)
		return
	}
	switch acc.handler {
	case "server-status":
		w.serveStatus(c, keep)
		return
	case "metrics":
		w.serveMetrics(c, keep)
		return
	}
	w.replyFlags()
	w.reply.NoNegotiate = w.reply.NoNegotiate || negTried
	w.reply.EntryAccess, w.entryAuth = w.entryAccessFn, entryAuth{}
	h.ServeMapped(req, hp, p, w.reply, w.start.UnixNano())
	switch st := w.reply.Status; {
	case w.reply.Variant != "":
		w.serveVariant(c, keep)
		return
	case w.negotiated && (st == 403 || st == 404):
		w.renegotiate(c, keep) // gone since it was listed, or a symlink its Options refuse
		return
	}
	if w.negotiated {
		w.reply.Header = append(w.reply.Header, w.negHeader...)
	}
	if len(w.forcedType) > 0 {
		w.forceContentType()
	}
	if w.reply.Status == 404 && !w.reply.PathInfo && acc.speling != nil && acc.speling.Enabled &&
		(req.MethodID == http1.MethodGet || req.MethodID == http1.MethodHead) && w.fixSpelling(c, acc.speling, p, w.fspath, keep) {
		return
	}
	if w.reply.Status == 404 && acc.fallback != nil && !w.reply.PathInfo {
		w.serveFallback(c, p, w.fspath, acc.fallback)
	}
	if idx := w.reply.Index; idx != nil {
		w.index = idx                       // %U
		w.fspath = append(w.fspath, idx...) // %f and the error log name the index file
	}
	w.sendReply(c, keep)
}

// skipDeferredBody skips the body of a request that turned out not to be
// proxied, as for any request, and reports whether the request goes on.
// When an answer is made already (a redirect of translation), that answer
// stands, and a body that is bad or not all here is drained by a
// lingering close, never read as the next request.
func (w *worker) skipDeferredBody(c *conn, answered bool, keep, keepable *bool) bool {
	w.bodyDeferred = false
	whole, err := w.skipBody(c, w.srv.mappedBodyLimit(w, w.path, w.fspath))
	switch {
	case answered && (err != nil || !whole):
		c.lingerShort = true
		c.out.after = afterLinger
	case err != nil:
		w.refuseBody(c, err)
		return false
	}
	*keepable = *keepable && whole
	*keep = *keep && whole
	return true
}

// forceContentType gives a file's response the media type a RewriteRule's
// T flag set, as mod_rewrite's type hook does: the Content-Type line of a
// 200 or a single-range 206 is replaced, or added (a multipart/byteranges
// answer keeps its own, and so do its parts; error pages keep theirs).
func (w *worker) forceContentType() {
	r := w.reply
	if (r.Status != 200 && r.Status != 206) || len(r.Segments) > 0 {
		return
	}
	const name = "Content-Type: "
	h := r.Header
	b := w.typeScratch[:0]
	for len(h) > 0 {
		end := bytes.Index(h, []byte("\r\n"))
		if end < 0 {
			end = len(h) - 2
		}
		line := h[:end+2]
		h = h[end+2:]
		if len(line) < len(name) || !strings.EqualFold(string(line[:len(name)]), name) {
			b = append(b, line...)
		} else if bytes.HasPrefix(line[len(name):], []byte("multipart/byteranges")) {
			return // the parts keep the file's own type
		}
	}
	b = append(append(append(b, name...), w.forcedType...), "\r\n"...)
	w.typeScratch = b
	r.Header = append(r.Header[:0], b...)
}

// replyFlags sets what the static handler reads from the request's
// environment and negotiation state before it answers.
func (w *worker) replyFlags() {
	if len(w.env) > 0 {
		w.reply.NoCompress = w.hasEnv("no-gzip") // SetEnvIf's way to keep a client from gzip
		if i := w.envIndex("gzip-only-text/html"); i >= 0 {
			w.reply.GzipOnlyHTML = string(w.env[i].Value) == "1" // mod_deflate takes "1" only
		}
		if i := w.envIndex("prefer-language"); i >= 0 {
			w.reply.PreferLanguage = string(w.env[i].Value) // MultiViews' preferred variant language
		}
	}
	w.reply.NoNegotiate, w.reply.SkipVariants = w.negotiated, w.negSkip
}

// negotiateEarly negotiates a request for a missing file in a MultiViews
// directory before the fixups, as Apache's type_checker hook does, and
// reports whether it answered: the chosen variant is served as the
// request's file; a 406 or 404 is sent.
func (w *worker) negotiateEarly(c *conn, h *static.Handler, hp, p []byte, keep bool) bool {
	w.replyFlags()
	if !h.Negotiate(&w.req, hp, p, w.reply, w.start.UnixNano()) {
		return false
	}
	if w.reply.Variant != "" {
		w.serveVariant(c, keep)
	} else {
		w.sendReply(c, keep)
	}
	return true
}

// serveVariant serves the file MultiViews chose (w.reply.Variant, in the
// directory of the request's path) as the request's own, with its own
// sections and access checks, as mod_negotiation's fast redirect to its
// subrequest: %U and %f name the variant, and the response carries the
// negotiation's header lines.
func (w *worker) serveVariant(c *conn, keep bool) {
	p := w.path
	dir := p[:bytes.LastIndexByte(p, '/')+1]
	w.negFrom = append(w.negFrom[:0], w.req.Path...)
	w.negVariant = append(w.negVariant[:0], w.reply.Variant...)
	w.irRaw = static.AppendEscapedPath(w.irRaw[:0], dir)
	w.irRaw = static.AppendEscapedPath(w.irRaw, w.negVariant)
	w.negHeader = append(w.negHeader[:0], w.reply.NegHeader...)
	w.negotiated = true
	w.req.Path = w.irRaw
	w.reply.Release()
	w.respond(c, keep)
}

// renegotiate negotiates the request again without the variant whose
// access checks just refused it, or that could not be opened, as
// Apache's subrequest for a variant that does not answer 200 takes it
// out of the running (an AH01630 is logged all the same). Each round
// leaves out one more file, so it ends.
func (w *worker) renegotiate(c *conn, keep bool) {
	w.negSkip = append(w.negSkip, string(w.negVariant))
	w.negFrom, w.irRaw = w.irRaw, w.negFrom // the original path, in a buffer serveVariant does not write
	w.req.Path = w.irRaw
	w.negotiated = false
	w.reply.Release()
	w.respond(c, keep)
}

// translate maps the cleaned path p to its handler and file (w.fspath),
// as Apache's translate_name hooks: mod_rewrite's rules first, then
// mod_alias's redirects and aliases, then mod_userdir. A rewrite with PT replaces w.path;
// one without maps its new path straight onto DocumentRoot and leaves
// w.path, which <Location> sections and %U see, the client's. answered
// reports a redirect or an error sent.
func (w *worker) translate(c *conn, p []byte, keep bool) (h *static.Handler, hp []byte, answered bool) {
	if len(w.srv.rewrites) > 0 {
		switch res, pt := w.rewrite(c, keep); {
		case res == rewriteAnswered:
			return nil, nil, true
		case res == rewriteProxy:
			return nil, nil, !w.translateRewriteProxy(c, keep)
		case res == rewriteInternal && pt:
			w.path = append(w.path[:0], w.rwPath...)
			p = w.path
		case res == rewriteInternal:
			h, hp = w.srv.mapRewritten(w.rwPath, &w.fspath)
			return h, hp, false
		}
	}
	if w.srv.proxy != nil && w.translateProxy(p) {
		return nil, nil, false // mod_proxy's proxy_trans: after mod_rewrite, before mod_alias
	}
	if (len(w.srv.redirects) > 0 || w.srv.locationWhole) && w.tryRedirect(c, keep) {
		return nil, nil, true // mod_alias's translate_alias_redir: redirects before aliases
	}
	h, hp, redirect := w.srv.mapPathOrRedirect(p, w.vhostRoot(), &w.aliasPath, &w.fspath)
	if w.vrootBad {
		// A Host of "..": VirtualDocumentRoot would leave its directory.
		w.logError(c, errorlog.LevelError, "vhost_alias", "", "VirtualDocumentRoot: the server name ", w.serverName(), " makes a path with a '.' or '..' segment")
		w.fspath = w.fspath[:0]
		w.errorResponse(c, 400, nil, false)
		return nil, nil, true
	}
	w.vrootServed = w.srv.vhostAlias != nil && h == w.srv.vhostAlias.static
	if redirect != nil {
		// translate_userdir's answer: 302, the target as the entry made
		// it, no query appended.
		w.fspath = w.fspath[:0]
		w.loc = append(w.loc[:0], redirect...)
		w.sendRedirect(c, 302, w.loc, keep)
		return nil, nil, true
	}
	return h, hp, false
}

// optionsAsterisk answers "OPTIONS *" (RFC 9110 9.3.7: the server's own
// capabilities): 200 with the methods the static handler supports and no
// body, as Apache's core answers it. It used to reach CleanPath, which
// refuses "*" with 400.
func (w *worker) optionsAsterisk(c *conn, keep bool) {
	w.path, w.fspath = w.path[:0], w.fspath[:0]
	w.reply.Status = 200
	w.reply.Header = append(w.reply.Header[:0], static.AllowHeader...)
	w.sendReply(c, keep)
}

// refuseMethod answers a method no part of the server knows (Apache's
// M_INVALID) with 501, which closes the connection, and logs core's
// AH00135 with the request line, as Apache's default handler does. Apache
// sends Allow with a 501 as with a 405 (ap_send_error_response); the
// answer comes before any routing, so it lists what OPTIONS * and a static
// file's 405 list: the methods the static handler supports.
func (w *worker) refuseMethod(c *conn, keep bool) {
	w.logError(c, errorlog.LevelError, "core", "AH00135", "Invalid method in request ", w.req.Line, "")
	w.reply.Header = append(w.reply.Header[:0], static.AllowHeader...)
	w.errorResponse(c, 501, nil, keep)
}

// refuseConnect answers CONNECT (its authority-form target parsed, RFC
// 9112 3.2.3): eventmpm is no proxy, so 405 with the methods it allows, as
// Apache 2.4 without mod_proxy answers. The target has no path to map; it
// used to reach CleanPath, which refused the empty path with 400. The
// connection is closed: a client may send tunnel data right behind its
// CONNECT, and that is no request.
func (w *worker) refuseConnect(c *conn) {
	w.path, w.fspath = w.path[:0], w.fspath[:0]
	w.reply.Header = append(w.reply.Header[:0], static.AllowHeader...)
	w.errorResponse(c, 405, nil, false)
}

// keepAlive decides whether the connection may stay open after this
// request: the client's wish (RFC 9112 9.3), KeepAlive, MaxKeepAliveRequests
// and whether the child is stopping.
func (w *worker) keepAlive(c *conn) bool {
	if !w.req.KeepAlive || !w.srv.keepAlive || w.ch.dying.Load() {
		return false
	}
	return w.srv.maxKeepAlive == 0 || c.requests < w.srv.maxKeepAlive
}

// sendReply turns the static handler's Reply into the response parts.
func (w *worker) sendReply(c *conn, keep bool) {
	r := w.reply
	switch {
	case r.Err != nil:
		w.srv.log.Error("serving file failed", "module", "core", errorlog.Client(w.remote),
			errorlog.TID(w.id), errorlog.ReqAttr(w), "uri", string(w.path), "err", r.Err)
	case r.Unnegotiable == static.NoAcceptableVariant:
		w.logError(c, errorlog.LevelError, "negotiation", "AH00690", "no acceptable variant: ", w.fspath, "")
	case r.Unnegotiable == static.NoNegotiableVariant:
		w.logError(c, errorlog.LevelError, "negotiation", "AH00687", "Negotiation: discovered file(s) matching request: ", w.fspath, " (None could be negotiated).")
	case r.Status == 404 && r.PathInfo: // the path went on past a file: core's default handler
		w.logError(c, errorlog.LevelInfo, "core", "AH00130", "File does not exist: ", w.fspath, "")
	case r.Status == 404:
		w.logError(c, errorlog.LevelInfo, "core", "AH00128", "File does not exist: ", w.fspath, "")
	case r.Denial == static.DenialSymlink:
		w.logError(c, errorlog.LevelError, "core", "AH00037", "Symbolic link not allowed or link target not accessible: ", w.fspath, "")
	case r.Denial == static.DenialNoIndex:
		w.logNoIndex(c, r.IndexNames)
	case r.Denial == static.DenialFileAccess:
		w.logDenied("core", "AH00132", "file permissions deny server access: "+r.DeniedPath)
	case r.Denial == static.DenialSearch:
		w.logDenied("core", "AH00035", "access to "+r.DeniedURL+" denied (filesystem path '"+r.DeniedPath+
			"') because search permissions are missing on a component of the path")
	case r.Denial == static.DenialListing:
		w.logDenied("autoindex", "AH01275", "Can't open directory for index: "+r.DeniedPath)
	case r.Denial == static.DenialVariants:
		w.logDenied("negotiation", "AH00686", "cannot read directory for multi: "+r.DeniedPath)
	}
	// A redirect or an error without a body of its own gets the canned
	// page, for HEAD too: RFC 9110 9.3.2 wants HEAD's header fields to be
	// GET's (Location, Content-Type, the page's Content-Length), and
	// errorResponse leaves out only the body. 304 has no page.
	if r.Body == nil && r.File == nil && len(r.Segments) == 0 && r.Status >= 300 && r.Status != 304 {
		w.errorResponse(c, r.Status, nil, keep)
		return
	}
	if r.Listing && w.signatureKind() != "" {
		d := w.signatureDetail(c)
		r.AddSignature(http1.AppendAddress(nil, &d))
	}
	w.status = r.Status
	w.clock = r.Clock // a cache hit's clock, read microseconds ago
	h := w.startHead(c, r.Status, keep)
	h = append(h, r.Header...)
	if r.Status != 304 {
		h = http1.AppendHeaderInt(h, "Content-Length", r.ContentLength)
	}
	h = append(h, "\r\n"...)
	w.head = h
	parts := append(w.parts[:0], outPart{data: h, scratch: true})
	w.sent = 0
	if !r.NoBody && w.req.MethodID != http1.MethodHead {
		parts = w.bodyParts(parts)
		w.sent = r.ContentLength
	}
	w.parts = parts
	w.finish(c, keep, parts)
}

// bodyParts appends the reply's body as output parts. Segments are tested
// by length, not against nil: Reply.Release keeps their capacity, so a
// worker's reply has a non-nil empty Segments after its first
// multipart/byteranges answer from a file.
func (w *worker) bodyParts(parts []outPart) []outPart {
	r := w.reply
	switch {
	case r.Body != nil:
		return append(parts, outPart{data: r.Body})
	case len(r.Segments) > 0:
		for _, s := range r.Segments {
			parts = append(parts, outPart{data: s.Prefix}, outPart{file: r.File, off: s.Offset, n: s.Length, copy: r.NoSendfile})
		}
		return append(parts, outPart{data: r.Tail})
	case r.File != nil:
		return append(parts, outPart{file: r.File, off: r.Offset, n: r.ContentLength, copy: r.NoSendfile})
	}
	return parts
}

// startHead writes the status line and the headers every response has.
func (w *worker) startHead(c *conn, status int, keep bool) []byte {
	return w.startHeadFrom(c, status, keep, "", "")
}

// startHeadFrom is startHead with a Date and a Server value to send
// instead of this server's when not empty: a proxied response keeps its
// backend's, as Apache's basic_http_header.
func (w *worker) startHeadFrom(c *conn, status int, keep bool, date, server string) []byte {
	reason := ""
	if w.proxyNotes != "" {
		reason = "Proxy Error" // ap_proxyerror's status line
	}
	h := http1.AppendStatusLineReason(w.head[:0], status, reason)
	if w.forceHTTP10 {
		h[len("HTTP/1.")] = '0' // SetEnvIf's force-response-1.0, for clients that cannot read 1.1
	}
	h = append(h, "Date: "...)
	if date != "" {
		h = append(h, date...)
	} else {
		h = w.ch.date.AppendDateAt(h, w.responseClock())
	}
	h = append(h, "\r\nServer: "...)
	if server != "" {
		h = append(h, server...)
	} else {
		h = append(h, w.ch.server...)
	}
	h = append(h, "\r\n"...)
	h = append(h, w.rwCookies...) // RewriteRule's CO flag, on every response to the request
	switch {
	case !keep:
		h = append(h, "Connection: close\r\n"...)
	case w.req.ProtoMinor == 0 || w.req.KeepAliveAsked:
		// Apache's ap_set_keepalive: a client that sent the keep-alive
		// option (browsers do, HTTP/1.1 too) is told the timeout and how
		// many requests are left, which clients such as Node's use to
		// drop a connection before the server does.
		h = append(h, "Keep-Alive: timeout="...)
		h = strconv.AppendInt(h, c.keepAliveTimeout/int64(time.Second), 10)
		if w.srv.maxKeepAlive > 0 {
			h = append(h, ", max="...)
			h = strconv.AppendInt(h, int64(w.srv.maxKeepAlive-c.requests), 10)
		}
		h = append(h, "\r\nConnection: Keep-Alive\r\n"...)
	}
	return h
}

// errorResponse prepares Apache's error page for status (or the redirect
// page for 301/302). Requests the parser refused, timed-out reads and
// refused bodies close the connection; a well-formed request whose answer
// is an error keeps it.
func (w *worker) errorResponse(c *conn, status int, cause error, keep bool) {
	answered, page := w.customError(c, status, keep)
	if !answered {
		w.sendErrorPage(c, status, cause, keep, 0, page)
	}
}

// sendErrorPage sends status with page as its body, or Apache's canned
// page when page is nil (with the note that an error, recursive, was met
// while serving an ErrorDocument, when not 0).
func (w *worker) sendErrorPage(c *conn, status int, cause error, keep bool, recursive int, page []byte) {
	if closesConnection(status) {
		keep = false
	}
	w.status = status
	body := page
	if body == nil {
		body = w.errorPage(c, status, cause, recursive)
	}
	h := w.startHead(c, status, keep)
	h = append(h, w.reply.Header...)
	if status >= 300 && status <= 399 {
		h = w.appendLocation(c, h)
	}
	h = append(h, "Content-Type: text/html; charset=iso-8859-1\r\n"...)
	if page == nil || w.req.MethodID != http1.MethodHead {
		// An ErrorDocument message answering HEAD has no length, as
		// Apache sends it (the canned page keeps GET's, as Apache's).
		h = http1.AppendHeaderInt(h, "Content-Length", int64(len(body)))
	}
	h = append(h, "\r\n"...)
	w.head = h
	parts := append(w.parts[:0], outPart{data: h, scratch: true})
	w.sent = 0
	if w.req.MethodID != http1.MethodHead {
		parts = append(parts, outPart{data: body, scratch: true})
		w.sent = int64(len(body))
	}
	w.parts = parts
	if cause != nil && status >= 500 {
		w.srv.log.Error("request failed", "module", "core", errorlog.Client(w.remote),
			errorlog.TID(w.id), errorlog.ReqAttr(w), "err", cause)
	}
	w.finish(c, keep, parts)
}

// closesConnection lists the statuses after which the connection cannot be
// trusted or was given up on (RFC 9112 9.6; Apache's ap_status_drops_connection).
func closesConnection(status int) bool {
	switch status {
	case 400, 408, 411, 413, 414, 417, 500, 501, 503, 505:
		return true
	}
	return false
}

// finish completes a response: it sets what follows the write, logs the
// request and updates the scoreboard. The parts are written by the caller.
func (w *worker) finish(c *conn, keep bool, parts []outPart) {
	if w.srv.rewritesHead || len(w.secs.head) > 0 || len(w.ifVary) > 0 {
		w.rewriteHead(w.status)
		parts[0].data = w.head
	}
	w.account(c, keep, parts)
}

// complete0 ends a response that was written already (a proxied one): it
// is logged and counted, and the connection goes on when keep.
func (w *worker) complete0(c *conn, keep bool) {
	w.clock = 0 // the head went out before the body: read the clock again
	w.account(c, keep, w.parts[:0])
}

// responseClock is the wall clock (Unix ns) for the response being built:
// its Date and the end time that the access log and the scoreboard take.
// A response built from memory without waiting on anything (a cached
// file, an error page) takes its head and end a few microseconds apart,
// and reads the clock once for both, or not at all when the open-file
// cache read it during the look-up (static.Reply.Clock): each read is two
// vDSO calls, a few percent of a small keep-alive request's user time.
func (w *worker) responseClock() int64 {
	if w.clock == 0 {
		w.clock = time.Now().UnixNano()
	}
	return w.clock
}

// account is the end of finish: what follows the write, the access log
// and the scoreboard.
func (w *worker) account(c *conn, keep bool, parts []outPart) {
	if w.bodyDeferred {
		// Answered while the body was kept unread for a handler that
		// never took it: it must not be read as the next request.
		w.bodyDeferred = false
		keep, c.lingerShort = false, true
	}
	if b := w.scriptBody; b != nil {
		// A script's body, which it could read while it answered: what
		// it left unread closes the connection.
		w.scriptBody = nil
		b.stop()
		if !b.complete() {
			keep, c.lingerShort = false, true
		}
	}
	w.secs.reset()
	c.out.parts = parts
	c.writeTimeout = w.srv.timeout
	switch {
	case keep:
		c.out.after = afterKeepAlive
	case c.in != nil && c.in.len() > 0 || c.lingerShort:
		c.out.after = afterLinger
	default:
		c.out.after = afterClose
	}
	w.headSize = int64(len(w.head))
	w.setStatus(shm.BusyLog)
	w.finished = w.responseClock()
	w.clock = 0
	w.logRequest(c, keep)
	w.docStatus = 0
	if w.slot != nil { // nil once retired (the request was counted then)
		// The bytes %O logs, head included, as Apache's scoreboard counts
		// them with mod_logio built in (Debian's and most packages'):
		// ap_increment_counts takes mod_logio's count for the request.
		w.slot.EndRequest(w.headSize+w.sent, time.Duration(w.finished-w.start.UnixNano()))
	}
	w.setStatus(shm.BusyWrite)
}

// logRequest writes the access log lines of the request.
func (w *worker) logRequest(c *conn, keep bool) {
	if len(w.srv.logs) == 0 {
		return
	}
	if w.logs == nil {
		w.logs = w.ch.newLogBuffers() // retired: the successor took the worker's
	}
	e := &w.entry
	*e = accesslog.Entry{
		Request: &w.req, Remote: w.remote, Peer: c.remote, Local: c.localAddrPort(), ProxyIPs: w.proxyIPs,
		GzipIn: w.reply.GzipIn, GzipOut: w.reply.GzipOut, GzipNotes: &w.srv.cfg.Deflate.Notes, Status: w.status, BodyBytes: w.sent,
		BytesIn: int64(w.req.HeadLen) + w.bodyIn, BytesOut: w.headSize + w.sent,
		Received: w.start, Duration: time.Duration(w.finished - w.start.UnixNano()), ServerName: w.srv.name,
		ServerPort: w.srv.namedPort, PID: w.ch.pid, TID: w.id, RespHead: w.head,
		KeepAliveCount: w.prior, LogID: w.logID, Filename: w.fspath, Env: w.env, User: w.user, Index: w.index, URLPath: w.path,
		QueryRewritten: w.queryRewritten,
	}
	if len(w.req.Line) == 0 {
		e.Request = nil
	}
	if c.tls != nil {
		e.TLS = w
	}
	if w.origPath != nil {
		e.URLPath = w.origPath // after a per-directory rewrite's internal redirect, the client's
	}
	if w.docStatus != 0 {
		e.Status, e.OriginalStatus = w.docStatus, w.status
	}
	if keep {
		e.ConnStatus = accesslog.ConnKeepAlive
	}
	if w.srv.logExprs {
		w.cond = condRequest{w: w, c: c, uri: w.path, filename: w.fspath, late: true, status: e.Status}
	}
	for i := range w.srv.logs {
		sl := &w.srv.logs[i]
		if w.envAllows(sl.env, sl.envNegated) && (sl.expr == nil || sl.expr.Eval(&w.cond)) {
			w.logs[sl.index].WriteEntry(sl.format, e)
		}
	}
}

// requestShown is how much of the request line the scoreboard keeps:
// Apache's request field is 64 bytes with a terminating NUL.
const requestShown = shm.RequestSize - 1

// requestText is the part of the request line the scoreboard keeps, as
// Apache's copy_request: the first requestShown bytes of a longer line, or
// with SeeRequestTail On its last requestShown, where long query strings
// differ.
func requestText(line []byte, tail bool) []byte {
	switch {
	case len(line) <= requestShown:
		return line
	case tail:
		return line[len(line)-requestShown:]
	default:
		return line[:requestShown]
	}
}

// clientText is the client address for the scoreboard.
func (w *worker) clientText(c *conn) []byte {
	// A keep-alive connection's requests come from one address: spelled
	// once, not per request.
	if a := w.remote.Addr(); a != w.clientOf || len(w.client) == 0 {
		w.client, w.clientOf = a.AppendTo(w.client[:0]), a
	}
	return w.client
}

// protoText is the request's protocol as SetEnvIf's Request_Protocol
// reads it: as the client sent it, as Apache's r->protocol.
func protoText(req *http1.Request) []byte {
	if p := req.Protocol(); len(p) > 0 {
		return p
	}
	if req.ProtoMinor == 0 {
		return proto10
	}
	return proto11
}

var (
	proto10 = []byte("HTTP/1.0")
	proto11 = []byte("HTTP/1.1")
	// connProtocol is the connection's protocol as the scoreboard shows
	// it, Apache's ap_get_protocol: "http/1.1" for every HTTP/1.x request
	// (the version a request sent is in its request line).
	connProtocol = []byte("http/1.1")
)

// logError writes a line about the current request to its server's
// error log (Apache logs per virtual host), with the client's address, when
// the log takes that level: the line is built only then, so a 404 at the
// default level costs nothing. The message is text, detail and tail; the
// worker goes with it as the line's errorlog.Request, for the Referer that
// Apache's default line ends with and the items of ErrorLogFormat.
func (w *worker) logError(c *conn, level slog.Level, module, ah, text string, detail []byte, tail string) {
	lg := w.srv.log
	if !lg.Enabled(context.Background(), level) {
		return
	}
	lg.Log(context.Background(), level, text+string(detail)+tail, "module", module, "ah", ah,
		errorlog.Client(w.remote), errorlog.TID(w.id), errorlog.ReqAttr(w))
}

// logDenied writes module's line for a 403 that file permissions caused,
// at level error and headed "(13)Permission denied: " as Apache's: core's
// AH00132 from its default handler and AH00035 from its directory walk,
// mod_autoindex's AH01275 and mod_negotiation's AH00686 for a directory
// they may not read.
func (w *worker) logDenied(module, ah, msg string) {
	lg := w.srv.log
	if !lg.Enabled(context.Background(), errorlog.LevelError) {
		return
	}
	lg.Log(context.Background(), errorlog.LevelError, msg, "module", module, "ah", ah,
		errorlog.Client(w.remote), errorlog.TID(w.id), errorlog.ReqAttr(w), errorlog.Err(unix.EACCES))
}

// logNoIndex writes mod_autoindex's AH01276 for a directory that has no
// index file and may not be listed: the line that tells an admin why a
// directory answers 403.
func (w *worker) logNoIndex(c *conn, names []string) {
	if !w.srv.log.Enabled(context.Background(), errorlog.LevelError) {
		return
	}
	tail := ": No matching DirectoryIndex (" + strings.Join(names, ",") +
		") found, and server-generated directory index forbidden by Options directive"
	w.logError(c, errorlog.LevelError, "autoindex", "AH01276", "Cannot serve directory ", w.fspath, tail)
}
