package shm

import (
	"time"
	"unsafe"
)

// Snapshot is a copy of the whole scoreboard taken by Scoreboard.Snapshot.
// Each slot is internally consistent (its seqlocked fields come from one
// write); different slots may be a moment apart, as in any live reading.
type Snapshot struct {
	Layout           Layout
	Generation       int // running generation (modulo 2^24)
	ConfigGeneration int
	ParentPID        int
	StartTime        time.Time // first start (Create)
	RestartTime      time.Time // last start or hard restart
	ParentCPU        CPUTimes

	// From SetServerInfo.
	ServerName         string
	ThreadsPerChild    int
	ActiveDaemonsLimit int
	MaxRequestWorkers  int
	ExtendedStatus     bool

	// Processes has Layout.ServerLimit entries; Workers has
	// ServerLimit×ThreadLimit, row-major by process slot (WorkerAt).
	Processes []ProcessInfo
	Workers   []WorkerInfo
}

// ProcessInfo is a copy of one process slot.
type ProcessInfo struct {
	PID          int // 0: free slot
	Generation   int
	Quiescing    int // 0, 1 or 2
	NotAccepting bool

	Connections, WriteCompletion, KeepAlive, LingeringClose, Suspended, WaitIO int

	Heartbeat time.Time
	StartTime time.Time
	Accepted  int64
	CPUUser   time.Duration
	CPUSystem time.Duration
}

// WorkerInfo is a copy of one worker slot. The text fields are NUL-padded;
// Text trims them. Torn is set when the slot's writer died in the middle of
// an update: its counters and text are then unknown and left zero.
type WorkerInfo struct {
	Status     Status
	Generation int
	Since      time.Time // when Status last changed, to the second
	PID        int

	ConnCount, ConnBytes         int64
	AccessCount, BytesServed     int64 // cumulative per slot
	MyAccessCount, MyBytesServed int64 // per child
	StartTime, StopTime          time.Time
	LastUsed                     time.Time
	Duration                     time.Duration // sum of request times
	LastRequest                  time.Duration // time of the last request
	Torn                         bool

	Client   [ClientSize]byte
	Request  [RequestSize]byte
	VHost    [VHostSize]byte
	Protocol [ProtocolSize]byte
}

// WorkerAt returns the copy of thread thread of process slot slot.
func (s *Snapshot) WorkerAt(slot, thread int) *WorkerInfo {
	return &s.Workers[slot*s.Layout.ThreadLimit+thread]
}

// Snapshot copies the scoreboard into dst. Reusing dst allocates nothing
// after the first call, unless the server name changed.
func (s *Scoreboard) Snapshot(dst *Snapshot) {
	s.snapshotHeader(dst)
	if cap(dst.Processes) < len(s.procs) {
		dst.Processes = make([]ProcessInfo, len(s.procs))
	}
	dst.Processes = dst.Processes[:len(s.procs)]
	for i := range s.procs {
		s.procs[i].copyTo(&dst.Processes[i])
	}
	if cap(dst.Workers) < len(s.workers) {
		dst.Workers = make([]WorkerInfo, len(s.workers))
	}
	dst.Workers = dst.Workers[:len(s.workers)]
	for i := range s.workers {
		s.workers[i].copyTo(&dst.Workers[i])
	}
}

func (s *Scoreboard) snapshotHeader(dst *Snapshot) {
	h := s.h
	dst.Layout = s.layout
	dst.Generation = int(h.generation.Load())
	dst.ConfigGeneration = int(h.configGen.Load())
	dst.ParentPID = int(h.parentPID.Load())
	dst.StartTime = fromMicros(h.startTime.Load())
	dst.RestartTime = fromMicros(h.restartTime.Load())
	dst.ParentCPU = s.ParentCPU()

	var info ServerInfo
	var name [ServerNameSize]byte
	s.readInfo(&info, name[:])
	dst.ThreadsPerChild = info.ThreadsPerChild
	dst.ActiveDaemonsLimit = info.ActiveDaemonsLimit
	dst.MaxRequestWorkers = info.MaxRequestWorkers
	dst.ExtendedStatus = info.ExtendedStatus
	if n := Text(name[:]); dst.ServerName != unsafe.String(unsafe.SliceData(n), len(n)) {
		dst.ServerName = string(n)
	}
}

func (p *Process) copyTo(d *ProcessInfo) {
	s := p.p
	w := s.state.Load()
	d.PID = procPID(w)
	d.Generation = int(procGen(w))
	d.Quiescing = procQuiescing(w)
	d.NotAccepting = procNotAccepting(w)
	ok := seqRead(&s.seq, d.PID, func() {
		d.Connections = int(s.connections.Load())
		d.WriteCompletion = int(s.writeCompletion.Load())
		d.KeepAlive = int(s.keepAlive.Load())
		d.LingeringClose = int(s.lingeringClose.Load())
		d.Suspended = int(s.suspended.Load())
		d.WaitIO = int(s.waitIO.Load())
	})
	if !ok {
		d.Connections, d.WriteCompletion, d.KeepAlive, d.LingeringClose, d.Suspended, d.WaitIO = 0, 0, 0, 0, 0, 0
	}
	d.Heartbeat = fromMicros(s.heartbeat.Load())
	d.StartTime = fromMicros(s.startTime.Load())
	d.Accepted = s.accepted.Load()
	d.CPUUser = time.Duration(s.cpuUser.Load()) * time.Microsecond
	d.CPUSystem = time.Duration(s.cpuSystem.Load()) * time.Microsecond
}

func (w *Worker) copyTo(d *WorkerInfo) {
	st := w.state.Load()
	d.Status = workerStatus(st)
	d.Generation = int(workerGen(st))
	d.Since = sinceTime(workerSince(st))
	d.PID = int(w.pid.Load())
	d.Torn = !seqRead(&w.seq, d.PID, func() { w.copyCounters(d) })
	if d.Torn {
		*d = WorkerInfo{Status: d.Status, Generation: d.Generation, Since: d.Since, PID: d.PID, Torn: true}
	}
}

func (w *Worker) copyCounters(d *WorkerInfo) {
	d.ConnCount = w.connCount.Load()
	d.ConnBytes = w.connBytes.Load()
	d.AccessCount = w.accessCount.Load()
	d.BytesServed = w.bytesServed.Load()
	d.MyAccessCount = w.myAccess.Load()
	d.MyBytesServed = w.myBytes.Load()
	d.StartTime = fromMicros(w.startTime.Load())
	d.StopTime = fromMicros(w.stopTime.Load())
	d.LastUsed = fromMicros(w.lastUsed.Load())
	d.Duration = time.Duration(w.duration.Load()) * time.Microsecond
	d.LastRequest = time.Duration(w.reqTime.Load()) * time.Microsecond
	loadText(d.Client[:], w.client[:])
	loadText(d.Request[:], w.request[:])
	loadText(d.VHost[:], w.vhost[:])
	loadText(d.Protocol[:], w.protocol[:])
}
