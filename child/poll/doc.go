// Package poll is the child's readiness poller: epoll on Linux, kqueue on the
// BSDs and macOS, behind one documented contract.
//
// # Contract
//
// Every platform file implements the same methods on Poller:
//
//   - New() creates the poller and its wake-up channel (an eventfd on Linux,
//     an EVFILT_USER event on kqueue).
//   - AddListener(fd) watches a listening socket, level-triggered, for
//     readability; on Linux with EPOLLEXCLUSIVE, so that of several children
//     polling the same inherited socket only one is woken per connection.
//     RemoveListener(fd) stops watching it (accept gating).
//   - AddConn(fd) registers a connection once, edge-triggered, for
//     readability and peer hang-up. It stays registered until the descriptor
//     is closed: ownership moves between the event loop and the workers
//     without any further system call.
//   - WatchWritable(fd) adds edge-triggered writability to a registered
//     connection; it is called the first time a write would block, and the
//     interest then stays.
//   - Wait(events, timeout) fills events with ready descriptors. It first
//     harvests without blocking; when nothing is ready it parks the calling
//     goroutine on the poller's own descriptor through the Go runtime's
//     network poller (the epoll and kqueue descriptors are themselves
//     pollable), so that no OS thread is blocked in epoll_wait and the
//     hand-off to worker goroutines stays on the same thread where the
//     scheduler allows. A negative timeout waits until an event or a Wake; 0
//     never blocks. It returns the number of events; 0 means the timeout ran
//     out or Wake was called.
//   - Wake() makes the current or next Wait return. Calls are coalesced: only
//     the first Wake after a Wait costs a system call.
//
// Events are hints: an event may be stale (its descriptor closed and reused
// since) or spurious, so the caller always confirms readiness by reading or
// writing until EAGAIN. Wait is called from one goroutine at a time; Wake,
// WatchWritable and AddConn are safe from any goroutine.
//
// It imports only the standard library, golang.org/x/sys/unix and
// internal/rawsys (its polls with a zero timeout are raw system calls).
package poll

// Flags describe what an Event reports.
type Flags uint8

// Event flags.
const (
	// Readable: data (or a pending connection, for a listener) can be read.
	Readable Flags = 1 << iota
	// Writable: the send buffer has room.
	Writable
	// Hangup: the peer closed its side or the connection failed.
	Hangup
	// Error: the descriptor has an error pending.
	Error
)

// Event is one ready descriptor.
type Event struct {
	Fd    int32
	Flags Flags
}

// parked carries Wait's arguments and results through the runtime's
// RawConn.Read callback without a closure allocation per call.
type parked struct {
	events []Event
	n      int
	err    error
}
