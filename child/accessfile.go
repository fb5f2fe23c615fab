package child

import (
	"bytes"
	"context"
	"errors"
	"maps"
	"slices"
	"sort"
	"strconv"
	"time"

	"eventmpm/child/static"
	"eventmpm/config"
	"eventmpm/internal/errorlog"

	"golang.org/x/sys/unix"
)

// This file reads the AccessFileName files (.htaccess) as Apache's
// directory walk does: a request passing a directory where AllowOverride
// (or AllowOverrideList) allows something looks there for the first of
// the AccessFileName names, and the file's directives apply as a
// <Directory> section for that directory, merged after the configuration's
// sections of the same depth and before deeper ones (its <Files> sections
// after the configuration's). Apache opens and parses the files on every
// request; a child keeps each file it has read with its identity (device,
// inode, size, mtime, ctime) and reads it again when a request finds that
// changed, or the file gone or new. Every request still looks (one stat
// per directory where overrides are allowed, where Apache opens), so a
// change is seen by the next request, with no reload. A file changed
// within the racy window of its last read is compared by contents too,
// as a second write in the same timestamp tick leaves its stat unchanged.
//
// The files found are merged into the site's sectionView, which is
// replaced on every change (the static handlers' caches are invalidated
// with it), so the code that walks sections knows nothing of them.

// maxAccessFileSize bounds an AccessFileName file: a larger one is an
// error (500), not read into memory.
const maxAccessFileSize = 1 << 20

// maxAccessFiles bounds the files a site keeps read: past it, one is
// forgotten to make room, and read again if a request passes it (a
// forgotten file's sections apply to no request before that).
const maxAccessFiles = 4096

// accessRacyWindow is how long after its last change a file's contents
// are compared on every visit (see static's defaultRacyWindow).
const accessRacyWindow = 2 * time.Second

// accessFile is one AccessFileName file as a site has read it.
type accessFile struct {
	dir  string // its directory, as the request's path has it
	path string
	st   fileStamp
	// text is kept until racyUntil (Unix ns): until then a visit compares
	// the contents too.
	text      []byte
	racyUntil int64
	// status is what a request passing it gets instead of its answer: 500
	// for a file that does not parse (msg says why), 403 for one that
	// cannot be opened; 0 when it applies.
	status int
	msg    string
	dirSec *section // its <Directory> section, with its <Files> sections (status 0)
}

// fileStamp is what a stat says that changes with a file's contents or
// identity.
type fileStamp struct {
	dev, ino, size uint64
	mtime, ctime   int64
}

func stampOf(st *unix.Stat_t) fileStamp {
	return fileStamp{
		dev: unix.Mkdev(unix.Major(uint64(st.Dev)), unix.Minor(uint64(st.Dev))), // as statx's
		ino: st.Ino, size: uint64(st.Size),
		mtime: st.Mtim.Nano(), ctime: st.Ctim.Nano(),
	}
}

// applyAccessFiles looks for the AccessFileName files on the way to
// w.fspath, reading those that are new or changed into the site's view,
// and reports whether it answered the request: 500 for a file that does
// not parse, 403 for one that cannot be read (AH00529), as Apache. Only
// sites with overrides pay for it: one stat per directory level where
// overrides are allowed and per name until one is found.
func (w *worker) applyAccessFiles(c *conn, h *static.Handler, hp []byte, keep bool) bool {
	if !w.srv.overrides {
		return false
	}
	// A regular file holds no .htaccess: when the open-file cache knows
	// the path as one, the last level's look-up (ENOTDIR) is spared.
	// Apache does not look there either; eventmpm must for a directory
	// asked for without its slash.
	skipLast := h.IsCachedFile(hp, w.start.UnixNano())
	if st := w.accessFilesFor(c, w.fspath, skipLast); st != 0 {
		w.errorResponse(c, st, nil, keep)
		return true
	}
	return false
}

