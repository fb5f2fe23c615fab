package static

import (
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"eventmpm/child/http1"
)

// TestParseQuality pins Apache's atoq: three decimals at most, a
// malformed value counting as 1 unless it starts with 0.
func TestParseQuality(t *testing.T) {
	for in, want := range map[string]float32{
		"": 1, "1": 1, "1.0": 1, "0": 0, "0.5": 0.5, ".5": 0.5, "0.123": 0.123, "0.1239": 0.123,
		"0.x": 0, "x": 1, "0.05": 0.05, "2": 1, "0abc": 0,
	} {
		if got := parseQuality(in); got != want {
			t.Errorf("parseQuality(%q) = %v, want %v", in, got, want)
		}
	}
}

// TestBestMatch runs Apache's selection over hand-made variants: each
// case names the variant Apache 2.4 chooses for the headers (checked side
// by side for the language, type and encoding cases), or "" for none
// (406).
func TestBestMatch(t *testing.T) {
	en := variant{name: "p.html.en", typ: "text/html", level: 2, qs: 1, langs: []string{"en"}, size: 13, pseudoHT: true}
	fr := variant{name: "p.html.fr", typ: "text/html", level: 2, qs: 1, langs: []string{"fr"}, size: 18, pseudoHT: true}
	de := variant{name: "p.html.de", typ: "text/html", level: 2, qs: 1, langs: []string{"de"}, size: 15, pseudoHT: true}
	html := variant{name: "d.html", typ: "text/html", level: 2, qs: 1, size: 16, pseudoHT: true}
	txt := variant{name: "d.txt", typ: "text/plain", qs: 1, size: 12}
	gz := variant{name: "e.txt.gz", typ: "text/plain", qs: 1, enc: "gzip", size: 34}
	plain := variant{name: "e.txt", typ: "text/plain", qs: 1, size: 60}
	utf8 := variant{name: "c.txt.utf8", typ: "text/plain", qs: 1, charset: "utf-8", size: 20}
	latin := variant{name: "c.txt", typ: "text/plain", qs: 1, size: 10}
	lowqs := variant{name: "q.png", typ: "image/png", qs: 0.5, size: 1}
	for _, tc := range []struct {
		name    string
		vars    []variant
		headers string
		cfg     DirConfig
		prefer  string
		noGzip  bool
		want    string
	}{
		{name: "smallest", vars: []variant{de, en, fr}, want: "p.html.en"},
		{name: "language", vars: []variant{de, en, fr}, headers: "Accept-Language: fr\r\n", want: "p.html.fr"},
		{name: "language-q", vars: []variant{de, en, fr}, headers: "Accept-Language: de;q=0.5, fr;q=0.4\r\n", want: "p.html.de"},
		{name: "language-none", vars: []variant{de, en, fr}, headers: "Accept-Language: it\r\n", want: ""},
		{name: "language-range-prefix", vars: []variant{de, en, fr}, headers: "Accept-Language: en-GB\r\n", want: "p.html.en"},
		{name: "language-star", vars: []variant{de, en, fr}, headers: "Accept-Language: fr;q=0.2, *;q=0.5\r\n", want: "p.html.en"},
		{name: "priority", vars: []variant{de, en, fr}, cfg: DirConfig{LanguagePriority: []string{"de", "fr"}}, want: "p.html.de"},
		{name: "priority-none", vars: []variant{de, en, fr}, cfg: DirConfig{LanguagePriority: []string{"de"}, ForceLanguage: ForceLanguageNone}, want: "p.html.en"},
		{name: "fallback", vars: []variant{de, en, fr}, headers: "Accept-Language: it\r\n",
			cfg: DirConfig{LanguagePriority: []string{"fr"}, ForceLanguage: ForceLanguageFallback}, want: "p.html.fr"},
		{name: "prefer-language", vars: []variant{de, en, fr}, headers: "Accept-Language: en\r\n", prefer: "de", want: "p.html.de"},
		{name: "prefer-language-missing", vars: []variant{de, en, fr}, headers: "Accept-Language: fr\r\n", prefer: "it", want: "p.html.fr"},
		{name: "type-wildcard-fiddle", vars: []variant{html, txt}, want: "d.txt"},
		{name: "type-named", vars: []variant{html, txt}, headers: "Accept: text/html, */*\r\n", want: "d.html"},
		{name: "type-q", vars: []variant{html, txt}, headers: "Accept: text/html;q=0.4, text/plain;q=0.5\r\n", want: "d.txt"},
		{name: "type-refused", vars: []variant{html, txt}, headers: "Accept: image/png\r\n", want: ""},
		{name: "type-subtype-wildcard", vars: []variant{html, lowqs}, headers: "Accept: image/*, text/html;q=0.9\r\n", want: "d.html"},
		{name: "encoding-no-header", vars: []variant{gz, plain}, want: "e.txt"},
		{name: "encoding-accepted", vars: []variant{gz, plain}, headers: "Accept-Encoding: gzip\r\n", want: "e.txt.gz"},
		{name: "encoding-x-prefix", vars: []variant{gz, plain}, headers: "Accept-Encoding: x-gzip\r\n", want: "e.txt.gz"},
		{name: "encoding-identity-refused", vars: []variant{plain}, headers: "Accept-Encoding: gzip, identity;q=0\r\n", want: ""},
		{name: "encoding-no-gzip", vars: []variant{gz, plain}, headers: "Accept-Encoding: gzip\r\n", noGzip: true, want: "e.txt"},
		{name: "charset-named", vars: []variant{latin, utf8}, headers: "Accept-Charset: utf-8\r\n", want: "c.txt.utf8"},
		{name: "charset-non-latin-preferred", vars: []variant{latin, utf8}, headers: "Accept-Charset: utf-8, iso-8859-1\r\n", want: "c.txt.utf8"},
		{name: "charset-latin-implicit", vars: []variant{latin, utf8}, headers: "Accept-Charset: koi8-r\r\n", want: "c.txt"},
		{name: "source-quality", vars: []variant{lowqs, txt}, headers: "Accept: image/png, text/plain;q=0.6\r\n", want: "d.txt"},
	} {
		t.Run(tc.name, func(t *testing.T) {
			req := &http1.Request{MethodID: http1.MethodGet}
			for line := range strings.SplitSeq(strings.TrimSuffix(tc.headers, "\r\n"), "\r\n") {
				if k, v, ok := strings.Cut(line, ": "); ok {
					req.Headers = append(req.Headers, http1.Header{Name: []byte(k), Value: []byte(v)})
				}
			}
			vars := append([]variant(nil), tc.vars...)
			n := newNegotiation(req, &tc.cfg, &Reply{PreferLanguage: tc.prefer, NoCompress: tc.noGzip})
			got := ""
			if b := n.bestMatch(vars); b != nil {
				got = b.name
			}
			if got != tc.want {
				t.Errorf("chose %q, want %q", got, tc.want)
			}
		})
	}
}

