package static_test

import (
	"errors"
	"os"
	"strings"
	"testing"

	"eventmpm/child/static"
)

// mapCase is one request against the test site.
type mapCase struct {
	method, target string
	status         int
	body           string // checked for 200
	location       string // checked for 301
}

// runMapCases serves each case on a fresh and on a cached handler (the
// second pass hits the cache) and checks the answers.
func runMapCases(t *testing.T, h *static.Handler, cases []mapCase) {
	t.Helper()
	for pass := 0; pass < 2; pass++ {
		for _, tt := range cases {
			method := tt.method
			if method == "" {
				method = "GET"
			}
			res := serve(t, h, method, tt.target)
			if res.Status != tt.status {
				t.Errorf("pass %d: %s %q: status %d, want %d (err %v)", pass, method, tt.target, res.Status, tt.status, res.Err)
				continue
			}
			if tt.status == 200 && method == "GET" && res.Body != tt.body {
				t.Errorf("pass %d: %s %q: body %q, want %q", pass, method, tt.target, res.Body, tt.body)
			}
			if res.Location != tt.location {
				t.Errorf("pass %d: %s %q: Location %q, want %q", pass, method, tt.target, res.Location, tt.location)
			}
			if method == "HEAD" && !res.NoBody {
				t.Errorf("pass %d: HEAD %q: NoBody false, want true", pass, tt.target)
			}
		}
	}
}

func TestMapping(t *testing.T) {
	s := buildSite(t)
	h := newHandler(t, s, nil)
	runMapCases(t, h, []mapCase{
		{target: "/", status: 200, body: "<h1>home</h1>\n"},
		{target: "/index.html", status: 200, body: "<h1>home</h1>\n"},
		{target: "/hello.txt", status: 200, body: "hello, world\n"},
		{target: "/UPPER.HTML", status: 200, body: "<p>upper</p>"},
		{target: "/a%20b.txt", status: 200, body: "space"},
		{target: "/100%25.txt", status: 200, body: "percent"},
		{target: "/noext", status: 200, body: "plain"},
		{target: "/empty.txt", status: 200, body: ""},
		{target: "/weird/x;y=1.txt", status: 200, body: "semicolon"},
		{target: "/weird/index.html.", status: 200, body: "trailing dot"},
		{target: "/weird/upper.txt", status: 404},
		{target: "/missing.txt", status: 404},
		{target: "/missing/dir/", status: 404},
		{target: "/hello.txt/", status: 404},
		{target: "/hello.txt/x", status: 404},
		{target: "/fifo", status: 403},
		{target: "/" + strings.Repeat("n", 300), status: 403},
		// Directories and DirectoryIndex.
		{target: "/sub", status: 301, location: "/sub/"},
		{target: "/sub?a=1&b", status: 301, location: "/sub/?a=1&b"},
		{target: "/sub?", status: 301, location: "/sub/?"}, // an empty query is kept, as Apache
		{target: "/sub/", status: 200, body: "<h1>sub</h1>\n"},
		{target: "/sub/page.html", status: 200, body: "<p>page</p>\n"},
		{target: "/second/", status: 200, body: "htm"},
		{target: "/noindex/", status: 403},
		{target: "/noindex", status: 301, location: "/noindex/"},
		{target: "/noindex/sub2/", status: 403},
		{target: "/%2e%2e", status: 400},
		{target: "/%252e%252e", status: 301, location: "/%252e%252e/"},
		{target: "/a%20dir", status: 404},
		// Require all denied: 403 even for what does not exist.
		{target: "/denied/file.txt", status: 403},
		{target: "/denied/", status: 403},
		{target: "/denied", status: 403},
		{target: "/denied/missing", status: 403},
		// .ht* files.
		{target: "/.htaccess", status: 403},
		{target: "/.htpasswd", status: 403},
		{target: "/%2ehtaccess", status: 403},
		{target: "/sub/.htaccess", status: 403},
		{target: "/.htmissing", status: 403},
		{target: "/.htaccess/", status: 403},
		{target: "/.HTACCESS", status: 200, body: "upper case is another name"},
		// Symlinks with FollowSymLinks.
		{target: "/link-in.txt", status: 200, body: "hello, world\n"},
		{target: "/link-abs.txt", status: 200, body: "hello, world\n"},
		{target: "/link-out.txt", status: 200, body: "outside secret"},
		{target: "/link-outdir/secret.txt", status: 200, body: "outside secret"},
		{target: "/link-sub/", status: 200, body: "<h1>sub</h1>\n"},
		{target: "/link-sub", status: 301, location: "/link-sub/"},
		{target: "/loop", status: 403},
		// A dangling symlink is 403 (AH00037), as Apache: the link is there.
		{target: "/dangling", status: 403},
		{target: "/dangling-dir/x.txt", status: 403},
		{target: "/owner/follow/gone", status: 403},
		{target: "/owner/follow/missing", status: 404},
		{target: "/link-sub/missing.txt", status: 404},
		{target: "/link-outdir/missing.txt", status: 404},
		// Without FollowSymLinks.
		{target: "/nofollow/", status: 200, body: "nofollow index"},
		{target: "/nofollow/real.txt", status: 200, body: "real"},
		{target: "/nofollow/link.txt", status: 403},
		{target: "/nofollow/dirlink/page.html", status: 403},
		{target: "/nofollow/dirlink/", status: 403},
		{target: "/nofollow/missing", status: 404},
		// SymLinksIfOwnerMatch.
		{target: "/owner/real.txt", status: 200, body: "owner real"},
		{target: "/owner/ok.txt", status: 200, body: "owner real"},
		// Methods.
		{method: "HEAD", target: "/hello.txt", status: 200},
		{method: "HEAD", target: "/big.bin", status: 200},
		{method: "HEAD", target: "/missing", status: 404},
		{method: "HEAD", target: "/sub", status: 301, location: "/sub/"},
		{method: "OPTIONS", target: "/hello.txt", status: 200},
		{method: "OPTIONS", target: "/sub", status: 301, location: "/sub/"},
		{method: "POST", target: "/hello.txt", status: 405},
		{method: "PUT", target: "/hello.txt", status: 405},
		{method: "DELETE", target: "/hello.txt", status: 405},
		{method: "TRACE", target: "/hello.txt", status: 405},
		{method: "PROPFIND", target: "/hello.txt", status: 405},
		{method: "POST", target: "/missing", status: 404},
		{method: "POST", target: "/.htaccess", status: 403},
	})
	if os.Geteuid() == 0 {
		runMapCases(t, h, []mapCase{{target: "/owner/bad.txt", status: 403}})
	}
}

