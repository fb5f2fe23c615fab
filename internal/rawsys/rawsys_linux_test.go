//go:build linux

package rawsys_test

import (
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
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

// cachedPages is what cachestat(2) says of the whole file, or skips the
// test where the kernel has no cachestat.
func cachedPages(t *testing.T, fd int) uint64 {
	t.Helper()
	var st unix.Cachestat_t
	err := unix.Cachestat(uint(fd), &unix.CachestatRange{}, &st, 0)
	if err != nil {
		t.Skipf("no cachestat(2) here: %v", err)
	}
	return st.Cache
}

func TestResident(t *testing.T) {
	page := int64(unix.Getpagesize())
	size := 4*page + 100
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(make([]byte, size)); err != nil {
		t.Fatal(err)
	}
	if err := f.Sync(); err != nil {
		t.Fatal(err)
	}
	fd := int(f.Fd())
	if cachedPages(t, fd) != 5 {
		t.Skip("the file's pages are not all cached after writing it")
	}
	if !rawsys.Resident(fd, 0, size) || !rawsys.Resident(fd, page+1, 2*page) {
		t.Fatal("a written file is not resident")
	}
	if !rawsys.Resident(fd, 0, 0) {
		t.Error("an empty range is not resident")
	}
	if rawsys.Resident(-1, 0, size) {
		t.Error("a bad descriptor is resident")
	}
	if err := unix.Fadvise(fd, 0, 0, unix.FADV_DONTNEED); err != nil {
		t.Fatal(err)
	}
	if cachedPages(t, fd) != 0 {
		t.Skip("this file system keeps the pages (tmpfs?)")
	}
	if rawsys.Resident(fd, 0, size) {
		t.Fatal("a dropped file is resident")
	}
	// Read the third page back: a range inside it is resident, one that
	// crosses into the fourth is not.
	if _, err := unix.Pread(fd, make([]byte, 1), 2*page+7); err != nil {
		t.Fatal(err)
	}
	if got := cachedPages(t, fd); got < 1 {
		t.Fatalf("%d pages cached after a read", got)
	}
	if got := cachedPages(t, fd); got > 1 {
		t.Skipf("the read brought %d pages in (readahead)", got)
	}
	if !rawsys.Resident(fd, 2*page, page) || !rawsys.Resident(fd, 2*page+page-1, 1) {
		t.Error("the page read back is not resident")
	}
	if rawsys.Resident(fd, 2*page+1, page) || rawsys.Resident(fd, page, page+1) {
		t.Error("a range crossing into a dropped page is resident")
	}
}

func TestSendfile(t *testing.T) {
	f, err := os.Create(filepath.Join(t.TempDir(), "f"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	if _, err := f.WriteString("0123456789abcdef"); err != nil {
		t.Fatal(err)
	}
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fds[0])
	defer unix.Close(fds[1])
	off := int64(5)
	n, err := rawsys.Sendfile(fds[0], int(f.Fd()), &off, 6)
	if n != 6 || err != nil || off != 11 {
		t.Fatalf("Sendfile: %d, %v, offset %d; want 6, nil, 11", n, err, off)
	}
	buf := make([]byte, 16)
	if m, err := rawsys.Read(fds[1], buf); string(buf[:m]) != "56789a" || err != nil {
		t.Errorf("read %q, %v", buf[:m], err)
	}
	if _, err := rawsys.Sendfile(fds[0], -1, &off, 6); !errors.Is(err, unix.EBADF) {
		t.Errorf("bad descriptor: %v, want EBADF", err)
	}
}

// BenchmarkResident: the check made before each raw sendfile, on a 1 MiB
// file in the page cache (256 pages of 4 KiB).
func BenchmarkResident(b *testing.B) {
	f, err := os.Create(filepath.Join(b.TempDir(), "f"))
	if err != nil {
		b.Fatal(err)
	}
	defer f.Close()
	if _, err := f.Write(make([]byte, 1<<20)); err != nil {
		b.Fatal(err)
	}
	fd := int(f.Fd())
	if !rawsys.Resident(fd, 0, 1<<20) {
		b.Skip("no cachestat(2) here, or the file is not cached")
	}
	b.ReportAllocs()
	for b.Loop() {
		if !rawsys.Resident(fd, 0, 1<<20) {
			b.Fatal("the file left the page cache")
		}
	}
}
