package child_test

import (
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"os"
	"regexp"
	"strings"
	"testing"
	"time"

	"eventmpm/internal/itest"
)

// staticFiles are the documents of the static-file tests.
var staticFiles = map[string]string{
	"index.html":          "<p>home</p>\n",
	"a.txt":               "alpha\n",
	"digits.txt":          "0123456789abcdefghij", // 20 bytes, for ranges
	"style.css":           "p{}\n",
	"data.json":           "{}\n",
	"pic.png":             "\x89PNG\r\n\x1a\n",
	"blob.xyz":            "?\n",
	"page.tst":            "added\n",
	"custom.cust":         "custom\n",
	"index.html.en":       "<p>english</p>\n",
	"style.css.bak":       "p{}\n",
	"sub/index.html":      "<p>sub</p>\n",
	"sub/.htsecret":       "hidden\n",
	"alt/default.htm":     "<p>alt</p>\n",
	"empty/placeholder.x": "",
	"list/<b>&.txt":       "escaped\n",
	"list/plain.txt":      "plain\n",
	"list/.htaccess":      "deny\n",
	"list/dir/f":          "f\n",
	".htaccess":           "Require all denied\n",
	"nofollow/real.txt":   "real\n",
	"owner/real.txt":      "owner\n",
}

// staticConf turns on Indexes for list/, a second DirectoryIndex for alt/,
// symlinks off for nofollow/ and owner-matching ones for owner/, a
// TypesConfig of our own and an AddType.
const staticConf = `TypesConfig conf/mime.types
AddType application/x-test .tst
<Directory htdocs/list>
    Options Indexes
</Directory>
<Directory htdocs/alt>
    DirectoryIndex index.html default.htm
</Directory>
<Directory htdocs/nofollow>
    Options None
</Directory>
<Directory htdocs/owner>
    Options SymLinksIfOwnerMatch
</Directory>
`

// mimeTypes is the TypesConfig file of the static tests.
const mimeTypes = `# test types
text/html html htm
text/plain txt
text/css css
application/json json
image/png png
text/x-custom cust
`

