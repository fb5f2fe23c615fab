package config

import "testing"

// TestFileETag: set_etag_bits' forms, and what applies after the main
// server, a virtual host and nested <Directory> sections, each case as
// Apache 2.4.71 made the ETag of the same file.
func TestFileETag(t *testing.T) {
	for _, tt := range []struct {
		server, dir string // FileETag words; "" for none
		want        ETagParts
	}{
		{"", "", ETagDefault},
		{"MTime Size", "", ETagMTime | ETagSize},
		{"INode MTime Size", "", etagAll},
		{"All", "", etagAll},
		{"All -INode", "", ETagMTime | ETagSize},
		{"None", "", ETagNone},
		{"None MTime", "", ETagNone | ETagMTime},
		{"-Size +INode", "", ETagINode},
		{"+INode Size", "", ETagSize}, // a named part wipes out the relative words before it
		{"LastModified", "", ETagMTime},
		{"+INode", "MTime", ETagMTime},
		{"-Size", "+INode", ETagINode},
		{"All", "-INode", ETagMTime | ETagSize},
		{"None", "+INode", ETagINode},
		{"-INode", "+INode", ETagINode},
		{"MTime", "-MTime", ETagDefault},
	} {
		conf := "Listen 80\nServerName x.example\n"
		if tt.server != "" {
			conf += "FileETag " + tt.server + "\n"
		}
		if tt.dir != "" {
			conf += "<Directory /srv>\nFileETag " + tt.dir + "\n</Directory>\n"
		}
		cfg, err := loadFile(t, conf)
		if err != nil {
			t.Fatalf("%q: %v", conf, err)
		}
		s := ETagState{}.With(cfg.Server.FileETag)
		if len(cfg.Server.Sections) > 0 {
			s = s.With(cfg.Server.Sections[0].FileETag)
		}
		if got := s.Parts(); got != tt.want {
			t.Errorf("server %q, <Directory> %q: %04b, want %04b", tt.server, tt.dir, got, tt.want)
		}
	}
	cfg, err := loadFile(t, `Listen 80
ServerName x.example
FileETag All
<VirtualHost *:80>
    ServerName v.example
    FileETag -INode
</VirtualHost>
`)
	if err != nil {
		t.Fatal(err)
	}
	if got := (ETagState{}).With(cfg.VirtualHosts[0].Server.FileETag).Parts(); got != ETagMTime|ETagSize {
		t.Errorf("virtual host: %04b, want MTime Size (the main server's All, then -INode)", got)
	}
	expectLoadErrors(t, []loadErrorCase{
		{"FileETag +None", "FileETag keyword 'None' cannot be used with '+' or '-'"},
		{"FileETag Bogus", "Unknown keyword 'Bogus' for FileETag directive"},
		{"FileETag Digest", "eventmpm makes no content digests"},
		{"<Location /x>\nFileETag None\n</Location>", "FileETag in <Location> is not supported by eventmpm"},
	})
}
