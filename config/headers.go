package config

import (
	"strings"

	"eventmpm/config/expr"
	"eventmpm/internal/regex"
)

// This file is mod_headers: Header, in the server config, <VirtualHost>
// and the directory-level sections, and RequestHeader's unset.

// HeaderOp is one Header directive.
type HeaderOp struct {
	// Always is the "always" condition: the operation applies to every
	// response, error pages and redirects included. Without it
	// ("onsuccess", the default) it applies to 2xx and 304 responses
	// only, as Apache's headers_out table is dropped for error pages.
	Always bool
	// Action is set, append, add, merge, setifempty, unset, echo, edit or
	// edit*.
	Action string
	// Name is the header's name; for echo, a regular expression of names.
	Name string
	// Value is the value (set, append, add, merge, setifempty; %t, %D,
	// %{NAME}e and %% are its format specifiers, or, when it begins with
	// "expr=", the rest is an ap_expr string made per response) or edit's
	// regular expression.
	Value string
	// Replacement is edit's replacement ($0 to $9 are submatches).
	Replacement string
	// Env is the env= condition as written ("var" or "!var"), or "": the
	// operation applies when SetEnvIf set var (or, with "!", did not).
	Env string
	// Expr is the expr= condition's expression (package expr), or "": the
	// operation applies when it holds, evaluated as the response is sent.
	Expr string `json:",omitempty"`
	// Early is RequestHeader's "early": applied before the other
	// RequestHeader operations and before mod_setenvif runs.
	Early bool `json:",omitempty"`
	Pos   Pos
}

// headerActions says how many arguments after the header name each action
// takes.
var headerActions = map[string]int{
	"set": 1, "append": 1, "add": 1, "merge": 1, "setifempty": 1,
	"unset": 0, "echo": 0, "edit": 2, "edit*": 2,
}

// setHeader is Header [condition] action header [value] [replacement]
// [env=[!]var], as mod_headers' header_cmd parses it. Server-level
// operations apply before the sections', in file order; a virtual host's
// after the main server's, as Apache merges them.
func setHeader(w *walker, c *call) error {
	op, err := parseHeaderOp(c.args, c.pos, false)
	if err != nil {
		return err
	}
	if protectedHeader(op.Name) {
		// Apache takes these and they do nothing ("Header unset Server"
		// is a common wish): say so instead.
		w.warn(c.pos, "", "Header %s %s has no effect: %s is written after the Header directives apply, as in Apache", op.Action, op.Name, op.Name)
		return nil
	}
	if w.sec != nil {
		w.sec.s.Headers = append(w.sec.s.Headers, op)
	} else {
		w.srv.srv.Headers = append(w.srv.srv.Headers, op)
	}
	return nil
}

// parseHeaderOp reads the arguments of Header or, with request set,
// RequestHeader, as mod_headers' header_inout_cmd: RequestHeader takes no
// always/onsuccess, no echo and no note, and may be early.
func parseHeaderOp(args []string, pos Pos, request bool) (HeaderOp, error) {
	op := HeaderOp{Pos: pos}
	if len(args) > 0 && !request {
		switch strings.ToLower(args[0]) {
		case "always":
			op.Always = true
			args = args[1:]
		case "onsuccess":
			args = args[1:]
		}
	}
	if len(args) < 2 {
		return op, errorf("Header requires three arguments")
	}
	op.Action = strings.ToLower(args[0])
	switch {
	case op.Action == "note" && request:
		return op, errorf("RequestHeader does not support the 'note' action")
	case op.Action == "note":
		return op, errorf("Header note: eventmpm has no request notes to copy a header into")
	case op.Action == "echo" && request:
		return op, errorf("Header echo only valid on Header directives")
	}
	want, ok := headerActions[op.Action]
	if !ok {
		return op, errorf("first argument must be 'add', 'set', 'setifempty', 'append', 'merge', 'unset', 'echo', 'note', 'edit', or 'edit*'.")
	}
	op.Name = args[1]
	rest := args[2:]
	if n := len(rest); n > want {
		// What follows the values is the condition.
		cond := rest[n-1]
		switch {
		case strings.EqualFold(cond, "early") && request:
			op.Early = true
		case strings.EqualFold(cond, "early"):
			return op, errorf("Header %s: 'early' is not supported by eventmpm", op.Action)
		case strings.HasPrefix(strings.ToLower(cond), "env="):
			op.Env = cond[len("env="):]
			if op.Env == "" || op.Env == "!" {
				return op, errorf("error: missing environment variable name. envclause should be in the form env=envar ")
			}
		case strings.HasPrefix(strings.ToLower(cond), "expr="):
			op.Expr = cond[len("expr="):]
			if _, err := expr.Parse(op.Expr); err != nil {
				return op, errorf("Can't parse envclause/expression: %v", err)
			}
		default:
			return op, errorf("Header %s takes %d value(s) after the header name; %q is neither a value nor a condition", op.Action, want, cond)
		}
		rest = rest[:n-1]
	}
	switch {
	case len(rest) < want && (op.Action == "edit" || op.Action == "edit*"):
		return op, errorf("Header edit requires a match and a substitution")
	case len(rest) < want:
		return op, errorf("Header requires three arguments")
	case len(rest) > want:
		return op, errorf("Header %s takes %d value(s) after the header name", op.Action, want)
	}
	switch op.Action {
	case "echo":
		if _, err := regex.Compile(op.Name); err != nil {
			return op, errorf("Header echo regex could not be compiled: %v", err)
		}
	case "edit", "edit*":
		if _, err := regex.Compile(rest[0]); err != nil {
			return op, errorf("Header edit regex could not be compiled: %v", err)
		}
		op.Value, op.Replacement = rest[0], rest[1]
	default:
		if want == 1 {
			op.Value = rest[0]
			if v, ok := strings.CutPrefix(op.Value, "expr="); ok {
				if _, err := expr.ParseString(v); err != nil {
					return op, errorf("Can't parse value expression : %v", err)
				}
			} else if err := checkHeaderFormat(op.Value); err != nil {
				return op, err
			}
		}
	}
	if op.Action != "echo" {
		// "Header set X-Frame-Options: DENY" works in Apache: the colon goes.
		op.Name = strings.TrimSuffix(op.Name, ":")
		if !validFieldName(op.Name) {
			return op, errorf("Header %s: %q is not a valid header name", op.Action, op.Name)
		}
	}
	return op, nil
}

