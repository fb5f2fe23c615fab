package static

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestWildMatch: Apache's ap_strcmp_match, whose '*' crosses '/'.
func TestWildMatch(t *testing.T) {
	for _, tt := range []struct {
		pattern, s string
		fold, want bool
	}{
		{"*.txt", "/srv/a.txt", false, true},
		{"*.txt", "/srv/a.TXT", false, false},
		{"*.txt", "/srv/a.TXT", true, true},
		{"*README", "/srv/docs/README", false, true},
		{"*/core", "/srv/core", false, true},
		{"*/core", "/srv/xcore", false, false},
		{"text/*", "text/html", true, true},
		{"text/*", "image/png", true, false},
		{"*.mp?", "/a/b.mp3", false, true},
		{"*.mp?", "/a/b.mp", false, false},
		{"*^^DIRECTORY^^", "^^DIRECTORY^^", false, true},
		{"*..", "/srv/docs/..", false, true},
		{"a*b*c", "aXXbYYc", false, true},
		{"a*b*c", "aXXbYY", false, false},
		{"", "", false, true},
		{"*", "", false, true},
	} {
		if got := wildMatch(tt.pattern, tt.s, tt.fold); got != tt.want {
			t.Errorf("wildMatch(%q, %q, %v) = %v", tt.pattern, tt.s, tt.fold, got)
		}
	}
}

// TestFnMatch: apr_fnmatch without flags, as AddDescription uses it.
func TestFnMatch(t *testing.T) {
	for _, tt := range []struct {
		pattern, s string
		want       bool
	}{
		{"*[hj].**", "h.pdf", true},
		{"*[hj].**", "j.odt", true},
		{"*[hj].**", "k.odt", false},
		{"*[!hj].*", "k.odt", true},
		{"*[^a-c]x", "dx", true},
		{"*[^a-c]x", "bx", false},
		{"*[a-c]x", "bx", true},
		{"*//srv/docs/x*", "/srv/docs/x", false},
		{"*/srv/docs/x*", "/srv/docs/x.txt", true},
		{"*.txt*", ".txt", true},
		{"\\*x", "*x", true},
		{"\\*x", "ax", false},
		{"[ab", "[ab", true},
		{"*[]]*", "a]b", true},
		{"?", "", false},
	} {
		if got := fnMatch(tt.pattern, tt.s); got != tt.want {
			t.Errorf("fnMatch(%q, %q) = %v", tt.pattern, tt.s, got)
		}
	}
}

// FuzzIndexPatterns: the two matchers agree where their syntaxes do (no
// '[' or '\'), and neither panics.
func FuzzIndexPatterns(f *testing.F) {
	for _, seed := range [][2]string{{"*.txt", "/a/b.txt"}, {"a*b?c", "aXbYc"}, {"*[hj].**", "h.pdf"}, {"\\", "x"}, {"[", "["}} {
		f.Add(seed[0], seed[1])
	}
	f.Fuzz(func(t *testing.T, pattern, s string) {
		if len(pattern) > 64 || len(s) > 256 {
			return
		}
		fn := fnMatch(pattern, s)
		wild := wildMatch(pattern, s, false)
		if !strings.ContainsAny(pattern, "[\\") && fn != wild {
			t.Errorf("pattern %q, %q: fnMatch %v, wildMatch %v", pattern, s, fn, wild)
		}
		if wild && !wildMatch(pattern, asciiUpper(s), true) {
			t.Errorf("pattern %q, %q: matches, but not without regard to case", pattern, s)
		}
	})
}

// asciiUpper upper-cases the ASCII letters of s and nothing else.
func asciiUpper(s string) string {
	b := []byte(s)
	for i, c := range b {
		if 'a' <= c && c <= 'z' {
			b[i] = c - 'a' + 'A'
		}
	}
	return string(b)
}

// TestFindRule: the first rule wins; a coded file is matched by coding
// rules and never by type rules; directories by path alone; special
// paths by any rule's pattern.
func TestFindRule(t *testing.T) {
	rules := []IndexRule{
		{ByEncoding, "x-gzip", "/cmp.gif"},
		{ByType, "text/*", "/text.gif"},
		{ByPath, "*.gz", "/gz.gif"},
		{ByPath, "*.txt", "/txt.gif"},
		{ByPath, "*^^DIRECTORY^^", "/folder.gif"},
	}
	for _, tt := range []struct {
		path, typ, enc string
		pathOnly       bool
		want           string
	}{
		{"/d/a.txt", "text/plain", "", false, "/text.gif"},
		{"/d/a.txt.gz", "text/plain", "x-gzip", false, "/cmp.gif"},
		{"/d/a.txt.gz", "text/plain", "br", false, "/gz.gif"},
		{"/d/a.txt", "", "", false, "/txt.gif"},
		{"/d/sub.gz", "", "", true, "/gz.gif"},
		{"/d/sub", "", "", true, ""},
		{"^^DIRECTORY^^", "", "", true, "/folder.gif"},
		{"/d/a.png", "image/png", "", false, ""},
	} {
		got, _ := findRule(rules, tt.path, tt.typ, tt.enc, tt.pathOnly)
		if got != tt.want {
			t.Errorf("findRule(%q, %q, %q, %v) = %q, want %q", tt.path, tt.typ, tt.enc, tt.pathOnly, got, tt.want)
		}
	}
}

