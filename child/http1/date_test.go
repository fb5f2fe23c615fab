package http1

import (
	"sync"
	"testing"
	"time"
)

var sampleDate = time.Date(1994, time.November, 6, 8, 49, 37, 0, time.UTC)

func TestAppendHTTPDate(t *testing.T) {
	for _, tc := range []struct {
		name string
		t    time.Time
		want string
	}{
		{"RFC example", sampleDate, "Sun, 06 Nov 1994 08:49:37 GMT"},
		{"converted to GMT", time.Date(2026, 11, 25, 20, 40, 0, 0, time.FixedZone("CET", 3600)), "Wed, 25 Nov 2026 19:40:00 GMT"},
		{"year padded", time.Date(999, 1, 2, 3, 4, 5, 0, time.UTC), "Wed, 02 Jan 0999 03:04:05 GMT"},
		{"year past 9999", time.Date(10000, 1, 1, 0, 0, 0, 0, time.UTC), "Sat, 01 Jan 10000 00:00:00 GMT"},
	} {
		if got := string(AppendHTTPDate([]byte("x"), tc.t)); got != "x"+tc.want {
			t.Errorf("%s: got %v, want %v", tc.name, got, "x"+tc.want)
		}
	}
}

func TestParseHTTPDate(t *testing.T) {
	now := func() time.Time { return time.Date(2026, 6, 1, 0, 0, 0, 0, time.UTC) }
	for _, tc := range []struct {
		name string
		in   string
		want time.Time // zero: must be refused
	}{
		{"IMF-fixdate", "Sun, 06 Nov 1994 08:49:37 GMT", sampleDate},
		{"RFC 850", "Sunday, 06-Nov-94 08:49:37 GMT", sampleDate},
		{"RFC 850 Wednesday", "Wednesday, 06-Nov-94 08:49:37 GMT", sampleDate},
		{"RFC 850 near future stays in this century", "Sunday, 06-Nov-76 08:49:37 GMT", sampleDate.AddDate(2076-1994, 0, 0)},
		{"RFC 850 far future is last century", "Sunday, 06-Nov-77 08:49:37 GMT", sampleDate.AddDate(1977-1994, 0, 0)},
		{"asctime", "Sun Nov  6 08:49:37 1994", sampleDate},
		{"asctime two-digit day", "Sun Nov 16 08:49:37 1994", sampleDate.AddDate(0, 0, 10)},
		{"leap day", "Thu, 29 Feb 2024 00:00:00 GMT", time.Date(2024, 2, 29, 0, 0, 0, 0, time.UTC)},
		{"day name is not checked against the date", "Mon, 06 Nov 1994 08:49:37 GMT", sampleDate},

		{"empty", "", time.Time{}},
		{"lowercase month", "Sun, 06 nov 1994 08:49:37 GMT", time.Time{}},
		{"bad day name", "Sux, 06 Nov 1994 08:49:37 GMT", time.Time{}},
		{"not GMT", "Sun, 06 Nov 1994 08:49:37 UTC", time.Time{}},
		{"single-digit day", "Sun, 6 Nov 1994 08:49:37 GMT ", time.Time{}},
		{"hour 24", "Sun, 06 Nov 1994 24:00:00 GMT", time.Time{}},
		{"minute 60", "Sun, 06 Nov 1994 08:60:00 GMT", time.Time{}},
		{"second 60", "Sun, 06 Nov 1994 08:49:60 GMT", time.Time{}},
		{"day 0", "Sun, 00 Nov 1994 08:49:37 GMT", time.Time{}},
		{"31 November", "Sun, 31 Nov 1994 08:49:37 GMT", time.Time{}},
		{"29 February of a common year", "Sun, 29 Feb 2023 08:49:37 GMT", time.Time{}},
		{"bad clock separator", "Sun, 06 Nov 1994 08.49.37 GMT", time.Time{}},
		{"asctime zero-padded day", "Sun Nov 06 08:49:37 1994", sampleDate},
		{"asctime day without padding", "Sun Nov 6 08:49:37 1994", time.Time{}},
		{"RFC 850 short day name", "Sun, 06-Nov-94 08:49:37 GMT", time.Time{}},
		{"RFC 850 four-digit year", "Sunday, 06-Nov-1994 08:49:37 GMT", time.Time{}},
		{"trailing space", "Sun, 06 Nov 1994 08:49:37 GMT ", time.Time{}},
	} {
		got, ok := parseHTTPDate([]byte(tc.in), now)
		if ok != !tc.want.IsZero() || !got.Equal(tc.want) {
			t.Errorf("%s: got %v, %v, want %v", tc.name, got, ok, tc.want)
		}
	}
}

