//go:build linux

package poll

import (
	"errors"
	"fmt"
	"os"
	"sync/atomic"
	"syscall"
	"unsafe"

	"eventmpm/internal/rawsys"

	"golang.org/x/sys/unix"
)

// Poller is an epoll instance with an eventfd for wake-ups.
type Poller struct {
	epfd    int
	wakefd  int
	file    *os.File        // epfd, registered with the runtime poller
	raw     syscall.RawConn // for parking on file
	buf     []unix.EpollEvent
	waking  atomic.Bool // a Wake is pending; coalesces eventfd writes
	timed   bool        // a read deadline is set on file
	wakeBuf [8]byte
	one     [8]byte            // the eventfd increment, 1 in host byte order
	parkFn  func(uintptr) bool // made once: Wait allocates nothing
	parked  parked
	slept   bool // the last Wait parked
}

// kind names the poller in errors.
const kind = "epoll"

const (
	connEvents     = unix.EPOLLIN | unix.EPOLLRDHUP | unix.EPOLLET
	listenerEvents = unix.EPOLLIN | unix.EPOLLEXCLUSIVE
)

// New creates an epoll poller.
func New() (*Poller, error) {
	epfd, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		return nil, os.NewSyscallError("epoll_create1", err)
	}
	p := &Poller{epfd: epfd, wakefd: -1, buf: make([]unix.EpollEvent, 256)}
	if err := p.init(); err != nil {
		unix.Close(epfd)
		if p.wakefd >= 0 {
			unix.Close(p.wakefd)
		}
		return nil, err
	}
	return p, nil
}

func (p *Poller) init() error {
	wfd, err := unix.Eventfd(0, unix.EFD_NONBLOCK|unix.EFD_CLOEXEC)
	if err != nil {
		return os.NewSyscallError("eventfd", err)
	}
	p.wakefd = wfd
	*(*uint64)(unsafe.Pointer(&p.one[0])) = 1
	ev := unix.EpollEvent{Events: unix.EPOLLIN | unix.EPOLLET, Fd: int32(wfd)}
	if err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, wfd, &ev); err != nil {
		return os.NewSyscallError("epoll_ctl", err)
	}
	// A non-blocking epoll descriptor wrapped in an os.File is registered
	// with the runtime's own poller, which lets Wait park on it.
	if err := unix.SetNonblock(p.epfd, true); err != nil {
		return os.NewSyscallError("fcntl", err)
	}
	p.file = os.NewFile(uintptr(p.epfd), "epoll")
	raw, err := p.file.SyscallConn()
	if err != nil {
		return fmt.Errorf("poll: epoll descriptor not pollable: %w", err)
	}
	p.raw = raw
	p.parkFn = p.park
	return nil
}

// Close releases the poller. Registered descriptors are not closed.
func (p *Poller) Close() error {
	unix.Close(p.wakefd)
	return p.file.Close()
}

// AddListener watches a listening socket for readability, level-triggered.
func (p *Poller) AddListener(fd int) error {
	ev := unix.EpollEvent{Events: listenerEvents, Fd: int32(fd)}
	if err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		if errors.Is(err, unix.EINVAL) { // kernel without EPOLLEXCLUSIVE
			ev.Events = unix.EPOLLIN
			err = unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, fd, &ev)
		}
		if err != nil {
			return os.NewSyscallError("epoll_ctl add listener", err)
		}
	}
	return nil
}

// RemoveListener stops watching a listening socket.
func (p *Poller) RemoveListener(fd int) error {
	if err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_DEL, fd, nil); err != nil {
		return os.NewSyscallError("epoll_ctl del listener", err)
	}
	return nil
}

// AddConn registers a connection once, edge-triggered, for readability and
// peer hang-up.
func (p *Poller) AddConn(fd int) error {
	ev := unix.EpollEvent{Events: connEvents, Fd: int32(fd)}
	if err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_ADD, fd, &ev); err != nil {
		return os.NewSyscallError("epoll_ctl add", err)
	}
	return nil
}

// WatchWritable adds edge-triggered writability to a registered connection.
func (p *Poller) WatchWritable(fd int) error {
	ev := unix.EpollEvent{Events: connEvents | unix.EPOLLOUT, Fd: int32(fd)}
	if err := unix.EpollCtl(p.epfd, unix.EPOLL_CTL_MOD, fd, &ev); err != nil {
		return os.NewSyscallError("epoll_ctl mod", err)
	}
	return nil
}

// Wake makes the current or next Wait return.
func (p *Poller) Wake() {
	if !p.waking.CompareAndSwap(false, true) {
		return
	}
	// EAGAIN means the counter is saturated: a wake-up is pending anyway.
	_, _ = rawsys.Write(p.wakefd, p.one[:])
}

// harvest collects ready events without blocking. Its system calls are
// raw (see rawsys): a poll with a zero timeout and the eventfd's read and
// write never sleep.
func (p *Poller) harvest(events []Event) (n int, woke bool, err error) {
	max := len(events)
	if max > len(p.buf) {
		max = len(p.buf)
	}
	got, err := rawsys.EpollWaitNow(p.epfd, p.buf[:max])
	if err != nil {
		if err == unix.EINTR {
			return 0, false, nil
		}
		return 0, false, os.NewSyscallError("epoll_wait", err)
	}
	for i := 0; i < got; i++ {
		e := &p.buf[i]
		if int(e.Fd) == p.wakefd {
			woke = true
			p.waking.Store(false)
			_, _ = rawsys.Read(p.wakefd, p.wakeBuf[:])
			continue
		}
		events[n] = Event{Fd: e.Fd, Flags: flagsOf(e.Events)}
		n++
	}
	return n, woke, nil
}

func flagsOf(ev uint32) Flags {
	var f Flags
	if ev&unix.EPOLLIN != 0 {
		f |= Readable
	}
	if ev&unix.EPOLLOUT != 0 {
		f |= Writable
	}
	if ev&(unix.EPOLLRDHUP|unix.EPOLLHUP) != 0 {
		f |= Hangup | Readable
	}
	if ev&unix.EPOLLERR != 0 {
		f |= Error | Readable | Writable
	}
	return f
}
