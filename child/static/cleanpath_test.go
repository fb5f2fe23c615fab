package static_test

import (
	"testing"

	"eventmpm/child/static"
)

func TestCleanPath(t *testing.T) {
	tests := []struct {
		raw    string
		want   string
		status int
	}{
		// Plain and normalized.
		{raw: "/", want: "/"},
		{raw: "/a/b.txt", want: "/a/b.txt"},
		{raw: "/a/", want: "/a/"},
		{raw: "//", want: "/"},
		{raw: "/a//b", want: "/a/b"},
		{raw: "//a///b//", want: "/a/b/"},
		{raw: "/./a", want: "/a"},
		{raw: "/a/./b", want: "/a/b"},
		{raw: "/a/.", want: "/a/"},
		{raw: "/.", want: "/"},
		{raw: "/a/x/../b", want: "/a/b"},
		{raw: "/a/b/..", want: "/a/"},
		{raw: "/a/..", want: "/"},
		{raw: "/a/b/../../c", want: "/c"},
		{raw: "/a/%2e/b", want: "/a/b"},
		{raw: "/a/%2e%2e/b", want: "/b"},
		{raw: "/a/.%2E/b", want: "/b"},
		// Decoding.
		{raw: "/a%20b.txt", want: "/a b.txt"},
		{raw: "/100%25.txt", want: "/100%.txt"},
		{raw: "/%41%62", want: "/Ab"},
		{raw: "/%c3%a9", want: "/\xc3\xa9"},
		// Above the root: 400.
		{raw: "/..", status: 400},
		{raw: "/../", status: 400},
		{raw: "/../etc/passwd", status: 400},
		{raw: "/a/../../etc/passwd", status: 400},
		{raw: "/%2e%2e/etc/passwd", status: 400},
		{raw: "/%2E%2e/etc/passwd", status: 400},
		{raw: "/.%2e/etc/passwd", status: 400},
		{raw: "/./../x", status: 400},
		// Malformed: 400.
		{raw: "", status: 400},
		{raw: "*", status: 400},
		{raw: "a/b", status: 400},
		{raw: "/%zz", status: 400},
		{raw: "/%4", status: 400},
		{raw: "/%", status: 400},
		{raw: "/a%g1", status: 400},
		{raw: "/a\x00b", status: 400},
		// Encoded slash and NUL: 404.
		{raw: "/a%2fb", status: 404},
		{raw: "/a%2Fb", status: 404},
		{raw: "/..%2f..%2fetc/passwd", status: 404},
		{raw: "/%2e%2e%2fetc/passwd", status: 404},
		{raw: "/a%00b", status: 404},
		{raw: "/hello.txt%00.html", status: 404},
		// 400 wins over 404, whatever the order.
		{raw: "/a%2fb/../../x", status: 400},
		{raw: "/../a%2fb", status: 400},
		{raw: "/a%2fb%zz", status: 400},
		// Decoded once: literal names.
		{raw: "/%252e%252e/etc/passwd", want: "/%2e%2e/etc/passwd"},
		{raw: "/%252f", want: "/%2f"},
		{raw: "/%2500", want: "/%00"},
		// Backslash is an ordinary byte.
		{raw: "/..\\..\\etc\\passwd", want: "/..\\..\\etc\\passwd"},
		{raw: "/a\\..\\b", want: "/a\\..\\b"},
		{raw: "/%5c..%5cx", want: "/\\..\\x"},
		// Overlong UTF-8 dots stay bytes.
		{raw: "/%c0%ae%c0%ae/etc/passwd", want: "/\xc0\xae\xc0\xae/etc/passwd"},
		{raw: "/%e0%80%ae/x", want: "/\xe0\x80\xae/x"},
		// Trailing dots and other dot names are names.
		{raw: "/index.html.", want: "/index.html."},
		{raw: "/...", want: "/..."},
		{raw: "/a/.../b", want: "/a/.../b"},
		{raw: "/..a", want: "/..a"},
		{raw: "/a..", want: "/a.."},
		{raw: "/.hidden", want: "/.hidden"},
	}
	for _, tt := range tests {
		got, status := static.CleanPath([]byte(tt.raw), nil)
		if status != tt.status || (status == 0 && string(got) != tt.want) {
			t.Errorf("CleanPath(%q) = %q, %d; want %q, %d", tt.raw, got, status, tt.want, tt.status)
		}
		if status != 0 && len(got) != 0 {
			t.Errorf("CleanPath(%q): got %q with status %d, want empty", tt.raw, got, status)
		}
		// In place.
		buf := []byte(tt.raw)
		got2, status2 := static.CleanPath(buf, buf[:0])
		if status2 != status || string(got2) != string(got) {
			t.Errorf("CleanPath(%q) in place = %q, %d; want %q, %d", tt.raw, got2, status2, got, status)
		}
		if status == 0 && !static.CheckedPath(string(got)) {
			t.Errorf("CheckedPath(CleanPath(%q) = %q) = false, want true", tt.raw, got)
		}
	}
}

func TestCheckedPath(t *testing.T) {
	tests := []struct {
		path string
		want bool
	}{
		{path: "/", want: true},
		{path: "/a/b", want: true},
		{path: "/a/b/", want: true},
		{path: "/.a/..b/...", want: true},
		{path: "", want: false},
		{path: "a", want: false},
		{path: "/..", want: false},
		{path: "/a/../b", want: false},
		{path: "/a/./b", want: false},
		{path: "/a/.", want: false},
		{path: "//a", want: false},
		{path: "/a//b", want: false},
		{path: "/a\x00", want: false},
	}
	for _, tt := range tests {
		if got := static.CheckedPath(tt.path); got != tt.want {
			t.Errorf("CheckedPath(%q) = %v, want %v", tt.path, got, tt.want)
		}
	}
}
