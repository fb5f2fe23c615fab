//go:build !race

package http1

import (
	"testing"
	"time"
)

// TestZeroAllocs turns "the wire protocol never allocates per request"
// into a test that can fail. It is skipped under -race, which allocates.
func TestZeroAllocs(t *testing.T) {
	lim := DefaultLimits()
	var p Parser
	var req Request
	browser := []byte(browserGET)
	chunked := []byte("5;ext=\"v\"\r\nhello\r\n6\r\n world\r\n0\r\nTrailer: x\r\n\r\n")
	noHost := []byte("GET / HTTP/1.1\r\n\r\n")
	out := make([]byte, 64)
	dst := make([]byte, 0, 4096)
	cache := DateCache{Now: func() time.Time { return sampleDate }}
	imf := []byte("Sun, 06 Nov 1994 08:49:37 GMT")
	for _, tc := range []struct {
		name string
		f    func()
	}{
		{"Parse browser GET", func() { p.Parse(browser, &lim, &req) }},
		{"Parse in three pieces", func() {
			p.Parse(browser[:100], &lim, &req)
			p.Parse(browser[:300], &lim, &req)
			p.Parse(browser, &lim, &req)
		}},
		{"Parse error", func() { p.Parse(noHost, &lim, &req) }},
		{"ChunkedDecoder.Decode", func() {
			var d ChunkedDecoder
			d.Reset(&lim)
			d.Decode(chunked, out)
		}},
		{"DateCache.AppendDate", func() { cache.AppendDate(dst[:0]) }},
		{"DateCache.AppendDateAt", func() { cache.AppendDateAt(dst[:0], sampleDate.UnixNano()) }},
		{"AppendHTTPDate", func() { AppendHTTPDate(dst[:0], sampleDate) }},
		{"ParseHTTPDate IMF-fixdate", func() { ParseHTTPDate(imf) }},
		{"response head", func() {
			b := AppendStatusLine(dst[:0], 1, 1, 404)
			b = AppendHeader(b, "Date", cache.Value())
			b = AppendHeaderString(b, "Content-Type", ErrorPageContentType)
			AppendHeaderInt(b, "Content-Length", 196)
		}},
		{"AppendErrorPage", func() {
			AppendErrorPage(dst[:0], 501, ErrorDetail{Method: req.Method, Notes: errTEUnknown.Reason,
				Signature: "eventmpm/0.1.0 (Unix)", ServerName: req.Host, Port: 80})
		}},
	} {
		if got := testing.AllocsPerRun(100, tc.f); got != 0 {
			t.Errorf("%s: got %v allocs, want 0", tc.name, got)
		}
	}
}
