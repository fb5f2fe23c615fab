//go:build darwin || freebsd || dragonfly

package child

import (
	"net/netip"

	"golang.org/x/sys/unix"
)

// acceptConn accepts one connection and makes it non-blocking and
// close-on-exec (accept4 is missing on macOS). The descriptor briefly
// lacks close-on-exec; children never exec.
func acceptConn(lfd int, _ *unix.RawSockaddrAny) (int, netip.AddrPort, error) {
	fd, sa, err := unix.Accept(lfd)
	if err != nil {
		return -1, netip.AddrPort{}, err
	}
	unix.CloseOnExec(fd)
	if err := unix.SetNonblock(fd, true); err != nil {
		unix.Close(fd)
		return -1, netip.AddrPort{}, err
	}
	return fd, sockaddrToAddrPort(sa), nil
}

// sendFile sends up to count bytes of the file in, from *off, to the
// non-blocking socket out with sendfile(2), an ordinary call.
func sendFile(out, in int, off *int64, count int) (int, error) {
	return unix.Sendfile(out, in, off, count)
}

// msgMore is 0: the BSDs have no MSG_MORE, and writev sends the head alone.
const msgMore = 0

// stampArrivals reports false: on the BSDs the first read of a connection
// is a plain read, and its request's arrival is the time it was read.
func stampArrivals(int) bool { return false }

// stampBuf is unused on the BSDs.
type stampBuf struct{}

// readStamped is readSocket; it gives no receive time.
func readStamped(fd int, p []byte, _ *stampBuf) (int, int64, error) {
	n, err := readSocket(fd, p)
	return n, 0, err
}

// statStamp stats the NUL-terminated path, following symlinks.
func statStamp(path []byte) (fileStamp, error) {
	var st unix.Stat_t
	if err := unix.Stat(string(path[:len(path)-1]), &st); err != nil {
		return fileStamp{}, err
	}
	return stampOf(&st), nil
}
