//go:build linux || freebsd || dragonfly

package rawsys

import "golang.org/x/sys/unix"

// Yield offers the processor to another runnable thread on this CPU:
// sched_yield(2), which returns at once when no other thread waits.
// macOS has no such system call.
func Yield() { unix.RawSyscall(unix.SYS_SCHED_YIELD, 0, 0, 0) }
