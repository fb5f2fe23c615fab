package static

import (
	"bytes"
	"time"

	"eventmpm/child/http1"
)

// validator is what precondition checks compare a request against: the
// representation's current entity tag and modification time.
type validator struct {
	etag    []byte // `"…"` or `W/"…"`
	modTime int64  // Last-Modified, Unix seconds
	// strongDate reports whether Last-Modified can serve as a strong
	// validator: it is at least one second older than now (RFC 9110
	// 8.8.2.2), the same rule that decides whether etag is weak.
	strongDate bool
	// noDate: the response has no Last-Modified, so the date conditions
	// do not apply (a script's response; a file always has one).
	noDate bool
}

// Preconditions evaluates a request's conditions against validators that
// come from elsewhere than a file, a FastCGI application's ETag and
// Last-Modified (nil and the zero time when it sent none), as Apache's
// ap_meets_conditions does for a script's response: 0 to go on, 304 or
// 412. now is the request time in Unix seconds.
func Preconditions(req *http1.Request, etag []byte, lastModified time.Time, now int64) int {
	v := validator{etag: etag, modTime: lastModified.Unix(), noDate: lastModified.IsZero()}
	return checkPreconditions(req, &v, now)
}

// appendETag appends Apache's entity tag of the file id with the parts of
// FileETag (MTime Size by default): the inode, the size and the
// modification time in microseconds, each in lowercase hex without leading
// zeros, joined by '-' and quoted (http_etag.c ap_make_etag). mtime is the
// file's real modification time. weak prefixes W/, which Apache does when the file changed
// less than a second before the request.
func appendETag(dst []byte, parts ETagParts, id fileID, mtime time.Time, weak bool) []byte {
	if weak {
		dst = append(dst, 'W', '/')
	}
	dst = append(dst, '"')
	sep := false
	for _, p := range [...]struct {
		part ETagParts
		v    uint64
	}{{ETagINode, id.ino}, {ETagSize, uint64(id.size)}, {ETagMTime, uint64(mtime.UnixMicro())}} {
		if parts&p.part == 0 {
			continue
		}
		if sep {
			dst = append(dst, '-')
		}
		dst, sep = appendHex(dst, p.v), true
	}
	return append(dst, '"')
}

// appendHex appends v in lowercase hex without leading zeros.
func appendHex(dst []byte, v uint64) []byte {
	const hexDigits = "0123456789abcdef"
	var buf [16]byte
	i := len(buf)
	for {
		i--
		buf[i] = hexDigits[v&15]
		v >>= 4
		if v == 0 {
			break
		}
	}
	return append(dst, buf[i:]...)
}

// checkPreconditions evaluates steps 1 to 4 of RFC 9110 13.2.2 for a
// request on an existing file and returns 0 to go on, 304 (Not Modified)
// or 412 (Precondition Failed). now is the request time in Unix seconds.
//
//  1. If-Match: 412 unless a listed tag matches strongly or it is "*".
//  2. Without If-Match, If-Unmodified-Since: 412 when the file is newer
//     than a valid date; an invalid date is ignored.
//  3. If-None-Match: a weak match (or "*") gives 304 for GET and HEAD,
//     412 for other methods.
//  4. Without If-None-Match, for GET and HEAD, If-Modified-Since: 304 when
//     the file is not newer than the date; an invalid date or one later
//     than now is ignored (Apache's ap_meets_conditions does the same).
func checkPreconditions(req *http1.Request, v *validator, now int64) int {
	if req.IfMatch != nil {
		if !fieldListMatch(req, req.IfMatch, "If-Match", v.etag, false) {
			return 412
		}
	} else if req.IfUnmodifiedSince != nil && !v.noDate {
		if t, ok := http1.ParseConditionalDate(req.IfUnmodifiedSince); ok && v.modTime > t.Unix() {
			return 412
		}
	}
	getOrHead := req.MethodID == http1.MethodGet || req.MethodID == http1.MethodHead
	if req.IfNoneMatch != nil {
		if fieldListMatch(req, req.IfNoneMatch, "If-None-Match", v.etag, true) {
			if getOrHead {
				return 304
			}
			return 412
		}
	} else if req.IfModifiedSince != nil && getOrHead && !v.noDate {
		t, ok := http1.ParseConditionalDate(req.IfModifiedSince)
		if ok && t.Unix() <= now && v.modTime <= t.Unix() {
			return 304
		}
	}
	return 0
}

