package expr

import (
	"math"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"
)

// fakeRequest answers from maps and records the header fields read for Vary.
type fakeRequest struct {
	vars, headers, resp, env map[string]string
	remote                   netip.Addr
	vary                     []string
}

func (f *fakeRequest) Var(name string) string { return f.vars[name] }
func (f *fakeRequest) Header(name string, vary bool) string {
	if vary {
		f.vary = append(f.vary, name)
	}
	return f.headers[name]
}
func (f *fakeRequest) ResponseHeader(name string) string { return f.resp[name] }
func (f *fakeRequest) Env(name string) (string, bool) {
	v, ok := f.env[name]
	return v, ok
}
func (f *fakeRequest) RemoteAddr() netip.Addr { return f.remote }

func newFake() *fakeRequest {
	return &fakeRequest{
		vars: map[string]string{"REQUEST_URI": "/api/v1/users", "QUERY_STRING": "debug=1", "HTTPS": "off",
			"REQUEST_METHOD": "GET", "SERVER_PORT": "8080", "REMOTE_ADDR": "10.1.2.3"},
		headers: map[string]string{"Host": "www.example.com", "User-Agent": "curl/8.0", "X-Token": "abc"},
		resp:    map[string]string{"Content-Type": "text/html"},
		env:     map[string]string{"is_bot": "1", "empty": ""},
		remote:  netip.MustParseAddr("10.1.2.3"),
	}
}