// TestTraversal tries every spelling of a climb out of the root.
func TestTraversal(t *testing.T) {
	s := buildSite(t)
	h := newHandler(t, s, nil)
	runMapCases(t, h, []mapCase{
		{target: "/../outside/secret.txt", status: 400},
		{target: "/..", status: 400},
		{target: "/%2e%2e/outside/secret.txt", status: 400},
		{target: "/%2E%2e/outside/secret.txt", status: 400},
		{target: "/%2E%2e/", status: 400},
		{target: "/.%2e/outside/secret.txt", status: 400},
		{target: "/sub/../../outside/secret.txt", status: 400},
		{target: "/sub/%2e%2e/%2e%2e/outside/secret.txt", status: 400},
		{target: "/outside-target/../../outside/secret.txt", status: 400},
		{target: "/%252e%252e/outside/secret.txt", status: 404},
		{target: "/%252e%252e/x.txt", status: 200, body: "literal"},
		{target: "/..%2foutside/secret.txt", status: 404},
		{target: "/%2e%2e%2foutside%2fsecret.txt", status: 404},
		{target: "/sub%2f..%2f..%2foutside/secret.txt", status: 404},
		{target: "/%2f", status: 404},
		{target: "/..\\outside\\secret.txt", status: 404},
		{target: "/..\\x.txt", status: 200, body: "backslash"},
		{target: "/%5c..%5coutside/secret.txt", status: 404},
		{target: "/hello.txt%00", status: 404},
		{target: "/hello.txt%00.html", status: 404},
		{target: "/hello.txt\x00", status: 400},
		{target: "/%c0%ae%c0%ae/outside/secret.txt", status: 404},
		{target: "/%c0%ae%c0%ae/", status: 404},
		{target: "/%e0%80%ae%e0%80%ae/outside/secret.txt", status: 404},
		{target: "/./hello.txt", status: 200, body: "hello, world\n"},
		{target: "//hello.txt", status: 200, body: "hello, world\n"},
		{target: "/sub/./../hello.txt", status: 200, body: "hello, world\n"},
		{target: "/sub//./page.html", status: 200, body: "<p>page</p>\n"},
		{target: "/sub/.", status: 200, body: "<h1>sub</h1>\n"},
		{target: "/sub/..", status: 200, body: "<h1>home</h1>\n"},
		{target: "/hello.txt.", status: 404},
		{target: "/hello.txt..", status: 404},
		{target: "/hello.txt...", status: 404},
		{target: "/.../hello.txt", status: 404},
		{target: "/%zz", status: 400},
	})
}

