package static

import (
	"bytes"
	"cmp"
	"compress/gzip"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync/atomic"
	"time"

	"eventmpm/child/http1"
	"golang.org/x/sys/unix"
)

// DirConfig is what applies in one directory; the child derives it from
// the <Directory> sections (merged down the tree, as Apache merges them).
type DirConfig struct {
	// FollowSymLinks and SymLinksIfOwnerMatch are the Options of the same
	// names. They govern symlinks met in this directory; with both set, the
	// owner check applies (Apache's resolve_symlink tests the owner option
	// first).
	FollowSymLinks, SymLinksIfOwnerMatch bool
	// Indexes is Options Indexes: list a directory that has no index file.
	Indexes bool
	// ExecCGI is Options ExecCGI: SetHandler cgi-script may run the
	// directory's files (the child's business; the static handler never
	// runs anything). CGIExts are the extensions AddHandler cgi-script
	// names for the directory.
	ExecCGI bool
	CGIExts []string
	// DirectoryIndex lists the index file names to try in order; nil means
	// none (DirectoryIndex disabled). Entries holding a '/' are skipped.
	DirectoryIndex []string
	// Denied is set when "Require all denied" applies: 403.
	Denied bool
	// Listing is how a listing of the directory looks (mod_autoindex).
	Listing ListingConfig
	// ETag is what the ETag of a file in the directory is made of
	// (FileETag); the zero value is Apache 2.4's default, MTime Size.
	ETag ETagParts
	// NoSendfile is EnableSendfile Off: the body of a file in the
	// directory that is not kept in memory is to be read and written
	// (Reply.NoSendfile), not sent with sendfile(2).
	NoSendfile bool
	// MultiViews is Options MultiViews: a request for a missing name is
	// answered by the best of its variants, name.ext... (negotiate.go).
	// MultiviewsAny is MultiviewsMatch Any: every file name.ext... is a
	// variant, whatever its extensions mean to mod_mime.
	MultiViews, MultiviewsAny bool
	// LanguagePriority and ForceLanguage are mod_negotiation's
	// LanguagePriority and ForceLanguagePriority.
	LanguagePriority []string
	ForceLanguage    ForceLanguage
	// Types are the media types, languages, codings and charsets of the
	// files in the directory, when mod_mime's directives in its sections
	// change the Handler's (an Overlay of them); nil for the Handler's.
	Types *MIMETypes
	// Charset is AddDefaultCharset in the directory ("" for Off) when
	// CharsetSet; else the Handler's DefaultCharset applies.
	Charset    string
	CharsetSet bool
	// CompressTypes are media types sent compressed to clients that
	// accept it besides Options.Compress (AddOutputFilterByType DEFLATE
	// in the directory's sections).
	CompressTypes []string
}

// typesFor returns the types and the default charset of files in a
// directory with configuration dc.
func (h *Handler) typesFor(dc *DirConfig) (*MIMETypes, string) {
	types, charset := h.types, h.charset
	if dc.Types != nil {
		types = dc.Types
	}
	if dc.CharsetSet {
		charset = dc.Charset
	}
	return types, charset
}

// TypeForcer is implemented by a Resolver that forces the media type of
// some files (core's ForceType): ForcedType returns the type of the file
// name in the directory dir (absolute), or "" to type it by its name.
type TypeForcer interface {
	ForcedType(dir, name string) string
}

// Deflater is implemented by a Resolver that has some files compressed
// whatever their media type (SetOutputFilter and AddOutputFilter DEFLATE):
// Deflates reports it for the file name in the directory dir (absolute).
type Deflater interface {
	Deflates(dir, name string) bool
}

// ETagParts says what a file's ETag is made of, as Apache's FileETag: its
// inode, its size and its modification time, in that order, in hex and
// joined by '-'. The zero value is MTime and Size; ETagNone sends none.
type ETagParts uint8

// The parts of an ETag.
const (
	ETagINode ETagParts = 1 << iota
	ETagMTime
	ETagSize
	ETagNone // FileETag None: no ETag at all
)

// parts resolves the zero value to Apache's default.
func (p ETagParts) parts() ETagParts {
	if p == 0 {
		return ETagMTime | ETagSize
	}
	return p
}

