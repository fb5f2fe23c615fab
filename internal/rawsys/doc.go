// Package rawsys makes the system calls of the data path that never sleep
// in the kernel (reads and writes on non-blocking descriptors, closes of
// sockets, polls with a zero timeout, sendfile of a range the page cache
// holds, which Resident tells) as raw system calls.
//
// The syscall package's ordinary entry tells the Go runtime that the thread
// may block: the processor is marked as in a system call, and when the
// runtime's monitor thread (sysmon) is in its deep sleep, because the
// process was idle, the first such call wakes it. It then polls every 20 µs
// for a millisecond before it backs off again. A child that shares a core
// with another process goes idle and busy again many times a second, and
// each time its first system call bought some fifty extra context switches
// (measured: 0.08 nanosleep, 0.02 to 0.1 futex and 0.2 to 0.3 context
// switches per request in the harness's two-children setup). A raw call
// skips the bookkeeping, which is correct only for calls that return at once.
//
// It is a leaf: it imports only the standard library and golang.org/x/sys.
package rawsys
