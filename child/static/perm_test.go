package static_test

import (
	"io"
	"os"
	"os/exec"
	"path/filepath"
	"strings"
	"syscall"
	"testing"

	"eventmpm/child/static"
)

// permRootEnv hands the prepared DocumentRoot to the re-executed test.
const permRootEnv = "STATIC_TEST_PERM_ROOT"

// TestPermissions checks EACCES answers. Root ignores file permissions, so
// as root the test prepares the tree and re-executes the test binary as
// nobody; as anyone else it runs directly.
func TestPermissions(t *testing.T) {
	root := os.Getenv(permRootEnv)
	if root == "" {
		s := buildSite(t)
		root = s.root
		preparePermTree(t, root)
		if os.Geteuid() == 0 {
			runAsNobody(t, root, "TestPermissions")
			return
		}
	}
	h, err := static.New(static.Options{DocumentRoot: root, Resolver: siteResolver(root), CacheMaxEntries: 100, CacheMaxFileSize: cacheMax})
	if err != nil {
		t.Fatal(err)
	}
	defer h.Close()
	t.Logf("running as uid %d", os.Geteuid())
	runMapCases(t, h, []mapCase{
		{target: "/secret.txt", status: 403},
		{target: "/closed/x.txt", status: 403},
		{target: "/closed/", status: 403},
		{target: "/badidx/", status: 403},
		{target: "/badidx2/", status: 403},
		{target: "/wo/", status: 403},
		// mod_dir takes the first index name that is a regular file, and
		// it cannot be read: 403, not the readable second name.
		{target: "/twoidx/", status: 403},
		{target: "/hello.txt", status: 200, body: "hello, world\n"},
	})
	checkDenials(t, h, root)
}

// checkDenials checks what a 403 for want of permissions tells the error
// log, as Apache's lines name it: AH00132 for a file that may not be
// read, AH00035 for a directory on the way that may not be searched (for
// a directory's URL, its index file's lookup).
func checkDenials(t *testing.T, h *static.Handler, root string) {
	t.Helper()
	for _, tc := range []struct {
		target    string
		denial    static.Denial
		path, url string // path relative to root
	}{
		{target: "/secret.txt", denial: static.DenialFileAccess, path: "/secret.txt", url: "/secret.txt"},
		{target: "/closed/x.txt", denial: static.DenialSearch, path: "/closed/x.txt", url: "/closed/x.txt"},
		{target: "/closed/", denial: static.DenialSearch, path: "/closed/index.html", url: "/closed/index.html"},
		{target: "/badidx/", denial: static.DenialFileAccess, path: "/badidx/index.html", url: "/badidx/index.html"},
		{target: "/twoidx/", denial: static.DenialFileAccess, path: "/twoidx/a.html", url: "/twoidx/a.html"},
		{target: "/hello.txt", denial: static.DenialNone},
	} {
		checkDenial(t, h, root, tc.target, tc.denial, tc.path, tc.url)
	}
}

// preparePermTree adds unreadable files and directories to root.
func preparePermTree(t *testing.T, root string) {
	t.Helper()
	for dir, mode := range map[string]os.FileMode{"closed": 0o700, "badidx": 0o755, "badidx2": 0o755, "wo": 0o711, "twoidx": 0o755} {
		must(t, os.MkdirAll(filepath.Join(root, dir), 0o755))
		defer os.Chmod(filepath.Join(root, dir), mode)
	}
	for name, mode := range map[string]os.FileMode{"secret.txt": 0, "closed/x.txt": 0o644, "badidx/index.html": 0, "badidx2/index.html": 0, "wo/a.txt": 0o644, "twoidx/a.html": 0, "twoidx/b.html": 0o644} {
		p := filepath.Join(root, name)
		must(t, os.WriteFile(p, []byte("x"), 0o644))
		must(t, os.Chmod(p, mode))
	}
	if os.Geteuid() == 0 {
		must(t, os.Chown(filepath.Join(root, "closed"), 0, 0))
	}
}

// runAsNobody re-executes the test name as uid/gid 65534 against root.
func runAsNobody(t *testing.T, root, name string) {
	t.Helper()
	// Everything on the way must be traversable by nobody.
	for d := filepath.Dir(root); d != "/" && d != os.TempDir(); d = filepath.Dir(d) {
		must(t, os.Chmod(d, 0o755))
	}
	bin := filepath.Join(filepath.Dir(root), "static.test")
	copyFile(t, os.Args[0], bin)
	cmd := exec.Command(bin, "-test.run=^"+name+"$", "-test.v", "-test.count=1")
	cmd.Env = append(os.Environ(), permRootEnv+"="+root)
	cmd.SysProcAttr = &syscall.SysProcAttr{Credential: &syscall.Credential{Uid: 65534, Gid: 65534}}
	out, err := cmd.CombinedOutput()
	if testing.Verbose() {
		t.Logf("unprivileged run:\n%s", out)
	}
	if err != nil || !strings.Contains(string(out), "--- PASS: "+name) {
		t.Fatalf("unprivileged run failed: %v\n%s", err, out)
	}
}

// copyFile copies an executable.
func copyFile(t *testing.T, from, to string) {
	t.Helper()
	src, err := os.Open(from)
	must(t, err)
	defer src.Close()
	dst, err := os.OpenFile(to, os.O_CREATE|os.O_WRONLY|os.O_TRUNC, 0o755)
	must(t, err)
	_, err = io.Copy(dst, src)
	must(t, err)
	must(t, dst.Close())
}

// checkDenial serves GET target and checks the reason h gives for a 403
// (Reply.Denial) and the file path (relative to root, "" for none) and URL
// it names for the error log.
func checkDenial(t *testing.T, h *static.Handler, root, target string, denial static.Denial, path, url string) {
	t.Helper()
	var r static.Reply
	h.Serve(newRequest("GET", target), []byte(target), &r)
	defer r.Release()
	want := static.Reply{Denial: denial, DeniedURL: url}
	if path != "" {
		want.DeniedPath = root + path
	}
	if r.Denial != want.Denial || r.DeniedPath != want.DeniedPath || r.DeniedURL != want.DeniedURL {
		t.Errorf("GET %s: got Denial %d, path %q, URL %q; want %d, %q, %q", target,
			r.Denial, r.DeniedPath, r.DeniedURL, want.Denial, want.DeniedPath, want.DeniedURL)
	}
}
