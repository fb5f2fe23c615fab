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

// defaultListingCharset is a listing's charset without IndexOptions
// Charset=. Apache sends ISO-8859-1 on Unix; file names on current
// systems are UTF-8.
const defaultListingCharset = "UTF-8"

// dirItem is one line of a listing.
type dirItem struct {
	name  string
	label string // name, with a '/' for a directory: what is listed and sorted
	dir   bool
	size  int64
	mtime time.Time
	decoration
}

// serveListing answers with a listing of the directory dirfd in the
// shape of Apache 2.4.71's mod_autoindex: with IndexOptions FancyIndexing
// HTMLTable its table (icon, name, last modified in local time, size and
// description, with sort links), with FancyIndexing alone its <pre> form,
// else its plain list. The query's C=,
// O=, F=, V= and P= arguments choose the order, the form and the names, as
// Apache's do (not with IgnoreClient).
// ".ht*" entries are left out, like the stock IndexIgnore. The listing is
// built for each request and never cached. A directory that may not be
// read (readable false: dirfd was only opened to look into it) is 403,
// with mod_autoindex's AH01275, as Apache's failed apr_dir_open.
func (h *Handler) serveListing(req *http1.Request, p *plan, dirfd int, readable bool, r *Reply) {
	if methodReply(req, r) {
		return
	}
	lc := p.self.Listing // a copy: the query may change the form
	v := parseListQuery(req.Query, &lc)
	var items []dirItem
	err := error(unix.EACCES)
	if readable {
		items, err = readDir(dirfd, &p.self)
	}
	if err != nil {
		h.fail(r, "readdir", h.rootSlash+p.rel, err)
		if err == unix.EACCES {
			r.Denial, r.DeniedPath, r.DeniedURL = DenialListing, dirSlash(h.absDir(p.rel)), p.url
		}
		return
	}
	if v.pattern != "" {
		items = slices.DeleteFunc(items, func(it dirItem) bool { return !patternMatch(v.pattern, it.name) })
	}
	if r.EntryAccess != nil {
		base := strings.TrimSuffix(h.absDir(p.rel), "/") + "/"
		items = slices.DeleteFunc(items, func(it dirItem) bool {
			st := r.EntryAccess(p.url+it.label, base+it.label)
			return st != 0 && !(lc.ShowForbidden && (st == 401 || st == 403))
		})
	}
	var up decoration // the parent's
	if lc.Fancy {
		h.decorate(items, &up, dirfd, h.absDir(p.rel), &p.self)
	}
	slices.SortFunc(items, func(a, b dirItem) int { return compareItems(a, b, &lc, &v) })
	types, _ := h.typesFor(&p.self)
	header, readme := readInsert(dirfd, lc.HeaderName, types), readInsert(dirfd, lc.ReadmeName, types)
	b := r.buf[:0]
	b = appendListing(b, p.url, items, &up, &lc, &v, header, readme)
	r.buf = b
	r.Status = 200
	r.Listing = true
	r.readme = readme.body != nil
	r.Header = r.Header[:0]
	if lc.TrackModified {
		r.Header = h.appendDirValidators(r.Header, dirfd, &p.self)
	}
	r.Header = append(r.Header, "Content-Type: "...)
	r.Header = append(r.Header, cmp.Or(lc.Type, "text/html")...)
	r.Header = append(r.Header, ";charset="...)
	r.Header = append(r.Header, cmp.Or(lc.Charset, defaultListingCharset)...)
	r.Header = append(r.Header, "\r\n"...)
	r.ContentLength = int64(len(r.buf))
	if !r.NoBody {
		r.Body = r.buf
	}
}

// listView is how one request sees a listing: the sort column (N, M, S
// or D), the direction, and the query arguments the column links carry on
// (";F=2;V=1").
type listView struct {
	key     byte
	desc    bool
	colargs string
	pattern string // P=: only names matching it are listed, when not ""
}

