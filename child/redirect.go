package child

import (
	"fmt"

	"eventmpm/child/static"
	"eventmpm/config"
	"eventmpm/config/expr"
	"eventmpm/internal/errorlog"
	"eventmpm/internal/regex"
)

// redirect is one compiled Redirect, RedirectTemp, RedirectPermanent or
// RedirectMatch (mod_alias).
type redirect struct {
	path   string       // URL-path prefix; "" for RedirectMatch and the short form
	re     regex.Regexp // RedirectMatch's pattern
	status int
	url    string // "" for a status that is not a redirect
	whole  bool   // a section's short form: every request goes to url
	// expr is the short form's URL when it holds %{...} or $N: an
	// ap_expr string made per request.
	expr *expr.String
}

// compileRedirects compiles a server's redirects, in the order they are
// tried.
func compileRedirects(rs []config.Redirect) ([]redirect, error) {
	out := make([]redirect, 0, len(rs))
	for _, r := range rs {
		cr := redirect{path: r.Path, status: r.Status, url: r.URL, whole: r.Whole}
		if r.Regex != "" {
			re, err := regex.Compile(r.Regex)
			if err != nil {
				return nil, fmt.Errorf("%s:%d: RedirectMatch: %w", r.Pos.File, r.Pos.Line, err)
			}
			cr.re = re
		}
		out = append(out, cr)
	}
	return out, nil
}

// tryRedirect answers the request with the first of its server's
// redirects that matches the decoded path w.path, as mod_alias does in the
// translate_name hook: before any file is looked up and before access
// control. A <Location> section's short form comes first: Apache walks
// the <Location> sections before translate_name, and mod_alias tries the
// short form of the last one that has it before the server's list. It
// reports whether a redirect answered.
func (w *worker) tryRedirect(c *conn, keep bool) bool {
	var r *redirect
	var target []byte
	if w.srv.locationWhole {
		for i := len(w.srv.locations) - 1; i >= 0; i-- {
			if l := &w.srv.locations[i]; l.whole != nil && l.matchPath(w.path) {
				r = l.whole
				target, _ = w.redirectTarget(r)
				break
			}
		}
	}
	for i := 0; r == nil && i < len(w.srv.redirects); i++ {
		if t, ok := w.redirectTarget(&w.srv.redirects[i]); ok {
			r, target = &w.srv.redirects[i], t
		}
	}
	if r == nil {
		return false
	}
	// The <Location> sections' ErrorDocuments apply to the answer (a
	// "gone" page, a 500 for a bad target): Apache has walked them.
	for i := range w.srv.locations {
		if l := &w.srv.locations[i]; l.errorDocs != nil && l.matchPath(w.path) {
			w.secs.docs = append(w.secs.docs, l)
		}
	}
	w.answerRedirect(c, r.status, target, keep, "AH00673")
	return true
}

// trySectionRedirect answers the request with the redirects of its
// sections (w.secs.redirects, in merge order), as mod_alias's fixups hook
// after the access checks: the short form of the last section that has
// one, else the first match in the merged list, where the sections merged
// later come first (apr_array_append(overrides, base)). It reports
// whether a redirect answered.
func (w *worker) trySectionRedirect(c *conn, keep bool) bool {
	secs := w.secs.redirects
	for i := len(secs) - 1; i >= 0; i-- {
		if r := secs[i].whole; r != nil {
			target, _ := w.redirectTarget(r)
			w.answerRedirect(c, r.status, target, keep, "AH00676")
			return true
		}
	}
	for i := len(secs) - 1; i >= 0; i-- {
		for j := range secs[i].redirects {
			r := &secs[i].redirects[j]
			if target, ok := w.redirectTarget(r); ok {
				w.answerRedirect(c, r.status, target, keep, "AH00676")
				return true
			}
		}
	}
	return false
}