// TestServeChecksPath calls Serve with paths CleanPath would never give.
func TestServeChecksPath(t *testing.T) {
	s := buildSite(t)
	h := newHandler(t, s, nil)
	for _, p := range []string{"", "hello.txt", "/../outside/secret.txt", "/sub/../../outside/secret.txt", "/./hello.txt", "//hello.txt", "/hello.txt\x00"} {
		var r static.Reply
		h.Serve(newRequest("GET", ""), []byte(p), &r)
		if r.Status != 400 || r.Body != nil || r.File != nil {
			t.Errorf("Serve(%q): status %d, want 400 and no body", p, r.Status)
		}
		r.Release()
	}
}

func TestMethodHeaders(t *testing.T) {
	s := buildSite(t)
	h := newHandler(t, s, nil)
	get := serve(t, h, "GET", "/hello.txt")
	head := serve(t, h, "HEAD", "/hello.txt")
	if head.Header != get.Header || head.Status != 200 || head.Body != "" {
		t.Errorf("HEAD: %d %q, want GET's header %q and no body", head.Status, head.Header, get.Header)
	}
	for _, m := range []string{"OPTIONS", "POST", "PATCH"} {
		res := serve(t, h, m, "/hello.txt")
		if res.Header != "Allow: GET,HEAD,OPTIONS\r\n" {
			t.Errorf("%s: header %q, want the Allow line", m, res.Header)
		}
	}
}

func TestDefaults(t *testing.T) {
	s := buildSite(t)
	h := newHandler(t, s, func(o *static.Options) { o.Resolver = nil; o.CacheMaxEntries = 0 })
	runMapCases(t, h, []mapCase{
		{target: "/", status: 200, body: "<h1>home</h1>\n"},
		{target: "/second/", status: 200, body: "html"},
		{target: "/nofollow/link.txt", status: 200, body: "hello, world\n"},
		{target: "/denied/file.txt", status: 200, body: "denied"},
		{target: "/listed/", status: 403},
		{target: "/big.bin", status: 200, body: string(pattern(bigSize, 7))},
	})
	if n := static.CacheLen(h); n != 0 {
		t.Errorf("CacheMaxEntries 0: %d cached entries, want 0", n)
	}
}

// TestNew: only a relative DocumentRoot is an error; one that is missing
// or not a directory answers 404 (a virtual host's, which the
// configuration only warns about, must not stop the server).
func TestNew(t *testing.T) {
	s := buildSite(t)
	for _, root := range []string{"", "relative/path"} {
		if _, err := static.New(static.Options{DocumentRoot: root}); !errors.Is(err, static.ErrDocumentRoot) {
			t.Errorf("New(DocumentRoot %q) error = %v, want ErrDocumentRoot", root, err)
		}
	}
	if _, err := static.New(static.Options{DocumentRoot: s.root + "/"}); err != nil {
		t.Errorf("New(DocumentRoot %q) error = %v, want nil", s.root+"/", err)
	}
	for _, root := range []string{s.root + "/missing", s.root + "/hello.txt"} {
		h, err := static.New(static.Options{DocumentRoot: root})
		if err != nil {
			t.Fatalf("New(DocumentRoot %q) error = %v, want nil", root, err)
		}
		runMapCases(t, h, []mapCase{{target: "/", status: 404}, {target: "/hello.txt", status: 404}})
		h.Close()
	}
}
