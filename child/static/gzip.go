package static

import (
	"bytes"
	"compress/gzip"
	"io"
	"os"
	"strings"

	"eventmpm/child/http1"
	"golang.org/x/sys/unix"
)

// This file is mod_deflate for static files: a file whose media type is
// configured for compression, no larger than CompressMaxFileSize, is sent
// gzip-compressed to a client that accepts gzip, with Content-Encoding,
// Vary: Accept-Encoding and Apache's "-gzip" ETag. The compressed body
// is made once per cached file version and kept with it (up to
// gzipKeepBudget per handler), so a compressed answer costs what an
// uncompressed one does; Apache compresses every response anew. A Range
// request of a client that accepts gzip gets ranges of the compressed
// form, as Apache's byterange filter cuts mod_deflate's output, unless its
// If-Range names the plain file.

// gzipMinSize is the largest body mod_deflate leaves alone: "responses
// smaller than the compression overhead" (its 10-byte header, 8-byte
// trailer and 50 bytes for the header fields it adds). Such a file is sent
// as it is, without Vary, as Apache sends it.
const gzipMinSize = 10 + 8 + 50

// varyHeader goes on every answer of a compressible file, compressed or
// not, as mod_deflate adds it.
const varyHeader = "Vary: Accept-Encoding\r\n"

// gzipVariant is the compressed form of an entry: its body, the header
// lines of a 200, and its validator.
type gzipVariant struct {
	body   []byte
	header []byte
	val    validator
	// validated: header[:validated] is what a 304 repeats (entry.validated).
	validated int
}

// mediaType is a Content-Type value without parameters, lowercased.
func mediaType(ct string) string {
	if i := strings.IndexByte(ct, ';'); i >= 0 {
		ct = ct[:i]
	}
	return strings.ToLower(strings.TrimSpace(ct))
}

// requestAcceptsGzip reports whether req's Accept-Encoding accepts gzip
// (or x-gzip, or "*") with a non-zero quality (RFC 9110 12.5.3). A list
// field sent in several lines is one list (RFC 9110 5.3), as Apache reads
// it after joining the lines: an explicit gzip item decides wherever it
// is, else the last "*".
func requestAcceptsGzip(req *http1.Request) bool {
	var explicit, star int8
	for i := range req.Headers {
		if explicit != 0 {
			break
		}
		if h := &req.Headers[i]; http1.EqualFold(h.Name, "Accept-Encoding") {
			explicit, star = gzipAcceptance(h.Value, star)
		}
	}
	return explicit > 0 || explicit == 0 && star > 0
}

// gzipAcceptance reads one Accept-Encoding line: explicit is 1 when its
// first gzip (or x-gzip) item accepts it, -1 when that item has q=0, 0
// when there is none (it decides alone: the line is read no further);
// star is the same for its last "*" item, starting from the star of the
// lines before.
func gzipAcceptance(v []byte, star int8) (explicit, _ int8) {
	for len(v) > 0 {
		var item []byte
		if i := bytes.IndexByte(v, ','); i >= 0 {
			item, v = v[:i], v[i+1:]
		} else {
			item, v = v, nil
		}
		coding, params, _ := bytes.Cut(item, []byte(";"))
		coding = bytes.TrimSpace(coding)
		gz := bytes.EqualFold(coding, []byte("gzip")) || bytes.EqualFold(coding, []byte("x-gzip"))
		if !gz && !(len(coding) == 1 && coding[0] == '*') {
			continue
		}
		q := int8(1)
		if qualityZero(params) {
			q = -1
		}
		if gz {
			return q, star // an explicit gzip decides
		}
		star = q
	}
	return 0, star
}

// qualityZero reports whether parameters hold q=0 (0, 0.0, 0.00, 0.000).
func qualityZero(params []byte) bool {
	for len(params) > 0 {
		var p []byte
		p, params, _ = bytes.Cut(params, []byte(";"))
		name, val, _ := bytes.Cut(bytes.TrimSpace(p), []byte("="))
		if !bytes.EqualFold(bytes.TrimSpace(name), []byte("q")) {
			continue
		}
		val = bytes.TrimSpace(val)
		if len(val) == 0 || val[0] != '0' {
			return false
		}
		return len(bytes.Trim(val[1:], ".0")) == 0
	}
	return false
}

