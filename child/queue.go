package child

// timeoutQueue is one of the event loop's timeout queues (keep-alive,
// reading, write completion, lingering close): an intrusive doubly linked
// list of connections kept in deadline order. Every connection in a queue of
// uniform timeout is appended at the tail, so insertion is O(1); a queue
// whose deadlines vary (reading, where MinRate extends them) inserts from the
// tail backwards, which stays O(1) in practice. Expiry pops from the head and
// costs O(expired). Only the event goroutine touches a queue.
type timeoutQueue struct {
	name       string
	head, tail *conn
	n          int
}

// push inserts c in deadline order.
func (q *timeoutQueue) push(c *conn) {
	if c.q != nil {
		c.q.remove(c)
	}
	c.q = q
	q.n++
	at := q.tail
	for at != nil && at.deadline > c.deadline {
		at = at.qprev
	}
	if at == nil { // new head
		c.qprev, c.qnext = nil, q.head
		if q.head != nil {
			q.head.qprev = c
		} else {
			q.tail = c
		}
		q.head = c
		return
	}
	c.qprev, c.qnext = at, at.qnext
	if at.qnext != nil {
		at.qnext.qprev = c
	} else {
		q.tail = c
	}
	at.qnext = c
}

// remove takes c out of q.
func (q *timeoutQueue) remove(c *conn) {
	if c.qprev != nil {
		c.qprev.qnext = c.qnext
	} else {
		q.head = c.qnext
	}
	if c.qnext != nil {
		c.qnext.qprev = c.qprev
	} else {
		q.tail = c.qprev
	}
	c.qprev, c.qnext, c.q = nil, nil, nil
	q.n--
}

// expired pops the head when its deadline is at or before now.
func (q *timeoutQueue) expired(now int64) *conn {
	c := q.head
	if c == nil || c.deadline > now {
		return nil
	}
	q.remove(c)
	return c
}

// next returns the earliest deadline, or 0 when the queue is empty.
func (q *timeoutQueue) next() int64 {
	if q.head == nil {
		return 0
	}
	return q.head.deadline
}

// oldest pops the head regardless of its deadline (descriptor shortage).
func (q *timeoutQueue) oldest() *conn {
	c := q.head
	if c != nil {
		q.remove(c)
	}
	return c
}
