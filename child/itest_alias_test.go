package child_test

import (
	"fmt"
	"os"
	"regexp"
	"slices"
	"strings"
	"testing"

	"eventmpm/internal/itest"
)

// aliasConf maps URL-paths outside DocumentRoot (htdocs) as Debian's
// alias.conf does: targets relative to ServerRoot and absolute, a
// directory with and without a trailing slash on the URL-path, one whose
// name differs from its URL-path (/docs is share/doc), a single file, and
// a directory no <Directory> section grants (baseConf denies "/"). The first virtual host answers localhost with the main server's
// aliases; the second has its own /docs, tried before the main server's.
// %f logs the file-system path.
const aliasConf = `LogFormat "%U %>s %f" files
CustomLog logs/files_log files
Alias /icons/ "{{ROOT}}/icons/"
Alias /docs share/doc
Alias /favicon.ico static/fav.ico
Alias /private {{ROOT}}/private
<Directory {{ROOT}}/icons>
    Require all granted
</Directory>
<Directory share/doc>
    Require all granted
</Directory>
<Directory share/doc/list>
    Options Indexes
    LimitRequestBody 5
</Directory>
<Directory share/doc/nofollow>
    Options None
</Directory>
<Directory static>
    Require all granted
</Directory>
<Location /docs/closed>
    Require all denied
</Location>
<VirtualHost *>
    ServerName localhost
</VirtualHost>
<VirtualHost *>
    ServerName vhost.example
    Alias /docs vdocs
    <Directory vdocs>
        Require all granted
    </Directory>
</VirtualHost>
`

