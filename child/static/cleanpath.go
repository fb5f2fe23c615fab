package static

// Statuses CleanPath returns for a rejected path. They follow Apache 2.4.49+
// (ap_process_request_internal with the default MergeSlashes On and
// AllowEncodedSlashes Off); doc.go lists every spelling.
const (
	statusBadRequest = 400
	statusNotFound   = 404
)

// CleanPath percent-decodes the raw URL path raw exactly once, removes "."
// and "" segments, resolves ".." segments, and appends the result to
// dst[:0]. It returns the cleaned path and 0, or dst[:0] and the status to
// answer: 400 for a path that does not start with '/', a raw NUL byte, a
// malformed escape, or a ".." that would climb above "/"; otherwise 404 for
// an encoded slash %2F or an encoded NUL %00 (Apache's AllowEncodedSlashes
// Off and its ap_unescape_url). A 400 reason wins over a 404 one, as in
// Apache, where normalization runs before decoding.
//
// The result starts with '/', contains no "." or ".." segment, no empty
// segment, and no NUL byte; it ends with '/' when raw did or when its last
// segment was "." or ".." (Apache's ap_normalize_path keeps that slash, so
// "/dir/." names the directory and is not redirected). Backslashes are
// ordinary bytes, as on every Unix Apache.
//
// The result is never longer than raw, so dst may be raw[:0] to clean in
// place, and a dst with that capacity makes CleanPath allocation-free.
// Because decoding happens once, cleaning an already cleaned path that
// holds a '%' decodes again; CleanPath(CleanPath(p)) == CleanPath(p) holds
// only for results without '%'.
func CleanPath(raw []byte, dst []byte) ([]byte, int) {
	if len(raw) == 0 || raw[0] != '/' {
		return dst[:0], statusBadRequest
	}
	out := append(dst[:0], '/')
	notFound := false
	trailing := true // the result must end with '/'
	for i := 1; i <= len(raw); {
		j := i
		for j < len(raw) && raw[j] != '/' {
			j++
		}
		seg := raw[i:j]
		i = j + 1
		if len(seg) == 0 {
			trailing = true
			continue
		}
		mark := len(out)
		if out[mark-1] != '/' {
			out = append(out, '/')
		}
		start := len(out)
		var st int
		out, st = appendDecoded(out, seg)
		switch st {
		case statusBadRequest:
			return dst[:0], st
		case statusNotFound:
			notFound = true
		}
		switch d := out[start:]; {
		case len(d) == 1 && d[0] == '.':
			out, trailing = out[:mark], true
		case len(d) == 2 && d[0] == '.' && d[1] == '.':
			if mark == 1 {
				return dst[:0], statusBadRequest // above the root
			}
			out, trailing = popSegment(out[:mark]), true
		default:
			trailing = false
		}
	}
	if notFound {
		return dst[:0], statusNotFound
	}
	if trailing && out[len(out)-1] != '/' {
		out = append(out, '/')
	}
	return out, 0
}

// popSegment drops the last segment of p, which is "/" or "/a[/b...]"
// without a trailing slash.
func popSegment(p []byte) []byte {
	k := len(p) - 1
	for k > 0 && p[k] != '/' {
		k--
	}
	if k == 0 {
		return p[:1]
	}
	return p[:k]
}

// appendDecoded appends the percent-decoded seg to dst. It reports 400 for
// a raw NUL or a malformed escape and 404 when the segment decodes to a '/'
// or a NUL (the caller rejects the path at the end, so a later 400 can win).
func appendDecoded(dst, seg []byte) ([]byte, int) {
	st := 0
	for k := 0; k < len(seg); k++ {
		c := seg[k]
		switch c {
		case 0:
			return dst, statusBadRequest
		case '%':
			if k+2 >= len(seg) {
				return dst, statusBadRequest
			}
			hi, ok1 := unhex(seg[k+1])
			lo, ok2 := unhex(seg[k+2])
			if !ok1 || !ok2 {
				return dst, statusBadRequest
			}
			c = hi<<4 | lo
			k += 2
			if c == '/' || c == 0 {
				// The path is refused at the end; until then the byte
				// must not split the segment (Apache's normalization
				// sees "%2F" there), so a placeholder stands in.
				c, st = '%', statusNotFound
			}
		}
		dst = append(dst, c)
	}
	return dst, st
}

// unhex returns the value of the hex digit c.
func unhex(c byte) (byte, bool) {
	switch {
	case '0' <= c && c <= '9':
		return c - '0', true
	case 'a' <= c && c <= 'f':
		return c - 'a' + 10, true
	case 'A' <= c && c <= 'F':
		return c - 'A' + 10, true
	}
	return 0, false
}

// checkedPath reports whether p has the shape CleanPath produces: it starts
// with '/' and holds no NUL, no empty segment (but a trailing slash) and no
// "." or ".." segment. Serve re-checks this so that a caller that skipped
// CleanPath still cannot climb out of the root.
func checkedPath(p []byte) bool {
	if len(p) == 0 || p[0] != '/' {
		return false
	}
	segStart := 1
	for i := 1; i <= len(p); i++ {
		if i < len(p) && p[i] == 0 {
			return false
		}
		if i < len(p) && p[i] != '/' {
			continue
		}
		switch seg := p[segStart:i]; {
		case len(seg) == 0 && i < len(p):
			return false
		case len(seg) == 1 && seg[0] == '.', len(seg) == 2 && seg[0] == '.' && seg[1] == '.':
			return false
		}
		segStart = i + 1
	}
	return true
}

// AppendEscapedPath appends p to dst with every byte that may not appear
// literally in an absolute-path (RFC 3986 3.3 pchar plus '/') escaped as
// %XX, like Apache's ap_os_escape_path; Location headers and directory
// listings use it.
func AppendEscapedPath(dst, p []byte) []byte {
	const hexDigits = "0123456789abcdef" // Apache's c2x
	for _, c := range p {
		if isPathChar(c) {
			dst = append(dst, c)
			continue
		}
		dst = append(dst, '%', hexDigits[c>>4], hexDigits[c&15])
	}
	return dst
}

// isPathChar reports whether c may appear unescaped in a URL path:
// unreserved, sub-delims, ':', '@' and '/'. '%' is not, so a decoded '%'
// goes back out as %25.
func isPathChar(c byte) bool {
	switch {
	case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		return true
	}
	switch c {
	case '-', '.', '_', '~', '!', '$', '&', '\'', '(', ')', '*', '+', ',', ';', '=', ':', '@', '/':
		return true
	}
	return false
}
