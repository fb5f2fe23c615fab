//go:build linux || darwin || freebsd || dragonfly

package poll

import (
	"errors"
	"fmt"
	"os"
	"time"
)

// Wait fills events with ready descriptors; see the package contract.
//
// With a timeout it goes straight to the runtime's poller: RawConn.Read
// calls parkFn, which harvests, before it parks, so a harvest of its own
// first would be a second epoll_wait (or kevent) that finds the same
// nothing. The event loop calls Wait right after handing out work, when
// nothing new has usually arrived, so that doubled call was one of the
// few system calls per batch that served no request.
func (p *Poller) Wait(events []Event, timeout time.Duration) (int, error) {
	p.slept = false
	if timeout == 0 {
		n, _, err := p.harvest(events)
		return n, err
	}
	if err := p.setDeadline(timeout); err != nil {
		return 0, err
	}
	p.parked = parked{events: events}
	perr := p.raw.Read(p.parkFn)
	n, err := p.parked.n, p.parked.err
	p.parked = parked{}
	if perr != nil && !errors.Is(perr, os.ErrDeadlineExceeded) {
		return 0, fmt.Errorf("poll: park on %s: %w", kind, perr)
	}
	return n, err
}

// park is RawConn.Read's callback during a Wait: it harvests, stops the
// wait when something was found, and otherwise notes that the goroutine
// parks (see Parked).
func (p *Poller) park(uintptr) bool {
	var woke bool
	p.parked.n, woke, p.parked.err = p.harvest(p.parked.events)
	ready := p.parked.n > 0 || woke || p.parked.err != nil
	p.slept = p.slept || !ready
	return ready
}

// setDeadline bounds the next park: a timeout above 0 sets the read
// deadline of the poller's descriptor, a negative one clears it.
func (p *Poller) setDeadline(timeout time.Duration) error {
	switch {
	case timeout > 0:
		p.timed = true
		return p.file.SetReadDeadline(time.Now().Add(timeout))
	case p.timed:
		p.timed = false
		return p.file.SetReadDeadline(time.Time{})
	}
	return nil
}

// Parked reports whether the last Wait found nothing ready at first and
// parked the calling goroutine until something was.
func (p *Poller) Parked() bool { return p.slept }
