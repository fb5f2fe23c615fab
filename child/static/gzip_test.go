package static_test

import (
	"compress/gzip"
	"fmt"
	"io"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"eventmpm/child/static"
)

func TestAcceptsGzip(t *testing.T) {
	for v, want := range map[string]bool{
		"gzip": true, "GZIP": true, "deflate, gzip;q=0.5": true, "x-gzip": true, "*": true,
		"gzip;q=0": false, "gzip; q=0.000": false, "*;q=0": false, "gzip;q=0, *": false,
		"identity": false, "": false, "br, deflate": false, "*, gzip;q=0": false, "gzipx": false,
		"gzip;q=0.001": true, "*;q=0.5, identity": true,
	} {
		if got := static.AcceptsGzip(v); got != want {
			t.Errorf("acceptsGzip(%q) = %v, want %v", v, got, want)
		}
	}
	// Lines of one list field are one list (RFC 9110 5.3).
	for _, tc := range []struct {
		lines []string
		want  bool
	}{
		{[]string{"identity", "gzip"}, true},
		{[]string{"br", "gzip;q=0.5"}, true},
		{[]string{"gzip;q=0", "gzip"}, false}, // the first gzip item decides
		{[]string{"*", "gzip;q=0"}, false},
		{[]string{"*;q=0", "br", "*"}, true},
		{[]string{"*", "br;q=0"}, true},
		{[]string{"br", "deflate"}, false},
		{nil, false},
	} {
		if got := static.AcceptsGzip(tc.lines...); got != tc.want {
			t.Errorf("acceptsGzip(lines %q) = %v, want %v", tc.lines, got, tc.want)
		}
	}
}

// TestGzipVariant: a file of a compressible type goes gzip-compressed to a
// client that accepts it, with Content-Encoding, Vary, the "-gzip" ETag
// and its own conditional answers; a Range request, a client without gzip
// and NoCompress get the file as it is, with Vary; other types get no
// Vary. The variant is kept with the cached file.
func TestGzipVariant(t *testing.T) {
	s := buildSite(t)
	h := newHandler(t, s, func(o *static.Options) {
		o.Compress, o.CompressMaxFileSize = []string{"text/html", "text/plain"}, 1<<20
	})
	const ae = "Accept-Encoding"
	plainETag := headerValue(serve(t, h, "GET", "/prose.html").Header, "ETag")
	for pass := 0; pass < 2; pass++ { // a miss, then the cached entry
		res := serve(t, h, "GET", "/prose.html", ae, "gzip, deflate")
		if res.Status != 200 || !strings.Contains(res.Header, "Content-Encoding: gzip\r\n") || !strings.Contains(res.Header, "Vary: Accept-Encoding\r\n") {
			t.Fatalf("pass %d: %d %q", pass, res.Status, res.Header)
		}
		zr, err := gzip.NewReader(strings.NewReader(res.Body))
		if err != nil {
			t.Fatal(err)
		}
		plain, _ := io.ReadAll(zr)
		if string(plain) != proseText {
			t.Errorf("pass %d: decompressed %q", pass, plain)
		}
		etag := headerValue(res.Header, "ETag")
		if !strings.HasSuffix(etag, `-gzip"`) {
			t.Fatalf("pass %d: ETag %q, want the -gzip suffix", pass, etag)
		}
		// The 304 repeats the validators and Vary, not the coding or type.
		want304 := "Last-Modified: " + headerValue(res.Header, "Last-Modified") + "\r\nETag: " + etag + "\r\nAccept-Ranges: bytes\r\nVary: Accept-Encoding\r\n"
		if r := serve(t, h, "GET", "/prose.html", ae, "gzip", "If-None-Match", etag); r.Status != 304 || r.Header != want304 {
			t.Errorf("pass %d: If-None-Match the gzip ETag: %d %q, want 304 %q", pass, r.Status, r.Header, want304)
		}
		if r := serve(t, h, "GET", "/prose.html", "If-None-Match", etag); r.Status != 200 || strings.Contains(r.Header, "Content-Encoding") {
			t.Errorf("pass %d: the gzip ETag matched the plain file: %d %q", pass, r.Status, r.Header)
		}
		if r := serve(t, h, "HEAD", "/prose.html", ae, "gzip"); r.Status != 200 || !strings.Contains(r.Header, "Content-Encoding: gzip") || r.Body != "" {
			t.Errorf("pass %d: HEAD %d %q %q", pass, r.Status, r.Header, r.Body)
		}
		for _, hdr := range [][]string{{ae, "gzip", "Range", "bytes=0-3", "If-Range", plainETag}, {ae, "identity"}, {}} {
			r := serve(t, h, "GET", "/prose.html", hdr...)
			if strings.Contains(r.Header, "Content-Encoding") || !strings.Contains(r.Header, "Vary: Accept-Encoding") {
				t.Errorf("pass %d: %q: %d %q, want the file as it is, with Vary", pass, hdr, r.Status, r.Header)
			}
		}
		if r := serve(t, h, "GET", "/data.bin", ae, "gzip"); strings.Contains(r.Header, "Content-Encoding") || strings.Contains(r.Header, "Vary") {
			t.Errorf("pass %d: data.bin: %q, want no compression and no Vary", pass, r.Header)
		}
		// 14 bytes: under mod_deflate's threshold, sent as it is and
		// without Vary, as Apache sends it.
		if r := serve(t, h, "GET", "/index.html", ae, "gzip"); r.Status != 200 || strings.Contains(r.Header, "Content-Encoding") || strings.Contains(r.Header, "Vary") {
			t.Errorf("pass %d: index.html: %d %q, want no compression and no Vary", pass, r.Status, r.Header)
		}
	}
}

