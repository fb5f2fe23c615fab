package config

import (
	"maps"
	"os"
	"slices"
	"strconv"
	"strings"

	"eventmpm/config/expr"
	"eventmpm/internal/regex"
)

// This file is mod_rewrite: RewriteEngine, RewriteOptions Inherit and
// InheritBefore, RewriteCond and RewriteRule in the server config and
// <VirtualHost> (per-server rewriting, Apache's translate_name hook), and
// in <Directory> sections with a literal path, with RewriteBase
// (per-directory rewriting, its fixups hook, over the path relative to
// the directory). <Location>, <Files> and the wildcard and regex
// <Directory> forms refuse them.

// Rewrite is one server's mod_rewrite configuration. A virtual host does
// not inherit the main server's, as in Apache, unless its RewriteOptions
// say Inherit (the main server's rules after its own) or InheritBefore.
type Rewrite struct {
	Engine bool
	// EngineSet says a RewriteEngine line set Engine (a <Directory>
	// section without one takes the enclosing sections' state).
	EngineSet     bool `json:",omitempty"`
	Inherit       bool `json:",omitempty"`
	InheritBefore bool `json:",omitempty"`
	// Base is a <Directory> section's RewriteBase: the URL-path a
	// relative substitution is taken from ("" for none).
	Base  string `json:",omitempty"`
	Rules []RewriteRule
}

// RewriteRule is one RewriteRule with the RewriteCond lines before it.
type RewriteRule struct {
	// Pattern is matched against the URL path (package internal/regex); Negate is its
	// leading '!'.
	Pattern string
	Negate  bool `json:",omitempty"`
	// Substitution is the new URL-path or URL with $N, %N and %{VAR}
	// references, or "-" for none.
	Substitution string
	Conds        []RewriteCond `json:",omitempty"`
	Flags        RewriteFlags
	Pos          Pos
}

// RewriteFlags are a RewriteRule's flags that eventmpm implements.
type RewriteFlags struct {
	NoCase, Last, End, Chain, Forbidden, Gone bool `json:",omitempty"`
	QSAppend, QSDiscard, QSLast, NoEscape, PT bool `json:",omitempty"`
	// Proxy is P: the substitution, an http:// URL, is proxied to (with
	// mod_proxy_http; the rule is the last, as P implies L).
	Proxy bool `json:",omitempty"`
	// Redirect is R's status (302 when R has none); 0 without R.
	Redirect int `json:",omitempty"`
	// Skip is S=n: the rules skipped after this one matched.
	Skip int `json:",omitempty"`
	// Env are the E=VAR:VALUE (or E=!VAR) assignments.
	Env []EnvAssign `json:",omitempty"`
	// EscapeBackrefs is B (with BNP: NoPlus): the rule's $N are escaped
	// in its substitution, every byte but letters, digits and '_' (or
	// only those of EscapeOnly), a space as '+' unless NoPlus.
	EscapeBackrefs, NoPlus bool   `json:",omitempty"`
	EscapeOnly             string `json:",omitempty"`
	// Type is T=media-type, with $N, %N and %{VAR} references: the
	// Content-Type the response is sent with ("" for none).
	Type string `json:",omitempty"`
	// Next is N[=rounds]: after this rule applies, the rules start again
	// from the first with the rewritten path, at most MaxRounds times
	// (32000 by default, mod_rewrite's REWRITE_MAX_ROUNDS).
	Next      bool `json:",omitempty"`
	MaxRounds int  `json:",omitempty"`
	// Cookies are the CO= values as written (NAME:VALUE:DOMAIN[:minutes
	// [:path[:secure[:httponly[:samesite]]]]], ';' as the separator when
	// the value starts with one), expanded when the rule applies.
	Cookies []string `json:",omitempty"`
}

// RewriteCondKind tells how a RewriteCond's pattern tests its string.
type RewriteCondKind int

