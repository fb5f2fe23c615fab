package http1

import (
	"errors"
	"fmt"
	"strings"
	"testing"
)

// view is a comparable summary of a parsed Request.
type view struct {
	N                                    int
	Method, Target, Path, Query, Host    string
	ID                                   Method
	Major, Minor                         int
	CL                                   int64
	Chunked, KeepAlive, Expect100, Other bool
	Asked                                bool // KeepAliveAsked
	IMS, IUS, INM, IM, Range, IfRange    string
	Headers                              string
}

func viewOf(n int, r *Request) view {
	var hs []string
	for _, h := range r.Headers {
		hs = append(hs, string(h.Name)+": "+string(h.Value))
	}
	return view{
		N: n, Method: string(r.Method), Target: string(r.Target), Path: string(r.Path),
		Query: string(r.Query), Host: string(r.Host), ID: r.MethodID,
		Major: r.ProtoMajor, Minor: r.ProtoMinor, CL: r.ContentLength, Chunked: r.Chunked,
		KeepAlive: r.KeepAlive, Expect100: r.Expect100, Other: r.ExpectOther, Asked: r.KeepAliveAsked,
		IMS: string(r.IfModifiedSince), IUS: string(r.IfUnmodifiedSince), INM: string(r.IfNoneMatch),
		IM: string(r.IfMatch), Range: string(r.Range), IfRange: string(r.IfRange),
		Headers: strings.Join(hs, "|"),
	}
}

// baseView is "GET / HTTP/1.1" with "Host: h"; cases describe changes to it.
func baseView(raw string) view {
	return view{N: len(raw), Method: "GET", Target: "/", Path: "/", Host: "h", ID: MethodGet,
		Major: 1, Minor: 1, CL: -1, KeepAlive: true, Headers: "Host: h"}
}

type validCase struct {
	name string
	raw  string
	lim  *Limits
	want func(v *view)
}

