package shm

import "time"

// Process is a handle on one process slot (SPEC.md 2.3) and its row of
// worker slots. Get it from Scoreboard.Process; it stays valid until the
// Scoreboard is closed.
//
// Owners: the parent claims and releases the slot and moves quiescing from 1
// to 2; the child moves quiescing from 0 to 1 and writes everything else
// (not_accepting, the connection counters, heartbeat, accepted, CPU).
type Process struct {
	p       *processSlot
	workers []Worker
	index   int
}

// Slot returns the slot's index.
func (p *Process) Slot() int { return p.index }

// Worker returns the worker slot of thread thread in this process's row.
func (p *Process) Worker(thread int) *Worker { return &p.workers[thread] }

// Claim takes the free slot for pid, recording generation, with one CAS on
// the state word (pid 0 → pid). It reports false if another pid holds the
// slot. Claiming again with the same pid succeeds and changes nothing, so
// the parent (after fork/exec) and the child (at start) may both claim, in
// either order. Bits the child set before the parent's claim are kept.
func (p *Process) Claim(pid, generation int) bool {
	if pid <= 0 {
		return false
	}
	for {
		old := p.p.state.Load()
		switch procPID(old) {
		case pid:
			return true
		case 0:
		default:
			return false
		}
		nw := old&^(procPIDMask|generationMask<<procGenShift) | packProcess(pid, maskGen(generation), 0, false)
		if p.p.state.CompareAndSwap(old, nw) {
			now := micros(time.Now())
			p.p.startTime.Store(now)
			p.p.heartbeat.Store(now)
			return true
		}
	}
}

// Release frees the slot after the parent reaped its child: every worker
// slot of the row still not Dead is marked Dead (MarkDead), the per-child
// counters of those already Dead are cleared too (a worker that went Dead
// by SetStatus skipped that), the process counters are zeroed, and the
// state word is cleared last, so the slot can only be claimed again once it
// is clean. Owner: the parent.
func (p *Process) Release() {
	for i := range p.workers {
		if w := &p.workers[i]; w.Status() != Dead {
			w.MarkDead()
		} else {
			w.clearChild()
		}
	}
	p.reset()
}

// reset zeroes the slot, state word last.
func (p *Process) reset() {
	s := p.p
	seq := seqBegin(&s.seq)
	s.connections.Store(0)
	s.writeCompletion.Store(0)
	s.keepAlive.Store(0)
	s.lingeringClose.Store(0)
	s.suspended.Store(0)
	s.waitIO.Store(0)
	seqEnd(&s.seq, seq)
	s.heartbeat.Store(0)
	s.startTime.Store(0)
	s.accepted.Store(0)
	s.cpuUser.Store(0)
	s.cpuSystem.Store(0)
	s.state.Store(0)
}

// PID returns the child's pid, 0 for a free slot.
func (p *Process) PID() int { return procPID(p.p.state.Load()) }

// Generation returns the generation the child was started in (modulo 2^24).
func (p *Process) Generation() int { return int(procGen(p.p.state.Load())) }

// Quiescing returns 0 (serving), 1 (the child began a graceful stop) or 2
// (the parent no longer counts it as active).
func (p *Process) Quiescing() int { return procQuiescing(p.p.state.Load()) }

// NotAccepting reports whether the child has taken its listeners out of its
// poller (SPEC.md 3.3).
func (p *Process) NotAccepting() bool { return procNotAccepting(p.p.state.Load()) }

// SetQuiescing sets quiescing to v (0, 1 or 2) with a CAS that keeps the
// rest of the state word. Owners: the child sets 1, the parent sets 2.
func (p *Process) SetQuiescing(v int) {
	p.update(func(w uint64) uint64 {
		return w&^(procQuiescingMask<<procQuiescingShift) | uint64(v&procQuiescingMask)<<procQuiescingShift
	})
}

// SetNotAccepting records whether the child's listeners are disabled.
// Owner: the child's event loop.
func (p *Process) SetNotAccepting(v bool) {
	p.update(func(w uint64) uint64 {
		if v {
			return w | procNotAcceptBit
		}
		return w &^ procNotAcceptBit
	})
}

func (p *Process) update(f func(uint64) uint64) {
	for {
		old := p.p.state.Load()
		if p.p.state.CompareAndSwap(old, f(old)) {
			return
		}
	}
}

// SetConnCounts publishes the child's connection counters together, behind
// the slot's seqlock, so a reader sees one consistent set. Owner: the
// child's event loop, at queue maintenance.
func (p *Process) SetConnCounts(conns, writeCompletion, keepAlive, lingering, waitIO, suspended int32) {
	s := p.p
	seq := seqBegin(&s.seq)
	s.connections.Store(conns)
	s.writeCompletion.Store(writeCompletion)
	s.keepAlive.Store(keepAlive)
	s.lingeringClose.Store(lingering)
	s.waitIO.Store(waitIO)
	s.suspended.Store(suspended)
	seqEnd(&s.seq, seq)
}

// Heartbeat records that the child's event loop is alive at now. The child
// calls it about once a second; the supervisor treats a heartbeat that stops
// moving as a hung child. Owner: the child's event loop.
func (p *Process) Heartbeat(now time.Time) { p.p.heartbeat.Store(micros(now)) }

// LastHeartbeat returns the last Heartbeat, or the claim time before the
// first one.
func (p *Process) LastHeartbeat() time.Time { return fromMicros(p.p.heartbeat.Load()) }

// StartTime returns when the slot was claimed.
func (p *Process) StartTime() time.Time { return fromMicros(p.p.startTime.Load()) }

// AddAccepted counts n accepted connections (MaxConnectionsPerChild counts
// the same thing). Owner: the child.
func (p *Process) AddAccepted(n int64) { p.p.accepted.Add(n) }

// Accepted returns the connections this child has accepted.
func (p *Process) Accepted() int64 { return p.p.accepted.Load() }

// SetCPU publishes the child's CPU times (getrusage RUSAGE_SELF). Owner: the
// child, about once a second.
func (p *Process) SetCPU(user, system time.Duration) {
	p.p.cpuUser.Store(user.Microseconds())
	p.p.cpuSystem.Store(system.Microseconds())
}

// CPU returns what SetCPU published.
func (p *Process) CPU() (user, system time.Duration) {
	return time.Duration(p.p.cpuUser.Load()) * time.Microsecond,
		time.Duration(p.p.cpuSystem.Load()) * time.Microsecond
}
