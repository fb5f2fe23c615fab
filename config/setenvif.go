package config

import (
	"strings"

	"eventmpm/config/expr"
	"eventmpm/internal/regex"
)

// This file is mod_setenvif: SetEnvIf, SetEnvIfNoCase, BrowserMatch and
// BrowserMatchNoCase set per-request environment variables, which
// CustomLog env=, Header env= and %{VAR}e read, and a few of which
// (nokeepalive, downgrade-1.0, force-response-1.0) change how the request
// is answered.

// SetEnvIf is one SetEnvIf, SetEnvIfNoCase, BrowserMatch or
// BrowserMatchNoCase directive.
type SetEnvIf struct {
	// Attribute is what the expression is matched against: Remote_Host,
	// Remote_Addr, Server_Addr, Request_Method, Request_Protocol or
	// Request_URI (canonical spelling), else a request header's name, or
	// the name of a variable an earlier directive set. A missing one is
	// matched as "".
	Attribute string
	// NameRegex says that Attribute is a regular expression for the
	// request's field names (a name with characters other than letters,
	// digits, '-' and '_'): the value of the last field it matches.
	NameRegex bool `json:",omitempty"`
	// Regex is the expression (package internal/regex), NoCase whether it ignores
	// case.
	Regex  string
	NoCase bool
	// Expr is SetEnvIfExpr's expression; Attribute and Regex are then
	// empty.
	Expr *expr.Expr `json:",omitempty"`
	// Vars are the assignments, in order.
	Vars []EnvAssign
	Pos  Pos
}

// EnvAssign is one "[!]var[=value]" of a SetEnvIf: set var to value ("1"
// when none is given; $0 to $9 are the expression's submatches), or unset
// it ("!var").
type EnvAssign struct {
	Name  string
	Value string
	Unset bool
}

// setEnvIfSpecials are mod_setenvif's special attributes, by lowercased
// name.
var setEnvIfSpecials = map[string]string{
	"remote_host": "Remote_Host", "remote_addr": "Remote_Addr", "server_addr": "Server_Addr",
	"request_method": "Request_Method", "request_protocol": "Request_Protocol", "request_uri": "Request_URI",
}

// setSetEnvIf returns the setter of SetEnvIf (browser false: an attribute
// comes first) and BrowserMatch (the attribute is User-Agent), each with
// or without NoCase.
func setSetEnvIf(browser, noCase bool) func(w *walker, c *call) error {
	return func(w *walker, c *call) error {
		args := c.args
		s := SetEnvIf{Attribute: "User-Agent", NoCase: noCase, Pos: c.pos}
		if !browser {
			if len(args) < 1 {
				return errorf("Missing header-field name")
			}
			s.Attribute, args = args[0], args[1:]
			if canon, ok := setEnvIfSpecials[strings.ToLower(s.Attribute)]; ok {
				s.Attribute = canon
			} else if !plainAttribute(s.Attribute) {
				// A regular expression for the request's field names
				// (Debian's php-fpm.conf: SetEnvIfNoCase ^Authorization$).
				pattern := s.Attribute
				if noCase {
					pattern = "(?i)" + pattern
				}
				if _, err := regex.Compile(pattern); err != nil {
					return errorf("%sHeader name regex could not be compiled.", c.d.name)
				}
				s.NameRegex = true
			}
		}
		if len(args) < 1 {
			return errorf("Missing regular expression")
		}
		s.Regex, args = args[0], args[1:]
		pattern := s.Regex
		if noCase {
			pattern = "(?i)" + pattern
		}
		if _, err := regex.Compile(pattern); err != nil {
			return errorf("Regular expression could not be compiled: %v", err)
		}
		return w.addSetEnvIf(c, s, args)
	}
}

// addSetEnvIf reads the "[!]var[=value]" list of a SetEnvIf,
// BrowserMatch or SetEnvIfExpr and adds it to the server or the section.
func (w *walker) addSetEnvIf(c *call, s SetEnvIf, args []string) error {
	if len(args) == 0 {
		return errorf("Missing envariable expression for %s", c.d.name)
	}
	for _, a := range args {
		v := EnvAssign{Name: a, Value: "1"}
		switch {
		case strings.HasPrefix(a, "!"):
			v = EnvAssign{Name: a[1:], Unset: true}
		case strings.Contains(a, "="):
			v.Name, v.Value, _ = strings.Cut(a, "=")
		}
		if v.Name == "" {
			return errorf("%s: %q names no variable", c.d.name, a)
		}
		s.Vars = append(s.Vars, v)
	}
	if w.sec != nil {
		w.sec.s.SetEnvIf = append(w.sec.s.SetEnvIf, s)
		return nil
	}
	w.srv.srv.SetEnvIf = append(w.srv.srv.SetEnvIf, s)
	return nil
}

// setSetEnvIfExpr is SetEnvIfExpr "expression" [!]var[=value]...: the
// variables are set when the expression holds ($0 to $9 in a value are
// the groups of its last regex match), in order with SetEnvIf.
func setSetEnvIfExpr(w *walker, c *call) error {
	if len(c.args) == 0 {
		return errorf("Missing expression for SetEnvIfExpr")
	}
	e, err := expr.Parse(c.args[0])
	if err != nil {
		return errorf("Could not parse expression \"%s\": %v", c.args[0], err)
	}
	return w.addSetEnvIf(c, SetEnvIf{Expr: e, Pos: c.pos}, c.args[1:])
}

// plainAttribute is mod_setenvif's test for a name that is not a regular
// expression: letters, digits, '-' and '_' only.
func plainAttribute(name string) bool {
	for i := 0; i < len(name); i++ {
		c := name[i]
		if !('a' <= c && c <= 'z' || 'A' <= c && c <= 'Z' || '0' <= c && c <= '9' || c == '-' || c == '_') {
			return false
		}
	}
	return name != ""
}
