package config

import (
	"maps"
	"strconv"
	"strings"
)

// This file is mod_expires: ExpiresActive, ExpiresDefault and
// ExpiresByType, in the server config, <VirtualHost> and the
// directory-level sections.

// Expires is mod_expires' configuration of a server or a section. A
// section's zero fields leave the enclosing value, as Apache merges them.
type Expires struct {
	// Active is ExpiresActive; nil when not set here.
	Active *bool `json:",omitempty"`
	// Default is ExpiresDefault as a code: 'A' (from the request's time)
	// or 'M' (from the file's modification time) and seconds, "A2592000".
	// Empty when not set here.
	Default string `json:",omitempty"`
	// ByType maps a lowercased media type, or "major/*", to a code.
	ByType map[string]string `json:",omitempty"`
}

// IsZero reports whether nothing of mod_expires is set.
func (e *Expires) IsZero() bool { return e.Active == nil && e.Default == "" && len(e.ByType) == 0 }

// Merge returns add merged over e, as mod_expires merges configurations:
// add's Active and Default when set, and its types over e's.
func (e Expires) Merge(add Expires) Expires {
	out := e
	if add.Active != nil {
		out.Active = add.Active
	}
	if add.Default != "" {
		out.Default = add.Default
	}
	if len(add.ByType) > 0 {
		out.ByType = maps.Clone(e.ByType)
		if out.ByType == nil {
			out.ByType = map[string]string{}
		}
		maps.Copy(out.ByType, add.ByType)
	}
	return out
}

// expiresOf is the Expires the directive sets: the section's, or the
// server's.
func (w *walker) expiresOf() *Expires {
	if w.sec != nil {
		return &w.sec.s.Expires
	}
	return &w.srv.srv.Expires
}

func setExpiresActive(w *walker, c *call) error {
	on := isOn(c.args[0])
	w.expiresOf().Active = &on
	return nil
}

func setExpiresDefault(w *walker, c *call) error {
	code, err := expiresCode(c.args[0])
	if err != nil {
		return err
	}
	w.expiresOf().Default = code
	return nil
}

func setExpiresByType(w *walker, c *call) error {
	mime := strings.ToLower(c.args[0])
	major, minor, ok := strings.Cut(mime, "/")
	if !ok || major == "" || minor == "" || strings.ContainsAny(mime, " ;") || strings.Contains(minor, "*") && minor != "*" {
		return errorf("ExpiresByType: %q is not a media type (type/subtype or type/*)", c.args[0])
	}
	code, err := expiresCode(c.args[1])
	if err != nil {
		return err
	}
	e := w.expiresOf()
	if e.ByType == nil {
		e.ByType = map[string]string{}
	}
	e.ByType[mime] = code
	return nil
}

// expiresCode converts mod_expires' two syntaxes to a code, with its
// messages: "A3600"/"M3600", or "<base> [plus] {<num> <type>}*" where base
// is access (or now) or modification, compared by their first letter as
// Apache's check_code does (months and minutes by two).
func expiresCode(s string) (string, error) {
	if len(s) > 1 && (s[0] == 'A' || s[0] == 'M') && leadingDigits(s[1:]) == s[1:] {
		n, err := strconv.Atoi(s[1:])
		if err != nil {
			return "", errorf("bad expires code, the number of seconds is out of range: '%s'", s)
		}
		return s[:1] + strconv.Itoa(n), nil
	}
	words := strings.Fields(s)
	if len(words) == 0 {
		return "", errorf("bad expires code, unrecognised <base> ''")
	}
	var base byte
	switch w := strings.ToLower(words[0]); {
	case w[0] == 'n' || w[0] == 'a':
		base = 'A'
	case w[0] == 'm':
		base = 'M'
	default:
		return "", errorf("bad expires code, unrecognised <base> '%s'", words[0])
	}
	words = words[1:]
	if len(words) > 0 && strings.ToLower(words[0])[0] == 'p' {
		words = words[1:]
	}
	total := 0
	for len(words) > 0 {
		if words[0][0] < '0' || words[0][0] > '9' {
			return "", errorf("bad expires code, numeric value expected <num> '%s'", words[0])
		}
		num, err := strconv.Atoi(leadingDigits(words[0]))
		if err != nil {
			return "", errorf("bad expires code, numeric value expected <num> '%s'", words[0])
		}
		if len(words) < 2 {
			return "", errorf("bad expires code, missing <type>")
		}
		unit := expiresUnit(strings.ToLower(words[1]))
		if unit == 0 {
			return "", errorf("bad expires code, unrecognised <type> '%s'", words[1])
		}
		total += num * unit
		words = words[2:]
	}
	return string(base) + strconv.Itoa(total), nil
}

// expiresUnit is the seconds in a <type>, 0 for none.
func expiresUnit(w string) int {
	switch {
	case strings.HasPrefix(w, "y"):
		return 365 * 24 * 3600
	case strings.HasPrefix(w, "mo"):
		return 30 * 24 * 3600
	case strings.HasPrefix(w, "w"):
		return 7 * 24 * 3600
	case strings.HasPrefix(w, "d"):
		return 24 * 3600
	case strings.HasPrefix(w, "h"):
		return 3600
	case strings.HasPrefix(w, "mi"):
		return 60
	case strings.HasPrefix(w, "s"):
		return 1
	}
	return 0
}

// leadingDigits is the run of digits s starts with (Apache's atoi).
func leadingDigits(s string) string {
	i := 0
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	return s[:i]
}
