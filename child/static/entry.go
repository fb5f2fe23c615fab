package static

import (
	"errors"
	"fmt"
	"os"
	"path"
	"slices"
	"sync/atomic"
	"time"

	"eventmpm/child/http1"
	"golang.org/x/sys/unix"
)

// defaultRacyWindow is how long after its last change (ctime) a file is kept out
// of the cache. Timestamps come from a coarse kernel clock, so two writes
// a few milliseconds apart can leave size, mtime and ctime unchanged; a
// file whose ctime is older than this when it is cached cannot change
// again without moving ctime past the cached value (git's "racy clean"
// rule). It is generous so that the gap between the kernel's coarse clock
// and time.Now never matters.
const defaultRacyWindow = 2 * time.Second

// entry describes one servable regular file: its validators, the header
// lines of a 200, and either its contents or an open File. Everything but
// used is immutable once the entry is built. It is validated by its
// watches (deps) or, when it has none, by a stat of abs (and dirAbs).
type entry struct {
	key    string   // the request path it answers
	gen    uint64   // Handler.gen when it was planned (Invalidate)
	deps   []dep    // what it depends on, when watched; else nil
	wat    *watcher // the watcher holding deps
	abs    []byte   // NUL-terminated absolute path of the file
	dirAbs []byte   // NUL-terminated directory to recheck, or nil
	id     fileID
	dirID  fileID
	size   int64
	val    validator
	header []byte // Last-Modified, ETag, Accept-Ranges, Content-Type lines
	typed  int    // header[:typed] precedes the Content-Type line
	// validated: header[:validated] is the Last-Modified, ETag and
	// Accept-Ranges lines, what a 304 repeats (as Apache's does).
	validated int
	ctype     []byte // the Content-Type value, or empty
	body      []byte // the contents, for small cached files; else nil
	file      *File  // the open file when body is nil
	// noSendfile: file is to be read and written, not sent with
	// sendfile(2) (EnableSendfile Off in its directory).
	noSendfile bool
	used       atomic.Bool
	// compressible: a gzip variant may be sent (mod_deflate); header then
	// holds Vary: Accept-Encoding. gz is that variant once made.
	compressible bool
	gz           atomic.Pointer[gzipVariant]
	// gzMaking is set while a worker makes gz: the others send the file
	// as it is meanwhile instead of compressing it too.
	gzMaking atomic.Bool
	// gzKept counts the bytes of the variants kept with cached entries,
	// for the handler's budget; set when e is cached and may keep one.
	gzKept *atomic.Int64
}

// put drops the caller's reference to the entry's file.
func (e *entry) put() {
	if e.file != nil {
		e.file.release()
	}
}

// retire drops the cache's hold on e when the cache lets it go: its
// dependencies, then the cache's reference to its file.
func (e *entry) retire() {
	if e.deps != nil {
		e.wat.release(e.deps)
	}
	if v := e.gz.Load(); v != nil && e.gzKept != nil {
		e.gzKept.Add(-int64(len(v.body)))
	}
	e.put()
}

// fileSource names the file an entry is built from, relative to the root,
// and for an index file that is not the first DirectoryIndex name, the
// directory to recheck and the better names that must stay absent.
type fileSource struct {
	rel    string
	dirRel string
	dirID  fileID
	better []string
}

// buildEntry describes the open regular file fd, taking ownership of fd.
// It reports whether the entry may be cached: the path resolves the same
// way through a plain lookup (cacheable), the file is neither "racy" nor
// so new that its ETag is weak, and it did not change before it was
// watched. A cacheable file no larger than CacheMaxFileSize is read into
// memory and fd closed, provided it did not change while being read.
func (h *Handler) buildEntry(key string, fd int, fi *fileInfo, src fileSource, cacheable bool) (*entry, bool, error) {
	e, cacheable := h.newEntry(key, fi, src, cacheable)
	if cacheable {
		cacheable = h.watchEntry(e, fi, src)
	}
	if cacheable && fi.id.size <= h.maxFile {
		body, err := readAll(fd, fi.id.size)
		if err != nil {
			e.retire()
			unix.Close(fd)
			return nil, false, fmt.Errorf("static: read %s: %w", e.abs[:len(e.abs)-1], err)
		}
		if after, err := fstatInfo(fd); err == nil && after.id == fi.id {
			unix.Close(fd)
			e.body = body
			return e, true, nil
		}
		cacheable = false
	}
	if !cacheable && e.deps != nil {
		e.wat.release(e.deps)
		e.deps = nil
	}
	e.file = newFile(fd, fi.id.size)
	return e, cacheable, nil
}

// newEntry computes the validators and header lines of fi and whether
// they may be cached at all.
func (h *Handler) newEntry(key string, fi *fileInfo, src fileSource, cacheable bool) (*entry, bool) {
	now := h.now()
	real := time.Unix(0, fi.id.mtime)
	mtime := real
	if mtime.After(now) {
		mtime = now // ap_rationalize_mtime: never claim a future Last-Modified
	}
	weak := now.Sub(mtime) <= time.Second // ap_make_etag
	racy := now.UnixNano()-fi.id.ctime < int64(h.racyWindow)
	e := &entry{
		key:  key,
		abs:  h.absPath(src.rel),
		id:   fi.id,
		size: fi.id.size,
		val:  validator{modTime: mtime.Unix(), strongDate: !weak},
	}
	if src.dirRel != "" {
		e.dirAbs, e.dirID = h.absPath(src.dirRel), src.dirID
	}
	dirRel, name := path.Dir(src.rel), path.Base(src.rel)
	forced, deflate := "", false
	dirAbs := h.root
	if dirRel != "." && dirRel != "" {
		dirAbs = h.rootSlash + dirRel
	}
	if tf, ok := h.resolver.(TypeForcer); ok {
		forced = tf.ForcedType(dirAbs, name)
	}
	if df, ok := h.resolver.(Deflater); ok && h.compressMax > 0 {
		deflate = df.Deflates(dirAbs, name)
	}
	dc := h.dirConfig(dirRel)
	e.noSendfile = dc.NoSendfile
	h.makeHeader(e, name, mtime, real, weak, forced, deflate, &dc)
	return e, cacheable && h.cache != nil && !weak && !racy
}