// The RewriteCond tests: a regular expression; a lexical comparison (<,
// >, =, <=, >=); an integer comparison (-eq ...); a file test (-d, -f, -s,
// -l, -x); an ap_expr ("expr" as the test string).
const (
	CondRegex RewriteCondKind = iota
	CondCompare
	CondInteger
	CondFile
	CondExpr
)

// String names the kind.
func (k RewriteCondKind) String() string {
	switch k {
	case CondRegex:
		return "regex"
	case CondCompare:
		return "compare"
	case CondInteger:
		return "integer"
	case CondFile:
		return "file"
	case CondExpr:
		return "expr"
	}
	return "RewriteCondKind(?)"
}

// RewriteCond is one RewriteCond.
type RewriteCond struct {
	TestString string
	Kind       RewriteCondKind
	// Pattern is the regular expression, or the operand of a
	// comparison; Op the comparison or file test ("<", "-eq", "-f"...).
	Pattern string
	Op      string `json:",omitempty"`
	Negate  bool   `json:",omitempty"`
	NoCase  bool   `json:",omitempty"`
	// OrNext is [OR]: this condition or the next.
	OrNext bool `json:",omitempty"`
	// NoVary is [NV]: a request header it reads is not named in Vary.
	NoVary bool       `json:",omitempty"`
	Expr   *expr.Expr `json:",omitempty"`
}

// rewriteTarget is where a mod_rewrite directive goes: the server's
// configuration, or a literal <Directory> section's (per-directory
// rewriting); pending are the RewriteCond lines waiting for its next
// RewriteRule. Other sections refuse them.
func (w *walker) rewriteTarget(c *call) (rw *Rewrite, pending *[]RewriteCond, err error) {
	if w.sec == nil {
		if w.srv.srv.Rewrite == nil {
			w.srv.srv.Rewrite = &Rewrite{}
		}
		return w.srv.srv.Rewrite, &w.srv.pendingConds, nil
	}
	sec := &w.sec.s
	if sec.Kind != SectionDirectory || sec.Regex || strings.ContainsAny(sec.Pattern, "*?[") {
		return nil, nil, errorf("%s in %s> is not supported by eventmpm: it rewrites in the server config, <VirtualHost> "+
			"and <Directory> sections with a literal path", c.d.name, c.sc.dir)
	}
	if sec.Rewrite == nil {
		sec.Rewrite = &Rewrite{}
	}
	return sec.Rewrite, &w.sec.pendingConds, nil
}

// inheritRewrite gives a virtual host the main server's rules when its
// RewriteOptions ask for them: after its own (Inherit) or before
// (InheritBefore). Without them it has only its own, as in Apache.
func inheritRewrite(v, m *Server) {
	if len(m.RewriteMaps) > 0 {
		merged := maps.Clone(m.RewriteMaps)
		maps.Copy(merged, v.RewriteMaps)
		v.RewriteMaps = merged
	}
	if v.Rewrite == nil || m.Rewrite == nil || !v.Rewrite.Inherit && !v.Rewrite.InheritBefore {
		return
	}
	if v.Rewrite.InheritBefore {
		v.Rewrite.Rules = append(slices.Clone(m.Rewrite.Rules), v.Rewrite.Rules...)
	} else {
		v.Rewrite.Rules = append(slices.Clone(v.Rewrite.Rules), m.Rewrite.Rules...)
	}
}

// setRewriteBase is RewriteBase URL-path, in a <Directory> section: the
// URL a relative substitution is taken from.
func setRewriteBase(w *walker, c *call) error {
	if w.sec == nil {
		return errorf("RewriteBase: only valid in per-directory config files")
	}
	rw, _, err := w.rewriteTarget(c)
	if err != nil {
		return err
	}
	if !strings.HasPrefix(c.args[0], "/") {
		return errorf("RewriteBase: argument is not a valid URL")
	}
	rw.Base = c.args[0]
	return nil
}

