package expr

import (
	"net/netip"
	"os"
	"path"
	"regexp"
	"strings"
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

// Eval evaluates the expression for r. An error (a word that is not a
// number for -eq, say) is Apache's "evaluation of expression failed":
// the caller logs it and takes the expression as false.
func (e *Expr) Eval(r Request) (bool, error) {
	st := state{r: r}
	return e.root.eval(&st)
}

// state is one evaluation: the request and the last regex match's groups.
type state struct {
	r    Request
	caps [10]string
}

type cond interface {
	eval(*state) (bool, error)
}

type word interface {
	value(*state) (string, error)
}

type constCond bool

func (c constCond) eval(*state) (bool, error) { return bool(c), nil }

type notCond struct{ c cond }

func (n *notCond) eval(s *state) (bool, error) {
	v, err := n.c.eval(s)
	return !v, err
}

type andCond struct{ a, b cond }

func (c *andCond) eval(s *state) (bool, error) {
	v, err := c.a.eval(s)
	if err != nil || !v {
		return false, err
	}
	return c.b.eval(s)
}

type orCond struct{ a, b cond }

func (c *orCond) eval(s *state) (bool, error) {
	v, err := c.a.eval(s)
	if err != nil || v {
		return v, err
	}
	return c.b.eval(s)
}

// strCond is a string comparison (==, !=, <, <=, >, >=), byte-wise as
// Apache's strcmp.
type strCond struct {
	op   string
	a, b word
}

func (c *strCond) eval(s *state) (bool, error) {
	a, b, err := values(s, c.a, c.b)
	if err != nil {
		return false, err
	}
	r := strings.Compare(a, b)
	switch c.op {
	case "==":
		return r == 0, nil
	case "!=":
		return r != 0, nil
	case "<":
		return r < 0, nil
	case "<=":
		return r <= 0, nil
	case ">":
		return r > 0, nil
	}
	return r >= 0, nil
}

func values(s *state, a, b word) (string, string, error) {
	x, err := a.value(s)
	if err != nil {
		return "", "", err
	}
	y, err := b.value(s)
	return x, y, err
}

// intCond is an integer comparison (-eq ... -ge).
type intCond struct {
	op   string
	a, b word
}

func (c *intCond) eval(s *state) (bool, error) {
	as, bs, err := values(s, c.a, c.b)
	if err != nil {
		return false, err
	}
	a, err := parseInt(as)
	if err != nil {
		return false, err
	}
	b, err := parseInt(bs)
	if err != nil {
		return false, err
	}
	switch c.op {
	case "eq":
		return a == b, nil
	case "ne":
		return a != b, nil
	case "lt":
		return a < b, nil
	case "le":
		return a <= b, nil
	case "gt":
		return a > b, nil
	}
	return a >= b, nil
}

// regexCond is =~ (or !~): a match sets $0 to $9 for the words evaluated
// after it; a miss clears them.
type regexCond struct {
	w      word
	re     *regexp.Regexp
	negate bool
}

func (c *regexCond) eval(s *state) (bool, error) {
	v, err := c.w.value(s)
	if err != nil {
		return false, err
	}
	m := c.re.FindStringSubmatch(v)
	s.caps = [10]string{}
	for i := 0; i < len(m) && i < len(s.caps); i++ {
		s.caps[i] = m[i]
	}
	return (m != nil) != c.negate, nil
}

// inCond is "word -in {list}".
type inCond struct {
	w    word
	list []word
}

func (c *inCond) eval(s *state) (bool, error) {
	v, err := c.w.value(s)
	if err != nil {
		return false, err
	}
	for _, item := range c.list {
		x, err := item.value(s)
		if err != nil {
			return false, err
		}
		if x == v {
			return true, nil
		}
	}
	return false, nil
}

// ipmatchCond is "addr -ipmatch subnet", or "-R subnet" for the client.
type ipmatchCond struct {
	client bool
	addr   word
	nets   []netip.Prefix
}

func (c *ipmatchCond) eval(s *state) (bool, error) {
	var a netip.Addr
	if c.client {
		a = s.r.RemoteAddr()
	} else {
		v, err := c.addr.value(s)
		if err != nil {
			return false, err
		}
		if a, err = netip.ParseAddr(v); err != nil {
			return false, nil // apr_sockaddr_info_get fails: no match
		}
	}
	a = a.Unmap()
	for _, n := range c.nets {
		if n.Contains(a) {
			return true, nil
		}
	}
	return false, nil
}

// matchCond is -strmatch, -strcmatch (case-insensitive) and -fnmatch
// (a '*' does not match '/'), wildcard matches as apr_fnmatch's.
type matchCond struct {
	op         string
	a, pattern word
}

func (c *matchCond) eval(s *state) (bool, error) {
	v, pat, err := values(s, c.a, c.pattern)
	if err != nil {
		return false, err
	}
	switch c.op {
	case "strcmatch":
		return wildcard(strings.ToLower(pat), strings.ToLower(v), false), nil
	case "fnmatch":
		return wildcard(pat, v, true), nil
	}
	return wildcard(pat, v, false), nil
}

// unaryCond is one of the unary tests on a word.
type unaryCond struct {
	op  byte
	arg word
}

func (c *unaryCond) eval(s *state) (bool, error) {
	v, err := c.arg.value(s)
	if err != nil {
		return false, err
	}
	switch c.op {
	case 'n':
		return v != "", nil
	case 'z':
		return v == "", nil
	case 'T':
		switch strings.ToLower(v) {
		case "", "0", "off", "false", "no":
			return false, nil
		}
		return true, nil
	case 'L', 'h':
		fi, err := os.Lstat(v)
		return err == nil && fi.Mode()&os.ModeSymlink != 0, nil
	}
	fi, err := os.Stat(v)
	if err != nil {
		return false, nil
	}
	switch c.op {
	case 'd':
		return fi.IsDir(), nil
	case 'f':
		return fi.Mode().IsRegular(), nil
	case 's':
		return fi.Mode().IsRegular() && fi.Size() > 0, nil
	case 'x':
		return fi.Mode()&0o111 != 0, nil
	}
	return true, nil // -e
}

// literal is a constant word.
type literal string

func (l literal) value(*state) (string, error) { return string(l), nil }

// digits is a number written as a word: a constant, but not one that -R
// and -ipmatch take (they want a string).
type digits string

func (d digits) value(*state) (string, error) { return string(d), nil }

// backref is $N, a group of the last regex match.
type backref byte

func (b backref) value(s *state) (string, error) { return s.caps[b], nil }

// concat is words joined with '.' (or the parts of a quoted string).
type concat []word

func (c concat) value(s *state) (string, error) {
	var b strings.Builder
	for _, w := range c {
		v, err := w.value(s)
		if err != nil {
			return "", err
		}
		b.WriteString(v)
	}
	return b.String(), nil
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
