package child_test

import (
	"os"
	"strconv"
	"syscall"
	"testing"
	"time"
)

// TestFileETag: FileETag decides what a file's ETag is made of, by its
// directory, as Apache 2.4.71 made them side by side: the inode, size and
// modification time in hex; None sends no ETag, and then a listed tag
// never matches (If-Match "x" is 412, If-None-Match * still 304) and a
// gzip answer has none either.
func TestFileETag(t *testing.T) {
	const page = "<p>a page long enough for mod_deflate to compress it, over sixty-eight bytes</p>\n"
	s := startServer(t, `FileETag All
AddOutputFilterByType DEFLATE text/html
<Directory htdocs/none>
    FileETag None
</Directory>
<Directory htdocs/size>
    FileETag -INode -MTime
</Directory>
`, map[string]string{"all.html": page, "none/n.html": page, "size/s.html": page})
	// A file changed in the last second gets a weak ETag (ap_make_etag):
	// date them back.
	past := time.Now().Add(-time.Hour)
	for _, name := range []string{"all.html", "none/n.html", "size/s.html"} {
		if err := os.Chtimes(s.root.Path("htdocs", name), past, past); err != nil {
			t.Fatal(err)
		}
	}
	fi, err := os.Stat(s.root.Path("htdocs", "all.html"))
	if err != nil {
		t.Fatal(err)
	}
	st := fi.Sys().(*syscall.Stat_t)
	hex := func(v uint64) string { return strconv.FormatUint(v, 16) }
	all := `"` + hex(st.Ino) + "-" + hex(uint64(fi.Size())) + "-" + hex(uint64(fi.ModTime().UnixMicro())) + `"`
	c := s.open(t)
	defer c.Close()
	for _, tt := range []struct {
		target, extra string
		status        int
		etag          string // "" for none
	}{
		{"/all.html", "", 200, all},
		{"/all.html", "If-None-Match: " + all + "\r\n", 304, all},
		{"/size/s.html", "", 200, `"` + hex(uint64(len(page))) + `"`},
		{"/none/n.html", "", 200, ""},
		{"/none/n.html", "If-Match: \"x\"\r\n", 412, ""},
		{"/none/n.html", "If-Match: *\r\n", 200, ""},
		{"/none/n.html", "If-None-Match: *\r\n", 304, ""},
		{"/none/n.html", "Accept-Encoding: gzip\r\n", 200, ""},
		{"/none/n.html", "Accept-Encoding: gzip\r\nIf-None-Match: *\r\n", 304, ""},
	} {
		resp, _ := c.roundTrip("GET "+tt.target+" HTTP/1.1\r\nHost: localhost\r\n"+tt.extra+"\r\n", "GET")
		_, hasETag := resp.Header["Etag"]
		got := resp.Header.Get("ETag")
		if resp.StatusCode != tt.status || got != tt.etag || tt.etag == "" && hasETag {
			t.Errorf("%s %q: %d ETag %q, want %d ETag %q", tt.target, tt.extra, resp.StatusCode, got, tt.status, tt.etag)
		}
		// A 304 keeps Last-Modified, as Apache's: under FileETag None it
		// is the only validator the client gets back.
		if lm := resp.Header.Get("Last-Modified"); tt.status == 304 && lm == "" {
			t.Errorf("%s %q: 304 without Last-Modified", tt.target, tt.extra)
		}
	}
}
