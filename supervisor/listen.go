package supervisor

import (
	"fmt"
	"net"
	"net/netip"
	"os"
	"strconv"

	"eventmpm/config"
	"eventmpm/ipc"

	"golang.org/x/sys/unix"
)

// Listener is one bound listening socket, kept open by the supervisor for
// its whole life and inherited by every child of every generation.
type Listener struct {
	File  *os.File
	Addr  string // as configured
	Proto string
	// Inherited: the socket was passed in (socket activation or a live
	// upgrade), not bound by this process.
	Inherited bool
}

// BindListeners binds every Listen directive once (SPEC.md 1.2 Listen):
// SO_REUSEADDR, SO_KEEPALIVE, ListenBacklog, SendBufferSize and
// ReceiveBufferSize, TCP_NODELAY (inherited by accepted sockets) and, on
// Linux, TCP_DEFER_ACCEPT for AcceptFilter "data" (Apache's default). A
// Listen without a host binds the IPv6 wildcard with IPv4 mapped in, or the
// IPv4 one where IPv6 is missing. On error the sockets bound so far are
// closed and the error is Apache's AH00072 wording.
func BindListeners(cfg *config.Config) ([]Listener, error) {
	var out []Listener
	for _, l := range cfg.Listeners {
		f, err := bind(l.Addr, cfg.MPM, cfg.AcceptFilters[l.Proto])
		if err != nil {
			CloseListeners(out)
			return nil, fmt.Errorf("AH00072: make_sock: could not bind to address %s: %w", l.Addr, err)
		}
		out = append(out, Listener{File: f, Addr: l.Addr, Proto: l.Proto})
	}
	if len(out) == 0 {
		return nil, fmt.Errorf("AH00015: Unable to open logs; no listening sockets available, shutting down")
	}
	return out, nil
}

// CloseListeners closes bound listeners.
func CloseListeners(ls []Listener) {
	for _, l := range ls {
		l.File.Close()
	}
}

// IPCListeners describes listeners for a child's manifest, numbering their
// descriptors from first (the order they are passed in ExtraFiles).
func IPCListeners(ls []Listener, first int) []ipc.Listener {
	out := make([]ipc.Listener, len(ls))
	for i, l := range ls {
		out[i] = ipc.Listener{Fd: first + i, Addr: l.Addr, Proto: l.Proto}
	}
	return out
}

func bind(addr string, mpm config.MPM, filter string) (*os.File, error) {
	sa, family, err := sockaddr(addr)
	if err != nil {
		return nil, err
	}
	fd, err := newSocket(family)
	if err != nil && family == unix.AF_INET6 && isWildcard(addr) {
		sa, family = &unix.SockaddrInet4{Port: sa.(*unix.SockaddrInet6).Port}, unix.AF_INET
		fd, err = newSocket(family)
	}
	if err != nil {
		return nil, os.NewSyscallError("socket", err)
	}
	if err := setListenOptions(fd, family, addr, mpm, filter); err != nil {
		unix.Close(fd)
		return nil, err
	}
	if err := unix.Bind(fd, sa); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("bind", err)
	}
	if err := unix.Listen(fd, mpm.ListenBacklog); err != nil {
		unix.Close(fd)
		return nil, os.NewSyscallError("listen", err)
	}
	return os.NewFile(uintptr(fd), "listener "+addr), nil
}

func setListenOptions(fd, family int, addr string, mpm config.MPM, filter string) error {
	if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_REUSEADDR, 1); err != nil {
		return os.NewSyscallError("setsockopt SO_REUSEADDR", err)
	}
	if err := setCommonOptions(fd, mpm); err != nil {
		return err
	}
	if family == unix.AF_INET6 {
		v6only := 1
		if isWildcard(addr) {
			v6only = 0
		}
		if err := unix.SetsockoptInt(fd, unix.IPPROTO_IPV6, unix.IPV6_V6ONLY, v6only); err != nil {
			return os.NewSyscallError("setsockopt IPV6_V6ONLY", err)
		}
	}
	if filter != "data" {
		return nil
	}
	return setAcceptFilter(fd)
}