// RewriteMap is one RewriteMap: a name ${name:key} looks keys up in.
type RewriteMap struct {
	// Type is "int" (Source is tolower, toupper, escape or unescape),
	// "txt" (Source is a file of "key value" lines) or "rnd" (the same,
	// with values "a|b|c" of which one is chosen at random).
	Type, Source string
	Pos          Pos
}

// rewriteMapFuncs are mod_rewrite's internal maps.
var rewriteMapFuncs = []string{"tolower", "toupper", "escape", "unescape"}

// setRewriteMap is RewriteMap name type:source, with mod_rewrite's
// messages. A virtual host sees the main server's maps, its own of the
// same name first.
func setRewriteMap(w *walker, c *call) error {
	if len(c.args) == 3 {
		return errorf("RewriteMap %s: map options are not supported by eventmpm", c.args[0])
	}
	name, spec := c.args[0], c.args[1]
	kind, source, _ := strings.Cut(spec, ":")
	m := RewriteMap{Type: strings.ToLower(kind), Source: source, Pos: c.pos}
	switch m.Type {
	case "int":
		if !slices.Contains(rewriteMapFuncs, source) {
			return errorf("RewriteMap: internal map not found:%s", source)
		}
	case "txt", "rnd":
		m.Source = w.l.rootRelative(source)
		if _, err := os.Stat(m.Source); err != nil {
			return errorf("RewriteMap: file for map %s not found:%s", name, m.Source)
		}
	case "dbm", "prg", "dbd", "fastdbd":
		return errorf("RewriteMap %s: the %s: map type is not supported by eventmpm (only int:, txt: and rnd:)", name, m.Type)
	default:
		return errorf("RewriteMap: file for map %s not found:%s", name, w.l.rootRelative(spec))
	}
	if w.srv.srv.RewriteMaps == nil {
		w.srv.srv.RewriteMaps = map[string]RewriteMap{}
	}
	w.srv.srv.RewriteMaps[name] = m
	return nil
}

func setRewriteEngine(w *walker, c *call) error {
	rw, _, err := w.rewriteTarget(c)
	if err != nil {
		return err
	}
	switch strings.ToLower(c.args[0]) {
	case "on":
		rw.Engine = true
	case "off":
		rw.Engine = false
	default:
		return errorf("RewriteEngine must be On or Off")
	}
	rw.EngineSet = true
	return nil
}

func setRewriteOptions(w *walker, c *call) error {
	rw, _, err := w.rewriteTarget(c)
	if err != nil {
		return err
	}
	for _, o := range c.args {
		switch strings.ToLower(o) {
		case "inherit":
			rw.Inherit = true
		case "inheritbefore":
			rw.InheritBefore = true
		case "inheritdown", "inheritdownbefore", "ignoreinherit", "allownoslash", "allowanyuri", "mergebase", "ignorecontextinfo", "legacyprefixdocroot":
			return errorf("RewriteOptions %s is not supported by eventmpm (only Inherit and InheritBefore)", o)
		default:
			if strings.HasPrefix(strings.ToLower(o), "maxredirects=") {
				return errorf("RewriteOptions %s is not supported by eventmpm (only Inherit and InheritBefore)", o)
			}
			return errorf("RewriteOptions: unknown option '%s'", o)
		}
	}
	return nil
}

// rewriteLine is rewriteTarget for RewriteCond and RewriteRule, which take
// two arguments and optional flags.
func (w *walker) rewriteLine(c *call) (*Rewrite, *[]RewriteCond, error) {
	if len(c.args) < 2 || len(c.args) > 3 {
		return nil, nil, errorf("%s: bad argument line '%s'", c.d.name, strings.TrimSpace(c.raw))
	}
	return w.rewriteTarget(c)
}

// setRewriteCond is RewriteCond TestString CondPattern [flags]: kept until
// the next RewriteRule, whose conditions it is.
func setRewriteCond(w *walker, c *call) error {
	_, pending, err := w.rewriteLine(c)
	if err != nil {
		return err
	}
	cond := RewriteCond{TestString: c.args[0]}
	if len(c.args) == 3 {
		if err := parseCondFlags(&cond, c.args[2]); err != nil {
			return err
		}
	}
	if err := parseCondPattern(&cond, c.args[1]); err != nil {
		return err
	}
	*pending = append(*pending, cond)
	return nil
}

