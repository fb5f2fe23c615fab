package static_test

import (
	"eventmpm/child/http1"
	"os"
	"path/filepath"
	"testing"
	"time"

	"eventmpm/child/static"
)

func TestAppendETag(t *testing.T) {
	mt := time.Date(2024, 1, 2, 3, 4, 5, 123456789, time.UTC)
	tests := []struct {
		size int64
		weak bool
		want string
	}{
		{size: 13, want: `"d-60dedc04fb580"`},
		{size: 0, want: `"0-60dedc04fb580"`},
		{size: 1 << 20, weak: true, want: `W/"100000-60dedc04fb580"`},
	}
	for _, tt := range tests {
		if got := static.AppendETag(tt.size, mt, tt.weak); got != tt.want {
			t.Errorf("ETag(%d, weak %v) = %s, want %s", tt.size, tt.weak, got, tt.want)
		}
	}
}

func TestETagListMatch(t *testing.T) {
	tests := []struct {
		field, etag  string
		weak, strong bool // expected results of the two comparisons
	}{
		{field: `"a"`, etag: `"a"`, weak: true, strong: true},
		{field: `"a"`, etag: `W/"a"`, weak: true, strong: false},
		{field: `W/"a"`, etag: `"a"`, weak: true, strong: false},
		{field: `W/"a"`, etag: `W/"a"`, weak: true, strong: false},
		{field: `"b"`, etag: `"a"`},
		{field: `*`, etag: `"a"`, weak: true, strong: true},
		{field: ` * `, etag: `"a"`, weak: true, strong: true},
		{field: `"x", "a"`, etag: `"a"`, weak: true, strong: true},
		{field: `"x" ,  W/"a" ,`, etag: `"a"`, weak: true},
		{field: `, ,"a"`, etag: `"a"`, weak: true, strong: true},
		{field: `"a,b"`, etag: `"a,b"`, weak: true, strong: true},
		{field: `"a,b"`, etag: `"a"`},
		{field: `a`, etag: `"a"`},
		{field: `"a`, etag: `"a"`},
		{field: `"a" "b"`, etag: `"b"`},
		{field: `"a"0`, etag: `"a"`},
		{field: `"a"x, "a"`, etag: `"a"`},
		{field: `"a b"`, etag: `"a b"`},
		{field: `w/"a"`, etag: `"a"`},
		{field: `"*"`, etag: `"a"`},
		{field: ``, etag: `"a"`},
	}
	for _, tt := range tests {
		if got := static.ETagListMatch(tt.field, tt.etag, true); got != tt.weak {
			t.Errorf("weak match(%q, %s) = %v, want %v", tt.field, tt.etag, got, tt.weak)
		}
		if got := static.ETagListMatch(tt.field, tt.etag, false); got != tt.strong {
			t.Errorf("strong match(%q, %s) = %v, want %v", tt.field, tt.etag, got, tt.strong)
		}
	}
}

func TestIfRangeMatches(t *testing.T) {
	lm := fileTime.Unix()
	tests := []struct {
		field, etag string
		strongDate  bool
		want        bool
	}{
		{field: `"a"`, etag: `"a"`, strongDate: true, want: true},
		{field: `"b"`, etag: `"a"`, strongDate: true},
		{field: `W/"a"`, etag: `"a"`, strongDate: true},
		{field: `"a"`, etag: `W/"a"`},
		{field: `"a", "b"`, etag: `"a"`, strongDate: true},
		{field: fileTimeHTTP, etag: `"a"`, strongDate: true, want: true},
		{field: fileTimeHTTP, etag: `W/"a"`, strongDate: false},
		{field: "Tue, 02 Jan 2024 03:04:06 GMT", etag: `"a"`, strongDate: true},
		{field: "Tuesday, 02-Jan-24 03:04:05 GMT", etag: `"a"`, strongDate: true, want: true},
		{field: "yesterday", etag: `"a"`, strongDate: true},
		{field: "", etag: `"a"`, strongDate: true},
	}
	for _, tt := range tests {
		if got := static.IfRangeMatches(tt.field, tt.etag, lm, tt.strongDate); got != tt.want {
			t.Errorf("IfRange(%q) against %s (strong date %v) = %v, want %v", tt.field, tt.etag, tt.strongDate, got, tt.want)
		}
	}
}