// gzipVariant returns e's compressed form, making it on first use: from
// the cached body, or read from the open file of an entry that is not kept
// in memory, a piece at a time (only the compressed form is held). Nil
// when the file cannot be read, or while another worker is making it: the
// file then goes out as it is, with Vary, rather than be compressed twice
// at once.
func (h *Handler) gzipVariant(e *entry) *gzipVariant {
	if v := e.gz.Load(); v != nil {
		return v
	}
	if !e.gzMaking.CompareAndSwap(false, true) {
		return nil
	}
	defer e.gzMaking.Store(false)
	if v := e.gz.Load(); v != nil { // made while this worker looked
		return v
	}
	var buf bytes.Buffer
	zw, err := gzip.NewWriterLevel(&buf, h.level)
	if err != nil {
		zw = gzip.NewWriter(&buf)
	}
	switch {
	case e.body != nil:
		zw.Write(e.body)
	case e.file == nil:
		return nil
	default:
		if err := compressFile(zw, e.file.Fd(), e.size); err != nil {
			return nil
		}
	}
	zw.Close()
	v := &gzipVariant{body: buf.Bytes(), val: e.val}
	v.val.etag = h.gzipETag(e.val.etag)
	// The header of a 200: e's, with the variant's ETag (none under
	// FileETag None or DeflateAlterETag Remove), and Content-Encoding
	// before Content-Type as Apache orders them.
	h0 := e.header
	hd := make([]byte, 0, len(h0)+40)
	if len(e.val.etag) > 0 {
		i := bytes.Index(h0, e.val.etag)
		j := i + len(e.val.etag)
		if len(v.val.etag) > 0 {
			hd = append(hd, h0[:i]...)
			hd = append(hd, v.val.etag...)
		} else {
			hd = append(hd, h0[:i-len("ETag: ")]...) // the line goes
			j += len("\r\n")
		}
		hd = append(hd, h0[j:e.typed]...)
	} else {
		hd = append(hd, h0[:e.typed]...)
	}
	v.validated = len(hd) - (e.typed - e.validated) // what follows Accept-Ranges is as long in both
	hd = append(hd, "Content-Encoding: gzip\r\n"...)
	hd = append(hd, h0[e.typed:]...)
	v.header = hd
	// Kept with a cached entry while the handler's budget allows; else
	// made again for each request, as Apache makes it.
	if e.gzKept == nil || e.gzKept.Add(int64(len(v.body))) > gzipKeepBudget {
		if e.gzKept != nil {
			e.gzKept.Add(-int64(len(v.body)))
		}
		return v
	}
	if !e.gz.CompareAndSwap(nil, v) {
		e.gzKept.Add(-int64(len(v.body)))
		return e.gz.Load()
	}
	return v
}

// gzipKeepBudget bounds the compressed forms a handler keeps.
const gzipKeepBudget = 64 << 20

// compressPiece is how much of a file compressFile reads at a time.
const compressPiece = 64 << 10

// compressFile writes the size bytes of the file fd to zw, read with
// pread a piece at a time; a file that is shorter than size (it changed
// since it was opened) is an error.
func compressFile(zw *gzip.Writer, fd int, size int64) error {
	piece := make([]byte, min(size, compressPiece))
	for off := int64(0); off < size; {
		n, err := unix.Pread(fd, piece[:min(int64(len(piece)), size-off)], off)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return os.NewSyscallError("pread", err)
		}
		if n == 0 {
			return io.ErrUnexpectedEOF
		}
		zw.Write(piece[:n])
		off += int64(n)
	}
	return nil
}

// GzipETag is mod_deflate's DeflateAlterETag: what the ETag of a
// compressed response is made of.
type GzipETag uint8

// The DeflateAlterETag settings.
const (
	// GzipETagAddSuffix, the default: "-gzip" inside the quotes, so the
	// compressed form never validates as the plain one.
	GzipETagAddSuffix GzipETag = iota
	// GzipETagNoChange keeps the plain file's ETag (RFC 9110 wants one
	// per representation; Apache offers it all the same).
	GzipETagNoChange
	// GzipETagRemove sends no ETag with a compressed response.
	GzipETagRemove
)