func parseCondFlags(cond *RewriteCond, s string) error {
	flags, err := flagList("RewriteCond", s)
	if err != nil {
		return err
	}
	for _, f := range flags {
		switch strings.ToLower(f) {
		case "nc", "nocase":
			cond.NoCase = true
		case "or", "ornext":
			cond.OrNext = true
		case "nv", "novary":
			cond.NoVary = true
		default:
			return errorf("RewriteCond: unknown flag '%s'", f)
		}
	}
	return nil
}

// parseCondPattern reads a CondPattern, as mod_rewrite's cmd_rewritecond.
func parseCondPattern(cond *RewriteCond, p string) error {
	if cond.TestString == "expr" {
		e, err := expr.Parse(p)
		if err != nil {
			return errorf("RewriteCond: cannot compile expression \"%s\": %v", p, err)
		}
		cond.Kind, cond.Expr = CondExpr, e
		return nil
	}
	if strings.HasPrefix(p, "!") {
		cond.Negate, p = true, p[1:]
	}
	for _, op := range []string{"<=", ">=", "<", ">", "="} {
		if strings.HasPrefix(p, op) {
			cond.Kind, cond.Op, cond.Pattern = CondCompare, op, p[len(op):]
			if cond.Pattern == `""` {
				cond.Pattern = ""
			}
			return nil
		}
	}
	if len(p) >= 3 && p[0] == '-' {
		switch op := p[:3]; op {
		case "-eq", "-ne", "-lt", "-le", "-gt", "-ge":
			// The operand follows the operator ("-eq80", or "-eq 80" quoted).
			cond.Kind, cond.Op, cond.Pattern = CondInteger, op, strings.TrimSpace(p[3:])
			return nil
		}
	}
	switch p {
	case "-d", "-f", "-s", "-l", "-L", "-h", "-x":
		cond.Kind, cond.Op = CondFile, p
		return nil
	case "-F", "-U":
		return errorf("RewriteCond %s is not supported by eventmpm: it runs a subrequest", p)
	}
	pattern := p
	if cond.NoCase {
		pattern = "(?i)" + pattern
	}
	if _, err := regex.Compile(pattern); err != nil {
		return errorf("RewriteCond: cannot compile regular expression '%s'", p)
	}
	cond.Kind, cond.Pattern = CondRegex, p
	return nil
}

// setRewriteRule is RewriteRule Pattern Substitution [flags].
func setRewriteRule(w *walker, c *call) error {
	rw, pending, err := w.rewriteLine(c)
	if err != nil {
		return err
	}
	r := RewriteRule{Pattern: c.args[0], Substitution: c.args[1], Pos: c.pos}
	if len(c.args) == 3 {
		if err := parseRuleFlags(&r.Flags, c.args[2]); err != nil {
			return err
		}
	}
	if r.Flags.Proxy {
		switch {
		case w.sec != nil || c.sc.access != nil:
			return errorf("RewriteRule [P] in a directory context is not supported by eventmpm: use it in the server config or <VirtualHost>")
		case !slices.Contains(w.cfg.Modules, "proxy_http_module"):
			return errorf("RewriteRule [P] needs mod_proxy and mod_proxy_http (LoadModule proxy_module ..., LoadModule proxy_http_module ...)")
		}
	}
	if strings.HasPrefix(r.Pattern, "!") {
		r.Negate, r.Pattern = true, r.Pattern[1:]
	}
	pattern := r.Pattern
	if r.Flags.NoCase {
		pattern = "(?i)" + pattern
	}
	if _, err := regex.Compile(pattern); err != nil {
		return errorf("RewriteRule: cannot compile regular expression '%s'", r.Pattern)
	}
	r.Conds, *pending = *pending, nil
	rw.Rules = append(rw.Rules, r)
	return nil
}