// ListingConfig is mod_autoindex's configuration of a directory listing.
type ListingConfig struct {
	// Ignore are IndexIgnore's wildcard patterns of names left out (".ht*"
	// names are always left out).
	Ignore []string
	// HeaderName and ReadmeName name files of the directory shown above
	// and below the table: HTML as it is, other text in <pre>.
	HeaderName, ReadmeName string
	// StyleSheet (IndexStyleSheet) is linked from the page's head, which
	// then marks up its title and table for it; HeadInsert
	// (IndexHeadInsert) goes into the head as it is.
	StyleSheet, HeadInsert string
	// IndexOptions: directories first, names compared without regard to
	// case or with their digit runs as numbers, columns left out.
	FoldersFirst, IgnoreCase, VersionSort, SuppressSize, SuppressLastModified bool
	// Fancy and Table are FancyIndexing and HTMLTable: the table when
	// both are set, else the plain list. The Suppress flags leave out the
	// icon and description columns, the rules, and the sort links;
	// IgnoreClient ignores the query (and drops the links).
	Fancy, Table                                     bool
	SuppressIcon, SuppressDescription, SuppressRules bool
	SuppressColumnSorting, IgnoreClient              bool
	// NameWidth is the table's name width: 0 for Apache's 23, -1 for
	// NameWidth=* (names neither cut nor padded).
	NameWidth int
	// OrderKey ('N', 'M', 'S', 'D'; 0 for N) and OrderDescending are
	// IndexOrderDefault: the order without a query.
	OrderKey        byte
	OrderDescending bool
	// Charset is the page's charset (UTF-8 when empty).
	Charset string
	// Icons and Alts are the AddIcon* and AddAlt* rules, the innermost
	// section's first; the first match gives an entry's icon and alt text.
	// DefaultIcon is the icon of an entry no rule matches.
	Icons, Alts []IndexRule
	DefaultIcon string
	// Descriptions are the AddDescription rules, in the same order;
	// ScanHTMLTitles describes an HTML file no rule does by its <title>.
	Descriptions   []IndexDescription
	ScanHTMLTitles bool
	// DescriptionWidth is where descriptions are cut: 0 for Apache's 23
	// (widened by the columns left out), -1 for DescriptionWidth=*.
	DescriptionWidth int
	// IconsAreLinks makes each icon a link too; IconWidth and IconHeight
	// (0 for none) size the icons; AddAltClass adds an entry's alt text to
	// its row's class (with a style sheet).
	IconsAreLinks         bool
	IconWidth, IconHeight int
	AddAltClass           bool
	// XHTML writes XHTML 1.0; SuppressHTMLPreamble leaves the page's
	// opening (and closing) to an HTML HeaderName (ReadmeName) file;
	// TrackModified sends the directory's Last-Modified and ETag;
	// ShowForbidden lists the entries a request would be refused (401,
	// 403), which are left out otherwise; Type is the page's media type
	// (text/html when empty).
	XHTML, SuppressHTMLPreamble, TrackModified, ShowForbidden bool
	Type                                                      string
}

// Resolver tells the handler which DirConfig applies in a directory. dir
// is an absolute, cleaned file-system path (DocumentRoot or below, without
// a trailing slash). The answer must depend on dir alone: the handler
// caches what it decided from it. It is called concurrently, and only on
// cache misses.
type Resolver interface {
	DirConfig(dir string) DirConfig
}

// RequestResolver is an optional interface of a Resolver. RequestConfig
// returns what applies to a request for the directory dir itself (urlPath
// is the request's path, ending in '/'): Apache merges <Files> and
// <Location> sections after the directory walk, so Indexes and
// DirectoryIndex there may depend on the URL path, not on dir alone. The
// handler uses it only for the directory a path names, and caches what it
// decided by that URL path. Without it, DirConfig(dir) applies.
type RequestResolver interface {
	RequestConfig(urlPath, dir string) DirConfig
}

// DepthBounded is an optional interface of a Resolver. DirDepth returns a
// depth, counted in components of an absolute directory ("/" is 0, "/srv"
// is 1), below which DirConfig no longer changes: a directory deeper than
// it has its parent's configuration. It returns -1 when there is no such
// depth (a regular-expression section can match anywhere).
//
// The handler asks DirConfig about every directory on a missed path; with
// the bound it asks only down to that depth, so a request for a path of
// thousands of segments costs what its first few do instead of growing
// with the square of its length.
type DepthBounded interface {
	DirDepth() int
}