// fieldListMatch is etagListMatch over every line of the field name: one
// line (first) in the common case, all of them when the request repeated
// If-Match or If-None-Match (RFC 9110 5.3 combines the lines of a list
// field, as Apache does when it reads the headers).
func fieldListMatch(req *http1.Request, first []byte, name string, etag []byte, weak bool) bool {
	if !req.ETagListsRepeated {
		return etagListMatch(first, etag, weak)
	}
	for _, h := range req.Headers {
		if len(h.Name) == len(name) && bytes.EqualFold(h.Name, []byte(name)) && etagListMatch(h.Value, etag, weak) {
			return true
		}
	}
	return false
}

// ifRangeMatches evaluates If-Range (RFC 9110 13.1.5): an entity tag must
// match the current one by strong comparison; a date must be a valid
// HTTP-date equal to Last-Modified, which must itself be strong. Anything
// else, including a malformed value, does not match, and the caller sends
// the whole representation.
func ifRangeMatches(field []byte, v *validator) bool {
	if len(field) > 0 && (field[0] == '"' || (len(field) > 1 && field[0] == 'W' && field[1] == '/')) {
		op, weak, rest, ok := nextETag(field)
		if !ok || weak || len(trimOWS(rest)) != 0 {
			return false
		}
		vop, vweak := splitWeak(v.etag)
		return !vweak && string(op) == string(vop)
	}
	t, ok := http1.ParseConditionalDate(field)
	return ok && v.strongDate && t.Unix() == v.modTime
}

// etagListMatch reports whether the If-Match or If-None-Match field value
// (a comma-separated list of entity tags, or "*") matches etag, using the
// weak or the strong comparison of RFC 9110 8.8.3.2. A malformed element
// ends the scan without a match.
func etagListMatch(field, etag []byte, weak bool) bool {
	field = trimOWS(field)
	if len(field) == 1 && field[0] == '*' {
		return true
	}
	vop, vweak := splitWeak(etag)
	for {
		field = skipListSep(field)
		if len(field) == 0 {
			return false
		}
		op, w, rest, ok := nextETag(field)
		if rest = trimLeftOWS(rest); !ok || (len(rest) > 0 && rest[0] != ',') {
			return false
		}
		if string(op) == string(vop) && (weak || (!w && !vweak)) {
			return true
		}
		field = rest
	}
}

// nextETag parses one entity-tag at the start of b: [W/] DQUOTE *etagc
// DQUOTE with etagc = %x21 / %x23-7E / obs-text. It returns the quoted
// opaque tag, whether it was weak, and the rest of b.
func nextETag(b []byte) (opaque []byte, weak bool, rest []byte, ok bool) {
	if len(b) >= 2 && b[0] == 'W' && b[1] == '/' {
		weak, b = true, b[2:]
	}
	if len(b) == 0 || b[0] != '"' {
		return nil, false, nil, false
	}
	for i := 1; i < len(b); i++ {
		c := b[i]
		switch {
		case c == '"':
			return b[:i+1], weak, b[i+1:], true
		case c == 0x21 || (c >= 0x23 && c <= 0x7e) || c >= 0x80:
		default:
			return nil, false, nil, false
		}
	}
	return nil, false, nil, false
}

// splitWeak splits our own entity tag into its quoted opaque part and its
// weakness.
func splitWeak(etag []byte) ([]byte, bool) {
	if len(etag) >= 2 && etag[0] == 'W' && etag[1] == '/' {
		return etag[2:], true
	}
	return etag, false
}

// skipListSep skips the OWS and empty elements (",") that RFC 9110 5.6.1.2
// tells recipients to accept in a list.
func skipListSep(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t' || b[0] == ',') {
		b = b[1:]
	}
	return b
}

// trimLeftOWS drops leading spaces and tabs.
func trimLeftOWS(b []byte) []byte {
	for len(b) > 0 && (b[0] == ' ' || b[0] == '\t') {
		b = b[1:]
	}
	return b
}

// trimOWS drops leading and trailing spaces and tabs.
func trimOWS(b []byte) []byte {
	b = trimLeftOWS(b)
	for len(b) > 0 && (b[len(b)-1] == ' ' || b[len(b)-1] == '\t') {
		b = b[:len(b)-1]
	}
	return b
}
