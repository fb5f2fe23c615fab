//go:build linux

package rawsys_test

import (
	"encoding/binary"
	"errors"
	"testing"
	"time"
	"unsafe"

	"eventmpm/internal/rawsys"

	"golang.org/x/sys/unix"
)

func TestEpollWaitNow(t *testing.T) {
	ep, err := unix.EpollCreate1(unix.EPOLL_CLOEXEC)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(ep)
	r, w := nonblockingPipe(t)
	ev := unix.EpollEvent{Events: unix.EPOLLIN, Fd: int32(r)}
	if err := unix.EpollCtl(ep, unix.EPOLL_CTL_ADD, r, &ev); err != nil {
		t.Fatal(err)
	}
	evs := make([]unix.EpollEvent, 4)
	if n, err := rawsys.EpollWaitNow(ep, evs); n != 0 || err != nil {
		t.Fatalf("nothing ready: %d, %v", n, err)
	}
	if _, err := rawsys.Write(w, []byte("x")); err != nil {
		t.Fatal(err)
	}
	n, err := rawsys.EpollWaitNow(ep, evs)
	if n != 1 || err != nil || evs[0].Fd != int32(r) || evs[0].Events&unix.EPOLLIN == 0 {
		t.Fatalf("pipe readable: %d %+v, %v", n, evs[0], err)
	}
	if n, err := rawsys.EpollWaitNow(ep, nil); n != 0 || err != nil {
		t.Errorf("no room: %d, %v", n, err)
	}
	if _, err := rawsys.EpollWaitNow(-1, evs); !errors.Is(err, unix.EBADF) {
		t.Errorf("bad descriptor: %v, want EBADF", err)
	}
}

func TestAccept4(t *testing.T) {
	lfd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(lfd)
	if err := unix.Bind(lfd, &unix.SockaddrInet4{Addr: [4]byte{127, 0, 0, 1}}); err != nil {
		t.Fatal(err)
	}
	if err := unix.Listen(lfd, 8); err != nil {
		t.Fatal(err)
	}
	var rsa unix.RawSockaddrAny
	flags := unix.SOCK_NONBLOCK | unix.SOCK_CLOEXEC
	if _, err := rawsys.Accept4(lfd, &rsa, flags); !errors.Is(err, unix.EAGAIN) {
		t.Fatalf("accept with nobody connecting: %v, want EAGAIN", err)
	}
	sa, err := unix.Getsockname(lfd)
	if err != nil {
		t.Fatal(err)
	}
	cfd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(cfd)
	if err := unix.Connect(cfd, sa); err != nil {
		t.Fatal(err)
	}
	local, err := unix.Getsockname(cfd)
	if err != nil {
		t.Fatal(err)
	}
	var fd int
	for deadline := time.Now().Add(5 * time.Second); ; {
		if fd, err = rawsys.Accept4(lfd, &rsa, flags); !errors.Is(err, unix.EAGAIN) || time.Now().After(deadline) {
			break
		}
		time.Sleep(time.Millisecond)
	}
	if err != nil {
		t.Fatalf("accept: %v", err)
	}
	defer unix.Close(fd)
	peer := (*unix.RawSockaddrInet4)(unsafe.Pointer(&rsa))
	port := int(binary.BigEndian.Uint16((*[2]byte)(unsafe.Pointer(&peer.Port))[:]))
	if port != local.(*unix.SockaddrInet4).Port {
		t.Errorf("peer port %d, want the client's %d", port, local.(*unix.SockaddrInet4).Port)
	}
	if fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFL, 0); err != nil || fl&unix.O_NONBLOCK == 0 {
		t.Errorf("accepted socket not non-blocking: %#x, %v", fl, err)
	}
	if fl, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil || fl&unix.FD_CLOEXEC == 0 {
		t.Errorf("accepted socket not close-on-exec: %#x, %v", fl, err)
	}
}
