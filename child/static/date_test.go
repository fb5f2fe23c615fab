package static_test

import (
	"net/http"
	"testing"
	"time"

	"eventmpm/child/static"
)

func TestAppendHTTPDate(t *testing.T) {
	tests := []struct {
		t    time.Time
		want string
	}{
		{t: time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC), want: "Sun, 06 Nov 1994 08:49:37 GMT"},
		{t: time.Date(2024, 1, 2, 3, 4, 5, 999999999, time.UTC), want: "Tue, 02 Jan 2024 03:04:05 GMT"},
		{t: time.Date(2000, 2, 29, 23, 59, 59, 0, time.FixedZone("X", 3600)), want: "Tue, 29 Feb 2000 22:59:59 GMT"},
		{t: time.Unix(0, 0), want: "Thu, 01 Jan 1970 00:00:00 GMT"},
	}
	for _, tt := range tests {
		if got := string(static.AppendHTTPDate(nil, tt.t)); got != tt.want {
			t.Errorf("AppendHTTPDate(%v) = %q, want %q", tt.t, got, tt.want)
		}
		if got, want := string(static.AppendHTTPDate(nil, tt.t)), tt.t.UTC().Format(http.TimeFormat); got != want {
			t.Errorf("AppendHTTPDate(%v) = %q, net/http formats %q", tt.t, got, want)
		}
	}
}

func TestParseHTTPDate(t *testing.T) {
	nov6 := time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC)
	tests := []struct {
		in   string
		want time.Time
		ok   bool
	}{
		{in: "Sun, 06 Nov 1994 08:49:37 GMT", want: nov6, ok: true},
		{in: "Sunday, 06-Nov-94 08:49:37 GMT", want: nov6, ok: true},
		{in: "Sun Nov  6 08:49:37 1994", want: nov6, ok: true},
		{in: "Sun Nov 16 08:49:37 1994", want: nov6.AddDate(0, 0, 10), ok: true},
		// The day name is checked for form, not agreement (RFC 9110 5.6.7).
		{in: "Mon, 06 Nov 1994 08:49:37 GMT", want: nov6, ok: true},
		// A leap second is accepted.
		{in: "Sat, 31 Dec 2016 23:59:60 GMT", want: time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC), ok: true},
		// RFC 850 years: at most 50 years ahead of 2026.
		{in: "Monday, 01-Jan-76 00:00:00 GMT", want: time.Date(2076, 1, 1, 0, 0, 0, 0, time.UTC), ok: true},
		{in: "Monday, 01-Jan-77 00:00:00 GMT", want: time.Date(1977, 1, 1, 0, 0, 0, 0, time.UTC), ok: true},
		{in: "Thursday, 01-Jan-70 00:00:00 GMT", want: time.Date(2070, 1, 1, 0, 0, 0, 0, time.UTC), ok: true},
		// Invalid.
		{in: ""},
		{in: "Sun, 06 Nov 1994 08:49:37 UTC"},
		{in: "sun, 06 Nov 1994 08:49:37 GMT"},
		{in: "Sun, 06 nov 1994 08:49:37 GMT"},
		{in: "Sun, 6 Nov 1994 08:49:37 GMT"},
		{in: "Sun,  06 Nov 1994 08:49:37 GMT"},
		{in: "Sun, 06 Nov 1994 08:49:37 GMT "},
		{in: "Xyz, 06 Nov 1994 08:49:37 GMT"},
		{in: "Sun, 31 Feb 1994 08:49:37 GMT"},
		{in: "Sun, 29 Feb 1900 08:49:37 GMT"},
		{in: "Sun, 00 Nov 1994 08:49:37 GMT"},
		{in: "Sun, 06 Nov 1994 24:00:00 GMT"},
		{in: "Sun, 06 Nov 1994 08:60:00 GMT"},
		{in: "Sun, 06 Nov 1994 08:49:61 GMT"},
		{in: "Sun, 06 Nov 1994 08-49-37 GMT"},
		{in: "Sun, 06 Nov +994 08:49:37 GMT"},
		{in: "Sunday, 06-Nov-1994 08:49:37 GMT"},
		{in: "Sun, 06-Nov-94 08:49:37 GMT"},
		{in: "Sunday, 06 Nov 94 08:49:37 GMT"},
		{in: "Sun Nov 6 08:49:37 1994"},
		{in: "Sun Nov  6 08:49:37 1994 GMT"},
		{in: "1994-11-06T08:49:37Z"},
		{in: "Sun, 06 Nov 1994 08:49:37 GMT, Sun, 06 Nov 1994 08:49:37 GMT"},
	}
	for _, tt := range tests {
		got, ok := static.ParseHTTPDateYear([]byte(tt.in), 2026)
		if ok != tt.ok || !got.Equal(tt.want) {
			t.Errorf("ParseHTTPDate(%q) = %v, %v; want %v, %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestParseHTTPDateRoundTrip(t *testing.T) {
	for _, sec := range []int64{0, 1, 784111777, 1704164645, 4102444799, 253402300799} {
		tm := time.Unix(sec, 0).UTC()
		b := static.AppendHTTPDate(nil, tm)
		got, ok := static.ParseHTTPDate(b)
		if !ok || !got.Equal(tm) {
			t.Errorf("ParseHTTPDate(%q) = %v, %v; want %v, true", b, got, ok, tm)
		}
	}
}
