package static_test

import (
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"strings"
	"testing"
)

// TestRangeSingle checks 206 and 416 answers, from memory and from a file.
func TestRangeSingle(t *testing.T) {
	s := buildSite(t)
	h := newHandler(t, s, nil)
	data, big := pattern(1000, 1), pattern(bigSize, 7)
	dataHdr := "Last-Modified: " + fileTimeHTTP + "\r\nETag: " + etagOf(1000) + "\r\nAccept-Ranges: bytes\r\nContent-Type: application/octet-stream\r\n"
	tests := []struct {
		name, path string
		hdr        []string
		status     int
		header     string
		body       []byte
		kind       string
	}{
		{name: "first bytes", path: "/data.bin", hdr: []string{"Range", "bytes=0-9"}, status: 206,
			header: dataHdr + "Content-Range: bytes 0-9/1000\r\n", body: data[:10], kind: "mem"},
		{name: "suffix", path: "/data.bin", hdr: []string{"Range", "bytes=-10"}, status: 206,
			header: dataHdr + "Content-Range: bytes 990-999/1000\r\n", body: data[990:], kind: "mem"},
		{name: "open", path: "/data.bin", hdr: []string{"Range", "bytes=995-"}, status: 206,
			header: dataHdr + "Content-Range: bytes 995-999/1000\r\n", body: data[995:], kind: "mem"},
		{name: "whole as range", path: "/data.bin", hdr: []string{"Range", "bytes=0-"}, status: 206,
			header: dataHdr + "Content-Range: bytes 0-999/1000\r\n", body: data, kind: "mem"},
		{name: "merged", path: "/data.bin", hdr: []string{"Range", "bytes=0-4,5-9"}, status: 206,
			header: dataHdr + "Content-Range: bytes 0-9/1000\r\n", body: data[:10], kind: "mem"},
		{name: "unsatisfiable", path: "/data.bin", hdr: []string{"Range", "bytes=1000-"}, status: 416,
			header: "Accept-Ranges: bytes\r\nContent-Range: bytes */1000\r\n"},
		{name: "invalid ignored", path: "/data.bin", hdr: []string{"Range", "bytes=9-0"}, status: 200,
			header: dataHdr, body: data, kind: "mem"},
		{name: "unknown unit", path: "/data.bin", hdr: []string{"Range", "lines=1-2"}, status: 200,
			header: dataHdr, body: data, kind: "mem"},
		{name: "If-Range etag", path: "/data.bin", hdr: []string{"Range", "bytes=0-9", "If-Range", etagOf(1000)}, status: 206,
			header: dataHdr + "Content-Range: bytes 0-9/1000\r\n", body: data[:10], kind: "mem"},
		{name: "If-Range date", path: "/data.bin", hdr: []string{"Range", "bytes=0-9", "If-Range", fileTimeHTTP}, status: 206,
			header: dataHdr + "Content-Range: bytes 0-9/1000\r\n", body: data[:10], kind: "mem"},
		{name: "If-Range other etag", path: "/data.bin", hdr: []string{"Range", "bytes=0-9", "If-Range", `"x"`}, status: 200,
			header: dataHdr, body: data, kind: "mem"},
		{name: "If-Range weak", path: "/data.bin", hdr: []string{"Range", "bytes=0-9", "If-Range", "W/" + etagOf(1000)}, status: 200,
			header: dataHdr, body: data, kind: "mem"},
		{name: "If-Range other date", path: "/data.bin", hdr: []string{"Range", "bytes=0-9", "If-Range", "Tue, 02 Jan 2024 03:04:06 GMT"}, status: 200,
			header: dataHdr, body: data, kind: "mem"},
		{name: "If-Range garbage", path: "/data.bin", hdr: []string{"Range", "bytes=0-9", "If-Range", "soon"}, status: 200,
			header: dataHdr, body: data, kind: "mem"},
		{name: "big file range", path: "/big.bin", hdr: []string{"Range", "bytes=1000-1999"}, status: 206,
			body: big[1000:2000], kind: "file"},
		{name: "big file suffix", path: "/big.bin", hdr: []string{"Range", "bytes=-5"}, status: 206,
			body: big[bigSize-5:], kind: "file"},
		{name: "empty file ignores Range", path: "/empty.txt", hdr: []string{"Range", "bytes=0-1"}, status: 200,
			body: []byte{}, kind: "mem"},
	}
	for _, tt := range tests {
		res := serve(t, h, "GET", tt.path, tt.hdr...)
		if res.Status != tt.status || (tt.header != "" && res.Header != tt.header) {
			t.Errorf("%s: got %d %q, want %d %q", tt.name, res.Status, res.Header, tt.status, tt.header)
		}
		if !equalBytes(res.Body, tt.body) || res.Kind != tt.kind {
			t.Errorf("%s: got a %q body of %d bytes, want %q of %d", tt.name, res.Kind, len(res.Body), tt.kind, len(tt.body))
		}
	}
	// Range only applies to GET.
	if res := serve(t, h, "HEAD", "/data.bin", "Range", "bytes=0-9"); res.Status != 200 || !res.NoBody || res.Header != dataHdr {
		t.Errorf("HEAD with Range: got %d NoBody %v %q, want 200 NoBody %q", res.Status, res.NoBody, res.Header, dataHdr)
	}
}

