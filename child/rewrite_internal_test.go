package child

import (
	"strings"
	"testing"
)

// fuzzExprConf exercises the request-driven paths of ap_expr and
// mod_rewrite: per-server and per-directory rules (with groups, QSA, a
// redirect, internal redirects that may loop), <If> sections, Header's
// expr= and SetEnvIfExpr, and RequestHeader operations that make the
// conditional and range fields, all fed by the request's path, query and
// a header.
const fuzzExprConf = `Listen 127.0.0.1:80
DocumentRoot htdocs
RewriteEngine On
RewriteCond %{HTTP:X-A} ^(\w+)-(\d+)$
RewriteRule ^/g/(.*)$ /%1/$1?n=%2 [QSA,L]
RewriteCond %{QUERY_STRING} (^|&)r=([^&]*)
RewriteRule ^/redir$ /%2 [R=302,L]
RewriteRule ^/pt/(.*)$ /d/$1 [PT]
RewriteMap lc int:tolower
RewriteMap esc int:escape
RewriteRule ^/m/(.*)$ /${lc:${esc:$1}|%{HTTP:X-A}}/${nomap:x|${lc:Y}} [L]
<Directory htdocs/d>
    RewriteEngine On
    RewriteBase /d/
    RewriteCond %{REQUEST_FILENAME} !-f
    RewriteRule ^(.*)$ x/$1 [L]
</Directory>
<If "%{QUERY_STRING} =~ /(\w+)=(\w*)/ && $1 -strmatch 'a*'">
    Header set X-Q "expr=%{tolower:$2}"
</If>
<ElseIf "req('X-A') -in {'1', '2'} || %{REQUEST_URI} -fnmatch '/d/*/*'">
    Header set X-In 1
</ElseIf>
SetEnvIfExpr "%{REQUEST_URI} =~ m#^/(\w+)#" FIRST=$1
Header set X-First "%{FIRST}e"
RequestHeader append X-A "%{FIRST}e" early
RequestHeader edit* X-A "(\d)" "<$1>"
RequestHeader set If-None-Match "expr=%{req:X-A}" "expr=%{req:X-A} =~ /^\W/"
RequestHeader merge Range "expr=bytes=%{req:X-A}"
`

// FuzzRewriteRequest serves arbitrary request targets and a header value
// through fuzzExprConf: every request gets an HTTP response, whatever
// the rules make of it (a loop ends in a 500).
func FuzzRewriteRequest(f *testing.F) {
	for _, s := range [][2]string{{"/g/x", "ab-12"}, {"/redir?r=a/b", ""}, {"/pt/q", "1"}, {"/d/a/b/c", ""},
		{"/d/", ""}, {"/x?aa=BB", ""}, {"/%2e%2e/d/..%2f", "z-0"}, {"/d/x/y?r=", "2"}, {"/m/A%20B", "q"}, {"/m/", "${"}} {
		f.Add(s[0], s[1])
	}
	tc := newTestChild(f, fuzzExprConf, map[string]string{"index.html": "i\n"})
	f.Fuzz(func(t *testing.T, target, header string) {
		if strings.ContainsAny(target+header, "\r\n") {
			return
		}
		c, peer := tc.connect(t)
		out := tc.serveOnce(t, c, peer, "GET "+target+" HTTP/1.1\r\nHost: x\r\nConnection: close\r\nX-A: "+header+"\r\n\r\n")
		if !strings.HasPrefix(out, "HTTP/1.1 ") {
			t.Fatalf("GET %q with X-A %q: no response: %q", target, header, out)
		}
		peer.Close() // the loop sees the hang-up and closes its end
		for i := 0; i < 3 && tc.l.nconns > 0; i++ {
			tc.iterate(t)
		}
	})
}