// flagList splits "[a,b=c]" into its flags.
func flagList(directive, s string) ([]string, error) {
	if len(s) < 2 || s[0] != '[' || s[len(s)-1] != ']' {
		return nil, errorf("%s: bad flag delimiters", directive)
	}
	return strings.Split(s[1:len(s)-1], ","), nil
}

// parseRuleFlags reads a RewriteRule's flags, with mod_rewrite's names
// and abbreviations.
func parseRuleFlags(f *RewriteFlags, s string) error {
	flags, err := flagList("RewriteRule", s)
	if err != nil {
		return err
	}
	for _, flag := range flags {
		key, val, _ := strings.Cut(flag, "=")
		switch strings.ToLower(key) {
		case "nc", "nocase":
			f.NoCase = true
		case "l", "last":
			f.Last = true
		case "end":
			f.End = true
		case "c", "chain":
			f.Chain = true
		case "f", "forbidden":
			f.Forbidden = true
		case "g", "gone":
			f.Gone = true
		case "qsa", "qsappend":
			f.QSAppend = true
		case "qsd", "qsdiscard":
			f.QSDiscard = true
		case "qsl", "qslast":
			f.QSLast = true
		case "ne", "noescape":
			f.NoEscape = true
		case "pt", "passthrough":
			f.PT = true
		case "ns", "nosubreq", "dpi", "discardpath":
			// No subrequests and no path info here: nothing to do.
		case "r", "redirect":
			if err := parseRedirectFlag(f, val); err != nil {
				return err
			}
		case "s", "skip":
			f.Skip, _ = strconv.Atoi(val) // atoi, as mod_rewrite
		case "e", "env":
			a, err := parseEnvFlag(val)
			if err != nil {
				return err
			}
			f.Env = append(f.Env, a)
		case "p", "proxy":
			f.Proxy = true
		case "b":
			f.EscapeBackrefs, f.EscapeOnly = true, val
		case "bnp", "backrefnoplus":
			f.NoPlus = true // a space as %20 where B escapes; alone it does nothing
		case "t", "type":
			f.Type = val
		case "co", "cookie":
			f.Cookies = append(f.Cookies, val)
		case "n", "next":
			f.Next, f.MaxRounds = true, 32000
			if val != "" {
				f.MaxRounds, _ = strconv.Atoi(leadingDigits(val)) // atoi, as mod_rewrite
			}
		case "h", "handler", "unsafeallow3f", "unsafeprefixstat":
			return errorf("RewriteRule [%s] is not supported by eventmpm", flag)
		default:
			return errorf("RewriteRule: unknown flag '%s'", flag)
		}
	}
	return nil
}

// parseRedirectFlag reads R's value: a status, permanent, temp or
// seeother; 302 when none (or one atoi reads as 0). A status that is not
// a redirect answers with that status and no substitution.
func parseRedirectFlag(f *RewriteFlags, val string) error {
	f.Redirect = 302
	switch code, named := redirectStatusWords[strings.ToLower(val)]; {
	case val == "":
	case named:
		f.Redirect = code
	default:
		if val[0] < '0' || val[0] > '9' {
			return nil
		}
		n, _ := strconv.Atoi(val)
		if n < 100 || n > 599 {
			return errorf("RewriteRule: invalid HTTP response code '%s' for flag 'R'", val)
		}
		f.Redirect = n
	}
	return nil
}

// parseEnvFlag reads E=VAR:VALUE or E=!VAR.
func parseEnvFlag(val string) (EnvAssign, error) {
	if strings.HasPrefix(val, "!") {
		if val == "!" {
			return EnvAssign{}, errorf("RewriteRule: E=! needs a variable name")
		}
		return EnvAssign{Name: val[1:], Unset: true}, nil
	}
	name, value, _ := strings.Cut(val, ":")
	if name == "" {
		return EnvAssign{}, errorf("RewriteRule: E= needs a variable name")
	}
	return EnvAssign{Name: name, Value: value}, nil
}
