package config

import (
	"errors"
	"fmt"
	"reflect"
	"strings"
	"testing"
	"time"
)

func TestSplitWords(t *testing.T) {
	tests := []struct {
		in   string
		want []string
	}{
		{in: "", want: nil},
		{in: "  a  b\tc ", want: []string{"a", "b", "c"}},
		{in: `"a b" 'c d'`, want: []string{"a b", "c d"}},
		{in: `"say \"hi\"" 'it\'s'`, want: []string{`say "hi"`, "it's"}},
		{in: `a\\b "c\\d" "e\f"`, want: []string{`a\b`, `c\d`, `e\f`}},
		{in: `"unterminated quote`, want: []string{"unterminated quote"}},
		{in: `mid"dle quote"`, want: []string{`mid"dle`, `quote"`}},
		{in: `"" x`, want: []string{"", "x"}},
		{in: `'it''s'`, want: []string{"it", "s"}},
	}
	for _, tt := range tests {
		if got := splitWords(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitWords(%q): got %q, want %q", tt.in, got, tt.want)
		}
	}
}

func TestSplitLines(t *testing.T) {
	tests := []struct {
		in   string
		want []line
	}{
		{in: "a\nb", want: []line{{text: "a", num: 1}, {text: "b", num: 2}}},
		{in: "  a  \r\n\n", want: []line{{text: "a", num: 1}, {text: "", num: 2}}},
		{in: "a \\\n  b\\\nc\nd", want: []line{{text: "a   bc", num: 3}, {text: "d", num: 4}}},
		{in: "a \\\\\nb", want: []line{{text: `a \\`, num: 1}, {text: "b", num: 2}}},
		{in: "# c \\\nstill comment\nx", want: []line{{text: "# c still comment", num: 2}, {text: "x", num: 3}}},
		{in: "last \\", want: []line{{text: `last \`, num: 1}}},
	}
	for _, tt := range tests {
		if got := splitLines(tt.in); !reflect.DeepEqual(got, tt.want) {
			t.Errorf("splitLines(%q): got %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestResolveEnv(t *testing.T) {
	vars := map[string]string{"A": "1", "B": "${A}", "E": ""}
	lookup := func(k string) (string, bool) { v, ok := vars[k]; return v, ok }
	tests := []struct {
		in, want  string
		undefined []string
	}{
		{in: "x${A}y", want: "x1y"},
		{in: "${B}", want: "${A}"}, // no recursion
		{in: "${E}|", want: "|"},
		{in: "${NOPE} ${a:b}", want: "${NOPE} ${a:b}", undefined: []string{"NOPE"}},
		{in: "$A ${ ${A", want: "$A ${ ${A"},
		{in: "${A}${A}", want: "11"},
	}
	for _, tt := range tests {
		var undefined []string
		got, ok := resolveEnv(tt.in, lookup, func(n string) { undefined = append(undefined, n) }, 1<<10)
		if !ok || got != tt.want || !reflect.DeepEqual(undefined, tt.undefined) {
			t.Errorf("resolveEnv(%q): got %q %v, want %q %v", tt.in, got, undefined, tt.want, tt.undefined)
		}
	}
}

func TestAtoi(t *testing.T) {
	tests := []struct {
		in   string
		want int
	}{
		{"25", 25}, {"25x", 25}, {"abc", 0}, {"", 0}, {" -7", -7}, {"+3", 3},
		{"99999999999", 2147483647}, {"-99999999999", -2147483648},
	}
	for _, tt := range tests {
		if got := atoi(tt.in); got != tt.want {
			t.Errorf("atoi(%q): got %v, want %v", tt.in, got, tt.want)
		}
	}
}

func TestParseHostPort(t *testing.T) {
	tests := []struct {
		in   string
		host string
		port int
		ok   bool
	}{
		{"80", "", 80, true},
		{"*:80", "*", 80, true},
		{"127.0.0.1:8080", "127.0.0.1", 8080, true},
		{"[::1]:443", "::1", 443, true},
		{"[::1]", "::1", 0, true},
		{"example.com", "example.com", 0, true},
		{"0", "", 0, false},
		{"65536", "", 0, false},
		{"host:", "", 0, false},
		{"::1:80", "", 0, false},
		{"[::1", "", 0, false},
		{"[1.2.3.4]:80", "", 0, false},
		{"bad host:80", "", 0, false},
	}
	for _, tt := range tests {
		host, port, err := parseHostPort(tt.in)
		if host != tt.host || port != tt.port || (err == nil) != tt.ok {
			t.Errorf("parseHostPort(%q): got %q %d %v, want %q %d ok=%v", tt.in, host, port, err, tt.host, tt.port, tt.ok)
		}
	}
}

func TestParseIPNet(t *testing.T) {
	tests := []struct {
		in, want string // want "" means an error
	}{
		{"10.1.2.3", "10.1.2.3/32"},
		{"10.1", "10.1.0.0/16"},
		{"10.1.", "10.1.0.0/16"},
		{"10", "10.0.0.0/8"},
		{"10.1.2.3/24", "10.1.2.0/24"},
		{"10.1.2.3/255.255.0.0", "10.1.0.0/16"},
		{"2001:db8::1/32", "2001:db8::/32"},
		{"::1", "::1/128"},
		{"10.0.0.0/33", ""},
		{"10.0.0.0/255.0.255.0", ""},
		{"10.256", ""},
		{"1.2.3.4.5", ""},
		{"fe80::1%eth0", ""},
		{"example.com", ""},
		{"10.1/16", ""},
		{"0.0.0.0/0", ""},
		{"::ffff:1.2.3.4", ""},
		{"10.0.0.0/", ""},
	}
	for _, tt := range tests {
		p, err := parseIPNet(tt.in)
		got := ""
		if err == nil {
			got = p.String()
		}
		if got != tt.want {
			t.Errorf("parseIPNet(%q): got %q (%v), want %q", tt.in, got, err, tt.want)
		}
	}
}

func TestParseTimeout(t *testing.T) {
	tests := []struct {
		in   string
		want time.Duration
		ok   bool
	}{
		{"5", 5 * time.Second, true},
		{"5s", 5 * time.Second, true},
		{"5sec", 5 * time.Second, true},
		{"250ms", 250 * time.Millisecond, true},
		{"2mi", 2 * time.Minute, true},
		{"1h", time.Hour, true},
		{"5m", 0, false},
		{"5x", 0, false},
		{"abc", 0, false},
		{"-1", 0, false},
		{"", 0, false},
	}
	for _, tt := range tests {
		got, ok := parseTimeout(tt.in, "s")
		if got != tt.want || ok != tt.ok {
			t.Errorf("parseTimeout(%q): got %v %v, want %v %v", tt.in, got, ok, tt.want, tt.ok)
		}
	}
}

func TestCheckLogFormat(t *testing.T) {
	tests := []struct {
		in string
		ok bool
	}{
		{`%h %l %u %t "%r" %>s %b`, true},
		{`%{Referer}i %{%Y}t %<s %400,501{X}i %!200a %^ti %% %I %O`, true},
		{`%Z`, false},
		{`%{unclosed`, false},
		{`trailing %`, false},
		{`%>`, false},
	}
	for _, tt := range tests {
		if err := checkLogFormat(tt.in); (err == nil) != tt.ok {
			t.Errorf("checkLogFormat(%q): got %v, want ok=%v", tt.in, err, tt.ok)
		}
	}
}

// TestExpansionBounded: Defines that double each other would need
// gigabytes after thirty lines; the load stops at maxExpansion with an
// error at the line that crossed it.
func TestExpansionBounded(t *testing.T) {
	var b strings.Builder
	b.WriteString("Listen 80\nDefine A0 xxxxxxxxxxxxxxxx\n")
	for i := range 40 {
		fmt.Fprintf(&b, "Define A%d ${A%d}${A%d}\n", i+1, i, i)
	}
	_, err := loadFile(t, b.String())
	var ce *Error
	if !errors.As(err, &ce) || !strings.Contains(ce.Msg, "expansion makes the configuration larger than 16 MiB") {
		t.Fatalf("got %v, want the expansion bound error", err)
	}
	// 16 bytes doubled 19 times make 8 MiB; with the values before it and
	// the "Define A19 " of every line, line 2+19 crosses 16 MiB.
	if ce.Pos.Line != 21 {
		t.Errorf("got line %d, want 21", ce.Pos.Line)
	}
	if _, ok := resolveEnv("${A}${A}", func(string) (string, bool) { return "12345", true }, func(string) {}, 9); ok {
		t.Errorf("resolveEnv past its budget: got ok, want not ok")
	}
}