// redirectTarget reports whether r matches the request's decoded path
// w.path, and makes its target in w.loc (nil for a status that is not a
// redirect).
func (w *worker) redirectTarget(r *redirect) (target []byte, ok bool) {
	switch {
	case r.whole && r.expr != nil:
		target = appendRedirectURL(w.loc[:0], []byte(r.expr.Eval(w.condFor(w.cur, w.path, w.fspath))))
	case r.whole:
		if r.url != "" {
			target = appendRedirectURL(w.loc[:0], []byte(r.url))
		}
	case r.re != nil:
		if !r.re.Match(w.path) { // does not allocate, unlike the Submatch forms
			return nil, false
		}
		if r.url != "" {
			target = redirectMatchTarget(w.loc[:0], r.url, w.path, r.re.FindSubmatchIndex(w.path))
		}
	default:
		n := config.MatchURLPrefix(w.path, r.path)
		if n == 0 {
			return nil, false
		}
		if r.url != "" {
			target = static.AppendEscapedPath(append(w.loc[:0], r.url...), w.path[n:])
		}
	}
	return target, true
}

// answerRedirect sends status with Location target (a path, made absolute
// for this server, or an absolute URL), carrying the request's query when
// the target has none, as mod_alias. A target that is neither is a 500,
// logged with ah as Apache logs it: AH00673 from its translate_name hook,
// AH00676 from its fixups (a section's redirects). A status that is not a
// redirect gets its error page.
func (w *worker) answerRedirect(c *conn, status int, target []byte, keep bool, ah string) {
	w.fspath = w.fspath[:0]
	if status < 300 || status > 399 {
		w.errorResponse(c, status, nil, keep)
		return
	}
	if len(target) == 0 || target[0] != '/' && !config.IsURL(string(target)) {
		w.logError(c, errorlog.LevelError, "alias", ah, "cannot redirect '", w.path,
			"' to '"+string(target)+"'; target is not a valid absoluteURI or abs_path")
		w.errorResponse(c, 500, nil, keep)
		return
	}
	if hasQuery(w.req.Target) && !hasQuery(target) {
		target = append(append(target, '?'), w.req.Query...)
	}
	w.loc = target
	w.sendRedirect(c, status, target, keep)
}

// sendRedirect answers status with Location target as it is (a path is
// made absolute for this server).
func (w *worker) sendRedirect(c *conn, status int, target []byte, keep bool) {
	w.reply.Location = append(w.reply.Location[:0], target...)
	w.errorResponse(c, status, nil, keep)
}

// hasQuery reports whether a target or URL has a '?'.
func hasQuery(b []byte) bool {
	for _, c := range b {
		if c == '?' {
			return true
		}
	}
	return false
}

// redirectMatchTarget is RedirectMatch's target: tmpl with $0 to $9
// replaced by the submatches of path (a backslash takes the next byte
// literally), as Apache's ap_pregsub, then the part before any query or
// fragment escaped as a path, as mod_alias escapes it.
func redirectMatchTarget(dst []byte, tmpl string, path []byte, m []int) []byte {
	return appendRedirectURL(dst, appendSubst(nil, tmpl, path, m))
}

// appendRedirectURL appends a redirect's target URL with the part before
// any query or fragment escaped as a path, as mod_alias escapes
// RedirectMatch's and the short form's.
func appendRedirectURL(dst, u []byte) []byte {
	end := len(u)
	for i, c := range u {
		if c == '?' || c == '#' {
			end = i
			break
		}
	}
	dst = static.AppendEscapedPath(dst, u[:end])
	return append(dst, u[end:]...)
}

// appendSubst appends tmpl to dst with $0 to $9 replaced by the submatches
// m of src (an unmatched group is empty) and a backslash taking the next
// byte literally, as Apache's ap_pregsub.
func appendSubst(dst []byte, tmpl string, src []byte, m []int) []byte {
	return appendTemplate(dst, tmpl, func(n int) []byte {
		if 2*n+1 < len(m) && m[2*n] >= 0 && m[2*n] < m[2*n+1] {
			return src[m[2*n]:m[2*n+1]]
		}
		return nil
	})
}

// appendTemplate appends tmpl to dst with $0 to $9 replaced by group(n)
// and a backslash taking the next byte literally.
func appendTemplate[S ~string | ~[]byte](dst []byte, tmpl string, group func(n int) S) []byte {
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		switch {
		case c == '$' && i+1 < len(tmpl) && tmpl[i+1] >= '0' && tmpl[i+1] <= '9':
			dst = append(dst, group(int(tmpl[i+1]-'0'))...)
			i++
		case c == '\\' && i+1 < len(tmpl):
			i++
			dst = append(dst, tmpl[i])
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
