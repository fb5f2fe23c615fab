package http1

import (
	"strings"
	"testing"
)

// decodeAll runs a decoder over in, feeding at most step bytes of input and
// offering at most outStep bytes of output per call, and returns the data,
// how many input bytes were consumed in total and the error.
func decodeAll(in string, lim *Limits, step, outStep int) (data string, used int, err error) {
	var d ChunkedDecoder
	d.Reset(lim)
	var sb strings.Builder
	out := make([]byte, outStep)
	avail := 0
	for {
		avail = min(avail+step, len(in))
		c, p, done, err := d.Decode([]byte(in[used:avail]), out)
		sb.Write(out[:p])
		used += c
		if err != nil || done {
			return sb.String(), used, err
		}
		if c == 0 && p == 0 && avail == len(in) {
			return sb.String(), used, ErrNeedMore
		}
	}
}

type chunkCase struct {
	name string
	in   string
	lim  *Limits
	want string      // decoded data
	rest int         // bytes left after the body
	err  *ParseError // nil: success
}

var chunkCases = []chunkCase{
	{"one chunk", "5\r\nhello\r\n0\r\n\r\n", nil, "hello", 0, nil},
	{"several chunks, hex sizes", "3\r\nabc\r\nA\r\n0123456789\r\n0\r\n\r\n", nil, "abc0123456789", 0, nil},
	{"uppercase and lowercase hex, leading zeros", "00b\r\nhello world\r\n000\r\n\r\n", nil, "hello world", 0, nil},
	{"empty body", "0\r\n\r\n", nil, "", 0, nil},
	{"next request follows", "1\r\nx\r\n0\r\n\r\nGET /", nil, "x", 5, nil},
	{"extension", "5;name\r\nhello\r\n0\r\n\r\n", nil, "hello", 0, nil},
	{"extensions with values and BWS", "5 ; a = b ;c=\"q;\\\"x\" ; d\t\r\nhello\r\n0;last=1\r\n\r\n", nil, "hello", 0, nil},
	{"trailing whitespace before CRLF", "5 \r\nhello\r\n0\r\n\r\n", nil, "hello", 0, nil},
	{"trailers are discarded", "5\r\nhello\r\n0\r\nExpires: never\r\nX-Sum: a\tb\r\n\r\n", nil, "hello", 0, nil},
	{"body at LimitRequestBody", "5\r\nhello\r\n5\r\nworld\r\n0\r\n\r\n", &Limits{8190, 8190, 100, 10}, "helloworld", 0, nil},
	{"size line at the limit", "005\r\nhello\r\n0\r\n\r\n", &Limits{8190, 3, 100, 0}, "hello", 0, nil},

	{"body over LimitRequestBody", "5\r\nhello\r\n6\r\nworld!\r\n0\r\n\r\n", &Limits{8190, 8190, 100, 10}, "hello", 0, errBodyTooLarge},
	{"empty size", "\r\nhello\r\n", nil, "", 0, errChunkSize},
	{"non-hex size", "g\r\n", nil, "", 0, errChunkSize},
	{"negative size", "-1\r\n", nil, "", 0, errChunkSize},
	{"0x prefix", "0x5\r\nhello\r\n", nil, "", 0, errChunkSize},
	{"size overflow", "8000000000000000\r\n", nil, "", 0, errChunkOver},
	{"largest size is accepted then limited", "7fffffffffffffff\r\n", &Limits{8190, 8190, 100, 1 << 30}, "", 0, errBodyTooLarge},
	{"size line over the limit", "0005\r\nhello\r\n", &Limits{8190, 3, 100, 0}, "", 0, errChunkLine},
	{"bare LF after size", "5\nhello\r\n0\r\n\r\n", nil, "", 0, errBareLF},
	{"bare CR after size", "5\rhello\r\n", nil, "", 0, errBareCR},
	{"data not followed by CRLF", "5\r\nhelloX\r\n", nil, "hello", 0, errChunkCRLF},
	{"data followed by bare LF", "5\r\nhello\n0\r\n\r\n", nil, "hello", 0, errChunkCRLF},
	{"extension without name", "5;\r\nhello\r\n", nil, "", 0, errChunkExt},
	{"extension with empty value", "5;a=\r\nhello\r\n", nil, "", 0, errChunkExt},
	{"extension name not a token", "5;a@b\r\nhello\r\n", nil, "", 0, errChunkExt},
	{"unterminated quoted string", "5;a=\"x\r\nhello\r\n", nil, "", 0, errChunkExt},
	{"control byte in quoted string", "5;a=\"\x01\"\r\nhello\r\n", nil, "", 0, errChunkExt},
	{"text after a value", "5;a=b c\r\nhello\r\n", nil, "", 0, errChunkExt},
	{"whitespace then garbage after size", "5 x\r\nhello\r\n", nil, "", 0, errChunkExt},
	{"trailer obs-fold", "0\r\nA: b\r\n c\r\n\r\n", nil, "", 0, errObsFold},
	{"trailer without colon", "0\r\nAb\r\n\r\n", nil, "", 0, errNoColon},
	{"trailer space before colon", "0\r\nA : b\r\n\r\n", nil, "", 0, errFieldSpace},
	{"trailer bad name", "0\r\n(A): b\r\n\r\n", nil, "", 0, errFieldName},
	{"trailer NUL", "0\r\nA: \x00\r\n\r\n", nil, "", 0, errNUL},
	{"trailer bare LF", "0\r\nA: b\n\r\n", nil, "", 0, errBareLF},
	{"trailer bare CR", "0\r\nA: b\rc\r\n\r\n", nil, "", 0, errBareCR},
	{"final bare LF", "0\r\n\n", nil, "", 0, errBareLF},
	{"too many trailers", "0\r\nA: 1\r\nB: 2\r\n\r\n", &Limits{8190, 8190, 1, 0}, "", 0, errTooManyFields},
	{"trailer over the field limit", "0\r\nA: 123456\r\n\r\n", &Limits{8190, 8, 100, 0}, "", 0, errFieldTooLong},
	{"truncated", "5\r\nhel", nil, "hel", 0, nil},
}

