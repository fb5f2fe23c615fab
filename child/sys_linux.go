//go:build linux

package child

import (
	"net/netip"
	"unsafe"

	"eventmpm/internal/rawsys"

	"golang.org/x/sys/unix"
)

// acceptConn accepts one connection, non-blocking and close-on-exec, with
// accept4(2) on the non-blocking listener (a raw call, see rawsys),
// decoding the peer address from a caller-owned buffer: no allocation.
func acceptConn(lfd int, rsa *unix.RawSockaddrAny) (int, netip.AddrPort, error) {
	fd, err := rawsys.Accept4(lfd, rsa, unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC)
	if err != nil {
		return -1, netip.AddrPort{}, err
	}
	return fd, rawToAddrPort(rsa), nil
}

// msgMore is the sendmsg(2) flag that holds a segment back for data that
// follows at once.
const msgMore = unix.MSG_MORE

// stampArrivals asks the kernel to timestamp the data arriving on the
// listening socket's connections (SO_TIMESTAMPNS, which accepted sockets
// inherit), and reports whether it will.
func stampArrivals(lfd int) bool {
	return unix.SetsockoptInt(lfd, unix.SOL_SOCKET, unix.SO_TIMESTAMPNS, 1) == nil
}

// stampBuf is room for the one control message readStamped expects.
type stampBuf [64]byte

// readStamped reads from a non-blocking socket like readSocket, with
// recvmsg(2), and also returns when the kernel received the data read
// (Unix ns, wall clock; 0 when the socket gave no timestamp). For TCP it is
// the receive time of the last segment read: every byte read had arrived
// by then.
func readStamped(fd int, p []byte, oob *stampBuf) (int, int64, error) {
	if len(p) == 0 {
		return 0, 0, nil
	}
	iov := unix.Iovec{Base: &p[0]}
	iov.SetLen(len(p))
	msg := unix.Msghdr{Iov: &iov, Control: &oob[0]}
	msg.SetIovlen(1)
	msg.SetControllen(len(oob))
	n, _, e := unix.RawSyscall(unix.SYS_RECVMSG, uintptr(fd), uintptr(unsafe.Pointer(&msg)), 0)
	if e != 0 {
		return 0, 0, e
	}
	return int(n), receiveTime(oob[:msg.Controllen]), nil
}

// receiveTime finds the SCM_TIMESTAMPNS message among the control messages.
func receiveTime(b []byte) int64 {
	for len(b) >= unix.SizeofCmsghdr {
		h := (*unix.Cmsghdr)(unsafe.Pointer(&b[0]))
		if h.Len < unix.SizeofCmsghdr || uint64(h.Len) > uint64(len(b)) {
			return 0
		}
		if h.Level == unix.SOL_SOCKET && h.Type == unix.SCM_TIMESTAMPNS &&
			int(h.Len) >= unix.CmsgLen(int(unsafe.Sizeof(unix.Timespec{}))) {
			ts := (*unix.Timespec)(unsafe.Pointer(&b[unix.CmsgLen(0)]))
			return ts.Nano()
		}
		next := unix.CmsgSpace(int(h.Len) - unix.CmsgLen(0))
		if next > len(b) {
			return 0
		}
		b = b[next:]
	}
	return 0
}

// residentWindow is the most one raw sendfile(2) sends: the range that
// rawsys.Resident checks first. On loopback 2 MiB is a few hundred
// microseconds of the kernel's work.
const residentWindow = 2 << 20

// sendFile sends up to count bytes of the file in, from *off, to the
// non-blocking socket out with sendfile(2). A range that is all in the page
// cache is sent with a raw call (rawsys): it cannot wait on the disk, and the
// runtime then does not hand the processor to another thread during a call
// that takes a few hundred microseconds, which for 1 MiB responses was a
// futex and two nanosleeps per request and a p99 latency about twice as
// long (BENCHMARKS.md). Anything else is an ordinary call, which may block
// on the disk without holding up the child's other goroutines.
func sendFile(out, in int, off *int64, count int) (int, error) {
	if n := min(count, residentWindow); rawsys.Resident(in, *off, int64(n)) {
		return rawsys.Sendfile(out, in, off, n)
	}
	return unix.Sendfile(out, in, off, count)
}

// yieldCPU offers the CPU to another runnable process; see loop.wait.
func yieldCPU() { rawsys.Yield() }

// statStamp stats the NUL-terminated path, following symlinks, with
// statx(2) and no allocation (unix.Stat copies the path): the look-up an
// AccessFileName file costs on every request where overrides are allowed.
func statStamp(path []byte) (fileStamp, error) {
	var sx unix.Statx_t
	const mask = unix.STATX_TYPE | unix.STATX_INO | unix.STATX_SIZE | unix.STATX_MTIME | unix.STATX_CTIME
	cwd := unix.AT_FDCWD
	_, _, e := unix.Syscall6(unix.SYS_STATX, uintptr(cwd), uintptr(unsafe.Pointer(&path[0])),
		uintptr(unix.AT_STATX_SYNC_AS_STAT), uintptr(mask), uintptr(unsafe.Pointer(&sx)), 0)
	switch e {
	case 0:
		return fileStamp{
			dev: unix.Mkdev(sx.Dev_major, sx.Dev_minor), ino: sx.Ino, size: sx.Size,
			mtime: sx.Mtime.Sec*1e9 + int64(sx.Mtime.Nsec), ctime: sx.Ctime.Sec*1e9 + int64(sx.Ctime.Nsec),
		}, nil
	case unix.ENOSYS: // a kernel before 4.11
		var st unix.Stat_t
		if err := unix.Stat(string(path[:len(path)-1]), &st); err != nil {
			return fileStamp{}, err
		}
		return stampOf(&st), nil
	}
	return fileStamp{}, e
}
