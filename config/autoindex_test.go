package config

import (
	"reflect"
	"testing"
)

// TestAutoindexMerge: IndexIgnore adds up unless reset; an unprefixed
// IndexOptions flag drops what was inherited, +/- adjust it.
func TestAutoindexMerge(t *testing.T) {
	cfg, err := loadFile(t, `Listen 80
IndexIgnore .??* *~
IndexOptions FancyIndexing FoldersFirst IgnoreCase Charset=UTF-8
HeaderName HEADER.html
<Directory /srv/a>
    IndexIgnore *.bak
    IndexOptions -IgnoreCase +VersionSort
</Directory>
<Directory /srv/b>
    IndexIgnoreReset On
    IndexOptions SuppressSize
    ReadmeName README
</Directory>
`)
	if err != nil {
		t.Fatal(err)
	}
	srv := cfg.Server.Autoindex
	a := srv.Merge(cfg.Server.Sections[0].Autoindex)
	if !reflect.DeepEqual(a.Ignore, []string{".??*", "*~", "*.bak"}) {
		t.Errorf("a: Ignore %q", a.Ignore)
	}
	if f := a.Flags(); f != (ListingFlags{FoldersFirst: true, VersionSort: true, Fancy: true, Charset: "UTF-8"}) {
		t.Errorf("a: flags %+v", f)
	}
	b := srv.Merge(cfg.Server.Sections[1].Autoindex)
	if len(b.Ignore) != 0 || b.HeaderName != "HEADER.html" || b.ReadmeName != "README" {
		t.Errorf("b: %+v", b)
	}
	if f := b.Flags(); f != (ListingFlags{SuppressSize: true}) {
		t.Errorf("b: flags %+v, want only SuppressSize (an unprefixed flag drops the inherited ones)", f)
	}
	if len(srv.Ignore) != 2 {
		t.Errorf("the merges changed the server's list: %q", srv.Ignore)
	}
}

func TestAutoindexErrors(t *testing.T) {
	expectLoadErrors(t, []loadErrorCase{
		{"IndexOptions FancyIndexing Bogus", "Invalid directory indexing option"},
		{"HeaderName /include/header.html", "eventmpm takes a file name of the listed directory"},
		{"IndexIgnoreReset maybe", "IndexIgnoreReset must be On or Off"},
	})
}

func TestDeflateDirectives(t *testing.T) {
	cfg, err := loadFile(t, `Listen 80
AddOutputFilterByType DEFLATE text/html TEXT/CSS
AddOutputFilterByType DEFLATE text/html
DeflateCompressionLevel 9
<VirtualHost *:80>
    ServerName v.example
    AddOutputFilterByType DEFLATE application/json
</VirtualHost>
`)
	if err != nil {
		t.Fatal(err)
	}
	if d := cfg.Server.Deflate; !reflect.DeepEqual(d, Deflate{Types: []string{"text/html", "text/css"}, Level: 9}) {
		t.Errorf("main server: %+v", d)
	}
	if d := cfg.VirtualHosts[0].Server.Deflate; !reflect.DeepEqual(d, Deflate{Types: []string{"application/json", "text/html", "text/css"}, Level: 9}) {
		t.Errorf("virtual host: %+v", d)
	}
}

func TestDeflateErrors(t *testing.T) {
	expectLoadErrors(t, []loadErrorCase{
		{"AddOutputFilterByType INCLUDES text/html", `eventmpm has no output filter "INCLUDES" (only DEFLATE)`},
		{"AddOutputFilterByType DEFLATE html", `"html" is not a media type`},
		{"DeflateCompressionLevel 10", "DeflateCompressionLevel must be between 1 and 9"},
		{"<Location /x>\nAddOutputFilterByType DEFLATE text/html\n</Location>", "AddOutputFilterByType in <Location> is not supported"},
	})
}

