package config

import "strings"

// This file is the configuration of MultiViews: mod_negotiation's
// LanguagePriority and ForceLanguagePriority and mod_mime's
// MultiviewsMatch, in the server, a virtual host or a <Directory>
// section (the child negotiates by a file's directory, so <Files> and
// <Location> refuse them, as they refuse Options MultiViews).

// Negotiation is the MultiViews settings of a server or a section; the
// zero value sets none of them.
type Negotiation struct {
	// LanguagePriority lists languages in order of preference, for ties
	// and (with ForceLanguagePriority Fallback) when the client accepts
	// none; nil when not set.
	LanguagePriority []string `json:",omitempty"`
	// ForceLanguagePriority is a set of ForceLanguage* flags; 0 when not
	// set (Apache's default is Prefer).
	ForceLanguagePriority ForceLanguage `json:",omitempty"`
	// MultiviewsMatch is "any" or "negotiatedonly" (Handlers and Filters
	// are taken as NegotiatedOnly, with a warning); "" when not set.
	MultiviewsMatch string `json:",omitempty"`
}

// ForceLanguage is ForceLanguagePriority's flags.
type ForceLanguage uint8

// The ForceLanguagePriority flags.
const (
	ForceLanguageNone ForceLanguage = 1 << iota
	ForceLanguagePrefer
	ForceLanguageFallback
)

// Merge returns n with what add sets laid over it, as Apache merges a
// section's settings over its enclosing ones'.
func (n Negotiation) Merge(add Negotiation) Negotiation {
	if add.LanguagePriority != nil {
		n.LanguagePriority = add.LanguagePriority
	}
	if add.ForceLanguagePriority != 0 {
		n.ForceLanguagePriority = add.ForceLanguagePriority
	}
	if add.MultiviewsMatch != "" {
		n.MultiviewsMatch = add.MultiviewsMatch
	}
	return n
}

// negotiationOf returns the settings the directive applies to: the
// enclosing <Directory> section's or the server's. name is for the
// message refusing other sections.
func negotiationOf(w *walker, c *call, name string) (*Negotiation, error) {
	if w.sec != nil {
		if w.sec.s.Kind != SectionDirectory {
			return nil, errorf("%s in %s> is not supported by eventmpm: it negotiates by the file's directory; use <Directory>", name, c.sc.parent())
		}
		return &w.sec.s.Negotiation, nil
	}
	w.srv.mark("Negotiation")
	return &w.srv.srv.Negotiation, nil
}

// setLanguagePriority is LanguagePriority lang...: several lines in one
// place add up, as Apache's ITERATE directive does.
func setLanguagePriority(w *walker, c *call) error {
	n, err := negotiationOf(w, c, "LanguagePriority")
	if err != nil {
		return err
	}
	n.LanguagePriority = append(n.LanguagePriority, c.args...)
	return nil
}

// setForceLanguagePriority is ForceLanguagePriority None | Prefer
// [Fallback] | Fallback [Prefer].
func setForceLanguagePriority(w *walker, c *call) error {
	var f ForceLanguage
	for _, a := range c.args {
		switch strings.ToLower(a) {
		case "none":
			f |= ForceLanguageNone
		case "prefer":
			f |= ForceLanguagePrefer
		case "fallback":
			f |= ForceLanguageFallback
		default:
			return errorf("Invalid ForceLanguagePriority option %s", a)
		}
	}
	if f&ForceLanguageNone != 0 && f != ForceLanguageNone {
		return errorf("Cannot combine ForceLanguagePriority options with None")
	}
	n, err := negotiationOf(w, c, "ForceLanguagePriority")
	if err != nil {
		return err
	}
	n.ForceLanguagePriority = f
	return nil
}

// setMultiviewsMatch is mod_mime's MultiviewsMatch Any | NegotiatedOnly |
// Handlers | Filters.
func setMultiviewsMatch(w *walker, c *call) error {
	v := ""
	for _, a := range c.args {
		switch la := strings.ToLower(a); la {
		case "any":
			if len(c.args) > 1 {
				return errorf("Any is incompatible with NegotiatedOnly, Filters or Handlers")
			}
			v = "any"
		case "negotiatedonly":
			v = "negotiatedonly"
		case "handlers", "filters":
			w.warn(c.pos, "", "MultiviewsMatch %s: eventmpm runs no handlers or filters chosen by extension for MultiViews, so files whose extensions only name one are not variants (as with NegotiatedOnly)", a)
			v = "negotiatedonly"
		default:
			return errorf("Unrecognized option '%s'", a)
		}
	}
	n, err := negotiationOf(w, c, "MultiviewsMatch")
	if err != nil {
		return err
	}
	n.MultiviewsMatch = v
	return nil
}
