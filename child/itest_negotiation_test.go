package child_test

import (
	"os"
	"path/filepath"
	"strings"
	"testing"

	"eventmpm/internal/itest"
)

// negotiationFiles are the variants TestMultiViews negotiates among. The
// English page is the shortest, which decides when nothing else does.
var negotiationFiles = map[string]string{
	"mv/page.html.en":       "english page\n",
	"mv/page.html.fr":       "page en francais!\n",
	"mv/page.html.de":       "deutsche seite\n",
	"mv/doc.html":           "<p>doc html</p>\n",
	"mv/doc.txt":            "doc as text\n",
	"mv/only.html.fr":       "only french\n",
	"mv/idx/index.html.en":  "idx en\n",
	"mv/idx/index.html.fr":  "idx fr ok\n",
	"mv/enc.txt":            "plain\n",
	"mv/enc.txt.gz":         "\x1f\x8bnot really gzip\n",
	"mv/bak.html.zzz":       "unknown extension\n",
	"mv/foo.bar.html":       "foo bar\n",
	"mv/unk.zzz":            "unknown\n",
	"mv/secret.html":        "secret\n",
	"mv/deny.html.en":       "denied by <Files>\n",
	"mv/den.html.en":        "denied by <Files>\n",
	"mv/den.html.fr":        "den fr, the longer one\n",
	"off/page.html.en":      "no multiviews here\n",
	"mv/priority.html.en":   "priority en\n",
	"mv/priority.html.de":   "priority de is longer\n",
	"mv/.htsecret.html":     "never\n",
	"mv/sub/inner.html.en":  "inner\n",
	"mv/sub/inner.html.fr":  "inner fr\n",
	"mv/sub/ignored.txt.en": "x\n",
	"spa/index.html":        "spa index\n",
	"spa/page.html.en":      "spa page\n",
}

// TestMultiViews serves a directory with Options MultiViews: each request
// must pick the variant Apache 2.4 picks (compared side by side for the
// same files and headers), with its Content-Location, Vary and TCN, a 406
// with the variant list when none is acceptable, 404 when files match but
// none is a variant, and never a file that <Files> denies (another
// variant is chosen, as Apache's subrequests leave it out). A directory
// without MultiViews keeps answering 404.
func TestMultiViews(t *testing.T) {
	t.Parallel()
	s := startServer(t, `AddLanguage en .en
AddLanguage fr .fr
AddLanguage de .de
AddEncoding gzip .gz
AddType text/plain .txt
AddType text/html .html
AddType application/gzip .gz
LogFormat "%>s %U %f" mv
CustomLog logs/mv_log mv
<Directory htdocs/mv>
    Options +MultiViews
</Directory>
<Directory htdocs/mv/sub>
    LanguagePriority fr en
    ForceLanguagePriority Prefer Fallback
</Directory>
<Directory htdocs/spa>
    Options +MultiViews
    RewriteEngine On
    RewriteCond %{REQUEST_FILENAME} !-f
    RewriteRule ^ index.html [L]
</Directory>
<FilesMatch "^den(y)?\.html\.en$">
    Require all denied
</FilesMatch>
`, negotiationFiles)
	for _, tc := range []struct {
		name, path, hdrs string
		status           int
		body             string
		want             []string // header lines the response must carry
		lacks            []string
	}{
		{name: "shortest", path: "/mv/page", status: 200, body: "english page\n",
			want: []string{"Content-Location: page.html.en", "Vary: negotiate,accept-language", "TCN: choice", "Content-Language: en", "Content-Type: text/html"}},
		{name: "language", path: "/mv/page", hdrs: "Accept-Language: fr\r\n", status: 200, body: "page en francais!\n",
			want: []string{"Content-Location: page.html.fr"}},
		{name: "language-q", path: "/mv/page", hdrs: "Accept-Language: de;q=0.5, fr;q=0.4\r\n", status: 200, body: "deutsche seite\n"},
		{name: "language-prefix-fiddle", path: "/mv/page", hdrs: "Accept-Language: fr-CA\r\n", status: 200, body: "page en francais!\n"},
		{name: "language-star", path: "/mv/page", hdrs: "Accept-Language: *;q=0.5, de\r\n", status: 200, body: "deutsche seite\n"},
		{name: "none-acceptable", path: "/mv/page", hdrs: "Accept-Language: it\r\n", status: 406,
			body: `<li><a href="page.html.de">page.html.de</a> , type text/html, language de</li>`,
			want: []string{`Alternates: {"page.html.de" 1 {type text/html} {language de} {length 15}}, {"page.html.en" 1 {type text/html} {language en} {length 13}}, {"page.html.fr" 1 {type text/html} {language fr} {length 18}}`,
				"Vary: negotiate,accept-language", "TCN: list"}},
		{name: "single-variant-unacceptable", path: "/mv/only", hdrs: "Accept-Language: en\r\n", status: 406,
			want: []string{"Vary: negotiate", "TCN: list"}},
		{name: "type-wildcards-tie", path: "/mv/doc", status: 200, body: "doc as text\n", want: []string{"Vary: negotiate,accept"}},
		{name: "type-named", path: "/mv/doc", hdrs: "Accept: text/html, */*;q=0.1\r\n", status: 200, body: "<p>doc html</p>\n"},
		{name: "directory-index", path: "/mv/idx/", hdrs: "Accept-Language: fr\r\n", status: 200, body: "idx fr ok\n",
			want: []string{"Content-Location: index.html.fr"}},
		{name: "encoding-accepted", path: "/mv/enc", hdrs: "Accept-Encoding: gzip\r\n", status: 200, body: "\x1f\x8bnot really gzip\n",
			want: []string{"Content-Encoding: gzip", "Vary: negotiate,accept,accept-encoding"}},
		{name: "encoding-not-accepted", path: "/mv/enc", hdrs: "Accept-Encoding: br\r\n", status: 200, body: "plain\n"},
		{name: "name-words", path: "/mv/foo", status: 200, body: "foo bar\n"},
		{name: "unknown-extension-not-a-variant", path: "/mv/bak", status: 404},
		{name: "no-negotiable-variant", path: "/mv/unk", status: 404},
		{name: "denied-variant-skipped", path: "/mv/den", status: 200, body: "den fr, the longer one\n",
			want: []string{"Content-Location: den.html.fr"}},
		{name: "only-variant-denied", path: "/mv/deny", status: 404},
		{name: "existing-file-not-negotiated", path: "/mv/secret.html", status: 200, body: "secret\n", lacks: []string{"TCN:", "Content-Location:"}},
		{name: "ht-files-never-variants", path: "/mv/.htsecret", status: 403},
		{name: "priority-breaks-tie", path: "/mv/sub/inner", status: 200, body: "inner fr\n"},
		{name: "fallback", path: "/mv/sub/inner", hdrs: "Accept-Language: it\r\n", status: 200, body: "inner fr\n"},
		{name: "no-multiviews", path: "/off/page", status: 404},
		// Negotiation comes before the fixups, as Apache's type_checker
		// hook: the rewrite for missing files sees the chosen variant.
		{name: "before-rewrite", path: "/spa/page", status: 200, body: "spa page\n", want: []string{"Content-Location: page.html.en"}},
		{name: "rewrite-without-variants", path: "/spa/nothing", status: 200, body: "spa index\n", lacks: []string{"TCN:"}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			resp, body := s.get(t, "GET "+tc.path+" HTTP/1.1\r\nHost: localhost\r\n"+tc.hdrs+"\r\n", "GET")
			if resp.StatusCode != tc.status {
				t.Fatalf("status %d, want %d (body %q)", resp.StatusCode, tc.status, body)
			}
			if tc.body != "" && !strings.Contains(body, tc.body) {
				t.Errorf("body %q, want %q in it", body, tc.body)
			}
			var head strings.Builder
			for k, vs := range resp.Header {
				for _, v := range vs {
					head.WriteString(k + ": " + v + "\n")
				}
			}
			for _, w := range tc.want {
				name, value, _ := strings.Cut(w, ": ")
				if got := resp.Header.Values(name); !contains(got, value) {
					t.Errorf("%s: %q, want %q", name, got, value)
				}
			}
			for _, l := range tc.lacks {
				if strings.Contains(head.String(), l) {
					t.Errorf("header has %q:\n%s", l, head.String())
				}
			}
		})
	}
	s.stop(t)
	log := s.logFile("mv_log")
	for _, line := range []string{"200 /mv/page.html.en " + s.root.Path("htdocs", "mv", "page.html.en"), "406 /mv/page " + s.root.Path("htdocs", "mv", "page")} {
		if !strings.Contains(log, line+"\n") {
			t.Errorf("access log lacks %q:\n%s", line, log)
		}
	}
	errs := s.logFile("error_log")
	for _, want := range []string{"AH00690: no acceptable variant: " + s.root.Path("htdocs", "mv", "page"),
		"AH00687: Negotiation: discovered file(s) matching request: " + s.root.Path("htdocs", "mv", "unk") + " (None could be negotiated).",
		"AH01630: client denied by server configuration: " + s.root.Path("htdocs", "mv", "den.html.en")} {
		if !strings.Contains(errs, want) {
			t.Errorf("error log lacks %q:\n%s", want, errs)
		}
	}
}

