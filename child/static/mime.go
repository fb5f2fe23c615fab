package static

import (
	"bufio"
	"bytes"
	"fmt"
	"os"
	"strings"
)

// DefaultType is the Content-Type sent for a file whose extension no table
// entry names. Apache 2.4 sends no Content-Type at all there (DefaultType
// was removed in 2.3), which lets browsers sniff the body; eventmpm sends
// application/octet-stream instead, so unknown files download rather than
// render. SetDefault("") restores Apache's behaviour.
const DefaultType = "application/octet-stream"

// MIMETypes maps file extensions to media types, as mod_mime's TypesConfig
// and AddType do; Lookup applies mod_mime's rule for file names with several
// extensions. A MIMETypes is filled before it is handed
// to New and only read afterwards, so it needs no lock.
type MIMETypes struct {
	byExt    map[string]string // lowercase extension without the dot
	def      string
	langs    map[string]string // AddLanguage
	encs     map[string]string // AddEncoding
	defLang  string            // DefaultLanguage
	charsets map[string]string // AddCharset
	// base is the table an Overlay adds to: what m's own maps do not
	// name, and removed does not take away, is base's.
	base    *MIMETypes
	removed map[string]uint8 // extension -> 1<<kind of the mappings taken away
}

// The kinds of mapping a MIMETypes holds.
const (
	kindType = iota
	kindLanguage
	kindEncoding
	kindCharset
)

// Overlay returns a table that starts as m and takes changes of its own
// (Add, Remove, ...), leaving m as it is: the types of one directory
// (mod_mime's directives in <Directory> sections and .htaccess files).
func (m *MIMETypes) Overlay() *MIMETypes {
	return &MIMETypes{base: m, def: m.def, defLang: m.defLang}
}

// table is m's own map of kind k.
func (m *MIMETypes) table(k int) map[string]string {
	switch k {
	case kindType:
		return m.byExt
	case kindLanguage:
		return m.langs
	case kindEncoding:
		return m.encs
	}
	return m.charsets
}

// get is the value of kind k for the lowercase extension ext: m's own,
// unless m took it away, else its base's.
func (m *MIMETypes) get(k int, ext string) (string, bool) {
	for t := m; t != nil; t = t.base {
		if v, ok := t.table(k)[ext]; ok {
			return v, true
		}
		if t.removed[ext]&(1<<k) != 0 {
			return "", false
		}
	}
	return "", false
}

// hasAny reports whether m (or its base) maps any extension of kind k.
func (m *MIMETypes) hasAny(k int) bool {
	for t := m; t != nil; t = t.base {
		if len(t.table(k)) > 0 {
			return true
		}
	}
	return false
}

// RemoveKind takes the mapping of kind k away from ext (RemoveType,
// RemoveLanguage, RemoveEncoding, RemoveCharset), also its base's.
func (m *MIMETypes) removeKind(k int, ext string) {
	ext = strings.ToLower(strings.TrimPrefix(ext, "."))
	delete(m.table(k), ext)
	if m.base == nil {
		return
	}
	if m.removed == nil {
		m.removed = make(map[string]uint8)
	}
	m.removed[ext] |= 1 << k
}

// RemoveLanguage, RemoveEncoding and RemoveCharset take the extension's
// language, coding or charset away, as mod_mime's Remove* directives.
func (m *MIMETypes) RemoveLanguage(ext string) { m.removeKind(kindLanguage, ext) }

// RemoveEncoding: see RemoveLanguage.
func (m *MIMETypes) RemoveEncoding(ext string) { m.removeKind(kindEncoding, ext) }

// RemoveCharset: see RemoveLanguage.
func (m *MIMETypes) RemoveCharset(ext string) { m.removeKind(kindCharset, ext) }

