//go:build linux

package static_test

import (
	"os"
	"path/filepath"
	"testing"
	"time"

	"eventmpm/child/static"
)

// TestSearchOnly serves from directories the server may search but not
// read (mode 711, "reach the files, not the list"), as Apache's directory
// walk does, which only stats them: index files and files below them are
// served, a directory's URL without its slash is redirected, and only what
// must read the directory's names is refused: a listing (AH01275) and
// MultiViews (AH00686). A DocumentRoot of mode 711 serves everything. On
// Linux the handler opens such directories with O_PATH. As root the test
// prepares the tree and re-executes itself as nobody, like
// TestPermissions.
func TestSearchOnly(t *testing.T) {
	root := os.Getenv(permRootEnv)
	if root == "" {
		s := buildSite(t)
		root = s.root
		prepareSearchOnlyTree(t, root)
		if os.Geteuid() == 0 {
			runAsNobody(t, root, "TestSearchOnly")
			return
		}
	}
	t.Logf("running as uid %d", os.Geteuid())
	for _, fallback := range []bool{false, true} {
		name := "fast"
		if fallback {
			name = "fallback"
		}
		t.Run(name, func(t *testing.T) {
			static.DisableFastPaths(fallback)
			defer static.DisableFastPaths(false)
			h := searchOnlyHandler(t, root)
			runMapCases(t, h, searchOnlyCases)
			checkSearchOnlyDenials(t, h, root)
			checkSearchOnlyRoot(t, filepath.Join(root, "x711"))
		})
	}
	t.Run("NoStaleCache", func(t *testing.T) { checkSearchOnlyChange(t, root) })
}

// searchOnlyCases are the answers in the tree of prepareSearchOnlyTree.
var searchOnlyCases = []mapCase{
	{target: "/x711/", status: 200, body: "x711 index\n"},
	{target: "/x711", status: 301, location: "/x711/"},
	{target: "/x711?a=b", status: 301, location: "/x711/?a=b"},
	{target: "/x711/index.html", status: 200, body: "x711 index\n"},
	{target: "/x711/f.txt", status: 200, body: "x711 f\n"},
	{target: "/x711/sub", status: 301, location: "/x711/sub/"},
	{target: "/x711/sub/", status: 200, body: "sub\n"},
	// SymLinksIfOwnerMatch walks the path a component at a time.
	{target: "/owner/x711/f.txt", status: 200, body: "owner f\n"},
	{target: "/owner/x711/ok.txt", status: 200, body: "owner f\n"},
	{target: "/owner/x711", status: 301, location: "/owner/x711/"},
	{target: "/owner/x711/", status: 403}, // no index file, no Indexes
	// Listing and MultiViews read the directory: 403.
	{target: "/wo/", status: 403},
	{target: "/wo", status: 301, location: "/wo/"},
	{target: "/wo/a.txt", status: 200, body: "a\n"},
	{target: "/mv711/page", status: 403},
	{target: "/mv711/", status: 403},
	{target: "/mv711/page.html.en", status: 200, body: "en\n"},
	// A path beyond a file that may not be read: Apache's default
	// handler refuses the path info (404) before opening the file.
	{target: "/locked.txt/", status: 404},
	{target: "/locked.txt", status: 403},
}

// prepareSearchOnlyTree adds directories of mode 711 to root, and
// deploy, which the server may also write into (its group's -wx), for
// checkSearchOnlyChange.
func prepareSearchOnlyTree(t *testing.T, root string) {
	t.Helper()
	files := map[string]string{
		"x711/index.html": "x711 index\n", "x711/f.txt": "x711 f\n", "x711/sub/index.html": "sub\n",
		"owner/x711/f.txt": "owner f\n", "wo/a.txt": "a\n", "mv711/page.html.en": "en\n",
		"deploy/index.html": "version 1\n", "locked.txt": "locked\n",
	}
	for name, body := range files {
		p := filepath.Join(root, name)
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, []byte(body), 0o644))
	}
	must(t, os.Chmod(filepath.Join(root, "locked.txt"), 0))
	must(t, os.Symlink("f.txt", filepath.Join(root, "owner/x711/ok.txt")))
	if os.Geteuid() == 0 {
		must(t, os.Chown(filepath.Join(root, "deploy"), 0, 65534))
		must(t, os.Chown(filepath.Join(root, "deploy/index.html"), 65534, 65534))
	}
	for dir, mode := range map[string]os.FileMode{"x711": 0o711, "owner/x711": 0o711, "wo": 0o711, "mv711": 0o711, "deploy": 0o731} {
		must(t, os.Chmod(filepath.Join(root, dir), mode))
	}
}

