package child_test

import (
	"slices"
	"strings"
	"testing"
	"time"
)

const rewriteConf = `RewriteEngine On
RewriteCond %{HTTP_HOST} ^www\.(.+)$ [NC]
RewriteRule ^/(.*)$ http://%1/$1 [R=301,L]
RewriteRule ^/old/(.*)$ /docs/$1 [R,L]
RewriteRule ^/gone - [G]
RewriteCond %{HTTP:X-Mobile} =1
RewriteRule ^/hdr$ /a.txt [L]
RewriteCond %{HTTP_USER_AGENT} bot [NC,OR]
RewriteCond %{HTTP:X-Bot} =1
RewriteRule ^/private - [F]
RewriteCond %{QUERY_STRING} (^|&)id=([0-9]+)
RewriteRule ^/item$ /docs/page.html?item=%2 [L]
RewriteRule ^/qsa$ /a.txt?x=1 [QSA,L]
RewriteRule ^/qsd$ /a.txt [QSD,R=302,L]
RewriteRule ^/esc/(.*)$ /a.txt?q=$1 [B,R,L]
RewriteCond %{DOCUMENT_ROOT}%{REQUEST_URI} !-f
RewriteRule ^/app/ /app/index.html [L,E=SPA:yes-$0]
RewriteRule ^/skip$ - [S=1]
RewriteRule ^/skip$ /missing.html [L]
RewriteRule ^/skip$ /a.txt [L]
RewriteRule ^/toloc$ /loc/a.txt [L]
RewriteRule ^/toloc-pt$ /loc/a.txt [PT,L]
RewriteRule ^/outside$ /usr/share [L]
RewriteMap lc int:tolower
RewriteMap moved txt:htdocs/moved.map
RewriteRule ^/LOWER/(.*)$ /${lc:$1} [L]
RewriteCond ${moved:$1} !=""
RewriteRule ^/go/(.*)$ ${moved:$1} [R=301,L]
RewriteRule ^/dflt/(.*)$ ${moved:$1|/fallback.html} [R,L]
RewriteRule ^/outside-granted$ /etc/eventmpm-test-none [L]
RewriteCond %{HTTP_ACCEPT} image/webp
RewriteCond %{DOCUMENT_ROOT}%{REQUEST_URI}.webp -f
RewriteRule ^(.+)\.png$ $1.png.webp [T=image/webp,L]
RewriteRule \.dat$ - [T=Text/X-%{REQUEST_METHOD}]
RewriteRule ^/dash/(.*)-(.*)$ /dash/$1_$2 [N]
RewriteRule ^/dash/a_b_c$ /a.txt [L]
RewriteRule ^/loop/(.*)$ /loop/x$1 [N=5]
RewriteRule ^/setlang/(..)$ /a.txt [CO=lang:$1:.example.org:1440:/:secure:HttpOnly:Lax,L]
RewriteRule ^/co-forbid$ - [CO=;x;1:2;localhost;0;/p,F]
RewriteRule ^/co-two$ /a.txt [CO=a:1:localhost,CO=a:2:localhost,CO=b:3:localhost,L]
<Directory htdocs/img>
    RewriteEngine On
    RewriteRule ^b\.png$ - [T=image/x-perdir]
</Directory>
<Directory /etc>
    Require all granted
</Directory>
<Location /loc>
    Require all denied
</Location>
Header set X-Spa "%{SPA}e"
LogFormat "%U %q %>s" rwfmt
CustomLog logs/rw_log rwfmt
<VirtualHost *:*>
    ServerName localhost
    RewriteEngine On
    RewriteOptions Inherit
</VirtualHost>
<VirtualHost *:*>
    ServerName own.example
    RewriteEngine On
    RewriteRule ^/own$ /a.txt [L]
</VirtualHost>
<VirtualHost *:*>
    ServerName inherit.example
    RewriteEngine On
    RewriteOptions Inherit
</VirtualHost>
`

