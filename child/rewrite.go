package child

import (
	"bytes"
	"cmp"
	"context"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"

	"eventmpm/child/http1"
	"eventmpm/child/static"
	"eventmpm/config"
	"eventmpm/config/expr"
	"eventmpm/internal/errorlog"
	"eventmpm/internal/regex"
)

// This file is mod_rewrite's per-server rewriting (its translate_name
// hook), before mod_alias: the rules run over the request's decoded URL
// path in order. A rule that applies may redirect (R, or a substitution
// that is a URL), refuse (F, G, R with a status that is not a redirect),
// set variables (E) or rewrite the path (and query) internally. An
// internal rewrite without PT maps the new path straight onto
// DocumentRoot, as Apache's does: <Location> sections and %U keep the
// original path, aliases and server-level Redirects are not consulted.
// With PT the new path goes on as if the client had asked for it.

// rewriteRule is one compiled RewriteRule.
type rewriteRule struct {
	cfg   *config.RewriteRule
	re    regex.Regexp
	conds []rewriteCond
}

// rewriteCond is one compiled RewriteCond.
type rewriteCond struct {
	cfg *config.RewriteCond
	re  regex.Regexp // CondRegex
}

// compileRewrite compiles a server's rules; none when its engine is off.
func compileRewrite(rw *config.Rewrite) ([]rewriteRule, error) {
	if rw == nil || !rw.Engine {
		return nil, nil
	}
	return compileRules(rw)
}

// compileRules compiles a server's or a section's rules.
func compileRules(rw *config.Rewrite) ([]rewriteRule, error) {
	out := make([]rewriteRule, 0, len(rw.Rules))
	for i := range rw.Rules {
		r := &rw.Rules[i]
		cr := rewriteRule{cfg: r}
		var err error
		if cr.re, err = compileNoCase(r.Pattern, r.Flags.NoCase); err != nil {
			return nil, fmt.Errorf("%s:%d: RewriteRule: %w", r.Pos.File, r.Pos.Line, err)
		}
		for j := range r.Conds {
			c := rewriteCond{cfg: &r.Conds[j]}
			if c.cfg.Kind == config.CondRegex {
				if c.re, err = compileNoCase(c.cfg.Pattern, c.cfg.NoCase); err != nil {
					return nil, fmt.Errorf("%s:%d: RewriteCond: %w", r.Pos.File, r.Pos.Line, err)
				}
			}
			cr.conds = append(cr.conds, c)
		}
		out = append(out, cr)
	}
	return out, nil
}

func compileNoCase(pattern string, noCase bool) (regex.Regexp, error) {
	if noCase {
		pattern = "(?i)" + pattern
	}
	return regex.Compile(pattern)
}

// rewriteState is one run of the rules: the path and query as rewritten
// so far and the groups of the last rule and condition that matched.
type rewriteState struct {
	path, query string
	hasArgs     bool // there is a query, if perhaps an empty one (r->args not NULL)
	// Per directory: the section's directory (with its trailing slash),
	// its RewriteBase and DocumentRoot; perdir is "" per server.
	perdir, base, docRoot string
	// trace is set when LogLevel asks for rewrite:trace1 or more: the
	// rules then log each step (rewriteTrace), as mod_rewrite's rewritelog.
	trace bool
	// escape is the B flag of the rule whose output is being made (nil
	// outside it): its $N are escaped.
	escape     *config.RewriteFlags
	ruleGroups [10]string
	condGroups [10]string
}

// rewriteResult is what the rules decided.
type rewriteResult int

const (
	rewriteNone     rewriteResult = iota // no rule changed the path
	rewriteInternal                      // the path (or query) changed
	rewriteAnswered                      // a redirect or an error was sent
	rewriteProxy                         // a rule with P made w.rwProxy
)

// ruleOutcome is what running a list of rules decided.
type ruleOutcome struct {
	answered     bool // a redirect or an error was sent
	changed      bool // a substitution rewrote the path
	queryChanged bool
	pt, end      bool // a rule that applied had PT, END
	proxy        bool // a rule with P applied: w.rwProxy is its URL
}

