// Package fcgi is the client side of FastCGI 1.0 in the responder role,
// what mod_proxy_fcgi speaks to PHP-FPM and other FastCGI applications:
// one request at a time on a connection (request ID 1; the connection
// kept for the next with FCGI_KEEP_CONN), its parameters (the CGI
// environment) as name-value pairs, its body as the stdin stream, and the
// application's stdout (a CGI response) and stderr streams back until
// its end-request record.
//
// Imports: the standard library only.
package fcgi

import (
	"bufio"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
)

// Record types (FastCGI 1.0, section 8).
const (
	typeBeginRequest = 1
	typeEndRequest   = 3
	typeParams       = 4
	typeStdin        = 5
	typeStdout       = 6
	typeStderr       = 7
)

const (
	headerLen    = 8
	maxContent   = 65535
	requestID    = 1
	roleResp     = 1
	flagKeepConn = 1
)

// Param is one parameter: a CGI variable and its value.
type Param struct {
	Name, Value string
}

// ErrProtocol is wrapped by the errors of a malformed reply.
var ErrProtocol = errors.New("fcgi: protocol error")

// Request is one request being written to a connection. Reset reuses it
// (and its buffers) for the next one.
type Request struct {
	w     *bufio.Writer
	buf   []byte
	stdin []byte
}

// NewRequest starts a request on w: the begin-request record, with
// FCGI_KEEP_CONN when keepConn (the application keeps the connection open
// for the next request; without it, it closes it after this one).
func NewRequest(w io.Writer, keepConn bool) *Request {
	r := &Request{w: bufio.NewWriterSize(w, 16<<10)}
	r.begin(keepConn)
	return r
}

// Reset starts a new request on w, as NewRequest, with r's buffers.
func (r *Request) Reset(w io.Writer, keepConn bool) {
	r.w.Reset(w)
	r.begin(keepConn)
}

// begin writes the begin-request record.
func (r *Request) begin(keepConn bool) {
	body := [8]byte{0, roleResp}
	if keepConn {
		body[2] = flagKeepConn
	}
	r.record(typeBeginRequest, body[:])
}

// record writes one record of type t holding content (at most maxContent
// bytes), padded to a multiple of 8 as the specification recommends.
func (r *Request) record(t byte, content []byte) error {
	pad := -len(content) & 7
	var h [headerLen]byte
	h[0] = 1
	h[1] = t
	binary.BigEndian.PutUint16(h[2:], requestID)
	binary.BigEndian.PutUint16(h[4:], uint16(len(content)))
	h[6] = byte(pad)
	r.w.Write(h[:])
	r.w.Write(content)
	var zeros [8]byte
	_, err := r.w.Write(zeros[:pad])
	return err
}

// WriteParams writes the parameters and the empty record that ends them.
// A pair too long for one record (over 64 KiB) is an error.
func (r *Request) WriteParams(params []Param) error {
	body := r.buf[:0]
	for _, p := range params {
		pair := appendLen(appendLen(nil, len(p.Name)), len(p.Value))
		n := len(pair) + len(p.Name) + len(p.Value)
		if n > maxContent {
			return fmt.Errorf("fcgi: the parameter %s is too long (%d bytes)", p.Name, n)
		}
		if len(body)+n > maxContent {
			if err := r.record(typeParams, body); err != nil {
				return err
			}
			body = body[:0]
		}
		body = append(append(append(body, pair...), p.Name...), p.Value...)
	}
	if len(body) > 0 {
		if err := r.record(typeParams, body); err != nil {
			return err
		}
	}
	r.buf = body
	return r.record(typeParams, nil)
}

// appendLen appends a name-value pair's length: one byte below 128, else
// four with the high bit set.
func appendLen(b []byte, n int) []byte {
	if n < 128 {
		return append(b, byte(n))
	}
	return binary.BigEndian.AppendUint32(b, uint32(n)|1<<31)
}

// WriteStdin copies body (nil for none) as the stdin stream, then the
// empty record that ends it, and flushes the request.
func (r *Request) WriteStdin(body io.Reader) error {
	if body != nil {
		if r.stdin == nil {
			r.stdin = make([]byte, 32<<10)
		}
		buf := r.stdin
		for {
			n, err := body.Read(buf)
			if n > 0 {
				if werr := r.record(typeStdin, buf[:n]); werr != nil {
					return werr
				}
				if werr := r.w.Flush(); werr != nil {
					return werr
				}
			}
			if err == io.EOF {
				break
			}
			if err != nil {
				return err
			}
		}
	}
	if err := r.record(typeStdin, nil); err != nil {
		return err
	}
	return r.w.Flush()
}