// defaultDirConfig applies when Options.Resolver is nil: Apache 2.4's
// defaults (Options FollowSymLinks, DirectoryIndex index.html).
var defaultDirConfig = DirConfig{FollowSymLinks: true, DirectoryIndex: []string{"index.html"}}

// Options configure a Handler.
type Options struct {
	// DocumentRoot is the absolute path of the tree to serve. It is looked
	// up by name on every miss and revalidation, so replacing a symlinked
	// root (deploys that switch "current") takes effect at once.
	DocumentRoot string
	// Resolver supplies per-directory configuration; nil gives defaults.
	Resolver Resolver
	// Types maps extensions to media types; nil uses BuiltinMIMETypes.
	Types *MIMETypes
	// DefaultCharset is AddDefaultCharset: added to text/plain and
	// text/html as "; charset=…". Empty adds nothing (Apache's Off).
	DefaultCharset string
	// CacheMaxFileSize is the largest file whose contents are kept in
	// memory; 0 keeps none (large files are still cached as open fds).
	CacheMaxFileSize int64
	// CacheMaxEntries bounds the open-file cache (and so the descriptors it
	// holds); 0 disables caching.
	CacheMaxEntries int
	// Watcher revalidates the cache by change notification; the Handlers
	// of a process share one. Nil gives the Handler a watcher of its own,
	// closed with it.
	Watcher *Watcher
	// Compress lists the media types (lowercase, without parameters) sent
	// gzip-compressed to clients that accept it (mod_deflate's
	// AddOutputFilterByType DEFLATE), for files up to CompressMaxFileSize;
	// a Resolver that is a Deflater names more files. CompressLevel is the
	// gzip level, 0 for the default.
	Compress            []string
	CompressLevel       int
	CompressMaxFileSize int64
	// GzipETag is DeflateAlterETag: the ETag of compressed responses.
	GzipETag GzipETag
	// MaxRanges is core's MaxRanges: the most range-specs a Range header
	// may list before the whole file is sent; 0 is Apache's default
	// (DefaultMaxRanges), NoRanges ignores Range and says
	// "Accept-Ranges: none", math.MaxInt is unlimited.
	MaxRanges int
}

// Handler serves files below a DocumentRoot. It is safe for concurrent use.
type Handler struct {
	root      string // cleaned DocumentRoot
	rootSlash string // root with one trailing slash
	resolver  Resolver
	sameBelow int // a directory deeper than this many segments below the root has its parent's DirConfig; -1: none
	types     *MIMETypes
	charset   string
	maxFile   int64
	cache     *cache   // nil when disabled
	watch     *watcher // the cache's watcher; nil when the cache is disabled
	ownWatch  bool     // watch was made for this Handler: Close closes it

	compress    map[string]bool // Options.Compress
	level       int
	compressMax int64
	maxRanges   int          // Options.MaxRanges, 0 made DefaultMaxRanges
	noRanges    bool         // MaxRanges none
	etagMode    GzipETag     // Options.GzipETag
	gzKept      atomic.Int64 // bytes of compressed forms kept with cached entries
	listings    listingCache // the names of the directories MultiViews negotiates in

	now        func() time.Time // the clock; tests replace it
	racyWindow time.Duration    // defaultRacyWindow; tests shorten it

	// gen counts Invalidate calls: an entry filled from the Resolver's
	// answers before the last one is stale.
	gen atomic.Uint64
}

// ErrDocumentRoot is returned by New for a DocumentRoot that is not an
// absolute path.
var ErrDocumentRoot = errors.New("static: DocumentRoot is not an absolute path")

