package accesslog

import (
	"fmt"
	"sync/atomic"
	"time"
)

// WriteError is what a [Log] reports through Options.OnError when lines
// could not be written. The first failure is reported alone (Failures 1,
// Since 0); later ones are summarized at most once per ErrorInterval.
// Resumed is set when the summary is sent after writes succeeded again.
// Its text is meant for the error log, e.g. "access log /var/log/x: write
// failed 1234 times in the last 60s: no space left on device (1234 lines
// dropped)".
type WriteError struct {
	Log      string        // the target, as given to Open
	Failures uint64        // failed writes since the previous report
	Dropped  uint64        // lines lost since the previous report
	Since    time.Duration // time since the previous report
	Resumed  bool          // writes succeed again
	Err      error         // the last failure
}

// Error renders the report in the error log's words.
func (e *WriteError) Error() string {
	if e.Failures <= 1 && !e.Resumed {
		return fmt.Sprintf("access log %s: write failed: %v (the line is dropped; further failures are summarized periodically)",
			e.Log, e.Err)
	}
	s := fmt.Sprintf("access log %s: write failed %d times in the last %ds: %v (%d lines dropped)",
		e.Log, e.Failures, int64(e.Since/time.Second), e.Err, e.Dropped)
	if e.Resumed {
		s += "; writing again"
	}
	return s
}

// Unwrap returns the last failure.
func (e *WriteError) Unwrap() error { return e.Err }

// reporter rate-limits a Log's failure reports without a lock: counters
// accumulate atomically, and whoever wins the CAS on last (the time of
// the previous report) sends the next one.
type reporter struct {
	log      *Log
	now      func() time.Time // time.Now; tests replace it
	last     atomic.Int64     // unix nanoseconds of the last report; 0: never
	pending  atomic.Uint64    // failures not reported yet
	dropped  atomic.Uint64    // lines dropped and not reported yet
	lastErr  atomic.Pointer[error]
	interval time.Duration
}

func (r *reporter) init(l *Log) {
	r.log, r.now, r.interval = l, time.Now, l.opts.ErrorInterval
}

// failed records a failed write of lines lines.
func (r *reporter) failed(err error, lines int) {
	r.lastErr.Store(&err)
	// The very first failure is reported alone, at once. It must not go
	// through pending: a second writer failing at the same moment would
	// add to it before the report was taken, and the first report would
	// read as a summary of two.
	if r.last.Load() == 0 && r.last.CompareAndSwap(0, r.now().UnixNano()) {
		r.log.notify(&WriteError{Log: r.log.name, Failures: 1, Dropped: uint64(lines), Err: err})
		return
	}
	r.dropped.Add(uint64(lines))
	r.pending.Add(1)
	r.flush(false)
}

// succeeded is called after each good write; it costs one atomic load
// unless failures wait to be summarized.
func (r *reporter) succeeded() {
	if r.pending.Load() != 0 {
		r.flush(true)
	}
}

// flush sends a report if the interval since the last one has passed.
func (r *reporter) flush(resumed bool) {
	now := r.now().UnixNano()
	last := r.last.Load()
	if last != 0 && now-last < int64(r.interval) {
		return
	}
	if !r.last.CompareAndSwap(last, now) {
		return // another worker reports
	}
	e := &WriteError{Log: r.log.name, Resumed: resumed}
	e.Failures = r.pending.Swap(0)
	e.Dropped = r.dropped.Swap(0)
	if p := r.lastErr.Load(); p != nil {
		e.Err = *p
	}
	if e.Failures == 0 {
		return
	}
	if last != 0 {
		e.Since = time.Duration(now - last)
	}
	r.log.notify(e)
}

// notify passes err to the OnError callback, if any.
func (l *Log) notify(err error) {
	if l.opts.OnError != nil {
		l.opts.OnError(err)
	}
}
