package config

import (
	"reflect"
	"testing"
)

// TestExpiresCode: both of mod_expires' syntaxes, compared as its
// check_code compares words (by their first letters).
func TestExpiresCode(t *testing.T) {
	for in, want := range map[string]string{
		"A3600":                         "A3600",
		"M0":                            "M0",
		"access plus 1 month":           "A2592000",
		"now plus 1 year 2 days":        "A31708800",
		"modification plus 30 minutes":  "M1800",
		"Access 1 week 1 hour 1 second": "A608401",
		"a p 2 mo 3 mi 4 s":             "A5184184",
		"modification":                  "M0",
		"access plus 10days":            "",
		"A":                             "A0", // Apache reads "A" and "Ax" as A0 too
		"Ax":                            "A0",
		"later plus 1 day":              "",
		"access plus one day":           "",
		"access plus 1":                 "",
		"access plus 1 fortnight":       "",
		"":                              "",
	} {
		got, err := expiresCode(in)
		if got != want || (err != nil) != (want == "") {
			t.Errorf("expiresCode(%q) = %q, %v; want %q", in, got, err, want)
		}
	}
}

// TestExpiresDirectives: where each directive goes and how a virtual host
// merges over the main server (its Active and Default when set, its types
// over the main server's).
func TestExpiresDirectives(t *testing.T) {
	cfg, err := loadFile(t, `Listen 80
ExpiresActive On
ExpiresDefault "access plus 1 hour"
ExpiresByType text/css "access plus 1 year"
ExpiresByType IMAGE/* M60
<Directory /srv/x>
    ExpiresActive Off
</Directory>
<VirtualHost *:80>
    ServerName v.example
    ExpiresByType text/css A10
    ExpiresByType text/html A20
</VirtualHost>
`)
	if err != nil {
		t.Fatal(err)
	}
	on, off := true, false
	want := Expires{Active: &on, Default: "A3600", ByType: map[string]string{"text/css": "A31536000", "image/*": "M60"}}
	if !reflect.DeepEqual(cfg.Server.Expires, want) {
		t.Errorf("main server: %+v, want %+v", cfg.Server.Expires, want)
	}
	if got := cfg.Server.Sections[0].Expires; !reflect.DeepEqual(got, Expires{Active: &off}) {
		t.Errorf("<Directory>: %+v", got)
	}
	want.ByType = map[string]string{"text/css": "A10", "image/*": "M60", "text/html": "A20"}
	if got := cfg.VirtualHosts[0].Server.Expires; !reflect.DeepEqual(got, want) {
		t.Errorf("virtual host: %+v, want %+v", got, want)
	}
	if len(cfg.Server.Expires.ByType) != 2 {
		t.Errorf("the merge changed the main server's types: %+v", cfg.Server.Expires.ByType)
	}
}

func TestExpiresErrors(t *testing.T) {
	expectLoadErrors(t, []loadErrorCase{
		{"ExpiresActive maybe", "ExpiresActive must be On or Off"},
		{"ExpiresDefault \"later plus 1 day\"", "bad expires code, unrecognised <base> 'later'"},
		{"ExpiresDefault \"access plus 1\"", "bad expires code, missing <type>"},
		{"ExpiresDefault \"access plus x days\"", "numeric value expected <num> 'x'"},
		{"ExpiresDefault \"access plus 1 fortnight\"", "unrecognised <type> 'fortnight'"},
		{"ExpiresByType text A60", `"text" is not a media type`},
		{"ExpiresByType text/h*ml A60", "is not a media type"},
		{"ExpiresByType text/html", "ExpiresByType takes two arguments"},
	})
}
