package config

import (
	"net"
	"net/netip"
	"path"
	"strings"
)

// This file is name-based virtual host selection (vhost.c): which server
// answers a request, from the address it came in on and its Host header.

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
	cands := c.vhostsOn(local, port)
	if len(cands) == 0 {
		return &c.Server
	}
	name := normalizeHost(host)
	for _, v := range cands {
		if v.Server.matchesName(name) {
			return &v.Server
		}
	}
	return &cands[0].Server
}

// vhostsOn lists the virtual hosts on local:port, in order: the ones named
// by IP address when any match, else the wildcard ones.
func (c *Config) vhostsOn(local netip.Addr, port int) []*VirtualHost {
	var exact, wild []*VirtualHost
	for i := range c.VirtualHosts {
		v := &c.VirtualHosts[i]
		switch v.matchAddr(local, port) {
		case matchExact:
			exact = append(exact, v)
		case matchWild:
			wild = append(wild, v)
		}
	}
	if len(exact) > 0 {
		return exact
	}
	return wild
}

type addrMatch int

const (
	matchNone addrMatch = iota
	matchWild
	matchExact
)

// matchAddr tells how well one of the host's addresses matches.
func (v *VirtualHost) matchAddr(local netip.Addr, port int) addrMatch {
	best := matchNone
	for _, s := range v.Addrs {
		a, err := parseVhostAddr(s)
		if err != nil || (a.port != 0 && a.port != port) {
			continue
		}
		switch {
		case a.host == "" || !local.IsValid():
			best = max(best, matchWild)
		default:
			if ip, err := netip.ParseAddr(a.host); err == nil && ip.Unmap() == local.Unmap() {
				return matchExact
			}
		}
	}
	return best
}

// normalizeHost lowercases a Host header and drops its port and a final dot.
func normalizeHost(host string) string {
	if h, _, err := net.SplitHostPort(host); err == nil {
		host = h
	} else if strings.HasPrefix(host, "[") && strings.HasSuffix(host, "]") {
		host = host[1 : len(host)-1]
	}
	return strings.TrimSuffix(strings.ToLower(host), ".")
}

// matchesName compares a normalized host with ServerName and ServerAlias
// (where * and ? are wildcards, case-insensitively, as Apache matches them).
func (s *Server) matchesName(host string) bool {
	if host == "" {
		return false
	}
	if strings.EqualFold(strings.Trim(s.ServerName, "[]"), host) {
		return true
	}
	for _, alias := range s.ServerAlias {
		alias = strings.ToLower(alias)
		if !hasWildcard(alias) {
			if alias == host {
				return true
			}
			continue
		}
		if ok, _ := path.Match(alias, host); ok {
			return true
		}
	}
	return false
}