var validCases = []validCase{
	{"minimal GET", "GET / HTTP/1.1\r\nHost: h\r\n\r\n", nil, func(v *view) {}},
	{"HTTP/1.0 without Host closes", "GET / HTTP/1.0\r\n\r\n", nil, func(v *view) {
		v.Minor, v.Host, v.KeepAlive, v.Headers = 0, "", false, ""
	}},
	{"HTTP/1.0 keep-alive", "GET / HTTP/1.0\r\nConnection: Keep-Alive\r\n\r\n", nil, func(v *view) {
		v.Minor, v.Host, v.Headers, v.Asked = 0, "", "Connection: Keep-Alive", true
	}},
	{"HTTP/1.0 keep-alive and close", "GET / HTTP/1.0\r\nConnection: keep-alive, close\r\n\r\n", nil, func(v *view) {
		v.Minor, v.Host, v.KeepAlive, v.Headers, v.Asked = 0, "", false, "Connection: keep-alive, close", true
	}},
	{"HTTP/1.1 asking for keep-alive", "GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade, keep-alive\r\n\r\n", nil, func(v *view) {
		v.Headers, v.Asked = "Host: h|Connection: Upgrade, keep-alive", true
	}},
	{"Connection close", "GET / HTTP/1.1\r\nHost: h\r\nConnection: close\r\n\r\n", nil, func(v *view) {
		v.KeepAlive, v.Headers = false, "Host: h|Connection: close"
	}},
	{"Connection close in a list, any case", "GET / HTTP/1.1\r\nHost: h\r\nConnection: Upgrade,,  CLOSE \r\n\r\n", nil, func(v *view) {
		v.KeepAlive, v.Headers = false, "Host: h|Connection: Upgrade,,  CLOSE"
	}},
	{"leading empty lines are skipped", "\r\n\r\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", nil, func(v *view) {}},
	{"ten leading empty lines", strings.Repeat("\r\n", 10) + "GET / HTTP/1.1\r\nHost: h\r\n\r\n", nil, func(v *view) {}},
	{"bare LF as leading empty line", "\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", nil, func(v *view) {}},
	{"bare LFs and CRLFs mixed before the request line", "\n\r\n\n\nGET / HTTP/1.1\r\nHost: h\r\n\r\n", nil, func(v *view) {}},
	{"path and query", "GET /a/b%20c?x=1&y=? HTTP/1.1\r\nHost: h\r\n\r\n", nil, func(v *view) {
		v.Target, v.Path, v.Query = "/a/b%20c?x=1&y=?", "/a/b%20c", "x=1&y=?"
	}},
	{"path and empty query", "GET /a? HTTP/1.1\r\nHost: h\r\n\r\n", nil, func(v *view) {
		v.Target, v.Path = "/a?", "/a"
	}},
	{"unusual VCHAR in target", "GET /a|b{c}^`\"<> HTTP/1.1\r\nHost: h\r\n\r\n", nil, func(v *view) {
		v.Target, v.Path = "/a|b{c}^`\"<>", "/a|b{c}^`\"<>"
	}},
	{"absolute-form overrides Host", "GET http://example.com:8080/a?b HTTP/1.1\r\nHost: other\r\n\r\n", nil, func(v *view) {
		v.Target, v.Path, v.Query, v.Host, v.Headers = "http://example.com:8080/a?b", "/a", "b", "example.com:8080", "Host: other"
	}},
	{"absolute-form without path", "GET http://example.com HTTP/1.1\r\nHost: h\r\n\r\n", nil, func(v *view) {
		v.Target, v.Host = "http://example.com", "example.com"
	}},
	{"absolute-form https, scheme any case, query only", "GET HTTPS://[::1]?x HTTP/1.1\r\nHost: h\r\n\r\n", nil, func(v *view) {
		v.Target, v.Query, v.Host = "HTTPS://[::1]?x", "x", "[::1]"
	}},
	{"asterisk-form with OPTIONS", "OPTIONS * HTTP/1.1\r\nHost: h\r\n\r\n", nil, func(v *view) {
		v.Method, v.ID, v.Target, v.Path = "OPTIONS", MethodOptions, "*", "*"
	}},
	{"authority-form with CONNECT", "CONNECT example.com:443 HTTP/1.1\r\nHost: example.com:443\r\n\r\n", nil, func(v *view) {
		v.Method, v.ID, v.Target, v.Path, v.Host = "CONNECT", MethodConnect, "example.com:443", "", "example.com:443"
		v.Headers = "Host: example.com:443"
	}},
	{"extension method", "PURGE /x HTTP/1.1\r\nHost: h\r\n\r\n", nil, func(v *view) {
		v.Method, v.ID, v.Target, v.Path = "PURGE", MethodOther, "/x", "/x"
	}},
	{"lowercase method is a different token", "get / HTTP/1.1\r\nHost: h\r\n\r\n", nil, func(v *view) {
		v.Method, v.ID = "get", MethodOther
	}},
	{"HTTP/1.2 is processed as 1.1", "HEAD / HTTP/1.2\r\nHost: h\r\n\r\n", nil, func(v *view) {
		v.Method, v.ID = "HEAD", MethodHead
	}},
	{"Content-Length", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 5\r\n\r\nhello", nil, func(v *view) {
		v.N -= 5
		v.Method, v.ID, v.CL, v.Headers = "POST", MethodPost, 5, "Host: h|Content-Length: 5"
	}},
	{"Content-Length zero", "PUT / HTTP/1.1\r\nHost: h\r\nContent-Length: 0\r\n\r\n", nil, func(v *view) {
		v.Method, v.ID, v.CL, v.Headers = "PUT", MethodPut, 0, "Host: h|Content-Length: 0"
	}},
	{"Content-Length at LimitRequestBody", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 10\r\n\r\n", &Limits{8190, 8190, 100, 10}, func(v *view) {
		v.Method, v.ID, v.CL, v.Headers = "POST", MethodPost, 10, "Host: h|Content-Length: 10"
	}},
	{"Content-Length with unlimited body", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 9223372036854775807\r\n\r\n", &Limits{8190, 8190, 100, 0}, func(v *view) {
		v.Method, v.ID, v.CL, v.Headers = "POST", MethodPost, 1<<63-1, "Host: h|Content-Length: 9223372036854775807"
	}},
	{"chunked", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: chunked\r\n\r\n", nil, func(v *view) {
		v.Method, v.ID, v.Chunked, v.Headers = "POST", MethodPost, true, "Host: h|Transfer-Encoding: chunked"
	}},
	{"chunked, any case, empty list elements", "POST / HTTP/1.1\r\nHost: h\r\nTransfer-Encoding: , CHUNKED ,\r\n\r\n", nil, func(v *view) {
		v.Method, v.ID, v.Chunked, v.Headers = "POST", MethodPost, true, "Host: h|Transfer-Encoding: , CHUNKED ,"
	}},
	{"Expect 100-continue", "PUT / HTTP/1.1\r\nHost: h\r\nExpect: 100-Continue\r\nContent-Length: 1\r\n\r\n", nil, func(v *view) {
		v.Method, v.ID, v.CL, v.Expect100 = "PUT", MethodPut, 1, true
		v.Headers = "Host: h|Expect: 100-Continue|Content-Length: 1"
	}},
	{"Expect 100-continue ignored from HTTP/1.0", "GET / HTTP/1.0\r\nExpect: 100-continue\r\n\r\n", nil, func(v *view) {
		v.Minor, v.Host, v.KeepAlive, v.Headers = 0, "", false, "Expect: 100-continue"
	}},
	{"other expectation", "GET / HTTP/1.1\r\nHost: h\r\nExpect: teapot\r\n\r\n", nil, func(v *view) {
		v.Other, v.Headers = true, "Host: h|Expect: teapot"
	}},
	{"empty expectation is ignored", "GET / HTTP/1.1\r\nHost: h\r\nExpect:\r\n\r\n", nil, func(v *view) {
		v.Headers = "Host: h|Expect: "
	}},
	{"conditional fields, first wins; two Range lines void it", "GET / HTTP/1.1\r\nHost: h\r\n" +
		"if-modified-since: Sun, 06 Nov 1994 08:49:37 GMT\r\nIf-Unmodified-Since: A\r\nIf-None-Match: \"x\"\r\n" +
		"If-Match: *\r\nRange: bytes=0-1\r\nIf-Range: \"y\"\r\nRange: bytes=5-\r\n\r\n", nil, func(v *view) {
		v.IMS, v.IUS, v.INM, v.IM, v.Range, v.IfRange = "Sun, 06 Nov 1994 08:49:37 GMT", "A", `"x"`, "*", "", `"y"`
		v.Headers = "Host: h|if-modified-since: Sun, 06 Nov 1994 08:49:37 GMT|If-Unmodified-Since: A|" +
			"If-None-Match: \"x\"|If-Match: *|Range: bytes=0-1|If-Range: \"y\"|Range: bytes=5-"
	}},
	{"three Range lines are void too", "GET / HTTP/1.1\r\nHost: h\r\nRange: bytes=0-1\r\nRange: bytes=2-3\r\nRange: bytes=4-5\r\n\r\n", nil, func(v *view) {
		v.Headers = "Host: h|Range: bytes=0-1|Range: bytes=2-3|Range: bytes=4-5"
	}},
	{"one Range line", "GET / HTTP/1.1\r\nHost: h\r\nRange: bytes=0-1\r\n\r\n", nil, func(v *view) {
		v.Range, v.Headers = "bytes=0-1", "Host: h|Range: bytes=0-1"
	}},
	{"values trimmed, HTAB and obs-text kept inside", "GET / HTTP/1.1\r\nHost:h\r\nX-A: \t a\tb \xe9 \t\r\nX-Empty:\r\n\r\n", nil, func(v *view) {
		v.Headers = "Host: h|X-A: a\tb \xe9|X-Empty: "
	}},
	{"Host with IPv6 literal and port", "GET / HTTP/1.1\r\nHost: [::1]:8080\r\n\r\n", nil, func(v *view) {
		v.Host, v.Headers = "[::1]:8080", "Host: [::1]:8080"
	}},
	{"fields at LimitRequestFields", "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\n\r\n", &Limits{8190, 8190, 2, 0}, func(v *view) {
		v.Headers = "Host: h|A: 1"
	}},
	{"request line at LimitRequestLine", "GET /abcde HTTP/1.1\r\nHost: h\r\n\r\n", &Limits{19, 8190, 100, 0}, func(v *view) {
		v.Target, v.Path = "/abcde", "/abcde"
	}},
	{"field at LimitRequestFieldSize", "GET / HTTP/1.1\r\nHost: h\r\nX: 12345\r\n\r\n", &Limits{8190, 8, 100, 0}, func(v *view) {
		v.Headers = "Host: h|X: 12345"
	}},
	{"unlimited fields", "GET / HTTP/1.1\r\nHost: h\r\n" + strings.Repeat("A: b\r\n", 150) + "\r\n", &Limits{8190, 8190, 0, 0}, func(v *view) {
		v.Headers = "Host: h" + strings.Repeat("|A: b", 150)
	}},
	{"pipelined bytes after the head are not consumed", "GET / HTTP/1.1\r\nHost: h\r\n\r\nGET /next HTTP/1.1\r\n", nil, func(v *view) {
		v.N = len("GET / HTTP/1.1\r\nHost: h\r\n\r\n")
	}},
}

