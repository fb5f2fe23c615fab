package accesslog

import (
	"bytes"

	"eventmpm/child/http1"
)

// escapeTable says how ap_escape_logitem (server/util.c, with the
// T_ESCAPE_LOGITEM class from gen_test_char.c) writes each byte: 0 means
// as is, 'x' means \xhh, anything else is the letter after a backslash.
// Escaped are the bytes that are not printable ASCII (controls, DEL and
// every byte >= 0x80, so UTF-8 is logged byte by byte) and '"' and '\'.
var escapeTable = func() (t [256]byte) {
	for c := 0; c < 256; c++ {
		if c < 0x20 || c >= 0x7f {
			t[c] = 'x'
		}
	}
	t['\b'], t['\n'], t['\r'], t['\t'], t['\v'] = 'b', 'n', 'r', 't', 'v'
	t['"'], t['\\'] = '"', '\\'
	return t
}()

const hexDigits = "0123456789abcdef"

// appendEscaped appends s escaped as Apache escapes log items.
func appendEscaped[T string | []byte](dst []byte, s T) []byte {
	start := 0
	for i := 0; i < len(s); i++ {
		e := escapeTable[s[i]]
		if e == 0 {
			continue
		}
		dst = append(dst, s[start:i]...)
		dst = appendEscapedByte(dst, s[i], e)
		start = i + 1
	}
	return append(dst, s[start:]...)
}

// appendEscapedByte appends the escape e (from escapeTable) of byte c.
func appendEscapedByte(dst []byte, c, e byte) []byte {
	if e == 'x' {
		return append(dst, '\\', 'x', hexDigits[c>>4], hexDigits[c&15])
	}
	return append(dst, '\\', e)
}

// appendUnescapedPath appends the percent-decoded path p, escaped for the
// log: Apache's %U logs r->uri, which is already decoded. A malformed
// escape is kept as it is (such a request was answered 400 anyway).
func appendUnescapedPath(dst []byte, p []byte) []byte {
	for i := 0; i < len(p); i++ {
		c := p[i]
		if c == '%' && i+2 < len(p) && isHex(p[i+1]) && isHex(p[i+2]) {
			c = unhex(p[i+1])<<4 | unhex(p[i+2])
			i += 2
		}
		if e := escapeTable[c]; e != 0 {
			dst = appendEscapedByte(dst, c, e)
		} else {
			dst = append(dst, c)
		}
	}
	return dst
}

func isHex(c byte) bool {
	return '0' <= c && c <= '9' || 'a' <= c && c <= 'f' || 'A' <= c && c <= 'F'
}

func unhex(c byte) byte {
	switch {
	case c <= '9':
		return c - '0'
	case c >= 'a':
		return c - 'a' + 10
	default:
		return c - 'A' + 10
	}
}

// appendHeaderIn appends the request header name, escaped. Apache merges
// repeated request headers into one value joined by ", " before logging
// (apr_table_compress with APR_OVERLAP_TABLES_MERGE in ap_get_mime_headers),
// so every occurrence is logged. found is false when there is none.
func appendHeaderIn(dst []byte, r *http1.Request, name string) (out []byte, found bool) {
	for i := range r.Headers {
		h := &r.Headers[i]
		if !http1.EqualFold(h.Name, name) {
			continue
		}
		if found {
			dst = append(dst, ',', ' ')
		}
		dst = appendEscaped(dst, h.Value)
		found = true
	}
	return dst, found
}

// headerOut returns the value of the first field called name in the
// response head, with surrounding blanks trimmed, or ok == false. It scans
// head in place: status line, then "Name: value" lines up to the empty
// line. Both CRLF and bare LF line ends are accepted.
func headerOut(head []byte, name string) (value []byte, ok bool) {
	_, rest := nextLine(head) // the status line
	for len(rest) > 0 {
		var line []byte
		line, rest = nextLine(rest)
		if len(line) == 0 {
			break
		}
		colon := bytes.IndexByte(line, ':')
		if colon < 0 || !http1.EqualFold(line[:colon], name) {
			continue
		}
		return trimBlanks(line[colon+1:]), true
	}
	return nil, false
}

// nextLine splits b after its first line end; line has no CR or LF.
func nextLine(b []byte) (line, rest []byte) {
	i := bytes.IndexByte(b, '\n')
	if i < 0 {
		return b, nil
	}
	line, rest = b[:i], b[i+1:]
	if n := len(line); n > 0 && line[n-1] == '\r' {
		line = line[:n-1]
	}
	return line, rest
}

// trimBlanks removes leading and trailing spaces and tabs.
func trimBlanks(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}

// cookie returns the value of the cookie name (compared without regard to
// case, as mod_log_config's log_cookie does) from the request's Cookie
// headers. Pairs are split on ';' and blanks around names and values are
// trimmed; a cookie with an empty value is skipped, as in Apache.
func cookie(r *http1.Request, name string) ([]byte, bool) {
	for i := range r.Headers {
		h := &r.Headers[i]
		if !http1.EqualFold(h.Name, "Cookie") {
			continue
		}
		for v := h.Value; len(v) > 0; {
			var pair []byte
			if j := bytes.IndexByte(v, ';'); j >= 0 {
				pair, v = v[:j], v[j+1:]
			} else {
				pair, v = v, nil
			}
			eq := bytes.IndexByte(pair, '=')
			if eq <= 0 {
				continue
			}
			val := trimBlanks(pair[eq+1:])
			if len(val) > 0 && http1.EqualFold(trimBlanks(pair[:eq]), name) {
				return val, true
			}
		}
	}
	return nil, false
}
