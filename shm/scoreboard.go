package shm

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"time"
	"unsafe"

	mmap "github.com/edsrzf/mmap-go"
	"golang.org/x/sys/unix"
)

// Scoreboard is a mapped scoreboard file. Its methods are safe for
// concurrent use by any number of goroutines and processes, within the
// ownership rules of doc.go. A read-only Scoreboard (OpenReadOnly) must not
// be written: its pages are mapped PROT_READ and a write faults.
type Scoreboard struct {
	f        *os.File
	m        mmap.MMap
	h        *header
	layout   Layout
	procs    []Process
	workers  []Worker // the worker array, in place in the mapping
	readOnly bool
	ticking  bool // holds a reference on the coarse clock
	closed   atomic.Bool
}

// ServerInfo is what the parent publishes about its configuration so that
// `eventmpm status` can render the status page without reading the config.
type ServerInfo struct {
	ServerName         string // truncated to ServerNameSize bytes
	ThreadsPerChild    int
	ActiveDaemonsLimit int // MaxRequestWorkers / ThreadsPerChild, after clamping
	MaxRequestWorkers  int
	ExtendedStatus     bool
}

// CPUTimes are the parent's CPU times, as getrusage(2) RUSAGE_SELF (User,
// System) and RUSAGE_CHILDREN (ChildrenUser, ChildrenSystem: children that
// have been reaped). They feed ?auto's CPUUser..CPUChildrenSystem.
type CPUTimes struct {
	User, System, ChildrenUser, ChildrenSystem time.Duration
}

func newScoreboard(f *os.File, m mmap.MMap, l Layout) *Scoreboard {
	s := &Scoreboard{f: f, m: m, layout: l, h: (*header)(unsafe.Pointer(&m[0]))}
	s.workers = unsafe.Slice((*Worker)(unsafe.Pointer(&m[l.workerOffset()])), l.Workers())
	slots := unsafe.Slice((*processSlot)(unsafe.Pointer(&m[l.processOffset()])), l.ServerLimit)
	s.procs = make([]Process, l.ServerLimit)
	for i := range s.procs {
		s.procs[i] = Process{p: &slots[i], workers: s.workers[i*l.ThreadLimit : (i+1)*l.ThreadLimit], index: i}
	}
	return s
}

// init zeroes the whole file and writes a fresh header. The magic is cleared
// first and stored last, so a concurrent reader never accepts a half-written
// header.
func (s *Scoreboard) init(now time.Time) {
	h := s.h
	h.magic.Store(0)
	clear(s.m[8:])
	s.storeLayout()
	h.startTime.Store(micros(now))
	h.restartTime.Store(micros(now))
	h.parentPID.Store(int32(os.Getpid()))
	h.configGen.Store(1)
	h.magic.Store(magicWord)
}

// storeLayout writes the header's layout words: version, byte order,
// limits and sizes.
func (s *Scoreboard) storeLayout() {
	h := s.h
	h.version.Store(LayoutVersion)
	h.byteOrder.Store(byteOrderMark)
	h.serverLimit.Store(int32(s.layout.ServerLimit))
	h.threadLimit.Store(int32(s.layout.ThreadLimit))
	h.headerSize.Store(HeaderSize)
	h.processSize.Store(ProcessSize)
	h.workerSize.Store(WorkerSize)
	h.totalSize.Store(uint64(s.layout.Size()))
}

// writable marks s as a writer's view, which keeps the coarse clock running.
func (s *Scoreboard) writable() {
	s.ticking = true
	startClock()
}

// Layout returns the scoreboard's layout.
func (s *Scoreboard) Layout() Layout { return s.layout }

// File returns the scoreboard's open file, for the parent to hand to its
// children (exec.Cmd.ExtraFiles); a child passes it to Attach.
func (s *Scoreboard) File() *os.File { return s.f }

// Close unmaps the scoreboard and closes its file. In the parent this
// releases the liveness lock unless children still hold the inherited
// descriptor. Neither s (Snapshot included) nor any *Worker or *Process of
// s may be used afterwards: the memory is gone.
func (s *Scoreboard) Close() error {
	if s.closed.Swap(true) {
		return nil
	}
	if s.ticking {
		stopClock()
	}
	err := s.m.Unmap()
	if err != nil {
		err = os.NewSyscallError("munmap", err)
	}
	if cerr := s.f.Close(); err == nil {
		err = cerr
	}
	return err
}

// Running reports whether a live server holds the scoreboard's lock. For a
// Scoreboard from Create or Attach that is this process (or the one that
// shares its descriptor), so it is true. For a read-only one it probes the
// lock with a non-blocking shared flock(2): if the probe succeeds, nobody
// holds the exclusive lock and the file is a leftover. An unexpected error
// counts as running, so a status reader shows the data rather than declare
// a possibly live server dead.
func (s *Scoreboard) Running() bool {
	if s.closed.Load() {
		return false
	}
	if !s.readOnly {
		return true
	}
	err := flock(s.f, unix.LOCK_SH|unix.LOCK_NB)
	if err == nil {
		flock(s.f, unix.LOCK_UN)
		return false
	}
	return true
}

// StartTime returns when the server first started: when Create made the file.
func (s *Scoreboard) StartTime() time.Time { return fromMicros(s.h.startTime.Load()) }

// RestartTime returns restart_time: the last start or hard restart (Uptime
// in mod_status counts from it).
func (s *Scoreboard) RestartTime() time.Time { return fromMicros(s.h.restartTime.Load()) }

