package config

import (
	"slices"
	"strings"
)

// This file holds core directives whose setting eventmpm does not vary: it
// behaves as one of their values always (or as their default). That value
// is accepted silently, because it is what eventmpm does; a value whose
// difference would not change what a client gets is accepted with a
// warning; any other valid value is refused with what eventmpm does
// instead; a keyword Apache does not know gets Apache's own message.

// fixedKeyword describes such a directive.
type fixedKeyword struct {
	// valid are the keywords Apache takes (lower case); bad is Apache's
	// message for any other word.
	valid []string
	bad   string
	// same are the keywords that name what eventmpm does; warned are
	// accepted with a warning (why) instead of refused.
	same, warned []string
	// why says what eventmpm does instead.
	why string
}

// setFixed returns the setter of a directive described by k. Each word
// of the directive (one for TAKE1 and FLAG, several for ITERATE) is checked.
func setFixed(k fixedKeyword) func(*walker, *call) error {
	return func(w *walker, c *call) error {
		for _, arg := range c.args {
			v := strings.ToLower(arg)
			switch {
			case !slices.Contains(k.valid, v):
				return errorf("%s", k.bad)
			case slices.Contains(k.same, v):
			case slices.Contains(k.warned, v):
				w.warn(c.pos, "", "%s %s has no effect: %s", c.d.name, arg, k.why)
			default:
				return errorf("%s %s: %s", c.d.name, arg, k.why)
			}
		}
		return nil
	}
}

var onOff = []string{"on", "off"}

