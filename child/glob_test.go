package child

import (
	"path"
	"strings"
	"testing"
)

// apacheToGo rewrites the "[!...]" negation apr_fnmatch accepts (as
// globMatch does, for <Files "[!.]*">) into the "[^...]" that path.Match
// understands; path.Match takes '!' literally.
func apacheToGo(pattern string) string { return strings.ReplaceAll(pattern, "[!", "[^") }

func TestGlobMatchAgreesWithPathMatch(t *testing.T) {
	patterns := []string{".ht*", "*.html", "index.???", "[a-c]*", "[!a-c]*", "[^.]*", "*", "a*b*c", `\*lit`, "x[", "", "*.*"}
	names := []string{".htaccess", ".htpasswd", ".ht", "ht", "index.html", "index.htm", "a.html", "b", "c.txt", "d",
		".hidden", "abc", "aXbYc", "ab", "*lit", "lit", "x[", "", "file.tar.gz"}
	for _, p := range patterns {
		for _, n := range names {
			want, err := path.Match(apacheToGo(p), n)
			if err != nil {
				want = false
			}
			if got := globMatch(p, []byte(n)); got != want {
				t.Errorf("globMatch(%q, %q): got %v, want %v", p, n, got, want)
			}
		}
	}
}

func FuzzGlobMatch(f *testing.F) {
	f.Add(".ht*", ".htaccess")
	f.Add("[a-z]*.?s", "main.js")
	f.Fuzz(func(t *testing.T, p, n string) {
		want, err := path.Match(apacheToGo(p), n)
		if err != nil || containsSlash(p, n) || strings.Contains(p, `\[!`) || !isASCII(p+n) {
			// path.Match reports bad patterns lazily, treats '/'
			// specially, and reads UTF-8 runes where globMatch, like
			// apr_fnmatch, reads bytes ('?' is one byte of "é").
			return
		}
		if got := globMatch(p, []byte(n)); got != want {
			t.Fatalf("globMatch(%q, %q): got %v, want %v", p, n, got, want)
		}
	})
}

func containsSlash(s ...string) bool {
	for _, x := range s {
		for i := 0; i < len(x); i++ {
			if x[i] == '/' {
				return true
			}
		}
	}
	return false
}

func isASCII(s string) bool {
	for i := 0; i < len(s); i++ {
		if s[i] >= 0x80 {
			return false
		}
	}
	return true
}
