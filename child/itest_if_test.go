package child_test

import (
	"slices"
	"strings"
	"testing"
)

const ifConf = `SetEnvIfExpr "%{REQUEST_URI} =~ m#^/api/(\w+)#" API=$1
Header set X-Api "%{API}e"
LogFormat "%U %>s dbg=%{DBG}e" iffmt
CustomLog logs/if_log iffmt
CustomLog logs/err_log "%U %>s" "expr=%{REQUEST_STATUS} -ge 400 && !(%{REQUEST_URI} =~ m#^/gate#)"
CustomLog logs/html_log "%U" "expr=%{CONTENT_TYPE} == 'text/html'"
<If "%{HTTP_HOST} =~ /^www\./">
    Redirect permanent "http://%{tolower:%{HTTP_HOST}}%{REQUEST_URI}"
</If>
<ElseIf "%{REQUEST_URI} =~ m#^/api/#">
    Header set Cache-Control "no-store"
</ElseIf>
<ElseIf "%{QUERY_STRING} =~ /debug/">
    Header set X-Debug on
    SetEnv DBG yes
    <If "%{QUERY_STRING} =~ /verbose/">
        Header set X-Debug verbose
    </If>
</ElseIf>
<Else>
    Header set X-Else 1
</Else>
<If "%{HTTP_USER_AGENT} =~ /bot/i">
    Require all denied
</If>
<If "req('X-Token') == 'secret'">
    Header set X-Token-Ok yes
</If>
<If "req_novary('X-Count') -gt 5">
    Header set X-Many yes
</If>
Header always set X-Frame-Options DENY "expr=%{CONTENT_TYPE} =~ m#^text/html#"
Header set X-Seen "expr=%{REQUEST_STATUS} %{tolower:%{REQUEST_METHOD}} %{resp:Content-Length}"
Header set X-Lang fr "expr=req('Accept-Language') =~ /^fr/"
<Location /gate>
    Require expr "%{QUERY_STRING} =~ /key=abc/"
</Location>
<Location /local>
    <RequireAll>
        Require all granted
        Require not expr "-R '127.0.0.0/8'"
    </RequireAll>
</Location>
<Location /loc>
    Redirect 303 "http://%{HTTP_HOST}/moved%{REQUEST_URI}"
</Location>
<Directory htdocs/priv>
    <If "%{QUERY_STRING} == 'open'">
        Require all granted
    </If>
    <Else>
        Require all denied
    </Else>
</Directory>
`

// TestIfSections: <If>, <ElseIf> and <Else> decide per request which
// Header, Require, Redirect and SetEnv apply, as Apache 2.4.71 answered the
// same configuration: an <ElseIf> only when nothing before it in its chain
// held; an <If> inside one only when it holds; a <Directory>'s conditional sections only below it; a redirect
// whose target is an expression; Vary naming the request fields the
// expressions read (not Host, not req_novary), on successful responses
// only, those of Header's expressions after the handler's; integers read
// as apr_atoi64 reads them ("many" is 0, "7x" is 7). Header's expr=
// conditions and values see the response: its type, status and head.
// Require expr grants by an expression; SetEnvIfExpr sets variables from
// one, with its regex groups; CustomLog's expr= picks the requests it logs
// by the response.
func TestIfSections(t *testing.T) {
	s := startServer(t, ifConf, map[string]string{"a.txt": "a\n", "a.html": "<p>", "gate/a.txt": "g", "local/a.txt": "l", "api/x.txt": "x\n", "priv/p.txt": "p\n"})
	c := s.open(t)
	defer c.Close()
	for _, tt := range []struct {
		name, target, headers string
		status                int
		want                  map[string]string
	}{
		{"else", "/a.txt", "", 200, map[string]string{"X-Else": "1", "Cache-Control": "", "X-Debug": "",
			"Vary": "User-Agent,X-Token,Accept-Language", "X-Frame-Options": "", "X-Seen": "200 get 2"}},
		{"header expressions", "/a.html", "Accept-Language: fr-CH\r\n", 200,
			map[string]string{"X-Frame-Options": "DENY", "X-Lang": "fr", "X-Seen": "200 get 3"}},
		{"header expression on an error", "/none.html", "", 404, map[string]string{"X-Frame-Options": "DENY", "X-Seen": "", "Vary": ""}},
		{"elseif on the path", "/api/x.txt?debug", "", 200, map[string]string{"Cache-Control": "no-store", "X-Debug": "", "X-Else": "", "X-Api": "x"}},
		{"second elseif", "/a.txt?debug=1", "", 200, map[string]string{"X-Debug": "on", "X-Else": ""}},
		{"nested if", "/a.txt?debug=verbose", "", 200, map[string]string{"X-Debug": "verbose"}},
		{"redirect expression", "/a.txt?q=1", "Host: www.Example.com\r\n", 301,
			map[string]string{"Location": "http://www.example.com/a.txt?q=1", "Vary": "", "X-Else": ""}},
		{"require in if", "/a.txt", "User-Agent: GoogleBot/2\r\n", 403, map[string]string{"Vary": ""}},
		{"request header", "/a.txt", "X-Token: secret\r\n", 200, map[string]string{"X-Token-Ok": "yes"}},
		{"integer compare", "/a.txt", "X-Count: 7x\r\n", 200, map[string]string{"X-Many": "yes"}},
		{"not a number", "/a.txt", "X-Count: many\r\n", 200, map[string]string{"X-Many": ""}},
		{"location redirect expression", "/loc/z?k=v", "", 303, map[string]string{"Location": "http://localhost/moved/loc/z?k=v"}},
		{"require expr, refused", "/gate/a.txt", "", 403, nil},
		{"require expr, granted", "/gate/a.txt?key=abc", "", 200, nil},
		{"require not expr", "/local/a.txt", "", 403, nil},
		{"directory, closed", "/priv/p.txt", "", 403, nil},
		{"directory, open", "/priv/p.txt?open", "", 200, nil},
	} {
		host := "Host: localhost\r\n"
		if strings.HasPrefix(tt.headers, "Host:") {
			host = ""
		}
		resp, _ := c.roundTrip("GET "+tt.target+" HTTP/1.1\r\n"+host+tt.headers+"\r\n", "GET")
		if resp.StatusCode != tt.status {
			t.Errorf("%s: status %d, want %d", tt.name, resp.StatusCode, tt.status)
		}
		for k, v := range tt.want {
			if got := resp.Header.Get(k); got != v {
				t.Errorf("%s: %s %q, want %q", tt.name, k, got, v)
			}
		}
	}
	s.stop(t)
	expectContains(t, "if_log", s.logFile("if_log"), "/a.txt 200 dbg=yes", "/a.txt 200 dbg=-")
	// Lines of one connection may reach the log out of order (each
	// worker buffers its own): compare them sorted.
	errLines := strings.Split(strings.TrimSpace(s.logFile("err_log")), "\n")
	slices.Sort(errLines)
	if got, want := strings.Join(errLines, "|"), "/a.txt 403|/local/a.txt 403|/none.html 404|/priv/p.txt 403"; got != want {
		t.Errorf("err_log (expr= on the status and the path): %s, want %s", got, want)
	}
	if got := s.logFile("html_log"); got != "/a.html\n" { // error pages are "text/html; charset=iso-8859-1"
		t.Errorf("html_log (expr= on the response's type):\n%s", got)
	}
}