// TestRangeMultipart checks multipart/byteranges bodies byte for byte,
// assembled in memory and as segments.
func TestRangeMultipart(t *testing.T) {
	s := buildSite(t)
	h := newHandler(t, s, nil)
	tests := []struct {
		path, ctype string
		content     []byte
		kind        string
	}{
		{path: "/data.bin", ctype: "application/octet-stream", content: pattern(1000, 1), kind: "mem"},
		{path: "/big.bin", ctype: "application/octet-stream", content: pattern(bigSize, 7), kind: "segments"},
		{path: "/hello.txt", ctype: "text/plain; charset=UTF-8", content: []byte("hello, world\n"), kind: "mem"},
	}
	ranges := [][2]int64{{0, 0}, {5, 9}, {-1, -1}} // the last is "-1": the final byte
	for _, tt := range tests {
		size := int64(len(tt.content))
		res := serve(t, h, "GET", tt.path, "Range", "bytes=0-0, 5-9,-1")
		if res.Status != 206 || res.Kind != tt.kind {
			t.Fatalf("%s: got %d %q, want 206 %q", tt.path, res.Status, res.Kind, tt.kind)
		}
		mt, params, err := mime.ParseMediaType(headerValue(res.Header, "Content-Type"))
		if err != nil || mt != "multipart/byteranges" || params["boundary"] == "" {
			t.Fatalf("%s: Content-Type %q, want multipart/byteranges with a boundary", tt.path, headerValue(res.Header, "Content-Type"))
		}
		if headerValue(res.Header, "Content-Range") != "" || headerValue(res.Header, "ETag") != etagOf(len(tt.content)) {
			t.Errorf("%s: header %q, want an ETag and no top-level Content-Range", tt.path, res.Header)
		}
		var want strings.Builder
		for _, rg := range ranges {
			if rg[0] < 0 {
				rg = [2]int64{size - 1, size - 1}
			}
			fmt.Fprintf(&want, "\r\n--%s\r\nContent-Type: %s\r\nContent-Range: bytes %d-%d/%d\r\n\r\n", params["boundary"], tt.ctype, rg[0], rg[1], size)
			want.Write(tt.content[rg[0] : rg[1]+1])
		}
		fmt.Fprintf(&want, "\r\n--%s--\r\n", params["boundary"])
		if res.Body != want.String() {
			t.Errorf("%s: body\n%q\nwant\n%q", tt.path, res.Body, want.String())
		}
		checkMultipart(t, tt.path, res.Body, params["boundary"], 3)
	}
}

// checkMultipart parses body with mime/multipart and checks the parts.
func checkMultipart(t *testing.T, name, body, boundary string, parts int) {
	t.Helper()
	mr := multipart.NewReader(strings.NewReader(body), boundary)
	n := 0
	for {
		p, err := mr.NextPart()
		if err == io.EOF {
			break
		}
		if err != nil {
			t.Fatalf("%s: part %d: %v", name, n, err)
		}
		if p.Header.Get("Content-Range") == "" {
			t.Errorf("%s: part %d has no Content-Range", name, n)
		}
		io.Copy(io.Discard, p)
		n++
	}
	if n != parts {
		t.Errorf("%s: %d parts, want %d", name, n, parts)
	}
}

// TestRangeFreshBoundary checks that each response gets its own boundary.
func TestRangeFreshBoundary(t *testing.T) {
	s := buildSite(t)
	h := newHandler(t, s, nil)
	a := headerValue(serve(t, h, "GET", "/data.bin", "Range", "bytes=0-0,2-2").Header, "Content-Type")
	b := headerValue(serve(t, h, "GET", "/data.bin", "Range", "bytes=0-0,2-2").Header, "Content-Type")
	if a == b {
		t.Errorf("two multipart answers share Content-Type %q, want distinct boundaries", a)
	}
}
