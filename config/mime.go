package config

import (
	"maps"
	"slices"
	"strings"
)

// This file is the rest of mod_mime that Debian's mime.conf uses:
// AddLanguage, AddCharset, RemoveType, and AddHandler for type maps.

// DirMIME is a <Directory> section's (or .htaccess file's) mod_mime
// settings and AddDefaultCharset, applied over the server's (and the
// enclosing sections') in merge order.
type DirMIME struct {
	// Ops are its AddType, AddLanguage, AddEncoding and AddCharset
	// mappings and the Remove* forms, in file order.
	Ops []MIMEOp `json:",omitempty"`
	// DefaultLanguage is its DefaultLanguage, when it has one.
	DefaultLanguage *string `json:",omitempty"`
	// DefaultCharset is its AddDefaultCharset ("" for Off), when it has
	// one.
	DefaultCharset *string `json:",omitempty"`
}

// MIMEOp gives an extension (lowercase, without its dot) a value of one
// kind, or takes the one it has away (Remove set).
type MIMEOp struct {
	Kind   MIMEKind
	Ext    string
	Value  string `json:",omitempty"`
	Remove bool   `json:",omitempty"`
}

// MIMEKind is what a MIMEOp maps: a media type, a language, a content
// coding or a charset.
type MIMEKind uint8

// The kinds of MIMEOp.
const (
	MIMEType MIMEKind = iota
	MIMELanguage
	MIMEEncoding
	MIMECharset
	// MIMEHandler is AddHandler cgi-script (Value "cgi-script") and
	// RemoveHandler.
	MIMEHandler
)

// dirMIME returns the settings of the directory section the directive is
// in (made when needed), or nil at server level. Only <Directory> sections
// and .htaccess files take them: the static handler types a file by its
// directory.
func (w *walker) dirMIME(c *call) (*DirMIME, error) {
	if w.sec == nil {
		return nil, nil
	}
	if w.sec.s.Kind != SectionDirectory {
		return nil, errorf("%s in %s> is not supported by eventmpm: use it in <Directory>, a .htaccess file, the server config or <VirtualHost>", c.d.name, c.sc.parent())
	}
	if w.sec.s.MIME == nil {
		w.sec.s.MIME = &DirMIME{}
	}
	return w.sec.s.MIME, nil
}

// addDirMIME appends the directive's mappings (value ext...) or removals
// (ext...) to its section's; done is false at server level.
func (w *walker) addDirMIME(c *call, kind MIMEKind, remove bool) (done bool, err error) {
	m, err := w.dirMIME(c)
	if m == nil || err != nil {
		return false, err
	}
	exts, value := c.args, ""
	if !remove {
		exts, value = c.args[1:], strings.ToLower(c.args[0]) // mod_mime's add_extension_info lowercases it
	}
	for _, ext := range exts {
		if ext = normExt(ext); ext != "" {
			m.Ops = append(m.Ops, MIMEOp{Kind: kind, Ext: ext, Value: value, Remove: remove})
		}
	}
	return true, nil
}

// setExtMap returns the setter of a directive "value ext..." that maps each
// extension (lowercased, without its dot) to the value (lowercased too, as
// mod_mime keeps it), in the map field picks out (in a <Directory>
// section, in its DirMIME as kind).
func setExtMap(kind MIMEKind, field func(*Server) *map[string]string) func(w *walker, c *call) error {
	return func(w *walker, c *call) error {
		if done, err := w.addDirMIME(c, kind, false); done || err != nil {
			return err
		}
		m := field(w.srv.srv)
		if *m == nil {
			*m = map[string]string{}
		}
		for _, ext := range c.args[1:] {
			if ext = normExt(ext); ext != "" {
				(*m)[ext] = strings.ToLower(c.args[0]) // mod_mime's add_extension_info lowercases it
			}
		}
		return nil
	}
}

// normExt is an extension as mod_mime keys it: lowercase, no leading dot.
func normExt(ext string) string { return strings.ToLower(strings.TrimPrefix(ext, ".")) }

// setRemoveType is RemoveType ext...: the extensions lose their media type,
// both an AddType's and the TypesConfig file's (Debian removes .es and .tr
// so that index.html.es is HTML in Spanish, not ECMAScript).
func setRemoveType(w *walker, c *call) error {
	if done, err := w.addDirMIME(c, MIMEType, true); done || err != nil {
		return err
	}
	s := w.srv.srv
	for _, ext := range c.args {
		if ext = normExt(ext); ext != "" {
			delete(s.AddType, ext)
			if !slices.Contains(s.RemoveType, ext) {
				s.RemoveType = append(s.RemoveType, ext)
			}
		}
	}
	return nil
}

