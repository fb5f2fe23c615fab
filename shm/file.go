package shm

import (
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"os"
	"syscall"
	"time"
	"unsafe"

	mmap "github.com/edsrzf/mmap-go"
	"golang.org/x/sys/unix"
)

// Errors returned when a scoreboard file cannot be created or opened.
var (
	// ErrInUse is matched (errors.Is) by an *InUseError.
	ErrInUse = errors.New("shm: scoreboard is in use")
	// ErrNotScoreboard: the file does not start with Magic, or is too small.
	ErrNotScoreboard = errors.New("shm: not an eventmpm scoreboard")
	// ErrVersion: the file has another LayoutVersion.
	ErrVersion = errors.New("shm: unsupported scoreboard layout version")
	// ErrLayoutMismatch: the header's sizes, limits or byte order do not
	// match this build or the file's actual size.
	ErrLayoutMismatch = errors.New("shm: scoreboard layout does not match its file")
	// ErrSymlink: the path names a symbolic link, which is never followed.
	ErrSymlink = errors.New("shm: scoreboard path is a symbolic link")
	// ErrNotRegular: the path names a directory, device, FIFO or socket.
	ErrNotRegular = errors.New("shm: scoreboard is not a regular file")
	// ErrHardLink: the file Create would reinitialise has other names; it
	// could be someone else's file linked into place.
	ErrHardLink = errors.New("shm: scoreboard file has other hard links")
)

// InUseError reports that another live server holds the scoreboard's lock.
// PID is the parent pid recorded in the file's header, 0 if the header is not
// readable as a scoreboard.
type InUseError struct {
	Path string
	PID  int
}

// Error returns "scoreboard PATH is in use by eventmpm pid N".
func (e *InUseError) Error() string {
	if e.PID > 0 {
		return fmt.Sprintf("scoreboard %s is in use by eventmpm pid %d", e.Path, e.PID)
	}
	return fmt.Sprintf("scoreboard %s is in use by another process (no eventmpm header)", e.Path)
}

// Is makes errors.Is(err, ErrInUse) true.
func (e *InUseError) Is(target error) bool { return target == ErrInUse }

// fileMode is the scoreboard file's permission: only the server writes it,
// and only its owner and group read it. Request lines, query strings
// included, and client addresses are in it, which Apache's shared memory
// shows no other user either (mod_status shows them to whom its Require
// lets in).
const fileMode = 0o640

// Create makes (or takes over) the scoreboard file at path for a parent
// process at its first start, and holds an exclusive flock(2) on it for as
// long as the returned Scoreboard's file is open in this process or in any
// child that inherited it.
//
// The path is opened with O_NOFOLLOW: a symbolic link is refused with
// ErrSymlink. If another live server holds the lock, Create returns an
// *InUseError naming the file and the pid in its header. Otherwise whatever
// the file holds, a leftover of a crashed run or a file of another layout,
// version or size, is reinitialised: resized, zeroed, mode 0640, and its
// header filled with this layout, the current time and this process's pid.
func Create(path string, l Layout) (*Scoreboard, error) {
	if err := l.validate(); err != nil {
		return nil, err
	}
	f, err := openNoFollow(path, os.O_RDWR|os.O_CREATE)
	if err != nil {
		return nil, err
	}
	s, err := takeOver(f, path, l)
	if err != nil {
		f.Close()
		return nil, err
	}
	return s, nil
}

