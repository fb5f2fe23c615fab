package child

import (
	"fmt"

	"eventmpm/child/http1"
	"eventmpm/child/static"
	"eventmpm/config"
	"eventmpm/config/expr"
	"eventmpm/internal/errorlog"
)

// errorDoc is one compiled ErrorDocument.
type errorDoc struct {
	kind config.ErrorDocKind
	doc  []byte // the message, the URL, or the cleaned URL-path
	// expr makes the document per response when it reads variables or
	// calls functions (%{...}); nil when doc is all of it.
	expr *expr.String
}

// compileErrorDocs compiles a server's ErrorDocuments by status.
func compileErrorDocs(docs map[int]config.ErrorDocument) (map[int]*errorDoc, error) {
	if len(docs) == 0 {
		return nil, nil
	}
	out := make(map[int]*errorDoc, len(docs))
	for code, d := range docs {
		ed := &errorDoc{kind: d.Kind, doc: []byte(d.Document)}
		if d.Kind != config.ErrorDocDefault {
			e, err := expr.ParseString(d.Document)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: ErrorDocument %d: %w", d.Pos.File, d.Pos.Line, code, err)
			}
			if lit, ok := e.Literal(); ok {
				ed.doc = []byte(lit) // with the expression's escapes undone
			} else {
				ed.expr = e
			}
		}
		if d.Kind == config.ErrorDocPath && ed.expr == nil {
			p, ok := cleanLocalPath(string(ed.doc))
			if !ok {
				return nil, fmt.Errorf("%s:%d: ErrorDocument %d %s: not a valid URL-path", d.Pos.File, d.Pos.Line, code, d.Document)
			}
			ed.doc = p
		}
		out[code] = ed
	}
	return out, nil
}

// errorDoc is the ErrorDocument for status of the request: that of the
// last of its sections that has one for status, else its server's, as
// Apache merges them code by code. nil means the canned page. A request
// refused before it was routed (a malformed head, a late one, a body over
// LimitRequestBody) has no sections: its server's ErrorDocuments apply, as
// in Apache.
func (w *worker) errorDoc(status int) *errorDoc {
	for i := len(w.secs.docs) - 1; i >= 0; i-- {
		if d := w.secs.docs[i].errorDocs[status]; d != nil {
			return d
		}
	}
	return w.srv.errorDocs[status]
}

// cleanLocalPath is a configured local URL-path (an ErrorDocument's, a
// FallbackResource's) as the child serves it: without its query, which
// means nothing to a file, and cleaned. It reports false for a path
// CleanPath refuses.
func cleanLocalPath(raw string) ([]byte, bool) {
	for i := 0; i < len(raw); i++ {
		if raw[i] == '?' {
			raw = raw[:i]
			break
		}
	}
	p, st := static.CleanPath([]byte(raw), nil)
	return p, st == 0
}

// customError answers status with the ErrorDocument of the request, if it
// has one, as Apache's ap_die and ap_send_error_response: a
// message is the page; a URL is a 302 to it; a local path's resource is
// the page, sent with status. When that resource cannot be served (it is
// missing, forbidden, a directory), the canned page says so, with the
// second status. A document that is an expression is made now, for this
// request. It reports whether it answered; page is the page for
// errorResponse to send otherwise.
func (w *worker) customError(c *conn, status int, keep bool) (answered bool, page []byte) {
	d := w.errorDoc(status)
	if d == nil {
		return false, nil
	}
	if closesConnection(status) {
		keep = false
	}
	doc := d.doc
	if d.expr != nil {
		doc = []byte(d.expr.Eval(w.condFor(c, w.path, w.fspath)))
	}
	switch d.kind {
	case config.ErrorDocText:
		return false, doc
	case config.ErrorDocURL:
		w.reply.Location = append(w.reply.Location[:0], doc...)
		w.sendErrorPage(c, 302, nil, keep, 0, nil)
		return true, nil
	case config.ErrorDocPath:
		second := 0
		if d.expr != nil {
			if p, ok := cleanLocalPath(string(doc)); ok {
				doc = p
			} else { // as Apache's internal redirect to a path it refuses
				w.logError(c, errorlog.LevelError, "core", "AH10244", "invalid URI path (", doc, ")")
				second = 400
			}
		}
		if second == 0 {
			second = w.serveErrorDoc(c, status, doc, keep)
		}
		if second != 0 {
			// Apache's ap_die hands the redirect's inherited status, the
			// first one, to the page's "Additionally" note, and logs the
			// redirect's own as %>s (the first as %s).
			w.docStatus = second
			w.sendErrorPage(c, status, nil, keep, status, nil)
		}
		return true, nil
	}
	return false, nil // ErrorDocDefault: the canned page
}

