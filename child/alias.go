package child

import (
	"fmt"
	"path/filepath"
	"strings"

	"eventmpm/child/static"
	"eventmpm/config"
	"eventmpm/internal/regex"
)

// alias is one Alias of a site compiled for serving (mod_alias's
// translate_alias_redir): a request whose cleaned URL path the Alias
// matches is served from the alias's target instead of DocumentRoot.
//
// Its static handler's root is the directory holding the target, and the
// path below that root is the target's name followed by the rest of the
// URL path: so a directory target, a file target ("Alias /favicon.ico
// /srv/x/fav.ico") and the target named without a trailing slash ("/docs",
// the DirectorySlash redirect) are all ordinary paths to the handler, and
// nothing above the target can be named (the rest of a cleaned URL path
// holds no ".."). Each alias has a handler of its own: the handler caches
// decisions that depend on the URL path by the path below its root, so one
// handler must serve one mapping.
type alias struct {
	cfg *config.Alias
	// mount is "/" and the target's last component: the path below the
	// handler's root the URL-path itself maps to.
	mount string
	// fsRoot is the handler's root without a trailing slash ("" for "/"),
	// to which the path below it is appended for the file-system path.
	fsRoot string
	static *static.Handler
	// An AliasMatch's pattern, and the ServerRoot a relative result is
	// taken from. Its handler's root is "/", and it has no open-file
	// cache: one file may have many URL paths, and ServeMapped's cache
	// assumes one (it keys by file path); Apache caches nothing either.
	re         regex.Regexp
	serverRoot string
}

// compileAliases makes a static handler for each of the site's aliases,
// with the options of the site's own handler but the target's directory
// as DocumentRoot (for AliasMatch, "/" and no cache).
func (s *site) compileAliases(aliases []config.Alias, o static.Options, serverRoot string) error {
	for i := range aliases {
		a := &aliases[i]
		if a.Regex {
			re, err := regex.Compile(a.URL)
			if err != nil {
				return fmt.Errorf("%s:%d: AliasMatch %s: %w", a.Pos.File, a.Pos.Line, a.URL, err)
			}
			h, err := fullPathHandler(o)
			if err != nil {
				return fmt.Errorf("%s:%d: AliasMatch %s: %w", a.Pos.File, a.Pos.Line, a.URL, err)
			}
			s.aliases = append(s.aliases, alias{cfg: a, static: h, re: re, serverRoot: serverRoot})
			continue
		}
		dir, name := filepath.Split(a.Path)
		if name == "" { // config refuses "/" and cleans the others
			return fmt.Errorf("%s:%d: Alias %s: target %q names no file", a.Pos.File, a.Pos.Line, a.URL, a.Path)
		}
		o.DocumentRoot = dir
		h, err := static.New(o)
		if err != nil {
			return fmt.Errorf("%s:%d: Alias %s: %w", a.Pos.File, a.Pos.Line, a.URL, err)
		}
		s.aliases = append(s.aliases, alias{cfg: a, mount: "/" + name, fsRoot: strings.TrimSuffix(dir, "/"), static: h})
	}
	return nil
}

// fullPathHandler makes a static handler for files named by their full
// paths (AliasMatch, UserDir, VirtualDocumentRoot): the site's options
// with "/" as its root and no open-file cache, because the cache keys its
// decisions by file path and assumes one URL-path per file, which these
// mappings do not give.
func fullPathHandler(o static.Options) (*static.Handler, error) {
	o.DocumentRoot, o.CacheMaxEntries = "/", 0
	return static.New(o)
}

// matchAlias returns the first alias of the site that matches the cleaned
// URL path p and how many bytes of p it covers (config.Alias.Match), or
// nil: the virtual host's own aliases, then the main server's, in the
// order written. A site without aliases pays one length check.
func (s *site) matchAlias(p []byte) (*alias, int) {
	for i := range s.aliases {
		a := &s.aliases[i]
		if a.re != nil {
			if a.re.Match(p) {
				return a, len(p)
			}
			continue
		}
		if n := a.cfg.MatchBytes(p); n > 0 {
			return a, n
		}
	}
	return nil, 0
}