// setAddHandler is AddHandler for the handlers eventmpm has: cgi-script
// (with mod_cgi or mod_cgid) runs files whose last extension it names
// where Options ExecCGI allows it; type-map, which Debian's mime.conf
// sets, is taken with a warning (eventmpm reads no type maps: MultiViews
// negotiates from file names). Any other handler would have a file run
// or interpreted (a .php file's source would be served): refused.
func setAddHandler(w *walker, c *call) error {
	switch {
	case strings.EqualFold(c.args[0], "cgi-script"):
		if !cgiLoaded(w) {
			return errorf("AddHandler cgi-script needs mod_cgi or mod_cgid (LoadModule cgid_module ...); without it eventmpm would serve the scripts' source")
		}
		if done, err := w.addDirMIME(c, MIMEHandler, false); done || err != nil {
			return err
		}
		s := w.srv.srv
		for _, ext := range c.args[1:] {
			if ext = normExt(ext); ext != "" {
				if s.CGIExts == nil {
					s.CGIExts = map[string]bool{}
				}
				s.CGIExts[ext] = true
			}
		}
		return nil
	case !strings.EqualFold(c.args[0], "type-map"):
		return errorf("AddHandler %s: eventmpm has no handler %q; it serves static files only", c.args[0], c.args[0])
	}
	w.warn(c.pos, "", "AddHandler type-map has no effect: eventmpm reads no type maps (Options MultiViews negotiates by file name), so %s files are served as they are",
		strings.Join(c.args[1:], " "))
	return nil
}

// setRemoveHandler is RemoveHandler ext...: the extensions lose the
// cgi-script handler AddHandler gave them (in a section, those of the
// sections before it; in a <VirtualHost>, the main server's too).
func setRemoveHandler(w *walker, c *call) error {
	if done, err := w.addDirMIME(c, MIMEHandler, true); done || err != nil {
		return err
	}
	for _, ext := range c.args {
		delete(w.srv.srv.CGIExts, normExt(ext))
	}
	return nil
}

// setRemoveExtMap is RemoveLanguage, RemoveCharset and RemoveEncoding
// ext...: in a virtual host, the extensions lose what AddLanguage,
// AddCharset or AddEncoding gave them, the main server's and the host's
// own alike, as mod_mime's merge applies the removals to the merged
// settings. In the main server they take back nothing in Apache (nothing
// is merged under it), and a warning says so.
func setRemoveExtMap(kind string) func(w *walker, c *call) error {
	dirKind := map[string]MIMEKind{"language": MIMELanguage, "charset": MIMECharset, "encoding": MIMEEncoding}[kind]
	return func(w *walker, c *call) error {
		if done, err := w.addDirMIME(c, dirKind, true); done || err != nil {
			return err
		}
		if w.srv == w.main {
			w.warn(c.pos, "", "%s in the main server has no effect, as in Apache: it takes back what a <VirtualHost> inherits from the main server", c.d.name)
			return nil
		}
		s := w.srv.srv
		for _, ext := range c.args {
			if ext = normExt(ext); ext != "" && !slices.Contains(s.RemoveExts[kind], ext) {
				if s.RemoveExts == nil {
					s.RemoveExts = map[string][]string{}
				}
				s.RemoveExts[kind] = append(s.RemoveExts[kind], ext)
			}
		}
		return nil
	}
}

// mergeExtMapRemoving is mergeExtMap, then the virtual host's removals.
func mergeExtMapRemoving(main, vhost map[string]string, removed []string) map[string]string {
	merged := mergeExtMap(main, vhost)
	if len(removed) == 0 || len(merged) == 0 {
		return merged
	}
	merged = maps.Clone(merged)
	for _, ext := range removed {
		delete(merged, ext)
	}
	return merged
}

// setStrictHostCheck is StrictHostCheck On|Off.
func setStrictHostCheck(w *walker, c *call) error {
	w.srv.srv.StrictHostCheck = isOn(c.args[0])
	w.srv.mark("StrictHostCheck")
	return nil
}

// setDefaultLanguage is DefaultLanguage lang (kept as written, as mod_mime
// keeps it).
func setDefaultLanguage(w *walker, c *call) error {
	if m, err := w.dirMIME(c); m != nil || err != nil {
		if m != nil {
			m.DefaultLanguage = &c.args[0]
		}
		return err
	}
	w.srv.srv.DefaultLanguage = c.args[0]
	w.srv.mark("DefaultLanguage")
	return nil
}

// setError is core's Error "message": the configuration is refused with
// the message, at its line (an <IfModule !x> or <IfDefine> around it
// decides when).
func setError(_ *walker, c *call) error {
	return errorf("%s", c.args[0])
}

// mergeExtMap merges a virtual host's extension map over the main
// server's.
func mergeExtMap(main, vhost map[string]string) map[string]string {
	if len(main) == 0 {
		return vhost
	}
	merged := maps.Clone(main)
	maps.Copy(merged, vhost)
	return merged
}
