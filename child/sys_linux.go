//go:build linux

package child

import (
	"net/netip"
	"unsafe"

	"golang.org/x/sys/unix"
)

// acceptConn accepts one connection, non-blocking and close-on-exec, with
// accept4(2), decoding the peer address from a caller-owned buffer: no
// allocation.
func acceptConn(lfd int, rsa *unix.RawSockaddrAny) (int, netip.AddrPort, error) {
	n := uint32(unsafe.Sizeof(*rsa))
	fd, _, e := unix.Syscall6(unix.SYS_ACCEPT4, uintptr(lfd), uintptr(unsafe.Pointer(rsa)),
		uintptr(unsafe.Pointer(&n)), uintptr(unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC), 0, 0)
	if e != 0 {
		return -1, netip.AddrPort{}, e
	}
	return int(fd), rawToAddrPort(rsa), nil
}

// msgMore is the sendmsg(2) flag that holds a segment back for data that
// follows at once.
const msgMore = unix.MSG_MORE
