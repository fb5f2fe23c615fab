// Package accesslog compiles Apache LogFormat strings and writes access log
// lines without blocking the event loop.
//
// # What it owns
//
//   - [Compile]: mod_log_config's format language (SPEC 1.4, 5.5). Every
//     directive of mod_log_config and mod_logio is accepted; those whose
//     data eventmpm does not have log "-" (%l, %{..}n, %{..}^ti,
//     %{..}^to, %^FB), as Apache does when the data is missing; so does
//     %L for a request without error log lines (Entry.LogID). %h logs
//     the IP (HostnameLookups is not supported). An unknown directive is an
//     error in Apache's words, "Unrecognized LogFormat directive %Y"; so is,
//     unlike Apache (which logs the bogus argument verbatim), an argument a
//     directive does not know ("%{min}T") or a missing one ("%i").
//   - [Format.Append]: one line for one [Entry], escaped as
//     ap_escape_logitem does (\xhh for non-printable bytes and bytes >=
//     0x80, \" \\ \n \t \r \b \v) in every item taken from the request or
//     response. It allocates nothing: strings are escaped straight into the
//     destination, headers are found by scanning the parsed request and the
//     response head in place, and %t copies a cached per-second stamp.
//   - [Log] and [Buffer]: one Log per CustomLog target, shared by the
//     workers of a child; one Buffer per worker.
//
// # Writing
//
// A worker formats into its private Buffer: no lock and no system call per
// request. The Buffer hands whole lines to the Log with one write(2) when
// it passes about 8 KiB, and when the worker calls Flush before it waits
// for work, so a quiet server's lines reach the file at once. Files are
// opened O_APPEND: on Linux the kernel appends each write(2) to a regular
// file as a unit, so lines from several children never interleave inside
// a line. Within a child, Go's os.File already serializes concurrent
// writes to one descriptor.
//
// Write failures (disk full, a read-only file system, a dead pipe) never
// reach the worker: the Log counts the dropped lines ([Log.Stats]),
// reports the first failure through Options.OnError at once, and then at
// most one [WriteError] summary per ErrorInterval, including one when
// writes succeed again.
//
// # Reopen safety
//
// [Log.Reopen] (after a graceful restart's log rotation) opens the path
// anew and swaps an atomic pointer to the current target while workers
// keep writing. Each target carries a reference count: one reference is
// the Log's own while the target is current, and a flush takes one for
// the duration of its write(2) (a CAS that fails once the count is zero,
// so a closed target is never revived). Reopen stores the new target
// before it drops the Log's reference to the old one, and the last
// reference closes the old descriptor. A flush that raced with the swap
// therefore either completes on the old file or, if it lost the race,
// reloads the pointer and writes to the new one: no line is lost, none is
// written to a closed or reused descriptor, and no worker ever waits for
// Reopen.
//
// # Piped logs
//
// Under the supervisor, a "|command" target is a program the parent runs
// once for all children (as Apache's piped logs): the child inherits the
// write end of its pipe ([OpenInherited]) and never starts or restarts
// the program; the parent keeps the read end, so lines written while the
// program is being restarted wait in the pipe. Writes to a pipe are cut
// at line boundaries into pieces of at most PIPE_BUF (4096) bytes, the
// size up to which the kernel never interleaves two writers, so lines
// from different children stay whole (a single line longer than that is
// the one exception). Reopen does nothing for a pipe, as in Apache.
//
// Without a supervisor (start -X), [Open] runs command with /bin/sh -c
// itself and writes to its stdin; if the program dies, the Log reports it
// and starts it again after a backoff (1 s, doubling up to 1 min while it
// keeps dying young); lines written meanwhile are dropped and counted.
// Close closes the pipe and waits up to 5 s for the program before
// killing it. A write blocks the flushing worker (never the event loop)
// while the pipe is full.
//
// # Imports
//
// The standard library and eventmpm/child/http1 (for the Request an Entry
// points to) only; no sockets, no config, no scoreboard.
package accesslog
