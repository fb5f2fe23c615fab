package config

import (
	"errors"
	"net/netip"
	"strings"
)

// This file is mod_access_compat: Order, Allow, Deny and Satisfy, the host
// access control of Apache 2.2 that 2.4 keeps for old configurations. Its
// messages and its lowercase directive names ("order not allowed here") are
// the module's.

// AccessOrder is an Order directive's evaluation order.
type AccessOrder uint8

// Orders. A section that sets no Order has DenyAllow, the module's
// default.
const (
	// OrderDenyAllow: Deny lines are checked, then Allow lines, which
	// override them; a client that neither names is allowed.
	OrderDenyAllow AccessOrder = iota
	// OrderAllowDeny: a client must match an Allow line and no Deny line.
	OrderAllowDeny
	// OrderMutualFailure: the same as allow,deny.
	OrderMutualFailure
)

// String returns the order as Order writes it.
func (o AccessOrder) String() string {
	switch o {
	case OrderAllowDeny:
		return "allow,deny"
	case OrderMutualFailure:
		return "mutual-failure"
	}
	return "deny,allow"
}

// SatisfyPolicy is the Satisfy directive: how host access (Order, Allow,
// Deny) and Require combine.
type SatisfyPolicy uint8

// Satisfy policies.
const (
	// SatisfyNoSpec is no Satisfy line: the same as SatisfyAll.
	SatisfyNoSpec SatisfyPolicy = iota
	// SatisfyAll: the client must pass the host access rules and Require.
	SatisfyAll
	// SatisfyAny: passing the host access rules is enough; a client that
	// fails them may still pass Require (with a password, for example).
	SatisfyAny
)

// String returns the policy as Satisfy writes it, "" for none.
func (p SatisfyPolicy) String() string {
	switch p {
	case SatisfyAll:
		return "all"
	case SatisfyAny:
		return "any"
	}
	return ""
}

// AccessCompat is a section's mod_access_compat settings. Apache's module
// has no merge function: the settings of the last section in merge order
// that has any of these directives replace those of every section before,
// even where it sets only one of them (a <Directory> whose only line is
// "Allow from 10.0.0.0/8" allows everyone, as its Order is the default
// deny,allow and it denies nobody). Checked against Apache 2.4.71.
//
// Each line carries the methods of its <Limit> or <LimitExcept> (nil: all
// methods): Apache keeps an Order and a Satisfy per method, and a method
// mask per Allow and Deny word.
type AccessCompat struct {
	// Orders and Satisfies are the Order and Satisfy lines in file order:
	// for a request, the last whose methods include its method applies.
	Orders    []OrderLine   `json:",omitempty"`
	Allow     []HostMatch   `json:",omitempty"`
	Deny      []HostMatch   `json:",omitempty"`
	Satisfies []SatisfyLine `json:",omitempty"`
}

// OrderLine is one Order line.
type OrderLine struct {
	Order   AccessOrder
	Methods *MethodSet `json:",omitempty"`
}

// SatisfyLine is one Satisfy line.
type SatisfyLine struct {
	Satisfy SatisfyPolicy
	Methods *MethodSet `json:",omitempty"`
}

// OrderFor is the Order for a request method: deny,allow when no line
// sets one.
func (ac *AccessCompat) OrderFor(method []byte) AccessOrder {
	o := OrderDenyAllow
	for i := range ac.Orders {
		if ac.Orders[i].Methods.Includes(method) {
			o = ac.Orders[i].Order
		}
	}
	return o
}

// SatisfyFor is the Satisfy policy for a request method.
func (ac *AccessCompat) SatisfyFor(method []byte) SatisfyPolicy {
	p := SatisfyNoSpec
	for i := range ac.Satisfies {
		if ac.Satisfies[i].Methods.Includes(method) {
			p = ac.Satisfies[i].Satisfy
		}
	}
	return p
}

// HostMatchKind is what one word after "Allow from" or "Deny from" matches.
type HostMatchKind uint8