// startStaticServer lays out staticFiles at fixedTime, a secret file
// outside the DocumentRoot and symlinks pointing out of it, and starts the
// server.
func startStaticServer(t *testing.T) *server {
	t.Helper()
	root := itest.NewRoot(t, baseConf+staticConf, staticFiles)
	write := func(rel, body string) {
		if err := os.WriteFile(root.Path(rel), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("conf/mime.types", mimeTypes)
	write("secret.txt", "TOPSECRET\n")
	if err := os.MkdirAll(root.Path("outside"), 0o755); err != nil {
		t.Fatal(err)
	}
	write("outside/o.txt", "TOPSECRET outside\n")
	for name := range staticFiles {
		setMtime(t, root, name, fixedTime)
	}
	symlink(t, "../secret.txt", root, "out.txt")
	symlink(t, "../outside", root, "outdir")
	symlink(t, "../../secret.txt", root, "nofollow/out.txt")
	symlink(t, "real.txt", root, "nofollow/in.txt")
	symlink(t, "../../secret.txt", root, "owner/out.txt")
	return runServer(t, root)
}

// get sends one raw request on a fresh connection and reads the answer.
func (s *server) get(t *testing.T, raw, method string) (*http.Response, string) {
	t.Helper()
	c := s.open(t)
	return c.roundTrip(raw, method)
}

// TestStaticMapping covers DirectoryIndex, the 301 to the slash form,
// listings with and without Indexes, .ht* denial and MIME types.
func TestStaticMapping(t *testing.T) {
	t.Parallel()
	s := startStaticServer(t)
	port := fmt.Sprint(s.root.Port)
	for _, tc := range []struct {
		name, raw             string
		status                int
		body, ctype, location string
		bodyHas               []string
		bodyLacks             []string
	}{
		{name: "index", raw: "GET / HTTP/1.1\r\nHost: localhost\r\n\r\n", status: 200, body: "<p>home</p>\n", ctype: "text/html"},
		{name: "index-sub", raw: "GET /sub/ HTTP/1.1\r\nHost: localhost\r\n\r\n", status: 200, body: "<p>sub</p>\n"},
		{name: "index-second-name", raw: "GET /alt/ HTTP/1.1\r\nHost: localhost\r\n\r\n", status: 200, body: "<p>alt</p>\n"},
		{name: "slash-redirect", raw: "GET /sub HTTP/1.1\r\nHost: localhost:" + port + "\r\n\r\n", status: 301,
			location: "http://localhost:" + port + "/sub/", bodyHas: []string{`<a href="http://localhost:` + port + `/sub/">here</a>`}},
		{name: "slash-redirect-keeps-query", raw: "GET /sub?a=1&b=2 HTTP/1.1\r\nHost: localhost\r\n\r\n", status: 301,
			location: "http://localhost/sub/?a=1&b=2"},
		// Location as Apache's ap_construct_url builds it: the host
		// lowercased, without a final dot, the port only when not 80.
		{name: "slash-redirect-normalizes-host", raw: "GET /sub HTTP/1.1\r\nHost: LocalHost.:0080\r\n\r\n", status: 301,
			location: "http://localhost/sub/"},
		{name: "slash-redirect-ipv6-host", raw: "GET /sub HTTP/1.1\r\nHost: [::1]:81\r\n\r\n", status: 301,
			location: "http://[::1]:81/sub/"},
		{name: "host-port-zero-400", raw: "GET /sub HTTP/1.1\r\nHost: localhost:0\r\n\r\n", status: 400},
		{name: "host-port-too-large-400", raw: "GET /sub HTTP/1.1\r\nHost: localhost:65536\r\n\r\n", status: 400},
		{name: "slash-redirect-http10-uses-servername", raw: "GET /sub HTTP/1.0\r\nConnection: keep-alive\r\n\r\n", status: 301,
			location: "http://localhost:" + port + "/sub/"},
		{name: "no-index-no-indexes-403", raw: "GET /empty/ HTTP/1.1\r\nHost: localhost\r\n\r\n", status: 403},
		{name: "listing", raw: "GET /list/ HTTP/1.1\r\nHost: localhost\r\n\r\n", status: 200, ctype: "text/html;charset=UTF-8",
			bodyHas:   []string{"<title>Index of /list</title>", "&lt;b&gt;&amp;.txt", `href="plain.txt"`, `href="dir/"`, "Parent Directory"},
			bodyLacks: []string{".htaccess", "<b>&"}},
		{name: "htaccess-403", raw: "GET /.htaccess HTTP/1.1\r\nHost: localhost\r\n\r\n", status: 403},
		{name: "ht-missing-403", raw: "GET /.htpasswd HTTP/1.1\r\nHost: localhost\r\n\r\n", status: 403},
		{name: "ht-in-subdir-403", raw: "GET /sub/.htsecret HTTP/1.1\r\nHost: localhost\r\n\r\n", status: 403},
		{name: "ht-encoded-403", raw: "GET /%2ehtaccess HTTP/1.1\r\nHost: localhost\r\n\r\n", status: 403},
		{name: "mime-html", raw: "GET /index.html HTTP/1.1\r\nHost: localhost\r\n\r\n", status: 200, ctype: "text/html"},
		{name: "mime-txt", raw: "GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", status: 200, ctype: "text/plain"},
		{name: "mime-css", raw: "GET /style.css HTTP/1.1\r\nHost: localhost\r\n\r\n", status: 200, ctype: "text/css"},
		{name: "mime-json", raw: "GET /data.json HTTP/1.1\r\nHost: localhost\r\n\r\n", status: 200, ctype: "application/json"},
		{name: "mime-png", raw: "GET /pic.png HTTP/1.1\r\nHost: localhost\r\n\r\n", status: 200, ctype: "image/png"},
		{name: "mime-typesconfig", raw: "GET /custom.cust HTTP/1.1\r\nHost: localhost\r\n\r\n", status: 200, ctype: "text/x-custom"},
		{name: "mime-addtype", raw: "GET /page.tst HTTP/1.1\r\nHost: localhost\r\n\r\n", status: 200, ctype: "application/x-test"},
		{name: "mime-default", raw: "GET /blob.xyz HTTP/1.1\r\nHost: localhost\r\n\r\n", status: 200, ctype: "application/octet-stream"},
		{name: "mime-language-variant", raw: "GET /index.html.en HTTP/1.1\r\nHost: localhost\r\n\r\n", status: 200, ctype: "text/html"},
		{name: "mime-last-typed-extension", raw: "GET /style.css.bak HTTP/1.1\r\nHost: localhost\r\n\r\n", status: 200, ctype: "text/css"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := s.get(t, tc.raw, "GET")
			if resp.StatusCode != tc.status {
				t.Fatalf("got %d, want %d (body %q)", resp.StatusCode, tc.status, body)
			}
			if tc.body != "" && body != tc.body {
				t.Errorf("got body %q, want %q", body, tc.body)
			}
			if got := resp.Header.Get("Content-Type"); tc.ctype != "" && got != tc.ctype {
				t.Errorf("got Content-Type %q, want %q", got, tc.ctype)
			}
			if got := resp.Header.Get("Location"); got != tc.location {
				t.Errorf("got Location %q, want %q", got, tc.location)
			}
			for _, sub := range tc.bodyHas {
				if !strings.Contains(body, sub) {
					t.Errorf("body lacks %q:\n%s", sub, body)
				}
			}
			for _, sub := range tc.bodyLacks {
				if strings.Contains(body, sub) {
					t.Errorf("body has %q:\n%s", sub, body)
				}
			}
		})
	}
	t.Run("net-http-redirect", func(t *testing.T) {
		resp, err := newClient().Get(s.url("/sub"))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if want := s.url("/sub/"); resp.StatusCode != 301 || resp.Header.Get("Location") != want {
			t.Errorf("got %d Location %q, want 301 %q", resp.StatusCode, resp.Header.Get("Location"), want)
		}
	})
	t.Run("curl-follows-redirect", func(t *testing.T) {
		if got := curl(t, "-L", s.url("/sub")); got != "<p>sub</p>\n" {
			t.Errorf("got %q, want %q", got, "<p>sub</p>\n")
		}
	})
}

// TestStaticTraversal tries every spelling of escaping the DocumentRoot.
// Nothing outside it may be served except through a symlink the
// directory's Options allow (Apache follows an admin's symlinks wherever
// they point under FollowSymLinks, the default).
func TestStaticTraversal(t *testing.T) {
	t.Parallel()
	s := startStaticServer(t)
	for _, tc := range []struct {
		name, target string
		status       int
		body         string
	}{
		{name: "dotdot", target: "/../secret.txt", status: 400},
		{name: "dotdot-deep", target: "/sub/../../secret.txt", status: 400},
		{name: "dotdot-after-file", target: "/a.txt/../../secret.txt", status: 400},
		{name: "dotdot-trailing", target: "/sub/../..", status: 400},
		{name: "encoded-dotdot", target: "/%2e%2e/secret.txt", status: 400},
		{name: "encoded-dotdot-mixed-case", target: "/%2E%2e/secret.txt", status: 400},
		{name: "half-encoded-dotdot", target: "/.%2e/secret.txt", status: 400},
		{name: "half-encoded-dotdot-2", target: "/%2e./secret.txt", status: 400},
		{name: "double-encoded-dotdot", target: "/%252e%252e/secret.txt", status: 404},
		{name: "encoded-slash", target: "/..%2fsecret.txt", status: 404},
		{name: "encoded-slash-upper", target: "/sub%2F..%2F..%2Fsecret.txt", status: 404},
		{name: "fully-encoded", target: "/%2e%2e%2fsecret.txt", status: 404},
		{name: "backslash", target: `/..\secret.txt`, status: 404},
		{name: "encoded-backslash", target: "/%5c..%5csecret.txt", status: 404},
		{name: "encoded-nul", target: "/a.txt%00.html", status: 404},
		{name: "overlong-utf8-dots", target: "/%c0%ae%c0%ae/secret.txt", status: 404},
		{name: "trailing-dot-name", target: "/a.txt.", status: 404},
		{name: "absolute-form-dotdot", target: "http://localhost/../secret.txt", status: 400},
		{name: "dot-segments-inside", target: "/sub/./../a.txt", status: 200, body: "alpha\n"},
		{name: "double-slash", target: "//a.txt", status: 200, body: "alpha\n"},
		{name: "symlink-out-followed", target: "/out.txt", status: 200, body: "TOPSECRET\n"},
		{name: "symlinked-dir-out-followed", target: "/outdir/o.txt", status: 200, body: "TOPSECRET outside\n"},
		{name: "symlink-out-no-follow", target: "/nofollow/out.txt", status: 403},
		{name: "symlink-in-no-follow", target: "/nofollow/in.txt", status: 403},
		{name: "no-follow-plain-file", target: "/nofollow/real.txt", status: 200, body: "real\n"},
		{name: "symlink-if-owner-match", target: "/owner/out.txt", status: 200, body: "TOPSECRET\n"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := s.get(t, "GET "+tc.target+" HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
			if resp.StatusCode != tc.status {
				t.Fatalf("GET %s: got %d, want %d", tc.target, resp.StatusCode, tc.status)
			}
			if tc.body != "" && body != tc.body {
				t.Errorf("got body %q, want %q", body, tc.body)
			}
			if tc.body == "" && strings.Contains(body, "TOPSECRET") {
				t.Errorf("leaked the secret: %q", body)
			}
		})
	}
	t.Run("raw-nul", func(t *testing.T) {
		resp, _ := s.get(t, "GET /a.txt\x00.html HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
		if resp.StatusCode != 400 {
			t.Errorf("got %d, want 400", resp.StatusCode)
		}
	})
	t.Run("curl-path-as-is", func(t *testing.T) {
		got := curl(t, "-o", "/dev/null", "-w", "%{http_code}", "--path-as-is", s.url("/../secret.txt"))
		if got != "400" {
			t.Errorf("got %s, want 400", got)
		}
	})
}

// TestStaticConditionals covers RFC 9110 13.2.2 preconditions on a file
// with a known ETag and Last-Modified.
func TestStaticConditionals(t *testing.T) {
	t.Parallel()
	s := startStaticServer(t)
	etag := etagFor(len("alpha\n"), fixedTime)
	lm := "Fri, 01 Mar 2024 12:00:00 GMT"
	before := "Thu, 29 Feb 2024 12:00:00 GMT"
	after := "Sat, 02 Mar 2024 12:00:00 GMT"
	future := time.Now().Add(48 * time.Hour).UTC().Format(http.TimeFormat)
	for _, tc := range []struct {
		name, method, headers string
		status                int
	}{
		{name: "none", headers: "", status: 200},
		{name: "if-none-match-hit", headers: "If-None-Match: " + etag, status: 304},
		{name: "if-none-match-list", headers: `If-None-Match: "x", ` + etag, status: 304},
		{name: "if-none-match-weak-compare", headers: "If-None-Match: W/" + etag, status: 304},
		{name: "if-none-match-star", headers: "If-None-Match: *", status: 304},
		{name: "if-none-match-miss", headers: `If-None-Match: "nope"`, status: 200},
		{name: "if-none-match-head", method: "HEAD", headers: "If-None-Match: " + etag, status: 304},
		{name: "if-modified-since-equal", headers: "If-Modified-Since: " + lm, status: 304},
		{name: "if-modified-since-after", headers: "If-Modified-Since: " + after, status: 304},
		{name: "if-modified-since-before", headers: "If-Modified-Since: " + before, status: 200},
		{name: "if-modified-since-rfc850", headers: "If-Modified-Since: Friday, 01-Mar-24 12:00:00 GMT", status: 304},
		{name: "if-modified-since-asctime", headers: "If-Modified-Since: Fri Mar  1 12:00:00 2024", status: 304},
		{name: "if-modified-since-invalid", headers: "If-Modified-Since: yesterday", status: 200},
		{name: "if-modified-since-future-ignored", headers: "If-Modified-Since: " + future, status: 200},
		{name: "if-none-match-beats-if-modified-since", headers: "If-None-Match: \"nope\"\r\nIf-Modified-Since: " + lm, status: 200},
		{name: "if-match-hit", headers: "If-Match: " + etag, status: 200},
		{name: "if-match-star", headers: "If-Match: *", status: 200},
		{name: "if-match-miss", headers: `If-Match: "nope"`, status: 412},
		{name: "if-match-weak-never-matches", headers: "If-Match: W/" + etag, status: 412},
		{name: "if-unmodified-since-before", headers: "If-Unmodified-Since: " + before, status: 412},
		{name: "if-unmodified-since-equal", headers: "If-Unmodified-Since: " + lm, status: 200},
		{name: "if-match-beats-if-unmodified-since", headers: "If-Match: " + etag + "\r\nIf-Unmodified-Since: " + before, status: 200},
		{name: "if-match-miss-head", method: "HEAD", headers: `If-Match: "nope"`, status: 412},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			method := tc.method
			if method == "" {
				method = "GET"
			}
			h := ""
			if tc.headers != "" {
				h = tc.headers + "\r\n"
			}
			resp, body := s.get(t, method+" /a.txt HTTP/1.1\r\nHost: localhost\r\n"+h+"\r\n", method)
			if resp.StatusCode != tc.status {
				t.Fatalf("got %d, want %d", resp.StatusCode, tc.status)
			}
			switch tc.status {
			case 304:
				if body != "" || resp.Header.Get("ETag") != etag || resp.Header.Get("Content-Length") != "" {
					t.Errorf("304: got body %q ETag %q Content-Length %q, want no body, ETag %s, no length",
						body, resp.Header.Get("ETag"), resp.Header.Get("Content-Length"), etag)
				}
				// Apache 2.4's 304: the validators and Accept-Ranges, no type.
				if resp.Header.Get("Last-Modified") != lm || resp.Header.Get("Content-Type") != "" {
					t.Errorf("304 carries Last-Modified %q Content-Type %q, want Last-Modified %q and no type", resp.Header.Get("Last-Modified"), resp.Header.Get("Content-Type"), lm)
				}
			case 200:
				if method == "GET" && body != "alpha\n" {
					t.Errorf("got body %q, want %q", body, "alpha\n")
				}
				if resp.Header.Get("Last-Modified") != lm || resp.Header.Get("ETag") != etag {
					t.Errorf("got Last-Modified %q ETag %q, want %q %s", resp.Header.Get("Last-Modified"), resp.Header.Get("ETag"), lm, etag)
				}
			case 412:
				if method == "GET" && !strings.Contains(body, "<title>412 Precondition Failed</title>") {
					t.Errorf("got body %q, want the 412 page", body)
				}
			}
		})
	}
	t.Run("curl-etag-compare", func(t *testing.T) {
		got := curl(t, "-o", "/dev/null", "-w", "%{http_code}", "-H", "If-None-Match: "+etag, s.url("/a.txt"))
		if got != "304" {
			t.Errorf("got %s, want 304", got)
		}
	})
}

