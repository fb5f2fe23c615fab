// Package static serves files from a DocumentRoot: safe path mapping,
// DirectoryIndex, conditional and range requests, and sendfile.
//
// # Contract
//
// The child cleans the URL path with CleanPath, calls Handler.ServeAt with
// a per-worker Reply and the time the request's first byte was read,
// writes what the Reply describes (status line, Date, Server, Connection,
// Content-Length, Reply.Header, then the body as writev, sendfile or
// segments; error and redirect pages for a status >= 300 without a body),
// and calls Reply.Release. For a URL-path mapped elsewhere (mod_alias's
// Alias) the child gives each mapping a Handler of its own and calls
// ServeMapped with the path below that Handler's DocumentRoot and the
// request's URL path: what the client sees (redirects, listings) and the
// RequestResolver's <Location> lookups use the URL path, the file system
// only the path below the root. ServeAt is safe for concurrent use. On the hot
// path (a small cached file, GET, no conditionals) it does not allocate:
// one atomic load and map probe in the cache, a check of a few counters
// (with at most one epoll_wait(2) of the change notifier, often none), a
// copy of precomputed header bytes.
//
// Invariants:
//   - No URL reaches a file outside DocumentRoot except through a symlink
//     the directory's Options allow: CleanPath removes every "." and ".."
//     (and refuses to climb above "/"), Serve re-checks that shape, and the
//     open is relative to a descriptor of the root (openat2 with
//     RESOLVE_BENEATH on Linux; a per-component walk elsewhere and for
//     mixed symlink options).
//   - A changed file is never served from the cache to a request that
//     arrived after the change (see "Revalidation by change notification"
//     and "Revalidation by stat").
//   - A File's descriptor is closed only after the cache and every Reply
//     holding it have let go.
//
// It imports the standard library, golang.org/x/sys/unix and, for the
// Request type, eventmpm/child/http1; nothing else of eventmpm.
//
// # URL paths (CleanPath)
//
// As Apache 2.4.49+ with MergeSlashes On and AllowEncodedSlashes Off: the
// path is percent-decoded once; "" and "." segments vanish; ".." removes
// the segment before it.
//
//	/a//b, /a/./b, /a/x/../b     -> /a/b
//	/a/., /a/b/..                -> /a/          (the trailing slash stays)
//	/%2e%2e/x, /%2E%2e/x, /../x  -> 400          (".." above the root)
//	/a/../../x                   -> 400
//	/a%2fb, /a%2Fb, /..%2f..     -> 404          (encoded slash)
//	/a%00b                       -> 404          (encoded NUL, Apache's ap_unescape_url)
//	raw NUL byte                 -> 400          (the parser rejects it first anyway)
//	/%zz, /%4, /%                -> 400          (malformed escape)
//	*, a/b, ""                   -> 400          (not an absolute path)
//	/%252e%252e/x                -> /%2e%2e/x    (decoded once: a literal name, usually 404)
//	/..\x, /a\..\b               -> unchanged    (backslash is an ordinary byte on Unix: 404 unless such a file exists)
//	/%c0%ae%c0%ae/x              -> bytes C0 AE C0 AE: a literal name (no UTF-8 decoding, so no overlong dots)
//	/index.html., /x..           -> unchanged    (trailing dots are part of the name on Unix: 404)
//
// A 400 reason wins over a 404 one. The cleaned path is what Serve gets.
// ".." is resolved on the URL, lexically, before the file system is
// touched: it never climbs back out through a symlink ("/link/../x" is
// "/x"), as in Apache.
//
// # Mapping and access (Serve)
//
// The path is joined to DocumentRoot. Per directory the Resolver supplies a
// DirConfig (nil Resolver: FollowSymLinks, DirectoryIndex index.html); for
// the directory a path ending in '/' names, a RequestResolver may answer by
// URL path instead (Apache's <Location> and <Files> merge after the
// directory walk). Checks, in Apache's order:
//   - Require all denied (DirConfig.Denied) of the directory holding the
//     target, and a last path component starting with ".ht" (the stock
//     <Files ".ht*">, case-sensitive like Apache on Unix: ".HTACCESS" is
//     served): 403, even when the file does not exist.
//   - Symlinks: a symlink met in a directory is followed if it has
//     FollowSymLinks, wherever it points (the admin's own links, as Apache);
//     with SymLinksIfOwnerMatch only if the link and its target have the
//     same owner; otherwise 403. Links are checked on every component,
//     including the last and DirectoryIndex files. Magic links
//     (/proc/self/fd/…) are refused on Linux.
//   - Errors: missing file or a file used as a directory (ENOENT, ENOTDIR,
//     "/file.txt/"): 404. EACCES, EPERM, ELOOP (symlink loops), EXDEV,
//     ENAMETOOLONG: 403, as Apache's directory_walk. Not a regular file or
//     directory (FIFO, device, socket): 403. Anything else: 500 with
//     Reply.Err for the error log. An EACCES is explained by stat'ing the
//     path's components (Reply.Denial): a directory that may not be
//     searched (AH00035) or a file that may not be read (AH00132).
//   - Directories are only looked into, as Apache's directory walk stats
//     them: on Linux the root, the directories on the way and a target
//     directory that may not be read are opened with O_PATH, which needs
//     search permission, not read permission. A directory the server may
//     search but not read (mode 711), the DocumentRoot included, serves
//     its files and index file and redirects its slashless URL; only
//     reading its names fails: a listing (403, AH01275) and MultiViews
//     (403, AH00686). "/file/" is 404 even when the file may not be read.
//     Elsewhere (darwin, the BSDs) directories are opened for reading and
//     such a directory answers 403.
//   - A directory without a trailing slash: 301 to the slash form, query
//     kept (DirectorySlash), after its own Denied check. With the slash:
//     the first DirectoryIndex name that is a regular file is served (403
//     when it may not be read); an index name that fails with something
//     other than 404 makes the answer that status if no later name exists
//     (mod_dir). Without an index: a listing with Options Indexes,
//     otherwise 403.
//   - Listings (Indexes): name, last modified (UTC), size, sorted by name,
//     HTML-escaped, ".ht*" and "." left out, a Parent Directory link.
//     Never cached, no validators, no ranges.
//   - MultiViews (DirConfig.MultiViews, negotiate.go): a missing last
//     component, or a missing DirectoryIndex name, is negotiated among the
//     files name.ext... of its directory with mod_negotiation's algorithm.
//     Negotiate does this for a file's path ahead of the request's fixups
//     (where Apache's type_checker hook does it); ServeMapped does it for
//     what is left (DirectoryIndex names, and callers that did not ask).
//     Neither serves the chosen file: Reply.Variant names it and
//     Reply.NegHeader carries Content-Location, Vary and TCN, for the
//     child to serve it as the request's file with its own sections and
//     access checks (and to negotiate again with Reply.SkipVariants if
//     they refuse it). No variant acceptable: 406 with Reply.VariantList;
//     files that match but are no variants: 404 (Reply.Unnegotiable says
//     which, for the log). The choice is made anew for each request; the
//     directory's sorted names are kept while its mtime and ctime stay
//     (listings.go), the candidates are stat'ed each time.
//
// # Methods
//
// GET and HEAD (same headers, Reply.NoBody). OPTIONS: 200 with
// "Allow: GET,HEAD,OPTIONS". Anything else, POST included, 405 with the
// same Allow (Apache's default handler serves the file to a POST and lists
// "GET,POST,OPTIONS,HEAD"; eventmpm does not pretend to process bodies).
// TRACE and "OPTIONS *" are the child's business. A HEAD reply always has
// NoBody set, whatever its status.
//
// # Headers and validators
//
// A file's 200 carries, in Apache's order: Last-Modified (IMF-fixdate),
// ETag, "Accept-Ranges: bytes", Content-Type.
//   - ETag is Apache's default FileETag MTime Size: "<size>-<mtime in
//     microseconds>", lowercase hex. It is weak (W/) when the file changed
//     less than one second before the request (ap_make_etag), and then
//     Last-Modified is not a strong validator either. A modification time
//     in the future is clamped to now (ap_rationalize_mtime).
//   - Content-Type: by the last extension, case-insensitively, from the
//     MIMETypes table (LoadMIMETypes for /etc/mime.types, BuiltinMIMETypes
//     otherwise, Add for AddType). No match: application/octet-stream,
//     where Apache 2.4 sends none and lets browsers sniff; SetDefault("")
//     restores Apache's way. DefaultCharset (AddDefaultCharset) appends
//     "; charset=X" to text/plain and text/html only.
//   - 304 carries Last-Modified, ETag and Accept-Ranges, as Apache 2.4's
//     does, and Vary when the file may be sent compressed (Apache's
//     mod_deflate leaves it out, which RFC 9110 15.4.5 does not allow).
//     412 and 416 bodies are the child's error pages; 416 carries
//     "Content-Range: bytes */N".
//
// Preconditions follow RFC 9110 13.2.2: If-Match (strong, "*"; 412), else
// If-Unmodified-Since (412); If-None-Match (weak; 304 for GET/HEAD), else
// If-Modified-Since (304; ignored when invalid or later than now). Their
// dates are read as Apache reads them (http1.ParseConditionalDate).
// Unparseable dates are ignored; an unparseable entity-tag list matches
// nothing. HTTP-dates are accepted in all three RFC forms.
//
// # Ranges
//
// Only for GET (RFC 9110 14.2), after the preconditions, and only when
// If-Range is absent or matches (a strong ETag match, or a date equal to a
// strong Last-Modified); otherwise the whole file is sent with 200. See
// parseRange for the grammar and Apache's rules: unknown unit, bad syntax,
// more than MaxRanges (200 unless configured) specs, an empty file, or merged ranges adding
// up to more than the file: the header is ignored (200). Ranges touching
// or overlapping the one before are merged, in request order. Nothing
// satisfiable: 416. One range: 206 with Content-Range. Several: 206
// multipart/byteranges with a random boundary per response; a cached file's
// body is assembled in memory, a larger file's is described as
// Reply.Segments (prefix bytes, then sendfile of a file region) and
// Reply.Tail.
//
// # Open-file cache
//
// Entries are keyed by URL path and hold the precomputed header lines,
// the validators, and either the contents (files up to CacheMaxFileSize)
// or an open, reference-counted File. At most CacheMaxEntries entries
// (and so descriptors; memory is bounded by CacheMaxEntries times
// CacheMaxFileSize plus headers) are kept, in up to 64 shards; lookups are
// lock-free (an atomic pointer to an immutable map per shard), fills copy
// the shard's map under its mutex, and eviction is CLOCK per shard.
//
// # Revalidation by change notification (Linux)
//
// A hit must never serve a file that changed before the request arrived
// (issue 4). On Linux the handler's watcher learns of changes from inotify
// instead of stat'ing the path on every hit (a full path walk, 1–2 µs).
//
// Filling an entry, BEFORE anything of the file is read, walks the file's
// absolute path as the kernel resolves it, one component at a time from
// "/", expanding symlinks (the link's target is walked too, so a link
// like current -> /data/releases/r1 depends on /data and /data/releases,
// not only on the link and the release directory). Each directory entered
// gets a watch (entries created, deleted, moved in or out, children's
// attributes; its own attributes, deletion, move), the file gets one
// (writes, truncation, attributes, close of a writer, deletion, move;
// inode based, so a write through a hard link elsewhere is seen). The
// entry records, with the value read right after the watch was added or
// before the name was looked up: the epoch; each directory's own counter;
// the counter of each name looked up in it; the file's counter. For an
// index file that is not the first DirectoryIndex name, each better name
// is walked too, as far as it resolves, so its appearing (also behind a
// symlink) moves a counter. Then the file is stat'ed by path and must be
// the one that was opened, unchanged; its contents are read after that.
// A change after a watch was added moves a counter (one during the fill
// makes the entry stale at once; that only costs a refill).
//
// A sync reads every pending event: one epoll_wait(2), not blocking, on
// an epoll instance holding the inotify descriptor and /proc/self/
// mountinfo, then reads until the queue was seen empty. An event bumps
// the counter it names (the directory's entry name, or the inode's own);
// IN_IGNORED bumps the watch and forgets it; IN_Q_OVERFLOW and a change
// of the mount table bump the epoch, which every entry depends on.
// lastSync is the wall-clock time taken just BEFORE the wait, published
// AFTER the counters were bumped. Syncs are serialized; one that waited
// re-checks lastSync first, so concurrent hits share a sync.
//
// A hit for a request that arrived at time A (its first byte was read) is
// fresh when a sync with lastSync > A has completed (it syncs itself if
// not) and every recorded counter still has its recorded value. Why that
// is never stale: a change that completed before the request arrived was
// made by a system call that queued its event and woke the epoll instance
// (or changed the mount table) before returning, so before A; a sync
// whose epoll_wait started after A has consumed that event and bumped the
// counter of something the entry depends on before publishing lastSync.
// Whatever could change what the path resolves to (an entry of a
// directory on the path, a directory being moved, deleted, chmod'ed or
// mounted over) or the file itself (contents, size, mode, being replaced
// or deleted) is such an event. Under load most hits need no system call
// at all: another worker's sync, started after their request arrived,
// covers them; at worst one epoll_wait (and the reads of whatever events
// are pending) replaces the statx. Events in a watched directory cost a
// sync their read even when they name nothing cached, so a busy directory
// on the path (/tmp) costs more, and an overflowing queue refills every
// entry; so does a mount anywhere in the namespace. A sync stamped later
// than the current time means the wall clock was stepped back since; it
// covers nothing, and the next hit syncs.
//
// One Watcher (Options.Watcher) serves every Handler of a child (it has
// one per virtual host): one inotify instance and three descriptors per
// child, whose event loop revalidates once per batch of ready connections
// (Handler.Revalidate). A Handler given no Watcher makes its own.
//
// An entry that cannot be watched keeps the stat validation below:
// inotify unavailable (not Linux, or fs.inotify.max_user_instances
// reached), a watch refused (fs.inotify.max_user_watches: ENOSPC; a
// directory without read permission: EACCES), a file system whose changes may not
// all pass through this kernel (anything but ext2/3/4, XFS, Btrfs, tmpfs,
// ramfs, F2FS, bcachefs, ZFS, overlayfs, SquashFS, EROFS, ISO 9660, FAT,
// exFAT, ReiserFS, NILFS: NFS, SMB, Ceph, GFS2, OCFS2, FUSE, virtiofs and
// 9p are stat'ed), or /proc/self/mountinfo unreadable. When entries leave
// the cache their watches are released, so a watcher holds at most one
// watch per cached file plus the directories they share.
//
// What inotify cannot see, and where a watched entry can therefore be
// stale: writes through a shared writable mmap(2), which raise no event
// until the writer closes the file (IN_CLOSE_WRITE; stat sees the first
// write to each clean page, by mtime, and nothing after it until
// writeback, so neither is exact); changes made beneath overlayfs to its
// layers directly (undefined for overlayfs itself); and a wall clock
// stepped back after a sync, when no hit runs until the clock has caught
// up with that sync's stamp and a request that arrived meanwhile is only
// served after that. Changes through bind mounts are seen (watches are
// on inodes, not paths); mounting over a directory of the path is seen
// through mountinfo. The guarantee is for the arrival time
// the caller passes: a stamp taken after the read that returned the
// request's first byte is safe, and so is the kernel's receive timestamp
// of that byte (the child passes that for a new connection's first
// request, and the time its event goroutine saw the readiness edge for
// later ones); one taken earlier, say at accept, is not.
//
// # Revalidation by stat (fallback)
//
// An entry that is not watched is revalidated on every hit with one
// statx(2) of the absolute path (two for an index file that is not the
// first DirectoryIndex name, since a better one may appear): device,
// inode, size, mtime and ctime (nanoseconds) must all be unchanged, else
// the entry is dropped and the request takes the miss path. This is exact
// because:
//   - Only paths whose every directory follows symlinks without owner
//     checks are cached, so the kernel's resolution of the path is the same
//     decision the miss path made; other configurations resolve (and
//     check links) on every request. DirConfig answers are assumed fixed.
//   - ctime changes on every write, truncate, chmod, link or rename of an
//     inode and cannot be set by users; a replaced file (rename over, or a
//     DocumentRoot symlink switched) has another inode; a deleted one fails
//     the stat (404 then).
//   - Kernel timestamps are coarse, so two writes within one tick can leave
//     all five unchanged. A file is therefore cached only when its ctime is
//     more than 2 seconds old (and its ETag strong): any later change moves
//     ctime past the cached value. The rule fails only if the wall clock is
//     stepped back by more than that window. (Watched entries follow the
//     same rule; they would not need it.)
//   - Cached contents are read between two fstat calls that must agree.
//
// An index file whose better DirectoryIndex name is a dangling symlink is
// rechecked through its directory only: the link's target appearing is
// not seen by stat (it is by a watched entry).
//
// The cost of such a hit is that one system call. On Linux it is a raw
// statx on a NUL-terminated path kept in the entry, so a hit allocates
// nothing; kernels without openat2 (before 5.6) or statx (before 4.11),
// and the BSDs, use openat, the component walk and stat(2), which costs
// one small allocation per hit.
// A large file is sent from the cached descriptor, so its bytes are always
// current; if it changes between the stat and sendfile, the child sees a
// short sendfile and closes the connection, as with Apache.
package static
