package static

import (
	"bytes"
	"strings"

	"golang.org/x/sys/unix"
)

// This file is what a fancy listing shows beside each name, as Apache
// 2.4.71's mod_autoindex finds it: the icon and its alt text (AddIcon,
// AddIconByType, AddIconByEncoding, AddAlt*, DefaultIcon), and the
// description (AddDescription, or the <title> of an HTML file with
// IndexOptions ScanHTMLTitles).

// IndexRule is one AddIcon* or AddAlt* name: Value (an icon URL or an alt
// text) for the entries Pattern matches. By says what it matches: 'P' the
// entry's file-system path, with '*' and '?' wildcards ("^^DIRECTORY^^"
// and "^^BLANKICON^^" name the directory and heading icons); 'T' its media
// type, 'E' its content coding, both without regard to case.
type IndexRule struct {
	By      byte
	Pattern string
	Value   string
}

// Index rule kinds.
const (
	ByPath     = 'P'
	ByType     = 'T'
	ByEncoding = 'E'
)

// IndexDescription is one AddDescription name: Text describes the entries
// Pattern matches. A pattern with a '/' is matched against the whole
// path, else against the name; one with wildcards (or a '/') matches as
// "*pattern*" with fnmatch's '*', '?' and [...], else as a substring.
type IndexDescription struct {
	Pattern  string
	Text     string
	FullPath bool
	Wildcard bool
}

// Special paths the icon and alt rules are looked up by.
const (
	directoryPath = "^^DIRECTORY^^"
	blankIconPath = "^^BLANKICON^^"
)

// findRule is mod_autoindex's find_item: the value of the first rule
// that matches the entry at path (or a special path), its media type (""
// for none) and its coding ("" for none). pathOnly looks at path rules
// alone, as for directories. A file with a coding is matched by coding
// rules, never by type rules.
func findRule(rules []IndexRule, path, typ, enc string, pathOnly bool) (string, bool) {
	special := strings.HasPrefix(path, "^")
	for i := range rules {
		r := &rules[i]
		switch {
		case r.Pattern == "":
			return r.Value, true
		case r.By == ByPath || special:
			if wildMatch(r.Pattern, path, false) {
				return r.Value, true
			}
		case pathOnly:
		case enc == "":
			if r.By == ByType && typ != "" && wildMatch(r.Pattern, typ, true) {
				return r.Value, true
			}
		case r.By == ByEncoding:
			if wildMatch(r.Pattern, enc, true) {
				return r.Value, true
			}
		}
	}
	return "", false
}

// wildMatch is Apache's ap_strcmp_match (ap_strcasecmp_match with fold):
// '*' matches any run of bytes, '/' included, and '?' any one byte.
func wildMatch(pattern, s string, fold bool) bool {
	return globMatch(pattern, s, fold, false)
}

// globMatch matches s against pattern's '*' and '?', and with sets
// apr_fnmatch's [...] sets and '\' escapes too.
func globMatch(pattern, s string, fold, sets bool) bool {
	px, sx := 0, 0
	starP, starS := -1, 0
	for sx < len(s) {
		if px < len(pattern) {
			switch c := pattern[px]; {
			case c == '*':
				starP, starS = px, sx
				px++
				continue
			case c == '?':
				px++
				sx++
				continue
			case sets && c == '[':
				if ok, n := matchSet(pattern[px:], s[sx]); n > 0 {
					if ok {
						px += n
						sx++
						continue
					}
				} else if s[sx] == '[' { // no closing ']': a literal
					px++
					sx++
					continue
				}
			default:
				if sets && c == '\\' && px+1 < len(pattern) {
					px++
					c = pattern[px]
				}
				if c == s[sx] || fold && lower(c) == lower(s[sx]) {
					px++
					sx++
					continue
				}
			}
		}
		if starP < 0 {
			return false
		}
		starS++
		px, sx = starP+1, starS
	}
	for px < len(pattern) && pattern[px] == '*' {
		px++
	}
	return px == len(pattern)
}

func lower(c byte) byte {
	if 'A' <= c && c <= 'Z' {
		return c + 'a' - 'A'
	}
	return c
}

// findDescription is mod_autoindex's find_desc for the entry at path.
func findDescription(descs []IndexDescription, path string) (string, bool) {
	name := path[strings.LastIndexByte(path, '/')+1:]
	for i := range descs {
		d := &descs[i]
		target := name
		if d.FullPath {
			target = path
		}
		if d.Wildcard && fnMatch(d.Pattern, target) || !d.Wildcard && strings.Contains(target, d.Pattern) {
			return d.Text, true
		}
	}
	return "", false
}

// fnMatch is apr_fnmatch with no flags: '*' matches any run of bytes,
// '/' and a leading '.' included; '?' one byte; [...] a set, with '!' or
// '^' to negate and a-z ranges; '\' escapes the next byte.
func fnMatch(pattern, s string) bool {
	return globMatch(pattern, s, false, true)
}

// matchSet matches c against the set that opens set ("[...]"): whether it
// matches, and the set's length (0 when it is not closed).
func matchSet(set string, c byte) (bool, int) {
	i := 1
	negate := i < len(set) && (set[i] == '!' || set[i] == '^')
	if negate {
		i++
	}
	matched := false
	for first := true; i < len(set); first = false {
		if set[i] == ']' && !first {
			return matched != negate, i + 1
		}
		lo := set[i]
		if lo == '\\' && i+1 < len(set) {
			i++
			lo = set[i]
		}
		hi := lo
		if i+2 < len(set) && set[i+1] == '-' && set[i+2] != ']' {
			hi = set[i+2]
			i += 2
		}
		if lo <= c && c <= hi {
			matched = true
		}
		i++
	}
	return false, 0
}

