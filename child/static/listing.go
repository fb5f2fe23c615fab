package static

import (
	"cmp"
	"fmt"
	"html"
	"path"
	"slices"
	"strconv"
	"strings"
	"time"

	"eventmpm/child/http1"
	"golang.org/x/sys/unix"
)

// listingType is the Content-Type of a directory listing. Apache sends
// ISO-8859-1 on Unix; file names on current systems are UTF-8.
const listingType = "Content-Type: text/html;charset=UTF-8\r\n"

// dirItem is one line of a listing.
type dirItem struct {
	name  string
	dir   bool
	size  int64
	mtime time.Time
}

// serveListing answers with a listing of the directory dirfd, in the
// shape of Apache's mod_autoindex with IndexOptions HTMLTable: name, last
// modified (UTC) and size, sorted by name, with a parent link except at
// the root. ".ht*" entries are left out, like the stock IndexIgnore. The
// listing is built for each request and never cached.
func (h *Handler) serveListing(req *http1.Request, p *plan, dirfd int, r *Reply) {
	if methodReply(req, r) {
		return
	}
	items, err := readDir(dirfd, &p.self)
	if err != nil {
		h.fail(r, "readdir", h.rootSlash+p.rel, err)
		return
	}
	lc := &p.self.Listing
	b := r.buf[:0]
	b = appendListing(b, p.url, items, lc, readInsert(dirfd, lc.HeaderName), readInsert(dirfd, lc.ReadmeName))
	r.buf = b
	r.Status = 200
	if lc.Charset != "" {
		r.Header = append(append(append(r.Header[:0], "Content-Type: text/html;charset="...), lc.Charset...), "\r\n"...)
	} else {
		r.Header = append(r.Header[:0], listingType...)
	}
	r.ContentLength = int64(len(r.buf))
	if !r.NoBody {
		r.Body = r.buf
	}
}

// readDir returns the visible entries of the directory dirfd, whose
// configuration is cfg, sorted.
func readDir(dirfd int, cfg *DirConfig) ([]dirItem, error) {
	var items []dirItem
	buf := make([]byte, 8192)
	// ReadDirent continues from the descriptor's offset; start at 0 in case
	// the descriptor was read before.
	if _, err := unix.Seek(dirfd, 0, 0); err != nil {
		return nil, err
	}
	for {
		n, err := unix.ReadDirent(dirfd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			break
		}
		var names []string
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
		for _, name := range names {
			if name == "." || name == ".." || isHtName(name) || ignored(name, cfg.Listing.Ignore) {
				continue
			}
			fi, ok := listable(dirfd, name, cfg)
			if !ok {
				continue
			}
			items = append(items, dirItem{name: name, dir: fi.isDir(), size: fi.id.size, mtime: time.Unix(0, fi.id.mtime)})
		}
	}
	slices.SortFunc(items, func(a, b dirItem) int { return compareItems(a, b, &cfg.Listing) })
	return items, nil
}

// ignored reports whether IndexIgnore leaves name out.
func ignored(name string, patterns []string) bool {
	for _, p := range patterns {
		if ok, _ := path.Match(p, name); ok {
			return true
		}
	}
	return false
}

// compareItems orders a listing by name, as IndexOptions says:
// directories first (FoldersFirst), without regard to case (IgnoreCase),
// digit runs compared as numbers (VersionSort: "file2" before "file10").
func compareItems(a, b dirItem, lc *ListingConfig) int {
	if lc.FoldersFirst && a.dir != b.dir {
		if a.dir {
			return -1
		}
		return 1
	}
	x, y := a.name, b.name
	if lc.IgnoreCase {
		if c := compareNames(strings.ToLower(x), strings.ToLower(y), lc.VersionSort); c != 0 {
			return c
		}
	}
	return compareNames(x, y, lc.VersionSort)
}

// compareNames compares bytewise, or with runs of digits as numbers.
func compareNames(x, y string, version bool) int {
	if !version {
		return strings.Compare(x, y)
	}
	for x != "" && y != "" {
		if isDigit(x[0]) && isDigit(y[0]) {
			i, j := digitRun(x), digitRun(y)
			nx, ny := strings.TrimLeft(x[:i], "0"), strings.TrimLeft(y[:j], "0")
			if c := cmp.Compare(len(nx), len(ny)); c != 0 {
				return c
			}
			if c := strings.Compare(nx, ny); c != 0 {
				return c
			}
			x, y = x[i:], y[j:]
			continue
		}
		if x[0] != y[0] {
			return cmp.Compare(x[0], y[0])
		}
		x, y = x[1:], y[1:]
	}
	return cmp.Compare(len(x), len(y))
}

func isDigit(c byte) bool { return '0' <= c && c <= '9' }

func digitRun(s string) int {
	i := 0
	for i < len(s) && isDigit(s[i]) {
		i++
	}
	return i
}

// insertLimit bounds a HeaderName or ReadmeName file shown in a listing.
const insertLimit = 64 << 10

// readInsert reads the HeaderName or ReadmeName file name of the directory
// dirfd, as the HTML to put in the page: an .html or .htm file as it is,
// any other as escaped text in <pre>. A missing, unreadable, non-regular
// or over-large file shows nothing, as in Apache.
func readInsert(dirfd int, name string) []byte {
	if name == "" || isHtName(name) {
		return nil
	}
	fd, err := unix.Openat(dirfd, name, openFlags|unix.O_NOFOLLOW, 0)
	if err != nil {
		return nil
	}
	defer unix.Close(fd)
	fi, err := fstatInfo(fd)
	if err != nil || !fi.isReg() || fi.id.size > insertLimit {
		return nil
	}
	b, err := readAll(fd, fi.id.size)
	if err != nil {
		return nil
	}
	lower := strings.ToLower(name)
	if strings.HasSuffix(lower, ".html") || strings.HasSuffix(lower, ".htm") {
		return b
	}
	out := append([]byte("<pre>\n"), html.EscapeString(string(b))...)
	return append(out, "</pre>\n"...)
}

