// Package child is one eventmpm child process: it adopts the inherited
// descriptors, attaches its scoreboard slots, and runs the single event loop
// and the pool of worker goroutines that serve HTTP/1.1.
//
// # System calls per request
//
// The data path is counted in system calls, because on loopback most of a
// request's CPU time is the kernel's (see BENCHMARKS.md). With the open-file
// cache warm:
//
//   - A keep-alive request for a small file (at most 64 KiB, kept in
//     memory): one read(2) and one writev(2) of head and body. The event
//     goroutine's epoll_wait(2) is shared by every connection that became
//     readable meanwhile, and no epoll_ctl(2) is made: connections are
//     registered once, edge-triggered.
//   - A larger file: the head with sendmsg(2) and MSG_MORE, so it leaves in
//     the same segment as the body, then sendfile(2) from the cached
//     descriptor; under EnableSendfile Off, pread(2) of 64 KiB pieces into
//     the worker's buffer and write(2) of each.
//   - A Connection: close request: accept4(2), recvmsg(2), writev(2),
//     close(2). The connection never enters the poller (TCP_DEFER_ACCEPT
//     had its request there first), and its first read takes the kernel's
//     receive timestamp (SO_TIMESTAMPNS), which stands for the request's
//     arrival, so that a cache sync that started after it covers the
//     request and most requests need no sync of their own.
//
// # Hand-off to the workers
//
// The event goroutine queues ready connections in a handoff and wakes one
// parked worker per batch; a worker that takes a connection and leaves
// more behind wakes one more, and a worker that finishes a connection takes
// the next queued one before it parks. On the child's CPU share one worker
// thus serves a whole batch of ready connections without a goroutine
// switch between them (see handoff for the measurements).
//
// The calls that never sleep in the kernel are made as raw system calls
// (internal/rawsys): reads and writes on the non-blocking connection
// sockets, accept4 on the non-blocking listeners, the close of a socket,
// and every poll with a zero timeout, the event loop's and the open-file
// cache's. The runtime then never hears of them, and a child that was idle
// does not wake the runtime's monitor thread with its first call (see
// rawsys for what that cost). sendfile is a raw call when the range it
// sends is all in the page cache (cachestat(2), Linux 6.5), an ordinary one
// otherwise, because it can then wait on a disk read; pread is always an
// ordinary call. sched_yield is raw too: when the
// live children outnumber the CPUs a child may use, an event loop that has
// found work in every poll for 300 µs offers its core to a sibling, which
// would otherwise wait for the kernel's next tick. Such children also leave
// new connections to the siblings in lower scoreboard slots, as many as
// there are CPUs, while those accept (share.go).
package child