// searchOnlyHandler returns a handler of root with the site's
// configuration and a cache.
func searchOnlyHandler(t *testing.T, root string) *static.Handler {
	t.Helper()
	h, err := static.New(static.Options{DocumentRoot: root, Resolver: siteResolver(root), CacheMaxEntries: 100, CacheMaxFileSize: cacheMax})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	static.SetRacyWindow(h, 0)
	return h
}

// checkSearchOnlyDenials checks what the 403s of directories that may not
// be read tell the error log: the directory, named as Apache's
// mod_autoindex and mod_negotiation name it (with a trailing slash).
func checkSearchOnlyDenials(t *testing.T, h *static.Handler, root string) {
	t.Helper()
	for _, tc := range []struct {
		target    string
		denial    static.Denial
		path, url string // path relative to root
	}{
		{target: "/wo/", denial: static.DenialListing, path: "/wo/", url: "/wo/"},
		{target: "/mv711/page", denial: static.DenialVariants, path: "/mv711/"},
		{target: "/mv711/", denial: static.DenialVariants, path: "/mv711/"}, // its index name's negotiation
		{target: "/owner/x711/", denial: static.DenialNoIndex},
		{target: "/x711/", denial: static.DenialNone},
	} {
		checkDenial(t, h, root, tc.target, tc.denial, tc.path, tc.url)
	}
}

// checkSearchOnlyRoot serves from a DocumentRoot of mode 711.
func checkSearchOnlyRoot(t *testing.T, root string) {
	t.Helper()
	h, err := static.New(static.Options{DocumentRoot: root, CacheMaxEntries: 100, CacheMaxFileSize: cacheMax})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	runMapCases(t, h, []mapCase{
		{target: "/", status: 200, body: "x711 index\n"},
		{target: "/index.html", status: 200, body: "x711 index\n"},
		{target: "/f.txt", status: 200, body: "x711 f\n"},
		{target: "/sub", status: 301, location: "/sub/"},
		{target: "/sub/", status: 200, body: "sub\n"},
		{target: "/missing", status: 404},
	})
}

// checkSearchOnlyChange caches the index file of a directory that may not
// be read, which inotify cannot watch (inotify_add_watch wants read
// permission), then changes it in place and replaces it by a rename: each
// next request gets the new version, the entry being validated by stat.
func checkSearchOnlyChange(t *testing.T, root string) {
	h := searchOnlyHandler(t, root)
	path := filepath.Join(root, "deploy/index.html")
	get := func(want, what string) {
		t.Helper()
		if res := serve(t, h, "GET", "/deploy/"); res.Status != 200 || res.Body != want {
			t.Fatalf("%s: got %d %q, want 200 %q", what, res.Status, res.Body, want)
		}
	}
	old := time.Now().Add(-time.Hour) // no weak ETag: cacheable
	must(t, os.Chtimes(path, old, old))
	get("version 1\n", "caching")
	get("version 1\n", "cached")
	if static.CacheLen(h) == 0 || static.Watched(h, "/deploy/") {
		t.Fatalf("/deploy/: cached %d entries, watched %v; want it cached and validated by stat",
			static.CacheLen(h), static.Watched(h, "/deploy/"))
	}
	must(t, os.WriteFile(path, []byte("version 2\n"), 0o644))
	must(t, os.Chtimes(path, old, old))
	get("version 2\n", "after a write in place")
	get("version 2\n", "cached again")
	tmp := filepath.Join(root, "deploy/index.html.new")
	must(t, os.WriteFile(tmp, []byte("version 3\n"), 0o644))
	must(t, os.Chtimes(tmp, old, old))
	must(t, os.Rename(tmp, path))
	get("version 3\n", "after a rename over it")
}