// runRules runs rules over st in order, as mod_rewrite's
// apply_rewrite_list. Per directory (st.perdir set) a rule matches the
// path relative to the directory, and a relative substitution is taken
// from the directory.
func (w *worker) runRules(c *conn, rules []rewriteRule, st *rewriteState, keep bool) (out ruleOutcome) {
	rounds := 0
	for i := 0; i < len(rules); i++ {
		r := &rules[i]
		if !w.applyRule(r, st) {
			for r.cfg.Flags.Chain && i+1 < len(rules) { // a chain fails as a whole
				i++
				r = &rules[i]
			}
			continue
		}
		f := &r.cfg.Flags
		w.rewriteEnv(f, st)
		for _, co := range f.Cookies {
			w.rewriteCookie(c, co, st)
		}
		if f.Type != "" {
			w.forcedType = w.expandRewrite(w.forcedType[:0], f.Type, st, false)
			for i, c := range w.forcedType { // Apache lowercases a forced type
				if 'A' <= c && c <= 'Z' {
					w.forcedType[i] = c + 'a' - 'A'
				}
			}
			if st.trace {
				w.rewriteTrace(c, st, 2, "remember %s to have MIME-type '%s'", st.path, string(w.forcedType))
			}
		}
		status := 0
		switch {
		case f.Forbidden:
			status = 403
		case f.Gone:
			status = 410
		case f.Redirect != 0 && (f.Redirect < 300 || f.Redirect > 399):
			status = f.Redirect // the substitution is dropped
		}
		if status != 0 {
			if st.trace {
				w.rewriteTrace(c, st, 2, "forcing responsecode %d for %s", status, st.path)
			}
			w.errorResponse(c, status, nil, keep)
			return ruleOutcome{answered: true}
		}
		if r.cfg.Substitution != "-" {
			st.escape = escapeFlags(f)
			target := string(w.expandRewrite(nil, r.cfg.Substitution, st, false))
			st.escape = nil
			if st.trace {
				w.rewriteTrace(c, st, 2, "rewrite '%s' -> '%s'", strings.TrimPrefix(st.path, st.perdir), target)
			}
			if f.Proxy {
				w.rewriteProxyTarget(target, st, f)
				if st.trace {
					w.rewriteTrace(c, st, 2, "forcing proxy-throughput with %s", string(w.rwProxy))
				}
				out.proxy = true
				return out // P implies L
			}
			if f.Redirect != 0 || config.IsURL(target) {
				if st.trace && f.Redirect != 0 {
					w.rewriteTrace(c, st, 2, "explicitly forcing redirect with %s", target)
				}
				if !config.IsURL(target) && st.perdir != "" {
					target = w.dirURL(st, target)
				}
				w.rewriteRedirect(c, target, st, f, keep)
				return ruleOutcome{answered: true}
			}
			newPath, newQuery, hasQ := splitQuery(target, f.QSLast)
			switch {
			case hasQ && f.QSAppend && st.query != "":
				st.query, st.hasArgs, out.queryChanged = newQuery+"&"+st.query, true, true
			case hasQ:
				st.query, st.hasArgs, out.queryChanged = newQuery, true, true
			case f.QSDiscard:
				st.query, st.hasArgs, out.queryChanged = "", false, true
			}
			if st.perdir != "" && !strings.HasPrefix(newPath, "/") {
				if st.trace {
					w.rewriteTrace(c, st, 3, "add per-dir prefix: %s -> %s", newPath, st.perdir+newPath)
				}
				newPath = st.perdir + newPath
			}
			st.path, out.changed = newPath, true
			out.pt = out.pt || f.PT
		}
		out.end = out.end || f.End
		if f.Last || f.End {
			break
		}
		if f.Next {
			if rounds++; rounds >= f.MaxRounds {
				w.logError(c, errorlog.LevelError, "rewrite", "AH02596", "RewriteRule '"+r.cfg.Pattern+"' and URI '"+string(w.path)+
					"' exceeded maximum number of rounds ("+strconv.Itoa(f.MaxRounds)+") via the [N] flag", nil, "")
				w.errorResponse(c, 500, nil, keep)
				return ruleOutcome{answered: true}
			}
			if st.trace {
				w.rewriteTrace(c, st, 3, "new round with %s [N]", st.path)
			}
			i = -1 // the first rule again, over the rewritten path
			continue
		}
		i += f.Skip
	}
	return out
}

// rewriteProxyTarget makes w.rwProxy from a P rule's substitution: its
// query as mod_rewrite's splitout_queryargs leaves it (the substitution's
// own, QSA appending the request's, QSD dropping it, else the request's),
// and a URL-path made a URL of this server, as fully_qualify_uri.
func (w *worker) rewriteProxyTarget(target string, st *rewriteState, f *config.RewriteFlags) {
	newPath, newQuery, hasQ := splitQuery(target, f.QSLast)
	query, has := st.query, st.hasArgs
	switch {
	case hasQ && f.QSAppend && st.query != "":
		query, has = newQuery+"&"+st.query, true
	case hasQ:
		query, has = newQuery, true
	case f.QSDiscard:
		query, has = "", false
	}
	u := w.rwProxy[:0]
	if !config.IsURL(newPath) {
		saved := w.reply.Location
		w.reply.Location = append(w.reply.Location[:0:0], newPath...)
		u = append(u, w.locationValue(nil)...)
		w.reply.Location = saved
	} else {
		u = append(u, newPath...)
	}
	if has {
		u = append(append(u, '?'), query...)
	}
	w.rwProxy = u
}

