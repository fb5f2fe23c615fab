package status

import (
	"errors"
	"testing"
	"time"
)

func TestAppendG(t *testing.T) {
	tests := []struct {
		v    float64
		prec int
		want string
	}{
		// Real Apache output, from apache_exporter's fixtures.
		{.25, 6, ".25"},
		{.15, 6, ".15"},
		{0, 6, "0"},
		{float64(float32(40)/100/float32(445)) * 100, 6, ".0898876"},
		{float64(float32(131) / float32(445)), 6, ".294382"},
		{float64(1024 * float32(138) / float32(445)), 6, "317.555"},
		{float64(1024 * float32(138) / float32(131)), 6, "1078.72"},
		// The fixture's "DurationPerReq: 98.7022" is hand-made (Apache 2.4.23
		// had no Total Duration); apr_gcvt rounds 98.70229339 up.
		{float64(float32(12930) / float32(131)), 6, "98.7023"},
		{float64(float32(10) / float32(85)), 6, ".117647"},
		{float64(1024 * float32(38) / float32(10)), 6, "3891.2"},
		// apr_gcvt's layout rules.
		{1, 6, "1"},
		{10, 6, "10"},
		{2.5, 6, "2.5"},
		{123456, 6, "123456"},
		{1234567, 6, "1234570"},
		{100000, 6, "1.e+5"},
		{1e6, 6, "1.e+6"},
		{12000000, 6, "1.2e+7"},
		{1e21, 6, "1.e+21"},
		{1.5e100, 6, "1.5e+100"},
		{0.001, 6, ".001"},
		{0.0001, 6, ".0001"},
		{0.00001, 6, "1.e-5"},
		{0.000015, 6, "1.5e-5"},
		{-0.5, 6, "-.5"},
		{999999.5, 6, "1.e+6"},
		{0.0898876, 3, ".0899"},
		{.294382, 3, ".294"},
		{98.7022, 3, "98.7"},
		{1234.5, 3, "1230"},
	}
	for _, tt := range tests {
		if got := string(appendG(nil, tt.v, tt.prec)); got != tt.want {
			t.Errorf("appendG(%v, %d): got %q, want %q", tt.v, tt.prec, got, tt.want)
		}
	}
}

func TestAppendBytes(t *testing.T) {
	tests := []struct {
		b    int64
		want string
	}{
		{0, "0 B"}, {5119, "5119 B"}, {5120, "5.0 kB"}, {524287, "512.0 kB"},
		{524288, "0.5 MB"}, {536870911, "512.0 MB"}, {1 << 30, "1.0 GB"},
	}
	for _, tt := range tests {
		if got := string(appendBytes(nil, tt.b)); got != tt.want {
			t.Errorf("appendBytes(%d): got %q, want %q", tt.b, got, tt.want)
		}
	}
	kbTests := []struct {
		kb   int64
		want string
	}{
		{0, "0 kB"}, {138, "138 kB"}, {1023, "1023 kB"}, {1024, "1.0 MB"}, {1536, "1.5 MB"}, {1 << 20, "1.0 GB"},
	}
	for _, tt := range kbTests {
		if got := string(appendKBytes(nil, tt.kb)); got != tt.want {
			t.Errorf("appendKBytes(%d): got %q, want %q", tt.kb, got, tt.want)
		}
	}
}

func TestAppendUptime(t *testing.T) {
	tests := []struct {
		secs uint32
		want string
	}{
		{0, ""},
		{1, " 1 second"},
		{445, " 7 minutes 25 seconds"},
		{85, " 1 minute 25 seconds"},
		{3600, " 1 hour"},
		{86400 + 2*3600 + 3*60 + 4, " 1 day 2 hours 3 minutes 4 seconds"},
		{2 * 86400, " 2 days"},
	}
	for _, tt := range tests {
		if got := string(appendUptime(nil, tt.secs)); got != tt.want {
			t.Errorf("appendUptime(%d): got %q, want %q", tt.secs, got, tt.want)
		}
	}
}

