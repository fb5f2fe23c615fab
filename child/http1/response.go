package http1

import "strconv"

// statusText holds the reason phrases of net/http.StatusText (the RFC 9110
// names), copied because this package may not import net/http. For the
// codes the server sends, Apache 2.4's own table differs only for 414
// ("Request-URI Too Long"); it also lacks 418 and 425.
var statusText = [600]string{
	100: "Continue",
	101: "Switching Protocols",
	102: "Processing",
	103: "Early Hints",
	200: "OK",
	201: "Created",
	202: "Accepted",
	203: "Non-Authoritative Information",
	204: "No Content",
	205: "Reset Content",
	206: "Partial Content",
	207: "Multi-Status",
	208: "Already Reported",
	226: "IM Used",
	300: "Multiple Choices",
	301: "Moved Permanently",
	302: "Found",
	303: "See Other",
	304: "Not Modified",
	305: "Use Proxy",
	307: "Temporary Redirect",
	308: "Permanent Redirect",
	400: "Bad Request",
	401: "Unauthorized",
	402: "Payment Required",
	403: "Forbidden",
	404: "Not Found",
	405: "Method Not Allowed",
	406: "Not Acceptable",
	407: "Proxy Authentication Required",
	408: "Request Timeout",
	409: "Conflict",
	410: "Gone",
	411: "Length Required",
	412: "Precondition Failed",
	413: "Request Entity Too Large",
	414: "Request-URI Too Long",
	415: "Unsupported Media Type",
	416: "Requested Range Not Satisfiable",
	417: "Expectation Failed",
	418: "I'm a teapot",
	421: "Misdirected Request",
	422: "Unprocessable Entity",
	423: "Locked",
	424: "Failed Dependency",
	425: "Too Early",
	426: "Upgrade Required",
	428: "Precondition Required",
	429: "Too Many Requests",
	431: "Request Header Fields Too Large",
	451: "Unavailable For Legal Reasons",
	500: "Internal Server Error",
	501: "Not Implemented",
	502: "Bad Gateway",
	503: "Service Unavailable",
	504: "Gateway Timeout",
	505: "HTTP Version Not Supported",
	506: "Variant Also Negotiates",
	507: "Insufficient Storage",
	508: "Loop Detected",
	510: "Not Extended",
	511: "Network Authentication Required",
}

// StatusText returns the reason phrase for code, or "" when it has none.
func StatusText(code int) string {
	if code < 0 || code >= len(statusText) {
		return ""
	}
	return statusText[code]
}

// AppendStatusLine appends the status line for code to dst. The response
// always says HTTP/1.1, the highest version the server conforms to (RFC
// 9110 2.5 and 6.2), whatever the request's major and minor version were;
// they are taken so the call site reads the same as for other servers and
// so the rule lives here. A code outside 100..999 is written as 500. An
// unknown code gets an empty reason phrase, which the grammar allows
// (RFC 9112 4).
func AppendStatusLine(dst []byte, major, minor, code int) []byte {
	return AppendStatusLineReason(dst, code, "")
}

// AppendStatusLineReason is AppendStatusLine with the reason phrase given
// (the status's own when empty), as Apache's r->status_line.
func AppendStatusLineReason(dst []byte, code int, reason string) []byte {
	if code < 100 || code > 999 {
		code, reason = 500, ""
	}
	dst = append(dst, "HTTP/1.1 "...)
	dst = strconv.AppendInt(dst, int64(code), 10)
	dst = append(dst, ' ')
	if reason == "" {
		reason = StatusText(code)
	}
	dst = append(dst, reason...)
	return append(dst, "\r\n"...)
}

// AppendHeader appends the field line "name: value\r\n" to dst. name must
// be a valid field name (the server's own constants). Control bytes in
// value other than HTAB, including CR and LF, are written as SP, so a value
// derived from the request can never split the response.
func AppendHeader(dst []byte, name string, value []byte) []byte {
	dst = append(dst, name...)
	dst = append(dst, ": "...)
	start := len(dst)
	dst = append(dst, value...)
	sanitize(dst[start:])
	return append(dst, "\r\n"...)
}

// AppendHeaderString is AppendHeader for a string value.
func AppendHeaderString(dst []byte, name, value string) []byte {
	dst = append(dst, name...)
	dst = append(dst, ": "...)
	start := len(dst)
	dst = append(dst, value...)
	sanitize(dst[start:])
	return append(dst, "\r\n"...)
}

// AppendHeaderInt appends "name: v\r\n" in decimal, for Content-Length.
func AppendHeaderInt(dst []byte, name string, v int64) []byte {
	dst = append(dst, name...)
	dst = append(dst, ": "...)
	dst = strconv.AppendInt(dst, v, 10)
	return append(dst, "\r\n"...)
}

// sanitize replaces control bytes other than HTAB with SP, in place.
func sanitize(b []byte) {
	for i, c := range b {
		if c < 0x20 && c != '\t' || c == 0x7f {
			b[i] = ' '
		}
	}
}

// ServerHeader returns the Server header value (also the banner in error
// page signatures) for Apache's ServerTokens setting, matched without
// regard to case: "Prod" or "ProductOnly" gives "eventmpm", "Major"
// "eventmpm/0", "Minor" "eventmpm/0.1", "Min" or "Minimal"
// "eventmpm/0.1.0", "OS" and "Full" "eventmpm/0.1.0 (Unix)" (Full adds
// module tokens in Apache; eventmpm has none). An unknown setting gives
// Full, Apache's default; the config package rejects it first. product
// and version are passed in because this package is a leaf.
func ServerHeader(tokens, product, version string) string {
	switch {
	case equalFold([]byte(tokens), "Prod") || equalFold([]byte(tokens), "ProductOnly"):
		return product
	case equalFold([]byte(tokens), "Major"):
		return product + "/" + versionPrefix(version, 1)
	case equalFold([]byte(tokens), "Minor"):
		return product + "/" + versionPrefix(version, 2)
	case equalFold([]byte(tokens), "Min") || equalFold([]byte(tokens), "Minimal"):
		return product + "/" + version
	}
	return product + "/" + version + " (Unix)"
}

// versionPrefix returns the first n dot-separated parts of version.
func versionPrefix(version string, n int) string {
	for i := 0; i < len(version); i++ {
		if version[i] == '.' {
			if n--; n == 0 {
				return version[:i]
			}
		}
	}
	return version
}

// StatusDropsConnection reports whether a response with this status ends
// the connection whatever the client asked for, as Apache's
// ap_status_drops_connection does: after these the server cannot trust
// what the client sends next.
func StatusDropsConnection(code int) bool {
	switch code {
	case 400, 408, 411, 413, 414, 500, 501, 503:
		return true
	}
	return false
}
