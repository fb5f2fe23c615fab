package http1

import (
	"bufio"
	"bytes"
	"errors"
	"net/http"
	"net/textproto"
	"net/url"
	"slices"
	"strings"
	"testing"
)

// stricter lists every rule on which we refuse a request that
// net/http.ReadRequest accepts, each with the reason it is deliberate.
// FuzzParse fails on any other such disagreement.
var stricter = map[*ParseError]string{
	errBareLF:         "RFC 9112 2.2 only MAY accept a bare LF; Apache's default HttpProtocolOptions Strict refuses it, and mixed terminators feed request smuggling",
	errObsFold:        "RFC 9112 5.2 allows 400 for obs-fold; net/http unfolds it",
	errFieldSpace:     "RFC 9112 5.1: whitespace before the colon MUST be answered with 400; net/http tolerates some",
	errLineSpace:      "RFC 9112 3: single SPs and a non-empty target; net/http accepts an empty CONNECT target",
	errVersion:        "RFC 9110 6.2: we implement only HTTP/1.x and answer 505; net/http accepts any HTTP/d.d",
	errTargetNonASCII: "RFC 3986 has no raw octets above 0x7E in a URI; net/http keeps them",
	errTargetFragment: "RFC 9112 3.2 request-target has no fragment; Apache's strict mode refuses '#'",
	errTargetScheme:   "an origin server serves only http and https; net/http accepts any scheme",
	errTargetUserinfo: "RFC 9110 4.2.4 deprecates userinfo; Apache's strict mode refuses it",
	errTargetNoHost:   "RFC 9110 4.2.1: an http URI with an empty host MUST be rejected",
	errTargetForm:     "RFC 9112 3.2: only the four request-target forms are valid",
	errAsterisk:       "RFC 9112 3.2.4: asterisk-form is only for OPTIONS",
	errConnectTarget:  "RFC 9112 3.2.3: CONNECT uses authority-form; net/http also accepts a path for net/rpc",
	errNoHost:         "RFC 9112 3.2: an HTTP/1.1 request without Host MUST get 400; net/http checks this in its Server, not in ReadRequest",
	errBadHost:        "RFC 9112 3.2: an invalid Host value MUST get 400; net/http checks this in its Server, not in ReadRequest",
	errCLAndTE:        "RFC 9112 6.1 lets a server refuse Content-Length with Transfer-Encoding; refusing closes a smuggling vector",
	errTE10:           "RFC 9112 6.1: Transfer-Encoding in HTTP/1.0 means faulty framing; net/http ignores the field",
	errTooManyFields:  "Apache's LimitRequestFields; net/http's limits are different",
	errFieldTooLong:   "Apache's LimitRequestFieldSize; net/http's limits are different",
	errLineTooLong:    "Apache's LimitRequestLine; net/http's limits are different",
	errBodyTooLarge:   "Apache's LimitRequestBody; net/http has none",
	errTooManyBlank:   "Apache skips at most 10 empty lines; net/http skips none (and refuses even one)",
}

// laxer explains the requests we accept and net/http.ReadRequest refuses;
// it returns "" for a disagreement that is not deliberate.
func laxer(data []byte, req *Request, theirs error) string {
	var ue *url.Error
	msg := theirs.Error()
	switch {
	case bytes.HasPrefix(data, []byte("\r\n")) || bytes.HasPrefix(data, []byte("\n")):
		return "RFC 9112 2.2: a server SHOULD ignore empty lines (CRLF, or a bare LF) before the request line; net/http refuses them"
	case errors.As(theirs, &ue):
		return "the target is kept raw; percent-decoding (and refusing bad escapes) is the handler's job, as in Apache"
	case strings.Contains(msg, "Content-Length"):
		return "RFC 9110 8.6: a list of identical Content-Length values (also 5 and 05) may be accepted as one"
	case strings.Contains(msg, "transfer encoding") && req.Chunked:
		return "RFC 9110 5.6.1: empty list elements in Transfer-Encoding are ignored"
	}
	return ""
}

// fuzzLimits are small enough for the fuzzer to reach every limit.
var fuzzLimits = Limits{RequestLine: 40, FieldSize: 30, Fields: 5, Body: 100}

func FuzzParse(f *testing.F) {
	for _, c := range validCases {
		f.Add([]byte(c.raw))
	}
	for _, c := range errorCases {
		f.Add([]byte(c.raw))
	}
	f.Add([]byte(browserGET))
	f.Fuzz(checkParse)
}

// FuzzParseStructured builds mostly well-formed requests from parts, so
// that both parsers accept far more often than with raw bytes and the
// differential comparison of accepted requests gets exercised.
func FuzzParseStructured(f *testing.F) {
	f.Add("GET", "/a?b", uint8(1), "h", "Connection: close\nContent-Length: 3")
	f.Add("POST", "http://x:8/p", uint8(1), "", "Transfer-Encoding: chunked\nExpect: 100-continue")
	f.Add("OPTIONS", "*", uint8(0), "[::1]:80", "Connection: keep-alive\nX: \xff")
	f.Add("CONNECT", "h:443", uint8(1), "h:443", "Content-Length: 0, 0\nPragma: no-cache")
	f.Fuzz(func(t *testing.T, method, target string, minor uint8, host, fields string) {
		var b strings.Builder
		b.WriteString(method + " " + target + " HTTP/1." + string(rune('0'+minor%3)) + "\r\n")
		if host != "-" {
			b.WriteString("Host: " + host + "\r\n")
		}
		for line := range strings.SplitSeq(fields, "\n") {
			if line != "" {
				b.WriteString(line + "\r\n")
			}
		}
		b.WriteString("\r\n")
		checkParse(t, []byte(b.String()))
	})
}

