package static_test

import (
	"bytes"
	"net/http"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"testing"

	"eventmpm/child/http1"
	"eventmpm/child/static"
)

// refClean is a slow, obvious model of CleanPath built on strings.Split.
func refClean(raw string) (string, int) {
	if raw == "" || raw[0] != '/' || strings.IndexByte(raw, 0) >= 0 {
		return "", 400
	}
	var out []string
	notFound, trailing := false, true
	for _, seg := range strings.Split(raw[1:], "/") {
		dec, ok := refUnescape(seg)
		if !ok {
			return "", 400
		}
		if strings.ContainsAny(dec, "/\x00") {
			notFound, dec = true, "%" // a segment, whatever it holds
		}
		switch dec {
		case "", ".":
			trailing = true
		case "..":
			if len(out) == 0 {
				return "", 400
			}
			out, trailing = out[:len(out)-1], true
		default:
			out, trailing = append(out, dec), false
		}
	}
	if notFound {
		return "", 404
	}
	p := "/" + strings.Join(out, "/")
	if trailing && len(out) > 0 {
		p += "/"
	}
	return p, 0
}

// refUnescape percent-decodes s with strconv.ParseUint.
func refUnescape(s string) (string, bool) {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if s[i] != '%' {
			b.WriteByte(s[i])
			continue
		}
		if i+2 >= len(s) || s[i+1] == '+' || s[i+1] == '-' {
			return "", false
		}
		v, err := strconv.ParseUint(s[i+1:i+3], 16, 8)
		if err != nil {
			return "", false
		}
		b.WriteByte(byte(v))
		i += 2
	}
	return b.String(), true
}

func FuzzCleanPath(f *testing.F) {
	for _, s := range []string{"/", "/a/../b", "/%2e%2e/x", "/a%2fb", "/a%00", "/%252e", "/..\\x", "/%c0%ae", "//a//b/", "/a/.", "/a/b/..", "/%", "/%zz", "/..", "*"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, raw string) {
		got, st := static.CleanPath([]byte(raw), nil)
		want, wst := refClean(raw)
		if st != wst || string(got) != want {
			t.Fatalf("CleanPath(%q) = %q, %d; model says %q, %d", raw, got, st, want, wst)
		}
		buf := []byte(raw)
		inPlace, st2 := static.CleanPath(buf, buf[:0])
		if st2 != st || !bytes.Equal(inPlace, got) {
			t.Fatalf("CleanPath(%q) in place = %q, %d; want %q, %d", raw, inPlace, st2, got, st)
		}
		if st != 0 {
			return
		}
		if len(got) > len(raw) || !static.CheckedPath(string(got)) {
			t.Fatalf("CleanPath(%q) = %q: longer than the input or not a checked path", raw, got)
		}
		for _, seg := range strings.Split(string(got), "/") {
			if seg == "." || seg == ".." {
				t.Fatalf("CleanPath(%q) = %q holds a dot segment", raw, got)
			}
		}
		if j := filepath.Join("/srv/root", string(got)); j != "/srv/root" && !strings.HasPrefix(j, "/srv/root/") {
			t.Fatalf("CleanPath(%q) = %q escapes the root: %q", raw, got, j)
		}
		if bytes.IndexByte(got, '%') < 0 {
			again, st3 := static.CleanPath(got, nil)
			if st3 != 0 || !bytes.Equal(again, got) {
				t.Fatalf("CleanPath is not idempotent on %q: %q, %d", got, again, st3)
			}
		}
	})
}