func parseWhole(raw string, lim *Limits) (view, error) {
	var p Parser
	var req Request
	n, err := p.Parse([]byte(raw), lim, &req)
	return viewOf(n, &req), err
}

// parseBytewise feeds raw one byte at a time, each time in a freshly
// copied buffer so stale aliases would show; it returns the first result
// other than ErrNeedMore.
func parseBytewise(raw string, lim *Limits) (view, error) {
	var p Parser
	var req Request
	for i := 1; i <= len(raw); i++ {
		buf := append([]byte(nil), raw[:i]...)
		n, err := p.Parse(buf, lim, &req)
		if err != ErrNeedMore {
			return viewOf(n, &req), err
		}
	}
	return view{}, ErrNeedMore
}

// parseInPlace feeds raw one byte at a time into one buffer that never
// moves, as a connection's input buffer that has room: the Parser may keep
// what it parsed of earlier bytes.
func parseInPlace(raw string, lim *Limits) (view, error) {
	var p Parser
	var req Request
	buf := make([]byte, 0, len(raw))
	for i := range len(raw) {
		buf = append(buf, raw[i])
		n, err := p.Parse(buf, lim, &req)
		if err != ErrNeedMore {
			return viewOf(n, &req), err
		}
	}
	return view{}, ErrNeedMore
}

