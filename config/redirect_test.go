package config

import (
	"errors"
	"reflect"
	"strings"
	"testing"
)

// TestRedirectDirectives: the forms of Redirect, RedirectTemp,
// RedirectPermanent and RedirectMatch, and a virtual host's list: its own
// first, then the main server's, as mod_alias merges them.
func TestRedirectDirectives(t *testing.T) {
	cfg, err := loadFile(t, `Listen 80
Redirect /a http://x.example/a
Redirect permanent /b /b2
Redirect Temp /c http://x.example/c
Redirect seeother /d /d2
Redirect gone /e
Redirect 410 /e2
Redirect 307 /f https://x.example/f
RedirectTemp /g mailto:admin@x.example
RedirectPermanent /h /h2
RedirectMatch ^/i/(.*)\.gif$ /i/$1.png
RedirectMatch 308 ^/j(.*) j$1
Redirect 404 /k
<VirtualHost *:80>
    ServerName v.example
    Redirect /a http://v.example/own
</VirtualHost>
`)
	if err != nil {
		t.Fatal(err)
	}
	at := func(line int) Pos { return Pos{File: cfg.File, Line: line} }
	want := []Redirect{
		{Path: "/a", Status: 302, URL: "http://x.example/a", Pos: at(2)},
		{Path: "/b", Status: 301, URL: "/b2", Pos: at(3)},
		{Path: "/c", Status: 302, URL: "http://x.example/c", Pos: at(4)},
		{Path: "/d", Status: 303, URL: "/d2", Pos: at(5)},
		{Path: "/e", Status: 410, Pos: at(6)},
		{Path: "/e2", Status: 410, Pos: at(7)},
		{Path: "/f", Status: 307, URL: "https://x.example/f", Pos: at(8)},
		{Path: "/g", Status: 302, URL: "mailto:admin@x.example", Pos: at(9)},
		{Path: "/h", Status: 301, URL: "/h2", Pos: at(10)},
		{Regex: `^/i/(.*)\.gif$`, Status: 302, URL: "/i/$1.png", Pos: at(11)},
		{Regex: `^/j(.*)`, Status: 308, URL: "j$1", Pos: at(12)},
		{Path: "/k", Status: 404, Pos: at(13)},
	}
	if !reflect.DeepEqual(cfg.Server.Redirects, want) {
		t.Errorf("main server's redirects:\ngot  %+v\nwant %+v", cfg.Server.Redirects, want)
	}
	vh := cfg.VirtualHosts[0].Server.Redirects
	if len(vh) != len(want)+1 || vh[0].URL != "http://v.example/own" || !reflect.DeepEqual(vh[1:], want) {
		t.Errorf("virtual host's redirects: got %+v, want its own, then the main server's", vh)
	}
}

// TestRedirectErrors: what mod_alias refuses, with its messages, and what
// eventmpm refuses besides, each at its line.
func TestRedirectErrors(t *testing.T) {
	expectLoadErrors(t, []loadErrorCase{
		{"Redirect /a", "URL to redirect to is missing"},
		{"Redirect permanent /a", "URL to redirect to is missing"},
		{"Redirect foo /a /b", "Redirect: invalid first argument (of three)"},
		{"Redirect 700 /a /b", "Redirect: invalid first argument (of three)"},
		{"Redirect 200 /a", "status 200 is neither a redirect"},
		{"Redirect 304 /a /b", "status 304 is neither a redirect"},
		{"Redirect gone /a /b", "Redirect URL not valid for this status"},
		{"Redirect 403 /a http://x.example/", "Redirect URL not valid for this status"},
		{"Redirect /a b/c", "Redirect to non-URL"},
		{"Redirect a http://x.example/", "the URL-path must begin with '/'"},
		{"RedirectPermanent /a", "RedirectPermanent takes two arguments"},
		{"RedirectMatch (x http://x.example/", "Regular expression could not be compiled"},
		{"RedirectMatch", "RedirectMatch takes two or three arguments"},
		{"Redirect gone", "Redirect gone: the URL-path is missing"},
		{"<Location /x>\nRedirect permanent\n</Location>", "URL to redirect to is missing"},
		{"<Location /x>\nRedirect \"https://%{HTTP_HOST}%{REQUEST_URIX}\"\n</Location>",
			"Cannot parse redirect expression 'https://%{HTTP_HOST}%{REQUEST_URIX}': Variable 'REQUEST_URIX' does not exist"},
		{"<If \"true\">\nRedirect seeother \"http://%{HTTP_HOST\"\n</If>", "Cannot parse redirect expression 'http://%{HTTP_HOST': syntax error"},
		{"<Directory /srv>\nRedirect foo /a /b\n</Directory>", "Redirect: invalid first argument (of three)"},
	})
}

