package child

import (
	"sync"
	"testing"
)

// poll takes the next queued connection for wt without parking it: a
// worker that would not wait. Only for a handoff one goroutine uses.
func (h *handoff) poll(wt *waiter) (*conn, bool) {
	c, closed := h.take(wt)
	if c == nil && !closed { // take parked wt on top of the stack: undo it
		h.mu.Lock()
		h.idle = h.idle[:len(h.idle)-1]
		h.counted()
		h.mu.Unlock()
	}
	return c, closed
}

// parkedWaiters parks n waiters on h, the first parked at the bottom.
func parkedWaiters(t *testing.T, h *handoff, n int) []*waiter {
	t.Helper()
	wts := make([]*waiter, n)
	for i := range wts {
		wt := newWaiter()
		wts[i] = &wt
		if c, closed := h.take(wts[i]); c != nil || closed {
			t.Fatalf("waiter %d: take on an empty queue got %v, %v; want it parked", i, c, closed)
		}
	}
	if got := h.parked.Load(); got != int32(n) {
		t.Fatalf("parked %d, want %d", got, n)
	}
	return wts
}

// signalled returns the indexes of the waiters with a wake-up pending,
// consuming it.
func signalled(wts []*waiter) []int {
	var got []int
	for i, wt := range wts {
		select {
		case <-wt.wake:
			got = append(got, i)
		default:
		}
	}
	return got
}

func conns(n int) []*conn {
	cs := make([]*conn, n)
	for i := range cs {
		cs[i] = &conn{fd: 100 + i}
	}
	return cs
}

// TestHandoffWakesOnePerBatch: a batch of ready connections wakes one
// parked worker, the most recently parked; when it takes the first and
// leaves more, it wakes one more, and no one else is woken while those
// two have the queue. Each connection is taken once, in order.
func TestHandoffWakesOnePerBatch(t *testing.T) {
	var h handoff
	wts := parkedWaiters(t, &h, 4)
	cs := conns(5)
	for _, c := range cs {
		h.push(c)
	}
	if got := signalled(wts); len(got) != 1 || got[0] != 3 {
		t.Fatalf("after a batch of 5: woken %v, want only the last parked [3]", got)
	}
	first := wts[3]
	c, closed := h.poll(first)
	if c != cs[0] || closed {
		t.Fatalf("first get: %v %v, want the first connection", c, closed)
	}
	if got := signalled(wts); len(got) != 1 || got[0] != 2 {
		t.Fatalf("after taking one of 5: woken %v, want the next parked [2]", got)
	}
	for i := 1; i < len(cs); i++ {
		if c, _ := h.poll(first); c != cs[i] {
			t.Fatalf("get %d: got fd %v, want %d", i, c, cs[i].fd)
		}
	}
	if got := signalled(wts); len(got) != 0 {
		t.Fatalf("while two workers had the queue: woken %v, want none", got)
	}
	if c, closed := h.take(wts[2]); c != nil || closed {
		t.Fatalf("the second woken worker on an empty queue: %v %v, want it parked again", c, closed)
	}
	if h.seeking != 0 {
		t.Fatalf("seeking %d after both woken workers looked, want 0", h.seeking)
	}
	if got := h.available(); got != 3 {
		t.Fatalf("available %d with three parked and none seeking, want 3", got)
	}
}

// TestHandoffCloseDrains: close wakes every parked worker; what is still
// queued is taken before get reports the end.
func TestHandoffCloseDrains(t *testing.T) {
	var h handoff
	wts := parkedWaiters(t, &h, 3)
	busy := newWaiter() // a worker serving a connection, not parked
	cs := conns(2)
	for _, c := range cs {
		h.push(c)
	}
	signalled(wts)
	h.close()
	if got := signalled(wts); len(got) != 2 {
		t.Fatalf("close woke %v, want the two still parked", got)
	}
	for _, want := range cs {
		if c, closed := h.poll(&busy); c != want || closed {
			t.Fatalf("after close: %v %v, want the queued connection", c, closed)
		}
	}
	for _, wt := range append(wts, &busy) {
		if c, closed := h.take(wt); c != nil || !closed {
			t.Fatalf("after the queue drained: %v %v, want closed", c, closed)
		}
	}
	if got := h.parked.Load(); got != 0 {
		t.Fatalf("parked %d after close, want 0", got)
	}
}

// TestHandoffRingGrows: more connections than the ring holds keep their
// order across the wrap and the growth.
func TestHandoffRingGrows(t *testing.T) {
	var h handoff
	wt := newWaiter()
	cs := conns(300)
	next := 0
	for i, c := range cs {
		h.push(c)
		if i%3 == 2 { // take one for every three pushed: the head moves
			if got, _ := h.poll(&wt); got != cs[next] {
				t.Fatalf("get %d: got %v, want fd %d", next, got, cs[next].fd)
			}
			next++
		}
	}
	for ; next < len(cs); next++ {
		if got, _ := h.poll(&wt); got != cs[next] {
			t.Fatalf("get %d: got %v, want fd %d", next, got, cs[next].fd)
		}
	}
	if c, _ := h.poll(&wt); c != nil {
		t.Fatal("got a connection after all were taken")
	}
}

// TestHandoffConcurrent: workers taking as worker.next does while one
// goroutine pushes take every connection exactly once, and all of them
// end after close. Run with -race.
func TestHandoffConcurrent(t *testing.T) {
	const workers, n = 8, 20000
	var h handoff
	cs := conns(n)
	taken := make([][]int, workers)
	var wg sync.WaitGroup
	for i := range workers {
		wg.Add(1)
		go func() {
			defer wg.Done()
			wt := newWaiter()
			for {
				c, closed := h.take(&wt)
				switch {
				case c != nil:
					taken[i] = append(taken[i], c.fd)
				case closed:
					return
				default:
					<-wt.wake
				}
			}
		}()
	}
	for _, c := range cs {
		h.push(c)
	}
	h.close()
	wg.Wait()
	seen := make(map[int]int)
	for _, fds := range taken {
		for _, fd := range fds {
			seen[fd]++
		}
	}
	for _, c := range cs {
		if seen[c.fd] != 1 {
			t.Fatalf("connection %d taken %d times, want once", c.fd, seen[c.fd])
		}
	}
}

// BenchmarkHandoffBatch: one batch of 32 connections pushed and taken by
// one worker, as under keep-alive load on one processor.
func BenchmarkHandoffBatch(b *testing.B) {
	var h handoff
	wt := newWaiter()
	cs := make([]*conn, 32)
	for i := range cs {
		cs[i] = &conn{fd: i}
	}
	b.ReportAllocs()
	for b.Loop() {
		for _, c := range cs {
			h.push(c)
		}
		for c, _ := h.poll(&wt); c != nil; c, _ = h.poll(&wt) {
		}
	}
}
