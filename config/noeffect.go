package config

import (
	"strconv"
	"strings"
)

// This file holds directives that mean nothing to eventmpm because what
// they tune is not there (CGI programs, request-body inflation, content
// negotiation): each is checked as Apache checks it, then noted once at
// start-up with what eventmpm does instead (SPEC.md 0).

// noEffectDirective returns a setter that checks the arguments with check
// (nil: any) and notes the directive once.
func noEffectDirective(why string, check func(c *call) error) func(*walker, *call) error {
	return func(w *walker, c *call) error {
		if check != nil {
			if err := check(c); err != nil {
				return err
			}
		}
		w.noEffect(c, why)
		return nil
	}
}

// checkRLimit is RLimitCPU/RLimitMEM/RLimitNPROC's syntax: one or two
// values, each a number or "max".
func checkRLimit(c *call) error {
	for _, a := range c.args {
		if strings.EqualFold(a, "max") {
			continue
		}
		if n, err := strconv.ParseInt(a, 10, 64); err != nil || n < 0 {
			return errorf("%s: invalid limit %q (a number or max)", c.d.name, a)
		}
	}
	return nil
}

// checkRangeLimit is MaxRangeOverlaps/MaxRangeReversals's syntax:
// default, unlimited, none or a number.
func checkRangeLimit(c *call) error {
	switch strings.ToLower(c.args[0]) {
	case "default", "unlimited", "none":
		return nil
	}
	if n, err := strconv.Atoi(c.args[0]); err != nil || n < 0 {
		return errorf("%s requires 'none', 'default', 'unlimited' or a positive integer", c.d.name)
	}
	return nil
}

const (
	noCGI       = "eventmpm starts no CGI programs for requests (no mod_cgi; FastCGI applications are reached through mod_proxy_fcgi)"
	noInflate   = "eventmpm never inflates a request body (it has no DEFLATE input filter)"
	rangeMerges = "eventmpm merges overlapping and out-of-order ranges into ordered ones, and answers up to MaxRanges of them"
)

// refuseDirective returns a setter that refuses the directive with why.
func refuseDirective(why string) func(*walker, *call) error {
	return func(_ *walker, c *call) error {
		return errorf("%s is not supported by eventmpm: %s", c.d.name, why)
	}
}

// checkInputFilters is SetInputFilter's and AddInputFilter's filter list:
// eventmpm knows DEFLATE only (as an output filter).
func checkInputFilters(c *call) error {
	return deflateOnly(c, c.args[0], "input")
}

// noEffectDirectives are the table entries of this file.
var noEffectDirectives = []directive{
	{name: "RLimitCPU", args: take12, ctx: ctxAny, set: noEffectDirective(noCGI, checkRLimit),
		help: "Soft/hard limits for max CPU usage in seconds"},
	{name: "RLimitMEM", args: take12, ctx: ctxAny, set: noEffectDirective(noCGI, checkRLimit),
		help: "Soft/hard limits for max memory usage per process"},
	{name: "RLimitNPROC", args: take12, ctx: ctxAny, set: noEffectDirective(noCGI, checkRLimit),
		help: "soft/hard limits for max number of processes per uid"},
	{name: "CGIPassAuth", args: flagArg, ctx: ctxDir, set: setCGIPassAuth,
		help: "Controls whether HTTP authorization headers, normally hidden, will be passed to scripts"},
	{name: "QualifyRedirectURL", args: flagArg, ctx: ctxAny, set: noEffectDirective(noCGI+"; REDIRECT_URL is a CGI variable", nil),
		help: "Controls whether the REDIRECT_URL environment variable is fully qualified"},
	{name: "MergeTrailers", args: flagArg, ctx: ctxServer, set: noEffectDirective("eventmpm keeps no trailer fields of a request body (a chunked body goes to a backend without them)", nil),
		help: "merge request trailers into request headers or not"},
	{name: "ModMimeUsePathInfo", args: flagArg, ctx: ctxDir, set: noEffectDirective("eventmpm takes a file's type from its own name, never from path information after it", nil),
		help: "Set to 'yes' to allow mod_mime to use path info for type checking"},
	{name: "DeflateInflateLimitRequestBody", args: take1, ctx: ctxAny, set: noEffectDirective(noInflate, nil),
		help: "Set a limit on the maximum size of an inflated request body"},
	{name: "DeflateInflateRatioLimit", args: take1, ctx: ctxAny, set: noEffectDirective(noInflate, nil),
		help: "Set the inflation ratio limit above which inflation is aborted (default: 200)"},
	{name: "DeflateInflateRatioBurst", args: take1, ctx: ctxAny, set: noEffectDirective(noInflate, nil),
		help: "Set the maximum number of following inflation ratios above limit (default: 3)"},
	{name: "SetInputFilter", args: take1, ctx: ctxAny, set: noEffectDirective(noInflate, checkInputFilters),
		help: "filter (or ; delimited list of filters) to be run on the request body"},
	{name: "AddInputFilter", args: iterate2, ctx: ctxAny, set: noEffectDirective(noInflate, checkInputFilters),
		help: "input filter name followed by one or more file extensions"},
	{name: "ServerPath", args: take1, ctx: ctxServer, set: refuseDirective("it serves clients that send no Host header by a path prefix; " +
		"eventmpm's virtual hosts are chosen by Host, and such a request gets the address's first virtual host"),
		help: "Set to a URL path to serve from a specific name-based virtual host"},
	{name: "RegisterHTTPMethod", args: iterate, ctx: ctxMain, set: refuseDirective("a method registered for modules eventmpm does not have " +
		"would still get 405 or 501 here; eventmpm answers GET, HEAD and OPTIONS on files and knows the standard methods"),
		help: "Registers non-standard HTTP methods"},
	{name: "MaxRangeOverlaps", args: take1, ctx: ctxAny, set: noEffectDirective(rangeMerges, checkRangeLimit),
		help: "Maximum number of overlaps in Range requests before returning the entire resource, or 0 for unlimited"},
	{name: "MaxRangeReversals", args: take1, ctx: ctxAny, set: noEffectDirective(rangeMerges, checkRangeLimit),
		help: "Maximum number of reversals in Range requests before returning the entire resource, or 0 for unlimited"},
}
