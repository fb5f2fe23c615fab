package child

import (
	"fmt"
	"regexp"

	"eventmpm/child/static"
	"eventmpm/config"
	"eventmpm/internal/errorlog"
)

// redirect is one compiled Redirect, RedirectTemp, RedirectPermanent or
// RedirectMatch (mod_alias).
type redirect struct {
	path   string         // URL-path prefix; "" for RedirectMatch
	re     *regexp.Regexp // RedirectMatch's pattern
	status int
	url    string // "" for a status that is not a redirect
}

// compileRedirects compiles a server's redirects, in the order they are
// tried.
func compileRedirects(rs []config.Redirect) ([]redirect, error) {
	out := make([]redirect, 0, len(rs))
	for _, r := range rs {
		cr := redirect{path: r.Path, status: r.Status, url: r.URL}
		if r.Regex != "" {
			re, err := regexp.Compile(r.Regex)
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
// control. It reports whether one did.
func (w *worker) tryRedirect(c *conn, keep bool) bool {
	for i := range w.srv.redirects {
		r := &w.srv.redirects[i]
		var target []byte
		if r.re != nil {
			if !r.re.Match(w.path) { // does not allocate, unlike the Submatch forms
				continue
			}
			if r.url != "" {
				target = redirectMatchTarget(w.loc[:0], r.url, w.path, r.re.FindSubmatchIndex(w.path))
			}
		} else {
			n := config.MatchURLPrefix(w.path, r.path)
			if n == 0 {
				continue
			}
			if r.url != "" {
				target = static.AppendEscapedPath(append(w.loc[:0], r.url...), w.path[n:])
			}
		}
		w.answerRedirect(c, r.status, target, keep)
		return true
	}
	return false
}

// answerRedirect sends status with Location target (a path, made absolute
// for this server, or an absolute URL), carrying the request's query when
// the target has none, as mod_alias. A target that is neither is a 500
// (AH00673), as in Apache. A status that is not a redirect gets its error
// page.
func (w *worker) answerRedirect(c *conn, status int, target []byte, keep bool) {
	w.fspath = w.fspath[:0]
	if status < 300 || status > 399 {
		w.errorResponse(c, status, nil, keep)
		return
	}
	if len(target) == 0 || target[0] != '/' && !config.IsURL(string(target)) {
		w.logError(c, errorlog.LevelError, "alias", "AH00673", "cannot redirect '", w.path,
			"' to '"+string(target)+"'; target is not a valid absoluteURI or abs_path")
		w.errorResponse(c, 500, nil, keep)
		return
	}
	if hasQuery(w.req.Target) && !hasQuery(target) {
		target = append(append(target, '?'), w.req.Query...)
	}
	w.loc = target
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
	sub := appendSubst(nil, tmpl, path, m)
	end := len(sub)
	for i, c := range sub {
		if c == '?' || c == '#' {
			end = i
			break
		}
	}
	dst = static.AppendEscapedPath(dst, sub[:end])
	return append(dst, sub[end:]...)
}

// appendSubst appends tmpl to dst with $0 to $9 replaced by the submatches
// m of src (an unmatched group is empty) and a backslash taking the next
// byte literally, as Apache's ap_pregsub.
func appendSubst(dst []byte, tmpl string, src []byte, m []int) []byte {
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		switch {
		case c == '$' && i+1 < len(tmpl) && tmpl[i+1] >= '0' && tmpl[i+1] <= '9':
			n := int(tmpl[i+1] - '0')
			i++
			if 2*n+1 < len(m) && m[2*n] >= 0 && m[2*n] < m[2*n+1] {
				dst = append(dst, src[m[2*n]:m[2*n+1]]...)
			}
		case c == '\\' && i+1 < len(tmpl):
			i++
			dst = append(dst, tmpl[i])
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