// escapeFlags is f when it asks for B (escaped back-references), else nil.
func escapeFlags(f *config.RewriteFlags) *config.RewriteFlags {
	if f.EscapeBackrefs {
		return f
	}
	return nil
}

// appendEscapedBackref appends a back-reference as the B flag escapes it,
// as mod_rewrite's escape_backref: every byte but letters, digits and '_'
// (or, with B=chars, only those) as %xx, a space as '+' unless BNP.
func appendEscapedBackref(dst []byte, v string, f *config.RewriteFlags) []byte {
	const hexDigits = "0123456789abcdef"
	for i := 0; i < len(v); i++ {
		c := v[i]
		escape := !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '_')
		if f.EscapeOnly != "" {
			escape = strings.IndexByte(f.EscapeOnly, c) >= 0
		}
		switch {
		case !escape:
			dst = append(dst, c)
		case c == ' ' && !f.NoPlus:
			dst = append(dst, '+')
		default:
			dst = append(dst, '%', hexDigits[c>>4], hexDigits[c&15])
		}
	}
	return dst
}

// rewriteEnv applies a rule's E= flags.
func (w *worker) rewriteEnv(f *config.RewriteFlags, st *rewriteState) {
	for _, e := range f.Env {
		if e.Unset {
			w.unsetEnv(e.Name)
			continue
		}
		off := len(w.envScratch)
		w.envScratch = w.expandRewrite(w.envScratch, e.Value, st, false)
		w.setEnv(e.Name, w.envScratch[off:len(w.envScratch):len(w.envScratch)])
	}
}

// rewriteCookie applies a rule's CO= flag as mod_rewrite's add_cookie:
// NAME:VALUE:DOMAIN with optional lifetime in minutes (an expires date
// from the request's time; 0 or none: a session cookie), path (default
// /), secure and httponly (true, 1 or the attribute's name) and SameSite
// (any value but 0 and false); a value starting with ';' uses ';' as the
// separator. A cookie name already set for the request is not set again.
// The line goes out with every response to the request, errors and
// redirects included (Apache's err_headers_out).
func (w *worker) rewriteCookie(c *conn, tmpl string, st *rewriteState) {
	v := string(w.expandRewrite(nil, tmpl, st, false))
	sep := ":"
	if strings.HasPrefix(v, ";") {
		sep, v = ";", v[1:]
	}
	var f []string
	for tok := range strings.SplitSeq(v, sep) {
		if tok != "" { // apr_strtok skips empty fields
			f = append(f, tok)
		}
	}
	if len(f) < 3 {
		return
	}
	name := f[0]
	if bytes.Contains(w.rwCookies, []byte("Set-Cookie: "+name+"=")) {
		if st.trace {
			w.rewriteTrace(c, st, 5, "skipping already set cookie '%s'", name)
		}
		return
	}
	field := func(i int) string {
		if i < len(f) {
			return f[i]
		}
		return ""
	}
	isTrue := func(s, word string) bool {
		return strings.EqualFold(s, "true") || s == "1" || strings.EqualFold(s, word)
	}
	cookie := name + "=" + f[1] + "; path=" + cmp.Or(field(4), "/") + "; domain=" + f[2]
	if mins, _ := strconv.ParseInt(leadingInt(field(3)), 10, 64); mins != 0 {
		cookie += "; expires=" + w.start.Add(time.Duration(mins)*time.Minute).UTC().Format("Mon, 02-Jan-2006 15:04:05 GMT")
	}
	if isTrue(field(5), "secure") {
		cookie += "; secure"
	}
	if isTrue(field(6), "HttpOnly") {
		cookie += "; HttpOnly"
	}
	if ss := field(7); ss != "" && ss != "0" && !strings.EqualFold(ss, "false") {
		cookie += "; SameSite=" + ss
	}
	w.rwCookies = append(append(append(w.rwCookies, "Set-Cookie: "...), cookie...), "\r\n"...)
	if st.trace {
		w.rewriteTrace(c, st, 5, "setting cookie '%s'", cookie)
	}
}

// leadingInt is the run of an optional sign and digits atol reads.
func leadingInt(s string) string {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	if i == 1 && (s[0] == '-' || s[0] == '+') {
		return ""
	}
	return s[:i]
}

// rewrite runs the server's rules over w.path. For an internal rewrite it
// leaves the new path in w.rwPath (cleaned) and the new query in the
// request, and reports whether PT asked for the rest of the request to
// see it as the client's own.
func (w *worker) rewrite(c *conn, keep bool) (res rewriteResult, passThrough bool) {
	st := rewriteState{path: string(w.path), query: string(w.req.Query), hasArgs: w.hasArgs(), trace: w.rewriteTracing()}
	w.condFor(c, w.path, nil) // what %{VAR} and expr conditions read
	if st.trace {
		w.rewriteTrace(c, &st, 2, "init rewrite engine with requested uri %s", st.path)
	}
	out := w.runRules(c, w.srv.rewrites, &st, keep)
	switch {
	case out.answered:
		return rewriteAnswered, false
	case out.proxy:
		return rewriteProxy, false
	case out.queryChanged:
		w.setQuery(st.query, st.hasArgs)
	}
	if !out.changed {
		if st.trace {
			w.rewriteTrace(c, &st, 1, "pass through %s", st.path)
		}
		return rewriteNone, false
	}
	if !w.cleanRewritten(c, st.path, keep) {
		return rewriteAnswered, false
	}
	if st.trace {
		w.traceLocalPath(c, &st, out.pt)
	}
	return rewriteInternal, out.pt
}

