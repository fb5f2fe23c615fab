package accesslog

import (
	"bytes"
	"errors"
	"fmt"
	"os"
	"strings"
	"sync"
	"sync/atomic"
	"time"
)

// ErrClosed is reported for lines written after [Log.Close].
var ErrClosed = errors.New("accesslog: log closed")

// Options configure a [Log].
type Options struct {
	// OnError receives write failures and piped-logger events. Failures
	// are reported at once the first time, then summarized at most once
	// per ErrorInterval (a *[WriteError]). It may be called from any
	// worker, and must not block for long. nil discards them.
	OnError func(error)
	// ErrorInterval is the least time between two failure reports;
	// 0 means one minute.
	ErrorInterval time.Duration
}

// Stats are a Log's counters since it was opened.
type Stats struct {
	Lines    uint64 // lines written
	Dropped  uint64 // lines lost to failed writes
	Failures uint64 // failed write(2) calls
}

// Log is one CustomLog target: a file opened O_APPEND, or the stdin of a
// piped logger ("|command"). It is shared by all workers of a child, which
// write to it through their own [Buffer]s; it holds no lock on the write
// path. See the package documentation for how Reopen stays safe.
type Log struct {
	name string
	opts Options
	open func() (*target, error) // opens a fresh target

	cur    atomic.Pointer[target]
	mu     sync.Mutex // serializes Reopen, Close and pipe restarts
	closed bool

	lines, dropped, failures atomic.Uint64
	report                   reporter
}

// Open opens the CustomLog target name: "|command" starts command with
// "sh -c" and writes to its stdin; anything else is a file path (the
// config package has already made it absolute), opened
// O_WRONLY|O_APPEND|O_CREATE with mode 0644 as mod_log_config does.
func Open(name string, opts Options) (*Log, error) {
	if opts.ErrorInterval <= 0 {
		opts.ErrorInterval = time.Minute
	}
	l := &Log{name: name, opts: opts}
	l.report.init(l)
	if cmd, ok := strings.CutPrefix(name, "|"); ok {
		l.open = func() (*target, error) { return startPipe(strings.TrimSpace(cmd), pipeMinBackoff) }
	} else {
		l.open = func() (*target, error) { return openFile(name) }
	}
	t, err := l.open()
	if err != nil {
		return nil, err
	}
	l.cur.Store(t)
	if t.proc != nil {
		go l.watchPipe(t)
	}
	return l, nil
}

// OpenInherited wraps a log file the supervisor opened for this child (it
// may run as a User that could not open the file itself). Reopen opens name
// again, for log rotation in a child that can; when it cannot, the
// inherited descriptor stays in use. For a piped target ("|command") f is
// the write end of the pipe of a program the supervisor runs and keeps
// running; Reopen does nothing for it. Without f, a piped target is
// started by the child as with Open (the one-process mode).
func OpenInherited(name string, f *os.File, opts Options) (*Log, error) {
	if f == nil {
		return Open(name, opts)
	}
	if opts.ErrorInterval <= 0 {
		opts.ErrorInterval = time.Minute
	}
	l := &Log{name: name, opts: opts}
	l.report.init(l)
	l.open = func() (*target, error) { return openFile(name) }
	t := newTarget(f, nil)
	t.pipe = strings.HasPrefix(name, "|") || isPipe(f)
	l.cur.Store(t)
	return l, nil
}

// isPipe reports whether f is a pipe (or FIFO), whose writes are atomic
// only up to PIPE_BUF bytes.
func isPipe(f *os.File) bool {
	st, err := f.Stat()
	return err == nil && st.Mode()&os.ModeNamedPipe != 0
}

// Name returns the target as given to Open.
func (l *Log) Name() string { return l.name }

// Stats returns the Log's counters.
func (l *Log) Stats() Stats {
	return Stats{Lines: l.lines.Load(), Dropped: l.dropped.Load(), Failures: l.failures.Load()}
}

// Reopen reopens a file target at its path, for log rotation: after the
// old file was renamed, new lines go to a new file of the original name.
// Writes in flight finish on the old descriptor, which is closed when the
// last of them is done, so no line is lost or torn. On error the old file
// stays in use. For a piped logger Reopen does nothing: like Apache, the
// logging program keeps running (rotatelogs rotates by itself).
func (l *Log) Reopen() error {
	l.mu.Lock()
	defer l.mu.Unlock()
	if l.closed {
		return ErrClosed
	}
	if t := l.cur.Load(); t != nil && t.pipe {
		return nil
	}
	t, err := l.open()
	if err != nil {
		return fmt.Errorf("reopen access log: %w", err)
	}
	l.swap(t)
	return nil
}

