package static_test

import (
	"errors"
	"io/fs"
	"os"
	"path/filepath"
	"testing"

	"eventmpm/child/static"
)

func TestMIMETypesLookup(t *testing.T) {
	m := static.BuiltinMIMETypes()
	m.Add(".Foo", "application/x-foo")
	m.Add("html", "text/x-overridden")
	tests := []struct {
		name string
		want string
	}{
		{name: "a.css", want: "text/css"},
		{name: "A.CSS", want: "text/css"},
		{name: "dir/a.Jpg", want: "image/jpeg"},
		{name: "archive.tar.gz", want: "application/gzip"},
		{name: "x.foo", want: "application/x-foo"},
		{name: "x.FOO", want: "application/x-foo"},
		{name: "page.html", want: "text/x-overridden"},
		{name: "noext", want: static.DefaultType},
		{name: "trailing.", want: static.DefaultType},
		{name: "a.unknownext", want: static.DefaultType},
		{name: "dir.d/noext", want: static.DefaultType},
		{name: ".profile", want: static.DefaultType},
		{name: "x." + string(make([]byte, 40)), want: static.DefaultType},
		// mod_mime: the last extension that has a type decides.
		{name: "index.html.en", want: "text/x-overridden"},
		{name: "dir/a.txt.utf8", want: "text/plain"},
		{name: "a.css.foo", want: "application/x-foo"},
		{name: "a.css.bak", want: "text/css"},
		{name: "A.CSS.BAK", want: "text/css"},
		{name: "a..css", want: "text/css"},
		{name: "css.noext", want: static.DefaultType}, // the first word is the base name
		{name: ".css", want: "text/css"},
		{name: "dir.css/plain", want: static.DefaultType},
		{name: "a.css." + string(make([]byte, 40)), want: "text/css"},
	}
	for _, tt := range tests {
		if got := m.Lookup(tt.name); got != tt.want {
			t.Errorf("Lookup(%q) = %q, want %q", tt.name, got, tt.want)
		}
	}
	m.SetDefault("")
	if got := m.Lookup("noext"); got != "" {
		t.Errorf("Lookup(noext) after SetDefault(\"\") = %q, want \"\"", got)
	}
}

func TestLoadMIMETypes(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, "mime.types")
	data := "# comment\n\ntext/html\thtml htm # trailing comment\napplication/x-a a\napplication/x-b a\nimage/png png\n  \nvideo/none\n"
	must(t, os.WriteFile(p, []byte(data), 0o644))
	m, err := static.LoadMIMETypes(p)
	if err != nil {
		t.Fatal(err)
	}
	for name, want := range map[string]string{
		"x.html": "text/html", "x.HTM": "text/html", "x.a": "application/x-b", "x.png": "image/png",
		"x.css": static.DefaultType, "x.none": static.DefaultType,
	} {
		if got := m.Lookup(name); got != want {
			t.Errorf("Lookup(%q) = %q, want %q", name, got, want)
		}
	}
	if _, err := static.LoadMIMETypes(filepath.Join(dir, "missing")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("LoadMIMETypes(missing) error = %v, want fs.ErrNotExist", err)
	}
	bad := filepath.Join(dir, "bad.types")
	must(t, os.WriteFile(bad, []byte("nottype ext\n"), 0o644))
	if _, err := static.LoadMIMETypes(bad); err == nil {
		t.Errorf("LoadMIMETypes(bad) error = nil, want an error")
	}
	if _, err := os.Stat("/etc/mime.types"); err == nil {
		sys, err := static.LoadMIMETypes("/etc/mime.types")
		if err != nil {
			t.Fatal(err)
		}
		if got := sys.Lookup("index.html"); got != "text/html" {
			t.Errorf("/etc/mime.types Lookup(index.html) = %q, want text/html", got)
		}
	}
}

func TestContentTypeCharset(t *testing.T) {
	s := buildSite(t)
	types := static.BuiltinMIMETypes()
	types.Add("cs", "text/html; charset=ISO-8859-2")
	must(t, os.WriteFile(filepath.Join(s.root, "x.cs"), []byte("x"), 0o644))
	tests := []struct {
		charset, path, want string
	}{
		{charset: "UTF-8", path: "/hello.txt", want: "text/plain; charset=UTF-8"},
		{charset: "UTF-8", path: "/index.html", want: "text/html; charset=UTF-8"},
		{charset: "UTF-8", path: "/UPPER.HTML", want: "text/html; charset=UTF-8"},
		{charset: "UTF-8", path: "/x.cs", want: "text/html; charset=ISO-8859-2"},
		{charset: "UTF-8", path: "/data.bin", want: "application/octet-stream"},
		{charset: "UTF-8", path: "/noext", want: "application/octet-stream"},
		{charset: "", path: "/hello.txt", want: "text/plain"},
		{charset: "", path: "/index.html", want: "text/html"},
	}
	for _, tt := range tests {
		h := newHandler(t, s, func(o *static.Options) { o.DefaultCharset = tt.charset; o.Types = types })
		res := serve(t, h, "GET", tt.path)
		if got := headerValue(res.Header, "Content-Type"); got != tt.want {
			t.Errorf("charset %q GET %s: Content-Type %q, want %q", tt.charset, tt.path, got, tt.want)
		}
	}
	types.SetDefault("")
	h := newHandler(t, s, func(o *static.Options) { o.Types = types })
	if res := serve(t, h, "GET", "/noext"); headerValue(res.Header, "Content-Type") != "" || res.Status != 200 {
		t.Errorf("SetDefault(\"\") GET /noext: %d %q, want 200 without Content-Type", res.Status, res.Header)
	}
}

