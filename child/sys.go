package child

import (
	"encoding/binary"
	"net/netip"
	"unsafe"

	"eventmpm/internal/rawsys"

	"golang.org/x/sys/unix"
)

// writev writes the byte slices with one writev(2), using vec as scratch
// space (grown as needed and returned): no allocation once vec is large
// enough. Empty slices are skipped; callers pass a handful of slices.
//
// With more set (more of the response follows at once, from a file) it
// sends with MSG_MORE where the system has it, so that a response head is
// sent in the same segment as the start of a sendfile(2) body instead of as
// a packet of its own.
//
// fd must be a non-blocking socket: the call is made as a raw system call,
// without the runtime's bookkeeping for calls that may block, because a
// non-blocking socket write never sleeps in the kernel.
func writev(fd int, bufs [][]byte, vec []unix.Iovec, more bool) (int, []unix.Iovec, error) {
	vec = vec[:0]
	for _, b := range bufs {
		if len(b) == 0 {
			continue
		}
		v := unix.Iovec{Base: &b[0]}
		v.SetLen(len(b))
		vec = append(vec, v)
	}
	if len(vec) == 0 {
		return 0, vec, nil
	}
	var n uintptr
	var e unix.Errno
	if more && msgMore != 0 {
		msg := unix.Msghdr{Iov: &vec[0]}
		msg.SetIovlen(len(vec))
		n, _, e = unix.RawSyscall(unix.SYS_SENDMSG, uintptr(fd), uintptr(unsafe.Pointer(&msg)), msgMore)
	} else {
		n, _, e = unix.RawSyscall(unix.SYS_WRITEV, uintptr(fd), uintptr(unsafe.Pointer(&vec[0])), uintptr(len(vec)))
	}
	clear(vec) // drop the pointers into the buffers
	if e != 0 {
		return 0, vec, e
	}
	return int(n), vec, nil
}

// readSocket reads from a non-blocking socket with read(2), made as a raw
// system call for the reason writev gives.
func readSocket(fd int, p []byte) (int, error) { return rawsys.Read(fd, p) }

// writeSocket writes p to a non-blocking socket with one raw write(2).
func writeSocket(fd int, p []byte) (int, error) { return rawsys.Write(fd, p) }

// closeSocket closes a connection's socket (no SO_LINGER, so close(2)
// returns at once) as a raw system call.
func closeSocket(fd int) { _ = rawsys.CloseSocket(fd) }

// rawToAddrPort decodes an IPv4 or IPv6 socket address.
func rawToAddrPort(rsa *unix.RawSockaddrAny) netip.AddrPort {
	switch rsa.Addr.Family {
	case unix.AF_INET:
		sa := (*unix.RawSockaddrInet4)(unsafe.Pointer(rsa))
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), ntohs(sa.Port))
	case unix.AF_INET6:
		sa := (*unix.RawSockaddrInet6)(unsafe.Pointer(rsa))
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr).Unmap(), ntohs(sa.Port))
	}
	return netip.AddrPort{}
}

// ntohs converts a port from network byte order.
func ntohs(p uint16) uint16 {
	var b [2]byte
	*(*uint16)(unsafe.Pointer(&b[0])) = p
	return binary.BigEndian.Uint16(b[:])
}
