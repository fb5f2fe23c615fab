package static

import (
	"bytes"
	"math/rand/v2"
	"strings"

	"eventmpm/child/http1"
)

// AllowHeader is the header line listing the methods a static file
// supports, which its OPTIONS answer and its 405s carry. Apache's default
// handler also accepts POST (and serves the file); eventmpm answers 405 to
// it, which is what RFC 9110 expects of a resource that cannot process a
// body.
const AllowHeader = "Allow: GET,HEAD,OPTIONS\r\n"

// serveFile builds the entry for an opened regular file, caches it when
// allowed, and answers from it.
func (h *Handler) serveFile(req *http1.Request, p *plan, fd int, fi *fileInfo, src fileSource, cacheable bool, r *Reply) {
	e, cacheable, err := h.buildEntry(p.key, fd, fi, src, cacheable)
	if err != nil {
		r.Status, r.Err = 500, err
		return
	}
	e.gen = p.gen
	if cacheable {
		if e.file != nil {
			e.file.acquire() // the cache keeps the first reference, this request takes a second
		}
		if e.compressible {
			e.gzKept = &h.gzKept // its compressed form may stay with it
		}
		h.cache.insert(e)
	}
	h.serveEntry(req, e, r)
}

// appendUnsent appends the Last-Modified and Content-Type lines of a 200's
// header block (Reply.Unsent).
func appendUnsent(dst, header []byte) []byte {
	for rest := header; len(rest) > 0; {
		end := bytes.Index(rest, []byte("\r\n"))
		if end < 0 {
			break
		}
		line := rest[:end+2]
		rest = rest[end+2:]
		if bytes.HasPrefix(line, []byte("Last-Modified: ")) || bytes.HasPrefix(line, []byte("Content-Type: ")) {
			dst = append(dst, line...)
		}
	}
	return dst
}

// serveEntry answers from e. The caller holds a reference to e.file (if
// any), which serveEntry passes on to r or drops.
func (h *Handler) serveEntry(req *http1.Request, e *entry, r *Reply) {
	if strings.HasSuffix(e.key, "/") { // a directory's index file
		name := e.abs[:len(e.abs)-1]
		r.Index = name[bytes.LastIndexByte(name, '/')+1:]
	}
	if !h.answer(req, e, r) {
		e.put()
	}
}

// resumesPlain reports whether a Range request that accepts gzip asks for
// ranges of the file as it is: its If-Range names the plain file's ETag,
// so the client holds plain bytes (sent while the compressed form was being
// made, or before compression was configured). Any other Range request of
// such a client gets ranges of the compressed form.
func (h *Handler) resumesPlain(req *http1.Request, e *entry) bool {
	return req.Range != nil && len(req.IfRange) > 0 && req.IfRange[0] == '"' &&
		h.etagMode != GzipETagNoChange && ifRangeMatches(req.IfRange, &e.val)
}

// answer fills r for e and reports whether r took the file reference.
// Order: method, preconditions (RFC 9110 13.2.2), Range, then the whole
// file.
func (h *Handler) answer(req *http1.Request, e *entry, r *Reply) bool {
	if methodReply(req, r) {
		return false
	}
	if r.GzipOnlyHTML && !bytes.HasPrefix(e.ctype, []byte("text/html")) {
		r.NoCompress = true // as no-gzip: mod_deflate steps aside before adding Vary
	}
	if e.compressible && !r.NoCompress && requestAcceptsGzip(req) && !h.resumesPlain(req, e) {
		if v := h.gzipVariant(e); v != nil {
			h.answerVariant(req, e, v, r)
			return false
		}
	}
	if req.IfMatch != nil || req.IfNoneMatch != nil || req.IfModifiedSince != nil || req.IfUnmodifiedSince != nil {
		var now int64
		if req.IfModifiedSince != nil {
			now = h.now().Unix()
		}
		switch checkPreconditions(req, &e.val, now) {
		case 304:
			r.Status, r.NoBody = 304, true
			r.Header = append(r.Header[:0], e.header[:e.validated]...)
			r.Unsent = appendUnsent(r.Unsent[:0], e.header)
			if e.compressible && !r.NoCompress {
				r.Header = append(r.Header, varyHeader...)
			}
			return false
		case 412:
			r.Status = 412
			return false
		}
	}
	if req.MethodID == http1.MethodGet && req.Range != nil && !h.noRanges &&
		(req.IfRange == nil || ifRangeMatches(req.IfRange, &e.val)) {
		var st int
		r.ranges, st = parseRange(req.Range, e.size, r.ranges, h.maxRanges)
		switch st {
		case rangePartial:
			return serveRanges(e, r)
		case rangeUnsatisfiable:
			r.Status = 416
			r.Header = append(r.Header[:0], "Accept-Ranges: bytes\r\nContent-Range: bytes */"...)
			r.Header = appendInt(r.Header, e.size)
			r.Header = append(r.Header, "\r\n"...)
			return false
		}
	}
	r.Status = 200
	r.Header = e.appendHeader(r.Header[:0], len(e.header), r.NoCompress)
	r.ContentLength = e.size
	switch {
	case r.NoBody:
		return false
	case e.body != nil:
		r.Body = e.body
		return false
	}
	r.File, r.NoSendfile = e.file, e.noSendfile
	return true
}

