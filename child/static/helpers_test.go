package static_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"testing"
	"time"

	"eventmpm/child/http1"
	"eventmpm/child/static"
	"golang.org/x/sys/unix"
)

// fileTime is the modification time given to the test files, so their
// ETags and Last-Modified values are known.
var fileTime = time.Date(2024, 1, 2, 3, 4, 5, 123456000, time.UTC)

const (
	fileTimeHTTP = "Tue, 02 Jan 2024 03:04:05 GMT"
	bigSize      = 1 << 20
	cacheMax     = 64 << 10
)

// site is a temporary DocumentRoot and a directory outside it.
type site struct {
	root, outside string
}

// pattern returns n bytes of a recognizable pattern.
func pattern(n int, mul int) []byte {
	b := make([]byte, n)
	for i := range b {
		b[i] = byte(i * mul % 251)
	}
	return b
}

// buildSite creates the test tree. Every regular file gets fileTime.
// proseText is a page long enough for mod_deflate to compress (more than
// 68 bytes).
const proseText = "<p>A page long enough to be worth compressing, as mod_deflate sees it: over 68 bytes.</p>\n"

func buildSite(t testing.TB) *site {
	t.Helper()
	base := t.TempDir()
	s := &site{root: filepath.Join(base, "htdocs"), outside: filepath.Join(base, "outside")}
	files := map[string][]byte{
		"index.html":           []byte("<h1>home</h1>\n"),
		"hello.txt":            []byte("hello, world\n"),
		"prose.txt":            []byte(proseText),
		"prose.html":           []byte(proseText),
		"data.bin":             pattern(1000, 1),
		"big.bin":              pattern(bigSize, 7),
		"noext":                []byte("plain"),
		"UPPER.HTML":           []byte("<p>upper</p>"),
		"empty.txt":            {},
		"a b.txt":              []byte("space"),
		"100%.txt":             []byte("percent"),
		"%2e%2e/x.txt":         []byte("literal"),
		"..\\x.txt":            []byte("backslash"),
		".htaccess":            []byte("Require all denied"),
		".htpasswd":            []byte("user:secret"),
		".HTACCESS":            []byte("upper case is another name"),
		"sub/index.html":       []byte("<h1>sub</h1>\n"),
		"sub/page.html":        []byte("<p>page</p>\n"),
		"sub/.htaccess":        []byte("x"),
		"second/index.htm":     []byte("htm"),
		"second/index.html":    []byte("html"),
		"noindex/a.txt":        []byte("a"),
		"noindex/.htsecret":    []byte("s"),
		"listed/a.txt":         []byte("aaa"),
		"listed/<b>&.txt":      []byte("b"),
		"listed/.htaccess":     []byte("x"),
		"listed/z/zz.txt":      []byte("z"),
		"denied/file.txt":      []byte("denied"),
		"nofollow/real.txt":    []byte("real"),
		"nofollow/index.html":  []byte("nofollow index"),
		"owner/real.txt":       []byte("owner real"),
		"weird/x;y=1.txt":      []byte("semicolon"),
		"weird/index.html.":    []byte("trailing dot"),
		"weird/UPPER.TXT":      []byte("upper txt"),
		"outside-target/x.txt": []byte("x"),
	}
	for name, data := range files {
		p := filepath.Join(s.root, filepath.FromSlash(name))
		must(t, os.MkdirAll(filepath.Dir(p), 0o755))
		must(t, os.WriteFile(p, data, 0o644))
		must(t, os.Chtimes(p, fileTime, fileTime))
	}
	must(t, os.MkdirAll(filepath.Join(s.root, "noindex/sub2"), 0o755))
	must(t, os.MkdirAll(filepath.Join(s.root, "owner/follow"), 0o755))
	must(t, os.MkdirAll(s.outside, 0o755))
	must(t, os.WriteFile(filepath.Join(s.outside, "secret.txt"), []byte("outside secret"), 0o644))
	must(t, os.Chtimes(filepath.Join(s.outside, "secret.txt"), fileTime, fileTime))
	links := map[string]string{
		"link-in.txt":       "hello.txt",
		"link-abs.txt":      filepath.Join(s.root, "hello.txt"),
		"link-out.txt":      filepath.Join(s.outside, "secret.txt"),
		"link-outdir":       s.outside,
		"link-sub":          "sub",
		"nofollow/link.txt": "../hello.txt",
		"nofollow/dirlink":  "../sub",
		"owner/ok.txt":      "real.txt",
		"owner/bad.txt":     "real.txt",
		"loop":              "loop",
		"dangling":          "missing-target",
		"dangling-dir":      "missing-dir",
		"owner/follow/gone": "missing-target",
	}
	for name, target := range links {
		must(t, os.Symlink(target, filepath.Join(s.root, filepath.FromSlash(name))))
	}
	if os.Geteuid() == 0 {
		// A link owned by someone else than its target.
		must(t, os.Lchown(filepath.Join(s.root, "owner/bad.txt"), 12345, 12345))
	}
	must(t, unix.Mkfifo(filepath.Join(s.root, "fifo"), 0o644))
	return s
}

