package child

import (
	"bytes"
	"net/netip"

	"eventmpm/child/http1"
	"eventmpm/config"
	"eventmpm/internal/errorlog"
)

// This file is mod_remoteip: behind a proxy, the client's address comes
// from a request field (X-Forwarded-For) sent by proxies the server
// trusts. The request's client address (w.remote) then names that client
// for the access log's %a and %h, the error log, Require ip and Require
// local, SetEnvIf Remote_Addr and the scoreboard, while %{c}a keeps the
// connection's peer.

// remoteIP is a server's mod_remoteip configuration, compiled.
type remoteIP struct {
	header        []byte
	proxiesHeader []byte // nil for none
	proxies       []config.RemoteIPProxy
}

// compileRemoteIP compiles the configuration, nil when mod_remoteip is off.
func compileRemoteIP(r *config.RemoteIP) *remoteIP {
	if !r.Enabled() {
		return nil
	}
	c := &remoteIP{header: []byte(r.Header), proxies: r.Proxies}
	if r.ProxiesHeader != "" {
		c.proxiesHeader = []byte(r.ProxiesHeader)
	}
	return c
}

// trusts reports whether a is one of the listed proxies, and whether an
// internal one. The first match counts, as in Apache.
func (r *remoteIP) trusts(a netip.Addr) (ok, internal bool) {
	for i := range r.proxies {
		if r.proxies[i].Net.Contains(a) {
			return true, r.proxies[i].Internal
		}
	}
	return false, false
}

// applyRemoteIP is mod_remoteip's post_read_request hook, run once the
// request's server is known. It walks the header's addresses from the
// right: each one was presented by the address before it (the peer
// first), and is taken while the presenter is trusted and the address is
// acceptable. The field then keeps only what was not taken, the proxies
// header gets the trusted external proxies passed over, and the request's
// client address is the last address taken, with port 0 (the port is not
// known).
//
// Two deliberate differences from Apache: the field's lines are combined
// as one list (RFC 9110 5.3; Apache reads only the first line, so a
// client's own X-Forwarded-For line would win over the one a proxy adds
// below it), and an element must be an IP address (Apache also resolves a
// host name, a DNS query chosen by the client).
func (w *worker) applyRemoteIP(c *conn, r *remoteIP) {
	v, lines := w.headerList(r.header)
	if lines == 0 {
		return
	}
	presenter := w.remote.Addr()
	listed := len(r.proxies) > 0
	internal := listed // with a list, the peer is internal until a trusted external proxy is seen
	w.proxyIPs = w.proxyIPs[:0]
	taken := false
	end := len(v)
	var remain []byte // the field's new value, nil to remove it
	for {
		if listed {
			ok, in := r.trusts(presenter)
			if !ok {
				remain = v[:end]
				break
			}
			if internal {
				internal = in // an external proxy cannot make later ones internal
			}
		}
		comma := bytes.LastIndexByte(v[:end], ',')
		start := comma + 1
		for start < end && v[start] == ' ' {
			start++
		}
		stop := end
		for stop > start && v[stop-1] == ' ' {
			stop--
		}
		cut := 0 // where the kept value begins when no comma is left (Apache's pointer)
		if comma < 0 {
			cut = start
		}
		if start == stop {
			remain = v[cut:end]
			break
		}
		elem := v[start:stop]
		a, ok := parseClientAddr(elem)
		if !ok {
			w.logRemoteIP(c, r, "AH01568", elem, " cannot be parsed as a client IP")
			remain = v[cut:stop]
			break
		}
		a = a.Unmap()
		if !internal && !publicAddr(a) {
			w.logRemoteIP(c, r, "AH01569", elem, " appears to be a private IP or nonsensical.  Ignored")
			remain = v[cut:stop]
			break
		}
		if !internal {
			if len(w.proxyIPs) > 0 {
				w.proxyIPs = append(w.proxyIPs, ", "...)
			}
			w.proxyIPs = presenter.AppendTo(w.proxyIPs)
		}
		presenter, taken = a, true
		if comma < 0 {
			remain = nil
			break
		}
		end = comma
	}
	if !taken {
		return
	}
	w.remote = netip.AddrPortFrom(presenter, 0)
	w.setRequestField(r.header, remain, remain != nil)
	if len(w.proxyIPs) > 0 && r.proxiesHeader != nil {
		w.setRequestField(r.proxiesHeader, w.proxyIPs, true)
	}
}

