package status

import (
	"time"

	"eventmpm/shm"
)

// ticksPerSecond is the clock-tick unit of Apache's CPU figures (sysconf
// _SC_CLK_TCK on Linux). CPU times are converted to whole ticks first so the
// numbers look like Apache's (".25", not ".253117").
const ticksPerSecond = 100

func ticks(d time.Duration) int64 { return int64(d / (time.Second / ticksPerSecond)) }

// summary is one pass of mod_status's aggregation over a snapshot (SPEC.md
// 5.3).
type summary struct {
	uptime uint32 // seconds since restart_time

	// Workers of children that have a pid and are not quiescing.
	busy, graceful, idle int

	// Process slots with a pid.
	processes, stopping, oldGen                      int
	conns, waitIO, writing, keepAlive, closing, susp int

	// ExtendedStatus totals.
	accesses, kbytes, durationMS       int64
	cpuUser, cpuSys, cpuCUser, cpuCSys int64 // ticks
}

// threads is one process's thread columns in the async table.
type threads struct{ busy, graceful, idle int }

// summarize aggregates snap as mod_status's status_handler does.
func summarize(snap *shm.Snapshot, info *Info) summary {
	var s summary
	if d := info.Now.Sub(snap.RestartTime); d > 0 && !snap.RestartTime.IsZero() {
		s.uptime = uint32(d / time.Second)
	}
	var bcount int64
	var durationUS int64
	for slot := range snap.Processes {
		p := &snap.Processes[slot]
		s.addProcess(snap, p)
		for th := range snap.Layout.ThreadLimit {
			w := snap.WorkerAt(slot, th)
			if p.PID != 0 && p.Quiescing == 0 {
				s.addWorker(snap, p, w)
			}
			if info.ExtendedStatus && (w.AccessCount != 0 || (w.Status != shm.Ready && w.Status != shm.Dead)) {
				s.accesses += w.AccessCount
				bcount += w.BytesServed
				if bcount >= kbyte {
					s.kbytes += bcount >> 10
					bcount &= 0x3ff
				}
				durationUS += w.Duration.Microseconds()
			}
		}
	}
	s.durationMS = durationUS / 1000
	pc := snap.ParentCPU
	s.cpuUser += ticks(pc.User)
	s.cpuSys += ticks(pc.System)
	s.cpuCUser = ticks(pc.ChildrenUser)
	s.cpuCSys = ticks(pc.ChildrenSystem)
	return s
}

func (s *summary) addProcess(snap *shm.Snapshot, p *shm.ProcessInfo) {
	if p.PID == 0 {
		return
	}
	s.processes++
	if p.Quiescing != 0 {
		s.stopping++
	}
	if p.Generation != snap.Generation {
		s.oldGen++
	}
	s.conns += p.Connections
	s.waitIO += p.WaitIO
	s.writing += p.WriteCompletion
	s.keepAlive += p.KeepAlive
	s.closing += p.LingeringClose
	s.susp += p.Suspended
	s.cpuUser += ticks(p.CPUUser)
	s.cpuSys += ticks(p.CPUSystem)
}

// addWorker counts a worker of a serving child: Ready as idle (only in the
// current generation), Graceful as graceful, everything but Dead, Starting
// and IdleKill as busy (mod_status 2.4.58+).
func (s *summary) addWorker(snap *shm.Snapshot, p *shm.ProcessInfo, w *shm.WorkerInfo) {
	switch {
	case w.Status == shm.Ready:
		if p.Generation == snap.Generation {
			s.idle++
		}
	case w.Status == shm.Graceful:
		s.graceful++
	case w.Status.Busy():
		s.busy++
	}
}

// processThreads counts one process's workers for its row of the async
// table. Unlike the summary counters, a stopping child's threads are shown:
// they are exactly what an operator looks for in that row (SPEC.md 7, #2).
func processThreads(snap *shm.Snapshot, slot int) threads {
	var t threads
	for th := range snap.Layout.ThreadLimit {
		switch st := snap.WorkerAt(slot, th).Status; {
		case st == shm.Ready:
			t.idle++
		case st == shm.Graceful:
			t.graceful++
		case st.Busy():
			t.busy++
		}
	}
	return t
}

func (s *summary) cpuTotal() int64 { return s.cpuUser + s.cpuSys + s.cpuCUser + s.cpuCSys }

// The derived figures, computed in C float as mod_status does so the
// printed digits match Apache's.

func (s *summary) cpuSeconds(t int64) float64 { return float64(float32(t) / ticksPerSecond) }

func (s *summary) cpuLoad() float64 {
	return float64(float32(s.cpuTotal())/ticksPerSecond/float32(s.uptime)) * 100
}

func (s *summary) reqPerSec() float64 { return float64(float32(s.accesses) / float32(s.uptime)) }

func (s *summary) bytesPerSec() float64 {
	return float64(kbyte * float32(s.kbytes) / float32(s.uptime))
}

func (s *summary) bytesPerReq() float64 {
	return float64(kbyte * float32(s.kbytes) / float32(s.accesses))
}

func (s *summary) msPerReq() float64 { return float64(float32(s.durationMS) / float32(s.accesses)) }

// scoreboardLetter returns the letter of one worker slot, or 0 for a Dead
// slot beyond the active-daemons limit or ThreadsPerChild, which mod_status
// leaves out (its SERVER_DISABLED).
func scoreboardLetter(snap *shm.Snapshot, slot, thread int) byte {
	st := snap.WorkerAt(slot, thread).Status
	if st == shm.Dead && (slot >= activeLimit(snap) || thread >= threadsPerChild(snap)) {
		return 0
	}
	return st.Letter()
}

// activeLimit and threadsPerChild fall back to the layout when the parent
// has not published its configuration.
func activeLimit(snap *shm.Snapshot) int {
	if n := snap.ActiveDaemonsLimit; n > 0 && n <= snap.Layout.ServerLimit {
		return n
	}
	return snap.Layout.ServerLimit
}

func threadsPerChild(snap *shm.Snapshot) int {
	if n := snap.ThreadsPerChild; n > 0 && n <= snap.Layout.ThreadLimit {
		return n
	}
	return snap.Layout.ThreadLimit
}
