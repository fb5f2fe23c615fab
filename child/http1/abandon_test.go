package http1

import (
	"strings"
	"testing"
)

// known is what a refused or abandoned head leaves in a Request for the
// access log: the request line, what parsed of it, the header fields and
// the bytes read.
type known struct {
	Line, Method, Target, Path, Query string
	Major, Minor                      int
	Headers                           string
	HeadLen                           int
}

func knownOf(r *Request) known {
	var hs []string
	for _, h := range r.Headers {
		hs = append(hs, string(h.Name)+": "+string(h.Value))
	}
	return known{Line: string(r.Line), Method: string(r.Method), Target: string(r.Target), Path: string(r.Path),
		Query: string(r.Query), Major: r.ProtoMajor, Minor: r.ProtoMinor, Headers: strings.Join(hs, "|"), HeadLen: r.HeadLen}
}

// longLine is a request line 20 bytes over a LimitRequestLine of 32.
var longLine = "GET /" + strings.Repeat("a", 40) + " HTTP/1.1"

// TestParseErrorKnown: a refused head leaves in the Request what was read
// of it: the request line and what parsed of it, the valid header fields
// before the refused one, and the bytes read up to the end of the refused
// line; a request line refused for its length is cut after
// LimitRequestLine+1 bytes, as Apache's the_request.
func TestParseErrorKnown(t *testing.T) {
	short := &Limits{RequestLine: 32, FieldSize: 32, Fields: 2}
	for _, tc := range []struct {
		name string
		raw  string
		lim  *Limits
		want known
	}{
		{name: "no Host", raw: "POST /x?y HTTP/1.1\r\nX-A: 1\r\n\r\n",
			want: known{Line: "POST /x?y HTTP/1.1", Method: "POST", Target: "/x?y", Path: "/x", Query: "y", Major: 1, Minor: 1,
				Headers: "X-A: 1", HeadLen: 30}},
		{name: "bad field line", raw: "GET /a HTTP/1.1\r\nHost: h\r\nno colon\r\nX-B: 2\r\n\r\n",
			want: known{Line: "GET /a HTTP/1.1", Method: "GET", Target: "/a", Path: "/a", Major: 1, Minor: 1,
				Headers: "Host: h", HeadLen: 36}},
		{name: "bad version", raw: "GET /a HTTP/1.x\r\nHost: h\r\n\r\n",
			want: known{Line: "GET /a HTTP/1.x", Method: "GET", HeadLen: 17}},
		{name: "userinfo", raw: "GET http://u:p@h/a HTTP/1.1\r\nHost: h\r\n\r\n",
			want: known{Line: "GET http://u:p@h/a HTTP/1.1", Method: "GET", Major: 1, Minor: 1, HeadLen: 29}},
		{name: "one word", raw: "GARBAGE\r\n\r\n", want: known{Line: "GARBAGE", HeadLen: 9}},
		{name: "line too long", raw: longLine + "\r\nHost: h\r\n\r\n", lim: short,
			want: known{Line: longLine[:33], HeadLen: len(longLine) + 2}},
		{name: "line too long after empty lines", raw: "\r\n\r\n" + longLine + "\r\n\r\n", lim: short,
			want: known{Line: longLine[:33], HeadLen: len(longLine) + 6}},
		{name: "field too long", raw: "GET / HTTP/1.1\r\nHost: h\r\nX-Long: " + strings.Repeat("b", 40) + "\r\n\r\n", lim: short,
			want: known{Line: "GET / HTTP/1.1", Method: "GET", Target: "/", Path: "/", Major: 1, Minor: 1,
				Headers: "Host: h", HeadLen: 16 + 9 + 50}},
		{name: "too many fields", raw: "GET / HTTP/1.1\r\nHost: h\r\nA: 1\r\nB: 2\r\n\r\n", lim: short,
			want: known{Line: "GET / HTTP/1.1", Method: "GET", Target: "/", Path: "/", Major: 1, Minor: 1,
				Headers: "Host: h|A: 1", HeadLen: 37}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p Parser
			var req Request
			if _, err := p.Parse([]byte(tc.raw), tc.lim, &req); err == nil || err == ErrNeedMore {
				t.Fatalf("err = %v, want a ParseError", err)
			}
			if got := knownOf(&req); got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
		})
	}
}

// TestAbandon: a head abandoned before its end (a 408) leaves what was
// read of it, the same as a refused one, and the Parser starts over.
func TestAbandon(t *testing.T) {
	short := &Limits{RequestLine: 32, FieldSize: 32, Fields: 2}
	for _, tc := range []struct {
		name string
		raw  string
		lim  *Limits
		want known
	}{
		{name: "nothing", raw: "", want: known{}},
		{name: "partial request line", raw: "GET /ten.txt HTT", want: known{HeadLen: 16}},
		{name: "request line", raw: "GET /a?q HTTP/1.0\r\n",
			want: known{Line: "GET /a?q HTTP/1.0", Method: "GET", Target: "/a?q", Path: "/a", Query: "q", Major: 1, HeadLen: 19}},
		{name: "fields and a partial one", raw: "\r\nGET /a HTTP/1.1\r\nHost: h\r\nX-A: 1\r\nX-Part",
			want: known{Line: "GET /a HTTP/1.1", Method: "GET", Target: "/a", Path: "/a", Major: 1, Minor: 1,
				Headers: "Host: h|X-A: 1", HeadLen: 42}},
		{name: "refused field line", raw: "GET /a HTTP/1.1\r\nno colon\r\nHost: h\r\n",
			want: known{Line: "GET /a HTTP/1.1", Method: "GET", Target: "/a", Path: "/a", Major: 1, Minor: 1, HeadLen: 27}},
		{name: "request line too long", raw: longLine, lim: short, want: known{Line: longLine[:33], HeadLen: len(longLine)}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			var p Parser
			var req Request
			p.Parse([]byte(tc.raw), tc.lim, &req) // as the worker did before the timeout
			p.Abandon([]byte(tc.raw), tc.lim, &req)
			if got := knownOf(&req); got != tc.want {
				t.Errorf("got  %+v\nwant %+v", got, tc.want)
			}
			if n, err := p.Parse([]byte("GET /next HTTP/1.1\r\nHost: h\r\n\r\n"), nil, &req); err != nil || string(req.Path) != "/next" {
				t.Errorf("next request: got %d, %v, path %q; want it parsed", n, err, req.Path)
			}
		})
	}
}