// checkHeaderFormat accepts the format specifiers eventmpm implements in a
// Header value: %t (when the request was received), %D (how long it has
// taken), %{NAME}e (a variable of mod_setenvif or mod_env, "(null)" when
// unset) and %%. mod_headers' others are refused with what they would
// need, and anything else with Apache's message.
func checkHeaderFormat(v string) error {
	for i := 0; i < len(v); i++ {
		if v[i] != '%' {
			continue
		}
		i++
		if i >= len(v) {
			return errorf("Header value %q ends with a lone %%", v)
		}
		arg := ""
		if v[i] == '{' {
			end := strings.IndexByte(v[i:], '}')
			if end < 0 || i+end+1 >= len(v) {
				return errorf("Unrecognized header format %%")
			}
			arg, i = v[i+1:i+end], i+end+1
		}
		switch v[i] {
		case 't', 'D', '%':
		case 'e', 's':
			if arg == "" {
				return errorf("Header value %q: %%%c names its variable in braces, as %%{NAME}%c", v, v[i], v[i])
			}
		case 'l', 'i', 'b':
			return errorf("Header value %q: eventmpm does not put the load average or the idle and busy workers (%%l, %%i, %%b) in a header; the status page has them", v)
		default:
			return errorf("Unrecognized header format %%%c", v[i])
		}
	}
	return nil
}

// protectedHeader lists the fields the HTTP layer writes after
// mod_headers has run (Date, Server, the framing and connection fields).
func protectedHeader(name string) bool {
	for _, p := range []string{"Date", "Server", "Connection", "Keep-Alive", "Content-Length", "Transfer-Encoding"} {
		if strings.EqualFold(name, p) {
			return true
		}
	}
	return false
}

// validFieldName reports whether name is an RFC 9110 token.
func validFieldName(name string) bool {
	if name == "" {
		return false
	}
	for i := 0; i < len(name); i++ {
		c := name[i]
		switch {
		case 'a' <= c && c <= 'z', 'A' <= c && c <= 'Z', '0' <= c && c <= '9':
		case strings.IndexByte("!#$%&'*+-.^_`|~", c) >= 0:
		default:
			return false
		}
	}
	return true
}

// setRequestHeader is RequestHeader action header [value] [replacement]
// [early|env=[!]var|expr=...]: the request's fields are changed before it
// is routed and logged, the early operations first (see
// worker.applyRequestHeaders), a virtual host's after the main server's.
// Its common uses: "RequestHeader unset Proxy early" (httpoxy),
// "RequestHeader unset Range" (the Range flood of 2011), "RequestHeader
// edit If-None-Match ..." (mod_deflate's ETag suffix). The fields that
// decided the request's framing, host and persistence while it was parsed
// are refused; the conditional and range fields are found again after.
func setRequestHeader(w *walker, c *call) error {
	op, err := parseHeaderOp(c.args, c.pos, true)
	if err != nil {
		return err
	}
	if p, ok := preParsedField(op.Name); ok && !strings.HasPrefix(p, "If-") && p != "Range" {
		return errorf("RequestHeader %s %s: eventmpm reads %s while parsing the request, before RequestHeader could apply", op.Action, op.Name, p)
	}
	if w.sec != nil {
		if op.Early {
			// Apache takes it, and runs early operations before any
			// section applies: never.
			w.warn(c.pos, "", "RequestHeader %s %s early in %s> has no effect: early operations run before the sections apply, as in Apache; use it in the server config or <VirtualHost>",
				op.Action, op.Name, c.sc.parent())
			return nil
		}
		w.sec.s.RequestHeaders = append(w.sec.s.RequestHeaders, op)
		return nil
	}
	w.srv.srv.RequestHeaders = append(w.srv.srv.RequestHeaders, op)
	return nil
}