// titleScanLimit is how much of an HTML file ScanHTMLTitles reads:
// Apache's MAX_STRING_LEN less its terminator.
const titleScanLimit = 8191

// scanTitle is mod_autoindex's find_title: the text after the first
// "<title>" (matched without regard to case) of the first 8191 bytes of
// the file name in the directory dirfd, up to the next '<', with a
// leading line break dropped and the others made spaces. ok is false when
// the file has no title there or cannot be read.
func scanTitle(dirfd int, name string, buf []byte) (string, bool) {
	fd, err := unix.Openat(dirfd, name, openFlags, 0)
	if err != nil {
		return "", false
	}
	defer unix.Close(fd)
	if fi, err := fstatInfo(fd); err != nil || !fi.isReg() {
		return "", false
	}
	n := 0
	for n < titleScanLimit {
		m, err := unix.Read(fd, buf[n:titleScanLimit])
		if err == unix.EINTR {
			continue
		}
		if err != nil || m <= 0 {
			break
		}
		n += m
	}
	b := buf[:n]
	if i := bytes.IndexByte(b, 0); i >= 0 {
		b = b[:i] // Apache reads the buffer as a C string
	}
	i := indexFold(b, "<title>")
	if i < 0 {
		return "", false
	}
	b = b[i+len("<title>"):]
	if j := bytes.IndexByte(b, '<'); j >= 0 {
		b = b[:j]
	}
	b = bytes.TrimLeft(b, "\r\n") // leading line breaks are dropped, the others made spaces
	out := make([]byte, len(b))
	for k, c := range b {
		if c == '\r' || c == '\n' {
			c = ' '
		}
		out[k] = c
	}
	return string(out), true
}

// indexFold is the index of the lower-case ASCII needle in b, matched
// without regard to case, or -1.
func indexFold(b []byte, needle string) int {
	for i := 0; i+len(needle) <= len(b); i++ {
		j := 0
		for j < len(needle) && lower(b[i+j]) == needle[j] {
			j++
		}
		if j == len(needle) {
			return i
		}
	}
	return -1
}

// isHTMLType reports whether a listed file's title may be scanned: its
// media type is HTML, XHTML or mod_include's.
func isHTMLType(typ string) bool {
	return typ == "text/html" || typ == "application/xhtml+xml" || typ == "text/x-server-parsed-html"
}

// decoration is what a fancy listing shows beside an entry's name; the
// Set flags tell a found value from none (which shows the default icon,
// "[   ]" for the alt text and no description).
type decoration struct {
	icon, alt, desc          string
	iconSet, altSet, descSet bool
}

// decorate finds the icons, alt texts and descriptions of the entries of
// the directory dirAbs (open as dirfd, configured by dc) and of its
// parent, up, as mod_autoindex's make_autoindex_entry and
// make_parent_entry do: a directory by its path, else "^^DIRECTORY^^"
// (alt "DIR", or "PARENTDIR" for the parent, by default); a file by its
// path, its media type or its coding.
func (h *Handler) decorate(items []dirItem, up *decoration, dirfd int, dirAbs string, dc *DirConfig) {
	lc := &dc.Listing
	types, _ := h.typesFor(dc)
	forcer, _ := h.resolver.(TypeForcer)
	base := strings.TrimSuffix(dirAbs, "/") + "/"
	var titleBuf []byte
	for i := range items {
		it := &items[i]
		path := base + it.name
		d := &it.decoration
		if it.dir {
			d.findDirectory(lc, path, "DIR")
		} else {
			typ, _ := types.lookup(it.name)
			if forcer != nil {
				if f := forcer.ForcedType(dirAbs, it.name); f != "" {
					typ = f
				}
			}
			typ, enc := mediaType(typ), types.encodings(it.name)
			d.icon, d.iconSet = findRule(lc.Icons, path, typ, enc, false)
			d.alt, d.altSet = findRule(lc.Alts, path, typ, enc, false)
			d.desc, d.descSet = findDescription(lc.Descriptions, path)
			if !d.descSet && lc.ScanHTMLTitles && enc == "" && isHTMLType(typ) {
				if titleBuf == nil {
					titleBuf = make([]byte, titleScanLimit)
				}
				d.desc, d.descSet = scanTitle(dirfd, it.name, titleBuf)
			}
			continue
		}
		d.desc, d.descSet = findDescription(lc.Descriptions, path)
	}
	up.findDirectory(lc, base+"..", "PARENTDIR")
	up.desc, up.descSet = findDescription(lc.Descriptions, base+"..")
}

// findDirectory sets a directory's icon and alt text: by its path, else
// by "^^DIRECTORY^^", else the alt text is alt.
func (d *decoration) findDirectory(lc *ListingConfig, path, alt string) {
	if d.icon, d.iconSet = findRule(lc.Icons, path, "", "", true); !d.iconSet {
		d.icon, d.iconSet = findRule(lc.Icons, directoryPath, "", "", true)
	}
	if d.alt, d.altSet = findRule(lc.Alts, path, "", "", true); !d.altSet {
		if d.alt, d.altSet = findRule(lc.Alts, directoryPath, "", "", true); !d.altSet {
			d.alt, d.altSet = alt, true
		}
	}
}
