package ipc

import "os"

// NameEnv is the environment variable that carries the supervisor's
// process name to a child (ProcessName). The supervisor starts children
// from /proc/self/exe, so that they run its own binary image even once a
// package upgrade replaced the file at its path; the kernel then names
// them after that path's last element, "exe", in /proc/PID/comm, which is
// what ps -C, pgrep -x, top and killall match. Apache's children are
// forks and carry httpd's name; a child renames itself (AdoptName) to
// match.
const NameEnv = "EVENTMPM_CHILD_NAME"

// AdoptName gives this process the name NameEnv carries, as early as it
// can (package main's init, which runs on the main thread: the main
// thread's name is the one ps and pgrep read), and unsets the variable.
// It does nothing without the variable or where SetProcessName cannot.
func AdoptName(lookup func(string) (string, bool)) {
	name, ok := lookup(NameEnv)
	if !ok {
		return
	}
	os.Unsetenv(NameEnv)
	if name != "" {
		_ = SetProcessName(name) // a child unnamed still serves
	}
}