// testResolver maps directories (relative to the root) to configurations;
// a directory without its own entry inherits its parent's.
type testResolver struct {
	root string
	m    map[string]static.DirConfig
}

func (r testResolver) DirConfig(dir string) static.DirConfig {
	rel := strings.TrimPrefix(strings.TrimPrefix(dir, r.root), "/")
	for {
		if c, ok := r.m[rel]; ok {
			return c
		}
		if rel == "" {
			return static.DirConfig{}
		}
		if i := strings.LastIndexByte(rel, '/'); i >= 0 {
			rel = rel[:i]
		} else {
			rel = ""
		}
	}
}

// siteResolver is the configuration of the test site.
func siteResolver(root string) testResolver {
	idx := []string{"index.html"}
	return testResolver{root: root, m: map[string]static.DirConfig{
		"":       {FollowSymLinks: true, DirectoryIndex: idx},
		"second": {FollowSymLinks: true, DirectoryIndex: []string{"missing.html", "index.htm", "index.html"}},
		// Debian's autoindex.conf IndexOptions: Apache's table.
		"listed": {FollowSymLinks: true, Indexes: true, DirectoryIndex: idx,
			Listing: static.ListingConfig{Fancy: true, Table: true, VersionSort: true, NameWidth: -1}},
		"denied":   {FollowSymLinks: true, Denied: true, DirectoryIndex: idx},
		"nofollow": {DirectoryIndex: idx},
		"owner":    {SymLinksIfOwnerMatch: true, DirectoryIndex: idx},
		// A FollowSymLinks directory below one with the owner check: the
		// path is walked a component at a time.
		"owner/follow": {FollowSymLinks: true, DirectoryIndex: idx},
		"noindex":      {FollowSymLinks: true, DirectoryIndex: []string{"index.html", "/cgi-bin/x", ".htindex"}},
		"badidx2":      {FollowSymLinks: true, Indexes: true, DirectoryIndex: idx},
		"wo":           {FollowSymLinks: true, Indexes: true, DirectoryIndex: idx},
		"twoidx":       {FollowSymLinks: true, DirectoryIndex: []string{"a.html", "b.html"}},
		// Listings of directories whose symlinks requests may not follow
		// (TestListingSymlinkOptions creates them).
		"lnofollow": {Indexes: true, DirectoryIndex: idx},
		"lowner":    {SymLinksIfOwnerMatch: true, Indexes: true, DirectoryIndex: idx},
		// MultiViews in a directory that may be searched, not read
		// (TestSearchOnly creates it).
		"mv711": {FollowSymLinks: true, MultiViews: true, DirectoryIndex: idx},
	}}
}

// newHandler returns a handler for s with the test configuration, a cache,
// and a racy window short enough for tests.
func newHandler(t testing.TB, s *site, mod func(*static.Options)) *static.Handler {
	t.Helper()
	o := static.Options{
		DocumentRoot:     s.root,
		Resolver:         siteResolver(s.root),
		DefaultCharset:   "UTF-8",
		CacheMaxFileSize: cacheMax,
		CacheMaxEntries:  1000,
	}
	if mod != nil {
		mod(&o)
	}
	h, err := static.New(o)
	if err != nil {
		t.Fatal(err)
	}
	static.SetRacyWindow(h, 0)
	t.Cleanup(h.Close)
	return h
}

// methodIDs classifies method names as the http1 parser does.
var methodIDs = map[string]http1.Method{
	"GET": http1.MethodGet, "HEAD": http1.MethodHead, "POST": http1.MethodPost,
	"PUT": http1.MethodPut, "DELETE": http1.MethodDelete, "OPTIONS": http1.MethodOptions,
	"TRACE": http1.MethodTrace,
}

