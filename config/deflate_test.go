package config

import "testing"

// TestDeflates: SetOutputFilter at any level; otherwise the last
// AddOutputFilter or RemoveOutputFilter of any extension of the name.
func TestDeflates(t *testing.T) {
	add := func(exts ...string) *OutputFilters {
		f := &OutputFilters{}
		for _, e := range exts {
			f.Exts = append(f.Exts, ExtFilter{Ext: e, Deflate: true})
		}
		return f
	}
	remove := func(exts ...string) *OutputFilters {
		f := &OutputFilters{}
		for _, e := range exts {
			f.Exts = append(f.Exts, ExtFilter{Ext: e})
		}
		return f
	}
	for _, tt := range []struct {
		name   string
		levels []*OutputFilters
		want   bool
	}{
		{"a.html", nil, false},
		{"a.html", []*OutputFilters{add("html")}, true},
		{"a.HTML", []*OutputFilters{add("html")}, true},
		{"a.html.en", []*OutputFilters{add("html")}, true},
		{"html", []*OutputFilters{add("html")}, false},
		{".html", []*OutputFilters{add("html")}, true},
		{"a.html", []*OutputFilters{add("html"), remove("html")}, false},
		{"a.html", []*OutputFilters{add("html"), remove("html"), add("html")}, true},
		{"a.min.css", []*OutputFilters{add("css"), remove("min")}, true},
		{"a.jpg", []*OutputFilters{{Set: true}}, true},
		{"a.jpg", []*OutputFilters{add("html"), {Set: true}, remove("jpg")}, true},
	} {
		if got := Deflates(tt.name, tt.levels...); got != tt.want {
			t.Errorf("Deflates(%q, %d levels) = %v, want %v", tt.name, len(tt.levels), got, tt.want)
		}
	}
}

// TestDeflateAlterETag: the three settings, case-insensitive, inherited by
// a virtual host that sets none; anything else refused with Apache's
// message, naming the line.
func TestDeflateAlterETag(t *testing.T) {
	checkServerSetting(t, func(s *Server) string { return s.Deflate.AlterETag }, []settingCase[string]{
		{conf: ""},
		{conf: "DeflateAlterETag AddSuffix\n"},
		{conf: "DeflateAlterETag NoChange\n", main: "nochange", vhost: "nochange"},
		{conf: "DeflateAlterETag remove\n", main: "remove", vhost: "remove"},
		{conf: "DeflateAlterETag Remove\n<VirtualHost *:80>\nServerName v.example\nDeflateAlterETag AddSuffix\n</VirtualHost>\n", main: "remove"},
		{conf: "DeflateAlterETag Strip\n", err: "DeflateAlterETag accepts only 'NoChange', 'AddSuffix', and 'Remove'"},
		{conf: "<Directory /srv>\nDeflateAlterETag Remove\n</Directory>\n", err: "DeflateAlterETag not allowed in <Directory> context"},
	})
}
