package http1

import "encoding/binary"

// Byte classes of RFC 9110 and RFC 9112, one bit each in a 256-entry table,
// so every check in the parser is one load and one AND.
const (
	classToken     uint8 = 1 << iota // tchar (RFC 9110 5.6.2)
	classValue                       // field-vchar / SP / HTAB (RFC 9110 5.5)
	classTarget                      // VCHAR: request-target bytes before form checks
	classAuthority                   // unreserved / pct-encoded / sub-delims / ":" / "[" / "]"
	classQdtext                      // qdtext of a quoted-string (RFC 9110 5.6.4)
	classHex                         // HEXDIG
)

var byteClass = buildByteClass()

func buildByteClass() (t [256]uint8) {
	const tokenSpecials = "!#$%&'*+-.^_`|~"
	const authoritySpecials = "-._~%!$&'()*+,;=:[]"
	for c := 0; c < 256; c++ {
		b := byte(c)
		alnum := 'a' <= b && b <= 'z' || 'A' <= b && b <= 'Z' || '0' <= b && b <= '9'
		vchar := 0x21 <= b && b <= 0x7e
		if alnum || vchar && indexByte(tokenSpecials, b) >= 0 {
			t[c] |= classToken
		}
		if vchar || b >= 0x80 || b == ' ' || b == '\t' {
			t[c] |= classValue
		}
		if vchar {
			t[c] |= classTarget
		}
		if alnum || vchar && indexByte(authoritySpecials, b) >= 0 {
			t[c] |= classAuthority
		}
		if (vchar || b >= 0x80 || b == ' ' || b == '\t') && b != '"' && b != '\\' {
			t[c] |= classQdtext
		}
		if '0' <= b && b <= '9' || 'a' <= b && b <= 'f' || 'A' <= b && b <= 'F' {
			t[c] |= classHex
		}
	}
	return t
}

func indexByte(s string, b byte) int {
	for i := 0; i < len(s); i++ {
		if s[i] == b {
			return i
		}
	}
	return -1
}

func isToken(c byte) bool { return byteClass[c]&classToken != 0 }

// isOWS reports whether c is optional whitespace (SP or HTAB, RFC 9110 5.6.3).
func isOWS(c byte) bool { return c == ' ' || c == '\t' }

// hexVal returns the value of the hex digit c; c must satisfy classHex.
func hexVal(c byte) uint64 {
	switch {
	case c <= '9':
		return uint64(c - '0')
	case c >= 'a':
		return uint64(c-'a') + 10
	default:
		return uint64(c-'A') + 10
	}
}

// trimOWS removes leading and trailing SP and HTAB.
func trimOWS(b []byte) []byte {
	for len(b) > 0 && isOWS(b[0]) {
		b = b[1:]
	}
	for len(b) > 0 && isOWS(b[len(b)-1]) {
		b = b[:len(b)-1]
	}
	return b
}

// nextElement splits the first element off a comma-separated list
// (RFC 9110 5.6.1), trimmed of OWS; empty elements are returned as empty.
func nextElement(list []byte) (elem, rest []byte) {
	for i, c := range list {
		if c == ',' {
			return trimOWS(list[:i]), list[i+1:]
		}
	}
	return trimOWS(list), nil
}

// ctlError classifies a byte that is not allowed where it was found.
func ctlError(c byte, otherwise *ParseError) *ParseError {
	switch {
	case c == 0:
		return errNUL
	case c == '\r':
		return errBareCR
	case c == '\n':
		return errBareLF
	case c < 0x20 || c == 0x7f:
		return errCtl
	}
	return otherwise
}

// firstBadValueByte returns the index of the first byte of b that may not
// appear in a field value (a control byte other than HTAB, or DEL), or -1.
// It tests eight bytes at a time: values are most of a request head.
func firstBadValueByte(b []byte) int {
	const ones, highs = 0x0101010101010101, 0x8080808080808080
	i := 0
	for ; i+8 <= len(b); i += 8 {
		x := binary.LittleEndian.Uint64(b[i:])
		below := (x - 0x20*ones) & ^x & highs // some byte < 0x20
		d := x ^ 0x7f*ones
		del := (d - ones) & ^d & highs // some byte == 0x7f
		if below|del != 0 {
			break // maybe only an HTAB: look byte by byte
		}
	}
	for ; i < len(b); i++ {
		if byteClass[b[i]]&classValue == 0 {
			return i
		}
	}
	return -1
}
