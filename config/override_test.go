package config

import (
	"errors"
	"slices"
	"strings"
	"testing"
)

// TestParseOverrides: AllowOverride's stored value and AllowOverrideList
// become the classes, Options and Nonfatal flags Apache applies.
func TestParseOverrides(t *testing.T) {
	for _, tc := range []struct {
		value string
		list  []string
		want  Overrides
	}{
		{"None", nil, Overrides{}},
		{"All", nil, Overrides{Classes: OverrideAll, Options: allOptions}},
		{"AuthConfig FileInfo", nil, Overrides{Classes: OverrideAuthConfig | OverrideFileInfo}},
		{"Options", nil, Overrides{Classes: OverrideOptions, Options: allOptions}},
		{"Options=Indexes,MultiViews Limit", nil, Overrides{Classes: OverrideOptions | OverrideLimit, Options: OptionFlags{Indexes: true, MultiViews: true}}},
		{"Indexes Nonfatal=Override", nil, Overrides{Classes: OverrideIndexes, NonfatalOverride: true}},
		{"Indexes Nonfatal=All", nil, Overrides{Classes: OverrideIndexes, NonfatalOverride: true, NonfatalUnknown: true}},
		{"None", []string{"Redirect", "RewriteRule"}, Overrides{List: []string{"redirect", "rewriterule"}}},
		{"", []string{"None"}, Overrides{}},
	} {
		got := ParseOverrides(tc.value, tc.list)
		if got.Classes != tc.want.Classes || got.Options != tc.want.Options || got.NonfatalOverride != tc.want.NonfatalOverride ||
			got.NonfatalUnknown != tc.want.NonfatalUnknown || strings.Join(got.List, ",") != strings.Join(tc.want.List, ",") {
			t.Errorf("ParseOverrides(%q, %q) = %+v, want %+v", tc.value, tc.list, got, tc.want)
		}
		if got.Any() != (tc.want.Classes != 0 || len(tc.want.List) > 0) {
			t.Errorf("ParseOverrides(%q, %q).Any() = %v", tc.value, tc.list, got.Any())
		}
	}
}