// traceLocalPath logs where a per-server rewrite's path goes, as
// mod_rewrite's hook_uri2file.
func (w *worker) traceLocalPath(c *conn, st *rewriteState, pt bool) {
	w.rewriteTrace(c, st, 2, "local path result: %s", st.path)
	if pt {
		w.rewriteTrace(c, st, 1, "forcing '%s' to get passed through to next API URI-to-filename handler", st.path)
		return
	}
	file := string(w.rwPath)
	if !firstSegmentExists(w.rwPath) {
		file = w.srv.cfg.DocumentRoot + file
		w.rewriteTrace(c, st, 2, "prefixed with document_root to %s", file)
	}
	w.rewriteTrace(c, st, 1, "go-ahead with %s [OK]", file)
}

// cleanRewritten makes a rewritten URL-path w.rwPath: escaped for
// CleanPath, which removes dot segments and refuses what would leave the
// root. It answers 400 (or CleanPath's status) and reports false for a
// path it cannot take.
func (w *worker) cleanRewritten(c *conn, path string, keep bool) bool {
	if !strings.HasPrefix(path, "/") {
		w.logError(c, errorlog.LevelError, "rewrite", "", "rewritten path is neither a URL-path nor a URL: ", []byte(path), "")
		w.errorResponse(c, 400, nil, keep)
		return false
	}
	w.rwRaw = static.AppendEscapedPath(w.rwRaw[:0], []byte(path))
	p, status := static.CleanPath(w.rwRaw, w.rwPath[:0])
	w.rwPath = p
	if status != 0 {
		w.errorResponse(c, status, nil, keep)
		return false
	}
	return true
}

// internalRedirect serves the request again for the URL-path a
// per-directory rewrite made (w.rwPath), as Apache's ap_internal_redirect:
// its own sections, access checks and rules; %U still logs the client's
// path.
func (w *worker) internalRedirect(c *conn, keep bool) {
	w.noteRedirectOrigin()
	w.irRaw = append(w.irRaw[:0], w.rwRaw...)
	w.req.Path = w.irRaw
	w.reply.Release()
	w.respond(c, keep)
}

// noteRedirectOrigin keeps what the client's request was, at its first
// internal redirect: its path (%U), its variables and its query (a
// FastCGI application's REDIRECT_*).
func (w *worker) noteRedirectOrigin() {
	if w.origPath == nil {
		w.origPath = append(w.origBuf[:0], w.path...)
		w.origBuf = w.origPath
		// The variables as they were, for a FastCGI application's
		// REDIRECT_* (Apache renames the original request's).
		w.redirEnv = append(w.redirEnv[:0], w.env...)
		w.redirQuery = append(w.redirQuery[:0], w.req.Query...)
	}
}

// maxInternalRedirects is Apache's LimitInternalRecursion default.
const maxInternalRedirects = 10

// countRedirect counts an internal redirect of the request; past
// maxInternalRedirects it answers 500 (AH00124) and reports false.
func (w *worker) countRedirect(c *conn, keep bool) bool {
	if w.redirects++; w.redirects <= maxInternalRedirects {
		return true
	}
	w.logError(c, errorlog.LevelError, "core", "AH00124", "Request exceeded the limit of 10 internal redirects due to probable "+
		"configuration error. Use 'LimitInternalRecursion' to increase the limit if necessary. Use 'LogLevel debug' to get a backtrace.", nil, "")
	w.errorResponse(c, 500, nil, keep)
	return false
}

// followScriptLocation serves a script's local redirect response (RFC 3875
// 6.2.2: a Location that is a path, without Status), which relayScript
// left in w.scriptLocation, once the script is done: an internal redirect
// to the Location's path and query, as a GET without a body (the script
// had the body), as mod_cgi's ap_internal_redirect_handler. The script's
// other fields go with the response (relayScript put them in w.rwCookies).
func (w *worker) followScriptLocation(c *conn, keep bool) {
	loc := w.scriptLocation
	w.scriptLocation = ""
	if loc == "" {
		return
	}
	if !w.countRedirect(c, keep) {
		return
	}
	path, query, hasQuery := strings.Cut(loc, "?")
	w.rwRaw = append(w.rwRaw[:0], path...)
	p, status := static.CleanPath(w.rwRaw, w.rwPath[:0])
	w.rwPath = p
	if status != 0 {
		w.errorResponse(c, status, nil, keep)
		return
	}
	w.noteRedirectOrigin()
	w.setQuery(query, hasQuery)
	w.req.Method, w.req.MethodID = methodGET, http1.MethodGet
	w.req.ContentLength, w.req.Chunked = -1, false
	w.req.Headers = slices.DeleteFunc(w.req.Headers, func(h http1.Header) bool {
		return strings.EqualFold(string(h.Name), "Content-Length")
	})
	w.internalRedirect(c, keep)
}