// TestRewrite: mod_rewrite's per-server rules, as Apache 2.4.71 answered
// the same configuration: conditions with %N and [OR], header tests
// naming Vary, redirects with R and QSD, G and F, the query replaced or
// appended (QSA), a file test for an SPA's fallback with E=, S=1, a rewrite
// without PT keeping <Location> to the client's path and one with PT not,
// a file-system path outside DocumentRoot refused, RewriteMap's int: and
// txt: maps (the first line of a key winning, a default for a missing
// one), and virtual hosts that have only their own rules unless
// RewriteOptions Inherit; T= forcing the Content-Type (the WebP pattern,
// an expanded and lowercased type, a per-directory rule), but not a
// multipart answer's; CO= setting cookies; N starting the rules again,
// up to its bound.
func TestRewrite(t *testing.T) {
	s := startServer(t, rewriteConf, map[string]string{"a.txt": "a\n", "docs/page.html": "doc\n",
		"app/index.html": "app\n", "app/real.txt": "real\n", "loc/a.txt": "loc\n",
		"moved.map": "# moved pages\nold-page /a.txt\nlegacy /docs/page.html # renamed\nold-page /second\n",
		"img/a.png": "png bytes\n", "img/a.png.webp": "webp bytes, longer\n", "img/b.png": "b png\n", "img/x.dat": "data\n"})
	c := s.open(t)
	defer c.Close()
	for _, tt := range []struct {
		name, target, headers string
		status                int
		body                  string
		want                  map[string]string
	}{
		{"canonical host", "/x?y=1", "Host: www.Example.org\r\n", 301, "", map[string]string{"Location": "http://Example.org/x?y=1"}},
		{"redirect", "/old/a/b", "", 302, "", map[string]string{"Location": "http://localhost/docs/a/b"}},
		{"gone", "/gone", "", 410, "", nil},
		{"forbidden by agent", "/private", "User-Agent: GoodBot\r\n", 403, "", nil},
		{"forbidden by header", "/private", "X-Bot: 1\r\n", 403, "", nil},
		{"conditions fail: no Vary", "/private", "", 404, "", map[string]string{"Vary": ""}},
		{"header condition on a 200", "/hdr", "X-Mobile: 1\r\n", 200, "a\n", map[string]string{"Vary": "X-Mobile"}},
		{"query group", "/item?a=b&id=42", "", 200, "doc\n", nil},
		{"qsa", "/qsa?y=2", "", 200, "a\n", nil},
		{"qsd", "/qsd?z=1", "", 302, "", map[string]string{"Location": "http://localhost/a.txt"}},
		{"B escapes back-references", "/esc/a%20b%26c", "", 302, "", map[string]string{"Location": "http://localhost/a.txt?q=a+b%2526c"}},
		{"spa fallback", "/app/deep/link", "", 200, "app\n", map[string]string{"X-Spa": "yes-/app/"}},
		{"spa real file", "/app/real.txt", "", 200, "real\n", map[string]string{"X-Spa": "(null)"}},
		{"skip", "/skip", "", 200, "a\n", nil},
		{"without PT: Location by the client's path", "/toloc", "", 200, "loc\n", nil},
		{"with PT: Location by the new path", "/toloc-pt", "", 403, "", nil},
		{"outside DocumentRoot, denied by <Directory />", "/outside", "", 403, "", nil},
		{"outside DocumentRoot, granted: not served", "/outside-granted", "", 404, "", nil},
		{"int: map", "/LOWER/A.TXT", "", 200, "a\n", nil},
		{"txt: map", "/go/old-page", "", 301, "", map[string]string{"Location": "http://localhost/a.txt"}},
		{"txt: map, second key", "/go/legacy", "", 301, "", map[string]string{"Location": "http://localhost/docs/page.html"}},
		{"txt: map, key not found", "/go/unknown", "", 404, "", nil},
		{"txt: map default", "/dflt/zzz", "", 302, "", map[string]string{"Location": "http://localhost/fallback.html"}},
		{"own rules only", "/own", "Host: own.example\r\n", 200, "a\n", nil},
		{"main rules not inherited", "/gone", "Host: own.example\r\n", 404, "", nil},
		{"inherited", "/gone", "Host: inherit.example\r\n", 410, "", nil},
		{"N: a new round per dash", "/dash/a-b-c", "", 200, "a\n", nil},
		{"T: webp for a client that takes it", "/img/a.png", "Accept: image/webp,*/*\r\n", 200, "webp bytes, longer\n",
			map[string]string{"Content-Type": "image/webp", "Vary": "Accept"}},
		{"T: png otherwise", "/img/a.png", "", 200, "png bytes\n", map[string]string{"Content-Type": "image/png"}},
		{"T: expanded and lowercased", "/img/x.dat", "", 200, "data\n", map[string]string{"Content-Type": "text/x-get"}},
		{"T: per directory", "/img/b.png", "", 200, "b png\n", map[string]string{"Content-Type": "image/x-perdir"}},
		{"T: a range", "/img/a.png", "Accept: image/webp\r\nRange: bytes=0-3\r\n", 206, "webp", map[string]string{"Content-Type": "image/webp"}},
		{"T: not a multipart answer", "/img/a.png", "Accept: image/webp\r\nRange: bytes=0-1,4-5\r\n", 206, "",
			map[string]string{"Content-Type": "multipart/byteranges; boundary=*"}},
	} {
		host := "Host: localhost\r\n"
		if strings.HasPrefix(tt.headers, "Host:") {
			host = ""
		}
		resp, body := c.roundTrip("GET "+tt.target+" HTTP/1.1\r\n"+host+tt.headers+"\r\n", "GET")
		if resp.StatusCode != tt.status || tt.body != "" && body != tt.body {
			t.Errorf("%s: %d %q, want %d %q", tt.name, resp.StatusCode, body, tt.status, tt.body)
		}
		for k, v := range tt.want {
			if got := resp.Header.Get(k); got != v && !(strings.HasSuffix(v, "*") && strings.HasPrefix(got, strings.TrimSuffix(v, "*"))) {
				t.Errorf("%s: %s %q, want %q", tt.name, k, got, v)
			}
		}
	}
	// CO: the cookie as mod_rewrite's add_cookie writes it, on an error
	// too, a name set once per request.
	for _, tt := range []struct {
		target string
		status int
		want   []string // the Set-Cookie values; a trailing * matches a prefix
	}{
		{"/setlang/fr", 200, []string{"lang=fr; path=/; domain=.example.org; expires=*"}},
		{"/co-forbid", 403, []string{"x=1:2; path=/p; domain=localhost"}},
		{"/co-two", 200, []string{"a=1; path=/; domain=localhost", "b=3; path=/; domain=localhost"}},
	} {
		resp, _ := c.roundTrip("GET "+tt.target+" HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
		got := resp.Header.Values("Set-Cookie")
		ok := resp.StatusCode == tt.status && len(got) == len(tt.want)
		for i := 0; ok && i < len(got); i++ {
			ok = got[i] == tt.want[i] || strings.HasSuffix(tt.want[i], "*") && strings.HasPrefix(got[i], strings.TrimSuffix(tt.want[i], "*"))
		}
		if !ok {
			t.Errorf("CO %s: %d %q, want %d %q", tt.target, resp.StatusCode, got, tt.status, tt.want)
		}
		if tt.target == "/setlang/fr" && len(got) == 1 {
			exp, err := time.Parse("Mon, 02-Jan-2006 15:04:05 GMT; secure; HttpOnly; SameSite=Lax", got[0][strings.Index(got[0], "expires=")+8:])
			if d := time.Until(exp); err != nil || d < 23*time.Hour || d > 25*time.Hour {
				t.Errorf("CO lifetime 1440 minutes: %q (%v), want a day from now and the attributes", got[0], err)
			}
		}
	}
	if resp, _ := s.get(t, "GET /loop/y HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET"); resp.StatusCode != 500 {
		t.Errorf("N=5 rounds exceeded: %d, want 500", resp.StatusCode) // on its own connection: a 500 closes it
	}
	s.stop(t)
	// %U is the client's path, %q the query as rewritten (none after QSD).
	lines := strings.Split(strings.TrimSpace(s.logFile("rw_log")), "\n")
	for _, want := range []string{"/item ?item=42 200", "/qsa ?x=1&y=2 200", "/qsd  302", "/app/deep/link  200", "/toloc  200"} {
		if !slices.Contains(lines, want) {
			t.Errorf("rw_log lacks %q:\n%s", want, strings.Join(lines, "\n"))
		}
	}
	expectContains(t, "error_log", s.logFile("error_log"), "AH01630: client denied by server configuration: /usr/share",
		"AH02596: RewriteRule '^/loop/(.*)$' and URI '/loop/y' exceeded maximum number of rounds (5) via the [N] flag",
		"eventmpm serves files below DocumentRoot and the Alias targets only, not /etc/eventmpm-test-none")
}

const rewriteDirConf = `LogLevel info rewrite:trace3
<Directory htdocs/app>
    RewriteEngine On
    RewriteRule ^index\.html$ - [L]
    RewriteCond %{REQUEST_FILENAME} !-f
    RewriteCond %{REQUEST_FILENAME} !-d
    RewriteRule . /app/index.html [L]
</Directory>
<Directory htdocs/b>
    RewriteEngine On
    RewriteBase /b/
    RewriteRule ^old/(.*)$ new/$1 [R=301,L]
    RewriteRule ^rel$ index.html [L]
    RewriteRule ^loop$ loop2 [L]
    RewriteRule ^loop2$ loop [L]
    RewriteRule ^end$ /b/index.html [END]
</Directory>
<Directory htdocs/b/sub>
    RewriteRule ^z$ /b/index.html [L]
</Directory>
LogFormat "%U %>s" pdfmt
CustomLog logs/pd_log pdfmt
`

// TestRewriteDirectory: per-directory rules in <Directory> sections, as
// Apache 2.4.71 answered them: an SPA's fallback (the files and
// directories that exist served as they are), RewriteBase for a relative
// substitution and a redirect, an internal redirect served with the new
// path's sections while %U logs the client's, a deeper section's rules
// replacing the enclosing one's (its RewriteEngine still applying), and a
// loop stopped after 10 internal redirects with a 500 and AH00124, and
// LogLevel rewrite:traceN's lines.
func TestRewriteDirectory(t *testing.T) {
	s := startServer(t, rewriteDirConf, map[string]string{"app/index.html": "app\n", "app/static/x.css": "css\n",
		"b/index.html": "b\n", "b/sub/s.txt": "s\n"})
	c := s.open(t)
	defer c.Close()
	for _, tt := range []struct {
		target string
		status int
		body   string
		loc    string
	}{
		{"/app/", 200, "app\n", ""},
		{"/app/deep/route", 200, "app\n", ""},
		{"/app/static/x.css", 200, "css\n", ""},
		{"/app/static/missing.css", 200, "app\n", ""},
		{"/b/rel", 200, "b\n", ""},
		{"/b/old/x?k=1", 301, "", "http://localhost/b/new/x?k=1"},
		{"/b/end", 200, "b\n", ""},
		{"/b/sub/z", 200, "b\n", ""},
		{"/b/sub/rel", 404, "", ""}, // the deeper section's rules replace /b's
		{"/b/loop", 500, "", ""},
	} {
		resp, body := c.roundTrip("GET "+tt.target+" HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
		if resp.StatusCode != tt.status || tt.body != "" && body != tt.body || resp.Header.Get("Location") != tt.loc {
			t.Errorf("%s: %d %q Location %q, want %d %q %q", tt.target, resp.StatusCode, body, resp.Header.Get("Location"),
				tt.status, tt.body, tt.loc)
		}
	}
	s.stop(t)
	lines := strings.Split(strings.TrimSpace(s.logFile("pd_log")), "\n")
	for _, want := range []string{"/app/deep/route 200", "/b/rel 200", "/b/loop 500"} {
		if !slices.Contains(lines, want) {
			t.Errorf("pd_log lacks %q (the client's path):\n%s", want, strings.Join(lines, "\n"))
		}
	}
	// LogLevel rewrite:trace3 shows the steps, in mod_rewrite's words.
	dir := s.root.Path("htdocs", "b") + "/"
	expectContains(t, "error_log", s.logFile("error_log"), "AH00124: Request exceeded the limit of 10 internal redirects",
		"[rewrite:trace3]", "[perdir "+dir+"] strip per-dir prefix: "+dir+"rel -> rel",
		"[perdir "+dir+"] applying pattern '^rel$' to uri 'rel'",
		"[rewrite:trace2]", "[perdir "+dir+"] rewrite 'rel' -> 'index.html'",
		"[rewrite:trace1]", "[localhost][initial] [perdir "+dir+"] internal redirect with /b/index.html [INTERNAL REDIRECT]",
		"[localhost][initial/redir#1] [perdir "+dir+"] pass through "+dir+"index.html")
}
