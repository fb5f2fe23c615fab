package child

import (
	"bytes"
	"net/http"
	"net/netip"
	"os/user"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"

	"eventmpm/config/expr"
)

var _ expr.Request = (*condRequest)(nil)

// This file is the request as Apache's expressions (package expr) read
// it: condRequest implements expr.Request over a worker's request state,
// for <If> sections, Require expr, SetEnvIfExpr, mod_rewrite's variables,
// and, once the response is known, Header's and CustomLog's expr=.

// condRequest is the request as an expression reads it. uri and filename
// are those of the walk: an internal redirect's (ErrorDocument,
// FallbackResource) own. late marks the evaluation of a Header's expr=
// condition or value, as the response is sent: the response's status,
// type and head lines (lines) are known by then.
type condRequest struct {
	w             *worker
	c             *conn
	uri, filename []byte
	late          bool
	status        int
	lines         []hdrLine
}

// lateVar is a variable whose value is the response's, for a Header's
// expression (ok false: the variable is not one of those).
func (cr *condRequest) lateVar(name string) (string, bool) {
	switch name {
	case "REQUEST_STATUS":
		return strconv.Itoa(cr.status), true
	case "CONTENT_TYPE":
		return string(cr.line("Content-Type")), true
	case "HANDLER":
		ct := cr.line("Content-Type")
		if i := bytes.IndexByte(ct, ';'); i >= 0 {
			ct = ct[:i]
		}
		return string(bytes.TrimSpace(ct)), true
	case "LAST_MODIFIED":
		t, err := http.ParseTime(string(cr.line("Last-Modified")))
		if err != nil {
			t = time.Unix(0, 0)
		}
		return t.Local().Format("20060102150405"), true
	case "AUTH_TYPE":
		if cr.w.user != "" && !cr.w.userFromTLS {
			return "Basic", true
		}
		return "", true
	}
	return "", false
}

// line is the value of the response head's field name, or nil: from the
// lines being rewritten, or, once the response is sent (lines nil, for a
// CustomLog's condition), from the head that went out.
func (cr *condRequest) line(name string) []byte {
	if cr.lines == nil {
		return headField(cr.w.head, name)
	}
	for i := range cr.lines {
		if l := &cr.lines[i]; !l.dead && bytes.EqualFold(l.name, []byte(name)) {
			return cr.w.lineValue(l)
		}
	}
	return nil
}

// headField is the value of the first field name in a response head.
func headField(head []byte, name string) []byte {
	for rest := head; len(rest) > 0; {
		eol := bytes.Index(rest, crlf)
		if eol <= 0 {
			return nil
		}
		line := rest[:eol]
		rest = rest[eol+2:]
		if colon := bytes.IndexByte(line, ':'); colon > 0 && bytes.EqualFold(line[:colon], []byte(name)) {
			return bytes.TrimLeft(line[colon+1:], " \t")
		}
	}
	return nil
}

// condFor is the request, as the <If> sections of a walk of uri and
// filename read it.
func (w *worker) condFor(c *conn, uri, filename []byte) *condRequest {
	w.cond = condRequest{w: w, c: c, uri: uri, filename: filename}
	return &w.cond
}