// accessFilesFor brings the site's view up to date with the
// AccessFileName files on the way to the file-system path fs (a request's,
// an error document's, a fallback's; but for fs itself with skipLast) and
// returns the status of the first that cannot apply, with Apache's log
// line, or 0.
func (w *worker) accessFilesFor(c *conn, fs []byte, skipLast bool) int {
	if !w.srv.overrides {
		return 0
	}
	st, af := w.srv.syncAccessFiles(w, fs, skipLast)
	switch st {
	case 0:
	case 403:
		w.logError(c, errorlog.LevelCrit, "core", "AH00529", af.path, nil,
			" pcfg_openfile: unable to check htaccess file, ensure it is readable and that '"+af.dir+"' is executable")
	default:
		w.logError(c, errorlog.LevelAlert, "core", "", af.path, nil, ": "+af.msg)
	}
	return st
}

// syncAccessFiles brings the site's view up to date with the
// AccessFileName files on the way to the file-system path fs (but for fs
// itself with skipLast), and returns the status of the first that cannot
// apply (with it), or 0.
func (s *site) syncAccessFiles(w *worker, fs []byte, skipLast bool) (int, *accessFile) {
	v := s.view.Load()
	for end := nextLevel(fs, 0); end > 0; end = nextLevel(fs, end) {
		if skipLast && end == len(fs) {
			break
		}
		dir := fs[:end]
		ov := s.overridesAt(dir)
		if !ov.Any() {
			continue
		}
		af := v.found[string(dir)]
		path, stamp, err := w.findAccessFile(s, dir)
		switch {
		case err != nil && path == nil: // none there
			if af != nil {
				v = s.dropAccessFile(string(dir))
			}
			continue
		case err != nil: // there, but it cannot be checked
			return 403, &accessFile{dir: string(dir), path: string(path), status: 403}
		}
		if af == nil || af.path != string(path) || af.st != stamp || !af.sameText(path) {
			af, v = s.readAccessFile(w, string(dir), string(path), stamp, ov)
		}
		if af.status != 0 {
			return af.status, af
		}
	}
	return 0, nil
}

// findAccessFile stats the AccessFileName names in dir in order and
// returns the first that exists. Neither path nor err: none does. A path
// and an error: it exists, or may, but cannot be checked (Apache's
// AH00529).
func (w *worker) findAccessFile(s *site, dir []byte) ([]byte, fileStamp, error) {
	for _, name := range s.cfg.AccessFileNames {
		p := append(w.accessPath[:0], dir...)
		if p[len(p)-1] != '/' {
			p = append(p, '/')
		}
		p = append(append(p, name...), 0)
		w.accessPath = p
		p = p[:len(p)-1]
		switch stamp, err := statStamp(w.accessPath); err {
		case nil:
			return p, stamp, nil
		case unix.ENOENT, unix.ENOTDIR:
			continue
		default:
			return p, stamp, err
		}
	}
	return nil, fileStamp{}, unix.ENOENT
}

// sameText reports whether a file read within the racy window of its
// change still has the contents it had; for any other it is true (its
// stamp is enough).
func (af *accessFile) sameText(path []byte) bool {
	if af.text == nil || time.Now().UnixNano() >= af.racyUntil {
		return true
	}
	b, _, err := readSmallFile(string(path))
	return err == nil && bytes.Equal(b, af.text)
}

// readSmallFile reads a regular file of at most maxAccessFileSize bytes,
// with the stamp of what it read (also with an error, once the file is
// open).
func readSmallFile(path string) ([]byte, fileStamp, error) {
	fd, err := unix.Open(path, unix.O_RDONLY|unix.O_CLOEXEC|unix.O_NONBLOCK, 0)
	if err != nil {
		return nil, fileStamp{}, err
	}
	defer unix.Close(fd)
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return nil, fileStamp{}, err
	}
	if st.Mode&unix.S_IFMT != unix.S_IFREG {
		return nil, stampOf(&st), errNotRegular
	}
	if st.Size > maxAccessFileSize {
		return nil, stampOf(&st), errTooLarge
	}
	b := make([]byte, st.Size)
	n := 0
	for n < len(b) {
		m, err := unix.Read(fd, b[n:])
		if err == unix.EINTR {
			continue
		}
		if err != nil {
			return nil, stampOf(&st), err
		}
		if m == 0 {
			break
		}
		n += m
	}
	return b[:n], stampOf(&st), nil
}