// TestMIMELanguageCharset: mod_mime's AddLanguage, AddCharset and
// RemoveType over extensions in any order, as Debian's mime.conf uses them.
func TestMIMELanguageCharset(t *testing.T) {
	m := static.BuiltinMIMETypes()
	m.Add("es", "application/ecmascript") // as /etc/mime.types has it
	m.AddLanguage(".en", "en")
	m.AddLanguage("es", "es")
	m.AddLanguage("FR", "fr")
	m.AddCharset(".utf8", "UTF-8")
	m.AddCharset("latin1", "ISO-8859-1")
	m.Remove(".ES")
	for _, tt := range []struct {
		name, ctype, langs string
	}{
		{"index.html.en", "text/html; charset=default-cs", "en"},
		{"index.html.es", "text/html; charset=default-cs", "es"}, // RemoveType: not ECMAScript
		{"index.fr.html", "text/html; charset=default-cs", "fr"},
		{"index.en.fr.html", "text/html; charset=default-cs", "en, fr"},
		{"INDEX.HTML.FR", "text/html; charset=default-cs", "fr"},
		{"notes.txt.utf8", "text/plain; charset=UTF-8", ""},
		{"notes.utf8.latin1.txt", "text/plain; charset=ISO-8859-1", ""}, // the last charset wins
		{"data.json.utf8", "application/json; charset=UTF-8", ""},       // AddCharset is not only for text
		{"page.en.html.utf8", "text/html; charset=UTF-8", "en"},
		{"plain.txt", "text/plain; charset=default-cs", ""}, // AddDefaultCharset
		{"pic.png", "image/png", ""},
		{"x.es", static.DefaultType, "es"},
	} {
		if got := static.ContentTypeOf(m, tt.name, "default-cs"); got != tt.ctype {
			t.Errorf("content type of %q = %q, want %q", tt.name, got, tt.ctype)
		}
		if got := static.LanguagesOf(m, tt.name); got != tt.langs {
			t.Errorf("languages of %q = %q, want %q", tt.name, got, tt.langs)
		}
	}
	m.Add("es", "text/x-es") // a later AddType gives the type back
	if got := m.Lookup("a.es"); got != "text/x-es" {
		t.Errorf("Lookup(a.es) after Add = %q", got)
	}
}

// TestMIMEOverlay: a directory's table (mod_mime's directives in
// <Directory> sections and .htaccess files) adds, changes and takes away
// mappings over the server's without changing it, one overlay over
// another as the sections merge.
func TestMIMEOverlay(t *testing.T) {
	base := static.BuiltinMIMETypes()
	base.AddLanguage("en", "en")
	base.AddCharset("utf8", "UTF-8")
	base.AddEncoding("gz", "gzip")
	dir := base.Overlay()
	dir.Add(".foo", "text/x-foo")
	dir.Add("html", "application/x-my")
	dir.Remove("css")
	dir.RemoveLanguage("en")
	dir.AddLanguage("de", "de")
	dir.RemoveCharset("utf8")
	dir.RemoveEncoding("gz")
	dir.SetDefaultLanguage("fr")
	sub := dir.Overlay()
	sub.Add("css", "text/css")
	sub.AddLanguage("en", "en-gb")
	for _, tt := range []struct {
		m                  *static.MIMETypes
		name, ctype, langs string
	}{
		{base, "a.foo", static.DefaultType, ""},
		{base, "a.html.en", "text/html", "en"},
		{base, "a.css", "text/css", ""},
		{base, "a.txt.utf8", "text/plain; charset=UTF-8", ""},
		{dir, "a.foo", "text/x-foo", "fr"},
		{dir, "a.html.en", "application/x-my", "fr"},
		{dir, "a.html.de", "application/x-my", "de"},
		{dir, "a.css", static.DefaultType, "fr"},
		{dir, "a.txt.utf8", "text/plain", "fr"},
		{dir, "a.png", "image/png", "fr"},
		{sub, "a.css", "text/css", "fr"},
		{sub, "a.html.en", "application/x-my", "en-gb"},
		{sub, "a.foo", "text/x-foo", "fr"},
	} {
		if got := static.ContentTypeOf(tt.m, tt.name, ""); got != tt.ctype {
			t.Errorf("content type of %q = %q, want %q", tt.name, got, tt.ctype)
		}
		if got := static.LanguagesOf(tt.m, tt.name); got != tt.langs {
			t.Errorf("languages of %q = %q, want %q", tt.name, got, tt.langs)
		}
	}
	if got := static.EncodingsOf(base, "a.txt.gz"); got != "gzip" {
		t.Errorf("base encodings of a.txt.gz = %q", got)
	}
	if got := static.EncodingsOf(dir, "a.txt.gz"); got != "" {
		t.Errorf("dir encodings of a.txt.gz = %q, want none", got)
	}
}
