package http1

import "bytes"

// Method identifies a request method that eventmpm treats specially; every
// other valid token is MethodOther (the bytes stay in Request.Method).
type Method uint8

// Methods known to the server.
const (
	MethodOther Method = iota
	MethodGet
	MethodHead
	MethodPost
	MethodPut
	MethodDelete
	MethodOptions
	MethodTrace
	MethodConnect
	MethodPatch
)

// Header is one header field as received. Name and Value alias the
// connection's read buffer; Value has its surrounding whitespace trimmed.
type Header struct {
	Name  []byte
	Value []byte
}

// Request is a parsed request head. Every byte slice aliases the buffer that
// was parsed and stays valid only until that buffer is reused, so a Request
// costs no allocation; callers that keep a field past the request must copy
// it. A Request is reused across the requests of a connection: Reset clears
// it and keeps the capacity of Headers.
type Request struct {
	// Line is the raw request line without its CRLF (the log's %r).
	Line []byte
	// Method is the method token; MethodID classifies it.
	Method   []byte
	MethodID Method
	// Target is the raw request-target. For origin-form and absolute-form
	// targets Path is its raw (still percent-encoded) path and Query what
	// follows '?' (without the '?'). For absolute-form the host is in
	// Request.Host. For "OPTIONS *" Path is "*".
	Target []byte
	Path   []byte
	Query  []byte
	// ProtoMajor and ProtoMinor are the HTTP version (1.0 or 1.1; a
	// request for HTTP/1.2 and up is processed as 1.1). After a ParseError
	// they are 0.0 when the version could not be read.
	ProtoMajor, ProtoMinor int

	// Headers are the header fields in the order received.
	Headers []Header
	// Host is the authority used: the absolute-form target's authority
	// when there is one (RFC 9112 3.2.2), otherwise the Host header.
	Host []byte

	// ContentLength is the body length from Content-Length, or -1 when the
	// request has none. With Chunked set it is -1 and the body is chunked.
	ContentLength int64
	Chunked       bool
	// KeepAlive reports whether the connection may stay open after this
	// request (RFC 9112 9.3: HTTP/1.1 unless "Connection: close", HTTP/1.0
	// only with "Connection: keep-alive").
	KeepAlive bool
	// KeepAliveAsked is set when the Connection field holds the
	// keep-alive option, in any version: Apache answers such a request
	// with Keep-Alive (timeout, max) and Connection: Keep-Alive.
	KeepAliveAsked bool
	// Expect100 is set for "Expect: 100-continue".
	Expect100 bool
	// ExpectOther is set when an Expect header holds anything else (the
	// server answers 417, RFC 9110 10.1.1).
	ExpectOther bool

	// The conditional and range headers, nil when absent, located while
	// parsing so handlers need no lookups.
	IfModifiedSince   []byte
	IfUnmodifiedSince []byte
	IfNoneMatch       []byte
	IfMatch           []byte
	Range             []byte
	IfRange           []byte
	// ETagListsRepeated is set when If-Match or If-None-Match came in
	// more than one field line: they are lists, which RFC 9110 5.3
	// combines, so a handler reads every line (Headers), not only the
	// first one kept above.
	ETagListsRepeated bool
	// rangeVoid is set when Range came in more than one line, which
	// leaves Range nil (setRange).
	rangeVoid bool

	// HeadLen is the size of the request head in bytes, including the
	// request line and the empty line that ends it, and any empty lines
	// skipped before the request line: the n that Parse returned. After
	// a ParseError or Abandon it is the number of bytes read of the head
	// that was refused or abandoned (mod_logio's %I counts them).
	HeadLen int
}

// Reset clears r for the next request, keeping the capacity of Headers.
func (r *Request) Reset() {
	h := r.Headers[:0]
	*r = Request{Headers: h, ContentLength: -1}
}

// Get returns the value of the first header named name (compared without
// regard to case), or nil.
func (r *Request) Get(name string) []byte {
	for i := range r.Headers {
		if equalFold(r.Headers[i].Name, name) {
			return r.Headers[i].Value
		}
	}
	return nil
}

// Protocol is the protocol token of the request line as the client sent
// it ("HTTP/1.1"; "HTTP/1.2" too, which is served as 1.1), Apache's
// r->protocol: what %H logs and the scoreboard shows, unchanged when
// downgrade-1.0 lowers ProtoMinor. It is nil when there is no version to
// show.
func (r *Request) Protocol() []byte {
	if r.ProtoMajor == 0 || len(r.Line) == 0 {
		return nil
	}
	return r.Line[bytes.LastIndexByte(r.Line, ' ')+1:]
}

// HasBody reports whether a request body follows the head.
func (r *Request) HasBody() bool {
	return r.Chunked || r.ContentLength > 0
}

// equalFold reports whether b equals the ASCII string s without regard to
// case, without allocating.
func equalFold(b []byte, s string) bool {
	if len(b) != len(s) {
		return false
	}
	for i := 0; i < len(b); i++ {
		c, d := b[i], s[i]
		if c == d {
			continue
		}
		if 'A' <= c && c <= 'Z' {
			c += 'a' - 'A'
		}
		if 'A' <= d && d <= 'Z' {
			d += 'a' - 'A'
		}
		if c != d {
			return false
		}
	}
	return true
}

// EqualFold reports whether b equals the ASCII string s without regard to
// case. It does not allocate.
func EqualFold(b []byte, s string) bool { return equalFold(b, s) }