// rewriteDir runs the per-directory rules of the request's <Directory>
// sections (w.secs.rewrite, in merge order), as mod_rewrite's fixups hook:
// over the file-system path relative to the directory of the section
// whose rules apply. A rewrite is an internal redirect: the new URL-path
// (the new file's path below RewriteBase, else below DocumentRoot) is left
// in w.rwPath, for respond to serve as a new request; res is
// rewriteInternal then.
func (w *worker) rewriteDir(c *conn, keep bool) rewriteResult {
	rules, sec := w.dirRules()
	if sec == nil || w.rwEnd || len(rules) == 0 {
		return rewriteNone
	}
	if dc := w.srv.DirConfig(fileDir(w.fspath)); !dc.FollowSymLinks && !dc.SymLinksIfOwnerMatch {
		// mod_rewrite's rule: a per-directory rewrite could reach what
		// the symlink Options keep a request from.
		w.logError(c, errorlog.LevelError, "rewrite", "AH00670", "Options FollowSymLinks and SymLinksIfOwnerMatch are both off, "+
			"so the RewriteRule directive is also forbidden due to its similar ability to circumvent directory restrictions : ", w.fspath, "")
		w.errorResponse(c, 403, nil, keep)
		return rewriteAnswered
	}
	st := rewriteState{path: string(w.fspath), query: string(w.req.Query), hasArgs: w.hasArgs(),
		perdir: sec.prefix, base: sec.sec.Rewrite.Base, docRoot: w.srv.cfg.DocumentRoot, trace: w.rewriteTracing()}
	out := w.runRules(c, rules, &st, keep)
	switch {
	case out.answered:
		return rewriteAnswered
	case out.queryChanged:
		w.setQuery(st.query, st.hasArgs)
	}
	w.rwEnd = out.end
	if !out.changed || st.path == string(w.fspath) { // the same file: no redirect, as Apache
		if st.trace {
			w.rewriteTrace(c, &st, 1, "pass through %s", st.path)
		}
		return rewriteNone
	}
	url := w.dirURL(&st, st.path)
	if st.trace {
		w.rewriteTrace(c, &st, 1, "internal redirect with %s [INTERNAL REDIRECT]", url)
	}
	if !w.countRedirect(c, keep) || !w.cleanRewritten(c, url, keep) {
		return rewriteAnswered
	}
	return rewriteInternal
}

// fileDir is the directory whose configuration a request for the
// file-system path fs takes: fs itself when it ends in '/', else the
// directory holding it.
func fileDir(fs []byte) string {
	if len(fs) > 1 && fs[len(fs)-1] == '/' {
		return string(fs[:len(fs)-1])
	}
	if i := bytes.LastIndexByte(fs, '/'); i > 0 {
		return string(fs[:i])
	}
	return "/"
}

// dirRules are the per-directory rules in effect and the section that
// holds them (nil for none): the last matching <Directory> with rules,
// its engine on (a section without RewriteEngine takes the enclosing
// ones' state), those of the sections before it joined by its
// RewriteOptions Inherit (after) or InheritBefore (before).
func (w *worker) dirRules() ([]rewriteRule, *section) {
	engine := false
	var rules []rewriteRule
	var holder *section
	for _, cs := range w.secs.rewrite {
		rw := cs.sec.Rewrite
		if rw.EngineSet {
			engine = rw.Engine
		}
		if len(cs.rewrites) == 0 {
			continue
		}
		switch {
		case rw.Inherit && rules != nil:
			rules = append(slices.Clip(cs.rewrites), rules...)
		case rw.InheritBefore && rules != nil:
			rules = append(slices.Clip(rules), cs.rewrites...)
		default:
			rules = cs.rewrites
		}
		holder = cs
	}
	if !engine {
		return nil, nil
	}
	return rules, holder
}

// dirURL makes a per-directory substitution's file path (or relative
// path) a URL-path: below RewriteBase when the section has one, else
// below DocumentRoot, as mod_rewrite's hook_fixup.
func (w *worker) dirURL(st *rewriteState, p string) string {
	if !strings.HasPrefix(p, "/") {
		p = st.perdir + p
	}
	if rest, ok := strings.CutPrefix(p, st.perdir); ok && st.base != "" {
		url := strings.TrimSuffix(st.base, "/") + "/" + rest
		if st.trace {
			w.rewriteTrace(w.cur, st, 2, "trying to replace prefix %s with %s", st.perdir, st.base)
			w.rewriteTrace(w.cur, &rewriteState{}, 4, "add subst prefix: %s -> %s", rest, url)
		}
		return url
	}
	if rest, ok := strings.CutPrefix(p, strings.TrimSuffix(st.docRoot, "/")); ok && strings.HasPrefix(rest, "/") {
		return rest
	}
	return p
}

