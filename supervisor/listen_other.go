//go:build !linux

package supervisor

import "golang.org/x/sys/unix"

// setAcceptFilter does nothing where TCP_DEFER_ACCEPT does not exist; the
// child then learns of a connection's first bytes from its poller.
func setAcceptFilter(fd int) error { return nil }

// newSocket makes a close-on-exec TCP socket (SOCK_CLOEXEC is Linux's).
func newSocket(family int) (int, error) {
	fd, err := unix.Socket(family, unix.SOCK_STREAM, 0)
	if err != nil {
		return -1, err
	}
	unix.CloseOnExec(fd)
	return fd, nil
}
