package expr

import (
	"errors"
	"net/netip"
	"strconv"
	"strings"
)

// constSubnet reads the constant subnet of -R and -ipmatch, in the forms
// apr_ipsubnet_create takes: an address, address/bits, IPv4 address/netmask,
// or the leading octets of an IPv4 network ("10.1" is 10.1.0.0/16).
func constSubnet(w word) ([]netip.Prefix, error) {
	lit, ok := w.(literal)
	if !ok {
		return nil, errors.New("not a constant")
	}
	n, err := parseSubnet(string(lit))
	if err != nil {
		return nil, err
	}
	return []netip.Prefix{n}, nil
}

func parseSubnet(s string) (netip.Prefix, error) {
	bad := errors.New("parsing of subnet/netmask failed")
	addrPart, mask, hasMask := strings.Cut(s, "/")
	a, err := netip.ParseAddr(addrPart)
	if err != nil {
		if hasMask || strings.Contains(addrPart, ":") {
			return netip.Prefix{}, bad
		}
		return partialIPv4(addrPart)
	}
	a = a.Unmap()
	if !hasMask {
		return netip.PrefixFrom(a, a.BitLen()), nil
	}
	if bits, err := strconv.Atoi(mask); err == nil {
		if bits < 0 || bits > a.BitLen() {
			return netip.Prefix{}, bad
		}
		return netip.PrefixFrom(a, bits).Masked(), nil
	}
	m, err := netip.ParseAddr(mask)
	if err != nil || !a.Is4() || !m.Is4() {
		return netip.Prefix{}, bad
	}
	b := m.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	ones := 0
	for v&(1<<31) != 0 {
		ones++
		v <<= 1
	}
	if v != 0 { // not contiguous
		return netip.Prefix{}, bad
	}
	return netip.PrefixFrom(a, ones).Masked(), nil
}

// partialIPv4 is "10", "10.1" or "10.1.2" (a trailing dot allowed).
func partialIPv4(s string) (netip.Prefix, error) {
	bad := errors.New("parsing of subnet/netmask failed")
	parts := strings.Split(strings.TrimSuffix(s, "."), ".")
	if len(parts) == 0 || len(parts) > 3 {
		return netip.Prefix{}, bad
	}
	var b [4]byte
	for i, p := range parts {
		n, err := strconv.Atoi(p)
		if err != nil || n < 0 || n > 255 || p == "" {
			return netip.Prefix{}, bad
		}
		b[i] = byte(n)
	}
	return netip.PrefixFrom(netip.AddrFrom4(b), 8*len(parts)), nil
}
