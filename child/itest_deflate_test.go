package child_test

import (
	"compress/gzip"
	"fmt"
	"io"
	"strings"
	"testing"
)

const deflateConf = `AddOutputFilterByType DEFLATE text/html text/css
DeflateCompressionLevel 9
BrowserMatch "^OldProxy" no-gzip
BrowserMatch "^Mozilla/4" gzip-only-text/html
`

// TestDeflate: the configured types go gzip-compressed, with
// Content-Encoding, Vary and the -gzip ETag, to a client that accepts gzip,
// on a miss and from the cache; not to one that does not, not with
// SetEnvIf's no-gzip, not for other types, and with gzip-only-text/html=1
// for text/html alone.
func TestDeflate(t *testing.T) {
	page := strings.Repeat("<p>compress me</p>\n", 200)
	s := startServer(t, deflateConf, map[string]string{"page.html": page, "a.txt": "text\n", "s.css": page})
	c := s.open(t)
	defer c.Close()
	for pass := 0; pass < 2; pass++ {
		resp, body := c.roundTrip("GET /page.html HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\n\r\n", "GET")
		if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("Vary") != "Accept-Encoding" ||
			!strings.HasSuffix(resp.Header.Get("ETag"), `-gzip"`) || len(body) >= len(page)/4 {
			t.Fatalf("pass %d: %d %v, %d bytes", pass, resp.StatusCode, resp.Header, len(body))
		}
		zr, err := gzip.NewReader(strings.NewReader(body))
		if err != nil {
			t.Fatal(err)
		}
		if got, _ := io.ReadAll(zr); string(got) != page {
			t.Fatalf("pass %d: the page did not survive compression", pass)
		}
	}
	for _, tt := range []struct{ name, hdr, target string }{
		{"no Accept-Encoding", "", "/page.html"},
		{"no-gzip", "Accept-Encoding: gzip\r\nUser-Agent: OldProxy/1\r\n", "/page.html"},
		{"another type", "Accept-Encoding: gzip\r\n", "/a.txt"},
		{"gzip-only-text/html", "Accept-Encoding: gzip\r\nUser-Agent: Mozilla/4.0\r\n", "/s.css"},
	} {
		resp, body := c.roundTrip("GET "+tt.target+" HTTP/1.1\r\nHost: localhost\r\n"+tt.hdr+"\r\n", "GET")
		if resp.Header.Get("Content-Encoding") != "" || resp.StatusCode != 200 || len(body) == 0 {
			t.Errorf("%s: %d %v", tt.name, resp.StatusCode, resp.Header)
		}
		// mod_deflate adds Vary for a client without gzip, not under no-gzip
		// or gzip-only-text/html.
		if vary := resp.Header.Get("Vary"); vary != map[string]string{"no Accept-Encoding": "Accept-Encoding"}[tt.name] {
			t.Errorf("%s: Vary %q", tt.name, vary)
		}
	}
}

// TestDeflateAlterETag: DeflateAlterETag in a virtual host of its own and
// inherited from the server: Remove sends the compressed page without an
// ETag, NoChange with the plain file's.
func TestDeflateAlterETag(t *testing.T) {
	t.Parallel()
	page := strings.Repeat("<p>compress me</p>\n", 200)
	s := startServer(t, deflateConf+"DeflateAlterETag Remove\n<VirtualHost *:*>\nServerName keep.example\nDeflateAlterETag NoChange\n</VirtualHost>\n"+
		"<VirtualHost *:*>\nServerName localhost\n</VirtualHost>\n", map[string]string{"page.html": page})
	c := s.open(t)
	defer c.Close()
	plain, _ := c.roundTrip("GET /page.html HTTP/1.1\r\nHost: keep.example\r\n\r\n", "GET")
	for _, tc := range []struct{ host, etag string }{{"localhost", ""}, {"keep.example", plain.Header.Get("ETag")}} {
		resp, _ := c.roundTrip("GET /page.html HTTP/1.1\r\nHost: "+tc.host+"\r\nAccept-Encoding: gzip\r\n\r\n", "GET")
		_, has := resp.Header["Etag"]
		if resp.Header.Get("Content-Encoding") != "gzip" || resp.Header.Get("ETag") != tc.etag || tc.etag == "" && has {
			t.Errorf("%s: Content-Encoding %q ETag %q, want gzip and %q", tc.host, resp.Header.Get("Content-Encoding"), resp.Header.Get("ETag"), tc.etag)
		}
	}
	if plain.Header.Get("ETag") == "" {
		t.Errorf("the plain page has no ETag")
	}
}

const outputFilterConf = `AddOutputFilter DEFLATE html .CSS
<Directory htdocs/js>
    SetOutputFilter DEFLATE
</Directory>
<Directory htdocs/raw>
    RemoveOutputFilter html
</Directory>
<Files "*.min.css">
    RemoveOutputFilter css
</Files>
`

