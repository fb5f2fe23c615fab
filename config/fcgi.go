package config

import (
	"net"
	"net/netip"
	"slices"
	"strconv"
	"strings"
)

// FCGIBackend is a FastCGI application mod_proxy_fcgi sends requests to:
// the socket to dial (Network "unix" and a path, or "tcp" and host:port)
// and the host of its fcgi:// URL (Host, with the port when it is not
// 8000), which FPM's SCRIPT_FILENAME names ("proxy:fcgi://localhost/...").
type FCGIBackend struct {
	Network string
	Address string
	Host    string
}

// HostName is the URL's host without its port (Apache's
// backend->hostname).
func (b FCGIBackend) HostName() string {
	if h, _, err := net.SplitHostPort(b.Host); err == nil {
		return h
	}
	return strings.Trim(b.Host, "[]")
}

// HostPort is the URL's host with its port, 8000 when it names none (the
// worker's name in Apache's messages).
func (b FCGIBackend) HostPort() string {
	if _, _, err := net.SplitHostPort(b.Host); err == nil {
		return b.Host
	}
	return b.Host + ":" + fcgiDefaultPort
}

// fcgiDefaultPort is ap_proxy_port_of_scheme("fcgi").
const fcgiDefaultPort = "8000"

// ParseProxyHandler reads a SetHandler "proxy:" value as mod_proxy does:
// "proxy:unix:/path/to.sock|fcgi://host/" (the socket, then the URL whose
// host names it) or "proxy:fcgi://host:port/". Only fcgi:// is taken.
func ParseProxyHandler(h string) (FCGIBackend, error) {
	rest, ok := cutPrefixFold(h, "proxy:")
	if !ok {
		return FCGIBackend{}, errorf("SetHandler %s: not a proxy: handler", h)
	}
	var socket string
	if path, ok := cutPrefixFold(rest, "unix:"); ok {
		var url string
		socket, url, ok = strings.Cut(path, "|")
		if !ok || socket == "" || !strings.HasPrefix(socket, "/") {
			return FCGIBackend{}, errorf("SetHandler %s: a unix: socket needs an absolute path and '|' before the URL (proxy:unix:/run/php/php-fpm.sock|fcgi://localhost)", h)
		}
		rest = url
	}
	b, err := parseFCGIURL(rest)
	if err != nil {
		return FCGIBackend{}, errorf("SetHandler %s: %s", h, err)
	}
	if socket != "" {
		b.Network, b.Address = "unix", socket
	}
	return b, nil
}

// parseFCGIURL reads "fcgi://host[:port][/...]".
func parseFCGIURL(u string) (FCGIBackend, error) {
	rest, ok := cutPrefixFold(u, "fcgi://")
	if !ok {
		return FCGIBackend{}, errorf("eventmpm's proxy handlers speak FastCGI only (fcgi://), not %s", u)
	}
	hostport, _, _ := strings.Cut(rest, "/")
	host, port, err := net.SplitHostPort(hostport)
	if err != nil {
		host, port = strings.Trim(hostport, "[]"), fcgiDefaultPort
	}
	if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return FCGIBackend{}, errorf("invalid port in %s", u)
	}
	if !validBackendHost(host) {
		return FCGIBackend{}, errorf("no valid host in %s", u)
	}
	host = strings.ToLower(host)
	b := FCGIBackend{Network: "tcp", Address: net.JoinHostPort(host, port), Host: host}
	if strings.Contains(host, ":") {
		b.Host = "[" + host + "]"
	}
	if port != fcgiDefaultPort {
		b.Host += ":" + port
	}
	return b, nil
}

// validBackendHost reports whether host is an IP address or a host name
// (letters, digits, '-', '.', '_').
func validBackendHost(host string) bool {
	if host == "" {
		return false
	}
	if _, err := netip.ParseAddr(host); err == nil {
		return true
	}
	for i := 0; i < len(host); i++ {
		c := host[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '.' || c == '_') {
			return false
		}
	}
	return true
}

// cutPrefixFold is strings.CutPrefix without regard to case.
func cutPrefixFold(s, prefix string) (string, bool) {
	if len(s) >= len(prefix) && strings.EqualFold(s[:len(prefix)], prefix) {
		return s[len(prefix):], true
	}
	return s, false
}

// setProxyHandler is SetHandler "proxy:...": mod_proxy_fcgi's handler,
// which needs both modules loaded (Apache takes the line without them and
// then serves the script's source as a file).
func setProxyHandler(w *walker, c *call) error {
	if !slices.Contains(w.cfg.Modules, "proxy_module") || !slices.Contains(w.cfg.Modules, "proxy_fcgi_module") {
		return errorf("SetHandler %s needs mod_proxy and mod_proxy_fcgi (LoadModule proxy_module ..., LoadModule proxy_fcgi_module ...)", c.args[0])
	}
	if _, err := ParseProxyHandler(c.args[0]); err != nil {
		return err
	}
	w.sec.s.Handler = c.args[0]
	w.sec.s.HandlerSet = true
	return nil
}

// setFCGIBackendType is ProxyFCGIBackendType FPM|GENERIC: how
// SCRIPT_FILENAME is given (FPM: "proxy:fcgi://host/path", which PHP-FPM
// reads; GENERIC: the path).
func setFCGIBackendType(w *walker, c *call) error {
	if w.sec != nil {
		return errorf("ProxyFCGIBackendType in a section is not supported by eventmpm: set it in the server config or <VirtualHost>")
	}
	switch strings.ToLower(c.args[0]) {
	case "fpm":
		w.proxyConfig().FCGIGeneric = false
	case "generic":
		w.proxyConfig().FCGIGeneric = true
	default:
		return errorf("ProxyFCGIBackendType requires one of the following arguments: 'GENERIC', 'FPM'")
	}
	return nil
}

// setCGIPassAuth is core's CGIPassAuth On|Off in a directory context: the
// request's Authorization and Proxy-Authorization fields are passed to a
// FastCGI application as HTTP_AUTHORIZATION and HTTP_PROXY_AUTHORIZATION
// (they are not by default, as in Apache).
func setCGIPassAuth(w *walker, c *call) error {
	on := isOn(c.args[0])
	w.sec.s.CGIPassAuth = &on
	return nil
}
