//go:build darwin || freebsd || dragonfly

package static

import "golang.org/x/sys/unix"

// On the BSDs there is no openat2: follow mode is a plain openat (rel has
// no "." or ".." segment, so only the admin's symlinks lead out of the
// root), and refusing symlinks is done by the portable component walk.
// Revalidation uses stat(2), which costs one small allocation for the
// path string; the zero-allocation guarantee is Linux's.

// pathFlags is openFlags: darwin has no O_PATH (FreeBSD 13+ has one, not
// used), so a directory is opened for reading even where it is only
// looked into, and one the server may search but not read answers 403.
const pathFlags = openFlags

// openFollow opens rel beneath rootfd with flags, following symlinks.
func openFollow(rootfd int, rel string, flags int) (int, error) {
	return unix.Openat(rootfd, rel, flags, 0)
}

// openNoSymlinks reports that the caller must walk the path.
func openNoSymlinks(rootfd int, rel string, flags int) (fd int, err error, ok bool) {
	return -1, nil, false
}

// statPath stats the NUL-terminated absolute path, following symlinks.
func statPath(path []byte, fi *fileInfo) error {
	var st unix.Stat_t
	if err := unix.Stat(string(path[:len(path)-1]), &st); err != nil {
		return err
	}
	*fi = infoFromStat(&st)
	return nil
}

// infoFromStat converts a stat result.
func infoFromStat(st *unix.Stat_t) fileInfo {
	return fileInfo{
		id: fileID{
			dev:   uint64(st.Dev),
			ino:   st.Ino,
			size:  st.Size,
			mtime: st.Mtim.Nano(),
			ctime: st.Ctim.Nano(),
		},
		mode: uint32(st.Mode),
		uid:  st.Uid,
	}
}