// New returns a Handler for o.
func New(o Options) (*Handler, error) {
	if !filepath.IsAbs(o.DocumentRoot) {
		return nil, fmt.Errorf("%w: %q is not absolute", ErrDocumentRoot, o.DocumentRoot)
	}
	// A root that is missing or not a directory is no error here: the
	// configuration has warned (AH00112, for a virtual host; the main
	// server's must exist when the configuration is read), and as in
	// Apache its requests are answered 404 until the directory appears,
	// instead of the whole server refusing to start.
	root := filepath.Clean(o.DocumentRoot)
	h := &Handler{
		root:       root,
		rootSlash:  strings.TrimSuffix(root, "/") + "/",
		resolver:   o.Resolver,
		sameBelow:  sameBelow(o.Resolver, root),
		types:      o.Types,
		charset:    o.DefaultCharset,
		maxFile:    o.CacheMaxFileSize,
		now:        time.Now,
		racyWindow: defaultRacyWindow,
		maxRanges:  cmp.Or(o.MaxRanges, DefaultMaxRanges),
		noRanges:   o.MaxRanges == NoRanges,
		etagMode:   o.GzipETag,
	}
	if h.types == nil {
		h.types = BuiltinMIMETypes()
	}
	if o.CompressMaxFileSize > 0 {
		h.level, h.compressMax = o.CompressLevel, o.CompressMaxFileSize
		if h.level == 0 {
			h.level = gzip.DefaultCompression // zlib's default, 6, as Apache's; 0 would be gzip.NoCompression
		}
		if len(o.Compress) > 0 {
			h.compress = make(map[string]bool, len(o.Compress))
		}
		for _, t := range o.Compress {
			h.compress[t] = true
		}
	}
	if o.CacheMaxEntries > 0 {
		h.cache = newCache(o.CacheMaxEntries)
		if o.Watcher != nil {
			h.watch = o.Watcher.w
		} else {
			h.watch, h.ownWatch = newWatcher(), true
		}
	}
	return h, nil
}

// Revalidate applies the change notifications pending now to the
// open-file cache, so that every request that arrived at or before
// arrival (Unix ns) finds its cached entries checked without a sync of its
// own. A child's event loop calls it once per batch of ready connections,
// with the time it harvested them: the workers' hits then cost no system
// call. One call serves every Handler sharing the Handler's Watcher. It
// does nothing when caching is off.
func (h *Handler) Revalidate(arrival int64) {
	if h.watch == nil {
		return
	}
	if ok, _ := h.watch.covers(arrival); !ok {
		h.watch.sync(arrival)
	}
}

// Invalidate makes every cached answer stale, so that the next request
// for each path asks the Resolver again: its answers have changed (the
// child read a changed .htaccess file). An entry being filled while it
// runs is stale as soon as it is cached.
func (h *Handler) Invalidate() {
	h.gen.Add(1)
}

// sameBelow turns the resolver's DepthBounded answer into a depth below
// the root (see Handler.sameBelow).
func sameBelow(r Resolver, root string) int {
	if r == nil {
		return 0 // defaultDirConfig everywhere
	}
	b, ok := r.(DepthBounded)
	if !ok {
		return -1
	}
	d := b.DirDepth()
	if d < 0 {
		return -1
	}
	return max(0, d-pathDepth(root))
}

// pathDepth counts the components of a cleaned absolute path.
func pathDepth(p string) int {
	if p == "/" {
		return 0
	}
	return strings.Count(p, "/")
}

// Close empties the cache and lets go of the change notifier (closing it
// when the Handler made its own).
// Files still referenced by replies are closed when those are released.
// ServeAt must not be called after Close.
func (h *Handler) Close() {
	if h.cache != nil {
		h.cache.clear()
	}
	if h.watch != nil {
		if h.ownWatch {
			h.watch.close()
		}
		h.watch = nil
	}
}

// Serve answers a request that arrived now: ServeAt with the current time,
// so a cache hit always waits for the pending change events.
func (h *Handler) Serve(req *http1.Request, path []byte, r *Reply) {
	h.ServeAt(req, path, r, time.Now().UnixNano())
}

// ServeAt answers a request for path, the URL path as CleanPath returned
// it (decoded, dot segments resolved), filling r, which must be empty (new
// or released). A path CleanPath would not have produced gets 400.
// arrival (Unix nanoseconds, the wall clock) is when the request's first
// byte was read: a cached answer reflects every change to the file system
// that completed before it (see doc.go, "Revalidation by change
// notification"). A later stamp is always safe (it may cost a sync); an
// earlier one is not: a change between it and the real arrival could be
// missed.
func (h *Handler) ServeAt(req *http1.Request, path []byte, r *Reply, arrival int64) {
	h.ServeMapped(req, path, path, r, arrival)
}

