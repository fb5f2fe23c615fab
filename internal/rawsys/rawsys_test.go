//go:build linux || darwin || freebsd || dragonfly

package rawsys_test

import (
	"errors"
	"testing"

	"eventmpm/internal/rawsys"

	"golang.org/x/sys/unix"
)

func nonblockingPipe(t *testing.T) (r, w int) {
	t.Helper()
	var p [2]int
	if err := unix.Pipe(p[:]); err != nil {
		t.Fatal(err)
	}
	for _, fd := range p {
		if err := unix.SetNonblock(fd, true); err != nil {
			t.Fatal(err)
		}
	}
	t.Cleanup(func() { unix.Close(p[0]); unix.Close(p[1]) })
	return p[0], p[1]
}

func TestReadWrite(t *testing.T) {
	r, w := nonblockingPipe(t)
	buf := make([]byte, 8)
	if _, err := rawsys.Read(r, buf); !errors.Is(err, unix.EAGAIN) {
		t.Fatalf("read of an empty pipe: %v, want EAGAIN", err)
	}
	if n, err := rawsys.Write(w, []byte("abc")); n != 3 || err != nil {
		t.Fatalf("write: %d, %v", n, err)
	}
	if n, err := rawsys.Read(r, buf); n != 3 || err != nil || string(buf[:n]) != "abc" {
		t.Fatalf("read: %d %q, %v", n, buf[:n], err)
	}
	for name, call := range map[string]func() (int, error){
		"read":  func() (int, error) { return rawsys.Read(r, nil) },
		"write": func() (int, error) { return rawsys.Write(w, nil) },
	} {
		if n, err := call(); n != 0 || err != nil {
			t.Errorf("%s of nothing: %d, %v", name, n, err)
		}
	}
	if _, err := rawsys.Read(-1, buf); !errors.Is(err, unix.EBADF) {
		t.Errorf("read of a bad descriptor: %v, want EBADF", err)
	}
}

func TestCloseSocket(t *testing.T) {
	fd, err := unix.Socket(unix.AF_INET, unix.SOCK_STREAM, 0)
	if err != nil {
		t.Fatal(err)
	}
	if err := rawsys.CloseSocket(fd); err != nil {
		t.Fatalf("close: %v", err)
	}
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); !errors.Is(err, unix.EBADF) {
		t.Fatalf("descriptor still open after CloseSocket: %v", err)
	}
	if err := rawsys.CloseSocket(fd); !errors.Is(err, unix.EBADF) {
		t.Fatalf("second close: %v, want EBADF", err)
	}
}