// startAliasServer lays out the alias targets beside htdocs and starts
// the server.
func startAliasServer(t *testing.T) *server {
	t.Helper()
	root := itest.NewRoot(t, baseConf+aliasConf, map[string]string{
		"index.html":   "docroot\n",
		"docsx":        "docroot docsx\n",
		"docs/x.txt":   "docroot docs\n", // shadowed by the alias
		"private.html": "docroot private\n",
	})
	for name, body := range map[string]string{
		"icons/a.png":               "icon a\n",
		"share/doc/index.html":      "docs index\n",
		"share/doc/x.txt":           "docs x\n",
		"share/doc/list/one.txt":    "one\n",
		"share/doc/closed/x.txt":    "closed\n",
		"share/doc/nofollow/in.txt": "in\n",
		"static/fav.ico":            "favicon\n",
		"private/secret.txt":        "PRIVATE\n",
		"secret.txt":                "TOPSECRET\n",
		"vdocs/x.txt":               "vhost docs x\n",
	} {
		p := root.Path(name)
		if err := os.MkdirAll(p[:strings.LastIndexByte(p, '/')], 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	if err := os.Symlink("../../../secret.txt", root.Path("share/doc/nofollow/out.txt")); err != nil {
		t.Fatal(err)
	}
	if err := os.Symlink("../../secret.txt", root.Path("share/doc/out.txt")); err != nil {
		t.Fatal(err)
	}
	return runServer(t, root)
}

// TestAlias: requests are mapped by the first matching Alias (Apache's
// alias_matches: a segment boundary, runs of '/' as one), the virtual
// host's own before the main server's; <Directory> sections (Require,
// Options, LimitRequestBody) apply by the file-system path, <Location>
// sections by the URL path; DirectorySlash
// redirects and listings show the URL path; a file target has nothing
// below it; nothing escapes the target.
func TestAlias(t *testing.T) {
	t.Parallel()
	s := startAliasServer(t)
	port := fmt.Sprint(s.root.Port)
	for _, tc := range []struct {
		name, path, host string
		status           int
		body, location   string
		bodyHas          []string
	}{
		{name: "icons file", path: "/icons/a.png", status: 200, body: "icon a\n"},
		{name: "icons slash run", path: "//icons///a.png", status: 200, body: "icon a\n"},
		// "Alias /icons/ ..." does not map "/icons": DocumentRoot has none.
		{name: "icons without slash not aliased", path: "/icons", status: 404},
		{name: "docs dir redirect", path: "/docs", host: "localhost:" + port, status: 301,
			location: "http://localhost:" + port + "/docs/"},
		{name: "docs dir redirect keeps query", path: "/docs?a=1", status: 301, location: "http://localhost/docs/?a=1"},
		{name: "docs index", path: "/docs/", status: 200, body: "docs index\n"},
		{name: "docs file", path: "/docs/x.txt", status: 200, body: "docs x\n"},
		{name: "docs relative target", path: "/docs//x.txt", status: 200, body: "docs x\n"},
		{name: "docsx is not below docs", path: "/docsx", status: 200, body: "docroot docsx\n"},
		{name: "listing", path: "/docs/list/", status: 200, bodyHas: []string{
			"<title>Index of /docs/list</title>", `<a href="/docs/"> Parent Directory</a>`, `href="one.txt"`}},
		{name: "listing redirect", path: "/docs/list", status: 301, location: "http://localhost/docs/list/"},
		{name: "missing below docs", path: "/docs/missing.txt", status: 404},
		{name: "favicon file target", path: "/favicon.ico", status: 200, body: "favicon\n"},
		{name: "below a file target", path: "/favicon.ico/x", status: 404},
		{name: "file target with slash", path: "/favicon.ico/", status: 404},
		// Directory by the file-system path: no section grants private/.
		{name: "no granting Directory", path: "/private/secret.txt", status: 403},
		{name: "no granting Directory, the target itself", path: "/private", status: 403},
		{name: "private.html is not below private", path: "/private.html", status: 200, body: "docroot private\n"},
		// Location by the URL path.
		{name: "Location by URL path", path: "/docs/closed/x.txt", status: 403},
		// Traversal: CleanPath refuses climbing above "/", an encoded
		// slash is no separator, and what ".." leaves is mapped afresh.
		{name: "dotdot above root", path: "/docs/../../secret.txt", status: 400},
		{name: "encoded dotdot above root", path: "/docs/%2e%2e/%2E%2e/secret.txt", status: 400},
		{name: "encoded slash", path: "/docs/..%2fsecret.txt", status: 404},
		{name: "dotdot out of the alias", path: "/docs/../secret.txt", status: 404},
		{name: "dotdot within the alias", path: "/docs/list/../x.txt", status: 200, body: "docs x\n"},
		{name: "symlink Options of its Directory", path: "/docs/nofollow/out.txt", status: 403},
		{name: "symlink followed with FollowSymLinks", path: "/docs/out.txt", status: 200, body: "TOPSECRET\n"},
		// The virtual host's own /docs first, the main server's /icons/ after.
		{name: "vhost own alias", path: "/docs/x.txt", host: "vhost.example", status: 200, body: "vhost docs x\n"},
		{name: "vhost inherits main alias", path: "/icons/a.png", host: "vhost.example", status: 200, body: "icon a\n"},
		{name: "vhost own alias shadows main's", path: "/docs/", host: "vhost.example", status: 403},
	} {
		t.Run(tc.name, func(t *testing.T) {
			host := tc.host
			if host == "" {
				host = "localhost"
			}
			resp, body := s.get(t, "GET "+tc.path+" HTTP/1.1\r\nHost: "+host+"\r\nConnection: close\r\n\r\n", "GET")
			if resp.StatusCode != tc.status {
				t.Fatalf("GET %s (Host %s): got %d, want %d; body:\n%s", tc.path, host, resp.StatusCode, tc.status, body)
			}
			if tc.status == 200 && tc.body != "" && body != tc.body {
				t.Errorf("GET %s: got body %q, want %q", tc.path, body, tc.body)
			}
			if got := resp.Header.Get("Location"); got != tc.location {
				t.Errorf("GET %s: got Location %q, want %q", tc.path, got, tc.location)
			}
			for _, want := range tc.bodyHas {
				if !strings.Contains(body, want) {
					t.Errorf("GET %s: body lacks %q:\n%s", tc.path, want, body)
				}
			}
		})
	}
	t.Run("LimitRequestBody of the target's Directory", func(t *testing.T) {
		for _, tc := range []struct {
			path   string
			status int
		}{{"/docs/list/one.txt", 413}, {"/docs/x.txt", 200}} {
			raw := "GET " + tc.path + " HTTP/1.1\r\nHost: localhost\r\nContent-Length: 50\r\n\r\n" + strings.Repeat("z", 50)
			if resp, _ := s.get(t, raw, "GET"); resp.StatusCode != tc.status {
				t.Errorf("%s with a 50-byte body: got %d, want %d", tc.path, resp.StatusCode, tc.status)
			}
		}
	})
	t.Run("file paths in the logs", func(t *testing.T) {
		// %f and AH00128 name the file below the alias's target.
		wants := []string{
			"/icons/a.png 200 " + s.root.Path("icons/a.png"),
			"/favicon.ico 200 " + s.root.Path("static/fav.ico"),
			"/docs/missing.txt 404 " + s.root.Path("share/doc/missing.txt"),
			"/private/secret.txt 403 " + s.root.Path("private/secret.txt"),
			"/icons 404 " + s.root.Path("htdocs/icons"),
		}
		itest.Eventually(t, ioWait, fmt.Sprintf("files_log lines %q", wants), func() bool {
			lines := strings.Split(s.logFile("files_log"), "\n")
			for _, want := range wants {
				if !slices.Contains(lines, want) {
					return false
				}
			}
			return true
		})
		re := regexp.MustCompile(`AH00128: File does not exist: ` + regexp.QuoteMeta(s.root.Path("share/doc/missing.txt")) + `\n`)
		itest.Eventually(t, ioWait, "the AH00128 line naming share/doc/missing.txt", func() bool {
			return re.MatchString(s.logFile("error_log"))
		})
	})
}

// TestAliasMatch: AliasMatch maps a request whose decoded path its
// pattern matches to its file-path with the submatches in place (a
// relative result from ServerRoot), tried in order with Alias; the
// <Directory> sections of the result apply; a directory reached by
// several URL paths is answered for each one's own (its listing's title,
// a <Location>'s DirectoryIndex): nothing cached by file path mixes them
// up. The answers are Apache 2.4.71's for the same
// configuration, compared side by side.
func TestAliasMatch(t *testing.T) {
	root := itest.NewRoot(t, baseConf+`LogFormat "%U %>s %f" files
CustomLog logs/files_log files
AliasMatch ^/users/([a-z]+)(/.*)?$ users/$1/www$2
AliasMatch "^/manual(?:/(?:de|en))?(/.*)?$" "{{ROOT}}/manual$1"
Alias /users/bob/old {{ROOT}}/never
<Directory {{ROOT}}/users>
    Require all granted
</Directory>
<Directory {{ROOT}}/users/bob/www/sub>
    Require all denied
</Directory>
<Directory {{ROOT}}/manual>
    Require all granted
    Options Indexes
</Directory>
<Location /manual/en>
    DirectoryIndex p.html
</Location>
`, map[string]string{"index.html": "docroot\n"})
	for name, body := range map[string]string{
		"users/bob/www/index.html": "bob home\n",
		"users/bob/www/sub/s.txt":  "bob sub\n",
		"manual/p.html":            "manual page\n",
	} {
		p := root.Path(name)
		if err := os.MkdirAll(p[:strings.LastIndexByte(p, '/')], 0o755); err != nil {
			t.Fatal(err)
		}
		if err := os.WriteFile(p, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	s := runServer(t, root)
	c := s.open(t)
	for _, tt := range []struct {
		target   string
		status   int
		body     string
		location string
	}{
		{"/users/bob/", 200, "bob home\n", ""},
		{"/users/bob", 301, "", "http://localhost/users/bob/"},
		{"/users/bob/old", 404, "", ""}, // the AliasMatch comes first
		{"/users/bob/sub/s.txt", 403, "", ""},
		{"/users/alice/", 404, "", ""},
		{"/users/Bob/", 404, "", ""},
		{"/manual/en/p.html", 200, "manual page\n", ""},
		{"/manual/", 200, "<title>Index of /manual</title>", ""},
		{"/manual/de/", 200, "<title>Index of /manual/de</title>", ""},
		{"/manual/en/", 200, "manual page\n", ""}, // its <Location>'s DirectoryIndex
		{"/manual/", 200, "<title>Index of /manual</title>", ""},
		{"/manual/en/", 200, "manual page\n", ""},
		{"/manualx", 404, "", ""},
		{"/users/bob/%2e%2e/bob/index.html", 200, "bob home\n", ""},
	} {
		resp, body := c.roundTrip("GET "+tt.target+" HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
		if resp.StatusCode != tt.status || !strings.Contains(body, tt.body) || resp.Header.Get("Location") != tt.location {
			t.Errorf("%s: %d Location %q body %q, want %d Location %q body with %q", tt.target, resp.StatusCode,
				resp.Header.Get("Location"), body, tt.status, tt.location, tt.body)
		}
	}
	c.Close()
	s.stop(t)
	log := s.logFile("files_log")
	for _, want := range []string{
		"/users/bob/index.html 200 " + root.Path("users/bob/www/index.html") + "\n",
		"/manual/en/p.html 200 " + root.Path("manual/p.html") + "\n",
	} {
		if !strings.Contains(log, want) {
			t.Errorf("the log lacks %q:\n%s", want, log)
		}
	}
}
