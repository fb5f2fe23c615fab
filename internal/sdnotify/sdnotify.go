package sdnotify

import (
	"errors"
	"fmt"
	"net"
	"os"
	"strconv"
	"strings"
	"time"

	"golang.org/x/sys/unix"
)

// The states eventmpm sends (sd_notify(3)).
const (
	// Ready: startup finished, or a reload finished (or was refused and
	// the running generation keeps serving).
	Ready = "READY=1"
	// Reloading: a restart began; the manager waits for the next Ready.
	Reloading = "RELOADING=1"
	// Stopping: a stop or graceful stop began.
	Stopping = "STOPPING=1"
	// Watchdog: the supervisor's loop is alive.
	Watchdog = "WATCHDOG=1"
)

// Environment variables the service manager sets.
const (
	SocketEnv       = "NOTIFY_SOCKET"
	WatchdogUsecEnv = "WATCHDOG_USEC"
	WatchdogPIDEnv  = "WATCHDOG_PID"
)

// ErrBadSocket is returned for a $NOTIFY_SOCKET that is neither an
// absolute path nor an abstract name.
var ErrBadSocket = errors.New("sdnotify: NOTIFY_SOCKET is neither an absolute path nor an @abstract name")

// Notifier sends states to the service manager's socket. A nil *Notifier
// sends nothing.
type Notifier struct {
	addr     *net.UnixAddr
	watchdog time.Duration
}

// New returns a Notifier sending to socket (a path, or '@' and an abstract
// name).
func New(socket string) (*Notifier, error) {
	if len(socket) < 2 || (socket[0] != '/' && socket[0] != '@') {
		return nil, fmt.Errorf("%w: %q", ErrBadSocket, socket)
	}
	return &Notifier{addr: &net.UnixAddr{Name: socket, Net: "unixgram"}}, nil
}

// FromEnv returns a Notifier for $NOTIFY_SOCKET, or nil when it is unset,
// and unsets the notify and watchdog variables so that no process started
// later inherits them. $WATCHDOG_USEC sets [Notifier.WatchdogInterval]
// unless $WATCHDOG_PID names another process.
func FromEnv() (*Notifier, error) {
	socket := os.Getenv(SocketEnv)
	usec, wpid := os.Getenv(WatchdogUsecEnv), os.Getenv(WatchdogPIDEnv)
	for _, k := range []string{SocketEnv, WatchdogUsecEnv, WatchdogPIDEnv} {
		os.Unsetenv(k)
	}
	if socket == "" {
		return nil, nil
	}
	n, err := New(socket)
	if err != nil {
		return nil, err
	}
	if wpid == "" || wpid == strconv.Itoa(os.Getpid()) {
		if v, err := strconv.ParseUint(usec, 10, 63); err == nil && v > 0 {
			n.watchdog = time.Duration(v) * time.Microsecond
		}
	}
	return n, nil
}

// Environ returns the variables that hand this Notifier to another
// process (NOTIFY_SOCKET and, with a watchdog, WATCHDOG_USEC), for a
// process that takes over as the service's main process; none for nil.
func (n *Notifier) Environ() []string {
	if n == nil {
		return nil
	}
	env := []string{SocketEnv + "=" + n.addr.Name}
	if n.watchdog > 0 {
		env = append(env, WatchdogUsecEnv+"="+strconv.FormatInt(n.watchdog.Microseconds(), 10))
	}
	return env
}

// Notify sends the states as one datagram, one per line.
func (n *Notifier) Notify(states ...string) error {
	if n == nil || len(states) == 0 {
		return nil
	}
	c, err := net.DialUnix("unixgram", nil, n.addr)
	if err != nil {
		return fmt.Errorf("sdnotify: %w", err)
	}
	defer c.Close()
	c.SetWriteDeadline(time.Now().Add(time.Second))
	if _, err := c.Write([]byte(strings.Join(states, "\n") + "\n")); err != nil {
		return fmt.Errorf("sdnotify: %w", err)
	}
	return nil
}

// WatchdogInterval is the manager's watchdog timeout ($WATCHDOG_USEC), 0
// when there is none; a service sends [Watchdog] at half of it.
func (n *Notifier) WatchdogInterval() time.Duration {
	if n == nil {
		return 0
	}
	return n.watchdog
}

// Status is a STATUS= assignment: a one-line summary the manager shows
// (systemctl status).
func Status(text string) string {
	return "STATUS=" + strings.ReplaceAll(text, "\n", " ")
}

// MainPID is a MAINPID= assignment.
func MainPID(pid int) string { return "MAINPID=" + strconv.Itoa(pid) }

// MonotonicUsec is the MONOTONIC_USEC= assignment systemd wants with
// RELOADING=1: CLOCK_MONOTONIC now, in microseconds.
func MonotonicUsec() string {
	var ts unix.Timespec
	if err := unix.ClockGettime(unix.CLOCK_MONOTONIC, &ts); err != nil {
		return "MONOTONIC_USEC=0"
	}
	return "MONOTONIC_USEC=" + strconv.FormatInt(ts.Nano()/1000, 10)
}
