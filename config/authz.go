package config

import (
	"errors"
	"net/netip"
	"slices"
	"strconv"
	"strings"

	"eventmpm/config/expr"
)

// This file is mod_authz_core's Require and its containers, with
// mod_authz_host's providers: all, local and ip. Config's Require type holds
// one level: a list of rules combined by "any" (Apache's implicit
// <RequireAny>) or by "all" (<RequireAll>).

// refusedProviders are authorization providers of Apache's standard modules
// that eventmpm does not implement, with the reason.
var refusedProviders = map[string]string{
	"host":        "it does no DNS lookups; use Require ip",
	"forward-dns": "it does no DNS lookups; use Require ip",
	"file-owner":  "it has no mod_authz_owner",
	"file-group":  "it has no mod_authz_owner",
}

// parseRequire reads one Require line: [not] provider args...
func parseRequire(raw string) (RequireRule, error) {
	words := splitWords(raw)
	var r RequireRule
	if len(words) > 0 && strings.EqualFold(words[0], "not") {
		r.Not = true
		words = words[1:]
	}
	if len(words) == 0 {
		return r, errorf("Require requires at least one argument, the authorization provider")
	}
	provider, args := strings.ToLower(words[0]), words[1:]
	switch provider {
	case "all":
		return r, parseRequireAll(&r, args)
	case "local":
		if len(args) > 0 {
			return r, errorf("'Require local' does not take an argument")
		}
		r.Kind = RequireLocal
		return r, nil
	case "ip":
		return r, parseRequireIP(&r, args)
	case "valid-user":
		if len(args) > 0 {
			return r, errorf("'Require valid-user' does not take an argument")
		}
		r.Kind = RequireValidUser
		return r, nil
	case "user", "env":
		if len(args) == 0 {
			return r, errorf("'Require %s' requires at least one %s", provider, map[string]string{"user": "user name", "env": "variable name"}[provider])
		}
		r.Kind, r.Names = RequireUser, args
		if provider == "env" {
			r.Kind = RequireEnv
		}
		return r, nil
	}
	switch provider {
	case "expr":
		return r, parseRequireExpr(&r, raw)
	case "group":
		r.Kind, r.Names = RequireGroup, args // no group named: nothing granted, as in Apache
		if len(args) == 0 {
			r.Names = nil // as the JSON form gives it back
		}
		return r, nil
	case "method":
		return r, parseRequireMethod(&r, args)
	}
	if why, ok := refusedProviders[provider]; ok {
		return r, errorf("Require %s: eventmpm does not implement the '%s' authorization provider: %s", words[0], words[0], why)
	}
	return r, errorf("Unknown Authz provider: %s", words[0])
}

// parseRequireExpr reads Require expr: the rest of the line is the
// expression, without the quotes around it if it has them, as
// mod_authz_core's expr_parse_config takes it.
func parseRequireExpr(r *RequireRule, raw string) error {
	rest := strings.TrimSpace(raw)
	for _, skip := range []string{"not", "expr"} {
		if w, after := getWord(rest); strings.EqualFold(w, skip) {
			rest = strings.TrimSpace(after)
		}
	}
	if len(rest) >= 2 && rest[0] == '"' && rest[len(rest)-1] == '"' {
		rest = rest[1 : len(rest)-1]
	}
	e, err := expr.Parse(rest)
	if err != nil {
		return errorf("Cannot parse expression in require line: %v", err)
	}
	r.Kind, r.Expr = RequireExpr, e
	return nil
}

// apacheMethods are the methods Apache 2.4 knows by number
// (ap_method_number_of), which Require method takes; HEAD is GET's.
var apacheMethods = []string{"GET", "HEAD", "PUT", "POST", "DELETE", "CONNECT", "OPTIONS", "TRACE", "PATCH",
	"PROPFIND", "PROPPATCH", "MKCOL", "COPY", "MOVE", "LOCK", "UNLOCK", "VERSION-CONTROL", "CHECKOUT",
	"UNCHECKOUT", "CHECKIN", "UPDATE", "LABEL", "REPORT", "MKWORKSPACE", "MKACTIVITY", "BASELINE-CONTROL", "MERGE"}

// parseRequireMethod reads Require method's list: method names as
// Apache knows them, case-sensitively.
func parseRequireMethod(r *RequireRule, args []string) error {
	for _, m := range args {
		if !slices.Contains(apacheMethods, m) {
			return errorf("Invalid Method '%s'", m)
		}
	}
	r.Kind, r.Names = RequireMethod, args
	if len(args) == 0 {
		r.Names = nil // none: nothing granted, as in Apache; nil as the JSON form gives it back
	}
	return nil
}