func TestEval(t *testing.T) {
	dir := t.TempDir()
	file := filepath.Join(dir, "f.txt")
	if err := os.WriteFile(file, []byte("hello"), 0o644); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		src  string
		want bool
	}{
		{"true", true},
		{"false", false},
		{"!false", true},
		{"not true", false},
		{"true && false", false},
		{"true and true", true},
		{"false || true", true},
		{"false or false", false},
		{"!(true && false) && true", true},
		{"true || false && false", true}, // && binds tighter
		{"%{HTTP_HOST} == 'www.example.com'", true},
		{"%{http_host} = 'www.example.com'", true},
		{"%{HTTP_HOST} != 'example.com'", true},
		{"%{REQUEST_URI} =~ m#^/api/#", true},
		{"%{REQUEST_URI} =~ /^\\/API\\//i", true},
		{"%{REQUEST_URI} =~ /^\\/API\\//", false},
		{"%{REQUEST_URI} !~ /^\\/static/", true},
		{"%{REQUEST_URI} =~ m#^/api/(v[0-9])/# && $1 == 'v1'", true},
		{"%{REQUEST_URI} =~ m#^/api/(v[0-9])/# && '$1-x' == 'v1-x'", true},
		{"%{QUERY_STRING} =~ /debug=1/", true},
		{"%{SERVER_PORT} -eq 8080", true},
		{"%{SERVER_PORT} -gt 80", true},
		{"%{SERVER_PORT} lt 80", false},
		{"%{SERVER_PORT} -ge 8080 && %{SERVER_PORT} -le 8080", true},
		{"%{SERVER_PORT} -ne 8080", false},
		{"'a' < 'b'", true},
		{"'b' <= 'a'", false},
		{"'b' > 'a'", true},
		{"'a' >= 'a'", true},
		{"%{REQUEST_METHOD} -in {'GET', 'HEAD'}", true},
		{"%{REQUEST_METHOD} in {'POST'}", false},
		{"-R '10.0.0.0/8'", true},
		{"-R '192.168.0.0/16'", false},
		{"-R '10.1'", true},
		{"-R '10.1.2.3'", true},
		{"-R '10.0.0.0/255.0.0.0'", true},
		{"%{REMOTE_ADDR} -ipmatch '10.1.0.0/16'", true},
		{"'::1' -ipmatch '::1/128'", true},
		{"'junk' -ipmatch '10.0.0.0/8'", false},
		{"%{REQUEST_URI} -strmatch '/api/*'", true},
		{"%{REQUEST_URI} -strmatch '/API/*'", false},
		{"%{REQUEST_URI} -strcmatch '/API/*'", true},
		{"%{REQUEST_URI} -fnmatch '/api/*'", false}, // * stops at '/'
		{"%{REQUEST_URI} -fnmatch '/api/*/users'", true},
		{"'a.b' -strmatch 'a?b'", true},
		{"'x' -strmatch '[a-z]'", true},
		{"'x' -strmatch '[!a-z]'", false},
		{"'abcabd' -strmatch '*ab?'", true},
		{"'abcabd' -strmatch 'a*c*d'", true},
		{"'abcabd' -strmatch 'a*c*e'", false},
		{"'a*b' -strmatch 'a\\\\*b'", true},
		{"'axb' -strmatch 'a\\\\*b'", false},
		{"'[x' -strmatch '[x'", true},
		{"'' -strmatch '*'", true},
		{"-n %{HTTP_HOST}", true},
		{"-z %{HTTP_REFERER}", true},
		{"-T %{HTTPS}", false},
		{"-T 'yes'", true},
		{"-T reqenv('is_bot')", true},
		{"-T reqenv('missing')", false},
		{"-n env('empty')", false},
		{"req('X-Token') == 'abc'", true},
		{"http('x-missing') == ''", true},
		{"%{req:X-Token} == 'abc'", true},
		{"%{HTTP:X-Token} == 'abc'", true},
		{"%{tolower:%{HTTP_HOST}} == 'www.example.com'", true},
		{"%{toupper:x-%{HTTPS}} == 'X-OFF'", true},
		{"resp('Content-Type') == 'text/html'", true},
		{"tolower('ABC') == 'abc'", true},
		{"toupper(%{HTTPS}) == 'OFF'", true},
		{"'a' . 'b' . 'c' == 'abc'", true},
		{"%{HTTPS} . '-' . %{SERVER_PORT} == 'off-8080'", true},
		{"\"%{HTTPS}:x\" == 'off:x'", true},
		{"'it\\'s' == \"it's\"", true},
		{"md5('a') == '0cc175b9c0f1b6a831c399e269772661'", true},
		{"sha1('a') == '86f7e437faa5a7fce15d1ddcb9eaeaea377667b8'", true},
		{"base64('hi') == 'aGk='", true},
		{"unbase64('aGk=') == 'hi'", true},
		{"escape('a b/c') == 'a%20b/c'", true},
		{"unescape('a%20b') == 'a b'", true},
		{"-f '" + file + "'", true},
		{"-s '" + file + "'", true},
		{"-d '" + dir + "'", true},
		{"-e '" + dir + "/none'", false},
		{"file('" + file + "') == 'hello'", true},
		{"filesize('" + file + "') -eq 5", true},
		{"filemod('" + dir + "/none') -eq 0", true},
		{"%{TIME_YEAR} -gt 2000", true},
		{"%{TIME} =~ /^[0-9]{14}$/", true},
	}
	for _, tt := range tests {
		e, err := Parse(tt.src)
		if err != nil {
			t.Errorf("Parse(%q): %v", tt.src, err)
			continue
		}
		if got := e.Eval(newFake()); got != tt.want {
			t.Errorf("Eval(%q) = %v, want %v", tt.src, got, tt.want)
		}
	}
}