// fixedDirectives are the table entries of this file.
var fixedDirectives = []directive{
	{name: "UseCanonicalName", args: take1, ctx: ctxAny, set: setFixed(fixedKeyword{
		valid: []string{"on", "off", "dns"}, bad: "parameter must be 'on', 'off', or 'dns'", same: []string{"off"},
		why: "eventmpm builds self-referential URLs from the request's Host header (UseCanonicalName Off)",
	}), help: "How to work out the ServerName : Port when constructing URLs"},
	{name: "UseCanonicalPhysicalPort", args: take1, ctx: ctxAny, set: setFixed(fixedKeyword{
		valid: onOff, bad: "parameter must be 'on' or 'off'", same: []string{"on"},
		why: "without a port in the Host header, eventmpm's self-referential URLs use the port the connection arrived on (UseCanonicalPhysicalPort On)",
	}), help: "Whether to use the physical Port when constructing URLs"},
	{name: "AllowEncodedSlashes", args: take1, ctx: ctxServer, set: setFixed(fixedKeyword{
		valid: []string{"on", "off", "nodecode"}, bad: "AllowEncodedSlashes must be On, Off, or NoDecode", same: []string{"off"},
		why: "eventmpm answers a path with an encoded slash (%2F) with 404 (AllowEncodedSlashes Off)",
	}), help: "Allow URLs containing '/' encoded as '%2F'"},
	{name: "MergeSlashes", args: flagArg, ctx: ctxServer, set: setFixed(fixedKeyword{
		valid: onOff, bad: "MergeSlashes must be On or Off", same: []string{"on"},
		why: "eventmpm always treats a run of '/' in a path as one (MergeSlashes On)",
	}), help: "Controls whether consecutive slashes in the URI path are merged"},
	{name: "AcceptPathInfo", args: take1, ctx: ctxAny, set: setFixed(fixedKeyword{
		valid: []string{"on", "off", "default"}, bad: "AcceptPathInfo must be set to on, off or default", same: []string{"off", "default"},
		why: "eventmpm serves static files, which take no trailing path information (/file.html/extra is 404, as AcceptPathInfo Default makes it)",
	}), help: "Set to on or off for PATH_INFO to be accepted by handlers, or default for the per-handler preference"},
	{name: "ContentDigest", args: flagArg, ctx: ctxAny, set: setFixed(fixedKeyword{
		valid: onOff, bad: "ContentDigest must be On or Off", same: []string{"off"},
		why: "eventmpm sends no Content-MD5 (a header field RFC 7231 removed from HTTP)",
	}), help: "whether or not to send a Content-MD5 header with each request"},
	{name: "EnableMMAP", args: take1, ctx: ctxAny, set: setFixed(fixedKeyword{
		valid: onOff, bad: "parameter must be 'on' or 'off'", same: onOff,
	}), help: "Controls whether memory-mapping may be used to read files"},
	{name: "BufferedLogs", args: flagArg, ctx: ctxMain, set: setFixed(fixedKeyword{
		valid: onOff, bad: "BufferedLogs must be On or Off", same: []string{"on"}, warned: []string{"off"},
		why: "each worker buffers its access-log lines and writes them out when it has no more work at hand, as BufferedLogs On",
	}), help: "Enable Buffered Logging (experimental)"},
	{name: "HttpProtocolOptions", args: iterate, ctx: ctxServer, set: setFixed(fixedKeyword{
		valid: []string{"strict", "unsafe", "registeredmethods", "lenientmethods", "require1.0", "allow0.9"},
		bad: "HttpProtocolOptions accepts 'Unsafe' or 'Strict' (default), 'RegisteredMethods' or 'LenientMethods' (default), " +
			"and 'Require1.0' or 'Allow0.9' (default)",
		same: []string{"strict", "registeredmethods", "lenientmethods", "require1.0"}, warned: []string{"unsafe", "allow0.9"},
		why: "eventmpm parses requests strictly by RFC 9112 and answers HTTP/0.9 with 400 (HttpProtocolOptions Strict Require1.0)",
	}), help: "'Allow0.9' or 'Require1.0' (default); 'RegisteredMethods' or 'LenientMethods' (default); 'Unsafe' or 'Strict' (default). Sets HTTP acceptance rules"},
	{name: "Protocols", args: iterate, ctx: ctxServer, set: setFixed(fixedKeyword{
		valid: []string{"http/1.1", "h2", "h2c", "acme-tls/1"}, bad: "Protocols: eventmpm knows http/1.1, h2, h2c and acme-tls/1",
		same: []string{"http/1.1"}, warned: []string{"h2", "h2c", "acme-tls/1"},
		why: "eventmpm speaks HTTP/1.1 only",
	}), help: "Controls which protocols are allowed"},
	{name: "ProtocolsHonorOrder", args: take1, ctx: ctxServer, set: setFixed(fixedKeyword{
		valid: onOff, bad: "ProtocolsHonorOrder must be 'on' or 'off'", same: onOff,
	}), help: "'On': try to honor the order of protocols in Protocols, 'Off': prefer the client's order"},
	{name: "DirectorySlash", args: flagArg, ctx: ctxAny, set: setFixed(fixedKeyword{
		valid: onOff, bad: "DirectorySlash must be On or Off", same: []string{"on"},
		why: "eventmpm redirects a directory's path without its trailing slash to the path with it (DirectorySlash On)",
	}), help: "On or Off"},
	{name: "LimitXMLRequestBody", args: take1, ctx: ctxAny, set: noEffect("eventmpm reads no XML request bodies (it has no mod_dav)"),
		help: "Limit (in bytes) on maximum size of an XML-based request body"},
	{name: "DefaultType", args: take1, ctx: ctxAny, set: setDefaultType,
		help: "the default media type for otherwise untyped files (DEPRECATED)"},
}

// setDefaultType is Apache 2.4's DefaultType: "None" is its only meaning,
// anything else draws AH00117 and is ignored, as in Apache.
func setDefaultType(w *walker, c *call) error {
	if !strings.EqualFold(c.args[0], "none") {
		w.warn(c.pos, "AH00117", "Ignoring deprecated use of DefaultType in line %d of %s.", c.pos.Line, c.pos.File)
	}
	return nil
}

// refuse returns the setter of a directive eventmpm does not implement,
// with the reason.
func refuse(why string) func(*walker, *call) error {
	return func(_ *walker, c *call) error {
		return errorf("%s is not supported: %s", c.d.name, why)
	}
}