// setAllowMethods is mod_allowmethods' AllowMethods: the methods a
// section allows, or "reset" alone for no restriction, with its messages.
func setAllowMethods(w *walker, c *call) error {
	if len(c.args) == 0 {
		return errorf("AllowMethods: No method or 'reset' keyword given")
	}
	w.sec.s.AllowMethodsSet = true
	if len(c.args) == 1 && strings.EqualFold(c.args[0], "reset") {
		w.sec.s.AllowMethods = nil
		return nil
	}
	var list []string
	for _, m := range c.args {
		if !slices.Contains(apacheMethods, m) {
			return errorf("AllowMethods: Invalid Method '%s'", m)
		}
		if m == "HEAD" {
			m = "GET" // one method number in Apache
		}
		if !slices.Contains(list, m) {
			list = append(list, m)
		}
	}
	w.sec.s.AllowMethods = list
	return nil
}

func parseRequireAll(r *RequireRule, args []string) error {
	if len(args) != 1 {
		return errorf("'Require all' takes one argument, 'granted' or 'denied'")
	}
	if r.Not {
		return errorf("'Require not all %s' is not supported: write Require all granted or Require all denied", args[0])
	}
	switch strings.ToLower(args[0]) {
	case "granted":
		r.Kind = RequireAllGranted
	case "denied":
		r.Kind = RequireAllDenied
	default:
		return errorf("Argument for 'Require all' must be 'granted' or 'denied'")
	}
	return nil
}

func parseRequireIP(r *RequireRule, args []string) error {
	if len(args) == 0 {
		return errorf("'Require ip' requires at least one IP address or network")
	}
	r.Kind = RequireIP
	for _, a := range args {
		p, err := parseIPNet(a)
		if err != nil {
			return err
		}
		r.Nets = append(r.Nets, p)
	}
	return nil
}

// parseIPNet reads one argument of Require ip, with mod_authz_host's
// messages.
func parseIPNet(s string) (netip.Prefix, error) {
	addr, mask, hasMask := strings.Cut(s, "/")
	p, err := aprSubnet(addr, mask, hasMask)
	switch {
	case errors.Is(err, errNotAnIP):
		return p, errorf("ip address '%s' appears to be invalid", s)
	case err != nil:
		return p, errorf("ip address '%s' appears to be invalid: %v", s, err)
	}
	return p, nil
}

// apr_ipsubnet_create's failures, with APR's texts.
var (
	// errNotAnIP is APR_EINVAL: the text looks nothing like an address
	// (Allow and Deny take it for a host name).
	//lint:ignore ST1005 APR's text, as Apache prints it
	errNotAnIP = errors.New("An IP address was expected")
	//lint:ignore ST1005 APR's text, as Apache prints it
	errBadIP = errors.New("The specified IP address is invalid.")
	//lint:ignore ST1005 APR's text, as Apache prints it
	errBadMask = errors.New("The specified network mask is invalid.")
	// errMaskHoles is eventmpm's: APR takes a mask such as 255.0.255.0,
	// which a network prefix cannot express.
	errMaskHoles = errors.New("eventmpm does not support a network mask with holes (such as 255.0.255.0)")
)

// aprSubnet is apr_ipsubnet_create: addr is an IPv6 or IPv4 address, or,
// with no mask, an IPv4 network written as its leading octets ("10.1" or
// "10.1." is 10.1.0.0/16); mask is a number of bits from 1 to the
// address's length or, for IPv4, a dotted mask. IPv4-mapped IPv6 addresses
// and zones are refused, as APR refuses them.
func aprSubnet(addr, mask string, hasMask bool) (netip.Prefix, error) {
	if !looksLikeIP(addr) {
		return netip.Prefix{}, errNotAnIP
	}
	a, err := netip.ParseAddr(addr)
	if err != nil {
		if hasMask {
			return netip.Prefix{}, errBadIP
		}
		return partialIPv4(addr)
	}
	if a.Zone() != "" || a.Is4In6() {
		return netip.Prefix{}, errBadIP
	}
	bits := a.BitLen()
	if hasMask {
		if bits, err = maskBits(mask, a); err != nil {
			return netip.Prefix{}, err
		}
	}
	return netip.PrefixFrom(a, bits).Masked(), nil
}