// TestStaticRanges covers Range and If-Range (RFC 9110 14): single, suffix,
// open, merged and multiple ranges from a file sent with sendfile and from
// TestMaxRangesDirective: MaxRanges in the server config and a virtual
// host's own, end to end: none ignores Range and says Accept-Ranges: none;
// 1 sends the whole file for two ranges and the range for one.
func TestMaxRangesDirective(t *testing.T) {
	t.Parallel()
	s := startConnServer(t, "MaxRanges none\n<VirtualHost *:*>\nServerName one.example\nMaxRanges 1\n</VirtualHost>\n"+
		"<VirtualHost *:*>\nServerName localhost\n</VirtualHost>\n")
	c := s.open(t)
	for _, tc := range []struct {
		host, ranges      string
		status            int
		acceptRanges, got string
	}{
		{"localhost", "bytes=0-1", 200, "none", "alpha\n"}, // inherits the server's none
		{"one.example", "bytes=0-1", 206, "bytes", "al"},
		{"one.example", "bytes=0-1,3-4", 200, "bytes", "alpha\n"},
	} {
		resp, body := c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: "+tc.host+"\r\nRange: "+tc.ranges+"\r\n\r\n", "GET")
		if resp.StatusCode != tc.status || body != tc.got || resp.Header.Get("Accept-Ranges") != tc.acceptRanges {
			t.Errorf("%s %s: %d %q Accept-Ranges %q; want %d %q %q", tc.host, tc.ranges, resp.StatusCode, body,
				resp.Header.Get("Accept-Ranges"), tc.status, tc.got, tc.acceptRanges)
		}
	}
}

