package http1

import (
	"bytes"
	"net/netip"
)

// requestLine is a parsed request line (RFC 9112 3); its slices alias the
// line.
type requestLine struct {
	method, target    []byte
	methodID          Method
	major, minor      int
	path, query, host []byte // host: the target's authority, if it has one
}

// slashPath is the Path of an absolute-form target with an empty path
// ("http://host"), which means "/" (RFC 9112 3.2.1).
var slashPath = []byte{'/'}

// parseRequestLine parses method SP request-target SP HTTP-version, strictly:
// one SP each, a token method, a VCHAR-only target and HTTP/1.x.
func parseRequestLine(line []byte, rl *requestLine) *ParseError {
	m := 0
	for m < len(line) && isToken(line[m]) {
		m++
	}
	if m == len(line) {
		return errHTTP09 // a bare method: no target, no version
	}
	if m == 0 || line[m] != ' ' {
		return ctlError(line[m], errBadMethod)
	}
	rl.method = line[:m]
	rl.methodID = methodID(rl.method)
	rest := line[m+1:]
	sp := bytes.IndexByte(rest, ' ')
	target, version := rest, []byte(nil)
	if sp >= 0 {
		target, version = rest[:sp], rest[sp+1:]
	}
	if len(target) == 0 {
		return errLineSpace
	}
	if err := checkTargetBytes(target); err != nil {
		return err
	}
	if sp < 0 {
		return errHTTP09
	}
	if err := rl.parseVersion(version); err != nil {
		return err
	}
	rl.target = target
	return rl.parseTarget()
}

// parseVersion accepts HTTP-version = "HTTP/" DIGIT "." DIGIT (RFC 9112
// 2.3, case-sensitive). A major version other than 1 gets 505; a minor
// version above 1 is processed as HTTP/1.1 (RFC 9110 6.2).
func (rl *requestLine) parseVersion(v []byte) *ParseError {
	if len(v) != 8 || string(v[:5]) != "HTTP/" || v[6] != '.' || !isDigit(v[5]) || !isDigit(v[7]) {
		for _, c := range v {
			if c == ' ' {
				return errLineSpace
			}
			if byteClass[c]&classTarget == 0 {
				return ctlError(c, errBadVersion)
			}
		}
		return errBadVersion
	}
	if v[5] != '1' {
		return errVersion
	}
	rl.major, rl.minor = 1, min(int(v[7]-'0'), 1)
	return nil
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

// checkTargetBytes enforces VCHAR in the request target: no controls, no
// non-ASCII (RFC 3986 has no raw octets above 0x7E) and no fragment (RFC
// 9112 3.2 has none; Apache's strict mode rejects '#' too).
func checkTargetBytes(t []byte) *ParseError {
	for _, c := range t {
		if byteClass[c]&classTarget == 0 {
			if c >= 0x80 {
				return errTargetNonASCII
			}
			return ctlError(c, errTargetForm)
		}
		if c == '#' {
			return errTargetFragment
		}
	}
	return nil
}

// parseTarget identifies the request-target form (RFC 9112 3.2) and splits
// it into path, query and host.
func (rl *requestLine) parseTarget() *ParseError {
	t := rl.target
	switch {
	case rl.methodID == MethodConnect:
		// authority-form, and only authority-form, for CONNECT (3.2.3).
		name, port, ok := splitHostPort(t)
		if !ok || len(name) == 0 || len(port) == 0 {
			return errConnectTarget
		}
		rl.host = t
	case t[0] == '/':
		rl.path, rl.query = splitQuery(t)
	case len(t) == 1 && t[0] == '*':
		if rl.methodID != MethodOptions {
			return errAsterisk
		}
		rl.path = t
	default:
		return rl.parseAbsolute(t)
	}
	return nil
}

// parseAbsolute parses an absolute-form target (RFC 9112 3.2.2). Only the
// http and https schemes are served; userinfo is refused as Apache's strict
// mode does (RFC 9110 4.2.4 deprecates it).
func (rl *requestLine) parseAbsolute(t []byte) *ParseError {
	var rest []byte
	switch {
	case hasPrefixFold(t, "http://"):
		rest = t[len("http://"):]
	case hasPrefixFold(t, "https://"):
		rest = t[len("https://"):]
	case hasScheme(t):
		return errTargetScheme
	default:
		return errTargetForm
	}
	end := len(rest)
	if i := bytes.IndexAny(rest, "/?"); i >= 0 {
		end = i
	}
	authority := rest[:end]
	if bytes.IndexByte(authority, '@') >= 0 {
		return errTargetUserinfo
	}
	name, _, ok := splitHostPort(authority)
	if !ok {
		return errTargetForm
	}
	if len(name) == 0 {
		return errTargetNoHost
	}
	if !strictHostName(name) {
		return errBadHost
	}
	rl.host = authority
	rl.path, rl.query = splitQuery(rest[end:])
	if len(rl.path) == 0 {
		rl.path = slashPath
	}
	return nil
}

// hasScheme reports whether t starts with scheme ":" (RFC 3986 3.1).
func hasScheme(t []byte) bool {
	for i, c := range t {
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z':
		case i > 0 && (isDigit(c) || c == '+' || c == '-' || c == '.'):
		case i > 0 && c == ':':
			return true
		default:
			return false
		}
	}
	return false
}

func hasPrefixFold(b []byte, prefix string) bool {
	return len(b) >= len(prefix) && equalFold(b[:len(prefix)], prefix)
}

// splitQuery splits a target at the first '?'.
func splitQuery(t []byte) (path, query []byte) {
	if i := bytes.IndexByte(t, '?'); i >= 0 {
		return t[:i], t[i+1:]
	}
	return t, nil
}