// TestGzipCompresses: with no DeflateCompressionLevel the body is
// compressed at zlib's default level, as Apache's; level 0 once meant
// gzip.NoCompression here, and every "compressed" answer was larger
// than the file.
func TestGzipCompresses(t *testing.T) {
	s := buildSite(t)
	text := strings.Repeat("<p>the same words again and again</p>\n", 100)
	if err := os.WriteFile(filepath.Join(s.root, "long.html"), []byte(text), 0o644); err != nil {
		t.Fatal(err)
	}
	for _, level := range []int{0, 1, 9} {
		h := newHandler(t, s, func(o *static.Options) {
			o.Compress, o.CompressMaxFileSize, o.CompressLevel = []string{"text/html"}, 1<<20, level
		})
		res := serve(t, h, "GET", "/long.html", "Accept-Encoding", "gzip")
		if !strings.Contains(res.Header, "Content-Encoding: gzip\r\n") || len(res.Body)*10 > len(text) {
			t.Errorf("level %d: %d bytes for a %d-byte file (%q), want under a tenth", level, len(res.Body), len(text), res.Header)
		}
	}
}

// TestGzipETagModes: DeflateAlterETag NoChange sends the plain file's ETag
// with the compressed form, Remove sends none (and then only "*" matches
// If-None-Match); both keep the rest of the header and its 304.
func TestGzipETagModes(t *testing.T) {
	s := buildSite(t)
	const ae = "Accept-Encoding"
	plainETag := headerValue(serve(t, newHandler(t, s, nil), "GET", "/prose.html").Header, "ETag")
	for _, tc := range []struct {
		mode static.GzipETag
		etag string
	}{
		{static.GzipETagNoChange, plainETag},
		{static.GzipETagRemove, ""},
	} {
		h := newHandler(t, s, func(o *static.Options) {
			o.Compress, o.CompressMaxFileSize, o.GzipETag = []string{"text/html"}, 1<<20, tc.mode
		})
		for pass := 0; pass < 2; pass++ {
			r := serve(t, h, "GET", "/prose.html", ae, "gzip")
			has := strings.Contains(r.Header, "ETag")
			if r.Status != 200 || !strings.Contains(r.Header, "Content-Encoding: gzip\r\n") || headerValue(r.Header, "ETag") != tc.etag || tc.etag == "" && has {
				t.Errorf("mode %d pass %d: %d %q, want gzip with ETag %q", tc.mode, pass, r.Status, r.Header, tc.etag)
			}
			lm := headerValue(r.Header, "Last-Modified")
			want304 := "Last-Modified: " + lm + "\r\nAccept-Ranges: bytes\r\nVary: Accept-Encoding\r\n"
			inm := "*"
			if tc.etag != "" {
				want304 = "Last-Modified: " + lm + "\r\nETag: " + tc.etag + "\r\nAccept-Ranges: bytes\r\nVary: Accept-Encoding\r\n"
				inm = tc.etag
			}
			if r := serve(t, h, "GET", "/prose.html", ae, "gzip", "If-None-Match", inm); r.Status != 304 || r.Header != want304 {
				t.Errorf("mode %d pass %d: If-None-Match %s: %d %q, want 304 %q", tc.mode, pass, inm, r.Status, r.Header, want304)
			}
		}
	}
}

