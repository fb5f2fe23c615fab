// Package ipc is the wire between the supervisor and its children: the
// manifest that says which inherited descriptor is which, the control pipe
// (the "pipe of death"), the readiness byte and parent-death detection.
//
// It imports only the standard library and golang.org/x/sys/unix.
package ipc
