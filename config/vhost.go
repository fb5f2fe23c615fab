package config

import (
	"net/netip"
	"slices"
	"strings"
)

// This file is name-based virtual host selection (vhost.c): which server
// answers a request, from the address it came in on and its Host header.
// The child precomputes the same choices (VirtualHostsOn, HostPatterns) so
// that it picks a server per request without allocating.

// ServerFor returns the server that answers a request for host (a Host
// header value, with or without its port) that arrived on port, when the
// local address does not matter: ServerForAddr with no address.
func (c *Config) ServerFor(host string, port int) *Server {
	return c.ServerForAddr(netip.Addr{}, port, host)
}

// ServerForAddr returns the server that answers a request for host that
// arrived on local:port, as Apache chooses it: the virtual hosts whose
// address is local:port (an IP-specific address beats "*" and _default_;
// without a valid local address, every address matches), then among them
// the first whose ServerName or ServerAlias matches host, else the first of
// them (the default server for that address), else the main server.
func (c *Config) ServerForAddr(local netip.Addr, port int, host string) *Server {
	on := c.VirtualHostsOn(port)
	cands := on.For(local)
	if !local.IsValid() {
		cands = on.all()
	}
	if len(cands) == 0 {
		return &c.Server
	}
	name := TrimHost(host)
	for _, i := range cands {
		for _, p := range c.VirtualHosts[i].Server.HostPatterns() {
			if p.Match(name) {
				return &c.VirtualHosts[i].Server
			}
		}
	}
	return &c.VirtualHosts[cands[0]].Server
}

// PortHosts is the virtual hosts a connection on one port can reach, as
// indices into Config.VirtualHosts in file order, grouped by the
// connection's local address as vhost.c's ipaddr chains group them.
type PortHosts struct {
	// ByIP holds, for each IP address that a <VirtualHost> names with this
	// port (or with any port), the hosts named by it: on that local
	// address they are the only candidates, the wildcard ones do not
	// apply.
	ByIP map[netip.Addr][]int
	// Wild is the hosts named by "*" or _default_ with this port (or any
	// port): the candidates on every other local address.
	Wild []int
}

// VirtualHostsOn groups the virtual hosts that answer on port by local
// address (see PortHosts). An address that is a host name matches
// nothing: eventmpm does not resolve names, which Apache does at startup
// ("Cannot resolve host name ... --- ignoring!" when it cannot).
func (c *Config) VirtualHostsOn(port int) PortHosts {
	var on PortHosts
	for i := range c.VirtualHosts {
		for _, s := range c.VirtualHosts[i].Addrs {
			a, err := parseVhostAddr(s)
			if err != nil || (a.port != 0 && a.port != port) {
				continue
			}
			if a.host == "" {
				on.Wild = appendOnce(on.Wild, i)
				continue
			}
			ip, err := netip.ParseAddr(a.host)
			if err != nil {
				continue
			}
			if on.ByIP == nil {
				on.ByIP = map[netip.Addr][]int{}
			}
			ip = ip.Unmap()
			on.ByIP[ip] = appendOnce(on.ByIP[ip], i)
		}
	}
	return on
}

// For returns the candidates for a connection whose local address is
// local: the hosts named by that address when there are any, else the
// wildcard ones.
func (p PortHosts) For(local netip.Addr) []int {
	if set, ok := p.ByIP[local.Unmap()]; ok {
		return set
	}
	return p.Wild
}

// all returns every host on the port, in file order.
func (p PortHosts) all() []int {
	out := slices.Clone(p.Wild)
	for _, set := range p.ByIP {
		for _, i := range set {
			out = appendOnce(out, i)
		}
	}
	slices.Sort(out)
	return out
}

func appendOnce(s []int, i int) []int {
	if slices.Contains(s, i) {
		return s
	}
	return append(s, i)
}

// HostPattern is one name of a server compiled for matching a request's
// host: its ServerName, or one ServerAlias, lowercased. An alias holding
// "*" or "?" is a wildcard pattern (ap_is_matchexp), the others compare
// literally.
type HostPattern struct {
	name string
	wild bool
}

// HostPatterns returns the names a request's host is matched against, in
// the order Apache's matches_aliases tries them: ServerName, then the
// ServerAliases.
func (s *Server) HostPatterns() []HostPattern {
	var out []HostPattern
	if s.ServerName != "" {
		out = append(out, HostPattern{name: strings.ToLower(strings.Trim(s.ServerName, "[]"))})
	}
	for _, a := range s.ServerAlias {
		out = append(out, HostPattern{name: strings.ToLower(a), wild: strings.ContainsAny(a, "*?")})
	}
	return out
}

// Match reports whether host (a Host header trimmed by TrimHost) matches
// the pattern, ASCII case-insensitively, as Apache's ap_strcasecmp_match:
// "*" matches any run of characters, dots included, and "?" any one.
func (p HostPattern) Match(host string) bool { return matchHost(p, host) }

// MatchBytes is Match for a host that has not been copied out of the
// request buffer; it does not allocate.
func (p HostPattern) MatchBytes(host []byte) bool { return matchHost(p, host) }

func matchHost[H string | []byte](p HostPattern, host H) bool {
	if len(host) == 0 {
		return false
	}
	if !p.wild {
		if len(host) != len(p.name) {
			return false
		}
		for i := 0; i < len(host); i++ {
			if lower(host[i]) != p.name[i] {
				return false
			}
		}
		return true
	}
	// Greedy matching that backtracks to the last "*" only: linear in
	// practice, and O(len(pattern)*len(host)) at worst, with no recursion.
	pat := p.name
	pi, hi := 0, 0
	star, mark := -1, 0
	for hi < len(host) {
		switch {
		case pi < len(pat) && pat[pi] == '*':
			star, mark = pi, hi
			pi++
		case pi < len(pat) && (pat[pi] == '?' || pat[pi] == lower(host[hi])):
			pi++
			hi++
		case star >= 0:
			mark++
			pi, hi = star+1, mark
		default:
			return false
		}
	}
	for pi < len(pat) && pat[pi] == '*' {
		pi++
	}
	return pi == len(pat)
}

func lower(b byte) byte {
	if 'A' <= b && b <= 'Z' {
		return b + 'a' - 'A'
	}
	return b
}

// TrimHost returns the host name of a Host header value as Apache's
// fix_hostname leaves it for matching: without the port, without the
// brackets of an IPv6 literal, and without a final dot ("example.com." is
// example.com). It does not change case (Match ignores it) and returns a
// part of host, so it does not allocate.
func TrimHost[H ~string | ~[]byte](host H) H {
	if len(host) > 0 && host[0] == '[' {
		for i := 1; i < len(host); i++ {
			if host[i] == ']' {
				return host[1:i]
			}
		}
		return host
	}
	for i := len(host) - 1; i >= 0; i-- {
		if host[i] == ':' {
			host = host[:i]
			break
		}
		if host[i] < '0' || host[i] > '9' {
			break
		}
	}
	if n := len(host); n > 0 && host[n-1] == '.' {
		host = host[:n-1]
	}
	return host
}