// ServeMapped is ServeAt for a request whose URL path is not its path below
// the DocumentRoot: the child maps a URL-path elsewhere in the file system
// (mod_alias's Alias) and serves it from a Handler whose DocumentRoot holds
// the target. path is what ServeAt's path is, relative to the DocumentRoot;
// urlPath is the request's own path as CleanPath returned it. What the
// client sees and what <Location> sections match use urlPath: the
// DirectorySlash redirect, a listing's title and links, and the
// RequestResolver's urlPath. Both must end in '/' or neither. The
// open-file cache is keyed by path, and an index file chosen by urlPath is
// cached under it: a Handler must serve one mapping, in which each path
// has one URL path.
func (h *Handler) ServeMapped(req *http1.Request, path, urlPath []byte, r *Reply, arrival int64) {
	r.NoBody = req.MethodID == http1.MethodHead
	if !checkedPath(path) {
		r.Status = statusBadRequest
		return
	}
	if h.cache != nil {
		if e := h.cache.get(path); e != nil {
			if ok, now := h.fresh(e, arrival); ok {
				h.serveEntry(req, e, r)
				if r.GzipOut == 0 { // compressing the first time may take a while
					r.Clock = now
				}
				return
			}
			// The stale entry goes after the miss, which usually
			// replaces it: its watches are then still held while the
			// new entry adds the same ones.
			h.serveMiss(req, path, urlPath, r)
			h.cache.drop(e)
			e.put()
			return
		}
	}
	h.serveMiss(req, path, urlPath, r)
}

// IsCachedFile reports whether path (as ServeMapped takes it) names a
// regular file that the open-file cache holds, still valid for a request
// that arrived at arrival (Unix ns): nothing can be below it. The child
// skips looking for an .htaccess "in" such a file.
func (h *Handler) IsCachedFile(path []byte, arrival int64) bool {
	if h.cache == nil || len(path) == 0 || path[len(path)-1] == '/' {
		return false
	}
	e := h.cache.get(path)
	if e == nil {
		return false
	}
	fresh, _ := h.fresh(e, arrival)
	e.put()
	return fresh
}

// fresh reports whether a cached entry still describes what its path
// resolves to for a request that arrived at arrival: by its watches'
// counters, or for an entry that could not be watched, one stat of the
// path (two for an index file that is not the first DirectoryIndex name,
// whose directory could gain a better one). It also returns the wall clock
// (Unix ns) when it read it (0 otherwise), for the caller to reuse.
func (h *Handler) fresh(e *entry, arrival int64) (bool, int64) {
	if e.gen != h.gen.Load() {
		return false, 0
	}
	if e.deps != nil {
		return e.wat.fresh(e.deps, arrival)
	}
	var fi fileInfo
	if statPath(e.abs, &fi) != nil || fi.id != e.id {
		return false, 0
	}
	return e.dirAbs == nil || (statPath(e.dirAbs, &fi) == nil && fi.id == e.dirID), 0
}

// plan is what a miss knows about a path before opening anything.
type plan struct {
	key      string      // the path below the root: the cache key
	url      string      // the request's URL path (key unless mapped, see ServeMapped)
	rel      string      // relative to the root, "." for the root itself
	segs     []string    // rel's components
	dirs     []DirConfig // dirs[i] applies in the directory holding segs[i]
	self     DirConfig   // the path's own directory, when trailing
	trailing bool        // the path ends in '/'
	gen      uint64      // Handler.gen before the Resolver was asked
}

// indexCacheable reports whether an index file of the path's directory may
// be cached: every directory from the root down to it, the last included,
// follows symlinks without an owner check (see doc.go).
func (p *plan) indexCacheable() bool {
	return modeOf(p.dirs) == followAll && modeOf([]DirConfig{p.self}) == followAll
}

// makePlan splits path and applies the access rules that need no disk:
// Require all denied of the directory that holds the target, and the
// <Files ".ht*"> denial of its name. Apache runs both before the handler,
// so they answer 403 even for files that do not exist.
func (h *Handler) makePlan(path, urlPath []byte) (*plan, int) {
	p := &plan{key: string(path), rel: ".", gen: h.gen.Load()}
	p.url = p.key
	if !bytes.Equal(urlPath, path) {
		p.url = string(urlPath)
	}
	s := p.key[1:]
	p.trailing = s == "" || s[len(s)-1] == '/'
	if s = strings.TrimSuffix(s, "/"); s != "" {
		p.rel, p.segs = s, strings.Split(s, "/")
	}
	h.planDirs(p)
	if p.trailing {
		p.self = h.selfConfig(p.url, s)
		if p.self.Denied {
			return nil, 403
		}
		return p, 0
	}
	if p.dirs[len(p.dirs)-1].Denied || isHtName(p.segs[len(p.segs)-1]) {
		return nil, 403
	}
	return p, 0
}

