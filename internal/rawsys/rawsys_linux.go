//go:build linux

package rawsys

import (
	"unsafe"

	"golang.org/x/sys/unix"
)

// EpollWaitNow collects ready events from an epoll instance without
// waiting: epoll_pwait(2) with a zero timeout and no signal mask, which
// every Linux architecture has (arm64 has no epoll_wait).
func EpollWaitNow(epfd int, events []unix.EpollEvent) (int, error) {
	if len(events) == 0 {
		return 0, nil
	}
	n, _, e := unix.RawSyscall6(unix.SYS_EPOLL_PWAIT, uintptr(epfd), uintptr(unsafe.Pointer(&events[0])),
		uintptr(len(events)), 0, 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(n), nil
}

// Accept4 accepts a connection from a non-blocking listening socket with
// accept4(2), writing the peer's address into rsa.
func Accept4(lfd int, rsa *unix.RawSockaddrAny, flags int) (int, error) {
	n := uint32(unsafe.Sizeof(*rsa))
	fd, _, e := unix.RawSyscall6(unix.SYS_ACCEPT4, uintptr(lfd), uintptr(unsafe.Pointer(rsa)),
		uintptr(unsafe.Pointer(&n)), uintptr(flags), 0, 0)
	if e != 0 {
		return -1, e
	}
	return int(fd), nil
}