// TestConditional runs the RFC 9110 13.2.2 cases against a cached file.
func TestConditional(t *testing.T) {
	s := buildSite(t)
	h := newHandler(t, s, nil)
	etag := etagOf(13)
	full := "Last-Modified: " + fileTimeHTTP + "\r\nETag: " + etag + "\r\nAccept-Ranges: bytes\r\nContent-Type: text/plain; charset=UTF-8\r\n"
	notMod := "Last-Modified: " + fileTimeHTTP + "\r\nETag: " + etag + "\r\nAccept-Ranges: bytes\r\n" // as Apache 2.4's 304
	before := "Tue, 02 Jan 2024 03:04:04 GMT"
	after := "Tue, 02 Jan 2024 04:04:05 GMT"
	future := http1.AppendHTTPDate(nil, time.Now().Add(48*time.Hour))
	tests := []struct {
		name   string
		method string
		hdr    []string
		status int
		header string
	}{
		{name: "none", hdr: nil, status: 200, header: full},
		{name: "INM match", hdr: []string{"If-None-Match", etag}, status: 304, header: notMod},
		{name: "INM weak form matches weakly", hdr: []string{"If-None-Match", "W/" + etag}, status: 304, header: notMod},
		{name: "INM list", hdr: []string{"If-None-Match", `"x", ` + etag}, status: 304, header: notMod},
		{name: "INM star", hdr: []string{"If-None-Match", "*"}, status: 304, header: notMod},
		{name: "INM other", hdr: []string{"If-None-Match", `"x"`}, status: 200, header: full},
		{name: "INM HEAD", method: "HEAD", hdr: []string{"If-None-Match", etag}, status: 304, header: notMod},
		{name: "IM match", hdr: []string{"If-Match", etag}, status: 200, header: full},
		{name: "IM star", hdr: []string{"If-Match", "*"}, status: 200, header: full},
		{name: "IM weak never matches", hdr: []string{"If-Match", "W/" + etag}, status: 412},
		{name: "IM other", hdr: []string{"If-Match", `"x"`}, status: 412},
		{name: "IM malformed", hdr: []string{"If-Match", `x`}, status: 412},
		{name: "IUS equal", hdr: []string{"If-Unmodified-Since", fileTimeHTTP}, status: 200, header: full},
		{name: "IUS before", hdr: []string{"If-Unmodified-Since", before}, status: 412},
		{name: "IUS invalid ignored", hdr: []string{"If-Unmodified-Since", "garbage"}, status: 200, header: full},
		{name: "IM wins over IUS", hdr: []string{"If-Match", etag, "If-Unmodified-Since", before}, status: 200, header: full},
		{name: "IM fails before INM", hdr: []string{"If-Match", `"x"`, "If-None-Match", etag}, status: 412},
		{name: "IMS equal", hdr: []string{"If-Modified-Since", fileTimeHTTP}, status: 304, header: notMod},
		{name: "IMS after", hdr: []string{"If-Modified-Since", after}, status: 304, header: notMod},
		{name: "IMS rfc850", hdr: []string{"If-Modified-Since", "Tuesday, 02-Jan-24 03:04:05 GMT"}, status: 304, header: notMod},
		{name: "IMS asctime", hdr: []string{"If-Modified-Since", "Tue Jan  2 03:04:05 2024"}, status: 304, header: notMod},
		{name: "IMS with a length, as old browsers send it", hdr: []string{"If-Modified-Since", fileTimeHTTP + "; length=13"}, status: 304, header: notMod},
		{name: "IMS in UTC, one-digit day", hdr: []string{"If-Modified-Since", "Tue, 2 Jan 2024 03:04:05 UTC"}, status: 304, header: notMod},
		{name: "IUS in UTC before", hdr: []string{"If-Unmodified-Since", "Tue, 02 Jan 2024 03:04:04 UTC"}, status: 412},
		{name: "IMS before", hdr: []string{"If-Modified-Since", before}, status: 200, header: full},
		{name: "IMS invalid", hdr: []string{"If-Modified-Since", "Tue, 02 Jan 2024"}, status: 200, header: full},
		{name: "IMS future ignored", hdr: []string{"If-Modified-Since", string(future)}, status: 200, header: full},
		{name: "INM other wins over IMS", hdr: []string{"If-None-Match", `"x"`, "If-Modified-Since", after}, status: 200, header: full},
		{name: "IUS ok then INM match", hdr: []string{"If-Unmodified-Since", after, "If-None-Match", etag}, status: 304, header: notMod},
		{name: "INM match beats Range", hdr: []string{"If-None-Match", etag, "Range", "bytes=0-1"}, status: 304, header: notMod},
		{name: "IM fail beats Range", hdr: []string{"If-Match", `"x"`, "Range", "bytes=0-1"}, status: 412},
		{name: "POST is refused first", method: "POST", hdr: []string{"If-None-Match", etag}, status: 405, header: "Allow: GET,HEAD,OPTIONS\r\n"},
	}
	for _, tt := range tests {
		method := tt.method
		if method == "" {
			method = "GET"
		}
		res := serve(t, h, method, "/hello.txt", tt.hdr...)
		if res.Status != tt.status || res.Header != tt.header {
			t.Errorf("%s: got %d %q, want %d %q", tt.name, res.Status, res.Header, tt.status, tt.header)
		}
		wantBody := ""
		if tt.status == 200 && method == "GET" {
			wantBody = "hello, world\n"
		}
		if res.Body != wantBody || res.NoBody != (tt.status == 304 || method == "HEAD") {
			t.Errorf("%s: body %q NoBody %v, want %q NoBody %v", tt.name, res.Body, res.NoBody, wantBody, tt.status == 304 || method == "HEAD")
		}
	}
}