// takeOver locks f and reinitialises it for layout l.
func takeOver(f *os.File, path string, l Layout) (*Scoreboard, error) {
	st, err := statRegular(f, path)
	if err != nil {
		return nil, err
	}
	if n := linkCount(st); n > 1 {
		return nil, fmt.Errorf("create scoreboard %s: %w (%d links)", path, ErrHardLink, n)
	}
	if err := lockExclusive(f); err != nil {
		if errors.Is(err, unix.EWOULDBLOCK) {
			return nil, &InUseError{Path: path, PID: peekPID(f)}
		}
		return nil, fmt.Errorf("lock scoreboard %s: %w", path, err)
	}
	// From here on this process owns the file; nothing in it is trusted,
	// its owner included: a file another user (the children's User, say)
	// left at the path would stay writable by them through the path, and
	// they could chmod it back. Root takes it over; anyone else cannot
	// have opened it for writing unless its mode let them, and then the
	// chmod below fails.
	if uid := fileUID(st); uid >= 0 && uid != os.Geteuid() {
		if err := f.Chown(os.Geteuid(), os.Getegid()); err != nil {
			return nil, fmt.Errorf("create scoreboard %s: owned by uid %d: %w", path, uid, err)
		}
	}
	if st.Mode().Perm() != fileMode {
		if err := f.Chmod(fileMode); err != nil {
			return nil, fmt.Errorf("create scoreboard: %w", err)
		}
	}
	if st.Size() != l.Size() {
		if err := f.Truncate(l.Size()); err != nil {
			return nil, fmt.Errorf("create scoreboard: %w", err)
		}
	}
	m, err := mmap.Map(f, mmap.RDWR, 0)
	if err != nil {
		return nil, fmt.Errorf("create scoreboard %s: %w", path, os.NewSyscallError("mmap", err))
	}
	s := newScoreboard(f, m, l)
	s.init(time.Now())
	s.writable()
	return s, nil
}

// Attach maps a scoreboard inherited from the parent (a child's view),
// read-write. It checks the magic, layout version, byte order and sizes and
// refuses anything else. On success Attach takes ownership of f (Close
// closes it); on error f stays open and the caller's. It does not touch the
// lock: the inherited descriptor already shares it.
func Attach(f *os.File) (*Scoreboard, error) {
	s, err := mapFile(f, f.Name(), mmap.RDWR)
	if err != nil {
		return nil, err
	}
	s.writable()
	return s, nil
}

// OpenReadOnly maps the scoreboard at path read-only, for `eventmpm status`
// and other outside readers. A file with the wrong magic, version, byte
// order or size is refused with a clear error, never misread. Use Running to
// learn whether a server is alive behind it.
func OpenReadOnly(path string) (*Scoreboard, error) {
	f, err := openNoFollow(path, os.O_RDONLY)
	if err != nil {
		return nil, err
	}
	s, err := mapFile(f, path, mmap.RDONLY)
	if err != nil {
		f.Close()
		return nil, err
	}
	s.readOnly = true
	return s, nil
}

// mapFile maps f with prot after checking that it is a scoreboard.
func mapFile(f *os.File, name string, prot int) (*Scoreboard, error) {
	st, err := statRegular(f, name)
	if err != nil {
		return nil, err
	}
	if st.Size() < HeaderSize {
		return nil, fmt.Errorf("open scoreboard %s: %w (%d bytes)", name, ErrNotScoreboard, st.Size())
	}
	m, err := mmap.Map(f, prot, 0)
	if err != nil {
		return nil, fmt.Errorf("open scoreboard %s: %w", name, os.NewSyscallError("mmap", err))
	}
	l, err := checkHeader((*header)(unsafe.Pointer(&m[0])), st.Size())
	if err != nil {
		m.Unmap()
		return nil, fmt.Errorf("open scoreboard %s: %w", name, err)
	}
	return newScoreboard(f, m, l), nil
}

