package static

import (
	"strings"
	"testing"
)

// TestParseListQuery: mod_autoindex's query arguments, as Apache 2.4.71
// reads them (each case's links were compared with Apache's).
func TestParseListQuery(t *testing.T) {
	for _, tt := range []struct {
		q       string
		key     byte
		desc    bool
		colargs string
		pattern string
		form    string // "table", "pre" or "list" after F=
	}{
		{"", 'N', false, "", "", "table"},
		{"C=M;O=D", 'M', true, "", "", "table"},
		{"C=S&O=A", 'S', false, "", "", "table"},
		{"C=X;O=D", 'N', false, "", "", "table"}, // a bad argument ends the reading
		{"O=D;P=*.txt;C=M", 'M', true, ";P=*.txt", "*.txt", "table"},
		{"P=%2a.bin;C=S", 'S', false, ";P=*.bin", "*.bin", "table"},
		{"P=%zz;C=S", 'S', false, "", "", "table"}, // a bad escape voids the pattern only
		{"P=a%2fb", 'N', false, "", "", "table"},
		{"F=1;V=1;C=D", 'D', false, ";F=1;V=1", "", "pre"},
		{"F=0", 'N', false, ";F=0", "", "list"},
		{"C=M;O=D;junk", 'M', true, "", "", "table"},
		{"P=<x>", 'N', false, ";P=%3cx%3e", "<x>", "table"},
	} {
		lc := ListingConfig{Fancy: true, Table: true}
		v := parseListQuery([]byte(tt.q), &lc)
		form := "list"
		switch {
		case lc.Fancy && lc.Table:
			form = "table"
		case lc.Fancy:
			form = "pre"
		}
		if v.key != tt.key || v.desc != tt.desc || v.colargs != tt.colargs || v.pattern != tt.pattern || form != tt.form {
			t.Errorf("%q: %c desc=%v colargs %q pattern %q %s; want %c %v %q %q %s",
				tt.q, v.key, v.desc, v.colargs, v.pattern, form, tt.key, tt.desc, tt.colargs, tt.pattern, tt.form)
		}
	}
	// IndexOrderDefault is the order until the query says otherwise.
	for _, tt := range []struct {
		q    string
		key  byte
		desc bool
	}{{"", 'M', true}, {"C=N", 'N', true}, {"O=A", 'M', false}} {
		lc := ListingConfig{Fancy: true, Table: true, OrderKey: 'M', OrderDescending: true}
		if v := parseListQuery([]byte(tt.q), &lc); v.key != tt.key || v.desc != tt.desc {
			t.Errorf("IndexOrderDefault Descending Date, %q: %c desc=%v, want %c %v", tt.q, v.key, v.desc, tt.key, tt.desc)
		}
	}
	lc := ListingConfig{IgnoreClient: true}
	if v := parseListQuery([]byte("C=M;O=D"), &lc); v.key != 'N' || v.desc || !lc.SuppressColumnSorting {
		t.Errorf("IgnoreClient: %+v, links %v; want the query ignored and no links", v, !lc.SuppressColumnSorting)
	}
}

// FuzzListQuery: any query gives a sort column of N, M, S or D, and column
// arguments that cannot break out of their href attribute (a '&' is
// escaped when the link is written).
func FuzzListQuery(f *testing.F) {
	for _, q := range []string{"", "C=M;O=D", "O=D;P=*.txt;C=M", "P=%2a;F=1;V=0", "P=", "P=%", "C=N&O=A&F=2"} {
		f.Add(q)
	}
	f.Fuzz(func(t *testing.T, q string) {
		lc := ListingConfig{Fancy: true, Table: true}
		v := parseListQuery([]byte(q), &lc)
		if strings.IndexByte("NMSD", v.key) < 0 {
			t.Fatalf("%q: sort key %q", q, v.key)
		}
		if strings.ContainsAny(v.colargs, "\"<> \x00") {
			t.Fatalf("%q: column arguments %q would break the link", q, v.colargs)
		}
		patternMatch(v.pattern, "name.txt")
	})
}
