package config

import (
	"bufio"
	"errors"
	"net"
	"net/netip"
	"os"
	"slices"
	"strings"
)

// This file is mod_remoteip's configuration: the header that names the
// client behind a proxy, and the proxies trusted to send it.

// RemoteIP is a server's mod_remoteip configuration. A virtual host
// inherits each of the three settings it does not set, as Apache's
// merge_remoteip_server_config.
type RemoteIP struct {
	// Header is RemoteIPHeader: the request field whose value lists the
	// client and the proxies on its way ("" turns mod_remoteip off).
	Header string `json:",omitempty"`
	// ProxiesHeader is RemoteIPProxiesHeader: the request field that gets
	// the trusted external proxies that were passed over, "" for none.
	ProxiesHeader string `json:",omitempty"`
	// Proxies are RemoteIPTrustedProxy and RemoteIPInternalProxy (and
	// their List forms) in the order written; nil trusts every address,
	// as external proxies.
	Proxies []RemoteIPProxy `json:",omitempty"`
	// ProxyProtocol is RemoteIPProxyProtocol as this server set it: "on",
	// "off", or "" when it did not (never inherited: like Apache, the
	// setting belongs to the server's addresses, the main server's to
	// every address).
	ProxyProtocol string `json:",omitempty"`
}

// RemoteIPProxy is one trusted network: Internal for RemoteIPInternalProxy
// (may present private addresses), else RemoteIPTrustedProxy.
type RemoteIPProxy struct {
	Net      netip.Prefix
	Internal bool `json:",omitempty"`
}

// Enabled reports whether mod_remoteip acts on requests.
func (r *RemoteIP) Enabled() bool { return r != nil && r.Header != "" }

// merge is a virtual host's configuration v over the main server's m:
// each setting the virtual host leaves unset is the main server's.
func (m *RemoteIP) merge(v *RemoteIP) *RemoteIP {
	switch {
	case m == nil:
		return v
	case v == nil:
		c := *m
		c.Proxies = slices.Clone(m.Proxies)
		c.ProxyProtocol = ""
		return &c
	}
	c := *v
	if c.Header == "" {
		c.Header = m.Header
	}
	if c.ProxiesHeader == "" {
		c.ProxiesHeader = m.ProxiesHeader
	}
	if c.Proxies == nil {
		c.Proxies = slices.Clone(m.Proxies)
	}
	return &c
}

// remoteIPOf is the server's configuration, created on first use.
func (w *walker) remoteIPOf() *RemoteIP {
	if w.srv.srv.RemoteIP == nil {
		w.srv.srv.RemoteIP = &RemoteIP{}
	}
	return w.srv.srv.RemoteIP
}

// setRemoteIPHeader is RemoteIPHeader and RemoteIPProxiesHeader.
func setRemoteIPHeader(w *walker, c *call) error {
	name := c.args[0]
	if !validFieldName(name) {
		return errorf("%s %s: not a valid header field name", c.d.name, name)
	}
	if p, ok := preParsedField(name); ok {
		return errorf("%s %s: eventmpm reads %s while parsing the request, before mod_remoteip could apply", c.d.name, name, p)
	}
	r := w.remoteIPOf()
	if strings.EqualFold(c.d.name, "RemoteIPHeader") {
		r.Header = name
		w.srv.remoteIPPos = c.pos
	} else {
		r.ProxiesHeader = name
	}
	return nil
}

// setRemoteIPProxy is RemoteIPTrustedProxy and RemoteIPInternalProxy: one
// or more addresses, networks or host names.
func setRemoteIPProxy(internal bool) func(w *walker, c *call) error {
	return func(w *walker, c *call) error {
		for _, a := range c.args {
			if err := w.addRemoteIPProxy(c.d.name, a, internal); err != nil {
				return err
			}
		}
		return nil
	}
}

// setRemoteIPProxyList is RemoteIPTrustedProxyList and
// RemoteIPInternalProxyList: a file (relative to ServerRoot) of the same
// words, '#' starting a comment.
func setRemoteIPProxyList(internal bool) func(w *walker, c *call) error {
	return func(w *walker, c *call) error {
		path := w.l.rootRelative(c.args[0])
		f, err := os.Open(path)
		if err != nil {
			return errorf("%s: Could not open file %s: %s%w", c.d.name, path, errnoText(err), noText(err))
		}
		defer f.Close()
		sc := bufio.NewScanner(f)
		name := strings.TrimSuffix(c.d.name, "List")
		for line := 1; sc.Scan(); line++ {
			for _, word := range strings.Fields(sc.Text()) {
				if strings.HasPrefix(word, "#") {
					break
				}
				if err := w.addRemoteIPProxy(name, word, internal); err != nil {
					return errorf("%v at line %d of %s", err, line, path)
				}
			}
		}
		if err := sc.Err(); err != nil {
			return errorf("%s: reading %s: %v", c.d.name, path, err)
		}
		return nil
	}
}