// planDirs fills p.dirs: dirs[i] is the configuration of the directory
// holding segs[i], whose path relative to the root is the prefix of p.rel
// before that segment (a substring: nothing is joined or allocated per
// segment). Below h.sameBelow a directory inherits its parent's answer.
func (h *Handler) planDirs(p *plan) {
	p.dirs = make([]DirConfig, len(p.segs))
	off := 0 // where segs[i] starts in p.rel
	for i, seg := range p.segs {
		switch {
		case i == 0:
			p.dirs[i] = h.dirConfig("")
		case h.sameBelow >= 0 && i > h.sameBelow:
			p.dirs[i] = p.dirs[i-1]
		default:
			p.dirs[i] = h.dirConfig(p.rel[:off-1])
		}
		off += len(seg) + 1
	}
}

// dirConfig returns the configuration of the directory rel (relative to
// the root, "" for the root).
func (h *Handler) dirConfig(rel string) DirConfig {
	if h.resolver == nil {
		return defaultDirConfig
	}
	if rel == "" || rel == "." {
		return h.resolver.DirConfig(h.root)
	}
	return h.resolver.DirConfig(h.rootSlash + rel)
}

// selfConfig returns the configuration of a request for the directory
// rel (relative to the root, "" for the root) by its URL path urlPath.
func (h *Handler) selfConfig(urlPath, rel string) DirConfig {
	rr, ok := h.resolver.(RequestResolver)
	if !ok {
		return h.dirConfig(rel)
	}
	if rel == "" || rel == "." {
		return rr.RequestConfig(urlPath, h.root)
	}
	return rr.RequestConfig(urlPath, h.rootSlash+rel)
}

// serveMiss resolves path on disk and answers from what it finds, filling
// the cache when it can.
func (h *Handler) serveMiss(req *http1.Request, path, urlPath []byte, r *Reply) {
	p, status := h.makePlan(path, urlPath)
	if status != 0 {
		r.Status = status
		return
	}
	rootfd, err := h.openRoot()
	if err != nil {
		h.fail(r, "open DocumentRoot", h.root, err)
		return
	}
	defer unix.Close(rootfd)
	fd, readable, err := openTarget(rootfd, p)
	if err != nil {
		last := len(p.segs) - 1
		if errors.Is(err, unix.ENOENT) && !p.trailing && p.dirs[last].MultiViews && !r.NoNegotiate &&
			h.negotiateAt(req, rootfd, p, last, r) {
			return
		}
		h.fail(r, "open", h.rootSlash+p.rel, err)
		if errors.Is(err, unix.EACCES) {
			h.explainDenied(r, rootfd, p)
		}
		return
	}
	fi, err := fstatInfo(fd)
	switch {
	case err != nil:
		unix.Close(fd)
		h.fail(r, "stat", h.rootSlash+p.rel, err)
	case fi.isDir():
		defer unix.Close(fd)
		h.serveDir(req, p, fd, &fi, readable, r)
	case !fi.isReg():
		unix.Close(fd)
		r.Status = 403 // Apache serves only regular files
	case p.trailing:
		unix.Close(fd)
		r.Status = trailingFileStatus(p)
	default:
		cacheable := modeOf(p.dirs) == followAll
		h.serveFile(req, p, fd, &fi, fileSource{rel: p.rel}, cacheable, r)
	}
}

// openRoot opens the DocumentRoot to look paths up beneath it, with
// pathFlags: a root the server may search but not read (mode 711) serves
// its files and index files, as Apache's does.
func (h *Handler) openRoot() (int, error) {
	return unix.Open(h.root, pathFlags|unix.O_DIRECTORY, 0)
}

// openTarget opens what p names, for reading when it may be read
// (readable). Otherwise, where pathFlags is not openFlags, it opens a
// directory, or for a path ending in '/' anything, only to look into it:
// Apache's directory walk just stats the target, so a directory the
// server may search but not read (mode 711, "reach the files, not the
// list") still has its index file served and its slash redirect, and
// "/file/" under a file it may not read is the 404 of a path beyond a
// file, not a 403. Readable targets, the usual case, cost one open as
// before; only a refused one pays for the second.
func openTarget(rootfd int, p *plan) (fd int, readable bool, err error) {
	fd, err = openPath(rootfd, p.rel, p.segs, p.dirs, openFlags)
	if err != unix.EACCES || pathFlags == openFlags {
		return fd, true, err
	}
	flags := pathFlags | unix.O_DIRECTORY
	if p.trailing {
		flags = pathFlags
	}
	if pfd, perr := openPath(rootfd, p.rel, p.segs, p.dirs, flags); perr == nil {
		return pfd, false, nil
	}
	return -1, false, err
}

