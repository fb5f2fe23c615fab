package static_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"eventmpm/child/static"
)

func TestListing(t *testing.T) {
	s := buildSite(t)
	must(t, os.Chtimes(filepath.Join(s.root, "listed/z"), fileTime, fileTime))
	// A dangling symlink is left out: its link would lead to a 404.
	must(t, os.Symlink("missing-target", filepath.Join(s.root, "listed/dangling")))
	h := newHandler(t, s, nil)
	res := serve(t, h, "GET", "/listed/")
	want := `<!DOCTYPE HTML PUBLIC "-//W3C//DTD HTML 4.01//EN" "http://www.w3.org/TR/html4/strict.dtd">
<html>
 <head>
  <title>Index of /listed</title>
 </head>
 <body>
<h1>Index of /listed</h1>
  <table>
   <tr><th valign="top">&nbsp;</th><th><a href="?C=N;O=D">Name</a></th><th><a href="?C=M;O=A">Last modified</a></th><th><a href="?C=S;O=A">Size</a></th><th><a href="?C=D;O=A">Description</a></th></tr>
   <tr><th colspan="5"><hr></th></tr>
<tr><td valign="top">&nbsp;</td><td><a href="/">Parent Directory</a></td><td>&nbsp;</td><td align="right">  - </td><td>&nbsp;</td></tr>
<tr><td valign="top">&nbsp;</td><td><a href="%3cb%3e&amp;.txt">&lt;b&gt;&amp;.txt</a></td><td align="right">` + local("2024-01-02 03:04") + `  </td><td align="right">  1 </td><td>&nbsp;</td></tr>
<tr><td valign="top">&nbsp;</td><td><a href="a.txt">a.txt</a></td><td align="right">` + local("2024-01-02 03:04") + `  </td><td align="right">  3 </td><td>&nbsp;</td></tr>
<tr><td valign="top">&nbsp;</td><td><a href="z/">z/</a></td><td align="right">` + local("2024-01-02 03:04") + `  </td><td align="right">  - </td><td>&nbsp;</td></tr>
   <tr><th colspan="5"><hr></th></tr>
</table>
</body></html>
`
	if res.Status != 200 || res.Body != want || res.Header != "Content-Type: text/html;charset=UTF-8\r\n" {
		t.Errorf("listing: %d %q\n%s\nwant 200\n%s", res.Status, res.Header, res.Body, want)
	}
	if n := static.CacheLen(h); n != 0 {
		t.Errorf("listing cached: %d entries, want 0", n)
	}
	runMapCases(t, h, []mapCase{
		{method: "HEAD", target: "/listed/", status: 200},
		{method: "OPTIONS", target: "/listed/", status: 200},
		{method: "POST", target: "/listed/", status: 405},
		{target: "/listed", status: 301, location: "/listed/"},
		{target: "/listed/z/", status: 200, body: res0(t, h, "/listed/z/")},
	})
	sub := serve(t, h, "GET", "/listed/z/")
	if !contains(sub.Body, `<a href="/listed/">Parent Directory</a>`) || !contains(sub.Body, `<a href="zz.txt">zz.txt</a>`) {
		t.Errorf("sub-listing:\n%s\nwant a parent link to /listed/ and zz.txt", sub.Body)
	}
}

// local renders a UTC time of the test files ("2006-01-02 15:04") in the
// local zone, as listings show times.
func local(utc string) string {
	t, err := time.Parse("2006-01-02 15:04", utc)
	if err != nil {
		panic(err)
	}
	return t.Local().Format("2006-01-02 15:04")
}

// res0 returns the body a GET of target gets.
func res0(t *testing.T, h *static.Handler, target string) string {
	return serve(t, h, "GET", target).Body
}

func contains(s, sub string) bool { return len(sub) == 0 || indexOf(s, sub) >= 0 }

func indexOf(s, sub string) int {
	for i := 0; i+len(sub) <= len(s); i++ {
		if s[i:i+len(sub)] == sub {
			return i
		}
	}
	return -1
}

func TestFormatSize(t *testing.T) {
	tests := []struct {
		n    int64
		want string
	}{
		{0, "  0 "}, {972, "972 "}, {973, "1.0K"}, {1024, "1.0K"}, {5000, "4.9K"},
		{10199, " 10K"}, {996147, "973K"}, {1 << 20, "1.0M"}, {5 << 30, "5.0G"},
	}
	for _, tt := range tests {
		if got := static.FormatSize(tt.n); got != tt.want {
			t.Errorf("formatSize(%d) = %q, want %q", tt.n, got, tt.want)
		}
	}
}

// TestListingSymlinkOptions: a listing leaves out the symlinks a request
// could not follow under the directory's Options, as mod_autoindex leaves
// out what its lookup refuses: all of them without FollowSymLinks, those
// owned by someone else than their target with SymLinksIfOwnerMatch.
func TestListingSymlinkOptions(t *testing.T) {
	s := buildSite(t)
	for _, dir := range []string{"lnofollow", "lowner"} {
		must(t, os.Mkdir(filepath.Join(s.root, dir), 0o755))
		must(t, os.WriteFile(filepath.Join(s.root, dir, "plain.txt"), []byte("p"), 0o644))
		must(t, os.Symlink("plain.txt", filepath.Join(s.root, dir, "same-owner")))
	}
	other := filepath.Join(s.root, "lowner", "other-owner")
	must(t, os.Symlink("plain.txt", other))
	if err := os.Lchown(other, 4242, 4242); err != nil {
		t.Skipf("cannot give a symlink another owner here: %v", err)
	}
	h := newHandler(t, s, nil)
	for _, tt := range []struct {
		dir         string
		listed, not []string
	}{
		{dir: "/lnofollow/", listed: []string{"plain.txt"}, not: []string{"same-owner"}},
		{dir: "/lowner/", listed: []string{"plain.txt", "same-owner"}, not: []string{"other-owner"}},
	} {
		res := serve(t, h, "GET", tt.dir)
		if res.Status != 200 {
			t.Fatalf("GET %s: %d, want 200", tt.dir, res.Status)
		}
		for _, name := range tt.listed {
			if !contains(res.Body, `href="`+name+`"`) {
				t.Errorf("GET %s: %s not listed:\n%s", tt.dir, name, res.Body)
			}
			if st := serve(t, h, "GET", tt.dir+name).Status; st != 200 {
				t.Errorf("GET %s%s: %d, want 200 for a listed entry", tt.dir, name, st)
			}
		}
		for _, name := range tt.not {
			if contains(res.Body, name) {
				t.Errorf("GET %s: %s listed, but its link gives 403:\n%s", tt.dir, name, res.Body)
			}
			if st := serve(t, h, "GET", tt.dir+name).Status; st != 403 {
				t.Errorf("GET %s%s: %d, want 403", tt.dir, name, st)
			}
		}
	}
}