// TestKnownExtensions pins MultiviewsMatch NegotiatedOnly: an extension
// mod_mime does not know must be one of the requested name's words.
func TestKnownExtensions(t *testing.T) {
	m := BuiltinMIMETypes()
	m.AddLanguage("en", "en")
	m.AddEncoding("gz", "gzip")
	for _, tc := range []struct {
		file, name string
		want       bool
	}{
		{"index.html.en", "index", true},
		{"index.html.en", "index.html", true},
		{"index.html.bak", "index", false},
		{"foo.bar.html", "foo", false},
		{"foo.bar.html", "foo.bar", true},
		{"a.b.c.html", "a.c", false},
		{"a.b.c.html", "a.b.c", true},
		{"doc.txt.gz", "doc", true},
	} {
		if got := m.knownExtensions(tc.file, tc.name); got != tc.want {
			t.Errorf("knownExtensions(%q, %q) = %v, want %v", tc.file, tc.name, got, tc.want)
		}
	}
}

// FuzzAcceptList: any header value parses without a panic into elements
// with lowercase names and qualities between 0 and 1.
func FuzzAcceptList(f *testing.F) {
	for _, s := range []string{"text/html;level=1;q=0.5, */*;q=0.01", "en-US,en;q=0.9,*;q=0.1", "gzip, x-gzip;q=0", ";;,,;q=", `a;charset="UTF-8";q=.5`} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, s string) {
		items, ok := parseAcceptList([]byte(s), true)
		if !ok {
			t.Fatal("a present header reported absent")
		}
		for _, it := range items {
			if it.q < 0 || it.q > 1 {
				t.Errorf("%q: quality %v", s, it.q)
			}
			if it.name != strings.ToLower(it.name) {
				t.Errorf("%q: name %q not lowercase", s, it.name)
			}
		}
	})
}

// multiViewsResolver turns MultiViews on everywhere.
type multiViewsResolver struct{}

func (multiViewsResolver) DirConfig(string) DirConfig {
	return DirConfig{FollowSymLinks: true, MultiViews: true, DirectoryIndex: []string{"index.html"}}
}

