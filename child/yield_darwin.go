//go:build darwin

package child

// yieldCPU does nothing on macOS, which has no sched_yield system call
// (its libc makes a Mach trap); see loop.wait.
func yieldCPU() {}