// TestFindDescription: a pattern without wildcards is a substring of the
// name; one with a '/' is matched against the whole path.
func TestFindDescription(t *testing.T) {
	descs := []IndexDescription{
		{Pattern: "*/srv/docs/*", Text: "docs", FullPath: true, Wildcard: true},
		{Pattern: "READ", Text: "readme"},
		{Pattern: "**.png*", Text: "image", Wildcard: true},
	}
	for _, tt := range []struct{ path, want string }{
		{"/srv/docs/a.txt", "docs"},
		{"/srv/README.md", "readme"},
		{"/srv/READ/x", ""},
		{"/srv/x.png.bak", "image"},
		{"/srv/x.txt", ""},
	} {
		if got, _ := findDescription(descs, tt.path); got != tt.want {
			t.Errorf("findDescription(%q) = %q, want %q", tt.path, got, tt.want)
		}
	}
}

// TestCutDescription: terminate_description's counting (tags count
// nothing, an entity one) and its cut (the last kept character becomes
// '>'), with the widths of DescriptionWidth and the columns left out.
func TestCutDescription(t *testing.T) {
	for _, tt := range []struct {
		desc  string
		lc    ListingConfig
		width int
		want  string
	}{
		{"short", ListingConfig{}, 0, "short"},
		{"A long description for the a file", ListingConfig{}, 0, "A long description for>"},
		{"A long description for the a file", ListingConfig{DescriptionWidth: 30}, 0, "A long description for the a >"},
		{"A long description for the a file, longer than 42", ListingConfig{SuppressLastModified: true}, 0,
			"A long description for the a file, longer>"},
		{"Text <b>file</b> with a long description", ListingConfig{DescriptionWidth: 23}, 0, "Text <b>file</b> with a long >"},
		// Cut after twelve entities, the last one's ';' becomes the '>', as in Apache.
		{"&eacute;&eacute;&eacute;&eacute;&eacute;&eacute;&eacute;&eacute;&eacute;&eacute;&eacute;&eacute;x", ListingConfig{DescriptionWidth: 12}, 0,
			"&eacute;&eacute;&eacute;&eacute;&eacute;&eacute;&eacute;&eacute;&eacute;&eacute;&eacute;&eacute>"},
		{"exactly twenty-three ch", ListingConfig{}, 0, "exactly twenty-three ch"},
		{"unclosed <tag and more text here", ListingConfig{DescriptionWidth: 12}, 0, "unclosed <tag and more text here"},
		{"a long one, fitted to the longest", ListingConfig{DescriptionWidth: -1}, 40, "a long one, fitted to the longest"},
	} {
		if got := cutDescription(tt.desc, &tt.lc, tt.width); got != tt.want {
			t.Errorf("cutDescription(%q, %+v) = %q, want %q", tt.desc, tt.lc, got, tt.want)
		}
	}
}

// TestScanTitle: the text after <title> up to the next '<', a leading
// line break dropped and the others made spaces; nothing from a file
// without one, or from something not a regular file.
func TestScanTitle(t *testing.T) {
	dir := t.TempDir()
	files := map[string]string{
		"a.html": "<html><head><TITLE>\r\nThe B &amp; page\nline2</title></head></html>",
		"b.html": "no title",
		"c.html": strings.Repeat("x", titleScanLimit) + "<title>too late</title>",
		"d.html": "<title>unclosed",
	}
	for name, body := range files {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Mkdir(filepath.Join(dir, "e.html"), 0o755); err != nil {
		t.Fatal(err)
	}
	dirfd, err := unix.Open(dir, unix.O_RDONLY|unix.O_DIRECTORY, 0)
	if err != nil {
		t.Fatal(err)
	}
	defer unix.Close(dirfd)
	buf := make([]byte, titleScanLimit)
	for _, tt := range []struct {
		name, want string
		ok         bool
	}{
		{"a.html", "The B &amp; page line2", true},
		{"b.html", "", false},
		{"c.html", "", false},
		{"d.html", "unclosed", true},
		{"e.html", "", false},
		{"missing.html", "", false},
	} {
		got, ok := scanTitle(dirfd, tt.name, buf)
		if got != tt.want || ok != tt.ok {
			t.Errorf("scanTitle(%s) = %q %v, want %q %v", tt.name, got, ok, tt.want, tt.ok)
		}
	}
}
