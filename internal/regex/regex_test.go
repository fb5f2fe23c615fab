package regex

import (
	"slices"
	"strings"
	"testing"
	"time"
)

// TestCompile: RE2 takes what it can; the look-arounds, back-references
// and atomic groups of PCRE go to the backtracking engine, whose matches
// and byte offsets (also past multi-byte characters) are package
// regexp's; what neither takes is an error.
func TestCompile(t *testing.T) {
	for _, tt := range []struct {
		pattern      string
		backtracking bool
		in           string
		want         []string // FindStringSubmatch; nil for no match
	}{
		{`^/(.+)\.html$`, false, "/a/b.html", []string{"/a/b.html", "a/b"}},
		{`(^|/)\.(?!well-known/)`, true, "/x/.git/config", []string{"/.", "/"}},
		{`(^|/)\.(?!well-known/)`, true, "/.well-known/security.txt", nil},
		{`^(?!.*\.php$)(.*)$`, true, "/é/ü.txt", []string{"/é/ü.txt", "/é/ü.txt"}},
		{`^(?!.*\.php$)(.*)$`, true, "/index.php", nil},
		{`(?<=/)(ü+)(x)?/`, true, "/éé/üü/", []string{"üü/", "üü", ""}},
		{`^(\w+)-\1$`, true, "ab-ab", []string{"ab-ab", "ab"}},
		{`^(\w+)-\1$`, true, "ab-ba", nil},
		{`(?i)^(?>a+)b`, true, "AAAB", []string{"AAAB"}},
		{`(?P<name>x)(y)`, false, "xy", []string{"xy", "x", "y"}},
	} {
		re, err := Compile(tt.pattern)
		if err != nil {
			t.Fatalf("Compile(%q): %v", tt.pattern, err)
		}
		if Backtracking(re) != tt.backtracking {
			t.Errorf("Compile(%q): backtracking %v, want %v", tt.pattern, Backtracking(re), tt.backtracking)
		}
		if re.String() != tt.pattern {
			t.Errorf("String() = %q", re.String())
		}
		got := re.FindStringSubmatch(tt.in)
		if !slices.Equal(got, tt.want) {
			t.Errorf("%q on %q: got %q, want %q", tt.pattern, tt.in, got, tt.want)
		}
		if re.MatchString(tt.in) != (tt.want != nil) || re.Match([]byte(tt.in)) != (tt.want != nil) {
			t.Errorf("%q on %q: Match disagrees with Find", tt.pattern, tt.in)
		}
		idx := re.FindSubmatchIndex([]byte(tt.in))
		for i := 0; tt.want != nil && i < len(tt.want); i++ {
			if idx[2*i] >= 0 && tt.in[idx[2*i]:idx[2*i+1]] != tt.want[i] {
				t.Errorf("%q on %q: group %d at %d-%d, want %q", tt.pattern, tt.in, i, idx[2*i], idx[2*i+1], tt.want[i])
			}
		}
	}
	if _, err := Compile(`a(b`); err == nil || !strings.Contains(err.Error(), "missing closing )") {
		t.Errorf("Compile(a(b): %v, want RE2's error", err)
	}
	if _, err := Compile(`foo\Kbar`); err == nil || !strings.Contains(err.Error(), `\K`) {
		t.Errorf("Compile(foo\\Kbar): %v, want \\K refused", err)
	}
	if _, err := Compile(`foo\\Kbar`); err != nil { // an escaped backslash, then K
		t.Errorf("Compile(foo\\\\Kbar): %v", err)
	}
}

// TestFindAll: every match, left to right, at most n.
func TestFindAll(t *testing.T) {
	re, err := Compile(`(\w)(?=\d)`)
	if err != nil {
		t.Fatal(err)
	}
	got := re.FindAllSubmatchIndex([]byte("a1 é b2 c3"), -1)
	want := [][]int{{0, 1, 0, 1}, {6, 7, 6, 7}, {9, 10, 9, 10}} // é is two bytes
	if !slices.EqualFunc(got, want, slices.Equal) {
		t.Errorf("got %v, want %v", got, want)
	}
	if got := re.FindAllSubmatchIndex([]byte("a1 b2 c3"), 2); len(got) != 2 {
		t.Errorf("n=2: %d matches", len(got))
	}
}

// TestTimeout: a catastrophically backtracking pattern stops at
// MatchTimeout and counts as no match.
func TestTimeout(t *testing.T) {
	re, err := Compile(`^(a+)+\1b$`)
	if err != nil {
		t.Fatal(err)
	}
	start := time.Now()
	if re.MatchString(strings.Repeat("a", 40)) {
		t.Error("matched")
	}
	if d := time.Since(start); d > 20*MatchTimeout {
		t.Errorf("took %v", d)
	}
}

// FuzzCompile: any pattern either fails to compile or matches without
// panicking, with offsets inside the input.
func FuzzCompile(f *testing.F) {
	f.Add(`(^|/)\.(?!well-known/)`, "/.git")
	f.Add(`(?<=a)b\1`, "ab")
	f.Fuzz(func(t *testing.T, pattern, in string) {
		re, err := Compile(pattern)
		if err != nil {
			return
		}
		for _, m := range re.FindAllSubmatchIndex([]byte(in), 4) {
			for _, x := range m {
				if x < -1 || x > len(in) {
					t.Fatalf("%q on %q: offset %d", pattern, in, x)
				}
			}
		}
	})
}
