//go:build linux

package poll

import (
	"net"
	"os"
	"testing"
	"time"

	"golang.org/x/sys/unix"
)

func newPoller(t *testing.T) *Poller {
	t.Helper()
	p, err := New()
	if err != nil {
		t.Fatalf("New: %v", err)
	}
	t.Cleanup(func() { p.Close() })
	return p
}

func socketPair(t *testing.T) (a, b int) {
	t.Helper()
	fds, err := unix.Socketpair(unix.AF_UNIX, unix.SOCK_STREAM|unix.SOCK_NONBLOCK|unix.SOCK_CLOEXEC, 0)
	if err != nil {
		t.Fatalf("socketpair: %v", err)
	}
	t.Cleanup(func() { unix.Close(fds[0]); unix.Close(fds[1]) })
	return fds[0], fds[1]
}

// pollerWithConn returns a poller with a registered connection a, whose
// peer is b.
func pollerWithConn(t *testing.T) (p *Poller, a, b int) {
	t.Helper()
	p = newPoller(t)
	a, b = socketPair(t)
	if err := p.AddConn(a); err != nil {
		t.Fatal(err)
	}
	return p, a, b
}

// waitFor waits (bounded) until fd is reported with all of want.
func waitFor(t *testing.T, p *Poller, fd int, want Flags) {
	t.Helper()
	evs := make([]Event, 16)
	deadline := time.Now().Add(5 * time.Second)
	for time.Now().Before(deadline) {
		n, err := p.Wait(evs, time.Second)
		if err != nil {
			t.Fatalf("Wait: %v", err)
		}
		for _, e := range evs[:n] {
			if int(e.Fd) == fd && e.Flags&want == want {
				return
			}
		}
	}
	t.Fatalf("fd %d never reported %v", fd, want)
}

func TestConnReadableEdgeTriggered(t *testing.T) {
	p, a, b := pollerWithConn(t)
	evs := make([]Event, 8)
	if n, err := p.Wait(evs, 0); err != nil || n != 0 {
		t.Fatalf("Wait on idle conn: got n=%d err=%v, want 0, nil", n, err)
	}
	unix.Write(b, []byte("hello"))
	waitFor(t, p, a, Readable)
	// Edge-triggered: without new data, no new event even though data waits.
	if n, _ := p.Wait(evs, 50*time.Millisecond); n != 0 {
		t.Fatalf("second Wait without new data: got %d events, want 0", n)
	}
	unix.Write(b, []byte("more"))
	waitFor(t, p, a, Readable)
}

func TestConnHangup(t *testing.T) {
	p, a, b := pollerWithConn(t)
	unix.Shutdown(b, unix.SHUT_WR)
	waitFor(t, p, a, Hangup|Readable)
}

func TestWatchWritable(t *testing.T) {
	p, a, _ := pollerWithConn(t)
	if err := p.WatchWritable(a); err != nil {
		t.Fatal(err)
	}
	waitFor(t, p, a, Writable)
}

func TestWakeReturnsWait(t *testing.T) {
	p := newPoller(t)
	done := make(chan error, 1)
	go func() {
		n, err := p.Wait(make([]Event, 4), -1)
		if err == nil && n != 0 {
			err = os.ErrInvalid
		}
		done <- err
	}()
	time.Sleep(20 * time.Millisecond)
	p.Wake()
	select {
	case err := <-done:
		if err != nil {
			t.Fatalf("Wait after Wake: %v", err)
		}
	case <-time.After(5 * time.Second):
		t.Fatal("Wake did not end a parked Wait")
	}
	// Many wakes coalesce into at most one early return.
	for i := 0; i < 100; i++ {
		p.Wake()
	}
	if n, err := p.Wait(make([]Event, 4), time.Second); n != 0 || err != nil {
		t.Fatalf("Wait after coalesced wakes: got %d, %v; want 0, nil", n, err)
	}
}

func TestWaitTimeout(t *testing.T) {
	p := newPoller(t)
	start := time.Now()
	n, err := p.Wait(make([]Event, 4), 30*time.Millisecond)
	if n != 0 || err != nil {
		t.Fatalf("Wait: got %d, %v; want 0, nil", n, err)
	}
	if time.Since(start) < 30*time.Millisecond {
		t.Fatal("Wait returned before its timeout with nothing ready")
	}
	// A later untimed Wait must not inherit the old deadline.
	go func() { time.Sleep(50 * time.Millisecond); p.Wake() }()
	if _, err := p.Wait(make([]Event, 4), -1); err != nil {
		t.Fatalf("untimed Wait: %v", err)
	}
}

func TestListener(t *testing.T) {
	p := newPoller(t)
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	f, err := ln.(*net.TCPListener).File()
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	fd := int(f.Fd())
	if err := p.AddListener(fd); err != nil {
		t.Fatal(err)
	}
	c, err := net.Dial("tcp", ln.Addr().String())
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	waitFor(t, p, fd, Readable)
	// Level-triggered: still reported while the connection is not accepted.
	waitFor(t, p, fd, Readable)
	if err := p.RemoveListener(fd); err != nil {
		t.Fatal(err)
	}
	if n, _ := p.Wait(make([]Event, 4), 50*time.Millisecond); n != 0 {
		t.Fatalf("after RemoveListener: got %d events, want 0", n)
	}
}

func BenchmarkWaitWake(b *testing.B) {
	p, err := New()
	if err != nil {
		b.Fatal(err)
	}
	defer p.Close()
	evs := make([]Event, 4)
	b.ReportAllocs()
	for i := 0; i < b.N; i++ {
		p.Wake()
		p.Wait(evs, -1)
	}
}

// TestParked: Parked tells a Wait that found work at once from one that
// had to park for it; the event loop yields the CPU on that difference.
func TestParked(t *testing.T) {
	p, _, b := pollerWithConn(t)
	evs := make([]Event, 8)
	unix.Write(b, []byte("ready"))
	if n, err := p.Wait(evs, time.Second); n != 1 || err != nil {
		t.Fatalf("Wait with data ready: got %d, %v; want 1, nil", n, err)
	}
	if p.Parked() {
		t.Error("Parked after a Wait that found an event at once: got true, want false")
	}
	go func() { time.Sleep(20 * time.Millisecond); unix.Write(b, []byte("later")) }()
	if n, err := p.Wait(evs, 5*time.Second); n != 1 || err != nil {
		t.Fatalf("Wait for later data: got %d, %v; want 1, nil", n, err)
	}
	if !p.Parked() {
		t.Error("Parked after a Wait that waited for data: got false, want true")
	}
	if _, err := p.Wait(evs, 0); err != nil {
		t.Fatal(err)
	}
	if p.Parked() {
		t.Error("Parked after a Wait with no timeout: got true, want false")
	}
}
