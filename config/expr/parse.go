package expr

import (
	"fmt"
	"strconv"
	"strings"

	"eventmpm/internal/regex"
)

// Expr is one parsed boolean expression. It is immutable.
type Expr struct {
	src  string
	root cond
	vars map[string]bool // the %{NAME} variables it reads
}

// String returns the expression as written.
func (e *Expr) String() string { return e.src }

// MarshalText implements encoding.TextMarshaler: the expression as
// written, so that a configuration holding one travels as JSON.
func (e *Expr) MarshalText() ([]byte, error) { return []byte(e.src), nil }

// UnmarshalText implements encoding.TextUnmarshaler by parsing the text.
func (e *Expr) UnmarshalText(b []byte) error {
	parsed, err := Parse(string(b))
	if err != nil {
		return err
	}
	*e = *parsed
	return nil
}

// ReadsVar reports whether the expression reads the variable name (upper
// case), as mod_authz_core asks whether a Require expr needs REMOTE_USER.
func (e *Expr) ReadsVar(name string) bool { return e.vars[name] }

// Error is a parse error, worded as Apache's ap_expr parser words it.
type Error struct {
	Msg string
}

func (e *Error) Error() string { return e.Msg }

func errorf(format string, a ...any) error { return &Error{Msg: fmt.Sprintf(format, a...)} }

// errSyntax is the message of a grammar error, after Apache's bison one.
func errSyntax(what string) error { return &Error{Msg: "syntax error, " + what} }

// String is a parsed string expression (Apache's AP_EXPR_FLAG_STRING_RESULT,
// as in Redirect's one-argument form): text with %{...} variables and
// functions and $N back-references in it. It is immutable.
type String struct {
	src string
	w   word
}

// ParseString reads src as a string expression.
func ParseString(src string) (*String, error) {
	p := &parser{s: src}
	w, err := p.stringParts(0, false)
	if err != nil {
		return nil, err
	}
	return &String{src: src, w: w}, nil
}

// Literal returns the text when it holds no variable, function or
// back-reference, and whether it does not.
func (e *String) Literal() (string, bool) {
	l, ok := e.w.(literal)
	return string(l), ok
}

// Eval makes the string for r.
func (e *String) Eval(r Request) string {
	st := state{r: r}
	return e.w.value(&st)
}

// Parse reads src, a boolean expression. The error, if any, is an *Error.
func Parse(src string) (*Expr, error) {
	p := &parser{s: src}
	root, err := p.or()
	if err != nil {
		return nil, err
	}
	p.space()
	if !p.eof() {
		return nil, p.unexpected("end of expression")
	}
	return &Expr{src: src, root: root, vars: p.vars}, nil
}

// parser is a recursive-descent parser over the source text; it scans
// as it goes, because what a character means depends on where it is
// (a '/' opens a regular expression only after =~ and !~).
type parser struct {
	s    string
	pos  int
	vars map[string]bool
}

func (p *parser) eof() bool { return p.pos >= len(p.s) }

func (p *parser) space() {
	for p.pos < len(p.s) && (p.s[p.pos] == ' ' || p.s[p.pos] == '\t' || p.s[p.pos] == '\n' || p.s[p.pos] == '\r') {
		p.pos++
	}
}

// unexpected is the error for the text at the current position.
func (p *parser) unexpected(expecting string) error {
	if p.eof() {
		return errSyntax("unexpected end of expression, expecting " + expecting)
	}
	rest := p.s[p.pos:]
	if len(rest) > 20 {
		rest = rest[:20] + "..."
	}
	return errSyntax(fmt.Sprintf("unexpected '%s', expecting %s", rest, expecting))
}

// accept consumes tok (after spaces) when the text continues with it.
func (p *parser) accept(tok string) bool {
	p.space()
	if strings.HasPrefix(p.s[p.pos:], tok) {
		p.pos += len(tok)
		return true
	}
	return false
}

// acceptWord consumes a keyword (and, or, not, true, eq...) that is not
// the start of a longer identifier.
func (p *parser) acceptWord(kw string) bool {
	p.space()
	rest := p.s[p.pos:]
	if len(rest) < len(kw) || !strings.EqualFold(rest[:len(kw)], kw) {
		return false
	}
	if len(rest) > len(kw) && isIdentChar(rest[len(kw)]) {
		return false
	}
	p.pos += len(kw)
	return true
}

func isIdentChar(c byte) bool {
	return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9'
}

