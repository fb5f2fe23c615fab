package child

import (
	"bytes"
	"errors"
	"strconv"
	"strings"
	"time"

	"eventmpm/child/http1"
	"eventmpm/config"
	"eventmpm/internal/version"
	"eventmpm/shm"
	"eventmpm/status"
)

// errorPage renders Apache's canned page for status into w.body. A
// request the parser refused (cause) gets the reason as the page's notes
// where Apache's page has it (its error-notes): "Size of a request header
// field exceeds server limit." tells a user with an oversized cookie what
// went wrong.
func (w *worker) errorPage(c *conn, status int, cause error, recursive int) []byte {
	d := w.signatureDetail(c)
	d.Recursive, d.Method, d.Location = recursive, w.req.Method, w.locationValue(c)
	if w.req.ExpectOther {
		d.Expect = w.req.Get("Expect")
	}
	var pe *http1.ParseError
	if errors.As(cause, &pe) && pe.Page {
		d.Notes = pe.Reason
	}
	if w.proxyNotes != "" {
		d.Notes, d.NotesHTML, d.Reason = w.proxyNotes, true, "Proxy Error"
	}
	if w.pageNotes != "" {
		d.Notes, d.NotesHTML = w.pageNotes, true
	}
	if status == 406 || status == 300 {
		d.VariantList = w.reply.VariantList
	}
	w.body = http1.AppendErrorPage(w.body[:0], status, d)
	return w.body
}

// locationValue is the absolute redirect target for a 301 from the static
// handler or a redirect of mod_alias's: an absolute URL as it is; for a
// path, the scheme (ServerName's, "https://host" behind a TLS-terminating
// proxy, else http, as Apache's ap_http_scheme without mod_ssl), the
// request's host (or ServerName and the port the connection arrived on)
// and the path.
func (w *worker) locationValue(c *conn) []byte {
	if len(w.reply.Location) == 0 {
		return nil
	}
	if w.reply.Location[0] != '/' {
		return w.reply.Location // an absolute URL (mod_alias's Redirect)
	}
	l := append(append(w.loc[:0], w.srv.scheme...), "://"...)
	var port int
	if len(w.req.Host) > 0 {
		// As Apache's ap_construct_url: the host as fix_hostname leaves it
		// (lowercased, no final dot), and the port only when Host names one
		// other than the scheme's ("localhost:0080" is port 80).
		name := w.serverName()
		if bytes.IndexByte(name, ':') >= 0 {
			l = append(append(append(l, '['), name...), ']') // an IPv6 literal
		} else {
			l = append(l, name...)
		}
		port = hostPort(w.req.Host)
	} else {
		l = append(l, w.srv.name...)
		port = w.serverPort(c)
	}
	if port > 0 && port != defaultPort(w.srv.scheme) {
		l = append(l, ':')
		l = strconv.AppendInt(l, int64(port), 10)
	}
	l = append(l, w.reply.Location...)
	w.loc = l
	return l
}

// defaultPort is the port a URL of scheme leaves out.
func defaultPort(scheme string) int {
	if scheme == "https" {
		return 443
	}
	return 80
}

// serverName is the request's server name as Apache's ap_get_server_name
// gives it with UseCanonicalName Off (its default): the host the request
// named, lowercased as fix_hostname leaves it, else ServerName.
func (w *worker) serverName() []byte {
	name := config.TrimHost(w.req.Host)
	if len(name) == 0 {
		return w.srv.nameBytes
	}
	w.hostName = w.hostName[:0]
	for _, b := range name {
		if 'A' <= b && b <= 'Z' {
			b += 'a' - 'A'
		}
		w.hostName = append(w.hostName, b)
	}
	return w.hostName
}

// serverPort is the request's server port as Apache's ap_get_server_port
// gives it with UseCanonicalName Off: the port the Host header names, else
// the one the connection arrived on (a virtual host's ServerName port, or
// the first Listen, only for a connection with none, as in tests).
func (w *worker) serverPort(c *conn) int {
	if p := hostPort(w.req.Host); p > 0 {
		return p
	}
	if c != nil && c.lst != nil && c.lst.port != 0 {
		return c.lst.port
	}
	return w.srv.port
}

// hostPort is the port of a Host value ("example.com:8080", "[::1]:81",
// "h:0080"), 0 when it names none. The parser refused ports outside 1 to
// 65535.
func hostPort(host []byte) int {
	i := len(host)
	for i > 0 && host[i-1] >= '0' && host[i-1] <= '9' {
		i--
	}
	if i == 0 || i == len(host) || host[i-1] != ':' {
		return 0
	}
	port := 0
	for _, b := range host[i:] {
		if port = port*10 + int(b-'0'); port > 65535 {
			return 0
		}
	}
	return port
}

// appendLocation adds the Location header of a redirect.
func (w *worker) appendLocation(c *conn, h []byte) []byte {
	if loc := w.locationValue(c); loc != nil {
		h = http1.AppendHeader(h, "Location", loc)
	}
	return h
}