// parseListQuery reads mod_autoindex's query arguments, separated by ';'
// or '&', as index_directory does: C= the sort column, O= A or D, F= the
// form (0 the list, 1 the <pre> form, 2 the table), V= version
// sort off or on, P= a wildcard pattern of the names to list. The first
// argument it does not understand ends the reading. With IgnoreClient the
// query is not read and the columns have no links.
func parseListQuery(q []byte, lc *ListingConfig) (v listView) {
	v.key, v.desc = cmp.Or(lc.OrderKey, 'N'), lc.OrderDescending
	if lc.IgnoreClient {
		lc.SuppressColumnSorting = true
		return v
	}
	var fval, vval, pval string
	defer func() { v.colargs = fval + vval + pval }()
	for len(q) >= 2 && q[0] == 'P' && q[1] == '=' || len(q) >= 3 && q[1] == '=' && (len(q) == 3 || q[3] == ';' || q[3] == '&') {
		if q[0] == 'P' && q[1] == '=' {
			end := 2
			for end < len(q) && q[end] != ';' && q[end] != '&' {
				end++
			}
			v.pattern, pval = "", ""
			if p, ok := unescapePattern(q[2:end]); ok && p != "" {
				v.pattern = p
				pval = ";P=" + string(AppendEscapedPath(nil, []byte(p)))
			}
			q = q[min(end+1, len(q)):]
			continue
		}
		c := q[2]
		switch {
		case q[0] == 'C' && strings.IndexByte("NMSD", c) >= 0:
			v.key = c
		case q[0] == 'O' && (c == 'A' || c == 'D'):
			v.desc = c == 'D'
		case q[0] == 'F' && c >= '0' && c <= '2':
			lc.Fancy, lc.Table = c != '0', c == '2'
			fval = ";F=" + string(c)
		case q[0] == 'V' && (c == '0' || c == '1'):
			lc.VersionSort = c == '1'
			vval = ";V=" + string(c)
		default:
			return v
		}
		q = q[min(4, len(q)):]
	}
	return v
}

// unescapePattern decodes P='s %XX escapes as ap_unescape_url does; a bad
// escape, or one that decodes to '/' or NUL, voids the pattern.
func unescapePattern(b []byte) (string, bool) {
	out := make([]byte, 0, len(b))
	for i := 0; i < len(b); i++ {
		if b[i] != '%' {
			out = append(out, b[i])
			continue
		}
		if i+2 >= len(b) {
			return "", false
		}
		hi, ok1 := unhex(b[i+1])
		lo, ok2 := unhex(b[i+2])
		c := hi<<4 | lo
		if !ok1 || !ok2 || c == '/' || c == 0 {
			return "", false
		}
		out = append(out, c)
		i += 2
	}
	return string(out), true
}

