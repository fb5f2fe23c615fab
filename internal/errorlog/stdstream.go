package errorlog

import (
	"fmt"
	"os"
	"syscall"
)

// stdStreams are the paths that name the process's own standard output
// and error.
var stdStreams = map[string]int{"/dev/stdout": 1, "/dev/stderr": 2, "/proc/self/fd/1": 1, "/proc/self/fd/2": 2}

// OpenAppend opens a log file at path for appending, creating it with
// mode 0644. /dev/stdout and /dev/stderr are not opened but duplicated
// from descriptors 1 and 2: under systemd they are sockets to the
// journal, which open(2) refuses with ENXIO, and in a container they are
// pipes; a duplicate works for every kind, and every reopen (graceful
// restart) makes a fresh one.
func OpenAppend(path string) (*os.File, error) {
	if fd, ok := stdStreams[path]; ok {
		return dupStream(fd, path)
	}
	return os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
}

// dupStream duplicates descriptor fd, close-on-exec (under ForkLock, so
// no child started meanwhile inherits it by accident).
func dupStream(fd int, path string) (*os.File, error) {
	syscall.ForkLock.RLock()
	nfd, err := syscall.Dup(fd)
	if err == nil {
		syscall.CloseOnExec(nfd)
	}
	syscall.ForkLock.RUnlock()
	if err != nil {
		return nil, fmt.Errorf("duplicate %s: %w", path, os.NewSyscallError("dup", err))
	}
	return os.NewFile(uintptr(nfd), path), nil
}
