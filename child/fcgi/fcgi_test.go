package fcgi

import (
	"bytes"
	"encoding/binary"
	"errors"
	"fmt"
	"io"
	"net"
	"net/http"
	"net/http/fcgi"
	"strings"
	"testing"
	"time"
)

// roundTrip sends params and body to the application behind ln and
// returns its stdout and stderr.
func roundTrip(t *testing.T, addr string, params []Param, body io.Reader) (stdout, stderr string, err error) {
	t.Helper()
	c, err := net.Dial("tcp", addr)
	if err != nil {
		t.Fatal(err)
	}
	defer c.Close()
	errc := make(chan error, 1)
	go func() {
		req := NewRequest(c, false)
		if err := req.WriteParams(params); err != nil {
			errc <- err
			return
		}
		errc <- req.WriteStdin(body)
	}()
	resp := NewResponse(c)
	var se bytes.Buffer
	resp.Stderr = func(b []byte) { se.Write(b) }
	out, err := io.ReadAll(resp)
	if werr := <-errc; werr != nil && err == nil {
		err = werr
	}
	return string(out), se.String(), err
}

// TestAgainstNetHTTP talks to the standard library's FastCGI server:
// parameters short and long (the four-byte length), a body and a
// response larger than one record.
func TestAgainstNetHTTP(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go fcgi.Serve(ln, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		body, _ := io.ReadAll(r.Body)
		env := fcgi.ProcessEnv(r)
		fmt.Fprintf(rw, "%s %s len=%d long=%d x=%s\n", r.Method, r.URL.RequestURI(), len(body), len(env["LONG"]), r.Header.Get("X-Test"))
		rw.Write(bytes.Repeat([]byte("r"), 100000))
	}))
	body := strings.Repeat("b", 200000)
	params := []Param{
		{"REQUEST_METHOD", "POST"}, {"REQUEST_URI", "/app?q=1"}, {"SERVER_PROTOCOL", "HTTP/1.1"},
		{"CONTENT_LENGTH", "200000"}, {"HTTP_X_TEST", "yes"}, {"LONG", strings.Repeat("v", 300)},
	}
	out, _, err := roundTrip(t, ln.Addr().String(), params, strings.NewReader(body))
	if err != nil {
		t.Fatal(err)
	}
	head, rest, ok := strings.Cut(out, "\r\n\r\n")
	if !ok || !strings.Contains(head, "Content-Type: text/plain") {
		t.Fatalf("head %q", head)
	}
	want := "POST /app?q=1 len=200000 long=300 x=yes\n" + strings.Repeat("r", 100000)
	if rest != want {
		t.Errorf("body: %d bytes starting %q, want %d", len(rest), rest[:min(len(rest), 60)], len(want))
	}
}

// fakeApp answers one request on a connection of its own with the given
// records (after reading the request up to its empty stdin record).
func fakeApp(t *testing.T, reply []byte) string {
	t.Helper()
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(func() { ln.Close() })
	go func() {
		c, err := ln.Accept()
		if err != nil {
			return
		}
		defer c.Close()
		var h [8]byte
		for {
			if _, err := io.ReadFull(c, h[:]); err != nil {
				return
			}
			n := int(binary.BigEndian.Uint16(h[4:])) + int(h[6])
			io.CopyN(io.Discard, c, int64(n))
			if h[1] == typeStdin && n == 0 {
				break
			}
		}
		c.Write(reply)
	}()
	return ln.Addr().String()
}

func rec(t byte, id uint16, content string, pad int) []byte {
	h := []byte{1, t, 0, 0, 0, 0, byte(pad), 0}
	binary.BigEndian.PutUint16(h[2:], id)
	binary.BigEndian.PutUint16(h[4:], uint16(len(content)))
	return append(append(h, content...), make([]byte, pad)...)
}

func TestReplies(t *testing.T) {
	end := rec(typeEndRequest, 1, "\x00\x00\x00\x07\x00\x00\x00\x00", 0)
	cat := func(rs ...[]byte) []byte { return bytes.Join(rs, nil) }
	for _, tc := range []struct {
		name           string
		reply          []byte
		stdout, stderr string
		err            error
	}{
		{name: "stderr, padding, an unknown record", reply: cat(rec(typeStderr, 1, "PHP Warning: x", 2), rec(typeStdout, 1, "Status: 200\r\n\r\n", 5),
			rec(11, 1, "??", 6), rec(typeStdout, 1, "hi", 0), rec(typeStdout, 1, "", 0), end),
			stdout: "Status: 200\r\n\r\nhi", stderr: "PHP Warning: x"},
		{name: "cut before the end", reply: rec(typeStdout, 1, "Status: 200\r\n", 0), stdout: "Status: 200\r\n", err: io.ErrUnexpectedEOF},
		{name: "another request's record", reply: rec(typeStdout, 2, "x", 0), err: ErrProtocol},
		{name: "refused", reply: rec(typeEndRequest, 1, "\x00\x00\x00\x00\x01\x00\x00\x00", 0), err: ErrProtocol},
		{name: "bad version", reply: []byte{2, 6, 0, 1, 0, 0, 0, 0}, err: ErrProtocol},
	} {
		out, se, err := roundTrip(t, fakeApp(t, tc.reply), []Param{{"A", "b"}}, nil)
		if out != tc.stdout || se != tc.stderr || !errors.Is(err, tc.err) {
			t.Errorf("%s: stdout %q stderr %q err %v; want %q %q %v", tc.name, out, se, err, tc.stdout, tc.stderr, tc.err)
		}
	}
}