// trailingFileStatus answers "/file/": Apache maps it to the file with
// PATH_INFO "/", so the file's access rules apply (403), and the default
// handler refuses PATH_INFO (404).
func trailingFileStatus(p *plan) int {
	last := len(p.segs) - 1
	if isHtName(p.segs[last]) || p.dirs[last].Denied {
		return 403
	}
	return 404
}

// fail sets the status for a resolution error, keeping the error for the
// log when it is a server error.
func (h *Handler) fail(r *Reply, op, path string, err error) {
	r.Status = errStatus(err)
	if errors.Is(err, errSymlink) {
		r.Denial = DenialSymlink
	}
	r.PathInfo = errors.Is(err, unix.ENOTDIR)
	if r.Status == 500 {
		r.Err = fmt.Errorf("static: %s %s: %w", op, path, os.NewSyscallError(op, err))
	}
}

// explainDenied sets r's Denial for p, whose open failed with EACCES (see
// explainEACCES). A directory's URL whose directory cannot be opened is
// explained by its first index name, which mod_dir's subrequest looks up:
// DenialSearch when the directory may not be searched.
func (h *Handler) explainDenied(r *Reply, rootfd int, p *plan) {
	d, rel := explainEACCES(rootfd, p.rel)
	url := p.url
	if d == DenialNone && p.trailing {
		name := firstIndexName(p.self.DirectoryIndex)
		if name == "" {
			return
		}
		if d, rel = explainEACCES(rootfd, joinRel(p.rel, name)); d != DenialSearch {
			return // it was never opened: no DenialFileAccess
		}
		url += name
	}
	h.deny(r, d, rel, url)
}

// deny records the Denial d of the path rel (relative to the root) for the
// URL path url, unless d is DenialNone.
func (h *Handler) deny(r *Reply, d Denial, rel, url string) {
	if d != DenialNone {
		r.Denial, r.DeniedPath, r.DeniedURL = d, h.absDir(rel), url
	}
}

// firstIndexName returns the first DirectoryIndex name serveDir tries, or
// "".
func firstIndexName(names []string) string {
	for _, name := range names {
		if name != "" && !strings.Contains(name, "/") {
			return name
		}
	}
	return ""
}

// joinRel joins a name to rel, a path relative to the root ("." for the
// root itself).
func joinRel(rel, name string) string {
	if rel == "." || rel == "" {
		return name
	}
	return rel + "/" + name
}

// serveDir answers for a directory: a redirect to the slash form, its
// first index file, a listing, or 403 (mod_dir, then mod_autoindex).
// readable is false when dirfd may only be looked into (openTarget).
func (h *Handler) serveDir(req *http1.Request, p *plan, dirfd int, fi *fileInfo, readable bool, r *Reply) {
	if !p.trailing {
		if h.dirConfig(p.rel).Denied {
			r.Status = 403
			return
		}
		h.redirectSlash(req, p, r)
		return
	}
	cfg := &p.self
	errStat, errName := 0, ""
	for i, name := range cfg.DirectoryIndex {
		if name == "" || strings.Contains(name, "/") {
			continue
		}
		st, done := h.tryIndex(req, p, dirfd, fi, i, name, r)
		if done {
			return
		}
		if errStat == 0 && st != 404 {
			errStat, errName = st, name // mod_dir: an index that fails otherwise than 404 forbids the listing
		}
	}
	switch {
	case errStat != 0:
		r.Status = errStat
		if errStat == 403 {
			if d, _ := explainEACCES(dirfd, errName); d == DenialSearch {
				h.deny(r, d, joinRel(p.rel, errName), p.url+errName)
			}
		}
	case cfg.Indexes:
		h.serveListing(req, p, dirfd, readable, r)
	default:
		r.Status = 403 // no matching DirectoryIndex, Options -Indexes
		r.Denial, r.IndexNames = DenialNoIndex, cfg.DirectoryIndex
	}
}

