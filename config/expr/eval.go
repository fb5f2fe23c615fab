package expr

import (
	"math"
	"net/netip"
	"os"
	"path"
	"strings"

	"eventmpm/internal/regex"
)

// Request is what an expression reads from the request it is evaluated
// for. The child implements it over its own request state.
type Request interface {
	// Var returns one of the request's variables by its upper-case name
	// (REQUEST_URI, HTTPS, SERVER_NAME...: the names Vars lists), or "".
	Var(name string) string
	// Header returns the first value of the request header field name, or
	// "". vary is set when Apache would name the field in the response's
	// Vary header for reading it (req, http and the HTTP_* variables other
	// than HTTP_HOST; not req_novary).
	Header(name string, vary bool) string
	// ResponseHeader returns the response header field name as set so far.
	ResponseHeader(name string) string
	// Env returns the request environment variable name (SetEnvIf, SetEnv).
	Env(name string) (string, bool)
	// RemoteAddr is the client's address, as mod_remoteip leaves it.
	RemoteAddr() netip.Addr
}

// Eval evaluates the expression for r. Nothing in the language fails at
// request time: a word that is not a number compares as apr_atoi64 reads
// it, as in Apache.
func (e *Expr) Eval(r Request) bool {
	st := state{r: r}
	return e.root.eval(&st)
}

// EvalGroups is Eval that also returns the groups $0 to $9 of the last
// regular expression the evaluation matched (all "" after a miss), as
// ap_expr_exec_re hands them to SetEnvIfExpr's values.
func (e *Expr) EvalGroups(r Request) (bool, [10]string) {
	st := state{r: r}
	ok := e.root.eval(&st)
	return ok, st.caps
}

// state is one evaluation: the request and the last regex match's groups.
type state struct {
	r    Request
	caps [10]string
}

type cond interface {
	eval(*state) bool
}

type word interface {
	value(*state) string
}

type constCond bool

func (c constCond) eval(*state) bool { return bool(c) }

type notCond struct{ c cond }

func (n *notCond) eval(s *state) bool { return !n.c.eval(s) }

type andCond struct{ a, b cond }

func (c *andCond) eval(s *state) bool { return c.a.eval(s) && c.b.eval(s) }

type orCond struct{ a, b cond }

func (c *orCond) eval(s *state) bool { return c.a.eval(s) || c.b.eval(s) }

// strCond is a string comparison (==, !=, <, <=, >, >=), byte-wise as
// Apache's strcmp.
type strCond struct {
	op   string
	a, b word
}

func (c *strCond) eval(s *state) bool {
	r := strings.Compare(c.a.value(s), c.b.value(s))
	switch c.op {
	case "==":
		return r == 0
	case "!=":
		return r != 0
	case "<":
		return r < 0
	case "<=":
		return r <= 0
	case ">":
		return r > 0
	}
	return r >= 0
}

// intCond is an integer comparison (-eq ... -ge).
type intCond struct {
	op   string
	a, b word
}

func (c *intCond) eval(s *state) bool {
	a, b := atoi64(c.a.value(s)), atoi64(c.b.value(s))
	switch c.op {
	case "eq":
		return a == b
	case "ne":
		return a != b
	case "lt":
		return a < b
	case "le":
		return a <= b
	case "gt":
		return a > b
	}
	return a >= b
}

// regexCond is =~ (or !~): a match sets $0 to $9 for the words evaluated
// after it; a miss clears them.
type regexCond struct {
	w      word
	re     regex.Regexp
	negate bool
}

func (c *regexCond) eval(s *state) bool {
	m := c.re.FindStringSubmatch(c.w.value(s))
	s.caps = [10]string{}
	for i := 0; i < len(m) && i < len(s.caps); i++ {
		s.caps[i] = m[i]
	}
	return (m != nil) != c.negate
}

// inCond is "word -in {list}".
type inCond struct {
	w    word
	list []word
}

func (c *inCond) eval(s *state) bool {
	v := c.w.value(s)
	for _, item := range c.list {
		if item.value(s) == v {
			return true
		}
	}
	return false
}

// ipmatchCond is "addr -ipmatch subnet", or "-R subnet" for the client.
type ipmatchCond struct {
	client bool
	addr   word
	nets   []netip.Prefix
}

func (c *ipmatchCond) eval(s *state) bool {
	var a netip.Addr
	if c.client {
		a = s.r.RemoteAddr()
	} else {
		var err error
		if a, err = netip.ParseAddr(c.addr.value(s)); err != nil {
			return false // apr_sockaddr_info_get fails: no match
		}
	}
	a = a.Unmap()
	for _, n := range c.nets {
		if n.Contains(a) {
			return true
		}
	}
	return false
}

// matchCond is -strmatch, -strcmatch (case-insensitive) and -fnmatch
// (a '*' does not match '/'), wildcard matches as apr_fnmatch's.
type matchCond struct {
	op         string
	a, pattern word
}