// serveStatus answers <Location /server-status> SetHandler server-status
// from a snapshot of the scoreboard: ?auto text or the HTML page, with
// ?refresh=N. mod_status answers GET (and HEAD) only.
func (w *worker) serveStatus(c *conn, keep bool) {
	if !w.pageMethodAllowed(c, keep) {
		return
	}
	w.takeSnapshot()
	q := status.ParseQuery(string(w.req.Query))
	info := status.NewInfo(w.snap, time.Now())
	info.NoTable = q.NoTable
	info.LocalIP = c.localAddr().String()
	if name := hostName(w.req.Host); name != "" {
		info.ServerName = name
	}
	ctype := status.ContentTypeHTML
	if q.Auto {
		ctype = status.ContentTypeAuto
		w.body = status.AppendAuto(w.body[:0], w.snap, &info)
	} else {
		w.body = status.AppendHTML(w.body[:0], w.snap, &info)
	}
	w.sendPage(c, keep, ctype, q.Refresh)
}

// pageMethodAllowed answers 405 to anything but GET and HEAD, which is all
// the generated pages (server-status, metrics) answer, as mod_status.
func (w *worker) pageMethodAllowed(c *conn, keep bool) bool {
	if w.req.MethodID == http1.MethodGet || w.req.MethodID == http1.MethodHead {
		return true
	}
	w.reply.Header = append(w.reply.Header[:0], "Allow: GET,HEAD\r\n"...)
	w.errorResponse(c, 405, nil, keep)
	return false
}

// takeSnapshot copies the scoreboard into the worker's reused snapshot.
func (w *worker) takeSnapshot() {
	if w.snap == nil {
		w.snap = new(shm.Snapshot)
	}
	w.ch.sb.Snapshot(w.snap)
}

// serveMetrics answers <Location /metrics> SetHandler metrics: the
// Prometheus text exposition of one scoreboard snapshot, the data of the
// status page. The Accept header is not consulted: the text format 0.0.4
// is what every scraper accepts.
func (w *worker) serveMetrics(c *conn, keep bool) {
	if !w.pageMethodAllowed(c, keep) {
		return
	}
	w.takeSnapshot()
	if w.metrics == nil {
		w.metrics = status.NewMetrics()
	}
	info := status.NewInfo(w.snap, time.Now())
	body, err := w.metrics.Append(w.body[:0], w.snap, &info)
	if err != nil {
		w.errorResponse(c, 500, err, keep)
		return
	}
	w.body = body
	w.sendPage(c, keep, status.ContentTypeMetrics, 0)
}

// sendPage sends w.body, a generated 200 page of type ctype, with a
// Refresh header when refresh > 0; HEAD gets the head only.
func (w *worker) sendPage(c *conn, keep bool, ctype string, refresh int) {
	w.status = 200
	h := w.startHead(c, 200, keep)
	if refresh > 0 {
		h = http1.AppendHeaderInt(h, "Refresh", int64(refresh))
	}
	h = http1.AppendHeaderString(h, "Content-Type", ctype)
	h = http1.AppendHeaderInt(h, "Content-Length", int64(len(w.body)))
	h = append(h, "\r\n"...)
	w.head = h
	parts := append(w.parts[:0], outPart{data: h, scratch: true})
	w.sent = 0
	if w.req.MethodID != http1.MethodHead {
		parts = append(parts, outPart{data: w.body, scratch: true})
		w.sent = int64(len(w.body))
	}
	w.parts = parts
	w.finish(c, keep, parts)
}

// http1ServerHeader is the Server header for a ServerTokens setting.
func http1ServerHeader(tokens string) string {
	return http1.ServerHeader(tokens, version.Product, version.Version)
}

// signatureKind normalises ServerSignature: "", "on" or "email".
func signatureKind(sig string) string {
	switch strings.ToLower(sig) {
	case "on":
		return "on"
	case "email":
		return "email"
	}
	return ""
}

// signatureDetail is what ServerSignature's line names: the server's
// version (Signature, "" when ServerSignature is Off, which leaves the
// line out), its name for the request and the port, ServerAdmin for the
// email form.
func (w *worker) signatureDetail(c *conn) http1.ErrorDetail {
	d := http1.ErrorDetail{
		ServerAdmin: w.srv.serverAdmin(),
		ServerName:  w.serverName(),
		Port:        w.serverPort(c),
	}
	if sig := w.signatureKind(); sig != "" {
		d.Signature = string(w.ch.server)
		d.SignatureEMail = sig == "email"
	}
	return d
}

// signatureKind is the request's ServerSignature: its sections', once
// they are known and one sets it, else its server's.
func (w *worker) signatureKind() string {
	if w.signatureSet {
		return w.signature
	}
	return w.srv.signature
}

// defaultServerAdmin is Apache's ServerAdmin when none is set
// (DEFAULT_ADMIN): the 500 page and %{SERVER_ADMIN} show it.
const defaultServerAdmin = "[no address given]"

// serverAdmin is the server's ServerAdmin, or Apache's default.
func (s *site) serverAdmin() string {
	if s.cfg.ServerAdmin == "" {
		return defaultServerAdmin
	}
	return s.cfg.ServerAdmin
}
