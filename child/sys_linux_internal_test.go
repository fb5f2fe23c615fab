//go:build linux

package child

import (
	"fmt"
	"io"
	"net"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

// TestWritevMoreJoinsHeadAndFile checks what the MSG_MORE of writev is for:
// a response head written just before a sendfile(2) body leaves in the same
// TCP segment as the body, where a plain write sends the head as a segment
// of its own (the listening sockets have TCP_NODELAY). It counts the data
// segments the kernel sent (TCP_INFO) over real loopback connections.
func TestWritevMoreJoinsHeadAndFile(t *testing.T) {
	body := strings.Repeat("b", 1024)
	path := filepath.Join(t.TempDir(), "body")
	if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
		t.Fatal(err)
	}
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	head := "HTTP/1.1 200 OK\r\nContent-Length: 1024\r\n\r\n"

	for _, tt := range []struct {
		more     bool
		wantSegs uint32
	}{{more: true, wantSegs: 1}, {more: false, wantSegs: 2}} {
		fd, peer := tcpPair(t)
		n, _, err := writev(fd, [][]byte{[]byte(head)}, nil, tt.more)
		if err != nil || n != len(head) {
			t.Fatalf("more=%v: writev = %d, %v; want %d, nil", tt.more, n, err, len(head))
		}
		var off int64
		if n, err := unix.Sendfile(fd, int(file.Fd()), &off, len(body)); err != nil || n != len(body) {
			t.Fatalf("more=%v: sendfile = %d, %v", tt.more, n, err)
		}
		got := make([]byte, len(head)+len(body))
		if _, err := io.ReadFull(peer, got); err != nil {
			t.Fatalf("more=%v: reading the response: %v", tt.more, err)
		}
		if string(got) != head+body {
			t.Fatalf("more=%v: the peer read %q...; want the head then the body", tt.more, got[:60])
		}
		info, err := unix.GetsockoptTCPInfo(fd, unix.IPPROTO_TCP, unix.TCP_INFO)
		if err != nil {
			t.Fatal(err)
		}
		if info.Data_segs_out != tt.wantSegs {
			t.Errorf("more=%v: %d data segments sent; want %d", tt.more, info.Data_segs_out, tt.wantSegs)
		}
	}
}

// tcpPair returns the server end of a loopback TCP connection as a
// non-blocking descriptor with TCP_NODELAY (as accepted connections inherit
// it from the listener), and the client end.
func tcpPair(t *testing.T) (int, net.Conn) {
	t.Helper()
	ln, err := net.Listen("tcp4", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	peer, err := net.Dial("tcp4", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { peer.Close() })
	srv, err := ln.Accept()
	if err != nil {
		t.Fatal(err)
	}
	f, err := srv.(*net.TCPConn).File() // a duplicate, in blocking mode
	srv.Close()
	if err != nil {
		t.Fatal(err)
	}
	fd, err := unix.Dup(int(f.Fd()))
	f.Close()
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { unix.Close(fd) })
	if err := unix.SetNonblock(fd, true); err != nil {
		t.Fatal(err)
	}
	if err := unix.SetsockoptInt(fd, unix.IPPROTO_TCP, unix.TCP_NODELAY, 1); err != nil {
		t.Fatal(err)
	}
	return fd, peer
}

// TestReadStampedGivesArrival checks the receive time a connection's first
// read takes from the kernel: set on the listening socket, it is inherited
// by accepted connections and falls between the client's write and the
// read; without it there is none.
func TestReadStampedGivesArrival(t *testing.T) {
	for _, stamp := range []bool{true, false} {
		lfd := loopbackListener(t, 0)
		if stamp && !stampArrivals(lfd) {
			t.Fatal("SO_TIMESTAMPNS refused")
		}
		sa, err := unix.Getsockname(lfd)
		if err != nil {
			t.Fatal(err)
		}
		// The kernel turns receive timestamps on for the host a moment
		// after the first socket asks (a deferred static-key switch), so
		// the first packets may come without one, which readStamped
		// reports as 0 and the child treats as "no timestamp". Try a few
		// connections until one is stamped.
		for try := 1; ; try++ {
			before, at, after := stampedExchange(t, sa.(*unix.SockaddrInet4).Port, lfd)
			if stamp && at == 0 && try < 50 {
				time.Sleep(10 * time.Millisecond)
				continue
			}
			switch {
			case stamp && (at < before || at > after):
				t.Errorf("receive time %d is not between the write (%d) and the read (%d)", at, before, after)
			case !stamp && at != 0:
				t.Errorf("receive time %d from a socket that does not timestamp; want 0", at)
			}
			break
		}
	}
}