// TestParseAccessFile: a .htaccess file's directives are checked against
// the overrides with Apache's messages (compared with Apache 2.4.71) and
// make a <Directory> section for the file's directory, with its <Files>
// sections apart.
func TestParseAccessFile(t *testing.T) {
	cfg := &Config{ServerRoot: "/srv/root", Defines: map[string]string{"SITE": "on", "NAME": "blue"}}
	srv := &Server{Options: OptionFlags{FollowSymLinks: true}}
	all := ParseOverrides("All", nil)
	for _, tc := range []struct {
		name  string
		text  string
		ov    Overrides
		err   string // the message, with the line, when it fails
		line  int
		check func(t *testing.T, af *AccessFile)
	}{
		{name: "unknown", text: "Foo bar\n", ov: all, line: 1,
			err: "Invalid command 'Foo', perhaps misspelled or defined by a module not included in the server configuration"},
		{name: "class", text: "# c\n\nOptions -Indexes\n", ov: ParseOverrides("AuthConfig FileInfo", nil), line: 3, err: "Options not allowed here"},
		{name: "server-only", text: "Listen 99\n", ov: all, line: 1, err: "Listen not allowed here"},
		{name: "section", text: "<Directory /x>\n</Directory>\n", ov: all, line: 1, err: "<Directory not allowed here"},
		{name: "allowoverride", text: "AllowOverride None\n", ov: all, line: 1, err: "AllowOverride not allowed here"},
		// mod_macro is OR_ALL: any class lets it in; a file's macros are its own.
		{name: "macro", text: "<Macro H $v>\nHeader set X-M $v\n</Macro>\nUse H one\nUndefMacro H\n", ov: ParseOverrides("FileInfo", nil),
			check: func(t *testing.T, af *AccessFile) {
				if h := af.Section.Headers; len(h) != 1 || h[0].Name != "X-M" || h[0].Value != "one" {
					t.Errorf("Headers %+v: want X-M one from the macro", h)
				}
			}},
		{name: "macro-undefined", text: "Use H one\n", ov: all, line: 1, err: "no macro defined before Use"},
		{name: "include", text: "Include /etc/passwd\n", ov: all, line: 1, err: "Include not allowed here"},
		{name: "include-listed", text: "Include /etc/passwd\n", ov: ParseOverrides("None", []string{"Include"}), line: 1, err: "Include not allowed here"},
		{name: "requestheader", text: "RequestHeader unset If-Modified-Since\nRequestHeader unset Proxy early\n", ov: all,
			check: func(t *testing.T, af *AccessFile) {
				if h := af.Section.RequestHeaders; len(h) != 1 || h[0].Name != "If-Modified-Since" || len(af.Warnings) != 1 {
					t.Errorf("RequestHeaders %+v, warnings %+v: want the first, and the early one warned of", h, af.Warnings)
				}
			}},
		{name: "mime-in-files", text: "<Files x>\nAddType text/plain .x\n</Files>\n", ov: all, line: 2,
			err: "AddType in <Files> is not supported by eventmpm: use it in <Directory>, a .htaccess file, the server config or <VirtualHost>"},
		{name: "mime", text: "AddType Text/X-Y .xy\nRemoveType .css\nAddCharset UTF-8 .u\nAddDefaultCharset Off\nDefaultLanguage de\n", ov: all,
			check: func(t *testing.T, af *AccessFile) {
				m := af.Section.MIME
				want := []MIMEOp{{Kind: MIMEType, Ext: "xy", Value: "text/x-y"}, {Kind: MIMEType, Ext: "css", Remove: true}, {Kind: MIMECharset, Ext: "u", Value: "utf-8"}}
				if m == nil || !slices.Equal(m.Ops, want) || m.DefaultCharset == nil || *m.DefaultCharset != "" || m.DefaultLanguage == nil || *m.DefaultLanguage != "de" {
					t.Errorf("MIME = %+v", m)
				}
			}},
		{name: "option-list", text: "Options +Indexes +MultiViews\n", ov: ParseOverrides("Options=Indexes", nil), line: 1, err: "Option MultiViews not allowed here"},
		{name: "option-plain", text: "Options +MultiViews\n", ov: ParseOverrides("Options", nil),
			check: func(t *testing.T, af *AccessFile) {
				if d := af.Section.OptionsDelta; d == nil || !d.Add.MultiViews {
					t.Errorf("OptionsDelta = %+v, want +MultiViews", d)
				}
			}},
		{name: "limit-under-authconfig", text: "<Limit POST>\nRequire all denied\n</Limit>\n", ov: ParseOverrides("AuthConfig", nil)},
		{name: "order-under-authconfig", text: "Order deny,allow\n", ov: ParseOverrides("AuthConfig", nil), line: 1, err: "order not allowed here"},
		{name: "nested-files", text: "<Files x>\n<Files y>\n</Files>\n</Files>\n", ov: all, line: 2, err: "<Files> inside <Files> is not supported by eventmpm: only <Files> and <FilesMatch> nest, in <Directory>"},
		{name: "unclosed", text: "<Files x>\nRequire all denied\n", ov: all, line: 1, err: "/srv/www/.htaccess:1: <Files> was not closed."},
		{name: "nonfatal", text: "Options -Indexes\nFoo bar\nRequire all denied\n", ov: ParseOverrides("AuthConfig Nonfatal=All", nil),
			check: func(t *testing.T, af *AccessFile) {
				if af.Section.Require == nil || af.Section.Options != nil || af.Section.OptionsDelta != nil {
					t.Errorf("section = %+v, want the Require alone", af.Section)
				}
				if len(af.Warnings) != 2 || af.Warnings[0].Code != "AH02295" || af.Warnings[0].Pos.Line != 1 ||
					af.Warnings[1].Code != "AH02296" || af.Warnings[1].Text != "Unknown directive foo perhaps misspelled or defined by a module not included in the server configuration" {
					t.Errorf("warnings = %+v", af.Warnings)
				}
			}},
		{name: "listed", text: "Redirect /a /b\n", ov: ParseOverrides("None", []string{"Redirect"}),
			check: func(t *testing.T, af *AccessFile) {
				if len(af.Section.Redirects) != 1 {
					t.Errorf("Redirects = %+v", af.Section.Redirects)
				}
			}},
		{name: "whole", ov: all, text: `<IfModule mod_rewrite.c>
RewriteEngine On
RewriteRule ^old$ new [R=301,L]
</IfModule>
<IfModule mod_nonesuch.c>
Nonsense here
</IfModule>
<IfDefine SITE>
Header set X-Name ${NAME}
</IfDefine>
AuthType Basic
AuthName "zone"
AuthUserFile conf/users
Require valid-user
<FilesMatch "\.(bak|log)$">
Require all denied
</FilesMatch>
<If "%{HTTPS} == 'on'">
Header set X-Secure 1
</If>
`, check: func(t *testing.T, af *AccessFile) {
			s := &af.Section
			if s.Kind != SectionDirectory || s.Pattern != "/srv/www/" || s.Pos.File != "/srv/www/.htaccess" {
				t.Errorf("section %v %q %v", s.Kind, s.Pattern, s.Pos)
			}
			if s.Rewrite == nil || len(s.Rewrite.Rules) != 1 {
				t.Errorf("Rewrite = %+v", s.Rewrite)
			}
			if len(s.Headers) != 1 || s.Headers[0].Value != "blue" {
				t.Errorf("Headers = %+v", s.Headers)
			}
			if s.AuthUserFile != "/srv/root/conf/users" || s.AuthName != "zone" || s.Require == nil {
				t.Errorf("auth %q %q %v", s.AuthUserFile, s.AuthName, s.Require)
			}
			if f := s.Files; len(f) != 1 || f[0].Kind != SectionFiles || !f[0].Regex || f[0].Require == nil {
				t.Errorf("Files = %+v", f)
			}
			if len(s.Ifs) != 1 {
				t.Errorf("Ifs = %+v", s.Ifs)
			}
		}},
	} {
		t.Run(tc.name, func(t *testing.T) {
			af, err := cfg.ParseAccessFile("/srv/www/.htaccess", tc.text, "/srv/www", tc.ov, srv)
			if tc.err != "" {
				var ce *Error
				if !errors.As(err, &ce) || ce.Msg != tc.err || ce.Pos.Line != tc.line || ce.Pos.File != "/srv/www/.htaccess" {
					t.Fatalf("got %v (%#v), want %q on line %d", err, ce, tc.err, tc.line)
				}
				return
			}
			if err != nil {
				t.Fatal(err)
			}
			if tc.check != nil {
				tc.check(t, af)
			}
		})
	}
}