func TestDateCache(t *testing.T) {
	clock := sampleDate.Add(300 * time.Millisecond)
	c := DateCache{Now: func() time.Time { return clock }}
	first := c.Value()
	if got, want := string(first), "Sun, 06 Nov 1994 08:49:37 GMT"; got != want {
		t.Fatalf("got %v, want %v", got, want)
	}
	clock = clock.Add(600 * time.Millisecond)
	if got := c.Value(); &got[0] != &first[0] {
		t.Errorf("same second: got a new value %q, want the cached one", got)
	}
	clock = clock.Add(200 * time.Millisecond)
	if got, want := string(c.AppendDate(nil)), "Sun, 06 Nov 1994 08:49:38 GMT"; got != want {
		t.Errorf("next second: got %v, want %v", got, want)
	}
	clock = clock.Add(-time.Hour)
	if got, want := string(c.Value()), "Sun, 06 Nov 1994 07:49:38 GMT"; got != want {
		t.Errorf("clock stepped back: got %v, want %v", got, want)
	}
}

// TestDateCacheAt checks AppendDateAt: the time it is given, not the
// cache's clock, and the cached value shared with Value within a second.
func TestDateCacheAt(t *testing.T) {
	c := DateCache{Now: func() time.Time { t.Fatal("AppendDateAt read the clock"); return time.Time{} }}
	at := sampleDate.Add(100 * time.Millisecond).UnixNano()
	first := c.AppendDateAt(nil, at)
	if got, want := string(first), "Sun, 06 Nov 1994 08:49:37 GMT"; got != want {
		t.Fatalf("got %v, want %v", got, want)
	}
	if got, want := string(c.AppendDateAt([]byte("Date: "), at+int64(time.Second))), "Date: Sun, 06 Nov 1994 08:49:38 GMT"; got != want {
		t.Errorf("next second: got %v, want %v", got, want)
	}
	c.Now = func() time.Time { return sampleDate.Add(time.Second + 500*time.Millisecond) }
	if v, w := c.Value(), c.AppendDateAt(nil, at+int64(time.Second)); string(v) != string(w) {
		t.Errorf("Value %q and AppendDateAt %q disagree within one second", v, w)
	}
}

func TestDateCacheConcurrent(t *testing.T) {
	var c DateCache
	var wg sync.WaitGroup
	for range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for range 1000 {
				if v := c.Value(); len(v) != len(TimeFormat) {
					t.Errorf("got %q, want an IMF-fixdate", v)
					return
				}
			}
		}()
	}
	wg.Wait()
}

// TestParseConditionalDate: what Apache's apr_date_parse_http reads beyond
// the three HTTP-date formats, and what it refuses.
func TestParseConditionalDate(t *testing.T) {
	want := time.Date(1994, 11, 6, 8, 49, 37, 0, time.UTC)
	for in, ok := range map[string]bool{
		"Sun, 06 Nov 1994 08:49:37 GMT":               true,
		"Sun, 06 Nov 1994 08:49:37 GMT; length=1234":  true, // old browsers
		"Sun, 06 Nov 1994 08:49:37 UTC":               true,
		"Sun, 06 Nov 1994 08:49:37 +0000":             true,
		"  Sun, 06 Nov 1994 08:49:37 GMT":             true,
		"Xyz, 06 Nov 1994 08:49:37 GMT":               true, // the day name is not checked
		"Sun, 6 Nov 1994 08:49:37 GMT":                true,
		"Sunday, 06-Nov-94 08:49:37 UTC":              true,
		"Sun Nov  6 08:49:37 1994 trailing":           true,
		"Sun, 06 Nov 1994 08:49:37":                   false, // the mask wants a space after the time
		"Sun, 06 nov 1994 08:49:37 GMT; x":            false,
		"Sun, 06 Nov 1994 24:49:37 UTC":               false,
		"Sun,06 Nov 1994 08:49:37 GMT":                false,
		"":                                            false,
		"Sun, 31 Apr 1994 08:49:37 UTC":               false,
		"06 Nov 1994 08:49:37 GMT without a day name": false,
	} {
		got, gotOK := ParseConditionalDate([]byte(in))
		if gotOK != ok || ok && !got.Equal(want) {
			t.Errorf("%q: %v %v, want %v %v", in, got, gotOK, want, ok)
		}
	}
	if got, ok := ParseConditionalDate([]byte("Mon, 07-Nov-69 08:49:37 UTC")); !ok || got.Year() != 2069 {
		t.Errorf("RFC 850 year 69: %v %v, want 2069", got, ok)
	}
	if got, ok := ParseConditionalDate([]byte("Sat, 31 Dec 2016 23:59:60 UTC")); !ok || !got.Equal(time.Date(2017, 1, 1, 0, 0, 0, 0, time.UTC)) {
		t.Errorf("leap second: %v %v", got, ok)
	}
}