// applyRule reports whether a rule applies: its pattern matches the path
// as rewritten so far (or, negated, does not), then its conditions hold.
// The request fields its conditions read join Vary only when it applies.
func (w *worker) applyRule(r *rewriteRule, st *rewriteState) bool {
	in := st.path
	if st.perdir != "" { // per directory: the path below the section's directory
		in = strings.TrimPrefix(in, st.perdir)
		if st.trace && in != st.path {
			w.rewriteTrace(w.cur, st, 3, "strip per-dir prefix: %s -> %s", st.path, in)
		}
	}
	if st.trace {
		w.rewriteTrace(w.cur, st, 3, "applying pattern '%s' to uri '%s'", r.cfg.Pattern, in)
	}
	if r.re.MatchString(in) == r.cfg.Negate { // MatchString does not allocate
		return false
	}
	saved := st.ruleGroups
	st.ruleGroups = [10]string{}
	if !r.cfg.Negate {
		copy(st.ruleGroups[:], r.re.FindStringSubmatch(in))
	}
	vary := len(w.ifVary)
	if !w.rewriteConds(r, st) {
		st.ruleGroups = saved
		w.ifVary = w.ifVary[:vary]
		return false
	}
	return true
}

// rewriteConds evaluates a rule's conditions: all must hold, but one
// marked [OR] may be replaced by the one after it.
func (w *worker) rewriteConds(r *rewriteRule, st *rewriteState) bool {
	for i := 0; i < len(r.conds); i++ {
		ok := w.rewriteCond(&r.conds[i], st)
		switch {
		case r.conds[i].cfg.OrNext && !ok:
			continue // the next one may still hold
		case r.conds[i].cfg.OrNext:
			for i < len(r.conds) && r.conds[i].cfg.OrNext { // the rest of the OR chain
				i++
			}
		case !ok:
			return false
		}
	}
	return true
}

// rewriteCond evaluates one condition.
func (w *worker) rewriteCond(c *rewriteCond, st *rewriteState) bool {
	cfg := c.cfg
	if cfg.Kind == config.CondExpr {
		w.cond.filename = []byte(st.path) // REQUEST_FILENAME: the path as rewritten so far
		return cfg.Expr.Eval(&w.cond)
	}
	s := string(w.expandRewrite(nil, cfg.TestString, st, !cfg.NoVary))
	var ok bool
	switch cfg.Kind {
	case config.CondRegex:
		m := c.re.FindStringSubmatch(s)
		ok = m != nil
		if ok && !cfg.Negate {
			st.condGroups = [10]string{}
			copy(st.condGroups[:], m)
		}
	case config.CondCompare:
		a, b := s, cfg.Pattern
		if cfg.NoCase {
			a, b = strings.ToLower(a), strings.ToLower(b)
		}
		r := strings.Compare(a, b)
		ok = map[string]bool{"=": r == 0, "<": r < 0, ">": r > 0, "<=": r <= 0, ">=": r >= 0}[cfg.Op]
	case config.CondInteger:
		a, _ := strconv.Atoi(strings.TrimSpace(s))
		b, _ := strconv.Atoi(cfg.Pattern)
		ok = map[string]bool{"-eq": a == b, "-ne": a != b, "-lt": a < b, "-le": a <= b, "-gt": a > b, "-ge": a >= b}[cfg.Op]
	case config.CondFile:
		ok = expr.FileTest(cfg.Op[1], s)
	}
	if st.trace {
		result := "not-matched"
		if ok != cfg.Negate {
			result = "matched"
		}
		w.rewriteTrace(w.cur, st, 4, "RewriteCond: input='%s' pattern='%s%s%s'%s => %s", s, negation(cfg.Negate), cfg.Op,
			cfg.Pattern, condFlagsText(cfg), result)
	}
	return ok != cfg.Negate
}

func negation(neg bool) string {
	if neg {
		return "!"
	}
	return ""
}

// condFlagsText is a condition's flags as mod_rewrite's trace shows them.
func condFlagsText(c *config.RewriteCond) string {
	var f []string
	if c.NoCase {
		f = append(f, "NC")
	}
	if c.OrNext {
		f = append(f, "OR")
	}
	if c.NoVary {
		f = append(f, "NV")
	}
	if len(f) == 0 {
		return ""
	}
	return " [" + strings.Join(f, ",") + "]"
}

