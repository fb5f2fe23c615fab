package http1

import "strconv"

// ErrorPageContentType is the Content-Type Apache sends with its canned
// error pages.
const ErrorPageContentType = "text/html; charset=iso-8859-1"

// ErrorDetail is what an error page may mention. Every field is HTML-escaped
// on the way out; request-derived bytes are never reflected raw.
type ErrorDetail struct {
	// Method is the request method (405, 411, 413, 501).
	Method []byte
	// Location is the redirect target (301, 302, 303, 307, 308).
	Location []byte
	// Expect is the client's Expect value (417); nil says none was sent.
	Expect []byte
	// Notes is Apache's "error-notes": an explanation added to 400, 403,
	// 411, 414, 417, 451, 501 and 502 pages, typically ParseError.Reason.
	Notes string
	// NotesHTML says Notes is HTML already (mod_proxy's, which it builds
	// with its reason escaped), not text to escape.
	NotesHTML bool
	// Reason replaces the status's reason phrase in the title and heading
	// when not empty, as Apache's r->status_line ("502 Proxy Error").
	Reason string
	// ServerAdmin is the ServerAdmin address, shown on 500 pages (and on
	// pages without a canned text, as in Apache) and by SignatureEMail.
	ServerAdmin string
	// Signature is the banner for the ServerSignature line, usually
	// ServerHeader's result; empty means ServerSignature Off.
	Signature string
	// ServerName and Port complete the signature: "... Server at
	// ServerName Port Port".
	ServerName []byte
	Port       int
	// SignatureEMail is ServerSignature EMail: link ServerName to a
	// mailto: of ServerAdmin.
	SignatureEMail bool
	// Recursive is the status an ErrorDocument's own resource answered
	// with (0 for none): the page then says that this error came on top.
	Recursive int
	// VariantList is the HTML list of a resource's variants a 406 page
	// shows (Apache's variant-list note), already escaped by its maker.
	VariantList []byte
}

// canned is one of Apache's canned error texts (get_canned_error_string
// in modules/http/http_protocol.c, 2.4): pre, an escaped argument, mid,
// then the escaped notes and post when notes is set.
type canned struct {
	pre   string
	arg   cannedArg
	mid   string
	notes bool
	post  string
}

type cannedArg uint8

const (
	argNone cannedArg = iota
	argMethod
	argLocation
	argExpect
	argAdmin
)

const (
	movedPre   = `<p>The document has moved <a href="`
	movedMid   = "\">here</a>.</p>\n"
	authText   = "<p>This server could not verify that you\nare authorized to access the document\nrequested.  Either you supplied the wrong\ncredentials (e.g., bad password), or your\nbrowser doesn't understand how to supply\nthe credentials required.</p>\n"
	expectPost = "</p><p>Only the 100-continue expectation is supported.</p>\n"
)

