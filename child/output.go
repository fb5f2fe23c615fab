package child

import (
	"eventmpm/child/static"
	"eventmpm/internal/rawsys"

	"golang.org/x/sys/unix"
)

// afterAction is what follows a response once it is fully written.
type afterAction uint8

const (
	afterKeepAlive afterAction = iota // read the next request
	afterClose                        // close at once: nothing unread
	afterLinger                       // lingering close: input may be unread
)

// outPart is one piece of a response: bytes, or a range of an open file,
// sent with sendfile(2) or, marked copy (EnableSendfile Off), read and
// written. A part marked scratch aliases a worker's own buffers and must
// be copied before the connection leaves the worker.
type outPart struct {
	data    []byte
	file    *static.File
	off     int64
	n       int64
	scratch bool
	copy    bool
}

// copyChunk is how much of a file a worker reads at a time for a part
// sent without sendfile (the buffer is made on first use).
const copyChunk = 64 << 10

// pendingOutput is what a connection still has to write. While a worker
// writes, parts alias the worker's own buffers; when the socket would block,
// pend copies them into the connection so the worker can move on.
type pendingOutput struct {
	parts []outPart
	reply *static.Reply // the static reply a pending body comes from
	after afterAction
	armed bool // writability is watched (poll.WatchWritable was called)
	short bool // the file was shorter than promised: close after
}

// flushResult tells how a write attempt ended.
type flushResult uint8

const (
	flushDone    flushResult = iota // everything written
	flushPending                    // the socket would block; handed back
	flushFailed                     // the connection failed; caller closes
)

// release drops what a connection holds: its input buffer and any pending
// output. The buffer goes back to the pool of the child that owns it.
func (c *conn) release() {
	if c.out.reply != nil {
		c.out.reply.Release()
		c.out.reply = nil
	}
	c.out.parts = nil
	if c.in != nil && c.in.pool != nil {
		c.in.pool.put(c.in)
	}
	c.in = nil
}

// flush writes c.out.parts. On EAGAIN it moves the rest into the connection
// and hands it back to wait for writability (no worker waits on a slow
// reader); it returns flushPending then.
func (w *worker) flush(c *conn) flushResult {
	if c.tls != nil && c.tls.done {
		if res := w.flushTLS(c); res != flushDone {
			return res
		}
	}
	for len(c.out.parts) > 0 {
		var err error
		if c.out.parts[0].file != nil {
			err = w.sendFilePart(c)
		} else {
			err = w.writeDataParts(c)
		}
		switch {
		case err == nil:
		case err == unix.EAGAIN:
			if w.pend(c) {
				return flushPending
			}
		case err == unix.EINTR:
		default:
			return flushFailed
		}
	}
	c.out.parts = c.out.parts[:0]
	if c.out.reply != nil {
		c.out.reply.Release()
		c.out.reply = nil
	}
	if c.out.short {
		c.out.short = false
		c.out.after = afterClose
	}
	return flushDone
}

// writeDataParts writes the leading run of byte parts with one writev.
func (w *worker) writeDataParts(c *conn) error {
	iov := w.iov[:0]
	fileNext := false
	for _, p := range c.out.parts {
		if p.file != nil {
			fileNext = p.n > 0
			break
		}
		iov = append(iov, p.data)
	}
	w.iov = iov
	n, vec, err := writev(c.fd, iov, w.vec, fileNext)
	w.vec = vec
	clear(iov)
	if n > 0 || err == nil {
		c.out.parts = advance(c.out.parts, n)
	}
	return err
}

// advance drops n written bytes from the front of the byte parts.
func advance(parts []outPart, n int) []outPart {
	for n > 0 && len(parts) > 0 && parts[0].file == nil {
		if len(parts[0].data) > n {
			parts[0].data = parts[0].data[n:]
			return parts
		}
		n -= len(parts[0].data)
		parts = parts[1:]
	}
	for len(parts) > 0 && parts[0].file == nil && len(parts[0].data) == 0 {
		parts = parts[1:]
	}
	return parts
}

// sendFilePart sends the file range at the front with sendfile(2).
func (w *worker) sendFilePart(c *conn) error {
	p := &c.out.parts[0]
	if p.copy {
		return w.copyFilePart(c)
	}
	for p.n > 0 {
		chunk := p.n
		if chunk > 1<<30 {
			chunk = 1 << 30
		}
		off := p.off
		n, err := sendFile(c.fd, p.file.Fd(), &off, int(chunk))
		if n > 0 {
			p.off += int64(n)
			p.n -= int64(n)
		}
		if err != nil {
			return err
		}
		if n == 0 {
			c.out.cutShort()
			return nil
		}
	}
	c.out.parts = c.out.parts[1:]
	return nil
}

// cutShort drops the rest of the output: the file being sent shrank since
// it was opened, so the promised length cannot be kept and the connection
// closes after what was written.
func (o *pendingOutput) cutShort() {
	o.short = true
	o.parts = o.parts[:0]
}

// copyFilePart sends the file range at the front by reading it into the
// worker's buffer and writing it (EnableSendfile Off). When the socket
// would block, what was read and not written is dropped: the part's
// offset says where to read again once the socket is writable.
func (w *worker) copyFilePart(c *conn) error {
	p := &c.out.parts[0]
	if w.copyBuf == nil {
		w.copyBuf = make([]byte, copyChunk)
	}
	for p.n > 0 {
		m, err := unix.Pread(p.file.Fd(), w.copyBuf[:min(p.n, int64(len(w.copyBuf)))], p.off)
		if err != nil {
			return err
		}
		if m == 0 {
			c.out.cutShort()
			return nil
		}
		for b := w.copyBuf[:m]; len(b) > 0; {
			n, err := rawsys.Write(c.fd, b)
			if n > 0 {
				p.off += int64(n)
				p.n -= int64(n)
				b = b[n:]
			}
			if err != nil {
				return err
			}
		}
	}
	c.out.parts = c.out.parts[1:]
	return nil
}

// pend moves the unwritten parts into memory the connection owns, watches
// for writability and hands the connection back. It returns false when the
// socket became writable meanwhile: the caller writes again.
func (w *worker) pend(c *conn) bool {
	owned := make([]outPart, len(c.out.parts))
	for i, p := range c.out.parts {
		if p.scratch {
			p.data = append([]byte(nil), p.data...)
			p.scratch = false
		}
		owned[i] = p
	}
	c.out.parts = owned
	c.drained = false // input seen while the write waits is not reported: read after it
	if c.out.reply == nil {
		// The connection takes over the static reply (its file reference
		// and the buffers its parts point into); the worker gets a new one.
		c.out.reply = w.reply
		w.reply = new(static.Reply)
	}
	if !w.register(c) {
		return true // closed
	}
	if !c.out.armed {
		if err := w.l.poller.WatchWritable(c.fd); err != nil {
			return false // treated as writable: the next write reports the error
		}
		c.out.armed = true
	}
	return w.giveBack(c, phaseWrite, nowNano()+c.writeTimeout)
}