func TestParseValid(t *testing.T) {
	for _, tc := range validCases {
		t.Run(tc.name, func(t *testing.T) {
			want := baseView(tc.raw)
			tc.want(&want)
			for _, mode := range []struct {
				name  string
				parse func(string, *Limits) (view, error)
			}{{"whole", parseWhole}, {"bytewise", parseBytewise}, {"in place", parseInPlace}} {
				got, err := mode.parse(tc.raw, tc.lim)
				if err != nil {
					t.Fatalf("%s: err = %v, want nil", mode.name, err)
				}
				if got != want {
					t.Errorf("%s:\n got %+v,\nwant %+v", mode.name, got, want)
				}
			}
		})
	}
}

type errorCase struct {
	name string
	raw  string
	lim  *Limits
	want *ParseError
}

const get = "GET / HTTP/1.1\r\n"

var errorCases = []errorCase{
	// Limits.
	{"request line over LimitRequestLine", "GET /abcdef HTTP/1.1\r\nHost: h\r\n\r\n", &Limits{19, 8190, 100, 0}, errLineTooLong},
	{"request line over limit before its CRLF", "GET /" + strings.Repeat("a", 30), &Limits{19, 8190, 100, 0}, errLineTooLong},
	{"request line over limit, CR but no LF", "GET /abcdef HTTP/1.1\r", &Limits{19, 8190, 100, 0}, errLineTooLong},
	{"field over LimitRequestFieldSize", get + "Host: h\r\nX: 123456\r\n\r\n", &Limits{8190, 8, 100, 0}, errFieldTooLong},
	{"field over limit before its CRLF", get + "Host: h\r\nX: " + strings.Repeat("a", 20), &Limits{8190, 8, 100, 0}, errFieldTooLong},
	{"more fields than LimitRequestFields", get + "Host: h\r\nA: 1\r\nB: 2\r\n\r\n", &Limits{8190, 8190, 2, 0}, errTooManyFields},
	{"Content-Length over LimitRequestBody", "POST / HTTP/1.1\r\nHost: h\r\nContent-Length: 11\r\n\r\n", &Limits{8190, 8190, 100, 10}, errBodyTooLarge},
	{"eleven leading empty lines", strings.Repeat("\r\n", 11) + get + "Host: h\r\n\r\n", nil, errTooManyBlank},
	{"eleven leading bare LFs", strings.Repeat("\n", 11) + get + "Host: h\r\n\r\n", nil, errTooManyBlank},
	{"bare CR as leading empty line", "\r" + get + "Host: h\r\n\r\n", nil, errBareCR},

	// Line terminators and control bytes.
	{"bare LF after request line", "GET / HTTP/1.1\nHost: h\r\n\r\n", nil, errBareLF},
	{"bare LF after a field", get + "Host: h\n\r\n", nil, errBareLF},
	{"bare LF ending the head", get + "Host: h\r\n\n", nil, errBareLF},
	{"bare CR in a field value", get + "Host: h\r\nX: a\rb\r\n\r\n", nil, errBareCR},
	{"bare CR in the target", "GET /a\rb HTTP/1.1\r\nHost: h\r\n\r\n", nil, errBareCR},
	{"NUL in a field value", get + "Host: h\r\nX: a\x00b\r\n\r\n", nil, errNUL},
	{"NUL in a field name", get + "Host: h\r\nX\x00: a\r\n\r\n", nil, errNUL},
	{"NUL in the method", "G\x00T / HTTP/1.1\r\nHost: h\r\n\r\n", nil, errNUL},
	{"DEL in a field value", get + "Host: h\r\nX: a\x7fb\r\n\r\n", nil, errCtl},
	{"control byte in a field value", get + "Host: h\r\nX: a\x01b\r\n\r\n", nil, errCtl},
	{"HTAB in the target", "GET /a\tb HTTP/1.1\r\nHost: h\r\n\r\n", nil, errCtl},

	// Request line.
	{"invalid method token", "G(T / HTTP/1.1\r\nHost: h\r\n\r\n", nil, errBadMethod},
	{"whitespace before the method", " GET / HTTP/1.1\r\nHost: h\r\n\r\n", nil, errBadMethod},
	{"HTAB after the method", "GET\t/ HTTP/1.1\r\nHost: h\r\n\r\n", nil, errCtl},
	{"HTTP/0.9 request line", "GET /\r\n\r\n", nil, errHTTP09},
	{"method alone", "GET\r\n\r\n", nil, errHTTP09},
	{"two spaces after the method", "GET  / HTTP/1.1\r\nHost: h\r\n\r\n", nil, errLineSpace},
	{"two spaces before the version", "GET /  HTTP/1.1\r\nHost: h\r\n\r\n", nil, errLineSpace},
	{"trailing space after the version", "GET / HTTP/1.1 \r\nHost: h\r\n\r\n", nil, errLineSpace},
	{"HTTP/2.0", "GET / HTTP/2.0\r\nHost: h\r\n\r\n", nil, errVersion},
	{"HTTP/3.0", "GET / HTTP/3.0\r\nHost: h\r\n\r\n", nil, errVersion},
	{"HTTP/0.9 as a version", "GET / HTTP/0.9\r\n\r\n", nil, errVersion},
	{"lowercase version", "GET / http/1.1\r\nHost: h\r\n\r\n", nil, errBadVersion},
	{"two-digit minor version", "GET / HTTP/1.10\r\nHost: h\r\n\r\n", nil, errBadVersion},
	{"version without minor", "GET / HTTP/1\r\nHost: h\r\n\r\n", nil, errBadVersion},
	{"non-ASCII in the target", "GET /caf\xc3\xa9 HTTP/1.1\r\nHost: h\r\n\r\n", nil, errTargetNonASCII},
	{"fragment in the target", "GET /a#b HTTP/1.1\r\nHost: h\r\n\r\n", nil, errTargetFragment},
	{"asterisk-form with GET", "GET * HTTP/1.1\r\nHost: h\r\n\r\n", nil, errAsterisk},
	{"CONNECT with origin-form", "CONNECT / HTTP/1.1\r\nHost: h\r\n\r\n", nil, errConnectTarget},
	{"CONNECT without port", "CONNECT example.com HTTP/1.1\r\nHost: h\r\n\r\n", nil, errConnectTarget},
	{"authority-form with GET", "GET example.com:80 HTTP/1.1\r\nHost: h\r\n\r\n", nil, errTargetScheme},
	{"absolute-form with ftp", "GET ftp://h/x HTTP/1.1\r\nHost: h\r\n\r\n", nil, errTargetScheme},
	{"absolute-form with userinfo", "GET http://u:p@h/x HTTP/1.1\r\nHost: h\r\n\r\n", nil, errTargetUserinfo},
	{"absolute-form without host", "GET http:///x HTTP/1.1\r\nHost: h\r\n\r\n", nil, errTargetNoHost},
	{"relative target", "GET x/y HTTP/1.1\r\nHost: h\r\n\r\n", nil, errTargetForm},

	// Header fields.
	{"obs-fold", get + "Host: h\r\nX: a\r\n b\r\n\r\n", nil, errObsFold},
	{"whitespace before the first field", get + " Host: h\r\n\r\n", nil, errObsFold},
	{"space before the colon", get + "Host : h\r\n\r\n", nil, errFieldSpace},
	{"HTAB before the colon", get + "Host\t: h\r\n\r\n", nil, errFieldSpace},
	{"non-token byte in a name", get + "Host: h\r\nX(y): 1\r\n\r\n", nil, errFieldName},
	{"non-ASCII byte in a name", get + "Host: h\r\nX\xe9: 1\r\n\r\n", nil, errFieldName},
	{"empty field name", get + "Host: h\r\n: 1\r\n\r\n", nil, errFieldName},
	{"field without a colon", get + "Host: h\r\nNoColon\r\n\r\n", nil, errNoColon},
	{"HTTP/1.1 without Host", get + "\r\n", nil, errNoHost},
	{"absolute-form HTTP/1.1 still needs Host", "GET http://h/ HTTP/1.1\r\n\r\n", nil, errNoHost},
	{"two Host fields", get + "Host: h\r\nhost: h\r\n\r\n", nil, errDupHost},
	{"two Host fields in HTTP/1.0", "GET / HTTP/1.0\r\nHost: a\r\nHost: b\r\n\r\n", nil, errDupHost},
	{"Host with a space", get + "Host: a b\r\n\r\n", nil, errBadHost},
	{"Host with userinfo", get + "Host: u@h\r\n\r\n", nil, errBadHost},
	{"Host with a bad port", get + "Host: h:8x\r\n\r\n", nil, errBadHost},
	{"Host with only a port", get + "Host: :80\r\n\r\n", nil, errBadHost},
	{"Host with an empty port", get + "Host: h:\r\n\r\n", nil, errBadHost},
	{"Host with port 0", get + "Host: h:0\r\n\r\n", nil, errBadHost},
	{"Host with port 00", get + "Host: h:00\r\n\r\n", nil, errBadHost},
	{"Host with port 65536", get + "Host: h:65536\r\n\r\n", nil, errBadHost},
	{"Host with a huge port", get + "Host: [::1]:99999999999999999999\r\n\r\n", nil, errBadHost},
	{"absolute-form with port 0", "GET http://h:0/ HTTP/1.1\r\nHost: x\r\n\r\n", nil, errTargetForm},
	{"CONNECT with port 65536", "CONNECT h:65536 HTTP/1.1\r\nHost: h\r\n\r\n", nil, errConnectTarget},

	// Framing.
	{"Content-Length and Transfer-Encoding", get + "Host: h\r\nContent-Length: 3\r\nTransfer-Encoding: chunked\r\n\r\n", nil, errCLAndTE},
	{"Transfer-Encoding in HTTP/1.0", "POST / HTTP/1.0\r\nTransfer-Encoding: chunked\r\n\r\n", nil, errTE10},
	{"unknown coding before chunked", get + "Host: h\r\nTransfer-Encoding: gzip, chunked\r\n\r\n", nil, errTEUnknown},
	{"final coding not chunked", get + "Host: h\r\nTransfer-Encoding: chunked, gzip\r\n\r\n", nil, errTENotFinal},
	{"identity alone", get + "Host: h\r\nTransfer-Encoding: identity\r\n\r\n", nil, errTENotFinal},
	{"chunked, identity", get + "Host: h\r\nTransfer-Encoding: chunked, identity\r\n\r\n", nil, errTENotFinal},
	{"identity, chunked", get + "Host: h\r\nTransfer-Encoding: identity, chunked\r\n\r\n", nil, errTEUnknown},
	{"chunked twice in two fields", get + "Host: h\r\nTransfer-Encoding: chunked\r\nTransfer-Encoding: chunked\r\n\r\n", nil, errTENotFinal},
	{"chunked with parameters", get + "Host: h\r\nTransfer-Encoding: chunked;q=1\r\n\r\n", nil, errTENotFinal},
	{"empty Transfer-Encoding", get + "Host: h\r\nTransfer-Encoding: \r\n\r\n", nil, errTENotFinal},
	{"differing Content-Length list", get + "Host: h\r\nContent-Length: 5, 6\r\n\r\n", nil, errCLRepeated},
	{"Content-Length list of identical values", get + "Host: h\r\nContent-Length: 5 , 5\r\n\r\n", nil, errCLRepeated},
	{"repeated identical Content-Length", get + "Host: h\r\nContent-Length: 5\r\ncontent-length: 05\r\n\r\n", nil, errCLRepeated},
	{"empty Host in HTTP/1.1", get + "Host: \r\n\r\n", nil, errBadHost},
	{"differing Content-Length fields", get + "Host: h\r\nContent-Length: 5\r\nContent-Length: 6\r\n\r\n", nil, errCLRepeated},
	{"negative Content-Length", get + "Host: h\r\nContent-Length: -1\r\n\r\n", nil, errBadCL},
	{"signed Content-Length", get + "Host: h\r\nContent-Length: +1\r\n\r\n", nil, errBadCL},
	{"empty Content-Length", get + "Host: h\r\nContent-Length:\r\n\r\n", nil, errBadCL},
	{"Content-Length with inner space", get + "Host: h\r\nContent-Length: 1 0\r\n\r\n", nil, errBadCL},
	{"Content-Length with empty list element", get + "Host: h\r\nContent-Length: 5,\r\n\r\n", nil, errBadCL},
	{"hex Content-Length", get + "Host: h\r\nContent-Length: 0x10\r\n\r\n", nil, errBadCL},
	{"Content-Length overflow", get + "Host: h\r\nContent-Length: 9223372036854775808\r\n\r\n", nil, errBadCL},
}

