package accesslog

// Buffer sizes. A write(2) carries up to about flushSize bytes of whole
// lines: large enough that a busy worker makes one system call per few
// dozen requests, small enough that a line waits little.
const (
	flushSize = 8 << 10
	bufSize   = 16 << 10
	// maxKeep is the capacity above which a buffer grown by a huge line
	// is let go after the flush.
	maxKeep = 64 << 10
)

// Buffer is one worker's private line buffer in front of a shared [Log].
// Lines accumulate without any lock or system call and go to the Log with
// one write(2) of whole lines when the buffer passes about 8 KiB, or on
// Flush, which a worker calls before it waits for more work so that lines
// reach the file within moments when traffic is low. A Buffer is not safe
// for concurrent use: each worker has its own.
type Buffer struct {
	log   *Log
	buf   []byte
	lines int
}

// NewBuffer returns a new Buffer writing to l.
func (l *Log) NewBuffer() *Buffer {
	return &Buffer{log: l, buf: make([]byte, 0, bufSize)}
}

// Write appends one line, adding the newline if line lacks it, and writes
// the buffer out when it is full. line is copied; it may be reused at
// once. A line must not contain other newlines ([Format.Append] escapes
// them).
func (b *Buffer) Write(line []byte) {
	b.buf = append(b.buf, line...)
	if len(line) == 0 || line[len(line)-1] != '\n' {
		b.buf = append(b.buf, '\n')
	}
	b.added()
}

// WriteEntry formats e with f straight into the buffer, as one line.
func (b *Buffer) WriteEntry(f *Format, e *Entry) {
	b.buf = f.Append(b.buf, e)
	b.buf = append(b.buf, '\n')
	b.added()
}

// added counts a line appended and flushes a full buffer.
func (b *Buffer) added() {
	b.lines++
	if len(b.buf) >= flushSize {
		b.Flush()
	}
}

// Flush writes the buffered lines with one write(2). Failures are counted
// and reported by the Log, never returned: a worker goes on serving.
func (b *Buffer) Flush() {
	if b.lines == 0 {
		return
	}
	b.log.write(b.buf, b.lines)
	b.lines = 0
	if cap(b.buf) > maxKeep {
		b.buf = make([]byte, 0, bufSize)
		return
	}
	b.buf = b.buf[:0]
}

// Buffered returns the number of bytes waiting for a flush.
func (b *Buffer) Buffered() int { return len(b.buf) }
