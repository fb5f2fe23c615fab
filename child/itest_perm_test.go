package child_test

import (
	"os"
	"os/user"
	"path/filepath"
	"regexp"
	"strings"
	"testing"
	"time"

	"eventmpm/internal/itest"
)

// TestPermissionDenialsLogged: a file the server may not read and a
// directory it may not search answer 403 with Apache's error-log lines,
// at level error (shown at the default LogLevel warn), headed
// "(13)Permission denied: " and the client's address: AH00132 naming the
// file, AH00035 naming the URL and the path up to the component that
// could not be looked up (for a directory's URL, its index file's). An
// index file that cannot be read is the index all the same (403), as
// mod_dir's. As root the server runs its children as User nobody, as an
// operator's would (root reads everything); as anyone else it runs as
// that user, with modes that refuse the owner too.
func TestPermissionDenialsLogged(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("integration test (make test-short runs unit tests only)")
	}
	conf := baseConf + "LogLevel warn\n<Directory htdocs/two>\n    DirectoryIndex a.html b.html\n</Directory>\n"
	args, unreadable := []string{"start", "-X"}, os.FileMode(0o200)
	if os.Geteuid() == 0 {
		group := nobodyGroup(t)
		conf += "User nobody\nGroup " + group + "\n"
		args, unreadable = []string{"start", "--foreground"}, 0o600
	}
	root := itest.NewRoot(t, conf, map[string]string{
		"hello.txt": "hello\n", "secret.txt": "secret\n", "zero.txt": "zero\n",
		"nox/g.txt": "g\n", "nox/inner/f.txt": "f\n", "two/a.html": "a\n", "two/b.html": "b\n",
	})
	for name, mode := range map[string]os.FileMode{"secret.txt": unreadable, "zero.txt": 0, "two/a.html": unreadable, "nox": 0o600} {
		chmod(t, root.Path("htdocs", name), mode)
	}
	t.Cleanup(func() { os.Chmod(root.Path("htdocs", "nox"), 0o755) }) // for the removal of the root
	if os.Geteuid() == 0 {
		letNobodyReach(t, root) // the children, as nobody, must reach htdocs and the binary
	}
	s := launchArgs(t, root, args...)
	s.proc.WaitListening(t, root.Addr(), 30*time.Second)

	const h = "Host: localhost\r\n"
	if resp, body := s.get(t, "GET /hello.txt HTTP/1.1\r\n"+h+"\r\n", "GET"); resp.StatusCode != 200 || body != "hello\n" {
		t.Fatalf("GET /hello.txt: got %d %q, want 200 %q", resp.StatusCode, body, "hello\n")
	}
	docs := root.Path("htdocs")
	head := `\[core:error\] \[pid \d+:tid \d+\] \(13\)Permission denied: \[client 127\.0\.0\.1:\d+\] `
	fileLine := func(path string) string {
		return head + `AH00132: file permissions deny server access: ` + regexp.QuoteMeta(docs+path) + `\n`
	}
	searchLine := func(url, path string) string {
		return head + `AH00035: access to ` + regexp.QuoteMeta(url) + ` denied \(filesystem path '` + regexp.QuoteMeta(docs+path) +
			`'\) because search permissions are missing on a component of the path\n`
	}
	for _, tc := range []struct{ target, line string }{
		{"/secret.txt", fileLine("/secret.txt")},
		{"/zero.txt", fileLine("/zero.txt")},
		{"/nox/g.txt", searchLine("/nox/g.txt", "/nox/g.txt")},
		{"/nox/inner/f.txt", searchLine("/nox/inner/f.txt", "/nox/inner")},
		{"/nox/", searchLine("/nox/index.html", "/nox/index.html")},
		{"/two/", fileLine("/two/a.html")},
	} {
		if resp, _ := s.get(t, "GET "+tc.target+" HTTP/1.1\r\n"+h+"\r\n", "GET"); resp.StatusCode != 403 {
			t.Errorf("GET %s: got %d, want 403", tc.target, resp.StatusCode)
		}
		re := regexp.MustCompile(tc.line)
		itest.Eventually(t, ioWait, "GET "+tc.target+": an error-log line matching "+tc.line, func() bool {
			return re.MatchString(s.logFile("error_log"))
		})
	}
}