// refRange is a model of parseRange written with strings functions.
func refRange(field string, size int64) ([]static.Range, int) {
	if size <= 0 || len(field) < 6 || !strings.EqualFold(field[:6], "bytes=") {
		return nil, 0
	}
	var rs []static.Range
	specs, unsat := 0, 0
	for _, el := range strings.Split(field[6:], ",") {
		el = strings.Trim(el, " \t")
		if el == "" {
			continue
		}
		if specs++; specs > static.DefaultMaxRanges {
			return nil, 0
		}
		a, b, ok := strings.Cut(el, "-")
		if !ok || (a == "" && b == "") || !allDigits(a) || !allDigits(b) {
			return nil, 0
		}
		first, last := satoi(a), satoi(b)
		var r static.Range
		switch {
		case a == "" && last == 0:
			unsat++
			continue
		case a == "":
			r = static.Range{Start: max(0, size-last), End: size - 1}
		case b != "" && last < first:
			return nil, 0
		case first >= size:
			unsat++
			continue
		default:
			r = static.Range{Start: first, End: size - 1}
			if b != "" && last < size {
				r.End = last
			}
		}
		if n := len(rs); n > 0 && r.Start <= rs[n-1].End+1 && r.End >= rs[n-1].Start-1 {
			rs[n-1] = static.Range{Start: min(r.Start, rs[n-1].Start), End: max(r.End, rs[n-1].End)}
			continue
		}
		rs = append(rs, r)
	}
	if len(rs) == 0 {
		if unsat > 0 {
			return nil, 416
		}
		return nil, 0
	}
	var sum int64
	for _, r := range rs {
		sum += r.End - r.Start + 1
	}
	if sum > size {
		return nil, 0
	}
	return rs, 206
}

func allDigits(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] < '0' || s[i] > '9' {
			return false
		}
	}
	return true
}

// satoi parses digits, saturating at the largest int64.
func satoi(s string) int64 {
	v, err := strconv.ParseInt(s, 10, 64)
	if err != nil && s != "" {
		return 1<<63 - 1
	}
	return v
}

func FuzzRange(f *testing.F) {
	for _, s := range []string{"bytes=0-499", "bytes=-500", "bytes=9500-", "bytes=0-0,-1", "bytes= 1-2 ,, 3-4", "bytes=5-4", "bytes=0-,5-9", "BYTES=1-1", "bytes=99999999999999999999-", "bytes=-0", "items=1-2"} {
		f.Add(s, int64(10000))
	}
	f.Fuzz(func(t *testing.T, field string, size int64) {
		if size < 0 {
			size = -(size + 1)
		}
		got, st := static.ParseRange(field, size)
		want, wst := refRange(field, size)
		if st != wst || len(got) != len(want) {
			t.Fatalf("parseRange(%q, %d) = %v, %d; model says %v, %d", field, size, got, st, want, wst)
		}
		for i := range got {
			if got[i] != want[i] {
				t.Fatalf("parseRange(%q, %d) = %v; model says %v", field, size, got, want)
			}
			if r := got[i]; r.Start < 0 || r.Start > r.End || r.End >= size {
				t.Fatalf("parseRange(%q, %d): range %v outside the file", field, size, r)
			}
		}
	})
}

// etagElem matches one element of an entity-tag list at the start of the
// rest of the field, after separators: the model of etagListMatch. Go's
// regexp reads UTF-8, so the model first maps each byte >= 0x80 to its own
// rune in U+0180..U+01FF (obs-text).
var etagElem = regexp.MustCompile(`^[ \t,]*((W/)?("[\x21\x23-\x7e\x{180}-\x{1ff}]*"))[ \t]*(,|$)`)

// runify maps bytes >= 0x80 to distinct runes, keeping ASCII.
func runify(s string) string {
	var b strings.Builder
	for i := 0; i < len(s); i++ {
		if c := s[i]; c < 0x80 {
			b.WriteByte(c)
		} else {
			b.WriteRune(0x100 + rune(c))
		}
	}
	return b.String()
}

func refETagMatch(field, etag string, weak bool) bool {
	field, etag = runify(strings.Trim(field, " \t")), runify(etag)
	if field == "*" {
		return true
	}
	ourWeak := strings.HasPrefix(etag, "W/")
	ours := strings.TrimPrefix(etag, "W/")
	for strings.Trim(field, " \t,") != "" {
		m := etagElem.FindStringSubmatchIndex(field)
		if m == nil {
			return false
		}
		if field[m[6]:m[7]] == ours && (weak || (m[4] < 0 && !ourWeak)) {
			return true
		}
		field = field[m[1]:]
	}
	return false
}

