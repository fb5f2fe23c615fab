// Package poll is the child's readiness poller: epoll on Linux, kqueue on the
// BSDs and macOS, behind one documented contract.
//
// It imports only the standard library and golang.org/x/sys/unix.
package poll