var (
	errNotRegular = errors.New("not a regular file")
	errTooLarge   = errors.New("larger than " + strconv.Itoa(maxAccessFileSize>>20) + " MiB")
)

// readAccessFile reads and compiles the AccessFileName file path of dir,
// whose stat said seen, and publishes a view with it. It returns the file
// as read (with a status when it cannot apply) and the new view. Another
// worker may have read it meanwhile: then its reading is used. A file
// that cannot be opened keeps seen as its stamp, so that it is not read
// again (nor the caches dropped) on every request while it stays so.
func (s *site) readAccessFile(w *worker, dir, path string, seen fileStamp, ov config.Overrides) (*accessFile, *sectionView) {
	s.accessMu.Lock()
	defer s.accessMu.Unlock()
	text, stamp, err := readSmallFile(path)
	if stamp == (fileStamp{}) {
		stamp = seen
	}
	v := s.view.Load()
	if old := v.found[dir]; old != nil && old.path == path && old.st == stamp {
		// Read meanwhile by another worker: the same contents (compared
		// in the racy window), or the same failure to open it.
		sameRead := err == nil && (old.text == nil || bytes.Equal(old.text, text))
		sameFailure := err != nil && old.status != 0 && old.text == nil
		if sameRead || sameFailure {
			return old, v
		}
	}
	af := &accessFile{dir: dir, path: path, st: stamp}
	switch {
	case errors.Is(err, unix.ENOENT) || errors.Is(err, unix.ENOTDIR):
		return &accessFile{dir: dir, path: path}, s.dropAccessFileLocked(dir) // gone since the stat
	case errors.Is(err, errNotRegular) || errors.Is(err, errTooLarge):
		af.status, af.msg = 500, "eventmpm reads AccessFileName files that are regular files of at most 1 MiB; this one is "+err.Error()
	case err != nil:
		af.status = 403
	default:
		s.compileAccessFile(w, af, text, ov)
	}
	if now := time.Now().UnixNano(); af.st.ctime > now-int64(accessRacyWindow) {
		af.text, af.racyUntil = text, af.st.ctime+int64(accessRacyWindow)
	}
	found := maps.Clone(v.found)
	if found == nil {
		found = map[string]*accessFile{}
	}
	if _, ok := found[dir]; !ok && len(found) >= maxAccessFiles {
		for k := range found { // any one: it is read again when needed
			delete(found, k)
			break
		}
	}
	found[dir] = af
	return af, s.publishView(found)
}

// compileAccessFile parses and compiles a file's text into af, or sets
// its status 500 with the message Apache would log.
func (s *site) compileAccessFile(w *worker, af *accessFile, text []byte, ov config.Overrides) {
	parsed, err := w.ch.cfg.ParseAccessFile(af.path, string(text), af.dir, ov, s.cfg)
	if err != nil {
		af.status, af.msg = 500, accessFileMessage(err)
		return
	}
	for _, wn := range parsed.Warnings {
		s.log.Log(context.Background(), errorlog.LevelWarn, wn.Pos.File+": "+wn.Text+" (line "+strconv.Itoa(wn.Pos.Line)+")",
			"module", "core", "ah", wn.Code)
	}
	dirSec, err := compileSection(&parsed.Section)
	if err != nil {
		af.status, af.msg = 500, err.Error()
		return
	}
	af.dirSec = &dirSec
	if af.dirSec.files, err = compileNested(af.dirSec); err != nil {
		af.status, af.msg, af.dirSec = 500, err.Error(), nil
	}
}

// accessFileMessage is what Apache logs after the file's name for an
// error in it, with the line eventmpm adds.
func accessFileMessage(err error) string {
	var ce *config.Error
	if errors.As(err, &ce) {
		msg := ce.Msg
		if ce.Err != nil && msg == "" {
			msg = ce.Err.Error()
		}
		if ce.Pos.Line > 0 {
			msg += " (line " + strconv.Itoa(ce.Pos.Line) + ")"
		}
		return msg
	}
	return err.Error()
}