func TestParseErrors(t *testing.T) {
	for _, tc := range errorCases {
		t.Run(tc.name, func(t *testing.T) {
			for _, mode := range []struct {
				name  string
				parse func(string, *Limits) (view, error)
			}{{"whole", parseWhole}, {"bytewise", parseBytewise}, {"in place", parseInPlace}} {
				_, err := mode.parse(tc.raw, tc.lim)
				var pe *ParseError
				if !errors.As(err, &pe) {
					t.Fatalf("%s: err = %v, want a *ParseError", mode.name, err)
				}
				if pe != tc.want {
					t.Errorf("%s: got %d %q, want %d %q", mode.name, pe.Status, pe.Reason, tc.want.Status, tc.want.Reason)
				}
			}
		})
	}
}

func TestParseNeedMore(t *testing.T) {
	full := "GET / HTTP/1.1\r\nHost: h\r\n\r\n"
	for i := 0; i < len(full); i++ {
		var p Parser
		var req Request
		n, err := p.Parse([]byte(full[:i]), nil, &req)
		if n != 0 || err != ErrNeedMore {
			t.Errorf("prefix %q: got %d, %v, want 0, ErrNeedMore", full[:i], n, err)
		}
	}
}

func TestParseErrorKeepsRequestLine(t *testing.T) {
	var p Parser
	var req Request
	_, err := p.Parse([]byte("POST /x HTTP/1.1\r\n\r\n"), nil, &req)
	if err != errNoHost {
		t.Fatalf("err = %v, want %v", err, errNoHost)
	}
	got := fmt.Sprintf("%s|%s|%d.%d", req.Line, req.Method, req.ProtoMajor, req.ProtoMinor)
	if want := "POST /x HTTP/1.1|POST|1.1"; got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestParsePipelined(t *testing.T) {
	buf := []byte("GET /a HTTP/1.1\r\nHost: h\r\n\r\n" +
		"POST /b HTTP/1.1\r\nHost: h\r\nContent-Length: 3\r\n\r\nxyz" +
		"\r\nGET /c HTTP/1.0\r\n\r\n" +
		"\nGET /d HTTP/1.1\r\nHost") // a stray LF, as some clients send after a body
	want := []string{"/a", "/b", "/c"}
	var p Parser
	var req Request
	for i, path := range want {
		n, err := p.Parse(buf, nil, &req)
		if err != nil {
			t.Fatalf("request %d: err = %v", i, err)
		}
		if string(req.Path) != path {
			t.Errorf("request %d: got path %q, want %q", i, req.Path, path)
		}
		buf = buf[n:]
		if req.ContentLength > 0 {
			buf = buf[req.ContentLength:]
		}
	}
	if n, err := p.Parse(buf, nil, &req); n != 0 || err != ErrNeedMore {
		t.Errorf("last: got %d, %v, want 0, ErrNeedMore", n, err)
	}
	buf = append(buf, ": h\r\n\r\n"...)
	if _, err := p.Parse(buf, nil, &req); err != nil || string(req.Path) != "/d" {
		t.Errorf("resumed: got %q, %v, want /d, nil", req.Path, err)
	}
}

func TestParseAliasesFinalBuffer(t *testing.T) {
	raw := "GET /x HTTP/1.1\r\nHost: h\r\n\r\n"
	var p Parser
	var req Request
	p.Parse([]byte(raw[:10]), nil, &req)
	buf := []byte(raw)
	if _, err := p.Parse(buf, nil, &req); err != nil {
		t.Fatal(err)
	}
	buf[5] = 'y'
	if got, want := string(req.Path), "/y"; got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}

func TestMaxHeadLen(t *testing.T) {
	for _, tc := range []struct {
		lim  Limits
		want int
	}{
		{Limits{RequestLine: 10, FieldSize: 5, Fields: 2}, 20 + 12 + 14 + 2},
		{Limits{RequestLine: 10, FieldSize: 5}, -1},
	} {
		if got := tc.lim.MaxHeadLen(); got != tc.want {
			t.Errorf("%+v: got %v, want %v", tc.lim, got, tc.want)
		}
	}
}

func TestParseHostForms(t *testing.T) {
	for _, tc := range []struct {
		raw  string
		want error
	}{
		{"GET http://[::1%25eth0]/ HTTP/1.1\r\nHost: x\r\n\r\n", errTargetForm},
		{"GET http://h%41/ HTTP/1.1\r\nHost: x\r\n\r\n", errTargetForm},
		{"GET / HTTP/1.1\r\nHost: h%41\r\n\r\n", errBadHost},
		{"GET / HTTP/1.1\r\nHost: [::1]x\r\n\r\n", errBadHost},
		{"GET / HTTP/1.1\r\nHost: h:\r\n\r\n", errBadHost}, // RFC 3986 allows it; Apache answers 400
		{"GET / HTTP/1.1\r\nHost: h:0080\r\n\r\n", nil},
		{"GET http://sub.h-1_x:80/ HTTP/1.1\r\nHost: x\r\n\r\n", nil},
		// Apache's HttpProtocolOptions Strict (strict_hostname_check):
		// RFC 3986's sub-delims are valid reg-name bytes, but 400 there.
		{"GET http://sub.h-1_x~!$&'()*+,;=:80/ HTTP/1.1\r\nHost: x\r\n\r\n", errBadHost},
		{"GET http://a..b/ HTTP/1.1\r\nHost: x\r\n\r\n", errBadHost},
		{"GET / HTTP/1.1\r\nHost: a..b\r\n\r\n", errBadHost},
		{"GET / HTTP/1.1\r\nHost: ..\r\n\r\n", errBadHost},
		{"GET / HTTP/1.1\r\nHost: .\r\n\r\n", errBadHost},
		{"GET / HTTP/1.1\r\nHost: a~b\r\n\r\n", errBadHost},
		{"GET / HTTP/1.1\r\nHost: a.-b\r\n\r\n", errBadHost},
		{"GET / HTTP/1.1\r\nHost: host.123\r\n\r\n", errBadHost},
		{"GET / HTTP/1.1\r\nHost: 8080\r\n\r\n", errBadHost},
		{"GET / HTTP/1.1\r\nHost: 127.1\r\n\r\n", errBadHost},
		{"GET / HTTP/1.1\r\nHost: 127.0.0.01\r\n\r\n", errBadHost},
		{"GET / HTTP/1.1\r\nHost: [zz]\r\n\r\n", errBadHost},
		{"GET / HTTP/1.1\r\nHost: [::ffff:1.2.3.4]:81\r\n\r\n", nil},
		{"GET / HTTP/1.1\r\nHost: 127.0.0.1:81\r\n\r\n", nil},
		{"GET / HTTP/1.1\r\nHost: Www.Example.COM.\r\n\r\n", nil},
		{"GET / HTTP/1.1\r\nHost: .a\r\n\r\n", nil},
		{"GET / HTTP/1.1\r\nHost: -a_b\r\n\r\n", nil},
		{"GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", nil},
		{"CONNECT [::1]:443 HTTP/1.1\r\nHost: x\r\n\r\n", nil},
	} {
		_, err := parseWhole(tc.raw, nil)
		if err != tc.want {
			t.Errorf("%q: got %v, want %v", tc.raw, err, tc.want)
		}
	}
}

// TestRelocateConditionals: after fields are removed from Headers, the
// conditional and range fields are found again among those left, the
// first of a singleton winning and a repeated ETag list still marked.
func TestRelocateConditionals(t *testing.T) {
	raw := "GET / HTTP/1.1\r\nHost: h\r\nRange: bytes=0-1\r\nIf-None-Match: \"a\"\r\nIf-None-Match: \"b\"\r\n" +
		"If-Match: *\r\nIf-Range: \"r\"\r\nIf-Modified-Since: x\r\nIf-Unmodified-Since: y\r\n\r\n"
	var p Parser
	var req Request
	if _, err := p.Parse([]byte(raw), nil, &req); err != nil {
		t.Fatal(err)
	}
	keep := req.Headers[:0]
	for _, h := range req.Headers {
		if !equalFold(h.Name, "Range") && !equalFold(h.Name, "If-Match") && string(h.Value) != `"a"` {
			keep = append(keep, h)
		}
	}
	req.Headers = keep
	req.RelocateConditionals()
	got := fmt.Sprintf("%q %q %q %q %q %q %v", req.Range, req.IfMatch, req.IfNoneMatch, req.IfRange,
		req.IfModifiedSince, req.IfUnmodifiedSince, req.ETagListsRepeated)
	if want := `"" "" "\"b\"" "\"r\"" "x" "y" false`; got != want {
		t.Errorf("after removing Range, If-Match and one If-None-Match line: %s, want %s", got, want)
	}
	req.Headers = append(req.Headers, Header{Name: []byte("if-none-match"), Value: []byte(`"c"`)})
	req.RelocateConditionals()
	if string(req.IfNoneMatch) != `"b"` || !req.ETagListsRepeated {
		t.Errorf("two If-None-Match lines: %q, repeated %v", req.IfNoneMatch, req.ETagListsRepeated)
	}
	req.Headers = append(req.Headers, Header{Name: []byte("Range"), Value: []byte("bytes=0-1")})
	if req.RelocateConditionals(); string(req.Range) != "bytes=0-1" {
		t.Errorf("one Range line: %q", req.Range)
	}
	req.Headers = append(req.Headers, Header{Name: []byte("range"), Value: []byte("bytes=2-3")})
	if req.RelocateConditionals(); req.Range != nil {
		t.Errorf("two Range lines: %q, want none", req.Range)
	}
}