// Var implements expr.Request, with Apache's values at the time ap_if_walk
// runs: before the handler, so CONTENT_TYPE and HANDLER are still empty,
// LAST_MODIFIED is the epoch and REQUEST_STATUS is 200 (a Header's or a
// CustomLog's expression sees the response's: lateVar); REMOTE_USER is the
// user once one authenticated (Require expr asks again after that).
func (cr *condRequest) Var(name string) string {
	w, c, req := cr.w, cr.c, &cr.w.req
	if cr.late {
		if v, ok := cr.lateVar(name); ok {
			return v
		}
	}
	switch name {
	case "REQUEST_METHOD":
		return string(req.Method)
	case "REQUEST_SCHEME":
		return w.srv.scheme
	case "REQUEST_URI", "DOCUMENT_URI":
		return string(cr.uri)
	case "REQUEST_FILENAME", "SCRIPT_FILENAME":
		return string(cr.filename)
	case "REMOTE_HOST", "REMOTE_ADDR":
		return w.remote.Addr().Unmap().String()
	case "REMOTE_PORT":
		return strconv.Itoa(int(w.remote.Port()))
	case "REMOTE_USER":
		return w.user // set once the client authenticated
	case "SERVER_ADMIN":
		return w.srv.serverAdmin()
	case "SCRIPT_USER", "SCRIPT_GROUP":
		return fileOwner(string(cr.filename), name == "SCRIPT_GROUP")
	case "LAST_MODIFIED":
		// r->mtime is still 0 when ap_if_walk runs: Apache prints the
		// epoch in local time.
		return time.Unix(0, 0).Format("20060102150405")
	case "SERVER_NAME":
		return string(w.serverName())
	case "SERVER_PORT":
		return strconv.Itoa(w.serverPort(c))
	case "SERVER_PROTOCOL":
		return string(req.Protocol())
	case "QUERY_STRING":
		return string(req.Query)
	case "IS_SUBREQ":
		return "false"
	case "DOCUMENT_ROOT", "CONTEXT_DOCUMENT_ROOT":
		if w.vrootServed {
			return string(w.vroot) // mod_vhost_alias's, once it took the request
		}
		return w.srv.cfg.DocumentRoot
	case "THE_REQUEST":
		return string(req.Line)
	case "REQUEST_STATUS":
		return "200"
	case "HTTPS":
		if c == nil || c.tls == nil {
			return "off"
		}
		return "on"
	case "HTTP2":
		return "off"
	case "IPV6":
		if cr.peer().Addr().Unmap().Is6() {
			return "on"
		}
		return "off"
	case "CONN_REMOTE_ADDR":
		return cr.peer().Addr().Unmap().String()
	case "SERVER_SOFTWARE":
		return string(w.ch.server)
	case "API_VERSION":
		return apiVersion
	}
	if strings.HasPrefix(name, "SSL_") && c != nil {
		v, _ := w.tlsVar(c, name)
		return v
	}
	// REMOTE_IDENT, AUTH_TYPE, CONTENT_TYPE, HANDLER,
	// PATH_INFO, REQUEST_LOG_ID, CONN_LOG_ID and CONTEXT_PREFIX: nothing
	// is set by then.
	return ""
}

// peer is the connection's client: the PROXY protocol's, else the
// socket's peer (Apache's c->client_addr).
func (cr *condRequest) peer() netip.AddrPort {
	switch c := cr.c; {
	case c == nil:
		return cr.w.remote
	case c.proxied && c.proxyClient.IsValid():
		return c.proxyClient
	}
	return cr.c.remote
}

// apiVersion is what Apache 2.4 reports as API_VERSION: its module magic
// number's major part, the same for every 2.4 release.
const apiVersion = "20120211"

// fileOwner is the name of the user (or group) owning the file, as
// SCRIPT_USER and SCRIPT_GROUP read it from r->finfo; "" when there is no
// such file.
func fileOwner(name string, group bool) string {
	var st unix.Stat_t
	if unix.Stat(name, &st) != nil {
		return ""
	}
	if group {
		if g, err := user.LookupGroupId(strconv.FormatUint(uint64(st.Gid), 10)); err == nil {
			return g.Name
		}
		return strconv.FormatUint(uint64(st.Gid), 10)
	}
	if u, err := user.LookupId(strconv.FormatUint(uint64(st.Uid), 10)); err == nil {
		return u.Username
	}
	return strconv.FormatUint(uint64(st.Uid), 10)
}

// Header implements expr.Request: the field's first value; a field read
// with vary set is named in the response's Vary header.
func (cr *condRequest) Header(name string, vary bool) string {
	if vary {
		cr.w.addIfVary(name)
	}
	return string(cr.w.req.Get(name))
}

// ResponseHeader implements expr.Request: nothing before the handler
// runs; a Header's expression sees the head being sent, but for
// Content-Type, which Apache keeps apart from headers_out.
func (cr *condRequest) ResponseHeader(name string) string {
	if !cr.late || strings.EqualFold(name, "Content-Type") {
		return ""
	}
	return string(cr.line(name))
}

// Env implements expr.Request from the variables SetEnvIf set so far.
func (cr *condRequest) Env(name string) (string, bool) {
	if i := cr.w.envIndex(name); i >= 0 {
		return string(cr.w.env[i].Value), true
	}
	return "", false
}

// RemoteAddr implements expr.Request: the client, as mod_remoteip left it.
func (cr *condRequest) RemoteAddr() netip.Addr { return cr.w.remote.Addr() }