// dropAccessFile publishes a view without the file of dir, which is gone.
func (s *site) dropAccessFile(dir string) *sectionView {
	s.accessMu.Lock()
	defer s.accessMu.Unlock()
	return s.dropAccessFileLocked(dir)
}

func (s *site) dropAccessFileLocked(dir string) *sectionView {
	v := s.view.Load()
	if _, ok := v.found[dir]; !ok {
		return v
	}
	found := maps.Clone(v.found)
	delete(found, dir)
	return s.publishView(found)
}

// publishView makes a view of found the site's and invalidates what the
// static handlers cached from the one before. The caller holds accessMu.
func (s *site) publishView(found map[string]*accessFile) *sectionView {
	v := s.newView(found)
	s.view.Store(v)
	if s.static != nil {
		s.static.Invalidate()
	}
	for i := range s.aliases {
		s.aliases[i].static.Invalidate()
	}
	return v
}

// newView merges the configuration's sections with those of the files
// found: a file's <Directory> section after the configuration's of the
// same depth, before deeper ones, and before every regex form; its
// <Files> sections after the configuration's, shallower files first.
func (s *site) newView(found map[string]*accessFile) *sectionView {
	v := &sectionView{found: found, flags: s.flags}
	for _, af := range found {
		if af.dirSec != nil {
			v.flags.note(af.dirSec)
			for i := range af.dirSec.files {
				v.flags.note(&af.dirSec.files[i])
			}
		}
	}
	if len(found) == 0 {
		v.dirs = append(slices.Clip(s.plainDirs), s.regexDirs...)
		v.files = s.filesOf(v.dirs)
		return v
	}
	files := make([]*accessFile, 0, len(found))
	for _, af := range found {
		if af.dirSec != nil {
			files = append(files, af)
		}
	}
	sort.Slice(files, func(i, j int) bool {
		di, dj := dirDepth(files[i].dirSec), dirDepth(files[j].dirSec)
		return di < dj || di == dj && files[i].dir < files[j].dir
	})
	v.dirs = make([]section, 0, len(s.plainDirs)+len(files)+len(s.regexDirs))
	i := 0
	for _, af := range files {
		for ; i < len(s.plainDirs) && dirDepth(&s.plainDirs[i]) <= dirDepth(af.dirSec); i++ {
			v.dirs = append(v.dirs, s.plainDirs[i])
		}
		v.dirs = append(v.dirs, *af.dirSec)
	}
	v.dirs = append(append(v.dirs, s.plainDirs[i:]...), s.regexDirs...)
	v.files = s.filesOf(v.dirs)
	return v
}

// filesOf is the <Files> sections in merge order: the server's, then
// those nested in the directory sections dirs, in their merge order, as
// Apache appends a merged section's to its base's.
func (s *site) filesOf(dirs []section) []section {
	files := slices.Clip(s.baseFiles)
	for i := range dirs {
		files = append(files, dirs[i].files...)
	}
	return files
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

// overridesAt is what the AccessFileName files of directory dir may set:
// the AllowOverride of the last plain <Directory> section matching it, in
// merge order, and the AllowOverrideList of the last that has one (regex
// sections cannot set either; the files cannot either).
func (s *site) overridesAt(dir []byte) config.Overrides {
	var ov config.Overrides
	classesSet, listSet := false, false
	for i := len(s.plainDirs) - 1; i >= 0 && !(classesSet && listSet); i-- {
		d := &s.plainDirs[i]
		if d.ov == nil || !d.matchPath(dir) {
			continue
		}
		if !classesSet && d.sec.AllowOverride != "" {
			classesSet = true
			ov.Classes, ov.Options = d.ov.Classes, d.ov.Options
			ov.NonfatalOverride, ov.NonfatalUnknown = d.ov.NonfatalOverride, d.ov.NonfatalUnknown
		}
		if !listSet && d.sec.AllowOverrideList != nil {
			listSet = true
			ov.List = d.ov.List
		}
	}
	return ov
}
