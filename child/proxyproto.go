package child

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"net/netip"

	"eventmpm/internal/errorlog"
)

// This file reads the PROXY protocol header (HAProxy's proxy-protocol.txt,
// versions 1 and 2) that a load balancer sends before a connection's
// first request when mod_remoteip's RemoteIPProxyProtocol is on.

// errProxyNeedMore means the header has not fully arrived.
var errProxyNeedMore = errors.New("PROXY header incomplete")

// proxyError is a header that is not valid, with mod_remoteip's message
// and code where Apache has one.
type proxyError struct{ ah, msg string }

func (e *proxyError) Error() string { return e.msg }

func proxyErrorf(ah, format string, args ...any) error {
	return &proxyError{ah: ah, msg: "RemoteIPProxyProtocol: " + fmt.Sprintf(format, args...)}
}

// proxyV2Sig is the twelve bytes that begin a version 2 header.
var proxyV2Sig = []byte("\r\n\r\n\x00\r\nQUIT\n")

const (
	proxyV1Max = 107  // the longest version 1 line, CRLF included
	proxyV2Max = 1024 // the most address and TLV bytes taken after the 16-byte head
)

// parseProxyHeader reads a PROXY header at the start of b. It returns the
// header's length and the client's address; an invalid src means the
// header names no client (v1 UNKNOWN, v2 LOCAL or UNSPEC, where the
// specification says to use the connection's own endpoints) and the peer
// stands. errProxyNeedMore asks for more input; a *proxyError means b
// does not begin with a valid header.
func parseProxyHeader(b []byte) (int, netip.AddrPort, error) {
	if len(b) == 0 {
		return 0, netip.AddrPort{}, errProxyNeedMore
	}
	if n := min(len(b), len(proxyV2Sig)); bytes.Equal(b[:n], proxyV2Sig[:n]) {
		if len(b) < 16 {
			return 0, netip.AddrPort{}, errProxyNeedMore
		}
		return parseProxyV2(b)
	}
	const v1 = "PROXY "
	if n := min(len(b), len(v1)); string(b[:n]) != v1[:n] {
		return 0, netip.AddrPort{}, proxyErrorf("", "the connection did not begin with a PROXY header")
	}
	return parseProxyV1(b)
}

// parseProxyV1 reads "PROXY TCP4|TCP6 src dst sport dport\r\n" or
// "PROXY UNKNOWN ...\r\n", with mod_remoteip's messages.
func parseProxyV1(b []byte) (int, netip.AddrPort, error) {
	end := bytes.Index(b[:min(len(b), proxyV1Max)], []byte("\r\n"))
	if end < 0 {
		if len(b) >= proxyV1Max {
			return 0, netip.AddrPort{}, proxyErrorf("", "header line longer than %d bytes", proxyV1Max)
		}
		return 0, netip.AddrPort{}, errProxyNeedMore
	}
	line := b[:end]
	fields := bytes.Split(line, []byte(" "))
	names := []string{"", "family", "client-address", "destination-address", "client-port", "destination-port"}
	if len(fields) >= 2 && string(fields[1]) == "UNKNOWN" {
		return end + 2, netip.AddrPort{}, nil
	}
	if len(fields) < len(names) {
		return 0, netip.AddrPort{}, proxyErrorf("AH03497", "no %s found in header '%s'", names[len(fields)], line)
	}
	if len(fields) > len(names) {
		return 0, netip.AddrPort{}, proxyErrorf("", "more fields than six in header '%s'", line)
	}
	fam := string(fields[1])
	if fam != "TCP4" && fam != "TCP6" {
		return 0, netip.AddrPort{}, proxyErrorf("AH03499", "unknown family '%s' in header '%s'", fam, line)
	}
	for i := 2; i <= 3; i++ {
		a, err := netip.ParseAddr(string(fields[i]))
		if err != nil || a.Zone() != "" || a.Is4() != (fam == "TCP4") {
			return 0, netip.AddrPort{}, proxyErrorf("AH03500", "invalid %s '%s' found in header '%s'", names[i], fields[i], line)
		}
	}
	var ports [2]uint16
	for i := range ports {
		p, ok := parsePort(fields[4+i])
		if !ok {
			return 0, netip.AddrPort{}, proxyErrorf("AH03501", "error parsing port '%s' in header '%s'", fields[4+i], line)
		}
		ports[i] = p
	}
	src, _ := netip.ParseAddr(string(fields[2]))
	return end + 2, netip.AddrPortFrom(src.Unmap(), ports[0]), nil
}