func TestChunkedDecoder(t *testing.T) {
	for _, tc := range chunkCases {
		t.Run(tc.name, func(t *testing.T) {
			for _, feed := range []struct{ step, out int }{{len(tc.in), 64}, {1, 64}, {3, 1}, {len(tc.in), 2}} {
				data, used, err := decodeAll(tc.in, tc.lim, feed.step, feed.out)
				var wantErr error
				if tc.err != nil {
					wantErr = tc.err
				}
				if tc.name == "truncated" {
					wantErr = ErrNeedMore
				}
				if err != wantErr {
					t.Fatalf("feed %+v: err = %v, want %v", feed, err, wantErr)
				}
				if data != tc.want {
					t.Errorf("feed %+v: got data %q, want %q", feed, data, tc.want)
				}
				if err == nil && len(tc.in)-used != tc.rest {
					t.Errorf("feed %+v: got %d bytes left, want %d", feed, len(tc.in)-used, tc.rest)
				}
			}
		})
	}
}

func TestChunkedDiscard(t *testing.T) {
	in := "5\r\nhello\r\n3;x=y\r\nabc\r\n0\r\nT: v\r\n\r\nNEXT"
	var d ChunkedDecoder
	d.Reset(nil)
	used := 0
	for i := 1; i <= len(in) && !d.Done(); i++ {
		c, done, err := d.Discard([]byte(in[used:i]))
		if err != nil {
			t.Fatal(err)
		}
		used += c
		if done != d.Done() {
			t.Fatalf("done = %v, Done() = %v", done, d.Done())
		}
	}
	if got, want := in[used:], "NEXT"; got != want {
		t.Errorf("got rest %q, want %q", got, want)
	}
	if got, want := d.Received(), int64(8); got != want {
		t.Errorf("got Received %v, want %v", got, want)
	}
}

func TestChunkedInPlace(t *testing.T) {
	buf := []byte("3\r\nabc\r\n2;e\r\nde\r\n0\r\n\r\n")
	var d ChunkedDecoder
	d.Reset(nil)
	_, p, done, err := d.Decode(buf, buf)
	if err != nil || !done {
		t.Fatalf("got done %v, err %v, want true, nil", done, err)
	}
	if got, want := string(buf[:p]), "abcde"; got != want {
		t.Errorf("got %q, want %q", got, want)
	}
}

func TestChunkedReceivedMidChunk(t *testing.T) {
	var d ChunkedDecoder
	d.Reset(nil)
	out := make([]byte, 16)
	d.Decode([]byte("a\r\n0123"), out)
	if got, want := d.Received(), int64(4); got != want {
		t.Errorf("got %v, want %v", got, want)
	}
}