// TestParseErrors checks Apache's messages (apache2 -t on 2.4.71) for
// what ap_expr refuses at configuration time.
func TestParseErrors(t *testing.T) {
	tests := []struct{ src, want string }{
		{"%{FOO} == 1", "Variable 'FOO' does not exist"},
		{"%{SERVER_ADDR} == 1", "Variable 'SERVER_ADDR' does not exist"},
		{"foo(1) == 1", "Function 'foo' does not exist"},
		{"sha256(%{HTTP_HOST}) == 1", "Function 'sha256' does not exist"},
		{"v('x') == 1", "Function 'v' does not exist"},
		{"-q %{HTTP_HOST}", "Unary operator '-q' does not exist"},
		{"%{HTTP_HOST} -foo 1", "Binary operator '-foo' does not exist"},
		{"-R '10.0.0/33'", "-R requires subnet/netmask as constant argument"},
		{"-R %{HTTP_HOST}", "-R requires subnet/netmask as constant argument"},
		{"%{HTTP_HOST} -ipmatch 1", "-ipmatch requires subnet/netmask as constant argument"},
		{"%{REQUEST_URI} =~ /a(/", "Failed to compile regular expression"},
		{"%{HTTP_HOST} == 'a", "Unterminated string or variable"},
		{"%{HTTP_HOST", "Unterminated string or variable"},
		{"%{HTTPS}", "syntax error"},
		{"%{HTTP_HOST} == 1 &&", "syntax error"},
		{"(true", "syntax error"},
		{"true true", "syntax error"},
		{"", "syntax error"},
		{"-F %{HTTPS}", "not supported by eventmpm"},
		{"%{HTTPS} -in split('a')", "no list functions"},
		{"%{HTTPS} =~ /a/x", "Invalid regexp flag"},
	}
	for _, tt := range tests {
		_, err := Parse(tt.src)
		if err == nil || !strings.Contains(err.Error(), tt.want) {
			t.Errorf("Parse(%q) = %v, want an error containing %q", tt.src, err, tt.want)
		}
	}
}

// TestParseString checks string expressions, as Redirect's one-argument
// form reads them, with the escapes of Apache 2.4.71's lexer (each
// compared with what it made of the same ErrorDocument).
func TestParseString(t *testing.T) {
	tests := []struct{ src, want string }{
		{"https://%{HTTP_HOST}%{REQUEST_URI}", "https://www.example.com/api/v1/users"},
		{"http://%{tolower:%{HTTP_HOST}}/x", "http://www.example.com/x"},
		{"plain/text", "plain/text"},
		{"50% off", "50% off"},
		{"a\\%{HTTPS}", "a%{HTTPS}"},
		{`A\nB\tC\rD\fE\101F\x41G\qH\\I\bJ`, "A\nB\tC\rD\fEAFx41GqH\\I\bJ"},
		{`I\0J%{HTTP_HOST}K\000L`, "Iwww.example.comK"}, // a NUL ends the literal, as Apache's C string
		{`%{tolower:A\tB\101C}`, "a\tbac"},
		{`\1\12\123x`, "\x01\x0aSx"},
	}
	for _, tt := range tests {
		e, err := ParseString(tt.src)
		if err != nil {
			t.Errorf("ParseString(%q): %v", tt.src, err)
			continue
		}
		if got := e.Eval(newFake()); got != tt.want {
			t.Errorf("ParseString(%q) = %q, want %q", tt.src, got, tt.want)
		}
	}
	if _, err := ParseString("x%{NOPE}"); err == nil {
		t.Error("ParseString accepted an unknown variable")
	}
	for src, want := range map[string]string{
		`x\9`: "Bad escape sequence", `\1019`: "Bad escape sequence", `\08`: "Bad escape sequence", `\1234`: "Bad escape sequence",
		`x\400`: "Escape sequence out of bound",
	} {
		if _, err := ParseString(src); err == nil || err.Error() != want {
			t.Errorf("ParseString(%q) = %v, want %q", src, err, want)
		}
	}
	if e, err := Parse(`'\101\t' == "A\11"`); err != nil || !e.Eval(newFake()) {
		t.Errorf("escapes in quoted strings: %v", err)
	}
	if s, ok := mustString(t, "http://x/").Literal(); !ok || s != "http://x/" {
		t.Errorf("Literal = %q, %v", s, ok)
	}
	if _, ok := mustString(t, "http://%{HTTP_HOST}/").Literal(); ok {
		t.Error("Literal reported a string with a variable as literal")
	}
}

func mustString(t *testing.T, src string) *String {
	t.Helper()
	e, err := ParseString(src)
	if err != nil {
		t.Fatal(err)
	}
	return e
}

