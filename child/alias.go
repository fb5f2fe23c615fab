package child

import (
	"fmt"
	"path/filepath"
	"strings"

	"eventmpm/child/static"
	"eventmpm/config"
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
}

// compileAliases makes a static handler for each of the site's aliases,
// with the options of the site's own handler but the target's directory
// as DocumentRoot.
func (s *site) compileAliases(aliases []config.Alias, o static.Options) error {
	for i := range aliases {
		a := &aliases[i]
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

// matchAlias returns the first alias of the site that matches the cleaned
// URL path p and how many bytes of p it covers (config.Alias.Match), or
// nil: the virtual host's own aliases, then the main server's, in the
// order written. A site without aliases pays one length check.
func (s *site) matchAlias(p []byte) (*alias, int) {
	for i := range s.aliases {
		if n := s.aliases[i].cfg.MatchBytes(p); n > 0 {
			return &s.aliases[i], n
		}
	}
	return nil, 0
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
// translate_alias_redir and then core's translate_name do: the handler that
// serves it and the path to give that handler (p itself for DocumentRoot;
// for an alias, built in *hpBuf), with the file-system path left in
// *fsBuf for the <Directory> sections, the error log and %f.
func (s *site) mapPath(p []byte, hpBuf, fsBuf *[]byte) (*static.Handler, []byte) {
	a, n := s.matchAlias(p)
	if a == nil {
		*fsBuf = append(append((*fsBuf)[:0], s.cfg.DocumentRoot...), p...)
		return s.static, p
	}
	hp := a.appendPath((*hpBuf)[:0], p, n)
	*hpBuf = hp
	*fsBuf = append(append((*fsBuf)[:0], a.fsRoot...), hp...)
	return a.static, hp
}