// FuzzParseAccessFile: any text either reads or fails with an *Error that
// names the file and a line; nothing reads outside it.
func FuzzParseAccessFile(f *testing.F) {
	f.Add("Require all denied\n<Files x>\nHeader set A b\n</Files>\n")
	f.Add("<IfModule mod_rewrite.c>\nRewriteEngine On\nRewriteRule . index.html [L]\n</IfModule>\n")
	f.Add("Options -Indexes +FollowSymLinks\nDirectoryIndex a b\nErrorDocument 404 \"x\n")
	cfg := &Config{ServerRoot: f.TempDir(), Defines: map[string]string{}}
	srv := &Server{}
	f.Fuzz(func(t *testing.T, text string) {
		for _, ov := range []Overrides{ParseOverrides("All", nil), ParseOverrides("AuthConfig Nonfatal=All", []string{"Header"})} {
			_, err := cfg.ParseAccessFile("/srv/.htaccess", text, "/srv", ov, srv)
			if err == nil {
				continue
			}
			var ce *Error
			if !errors.As(err, &ce) || ce.Pos.File != "/srv/.htaccess" || ce.Pos.Line < 1 || ce.Msg == "" {
				t.Fatalf("got %v (%#v), want an *Error with the file, a line and a message", err, ce)
			}
		}
	})
}
