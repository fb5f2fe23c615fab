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
	if f := b.Flags(); f != (ListingFlags{SuppressSize: true, Charset: "UTF-8"}) {
		t.Errorf("b: flags %+v, want only SuppressSize and the charset (an unprefixed flag drops the inherited flags)", f)
	}
	if len(srv.Ignore) != 2 {
		t.Errorf("the merges changed the server's list: %q", srv.Ignore)
	}
}

// TestIndexOptionsMerge: mod_autoindex's rules, each case checked
// against Apache 2.4.71's listings: an unprefixed word (a width too)
// forgets the '+' and '-' flags before it in its context; '+' flags on a
// line after an unprefixed one in the same context are lost (Apache's
// merge keeps the unprefixed set alone); None clears every flag but not
// the widths; the widths and the charset are inherited apart from the
// flags; -IconWidth inherits. The server's +VersionSort is lost: the
// unprefixed IconWidth=9 after it forgets it.
func TestIndexOptionsMerge(t *testing.T) {
	const server = "IndexOptions FancyIndexing HTMLTable NameWidth=* +VersionSort IconWidth=9 Charset=UTF-8\n"
	for _, tc := range []struct {
		section string
		want    ListingFlags
	}{
		{"IndexOptions +FoldersFirst FancyIndexing", ListingFlags{Fancy: true, NameWidth: -1, IconWidth: 9, Charset: "UTF-8"}},
		{"IndexOptions -HTMLTable\nIndexOptions +SuppressSize", ListingFlags{Fancy: true, SuppressSize: true, NameWidth: -1, IconWidth: 9, Charset: "UTF-8"}},
		{"IndexOptions +SuppressIcon NameWidth=10\nIndexOptions +SuppressLastModified",
			ListingFlags{Fancy: true, Table: true, SuppressLastModified: true, NameWidth: 10, IconWidth: 9, Charset: "UTF-8"}},
		{"IndexOptions FancyIndexing\nIndexOptions +SuppressRules", ListingFlags{Fancy: true, NameWidth: -1, IconWidth: 9, Charset: "UTF-8"}},
		{"IndexOptions None", ListingFlags{NameWidth: -1, IconWidth: 9, Charset: "UTF-8"}},
		{"IndexOptions FancyIndexing None +HTMLTable", ListingFlags{NameWidth: -1, IconWidth: 9, Charset: "UTF-8"}},
		{"IndexOptions IconHeight -IconWidth DescriptionWidth=30 -VersionSort",
			ListingFlags{Fancy: true, Table: true, NameWidth: -1, DescriptionWidth: 30, IconWidth: 9, IconHeight: 22, Charset: "UTF-8"}},
		{"IndexOptions -NameWidth -DescriptionWidth +IconsAreLinks +AddAltClass +ScanHTMLTitles",
			ListingFlags{Fancy: true, Table: true, IconsAreLinks: true, AddAltClass: true, ScanHTMLTitles: true,
				NameWidth: 23, DescriptionWidth: 23, IconWidth: 9, Charset: "UTF-8"}},
	} {
		cfg, err := loadFile(t, "Listen 80\n"+server+"<Directory /srv>\n"+tc.section+"\n</Directory>\n")
		if err != nil {
			t.Fatalf("%q: %v", tc.section, err)
		}
		merged := cfg.Server.Autoindex.Merge(cfg.Server.Sections[0].Autoindex)
		if got := merged.Flags(); got != tc.want {
			t.Errorf("%q:\n got %+v\nwant %+v", tc.section, got, tc.want)
		}
	}
}

// TestIndexRules: AddIcon's "(ALT,url)" form adds an alt rule, names
// without wildcards match as "*name", **DIRECTORY** is ^^DIRECTORY^^,
// codings are lower-cased, AddDescription patterns take fnmatch's form
// when they have wildcards or a '/'; a section's rules come before the
// server's.
func TestIndexRules(t *testing.T) {
	cfg, err := loadFile(t, `Listen 80
AddIcon (SND,/icons/sound.gif) .ogg *.mp?
AddIconByEncoding /icons/cmp.gif X-GZIP
AddAlt "folder" **DIRECTORY**
DefaultIcon /icons/unknown.gif
AddDescription "plain" README
AddDescription "wild" *.txt [ab].c
AddDescription "full" /srv/docs/x
<Directory /srv>
    AddIconByType /icons/text.gif text/*
    AddDescription "own" README
</Directory>
`)
	if err != nil {
		t.Fatal(err)
	}
	srv := cfg.Server.Autoindex
	wantIcons := []IndexRule{{'P', "*.ogg", "/icons/sound.gif"}, {'P', "*.mp?", "/icons/sound.gif"}, {'E', "x-gzip", "/icons/cmp.gif"}}
	if !reflect.DeepEqual(srv.Icons, wantIcons) {
		t.Errorf("icons %v, want %v", srv.Icons, wantIcons)
	}
	wantAlts := []IndexRule{{'P', "*.ogg", "SND"}, {'P', "*.mp?", "SND"}, {'P', "*^^DIRECTORY^^", "folder"}}
	if !reflect.DeepEqual(srv.Alts, wantAlts) {
		t.Errorf("alts %v, want %v", srv.Alts, wantAlts)
	}
	wantDescs := []IndexDescription{{"README", "plain", false, false}, {"**.txt*", "wild", false, true},
		{"*[ab].c*", "wild", false, true}, {"*//srv/docs/x*", "full", true, true}}
	if !reflect.DeepEqual(srv.Descriptions, wantDescs) {
		t.Errorf("descriptions %v, want %v", srv.Descriptions, wantDescs)
	}
	merged := srv.Merge(cfg.Server.Sections[0].Autoindex)
	if merged.Icons[0].Pattern != "text/*" || len(merged.Icons) != 4 || merged.Descriptions[0].Text != "own" || merged.DefaultIcon != "/icons/unknown.gif" {
		t.Errorf("merged: icons %v, descriptions %v, default %q", merged.Icons, merged.Descriptions, merged.DefaultIcon)
	}
	if len(srv.Icons) != 3 {
		t.Errorf("the merge changed the server's rules: %v", srv.Icons)
	}
}

func TestAutoindexErrors(t *testing.T) {
	expectLoadErrors(t, []loadErrorCase{
		{"IndexOptions FancyIndexing Bogus", "Invalid directory indexing option"},
		{"IndexOptions FancyIndexing=1", "Invalid directory indexing option"},
		{"IndexOptions +None", "Cannot combine '+' or '-' with 'None' keyword"},
		{"IndexOptions None FancyIndexing", "Cannot combine other IndexOptions keywords with 'None'"},
		{"IndexOptions NameWidth", "NameWidth with no value may only appear as '-NameWidth'"},
		{"IndexOptions -DescriptionWidth=20", "Cannot combine '-' with DescriptionWidth=n"},
		{"IndexOptions NameWidth=3", "NameWidth value must be greater than 5"},
		{"IndexOptions DescriptionWidth=5", "DescriptionWidth value must be greater than 12"},
		{"AddIcon (ALT /x.gif .txt", "missing closing paren"},
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
