package static_test

import (
	"os"
	"path/filepath"
	"testing"

	"eventmpm/child/static"
)

// allNoFollow refuses symlinks in every directory.
type allNoFollow struct{}

func (allNoFollow) DirConfig(string) static.DirConfig {
	return static.DirConfig{DirectoryIndex: []string{"index.html"}}
}

// noFollowCases hold when no directory follows symlinks.
var noFollowCases = []mapCase{
	{target: "/", status: 200, body: "<h1>home</h1>\n"},
	{target: "/hello.txt", status: 200, body: "hello, world\n"},
	{target: "/sub/page.html", status: 200, body: "<p>page</p>\n"},
	{target: "/link-in.txt", status: 403},
	{target: "/link-abs.txt", status: 403},
	{target: "/link-out.txt", status: 403},
	{target: "/rel-out.txt", status: 403},
	{target: "/link-sub/", status: 403},
	{target: "/link-sub/page.html", status: 403},
	{target: "/link-outdir/secret.txt", status: 403},
	{target: "/loop", status: 403},
	{target: "/missing", status: 404},
	{target: "/hello.txt/x", status: 404},
	{target: "/.htaccess", status: 403},
}

// TestNoFollowEverywhere runs with FollowSymLinks off in every directory,
// which on Linux is one openat2 with RESOLVE_NO_SYMLINKS.
func TestNoFollowEverywhere(t *testing.T) {
	s := buildSite(t)
	must(t, os.Symlink("../outside/secret.txt", filepath.Join(s.root, "rel-out.txt")))
	h := newHandler(t, s, func(o *static.Options) { o.Resolver = allNoFollow{} })
	runMapCases(t, h, noFollowCases)
}

// TestFallbacks runs the mapping tables and the staleness tests without
// openat2, statx and inotify: the code path of kernels before 5.6 and of
// the BSDs.
func TestFallbacks(t *testing.T) {
	static.DisableFastPaths(true)
	defer static.DisableFastPaths(false)
	t.Run("Mapping", TestMapping)
	t.Run("Traversal", TestTraversal)
	t.Run("NoFollowEverywhere", TestNoFollowEverywhere)
	t.Run("RelativeEscape", TestRelativeEscape)
	for _, tt := range stalenessTests {
		t.Run(tt.name, tt.run)
	}
}

// TestRelativeEscape follows a relative symlink out of the root, which
// RESOLVE_BENEATH refuses (EXDEV) and the retry allows.
func TestRelativeEscape(t *testing.T) {
	s := buildSite(t)
	must(t, os.Symlink("../outside/secret.txt", filepath.Join(s.root, "rel-out.txt")))
	must(t, os.Symlink("../../outside", filepath.Join(s.root, "sub/rel-outdir")))
	h := newHandler(t, s, nil)
	runMapCases(t, h, []mapCase{
		{target: "/rel-out.txt", status: 200, body: "outside secret"},
		{target: "/sub/rel-outdir/secret.txt", status: 200, body: "outside secret"},
		// ".." is lexical, as in Apache: it never climbs back through a link.
		{target: "/sub/rel-outdir/../hello.txt", status: 404},
		{target: "/sub/rel-outdir/../page.html", status: 200, body: "<p>page</p>\n"},
	})
}

// BenchmarkRevalidateStat is the system call every cache hit pays.
func BenchmarkRevalidateStat(b *testing.B) {
	s := buildSite(b)
	p := append([]byte(filepath.Join(s.root, "hello.txt")), 0)
	b.ReportAllocs()
	for b.Loop() {
		if err := static.StatPath(p); err != nil {
			b.Fatal(err)
		}
	}
}
