// Package supervisor is eventmpm's parent process: it binds the listeners
// once, spawns children by re-executing the binary, reaps and replaces them,
// keeps the spare-thread targets, and runs graceful restarts and stops.
//
// # One loop
//
// Run drives everything from one select loop (STYLE.md convention 8):
// signals, child exits, child status bytes and a one-second tick are events
// on channels; nothing runs in signal context. Signals map to actions
// through one table (signalActions), and stopping children escalates
// through another (reclaimSteps, Apache's ap_reclaim_child_processes).
//
// # Generations
//
// Every restart starts a new generation. A graceful restart (USR1) reads
// and checks the new configuration first — a broken one is logged with its
// file and line and the running generation keeps serving — then starts the
// new generation's children, waits until they are ready, and only then
// tells the old ones to drain. A hard restart (HUP) checks the
// configuration too, then stops the children at once and resets the
// scoreboard's counters.
//
// # Scoreboard headroom
//
// The scoreboard has twice ServerLimit process slots, so children of an old
// generation draining after a graceful restart never take the slots the new
// generation needs (SPEC.md 0: the scoreboard is never silently full). When
// restarts come faster than old generations drain and even the headroom is
// used up, the oldest draining children are stopped hard to make room, with
// a log line; GracefulRestartTimeout bounds their draining as well. A
// child of the current generation that drains (MaxConnectionsPerChild,
// spare-thread maintenance) is never stopped to make room: a replacement
// that finds no free slot is owed and starts when a slot comes free.
//
// # Hung children
//
// A child's event loop bumps its heartbeat in the scoreboard about once a
// second. A ready child whose heartbeat is older than HangTimeout (10 s) is
// hung — stopped with SIGSTOP, or deadlocked — and is killed with SIGKILL
// and replaced.
//
// # Inherited sockets
//
// Instead of binding, the supervisor adopts listening sockets passed to it
// by systemd socket activation (SocketActivation, sd_listen_fds(3)) or by
// an old supervisor in a live upgrade; InheritListeners matches them to
// the Listen directives by local address and binds the rest. Adopted
// sockets are kept across restarts like bound ones (rebindListeners).
//
// # Live binary upgrade
//
// SIGUSR2 starts the binary now on disk as a new supervisor with the
// listening sockets, the scoreboard and a readiness pipe (upgrade.go).
// The new one shares the live scoreboard, claiming only slots no process
// holds, and at first readiness writes the PidFile and the header
// (upgraded.go); the old one then stops gracefully and leaves the
// PidFile. A new binary that fails, or is not ready within
// UpgradeTimeout, is stopped and the old one keeps serving. Only one of
// the two supervisors starts children at a time: the old one starts none
// while an upgrade runs, and none once it has handed over.
//
// # Piped logs
//
// Each distinct "|command" log target (ErrorLog or CustomLog) is one
// program started by the supervisor, which keeps both ends of its pipe and
// hands the write end to every child; a program that dies is started again
// on the same pipe, with a back-off while it keeps dying young. A graceful
// restart keeps an unchanged program and closes a retired one once no child
// holds its pipe (pipedlog.go).
//
// It never imports package child: the two meet only through ipc and shm.
package supervisor