// Response reads the application's records: Read gives the stdout stream
// and returns io.EOF after the end-request record; stderr's content goes
// to Stderr as it comes.
type Response struct {
	r *bufio.Reader
	// Stderr is called with each piece of the stderr stream (nil: it is
	// dropped). The slice is only valid during the call.
	Stderr func([]byte)
	// AppStatus is the application's exit status from the end-request
	// record, once Read returned io.EOF.
	AppStatus uint32
	left, pad int // of the stdout record being read
	done      bool
	started   bool // a record of the reply came
	content   []byte
}

// NewResponse reads the reply from r.
func NewResponse(r io.Reader) *Response {
	return &Response{r: bufio.NewReaderSize(r, 16<<10)}
}

// Reset makes rs read a new reply from r, as NewResponse, with rs's
// buffers; Stderr is cleared.
func (rs *Response) Reset(r io.Reader) {
	rs.r.Reset(r)
	rs.Stderr, rs.AppStatus, rs.left, rs.pad, rs.done, rs.started = nil, 0, 0, 0, false, false
}

// Started reports whether a record of the reply came. A connection that
// failed before one did gave the application nothing it answered: a
// request that has no body can be sent again on another connection.
func (rs *Response) Started() bool { return rs.started }

// Reusable reports whether the reply was read to its end-request record
// and nothing came after it: the connection can take another request.
func (rs *Response) Reusable() bool {
	return rs.done && rs.left == 0 && rs.r.Buffered() == 0
}

// Read reads the stdout stream.
func (rs *Response) Read(p []byte) (int, error) {
	for rs.left == 0 {
		if rs.done {
			return 0, io.EOF
		}
		if rs.pad > 0 {
			if _, err := rs.r.Discard(rs.pad); err != nil {
				return 0, unexpected(err)
			}
			rs.pad = 0
		}
		if err := rs.next(); err != nil {
			return 0, err
		}
	}
	n, err := rs.r.Read(p[:min(len(p), rs.left)])
	rs.left -= n
	if err != nil && !(err == io.EOF && rs.left == 0) {
		return n, unexpected(err)
	}
	if rs.left == 0 && rs.pad > 0 {
		if _, err := rs.r.Discard(rs.pad); err != nil {
			return n, unexpected(err)
		}
		rs.pad = 0
	}
	return n, nil
}

// next reads records until one starts stdout content (left > 0) or the
// end-request record ends the reply.
func (rs *Response) next() error {
	var h [headerLen]byte
	if _, err := io.ReadFull(rs.r, h[:]); err != nil {
		return unexpected(err)
	}
	rs.started = true
	if h[0] != 1 {
		return fmt.Errorf("%w: version %d", ErrProtocol, h[0])
	}
	t, id := h[1], binary.BigEndian.Uint16(h[2:])
	n, pad := int(binary.BigEndian.Uint16(h[4:])), int(h[6])
	if id != requestID {
		return fmt.Errorf("%w: a record for request %d", ErrProtocol, id)
	}
	switch t {
	case typeStdout:
		rs.left, rs.pad = n, pad
		return nil
	case typeStderr, typeEndRequest:
		if cap(rs.content) < n+pad {
			rs.content = make([]byte, n+pad)
		}
		c := rs.content[:n+pad]
		if _, err := io.ReadFull(rs.r, c); err != nil {
			return unexpected(err)
		}
		if t == typeStderr {
			if rs.Stderr != nil && n > 0 {
				rs.Stderr(c[:n])
			}
			return nil
		}
		if n < 8 {
			return fmt.Errorf("%w: end-request record of %d bytes", ErrProtocol, n)
		}
		rs.AppStatus = binary.BigEndian.Uint32(c)
		if status := c[4]; status != 0 {
			return fmt.Errorf("%w: the application refused the request (protocol status %d)", ErrProtocol, status)
		}
		rs.done = true
		return nil
	default:
		if _, err := rs.r.Discard(n + pad); err != nil {
			return unexpected(err)
		}
		return nil
	}
}

// unexpected turns the end of the connection before the end-request
// record into io.ErrUnexpectedEOF.
func unexpected(err error) error {
	if err == io.EOF {
		return io.ErrUnexpectedEOF
	}
	return err
}