// parsePort reads a decimal port without leading zeros.
func parsePort(b []byte) (uint16, bool) {
	if len(b) == 0 || len(b) > 5 || len(b) > 1 && b[0] == '0' {
		return 0, false
	}
	n := 0
	for _, c := range b {
		if c < '0' || c > '9' {
			return 0, false
		}
		n = n*10 + int(c-'0')
	}
	return uint16(n), n <= 65535
}

// parseProxyV2 reads the binary header: signature, version and command,
// family and protocol, length, addresses and TLVs (skipped).
func parseProxyV2(b []byte) (int, netip.AddrPort, error) {
	verCmd, fam := b[12], b[13]
	size := int(binary.BigEndian.Uint16(b[14:16]))
	if verCmd>>4 != 2 {
		return 0, netip.AddrPort{}, proxyErrorf("", "unsupported version %d", verCmd>>4)
	}
	if size > proxyV2Max {
		return 0, netip.AddrPort{}, proxyErrorf("AH10186", "protocol header length too long (%d bytes)", size)
	}
	if len(b) < 16+size {
		return 0, netip.AddrPort{}, errProxyNeedMore
	}
	n, addr := 16+size, b[16:16+size]
	switch verCmd & 0xf {
	case 0: // LOCAL: the proxy's own connection (a health check)
		return n, netip.AddrPort{}, nil
	case 1: // PROXY
	default:
		return 0, netip.AddrPort{}, proxyErrorf("AH03507", "unsupported command %02x", verCmd)
	}
	switch fam {
	case 0x00: // UNSPEC: no address to take
		return n, netip.AddrPort{}, nil
	case 0x11: // TCP over IPv4
		if len(addr) < 12 {
			return 0, netip.AddrPort{}, proxyErrorf("", "header too short for its IPv4 addresses")
		}
		src := netip.AddrFrom4([4]byte(addr[0:4]))
		return n, netip.AddrPortFrom(src, binary.BigEndian.Uint16(addr[8:10])), nil
	case 0x21: // TCP over IPv6
		if len(addr) < 36 {
			return 0, netip.AddrPort{}, proxyErrorf("", "header too short for its IPv6 addresses")
		}
		src := netip.AddrFrom16([16]byte(addr[0:16])).Unmap()
		return n, netip.AddrPortFrom(src, binary.BigEndian.Uint16(addr[32:34])), nil
	}
	return 0, netip.AddrPort{}, proxyErrorf("AH10183", "unsupported protocol %02x", fam)
}

// owesProxyHeader decides, when a connection is accepted, whether it
// must begin with a PROXY header: RemoteIPProxyProtocol is per address,
// so the main server's setting holds unless a virtual host on the
// connection's address sets its own (the last one counts), and a peer in
// RemoteIPProxyProtocolExceptions owes none.
func (ch *Child) owesProxyHeader(c *conn) bool {
	on := ch.main.proxyProtocol == "on"
	for _, s := range c.vhosts {
		if s.proxyProtocol != "" {
			on = s.proxyProtocol == "on"
		}
	}
	if !on {
		return false
	}
	peer := c.remote.Addr().Unmap()
	for _, p := range ch.cfg.ProxyProtocolExceptions {
		if p.Contains(peer) {
			return false
		}
	}
	return true
}

// readProxyHeader takes the PROXY header from the start of the
// connection's input. It returns false when the connection was closed: a
// header that is not one, as in Apache, aborts the connection without an
// answer (the error log says why).
func (w *worker) readProxyHeader(c *conn) bool {
	n, client, err := parseProxyHeader(c.in.data())
	switch {
	case errors.Is(err, errProxyNeedMore):
		return true
	case err != nil:
		// Apache logs nothing when the input is no header at all; a
		// line at info tells an admin why such connections close,
		// without one per port scan at the default level.
		level, pe := errorlog.LevelError, err.(*proxyError)
		if pe.ah == "" {
			level = errorlog.LevelInfo
		}
		w.srv, w.remote = w.ch.defaultSite(c), c.remote
		w.logError(c, level, "remoteip", pe.ah, pe.msg, nil, "")
		w.closeConn(c)
		return false
	}
	c.in.consume(n)
	c.proxyPending, c.proxied, c.proxyClient = false, true, client
	c.headStarted = c.in.len() > 0
	return true
}