// builtinTypes is used when no mime.types file is configured or present:
// the types a typical site serves, with the values of Apache's mime.types
// (JavaScript as text/javascript per RFC 9239).
var builtinTypes = [...][2]string{
	{"html", "text/html"}, {"htm", "text/html"}, {"shtml", "text/html"},
	{"css", "text/css"}, {"js", "text/javascript"}, {"mjs", "text/javascript"},
	{"txt", "text/plain"}, {"text", "text/plain"}, {"log", "text/plain"},
	{"csv", "text/csv"}, {"md", "text/markdown"}, {"xml", "application/xml"},
	{"ics", "text/calendar"}, {"vtt", "text/vtt"},
	{"json", "application/json"}, {"map", "application/json"}, {"jsonld", "application/ld+json"},
	{"xhtml", "application/xhtml+xml"}, {"rss", "application/rss+xml"}, {"atom", "application/atom+xml"},
	{"pdf", "application/pdf"}, {"rtf", "application/rtf"}, {"wasm", "application/wasm"},
	{"zip", "application/zip"}, {"gz", "application/gzip"}, {"tgz", "application/gzip"},
	{"tar", "application/x-tar"}, {"bz2", "application/x-bzip2"}, {"xz", "application/x-xz"},
	{"7z", "application/x-7z-compressed"},
	{"png", "image/png"}, {"gif", "image/gif"}, {"jpg", "image/jpeg"}, {"jpeg", "image/jpeg"},
	{"jpe", "image/jpeg"}, {"svg", "image/svg+xml"}, {"svgz", "image/svg+xml"},
	{"webp", "image/webp"}, {"avif", "image/avif"}, {"ico", "image/vnd.microsoft.icon"},
	{"bmp", "image/bmp"}, {"tif", "image/tiff"}, {"tiff", "image/tiff"},
	{"woff", "font/woff"}, {"woff2", "font/woff2"}, {"ttf", "font/ttf"}, {"otf", "font/otf"},
	{"mp3", "audio/mpeg"}, {"ogg", "audio/ogg"}, {"oga", "audio/ogg"}, {"wav", "audio/x-wav"},
	{"flac", "audio/flac"}, {"m4a", "audio/mp4"},
	{"mp4", "video/mp4"}, {"m4v", "video/mp4"}, {"webm", "video/webm"}, {"ogv", "video/ogg"},
	{"mpeg", "video/mpeg"}, {"mpg", "video/mpeg"}, {"mov", "video/quicktime"},
}

// BuiltinMIMETypes returns a fresh table holding eventmpm's built-in types,
// for when TypesConfig names no file or the file is absent.
func BuiltinMIMETypes() *MIMETypes {
	m := &MIMETypes{byExt: make(map[string]string, len(builtinTypes)), def: DefaultType}
	for _, e := range builtinTypes {
		m.byExt[e[0]] = e[1]
	}
	return m
}

// LoadMIMETypes reads a table in the /etc/mime.types format: one media type
// per line followed by its extensions, '#' starting a comment; a later line
// wins for an extension listed twice. A missing file is an error that
// matches fs.ErrNotExist; the caller then uses BuiltinMIMETypes.
func LoadMIMETypes(path string) (*MIMETypes, error) {
	f, err := os.Open(path)
	if err != nil {
		return nil, fmt.Errorf("static: load mime types: %w", err)
	}
	defer f.Close()
	m := &MIMETypes{byExt: make(map[string]string, 1024), def: DefaultType}
	sc := bufio.NewScanner(f)
	line := 0
	for sc.Scan() {
		line++
		b := sc.Bytes()
		if i := bytes.IndexByte(b, '#'); i >= 0 {
			b = b[:i]
		}
		fields := strings.Fields(string(b))
		if len(fields) < 2 {
			continue
		}
		if !strings.Contains(fields[0], "/") {
			return nil, fmt.Errorf("static: load mime types: %s:%d: %q is not a media type", path, line, fields[0])
		}
		for _, ext := range fields[1:] {
			m.Add(ext, fields[0])
		}
	}
	if err := sc.Err(); err != nil {
		return nil, fmt.Errorf("static: load mime types: %s: %w", path, err)
	}
	return m, nil
}

// Add maps the extension ext (with or without its leading dot, any case)
// to the media type typ, replacing an earlier mapping, like AddType.
func (m *MIMETypes) Add(ext, typ string) {
	ext = strings.ToLower(strings.TrimPrefix(ext, "."))
	if ext == "" {
		return
	}
	if m.byExt == nil {
		m.byExt = make(map[string]string)
	}
	m.byExt[ext] = typ
}

// Remove takes the media type away from ext, as RemoveType: neither an
// earlier Add nor the TypesConfig file (read into the same table) gives it
// one; a later Add does.
func (m *MIMETypes) Remove(ext string) {
	m.removeKind(kindType, ext)
}

// AddLanguage gives files with the extension ext the content language
// lang, as mod_mime's AddLanguage: "index.html.en" is HTML in English.
func (m *MIMETypes) AddLanguage(ext, lang string) {
	if m.langs == nil {
		m.langs = make(map[string]string)
	}
	m.langs[strings.ToLower(strings.TrimPrefix(ext, "."))] = lang
}

// AddEncoding gives files with the extension ext the content coding enc,
// as mod_mime's AddEncoding: with "AddEncoding gzip svgz", a.svgz is sent
// as it is stored, with Content-Encoding: gzip, and never compressed again.
func (m *MIMETypes) AddEncoding(ext, enc string) {
	if m.encs == nil {
		m.encs = make(map[string]string)
	}
	m.encs[strings.ToLower(strings.TrimPrefix(ext, "."))] = enc
}