func isLetter(c byte) bool { return c == '_' || c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' }

// ident reads [a-zA-Z_][a-zA-Z0-9_]* at the current position ("" if none).
func (p *parser) ident() string {
	start := p.pos
	if p.eof() || !isLetter(p.s[p.pos]) {
		return ""
	}
	for p.pos < len(p.s) && isIdentChar(p.s[p.pos]) {
		p.pos++
	}
	return p.s[start:p.pos]
}

// or is expr || expr, the loosest binding.
func (p *parser) or() (cond, error) {
	left, err := p.and()
	if err != nil {
		return nil, err
	}
	for p.accept("||") || p.acceptWord("or") {
		right, err := p.and()
		if err != nil {
			return nil, err
		}
		left = &orCond{left, right}
	}
	return left, nil
}

func (p *parser) and() (cond, error) {
	left, err := p.not()
	if err != nil {
		return nil, err
	}
	for p.accept("&&") || p.acceptWord("and") {
		right, err := p.not()
		if err != nil {
			return nil, err
		}
		left = &andCond{left, right}
	}
	return left, nil
}

func (p *parser) not() (cond, error) {
	p.space()
	if (strings.HasPrefix(p.s[p.pos:], "!") && !strings.HasPrefix(p.s[p.pos:], "!=") && !strings.HasPrefix(p.s[p.pos:], "!~")) ||
		p.acceptWord("not") {
		if p.s[p.pos] == '!' {
			p.pos++
		}
		c, err := p.not()
		if err != nil {
			return nil, err
		}
		return &notCond{c}, nil
	}
	return p.primary()
}

// primary is true, false, a parenthesized expression, a unary test or a
// comparison of words.
func (p *parser) primary() (cond, error) {
	p.space()
	switch {
	case p.eof():
		return nil, p.unexpected("an expression")
	case p.accept("("):
		c, err := p.or()
		if err != nil {
			return nil, err
		}
		if !p.accept(")") {
			return nil, p.unexpected("')'")
		}
		return c, nil
	case p.acceptWord("true"):
		return constCond(true), nil
	case p.acceptWord("false"):
		return constCond(false), nil
	case p.s[p.pos] == '-' && p.pos+1 < len(p.s) && isLetter(p.s[p.pos+1]):
		return p.unary()
	}
	left, err := p.word()
	if err != nil {
		return nil, err
	}
	return p.comparison(left)
}

// unary is -X word.
func (p *parser) unary() (cond, error) {
	p.pos++ // '-'
	name := p.ident()
	if len(name) != 1 {
		return nil, errorf("Unary operator '-%s' does not exist", name)
	}
	op := name[0]
	switch op {
	case 'n', 'z', 'T', 'R', 'd', 'e', 'f', 's', 'L', 'h', 'x':
	case 'F', 'U', 'A':
		return nil, errorf("Unary operator '-%c' is not supported by eventmpm: it runs a subrequest", op)
	default:
		return nil, errorf("Unary operator '-%s' does not exist", name)
	}
	arg, err := p.word()
	if err != nil {
		return nil, err
	}
	if op == 'R' {
		nets, err := constSubnet(arg)
		if err != nil {
			return nil, errorf("-R requires subnet/netmask as constant argument")
		}
		return &ipmatchCond{client: true, nets: nets}, nil
	}
	return &unaryCond{op: op, arg: arg}, nil
}

// comparison reads the operator after a word and its right side.
func (p *parser) comparison(left word) (cond, error) {
	p.space()
	if p.eof() {
		return nil, errSyntax("unexpected end of expression, expecting an operator")
	}
	for _, op := range []string{"==", "!=", "<=", ">=", "=~", "!~", "<", ">", "="} {
		if !p.accept(op) {
			continue
		}
		switch op {
		case "=~", "!~":
			re, err := p.regex()
			if err != nil {
				return nil, err
			}
			return &regexCond{w: left, re: re, negate: op == "!~"}, nil
		case "=":
			op = "=="
		}
		right, err := p.word()
		if err != nil {
			return nil, err
		}
		return &strCond{op: op, a: left, b: right}, nil
	}
	for _, op := range []string{"eq", "ne", "lt", "le", "gt", "ge", "in"} {
		if p.acceptWord(op) {
			return p.binary(op, left)
		}
	}
	if p.s[p.pos] == '-' && p.pos+1 < len(p.s) && isLetter(p.s[p.pos+1]) {
		p.pos++
		return p.binary(p.ident(), left)
	}
	return nil, p.unexpected("an operator")
}

// binary reads the right side of -op (op without its dash).
func (p *parser) binary(op string, left word) (cond, error) {
	switch op {
	case "eq", "ne", "lt", "le", "gt", "ge":
		right, err := p.word()
		if err != nil {
			return nil, err
		}
		return &intCond{op: op, a: left, b: right}, nil
	case "in":
		list, err := p.wordList()
		if err != nil {
			return nil, err
		}
		return &inCond{w: left, list: list}, nil
	case "ipmatch":
		right, err := p.word()
		if err != nil {
			return nil, err
		}
		nets, err := constSubnet(right)
		if err != nil {
			return nil, errorf("-ipmatch requires subnet/netmask as constant argument")
		}
		return &ipmatchCond{addr: left, nets: nets}, nil
	case "strmatch", "strcmatch", "fnmatch":
		right, err := p.word()
		if err != nil {
			return nil, err
		}
		return &matchCond{op: op, a: left, pattern: right}, nil
	}
	return nil, errorf("Binary operator '-%s' does not exist", op)
}

// wordList is { word, word, ... }.
func (p *parser) wordList() ([]word, error) {
	if !p.accept("{") {
		p.space()
		if name := p.ident(); name != "" && p.accept("(") {
			return nil, errorf("Function '%s' does not exist: eventmpm has no list functions", name)
		}
		return nil, p.unexpected("'{'")
	}
	var list []word
	for {
		w, err := p.word()
		if err != nil {
			return nil, err
		}
		list = append(list, w)
		if p.accept("}") {
			return list, nil
		}
		if !p.accept(",") {
			return nil, p.unexpected("',' or '}'")
		}
	}
}

// word is one word, or several joined with '.'.
func (p *parser) word() (word, error) {
	w, err := p.wordPart()
	if err != nil {
		return nil, err
	}
	for p.accept(".") {
		next, err := p.wordPart()
		if err != nil {
			return nil, err
		}
		if c, ok := w.(concat); ok {
			w = append(c, next)
		} else {
			w = concat{w, next}
		}
	}
	return w, nil
}

// wordPart is digits, a quoted string, a variable, a back-reference or a
// function call.
func (p *parser) wordPart() (word, error) {
	p.space()
	if p.eof() {
		return nil, p.unexpected("a word")
	}
	switch c := p.s[p.pos]; {
	case c >= '0' && c <= '9':
		start := p.pos
		for p.pos < len(p.s) && p.s[p.pos] >= '0' && p.s[p.pos] <= '9' {
			p.pos++
		}
		return digits(p.s[start:p.pos]), nil
	case c == '\'' || c == '"':
		return p.quoted(c)
	case c == '%' && strings.HasPrefix(p.s[p.pos:], "%{"):
		return p.variable()
	case c == '$' && p.pos+1 < len(p.s) && p.s[p.pos+1] >= '0' && p.s[p.pos+1] <= '9':
		p.pos += 2
		return backref(p.s[p.pos-1] - '0'), nil
	case isLetter(c):
		start := p.pos
		name := p.ident()
		if !p.accept("(") {
			p.pos = start
			return nil, p.unexpected("a word")
		}
		fn, err := lookupFunc(name)
		if err != nil {
			return nil, err
		}
		arg, err := p.word()
		if err != nil {
			return nil, err
		}
		if !p.accept(")") {
			return nil, p.unexpected("')'")
		}
		return &call{name: strings.ToLower(name), fn: fn, arg: arg}, nil
	}
	return nil, p.unexpected("a word")
}

// quoted reads a string in quote marks.
func (p *parser) quoted(q byte) (word, error) {
	p.pos++
	return p.stringParts(q, true)
}

// stringParts reads literal text, %{...} variables and $N back-references
// up to the quote mark q (or, without closed, to the end of the text), with
// the backslash escapes of Apache's lexer (escape).
func (p *parser) stringParts(q byte, closed bool) (word, error) {
	var parts concat
	var lit strings.Builder
	cut := false // a NUL ended the literal, as it ends Apache's C string
	flush := func() {
		if lit.Len() > 0 {
			parts = append(parts, literal(lit.String()))
			lit.Reset()
		}
		cut = false
	}
	for {
		if p.eof() {
			if closed {
				return nil, &Error{Msg: "Unterminated string or variable"}
			}
			break
		}
		c := p.s[p.pos]
		if c == q && closed {
			p.pos++
			break
		}
		switch {
		case c == '\\' && p.pos+1 < len(p.s):
			b, n, err := escape(p.s[p.pos+1:])
			if err != nil {
				return nil, err
			}
			p.pos += 1 + n
			if b == 0 {
				cut = true
			}
			if !cut {
				lit.WriteByte(b)
			}
		case c == '%' && strings.HasPrefix(p.s[p.pos:], "%{"):
			flush()
			v, err := p.variable()
			if err != nil {
				return nil, err
			}
			parts = append(parts, v)
		case c == '$' && p.pos+1 < len(p.s) && p.s[p.pos+1] >= '0' && p.s[p.pos+1] <= '9':
			flush()
			parts = append(parts, backref(p.s[p.pos+1]-'0'))
			p.pos += 2
		default:
			if !cut {
				lit.WriteByte(c)
			}
			p.pos++
		}
	}
	flush()
	switch len(parts) {
	case 0:
		return literal(""), nil
	case 1:
		return parts[0], nil
	}
	return parts, nil
}

// escape reads the escape after a backslash in s, as Apache's expression
// lexer: \n, \r, \t, \b and \f are the control characters, one to three
// octal digits are a byte (up to \377; a run of more digits, or one with
// 8 or 9, is a bad escape), and any other character stands for itself (\x
// is "x"). It returns the byte and how many bytes of s it took.
func escape(s string) (byte, int, error) {
	digits, octal := 0, 0
	for digits < len(s) && s[digits] >= '0' && s[digits] <= '9' {
		digits++
	}
	for octal < min(digits, 3) && s[octal] <= '7' {
		octal++
	}
	switch {
	case digits > 0 && digits > octal:
		return 0, 0, &Error{Msg: "Bad escape sequence"}
	case digits > 0:
		v, _ := strconv.ParseUint(s[:octal], 8, 16)
		if v > 0xff {
			return 0, 0, &Error{Msg: "Escape sequence out of bound"}
		}
		return byte(v), octal, nil
	}
	switch s[0] {
	case 'n':
		return '\n', 1, nil
	case 'r':
		return '\r', 1, nil
	case 't':
		return '\t', 1, nil
	case 'b':
		return '\b', 1, nil
	case 'f':
		return '\f', 1, nil
	}
	return s[0], 1, nil
}

// variable reads %{NAME} or %{func:argument}, whose argument is a string
// that may hold variables itself ("%{tolower:%{HTTP_HOST}}").
func (p *parser) variable() (word, error) {
	p.pos += 2
	start := p.pos
	for p.pos < len(p.s) && p.s[p.pos] != '}' && p.s[p.pos] != ':' {
		p.pos++
	}
	if p.eof() {
		return nil, (&Error{Msg: "syntax error, unexpected T_ERROR, expecting T_VAR_END or ':': Unterminated string or variable"})
	}
	name := p.s[start:p.pos]
	p.pos++
	if p.s[p.pos-1] == '}' {
		if p.vars == nil {
			p.vars = map[string]bool{}
		}
		p.vars[strings.ToUpper(name)] = true
		return lookupVar(name)
	}
	fn, err := lookupFunc(name)
	if err != nil {
		return nil, err
	}
	arg, err := p.stringParts('}', true)
	if err != nil {
		return nil, err
	}
	return &call{name: strings.ToLower(name), fn: fn, arg: arg}, nil
}

// regex reads /pattern/flags or m<sep>pattern<sep>flags; the only flag is
// i (case-insensitive). A backslash before the separator stands for it.
func (p *parser) regex() (regex.Regexp, error) {
	p.space()
	if p.eof() {
		return nil, p.unexpected("a regular expression")
	}
	sep := p.s[p.pos]
	switch {
	case sep == '/':
		p.pos++
	case sep == 'm' && p.pos+1 < len(p.s) && !isIdentChar(p.s[p.pos+1]) && p.s[p.pos+1] != ' ':
		sep = p.s[p.pos+1]
		p.pos += 2
	default:
		return nil, p.unexpected("a regular expression")
	}
	var pat strings.Builder
	for {
		if p.eof() {
			return nil, &Error{Msg: "Unterminated regexp"}
		}
		c := p.s[p.pos]
		if c == sep {
			p.pos++
			break
		}
		if c == '\\' && p.pos+1 < len(p.s) && p.s[p.pos+1] == sep {
			pat.WriteByte(sep)
			p.pos += 2
			continue
		}
		pat.WriteByte(c)
		p.pos++
	}
	flags := ""
	for p.pos < len(p.s) && p.s[p.pos] == 'i' {
		flags = "(?i)"
		p.pos++
	}
	if p.pos < len(p.s) && isIdentChar(p.s[p.pos]) {
		return nil, errorf("Invalid regexp flag(s): %c", p.s[p.pos])
	}
	re, err := regex.Compile(flags + pat.String())
	if err != nil {
		return nil, &Error{Msg: "Failed to compile regular expression"}
	}
	return re, nil
}