func FuzzConditional(f *testing.F) {
	f.Add(`"d-60dedc04fb580"`, `W/"x", "d-60dedc04fb580"`, "Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994", int64(784111777), uint8(0xff))
	f.Add(`W/"a"`, `*`, "Tue, 02 Jan 2024 03:04:05 GMT", "", `"a"`, int64(0), uint8(5))
	f.Fuzz(func(t *testing.T, etag, list, date1, date2, ifRange string, modTime int64, mask uint8) {
		for _, weak := range []bool{false, true} {
			if got, want := static.ETagListMatch(list, etag, weak), refETagMatch(list, etag, weak); got != want {
				t.Fatalf("etagListMatch(%q, %s, weak %v) = %v; model says %v", list, etag, weak, got, want)
			}
		}
		for _, d := range []string{date1, date2, ifRange} {
			checkDate(t, d)
		}
		strong := mask&0x80 != 0
		if static.IfRangeMatches(ifRange, etag, modTime, strong) {
			tm, isDate := http1.ParseHTTPDate([]byte(ifRange))
			byDate := isDate && strong && tm.Unix() == modTime
			byTag := ifRange == etag && !strings.HasPrefix(etag, "W/") && strings.HasPrefix(etag, `"`)
			if !byDate && !byTag {
				t.Fatalf("If-Range %q matched %s (mod %d, strong %v) without reason", ifRange, etag, modTime, strong)
			}
		}
		var hdr []string
		for i, kv := range [][2]string{{"If-Match", list}, {"If-None-Match", list}, {"If-Modified-Since", date1}, {"If-Unmodified-Since", date2}} {
			if mask&(1<<i) != 0 {
				hdr = append(hdr, kv[0], kv[1])
			}
		}
		method := "GET"
		if mask&0x40 != 0 {
			method = "HEAD"
		}
		req := newRequest(method, "", hdr...)
		const now = 1 << 31
		if got, want := static.CheckPreconditions(req, etag, modTime, now), refPreconditions(req, etag, modTime, now); got != want {
			t.Fatalf("preconditions %q on %s (mod %d) = %d; model says %d", hdr, etag, modTime, got, want)
		}
	})
}

// refPreconditions is RFC 9110 13.2.2 steps 1-4 over the model matchers.
func refPreconditions(req *http1.Request, etag string, mod, now int64) int {
	date := func(b []byte) (int64, bool) {
		tm, ok := http1.ParseHTTPDate(b)
		return tm.Unix(), ok
	}
	if req.IfMatch != nil {
		if !refETagMatch(string(req.IfMatch), etag, false) {
			return 412
		}
	} else if d, ok := date(req.IfUnmodifiedSince); req.IfUnmodifiedSince != nil && ok && mod > d {
		return 412
	}
	if req.IfNoneMatch != nil {
		if refETagMatch(string(req.IfNoneMatch), etag, true) {
			return 304
		}
	} else if d, ok := date(req.IfModifiedSince); req.IfModifiedSince != nil && ok && d <= now && mod <= d {
		return 304
	}
	return 0
}

// checkDate checks ParseHTTPDate against AppendHTTPDate and net/http.
func checkDate(t *testing.T, d string) {
	tm, ok := http1.ParseHTTPDate([]byte(d))
	if !ok {
		return
	}
	again, ok2 := http1.ParseHTTPDate(http1.AppendHTTPDate(nil, tm))
	if !ok2 || !again.Equal(tm) {
		t.Fatalf("ParseHTTPDate(%q) = %v, which does not round-trip", d, tm)
	}
	if strings.Contains(d, ":60") || strings.Contains(d, "-") { // leap seconds; RFC 850 years differ
		return
	}
	if ht, err := http.ParseTime(d); err != nil || !ht.Equal(tm) {
		t.Fatalf("ParseHTTPDate(%q) = %v; net/http says %v, %v", d, tm, ht, err)
	}
}
