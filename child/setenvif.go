package child

import (
	"fmt"
	"strings"

	"eventmpm/child/accesslog"
	"eventmpm/child/http1"
	"eventmpm/child/static"
	"eventmpm/config"
	"eventmpm/config/expr"
	"eventmpm/internal/regex"
)

// setEnvIfAttr says what a SetEnvIf matches against.
type setEnvIfAttr uint8

const (
	attrHeader setEnvIfAttr = iota // a request header, else an earlier variable
	attrRemoteAddr
	attrServerAddr
	attrMethod
	attrProtocol
	attrURI
)

var setEnvIfAttrs = map[string]setEnvIfAttr{
	"Remote_Host": attrRemoteAddr, // eventmpm does no lookups: the address, as Apache with HostnameLookups Off
	"Remote_Addr": attrRemoteAddr, "Server_Addr": attrServerAddr, "Request_Method": attrMethod,
	"Request_Protocol": attrProtocol, "Request_URI": attrURI,
}

// setEnvIf is one compiled SetEnvIf or BrowserMatch.
type setEnvIf struct {
	attr setEnvIfAttr
	name string // the header or variable, for attrHeader
	re   regex.Regexp
	// nameRe matches field names, for an attribute that is a regular
	// expression (the last matching field's value is matched).
	nameRe regex.Regexp
	subst  bool // a value holds $0 to $9
	vars   []config.EnvAssign
	// expr is SetEnvIfExpr's expression (nil for the others).
	expr *expr.Expr
}

func compileSetEnvIf(list []config.SetEnvIf) ([]setEnvIf, error) {
	out := make([]setEnvIf, 0, len(list))
	for _, s := range list {
		c := setEnvIf{attr: setEnvIfAttrs[s.Attribute], name: s.Attribute, vars: s.Vars, expr: s.Expr}
		for _, v := range s.Vars {
			c.subst = c.subst || strings.Contains(v.Value, "$")
		}
		var err error
		if s.NameRegex {
			if c.nameRe, err = compileCase(s.Attribute, s.NoCase); err != nil {
				return nil, fmt.Errorf("%s:%d: SetEnvIf: %w", s.Pos.File, s.Pos.Line, err)
			}
		}
		if s.Expr == nil {
			if c.re, err = compileCase(s.Regex, s.NoCase); err != nil {
				return nil, fmt.Errorf("%s:%d: SetEnvIf: %w", s.Pos.File, s.Pos.Line, err)
			}
		}
		out = append(out, c)
	}
	return out, nil
}

// compileCase compiles pattern, without regard to case when noCase is set
// (the NoCase forms).
func compileCase(pattern string, noCase bool) (regex.Regexp, error) {
	if noCase {
		pattern = "(?i)" + pattern
	}
	return regex.Compile(pattern)
}

// evalSetEnvIf runs the request's server's SetEnvIf directives in order,
// as mod_setenvif's post_read_request hook does: a SetEnvIfExpr there
// sees the request's path as it came, and no file yet.
func (w *worker) evalSetEnvIf(c *conn) {
	w.condFor(c, w.req.Path, nil)
	w.applySetEnvIf(c, w.srv.setEnvIf)
}

// evalSectionSetEnvIf runs the SetEnvIf directives of the request's
// sections, in their merge order, as mod_setenvif's header_parser hook
// runs the merged directory configuration: after the server's, before
// the access checks.
func (w *worker) evalSectionSetEnvIf(c *conn) {
	for _, cs := range w.secs.setEnvIf {
		w.applySetEnvIf(c, cs.setEnvIf)
	}
}

// applySetEnvIf runs a list of SetEnvIf directives in order.
func (w *worker) applySetEnvIf(c *conn, list []setEnvIf) {
	for i := range list {
		s := &list[i]
		if s.expr != nil {
			w.applySetEnvIfExpr(s)
			continue
		}
		val := w.envAttribute(c, s)
		if !s.re.Match(val) { // Match does not allocate; the Submatch forms do
			continue
		}
		var m []int
		if s.subst {
			m = s.re.FindSubmatchIndex(val)
		}
		for _, v := range s.vars {
			if v.Unset {
				w.unsetEnv(v.Name)
				continue
			}
			off := len(w.envScratch)
			if m != nil {
				w.envScratch = appendSubst(w.envScratch, v.Value, val, m)
			} else {
				w.envScratch = append(w.envScratch, v.Value...)
			}
			w.setEnv(v.Name, w.envScratch[off:len(w.envScratch):len(w.envScratch)])
		}
	}
}

// applySetEnvIfExpr runs one SetEnvIfExpr over the request as w.cond
// shows it: the walk's in the sections, the raw request's in the server.
func (w *worker) applySetEnvIfExpr(s *setEnvIf) {
	ok, groups := s.expr.EvalGroups(&w.cond)
	if !ok {
		return
	}
	for _, v := range s.vars {
		if v.Unset {
			w.unsetEnv(v.Name)
			continue
		}
		off := len(w.envScratch)
		if s.subst {
			w.envScratch = appendTemplate(w.envScratch, v.Value, func(n int) string { return groups[n] })
		} else {
			w.envScratch = append(w.envScratch, v.Value...)
		}
		w.setEnv(v.Name, w.envScratch[off:len(w.envScratch):len(w.envScratch)])
	}
}