// newRequest builds a request; hdr holds name, value pairs.
func newRequest(method, target string, hdr ...string) *http1.Request {
	req := &http1.Request{Method: []byte(method), MethodID: methodIDs[method], ContentLength: -1}
	if target != "" {
		req.Target = []byte(target)
		path, query, found := strings.Cut(target, "?")
		req.Path = []byte(path)
		if found {
			req.Query = []byte(query)
		}
	}
	for i := 0; i+1 < len(hdr); i += 2 {
		v := []byte(hdr[i+1])
		req.Headers = append(req.Headers, http1.Header{Name: []byte(hdr[i]), Value: v})
		switch strings.ToLower(hdr[i]) {
		case "if-match":
			req.IfMatch = v
		case "if-none-match":
			req.IfNoneMatch = v
		case "if-modified-since":
			req.IfModifiedSince = v
		case "if-unmodified-since":
			req.IfUnmodifiedSince = v
		case "range":
			req.Range = v
		case "if-range":
			req.IfRange = v
		}
	}
	return req
}

// result is a served reply, with the body read back whatever its form.
type result struct {
	Status   int
	Header   string
	Body     string
	Location string
	NoBody   bool
	Kind     string // "", "mem", "file" or "segments"
	Err      error
}

// serve cleans target's path as the child does, serves it and snapshots
// the reply. It checks that ContentLength matches the body.
func serve(t testing.TB, h *static.Handler, method, target string, hdr ...string) result {
	t.Helper()
	return serveAt(t, h, time.Now().UnixNano(), method, target, hdr...)
}

// serveAt is serve for a request that arrived at arrival (Unix ns).
func serveAt(t testing.TB, h *static.Handler, arrival int64, method, target string, hdr ...string) result {
	t.Helper()
	rawPath, _, _ := strings.Cut(target, "?")
	p, st := static.CleanPath([]byte(rawPath), nil)
	if st != 0 {
		return result{Status: st}
	}
	var r static.Reply
	h.ServeAt(newRequest(method, target, hdr...), p, &r, arrival)
	defer r.Release()
	return snapshot(t, &r, method, target)
}

// snapshot copies a served reply into a result, reading the body back.
func snapshot(t testing.TB, r *static.Reply, method, target string) result {
	t.Helper()
	res := result{Status: r.Status, Header: string(r.Header), Location: string(r.Location), NoBody: r.NoBody, Err: r.Err}
	var body []byte
	switch {
	case r.Body != nil:
		res.Kind, body = "mem", r.Body
	case r.Segments != nil:
		res.Kind = "segments"
		for _, s := range r.Segments {
			body = append(body, s.Prefix...)
			body = append(body, readAt(t, r.File, s.Offset, s.Length)...)
		}
		body = append(body, r.Tail...)
	case r.File != nil:
		res.Kind, body = "file", readAt(t, r.File, r.Offset, r.ContentLength)
	}
	if res.Kind != "" && int64(len(body)) != r.ContentLength {
		t.Errorf("%s %s: body has %d bytes, ContentLength %d", method, target, len(body), r.ContentLength)
	}
	if r.NoBody && res.Kind != "" {
		t.Errorf("%s %s: NoBody with a %s body", method, target, res.Kind)
	}
	res.Body = string(body)
	return res
}

// readAt reads n bytes of f from off.
func readAt(t testing.TB, f *static.File, off, n int64) []byte {
	t.Helper()
	buf := make([]byte, n)
	got, err := unix.Pread(f.Fd(), buf, off)
	if err != nil {
		t.Fatalf("pread fd %d: %v", f.Fd(), err)
	}
	return buf[:got]
}

// must fails the test on an error.
func must(t testing.TB, err error) {
	t.Helper()
	if err != nil {
		t.Fatal(err)
	}
}

// headerValue returns the value of the header line name in hdr, or "".
func headerValue(hdr, name string) string {
	for _, line := range strings.Split(hdr, "\r\n") {
		if k, v, ok := strings.Cut(line, ": "); ok && strings.EqualFold(k, name) {
			return v
		}
	}
	return ""
}

// etagOf is the ETag the handler gives a test file of size n.
func etagOf(n int) string { return fmt.Sprintf("\"%x-%x\"", n, fileTime.UnixMicro()) }

// equalBytes reports whether the body is b.
func equalBytes(body string, b []byte) bool { return bytes.Equal([]byte(body), b) }
