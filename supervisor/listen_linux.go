//go:build linux

package supervisor

import (
	"os"

	"golang.org/x/sys/unix"
)

// deferAcceptSeconds is how long the kernel may hold a connection that has
// sent nothing before it passes it on anyway (Apache's AcceptFilter "data").
const deferAcceptSeconds = 30

// setAcceptFilter sets TCP_DEFER_ACCEPT: a connection reaches a child only
// once its request has started to arrive.
func setAcceptFilter(fd int) error {
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_DEFER_ACCEPT, deferAcceptSeconds); err != nil {
		return os.NewSyscallError("setsockopt TCP_DEFER_ACCEPT", err)
	}
	return nil
}

// newSocket makes a close-on-exec TCP socket.
func newSocket(family int) (int, error) {
	return unix.Socket(family, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
}
