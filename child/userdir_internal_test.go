package child

import (
	"os/user"
	"testing"
)

// TestUserDirEntry: each form of a UserDir entry, as translate_userdir
// reads it.
func TestUserDirEntry(t *testing.T) {
	root, err := user.Lookup("root")
	if err != nil {
		t.Skip("no user root:", err)
	}
	for _, tc := range []struct {
		entry, user, rest  string
		filename, redirect string
	}{
		{"/home", "bob", "/x", "/home/bob", ""},
		{"/home/*/www", "bob", "/x", "/home/bob/www", ""},
		{"/srv/*", "bob", "", "/srv/bob", ""},
		{"public_html", "root", "/x", root.HomeDir + "/public_html", ""},
		{"public_html", "no-such-user-here", "/x", "", ""},
		{"http://example.com/~*", "bob", "/a/b", "", "http://example.com/~bob/a/b"},
		{"http://example.com/*/site", "bob", "/a", "", "http://example.com/bob/a"}, // the part after '*' dropped, as Apache
		{"http://example.com/users", "root", "/a", root.HomeDir + "/http://example.com/users", ""},
	} {
		filename, redirect := userDirEntry(tc.entry, tc.user, []byte(tc.rest))
		if filename != tc.filename || redirect != tc.redirect {
			t.Errorf("userDirEntry(%q, %q, %q) = %q, %q; want %q, %q", tc.entry, tc.user, tc.rest, filename, redirect, tc.filename, tc.redirect)
		}
	}
}

// TestSplitUserPath: "/~name" and "/~name/rest", and the paths that are
// not a user's.
func TestSplitUserPath(t *testing.T) {
	for _, tc := range []struct {
		p, name, rest string
		ok            bool
	}{
		{"/~bob/a/b", "bob", "/a/b", true},
		{"/~bob/", "bob", "/", true},
		{"/~bob", "bob", "", true},
		{"/~", "", "", true},
		{"/bob", "", "", false},
		{"/", "", "", false},
	} {
		name, rest, ok := splitUserPath([]byte(tc.p))
		if name != tc.name || string(rest) != tc.rest || ok != tc.ok {
			t.Errorf("splitUserPath(%q) = %q, %q, %v; want %q, %q, %v", tc.p, name, rest, ok, tc.name, tc.rest, tc.ok)
		}
	}
}