// splitHostPort splits uri-host [ ":" port ] (RFC 3986 3.2.2, 3.2.3) and
// checks its bytes: an IP literal in brackets or a reg-name / IPv4 address,
// then an optional colon and digits. ok is false for anything else,
// including userinfo. Percent-encoding is refused in host names, and with
// it IPv6 zone identifiers (RFC 6874), which mean nothing to a server: a
// host name then has one spelling, so virtual host matching cannot be
// confused.
func splitHostPort(h []byte) (name, port []byte, ok bool) {
	rest := h
	if len(h) > 0 && h[0] == '[' {
		j := bytes.IndexByte(h, ']')
		if j < 0 {
			return nil, nil, false
		}
		name, rest = h[:j+1], h[j+1:]
		for _, c := range h[1:j] {
			if !isHostByte(c) {
				return nil, nil, false
			}
		}
	} else {
		j := bytes.IndexByte(h, ':')
		if j < 0 {
			j = len(h)
		}
		name, rest = h[:j], h[j:]
		for _, c := range name {
			if !isHostByte(c) || c == ':' {
				return nil, nil, false
			}
		}
	}
	if len(rest) == 0 {
		return name, nil, true
	}
	if rest[0] != ':' || !validPort(rest[1:]) {
		return nil, nil, false
	}
	return name, rest[1:], true
}

// strictHostName is Apache's check of a host name under its default
// HttpProtocolOptions Strict (fix_hostname, fix_hostname_non_v6 and
// strict_hostname_check): an IP literal must hold an IPv6 address; a name
// may not be digits alone, nor hold "..", and after its final dot is
// dropped it is letters, digits, '-', '_' and dots, either a dotted-
// decimal IPv4 address (four parts, no leading zeroes) or a name whose
// last label, when it has one after a dot, begins with a letter (RFC 1123
// 2.1). Apache answers 400 to the others ("a..b", "a!b", "127.1",
// "host.123"), and so does eventmpm: a name it takes is one that can name
// a directory (VirtualDocumentRoot) without a dot segment.
func strictHostName(name []byte) bool {
	if name[0] == '[' {
		a, err := netip.ParseAddr(string(name[1 : len(name)-1]))
		return err == nil && a.Is6() && a.Zone() == ""
	}
	if bytes.Contains(name, []byte("..")) {
		return false
	}
	if name[len(name)-1] == '.' {
		name = name[:len(name)-1]
	}
	dotted, leadingZero, dots := true, false, 0
	for i, c := range name {
		switch {
		case 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || c == '-' || c == '_':
			dotted = false
		case c == '.':
			dots++
			if i+2 < len(name) && name[i+1] == '0' && '0' <= name[i+2] && name[i+2] <= '9' {
				leadingZero = true
			}
		case c < '0' || c > '9':
			return false
		}
	}
	if dotted {
		if len(name) == 0 || name[0] == '.' || name[0] == '0' && len(name) > 1 && '0' <= name[1] && name[1] <= '9' {
			leadingZero = true
		}
		return !leadingZero && dots == 3
	}
	if i := bytes.LastIndexByte(name, '.'); i >= 0 && i+1 < len(name) {
		c := name[i+1]
		return 'a' <= c && c <= 'z' || 'A' <= c && c <= 'Z'
	}
	return true
}

// validPort reports whether a port given after a host's ':' is one Apache
// accepts (apr_parse_addr_port, then fix_hostname): digits, at least one,
// for a number from 1 to 65535, leading zeros allowed. "h:", "h:0" and
// "h:65536" are 400 there; RFC 3986 would let an empty port stand for the
// default one, but a Location built from such a Host would be wrong.
func validPort(port []byte) bool {
	if len(port) == 0 {
		return false
	}
	v := 0
	for _, c := range port {
		if !isDigit(c) {
			return false
		}
		if v = v*10 + int(c-'0'); v > 65535 {
			return false
		}
	}
	return v > 0
}

// isHostByte reports whether c may appear in a host name or inside an IP
// literal's brackets: unreserved, sub-delims and ':'.
func isHostByte(c byte) bool {
	return byteClass[c]&classAuthority != 0 && c != '[' && c != ']' && c != '%'
}

// methodID classifies a method token (case-sensitive, RFC 9110 9.1).
// Registered reports whether m is one of the methods Apache's core
// registers besides those with a Method of their own (the WebDAV and
// DeltaV ones, which a static resource answers 405). Any other method is
// unknown to the server: Apache answers it 501 Not Implemented (RFC 9110
// 9.1), and so does eventmpm. Methods are case-sensitive: "get" is
// unknown.
func Registered(m []byte) bool {
	switch string(m) {
	case "PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK",
		"VERSION-CONTROL", "CHECKOUT", "UNCHECKOUT", "CHECKIN", "UPDATE", "LABEL",
		"REPORT", "MKWORKSPACE", "MKACTIVITY", "BASELINE-CONTROL", "MERGE":
		return true
	}
	return methodID(m) != MethodOther
}

func methodID(m []byte) Method {
	switch string(m) {
	case "GET":
		return MethodGet
	case "HEAD":
		return MethodHead
	case "POST":
		return MethodPost
	case "PUT":
		return MethodPut
	case "DELETE":
		return MethodDelete
	case "OPTIONS":
		return MethodOptions
	case "TRACE":
		return MethodTrace
	case "CONNECT":
		return MethodConnect
	case "PATCH":
		return MethodPatch
	}
	return MethodOther
}
