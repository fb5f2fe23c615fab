//go:build darwin || freebsd || dragonfly

package poll

import (
	"fmt"
	"os"
	"sync/atomic"
	"syscall"

	"golang.org/x/sys/unix"
)

// Poller is a kqueue instance with an EVFILT_USER event for wake-ups.
type Poller struct {
	kq     int
	file   *os.File        // kq, registered with the runtime poller
	raw    syscall.RawConn // for parking on file
	buf    []unix.Kevent_t
	waking atomic.Bool
	timed  bool
	parkFn func(uintptr) bool // made once: Wait allocates nothing
	parked parked
	slept  bool // the last Wait parked
}

// kind names the poller in errors.
const kind = "kqueue"

const wakeIdent = 0 // ident of the EVFILT_USER wake-up event

// New creates a kqueue poller.
func New() (*Poller, error) {
	kq, err := unix.Kqueue()
	if err != nil {
		return nil, os.NewSyscallError("kqueue", err)
	}
	unix.CloseOnExec(kq)
	p := &Poller{kq: kq, buf: make([]unix.Kevent_t, 256)}
	if err := p.init(); err != nil {
		unix.Close(kq)
		return nil, err
	}
	return p, nil
}

func (p *Poller) init() error {
	ev := unix.Kevent_t{Ident: wakeIdent, Filter: unix.EVFILT_USER, Flags: unix.EV_ADD | unix.EV_CLEAR}
	if err := p.change(ev); err != nil {
		return err
	}
	if err := unix.SetNonblock(p.kq, true); err != nil {
		return os.NewSyscallError("fcntl", err)
	}
	p.file = os.NewFile(uintptr(p.kq), "kqueue")
	raw, err := p.file.SyscallConn()
	if err != nil {
		return fmt.Errorf("poll: kqueue descriptor not pollable: %w", err)
	}
	p.raw = raw
	p.parkFn = p.park
	return nil
}

func (p *Poller) change(evs ...unix.Kevent_t) error {
	if _, err := unix.Kevent(p.kq, evs, nil, nil); err != nil {
		return os.NewSyscallError("kevent", err)
	}
	return nil
}

func kevent(fd int, filter int16, flags uint16) unix.Kevent_t {
	var ev unix.Kevent_t
	unix.SetKevent(&ev, fd, int(filter), int(flags))
	return ev
}

// Close releases the poller. Registered descriptors are not closed.
func (p *Poller) Close() error { return p.file.Close() }

// AddListener watches a listening socket for readability, level-triggered.
func (p *Poller) AddListener(fd int) error {
	return p.change(kevent(fd, unix.EVFILT_READ, unix.EV_ADD))
}

// RemoveListener stops watching a listening socket.
func (p *Poller) RemoveListener(fd int) error {
	return p.change(kevent(fd, unix.EVFILT_READ, unix.EV_DELETE))
}

// AddConn registers a connection once, edge-triggered (EV_CLEAR), for
// readability and peer hang-up (EV_EOF).
func (p *Poller) AddConn(fd int) error {
	return p.change(kevent(fd, unix.EVFILT_READ, unix.EV_ADD|unix.EV_CLEAR))
}

// WatchWritable adds edge-triggered writability to a registered connection.
func (p *Poller) WatchWritable(fd int) error {
	return p.change(kevent(fd, unix.EVFILT_WRITE, unix.EV_ADD|unix.EV_CLEAR))
}

// Wake makes the current or next Wait return.
func (p *Poller) Wake() {
	if !p.waking.CompareAndSwap(false, true) {
		return
	}
	ev := unix.Kevent_t{Ident: wakeIdent, Filter: unix.EVFILT_USER, Fflags: unix.NOTE_TRIGGER}
	_ = p.change(ev)
}

var zeroTimeout unix.Timespec

func (p *Poller) harvest(events []Event) (n int, woke bool, err error) {
	max := len(events)
	if max > len(p.buf) {
		max = len(p.buf)
	}
	got, err := unix.Kevent(p.kq, nil, p.buf[:max], &zeroTimeout)
	if err != nil {
		if err == unix.EINTR {
			return 0, false, nil
		}
		return 0, false, os.NewSyscallError("kevent", err)
	}
	for i := 0; i < got; i++ {
		e := &p.buf[i]
		if e.Filter == unix.EVFILT_USER {
			woke = true
			p.waking.Store(false)
			continue
		}
		events[n] = Event{Fd: int32(e.Ident), Flags: kflags(e)}
		n++
	}
	return n, woke, nil
}

func kflags(e *unix.Kevent_t) Flags {
	var f Flags
	switch e.Filter {
	case unix.EVFILT_READ:
		f |= Readable
	case unix.EVFILT_WRITE:
		f |= Writable
	}
	if e.Flags&unix.EV_EOF != 0 {
		f |= Hangup | Readable
	}
	if e.Flags&unix.EV_ERROR != 0 {
		f |= Error | Readable | Writable
	}
	return f
}
