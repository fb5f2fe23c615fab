package child

import (
	"bytes"
	"fmt"
	"os/user"
	"path"
	"strings"

	"eventmpm/child/static"
	"eventmpm/config"

	"golang.org/x/sys/unix"
)

// userDir is a site's mod_userdir compiled for serving: "/~user/rest" is
// served from a directory of that user's (translate_userdir, tried after
// the aliases and before DocumentRoot). Like an AliasMatch its handler's
// root is "/" and it has no open-file cache: it serves any user's files,
// by their full paths.
type userDir struct {
	cfg    *config.UserDir
	static *static.Handler
}

// compileUserDir makes the site's userDir, when its UserDir names
// directories.
func (s *site) compileUserDir(u *config.UserDir, o static.Options) error {
	if u == nil || len(u.Entries) == 0 {
		return nil
	}
	h, err := fullPathHandler(o)
	if err != nil {
		return fmt.Errorf("UserDir: %w", err)
	}
	s.userDir = &userDir{cfg: u, static: h}
	return nil
}

// userDirMatch is what UserDir makes of a request's path.
type userDirMatch uint8

const (
	userDirDeclined userDirMatch = iota // not "/~user", or not for this user
	userDirFile                         // mapped to a file
	userDirRedirect                     // an entry with a URL: redirect there
)

// splitUserPath splits a cleaned URL path "/~user/rest" into the user's
// name and the rest from its '/' ("" for "/~user"); ok is false for a
// path that does not begin with "/~".
func splitUserPath(p []byte) (name string, rest []byte, ok bool) {
	if len(p) < 2 || p[0] != '/' || p[1] != '~' {
		return "", nil, false
	}
	name, _, found := strings.Cut(string(p[2:]), "/")
	if found {
		rest = p[2+len(name):]
	}
	return name, rest, true
}

// mapUserDir maps the cleaned URL path p as translate_userdir: for each
// entry in turn, the directory it names for the user, taken when it
// exists or when it is the last entry; the handler's path (the file's
// full path, ending in '/' exactly when p does) is built in *hpBuf and
// copied to *fsBuf. An entry with a URL gives userDirRedirect and the
// target in *hpBuf (the user's name and the rest of the path appended,
// no query, as Apache). A user without a home directory declines a
// relative entry.
func (u *userDir) mapUserDir(p []byte, hpBuf, fsBuf *[]byte) (userDirMatch, []byte) {
	name, rest, ok := splitUserPath(p)
	if !ok || !u.cfg.Serves(name) {
		return userDirDeclined, nil
	}
	for i, entry := range u.cfg.Entries {
		last := i == len(u.cfg.Entries)-1
		filename, redirect := userDirEntry(entry, name, rest)
		if redirect != "" {
			*hpBuf = append((*hpBuf)[:0], redirect...)
			return userDirRedirect, *hpBuf
		}
		if filename == "" {
			continue
		}
		if !last {
			var st unix.Stat_t
			if unix.Stat(filename, &st) != nil {
				continue
			}
		}
		hp := appendCleanMapped((*hpBuf)[:0], append([]byte(filename), rest...), p)
		*hpBuf = hp
		*fsBuf = append((*fsBuf)[:0], hp...)
		return userDirFile, hp
	}
	return userDirDeclined, nil
}

// userDirEntry is one UserDir entry applied to the user name with the rest
// of the URL path: the directory it names (without the rest), or the URL
// to redirect to, or neither (a relative entry for a user without a home
// directory). The cases are translate_userdir's, on its own terms: the
// entry is absolute when it begins with '/'; '*' splits it into a prefix
// and the part after it; a prefix with ':' is a URL.
func userDirEntry(entry, name string, rest []byte) (filename, redirect string) {
	absolute := strings.HasPrefix(entry, "/")
	prefix, after, star := strings.Cut(entry, "*")
	if !star {
		after = entry
	}
	switch {
	case after == "" || absolute:
		if !star {
			return after + "/" + name, ""
		}
		if strings.Contains(prefix, ":") && !absolute {
			return "", prefix + name + after + string(rest)
		}
		return prefix + name + after, ""
	case star && strings.Contains(prefix, ":"):
		return "", prefix + name + string(rest)
	}
	u, err := user.Lookup(name)
	if err != nil || u.HomeDir == "" {
		return "", ""
	}
	return u.HomeDir + "/" + after, ""
}

// appendCleanMapped appends the cleaned file-system path full, ending in
// '/' exactly when the URL path p does, as ServeMapped wants it.
func appendCleanMapped(dst, full, p []byte) []byte {
	clean := path.Clean(string(full))
	dst = append(dst, clean...)
	if bytes.HasSuffix(p, []byte("/")) && clean != "/" {
		dst = append(dst, '/')
	}
	return dst
}
