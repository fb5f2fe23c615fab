package child

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"eventmpm/config"
)

// TestAccessFileSameText: within the racy window a file whose stat did
// not change is compared by contents (a second write in one timestamp
// tick of the same size leaves the stat as it was); after it, not.
func TestAccessFileSameText(t *testing.T) {
	p := filepath.Join(t.TempDir(), ".htaccess")
	if err := os.WriteFile(p, []byte("Require all denied\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	af := &accessFile{text: []byte("Require all denied\n"), racyUntil: time.Now().Add(time.Hour).UnixNano()}
	if !af.sameText([]byte(p)) {
		t.Fatal("unchanged file reported changed")
	}
	if err := os.WriteFile(p, []byte("Require all granted\n"), 0o644); err != nil {
		t.Fatal(err)
	}
	if af.sameText([]byte(p)) {
		t.Fatal("changed contents within the racy window not seen")
	}
	af.racyUntil = time.Now().Add(-time.Second).UnixNano()
	if !af.sameText([]byte(p)) {
		t.Fatal("contents compared after the racy window")
	}
}

// TestAccessFileView: the sections of the AccessFileName files found merge
// into a site's <Directory> sections as Apache's directory walk merges
// them: after the configuration's sections of the same depth, before
// deeper ones, and before every regex form; their <Files> sections after
// the configuration's, shallower files first.
func TestAccessFileView(t *testing.T) {
	dir := func(pattern string, regex bool) config.Section {
		return config.Section{Kind: config.SectionDirectory, Pattern: pattern, Regex: regex}
	}
	s := &site{cfg: &config.Server{}}
	nested := dir("/srv/www/", false)
	nested.Files = []config.Section{{Kind: config.SectionFiles, Pattern: "*.in-config"}}
	if err := s.compileSections([]config.Section{
		dir("/srv/www/a/", false), dir("/", false), dir("^/srv/.*", true), nested,
		{Kind: config.SectionFiles, Pattern: "*.conf"},
	}); err != nil {
		t.Fatal(err)
	}
	file := func(d string) *accessFile {
		sec := dir(d+"/", false)
		sec.Pos.File = d + "/.htaccess"
		sec.Files = []config.Section{{Kind: config.SectionFiles, Pattern: "*.bak" + d}}
		cs, err := compileSection(&sec)
		if err != nil {
			t.Fatal(err)
		}
		if cs.files, err = compileNested(&cs); err != nil {
			t.Fatal(err)
		}
		return &accessFile{dir: d, dirSec: &cs}
	}
	v := s.newView(map[string]*accessFile{
		"/srv/www/a/b": file("/srv/www/a/b"), "/srv/www": file("/srv/www"), "/srv/www/a": file("/srv/www/a"),
		"/srv/gone": {dir: "/srv/gone", status: 500},
	})
	var got []string
	for _, d := range v.dirs {
		got = append(got, d.prefix)
	}
	want := []string{"/", "/srv/www/", "/srv/www/", "/srv/www/a/", "/srv/www/a/", "/srv/www/a/b/", "^/srv/.*"}
	if !slices.Equal(got, want) {
		t.Errorf("dirs: got %q, want %q", got, want)
	}
	if v.dirs[1].sec.Pos.File != "" || v.dirs[2].sec.Pos.File != "/srv/www/.htaccess" {
		t.Errorf("at /srv/www/: %q then %q, want the configuration's section first", v.dirs[1].sec.Pos.File, v.dirs[2].sec.Pos.File)
	}
	got = got[:0]
	for _, f := range v.files {
		got = append(got, f.prefix)
	}
	want = []string{"*.conf", "*.in-config", "*.bak/srv/www", "*.bak/srv/www/a", "*.bak/srv/www/a/b"}
	if !slices.Equal(got, want) {
		t.Errorf("files: got %q, want %q", got, want)
	}
	parent := &section{prefix: "/srv/www/"}
	for _, tt := range []struct {
		parent *section
		path   string
		want   bool
	}{
		{parent, "/srv/www/x.bak", true},
		{parent, "/srv/www/a/x.bak", true},
		{parent, "/srv/www", true},
		{parent, "/srv/wwwx/x.bak", false},
		{parent, "/srv/x.bak", false},
		{nil, "/anything", true},
	} {
		if got := (&section{parent: tt.parent}).isWithin([]byte(tt.path)); got != tt.want {
			t.Errorf("%q within %v = %v, want %v", tt.path, tt.parent != nil, got, tt.want)
		}
	}
}
