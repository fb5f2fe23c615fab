package child

import (
	"os"
	"path/filepath"
	"slices"
	"testing"
	"time"

	"eventmpm/config"

	"golang.org/x/sys/unix"
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

// TestAccessFileFailureKept: a file that cannot be read (here a
// directory named .htaccess) is remembered with its stamp: passing it
// again neither reads it again nor replaces the view (which would drop
// the static handlers' caches on every request).
func TestAccessFileFailureKept(t *testing.T) {
	dir := t.TempDir()
	p := filepath.Join(dir, ".htaccess")
	if err := os.Mkdir(p, 0o755); err != nil {
		t.Fatal(err)
	}
	s := &site{cfg: &config.Server{}}
	if err := s.compileSections(nil); err != nil {
		t.Fatal(err)
	}
	var st unix.Stat_t
	if err := unix.Stat(p, &st); err != nil {
		t.Fatal(err)
	}
	af, v := s.readAccessFile(nil, dir, p, stampOf(&st), config.Overrides{})
	if af.status != 500 || v.found[dir] != af {
		t.Fatalf("first read: status %d, kept %v", af.status, v.found[dir] == af)
	}
	af2, v2 := s.readAccessFile(nil, dir, p, stampOf(&st), config.Overrides{})
	if af2 != af || v2 != v {
		t.Errorf("second read: a new reading (%v) or a new view (%v)", af2 != af, v2 != v)
	}
}

// BenchmarkAccessFiles measures what a site that allows overrides adds to
// every request once its files are read: the look-ups on the way to a
// file two levels below the DocumentRoot, one .htaccess on the way; with
// skipLast as for a file the open-file cache holds (no look-up "in" it).
func BenchmarkAccessFiles(b *testing.B) {
	for _, skipLast := range []bool{false, true} {
		b.Run(map[bool]string{false: "uncached", true: "cached"}[skipLast], func(b *testing.B) { benchmarkAccessFiles(b, skipLast) })
	}
}

func benchmarkAccessFiles(b *testing.B, skipLast bool) {
	tc := newTestChild(b, "Listen 127.0.0.1:80\nDocumentRoot htdocs\n<Directory htdocs>\nAllowOverride All\n</Directory>\n",
		map[string]string{"a/.htaccess": "Header set X-A 1\n", "a/b/index.html": "x\n"})
	fs := []byte(tc.ch.main.cfg.DocumentRoot + "/a/b/index.html")
	time.Sleep(accessRacyWindow + 100*time.Millisecond) // a file as old as a site's: read once, then only stat'ed
	if st, _ := tc.ch.main.syncAccessFiles(tc.w, fs, skipLast); st != 0 {
		b.Fatalf("status %d", st)
	}
	v := tc.ch.main.view.Load()
	b.ReportAllocs()
	b.ResetTimer()
	for b.Loop() {
		tc.ch.main.syncAccessFiles(tc.w, fs, skipLast)
	}
	b.StopTimer()
	if tc.ch.main.view.Load() != v {
		b.Fatal("the view was replaced: the file was read again")
	}
}
