package child

import (
	"fmt"
	"os"
	"regexp"
	"strconv"
	"strings"
	"time"

	"eventmpm/child/static"
	"eventmpm/config"
	"eventmpm/config/expr"
	"eventmpm/internal/errorlog"
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
	re    *regexp.Regexp
	conds []rewriteCond
}

// rewriteCond is one compiled RewriteCond.
type rewriteCond struct {
	cfg *config.RewriteCond
	re  *regexp.Regexp // CondRegex
}

// compileRewrite compiles a server's rules; none when its engine is off.
func compileRewrite(rw *config.Rewrite) ([]rewriteRule, error) {
	if rw == nil || !rw.Engine {
		return nil, nil
	}
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

func compileNoCase(pattern string, noCase bool) (*regexp.Regexp, error) {
	if noCase {
		pattern = "(?i)" + pattern
	}
	return regexp.Compile(pattern)
}

// rewriteState is one run of the rules: the path and query as rewritten
// so far and the groups of the last rule and condition that matched.
type rewriteState struct {
	path, query string
	hasArgs     bool // there is a query, if perhaps an empty one (r->args not NULL)
	ruleGroups  [10]string
	condGroups  [10]string
}

// rewriteResult is what the rules decided.
type rewriteResult int

const (
	rewriteNone     rewriteResult = iota // no rule changed the path
	rewriteInternal                      // the path (or query) changed
	rewriteAnswered                      // a redirect or an error was sent
)

// rewrite runs the server's rules over w.path. For an internal rewrite it
// leaves the new path in w.rwPath (cleaned) and the new query in the
// request, and reports whether PT asked for the rest of the request to
// see it as the client's own.
func (w *worker) rewrite(c *conn, keep bool) (res rewriteResult, passThrough bool) {
	st := rewriteState{path: string(w.path), query: string(w.req.Query), hasArgs: hasQuery(w.req.Target)}
	w.condFor(c, w.path, nil) // what %{VAR} and expr conditions read
	queryChanged := false
	rules := w.srv.rewrites
	for i := 0; i < len(rules); i++ {
		r := &rules[i]
		if !w.applyRule(r, &st) {
			for r.cfg.Flags.Chain && i+1 < len(rules) { // a chain fails as a whole
				i++
				r = &rules[i]
			}
			continue
		}
		f := &r.cfg.Flags
		for _, e := range f.Env {
			if e.Unset {
				w.unsetEnv(e.Name)
			} else {
				off := len(w.envScratch)
				w.envScratch = w.expandRewrite(w.envScratch, e.Value, &st, false)
				w.setEnv(e.Name, w.envScratch[off:len(w.envScratch):len(w.envScratch)])
			}
		}
		switch {
		case f.Forbidden:
			w.errorResponse(c, 403, nil, keep)
			return rewriteAnswered, false
		case f.Gone:
			w.errorResponse(c, 410, nil, keep)
			return rewriteAnswered, false
		case f.Redirect != 0 && (f.Redirect < 300 || f.Redirect > 399):
			w.errorResponse(c, f.Redirect, nil, keep) // the substitution is dropped
			return rewriteAnswered, false
		}
		if r.cfg.Substitution != "-" {
			target := string(w.expandRewrite(nil, r.cfg.Substitution, &st, false))
			if f.Redirect != 0 || config.IsURL(target) {
				w.rewriteRedirect(c, target, &st, f, keep)
				return rewriteAnswered, false
			}
			newPath, newQuery, hasQ := splitQuery(target, f.QSLast)
			switch {
			case hasQ && f.QSAppend && st.query != "":
				st.query, st.hasArgs, queryChanged = newQuery+"&"+st.query, true, true
			case hasQ:
				st.query, st.hasArgs, queryChanged = newQuery, true, true
			case f.QSDiscard:
				st.query, st.hasArgs, queryChanged = "", false, true
			}
			st.path = newPath
			res = rewriteInternal
			passThrough = passThrough || f.PT
		}
		if f.Last || f.End {
			break
		}
		i += f.Skip
	}
	if res == rewriteNone && !queryChanged {
		return rewriteNone, false
	}
	if queryChanged {
		w.setQuery(st.query, st.hasArgs)
	}
	if res == rewriteNone {
		return rewriteNone, false
	}
	if !strings.HasPrefix(st.path, "/") {
		w.logError(c, errorlog.LevelError, "rewrite", "", "rewritten path is neither a URL-path nor a URL: ", []byte(st.path), "")
		w.errorResponse(c, 400, nil, keep)
		return rewriteAnswered, false
	}
	// The new path is a decoded one: escape it for CleanPath, which
	// removes dot segments and refuses what would leave the root.
	w.rwRaw = static.AppendEscapedPath(w.rwRaw[:0], []byte(st.path))
	p, status := static.CleanPath(w.rwRaw, w.rwPath[:0])
	w.rwPath = p
	if status != 0 {
		w.errorResponse(c, status, nil, keep)
		return rewriteAnswered, false
	}
	return rewriteInternal, passThrough
}

// applyRule reports whether a rule applies: its pattern matches the path
// as rewritten so far (or, negated, does not), then its conditions hold.
// The request fields its conditions read join Vary only when it applies.
func (w *worker) applyRule(r *rewriteRule, st *rewriteState) bool {
	if r.re.MatchString(st.path) == r.cfg.Negate { // MatchString does not allocate
		return false
	}
	saved := st.ruleGroups
	st.ruleGroups = [10]string{}
	if !r.cfg.Negate {
		copy(st.ruleGroups[:], r.re.FindStringSubmatch(st.path))
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
		ok = fileTest(cfg.Op, s)
	}
	return ok != cfg.Negate
}

// fileTest is a RewriteCond file test on the path s.
func fileTest(op, s string) bool {
	if op == "-l" || op == "-L" || op == "-h" {
		fi, err := os.Lstat(s)
		return err == nil && fi.Mode()&os.ModeSymlink != 0
	}
	fi, err := os.Stat(s)
	if err != nil {
		return false
	}
	switch op {
	case "-d":
		return fi.IsDir()
	case "-f":
		return fi.Mode().IsRegular()
	case "-s":
		return fi.Mode().IsRegular() && fi.Size() > 0
	}
	return fi.Mode()&0o111 != 0 // -x
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
// %{HTTP:field} and %{ENV:var}; a backslash takes the next byte
// literally. vary asks for the request fields read to be named in Vary
// (a condition's test string, unless [NV]).
func (w *worker) expandRewrite(dst []byte, tmpl string, st *rewriteState, vary bool) []byte {
	for i := 0; i < len(tmpl); i++ {
		c := tmpl[i]
		switch {
		case c == '\\' && i+1 < len(tmpl):
			i++
			dst = append(dst, tmpl[i])
		case c == '$' && i+1 < len(tmpl) && tmpl[i+1] >= '0' && tmpl[i+1] <= '9':
			dst = append(dst, st.ruleGroups[tmpl[i+1]-'0']...)
			i++
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
		}
		return "" // SSL:, LA-U:, LA-F: nothing here
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
		return st.path // before the request is mapped: the path as rewritten so far
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
