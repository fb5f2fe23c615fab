package config

import (
	"errors"
	"net"
	"net/netip"
	"strconv"
	"strings"
)

// errBadAddr is apr_parse_addr_port's EINVAL.
var errBadAddr = errors.New("config: invalid address or port")

// errScopeID is an IPv6 address with a %zone, which Apache refuses.
var errScopeID = errors.New("config: scope id")

// parseHostPort splits "host:port", "[v6]:port", "host" or "port" the way
// apr_parse_addr_port does: port is 0 when absent, and 1..65535 otherwise.
// host is "" when only a port was given, "*" kept as written, an IPv6
// address is returned without brackets, and a name must be a plausible DNS
// name (it is resolved only when binding).
func parseHostPort(s string) (host string, port int, err error) {
	if s == "" {
		return "", 0, errBadAddr
	}
	if allDigits(s) {
		port, err = parsePort(s)
		return "", port, err
	}
	hostPart, portPart := s, ""
	if strings.HasPrefix(s, "[") {
		end := strings.IndexByte(s, ']')
		if end < 0 {
			return "", 0, errBadAddr
		}
		hostPart = s[1:end]
		rest := s[end+1:]
		if rest != "" {
			var ok bool
			if portPart, ok = strings.CutPrefix(rest, ":"); !ok {
				return "", 0, errBadAddr
			}
		}
		if err := checkIPv6(hostPart); err != nil {
			return "", 0, err
		}
	} else if i := strings.LastIndexByte(s, ':'); i >= 0 {
		hostPart, portPart = s[:i], s[i+1:]
		if strings.Contains(hostPart, ":") || !validHost(hostPart) {
			return "", 0, errBadAddr
		}
	} else if !validHost(hostPart) {
		return "", 0, errBadAddr
	}
	if portPart != "" || strings.HasSuffix(s, ":") {
		if port, err = parsePort(portPart); err != nil {
			return "", 0, err
		}
	}
	return hostPart, port, nil
}

func checkIPv6(s string) error {
	if strings.Contains(s, "%") {
		return errScopeID
	}
	a, err := netip.ParseAddr(s)
	if err != nil || !a.Is6() {
		return errBadAddr
	}
	return nil
}

func parsePort(s string) (int, error) {
	if !allDigits(s) {
		return 0, errBadAddr
	}
	n, err := strconv.Atoi(s)
	if err != nil || n < 1 || n > 65535 {
		return 0, errBadAddr
	}
	return n, nil
}

func allDigits(s string) bool {
	if s == "" {
		return false
	}
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// validHost accepts "*", an IPv4 address or a DNS name.
func validHost(s string) bool {
	if s == "*" {
		return true
	}
	if s == "" || len(s) > 253 {
		return false
	}
	for i := 0; i < len(s); i++ {
		c := s[i]
		if !(c >= 'a' && c <= 'z' || c >= 'A' && c <= 'Z' || c >= '0' && c <= '9' || c == '.' || c == '-' || c == '_') {
			return false
		}
	}
	return true
}

// joinAddr formats a listener address; every interface is ":port".
func joinAddr(host string, port int) string {
	if host == "*" {
		host = ""
	}
	if host == "" {
		return ":" + strconv.Itoa(port)
	}
	return net.JoinHostPort(host, strconv.Itoa(port))
}

// setListen is Listen [IP:]port [protocol] with Apache's messages.
func setListen(w *walker, c *call) error {
	if len(c.args) < 1 || len(c.args) > 2 {
		return errorf("Listen requires 1 or 2 arguments.")
	}
	host, port, err := parseHostPort(c.args[0])
	switch {
	case errors.Is(err, errScopeID):
		return errorf("Scope id is not supported")
	case err != nil:
		return errorf("Invalid address or port")
	case port == 0:
		return errorf("Port must be specified")
	}
	addr := joinAddr(host, port)
	for _, l := range w.cfg.Listeners {
		if l.Addr == addr {
			return errorf("Cannot define multiple Listeners on the same IP:port")
		}
	}
	proto := "http"
	if port == 443 {
		proto = "https"
	}
	if len(c.args) == 2 {
		proto = strings.ToLower(c.args[1])
	}
	w.cfg.Listeners = append(w.cfg.Listeners, Listener{Addr: addr, Proto: proto, Pos: c.pos})
	return nil
}

// vhostAddr is one parsed <VirtualHost> address: host "" matches every
// address (* and _default_), port 0 every port.
type vhostAddr struct {
	host string
	port int
}

// parseVhostAddr reads one <VirtualHost> address, as vhost.c's
// get_addresses does: "*", "_default_", an IP address or a name, with an
// optional ":port" or ":*".
func parseVhostAddr(s string) (vhostAddr, error) {
	s = strings.TrimSuffix(s, ":*")
	if strings.EqualFold(s, "_default_") || s == "*" {
		return vhostAddr{}, nil
	}
	host, port, err := parseHostPort(s)
	switch {
	case errors.Is(err, errScopeID):
		return vhostAddr{}, errorf("Scope ids are not supported")
	case err != nil:
		return vhostAddr{}, errorf("The address or port is invalid")
	case host == "":
		return vhostAddr{}, errorf("Missing address for VirtualHost")
	}
	if host == "*" || strings.EqualFold(host, "_default_") {
		host = ""
	}
	return vhostAddr{host: strings.ToLower(host), port: port}, nil
}
