package config

import "testing"

// TestSpeling: the three directives fill one context's configuration; a
// context with any of them stands alone (mod_speling has no merge); a
// virtual host without them takes the main server's.
func TestSpeling(t *testing.T) {
	cfg, err := loadFile(t, `Listen 80
CheckSpelling On
<Directory /srv>
    CheckCaseOnly On
</Directory>
<Directory /srv/b>
    CheckSpelling On
    CheckBasenameMatch Off
</Directory>
<VirtualHost *:80>
    ServerName a.example
</VirtualHost>
<VirtualHost *:80>
    ServerName b.example
    CheckSpelling Off
</VirtualHost>
`)
	if err != nil {
		t.Fatal(err)
	}
	for _, tc := range []struct {
		what string
		got  *Speling
		want Speling
	}{
		{"server", cfg.Server.Speling, Speling{Enabled: true}},
		{"<Directory /srv>", cfg.Server.Sections[0].Speling, Speling{CaseOnly: true}},
		{"<Directory /srv/b>", cfg.Server.Sections[1].Speling, Speling{Enabled: true, NoBasename: true}},
		{"a.example", cfg.VirtualHosts[0].Server.Speling, Speling{Enabled: true}},
		{"b.example", cfg.VirtualHosts[1].Server.Speling, Speling{}},
	} {
		if tc.got == nil || *tc.got != tc.want {
			t.Errorf("%s: %+v, want %+v", tc.what, tc.got, tc.want)
		}
	}
	expectLoadErrors(t, []loadErrorCase{{"CheckSpelling maybe", "CheckSpelling must be On or Off"}})
}
