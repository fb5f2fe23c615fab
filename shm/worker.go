package shm

import "time"

// Worker owners: while its child lives, a worker slot belongs to the one
// goroutine running that worker (hand-offs inside the child must
// happen-before); once the child is gone, to the parent (MarkDead, via
// Process.Release). The state word is only ever changed by CAS, so a stray
// second writer cannot tear it; the seqlocked fields rely on the single
// owner.

// Start claims a Dead worker slot for a new worker thread: one CAS from Dead
// to Starting that records generation, then the pid. It reports false if
// the slot is not Dead (a previous worker still holds it; the caller may
// retry later, as Apache's start thread does).
func (w *Worker) Start(pid, generation int) bool {
	old := w.state.Load()
	if workerStatus(old) != Dead {
		return false
	}
	if !w.state.CompareAndSwap(old, packWorker(Starting, maskGen(generation), nowSeconds())) {
		return false
	}
	w.pid.Store(int32(pid))
	return true
}

// SetStatus moves the worker to st with one CAS on the state word, keeping
// its generation and stamping the time, and returns the previous status.
// Use Start to leave Dead and MarkDead to return to it.
func (w *Worker) SetStatus(st Status) Status {
	now := nowSeconds()
	for {
		old := w.state.Load()
		if w.state.CompareAndSwap(old, packWorker(st, workerGen(old), now)) {
			return workerStatus(old)
		}
	}
}

// Status returns the worker's current status.
func (w *Worker) Status() Status { return workerStatus(w.state.Load()) }

// Generation returns the generation recorded by Start (modulo 2^24).
func (w *Worker) Generation() int { return int(workerGen(w.state.Load())) }

// Since returns when the status last changed, to the second.
func (w *Worker) Since() time.Time { return sinceTime(workerSince(w.state.Load())) }

// PID returns the pid recorded by Start. It survives MarkDead, so the status
// page can still name the process a finished worker belonged to.
func (w *Worker) PID() int { return int(w.pid.Load()) }

// BeginRequest records that a request started at now.
func (w *Worker) BeginRequest(now time.Time) {
	us := micros(now)
	seq := seqBegin(&w.seq)
	w.startTime.Store(us)
	w.lastUsed.Store(us)
	seqEnd(&w.seq, seq)
}

// EndRequest accounts for a finished request that sent bytes (what
// mod_logio's %O counts, the response head included, which Apache's
// ap_increment_counts takes when mod_logio is loaded) and took dur:
// access_count, my_access_count and conn_count go up by one, bytes_served,
// my_bytes_served and conn_bytes by bytes, duration by dur; the stop time
// and last_used become the start time plus dur (SPEC.md 2.4).
func (w *Worker) EndRequest(bytes int64, dur time.Duration) {
	d := dur.Microseconds()
	seq := seqBegin(&w.seq)
	w.accessCount.Add(1)
	w.myAccess.Add(1)
	w.connCount.Add(1)
	w.bytesServed.Add(bytes)
	w.myBytes.Add(bytes)
	w.connBytes.Add(bytes)
	w.duration.Add(d)
	w.reqTime.Store(d)
	stop := w.startTime.Load()
	if stop == 0 {
		stop = micros(time.Now())
	} else {
		stop += d
	}
	w.stopTime.Store(stop)
	w.lastUsed.Store(stop)
	seqEnd(&w.seq, seq)
}

// SetRequestInfo records the client address, request line, virtual host
// (servername:port) and protocol of the request being served, each truncated
// to its field (ClientSize, RequestSize, VHostSize, ProtocolSize). The
// caller strips passwords from the request line first, as Apache does. It
// does not allocate, and skips the write entirely when nothing changed.
func (w *Worker) SetRequestInfo(client, request, vhost, protocol []byte) {
	var seq uint64 // 0 until the first changed word opens the seqlock
	storeTextSeq(w.client[:], client, &w.seq, &seq)
	storeTextSeq(w.request[:], request, &w.seq, &seq)
	storeTextSeq(w.vhost[:], vhost, &w.seq, &seq)
	storeTextSeq(w.protocol[:], protocol, &w.seq, &seq)
	if seq != 0 {
		seqEnd(&w.seq, seq)
	}
}

// ConnReset zeroes conn_count and conn_bytes: the worker is done with a
// connection.
func (w *Worker) ConnReset() {
	seq := seqBegin(&w.seq)
	w.connCount.Store(0)
	w.connBytes.Store(0)
	seqEnd(&w.seq, seq)
}

// MarkDead moves the slot to Dead with one CAS (keeping the generation and
// pid for the status page), resets the per-child and per-connection counters
// and sets last_used. The cumulative access_count and bytes_served stay: they
// belong to the slot, across children and graceful restarts. Owner: the
// worker itself when it exits, or the parent after reaping its child.
func (w *Worker) MarkDead() {
	now := time.Now()
	since := nowSeconds()
	for {
		old := w.state.Load()
		if w.state.CompareAndSwap(old, packWorker(Dead, workerGen(old), since)) {
			break
		}
	}
	seq := seqBegin(&w.seq)
	w.myAccess.Store(0)
	w.myBytes.Store(0)
	w.connCount.Store(0)
	w.connBytes.Store(0)
	w.lastUsed.Store(micros(now))
	seqEnd(&w.seq, seq)
}

// clearChild zeroes the per-child and per-connection counters of a Dead
// slot, skipping the write when they are already zero.
func (w *Worker) clearChild() {
	if w.myAccess.Load() == 0 && w.myBytes.Load() == 0 && w.connCount.Load() == 0 && w.connBytes.Load() == 0 {
		return
	}
	seq := seqBegin(&w.seq)
	w.myAccess.Store(0)
	w.myBytes.Store(0)
	w.connCount.Store(0)
	w.connBytes.Store(0)
	seqEnd(&w.seq, seq)
}

// AccessCount returns the slot's cumulative access_count.
func (w *Worker) AccessCount() int64 { return w.accessCount.Load() }

// BytesServed returns the slot's cumulative bytes_served.
func (w *Worker) BytesServed() int64 { return w.bytesServed.Load() }

// reset zeroes the slot for a hard restart; the sequence counter keeps
// counting.
func (w *Worker) reset() {
	seq := seqBegin(&w.seq)
	for _, f := range [...]interface{ Store(int64) }{
		&w.connCount, &w.connBytes, &w.accessCount, &w.bytesServed, &w.myAccess, &w.myBytes,
		&w.startTime, &w.stopTime, &w.lastUsed, &w.duration, &w.reqTime,
	} {
		f.Store(0)
	}
	storeText(w.client[:], nil)
	storeText(w.request[:], nil)
	storeText(w.vhost[:], nil)
	storeText(w.protocol[:], nil)
	w.pid.Store(0)
	w.state.Store(0)
	seqEnd(&w.seq, seq)
}