// TestNegotiationSettings: mod_negotiation loads without a warning, its
// settings are kept for the server and <Directory> sections (where
// Options MultiViews is taken), and refused elsewhere or when malformed.
func TestNegotiationSettings(t *testing.T) {
	cfg, err := loadFile(t, "Listen 80\nLoadModule negotiation_module modules/mod_negotiation.so\nServerName n.example\n"+
		"<IfModule mod_negotiation.c>\n    LanguagePriority en de\n    ForceLanguagePriority Prefer Fallback\n</IfModule>\n"+
		"<Directory /srv>\n    Options +MultiViews\n    LanguagePriority fr\n    MultiviewsMatch Any\n</Directory>\n")
	if err != nil {
		t.Fatal(err)
	}
	if len(cfg.Warnings) != 0 {
		t.Errorf("warnings: %+v", cfg.Warnings)
	}
	want := Negotiation{LanguagePriority: []string{"en", "de"}, ForceLanguagePriority: ForceLanguagePrefer | ForceLanguageFallback}
	if got := cfg.Server.Negotiation; !reflect.DeepEqual(got, want) {
		t.Errorf("server: %+v, want %+v", got, want)
	}
	sec := cfg.Server.Sections[0]
	merged := cfg.Server.Negotiation.Merge(sec.Negotiation)
	want = Negotiation{LanguagePriority: []string{"fr"}, ForceLanguagePriority: ForceLanguagePrefer | ForceLanguageFallback, MultiviewsMatch: "any"}
	if !reflect.DeepEqual(merged, want) {
		t.Errorf("merged into the section: %+v, want %+v", merged, want)
	}
	if o := sec.MergeOptions(cfg.Server.Options); !o.MultiViews || !o.FollowSymLinks {
		t.Errorf("section options %+v, want MultiViews added", o)
	}
	expectLoadErrors(t, []loadErrorCase{
		{"<Location /x>\nOptions MultiViews\n</Location>", "Options MultiViews in <Location> is not supported by eventmpm"},
		{"<Files x>\nLanguagePriority en\n</Files>", "LanguagePriority in <Files> is not supported by eventmpm"},
		{"ForceLanguagePriority None Prefer", "Cannot combine ForceLanguagePriority options with None"},
		{"ForceLanguagePriority Sometimes", "Invalid ForceLanguagePriority option Sometimes"},
		{"MultiviewsMatch Any Handlers", "Any is incompatible"},
		{"MultiviewsMatch Some", "Unrecognized option 'Some'"},
	})
	cfg, err = loadFile(t, "Listen 80\nServerName n.example\nMultiviewsMatch Handlers\n")
	if err != nil || len(cfg.Warnings) != 1 || cfg.Warnings[0].Pos.Line != 3 {
		t.Errorf("MultiviewsMatch Handlers: %v, warnings %+v; want one warning at line 3", err, cfg.Warnings)
	}
}

// TestIndexOrderDefault: the order without a query, merged into sections,
// and mod_autoindex's messages.
func TestIndexOrderDefault(t *testing.T) {
	cfg, err := loadFile(t, "Listen 80\nIndexOrderDefault Descending Date\n<Directory /srv>\n    IndexOrderDefault ascending SIZE\n</Directory>\n")
	if err != nil {
		t.Fatal(err)
	}
	srv := cfg.Server.Autoindex
	if srv.OrderKey != 'M' || srv.OrderDirection != 'D' {
		t.Errorf("server: %c %c, want M D", srv.OrderKey, srv.OrderDirection)
	}
	if m := srv.Merge(cfg.Server.Sections[0].Autoindex); m.OrderKey != 'S' || m.OrderDirection != 'A' {
		t.Errorf("section: %c %c, want S A", m.OrderKey, m.OrderDirection)
	}
	expectLoadErrors(t, []loadErrorCase{
		{"IndexOrderDefault Up Name", "First keyword must be 'Ascending' or 'Descending'"},
		{"IndexOrderDefault Ascending Color", "Second keyword must be 'Name', 'Date', 'Size', or 'Description'"},
		{"IndexOrderDefault Ascending", "IndexOrderDefault takes two arguments, {Ascending,Descending} {Name,Size,Description,Date}"},
	})
}