// TestGzipLargeFile: a file not kept in memory, larger than the read piece,
// goes out compressed and decompresses to itself; while another worker
// makes its compressed form, a request gets the file as it is, with Vary,
// and the next one after that the compressed form.
func TestGzipLargeFile(t *testing.T) {
	s := buildSite(t)
	var text strings.Builder
	for i := 0; text.Len() < 3<<20; i++ {
		fmt.Fprintf(&text, "line %d of a large script bundle\n", i)
	}
	big := filepath.Join(s.root, "big.txt")
	must(t, os.WriteFile(big, []byte(text.String()), 0o644))
	must(t, os.Chtimes(big, fileTime, fileTime))
	h := newHandler(t, s, func(o *static.Options) {
		o.Compress, o.CompressMaxFileSize, o.CacheMaxFileSize = []string{"text/plain"}, 16<<20, 64<<10
	})
	static.SetRacyWindow(h, 0)              // cache the file just written
	plain := serve(t, h, "GET", "/big.txt") // cached, not in memory
	if plain.Status != 200 || len(plain.Body) != text.Len() {
		t.Fatalf("plain: %d, %d bytes", plain.Status, len(plain.Body))
	}
	done := static.MarkCompressing(h, "/big.txt")
	r := serve(t, h, "GET", "/big.txt", "Accept-Encoding", "gzip")
	if r.Status != 200 || strings.Contains(r.Header, "Content-Encoding") || !strings.Contains(r.Header, "Vary: Accept-Encoding") || len(r.Body) != text.Len() {
		t.Errorf("while compressing: %d %q, %d bytes; want the file as it is, with Vary", r.Status, r.Header, len(r.Body))
	}
	done()
	for pass := 0; pass < 2; pass++ {
		r := serve(t, h, "GET", "/big.txt", "Accept-Encoding", "gzip")
		if r.Status != 200 || !strings.Contains(r.Header, "Content-Encoding: gzip\r\n") || len(r.Body) > text.Len()/5 {
			t.Fatalf("pass %d: %d %q, %d bytes", pass, r.Status, r.Header, len(r.Body))
		}
		zr, err := gzip.NewReader(strings.NewReader(r.Body))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := io.ReadAll(zr); string(got) != text.String() {
			t.Fatalf("pass %d: decompressed %d bytes, want the file's %d", pass, len(got), text.Len())
		}
	}
}

// TestGzipRanges: a client that accepts gzip gets ranges of the compressed
// form, as Apache's byterange filter cuts mod_deflate's output (If-Range
// against the compressed form's ETag), so a resumed download continues the
// same bytes; an If-Range naming the plain file's ETag gets ranges of the
// plain file.
func TestGzipRanges(t *testing.T) {
	s := buildSite(t)
	h := newHandler(t, s, func(o *static.Options) { o.Compress, o.CompressMaxFileSize = []string{"text/html"}, 1<<20 })
	const ae = "Accept-Encoding"
	plain := serve(t, h, "GET", "/prose.html")
	full := serve(t, h, "GET", "/prose.html", ae, "gzip")
	gzETag, n := headerValue(full.Header, "ETag"), len(full.Body)
	tail := fmt.Sprintf("%d-", n-10)
	for _, tc := range []struct {
		name   string
		hdr    []string
		status int
		body   string
		crange string
		gzip   bool
	}{
		{"a range of the compressed form", []string{"Range", "bytes=0-3"}, 206, full.Body[:4], fmt.Sprintf("bytes 0-3/%d", n), true},
		{"the rest of it", []string{"Range", "bytes=" + tail}, 206, full.Body[n-10:], fmt.Sprintf("bytes %d-%d/%d", n-10, n-1, n), true},
		{"If-Range: the compressed form", []string{"Range", "bytes=" + tail, "If-Range", gzETag}, 206, full.Body[n-10:], fmt.Sprintf("bytes %d-%d/%d", n-10, n-1, n), true},
		{"If-Range: the plain file", []string{"Range", "bytes=0-3", "If-Range", headerValue(plain.Header, "ETag")}, 206, plain.Body[:4], fmt.Sprintf("bytes 0-3/%d", len(plain.Body)), false},
		{"If-Range: an old tag", []string{"Range", "bytes=0-3", "If-Range", `"old-gzip"`}, 200, full.Body, "", true},
		{"past the compressed end", []string{"Range", fmt.Sprintf("bytes=%d-", n)}, 416, "", "", false},
	} {
		r := serve(t, h, "GET", "/prose.html", append([]string{ae, "gzip"}, tc.hdr...)...)
		if r.Status != tc.status || tc.status != 416 && r.Body != tc.body || headerValue(r.Header, "Content-Range") != tc.crange && tc.status == 206 ||
			strings.Contains(r.Header, "Content-Encoding: gzip") != tc.gzip {
			t.Errorf("%s: %d %q (%d bytes), want %d %s gzip %v", tc.name, r.Status, r.Header, len(r.Body), tc.status, tc.crange, tc.gzip)
		}
	}
	r := serve(t, h, "GET", "/prose.html", ae, "gzip", "Range", "bytes=0-1,5-6")
	if r.Status != 206 || !strings.Contains(r.Header, "Content-Encoding: gzip\r\n") || !strings.Contains(r.Header, "multipart/byteranges") ||
		!strings.Contains(r.Body, fmt.Sprintf("Content-Range: bytes 5-6/%d", n)) || !strings.Contains(r.Body, "Content-Type: text/html") {
		t.Errorf("two ranges: %d %q %q", r.Status, r.Header, r.Body)
	}
}