// SetRestartTime sets restart_time. Owner: the parent.
func (s *Scoreboard) SetRestartTime(t time.Time) { s.h.restartTime.Store(micros(t)) }

// ParentPID returns the parent pid in the header.
func (s *Scoreboard) ParentPID() int { return int(s.h.parentPID.Load()) }

// SetParentPID records the parent's pid; Create records the creating
// process's, so only a parent that changes pid after Create calls this.
func (s *Scoreboard) SetParentPID(pid int) { s.h.parentPID.Store(int32(pid)) }

// Generation returns running_generation: the generation that should be
// serving, modulo 2^24.
func (s *Scoreboard) Generation() int { return int(s.h.generation.Load()) }

// ConfigGeneration returns how many configurations the parent has loaded:
// Generation()+1, as Apache's ParentServerConfigGeneration.
func (s *Scoreboard) ConfigGeneration() int { return int(s.h.configGen.Load()) }

// SetGeneration sets running_generation (modulo 2^24) on every restart,
// graceful or not. eventmpm loads exactly one configuration per generation,
// so the config generation becomes gen+1. Owner: the parent.
func (s *Scoreboard) SetGeneration(gen int) {
	s.h.generation.Store(maskGen(gen))
	s.h.configGen.Store(uint32(gen + 1))
}

// SetServerInfo publishes the parent's configuration summary, behind the
// header's seqlock. Owner: the parent, at each start and restart.
func (s *Scoreboard) SetServerInfo(info ServerInfo) {
	h := s.h
	seq := seqBegin(&h.infoSeq)
	h.threadsPC.Store(int32(info.ThreadsPerChild))
	h.activeLimit.Store(int32(info.ActiveDaemonsLimit))
	h.maxWorkers.Store(int32(info.MaxRequestWorkers))
	var ext uint32
	if info.ExtendedStatus {
		ext = 1
	}
	h.extended.Store(ext)
	storeText(h.serverName[:], unsafe.Slice(unsafe.StringData(info.ServerName), len(info.ServerName)))
	seqEnd(&h.infoSeq, seq)
}

// ServerInfo returns what SetServerInfo published.
func (s *Scoreboard) ServerInfo() ServerInfo {
	var name [ServerNameSize]byte
	var info ServerInfo
	s.readInfo(&info, name[:])
	info.ServerName = string(Text(name[:]))
	return info
}

// readInfo copies the seqlocked header fields; name receives the raw
// server-name bytes.
func (s *Scoreboard) readInfo(info *ServerInfo, name []byte) {
	h := s.h
	seqRead(&h.infoSeq, int(h.parentPID.Load()), func() {
		info.ThreadsPerChild = int(h.threadsPC.Load())
		info.ActiveDaemonsLimit = int(h.activeLimit.Load())
		info.MaxRequestWorkers = int(h.maxWorkers.Load())
		info.ExtendedStatus = h.extended.Load() != 0
		loadText(name, h.serverName[:])
	})
}

// SetParentCPU publishes the parent's CPU times. Owner: the parent, about
// once a second.
func (s *Scoreboard) SetParentCPU(c CPUTimes) {
	s.h.cpuUser.Store(c.User.Microseconds())
	s.h.cpuSystem.Store(c.System.Microseconds())
	s.h.cpuCUser.Store(c.ChildrenUser.Microseconds())
	s.h.cpuCSystem.Store(c.ChildrenSystem.Microseconds())
}

// ParentCPU returns what SetParentCPU published.
func (s *Scoreboard) ParentCPU() CPUTimes {
	return CPUTimes{
		User:           time.Duration(s.h.cpuUser.Load()) * time.Microsecond,
		System:         time.Duration(s.h.cpuSystem.Load()) * time.Microsecond,
		ChildrenUser:   time.Duration(s.h.cpuCUser.Load()) * time.Microsecond,
		ChildrenSystem: time.Duration(s.h.cpuCSystem.Load()) * time.Microsecond,
	}
}

// ResetCounters zeroes every process and worker slot and sets restart_time
// to now: what a hard restart (SIGHUP) does to Apache's scoreboard (SPEC.md
// 2.1). A graceful restart must not call it; counters carry on and only the
// generation moves. Owner: the parent, with no child alive. Sequence
// counters are not zeroed, so a concurrent reader still sees a consistent
// (old or zero) slot.
func (s *Scoreboard) ResetCounters() {
	for i := range s.procs {
		s.procs[i].reset()
	}
	for i := range s.workers {
		s.workers[i].reset()
	}
	s.SetRestartTime(time.Now())
}

// ErrSlot reports a slot or thread index outside the layout.
var ErrSlot = errors.New("shm: slot out of range")

// Process returns process slot slot (0 ≤ slot < ServerLimit). An index out
// of range is a broken invariant in the caller and panics with ErrSlot.
func (s *Scoreboard) Process(slot int) *Process {
	if slot < 0 || slot >= len(s.procs) {
		panic(fmt.Errorf("%w: process %d of %d", ErrSlot, slot, len(s.procs)))
	}
	return &s.procs[slot]
}

// Worker returns the worker slot of thread thread in process slot slot. An
// index out of range panics with ErrSlot.
func (s *Scoreboard) Worker(slot, thread int) *Worker {
	if slot < 0 || slot >= s.layout.ServerLimit || thread < 0 || thread >= s.layout.ThreadLimit {
		panic(fmt.Errorf("%w: worker %d/%d of %d/%d", ErrSlot, slot, thread, s.layout.ServerLimit, s.layout.ThreadLimit))
	}
	return &s.workers[slot*s.layout.ThreadLimit+thread]
}
