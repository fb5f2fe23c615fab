//go:build linux

package ipc

import (
	"os"
	"strings"
	"unsafe"

	"golang.org/x/sys/unix"
)

// commLen is the longest name the kernel keeps (TASK_COMM_LEN less the
// terminating NUL); a longer one is cut, by prctl and by the kernel's exec
// alike.
const commLen = 15

// ProcessName returns this process's name as the kernel keeps it
// (/proc/self/comm), or "" when it cannot be read: then /proc is not
// mounted and children are started from the binary's path, whose name
// they carry already.
func ProcessName() string {
	b, err := os.ReadFile("/proc/self/comm")
	if err != nil {
		return ""
	}
	return strings.TrimSuffix(string(b), "\n")
}

// SetProcessName names the calling thread name (prctl PR_SET_NAME), then
// every other thread of the process (/proc/self/task/TID/comm): the Go
// runtime started some before any of our code ran, and a thread the
// runtime starts later takes the name of the thread that starts it. A
// pass that finds a thread still unnamed (started meanwhile) is followed
// by another; a few are enough, as a renamed thread only starts renamed
// ones.
func SetProcessName(name string) error {
	if len(name) > commLen {
		name = name[:commLen]
	}
	p, err := unix.BytePtrFromString(name)
	if err != nil {
		return err
	}
	if err := unix.Prctl(unix.PR_SET_NAME, uintptr(unsafe.Pointer(p)), 0, 0, 0); err != nil {
		return os.NewSyscallError("prctl", err)
	}
	for range 3 {
		renamed, err := nameThreads(name)
		if err != nil || renamed == 0 {
			return err
		}
	}
	return nil
}

// nameThreads writes name to the comm of every thread that has another,
// and returns how many it renamed. A thread that ended meanwhile is
// skipped.
func nameThreads(name string) (int, error) {
	tasks, err := os.ReadDir("/proc/self/task")
	if err != nil {
		return 0, err
	}
	renamed := 0
	for _, task := range tasks {
		comm := "/proc/self/task/" + task.Name() + "/comm"
		if b, err := os.ReadFile(comm); err != nil || strings.TrimSuffix(string(b), "\n") == name {
			continue
		}
		f, err := os.OpenFile(comm, os.O_WRONLY, 0)
		if err != nil {
			continue
		}
		if _, err := f.WriteString(name); err == nil {
			renamed++
		}
		f.Close()
	}
	return renamed, nil
}