// Close closes the target once the writes in flight are done; for a piped
// logger it closes the program's stdin and waits (up to a few seconds)
// for it to exit. Lines written later are dropped and reported. Workers
// should Flush their Buffers before the Log is closed.
func (l *Log) Close() error {
	l.mu.Lock()
	if l.closed {
		l.mu.Unlock()
		return nil
	}
	l.closed = true
	t := l.cur.Swap(nil)
	l.mu.Unlock()
	if t == nil {
		return nil
	}
	t.release()
	if t.proc != nil {
		t.proc.wait(pipeCloseWait)
	}
	return nil
}

// swap installs t as the current target and drops the Log's reference to
// the old one. Callers hold l.mu.
func (l *Log) swap(t *target) {
	if old := l.cur.Swap(t); old != nil {
		old.release()
	}
}

// write writes p, which holds lines whole lines, with one write(2) to the
// current target, and accounts for the outcome.
func (l *Log) write(p []byte, lines int) {
	t := l.acquire()
	var err error
	if t == nil {
		err = ErrClosed
	} else {
		err = t.writeLines(p)
		t.release()
	}
	if err != nil {
		l.failures.Add(1)
		l.dropped.Add(uint64(lines))
		l.report.failed(err, lines)
		return
	}
	l.lines.Add(uint64(lines))
	l.report.succeeded()
}

// acquire returns the current target with a reference taken, or nil when
// the Log is closed. A target whose count reached zero is closed for good;
// by then the Log no longer points to it (swap stores the new target
// before releasing the old), so the loop reloads and finds its successor.
func (l *Log) acquire() *target {
	for {
		t := l.cur.Load()
		if t == nil {
			return nil
		}
		n := t.refs.Load()
		if n > 0 && t.refs.CompareAndSwap(n, n+1) {
			return t
		}
	}
}

// target is one open descriptor with a reference count: one reference
// belongs to the Log while the target is current, and each write in
// flight holds one. The last release closes it.
type target struct {
	f    *os.File
	refs atomic.Int64
	proc *pipeProc // set for piped loggers this child started
	pipe bool      // f is a pipe: writes are cut at pipeBuf (writeLines)
}

func newTarget(f *os.File, p *pipeProc) *target {
	t := &target{f: f, proc: p}
	t.refs.Store(1)
	return t
}

// pipeBuf is POSIX's PIPE_BUF minimum and Linux's value: a write(2) of at
// most this many bytes to a pipe is atomic, never interleaved with another
// process's write.
const pipeBuf = 4096

// writeLines writes p, whole lines, to the target. A file opened O_APPEND
// takes it with one write(2). A pipe shared by several children takes it
// in writes of at most pipeBuf bytes, each ending at a line boundary, so
// that lines from different children never interleave; only a single line
// longer than pipeBuf is written on its own in more than one piece.
func (t *target) writeLines(p []byte) error {
	if !t.pipe {
		_, err := t.f.Write(p)
		return err
	}
	for len(p) > 0 {
		n := cutLines(p, pipeBuf)
		if _, err := t.f.Write(p[:n]); err != nil {
			return err
		}
		p = p[n:]
	}
	return nil
}

// cutLines returns the length of the longest prefix of p of whole lines
// that fits in max bytes, or of its first line when even that is longer.
func cutLines(p []byte, max int) int {
	if len(p) <= max {
		return len(p)
	}
	if i := bytes.LastIndexByte(p[:max], '\n'); i >= 0 {
		return i + 1
	}
	if i := bytes.IndexByte(p, '\n'); i >= 0 {
		return i + 1
	}
	return len(p)
}

// release drops one reference and closes the file with the last one.
func (t *target) release() {
	if t.refs.Add(-1) == 0 {
		t.f.Close() // a close error cannot lose lines already written
	}
}

// openFile opens a log file for appending.
func openFile(path string) (*target, error) {
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		return nil, fmt.Errorf("could not open transfer log file %s: %w", path, err)
	}
	return newTarget(f, nil), nil
}