// TestParamRecords: pairs fill records of at most 64 KiB; a pair too
// long for one is refused.
func TestParamRecords(t *testing.T) {
	var b bytes.Buffer
	r := NewRequest(&b, false)
	big := strings.Repeat("x", 40000)
	if err := r.WriteParams([]Param{{"A", big}, {"B", big}}); err != nil {
		t.Fatal(err)
	}
	r.w.Flush()
	raw := b.Bytes()[16:] // after begin-request
	var sizes []int
	for len(raw) >= 8 {
		n, pad := int(binary.BigEndian.Uint16(raw[4:])), int(raw[6])
		sizes = append(sizes, n)
		raw = raw[8+n+pad:]
	}
	if fmt.Sprint(sizes) != "[40006 40006 0]" {
		t.Errorf("params records %v, want two of one pair each and the empty one", sizes)
	}
	if err := NewRequest(io.Discard, false).WriteParams([]Param{{"A", strings.Repeat("x", 70000)}}); err == nil {
		t.Error("a 70,000-byte pair: no error")
	}
}

// FuzzResponse: any reply is read to an end or an error, without a panic.
func FuzzResponse(f *testing.F) {
	f.Add(append(rec(typeStdout, 1, "Status: 200\r\n\r\nx", 3), rec(typeEndRequest, 1, "\x00\x00\x00\x00\x00\x00\x00\x00", 0)...))
	f.Add(rec(typeStderr, 1, "e", 7))
	f.Fuzz(func(t *testing.T, reply []byte) {
		rs := NewResponse(bytes.NewReader(reply))
		rs.Stderr = func([]byte) {}
		out, _ := io.ReadAll(rs)
		if len(out) > len(reply) {
			t.Fatalf("read %d bytes of stdout from a %d-byte reply", len(out), len(reply))
		}
	})
}

// TestKeepConn: with FCGI_KEEP_CONN the standard library's FastCGI server
// takes a second request on the connection, and each reply is Reusable
// once read; without it the server closes the connection after the first
// (a second request sent at once may still be served before the close, so
// the test waits for the close instead).
func TestKeepConn(t *testing.T) {
	ln, err := net.Listen("tcp", "127.0.0.1:0")
	if err != nil {
		t.Fatal(err)
	}
	defer ln.Close()
	go fcgi.Serve(ln, http.HandlerFunc(func(rw http.ResponseWriter, r *http.Request) {
		fmt.Fprintf(rw, "uri=%s", r.URL.RequestURI())
	}))
	for _, keep := range []bool{true, false} {
		c, err := net.Dial("tcp", ln.Addr().String())
		if err != nil {
			t.Fatal(err)
		}
		req, resp := NewRequest(c, keep), NewResponse(c)
		for i := range 2 {
			if i > 0 && !keep {
				c.SetReadDeadline(time.Now().Add(10 * time.Second))
				if n, err := c.Read(make([]byte, 1)); n != 0 || err != io.EOF {
					t.Errorf("without FCGI_KEEP_CONN the server kept the connection: %d, %v; want EOF", n, err)
				}
				break
			}
			if i > 0 {
				req.Reset(c, keep)
				resp.Reset(c)
			}
			params := []Param{{"REQUEST_METHOD", "GET"}, {"REQUEST_URI", fmt.Sprintf("/r%d", i)}, {"SERVER_PROTOCOL", "HTTP/1.1"}}
			werr := req.WriteParams(params)
			if werr == nil {
				werr = req.WriteStdin(nil)
			}
			out, err := io.ReadAll(resp)
			if werr != nil || err != nil || !strings.HasSuffix(string(out), fmt.Sprintf("uri=/r%d", i)) || !resp.Reusable() {
				t.Errorf("keep %v, request %d: %q, %v, %v, reusable %v", keep, i, out, werr, err, resp.Reusable())
			}
		}
		c.Close()
	}
}

// TestStarted: a reply that ended before its first record was not
// started; one with a record, even cut short, was.
func TestStarted(t *testing.T) {
	for _, tc := range []struct {
		name    string
		reply   []byte
		started bool
	}{
		{"nothing", nil, false},
		{"half a header", []byte{1, typeStdout, 0}, false},
		{"a record, then the end", rec(typeStdout, 1, "Status: 200\r\n", 0), true},
		{"stderr only", rec(typeStderr, 1, "x", 0), true},
	} {
		rs := NewResponse(bytes.NewReader(tc.reply))
		if rs.Started() {
			t.Fatalf("%s: started before reading", tc.name)
		}
		_, err := io.ReadAll(rs)
		if !errors.Is(err, io.ErrUnexpectedEOF) || rs.Started() != tc.started {
			t.Errorf("%s: %v, started %v; want io.ErrUnexpectedEOF, %v", tc.name, err, rs.Started(), tc.started)
		}
		rs.Reset(bytes.NewReader(nil))
		if rs.Started() {
			t.Errorf("%s: started after Reset", tc.name)
		}
	}
}