// addRemoteIPProxy is mod_remoteip's proxies_set: an address or network in
// apr_ipsubnet_create's forms, or a host name, looked up now (every address
// it has is trusted), as Apache looks it up at start-up.
func (w *walker) addRemoteIPProxy(directive, arg string, internal bool) error {
	r := w.remoteIPOf()
	ip, mask, hasMask := strings.Cut(arg, "/")
	if looksLikeIP(ip) {
		p, err := aprSubnet(ip, mask, hasMask)
		if err != nil {
			return errorf("RemoteIP: Error parsing IP %s (%v error) for %s", arg, err, directive)
		}
		r.Proxies = append(r.Proxies, RemoteIPProxy{Net: p, Internal: internal})
		return nil
	}
	if hasMask {
		return errorf("RemoteIP: Error parsing IP %s the subnet /%s is invalid for %s", arg, mask, directive)
	}
	lookup := w.l.opts.LookupHost
	if lookup == nil {
		lookup = lookupHost
	}
	ips, err := lookup(ip)
	if err != nil {
		msg := err.Error()
		if de := (*net.DNSError)(nil); errors.As(err, &de) {
			msg = de.Err
			if de.IsNotFound {
				msg = "Name or service not known" // getaddrinfo's EAI_NONAME, as Apache prints it
			}
		}
		return errorf("RemoteIP: Error parsing IP %s (%s error) for %s", arg, msg, directive)
	}
	for _, s := range ips {
		a, err := netip.ParseAddr(s)
		if err != nil {
			continue
		}
		a = a.Unmap().WithZone("")
		r.Proxies = append(r.Proxies, RemoteIPProxy{Net: netip.PrefixFrom(a, a.BitLen()), Internal: internal})
	}
	return nil
}

// setRemoteIPProxyProtocol is RemoteIPProxyProtocol On|Off: whether
// connections to this server's addresses begin with a PROXY header.
func setRemoteIPProxyProtocol(w *walker, c *call) error {
	w.remoteIPOf().ProxyProtocol = "off"
	if isOn(c.args[0]) {
		w.remoteIPOf().ProxyProtocol = "on"
	}
	return nil
}

// setRemoteIPProxyProtocolExceptions is RemoteIPProxyProtocolExceptions
// net...: peers that may connect without a PROXY header. As in Apache the
// list is one for the whole server, wherever it is written.
func setRemoteIPProxyProtocolExceptions(w *walker, c *call) error {
	if len(c.args) == 0 {
		return errorf("%s requires an argument", c.d.name)
	}
	for _, a := range c.args {
		p, err := parseIPNet(a)
		if err != nil {
			return err
		}
		w.cfg.ProxyProtocolExceptions = append(w.cfg.ProxyProtocolExceptions, p)
	}
	return nil
}

// checkRemoteIP warns, once the configuration is read, about a server that
// takes the client's address from a header sent by anyone: without
// RemoteIPTrustedProxy or RemoteIPInternalProxy mod_remoteip trusts every
// peer, so any client can choose the address that is logged and that
// Require ip checks.
func (w *walker) checkRemoteIP(s *serverState, warned map[Pos]bool) {
	r := s.srv.RemoteIP
	if !r.Enabled() || len(r.Proxies) > 0 || warned[s.remoteIPPos] {
		return
	}
	warned[s.remoteIPPos] = true
	w.warn(s.remoteIPPos, "", "RemoteIPHeader %s without RemoteIPTrustedProxy or RemoteIPInternalProxy: every client may set the address that is logged and that Require ip checks, as in Apache; name the proxies that send %s",
		r.Header, r.Header)
}

// preParsedField reports whether eventmpm's parser interprets the request
// field name itself, before mod_headers or mod_remoteip could change it,
// and its canonical spelling.
func preParsedField(name string) (string, bool) {
	for _, p := range []string{"Host", "Content-Length", "Transfer-Encoding", "Connection", "Expect", "Range",
		"If-Range", "If-Match", "If-None-Match", "If-Modified-Since", "If-Unmodified-Since"} {
		if strings.EqualFold(name, p) {
			return p, true
		}
	}
	return "", false
}