// TestConditionalWeak checks a file changed within the last second: its
// ETag is weak and it is not cached.
func TestConditionalWeak(t *testing.T) {
	s := buildSite(t)
	h := newHandler(t, s, nil)
	p := filepath.Join(s.root, "fresh.txt")
	must(t, os.WriteFile(p, []byte("fresh"), 0o644))
	now := time.Now()
	must(t, os.Chtimes(p, now, now))
	res := serve(t, h, "GET", "/fresh.txt")
	etag := headerValue(res.Header, "ETag")
	if want := static.AppendETag(5, now, true); etag != want {
		t.Fatalf("ETag of a fresh file = %s, want %s", etag, want)
	}
	if res.Kind != "file" || static.CacheLen(h) != 0 {
		t.Errorf("fresh file served as %q with %d cached entries, want a file reply and none", res.Kind, static.CacheLen(h))
	}
	tests := []struct {
		hdr    []string
		status int
	}{
		{hdr: []string{"If-None-Match", etag}, status: 304},
		{hdr: []string{"If-Match", etag}, status: 412},
		{hdr: []string{"Range", "bytes=0-1", "If-Range", etag}, status: 200},
		{hdr: []string{"Range", "bytes=0-1", "If-Range", string(http1.AppendHTTPDate(nil, now))}, status: 200},
		{hdr: []string{"Range", "bytes=0-1"}, status: 206},
	}
	for _, tt := range tests {
		if res := serve(t, h, "GET", "/fresh.txt", tt.hdr...); res.Status != tt.status {
			t.Errorf("fresh file %q: got %d, want %d", tt.hdr, res.Status, tt.status)
		}
	}
	// A modification time in the future is clamped to now in
	// Last-Modified, but the ETag keeps the real one, as Apache's does: a
	// clamped one changed with the clock, and the file could never be
	// revalidated.
	future := now.Add(time.Hour)
	must(t, os.Chtimes(p, future, future))
	res = serve(t, h, "GET", "/fresh.txt")
	lm, ok := http1.ParseHTTPDate([]byte(headerValue(res.Header, "Last-Modified")))
	if !ok || lm.After(time.Now()) {
		t.Errorf("future mtime: Last-Modified %v, want at most now", lm)
	}
	etag = headerValue(res.Header, "ETag")
	if want := static.AppendETag(5, future, true); etag != want {
		t.Errorf("future mtime: ETag %s, want %s", etag, want)
	}
	if res := serve(t, h, "GET", "/fresh.txt", "If-None-Match", etag); res.Status != 304 {
		t.Errorf("future mtime: If-None-Match with its own ETag got %d, want 304", res.Status)
	}
}

// TestPreconditions: validators from a script's response; without a
// Last-Modified the date conditions do not apply.
func TestPreconditions(t *testing.T) {
	lm := time.Date(2026, 12, 7, 0, 0, 0, 0, time.UTC)
	now := lm.Add(time.Hour).Unix()
	for _, tc := range []struct {
		field, value string
		etag         string
		lm           time.Time
		want         int
	}{
		{"If-Modified-Since", "Mon, 07 Dec 2026 00:00:00 GMT", "", lm, 304},
		{"If-Modified-Since", "Sun, 06 Dec 2026 00:00:00 GMT", "", lm, 0},
		{"If-Modified-Since", "Mon, 07 Dec 2026 00:00:00 GMT", "", time.Time{}, 0},
		{"If-Unmodified-Since", "Sun, 06 Dec 2026 00:00:00 GMT", "", lm, 412},
		{"If-Unmodified-Since", "Sun, 06 Dec 2026 00:00:00 GMT", "", time.Time{}, 0},
		{"If-None-Match", `"a"`, `"a"`, time.Time{}, 304},
		{"If-Match", `"b"`, `"a"`, lm, 412},
	} {
		var p http1.Parser
		var req http1.Request
		raw := "GET /x HTTP/1.1\r\nHost: h\r\n" + tc.field + ": " + tc.value + "\r\n\r\n"
		lim := http1.DefaultLimits()
		if _, err := p.Parse([]byte(raw), &lim, &req); err != nil {
			t.Fatal(err)
		}
		var etag []byte
		if tc.etag != "" {
			etag = []byte(tc.etag)
		}
		if got := static.Preconditions(&req, etag, tc.lm, now); got != tc.want {
			t.Errorf("%s: %s (etag %q, Last-Modified %v): %d, want %d", tc.field, tc.value, tc.etag, tc.lm, got, tc.want)
		}
	}
}
