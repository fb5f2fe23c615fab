package supervisor

import (
	"fmt"
	"log/slog"
	"net/netip"
	"os"
	"strconv"
	"strings"

	"eventmpm/config"

	"golang.org/x/sys/unix"
)

// The sd_listen_fds(3) protocol: the service manager passes LISTEN_FDS
// sockets from descriptor 3 on, names the process they are meant for in
// LISTEN_PID and may name each in LISTEN_FDNAMES (colon-separated).
const (
	listenFdsEnv     = "LISTEN_FDS"
	listenPidEnv     = "LISTEN_PID"
	listenFdNamesEnv = "LISTEN_FDNAMES"
	listenFdsStart   = 3
)

// SocketActivation returns the listening sockets a service manager passed
// (systemd socket activation, sd_listen_fds(3)), or nil when LISTEN_FDS is
// unset or LISTEN_PID names another process. It unsets the variables, so
// the children and a later upgraded binary never see them, and marks the
// descriptors close-on-exec: children get them through ExtraFiles like a
// bound socket.
func SocketActivation() ([]*os.File, error) {
	fds, pid, names := os.Getenv(listenFdsEnv), os.Getenv(listenPidEnv), os.Getenv(listenFdNamesEnv)
	os.Unsetenv(listenFdsEnv)
	os.Unsetenv(listenPidEnv)
	os.Unsetenv(listenFdNamesEnv)
	if fds == "" || pid != strconv.Itoa(os.Getpid()) {
		return nil, nil
	}
	n, err := strconv.Atoi(fds)
	if err != nil || n < 0 {
		return nil, fmt.Errorf("socket activation: %s=%q is not a number of descriptors", listenFdsEnv, fds)
	}
	nameList := strings.Split(names, ":")
	return inheritedFiles(listenFdsStart, n, func(i int) string {
		if names != "" && i < len(nameList) && nameList[i] != "" {
			return nameList[i]
		}
		return "fd " + strconv.Itoa(listenFdsStart+i)
	})
}

// inheritedFiles wraps n inherited descriptors from first on, each marked
// close-on-exec.
func inheritedFiles(first, n int, name func(i int) string) ([]*os.File, error) {
	files := make([]*os.File, 0, n)
	for i := range n {
		fd := first + i
		if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
			closeFiles(files)
			return nil, fmt.Errorf("inherited descriptor %d: %w", fd, os.NewSyscallError("fcntl", err))
		}
		unix.CloseOnExec(fd)
		files = append(files, os.NewFile(uintptr(fd), name(i)))
	}
	return files, nil
}

func closeFiles(files []*os.File) {
	for _, f := range files {
		f.Close()
	}
}

// InheritListeners adopts listening sockets the server did not bind
// itself (socket activation, or the sockets a live upgrade hands over)
// instead of binding them: each is matched to a Listen directive by its
// local address (getsockname), a wildcard Listen matching the wildcard
// address of its port in either family. A Listen directive no inherited
// socket matches is bound as usual (and logged). An inherited socket that
// is not a listening stream socket, or that matches no Listen directive,
// is an error naming it, and nothing is kept: every inherited file is
// closed, as is anything bound. The result is in the order of
// cfg.Listeners; InheritListeners owns files whatever it returns.
func InheritListeners(files []*os.File, cfg *config.Config, log *slog.Logger) ([]Listener, error) {
	addrs := make([]netip.AddrPort, len(files))
	for i, f := range files {
		ap, err := listeningAddr(f)
		if err != nil {
			closeFiles(files)
			return nil, fmt.Errorf("inherited socket %s: %w", f.Name(), err)
		}
		addrs[i] = ap
	}
	used := make([]bool, len(files))
	var out []Listener
	fail := func(err error) ([]Listener, error) {
		for i, f := range files {
			if !used[i] {
				f.Close()
			}
		}
		CloseListeners(out)
		return nil, err
	}
	for _, want := range cfg.Listeners {
		i, err := matchInherited(want.Addr, addrs, used)
		if err != nil {
			//lint:ignore ST1005 it begins with the directive's name, as configuration errors do
			return fail(fmt.Errorf("Listen %s: %w", want.Addr, err))
		}
		if i >= 0 {
			used[i] = true
			if err := setAdoptedOptions(files[i], cfg.MPM, cfg.AcceptFilters[want.Proto]); err != nil {
				return fail(fmt.Errorf("inherited socket %s (%s): %w", files[i].Name(), addrs[i], err))
			}
			notice(log, fmt.Sprintf("Listen %s: using the inherited socket %s (%s)", want.Addr, files[i].Name(), addrs[i]), "module", "core")
			out = append(out, Listener{File: files[i], Addr: want.Addr, Proto: want.Proto, Inherited: true})
			continue
		}
		f, err := bind(want.Addr, cfg.MPM, cfg.AcceptFilters[want.Proto])
		if err != nil {
			return fail(fmt.Errorf("AH00072: make_sock: could not bind to address %s: %w", want.Addr, err))
		}
		notice(log, fmt.Sprintf("Listen %s: no inherited socket matches; bound it", want.Addr), "module", "core")
		out = append(out, Listener{File: f, Addr: want.Addr, Proto: want.Proto})
	}
	for i, f := range files {
		if !used[i] {
			return fail(fmt.Errorf("inherited socket %s (%s) matches no Listen directive: add \"Listen %s\" or stop passing it",
				f.Name(), addrs[i], addrs[i]))
		}
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("AH00015: Unable to open logs; no listening sockets available, shutting down")
	}
	return out, nil
}

