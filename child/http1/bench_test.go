package http1

import (
	"testing"
	"time"
)

// browserGET is what a current desktop browser sends for a page.
const browserGET = "GET /docs/index.html?lang=en HTTP/1.1\r\n" +
	"Host: www.example.com\r\n" +
	"Connection: keep-alive\r\n" +
	"sec-ch-ua: \"Chromium\";v=\"124\", \"Google Chrome\";v=\"124\", \"Not-A.Brand\";v=\"99\"\r\n" +
	"sec-ch-ua-mobile: ?0\r\n" +
	"sec-ch-ua-platform: \"Linux\"\r\n" +
	"Upgrade-Insecure-Requests: 1\r\n" +
	"User-Agent: Mozilla/5.0 (X11; Linux x86_64) AppleWebKit/537.36 (KHTML, like Gecko) Chrome/124.0.0.0 Safari/537.36\r\n" +
	"Accept: text/html,application/xhtml+xml,application/xml;q=0.9,image/avif,image/webp,image/apng,*/*;q=0.8\r\n" +
	"Sec-Fetch-Site: none\r\n" +
	"Sec-Fetch-Mode: navigate\r\n" +
	"Sec-Fetch-User: ?1\r\n" +
	"Sec-Fetch-Dest: document\r\n" +
	"Accept-Encoding: gzip, deflate, br, zstd\r\n" +
	"Accept-Language: en-US,en;q=0.9\r\n" +
	"Cookie: session=0123456789abcdef; theme=dark\r\n" +
	"If-None-Match: \"5f3c-61a2b3c4d5e6f\"\r\n" +
	"If-Modified-Since: Wed, 25 Nov 2026 19:40:00 GMT\r\n" +
	"\r\n"

const minimalGET = "GET / HTTP/1.1\r\nHost: h\r\n\r\n"

func benchParse(b *testing.B, raw string) {
	buf := []byte(raw)
	lim := DefaultLimits()
	var p Parser
	var req Request
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		if _, err := p.Parse(buf, &lim, &req); err != nil {
			b.Fatal(err)
		}
	}
}

func BenchmarkParseBrowserGET(b *testing.B) { benchParse(b, browserGET) }

func BenchmarkParseMinimalGET(b *testing.B) { benchParse(b, minimalGET) }

// BenchmarkParseByteAtATime is the worst case for a resumable parser: every
// byte arrives in its own read.
func BenchmarkParseByteAtATime(b *testing.B) {
	buf := []byte(browserGET)
	lim := DefaultLimits()
	var p Parser
	var req Request
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		for i := 1; i <= len(buf); i++ {
			if _, err := p.Parse(buf[:i], &lim, &req); err != nil && err != ErrNeedMore {
				b.Fatal(err)
			}
		}
	}
}

func BenchmarkChunkedDecode(b *testing.B) {
	var in []byte
	for range 16 {
		in = append(in, "400\r\n"...)
		in = append(in, make([]byte, 1024)...)
		in = append(in, "\r\n"...)
	}
	in = append(in, "0\r\n\r\n"...)
	out := make([]byte, 32<<10)
	lim := DefaultLimits()
	var d ChunkedDecoder
	b.ReportAllocs()
	b.SetBytes(int64(len(in)))
	for b.Loop() {
		d.Reset(&lim)
		if _, _, done, err := d.Decode(in, out); !done || err != nil {
			b.Fatal(done, err)
		}
	}
}

func BenchmarkDateCache(b *testing.B) {
	var c DateCache
	dst := make([]byte, 0, 64)
	b.ReportAllocs()
	for b.Loop() {
		dst = c.AppendDate(dst[:0])
	}
}

func BenchmarkParseHTTPDate(b *testing.B) {
	in := []byte("Wed, 25 Nov 2026 19:40:00 GMT")
	b.ReportAllocs()
	for b.Loop() {
		if _, ok := ParseHTTPDate(in); !ok {
			b.Fatal("refused")
		}
	}
}

func BenchmarkAppendErrorPage(b *testing.B) {
	dst := make([]byte, 0, 2048)
	d := ErrorDetail{Signature: "eventmpm/0.1.0 (Unix)", ServerName: []byte("www.example.com"), Port: 80}
	b.ReportAllocs()
	for b.Loop() {
		dst = AppendErrorPage(dst[:0], 404, d)
	}
}

var _ = time.Now