var cannedTexts = map[int]canned{
	300: {},
	301: {pre: movedPre, arg: argLocation, mid: movedMid},
	302: {pre: movedPre, arg: argLocation, mid: movedMid},
	303: {pre: `<p>The answer to your request is located <a href="`, arg: argLocation, mid: movedMid},
	305: {pre: "<p>This resource is only accessible through the proxy\n<br />\nYou will need to configure your client to use that proxy.</p>\n"},
	307: {pre: movedPre, arg: argLocation, mid: movedMid},
	308: {pre: movedPre, arg: argLocation, mid: movedMid},
	400: {pre: "<p>Your browser sent a request that this server could not understand.<br />\n", notes: true, post: "</p>\n"},
	401: {pre: authText},
	403: {pre: "<p>You don't have permission to access this resource.", notes: true, post: "</p>\n"},
	404: {pre: "<p>The requested URL was not found on this server.</p>\n"},
	405: {pre: "<p>The requested method ", arg: argMethod, mid: " is not allowed for this URL.</p>\n"},
	406: {pre: "<p>An appropriate representation of the requested resource could not be found on this server.</p>\n"},
	407: {pre: authText},
	408: {pre: "<p>Server timeout waiting for the HTTP request from the client.</p>\n"},
	410: {pre: "<p>The requested resource is no longer available on this server and there is no forwarding address.\nPlease remove all references to this resource.</p>\n"},
	411: {pre: "<p>A request of the requested method ", arg: argMethod, mid: " requires a valid Content-length.<br />\n", notes: true, post: "</p>\n"},
	412: {pre: "<p>The precondition on the request for this URL evaluated to false.</p>\n"},
	413: {pre: "The requested resource does not allow request data with ", arg: argMethod, mid: " requests, or the amount of data provided in\nthe request exceeds the capacity limit.\n"},
	414: {pre: "<p>The requested URL's length exceeds the capacity\nlimit for this server.<br />\n", notes: true, post: "</p>\n"},
	415: {pre: "<p>The supplied request data is not in a format\nacceptable for processing by this resource.</p>\n"},
	416: {pre: "<p>None of the range-specifier values in the Range\nrequest-header field overlap the current extent\nof the selected resource.</p>\n"},
	417: {pre: "<p>The expectation given in the Expect request-header\nfield could not be met by this server.\nThe client sent<pre>\n    Expect: ", arg: argExpect, mid: "\n</pre>\n", notes: true, post: expectPost},
	421: {pre: "<p>The client needs a new connection for this\nrequest as the requested host name does not match\nthe Server Name Indication (SNI) in use for this\nconnection.</p>\n"},
	422: {pre: "<p>The server understands the media type of the\nrequest entity, but was unable to process the\ncontained instructions.</p>\n"},
	423: {pre: "<p>The requested resource is currently locked.\nThe lock must be released or proper identification\ngiven before the method can be applied.</p>\n"},
	424: {pre: "<p>The method could not be performed on the resource\nbecause the requested action depended on another\naction and that other action failed.</p>\n"},
	426: {pre: "<p>The requested resource can only be retrieved\nusing SSL.  The server is willing to upgrade the current\nconnection to SSL, but your client doesn't support it.\nEither upgrade your client, or try requesting the page\nusing https://\n"},
	428: {pre: "<p>The request is required to be conditional.</p>\n"},
	429: {pre: "<p>The user has sent too many requests\nin a given amount of time.</p>\n"},
	431: {pre: "<p>The server refused this request because\nthe request header fields are too large.</p>\n"},
	451: {pre: "<p>Access to this URL has been denied for legal reasons.<br />\n", notes: true, post: "</p>\n"},
	501: {pre: "<p>", arg: argMethod, mid: " not supported for current URL.<br />\n", notes: true, post: "</p>\n"},
	502: {pre: "<p>The proxy server received an invalid\r\nresponse from an upstream server.<br />\r\n", notes: true, post: "</p>\n"},
	503: {pre: "<p>The server is temporarily unable to service your\nrequest due to maintenance downtime or capacity\nproblems. Please try again later.</p>\n"},
	504: {pre: "<p>The gateway did not receive a timely response\nfrom the upstream server or application.</p>\n"},
	506: {pre: "<p>A variant for the requested resource\n<pre>\n\n</pre>\nis itself a negotiable resource. This indicates a configuration error.</p>\n"},
	507: {pre: "<p>The method could not be performed on the resource\nbecause the server is unable to store the\nrepresentation needed to successfully complete the\nrequest.  There is insufficient free space left in\nyour storage allocation.</p>\n"},
	508: {pre: "<p>The server terminated an operation because\nit encountered an infinite loop.</p>\n"},
	510: {pre: "<p>A mandatory extension policy in the request is not\naccepted by the server for this resource.</p>\n"},
	511: {pre: "<p>The client needs to authenticate to gain\nnetwork access.</p>\n"},
}

// cannedNoExpect is the 417 text when the client sent no Expect field.
var cannedNoExpect = canned{pre: "<p>No expectation was seen, the Expect request-header \nfield was not presented by the client.\n", notes: true, post: expectPost}

// cannedDefault is Apache's text for 500 and for every code without a
// canned text of its own, 505 among them.
var cannedDefault = canned{
	pre: "<p>The server encountered an internal error or\nmisconfiguration and was unable to complete\nyour request.</p>\n" +
		"<p>Please contact the server administrator at \n ",
	arg: argAdmin,
	mid: " to inform them of the time this error occurred,\n and the actions you performed just before this error.</p>\n" +
		"<p>More information about this error may be available\nin the server error log.</p>\n",
}