// BenchmarkNegotiate is a MultiViews request for a name with three
// language variants among ten files: the directory is listed and the
// candidates stat'ed on every request (the listing itself comes from
// the listing cache).
func BenchmarkNegotiate(b *testing.B) {
	dir := b.TempDir()
	for _, name := range []string{"page.html.en", "page.html.fr", "page.html.de", "a.html", "b.css", "c.js", "d.png", "e.txt", "f.html", "g.html"} {
		if err := os.WriteFile(filepath.Join(dir, name), []byte(name), 0o644); err != nil {
			b.Fatal(err)
		}
	}
	m := BuiltinMIMETypes()
	for _, l := range []string{"en", "fr", "de"} {
		m.AddLanguage(l, l)
	}
	h, err := New(Options{DocumentRoot: dir, Resolver: multiViewsResolver{}, Types: m, CacheMaxEntries: 100, CacheMaxFileSize: 1 << 16})
	if err != nil {
		b.Fatal(err)
	}
	defer h.Close()
	h.racyWindow = 0 // the files were just written; a site's have long been there
	req := &http1.Request{MethodID: http1.MethodGet, Headers: []http1.Header{{Name: []byte("Accept-Language"), Value: []byte("fr, en;q=0.8")}}}
	var r Reply
	b.ReportAllocs()
	for b.Loop() {
		h.Serve(req, []byte("/page"), &r)
		if r.Variant != "page.html.fr" {
			b.Fatalf("variant %q, status %d", r.Variant, r.Status)
		}
		r.Release()
	}
}

// newMultiViewsHandler serves dir with MultiViews everywhere and the
// languages en and de; the test's cleanup closes it.
func newMultiViewsHandler(t *testing.T, dir string) *Handler {
	t.Helper()
	m := BuiltinMIMETypes()
	m.AddLanguage("en", "en")
	m.AddLanguage("de", "de")
	h, err := New(Options{DocumentRoot: dir, Resolver: multiViewsResolver{}, Types: m})
	if err != nil {
		t.Fatal(err)
	}
	t.Cleanup(h.Close)
	return h
}

// TestListingCache: a MultiViews directory's listing is kept while the
// directory is unchanged and read again when a name is added or removed;
// a directory that changed within the racy window is not kept.
func TestListingCache(t *testing.T) {
	dir := t.TempDir()
	write := func(name, body string) {
		t.Helper()
		if err := os.WriteFile(filepath.Join(dir, name), []byte(body), 0o644); err != nil {
			t.Fatal(err)
		}
	}
	write("page.html.en", "english, the longer page\n")
	h := newMultiViewsHandler(t, dir)
	serve := func() string {
		t.Helper()
		var r Reply
		defer r.Release()
		h.Serve(&http1.Request{MethodID: http1.MethodGet}, []byte("/page"), &r)
		return r.Variant
	}
	if got := serve(); got != "page.html.en" {
		t.Fatalf("variant %q", got)
	}
	if len(h.listings.m) != 0 {
		t.Fatalf("a directory changed just now was kept: %v", h.listings.m)
	}
	h.now = func() time.Time { return time.Now().Add(time.Hour) } // the directory is an hour old now
	serve()
	if len(h.listings.m) != 1 {
		t.Fatalf("an old directory's listing was not kept")
	}
	write("page.html.de", "de\n") // shorter: chosen when it is seen
	if got := serve(); got != "page.html.de" {
		t.Errorf("after adding a variant: %q, want page.html.de", got)
	}
	if err := os.Remove(filepath.Join(dir, "page.html.de")); err != nil {
		t.Fatal(err)
	}
	if got := serve(); got != "page.html.en" {
		t.Errorf("after removing it: %q, want page.html.en", got)
	}
}

// TestNegotiateConcurrent negotiates from several goroutines while
// variants come and go, for the race detector: the listing cache is
// shared, its listings never change once made, and every answer names a
// variant that existed at some point.
func TestNegotiateConcurrent(t *testing.T) {
	dir := t.TempDir()
	if err := os.WriteFile(filepath.Join(dir, "page.html.en"), []byte("en"), 0o644); err != nil {
		t.Fatal(err)
	}
	h := newMultiViewsHandler(t, dir)
	h.racyWindow = 0
	done := make(chan struct{})
	var wg sync.WaitGroup
	for range 4 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			req := &http1.Request{MethodID: http1.MethodGet}
			var r Reply
			for i := 0; i < 300; i++ {
				h.Serve(req, []byte("/page"), &r)
				if r.Variant != "page.html.en" && r.Variant != "page.html.de" {
					t.Errorf("variant %q, status %d", r.Variant, r.Status)
				}
				r.Release()
			}
		}()
	}
	go func() {
		defer close(done)
		for i := 0; i < 50; i++ {
			name := filepath.Join(dir, "page.html.de")
			if i%2 == 0 {
				os.WriteFile(name, []byte("d"), 0o644)
			} else {
				os.Remove(name)
			}
		}
	}()
	wg.Wait()
	<-done
}
