//go:build !linux

package ipc

// ProcessName returns "": children are started from the binary's path
// where there is no /proc/self/exe, and carry its name already.
func ProcessName() string { return "" }

// SetProcessName does nothing: see ProcessName.
func SetProcessName(string) error { return nil }