// AppendErrorPage appends the body of Apache 2.4's canned error page for
// code (ap_send_error_response) to dst: the HTML 4.01 doctype (Apache
// 2.4.71's; earlier 2.4 releases sent HTML 2.0's), a title of
// code and reason phrase, an h1 of the reason phrase, Apache's text for the
// code, the optional ServerSignature line, without allocating. Codes that
// carry no body (1xx, 204, 304) append nothing; a code without a reason
// phrase is rendered as 500, as Apache does. Send it with
// ErrorPageContentType.
func AppendErrorPage(dst []byte, code int, d ErrorDetail) []byte {
	if code < 200 || code == 204 || code == 304 {
		return dst
	}
	text := StatusText(code)
	if text == "" {
		code, text = 500, StatusText(500)
	} else if d.Reason != "" {
		text = d.Reason
	}
	dst = append(dst, "<!DOCTYPE HTML PUBLIC \"-//W3C//DTD HTML 4.01//EN\" \"http://www.w3.org/TR/html4/strict.dtd\">\n<html><head>\n<title>"...)
	dst = strconv.AppendInt(dst, int64(code), 10)
	dst = append(dst, ' ')
	dst = append(dst, text...)
	dst = append(dst, "</title>\n</head><body>\n<h1>"...)
	dst = append(dst, text...)
	dst = append(dst, "</h1>\n"...)
	c, ok := cannedTexts[code]
	switch {
	case code == 417 && d.Expect == nil:
		c = cannedNoExpect
	case !ok:
		c = cannedDefault
	}
	dst = appendCanned(dst, &c, &d)
	if code == 406 || code == 300 {
		dst = append(dst, d.VariantList...)
	}
	if d.Recursive != 0 {
		dst = append(dst, "<p>Additionally, a "...)
		dst = strconv.AppendInt(dst, int64(d.Recursive), 10)
		dst = append(dst, ' ')
		dst = append(dst, StatusText(d.Recursive)...)
		dst = append(dst, "\nerror was encountered while trying to use an ErrorDocument to handle the request.</p>\n"...)
	}
	dst = appendSignature(dst, &d)
	return append(dst, "</body></html>\n"...)
}

func appendCanned(dst []byte, c *canned, d *ErrorDetail) []byte {
	dst = append(dst, c.pre...)
	switch c.arg {
	case argMethod:
		dst = appendEscaped(dst, d.Method)
	case argLocation:
		dst = appendEscaped(dst, d.Location)
	case argExpect:
		dst = appendEscaped(dst, d.Expect)
	case argAdmin:
		dst = appendEscaped(dst, d.ServerAdmin)
	}
	dst = append(dst, c.mid...)
	if c.notes {
		if d.NotesHTML {
			dst = append(dst, d.Notes...)
		} else {
			dst = appendEscaped(dst, d.Notes)
		}
		dst = append(dst, c.post...)
	}
	return dst
}

// appendSignature appends Apache's ap_psignature("<hr>\n", r).
func appendSignature(dst []byte, d *ErrorDetail) []byte {
	if d.Signature == "" {
		return dst
	}
	return AppendAddress(append(dst, "<hr>\n"...), d)
}

// AppendAddress appends ServerSignature's line, as Apache's
// ap_psignature: "<address>" + d.Signature + " Server at " + the server
// name (a mailto: link to ServerAdmin with SignatureEMail) + " Port N" +
// "</address>\n".
func AppendAddress(dst []byte, d *ErrorDetail) []byte {
	dst = append(dst, "<address>"...)
	dst = appendEscaped(dst, d.Signature)
	dst = append(dst, " Server at "...)
	if d.SignatureEMail {
		dst = append(dst, `<a href="`...)
		if !hasPrefixFold([]byte(d.ServerAdmin), "mailto:") {
			dst = append(dst, "mailto:"...)
		}
		dst = appendEscaped(dst, d.ServerAdmin)
		dst = append(dst, `">`...)
		dst = appendEscaped(dst, d.ServerName)
		dst = append(dst, "</a>"...)
	} else {
		dst = appendEscaped(dst, d.ServerName)
	}
	dst = append(dst, " Port "...)
	dst = strconv.AppendInt(dst, int64(d.Port), 10)
	return append(dst, "</address>\n"...)
}

// appendEscaped appends s with the HTML specials escaped as Apache's
// ap_escape_html does (& < > "), and, beyond Apache, every control byte
// but HTAB and LF, DEL and every non-ASCII byte as a numeric reference,
// so nothing from a request is reflected raw.
func appendEscaped[T ~string | ~[]byte](dst []byte, s T) []byte {
	for i := 0; i < len(s); i++ {
		switch c := s[i]; {
		case c == '&':
			dst = append(dst, "&amp;"...)
		case c == '<':
			dst = append(dst, "&lt;"...)
		case c == '>':
			dst = append(dst, "&gt;"...)
		case c == '"':
			dst = append(dst, "&quot;"...)
		case c < 0x20 && c != '\t' && c != '\n' || c >= 0x7f:
			dst = append(dst, "&#"...)
			dst = strconv.AppendInt(dst, int64(c), 10)
			dst = append(dst, ';')
		default:
			dst = append(dst, c)
		}
	}
	return dst
}
