//go:build linux || darwin || freebsd || dragonfly

package rawsys

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// errnoErr returns e as an error, nil for 0.
func errnoErr(e unix.Errno) error {
	if e != 0 {
		return e
	}
	return nil
}

// Read reads from a non-blocking descriptor with read(2).
func Read(fd int, p []byte) (int, error) { return transfer(unix.SYS_READ, fd, p) }

// Write writes to a non-blocking descriptor with write(2).
func Write(fd int, p []byte) (int, error) { return transfer(unix.SYS_WRITE, fd, p) }

// transfer makes read(2) or write(2), which take the same arguments.
func transfer(trap uintptr, fd int, p []byte) (int, error) {
	if len(p) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall(trap, uintptr(fd), uintptr(unsafe.Pointer(&p[0])), uintptr(len(p)))
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// CloseSocket closes a socket without SO_LINGER, whose close(2) never
// waits: the kernel finishes the connection after the call returns. Other
// descriptors may block in close (a file on a network file system flushes),
// so they are closed with unix.Close.
func CloseSocket(fd int) error {
	_, _, e := unix.RawSyscall(unix.SYS_CLOSE, uintptr(fd), 0, 0)
	return errnoErr(e)
}