// serveErrorDoc sends the resource at path (an ErrorDocument's cleaned
// URL-path) as the page of status, as Apache's internal redirect of the
// error to it: a GET without conditions or ranges (ap_meets_conditions
// and the byterange filter ignore an error's redirect), under the
// access rules of its own path, which may lie under an Alias (Debian's
// localized error pages live in /usr/share/apache2/error, aliased as
// /error/). It returns 0 when it answered, else the
// status the resource itself got.
func (w *worker) serveErrorDoc(c *conn, status int, path []byte, keep bool) int {
	// The original request is served: its alias path buffer is free.
	dh, hp := w.srv.mapPath(path, w.vhostRoot(), &w.aliasPath, &w.docPath)
	if st := w.accessFilesFor(c, w.docPath, false); st != 0 {
		return st
	}
	w.docSecs.reset()
	acc := w.srv.walk(path, w.docPath, &w.docSecs, w.condFor(c, path, w.docPath))
	ok, byHost := allowedWithoutUser(&acc, &authzCtx{client: w.remote.Addr(), local: c.localAddr(), method: methodGET, cond: &w.cond})
	switch {
	case !ok && byHost:
		w.logError(c, errorlog.LevelError, "access_compat", "AH01797", "client denied by server configuration: ", w.docPath, "")
		return 403
	case !ok:
		w.logError(c, errorlog.LevelError, "authz_core", "AH01630", "client denied by server configuration: ", w.docPath, "")
		return 403
	case acc.handler != "":
		return 500 // a status or metrics page is no error page
	}
	// The reply may carry the error's own header lines (405's Allow).
	w.docExtra = append(w.docExtra[:0], w.reply.Header...)
	w.reply.Release()
	w.docReq = http1.Request{Method: methodGET, MethodID: http1.MethodGet, Target: path, Path: path,
		ProtoMajor: 1, ProtoMinor: w.req.ProtoMinor, ContentLength: -1}
	dh.ServeMapped(&w.docReq, hp, path, w.reply, w.start.UnixNano())
	r := w.reply
	if r.Status != 200 || r.Body == nil && r.File == nil && r.ContentLength != 0 {
		rec := r.Status
		if rec == 200 || rec == 0 {
			rec = 500
		}
		if r.Err != nil {
			w.srv.log.Error("serving ErrorDocument failed", "module", "core", errorlog.Client(w.remote),
				errorlog.TID(w.id), errorlog.ReqAttr(w), "uri", string(path), "err", r.Err)
		}
		r.Release()
		r.Header = append(r.Header[:0], w.docExtra...)
		return rec
	}
	// Apache's internal redirect to the document runs its own fixups:
	// the Header directives of its sections apply too, after the
	// request's, and "onsuccess" ones with the "always" ones (docServed).
	w.secs.head = append(w.secs.head, w.docSecs.head...)
	w.docServed = true
	w.status = status
	h := w.startHead(c, status, keep)
	h = append(h, w.docExtra...)
	h = append(h, r.Header...)
	h = http1.AppendHeaderInt(h, "Content-Length", r.ContentLength)
	h = append(h, "\r\n"...)
	w.head = h
	parts := append(w.parts[:0], outPart{data: h, scratch: true})
	w.sent = 0
	if w.req.MethodID != http1.MethodHead {
		parts = w.bodyParts(parts)
		w.sent = r.ContentLength
	}
	w.parts = parts
	w.finish(c, keep, parts)
	return 0
}

var methodGET = []byte("GET")