// tryIndex serves the index file name of the directory dirfd if it exists
// and is a regular file (done); otherwise it returns the status it met.
func (h *Handler) tryIndex(req *http1.Request, p *plan, dirfd int, dir *fileInfo, pos int, name string, r *Reply) (int, bool) {
	if isHtName(name) {
		return 403, false
	}
	fd, err := openStep(dirfd, name, &p.self, openFlags)
	if err != nil {
		if errors.Is(err, unix.ENOENT) && p.self.MultiViews && !r.NoNegotiate {
			return h.negotiateIndex(req, p, dirfd, name, r)
		}
		if errors.Is(err, unix.EACCES) && isRegAt(dirfd, name) {
			// mod_dir takes the first name that looks up as a regular
			// file (its subrequest only stats it), and the default
			// handler then cannot open it: 403 (AH00132), the names
			// after it untried.
			r.Status = 403
			h.deny(r, DenialFileAccess, joinRel(p.rel, name), p.url+name)
			return 403, true
		}
		st := errStatus(err)
		if st == 500 {
			h.fail(r, "open", h.rootSlash+p.rel+"/"+name, err)
		}
		return st, false
	}
	fi, err := fstatInfo(fd)
	if err != nil || !fi.isReg() {
		unix.Close(fd)
		return 404, false
	}
	rel := name
	if p.rel != "." {
		rel = p.rel + "/" + name
	}
	src := fileSource{rel: rel}
	if pos > 0 {
		src.dirRel, src.dirID = p.rel, dir.id
		src.better = betterIndexes(p.self.DirectoryIndex[:pos])
	}
	h.serveFile(req, p, fd, &fi, src, p.indexCacheable(), r)
	return 200, true
}

// negotiateAt negotiates for the missing segs[last] of p, in the
// directory that holds it, if that directory opens (a missing directory
// on the way is a plain 404). The directory is opened to look into it;
// negotiate reads its names through a descriptor of its own.
func (h *Handler) negotiateAt(req *http1.Request, rootfd int, p *plan, last int, r *Reply) bool {
	dirfd, err := walkOpen(rootfd, p.segs[:last], p.dirs[:last], pathFlags|unix.O_DIRECTORY)
	if err != nil {
		return false
	}
	defer unix.Close(dirfd)
	return h.negotiate(req, dirfd, h.absDir(strings.Join(p.segs[:last], "/")), p.segs[last], &p.dirs[last], r)
}

// negotiateIndex negotiates for a missing DirectoryIndex name, as
// mod_dir's subrequest for it does: a chosen variant is served (done); a
// 406 is the answer when the name is the only DirectoryIndex, as in
// mod_dir, and otherwise counts as an index that failed; without
// variants the name is missing (404).
func (h *Handler) negotiateIndex(req *http1.Request, p *plan, dirfd int, name string, r *Reply) (int, bool) {
	if !h.negotiate(req, dirfd, h.absDir(p.rel), name, &p.self, r) {
		return 404, false
	}
	st := r.Status
	switch {
	case r.Variant != "":
		return 200, true
	case st == 406 && len(p.self.DirectoryIndex) == 1:
		return st, true
	}
	r.Status, r.Unnegotiable, r.NegHeader, r.VariantList = 0, NegotiatedNone, nil, r.VariantList[:0]
	return st, false
}

// absDir is the absolute path of the directory rel ("" or "." for the
// root).
func (h *Handler) absDir(rel string) string {
	if rel == "" || rel == "." {
		return h.root
	}
	return h.rootSlash + rel
}

// dirSlash returns the directory path dir with one trailing '/', as
// Apache's log lines name a directory (r->filename).
func dirSlash(dir string) string { return strings.TrimSuffix(dir, "/") + "/" }

// betterIndexes returns the DirectoryIndex names that would be served
// before the one found, were they to appear.
func betterIndexes(names []string) []string {
	var out []string
	for _, n := range names {
		if n != "" && !strings.Contains(n, "/") && !isHtName(n) {
			out = append(out, n)
		}
	}
	return out
}

// redirectSlash answers 301 to the path with a trailing slash, keeping the
// query string (mod_dir's DirectorySlash), even an empty one: "/dir?" goes
// to "/dir/?", as Apache's mod_dir keeps r->args when it is set.
func (h *Handler) redirectSlash(req *http1.Request, p *plan, r *Reply) {
	b := AppendEscapedPath(r.buf[:0], []byte(p.url))
	b = append(b, '/')
	if bytes.IndexByte(req.Target, '?') >= 0 {
		b = append(b, '?')
		b = append(b, req.Query...)
	}
	r.buf = b
	r.Status = 301
	r.Location = b
}
