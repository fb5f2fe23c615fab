package child_test

import (
	"fmt"
	"io"
	"net/http"
	"os"
	"strings"
	"sync"
	"testing"
)

// accessFileSite is the tree TestAccessFiles serves: AccessFileName
// files (.htaccess, and .acl as the second name) under AllowOverride All,
// None and a Nonfatal class list.
var accessFileSite = map[string]string{
	"index.html":        "front page\n",
	"private/.htaccess": "Require all denied\n",
	"private/a.txt":     "TOPSECRET a\n",
	"private/sub/b.txt": "TOPSECRET b\n",
	"other/.acl":        "Header set X-Acl yes\n",
	"other/c.txt":       "other c\n",
	"other/x.bak":       "other bak\n",
	"open/.htaccess":    "Require all denied\n",
	"open/d.txt":        "open d\n",
	"app/.htaccess": `<IfModule mod_rewrite.c>
RewriteEngine On
RewriteBase /app/
RewriteCond %{REQUEST_FILENAME} !-f
RewriteCond %{REQUEST_FILENAME} !-d
RewriteRule . index.html [L]
</IfModule>
`,
	"app/index.html":      "app shell\n",
	"app/real.txt":        "real file\n",
	"nest/.htaccess":      "Header set X-Level outer\nErrorDocument 404 \"nest missing\"\nOptions +Indexes\n",
	"nest/deep/.htaccess": "Header set X-Level inner\nOptions -Indexes\n",
	"nest/deep/x.txt":     "deep x\n",
	"nest/y.txt":          "nest y\n",
	"files/.htaccess":     "<FilesMatch \"\\.bak$\">\nRequire all denied\n</FilesMatch>\nForceType text/x-forced\n",
	"files/a.bak":         "bak a\n",
	"files/sub/b.bak":     "bak b\n",
	"files/ok.txt":        "ok\n",
	"broken/.htaccess":    "# comment\nFoo bar\n",
	"broken/x.txt":        "broken x\n",
	"limited/.htaccess":   "Header set X-L 1\nDirectoryIndex x.txt\n",
	"limited/x.txt":       "limited x\n",
	"public/e.txt":        "public e\n",
	"types/.htaccess":     "AddType text/x-foo .foo\nAddDefaultCharset utf-8\nAddLanguage de .de\n",
	"types/a.foo":         "foo\n",
	"types/b.txt":         "b\n",
	"types/c.html.de":     "c\n",
	"types/sub/.htaccess": "RemoveType .foo\nAddDefaultCharset Off\n",
	"types/sub/a.foo":     "sub foo\n",
	"types/sub/b.txt":     "sub b\n",
	"dm/a.dm":             "dm\n",
	"sig/.htaccess":       "ServerSignature On\n",
	"gz/.htaccess":        "AddOutputFilterByType DEFLATE text/css\n",
	"gz/big.css":          strings.Repeat("body { color: red }\n", 400),
	"nf/a.php":            "<?php\n",
	"nf/sub/b.php":        "<?php\n",
	"nf/c.txt":            "c\n",
	"nf/sub/.htaccess":    "<Files \"*.txt\">\nHeader set X-Order htaccess\n</Files>\n",
	"nf/sub/d.txt":        "d\n",
	"nf2/e.php":           "<?php\n",
	"nofs/.htaccess":      "Options -FollowSymLinks\nRewriteEngine On\nRewriteRule ^y$ x.txt [L]\n",
	"nofs/x.txt":          "x\n",
	"rh/.htaccess":        "RequestHeader unset If-Modified-Since\n",
	"rh/x.txt":            "x\n",
	"bodylim/.htaccess":   "LimitRequestBody 10\n",
	"bodylim/x.txt":       "x\n",
}

