// Package shm is eventmpm's scoreboard: an mmap'd file with a documented
// byte layout in which every process publishes its state, read by the
// supervisor, the children's status page and `eventmpm status`.
//
// It knows nothing of HTTP, configuration syntax or process lifecycles, and
// imports only the standard library, github.com/edsrzf/mmap-go and
// golang.org/x/sys/unix.
//
// # Model
//
// Apache's scoreboard (include/scoreboard.h, SPEC.md 2) rebuilt as a real
// file that any process can map and read consistently (SPEC.md 0):
//
//   - The parent creates the file with Create and holds an exclusive
//     flock(2) on it while it runs; children inherit the descriptor and map
//     it with Attach, so the lock stays held while any of them lives. A
//     reader (OpenReadOnly) tells a live server from a leftover with
//     Running. Create reinitialises a file whose lock is free, whatever it
//     contains, and refuses one whose lock is held (*InUseError).
//   - Every state change is ONE CAS on a packed 64-bit state word per slot
//     (state.go documents the bits). Process slots are claimed by a CAS from
//     pid 0 to pid.
//   - Groups of fields that must be read together (a worker's counters and
//     text, a process's connection counters, the header's server info) sit
//     behind a per-slot sequence counter (seqlock): the writer makes it odd,
//     stores, makes it even; readers retry until they read between two equal
//     even values, so text is never torn. Every access to the mapping is a
//     sync/atomic operation; counters are atomic adds.
//   - Readers take a copy with Scoreboard.Snapshot.
//   - The "since" stamp of a worker's state word comes from a coarse clock
//     (clock.go) that a ticker advances while a writable Scoreboard is open,
//     so SetStatus costs a CAS and no clock read; it is exact to about a
//     second, which is all a whole-second field promises.
//   - Every field has one owning writer, listed below. A graceful restart
//     moves only the generation; a hard restart calls ResetCounters.
//
// The file holds no pointers. All multi-byte fields are in the writer's
// native byte order (checked by the byte-order word); all offsets are fixed;
// every 64-bit field is 8-aligned. Times are µs since the Unix epoch (0 =
// never) unless noted. Generations are stored modulo 2^24. Text is
// NUL-padded; a value that fills its field has no terminator. The layout
// test pins every offset below against unsafe.Offsetof.
//
// # Byte map, LayoutVersion 1
//
// The file is a header, then ServerLimit process slots, then
// ServerLimit×ThreadLimit worker slots, row-major by process slot:
//
//	offset                                     size
//	0                                          320                  header
//	320                                        80×ServerLimit       process slots
//	320+80×ServerLimit                         288×SL×TL            worker slots
//	total = 320 + 80×ServerLimit + 288×ServerLimit×ThreadLimit
//
// Worker (slot, thread) starts at 320 + 80×SL + 288×(slot×ThreadLimit+thread).
//
// Header (owner: the parent, written by Create unless noted):
//
//	off  size  field                 notes
//	0    8     magic                 "EVMPMSCB"; zeroed first and stored last by Create
//	8    4     version               LayoutVersion (1)
//	12   4     byte-order word       0x01020304 in the writer's byte order
//	16   4     ServerLimit           int32
//	20   4     ThreadLimit           int32
//	24   4     header size           320
//	28   4     process slot size     80
//	32   4     worker slot size      288
//	36   4     reserved              0
//	40   8     total file size       bytes
//	48   8     server start time     µs; the first start (Create)
//	56   8     restart time          µs; SetRestartTime, ResetCounters
//	64   4     parent pid            int32; Create, SetParentPID
//	68   4     running generation    SetGeneration
//	72   4     config generation     SetGeneration (generation+1)
//	76   4     reserved              0
//	80   8     parent CPU user       µs; SetParentCPU (getrusage RUSAGE_SELF)
//	88   8     parent CPU system     µs
//	96   8     children CPU user     µs; reaped children (RUSAGE_CHILDREN)
//	104  8     children CPU system   µs
//	112  8     info seqlock          covers 120..264; SetServerInfo
//	120  4     ThreadsPerChild       int32
//	124  4     ActiveDaemonsLimit    int32
//	128  4     MaxRequestWorkers     int32
//	132  4     ExtendedStatus        0 or 1
//	136  128   server name           text
//	264  56    reserved              0
//
// Process slot (SPEC.md 2.3):
//
//	off  size  field             owner
//	0    8     state word        pid+generation: parent (Claim/Release; the child may
//	                             Claim its own pid too); quiescing 0→1: child, 1→2: parent;
//	                             not_accepting: child's event loop
//	8    8     counters seqlock  covers 16..40
//	16   4     connections       child's event loop (SetConnCounts)
//	20   4     write_completion  "
//	24   4     keep_alive        "
//	28   4     lingering_close   "
//	32   4     suspended         "
//	36   4     wait_io           "
//	40   8     heartbeat         µs; child's event loop, about once a second
//	48   8     child start time  µs; Claim
//	56   8     accepted          connections accepted by this child; child
//	64   8     CPU user          µs; child, about once a second (getrusage)
//	72   8     CPU system        µs; "
//
// Worker slot (SPEC.md 2.4). Owner: the worker goroutine while its child
// lives; the parent after the child is reaped (MarkDead through Release) and
// on a hard restart (ResetCounters):
//
//	off  size  field             notes
//	0    8     state word        status | generation | since; Start, SetStatus, MarkDead
//	8    8     seqlock           covers 24..288
//	16   4     pid               Start; kept after MarkDead
//	20   4     reserved          0
//	24   8     conn_count        requests on the current connection
//	32   8     conn_bytes
//	40   8     access_count      cumulative per slot: survives children and graceful restarts
//	48   8     bytes_served      cumulative per slot
//	56   8     my_access_count   per child: zeroed by MarkDead
//	64   8     my_bytes_served   per child
//	72   8     start_time        µs; BeginRequest
//	80   8     stop_time         µs; EndRequest (start_time + duration of the request)
//	88   8     last_used         µs
//	96   8     duration          µs; sum of request times
//	104  8     last request time µs
//	112  64    client            text; SetRequestInfo
//	176  64    request           text; the request line, passwords removed by the caller
//	240  32    vhost             text; servername:port
//	272  16    protocol          text
//
// Worker statuses use Apache's numbers (Status, SPEC.md 2.5).
//
// # Failure modes
//
// A writer that dies in the middle of a seqlocked write leaves the counter
// odd. A reader waits on an odd counter while the writer's process exists
// (a preempted writer resumes), up to a second (a stopped one may not), and
// at once reports the slot as Torn if the process is gone; the next writer,
// or the parent's MarkDead after reaping, completes the cycle.
//
// Orphaned children keep the lock held after their parent died, so a new
// parent refuses the file until they are gone, which is right: they still
// serve the same ports. Reinitialising a file that a reader has mapped can
// shrink it under the reader; readers are short-lived and check the header
// when they map.
package shm
