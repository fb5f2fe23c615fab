package child

import (
	"fmt"

	"eventmpm/internal/errorlog"
)

// cleanFallback is a FallbackResource's URL-path as the child serves it:
// cleaned, without a query; nil for none ("" or "disabled").
func cleanFallback(raw string) ([]byte, error) {
	if raw == "" {
		return nil, nil
	}
	p, ok := cleanLocalPath(raw)
	if !ok {
		return nil, fmt.Errorf("%q is not a valid URL-path", raw)
	}
	return p, nil
}

// serveFallback answers a request whose file does not exist with its
// FallbackResource, as mod_dir's fixup_dflt: the fallback's own mapping
// (an Alias may hold it), sections and access rules, the request's
// conditions and ranges, its status; %U and %f name it, as Apache's fast
// internal redirect makes them. A fallback the client may not read is
// 403, as Apache answers with its sub-request's error. One that does not
// exist (or is a status page) leaves the original 404, where Apache loops
// on its own fallback until it gives up with 500.
func (w *worker) serveFallback(c *conn, urlPath, fsPath, fallback []byte) {
	req := &w.req
	w.secs.reset()
	dh, hp := w.srv.mapPath(fallback, w.vhostRoot(), &w.aliasPath, &w.docPath)
	if st := w.accessFilesFor(c, w.docPath, false); st != 0 {
		w.reply.Release()
		w.reply.Status = st
		return
	}
	acc := w.srv.walk(fallback, w.docPath, &w.secs, w.condFor(c, fallback, w.docPath))
	ok, byHost := allowedWithoutUser(&acc, &authzCtx{client: w.remote.Addr(), local: c.localAddr(), method: req.Method, w: w, cond: &w.cond})
	switch {
	case !ok:
		module, code := "authz_core", "AH01630"
		if byHost {
			module, code = "access_compat", "AH01797"
		}
		w.logError(c, errorlog.LevelError, module, code, "client denied by server configuration: ", w.docPath, "")
		w.reply.Release()
		w.reply.Status = 403
		return
	case acc.handler == "":
		noCompress, onlyHTML := w.reply.NoCompress, w.reply.GzipOnlyHTML // SetEnvIf's no-gzip holds for the fallback too
		w.reply.Release()
		w.reply.NoCompress, w.reply.GzipOnlyHTML = noCompress, onlyHTML
		dh.ServeMapped(req, hp, fallback, w.reply, w.start.UnixNano())
		if w.reply.Status != 404 && w.reply.Status < 500 {
			w.path = append(w.path[:0], fallback...)
			w.fspath = append(w.fspath[:0], w.docPath...)
			return
		}
	}
	// The original 404, with its own sections (ErrorDocument, Header).
	w.reply.Release()
	w.reply.Status = 404
	w.secs.reset()
	w.srv.walk(urlPath, fsPath, &w.secs, w.condFor(c, urlPath, fsPath))
}
