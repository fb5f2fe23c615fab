package static

import (
	"errors"
	"strings"

	"golang.org/x/sys/unix"
)

// Platform contract. Each of platform_linux.go and platform_bsd.go
// (darwin, freebsd) defines:
//
//	pathFlags
//	    open flags for a directory that is only looked into (openat,
//	    fstatat, fstat relative to it), never read: O_PATH where there is
//	    one, which needs search permission on the way but not read
//	    permission on the directory; openFlags elsewhere.
//	openFollow(rootfd, rel, flags) (fd, error)
//	    open rel beneath rootfd with flags following every symlink,
//	    refusing magic links where the kernel can.
//	openNoSymlinks(rootfd, rel, flags) (fd, error, ok)
//	    open rel beneath rootfd with flags, failing with ELOOP on any
//	    symlink; ok is false when the OS cannot do that in one call.
//	statPath(path, *fileInfo) error
//	    stat the NUL-terminated absolute path, following symlinks; on
//	    Linux without allocating.
//	infoFromStat(*unix.Stat_t) fileInfo
//
// rel never holds a "." or ".." segment (CleanPath and checkedPath see to
// that), so with symlinks refused nothing can leave the root, and with
// them followed only the admin's own links can.

// openFlags opens a file or directory for reading without blocking on a
// FIFO or acquiring a terminal; non-regular files are refused afterwards.
const openFlags = unix.O_RDONLY | unix.O_CLOEXEC | unix.O_NONBLOCK | unix.O_NOCTTY

// errSymlink reports a symlink that the directory's Options forbid.
var errSymlink = errors.New("static: symbolic link not allowed or link target not accessible")

// fileID is what revalidation compares: a file is unchanged while all of
// these are. ctime moves on every write, chmod, link or rename of the
// inode and cannot be set from user space.
type fileID struct {
	dev, ino     uint64
	size         int64
	mtime, ctime int64 // nanoseconds since the epoch
}

// fileInfo is a stat result.
type fileInfo struct {
	id   fileID
	mode uint32
	uid  uint32
}

func (fi *fileInfo) isDir() bool { return fi.mode&unix.S_IFMT == unix.S_IFDIR }
func (fi *fileInfo) isReg() bool { return fi.mode&unix.S_IFMT == unix.S_IFREG }

// fstatInfo stats an open descriptor.
func fstatInfo(fd int) (fileInfo, error) {
	var st unix.Stat_t
	if err := unix.Fstat(fd, &st); err != nil {
		return fileInfo{}, err
	}
	return infoFromStat(&st), nil
}

// lstatAt stats name in dirfd, following a final symlink when follow is set.
func lstatAt(dirfd int, name string, follow bool) (fileInfo, error) {
	flags := unix.AT_SYMLINK_NOFOLLOW
	if follow {
		flags = 0
	}
	var st unix.Stat_t
	if err := unix.Fstatat(dirfd, name, &st, flags); err != nil {
		return fileInfo{}, err
	}
	return infoFromStat(&st), nil
}

// symlinkMode says how the directories on a path treat symlinks.
type symlinkMode uint8

const (
	followAll   symlinkMode = iota // every directory: FollowSymLinks, no owner check
	followNone                     // no directory follows symlinks
	followMixed                    // it depends on the directory: walk
)

// modeOf classifies the configurations of the directories on a path.
func modeOf(dirs []DirConfig) symlinkMode {
	follow, none := true, true
	for i := range dirs {
		d := &dirs[i]
		follow = follow && d.FollowSymLinks && !d.SymLinksIfOwnerMatch
		none = none && !d.FollowSymLinks && !d.SymLinksIfOwnerMatch
	}
	switch {
	case follow:
		return followAll
	case none:
		return followNone
	}
	return followMixed
}

// openPath opens rel (segments segs) beneath rootfd with flags (openFlags
// to read it, pathFlags to look into it), treating a symlink met in the
// directory holding segs[i] by the rules of dirs[i].
func openPath(rootfd int, rel string, segs []string, dirs []DirConfig, flags int) (int, error) {
	switch modeOf(dirs) {
	case followAll:
		fd, err := openFollow(rootfd, rel, flags)
		if err == unix.ENOENT && danglingOnPath(rootfd, rel) {
			err = errSymlink
		}
		return fd, err
	case followNone:
		if fd, err, ok := openNoSymlinks(rootfd, rel, flags); ok {
			return fd, err
		}
	}
	return walkOpen(rootfd, segs, dirs, flags)
}

// walkOpen opens segs one component at a time, like Apache's
// directory_walk: a symlink in directory i is followed, checked for owner
// or refused according to dirs[i]. The last component is opened with
// flags; the directories on the way with pathFlags, since they are only
// looked into: one the server may search but not read (mode 711) is
// passed through, as Apache's walk passes it with lstat.
func walkOpen(rootfd int, segs []string, dirs []DirConfig, flags int) (int, error) {
	if len(segs) == 0 {
		return unix.Openat(rootfd, ".", flags|unix.O_DIRECTORY, 0)
	}
	dirfd := rootfd
	for i, name := range segs {
		stepFlags := flags
		if i < len(segs)-1 {
			stepFlags = pathFlags | unix.O_DIRECTORY
		}
		fd, err := openStep(dirfd, name, &dirs[i], stepFlags)
		if dirfd != rootfd {
			unix.Close(dirfd)
		}
		if err != nil {
			return -1, err
		}
		dirfd = fd
	}
	return dirfd, nil
}

