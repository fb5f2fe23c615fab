package http1

import (
	"bytes"
	"io"
	"net/http"
	"net/http/httputil"
	"strings"
	"testing"
	"time"
)

// chunkedStricter explains the chunked bodies we refuse and
// net/http/httputil.NewChunkedReader reads; any other refusal fails
// FuzzChunked.
var chunkedStricter = map[*ParseError]string{
	errChunkExt:     "RFC 9112 7.1.1 gives chunk-ext a grammar; net/http cuts at ';' and ignores the rest",
	errChunkLine:    "LimitRequestFieldSize bounds a chunk-size line; net/http's bound is 4 KiB",
	errBodyTooLarge: "LimitRequestBody; net/http has none",
}

func FuzzChunked(f *testing.F) {
	for _, c := range chunkCases {
		f.Add([]byte(c.in), uint8(3))
	}
	f.Fuzz(func(t *testing.T, data []byte, step uint8) {
		lim := fuzzLimits
		lim.Body = 1 << 20
		whole, used, err := decodeAll(string(data), &lim, len(data)+1, len(data)+1)
		pieces, used2, err2 := decodeAll(string(data), &lim, int(step%16)+1, int(step/16)+1)
		if whole != pieces || used != used2 || err != err2 {
			t.Fatalf("in pieces of %d: got %q %d %v, whole: %q %d %v; input %q", step, pieces, used2, err2, whole, used, err, data)
		}
		compareChunkedReader(t, data, &lim, whole, err)
		roundTrip(t, data, step)
	})
}

// compareChunkedReader checks our verdict against net/http's chunked
// reader, which stops after the last chunk and leaves trailers alone.
func compareChunkedReader(t *testing.T, data []byte, lim *Limits, ours string, err error) {
	theirs, theirErr := io.ReadAll(httputil.NewChunkedReader(bytes.NewReader(data)))
	var d ChunkedDecoder
	d.Reset(lim)
	d.Discard(data)
	inTrailers := d.state >= csTrailerStart
	switch {
	case theirErr == nil && err == nil:
		if string(theirs) != ours {
			t.Fatalf("got %q, net/http %q; input %q", ours, theirs, data)
		}
	case theirErr == nil && err != ErrNeedMore && !inTrailers:
		if pe, _ := err.(*ParseError); chunkedStricter[pe] == "" {
			t.Fatalf("we refuse with %v, net/http accepts; input %q", err, data)
		}
	case theirErr != nil && err == nil:
		// net/http refuses more than 16 hex digits even when they are
		// leading zeros, chunk overhead it deems excessive, and BWS
		// before ';' (it cuts at ';' before trimming); all are valid
		// RFC 9112 7.1.
		msg := theirErr.Error()
		bws := bytes.Contains(data, []byte(" ;")) || bytes.Contains(data, []byte("\t;"))
		if !strings.Contains(msg, "too large") && !strings.Contains(msg, "too much non-data") &&
			!(bws && strings.Contains(msg, "invalid byte in chunk length")) {
			t.Fatalf("we accept, net/http refuses with %v; input %q", theirErr, data)
		}
	}
}

// roundTrip encodes data with net/http's chunked writer, in pieces whose
// size depends on step, adds a trailer, and decodes it back.
func roundTrip(t *testing.T, data []byte, step uint8) {
	var enc bytes.Buffer
	w := httputil.NewChunkedWriter(&enc)
	for rest, n := data, int(step)+1; len(rest) > 0; rest = rest[min(n, len(rest)):] {
		w.Write(rest[:min(n, len(rest))])
	}
	w.Close()
	enc.WriteString("X-Trailer: 1\r\n\r\n")
	got, used, err := decodeAll(enc.String(), nil, enc.Len(), len(data)+1)
	if err != nil || got != string(data) || used != enc.Len() {
		t.Fatalf("round trip: got %q %d %v, want %q %d nil", got, used, err, data, enc.Len())
	}
}

func FuzzHTTPDate(f *testing.F) {
	for _, s := range []string{
		"Sun, 06 Nov 1994 08:49:37 GMT", "Sunday, 06-Nov-94 08:49:37 GMT", "Sun Nov  6 08:49:37 1994",
		"Thu, 29 Feb 2024 23:59:59 GMT", "Wed, 31 Dec 9999 00:00:00 GMT", "Mon, 01 Jan 0001 00:00:00 GMT",
		"Sun, 06 Nov 1994 08:49:37 GMT; length=12", "Sun, 6 Nov 1994 08:49:37 UTC", "Sat, 31 Dec 2016 23:59:60 +0000",
	} {
		f.Add([]byte(s), int64(0))
	}
	now := func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }
	f.Fuzz(func(t *testing.T, b []byte, unix int64) {
		// Any time formats as an IMF-fixdate that parses back to it.
		tm := time.Unix(unix%(253402300800), 0).UTC()
		if got, ok := ParseHTTPDate(AppendHTTPDate(nil, tm)); tm.Year() >= 0 && (!ok || !got.Equal(tm)) {
			t.Fatalf("round trip of %v: got %v, %v", tm, got, ok)
		}
		ours, ok := parseHTTPDate(b, now)
		if ok {
			again, ok2 := parseHTTPDate(AppendHTTPDate(nil, ours), now)
			if !ok2 || !again.Equal(ours) {
				t.Fatalf("reformatted %q: got %v, %v, want %v", b, again, ok2, ours)
			}
		}
		compareParseTime(t, b, ours, ok)
		// Apache's reading takes every date the strict one takes, to the
		// same time (RFC 850 years aside: Apache's century rule differs),
		// and what it takes alone formats to a date both read back.
		loose, lok := ParseConditionalDate(b)
		if strict, sok := ParseHTTPDate(b); sok && (!lok || !loose.Equal(strict)) {
			t.Fatalf("%q: strict %v, Apache's reading %v %v", b, strict, loose, lok)
		}
		if lok && loose.Year() <= 9999 {
			if again, ok := ParseHTTPDate(AppendHTTPDate(nil, loose)); !ok || !again.Equal(loose) {
				t.Fatalf("%q: %v does not format back (%v %v)", b, loose, again, ok)
			}
		}
	})
}

// compareParseTime checks ParseHTTPDate against net/http.ParseTime. Go's
// layouts are laxer (month and day names in any case, a day without its
// padding), so where net/http alone accepts, the input must not be in the
// canonical form of any of the three layouts. RFC 850 years differ by
// design: RFC 9110 pins them to within 50 years of now, Go to 1969..2068.
func compareParseTime(t *testing.T, b []byte, ours time.Time, ok bool) {
	theirs, err := http.ParseTime(string(b))
	switch {
	case ok && err == nil:
		if ours.Year()%100 != theirs.Year()%100 || !ours.AddDate(theirs.Year()-ours.Year(), 0, 0).Equal(theirs) {
			t.Fatalf("%q: got %v, net/http %v", b, ours, theirs)
		}
	case ok:
		t.Fatalf("%q: we accept %v, net/http refuses: %v", b, ours, err)
	case err == nil:
		for _, layout := range []string{TimeFormat, time.RFC850, time.ANSIC} {
			gmt := layout == time.ANSIC || bytes.HasSuffix(b, []byte(" GMT")) // Go reads any zone name
			if gmt && theirs.Format(layout) == string(b) {
				t.Fatalf("%q: we refuse a canonical date net/http reads as %v", b, theirs)
			}
		}
	}
}
