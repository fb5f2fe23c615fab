package static

import (
	"bytes"
	"sync/atomic"

	"golang.org/x/sys/unix"
)

// Reply is the handler's answer, which the child turns into bytes. The
// child writes the status line, Date, Server, Connection and, unless the
// status is 304 (or 1xx/204), Content-Length: ContentLength; then Header;
// then the body:
//
//   - NoBody (HEAD, 304): nothing.
//   - Body != nil: Body (writev); it may alias the open-file cache and is
//     read-only.
//   - len(Segments) > 0: for each segment its Prefix, then Length bytes of
//     File from Offset (sendfile); then Tail. This is a multipart/byteranges
//     answer from a file too large to keep in memory.
//   - File != nil: ContentLength bytes of File from Offset (sendfile). The
//     file may change after Serve looked at it; a short sendfile means it
//     shrank, and the child must then close the connection.
//   - otherwise, for Status >= 300: the child renders its error page (or,
//     for 301, the redirect page for Location).
//
// A worker reuses one Reply for all its requests: Serve fills it and the
// child calls Release when the response is written, which drops the File
// reference and keeps the buffers' capacity, so steady-state serving does
// not allocate.
type Reply struct {
	// Status is the HTTP status code.
	Status int
	// Header holds extra header lines, each "Name: value\r\n": Content-Type,
	// Last-Modified, ETag, Accept-Ranges, Content-Range, Allow. Never Date,
	// Server, Connection, Content-Length or Location.
	Header []byte
	// Unsent, for a 304, holds the Last-Modified and Content-Type lines
	// the answer leaves out: mod_expires' ExpiresByType and its
	// modification-based times apply to a 304 too, as Apache's expires
	// filter sees the file's type and time there.
	Unsent []byte
	// ContentLength is the length of the body a GET would get, also for HEAD;
	// 0 for a body the child renders itself.
	ContentLength int64
	// Body is an in-memory body, or nil.
	Body []byte
	// File and Offset describe a body sent from an open file.
	File   *File
	Offset int64
	// NoSendfile is set when File is to be read and written rather than
	// sent with sendfile(2) (EnableSendfile Off).
	NoSendfile bool
	// Segments and Tail describe a multipart body sent from File.
	Segments []Segment
	Tail     []byte
	// NoBody is set for HEAD and 304: headers only.
	NoBody bool
	// Location is the redirect target of a 301, the escaped path and query
	// ("/dir/?q"); the child sends it as Location, made absolute with the
	// request's scheme and host as Apache's ap_construct_url does.
	Location []byte
	// Err is set with a 500 for the child's error log.
	Err error
	// NoCompress is set by the caller before Serve to refuse a compressed
	// answer (SetEnvIf's no-gzip); GzipOnlyHTML to refuse one for any
	// type but text/html (gzip-only-text/html=1). Release clears them.
	NoCompress, GzipOnlyHTML bool
	// PreferLanguage is set by the caller before Serve from the
	// prefer-language variable: MultiViews picks a variant in that
	// language when one is acceptable. NoNegotiate keeps Serve from
	// negotiating (the caller is serving a variant it chose). Release
	// clears both.
	PreferLanguage string
	NoNegotiate    bool
	// SkipVariants are file names MultiViews must not choose (the caller
	// found their access checks refuse the request).
	SkipVariants []string
	// Variant is set when a MultiViews request was negotiated: the name of
	// the chosen file in the requested name's directory, which the caller
	// serves as the request's file (after its access checks), adding
	// NegHeader's lines (Content-Location, Vary, TCN) to the response.
	// NegHeader also goes with a 406, whose page shows VariantList (HTML).
	Variant     string
	NegHeader   []byte
	VariantList []byte
	// Unnegotiable says why a MultiViews request got a 404 or 406, for
	// the error log.
	Unnegotiable Unnegotiable
	// GzipIn and GzipOut are the sizes of a body sent compressed, before
	// and after (mod_deflate's Input and Output notes); 0 otherwise.
	GzipIn, GzipOut int64
	// Denial says why a 403 was answered, when the child's error log has a
	// line for it, as Apache's does; IndexNames are the DirectoryIndex
	// names that were tried, for DenialNoIndex. DeniedPath and DeniedURL
	// are what DenialFileAccess and DenialSearch name: the file that
	// could not be opened; the path up to the component that could not
	// be looked up, and the URL path whose lookup met it. For a
	// directory's URL they name its index file, as the lines of Apache's
	// mod_dir subrequest do. DenialListing and DenialVariants name the
	// directory that could not be read in DeniedPath.
	Denial                Denial
	IndexNames            []string
	DeniedPath, DeniedURL string
	// Listing is set for a directory listing, which the caller may sign
	// (AddSignature).
	Listing bool
	// Clock is the wall clock (Unix ns) read while answering from the
	// open-file cache, which takes no system call: the caller may use it
	// for the response's Date and end time instead of reading the clock
	// again. 0 when serving took longer (a miss, a first compression) or
	// read no clock.
	Clock int64
	// EntryAccess, set by the caller before serving, tells a listing how
	// a request for one of its entries would be answered: 0 when served,
	// else the status of the refusal (401, 403, 500). urlPath is the
	// entry's URL path and fsPath its file, both with a '/' at the end for
	// a directory. Entries refused are left out (with IndexOptions
	// ShowForbidden, listed when 401 or 403), as mod_autoindex leaves out
	// those its subrequests refuse. nil lists every entry.
	EntryAccess func(urlPath, fsPath string) int
	// PathInfo is set on a 404 whose path continued past a file
	// (/file.html/extra: ENOTDIR), which Apache counts as an existing
	// file with trailing path information, not as a missing one.
	PathInfo bool
	// Index is the name of the DirectoryIndex file served for a
	// directory's URL, or nil. Apache's %U and %f name it, as mod_dir's
	// internal redirect to it makes them.
	Index []byte

	readme    bool        // a listing shows a ReadmeName file, which takes the signature's place
	buf       []byte      // backing store for Location, part heads and in-memory multipart bodies
	ranges    []byteRange // parsed Range header
	negHeader []byte      // backing store for NegHeader
}