// TestOutputFilters: SetOutputFilter DEFLATE compresses every file in its
// scope whatever its type; AddOutputFilter DEFLATE by extension (any of a
// name's extensions, as mod_mime reads them); RemoveOutputFilter undoes an
// outer AddOutputFilter in a <Directory> or <Files>, as Apache 2.4.71
// answered the same requests.
func TestOutputFilters(t *testing.T) {
	body := strings.Repeat("compress me, compress me\n", 40)
	s := startServer(t, outputFilterConf, map[string]string{
		"a.html": body, "a.html.en": body, "a.css": body, "a.min.css": body, "a.txt": body,
		"js/app.bin": body, "raw/b.html": body, "js/tiny.bin": "too small to be worth it\n",
	})
	c := s.open(t)
	defer c.Close()
	for _, tt := range []struct {
		path string
		gzip bool
	}{
		{"/a.html", true}, {"/a.html.en", true}, {"/a.css", true}, {"/a.min.css", false}, {"/a.txt", false},
		{"/js/app.bin", true}, {"/raw/b.html", false}, {"/js/tiny.bin", false},
	} {
		resp, got := c.roundTrip("GET "+tt.path+" HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\n\r\n", "GET")
		if enc := resp.Header.Get("Content-Encoding"); (enc == "gzip") != tt.gzip || resp.StatusCode != 200 {
			t.Errorf("%s: %d, Content-Encoding %q, want gzip %v", tt.path, resp.StatusCode, enc, tt.gzip)
			continue
		}
		if !tt.gzip {
			continue
		}
		zr, err := gzip.NewReader(strings.NewReader(got))
		if err != nil {
			t.Fatal(err)
		}
		if plain, _ := io.ReadAll(zr); string(plain) != body || resp.Header.Get("Vary") != "Accept-Encoding" {
			t.Errorf("%s: the body did not survive, or Vary %q", tt.path, resp.Header.Get("Vary"))
		}
	}
}

// TestDeflateGzipOnlyHTML: under gzip-only-text/html=1 a text/html file is
// still compressed, and a value other than "1" changes nothing, as in
// mod_deflate.
func TestDeflateGzipOnlyHTML(t *testing.T) {
	page := strings.Repeat("<p>compress me</p>\n", 200)
	s := startServer(t, deflateConf+"BrowserMatch \"^Mozilla/5\" gzip-only-text/html=yes\n",
		map[string]string{"page.html": page, "s.css": page})
	c := s.open(t)
	defer c.Close()
	for _, tt := range []struct{ ua, path, enc string }{
		{"Mozilla/4.0", "/page.html", "gzip"},
		{"Mozilla/5.0", "/s.css", "gzip"},
		{"Mozilla/4.0", "/s.css", ""},
	} {
		resp, _ := c.roundTrip("GET "+tt.path+" HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\nUser-Agent: "+tt.ua+"\r\n\r\n", "GET")
		if got := resp.Header.Get("Content-Encoding"); got != tt.enc {
			t.Errorf("%s %s: Content-Encoding %q, want %q", tt.ua, tt.path, got, tt.enc)
		}
	}
}

// TestAddEncoding: a file stored coded (AddEncoding gzip svgz, as the
// h5bp server configs have it) is sent as it is stored, with its coding,
// its type from the other extensions' AddType, and no Vary; it is not
// compressed again even when its type is one DEFLATE takes, as Apache
// 2.4.71 answered.
func TestAddEncoding(t *testing.T) {
	var zipped strings.Builder
	zw := gzip.NewWriter(&zipped)
	zw.Write([]byte(strings.Repeat("<svg></svg>\n", 50)))
	zw.Close()
	s := startServer(t, "AddEncoding GZIP svgz\nAddEncoding x-gzip .gz\nAddType image/svg+xml svg svgz\nAddOutputFilterByType DEFLATE image/svg+xml\n",
		map[string]string{"pic.svgz": zipped.String(), "pic.svg.gz": zipped.String()})
	c := s.open(t)
	defer c.Close()
	for _, tt := range []struct{ path, enc string }{{"/pic.svgz", "gzip"}, {"/pic.svg.gz", "x-gzip"}} {
		resp, body := c.roundTrip("GET "+tt.path+" HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\n\r\n", "GET")
		if resp.Header.Get("Content-Encoding") != tt.enc || resp.Header.Get("Vary") != "" || body != zipped.String() {
			t.Errorf("%s: Content-Encoding %q, Vary %q, %d bytes (stored %d)", tt.path, resp.Header.Get("Content-Encoding"),
				resp.Header.Get("Vary"), len(body), zipped.Len())
		}
		if tt.path == "/pic.svgz" && resp.Header.Get("Content-Type") != "image/svg+xml" {
			t.Errorf("%s: Content-Type %q", tt.path, resp.Header.Get("Content-Type"))
		}
	}
}

// TestDeflateFilterNote: DeflateFilterNote's Input, Output and Ratio
// notes log a compressed response's sizes (the deflate stream's, as
// Apache counts them: the body less gzip's 18 bytes of framing) for GET
// and HEAD, "-" for a response sent as it is; a later note without type
// takes the ratio's name, as in mod_deflate.
func TestDeflateFilterNote(t *testing.T) {
	page := strings.Repeat("<p>compress me</p>\n", 200)
	s := startServer(t, deflateConf+"DeflateFilterNote Input in\nDeflateFilterNote output OUT\nDeflateFilterNote Ratio r1\nDeflateFilterNote r2\n"+
		"LogFormat \"%m|%U|%{in}n|%{out}n|%{r1}n|%{r2}n|%b\" dn\nCustomLog logs/dn_log dn\n", map[string]string{"page.html": page})
	c := s.open(t)
	_, body := c.roundTrip("GET /page.html HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\n\r\n", "GET")
	c.roundTrip("HEAD /page.html HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\n\r\n", "HEAD")
	c.roundTrip("GET /page.html HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
	c.Close()
	s.stop(t)
	out := len(body) - 18
	ratio := out * 100 / len(page)
	expectContains(t, "dn_log", s.logFile("dn_log"),
		fmt.Sprintf("GET|/page.html|%d|%d|-|%d|%d\n", len(page), out, ratio, len(body)),
		fmt.Sprintf("HEAD|/page.html|%d|%d|-|%d|-\n", len(page), out, ratio),
		fmt.Sprintf("GET|/page.html|-|-|-|-|%d\n", len(page)))
}