// appendMatchPath appends the file-system path an AliasMatch maps the
// cleaned URL path p to: its file-path with $0 to $9 replaced by the
// submatches (ap_pregsub), taken from ServerRoot when not absolute
// (ap_server_root_relative), and cleaned, ending in '/' exactly when p
// does, as ServeMapped wants. (The submatch indexes cost an allocation.)
func (a *alias) appendMatchPath(dst, p []byte) []byte {
	dst = appendSubst(dst, a.cfg.Path, p, a.re.FindSubmatchIndex(p))
	if len(dst) == 0 || dst[0] != '/' {
		dst = append([]byte(a.serverRoot+"/"), dst...)
	}
	return appendCleanMapped(dst[:0], dst, p)
}

// appendPath appends the path below a.static's root that the cleaned URL
// path p maps to, n being a.cfg.MatchBytes(p): a.mount, then the rest of
// p from the '/' that ends or follows what the URL-path matched. So
// "Alias /icons/ /usr/share/apache2/icons/" maps "/icons/a.png" to
// "/icons/a.png" below /usr/share/apache2, and "Alias /docs /srv/docs"
// maps "/docs" to "/docs" and "/docs/x" to "/docs/x" below /srv. The
// result ends in '/' exactly when p does, as ServeMapped wants.
func (a *alias) appendPath(dst, p []byte, n int) []byte {
	rest := p[n:]
	if p[n-1] == '/' {
		rest = p[n-1:]
	}
	return append(append(dst, a.mount...), rest...)
}

// mapPath maps the cleaned URL path p into the file system, as
// translate_alias_redir, translate_userdir and then core's translate_name
// do: the handler that serves it and the path to give that handler (p
// itself for DocumentRoot; for an alias or a user's directory, built in
// *hpBuf), with the file-system path left in *fsBuf for the <Directory>
// sections, the error log and %f. A UserDir entry that redirects is not
// taken here (see translate): the path falls to DocumentRoot.
func (s *site) mapPath(p, vroot []byte, hpBuf, fsBuf *[]byte) (*static.Handler, []byte) {
	h, hp, _ := s.mapPathOrRedirect(p, vroot, hpBuf, fsBuf)
	return h, hp
}

// mapPathOrRedirect is mapPath that also reports the target of a UserDir
// entry with a URL (in *hpBuf; the path is then mapped onto DocumentRoot).
func (s *site) mapPathOrRedirect(p, vroot []byte, hpBuf, fsBuf *[]byte) (h *static.Handler, hp, redirect []byte) {
	a, n := s.matchAlias(p)
	if a == nil && s.userDir != nil {
		switch m, mapped := s.userDir.mapUserDir(p, hpBuf, fsBuf); m {
		case userDirFile:
			return s.userDir.static, mapped, nil
		case userDirRedirect:
			*fsBuf = append(append((*fsBuf)[:0], s.cfg.DocumentRoot...), p...)
			return s.static, p, mapped
		}
	}
	switch {
	case a == nil && vroot != nil:
		// mod_vhost_alias: the request's own DocumentRoot.
		hp = appendCleanMapped((*hpBuf)[:0], append(append((*fsBuf)[:0], vroot...), p...), p)
		*hpBuf = hp
		*fsBuf = append((*fsBuf)[:0], hp...)
		return s.vhostAlias.static, hp, nil
	case a == nil:
		*fsBuf = append(append((*fsBuf)[:0], s.cfg.DocumentRoot...), p...)
		return s.static, p, nil
	case a.re != nil:
		hp = a.appendMatchPath((*hpBuf)[:0], p)
		*hpBuf = hp
		*fsBuf = append((*fsBuf)[:0], hp...)
		return a.static, hp, nil
	}
	hp = a.appendPath((*hpBuf)[:0], p, n)
	*hpBuf = hp
	*fsBuf = append(append((*fsBuf)[:0], a.fsRoot...), hp...)
	return a.static, hp, nil
}
