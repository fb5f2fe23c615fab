package child

import (
	"slices"
	"testing"

	"eventmpm/config"
)

// TestSiteDirDepth: the depth below which a site's <Directory> answers
// stop changing is the component count of its deepest literal or wildcard
// section, and there is none once a regex section exists.
func TestSiteDirDepth(t *testing.T) {
	dir := func(pattern string, regex bool) config.Section {
		return config.Section{Kind: config.SectionDirectory, Pattern: pattern, Regex: regex}
	}
	tests := []struct {
		name string
		secs []config.Section
		want int
	}{
		{name: "none", want: 0},
		{name: "root only", secs: []config.Section{dir("/", false)}, want: 0},
		{name: "literal", secs: []config.Section{dir("/", false), dir("/srv/www/htdocs", false)}, want: 3},
		{name: "trailing slash", secs: []config.Section{dir("/srv/www/", false)}, want: 2},
		{name: "wildcard", secs: []config.Section{dir("/home/*/public_html", false), dir("/srv", false)}, want: 3},
		{name: "regex", secs: []config.Section{dir("/srv", false), dir(`^/srv/.*/cgi`, true)}, want: -1},
		{name: "files and locations do not count", secs: []config.Section{
			{Kind: config.SectionFiles, Pattern: "a/b/c/d"}, {Kind: config.SectionLocation, Pattern: "/a/b/c/d/e"}}, want: 0},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			var s site
			if err := s.compileSections(tt.secs); err != nil {
				t.Fatal(err)
			}
			if got := s.DirDepth(); got != tt.want {
				t.Errorf("DirDepth() = %d, want %d", got, tt.want)
			}
		})
	}
}

// optionsSection is a section with absolute Options (delta nil) or
// relative ones (delta set; Options is then what config stores, the delta
// over the server's Options, which the merge must not use).
func optionsSection(kind config.SectionKind, pattern string, abs *config.OptionFlags, delta *config.OptionsDelta) config.Section {
	s := config.Section{Kind: kind, Pattern: pattern, Options: abs, OptionsDelta: delta}
	if delta != nil {
		stale := config.OptionFlags{FollowSymLinks: true, Indexes: true, SymLinksIfOwnerMatch: true}
		s.Options = &stale
	}
	return s
}

// TestSiteDirConfig: a directory's Options start from the server's and
// merge the matching <Directory> sections shortest first, relative ones
// over what the enclosing ones produced; the request's own directory then
// merges <Files> and <Location> for Indexes and DirectoryIndex only, and
// that never leaks into the per-directory answer.
func TestSiteDirConfig(t *testing.T) {
	none := &config.OptionFlags{}
	idxFSL := &config.OptionFlags{Indexes: true, FollowSymLinks: true}
	plusIdx := &config.OptionsDelta{Add: config.OptionFlags{Indexes: true}}
	minusFSL := &config.OptionsDelta{Remove: config.OptionFlags{FollowSymLinks: true}}
	minusIdxFSL := &config.OptionsDelta{Remove: config.OptionFlags{Indexes: true, FollowSymLinks: true}}
	dir, loc, files := config.SectionDirectory, config.SectionLocation, config.SectionFiles
	tests := []struct {
		name      string
		server    config.OptionFlags
		secs      []config.Section
		dir, url  string
		wantDir   config.OptionFlags // DirConfig(dir)
		wantIndex bool               // RequestConfig(url, dir).Indexes
	}{
		{name: "server options are the base", server: config.OptionFlags{}, dir: "/srv/www", url: "/",
			wantDir: config.OptionFlags{}},
		{name: "server indexes", server: config.OptionFlags{Indexes: true}, dir: "/srv/www", url: "/",
			wantDir: config.OptionFlags{Indexes: true}, wantIndex: true},
		{name: "relative keeps inherited indexes", server: config.OptionFlags{FollowSymLinks: true},
			secs: []config.Section{optionsSection(dir, "/srv/www/d/", nil, minusFSL), optionsSection(dir, "/srv/www/", idxFSL, nil)},
			dir:  "/srv/www/d", url: "/d/", wantDir: config.OptionFlags{Indexes: true}, wantIndex: true},
		{name: "relative over enclosing none", server: config.OptionFlags{FollowSymLinks: true},
			secs: []config.Section{optionsSection(dir, "/", none, nil), optionsSection(dir, "/srv/www/", nil, plusIdx)},
			dir:  "/srv/www", url: "/", wantDir: config.OptionFlags{Indexes: true}, wantIndex: true},
		{name: "location adds indexes", server: config.OptionFlags{FollowSymLinks: true},
			secs: []config.Section{optionsSection(loc, "/list", nil, plusIdx)},
			dir:  "/srv/www/list", url: "/list/", wantDir: config.OptionFlags{FollowSymLinks: true}, wantIndex: true},
		{name: "location elsewhere", server: config.OptionFlags{FollowSymLinks: true},
			secs: []config.Section{optionsSection(loc, "/list", nil, plusIdx)},
			dir:  "/srv/www/other", url: "/other/", wantDir: config.OptionFlags{FollowSymLinks: true}},
		{name: "location after files", server: config.OptionFlags{FollowSymLinks: true},
			secs: []config.Section{optionsSection(loc, "/", idxFSL, nil), optionsSection(files, "*", nil, minusIdxFSL)},
			dir:  "/srv/www", url: "/", wantDir: config.OptionFlags{FollowSymLinks: true}, wantIndex: true},
		{name: "files removes indexes", server: config.OptionFlags{Indexes: true},
			secs: []config.Section{optionsSection(files, "*", nil, minusIdxFSL)},
			dir:  "/srv/www", url: "/", wantDir: config.OptionFlags{Indexes: true}},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			s := site{cfg: &config.Server{Options: tt.server, DirectoryIndex: []string{"index.html"}}}
			if err := s.compileSections(tt.secs); err != nil {
				t.Fatal(err)
			}
			for range 2 { // the second round answers from dirCache
				rc := s.RequestConfig(tt.url, tt.dir)
				dc := s.DirConfig(tt.dir)
				got := config.OptionFlags{FollowSymLinks: dc.FollowSymLinks, SymLinksIfOwnerMatch: dc.SymLinksIfOwnerMatch, Indexes: dc.Indexes}
				if got != tt.wantDir {
					t.Errorf("DirConfig(%q) options = %+v, want %+v", tt.dir, got, tt.wantDir)
				}
				if rc.Indexes != tt.wantIndex {
					t.Errorf("RequestConfig(%q, %q).Indexes = %v, want %v", tt.url, tt.dir, rc.Indexes, tt.wantIndex)
				}
				if rc.FollowSymLinks != dc.FollowSymLinks || rc.SymLinksIfOwnerMatch != dc.SymLinksIfOwnerMatch {
					t.Errorf("RequestConfig symlink options %+v differ from DirConfig's %+v", rc, dc)
				}
			}
		})
	}
}

