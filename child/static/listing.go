package static

import (
	"fmt"
	"html"
	"slices"
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
	r.buf = appendListing(r.buf[:0], p.url, items)
	r.Status = 200
	r.Header = append(r.Header[:0], listingType...)
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
			if name == "." || name == ".." || isHtName(name) {
				continue
			}
			fi, ok := listable(dirfd, name, cfg)
			if !ok {
				continue
			}
			items = append(items, dirItem{name: name, dir: fi.isDir(), size: fi.id.size, mtime: time.Unix(0, fi.id.mtime)})
		}
	}
	slices.SortFunc(items, func(a, b dirItem) int { return strings.Compare(a.name, b.name) })
	return items, nil
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

// appendListing renders the listing page for the URL path urlPath.
func appendListing(dst []byte, urlPath string, items []dirItem) []byte {
	title := html.EscapeString(strings.TrimRight(urlPath, "/"))
	if title == "" {
		title = "/"
	}
	dst = append(dst, "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 3.2 Final//EN\">\n<html>\n <head>\n  <title>Index of "...)
	dst = append(dst, title...)
	dst = append(dst, "</title>\n </head>\n <body>\n<h1>Index of "...)
	dst = append(dst, title...)
	dst = append(dst, "</h1>\n  <table>\n   <tr><th>Name</th><th>Last modified</th><th>Size</th></tr>\n"...)
	dst = append(dst, "   <tr><th colspan=\"3\"><hr></th></tr>\n"...)
	if urlPath != "/" {
		parent := popSegment([]byte(strings.TrimSuffix(urlPath, "/")))
		if len(parent) > 1 {
			parent = append(parent, '/')
		}
		dst = append(dst, "<tr><td><a href=\""...)
		dst = append(dst, html.EscapeString(string(AppendEscapedPath(nil, parent)))...)
		dst = append(dst, "\">Parent Directory</a></td><td>&nbsp;</td><td align=\"right\">  - </td></tr>\n"...)
	}
	for _, it := range items {
		dst = appendItem(dst, it)
	}
	return append(dst, "   <tr><th colspan=\"3\"><hr></th></tr>\n</table>\n</body></html>\n"...)
}

// appendItem renders one table row.
func appendItem(dst []byte, it dirItem) []byte {
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
	dst = append(dst, "</a></td><td align=\"right\">"...)
	dst = it.mtime.UTC().AppendFormat(dst, "2006-01-02 15:04")
	dst = append(dst, "  </td><td align=\"right\">"...)
	if it.dir {
		dst = append(dst, "  - "...)
	} else {
		dst = append(dst, formatSize(it.size)...)
	}
	return append(dst, "</td></tr>\n"...)
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
