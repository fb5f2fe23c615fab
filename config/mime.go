package config

import (
	"maps"
	"slices"
	"strings"
)

// This file is the rest of mod_mime that Debian's mime.conf uses:
// AddLanguage, AddCharset, RemoveType, and AddHandler for type maps.

// setExtMap returns the setter of a directive "value ext..." that maps each
// extension (lowercased, without its dot) to the value (lowercased too, as
// mod_mime keeps it), in the map field picks out.
func setExtMap(field func(*Server) *map[string]string) func(w *walker, c *call) error {
	return func(w *walker, c *call) error {
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

// setAddHandler accepts only "AddHandler type-map ext...", which Debian's
// mime.conf sets: eventmpm reads no type maps (MultiViews negotiates from
// file names), so such files are served as they are, and a warning says
// so. Any other handler would have a file run or
// interpreted (cgi-script would otherwise serve a script's source): it is
// refused.
func setAddHandler(w *walker, c *call) error {
	if !strings.EqualFold(c.args[0], "type-map") {
		return errorf("AddHandler %s: eventmpm has no handler %q; it serves static files only", c.args[0], c.args[0])
	}
	w.warn(c.pos, "", "AddHandler type-map has no effect: eventmpm reads no type maps (Options MultiViews negotiates by file name), so %s files are served as they are",
		strings.Join(c.args[1:], " "))
	return nil
}

// setRemoveHandler is RemoveHandler ext...: eventmpm maps no handler to
// an extension (it serves every file as it is: a .php file is sent as
// its text), so there is nothing to remove; it is noted once.
func setRemoveHandler(w *walker, c *call) error {
	w.noEffect(c, "eventmpm maps no handler to file extensions, so every file is served as it is")
	return nil
}

// setRemoveExtMap is RemoveLanguage, RemoveCharset and RemoveEncoding
// ext...: in a virtual host, the extensions lose what AddLanguage,
// AddCharset or AddEncoding gave them, the main server's and the host's
// own alike, as mod_mime's merge applies the removals to the merged
// settings. In the main server they take back nothing in Apache (nothing
// is merged under it), and a warning says so.
func setRemoveExtMap(kind string) func(w *walker, c *call) error {
	return func(w *walker, c *call) error {
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