// watchEntry adds the watches e depends on, before anything of the file
// is read, and checks that the path still leads to the file fi describes,
// unchanged; otherwise e is not cached. When something on the path cannot
// be watched, e keeps no dependencies and is validated by stat.
func (h *Handler) watchEntry(e *entry, fi *fileInfo, src fileSource) bool {
	dir, name := path.Split(src.rel)
	dirAbs := h.root
	if dir != "" {
		dirAbs = h.rootSlash + dir
	}
	deps, id, err := h.watch.track(dirAbs, name, src.better)
	switch {
	case errors.Is(err, errNoWatch):
		return true
	case err != nil:
		return false
	case id != fi.id:
		h.watch.release(deps)
		return false
	}
	e.deps, e.wat = deps, h.watch
	return true
}

// absPath returns root/rel, NUL-terminated for statPath.
func (h *Handler) absPath(rel string) []byte {
	if rel == "." {
		return append([]byte(h.root), 0)
	}
	b := make([]byte, 0, len(h.rootSlash)+len(rel)+1)
	b = append(b, h.rootSlash...)
	b = append(b, rel...)
	return append(b, 0)
}

// appendHeader appends e's header lines up to end (len(e.header), or
// e.typed to leave out the Content-Type), without the Vary line when
// noVary: mod_deflate adds none to a request whose no-gzip variable is
// set. The Vary line, when e is compressible, ends at e.typed.
func (e *entry) appendHeader(dst []byte, end int, noVary bool) []byte {
	if !noVary || !e.compressible {
		return append(dst, e.header[:end]...)
	}
	dst = append(dst, e.header[:e.typed-len(varyHeader)]...)
	return append(dst, e.header[e.typed:end]...)
}

// makeHeader precomputes the header lines of a 200 in Apache's order.
// Last-Modified says mtime, never later than now; the ETag is made of the
// file's real modification time, as Apache's is: a file dated in the future
// would otherwise get a new ETag every second (its clamped time moving with
// the clock), and a client could never revalidate it.
func (h *Handler) makeHeader(e *entry, name string, mtime, real time.Time, weak bool, forced string, deflate bool, dc *DirConfig) {
	types, charset := h.typesFor(dc)
	etag := dc.ETag.parts()
	ct := types.contentType(name, charset)
	if forced != "" {
		ct = withDefaultCharset(forced, charset) // ForceType replaces the type, AddCharset's charset too
	}
	lang, enc := types.languages(name), types.encodings(name)
	// A file stored coded (AddEncoding) is not coded again: mod_deflate
	// steps aside, before adding Vary, for a response with a coding.
	e.compressible = enc == "" && e.size > gzipMinSize && e.size <= h.compressMax && (deflate || h.compress[mediaType(ct)] ||
		len(dc.CompressTypes) > 0 && slices.Contains(dc.CompressTypes, mediaType(ct)))
	b := make([]byte, 0, 140+len(ct)+len(lang)+len(enc))
	b = append(b, "Last-Modified: "...)
	b = http1.AppendHTTPDate(b, mtime)
	b = append(b, "\r\n"...)
	es, ee := len(b), len(b) // an empty ETag for FileETag None
	if etag&ETagNone == 0 {
		b = append(b, "ETag: "...)
		es = len(b)
		b = appendETag(b, etag, e.id, real, weak)
		ee = len(b)
		b = append(b, "\r\n"...)
	}
	if h.noRanges {
		b = append(b, "Accept-Ranges: none\r\n"...) // MaxRanges none, as Apache's ap_set_accept_ranges
	} else {
		b = append(b, "Accept-Ranges: bytes\r\n"...)
	}
	e.validated = len(b)
	if lang != "" {
		b = append(b, "Content-Language: "...)
		b = append(b, lang...)
		b = append(b, "\r\n"...)
	}
	if enc != "" {
		b = append(b, "Content-Encoding: "...)
		b = append(b, enc...)
		b = append(b, "\r\n"...)
	}
	if e.compressible {
		b = append(b, varyHeader...)
	}
	e.typed = len(b)
	cs, ce := len(b), len(b)
	if ct != "" {
		b = append(b, "Content-Type: "...)
		cs = len(b)
		b = append(b, ct...)
		ce = len(b)
		b = append(b, "\r\n"...)
	}
	e.header = b
	e.val.etag = b[es:ee:ee]
	e.ctype = b[cs:ce:ce]
}

// readAll reads size bytes from the start of fd. A file that shrank gives
// fewer, and the caller's second stat then refuses to cache them. The
// result is never nil, so an empty file still has an in-memory body.
func readAll(fd int, size int64) ([]byte, error) {
	buf := make([]byte, size)
	n := 0
	for n < len(buf) {
		m, err := unix.Pread(fd, buf[n:], int64(n))
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, os.NewSyscallError("pread", err)
		}
		if m == 0 {
			return buf[:n], nil
		}
		n += m
	}
	return buf, nil
}