// a large one sent in segments, the 416 with "bytes */N", and HEAD.
func TestStaticRanges(t *testing.T) {
	t.Parallel()
	s := startStaticServer(t)
	big := make([]byte, 100<<10)
	for i := range big {
		big[i] = byte('a' + i%26)
	}
	if err := os.WriteFile(s.root.Path("htdocs", "big.bin"), big, 0o644); err != nil {
		t.Fatal(err)
	}
	setMtime(t, s.root, "big.bin", fixedTime)
	const digits = "0123456789abcdefghij"
	etag := etagFor(len(digits), fixedTime)
	lm := "Fri, 01 Mar 2024 12:00:00 GMT"
	type part struct {
		crange, body string
	}
	for _, tc := range []struct {
		name, path, headers string
		status              int
		crange, body        string
		parts               []part
	}{
		{name: "single", path: "/digits.txt", headers: "Range: bytes=0-4", status: 206, crange: "bytes 0-4/20", body: "01234"},
		{name: "single-middle", path: "/digits.txt", headers: "Range: bytes=10-12", status: 206, crange: "bytes 10-12/20", body: "abc"},
		{name: "open-ended", path: "/digits.txt", headers: "Range: bytes=15-", status: 206, crange: "bytes 15-19/20", body: "fghij"},
		{name: "suffix", path: "/digits.txt", headers: "Range: bytes=-3", status: 206, crange: "bytes 17-19/20", body: "hij"},
		{name: "suffix-longer-than-file", path: "/digits.txt", headers: "Range: bytes=-50", status: 206, crange: "bytes 0-19/20", body: digits},
		{name: "end-past-size", path: "/digits.txt", headers: "Range: bytes=18-100", status: 206, crange: "bytes 18-19/20", body: "ij"},
		{name: "overlapping-merged", path: "/digits.txt", headers: "Range: bytes=0-5,3-8", status: 206, crange: "bytes 0-8/20", body: "012345678"},
		{name: "multi", path: "/digits.txt", headers: "Range: bytes=0-1,5-6,-2", status: 206,
			parts: []part{{"bytes 0-1/20", "01"}, {"bytes 5-6/20", "56"}, {"bytes 18-19/20", "ij"}}},
		{name: "multi-big-file", path: "/big.bin", headers: "Range: bytes=0-2,70000-70002", status: 206,
			parts: []part{{fmt.Sprintf("bytes 0-2/%d", len(big)), string(big[:3])}, {fmt.Sprintf("bytes 70000-70002/%d", len(big)), string(big[70000:70003])}}},
		{name: "single-big-file", path: "/big.bin", headers: "Range: bytes=102000-", status: 206,
			crange: fmt.Sprintf("bytes 102000-%d/%d", len(big)-1, len(big)), body: string(big[102000:])},
		{name: "unsatisfiable", path: "/digits.txt", headers: "Range: bytes=30-40", status: 416, crange: "bytes */20"},
		{name: "unsatisfiable-suffix-zero", path: "/digits.txt", headers: "Range: bytes=-0", status: 416, crange: "bytes */20"},
		{name: "bad-syntax-ignored", path: "/digits.txt", headers: "Range: bytes=abc", status: 200, body: digits},
		{name: "unknown-unit-ignored", path: "/digits.txt", headers: "Range: lines=1-2", status: 200, body: digits},
		{name: "reversed-ignored", path: "/digits.txt", headers: "Range: bytes=5-1", status: 200, body: digits},
		{name: "if-range-etag-match", path: "/digits.txt", headers: "Range: bytes=0-1\r\nIf-Range: " + etag, status: 206, crange: "bytes 0-1/20", body: "01"},
		{name: "if-range-etag-miss", path: "/digits.txt", headers: "Range: bytes=0-1\r\nIf-Range: \"old\"", status: 200, body: digits},
		{name: "if-range-weak-etag", path: "/digits.txt", headers: "Range: bytes=0-1\r\nIf-Range: W/" + etag, status: 200, body: digits},
		{name: "if-range-date-match", path: "/digits.txt", headers: "Range: bytes=0-1\r\nIf-Range: " + lm, status: 206, crange: "bytes 0-1/20", body: "01"},
		{name: "if-range-date-miss", path: "/digits.txt", headers: "Range: bytes=0-1\r\nIf-Range: Thu, 29 Feb 2024 12:00:00 GMT", status: 200, body: digits},
		{name: "precondition-before-range", path: "/digits.txt", headers: "Range: bytes=0-1\r\nIf-None-Match: " + etag, status: 304},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			resp, body := s.get(t, "GET "+tc.path+" HTTP/1.1\r\nHost: localhost\r\n"+tc.headers+"\r\n\r\n", "GET")
			if resp.StatusCode != tc.status {
				t.Fatalf("got %d, want %d", resp.StatusCode, tc.status)
			}
			if got := resp.Header.Get("Content-Range"); got != tc.crange {
				t.Errorf("got Content-Range %q, want %q", got, tc.crange)
			}
			if tc.parts == nil {
				if tc.body != "" && body != tc.body {
					t.Errorf("got body %q, want %q", body, tc.body)
				}
				return
			}
			mt, params, err := mime.ParseMediaType(resp.Header.Get("Content-Type"))
			if err != nil || mt != "multipart/byteranges" {
				t.Fatalf("got Content-Type %q, want multipart/byteranges", resp.Header.Get("Content-Type"))
			}
			if resp.ContentLength != int64(len(body)) {
				t.Errorf("got Content-Length %d, body %d bytes", resp.ContentLength, len(body))
			}
			mr := multipart.NewReader(strings.NewReader(body), params["boundary"])
			for i, want := range tc.parts {
				p, err := mr.NextPart()
				if err != nil {
					t.Fatalf("part %d: %v", i, err)
				}
				got, _ := io.ReadAll(p)
				if p.Header.Get("Content-Range") != want.crange || string(got) != want.body {
					t.Errorf("part %d: got %q %q, want %q %q", i, p.Header.Get("Content-Range"), got, want.crange, want.body)
				}
			}
			if _, err := mr.NextPart(); err != io.EOF {
				t.Errorf("after the parts: got %v, want EOF", err)
			}
		})
	}
	t.Run("head", func(t *testing.T) {
		c := s.open(t)
		get, getBody := c.roundTrip("GET /digits.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
		head, headBody := c.roundTrip("HEAD /digits.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", "HEAD")
		if head.StatusCode != 200 || headBody != "" || getBody != digits {
			t.Fatalf("got HEAD %d %q GET body %q, want 200, no body, %q", head.StatusCode, headBody, getBody, digits)
		}
		for _, k := range []string{"Content-Length", "Content-Type", "ETag", "Last-Modified", "Accept-Ranges"} {
			if head.Header.Get(k) != get.Header.Get(k) {
				t.Errorf("%s: HEAD %q, GET %q", k, head.Header.Get(k), get.Header.Get(k))
			}
		}
		// HEAD of a large file sends no body either; the next answer on
		// the connection starts cleanly.
		head, headBody = c.roundTrip("HEAD /big.bin HTTP/1.1\r\nHost: localhost\r\nRange: bytes=0-1\r\n\r\n", "HEAD")
		if head.StatusCode != 200 || head.ContentLength != int64(len(big)) || headBody != "" {
			t.Errorf("got HEAD %d length %d body %q, want 200 %d none", head.StatusCode, head.ContentLength, headBody, len(big))
		}
		resp, body := c.roundTrip("GET /a.txt HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
		if resp.StatusCode != 200 || body != "alpha\n" {
			t.Errorf("next request: got %d %q, want 200 %q", resp.StatusCode, body, "alpha\n")
		}
	})
	t.Run("net-http-range", func(t *testing.T) {
		req, _ := http.NewRequest("GET", s.url("/big.bin"), nil)
		req.Header.Set("Range", "bytes=1000-1999")
		resp, err := newClient().Do(req)
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 206 || string(got) != string(big[1000:2000]) {
			t.Errorf("got %d and %d bytes, want 206 and bytes 1000-1999", resp.StatusCode, len(got))
		}
	})
	t.Run("curl-range", func(t *testing.T) {
		if got := curl(t, "-r", "2-5", s.url("/digits.txt")); got != "2345" {
			t.Errorf("got %q, want %q", got, "2345")
		}
	})
	t.Run("whole-big-file", func(t *testing.T) {
		resp, err := newClient().Get(s.url("/big.bin"))
		if err != nil {
			t.Fatal(err)
		}
		got, _ := io.ReadAll(resp.Body)
		resp.Body.Close()
		if resp.StatusCode != 200 || string(got) != string(big) {
			t.Errorf("got %d and %d bytes, want 200 and the %d bytes of the file", resp.StatusCode, len(got), len(big))
		}
	})
}

// TestStaticChangeSeenAtOnce caches a file, rewrites it (same size, same
// modification time: only the change events tell the versions apart) and
// asks for it right after, on a new connection, whose request's arrival
// time comes from the kernel's receive timestamp, then on a kept-alive
// one, stamped by the event goroutine's edge: each answer is the version
// written before the request was sent, never a stale one from the
// open-file cache. A file changed within the last 2 s (its ctime) is not
// cached, so the test waits that out before each round.
func TestStaticChangeSeenAtOnce(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", map[string]string{"v.txt": "version 0\n"})
	path := s.root.Path("htdocs/v.txt")
	write := func(body string) {
		if err := os.WriteFile(path, []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
		if err := os.Chtimes(path, fixedTime, fixedTime); err != nil {
			t.Fatal(err)
		}
	}
	write("version 0\n")
	kept := s.open(t)
	get := func(c *rawConn, want, what string) {
		t.Helper()
		resp, body := c.roundTrip("GET /v.txt HTTP/1.1\r\nHost: x\r\n\r\n", "GET")
		if resp.StatusCode != 200 || body != want {
			t.Fatalf("%s: %d %q; want 200 %q", what, resp.StatusCode, body, want)
		}
	}
	for i, onNew := range []bool{true, false} {
		cur, next := fmt.Sprintf("version %d\n", i), fmt.Sprintf("version %d\n", i+1)
		time.Sleep(2100 * time.Millisecond) // past the racy window: cacheable
		get(kept, cur, "caching the file")
		get(kept, cur, "the cached file")
		write(next)
		c := kept
		if onNew {
			c = s.open(t)
		}
		get(c, next, fmt.Sprintf("right after the change (new connection %v)", onNew))
	}
}

// TestForbiddenReasonsLogged checks the error log lines that tell an admin
// why a request got 403, as Apache writes them: AH01276 for a directory with
// no index file that may not be listed, AH00037 for a symlink its
// directory's Options do not allow.
func TestForbiddenReasonsLogged(t *testing.T) {
	t.Parallel()
	s := startStaticServer(t)
	for _, target := range []string{"/empty/", "/nofollow/in.txt"} {
		if resp, _ := s.get(t, "GET "+target+" HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET"); resp.StatusCode != 403 {
			t.Fatalf("GET %s: got %d, want 403", target, resp.StatusCode)
		}
	}
	for _, re := range []*regexp.Regexp{
		regexp.MustCompile(`\[autoindex:error\] \[pid \d+:tid \d+\] \[client 127\.0\.0\.1:\d+\] AH01276: Cannot serve directory \S*/htdocs/empty/: ` +
			`No matching DirectoryIndex \(index\.html\) found, and server-generated directory index forbidden by Options directive\n`),
		regexp.MustCompile(`\[core:error\] \[pid \d+:tid \d+\] \[client 127\.0\.0\.1:\d+\] AH00037: Symbolic link not allowed or link target not accessible: \S*/htdocs/nofollow/in\.txt\n`),
	} {
		itest.Eventually(t, ioWait, re.String(), func() bool {
			return re.MatchString(s.proc.Stderr.String() + s.logFile("error_log"))
		})
	}
}