// encodings is the Content-Encoding of a file name: the codings of its
// extensions in order, joined as mod_mime joins them.
func (m *MIMETypes) encodings(name string) string {
	return strings.Join(m.extInfo(name, kindEncoding), ", ")
}

// AddCharset gives files with the extension ext the charset cs, as
// mod_mime's AddCharset: it becomes the Content-Type's charset parameter.
func (m *MIMETypes) AddCharset(ext, cs string) {
	if m.charsets == nil {
		m.charsets = make(map[string]string)
	}
	m.charsets[strings.ToLower(strings.TrimPrefix(ext, "."))] = cs
}

// SetDefault sets the type of files with no known extension; "" sends no
// Content-Type, as Apache 2.4 does.
func (m *MIMETypes) SetDefault(typ string) { m.def = typ }

// Lookup returns the media type for the file name name (a base name or a
// path), or the default type. As in mod_mime, every dot-separated word of
// the base name after the first is an extension, and the type is that of
// the last extension that has one, without regard to case: index.html.en
// and page.css.bak are text/html and text/css, archive.tar.gz takes gz's
// type. An extension without a type (a language's, a charset's, an
// unknown one) is skipped, as Apache skips them.
func (m *MIMETypes) Lookup(name string) string {
	if t, ok := m.lookup(name); ok {
		return t
	}
	return m.def
}

// lookup is Lookup without the default: ok is false when no extension
// of name has a type.
func (m *MIMETypes) lookup(name string) (string, bool) {
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	first := strings.IndexByte(name, '.')
	if first < 0 {
		return "", false
	}
	exts := name[first+1:] // the first word is the base name, even when empty (.profile)
	for exts != "" {
		i := strings.LastIndexByte(exts, '.')
		if t, ok := m.byExtension(exts[i+1:]); ok {
			return t, true
		}
		if i < 0 {
			break
		}
		exts = exts[:i]
	}
	return "", false
}

// byExtension looks ext up without regard to case. An extension that fits
// the stack buffer is looked up without allocating; the map index with a
// converted byte slice does not copy.
func (m *MIMETypes) byExtension(ext string) (string, bool) {
	if ext == "" {
		return "", false
	}
	var buf [32]byte
	if len(ext) > len(buf) || m.base != nil {
		return m.get(kindType, strings.ToLower(ext))
	}
	for k := 0; k < len(ext); k++ {
		c := ext[k]
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		buf[k] = c
	}
	t, ok := m.byExt[string(buf[:len(ext)])]
	return t, ok
}

// contentType returns the Content-Type value for name: its media type
// with the charset of its last extension that has one (AddCharset), else
// charset (AddDefaultCharset) for text/plain and text/html, appended as
// "; charset=" unless the type has a charset of its own.
func (m *MIMETypes) contentType(name, charset string) string {
	t := m.Lookup(name)
	if t == "" || strings.Contains(t, "charset=") {
		return t
	}
	if cs := m.extInfo(name, kindCharset); len(cs) > 0 {
		return t + "; charset=" + cs[len(cs)-1]
	}
	return withDefaultCharset(t, charset)
}

// withDefaultCharset is AddDefaultCharset's rule (ap_make_content_type):
// a text/plain or text/html type without a charset gets charset.
func withDefaultCharset(t, charset string) string {
	if charset == "" || strings.Contains(t, "charset=") {
		return t
	}
	base, _, _ := strings.Cut(t, ";")
	base = strings.ToLower(strings.TrimSpace(base))
	if base == "text/plain" || base == "text/html" {
		return t + "; charset=" + charset
	}
	return t
}

// languages returns the Content-Language value for name: the languages
// of its extensions in order (AddLanguage), joined as Apache joins them,
// or "".
func (m *MIMETypes) languages(name string) string {
	if langs := m.extInfo(name, kindLanguage); len(langs) > 0 {
		return strings.Join(langs, ", ")
	}
	return m.defLang
}

// SetDefaultLanguage is mod_mime's DefaultLanguage: the language of files
// whose extensions name none.
func (m *MIMETypes) SetDefaultLanguage(lang string) { m.defLang = lang }

// extInfo returns the values of kind k of the extensions of name, left to
// right, as mod_mime's find_ct walks them. Only a cache miss asks.
func (m *MIMETypes) extInfo(name string, k int) []string {
	if !m.hasAny(k) {
		return nil
	}
	if i := strings.LastIndexByte(name, '/'); i >= 0 {
		name = name[i+1:]
	}
	first := strings.IndexByte(name, '.')
	if first < 0 {
		return nil
	}
	var out []string
	for _, ext := range strings.Split(name[first+1:], ".") {
		if v, ok := m.get(k, strings.ToLower(ext)); ok && ext != "" {
			out = append(out, v)
		}
	}
	return out
}
