package child

import (
	"eventmpm/internal/errorlog"

	"golang.org/x/sys/unix"
)

// refuseAccessFile answers a request whose way to its file passes a
// directory that holds an AccessFileName file (.htaccess) where
// AllowOverride is not None, and reports whether it did. eventmpm reads no
// such files; serving as if the file were not there would skip the access
// rules it may carry (a Require, an AuthType), so the request is refused
// with 500, as Apache refuses one whose .htaccess it cannot apply, and the
// error log names the file and says where its directives belong. A file
// that cannot be checked (permission denied on it) is 403, as Apache's
// AH00529. Only sites with such a <Directory> pay for the look-ups: one
// stat per directory level where overrides are allowed, as Apache's
// directory walk opens the file at each.
func (w *worker) refuseAccessFile(c *conn, keep bool) bool {
	fs := w.fspath
	for end := nextLevel(fs, 0); end > 0; end = nextLevel(fs, end) {
		dir := fs[:end]
		if !w.srv.overridesAt(dir) {
			continue
		}
		for _, name := range w.srv.cfg.AccessFileNames {
			p := append(w.accessPath[:0], dir...)
			if p[len(p)-1] != '/' {
				p = append(p, '/')
			}
			p = append(p, name...)
			w.accessPath = p
			var st unix.Stat_t
			switch err := unix.Stat(string(p), &st); err {
			case unix.ENOENT, unix.ENOTDIR:
				continue
			case nil:
				w.logError(c, errorlog.LevelAlert, "core", "", "", p,
					": eventmpm reads no .htaccess files; put its directives in a <Directory \""+string(dir)+
						"\"> section of the configuration, or set AllowOverride None there")
				w.errorResponse(c, 500, nil, keep)
			default:
				w.logError(c, errorlog.LevelCrit, "core", "AH00529", "", p,
					" pcfg_openfile: unable to check htaccess file, ensure it is readable and that '"+string(dir)+
						"' is executable")
				w.errorResponse(c, 403, nil, keep)
			}
			return true
		}
	}
	return false
}

// nextLevel returns the end of the directory level of fs after the one
// ending at end (0 to start), or 0 after the last. The levels are every
// directory prefix of fs from the root ("/") and fs itself: a request for
// a directory reads its file too, and for a regular file the look-up below
// it fails with ENOTDIR. A trailing slash adds no level.
func nextLevel(fs []byte, end int) int {
	if end == 0 {
		return min(1, len(fs))
	}
	for end++; end < len(fs) && fs[end] != '/'; end++ {
	}
	if end > len(fs) || end == len(fs) && fs[end-1] == '/' {
		return 0
	}
	return end
}

// overridesAt reports whether overrides are allowed in directory dir: the
// AllowOverride of the last plain <Directory> section matching it, in
// merge order, is not None (regex sections cannot set it).
func (s *site) overridesAt(dir []byte) bool {
	allowed := false
	for i := range s.dirs {
		d := &s.dirs[i]
		if d.re != nil || d.sec.AllowOverride == "" || !d.matchPath(dir) {
			continue
		}
		allowed = d.sec.AllowOverride != "None"
	}
	return allowed
}
