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

// Resident reports whether the n bytes of the file fd from off are all in
// the page cache, with cachestat(2) (Linux 6.5 and later). It reports false
// when the kernel cannot tell: an older kernel, a seccomp filter that
// refuses the call, a file system without a page cache. A read of the range
// then does not wait on the disk, unless memory pressure evicts a page
// between this call and the read.
func Resident(fd int, off, n int64) bool {
	if n <= 0 {
		return true
	}
	rng := unix.CachestatRange{Off: uint64(off), Len: uint64(n)}
	var st unix.Cachestat_t
	_, _, e := unix.RawSyscall6(unix.SYS_CACHESTAT, uintptr(fd), uintptr(unsafe.Pointer(&rng)),
		uintptr(unsafe.Pointer(&st)), 0, 0, 0)
	if e != 0 {
		return false
	}
	page := int64(unix.Getpagesize())
	pages := (off+n-1)/page - off/page + 1
	return int64(st.Cache) >= pages
}

// Sendfile sends up to n bytes of the file in, from *off, to the
// non-blocking socket out with sendfile(2), and advances *off. Only for a
// range that is Resident: a raw call must not wait on the disk.
func Sendfile(out, in int, off *int64, n int) (int, error) {
	w, _, e := unix.RawSyscall6(sysSendfile, uintptr(out), uintptr(in), uintptr(unsafe.Pointer(off)),
		uintptr(n), 0, 0)
	if e != 0 {
		return 0, e
	}
	return int(w), nil
}