// stampedExchange connects to port, writes a request, accepts the
// connection on lfd and reads it with readStamped: the time before the
// write, the receive time, and the time after the read.
func stampedExchange(t *testing.T, port, lfd int) (before, at, after int64) {
	t.Helper()
	before = time.Now().UnixNano()
	peer, err := net.Dial("tcp4", fmt.Sprintf("127.0.0.1:%d", port))
	if err != nil {
		t.Fatal(err)
	}
	defer peer.Close()
	if _, err := peer.Write([]byte("GET / HTTP/1.1\r\n\r\n")); err != nil {
		t.Fatal(err)
	}
	fd, _, err := unix.Accept4(lfd, unix.SOCK_CLOEXEC) // blocking: the data is there after it
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(fd)
	var oob stampBuf
	buf := make([]byte, 64)
	n, at, err := readStamped(fd, buf, &oob)
	after = time.Now().UnixNano()
	if err != nil || string(buf[:n]) != "GET / HTTP/1.1\r\n\r\n" {
		t.Fatalf("readStamped = %q, %v", buf[:n], err)
	}
	return before, at, after
}

func TestStampedArrival(t *testing.T) {
	const accepted = int64(1_000_000_000_000)
	slack := int64(stampSlack)
	for _, tt := range []struct {
		name             string
		at, edgeAt, want int64
	}{
		{"no timestamp", 0, 0, 0},
		{"no timestamp, an edge", 0, accepted + 5, accepted + 5},
		{"received before the accept", accepted - 1000, 0, accepted - 1000},
		{"received after the accept", accepted + 1000, 0, accepted + 1000},
		{"earlier than the edge", accepted + 3, accepted + 5, accepted + 3},
		{"later than the edge", accepted + 9, accepted + 5, accepted + 5},
		{"too early to believe", accepted - slack, 0, 0},
		{"another clock's time", 3600 * 1_000_000_000, accepted + 5, accepted + 5},
	} {
		if got := stampedArrival(tt.at, accepted, tt.edgeAt); got != tt.want {
			t.Errorf("%s: stampedArrival(%d, %d, %d) = %d; want %d", tt.name, tt.at, accepted, tt.edgeAt, got, tt.want)
		}
	}
}

// TestSendFileResidentOrNot sends a file larger than residentWindow over a
// loopback connection with sendFile, once with the file in the page cache
// (raw calls, one window at a time) and once after dropping it from the
// cache (ordinary calls): the peer gets every byte in order both times.
func TestSendFileResidentOrNot(t *testing.T) {
	body := make([]byte, residentWindow+residentWindow/2+123)
	for i := range body {
		body[i] = byte(i*7 + i>>12)
	}
	path := filepath.Join(t.TempDir(), "body")
	if err := os.WriteFile(path, body, 0o644); err != nil {
		t.Fatal(err)
	}
	file, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer file.Close()
	if err := file.Sync(); err != nil {
		t.Fatal(err)
	}
	for _, drop := range []bool{false, true} {
		if drop {
			if err := unix.Fadvise(int(file.Fd()), 0, 0, unix.FADV_DONTNEED); err != nil {
				t.Fatal(err)
			}
		}
		fd, peer := tcpPair(t)
		got := make(chan []byte, 1)
		go func() {
			b, _ := io.ReadAll(io.LimitReader(peer, int64(len(body))))
			got <- b
		}()
		var off int64
		for off < int64(len(body)) {
			n, err := sendFile(fd, int(file.Fd()), &off, len(body)-int(off))
			if err == unix.EAGAIN {
				pfd := []unix.PollFd{{Fd: int32(fd), Events: unix.POLLOUT}}
				unix.Poll(pfd, 10_000) // the reader drains it; 10 s at most
				continue
			}
			if err != nil || n <= 0 {
				t.Fatalf("drop=%v: sendFile at %d = %d, %v", drop, off, n, err)
			}
		}
		if b := <-got; string(b) != string(body) {
			t.Fatalf("drop=%v: the peer read %d bytes, not the file's %d in order", drop, len(b), len(body))
		}
	}
}
