//go:build !linux

package errorlog

// gettid is the OS thread's id, for %{g}T: none here (the item is empty).
func gettid() int { return 0 }