func contains(list []string, s string) bool {
	for _, v := range list {
		if v == s {
			return true
		}
	}
	return false
}

// TestMultiViewsSymlinkVariant: a variant that is a symlink its
// directory's Options refuse is left out, as Apache's subrequest for it
// fails, and the next best variant is served; none of the link target's
// bytes reach the client.
func TestMultiViewsSymlinkVariant(t *testing.T) {
	t.Parallel()
	root := itest.NewRoot(t, baseConf+`AddLanguage en .en
AddLanguage fr .fr
<Directory htdocs/nofollow>
    Options MultiViews
</Directory>
`, map[string]string{
		"secret.txt":               "TOPSECRET\n",
		"nofollow/page.html.fr":    "the french page, longer than the link\n",
		"nofollow/alone/x.html.en": "placeholder\n",
	})
	symlink(t, "../secret.txt", root, "nofollow/page.html.en")
	if err := os.Remove(filepath.Join(root.Dir, "htdocs", "nofollow/alone/x.html.en")); err != nil {
		t.Fatal(err)
	}
	symlink(t, "../../secret.txt", root, "nofollow/alone/x.html.en")
	s := runServer(t, root)
	resp, body := s.get(t, "GET /nofollow/page HTTP/1.1\r\nHost: localhost\r\nAccept-Language: en, fr;q=0.5\r\n\r\n", "GET")
	if resp.StatusCode != 200 || body != "the french page, longer than the link\n" || resp.Header.Get("Content-Location") != "page.html.fr" {
		t.Errorf("got %d %q (Content-Location %q), want the French page", resp.StatusCode, body, resp.Header.Get("Content-Location"))
	}
	resp, body = s.get(t, "GET /nofollow/alone/x HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
	if resp.StatusCode != 404 || strings.Contains(body, "TOPSECRET") {
		t.Errorf("only variant a refused symlink: got %d %q, want 404", resp.StatusCode, body)
	}
}
