package child

import (
	"bufio"
	"bytes"
	"fmt"
	"io"
	"mime"
	"mime/multipart"
	"net/http"
	"strings"
	"testing"
)

// TestEnableSendfileOff serves the same file, larger than the child keeps
// in memory, from a directory with EnableSendfile Off and from one
// without, whole and as a multipart range: every answer is intact, and
// only those from the first directory went through the worker's copy
// buffer (read and written, not sendfile).
func TestEnableSendfileOff(t *testing.T) {
	var b strings.Builder
	for i := 0; b.Len() < 100<<10; i++ {
		fmt.Fprintf(&b, "line %06d\n", i)
	}
	body := b.String()
	tc := newTestChild(t, "Listen 127.0.0.1:80\nDocumentRoot htdocs\n"+
		"<Directory htdocs/copied>\nEnableSendfile Off\n</Directory>\n"+
		"<Directory htdocs/copied/again>\nEnableSendfile On\n</Directory>\n",
		map[string]string{"sent/big.txt": body, "copied/big.txt": body, "copied/again/big.txt": body})
	for _, tt := range []struct {
		path   string
		copied bool
	}{
		{"/sent/big.txt", false},
		{"/copied/big.txt", true},
		{"/copied/again/big.txt", false},
	} {
		for _, rng := range []string{"", "bytes=5-20,70000-70010"} {
			tc.w.copyBuf = nil
			c, peer := tc.connect(t)
			req := "GET " + tt.path + " HTTP/1.1\r\nHost: x\r\n"
			if rng != "" {
				req += "Range: " + rng + "\r\n"
			}
			out := tc.serveOnce(t, c, peer, req+"\r\n")
			resp, err := http.ReadResponse(bufio.NewReader(strings.NewReader(out)), nil)
			if err != nil {
				t.Fatalf("%s %q: %v", tt.path, rng, err)
			}
			got, err := io.ReadAll(resp.Body)
			if err != nil {
				t.Fatalf("%s %q: body: %v", tt.path, rng, err)
			}
			if rng == "" {
				if resp.StatusCode != 200 || string(got) != body {
					t.Errorf("%s: got %d and %d bytes, want 200 and the file's %d", tt.path, resp.StatusCode, len(got), len(body))
				}
			} else {
				_, params, _ := mime.ParseMediaType(resp.Header.Get("Content-Type"))
				mr := multipart.NewReader(bytes.NewReader(got), params["boundary"])
				var parts []string
				for {
					p, err := mr.NextPart()
					if err != nil {
						break
					}
					pb, _ := io.ReadAll(p)
					parts = append(parts, string(pb))
				}
				if want := []string{body[5:21], body[70000:70011]}; resp.StatusCode != 206 || fmt.Sprint(parts) != fmt.Sprint(want) {
					t.Errorf("%s %q: got %d %q, want 206 %q", tt.path, rng, resp.StatusCode, parts, want)
				}
			}
			if used := tc.w.copyBuf != nil; used != tt.copied {
				t.Errorf("%s %q: read and written: %v, want %v", tt.path, rng, used, tt.copied)
			}
		}
	}
}
