//go:build freebsd || dragonfly

package child

import "golang.org/x/sys/unix"

// yieldCPU offers the CPU to another runnable process (see loop.wait):
// sched_yield(2), raw, as rawsys makes its calls on Linux.
func yieldCPU() { unix.RawSyscall(unix.SYS_SCHED_YIELD, 0, 0, 0) }