// listable stats the entry name of the directory dirfd for its listing
// line, through a symlink, and reports whether it is listed at all. Left
// out, as Apache's mod_autoindex leaves out the entries its lookup of them
// refuses: an entry that vanished, a symlink whose target is missing or
// unreadable, and a symlink the directory's Options do not let a request
// follow (no FollowSymLinks, or SymLinksIfOwnerMatch with another owner):
// their links could only lead to an error.
func listable(dirfd int, name string, cfg *DirConfig) (fileInfo, bool) {
	target, err := lstatAt(dirfd, name, true)
	if err != nil {
		return fileInfo{}, false
	}
	if cfg.FollowSymLinks && !cfg.SymLinksIfOwnerMatch {
		return target, true
	}
	link, err := lstatAt(dirfd, name, false)
	if err != nil {
		return fileInfo{}, false
	}
	if link.mode&unix.S_IFMT != unix.S_IFLNK {
		return target, true
	}
	return target, cfg.SymLinksIfOwnerMatch && target.uid == link.uid
}

// appendListing renders the listing page for the URL path urlPath, with
// the HeaderName and ReadmeName inserts above and below the table.
func appendListing(dst []byte, urlPath string, items []dirItem, lc *ListingConfig, header, readme []byte) []byte {
	title := html.EscapeString(strings.TrimRight(urlPath, "/"))
	if title == "" {
		title = "/"
	}
	cols := 1
	dst = append(dst, "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<html>\n <head>\n  <title>Index of "...)
	dst = append(dst, title...)
	dst = append(dst, "</title>\n </head>\n <body>\n"...)
	if header != nil {
		dst = append(dst, header...) // in place of the heading, as Apache's emit_head
	} else {
		dst = append(dst, "<h1>Index of "...)
		dst = append(dst, title...)
		dst = append(dst, "</h1>\n"...)
	}
	dst = append(dst, "  <table>\n   <tr><th>Name</th>"...)
	if !lc.SuppressLastModified {
		dst = append(dst, "<th>Last modified</th>"...)
		cols++
	}
	if !lc.SuppressSize {
		dst = append(dst, "<th>Size</th>"...)
		cols++
	}
	dst = append(dst, "</tr>\n"...)
	rule := "   <tr><th colspan=\"" + strconv.Itoa(cols) + "\"><hr></th></tr>\n"
	dst = append(dst, rule...)
	if urlPath != "/" {
		parent := popSegment([]byte(strings.TrimSuffix(urlPath, "/")))
		if len(parent) > 1 {
			parent = append(parent, '/')
		}
		dst = append(dst, "<tr><td><a href=\""...)
		dst = append(dst, html.EscapeString(string(AppendEscapedPath(nil, parent)))...)
		dst = append(dst, "\">Parent Directory</a></td>"...)
		if !lc.SuppressLastModified {
			dst = append(dst, "<td>&nbsp;</td>"...)
		}
		if !lc.SuppressSize {
			dst = append(dst, "<td align=\"right\">  - </td>"...)
		}
		dst = append(dst, "</tr>\n"...)
	}
	for _, it := range items {
		dst = appendItem(dst, it, lc)
	}
	dst = append(dst, rule...)
	dst = append(dst, "</table>\n"...)
	dst = append(dst, readme...)
	return append(dst, "</body></html>\n"...)
}

// appendItem renders one table row.
func appendItem(dst []byte, it dirItem, lc *ListingConfig) []byte {
	name := it.name
	if it.dir {
		name += "/"
	}
	// "./" keeps a name with a ':' from reading as a URL scheme.
	href := append([]byte("./"), AppendEscapedPath(nil, []byte(name))...)
	dst = append(dst, "<tr><td><a href=\""...)
	dst = append(dst, html.EscapeString(string(href))...)
	dst = append(dst, "\">"...)
	dst = append(dst, html.EscapeString(name)...)
	dst = append(dst, "</a></td>"...)
	if !lc.SuppressLastModified {
		dst = append(dst, "<td align=\"right\">"...)
		dst = it.mtime.UTC().AppendFormat(dst, "2006-01-02 15:04")
		dst = append(dst, "  </td>"...)
	}
	if !lc.SuppressSize {
		dst = append(dst, "<td align=\"right\">"...)
		if it.dir {
			dst = append(dst, "  - "...)
		} else {
			dst = append(dst, formatSize(it.size)...)
		}
		dst = append(dst, "</td>"...)
	}
	return append(dst, "</tr>\n"...)
}

// formatSize renders a size the way Apache's apr_strfsize does: four
// characters, bytes up to 973, then K, M, G… with one decimal below 10.
func formatSize(size int64) string {
	const units = "KMGTPE"
	if size < 973 {
		return fmt.Sprintf("%3d ", size)
	}
	v := float64(size)
	for i := 0; i < len(units); i++ {
		v /= 1024
		if v < 973 || i == len(units)-1 {
			if v < 9.95 {
				return fmt.Sprintf("%.1f%c", v, units[i])
			}
			return fmt.Sprintf("%3.0f%c", v, units[i])
		}
	}
	return "   ?"
}