// looksLikeIP is APR's looks_like_ip: anything with a colon, or only
// digits and dots.
func looksLikeIP(s string) bool {
	if s == "" {
		return false
	}
	if strings.Contains(s, ":") {
		return true
	}
	return strings.Trim(s, "0123456789.") == ""
}

// maskBits reads "24" or, for IPv4, "255.255.255.0" (which must be
// contiguous).
func maskBits(mask string, a netip.Addr) (int, error) {
	if allDigits(mask) {
		n, err := strconv.Atoi(mask)
		if err != nil || n < 1 || n > a.BitLen() {
			return 0, errBadMask
		}
		return n, nil
	}
	m, err := netip.ParseAddr(mask)
	if err != nil || !a.Is4() || !m.Is4() {
		return 0, errBadMask
	}
	b := m.As4()
	v := uint32(b[0])<<24 | uint32(b[1])<<16 | uint32(b[2])<<8 | uint32(b[3])
	ones := 0
	for v&0x80000000 != 0 {
		ones++
		v <<= 1
	}
	if v != 0 {
		return 0, errMaskHoles
	}
	return ones, nil
}

// partialIPv4 is APR's legacy "a.b.c." syntax: one to three leading octets.
func partialIPv4(s string) (netip.Prefix, error) {
	parts := strings.Split(strings.TrimSuffix(s, "."), ".")
	if len(parts) > 4 {
		return netip.Prefix{}, errBadIP
	}
	var b [4]byte
	for i, p := range parts {
		if !allDigits(p) || len(p) > 3 {
			return netip.Prefix{}, errBadIP
		}
		n, _ := strconv.Atoi(p)
		if n > 255 {
			return netip.Prefix{}, errBadIP
		}
		b[i] = byte(n)
	}
	return netip.PrefixFrom(netip.AddrFrom4(b), 8*len(parts)), nil
}

// setRequire adds a rule to the enclosing <RequireAll>/<RequireAny>, or to
// the section's implicit <RequireAny>, where a negated rule has no effect.
func setRequire(w *walker, c *call) error {
	r, err := parseRequire(c.raw)
	if err != nil {
		return err
	}
	r.Methods = w.limited
	if w.authz != nil {
		if r.Not && !w.authz.All {
			return errorf("negative Require directive has no effect in <RequireAny> directive")
		}
		w.authz.Rules = append(w.authz.Rules, r)
		return nil
	}
	if r.Not {
		return errorf("negative Require directive has no effect in <RequireAny> directive")
	}
	w.sec.rules = append(w.sec.rules, r)
	return nil
}

// setRequireBox is <RequireAll> and <RequireAny>: one per section, one
// level deep.
func setRequireBox(all bool) func(*walker, *call) error {
	return func(w *walker, c *call) error {
		if c.raw != ">" {
			return errorf("%s> directive takes no arguments", c.d.name)
		}
		if w.authz != nil {
			return errorf("%s> inside %s> is not supported by eventmpm: Require sections nest one level deep", c.d.name, c.sc.authz)
		}
		if w.sec.box != nil {
			return errorf("%s>: eventmpm supports one <RequireAll> or <RequireAny> per section", c.d.name)
		}
		box := &Require{All: all}
		w.authz = box
		err := w.walk(c.kids, c.sc.enter(c.name))
		w.authz = nil
		if err != nil {
			return err
		}
		if err := checkBox(c.d.name, box); err != nil {
			return err
		}
		w.sec.box, w.sec.boxPos = box, c.pos
		return nil
	}
}

func checkBox(name string, box *Require) error {
	if len(box.Rules) == 0 {
		return errorf("%s> directive contains no authorization directives", name)
	}
	for _, r := range box.Rules {
		if !r.Not {
			return nil
		}
	}
	return errorf("%s> directive contains only negative authorization directives", name)
}

// finishRequire sets the section's rule once its body is walked.
func (sec *sectionState) finishRequire() error {
	switch {
	case sec.box != nil && len(sec.rules) > 0:
		return errAt(sec.boxPos, "eventmpm cannot combine Require lines with a <RequireAll> or <RequireAny> section in one section: put every Require inside it")
	case sec.box != nil:
		sec.s.Require = sec.box
	case len(sec.rules) > 0:
		sec.s.Require = &Require{Rules: sec.rules}
	}
	return nil
}

// setRequireNone refuses <RequireNone>: a rule that can only deny has no
// place in Config's one-level Require.
func setRequireNone(_ *walker, _ *call) error {
	return errorf("<RequireNone> is not supported by eventmpm: use <RequireAll> with Require not lines")
}