func TestAppendTime(t *testing.T) {
	ts := time.Date(2016, 7, 29, 14, 6, 15, 0, time.UTC)
	tests := []struct {
		loc  *time.Location
		want string
	}{
		{time.UTC, "Friday, 29-Jul-2016 14:06:15 UTC"},
		{time.FixedZone("CEST", 2*3600), "Friday, 29-Jul-2016 16:06:15 CEST"},
	}
	for _, tt := range tests {
		if got := string(appendTime(nil, ts, tt.loc)); got != tt.want {
			t.Errorf("appendTime in %v: got %q, want %q", tt.loc, got, tt.want)
		}
	}
}

func TestEscapes(t *testing.T) {
	tests := []struct {
		in, html, logitem, escaped string
	}{
		{"plain", "plain", "plain", "plain"},
		{`<a href="x">&'`, "&lt;a href=&quot;x&quot;&gt;&amp;&#39;", `<a href=\"x\">&'`, "&lt;a href=\\&quot;x\\&quot;&gt;&amp;&#39;"},
		{"\x1b[31m\tred\n", "\x1b[31m\tred\n", `\x1b[31m\tred\n`, `\x1b[31m\tred\n`},
		{"caf\xc3\xa9 \\", "caf\xc3\xa9 \\", `caf\xc3\xa9 \\`, `caf\xc3\xa9 \\`},
	}
	for _, tt := range tests {
		if got := string(appendHTML(nil, tt.in)); got != tt.html {
			t.Errorf("appendHTML(%q): got %q, want %q", tt.in, got, tt.html)
		}
		if got := string(appendLogItem(nil, tt.in)); got != tt.logitem {
			t.Errorf("appendLogItem(%q): got %q, want %q", tt.in, got, tt.logitem)
		}
		if got := string(appendEscaped(nil, []byte(tt.in))); got != tt.escaped {
			t.Errorf("appendEscaped(%q): got %q, want %q", tt.in, got, tt.escaped)
		}
	}
}

func TestAppendJSONString(t *testing.T) {
	tests := []struct{ in, want string }{
		{"abc", `"abc"`},
		{"a\"b\\c", `"a\"b\\c"`},
		{"\x00\n<>&", `"\u0000\u000a\u003c\u003e\u0026"`},
		{"caf\xc3\xa9", "\"caf\xc3\xa9\""},
		{"bad\xff\xfe", `"bad\ufffd\ufffd"`},
		{"\xe2\x82", `"\ufffd\ufffd"`},
	}
	for _, tt := range tests {
		if got := string(appendJSONString(nil, tt.in)); got != tt.want {
			t.Errorf("appendJSONString(%q): got %s, want %s", tt.in, got, tt.want)
		}
	}
}

func TestParseQuery(t *testing.T) {
	tests := []struct {
		raw  string
		want Query
	}{
		{"", Query{}},
		{"auto", Query{Auto: true}},
		{"xautox", Query{Auto: true}},
		{"notable", Query{NoTable: true}},
		{"refresh", Query{Refresh: 10}},
		{"refresh=5", Query{Refresh: 5}},
		{"refresh=0", Query{Refresh: 10}},
		{"refresh=-3", Query{Refresh: 10}},
		{"refresh=7x&auto", Query{Auto: true, Refresh: 7}},
		{"auto&notable&refresh=2", Query{Auto: true, NoTable: true, Refresh: 2}},
	}
	for _, tt := range tests {
		if got := ParseQuery(tt.raw); got != tt.want {
			t.Errorf("ParseQuery(%q): got %+v, want %+v", tt.raw, got, tt.want)
		}
	}
}

func TestParseLoadAvg(t *testing.T) {
	tests := []struct {
		in   string
		want [3]float64
		err  bool
	}{
		{"0.02 0.02 0.00 1/123 4567\n", [3]float64{0.02, 0.02, 0}, false},
		{"1.50 2.25 3.00 2/300 9", [3]float64{1.5, 2.25, 3}, false},
		{"", [3]float64{}, true},
		{"a b c", [3]float64{}, true},
	}
	for _, tt := range tests {
		got, err := parseLoadAvg(tt.in)
		if got != tt.want || (err != nil) != tt.err {
			t.Errorf("parseLoadAvg(%q): got %v, %v, want %v, err=%v", tt.in, got, err, tt.want, tt.err)
		}
		if err != nil && !errors.Is(err, ErrLoadAvg) {
			t.Errorf("parseLoadAvg(%q) error %v does not wrap ErrLoadAvg", tt.in, err)
		}
	}
}