// checkParse is the body of both parse fuzzers: whole and byte-at-a-time
// parsing agree, with default and with tiny limits, and the verdict agrees
// with net/http.ReadRequest except for the documented differences.
func checkParse(t *testing.T, data []byte) {
	lim := DefaultLimits()
	v, err := checkFeeding(t, data, &lim)
	checkFeeding(t, data, &fuzzLimits)
	if err == ErrNeedMore {
		return
	}
	theirs, theirErr := http.ReadRequest(bufio.NewReader(bytes.NewReader(data)))
	var pe *ParseError
	switch {
	case err != nil && theirErr == nil:
		errors.As(err, &pe)
		if stricter[pe] == "" {
			t.Fatalf("we refuse with %v, net/http accepts: %q", err, data)
		}
	case err == nil && theirErr != nil:
		if laxer(data, &v.req, theirErr) == "" {
			t.Fatalf("we accept, net/http refuses with %v: %q", theirErr, data)
		}
	case err == nil:
		compareNetHTTP(t, data, &v.req, theirs)
	}
}

type parsed struct {
	view view
	req  Request
}

// checkFeeding parses data whole and one byte at a time and fails unless
// both give the same verdict and the same request.
func checkFeeding(t *testing.T, data []byte, lim *Limits) (parsed, error) {
	var p Parser
	var whole parsed
	n, err := p.Parse(data, lim, &whole.req)
	whole.view = viewOf(n, &whole.req)
	// Byte at a time in one buffer, and in a buffer that moves on every
	// other call (the Parser must not keep what it read of the old one).
	var q, r Parser
	var req, req2 Request
	rDone := false
	for i := 0; i <= len(data); i++ {
		if !rDone {
			buf := data[:i]
			if i%2 == 1 {
				buf = append([]byte(nil), buf...)
			}
			n3, err3 := r.Parse(buf, lim, &req2)
			if err3 != ErrNeedMore {
				rDone = true
				if err3 != err || viewOf(n3, &req2) != whole.view {
					t.Fatalf("moving buffer: got %v %+v, whole: %v %+v; input %q", err3, viewOf(n3, &req2), err, whole.view, data)
				}
			}
		}
		n2, err2 := q.Parse(data[:i], lim, &req)
		if err2 == ErrNeedMore {
			continue
		}
		if err2 != err || viewOf(n2, &req) != whole.view {
			t.Fatalf("byte at a time: got %v %+v, whole: %v %+v; input %q", err2, viewOf(n2, &req), err, whole.view, data)
		}
		return whole, err
	}
	if err != ErrNeedMore {
		t.Fatalf("byte at a time: need more, whole: %v; input %q", err, data)
	}
	return whole, err
}

// compareNetHTTP checks that where both parsers accept a head, they agree
// on method, target, version, header fields, Host, body length and
// persistence.
func compareNetHTTP(t *testing.T, data []byte, req *Request, theirs *http.Request) {
	t.Helper()
	fail := func(what string, got, want any) {
		t.Fatalf("%s: got %v, net/http %v; input %q", what, got, want, data)
	}
	if string(req.Method) != theirs.Method {
		fail("method", string(req.Method), theirs.Method)
	}
	if string(req.Target) != theirs.RequestURI {
		fail("target", string(req.Target), theirs.RequestURI)
	}
	if req.ProtoMajor != theirs.ProtoMajor || req.ProtoMinor != min(theirs.ProtoMinor, 1) {
		fail("version", [2]int{req.ProtoMajor, req.ProtoMinor}, [2]int{theirs.ProtoMajor, theirs.ProtoMinor})
	}
	if string(req.Host) != theirs.Host {
		fail("host", string(req.Host), theirs.Host)
	}
	if req.KeepAlive == theirs.Close {
		fail("keep-alive", req.KeepAlive, !theirs.Close)
	}
	wantCL := req.ContentLength
	switch {
	case req.Chunked:
		if !slices.Equal(theirs.TransferEncoding, []string{"chunked"}) {
			fail("chunked", req.Chunked, theirs.TransferEncoding)
		}
	case wantCL < 0:
		wantCL = 0 // net/http: a request without framing has no body
	}
	if wantCL != theirs.ContentLength {
		fail("content length", wantCL, theirs.ContentLength)
	}
	if got, want := ourFields(req), theirFields(theirs); !slices.Equal(got, want) {
		fail("fields", got, want)
	}
}

// ourFields lists "Canonical-Name: value" the way net/http keeps them:
// without Host, Transfer-Encoding and Content-Length (which it moves into
// fields of the Request) and Cache-Control (which it may synthesize).
func ourFields(req *Request) []string {
	var out []string
	for _, h := range req.Headers {
		name := textproto.CanonicalMIMEHeaderKey(string(h.Name))
		switch name {
		case "Host", "Transfer-Encoding", "Content-Length", "Cache-Control":
			continue
		case "Trailer":
			if req.Chunked {
				continue
			}
		}
		out = append(out, name+": "+string(h.Value))
	}
	sortByName(out)
	return out
}

func theirFields(r *http.Request) []string {
	var out []string
	for name, vs := range r.Header {
		if name == "Content-Length" || name == "Cache-Control" {
			continue
		}
		for _, v := range vs {
			out = append(out, name+": "+v)
		}
	}
	sortByName(out)
	return out
}

// sortByName orders field lines by name, keeping the order of the values
// of each name.
func sortByName(lines []string) {
	slices.SortStableFunc(lines, func(a, b string) int {
		na, _, _ := strings.Cut(a, ":")
		nb, _, _ := strings.Cut(b, ":")
		return strings.Compare(na, nb)
	})
}
