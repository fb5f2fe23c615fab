package child

import (
	"sync"
	"sync/atomic"
)

// handoff passes ready connections from the event goroutine to the
// workers: a FIFO of connections and a stack of parked workers.
//
// It wakes as few workers as keep the queue moving. A push wakes a parked
// worker only when no woken worker is already on its way to the queue, and
// a worker that takes a connection and leaves more behind wakes the next
// one. With the child's CPU share (usually one processor), the first
// woken worker then serves a whole batch of ready connections one after
// the other while the second waits its turn: one park and one wake-up per
// batch, where a channel receive per connection cost a park, a wake-up and
// a goroutine switch for every request. The second worker is the one that
// carries on when the first blocks (in a system call the runtime hands its
// processor away from, or on a lock), and on more processors each taker
// wakes the next, so the batch spreads over them. Parked workers are taken
// from the top of the stack, so the few workers that keep busy stay warm
// in the caches.
//
// Measured on one core, the channel's binary and this one side by side:
// the runtime's share of a child's CPU on keep-alive 1 KiB fell from 4.4 %
// to 1.4 %, and requests per CPU-second rose by a median 7.5 % (10 pairs,
// 1.03x to 1.24x), by 8 % on Connection: close (5 pairs, 1.07x to 1.10x).
// A single hand-off that wakes a worker costs about 50 ns more than the
// channel's did (BenchmarkHandOff).
//
// A connection is in the queue or in exactly one worker's hands, never
// both. The lock is held for a few instructions, by the event goroutine
// once per dispatched connection and by a worker once per connection it
// takes.
type handoff struct {
	mu      sync.Mutex
	ring    []*conn // FIFO of ready connections, len a power of two
	head, n int
	idle    []*waiter // parked workers, the latest parked on top
	seeking int       // woken workers that have not yet looked at the queue
	closed  bool
	// parked is len(idle), and avail len(idle)+seeking, kept for readers
	// that take no lock: the accept gate, once per accepted connection,
	// and the logs.
	parked, avail atomic.Int32
}

// waiter is what a worker parks on.
type waiter struct {
	wake  chan struct{} // capacity 1
	woken bool          // popped off the idle stack and counted in seeking
}

// newWaiter returns a worker's waiter, its wake-up channel made.
func newWaiter() waiter { return waiter{wake: make(chan struct{}, 1)} }

// push queues c for a worker and wakes one if none is on its way.
func (h *handoff) push(c *conn) {
	h.mu.Lock()
	if h.n == len(h.ring) {
		h.grow()
	}
	h.ring[(h.head+h.n)&(len(h.ring)-1)] = c
	h.n++
	wt := h.wakeableLocked()
	h.mu.Unlock()
	if wt != nil {
		wt.wake <- struct{}{}
	}
}

func (h *handoff) grow() {
	size := 2 * len(h.ring)
	if size == 0 {
		size = 64
	}
	ring := make([]*conn, size)
	for i := 0; i < h.n; i++ {
		ring[i] = h.ring[(h.head+i)&(len(h.ring)-1)]
	}
	h.ring, h.head = ring, 0
}

// wakeableLocked pops the parked worker to wake when work is queued and no
// woken worker will see it; nil when none is needed or none is parked.
func (h *handoff) wakeableLocked() *waiter {
	if h.n == 0 || h.seeking > 0 || len(h.idle) == 0 {
		return nil
	}
	wt := h.idle[len(h.idle)-1]
	h.idle[len(h.idle)-1] = nil
	h.idle = h.idle[:len(h.idle)-1]
	wt.woken = true
	h.seeking++
	h.counted()
	return wt
}

// counted publishes parked and avail; the lock is held.
func (h *handoff) counted() {
	h.parked.Store(int32(len(h.idle)))
	h.avail.Store(int32(len(h.idle) + h.seeking))
}

// take takes the next queued connection for the worker waiting on wt.
// With none queued it parks the worker and returns nil, false: the worker
// then waits on wt.wake and takes again. Once close was called and the
// queue is empty it returns nil, true.
func (h *handoff) take(wt *waiter) (c *conn, closed bool) {
	h.mu.Lock()
	if wt.woken {
		wt.woken = false
		h.seeking--
		h.counted()
	}
	if h.n == 0 {
		if h.closed {
			h.mu.Unlock()
			return nil, true
		}
		h.idle = append(h.idle, wt)
		h.counted()
		h.mu.Unlock()
		return nil, false
	}
	c = h.ring[h.head]
	h.ring[h.head] = nil
	h.head = (h.head + 1) & (len(h.ring) - 1)
	h.n--
	next := h.wakeableLocked()
	h.mu.Unlock()
	if next != nil {
		next.wake <- struct{}{}
	}
	return c, false
}

// available returns the workers that are parked or on their way to the
// queue: those that will take a new connection without finishing one
// first. Queued connections are not subtracted: the accept gate counts
// them among the connections that need a worker.
func (h *handoff) available() int { return int(h.avail.Load()) }

// close wakes every parked worker for good: they take what is still
// queued, then get reports closed.
func (h *handoff) close() {
	h.mu.Lock()
	h.closed = true
	idle := h.idle
	h.idle = nil
	for _, wt := range idle {
		wt.woken = true
		h.seeking++
	}
	h.counted()
	h.mu.Unlock()
	for _, wt := range idle {
		wt.wake <- struct{}{}
	}
}
