package errorlog

import "syscall"

// gettid is the OS thread's id, for %{g}T.
func gettid() int { return syscall.Gettid() }