// Host match kinds (mod_access_compat's T_ALL, T_IP, T_ENV and T_NENV; its
// host names, T_HOST, need DNS and are refused).
const (
	HostAll    HostMatchKind = iota // "all"
	HostIP                          // an address or network: Net
	HostEnv                         // "env=VAR": VAR is set
	HostNotEnv                      // "env=!VAR": VAR is not set
)

// String returns the kind as the word that gives it: all, ip, env= or env=!.
func (k HostMatchKind) String() string {
	switch k {
	case HostIP:
		return "ip"
	case HostEnv:
		return "env="
	case HostNotEnv:
		return "env=!"
	}
	return "all"
}

// HostMatch is one word of an Allow or Deny line.
type HostMatch struct {
	Kind    HostMatchKind
	Net     netip.Prefix `json:",omitzero"`
	Env     string       `json:",omitempty"`
	Methods *MethodSet   `json:",omitempty"`
}

// compat returns the section's mod_access_compat settings, made at the
// first of its directives as Apache makes the module's per-directory
// configuration.
func (w *walker) compat() *AccessCompat {
	if w.sec.s.Compat == nil {
		w.sec.s.Compat = &AccessCompat{}
	}
	return w.sec.s.Compat
}

// setOrder is Order allow,deny|deny,allow|mutual-failure.
func setOrder(w *walker, c *call) error {
	var o AccessOrder
	switch strings.ToLower(c.args[0]) {
	case "allow,deny":
		o = OrderAllowDeny
	case "deny,allow":
		o = OrderDenyAllow
	case "mutual-failure":
		o = OrderMutualFailure
	default:
		return errorf("unknown order")
	}
	ac := w.compat()
	ac.Orders = append(ac.Orders, OrderLine{Order: o, Methods: w.limited})
	return nil
}

// setSatisfy is Satisfy all|any.
func setSatisfy(w *walker, c *call) error {
	var p SatisfyPolicy
	switch strings.ToLower(c.args[0]) {
	case "all":
		p = SatisfyAll
	case "any":
		p = SatisfyAny
	default:
		return errorf("Satisfy either 'any' or 'all'.")
	}
	ac := w.compat()
	ac.Satisfies = append(ac.Satisfies, SatisfyLine{Satisfy: p, Methods: w.limited})
	return nil
}

// setAllowDeny is Allow from ... (allow set) and Deny from ...: each word
// after "from" is all, env=VAR, env=!VAR, or an address or network as
// apr_ipsubnet_create reads it.
func setAllowDeny(allow bool) func(*walker, *call) error {
	return func(w *walker, c *call) error {
		if !strings.EqualFold(c.args[0], "from") {
			return errorf("allow and deny must be followed by 'from'")
		}
		ac := w.compat()
		for _, word := range c.args[1:] {
			m, err := parseHostMatch(c.d.name, word)
			if err != nil {
				return err
			}
			m.Methods = w.limited
			if allow {
				ac.Allow = append(ac.Allow, m)
			} else {
				ac.Deny = append(ac.Deny, m)
			}
		}
		return nil
	}
}

// parseHostMatch reads one word of an Allow or Deny line as allow_cmd
// does. A word that is no address is a host name to Apache, matched by a
// double-reverse DNS lookup of the client; eventmpm does no DNS lookups
// and refuses it rather than never match it (a Deny that silently matched
// nobody would let everyone in).
func parseHostMatch(directive, word string) (HostMatch, error) {
	lower := strings.ToLower(word)
	switch {
	case strings.HasPrefix(lower, "env=!"):
		return HostMatch{Kind: HostNotEnv, Env: word[5:]}, nil
	case strings.HasPrefix(lower, "env="):
		return HostMatch{Kind: HostEnv, Env: word[4:]}, nil
	case lower == "all":
		return HostMatch{Kind: HostAll}, nil
	}
	addr, mask, hasMask := strings.Cut(word, "/")
	p, err := aprSubnet(addr, mask, hasMask)
	switch {
	case errors.Is(err, errNotAnIP) && !hasMask:
		return HostMatch{}, errorf("%s from %s: eventmpm does no DNS lookups and cannot match a host name; use an IP address or network", directive, word)
	case err != nil:
		return HostMatch{}, errorf("%v", err)
	}
	return HostMatch{Kind: HostIP, Net: p}, nil
}