// methodReply answers OPTIONS (200) and methods other than GET and HEAD
// (405), both with Allow, and reports whether it did.
func methodReply(req *http1.Request, r *Reply) bool {
	switch req.MethodID {
	case http1.MethodGet, http1.MethodHead:
		return false
	case http1.MethodOptions:
		r.Status = 200
	default:
		r.Status = 405
	}
	r.Header = append(r.Header[:0], AllowHeader...)
	return true
}

// serveRanges answers 206 for r.ranges and reports whether r took the
// file reference. One range gets Content-Range; several get a
// multipart/byteranges body, assembled in memory for a cached file and
// described as Segments for a file sent with sendfile.
func serveRanges(e *entry, r *Reply) bool {
	r.Status = 206
	if len(r.ranges) == 1 {
		rg := r.ranges[0]
		r.Header = append(e.appendHeader(r.Header[:0], len(e.header), r.NoCompress), "Content-Range: "...)
		r.Header = append(appendContentRange(r.Header, rg, e.size), "\r\n"...)
		r.ContentLength = rg.length()
		if e.body != nil {
			r.Body = e.body[rg.start : rg.end+1]
			return false
		}
		r.File, r.Offset, r.NoSendfile = e.file, rg.start, e.noSendfile
		return true
	}
	var bnd [16]byte
	boundary := appendBoundary(bnd[:0])
	r.Header = e.appendHeader(r.Header[:0], e.typed, r.NoCompress)
	r.Header = append(r.Header, "Content-Type: multipart/byteranges; boundary="...)
	r.Header = append(append(r.Header, boundary...), "\r\n"...)
	b := r.buf[:0]
	if e.body != nil {
		for _, rg := range r.ranges {
			b = appendPartHead(b, boundary, e.ctype, rg, e.size)
			b = append(b, e.body[rg.start:rg.end+1]...)
		}
		b = appendPartsEnd(b, boundary)
		r.buf, r.Body, r.ContentLength = b, b, int64(len(b))
		return false
	}
	// A prefix sliced before a later append moved b still holds its
	// bytes: append copies forward and never rewrites what it left.
	segs := r.Segments[:0]
	var n int64
	for _, rg := range r.ranges {
		s := len(b)
		b = appendPartHead(b, boundary, e.ctype, rg, e.size)
		segs = append(segs, Segment{Prefix: b[s:len(b):len(b)], Offset: rg.start, Length: rg.length()})
		n += int64(len(b)-s) + rg.length()
	}
	s := len(b)
	b = appendPartsEnd(b, boundary)
	r.buf, r.Segments, r.Tail = b, segs, b[s:len(b):len(b)]
	r.ContentLength = n + int64(len(r.Tail))
	r.File, r.NoSendfile = e.file, e.noSendfile
	return true
}

// appendBoundary appends 16 random hex digits, a fresh multipart boundary
// for each response (Apache uses the request time and the pid).
func appendBoundary(dst []byte) []byte {
	const hexDigits = "0123456789abcdef"
	v := rand.Uint64()
	for shift := 60; shift >= 0; shift -= 4 {
		dst = append(dst, hexDigits[(v>>uint(shift))&15])
	}
	return dst
}

// appendInt appends the decimal form of a non-negative v.
func appendInt(dst []byte, v int64) []byte {
	var buf [20]byte
	i := len(buf)
	for {
		i--
		buf[i] = byte('0' + v%10)
		v /= 10
		if v == 0 {
			break
		}
	}
	return append(dst, buf[i:]...)
}