// listeningAddr checks that f is a listening TCP socket and returns its
// local address; the error names the address when there is one.
func listeningAddr(f *os.File) (netip.AddrPort, error) {
	fd := int(f.Fd())
	typ, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_TYPE)
	if err != nil {
		return netip.AddrPort{}, fmt.Errorf("not a socket: %w", os.NewSyscallError("getsockopt SO_TYPE", err))
	}
	sa, err := unix.Getsockname(fd)
	if err != nil {
		return netip.AddrPort{}, os.NewSyscallError("getsockname", err)
	}
	var ap netip.AddrPort
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		ap = netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port))
	case *unix.SockaddrInet6:
		ap = netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), uint16(sa.Port))
	default:
		return netip.AddrPort{}, fmt.Errorf("not a TCP/IP socket (%T)", sa)
	}
	if typ != unix.SOCK_STREAM {
		return ap, fmt.Errorf("%s is not a stream socket (SO_TYPE %d)", ap, typ)
	}
	if on, err := unix.GetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_ACCEPTCONN); err != nil || on == 0 {
		return ap, fmt.Errorf("%s is not a listening socket (listen(2) was not called on it)", ap)
	}
	return ap, nil
}

// matchInherited returns the index of the unused inherited address a
// Listen address names, or -1.
func matchInherited(addr string, addrs []netip.AddrPort, used []bool) (int, error) {
	want, err := listenAddrPort(addr)
	if err != nil {
		return -1, err
	}
	for i, got := range addrs {
		if used[i] || got.Port() != want.Port() {
			continue
		}
		if got.Addr().Unmap() == want.Addr().Unmap() || (isWildcard(addr) && got.Addr().IsUnspecified()) {
			return i, nil
		}
	}
	return -1, nil
}

// listenAddrPort resolves a Listen address as bind would.
func listenAddrPort(addr string) (netip.AddrPort, error) {
	sa, _, err := sockaddr(addr)
	if err != nil {
		return netip.AddrPort{}, err
	}
	switch sa := sa.(type) {
	case *unix.SockaddrInet4:
		return netip.AddrPortFrom(netip.AddrFrom4(sa.Addr), uint16(sa.Port)), nil
	case *unix.SockaddrInet6:
		return netip.AddrPortFrom(netip.AddrFrom16(sa.Addr), uint16(sa.Port)), nil
	}
	return netip.AddrPort{}, fmt.Errorf("invalid address %q", addr)
}

// setAdoptedOptions applies to an inherited socket the options bind sets
// that still mean something after listen(2): SO_KEEPALIVE, TCP_NODELAY,
// the buffer sizes and the accept filter. SO_REUSEADDR, IPV6_V6ONLY and
// the backlog are the creator's (ListenStream's Backlog= under systemd).
func setAdoptedOptions(f *os.File, mpm config.MPM, filter string) error {
	fd := int(f.Fd())
	if err := setCommonOptions(fd, mpm); err != nil {
		return err
	}
	if filter != "data" {
		return nil
	}
	return setAcceptFilter(fd)
}
