//go:build linux

package static

import (
	"sync/atomic"
	"unsafe"

	"golang.org/x/sys/unix"
)

// Linux resolves paths in one openat2(2) call (5.6+) and revalidates cached
// entries with one raw statx(2) (4.11+) that needs no string conversion,
// so a cache hit does not allocate. Older kernels (or seccomp filters that
// answer ENOSYS) fall back to openat and stat.

// pathFlags opens a directory to look names up in it and fstat it, never
// to read it: O_PATH (2.6.39+; fstat on it 3.6+) needs search permission
// on the directories above, not read permission on the directory itself,
// as Apache's stat-based directory walk does. openat2 refuses any other
// flag with O_PATH but O_DIRECTORY, O_NOFOLLOW and O_CLOEXEC.
const pathFlags = unix.O_PATH | unix.O_CLOEXEC

var (
	noOpenat2 atomic.Bool // openat2 answered ENOSYS once
	noStatx   atomic.Bool // statx answered ENOSYS once
)

// openFollow opens rel beneath rootfd with flags (openFlags or
// pathFlags), following symlinks wherever they lead, as Apache does with
// FollowSymLinks. rel has no "." or ".." segment, so only a symlink can
// leave the root. The first attempt uses RESOLVE_BENEATH so the kernel
// checks every step that stays inside; EXDEV means a symlink pointed out
// (or was absolute), and the open is repeated without it. Magic links
// (/proc/self/fd/…) are refused in both.
func openFollow(rootfd int, rel string, flags int) (int, error) {
	if !noOpenat2.Load() {
		how := unix.OpenHow{Flags: uint64(flags), Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_MAGICLINKS}
		fd, err := openat2(rootfd, rel, &how)
		if err == unix.EXDEV {
			how.Resolve = unix.RESOLVE_NO_MAGICLINKS
			fd, err = openat2(rootfd, rel, &how)
		}
		if err != unix.ENOSYS {
			return fd, err
		}
		noOpenat2.Store(true)
	}
	return unix.Openat(rootfd, rel, flags, 0)
}

// openNoSymlinks opens rel beneath rootfd with flags, refusing any
// symlink on the way (ELOOP) with
// RESOLVE_BENEATH|RESOLVE_NO_SYMLINKS|RESOLVE_NO_MAGICLINKS. ok is false
// when the kernel cannot, and the caller walks the path.
func openNoSymlinks(rootfd int, rel string, flags int) (fd int, err error, ok bool) {
	if noOpenat2.Load() {
		return -1, nil, false
	}
	how := unix.OpenHow{
		Flags:   uint64(flags),
		Resolve: unix.RESOLVE_BENEATH | unix.RESOLVE_NO_SYMLINKS | unix.RESOLVE_NO_MAGICLINKS,
	}
	fd, err = openat2(rootfd, rel, &how)
	if err == unix.ENOSYS {
		noOpenat2.Store(true)
		return -1, nil, false
	}
	return fd, err, true
}

// openat2 retries the EAGAIN that RESOLVE_BENEATH may return when a rename
// races with the lookup.
func openat2(dirfd int, rel string, how *unix.OpenHow) (int, error) {
	for range 8 {
		fd, err := unix.Openat2(dirfd, rel, how)
		if err != unix.EAGAIN {
			return fd, err
		}
	}
	return -1, unix.EAGAIN
}

// statxMask asks for what fileID and fileInfo hold.
const statxMask = unix.STATX_TYPE | unix.STATX_MODE | unix.STATX_UID | unix.STATX_INO |
	unix.STATX_SIZE | unix.STATX_MTIME | unix.STATX_CTIME

// statPath stats the NUL-terminated absolute path, following symlinks,
// without allocating.
func statPath(path []byte, fi *fileInfo) error {
	if !noStatx.Load() {
		var sx unix.Statx_t
		cwd := unix.AT_FDCWD
		_, _, e := unix.Syscall6(unix.SYS_STATX, uintptr(cwd), uintptr(unsafe.Pointer(&path[0])),
			uintptr(unix.AT_STATX_SYNC_AS_STAT), uintptr(statxMask), uintptr(unsafe.Pointer(&sx)), 0)
		switch e {
		case 0:
			*fi = fileInfo{
				id: fileID{
					dev:   unix.Mkdev(sx.Dev_major, sx.Dev_minor),
					ino:   sx.Ino,
					size:  int64(sx.Size),
					mtime: sx.Mtime.Sec*1e9 + int64(sx.Mtime.Nsec),
					ctime: sx.Ctime.Sec*1e9 + int64(sx.Ctime.Nsec),
				},
				mode: uint32(sx.Mode),
				uid:  sx.Uid,
			}
			return nil
		case unix.ENOSYS:
			noStatx.Store(true)
		default:
			return e
		}
	}
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
			dev:   unix.Mkdev(unix.Major(uint64(st.Dev)), unix.Minor(uint64(st.Dev))), // as statx's
			ino:   st.Ino,
			size:  st.Size,
			mtime: st.Mtim.Nano(),
			ctime: st.Ctim.Nano(),
		},
		mode: st.Mode,
		uid:  st.Uid,
	}
}
