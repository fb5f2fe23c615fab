package static

import (
	"time"

	"eventmpm/child/http1"
)

// SetClock replaces the handler's clock.
func SetClock(h *Handler, now func() time.Time) { h.now = now }

// SetRacyWindow shortens how long after a change a file stays uncached.
func SetRacyWindow(h *Handler, d time.Duration) { h.racyWindow = d }

// CacheLen returns the number of cached entries.
func CacheLen(h *Handler) int {
	if h.cache == nil {
		return 0
	}
	return h.cache.len()
}

// WatchCount returns the number of watches the handler holds.
func WatchCount(h *Handler) int {
	if h.watch == nil {
		return 0
	}
	return h.watch.watchCount()
}

// Range is a parsed byte range, both ends inclusive.
type Range struct{ Start, End int64 }

// ParseRange exposes parseRange: the ranges and 0 (ignore), 206 or 416.
func ParseRange(field string, size int64) ([]Range, int) {
	rs, st := parseRange([]byte(field), size, nil, DefaultMaxRanges)
	var out []Range
	for _, r := range rs {
		out = append(out, Range{r.start, r.end})
	}
	return out, st
}

// ETagListMatch exposes etagListMatch.
func ETagListMatch(field, etag string, weak bool) bool {
	return etagListMatch([]byte(field), []byte(etag), weak)
}

// IfRangeMatches exposes ifRangeMatches for a file with the given
// validators.
func IfRangeMatches(field, etag string, modTime int64, strongDate bool) bool {
	return ifRangeMatches([]byte(field), &validator{etag: []byte(etag), modTime: modTime, strongDate: strongDate})
}

// CheckedPath exposes checkedPath.
func CheckedPath(p string) bool { return checkedPath([]byte(p)) }

// AppendETag exposes appendETag.
func AppendETag(size int64, mtime time.Time, weak bool) string {
	return string(appendETag(nil, ETagParts(0).parts(), fileID{size: size}, mtime, weak))
}

// AppendETagParts exposes appendETag with FileETag's parts.
func AppendETagParts(parts ETagParts, ino uint64, size int64, mtime time.Time) string {
	return string(appendETag(nil, parts.parts(), fileID{ino: ino, size: size}, mtime, false))
}

// FormatSize exposes formatSize.
func FormatSize(n int64) string { return formatSize(n) }

// CheckPreconditions exposes checkPreconditions for a file with the given
// ETag and modification time (Unix seconds); now is the request time.
func CheckPreconditions(req *http1.Request, etag string, modTime, now int64) int {
	return checkPreconditions(req, &validator{etag: []byte(etag), modTime: modTime}, now)
}

// ErrStatus exposes errStatus.
func ErrStatus(err error) int { return errStatus(err) }

// ErrSymlink is the error of a refused symlink.
var ErrSymlink = errSymlink

// ContentTypeOf is MIMETypes.contentType.
func ContentTypeOf(m *MIMETypes, name, charset string) string { return m.contentType(name, charset) }

// LanguagesOf is MIMETypes.languages.
func LanguagesOf(m *MIMETypes, name string) string { return m.languages(name) }

// EncodingsOf is MIMETypes.encodings.
func EncodingsOf(m *MIMETypes, name string) string { return m.encodings(name) }

// AcceptsGzip is requestAcceptsGzip for a request with these
// Accept-Encoding lines, and a User-Agent line between each two.
func AcceptsGzip(lines ...string) bool {
	var req http1.Request
	for i, v := range lines {
		if i > 0 {
			req.Headers = append(req.Headers, http1.Header{Name: []byte("User-Agent"), Value: []byte("t")})
		}
		req.Headers = append(req.Headers, http1.Header{Name: []byte("accept-encoding"), Value: []byte(v)})
	}
	return requestAcceptsGzip(&req)
}

// MarkCompressing marks the cached entry of the request path key (as the
// cache keys it, "/big.txt") as having its compressed form made by
// another worker, and returns the function that clears the mark.
func MarkCompressing(h *Handler, key string) func() {
	e := h.cache.get([]byte(key))
	if e == nil {
		panic("no cached entry for " + key)
	}
	e.put()
	e.gzMaking.Store(true)
	return func() { e.gzMaking.Store(false) }
}
