package sdnotify

import (
	"errors"
	"fmt"
	"net"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"testing"
	"time"
)

// listen opens a test-owned datagram socket at name (a path, or '@' and
// an abstract name) and returns it.
func listen(t *testing.T, name string) *net.UnixConn {
	t.Helper()
	c, err := net.ListenUnixgram("unixgram", &net.UnixAddr{Name: name, Net: "unixgram"})
	if err != nil {
		t.Fatalf("listen %s: %v", name, err)
	}
	t.Cleanup(func() { c.Close() })
	return c
}

func recv(t *testing.T, c *net.UnixConn) string {
	t.Helper()
	c.SetReadDeadline(time.Now().Add(10 * time.Second))
	buf := make([]byte, 4096)
	n, err := c.Read(buf)
	if err != nil {
		t.Fatalf("read: %v", err)
	}
	return string(buf[:n])
}

func TestNotify(t *testing.T) {
	tests := []struct {
		name   string
		socket string
	}{
		{name: "path", socket: filepath.Join(t.TempDir(), "notify")},
		{name: "abstract", socket: fmt.Sprintf("@eventmpm-sdnotify-test-%d", os.Getpid())},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			c := listen(t, tt.socket)
			n, err := New(tt.socket)
			if err != nil {
				t.Fatal(err)
			}
			if err := n.Notify(Ready, MainPID(42), Status("serving,\ngeneration 0")); err != nil {
				t.Fatal(err)
			}
			if got, want := recv(t, c), "READY=1\nMAINPID=42\nSTATUS=serving, generation 0\n"; got != want {
				t.Errorf("datagram: got %q, want %q", got, want)
			}
		})
	}
}

func TestNotifyNoListener(t *testing.T) {
	n, err := New(filepath.Join(t.TempDir(), "nobody"))
	if err != nil {
		t.Fatal(err)
	}
	if err := n.Notify(Ready); err == nil {
		t.Errorf("Notify to a missing socket: got nil error, want one")
	}
}

func TestNew(t *testing.T) {
	tests := []struct {
		socket string
		ok     bool
	}{
		{socket: "/run/systemd/notify", ok: true},
		{socket: "@abstract", ok: true},
		{socket: "relative/path", ok: false},
		{socket: "@", ok: false},
		{socket: "/", ok: false},
	}
	for _, tt := range tests {
		_, err := New(tt.socket)
		if got := err == nil; got != tt.ok {
			t.Errorf("New(%q): got error %v, want ok %v", tt.socket, err, tt.ok)
		}
		if err != nil && !errors.Is(err, ErrBadSocket) {
			t.Errorf("New(%q): got %v, want ErrBadSocket", tt.socket, err)
		}
	}
}

func TestNilNotifier(t *testing.T) {
	var n *Notifier
	if err := n.Notify(Ready); err != nil {
		t.Errorf("nil Notify: got %v, want nil", err)
	}
	if d := n.WatchdogInterval(); d != 0 {
		t.Errorf("nil WatchdogInterval: got %v, want 0", d)
	}
}

func TestFromEnv(t *testing.T) {
	self := strconv.Itoa(os.Getpid())
	tests := []struct {
		name     string
		socket   string
		usec     string
		pid      string
		nilN     bool
		watchdog time.Duration
	}{
		{name: "unset", nilN: true},
		{name: "no watchdog", socket: "/run/notify"},
		{name: "watchdog", socket: "/run/notify", usec: "3000000", watchdog: 3 * time.Second},
		{name: "watchdog for me", socket: "@n", usec: "500000", pid: self, watchdog: 500 * time.Millisecond},
		{name: "watchdog for another pid", socket: "/run/notify", usec: "3000000", pid: "1"},
		{name: "bad watchdog", socket: "/run/notify", usec: "soon"},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			t.Setenv(SocketEnv, tt.socket)
			t.Setenv(WatchdogUsecEnv, tt.usec)
			t.Setenv(WatchdogPIDEnv, tt.pid)
			n, err := FromEnv()
			if err != nil {
				t.Fatal(err)
			}
			if got := n == nil; got != tt.nilN {
				t.Fatalf("FromEnv: got nil %v, want nil %v", got, tt.nilN)
			}
			if got := n.WatchdogInterval(); got != tt.watchdog {
				t.Errorf("WatchdogInterval: got %v, want %v", got, tt.watchdog)
			}
			for _, k := range []string{SocketEnv, WatchdogUsecEnv, WatchdogPIDEnv} {
				if v, ok := os.LookupEnv(k); ok {
					t.Errorf("after FromEnv: %s=%q still set, want unset (children must not notify)", k, v)
				}
			}
		})
	}
}

func TestFromEnvBadSocket(t *testing.T) {
	t.Setenv(SocketEnv, "notify")
	if _, err := FromEnv(); !errors.Is(err, ErrBadSocket) {
		t.Errorf("FromEnv with a relative NOTIFY_SOCKET: got %v, want ErrBadSocket", err)
	}
}

func TestMonotonicUsec(t *testing.T) {
	v, ok := strings.CutPrefix(MonotonicUsec(), "MONOTONIC_USEC=")
	if n, err := strconv.ParseInt(v, 10, 64); !ok || err != nil || n <= 0 {
		t.Errorf("MonotonicUsec: got %q, want MONOTONIC_USEC=<positive>", MonotonicUsec())
	}
}