// rewriteTracing reports whether the server's LogLevel asks for
// mod_rewrite's trace lines (rewrite:trace1 or more).
func (w *worker) rewriteTracing() bool {
	return w.srv.log.Enabled(context.Background(), errorlog.LevelTrace1)
}

// rewriteTrace logs one step of the rules at traceN, as mod_rewrite's
// rewritelog: the client, the host and whether the request is an internal
// redirect, then the step ("[perdir DIR] " first for per-directory rules).
func (w *worker) rewriteTrace(c *conn, st *rewriteState, n int, format string, args ...any) {
	level := errorlog.LevelTrace1 - slog.Level(n-1)
	if !w.srv.log.Enabled(context.Background(), level) {
		return
	}
	round := "initial"
	if w.redirects > 0 {
		round = fmt.Sprintf("initial/redir#%d", w.redirects)
	}
	prefix := fmt.Sprintf("%s - - [%s][%s] ", w.remote.Addr().Unmap(), w.serverName(), round)
	if st.perdir != "" {
		prefix += "[perdir " + st.perdir + "] "
	}
	w.logError(c, level, "rewrite", "", prefix+fmt.Sprintf(format, args...), nil, "")
}

// hasArgs reports whether the request has a query (Apache's r->args not
// NULL): the client's, or the one a rewrite made.
func (w *worker) hasArgs() bool {
	if w.queryRewritten {
		return w.req.Query != nil
	}
	return hasQuery(w.req.Target)
}

// setQuery makes query the request's (Apache's r->args), for the rest of
// the request and %q; without args, there is none.
func (w *worker) setQuery(query string, args bool) {
	w.queryRewritten = true
	if !args {
		w.req.Query = nil
		return
	}
	w.rwQuery = append(w.rwQuery[:0], query...)
	if w.rwQuery == nil {
		w.rwQuery = []byte{}
	}
	w.req.Query = w.rwQuery
}

// splitQuery splits a substitution at its first '?' (its last with QSL).
func splitQuery(s string, last bool) (path, query string, ok bool) {
	i := strings.IndexByte(s, '?')
	if last {
		i = strings.LastIndexByte(s, '?')
	}
	if i < 0 {
		return s, "", false
	}
	return s[:i], s[i+1:], true
}

// rewriteRedirect answers with a redirect to target: a URL-path is made
// absolute for this server; the query is the substitution's (with QSA,
// the request's after it), else the request's unless QSD; both are
// escaped unless NE, as mod_rewrite escapes them.
func (w *worker) rewriteRedirect(c *conn, target string, st *rewriteState, f *config.RewriteFlags, keep bool) {
	u, q, hasQ := splitQuery(target, f.QSLast)
	switch {
	case hasQ && f.QSAppend && st.query != "":
		q += "&" + st.query
	case !hasQ && !f.QSDiscard:
		q, hasQ = st.query, st.query != ""
	}
	w.setQuery(q, hasQ) // %q logs the query the redirect carries, as r->args
	loc := w.loc[:0]
	if f.NoEscape {
		loc = append(loc, u...)
	} else {
		loc = appendEscapedURL(loc, u)
	}
	if hasQ {
		loc = append(loc, '?')
		if f.NoEscape {
			loc = append(loc, q...)
		} else {
			loc = static.AppendEscapedPath(loc, []byte(q))
		}
	}
	w.loc = loc
	status := f.Redirect
	if status == 0 {
		status = 302
	}
	if st.trace {
		if !f.NoEscape {
			w.rewriteTrace(c, st, 1, "escaping %s for redirect", target)
		}
		w.rewriteTrace(c, st, 1, "redirect to %s [REDIRECT/%d]", loc, status)
	}
	w.sendRedirect(c, status, loc, keep)
}

// appendEscapedURL escapes a URL's path (the part after scheme://host) or
// a URL-path, as mod_rewrite's escape_absolute_uri.
func appendEscapedURL(dst []byte, u string) []byte {
	if i := strings.Index(u, "://"); i >= 0 {
		j := strings.IndexByte(u[i+3:], '/')
		if j < 0 {
			return append(dst, u...)
		}
		dst = append(dst, u[:i+3+j]...)
		u = u[i+3+j:]
	}
	return static.AppendEscapedPath(dst, []byte(u))
}