// setCommonOptions sets the options a listening socket may take before
// or after listen(2): SO_KEEPALIVE, TCP_NODELAY, SendBufferSize and
// ReceiveBufferSize.
func setCommonOptions(fd int, mpm config.MPM) error {
	opts := []struct {
		level, opt, val int
		name            string
	}{
		{unix.SOL_SOCKET, unix.SO_KEEPALIVE, 1, "SO_KEEPALIVE"},
		{unix.IPPROTO_TCP, unix.TCP_NODELAY, 1, "TCP_NODELAY"},
	}
	for _, o := range opts {
		if err := unix.SetsockoptInt(fd, o.level, o.opt, o.val); err != nil {
			return os.NewSyscallError("setsockopt "+o.name, err)
		}
	}
	if mpm.SendBufferSize > 0 {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_SNDBUF, mpm.SendBufferSize); err != nil {
			return os.NewSyscallError("setsockopt SO_SNDBUF", err)
		}
	}
	if mpm.ReceiveBufferSize > 0 {
		if err := unix.SetsockoptInt(fd, unix.SOL_SOCKET, unix.SO_RCVBUF, mpm.ReceiveBufferSize); err != nil {
			return os.NewSyscallError("setsockopt SO_RCVBUF", err)
		}
	}
	return nil
}

// sockaddr parses a Listen address ("host:port", "[v6]:port", ":port").
func sockaddr(addr string) (unix.Sockaddr, int, error) {
	host, portStr, err := net.SplitHostPort(addr)
	if err != nil {
		return nil, 0, fmt.Errorf("invalid address %q: %w", addr, err)
	}
	port, err := strconv.Atoi(portStr)
	if err != nil || port < 0 || port > 65535 {
		return nil, 0, fmt.Errorf("invalid port in %q", addr)
	}
	if host == "" || host == "*" {
		return &unix.SockaddrInet6{Port: port}, unix.AF_INET6, nil
	}
	ip, err := netip.ParseAddr(host)
	if err != nil {
		ips, lerr := net.LookupIP(host)
		if lerr != nil || len(ips) == 0 {
			return nil, 0, fmt.Errorf("cannot resolve %q", host)
		}
		ip, _ = netip.AddrFromSlice(ips[0])
	}
	ip = ip.Unmap()
	if ip.Is4() {
		return &unix.SockaddrInet4{Port: port, Addr: ip.As4()}, unix.AF_INET, nil
	}
	return &unix.SockaddrInet6{Port: port, Addr: ip.As16()}, unix.AF_INET6, nil
}

func isWildcard(addr string) bool {
	host, _, err := net.SplitHostPort(addr)
	return err == nil && (host == "" || host == "*")
}

// rebindListeners makes the listeners match a new configuration: sockets
// still wanted (same address) are kept open, so no connection waiting in
// their backlog is lost; new addresses are bound; dropped ones are closed.
//
// Inherited sockets (socket activation, a live upgrade) are treated the
// same: kept while a Listen line names their address, closed in this
// process when it is dropped (the service manager still holds its copy,
// so the port stays bound but unserved until the unit drops it too), and
// an address added to the configuration is bound by eventmpm itself.
func rebindListeners(cur []Listener, cfg *config.Config) ([]Listener, error) {
	byAddr := map[string]Listener{}
	for _, l := range cur {
		byAddr[l.Addr] = l
	}
	var out, fresh []Listener
	for _, want := range cfg.Listeners {
		if l, ok := byAddr[want.Addr]; ok {
			delete(byAddr, want.Addr)
			l.Proto = want.Proto
			out = append(out, l)
			continue
		}
		f, err := bind(want.Addr, cfg.MPM, cfg.AcceptFilters[want.Proto])
		if err != nil {
			CloseListeners(fresh)
			return nil, fmt.Errorf("AH00072: make_sock: could not bind to address %s: %w", want.Addr, err)
		}
		l := Listener{File: f, Addr: want.Addr, Proto: want.Proto}
		fresh = append(fresh, l)
		out = append(out, l)
	}
	for _, l := range byAddr {
		l.File.Close()
	}
	return out, nil
}