func (c *matchCond) eval(s *state) bool {
	v, pat := c.a.value(s), c.pattern.value(s)
	switch c.op {
	case "strcmatch":
		return wildcard(strings.ToLower(pat), strings.ToLower(v), false)
	case "fnmatch":
		return wildcard(pat, v, true)
	}
	return wildcard(pat, v, false)
}

// unaryCond is one of the unary tests on a word.
type unaryCond struct {
	op  byte
	arg word
}

func (c *unaryCond) eval(s *state) bool {
	v := c.arg.value(s)
	switch c.op {
	case 'n':
		return v != ""
	case 'z':
		return v == ""
	case 'T':
		switch strings.ToLower(v) {
		case "", "0", "off", "false", "no":
			return false
		}
		return true
	}
	return FileTest(c.op, v)
}

// FileTest is a unary file test on path, as ap_expr's and mod_rewrite's:
// 'd' a directory, 'f' a regular file, 's' a regular file that is not
// empty, 'x' executable, 'L' (or 'h', 'l') a symbolic link, 'e' anything.
func FileTest(op byte, path string) bool {
	if op == 'L' || op == 'h' || op == 'l' {
		fi, err := os.Lstat(path)
		return err == nil && fi.Mode()&os.ModeSymlink != 0
	}
	fi, err := os.Stat(path)
	if err != nil {
		return false
	}
	switch op {
	case 'd':
		return fi.IsDir()
	case 'f':
		return fi.Mode().IsRegular()
	case 's':
		return fi.Mode().IsRegular() && fi.Size() > 0
	case 'x':
		return fi.Mode()&0o111 != 0
	}
	return true // -e
}

// literal is a constant word.
type literal string

func (l literal) value(*state) string { return string(l) }

// digits is a number written as a word: a constant, but not one that -R
// and -ipmatch take (they want a string).
type digits string

func (d digits) value(*state) string { return string(d) }

// backref is $N, a group of the last regex match.
type backref byte

func (b backref) value(s *state) string { return s.caps[b] }

// concat is words joined with '.' (or the parts of a quoted string).
type concat []word

func (c concat) value(s *state) string {
	var b strings.Builder
	for _, w := range c {
		b.WriteString(w.value(s))
	}
	return b.String()
}

// atoi64 reads a number as apr_atoi64 (strtoll) does: leading white
// space, a sign, the digits up to the first other byte; 0 when there are
// none, the int64 bound when it overflows.
func atoi64(s string) int64 {
	s = strings.TrimLeft(s, " \t\n\r\f\v")
	neg := false
	if s != "" && (s[0] == '+' || s[0] == '-') {
		neg = s[0] == '-'
		s = s[1:]
	}
	var n uint64
	for i := 0; i < len(s) && s[i] >= '0' && s[i] <= '9'; i++ {
		n = n*10 + uint64(s[i]-'0')
		if n > math.MaxInt64 {
			if neg {
				return math.MinInt64
			}
			return math.MaxInt64
		}
	}
	if neg {
		return -int64(n)
	}
	return int64(n)
}

// wildcard matches name against a shell pattern (*, ?, [...] with ! or ^
// negation, backslash escapes). With pathname set, '*', '?' and brackets
// never match '/', as FNM_PATHNAME. It backtracks only to the last '*',
// so it takes O(len(pattern) * len(name)) steps whatever the pattern.
func wildcard(pattern, name string, pathname bool) bool {
	if pathname {
		ok, err := path.Match(pattern, name)
		return err == nil && ok
	}
	px, nx := 0, 0
	starPx, starNx := -1, 0
	for nx < len(name) {
		if px < len(pattern) {
			if pattern[px] == '*' {
				starPx, starNx = px, nx
				px++
				continue
			}
			if n, ok := matchOne(pattern[px:], name[nx]); ok {
				px += n
				nx++
				continue
			}
		}
		if starPx < 0 {
			return false
		}
		px, starNx = starPx+1, starNx+1 // let the last '*' take one more byte
		nx = starNx
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}

// matchOne matches one byte against the pattern element at the start of
// pattern (not a '*'), returning the element's length.
func matchOne(pattern string, c byte) (int, bool) {
	switch pattern[0] {
	case '?':
		return 1, true
	case '[':
		if n, ok := matchClass(pattern, c); n > 0 {
			return n, ok
		}
		return 1, c == '[' // no closing bracket: a literal '['
	case '\\':
		if len(pattern) > 1 {
			return 2, pattern[1] == c
		}
	}
	return 1, pattern[0] == c
}

// matchClass matches c against the bracket expression at the start of
// pattern; n is the expression's length (0 when it is not closed).
func matchClass(pattern string, c byte) (n int, ok bool) {
	i := 1
	negate := i < len(pattern) && (pattern[i] == '!' || pattern[i] == '^')
	if negate {
		i++
	}
	for first := true; i < len(pattern); first = false {
		if pattern[i] == ']' && !first {
			return i + 1, ok != negate
		}
		lo := pattern[i]
		i++
		hi := lo
		if i+1 < len(pattern) && pattern[i] == '-' && pattern[i+1] != ']' {
			hi = pattern[i+1]
			i += 2
		}
		if lo <= c && c <= hi {
			ok = true
		}
	}
	return 0, false
}