// TestSearchOnlyDirectories: directories the server may search but not
// read (mode 711, "reach the files, not the list"), the DocumentRoot
// among them, answer as Apache's, whose directory walk only stats them:
// files and index files are served (also through a walk component by
// component, with SymLinksIfOwnerMatch), a directory's URL without its
// slash is redirected, and what must read a directory's names is refused
// with its module's line: a listing (403, AH01275) and MultiViews (403,
// AH00686). Such a directory cannot be watched for changes (inotify wants
// read permission): an index file cached from it and then replaced is
// never served stale. As root the children run as nobody; as anyone else
// as that user, with mode 100 for the owner.
func TestSearchOnlyDirectories(t *testing.T) {
	t.Parallel()
	if testing.Short() {
		t.Skip("integration test (make test-short runs unit tests only)")
	}
	conf := baseConf +
		"<Directory htdocs/own>\n    Options -FollowSymLinks +SymLinksIfOwnerMatch\n</Directory>\n" +
		"<Directory htdocs/list>\n    Options +Indexes\n</Directory>\n" +
		"<Directory htdocs/mv>\n    Options +MultiViews\n</Directory>\n"
	args, searchOnly := []string{"start", "-X"}, os.FileMode(0o100)
	if os.Geteuid() == 0 {
		conf += "User nobody\nGroup " + nobodyGroup(t) + "\n"
		args, searchOnly = []string{"start", "--foreground"}, 0o711
	}
	root := itest.NewRoot(t, conf, map[string]string{
		"index.html": "top\n", "pub/index.html": "pub 1\n", "pub/f.txt": "f\n",
		"own/in/f.txt": "own f\n", "list/a.txt": "a\n", "mv/page.html.en": "en\n",
	})
	must := func(err error) {
		t.Helper()
		if err != nil {
			t.Fatal(err)
		}
	}
	docs := root.Path("htdocs")
	old := time.Now().Add(-time.Hour) // a strong ETag: cacheable after the racy window
	must(os.Chtimes(filepath.Join(docs, "pub/index.html"), old, old))
	dirs := []string{"pub", "own/in", "list", "mv", "."} // "." last: the DocumentRoot
	for _, d := range dirs {
		chmod(t, filepath.Join(docs, d), searchOnly)
	}
	t.Cleanup(func() {
		for _, d := range dirs {
			os.Chmod(filepath.Join(docs, d), 0o755) // for the removal of the root
		}
	})
	if os.Geteuid() == 0 {
		letNobodyReach(t, root)
	}
	s := launchArgs(t, root, args...)
	s.proc.WaitListening(t, root.Addr(), 30*time.Second)

	get := func(target string, status int, body, location string) {
		t.Helper()
		resp, got := s.get(t, "GET "+target+" HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
		if resp.StatusCode != status || (status == 200 && got != body) {
			t.Errorf("GET %s: got %d %q, want %d %q", target, resp.StatusCode, got, status, body)
		}
		if loc := resp.Header.Get("Location"); location != "" && !strings.HasSuffix(loc, location) {
			t.Errorf("GET %s: Location %q, want one ending in %q", target, loc, location)
		}
	}
	for _, tc := range []struct {
		target   string
		status   int
		body     string // for 200
		location string // for 301, the path
	}{
		{"/", 200, "top\n", ""},
		{"/index.html", 200, "top\n", ""},
		{"/pub/", 200, "pub 1\n", ""},
		{"/pub", 301, "", "/pub/"},
		{"/pub/f.txt", 200, "f\n", ""},
		{"/own/in/f.txt", 200, "own f\n", ""},
		{"/own/in", 301, "", "/own/in/"},
		{"/list", 301, "", "/list/"},
		{"/list/a.txt", 200, "a\n", ""},
		{"/list/", 403, "", ""},
		{"/mv/page", 403, "", ""},
	} {
		get(tc.target, tc.status, tc.body, tc.location)
	}
	head := `\(13\)Permission denied: \[client 127\.0\.0\.1:\d+\] `
	for _, line := range []string{
		`\[autoindex:error\] \[pid \d+:tid \d+\] ` + head + `AH01275: Can't open directory for index: ` + regexp.QuoteMeta(docs+"/list/") + `\n`,
		`\[negotiation:error\] \[pid \d+:tid \d+\] ` + head + `AH00686: cannot read directory for multi: ` + regexp.QuoteMeta(docs+"/mv/") + `\n`,
	} {
		re := regexp.MustCompile(line)
		itest.Eventually(t, ioWait, "an error-log line matching "+line, func() bool {
			return re.MatchString(s.logFile("error_log"))
		})
	}

	// The index file, cached once past the racy window, then replaced
	// as a deploy replaces it: by a rename over it.
	time.Sleep(2100 * time.Millisecond)
	get("/pub/", 200, "pub 1\n", "")
	get("/pub/", 200, "pub 1\n", "")
	withMode(t, filepath.Join(docs, "pub"), 0o755, searchOnly, func() {
		tmp := filepath.Join(docs, "pub/index.html.new")
		must(os.WriteFile(tmp, []byte("pub 2\n"), 0o644))
		must(os.Chtimes(tmp, old, old))
		must(os.Rename(tmp, filepath.Join(docs, "pub/index.html")))
	})
	get("/pub/", 200, "pub 2\n", "")
}

// letNobodyReach makes the directories above root's and the binary's
// searchable, for children running as nobody.
func letNobodyReach(t *testing.T, root *itest.Root) {
	t.Helper()
	for _, d := range []string{root.Dir, filepath.Dir(itest.Binary(t))} {
		for ; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
			chmod(t, d, 0o755)
		}
	}
}

// withMode runs f with the directory dir's mode set to mode, then sets it
// to after (a test's own changes to a directory the server may not read).
func withMode(t *testing.T, dir string, mode, after os.FileMode, f func()) {
	t.Helper()
	chmod(t, dir, mode)
	f()
	chmod(t, dir, after)
}

// nobodyGroup returns the name of user nobody's group, skipping the test
// when there is none.
func nobodyGroup(t *testing.T) string {
	t.Helper()
	u, err := user.Lookup("nobody")
	if err != nil {
		t.Skipf("no user nobody: %v", err)
	}
	g, err := user.LookupGroupId(u.Gid)
	if err != nil {
		t.Skipf("no group %s: %v", u.Gid, err)
	}
	return g.Name
}

// chmod sets the mode of path.
func chmod(t *testing.T, path string, mode os.FileMode) {
	t.Helper()
	if err := os.Chmod(path, mode); err != nil {
		t.Fatal(err)
	}
}
