//go:build linux && !race

package static_test

import (
	"eventmpm/child/http1"
	"strconv"
	"testing"
	"time"

	"eventmpm/child/static"
)

// TestServeAllocs checks that answering from the cache allocates nothing,
// CleanPath included, once the worker's Reply has grown its buffers.
func TestServeAllocs(t *testing.T) {
	s := buildSite(t)
	h := newHandler(t, s, nil)
	tests := []struct {
		name, method, target string
		hdr                  []string
		status               int
	}{
		{name: "small GET (the hot path)", method: "GET", target: "/hello.txt", status: 200},
		{name: "index", method: "GET", target: "/sub/", status: 200},
		{name: "HEAD", method: "HEAD", target: "/hello.txt", status: 200},
		{name: "large file", method: "GET", target: "/big.bin", status: 200},
		{name: "If-None-Match", method: "GET", target: "/hello.txt", hdr: []string{"If-None-Match", etagOf(13)}, status: 304},
		{name: "If-Modified-Since", method: "GET", target: "/hello.txt", hdr: []string{"If-Modified-Since", fileTimeHTTP}, status: 304},
		{name: "range", method: "GET", target: "/data.bin", hdr: []string{"Range", "bytes=10-19"}, status: 206},
		{name: "multirange memory", method: "GET", target: "/data.bin", hdr: []string{"Range", "bytes=0-9,20-29"}, status: 206},
		{name: "multirange file", method: "GET", target: "/big.bin", hdr: []string{"Range", "bytes=0-9,20-29"}, status: 206},
		{name: "unsatisfiable", method: "GET", target: "/data.bin", hdr: []string{"Range", "bytes=5000-"}, status: 416},
		{name: "OPTIONS", method: "OPTIONS", target: "/hello.txt", status: 200},
	}
	for _, tt := range tests {
		req := newRequest(tt.method, "", tt.hdr...)
		raw := []byte(tt.target)
		dst := make([]byte, 0, 64)
		var r static.Reply
		run := func() {
			p, _ := static.CleanPath(raw, dst)
			h.Serve(req, p, &r)
			if r.Status != tt.status {
				t.Fatalf("%s: status %d, want %d", tt.name, r.Status, tt.status)
			}
			r.Release()
		}
		run() // fill the cache and grow the Reply
		if allocs := testing.AllocsPerRun(200, run); allocs != 0 {
			t.Errorf("%s: %v allocations per request, want 0", tt.name, allocs)
		}
	}
}

// TestGzipAllocs: a compressed answer from a cached file's kept variant
// allocates nothing either, nor does its 304.
func TestGzipAllocs(t *testing.T) {
	s := buildSite(t)
	h := newHandler(t, s, func(o *static.Options) { o.Compress, o.CompressMaxFileSize = []string{"text/plain"}, 1<<20 })
	for _, tt := range []struct {
		name   string
		hdr    []string
		status int
	}{
		{"gzip", []string{"Accept-Encoding", "gzip, deflate, br"}, 200},
		{"gzip 304", []string{"Accept-Encoding", "gzip", "If-None-Match", "\"" + strconvHex(int64(len(proseText))) + "-" + strconvHex(fileTime.UnixMicro()) + "-gzip\""}, 304},
	} {
		req := newRequest("GET", "", tt.hdr...)
		raw := []byte("/prose.txt")
		dst := make([]byte, 0, 64)
		var r static.Reply
		run := func() {
			p, _ := static.CleanPath(raw, dst)
			h.Serve(req, p, &r)
			if r.Status != tt.status {
				t.Fatalf("%s: status %d, want %d", tt.name, r.Status, tt.status)
			}
			r.Release()
		}
		run()
		run()
		if allocs := testing.AllocsPerRun(200, run); allocs != 0 {
			t.Errorf("%s: %v allocations per request, want 0", tt.name, allocs)
		}
	}
}

func strconvHex(n int64) string { return strconv.FormatInt(n, 16) }

func TestCleanPathAllocs(t *testing.T) {
	raw := []byte("/a/./b/../c%20d//e.html")
	dst := make([]byte, 0, len(raw))
	allocs := testing.AllocsPerRun(100, func() {
		static.CleanPath(raw, dst)
	})
	if allocs != 0 {
		t.Errorf("CleanPath allocs = %v, want 0", allocs)
	}
}

func TestHTTPDateAllocs(t *testing.T) {
	buf := make([]byte, 0, 64)
	in := []byte("Sunday, 06-Nov-94 08:49:37 GMT")
	now := time.Now()
	allocs := testing.AllocsPerRun(100, func() {
		buf = http1.AppendHTTPDate(buf[:0], now)
		http1.ParseHTTPDate(buf)
		http1.ParseHTTPDate(in)
	})
	if allocs != 0 {
		t.Errorf("HTTP date allocs = %v, want 0", allocs)
	}
}
