package strftime

import (
	"testing"
	"time"
)

func TestAppend(t *testing.T) {
	loc := time.FixedZone("CET", 3600)
	at := time.Date(2026, time.March, 5, 7, 4, 9, 123456789, loc)
	noon := time.Date(2026, time.December, 27, 0, 30, 0, 0, time.UTC)
	for _, tc := range []struct {
		format string
		t      time.Time
		want   string
	}{
		{"%d/%b/%Y:%H:%M:%S %z", at, "05/Mar/2026:07:04:09 +0100"},
		{"%a %A %b %B %h", at, "Thu Thursday Mar March Mar"},
		{"%c", at, "Thu Mar  5 07:04:09 2026"},
		{"%C %D %e %F %g %G", at, "20 03/05/26  5 2026-03-05 26 2026"},
		{"%I %j %k %l %m %M %p", at, "07 064  7  7 03 04 AM"},
		{"%I %l %p %r %R %T", noon, "12 12 AM 12:30:00 AM 00:30 00:30:00"},
		{"%s %S %u %U %V %w %W", at, "1772690649 09 4 09 10 4 09"},
		{"%x %X %y %Y %Z %%", at, "03/05/26 07:04:09 26 2026 CET %"},
		{"a%nb%tc", at, "a\nb\tc"},
		{"%Q and a trailing %", at, "%Q and a trailing %"},
		{"%u %V %G", noon, "7 52 2026"},
		{"%z", time.Date(2026, 1, 1, 0, 0, 0, 0, time.FixedZone("X", -(9*3600+30*60))), "-0930"},
	} {
		if got := string(Append(nil, tc.format, tc.t)); got != tc.want {
			t.Errorf("Append(%q) = %q, want %q", tc.format, got, tc.want)
		}
	}
}

func TestAppendPad(t *testing.T) {
	for _, tc := range []struct {
		n, width int
		want     string
	}{{7, 3, "007"}, {1234, 2, "1234"}, {0, 1, "0"}, {42, 6, "000042"}} {
		if got := string(AppendPad([]byte("x"), tc.n, tc.width)); got != "x"+tc.want {
			t.Errorf("AppendPad(%d, %d) = %q, want %q", tc.n, tc.width, got, "x"+tc.want)
		}
	}
}

// FuzzAppend checks that any format is written without a panic and that
// text without '%' is copied as it is.
func FuzzAppend(f *testing.F) {
	for _, s := range []string{"%Y-%m-%d %H:%M:%S", "%", "%%%", "plain", "%c%x%X%r"} {
		f.Add(s)
	}
	at := time.Date(2026, 12, 7, 11, 0, 0, 0, time.UTC)
	f.Fuzz(func(t *testing.T, format string) {
		out := Append(nil, format, at)
		plain := true
		for i := 0; i < len(format); i++ {
			if format[i] == '%' {
				plain = false
			}
		}
		if plain && string(out) != format {
			t.Fatalf("Append(%q) = %q", format, out)
		}
	})
}
