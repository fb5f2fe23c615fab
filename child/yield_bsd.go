//go:build freebsd || dragonfly

package child

import "eventmpm/internal/rawsys"

// yieldCPU offers the CPU to another runnable process; see loop.wait.
func yieldCPU() { rawsys.Yield() }