// gzipETag is the ETag of the compressed form of a file whose ETag is
// etag (nil when it has none).
func (h *Handler) gzipETag(etag []byte) []byte {
	if len(etag) == 0 {
		return nil
	}
	switch h.etagMode {
	case GzipETagNoChange:
		return etag
	case GzipETagRemove:
		return nil
	}
	out := make([]byte, 0, len(etag)+5)
	out = append(out, etag[:len(etag)-1]...)
	out = append(out, "-gzip"...)
	return append(out, '"')
}

// answerVariant answers from e's compressed form v: its preconditions
// (RFC 9110 13.2.2, against its own ETag), then its ranges, else the whole
// compressed body. Ranges count bytes of the compressed form, as Apache's
// byterange filter counts what mod_deflate made: a client that resumes a
// compressed download gets the rest of the same bytes.
func (h *Handler) answerVariant(req *http1.Request, e *entry, v *gzipVariant, r *Reply) {
	if req.IfMatch != nil || req.IfNoneMatch != nil || req.IfModifiedSince != nil || req.IfUnmodifiedSince != nil {
		var t int64
		if req.IfModifiedSince != nil {
			t = h.now().Unix()
		}
		switch checkPreconditions(req, &v.val, t) {
		case 304:
			r.Status, r.NoBody = 304, true
			r.Header = append(r.Header[:0], v.header[:v.validated]...)
			r.Header = append(r.Header, varyHeader...)
			r.Unsent = appendUnsent(r.Unsent[:0], v.header)
			return
		case 412:
			r.Status = 412
			return
		}
	}
	// mod_deflate's notes count the deflate stream, without gzip's 10-byte
	// header and 8-byte trailer; a HEAD request has them too, as Apache
	// compresses the body it then leaves out.
	r.GzipIn, r.GzipOut = e.size, int64(len(v.body))-18
	size := int64(len(v.body))
	if req.MethodID == http1.MethodGet && req.Range != nil && !h.noRanges &&
		(req.IfRange == nil || ifRangeMatches(req.IfRange, &v.val)) {
		var st int
		r.ranges, st = parseRange(req.Range, size, r.ranges, h.maxRanges)
		switch st {
		case rangePartial:
			variantRanges(e, v, r)
			return
		case rangeUnsatisfiable:
			r.Status = 416
			r.Header = append(r.Header[:0], "Accept-Ranges: bytes\r\nContent-Range: bytes */"...)
			r.Header = appendInt(r.Header, size)
			r.Header = append(append(r.Header, "\r\n"...), varyHeader...)
			return
		}
	}
	r.Status = 200
	r.Header = append(r.Header[:0], v.header...)
	r.ContentLength = size
	if !r.NoBody {
		r.Body = v.body
	}
}

// variantRanges answers r.ranges of the compressed form v of e, from
// memory: one range with Content-Range, more as multipart/byteranges whose
// parts carry e's type.
func variantRanges(e *entry, v *gzipVariant, r *Reply) {
	size := int64(len(v.body))
	r.Status = 206
	if len(r.ranges) == 1 {
		rg := r.ranges[0]
		r.Header = append(append(r.Header[:0], v.header...), "Content-Range: "...)
		r.Header = append(appendContentRange(r.Header, rg, size), "\r\n"...)
		r.ContentLength = rg.length()
		r.Body = v.body[rg.start : rg.end+1]
		return
	}
	var bnd [16]byte
	boundary := appendBoundary(bnd[:0])
	typed := len(v.header) - (len(e.header) - e.typed) // v's Content-Type line is e's
	r.Header = append(r.Header[:0], v.header[:typed]...)
	r.Header = append(r.Header, "Content-Type: multipart/byteranges; boundary="...)
	r.Header = append(append(r.Header, boundary...), "\r\n"...)
	b := r.buf[:0]
	for _, rg := range r.ranges {
		b = appendPartHead(b, boundary, e.ctype, rg, size)
		b = append(b, v.body[rg.start:rg.end+1]...)
	}
	b = appendPartsEnd(b, boundary)
	r.buf, r.Body, r.ContentLength = b, b, int64(len(b))
}