// TestMarshalText: an expression travels as its text (the child gets its
// configuration as JSON).
func TestMarshalText(t *testing.T) {
	e, err := Parse("%{REMOTE_USER} == 'x' && -R '10.0.0.0/8'")
	if err != nil {
		t.Fatal(err)
	}
	b, _ := e.MarshalText()
	var back Expr
	if err := back.UnmarshalText(b); err != nil || back.String() != e.String() {
		t.Fatalf("round trip: %q, %v", back.String(), err)
	}
	if !back.ReadsVar("REMOTE_USER") || back.ReadsVar("REMOTE_ADDR") {
		t.Errorf("ReadsVar: REMOTE_USER %v, REMOTE_ADDR %v", back.ReadsVar("REMOTE_USER"), back.ReadsVar("REMOTE_ADDR"))
	}
	if err := back.UnmarshalText([]byte("%{NOPE}")); err == nil {
		t.Error("UnmarshalText accepted a bad expression")
	}
}

// TestVary checks which header reads ask for Vary: all but Host and
// req_novary, as Apache's ap_expr.
func TestVary(t *testing.T) {
	e, err := Parse("%{HTTP_HOST} == 'x' || %{HTTP_USER_AGENT} == 'y' || req('X-A') == '' || req_novary('X-B') == 'z'")
	if err != nil {
		t.Fatal(err)
	}
	f := newFake()
	e.Eval(f)
	if got := strings.Join(f.vary, ","); got != "User-Agent,X-A" {
		t.Errorf("vary = %q, want User-Agent,X-A", got)
	}
}

func TestEvalGroups(t *testing.T) {
	e, err := Parse("%{REQUEST_URI} =~ m#^/api/(v[0-9])/(\\w+)#")
	if err != nil {
		t.Fatal(err)
	}
	ok, g := e.EvalGroups(newFake())
	if !ok || g[0] != "/api/v1/users" || g[1] != "v1" || g[2] != "users" || g[3] != "" {
		t.Errorf("EvalGroups = %v, %q", ok, g)
	}
}

// TestAtoi64: integer comparisons read their words as apr_atoi64, as
// Apache 2.4.71 compared "zz", " 7x" and a 20-digit number.
func TestAtoi64(t *testing.T) {
	for in, want := range map[string]int64{"zz": 0, "": 0, " 7x": 7, "-1": -1, "+9": 9, "042": 42,
		"99999999999999999999": math.MaxInt64, "-99999999999999999999": math.MinInt64} {
		if got := atoi64(in); got != want {
			t.Errorf("atoi64(%q) = %d, want %d", in, got, want)
		}
	}
}

// FuzzParse: any text parses as a boolean and as a string expression or
// is refused with an error, and what parses evaluates without panicking.
func FuzzParse(f *testing.F) {
	for _, s := range []string{"true", "%{HTTP_HOST} == 'a' && -R '10.0.0.0/8'", "%{REQUEST_URI} =~ m#^/(a)# && $1 == 'a'",
		"req('X') -in {'a', 'b'}", "!(-z %{QUERY_STRING}) || tolower(%{HTTPS}) -strmatch 'o*'", "'%{HTTPS}$1\\'' . 1 -eq 2",
		"-R '10.1'", "%{x:y}", `'\101\0x' == "A\t"`, `A\nB%{tolower:\1C}\0D`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, src string) {
		if s, err := ParseString(src); err == nil {
			s.Eval(newFake()) // a string expression, as Redirect, ErrorDocument and Header's expr= read one
		}
		e, err := Parse(src)
		if err != nil {
			return
		}
		if e.String() != src {
			t.Fatalf("String() = %q", e.String())
		}
		e.Eval(newFake())
	})
}

// TestWildcardBacktracking: a pattern of many stars against a long
// subject that does not match ends quickly (a naive recursive matcher
// takes len(name)^stars steps).
func TestWildcardBacktracking(t *testing.T) {
	name := strings.Repeat("a", 8000)
	if wildcard("*a*a*a*a*a*a*b", name, false) {
		t.Error("matched")
	}
	if !wildcard("*a*a*a*a*a*a*", name, false) {
		t.Error("did not match")
	}
}

func BenchmarkEval(b *testing.B) {
	e, err := Parse("%{HTTP_HOST} != 'www.example.com' && %{REQUEST_URI} =~ m#^/api/# && -R '10.0.0.0/8'")
	if err != nil {
		b.Fatal(err)
	}
	f := newFake()
	b.ReportAllocs()
	for b.Loop() {
		e.Eval(f)
	}
}