// expandRewrite appends tmpl with mod_rewrite's references replaced: $N
// (the rule's groups), %N (the last matched condition's), %{NAME},
// %{HTTP:field}, %{ENV:var} and ${map:key|default}; a backslash takes the
// next byte literally. vary asks for the request fields read to be named in Vary
// (a condition's test string, unless [NV]).
func (w *worker) expandRewrite(dst []byte, tmpl string, st *rewriteState, vary bool) []byte {
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		switch {
		case c == '\\' && i+1 < len(tmpl):
			i++
			dst = append(dst, tmpl[i])
		case c == '$' && i+1 < len(tmpl) && tmpl[i+1] >= '0' && tmpl[i+1] <= '9':
			if st.escape != nil {
				dst = appendEscapedBackref(dst, st.ruleGroups[tmpl[i+1]-'0'], st.escape)
			} else {
				dst = append(dst, st.ruleGroups[tmpl[i+1]-'0']...)
			}
			i++
		case c == '$' && i+1 < len(tmpl) && tmpl[i+1] == '{':
			out, n, ok := w.expandMap(dst, tmpl[i:], st, vary)
			if !ok {
				dst = append(dst, c)
				continue
			}
			dst = out
			i += n - 1
		case c == '%' && i+1 < len(tmpl) && tmpl[i+1] >= '0' && tmpl[i+1] <= '9':
			dst = append(dst, st.condGroups[tmpl[i+1]-'0']...)
			i++
		case c == '%' && i+1 < len(tmpl) && tmpl[i+1] == '{':
			end := strings.IndexByte(tmpl[i:], '}')
			if end < 0 {
				dst = append(dst, c)
				continue
			}
			dst = append(dst, w.rewriteVar(tmpl[i+2:i+end], st, vary)...)
			i += end
		default:
			dst = append(dst, c)
		}
	}
	return dst
}

// rewriteVar is mod_rewrite's lookup_variable: an unknown name is "".
func (w *worker) rewriteVar(name string, st *rewriteState, vary bool) string {
	if kind, arg, ok := strings.Cut(name, ":"); ok {
		switch strings.ToUpper(kind) {
		case "HTTP":
			return w.cond.Header(arg, vary && !strings.EqualFold(arg, "Host"))
		case "ENV":
			v, _ := w.cond.Env(arg)
			if v == "" {
				v = os.Getenv(arg)
			}
			return v
		case "SSL":
			if w.cond.c != nil {
				v, _ := w.tlsVar(w.cond.c, strings.ToUpper(arg))
				return v
			}
		}
		return "" // LA-U:, LA-F: nothing here
	}
	name = strings.ToUpper(name)
	if field, ok := rewriteHeaderVars[name]; ok {
		return w.cond.Header(field, vary && field != "Host") // never Vary: Host (RFC 7231 7.1.4)
	}
	if v, ok := expr.TimeVar(name, time.Now()); ok {
		return v
	}
	switch name {
	case "REQUEST_FILENAME", "SCRIPT_FILENAME":
		return st.path // per server, the URL-path as rewritten so far: no file yet
	case "QUERY_STRING":
		return st.query
	case "SERVER_ADDR":
		if w.cond.c != nil {
			return w.cond.c.localAddr().Unmap().String()
		}
		return ""
	}
	return w.cond.Var(name)
}

// mapRewritten maps the path an internal rewrite without PT made, as
// Apache's: a path whose first segment exists in the file system is a
// file-system path (served when it lies below DocumentRoot or an Alias
// target; h is nil for one elsewhere, after the access checks), any other
// is taken below DocumentRoot. fsBuf receives the file-system path.
func (s *site) mapRewritten(p []byte, fsBuf *[]byte) (h *static.Handler, hp []byte) {
	*fsBuf = append((*fsBuf)[:0], p...)
	if !firstSegmentExists(p) {
		*fsBuf = append(append((*fsBuf)[:0], s.cfg.DocumentRoot...), p...)
		return s.static, p
	}
	if rest, ok := belowDir(p, s.cfg.DocumentRoot); ok {
		return s.static, rest
	}
	for i := range s.aliases {
		if a := &s.aliases[i]; a.re == nil {
			if rest, ok := belowDir(p, a.fsRoot); ok {
				return a.static, rest
			}
		}
	}
	return nil, nil
}

// belowDir reports whether p lies below dir, and the rest of p from the
// slash after dir.
func belowDir(p []byte, dir string) ([]byte, bool) {
	dir = strings.TrimSuffix(dir, "/")
	if len(p) > len(dir) && string(p[:len(dir)]) == dir && p[len(dir)] == '/' {
		return p[len(dir):], true
	}
	return nil, false
}

// firstSegmentExists is mod_rewrite's prefix_stat: whether the first
// segment of the path ("/srv" of "/srv/www/x") exists in the file system.
func firstSegmentExists(p []byte) bool {
	end := len(p)
	if i := strings.IndexByte(string(p[1:]), '/'); i >= 0 {
		end = i + 1
	}
	_, err := os.Stat(string(p[:end]))
	return err == nil
}

// rewriteHeaderVars are the header variables mod_rewrite knows by name.
var rewriteHeaderVars = map[string]string{
	"HTTP_ACCEPT": "Accept", "HTTP_COOKIE": "Cookie", "HTTP_FORWARDED": "Forwarded", "HTTP_HOST": "Host",
	"HTTP_PROXY_CONNECTION": "Proxy-Connection", "HTTP_REFERER": "Referer", "HTTP_USER_AGENT": "User-Agent",
}
