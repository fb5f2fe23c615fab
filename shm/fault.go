package shm

import (
	"errors"
	"fmt"
	"os"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

// The scoreboard is a file anyone with the rights can truncate or delete
// while the server runs. Deleting it is harmless to the mapping (the inode
// lives on); truncating it makes every later access to the cut pages a
// SIGBUS, which the Go runtime turns into a crash unless the goroutine has
// debug.SetPanicOnFault set. The processes that write the scoreboard do set
// it, recover the fault with IsFault, and call Repair, which extends the
// file back to its size (the cut part reads as zeros); should that fail,
// Detach keeps the process running on private memory. The supervisor also
// checks the file once a second with Check.

// Errors Check reports.
var (
	ErrTruncated = errors.New("shm: scoreboard file truncated while in use")
	ErrUnlinked  = errors.New("shm: scoreboard file deleted while in use")
	// ErrHeaderLost: the file has its size but not its header: it was
	// truncated and extended back (by Repair in any process), and the cut
	// part, header included, reads as zeros. Readers and new children
	// refuse it until the parent calls RestoreHeader.
	ErrHeaderLost = errors.New("shm: scoreboard header lost (the file was truncated while in use)")
)

// Check reports whether the file under the mapping is still whole: it
// returns ErrTruncated when it is shorter than the layout, ErrUnlinked when
// it no longer has a name, ErrHeaderLost when its header was zeroed. One
// fstat.
func (s *Scoreboard) Check() error {
	var st unix.Stat_t
	if err := unix.Fstat(int(s.f.Fd()), &st); err != nil {
		return os.NewSyscallError("fstat", err)
	}
	if st.Size < s.layout.Size() {
		return fmt.Errorf("%w (%d of %d bytes)", ErrTruncated, st.Size, s.layout.Size())
	}
	if st.Nlink == 0 {
		return ErrUnlinked
	}
	if s.h.magic.Load() != magicWord {
		return ErrHeaderLost
	}
	return nil
}

// RestoreHeader rewrites the header of a file that was truncated and
// extended back (Check says ErrHeaderLost): the layout words and the magic,
// so that readers and new children accept the file again. The server's
// start and restart times, lost with the rest, become now; the parent
// publishes its server information and generation and reclaims its process
// slots afterwards. It does nothing to a header that is whole. The parent
// only: the header is its to write.
func (s *Scoreboard) RestoreHeader(now time.Time) {
	h := s.h
	if h.magic.Load() == magicWord {
		return
	}
	s.storeLayout()
	h.startTime.CompareAndSwap(0, micros(now))
	h.restartTime.CompareAndSwap(0, micros(now))
	h.parentPID.Store(int32(os.Getpid()))
	h.magic.Store(magicWord)
}

// Repair extends a truncated file back to the layout's size, so that
// accesses to the mapping succeed again (the cut part reads as zeros). It
// does nothing to a whole file.
func (s *Scoreboard) Repair() error {
	if err := s.Check(); !errors.Is(err, ErrTruncated) {
		return nil
	}
	if err := unix.Ftruncate(int(s.f.Fd()), s.layout.Size()); err != nil {
		return os.NewSyscallError("ftruncate", err)
	}
	return nil
}

// Detach replaces this process's mapping, in place, with private zeroed
// memory: every later access succeeds and nothing is shared any more. It
// is the last resort when Repair cannot restore the file.
func (s *Scoreboard) Detach() error {
	if len(s.m) == 0 {
		return nil
	}
	_, err := unix.MmapPtr(-1, 0, unsafe.Pointer(&s.m[0]), uintptr(len(s.m)),
		unix.PROT_READ|unix.PROT_WRITE, unix.MAP_PRIVATE|unix.MAP_ANON|unix.MAP_FIXED)
	if err != nil {
		return os.NewSyscallError("mmap", err)
	}
	return nil
}

// IsFault reports whether r, a value recovered from a panic, is a memory
// fault inside this scoreboard's mapping (with debug.SetPanicOnFault set).
func (s *Scoreboard) IsFault(r any) bool {
	f, ok := r.(interface{ Addr() uintptr })
	if !ok || len(s.m) == 0 {
		return false
	}
	base := uintptr(unsafe.Pointer(&s.m[0]))
	a := f.Addr()
	return a >= base && a < base+uintptr(len(s.m))
}

// RecoverFault repairs the scoreboard after a fault recovered with IsFault:
// Repair, or Detach when the file cannot be repaired. It returns what it
// did, for the caller's log.
func (s *Scoreboard) RecoverFault() (string, error) {
	if err := s.Repair(); err == nil {
		if cerr := s.Check(); cerr == nil || errors.Is(cerr, ErrUnlinked) || errors.Is(cerr, ErrHeaderLost) {
			return "extended the truncated scoreboard file back to its size", nil
		}
	}
	if err := s.Detach(); err != nil {
		return "", err
	}
	return "cannot restore the scoreboard file: this process now keeps its state in private memory", nil
}
