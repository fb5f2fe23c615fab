package config

import (
	"reflect"
	"testing"
)

// TestErrorDocumentKinds: Apache's heuristic sorts the document into a
// message, a local path or a URL; a virtual host's codes replace the main
// server's one by one; a URL for 401 is ignored with AH00113.
func TestErrorDocumentKinds(t *testing.T) {
	cfg, err := loadFile(t, `Listen 80
ErrorDocument 404 /errors/404.html
ErrorDocument 403 "Go away"
ErrorDocument 500 Oops
ErrorDocument 502 "/not a path"
ErrorDocument 503 https://status.example/
ErrorDocument 401 http://login.example/
ErrorDocument 410 default
<VirtualHost *:80>
    ServerName v.example
    ErrorDocument 404 default
    ErrorDocument 400 /bad.html
</VirtualHost>
`)
	if err != nil {
		t.Fatal(err)
	}
	at := func(line int) Pos { return Pos{File: cfg.File, Line: line} }
	want := map[int]ErrorDocument{
		404: {Kind: ErrorDocPath, Document: "/errors/404.html", Pos: at(2)},
		403: {Kind: ErrorDocText, Document: "Go away", Pos: at(3)},
		500: {Kind: ErrorDocText, Document: "Oops", Pos: at(4)},
		502: {Kind: ErrorDocText, Document: "/not a path", Pos: at(5)},
		503: {Kind: ErrorDocURL, Document: "https://status.example/", Pos: at(6)},
		410: {Kind: ErrorDocDefault, Document: "default", Pos: at(8)},
	}
	if !reflect.DeepEqual(cfg.Server.ErrorDocuments, want) {
		t.Errorf("main server:\ngot  %+v\nwant %+v", cfg.Server.ErrorDocuments, want)
	}
	vh := cfg.VirtualHosts[0].Server.ErrorDocuments
	if vh[404].Kind != ErrorDocDefault || vh[400].Document != "/bad.html" || vh[403] != want[403] || len(vh) != len(want)+1 {
		t.Errorf("virtual host: %+v, want its 404 and 400 over the main server's", vh)
	}
	found := false
	for _, w := range cfg.Warnings {
		found = found || w.Code == "AH00113" && w.Pos.Line == 7
	}
	if !found {
		t.Errorf("no AH00113 warning at line 7: %+v", cfg.Warnings)
	}
}

func TestErrorDocumentErrors(t *testing.T) {
	expectLoadErrors(t, []loadErrorCase{
		{"ErrorDocument abc /x", "Unsupported HTTP response code abc"},
		{"ErrorDocument 499 /x", "Unsupported HTTP response code 499"},
		{"ErrorDocument 200 /x", "ErrorDocument 200: eventmpm applies ErrorDocument to error responses (4xx and 5xx) only"},
		{"ErrorDocument 301 http://x.example/", "(4xx and 5xx) only"},
		{`ErrorDocument 404 "%{REQUEST_URIX} is missing"`, "Cannot parse expression in ErrorDocument: Variable 'REQUEST_URIX' does not exist"},
		{"ErrorDocument 404", "ErrorDocument takes two arguments"},
		{"<Location /x>\nErrorDocument 404 /e/%{tolower:x\n</Location>", "Cannot parse expression in ErrorDocument: "},
	})
}

// TestErrorDocumentSections: a section's ErrorDocuments are its own, by
// code, and leave the server's alone.
func TestErrorDocumentSections(t *testing.T) {
	cfg, err := loadFile(t, `Listen 80
ErrorDocument 404 /top.html
<Directory /srv/a>
    ErrorDocument 404 /a.html
    ErrorDocument 403 default
</Directory>
<Location /b>
    ErrorDocument 410 "gone from b"
</Location>
`)
	if err != nil {
		t.Fatal(err)
	}
	if d := cfg.Server.ErrorDocuments; len(d) != 1 || d[404].Document != "/top.html" {
		t.Errorf("server: %+v, want only 404 /top.html", d)
	}
	at := func(line int) Pos { return Pos{File: cfg.File, Line: line} }
	want := []map[int]ErrorDocument{
		{404: {Kind: ErrorDocPath, Document: "/a.html", Pos: at(4)}, 403: {Kind: ErrorDocDefault, Document: "default", Pos: at(5)}},
		{410: {Kind: ErrorDocText, Document: "gone from b", Pos: at(8)}},
	}
	if len(cfg.Server.Sections) != len(want) {
		t.Fatalf("%d sections, want %d", len(cfg.Server.Sections), len(want))
	}
	for i, w := range want {
		if got := cfg.Server.Sections[i].ErrorDocuments; !reflect.DeepEqual(got, w) {
			t.Errorf("section %d:\ngot  %+v\nwant %+v", i, got, w)
		}
	}
}