// listingTail ends every listing page.
const listingTail = "</body></html>\n"

// AddSignature puts sig (ServerSignature's <address> line, which depends
// on the request's host and port) at the end of a listing's page, where
// mod_autoindex's emit_tail puts it: not after a ReadmeName file, which
// replaces it. It does nothing to other replies.
func (r *Reply) AddSignature(sig []byte) {
	if !r.Listing || r.readme || !bytes.HasSuffix(r.buf, []byte(listingTail)) {
		return
	}
	r.buf = append(append(r.buf[:len(r.buf)-len(listingTail)], sig...), listingTail...)
	r.ContentLength = int64(len(r.buf))
	if r.Body != nil {
		r.Body = r.buf
	}
}

// Segment is one part of a multipart/byteranges body sent from a file: the
// child writes Prefix (the part's delimiter and headers), then Length bytes
// of the Reply's File starting at Offset.
type Segment struct {
	Prefix []byte
	Offset int64
	Length int64
}

// Release drops the reply's reference to File and resets the reply for the
// next request, keeping the capacity of its buffers. It is safe to call on
// a released reply.
func (r *Reply) Release() {
	if r.File != nil {
		r.File.release()
	}
	*r = Reply{
		Header:      r.Header[:0],
		Unsent:      r.Unsent[:0],
		Segments:    r.Segments[:0],
		buf:         r.buf[:0],
		ranges:      r.ranges[:0],
		negHeader:   r.negHeader[:0],
		VariantList: r.VariantList[:0],
	}
}

// Denial is the reason for a 403 that Apache writes to its error log.
type Denial uint8

const (
	// DenialNone: no reason to log.
	DenialNone Denial = iota
	// DenialNoIndex: a directory without an index file, and Options
	// without Indexes (mod_autoindex's AH01276).
	DenialNoIndex
	// DenialSymlink: a symlink the directory's Options do not allow
	// (directory_walk's AH00037).
	DenialSymlink
	// DenialFileAccess: a regular file that may not be read (EACCES;
	// core's default handler, AH00132).
	DenialFileAccess
	// DenialSearch: a directory on the path that may not be searched, so
	// the next component cannot be looked up (EACCES; directory_walk's
	// AH00035).
	DenialSearch
	// DenialListing: a directory to be listed that may not be read
	// (EACCES; mod_autoindex's AH01275). DeniedPath is the directory,
	// with a trailing '/'.
	DenialListing
	// DenialVariants: a directory whose names MultiViews must read to
	// find a variant, and that may not be read (EACCES; mod_negotiation's
	// AH00686). DeniedPath is the directory, with a trailing '/'.
	DenialVariants
)

// File is an open regular file shared, by reference count, between the
// open-file cache and the replies sending from it; the descriptor is
// closed when the last reference is dropped, so a file evicted from the
// cache stays open until every reply using it is released.
type File struct {
	fd   int
	size int64
	refs atomic.Int32
}

// newFile wraps fd with one reference owned by the caller.
func newFile(fd int, size int64) *File {
	f := &File{fd: fd, size: size}
	f.refs.Store(1)
	return f
}

// Fd returns the file descriptor to sendfile from. It stays valid while
// the caller holds a reference (until Reply.Release).
func (f *File) Fd() int { return f.fd }

// Size returns the file's size when it was opened or last revalidated.
func (f *File) Size() int64 { return f.size }

// acquire takes a reference unless the count already fell to zero (the
// file is closed or closing), in which case it reports false.
func (f *File) acquire() bool {
	for {
		n := f.refs.Load()
		if n <= 0 {
			return false
		}
		if f.refs.CompareAndSwap(n, n+1) {
			return true
		}
	}
}

// release drops a reference and closes the descriptor with the last one.
func (f *File) release() {
	switch n := f.refs.Add(-1); {
	case n == 0:
		unix.Close(f.fd)
	case n < 0:
		panic("static: File released more often than acquired")
	}
}