// parseClientAddr reads an IPv4 or IPv6 address (no zone), without
// allocating for IPv4.
func parseClientAddr(b []byte) (netip.Addr, bool) {
	if bytes.IndexByte(b, ':') < 0 {
		return parseIPv4(b)
	}
	a, err := netip.ParseAddr(string(b))
	return a, err == nil && a.Zone() == ""
}

// parseIPv4 reads a dotted quad as netip.ParseAddr does: four decimal
// octets, without leading zeros.
func parseIPv4(b []byte) (netip.Addr, bool) {
	var out [4]byte
	for i := range out {
		if i > 0 {
			if len(b) == 0 || b[0] != '.' {
				return netip.Addr{}, false
			}
			b = b[1:]
		}
		n, digits := 0, 0
		for digits < len(b) && b[digits] >= '0' && b[digits] <= '9' {
			n = n*10 + int(b[digits]-'0')
			digits++
			if n > 255 {
				return netip.Addr{}, false
			}
		}
		if digits == 0 || digits > 1 && b[0] == '0' {
			return netip.Addr{}, false
		}
		out[i], b = byte(n), b[digits:]
	}
	if len(b) != 0 {
		return netip.Addr{}, false
	}
	return netip.AddrFrom4(out), true
}

// publicAddr is what mod_remoteip accepts from an external proxy: an IPv4
// address outside 10/8, 127/8, 169.254/16, 172.16/12 and 192.168/16, or
// a global unicast IPv6 address (2000::/3).
func publicAddr(a netip.Addr) bool {
	if a.Is4() {
		b := a.As4()
		return !(b[0] == 10 || b[0] == 127 || b[0] == 169 && b[1] == 254 ||
			b[0] == 172 && b[1]&0xf0 == 16 || b[0] == 192 && b[1] == 168)
	}
	return a.As16()[0]&0xe0 == 0x20
}

// logRemoteIP writes mod_remoteip's debug notes about an address it did
// not take.
func (w *worker) logRemoteIP(c *conn, r *remoteIP, ah string, elem []byte, tail string) {
	w.logError(c, errorlog.LevelDebug, "remoteip", ah,
		"RemoteIP: Header "+string(r.header)+" value of ", elem, tail)
}

// headerList is the value of a list field: its only line as received, or
// its lines joined with ", " (in w.fieldJoin), and how many lines it has.
func (w *worker) headerList(name []byte) ([]byte, int) {
	var v []byte
	n := 0
	for i := range w.req.Headers {
		f := &w.req.Headers[i]
		if !bytes.EqualFold(f.Name, name) {
			continue
		}
		switch n {
		case 0:
			v = f.Value
		case 1:
			w.fieldJoin = append(append(append(w.fieldJoin[:0], v...), ", "...), f.Value...)
			v = w.fieldJoin
		default:
			w.fieldJoin = append(append(w.fieldJoin, ", "...), f.Value...)
			v = w.fieldJoin
		}
		n++
	}
	return v, n
}

// setRequestField gives the request field name one line with value, in
// the place of its first line, or removes it when keep is false (Apache's
// apr_table_setn and apr_table_unset). value must stay valid for the
// request.
func (w *worker) setRequestField(name, value []byte, keep bool) {
	hs := w.req.Headers[:0]
	placed := false
	for _, f := range w.req.Headers {
		if bytes.EqualFold(f.Name, name) {
			if !keep || placed {
				continue
			}
			f.Value, placed = value, true
		}
		hs = append(hs, f)
	}
	if keep && !placed {
		hs = append(hs, http1.Header{Name: name, Value: value})
	}
	w.req.Headers = hs
}