// openStep opens the single component name in dirfd with flags, under the
// symlink rules of cfg (Apache's resolve_symlink): with
// SymLinksIfOwnerMatch a symlink is followed only when it and its target
// have the same owner; with FollowSymLinks alone it is followed; otherwise
// it is refused. The check and the open are tied together: a symlink
// swapped in after the check fails the O_NOFOLLOW open, and a followed
// target must be the inode that was checked. A symlink swapped in for a
// directory opened with O_DIRECTORY fails with ENOTDIR instead (404); one
// swapped in for a last component opened with O_PATH and no O_DIRECTORY
// is opened itself, and is then neither a file nor a directory (403).
func openStep(dirfd int, name string, cfg *DirConfig, flags int) (int, error) {
	if cfg.FollowSymLinks && !cfg.SymLinksIfOwnerMatch {
		fd, err := unix.Openat(dirfd, name, flags, 0)
		if err == unix.ENOENT && danglingOnPath(dirfd, name) {
			err = errSymlink
		}
		return fd, err
	}
	link, err := lstatAt(dirfd, name, false)
	if err != nil {
		return -1, err
	}
	if link.mode&unix.S_IFMT != unix.S_IFLNK {
		fd, err := unix.Openat(dirfd, name, flags|unix.O_NOFOLLOW, 0)
		if err == unix.ELOOP {
			err = errSymlink
		}
		return fd, err
	}
	if !cfg.SymLinksIfOwnerMatch {
		return -1, errSymlink
	}
	target, err := lstatAt(dirfd, name, true)
	if err != nil || target.uid != link.uid {
		return -1, errSymlink
	}
	fd, err := unix.Openat(dirfd, name, flags, 0)
	if err != nil {
		return -1, err
	}
	if got, err := fstatInfo(fd); err != nil || got.id.dev != target.id.dev || got.id.ino != target.id.ino {
		unix.Close(fd)
		return -1, errSymlink
	}
	return fd, nil
}

// danglingOnPath reports whether rel, which failed to open with ENOENT,
// leads through a symlink whose target is missing. Apache's directory
// walk lstats each component and answers such a link 403 with AH00037
// ("link target not accessible"), not 404: the link is there, so the
// admin learns that it is broken. Only the 404 path pays for these
// stats, one per component up to the first one that is missing.
func danglingOnPath(dirfd int, rel string) bool {
	for end := nextComponent(rel, 0); end > 0; end = nextComponent(rel, end) {
		link, err := lstatAt(dirfd, rel[:end], false)
		if err != nil {
			return false // a plain missing component: 404
		}
		if link.mode&unix.S_IFMT == unix.S_IFLNK {
			if _, err := lstatAt(dirfd, rel[:end], true); err == unix.ENOENT {
				return true
			}
		}
	}
	return false
}

// nextComponent returns where the path component after rel[:end] ends
// (rel's prefixes one component longer each time: "a", "a/b", "a/b/c"),
// or 0 once end is at rel's end.
func nextComponent(rel string, end int) int {
	if end >= len(rel) {
		return 0
	}
	if next := strings.IndexByte(rel[end+1:], '/'); next >= 0 {
		return end + 1 + next
	}
	return len(rel)
}

// isRegAt reports whether name in dirfd is a regular file, following a
// final symlink.
func isRegAt(dirfd int, name string) bool {
	fi, err := lstatAt(dirfd, name, true)
	return err == nil && fi.isReg()
}

// explainEACCES says why opening rel beneath dirfd failed with EACCES, for
// the error log, by looking each component up as Apache's directory_walk
// does: the first one that cannot be stat'ed for EACCES sits in a
// directory that may not be searched (DenialSearch, rel up to that
// component); a regular file reached at the end may not be read
// (DenialFileAccess). Anything else (a directory that may not be read, a
// change in between) stays unexplained. Only a refused request pays for
// these stats, one per component.
func explainEACCES(dirfd int, rel string) (Denial, string) {
	for end := nextComponent(rel, 0); end > 0; end = nextComponent(rel, end) {
		fi, err := lstatAt(dirfd, rel[:end], true)
		switch {
		case err == unix.EACCES:
			return DenialSearch, rel[:end]
		case err != nil:
			return DenialNone, ""
		case end == len(rel) && fi.isReg():
			return DenialFileAccess, rel
		}
	}
	return DenialNone, ""
}

// errStatus maps a resolution error to the status Apache answers:
// 404 for a missing file or a file used as a directory; 403 for
// permissions, refused symlinks, symlink loops and over-long names
// (directory_walk's AH00035/AH00036/AH00037); 500 for anything else.
func errStatus(err error) int {
	var errno unix.Errno
	switch {
	case errors.Is(err, errSymlink):
		return 403
	case !errors.As(err, &errno):
		return 500
	}
	switch errno {
	case unix.ENOENT, unix.ENOTDIR:
		return 404
	case unix.EACCES, unix.EPERM, unix.ELOOP, unix.EXDEV, unix.ENAMETOOLONG:
		return 403
	}
	return 500
}

// isHtName reports whether a file name is covered by the stock
// <Files ".ht*"> Require all denied. The match is case-sensitive, as
// Apache's fnmatch is on Unix file systems.
func isHtName(name string) bool { return strings.HasPrefix(name, ".ht") }