// TestRedirectSections: in a directory section the forms of
// add_redirect_internal: a URL-path or pattern form goes to the section's
// list; a URL alone, a redirecting status with a URL, or a status that does
// not redirect alone, is the short form (the last one of the section
// counts), even for RedirectMatch; "gone /x" is the URL-path form.
func TestRedirectSections(t *testing.T) {
	cfg, err := loadFile(t, `Listen 80
<Location /a>
    Redirect /a/b http://x.example/b
    RedirectMatch ^/a/(c)$ /$1
    Redirect gone /a/d
    Redirect http://x.example/first
    Redirect permanent "http://x.example/a b?q r"
</Location>
<Directory /srv>
    Redirect gone
</Directory>
<Files x>
    RedirectMatch seeother /other
</Files>
`)
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Server.Redirects) != 0 {
		t.Errorf("server redirects %+v, want none", cfg.Server.Redirects)
	}
	at := func(line int) Pos { return Pos{File: cfg.File, Line: line} }
	secs := cfg.Server.Sections
	if len(secs) != 3 {
		t.Fatalf("%d sections, want 3", len(secs))
	}
	wantList := []Redirect{
		{Path: "/a/b", Status: 302, URL: "http://x.example/b", Pos: at(3)},
		{Regex: "^/a/(c)$", Status: 302, URL: "/$1", Pos: at(4)},
		{Path: "/a/d", Status: 410, Pos: at(5)},
	}
	if !reflect.DeepEqual(secs[0].Redirects, wantList) {
		t.Errorf("<Location>'s list:\ngot  %+v\nwant %+v", secs[0].Redirects, wantList)
	}
	for i, want := range []*Redirect{
		{Status: 301, URL: "http://x.example/a b?q r", Pos: at(7), Whole: true},
		{Status: 410, Pos: at(10), Whole: true},
		{Status: 303, URL: "/other", Pos: at(13), Whole: true},
	} {
		if !reflect.DeepEqual(secs[i].WholeRedirect, want) {
			t.Errorf("section %d's short form: got %+v, want %+v", i, secs[i].WholeRedirect, want)
		}
	}
}

func TestIsURL(t *testing.T) {
	for u, want := range map[string]bool{
		"http://x": true, "mailto:a@b": true, "a+b-c.d:": true, "x:": true,
		"/path": false, ":x": false, "1http://x": false, "ht tp://x": false, "": false, "path": false,
	} {
		if got := IsURL(u); got != want {
			t.Errorf("IsURL(%q) = %v, want %v", u, got, want)
		}
	}
}

// loadErrorCase is a directive (or a section holding one on its second
// line) and the error it must give.
type loadErrorCase struct {
	line, want string
}

// expectLoadErrors loads each case after "Listen 80" and checks its error
// and line.
func expectLoadErrors(t *testing.T, cases []loadErrorCase) {
	t.Helper()
	for _, tt := range cases {
		t.Run(tt.line, func(t *testing.T) {
			_, err := loadFile(t, "Listen 80\n"+tt.line+"\n")
			var ce *Error
			if !errors.As(err, &ce) {
				t.Fatalf("error %v, want a *config.Error", err)
			}
			wantLine := 2
			if strings.HasPrefix(tt.line, "<") {
				wantLine = 3
			}
			if !strings.Contains(err.Error(), tt.want) || ce.Pos.Line != wantLine {
				t.Errorf("error %q at line %d, want %q at line %d", err, ce.Pos.Line, tt.want, wantLine)
			}
		})
	}
}
