package child

import "sync"

// buffer holds a connection's unconsumed input or unsent output. Buffers
// come from a pool and go back whenever a connection is idle with nothing
// pending, so an idle keep-alive connection holds no buffer at all.
type buffer struct {
	b    []byte
	r, w int         // unread bytes are b[r:w]
	pool *bufferPool // where it goes back to
}

func (b *buffer) len() int      { return b.w - b.r }
func (b *buffer) data() []byte  { return b.b[b.r:b.w] }
func (b *buffer) free() []byte  { return b.b[b.w:] }
func (b *buffer) consume(n int) { b.r += n; b.compactIfEmpty() }
func (b *buffer) compactIfEmpty() {
	if b.r == b.w {
		b.r, b.w = 0, 0
	}
}

// compact moves unread bytes to the front.
func (b *buffer) compact() {
	if b.r == 0 {
		return
	}
	n := copy(b.b, b.b[b.r:b.w])
	b.r, b.w = 0, n
}

// grow makes room for at least n more bytes, up to max bytes in all. It
// reports false when the buffer cannot grow.
func (b *buffer) grow(max int) bool {
	b.compact()
	if b.w < len(b.b) {
		return true
	}
	size := 2 * len(b.b)
	if max > 0 && size > max {
		size = max
	}
	if size <= len(b.b) {
		return false
	}
	nb := make([]byte, size)
	copy(nb, b.b[:b.w])
	b.b = nb
	return true
}

// bufferPool recycles connection buffers of the standard size; grown
// buffers are left to the garbage collector.
type bufferPool struct {
	size int
	pool sync.Pool
}

func newBufferPool(size int) *bufferPool {
	p := &bufferPool{size: size}
	p.pool.New = func() any { return &buffer{b: make([]byte, size), pool: p} }
	return p
}

func (p *bufferPool) get() *buffer { return p.pool.Get().(*buffer) }

func (p *bufferPool) put(b *buffer) {
	if b == nil || len(b.b) != p.size || b.pool != p {
		return
	}
	b.r, b.w = 0, 0
	p.pool.Put(b)
}