// accessFileConf allows overrides below htdocs, none in open, and only
// Indexes (with Nonfatal=Override) in limited.
const accessFileConf = `AccessFileName .htaccess .acl
<Directory htdocs>
    AllowOverride All
</Directory>
<Directory htdocs/open>
    AllowOverride None
</Directory>
<Directory htdocs/limited>
    AllowOverride Indexes Nonfatal=Override
</Directory>
<Directory htdocs/dm>
    AddType text/x-dm .dm
</Directory>
<Files "*.txt">
    Header set X-Order top
</Files>
<Directory htdocs/nf>
    <Files "*.php">
        Require all denied
    </Files>
    <Files "*.txt">
        Header set X-Order nested
    </Files>
</Directory>
`

// TestAccessFiles: the AccessFileName files on a request's way apply as
// Apache applies them (each expectation was compared with Apache 2.4.71):
// as <Directory> sections for their directories, deeper ones later, their
// <Files> sections below their directory only, not where AllowOverride
// None is in effect, with Apache's 500 and log line for a file that does
// not parse. A changed, new or removed file takes effect with the next
// request, also for a path the open-file cache holds.
func TestAccessFiles(t *testing.T) {
	t.Parallel()
	s := startServer(t, accessFileConf, accessFileSite)
	c := newClient()
	type want struct {
		path   string
		status int
		body   string
		header string // "Name: value" the response must have ("Name: " for absent)
	}
	check := func(tc want) {
		t.Helper()
		resp, err := c.Get(s.url(tc.path))
		if err != nil {
			t.Fatalf("GET %s: %v", tc.path, err)
		}
		b, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != tc.status || tc.body != "" && string(b) != tc.body {
			t.Errorf("GET %s: got %d %q, want %d %q", tc.path, resp.StatusCode, b, tc.status, tc.body)
		}
		if name, value, ok := strings.Cut(tc.header, ": "); ok && resp.Header.Get(name) != value {
			t.Errorf("GET %s: %s = %q, want %q", tc.path, name, resp.Header.Get(name), value)
		}
	}
	for _, tc := range []want{
		{path: "/index.html", status: 200, body: "front page\n"},
		{path: "/private/a.txt", status: 403},
		{path: "/private/sub/b.txt", status: 403},
		{path: "/private/", status: 403},
		{path: "/private", status: 403}, // its own .htaccess, before DirectorySlash's redirect
		{path: "/other/c.txt", status: 200, body: "other c\n", header: "X-Acl: yes"},
		{path: "/other/x.bak", status: 200, body: "other bak\n"},
		{path: "/open/d.txt", status: 200, body: "open d\n"},
		{path: "/app/real.txt", status: 200, body: "real file\n"},
		{path: "/app/some/route", status: 200, body: "app shell\n"},
		{path: "/nest/y.txt", status: 200, header: "X-Level: outer"},
		{path: "/nest/deep/x.txt", status: 200, header: "X-Level: inner"},
		{path: "/nest/deep/missing", status: 404, body: "nest missing"},
		{path: "/nest/", status: 200, header: "Content-Type: text/html;charset=UTF-8"},
		{path: "/nest/deep/", status: 403},
		{path: "/files/a.bak", status: 403},
		{path: "/files/sub/b.bak", status: 403},
		{path: "/files/ok.txt", status: 200, header: "Content-Type: text/x-forced"},
		{path: "/broken/x.txt", status: 500},
		{path: "/limited/", status: 200, body: "limited x\n", header: "X-L: "},
		{path: "/public/e.txt", status: 200, header: "X-New: "},
		{path: "/types/a.foo", status: 200, header: "Content-Type: text/x-foo"},
		{path: "/types/b.txt", status: 200, header: "Content-Type: text/plain; charset=utf-8"},
		{path: "/types/c.html.de", status: 200, header: "Content-Language: de"},
		{path: "/types/sub/a.foo", status: 200, header: "Content-Type: application/octet-stream"},
		{path: "/types/sub/b.txt", status: 200, header: "Content-Type: text/plain"},
		{path: "/dm/a.dm", status: 200, header: "Content-Type: text/x-dm"},
		{path: "/gz/big.css", status: 200, header: "Vary: Accept-Encoding"},
		{path: "/nf/a.php", status: 403},
		{path: "/nf/sub/b.php", status: 403},
		{path: "/nf2/e.php", status: 200},
		{path: "/nf/c.txt", status: 200, header: "X-Order: nested"},
		{path: "/nf/sub/d.txt", status: 200, header: "X-Order: htaccess"},
		{path: "/public/e.txt", status: 200, header: "X-Order: top"},
		{path: "/nofs/y", status: 403},     // AH00670: per-directory rules need a symlink Option
		{path: "/nofs/x.txt", status: 403}, // even where no rule matches
	} {
		check(tc)
	}
	for _, tc := range []struct{ path, footer string }{
		{"/sig/missing", "<address>"},
		{"/missing", ""},
	} {
		if body := curl(t, s.url(tc.path)); strings.Contains(body, "<address>") != (tc.footer != "") {
			t.Errorf("GET %s: footer %v, want %v:\n%s", tc.path, !(tc.footer != ""), tc.footer != "", body)
		}
	}
	if out := curl(t, "-sD", "-", "-o", "/dev/null", "-H", "Accept-Encoding: gzip", s.url("/gz/big.css")); !strings.Contains(out, "Content-Encoding: gzip") {
		t.Errorf("AddOutputFilterByType in .htaccess: no gzip:\n%s", out)
	}
	// LimitRequestBody in a .htaccess file applies to the first request
	// that passes it, before its body is read.
	if out := curl(t, "-s", "-o", "/dev/null", "-w", "%{http_code}", "--data", strings.Repeat("b", 100), s.url("/bodylim/x.txt")); out != "413" {
		t.Errorf("POST of 100 bytes below LimitRequestBody 10: %s, want 413", out)
	}
	// RequestHeader in a .htaccess file runs in the fixups, before the
	// handler reads the conditions.
	for path, want := range map[string]int{"/rh/x.txt": 200, "/public/e.txt": 304} {
		resp, err := c.Get(s.url(path))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		req, _ := http.NewRequest("GET", s.url(path), nil)
		req.Header.Set("If-Modified-Since", resp.Header.Get("Last-Modified"))
		if resp, err = c.Do(req); err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s with If-Modified-Since: %d, want %d", path, resp.StatusCode, want)
		}
	}
	expectContains(t, "error log", s.logFile("error_log"),
		"[core:alert]",
		s.root.Path("htdocs", "broken", ".htaccess")+": Invalid command 'Foo', perhaps misspelled or defined by a module not included in the server configuration (line 2)",
		"AH02295: "+s.root.Path("htdocs", "limited", ".htaccess")+": Header in .htaccess forbidden by AllowOverride (line 1)",
		"[rewrite:error]", "AH00670: Options FollowSymLinks and SymLinksIfOwnerMatch are both off, so the RewriteRule directive is also forbidden "+
			"due to its similar ability to circumvent directory restrictions : "+s.root.Path("htdocs", "nofs", "y"))

	write := func(name, text string) {
		t.Helper()
		if err := os.WriteFile(s.root.Path("htdocs", name), []byte(text), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	// Changed (within the racy window: the same size, so possibly the
	// same stat), new (below a cached path), removed, and fixed.
	write("nest/deep/.htaccess", "Header set X-Level INNER\nOptions -Indexes\n")
	write("public/.htaccess", "Header set X-New 1\nForceType text/x-new\n")
	if err := os.Remove(s.root.Path("htdocs", "private", ".htaccess")); err != nil {
		t.Fatal(err)
	}
	write("broken/.htaccess", "# fixed\n")
	write("types/.htaccess", "AddType text/x-bar .foo\n")
	for _, tc := range []want{
		{path: "/nest/deep/x.txt", status: 200, header: "X-Level: INNER"},
		{path: "/public/e.txt", status: 200, header: "Content-Type: text/x-new"},
		{path: "/public/e.txt", status: 200, header: "X-New: 1"},
		{path: "/private/a.txt", status: 200, body: "TOPSECRET a\n"},
		{path: "/broken/x.txt", status: 200, body: "broken x\n"},
		{path: "/types/a.foo", status: 200, header: "Content-Type: text/x-bar"},
		{path: "/types/b.txt", status: 200, header: "Content-Type: text/plain"},
	} {
		check(tc)
	}
}

// TestAccessFileNotRegular: an AccessFileName that is a directory, or a
// file over 1 MiB, is not read: requests below it are answered 500 and the
// log says why.
func TestAccessFileNotRegular(t *testing.T) {
	t.Parallel()
	s := startServer(t, accessFileConf, map[string]string{
		"d/.htaccess/keep": "x\n",
		"d/a.txt":          "a\n",
		"big/.htaccess":    "# " + strings.Repeat("x", 1<<20) + "\n",
		"big/b.txt":        "b\n",
	})
	c := newClient()
	for _, path := range []string{"/d/a.txt", "/big/b.txt"} {
		resp, err := c.Get(s.url(path))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != http.StatusInternalServerError {
			t.Errorf("GET %s: %d, want 500", path, resp.StatusCode)
		}
	}
	expectContains(t, "error log", s.logFile("error_log"),
		s.root.Path("htdocs", "d", ".htaccess")+": eventmpm reads AccessFileName files that are regular files of at most 1 MiB; this one is not a regular file",
		s.root.Path("htdocs", "big", ".htaccess")+": eventmpm reads AccessFileName files that are regular files of at most 1 MiB; this one is larger than 1 MiB")
}

// TestAccessFilesConcurrent: requests in parallel with a file being
// rewritten (and other files read for the first time) each see one
// version of it whole, and once the writes stop the next request sees
// the last. With -race, the server binary is race-checked too.
func TestAccessFilesConcurrent(t *testing.T) {
	t.Parallel()
	files := map[string]string{"c/.htaccess": "Header set X-V a\n", "c/x.txt": "x\n"}
	for i := range 8 {
		files[fmt.Sprintf("c/d%d/.htaccess", i)] = fmt.Sprintf("Header set X-D %d\n", i)
		files[fmt.Sprintf("c/d%d/y.txt", i)] = "y\n"
	}
	s := startServer(t, accessFileConf, files)
	path := s.root.Path("htdocs", "c", ".htaccess")
	done := make(chan struct{})
	go func() {
		defer close(done)
		for i := range 300 {
			v := []string{"Header set X-V a\n", "Header set X-V bb\n"}[i%2]
			if err := os.WriteFile(path+".new", []byte(v), 0o644); err != nil {
				t.Error(err)
				return
			}
			if err := os.Rename(path+".new", path); err != nil {
				t.Error(err)
				return
			}
		}
	}()
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			c := newClient()
			for i := range 100 {
				target := "/c/x.txt"
				if i%4 == 0 {
					target = fmt.Sprintf("/c/d%d/y.txt", g)
				}
				resp, err := c.Get(s.url(target))
				if err != nil {
					t.Error(err)
					return
				}
				io.Copy(io.Discard, resp.Body)
				resp.Body.Close()
				if v := resp.Header.Get("X-V"); resp.StatusCode != 200 || v != "a" && v != "bb" {
					t.Errorf("GET %s: %d X-V %q", target, resp.StatusCode, v)
				}
				if d := resp.Header.Get("X-D"); target != "/c/x.txt" && d != fmt.Sprint(g) {
					t.Errorf("GET %s: X-D %q, want %d", target, d, g)
				}
			}
		}()
	}
	wg.Wait()
	<-done
	if err := os.WriteFile(path, []byte("Header set X-V final\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	resp, err := newClient().Get(s.url("/c/x.txt"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if v := resp.Header.Get("X-V"); v != "final" {
		t.Errorf("after the writes: X-V %q, want final", v)
	}
}
