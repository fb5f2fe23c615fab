//go:build !linux

package supervisor

// setAcceptFilter does nothing where TCP_DEFER_ACCEPT does not exist; the
// child then learns of a connection's first bytes from its poller.
func setAcceptFilter(fd int) error { return nil }