// patternMatch is apr_fnmatch with APR_FNM_NOESCAPE and APR_FNM_PERIOD,
// as P= is applied: a leading '.' must be matched by one.
func patternMatch(pattern, name string) bool {
	if strings.HasPrefix(name, ".") && !strings.HasPrefix(pattern, ".") {
		return false
	}
	ok, _ := path.Match(strings.ReplaceAll(pattern, `\`, `\\`), name)
	return ok
}

// readDir returns the visible entries of the directory dirfd, whose
// configuration is cfg, sorted.
func readDir(dirfd int, cfg *DirConfig) ([]dirItem, error) {
	names, err := readNames(dirfd)
	if err != nil {
		return nil, err
	}
	var items []dirItem
	for _, name := range names {
		if isHtName(name) || ignored(name, cfg.Listing.Ignore) {
			continue
		}
		fi, ok := listable(dirfd, name, cfg)
		if !ok {
			continue
		}
		it := dirItem{name: name, label: name, dir: fi.isDir(), size: fi.id.size, mtime: time.Unix(0, fi.id.mtime)}
		if it.dir {
			it.label += "/"
		}
		items = append(items, it)
	}
	return items, nil
}

// readNames returns the names in the directory dirfd, from its start and
// in the order the file system gives them (Apache's apr_dir_read order),
// without "." and "..".
func readNames(dirfd int) ([]string, error) {
	// ReadDirent continues from the descriptor's offset; start at 0 in case
	// the descriptor was read before.
	if _, err := unix.Seek(dirfd, 0, 0); err != nil {
		return nil, err
	}
	var names []string
	buf := make([]byte, 8192)
	for {
		n, err := unix.ReadDirent(dirfd, buf)
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, err
		}
		if n <= 0 {
			return slices.DeleteFunc(names, func(name string) bool { return name == "." || name == ".." }), nil
		}
		_, _, names = unix.ParseDirent(buf[:n], -1, names)
	}
}

// DirNames returns the names in the directory dir as readNames does.
func DirNames(dir string) ([]string, error) {
	fd, err := unix.Open(dir, openFlags|unix.O_DIRECTORY, 0)
	if err != nil {
		return nil, err
	}
	defer unix.Close(fd)
	return readNames(fd)
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

// compareItems orders a listing as Apache's dsortf: directories first
// with FoldersFirst (whatever the direction), then by the view's column,
// then by name (without regard to case with IgnoreCase, digit runs as
// numbers with VersionSort), every comparison but FoldersFirst reversed
// for a descending view. Directories have no size, and sort as smallest;
// the plain list has neither times, sizes nor FoldersFirst, as Apache
// reads what they need only for FancyIndexing.
func compareItems(a, b dirItem, lc *ListingConfig, v *listView) int {
	if lc.FoldersFirst && lc.Fancy && a.dir != b.dir {
		if a.dir {
			return -1
		}
		return 1
	}
	if v.desc {
		a, b = b, a
	}
	key := v.key
	if !lc.Fancy {
		key = 'N' // the plain list reads no times or sizes: all are equal
	}
	switch key {
	case 'M':
		if c := a.mtime.Compare(b.mtime); c != 0 {
			return c
		}
	case 'S':
		if c := cmp.Compare(a.listSize(), b.listSize()); c != 0 {
			return c
		}
	case 'D':
		if c := compareNames(a.desc, b.desc, lc.VersionSort); c != 0 {
			return c
		}
	}
	x, y := a.label, b.label // "dir.gz/" sorts before "dir/", as in Apache
	if lc.IgnoreCase {
		if c := compareNames(strings.ToLower(x), strings.ToLower(y), lc.VersionSort); c != 0 {
			return c
		}
	}
	return compareNames(x, y, lc.VersionSort)
}

// listSize is the size a listing sorts by: -1 for a directory.
func (it *dirItem) listSize() int64 {
	if it.dir {
		return -1
	}
	return it.size
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

// insert is a HeaderName or ReadmeName file as a listing shows it.
type insert struct {
	body []byte // nil when nothing is shown
	html bool   // an HTML file, put in the page as it is
}

// readInsert reads the HeaderName or ReadmeName file name of the directory
// dirfd, as mod_autoindex's emit_head and emit_tail take it by its media
// type (types): HTML as it is, other text/* escaped in <pre>, any other
// type nothing. A missing, unreadable, non-regular or over-large file
// shows nothing, as in Apache.
func readInsert(dirfd int, name string, types *MIMETypes) insert {
	if name == "" || isHtName(name) {
		return insert{}
	}
	typ, _ := types.lookup(name)
	typ = mediaType(typ)
	isHTML := typ == "text/html" || typ == "application/xhtml+xml"
	if !isHTML && !strings.HasPrefix(typ, "text/") {
		return insert{}
	}
	fd, err := unix.Openat(dirfd, name, openFlags|unix.O_NOFOLLOW, 0)
	if err != nil {
		return insert{}
	}
	defer unix.Close(fd)
	fi, err := fstatInfo(fd)
	if err != nil || !fi.isReg() || fi.id.size > insertLimit {
		return insert{}
	}
	b, err := readAll(fd, fi.id.size)
	if err != nil {
		return insert{}
	}
	if isHTML {
		return insert{body: b, html: true}
	}
	out := append([]byte("<pre>\n"), plainEscaper.Replace(string(b))...)
	return insert{body: append(out, "</pre>\n"...)}
}

// plainEscaper is do_emit_plain's escaping: '<', '>' and '&' only.
var plainEscaper = strings.NewReplacer("<", "&lt;", ">", "&gt;", "&", "&amp;")

// listable stats the entry name of the directory dirfd for its listing
// line, through a symlink, and reports whether it is listed at all. Left
// out, as Apache's mod_autoindex leaves out the entries its lookup of them
// refuses: an entry that vanished, one neither a directory nor a regular
// file (a FIFO, a socket, a device), a symlink whose target is missing or
// unreadable, and a symlink the directory's Options do not let a request
// follow (no FollowSymLinks, or SymLinksIfOwnerMatch with another owner):
// their links could only lead to an error.
func listable(dirfd int, name string, cfg *DirConfig) (fileInfo, bool) {
	target, err := lstatAt(dirfd, name, true)
	if err != nil || !target.isDir() && !target.isReg() {
		return fileInfo{}, false // Apache lists only directories and regular files
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

// defaultNameWidth is mod_autoindex's DEFAULT_NAME_WIDTH: the table's
// names are cut and padded to it without NameWidth=*.
const defaultNameWidth = 23

// appendListing renders the listing page for the URL path urlPath, with
// the HeaderName and ReadmeName inserts above and below the entries, as
// Apache 2.4.71's emit_head, output_directories and emit_tail do.
func appendListing(dst []byte, urlPath string, items []dirItem, up *decoration, lc *ListingConfig, v *listView, header, readme insert) []byte {
	title := html.EscapeString(strings.TrimRight(urlPath, "/"))
	if title == "" {
		title = "/"
	}
	if !header.html || !lc.SuppressHTMLPreamble {
		dst = appendPreamble(dst, title, lc)
	}
	switch {
	case header.body != nil:
		dst = append(dst, header.body...) // in place of the heading, as Apache's emit_head
	case lc.StyleSheet != "":
		dst = append(dst, "  <h1 id=\"indextitle\">Index of "...)
		dst = append(dst, title...)
		dst = append(dst, "</h1>\n"...)
	default:
		dst = append(dst, "<h1>Index of "...)
		dst = append(dst, title...)
		dst = append(dst, "</h1>\n"...)
	}
	var parent []byte
	if urlPath != "/" {
		parent = popSegment([]byte(strings.TrimSuffix(urlPath, "/")))
		if len(parent) > 1 {
			parent = append(parent, '/')
		}
	}
	switch {
	case lc.Fancy && lc.Table:
		dst = appendTable(dst, parent, items, up, lc, v)
	case lc.Fancy:
		dst = appendPre(dst, parent, items, up, lc, v)
	default:
		dst = append(dst, "<ul>"...)
		if parent != nil {
			dst = appendListItem(dst, parent, "Parent Directory")
		}
		for i := range items {
			dst = appendListItem(dst, nil, items[i].label)
		}
		dst = append(dst, "</ul>\n"...)
	}
	dst = append(dst, readme.body...)
	if readme.html && lc.SuppressHTMLPreamble {
		return dst // the readme closes the page
	}
	return append(dst, listingTail...)
}

// appendPreamble is emit_preamble: the page's opening up to <body>.
func appendPreamble(dst []byte, title string, lc *ListingConfig) []byte {
	if lc.XHTML {
		dst = append(dst, "<!DOCTYPE html PUBLIC \"-//W3C//DTD XHTML 1.0 Transitional//EN\"\n"+
			"\"http://www.w3.org/TR/xhtml1/DTD/xhtml1-transitional.dtd\">\n<html xmlns=\"http://www.w3.org/1999/xhtml\">\n"...)
	} else {
		dst = append(dst, "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html>\n"...)
	}
	dst = append(dst, " <head>\n  <title>Index of "...)
	dst = append(dst, title...)
	dst = append(dst, "</title>\n"...)
	if lc.StyleSheet != "" {
		dst = append(dst, "  <link rel=\"stylesheet\" href=\""...)
		dst = append(dst, lc.StyleSheet...)
		dst = append(dst, "\" type=\"text/css\""...)
		dst = append(dst, xhtmlClose(lc)...)
		dst = append(dst, '\n')
	}
	dst = append(dst, lc.HeadInsert...)
	return append(dst, " </head>\n <body>\n"...)
}

// clampTime is t, or now when t is later: a date never in the future.
func clampTime(t, now time.Time) time.Time {
	if t.After(now) {
		return now
	}
	return t
}

// xhtmlClose ends an empty element: " />" in XHTML, else ">".
func xhtmlClose(lc *ListingConfig) string {
	if lc.XHTML {
		return " />"
	}
	return ">"
}

// appendDirValidators appends the Last-Modified and ETag lines of the
// directory dirfd, as IndexOptions TrackModified sends them (Apache's
// ap_set_last_modified and ap_set_etag for the directory).
func (h *Handler) appendDirValidators(dst []byte, dirfd int, dc *DirConfig) []byte {
	fi, err := fstatInfo(dirfd)
	if err != nil {
		return dst
	}
	now := h.now()
	real := time.Unix(0, fi.id.mtime)
	dst = append(dst, "Last-Modified: "...)
	dst = http1.AppendHTTPDate(dst, clampTime(real, now))
	dst = append(dst, "\r\n"...)
	if parts := dc.ETag.parts(); parts&ETagNone == 0 {
		dst = append(dst, "ETag: "...)
		dst = appendETag(dst, parts, fi.id, real, now.Sub(real) <= time.Second)
		dst = append(dst, "\r\n"...)
	}
	return dst
}

// appendListItem renders one line of the plain list; href is the name's
// when nil.
func appendListItem(dst, href []byte, name string) []byte {
	dst = append(dst, "<li><a href=\""...)
	dst = appendAnchor(dst, href, name)
	dst = append(dst, "\"> "...)
	dst = append(dst, html.EscapeString(name)...)
	return append(dst, "</a></li>\n"...)
}

// appendAnchor appends the href of an entry, as Apache's
// ap_escape_html(ap_os_escape_path(name)): "./" first when a ':' would
// read as a URL scheme.
func appendAnchor(dst, href []byte, name string) []byte {
	if href == nil {
		if i := strings.IndexByte(name, ':'); i >= 0 && !strings.Contains(name[:i], "/") {
			dst = append(dst, "./"...)
		}
		href = AppendEscapedPath(nil, []byte(name))
	}
	return append(dst, html.EscapeString(string(href))...)
}

// appendTable renders the HTMLTable form: the header row with its sort
// links, a rule, the parent and the entries, a rule.
func appendTable(dst, parent []byte, items []dirItem, up *decoration, lc *ListingConfig, v *listView) []byte {
	m := &tableMarkup
	if lc.StyleSheet != "" {
		m = &tableMarkupCSS
	}
	cols := 1
	dst = append(dst, m.open...)
	if !lc.SuppressIcon {
		dst = append(dst, m.headIcon...)
		if icon, ok := findRule(lc.Icons, blankIconPath, "", "", true); ok {
			dst = appendImg(dst, icon, "[ICO]", lc)
			dst = append(dst, "></th>"...)
		} else {
			dst = append(dst, "&nbsp;</th>"...)
		}
		cols++
	}
	dst = append(dst, m.headName...)
	dst = appendSortLink(dst, "Name", 'N', lc, v)
	if !lc.SuppressLastModified {
		dst = append(dst, m.headModified...)
		dst = appendSortLink(dst, "Last modified", 'M', lc, v)
		cols++
	}
	if !lc.SuppressSize {
		dst = append(dst, m.headSize...)
		dst = appendSortLink(dst, "Size", 'S', lc, v)
		cols++
	}
	if !lc.SuppressDescription {
		dst = append(dst, m.headDesc...)
		dst = appendSortLink(dst, "Description", 'D', lc, v)
		cols++
	}
	rule := ""
	if !lc.SuppressRules {
		rule = m.rule + strconv.Itoa(cols) + "\"><hr" + xhtmlClose(lc) + "</th></tr>\n"
	}
	dst = append(dst, "</th></tr>\n"...)
	dst = append(dst, rule...)
	row := 0
	if parent != nil {
		dst = appendRow(dst, parent, "Parent Directory", nil, up, lc, m, row)
		row++
	}
	for i := range items {
		dst = appendRow(dst, nil, items[i].label, &items[i], &items[i].decoration, lc, m, row)
		row++
	}
	dst = append(dst, rule...)
	return append(dst, "</table>\n"...)
}

// appendPre renders FancyIndexing without HTMLTable: Apache's <pre> form,
// columns padded with spaces, names cut to the name width (with
// NameWidth=*, the longest name's, at least 23).
func appendPre(dst, parent []byte, items []dirItem, up *decoration, lc *ListingConfig, v *listView) []byte {
	width := cmp.Or(lc.NameWidth, defaultNameWidth)
	if lc.NameWidth < 0 {
		width = defaultNameWidth
		for i := range items {
			width = max(width, len(items[i].label))
		}
	}
	descWidth := 0 // the widest description's, with DescriptionWidth=*
	if lc.DescriptionWidth < 0 {
		descWidth = max(defaultDescWidth, len(up.desc))
		for i := range items {
			descWidth = max(descWidth, len(items[i].desc))
		}
	}
	dst = append(dst, "<pre>"...)
	if !lc.SuppressIcon {
		if icon, ok := findRule(lc.Icons, blankIconPath, "", "", true); ok {
			dst = appendImg(dst, icon, "Icon ", lc)
			dst = append(dst, "> "...)
		} else {
			dst = append(dst, "      "...)
		}
	}
	dst = appendSortLink(dst, "Name", 'N', lc, v)
	dst = append(dst, strings.Repeat(" ", width-4+1)...)
	if !lc.SuppressLastModified {
		dst = appendSortLink(dst, "Last modified", 'M', lc, v)
		dst = append(dst, "      "...)
	}
	if !lc.SuppressSize {
		dst = appendSortLink(dst, "Size", 'S', lc, v)
		dst = append(dst, "  "...)
	}
	if !lc.SuppressDescription {
		dst = appendSortLink(dst, "Description", 'D', lc, v)
	}
	if lc.SuppressRules {
		dst = append(dst, '\n')
	} else {
		dst = append(append(dst, "<hr"...), xhtmlClose(lc)...)
	}
	line := func(dst, href []byte, name string, it *dirItem, d *decoration) []byte {
		if !lc.SuppressIcon {
			dst = appendIcon(dst, href, name, d, "     ", lc)
			if lc.IconsAreLinks {
				dst = append(dst, "</a>"...)
			}
			dst = append(dst, ' ')
		}
		dst = append(dst, "<a href=\""...)
		dst = appendAnchor(dst, href, name)
		dst = append(dst, "\">"...)
		if len(name) > width {
			name = name[:width-3] + "..>"
		}
		dst = append(dst, html.EscapeString(name)...)
		dst = append(dst, "</a>"...)
		dst = append(dst, strings.Repeat(" ", width-len(name)+1)...)
		if !lc.SuppressLastModified {
			if it == nil {
				dst = append(dst, "                   "...) // 19, as Apache's
			} else {
				dst = it.mtime.Local().AppendFormat(dst, "2006-01-02 15:04  ")
			}
		}
		if !lc.SuppressSize {
			if it == nil || it.dir {
				dst = append(dst, "  - "...)
			} else {
				dst = append(dst, formatSize(it.size)...)
			}
			dst = append(dst, "  "...)
		}
		if !lc.SuppressDescription && d.descSet {
			dst = append(dst, cutDescription(d.desc, lc, descWidth)...)
		}
		return append(dst, '\n')
	}
	if parent != nil {
		dst = line(dst, parent, "Parent Directory", nil, up)
	}
	for i := range items {
		dst = line(dst, nil, items[i].label, &items[i], &items[i].decoration)
	}
	if lc.SuppressRules {
		return append(dst, "</pre>\n"...)
	}
	return append(append(append(dst, "<hr"...), xhtmlClose(lc)...), "</pre>\n"...)
}

// appendSortLink is emit_link: a column heading that sorts by it,
// ascending, or descending when the listing is sorted by it ascending.
func appendSortLink(dst []byte, label string, col byte, lc *ListingConfig, v *listView) []byte {
	if lc.SuppressColumnSorting {
		return append(dst, label...)
	}
	dir := byte('A')
	if v.key == col && !v.desc {
		dir = 'D'
	}
	dst = append(dst, "<a href=\"?C="...)
	dst = append(dst, col, ';', 'O', '=', dir)
	// A P= pattern may hold '&', which Apache leaves bare in the attribute.
	dst = append(dst, html.EscapeString(v.colargs)...)
	dst = append(dst, "\">"...)
	dst = append(dst, label...)
	return append(dst, "</a>"...)
}

// appendRow renders one table row; it is nil for the parent, which has
// no time or size.
func appendRow(dst, href []byte, name string, it *dirItem, d *decoration, lc *ListingConfig, m *tableCells, row int) []byte {
	if lc.AddAltClass && lc.StyleSheet != "" && d.altSet {
		dst = append(dst, m.rowOpen[row%2][:len(m.rowOpen[row%2])-2]...) // without `">`
		dst = append(dst, '-')
		dst = append(dst, strings.ToLower(d.alt)...)
		dst = append(dst, "\">"...)
	} else {
		dst = append(dst, m.rowOpen[row%2]...)
	}
	if !lc.SuppressIcon {
		dst = append(dst, m.icon...)
		dst = appendIcon(dst, href, name, d, "&nbsp;", lc)
		if lc.IconsAreLinks {
			dst = append(dst, "</a>"...)
		}
		dst = append(dst, "</td>"...)
	}
	dst = append(dst, m.name...)
	dst = append(dst, "<a href=\""...)
	dst = appendAnchor(dst, href, name)
	dst = append(dst, "\">"...)
	if lc.NameWidth < 0 { // NameWidth=*
		dst = append(dst, html.EscapeString(name)...)
		dst = append(dst, "</a>"...)
	} else {
		width := cmp.Or(lc.NameWidth, defaultNameWidth)
		if len(name) > width {
			name = name[:width-3] + "..>"
		}
		dst = append(dst, html.EscapeString(name)...)
		dst = append(dst, "</a>"...)
		dst = append(dst, strings.Repeat(" ", width-len(name))...)
	}
	if !lc.SuppressLastModified {
		if it == nil {
			dst = append(dst, m.modifiedNone...)
		} else {
			dst = append(dst, m.modified...)
			dst = it.mtime.Local().AppendFormat(dst, "2006-01-02 15:04  ")
		}
	}
	if !lc.SuppressSize {
		dst = append(dst, m.size...)
		if it == nil || it.dir {
			dst = append(dst, "  - "...)
		} else {
			dst = append(dst, formatSize(it.size)...)
		}
	}
	if !lc.SuppressDescription {
		dst = append(dst, m.desc...)
		if d.descSet && lc.DescriptionWidth < 0 {
			dst = append(dst, d.desc...)
		} else if d.descSet {
			dst = append(dst, cutDescription(d.desc, lc, 0)...)
		} else {
			dst = append(dst, "&nbsp;"...)
		}
	}
	return append(dst, "</td></tr>\n"...)
}

// tableCells is the markup of the HTMLTable listing's parts: Apache's
// plain one, or with IndexStyleSheet the one with ids and classes for the
// style sheet (and no alignment attributes).
type tableCells struct {
	open, headIcon, headName, headModified, headSize, headDesc, rule string
	rowOpen                                                          [2]string // even and odd rows
	icon, name, modifiedNone, modified, size, desc                   string
}

var (
	tableMarkup = tableCells{
		open: "  <table>\n   <tr>", headIcon: "<th valign=\"top\">", headName: "<th>",
		headModified: "</th><th>", headSize: "</th><th>", headDesc: "</th><th>", rule: "   <tr><th colspan=\"",
		rowOpen: [2]string{"<tr>", "<tr>"}, icon: "<td valign=\"top\">", name: "<td>",
		modifiedNone: "</td><td>&nbsp;", modified: "</td><td align=\"right\">", size: "</td><td align=\"right\">",
		desc: "</td><td>",
	}
	tableMarkupCSS = tableCells{
		open: "  <table id=\"indexlist\">\n   <tr class=\"indexhead\">", headIcon: "<th class=\"indexcolicon\">",
		headName: "<th class=\"indexcolname\">", headModified: "</th><th class=\"indexcollastmod\">",
		headSize: "</th><th class=\"indexcolsize\">", headDesc: "</th><th class=\"indexcoldesc\">",
		rule:    "   <tr class=\"indexbreakrow\"><th colspan=\"",
		rowOpen: [2]string{"   <tr class=\"even\">", "   <tr class=\"odd\">"}, icon: "<td class=\"indexcolicon\">",
		name: "<td class=\"indexcolname\">", modifiedNone: "</td><td class=\"indexcollastmod\">&nbsp;",
		modified: "</td><td class=\"indexcollastmod\">", size: "</td><td class=\"indexcolsize\">",
		desc: "</td><td class=\"indexcoldesc\">",
	}
)

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

// defaultDescWidth is mod_autoindex's DEFAULT_DESC_WIDTH.
const defaultDescWidth = 23

// appendIcon renders an entry's icon as a fancy listing shows it: the
// entry's icon, else DefaultIcon, with its alt text in brackets ("[   ]"
// when none), or none when there is no icon at all; with IconsAreLinks an
// open link to the entry before it (closed by the caller).
func appendIcon(dst, href []byte, name string, d *decoration, none string, lc *ListingConfig) []byte {
	if lc.IconsAreLinks {
		dst = append(dst, "<a href=\""...)
		dst = appendAnchor(dst, href, name)
		dst = append(dst, "\">"...)
	}
	icon := d.icon
	if !d.iconSet {
		icon = lc.DefaultIcon
	}
	if !d.iconSet && icon == "" {
		return append(dst, none...)
	}
	alt := "   "
	if d.altSet {
		alt = d.alt
	}
	dst = appendImg(dst, icon, "["+alt+"]", lc)
	return append(dst, '>')
}

// appendImg appends an <img> tag for the icon src with the alt text alt,
// sized by IconWidth and IconHeight, without its closing '>' (with the
// " /" before it in XHTML).
func appendImg(dst []byte, src, alt string, lc *ListingConfig) []byte {
	dst = append(dst, "<img src=\""...)
	dst = append(dst, html.EscapeString(src)...)
	dst = append(dst, "\" alt=\""...)
	dst = append(dst, alt...)
	dst = append(dst, '"')
	if lc.IconWidth != 0 {
		dst = append(dst, " width=\""...)
		dst = strconv.AppendInt(dst, int64(lc.IconWidth), 10)
		dst = append(dst, '"')
	}
	if lc.IconHeight != 0 {
		dst = append(dst, " height=\""...)
		dst = strconv.AppendInt(dst, int64(lc.IconHeight), 10)
		dst = append(dst, '"')
	}
	if lc.XHTML {
		dst = append(dst, " /"...)
	}
	return dst
}

// cutDescription is mod_autoindex's terminate_description: desc cut to
// width characters, not counting its tags and counting an entity as one,
// its last one replaced by '>' when cut. width 0 is DescriptionWidth's
// (23 by default, widened by the columns left out when it is not set).
func cutDescription(desc string, lc *ListingConfig, width int) string {
	if width == 0 {
		width = defaultDescWidth
		switch {
		case lc.DescriptionWidth > 0:
			width = lc.DescriptionWidth
		case lc.DescriptionWidth == 0:
			if lc.SuppressIcon {
				width += 6
			}
			if lc.SuppressLastModified {
				width += 19
			}
			if lc.SuppressSize {
				width += 7
			}
		}
	}
	x := 0
	for x < len(desc) && (width > 0 || desc[x] == '<') {
		switch desc[x] {
		case '<':
			for x < len(desc) && desc[x] != '>' {
				x++
			}
		case '&':
			width--
			for x < len(desc) && desc[x] != ';' {
				x++
			}
		default:
			width--
		}
		x++
	}
	if width <= 0 && x < len(desc) {
		return desc[:x-1] + ">"
	}
	return desc
}
