package child_test

import (
	"os"
	"os/user"
	"path/filepath"
	"regexp"
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
		// The children, as nobody, must reach htdocs and the binary.
		for _, d := range []string{root.Dir, filepath.Dir(itest.Binary(t))} {
			for ; d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
				chmod(t, d, 0o755)
			}
		}
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