// TestSiteRequestConfigDirectoryIndex: DirectoryIndex in a <Location>
// overrides the directory's for that URL path only.
func TestSiteRequestConfigDirectoryIndex(t *testing.T) {
	s := site{cfg: &config.Server{Options: config.OptionFlags{FollowSymLinks: true}, DirectoryIndex: []string{"index.html"}}}
	secs := []config.Section{
		{Kind: config.SectionDirectory, Pattern: "/srv/www/", DirectoryIndex: []string{"home.html"}},
		{Kind: config.SectionLocation, Pattern: "/d", DirectoryIndex: []string{"a.txt"}},
	}
	if err := s.compileSections(secs); err != nil {
		t.Fatal(err)
	}
	tests := []struct {
		url, dir string
		want     string
	}{
		{url: "/d/", dir: "/srv/www/d", want: "a.txt"},
		{url: "/e/", dir: "/srv/www/e", want: "home.html"},
		{url: "/", dir: "/srv/www", want: "home.html"},
	}
	for _, tt := range tests {
		if got := s.RequestConfig(tt.url, tt.dir).DirectoryIndex; len(got) != 1 || got[0] != tt.want {
			t.Errorf("RequestConfig(%q, %q).DirectoryIndex = %q, want [%s]", tt.url, tt.dir, got, tt.want)
		}
		if got := s.DirConfig(tt.dir).DirectoryIndex; got[0] != "home.html" {
			t.Errorf("DirConfig(%q).DirectoryIndex = %q, want [home.html]", tt.dir, got)
		}
	}
}

func TestHostPort(t *testing.T) {
	for _, tt := range []struct {
		host string
		want int
	}{
		{"example.com:8080", 8080}, {"example.com", 0}, {"[::1]:81", 81}, {"[::1]", 0},
		{"example.com:", 0}, {"example.com:99999", 0}, {"example.com:123456", 0}, {":80", 80}, {"", 0},
	} {
		if got := hostPort([]byte(tt.host)); got != tt.want {
			t.Errorf("hostPort(%q) = %d, want %d", tt.host, got, tt.want)
		}
	}
}

// TestNextLevel: the directory levels an AccessFileName is looked for at,
// the root first, a trailing slash adding none.
func TestNextLevel(t *testing.T) {
	for _, tt := range []struct {
		fs   string
		want []string
	}{
		{"/srv/www/a.html", []string{"/", "/srv", "/srv/www", "/srv/www/a.html"}},
		{"/srv/www/dir/", []string{"/", "/srv", "/srv/www", "/srv/www/dir"}},
		{"/", []string{"/"}},
		{"/a", []string{"/", "/a"}},
		{"", nil},
	} {
		var got []string
		for end := nextLevel([]byte(tt.fs), 0); end > 0; end = nextLevel([]byte(tt.fs), end) {
			got = append(got, tt.fs[:end])
		}
		if !slices.Equal(got, tt.want) {
			t.Errorf("levels of %q: got %q, want %q", tt.fs, got, tt.want)
		}
	}
}
