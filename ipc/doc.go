// Package ipc is the wire between the supervisor and its children: the
// manifest that says which inherited descriptor is which, the control pipe
// (eventmpm's "pipe of death"), the status pipe that carries the readiness
// byte, and parent-death detection.
//
// # The hand-over
//
// The supervisor starts a child by re-executing its own binary with the
// environment variable ManifestEnv set to the number of an inherited
// descriptor: the read end of a pipe on which the parent writes one JSON
// Manifest and closes it. The manifest names every other inherited
// descriptor (listeners, the scoreboard file, the control and status pipes)
// and carries the serialised configuration of the child's generation, so a
// child never re-reads configuration files that may have changed since.
//
// The supervisor starts children from /proc/self/exe, its own binary image
// even once the file at its path was replaced, and the kernel names them
// "exe" after it. NameEnv carries the supervisor's name along; a child
// takes it (AdoptName) before its main function runs, so ps -C, pgrep -x,
// top and killall see children named as their supervisor, as Apache's
// forked children are.
//
// # The control pipe
//
// Each child has its own control pipe (unlike Apache's shared pipe of death,
// the parent picks exactly which child a command reaches). The parent writes
// one byte per command: CommandGraceful ('!', Apache's
// AP_MPM_PODX_GRACEFUL_CHAR), CommandStop ('$', AP_MPM_PODX_RESTART_CHAR)
// and CommandReopenLogs. The parent holds the only write end, so end of file
// on the child's read end means the parent is gone: the child then stops
// gracefully by itself (no orphan keeps serving without a supervisor).
//
// # The status pipe
//
// The child writes StatusReady once its listeners are in its event loop and
// its workers run; the supervisor waits for that byte before it tells an
// old generation to drain. The pipe's end of file tells the parent the child
// is gone even before the process is reaped.
//
// It imports only the standard library and golang.org/x/sys/unix.
package ipc
