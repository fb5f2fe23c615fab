// Package sdnotify tells a service manager about the server's state with
// systemd's notify protocol (sd_notify(3)), written here rather than taken
// from a library: it is one datagram per state change.
//
// # Contract
//
// A service manager that starts eventmpm as Type=notify puts the path of a
// unix datagram socket in $NOTIFY_SOCKET; a name starting with '@' is in
// Linux's abstract namespace (the '@' stands for the leading NUL byte).
// Each [Notifier.Notify] sends one datagram of newline-separated
// KEY=VALUE assignments to it: READY=1, RELOADING=1, STOPPING=1,
// STATUS=text, MAINPID=pid, WATCHDOG=1, MONOTONIC_USEC=usec.
//
// [FromEnv] reads $NOTIFY_SOCKET (and $WATCHDOG_USEC, $WATCHDOG_PID) and
// unsets them, so that the processes the supervisor starts later — its
// children — never inherit them: only the supervisor, the service's main
// process, notifies. Without $NOTIFY_SOCKET it returns a nil *Notifier,
// on which every method is a no-op, so callers need no test.
//
// Sending never blocks the caller for long (a datagram socket; a full
// receive queue is an error, not a wait) and a failure is returned for the
// caller to log: a service manager that went away must not stop the server.
//
// It imports only the standard library and golang.org/x/sys/unix (for
// CLOCK_MONOTONIC, which systemd wants alongside RELOADING=1).
package sdnotify