// downgradeRequest applies downgrade-1.0, which Apache reads as it
// finishes reading the request, after SetEnvIf and before mod_env (so
// SetEnv cannot set it): the request is treated as HTTP/1.0, and the
// connection stays open only when it asked for keep-alive.
func (w *worker) downgradeRequest() {
	if w.hasEnv("downgrade-1.0") && w.req.ProtoMinor > 0 {
		w.req.ProtoMinor = 0
		w.req.KeepAlive = w.req.KeepAlive && hasListMember(w.req.Get("Connection"), []byte("keep-alive"), true)
	}
}

// responseEnv applies the variables read when the response is made:
// force-response-1.0 answers an HTTP/1.0 request (after downgrade-1.0,
// too) with an HTTP/1.0 status line and closes, as Apache's
// basic_http_header_check (an HTTP/1.1 request is answered as usual);
// nokeepalive closes. It reports whether they let the connection stay
// open. Called again after mod_env has run, they see its variables too.
func (w *worker) responseEnv() bool {
	if len(w.env) == 0 {
		w.forceHTTP10 = false
		return true
	}
	w.forceHTTP10 = w.req.ProtoMinor == 0 && w.hasEnv("force-response-1.0")
	return !w.forceHTTP10 && !w.hasEnv("nokeepalive")
}

// modEnv is mod_env's fixups hook, run after SetEnvIf's and after the
// access checks (Require env and Allow from env= do not see its
// variables, and a refused request logs none of them). The server's
// settings and those of the request's sections are merged in order, as
// merge_env_dir_configs merges them: UnsetEnv removes what an earlier
// SetEnv or PassEnv set, not what SetEnvIf set. The result is overlaid
// on the request's variables the way apr_table_overlay does it, after
// them, so a variable SetEnvIf has already set keeps SetEnvIf's value.
// It reports whether it set any variable. The values are the
// configuration's own bytes.
func (w *worker) modEnv() bool {
	merged := append(w.envMerge[:0], w.srv.envBase...)
	for _, cs := range w.secs.env {
		merged = mergeEnv(merged, cs.sec.Env)
	}
	set := false
	for _, e := range merged {
		if w.hasEnv(e.Name) {
			continue
		}
		off := len(w.envScratch)
		w.envScratch = append(w.envScratch, e.Value...)
		w.env = append(w.env, accesslog.Var{Name: e.Name, Value: w.envScratch[off:len(w.envScratch):len(w.envScratch)]})
		set = true
	}
	w.envMerge = merged[:0]
	return set
}

// mergeEnv applies a list of SetEnv, UnsetEnv and PassEnv settings to the
// settings in effect (a site merges its server's once, envBase): a variable set again replaces its earlier setting,
// an unset one is removed (names compare without case, as APR's tables).
func mergeEnv(merged []*config.EnvSetting, list []config.EnvSetting) []*config.EnvSetting {
	for i := range list {
		e := &list[i]
		kept := merged[:0]
		for _, m := range merged {
			if !strings.EqualFold(m.Name, e.Name) {
				kept = append(kept, m)
			}
		}
		merged = kept
		if !e.Unset {
			merged = append(merged, e)
		}
	}
	return merged
}

// envAttribute is the value a SetEnvIf matches: the attribute's, a
// header's, or an earlier variable's; "" when there is none, as in Apache.
func (w *worker) envAttribute(c *conn, s *setEnvIf) []byte {
	switch s.attr {
	case attrRemoteAddr:
		return w.clientText(c)
	case attrServerAddr:
		w.envAttr = c.localAddr().AppendTo(w.envAttr[:0])
		return w.envAttr
	case attrMethod:
		return w.req.Method
	case attrProtocol:
		return protoText(&w.req)
	case attrURI:
		// Apache's r->uri: the decoded, normalized path.
		p, st := static.CleanPath(w.req.Path, w.envAttr[:0])
		if st != 0 {
			return w.req.Path
		}
		w.envAttr = p
		return p
	}
	if s.nameRe != nil {
		var v []byte
		for i := range w.req.Headers {
			if f := &w.req.Headers[i]; s.nameRe.Match(f.Name) {
				v = f.Value
			}
		}
		return v
	}
	if v := w.req.Get(s.name); v != nil {
		return v
	}
	if i := w.envIndex(s.name); i >= 0 {
		return w.env[i].Value
	}
	return nil
}

// envIndex finds a variable, without regard to case (Apache's tables).
func (w *worker) envIndex(name string) int {
	for i := range w.env {
		if strings.EqualFold(w.env[i].Name, name) {
			return i
		}
	}
	return -1
}

func (w *worker) hasEnv(name string) bool { return w.envIndex(name) >= 0 }

// envBytes is the value of the variable name (without regard to case),
// without converting name to a string.
func (w *worker) envBytes(name []byte) ([]byte, bool) {
	for i := range w.env {
		if http1.EqualFold(name, w.env[i].Name) {
			return w.env[i].Value, true
		}
	}
	return nil, false
}

func (w *worker) setEnv(name string, value []byte) {
	if i := w.envIndex(name); i >= 0 {
		w.env[i].Value = value
		return
	}
	w.env = append(w.env, accesslog.Var{Name: name, Value: value})
}

func (w *worker) unsetEnv(name string) {
	if i := w.envIndex(name); i >= 0 {
		w.env = append(w.env[:i], w.env[i+1:]...)
	}
}

// envAllows reports whether an env=[!]var condition holds for the request.
func (w *worker) envAllows(name string, negated bool) bool {
	return name == "" || w.hasEnv(name) != negated
}