// checkHeader validates a mapped header against the file size and returns
// its layout.
func checkHeader(h *header, size int64) (Layout, error) {
	if h.magic.Load() != magicWord {
		return Layout{}, ErrNotScoreboard
	}
	if bo := h.byteOrder.Load(); bo != byteOrderMark {
		return Layout{}, fmt.Errorf("%w: byte-order word %#x, want %#x", ErrLayoutMismatch, bo, byteOrderMark)
	}
	if v := h.version.Load(); v != LayoutVersion {
		return Layout{}, fmt.Errorf("%w: version %d, this build reads %d", ErrVersion, v, LayoutVersion)
	}
	if h.headerSize.Load() != HeaderSize || h.processSize.Load() != ProcessSize || h.workerSize.Load() != WorkerSize {
		return Layout{}, fmt.Errorf("%w: record sizes %d/%d/%d, want %d/%d/%d", ErrLayoutMismatch,
			h.headerSize.Load(), h.processSize.Load(), h.workerSize.Load(), HeaderSize, ProcessSize, WorkerSize)
	}
	l := Layout{ServerLimit: int(h.serverLimit.Load()), ThreadLimit: int(h.threadLimit.Load())}
	if err := l.validate(); err != nil {
		return Layout{}, fmt.Errorf("%w: %w", ErrLayoutMismatch, err)
	}
	if l.Size() != size || int64(h.totalSize.Load()) != size {
		return Layout{}, fmt.Errorf("%w: ServerLimit %d ThreadLimit %d need %d bytes, header says %d, file has %d",
			ErrLayoutMismatch, l.ServerLimit, l.ThreadLimit, l.Size(), h.totalSize.Load(), size)
	}
	return l, nil
}

// openNoFollow opens path without following a final symbolic link.
func openNoFollow(path string, flag int) (*os.File, error) {
	f, err := os.OpenFile(path, flag|unix.O_NOFOLLOW, fileMode)
	if err == nil {
		return f, nil
	}
	// Linux reports ELOOP, FreeBSD EMLINK; ask lstat rather than guess.
	if st, lerr := os.Lstat(path); lerr == nil && st.Mode()&os.ModeSymlink != 0 {
		return nil, fmt.Errorf("open scoreboard %s: %w", path, ErrSymlink)
	}
	return nil, fmt.Errorf("open scoreboard: %w", err)
}

func statRegular(f *os.File, name string) (os.FileInfo, error) {
	st, err := f.Stat()
	if err != nil {
		return nil, fmt.Errorf("open scoreboard: %w", err)
	}
	if !st.Mode().IsRegular() {
		return nil, fmt.Errorf("open scoreboard %s: %w (%s)", name, ErrNotRegular, st.Mode().Type())
	}
	return st, nil
}

// fileUID returns the file's owner, -1 if unknown.
func fileUID(st os.FileInfo) int {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return int(sys.Uid)
	}
	return -1
}

// linkCount returns the file's number of hard links, 1 if unknown.
func linkCount(st os.FileInfo) uint64 {
	if sys, ok := st.Sys().(*syscall.Stat_t); ok {
		return uint64(sys.Nlink)
	}
	return 1
}

// lockExclusive takes the liveness lock without waiting. A status reader
// probing the lock (Running) holds a shared lock for a few microseconds, so
// a busy lock is retried briefly before it counts as held.
func lockExclusive(f *os.File) error {
	var err error
	for range 5 {
		if err = flock(f, unix.LOCK_EX|unix.LOCK_NB); !errors.Is(err, unix.EWOULDBLOCK) {
			return err
		}
		time.Sleep(2 * time.Millisecond)
	}
	return err
}

// flock applies flock(2) to f, retrying on EINTR.
func flock(f *os.File, how int) error {
	rc, err := f.SyscallConn()
	if err != nil {
		return err
	}
	var ferr error
	err = rc.Control(func(fd uintptr) {
		for {
			if ferr = unix.Flock(int(fd), how); ferr != unix.EINTR {
				return
			}
		}
	})
	if err != nil {
		return err
	}
	if ferr != nil {
		return os.NewSyscallError("flock", ferr)
	}
	return nil
}

// peekPID reads the parent pid from a locked file's header with pread, or
// returns 0 if the file does not hold an eventmpm header of this version.
func peekPID(f *os.File) int {
	var b [HeaderSize]byte
	if _, err := f.ReadAt(b[:], 0); err != nil && !errors.Is(err, io.EOF) {
		return 0
	}
	if string(b[:len(Magic)]) != Magic ||
		binary.NativeEndian.Uint32(b[unsafe.Offsetof(header{}.version):]) != LayoutVersion {
		return 0
	}
	return int(int32(binary.NativeEndian.Uint32(b[unsafe.Offsetof(header{}.parentPID):])))
}
