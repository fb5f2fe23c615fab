package static_test

import "testing"

func TestSmoke(t *testing.T) {
	s := buildSite(t)
	h := newHandler(t, s, nil)
	for _, p := range []string{"/", "/hello.txt", "/hello.txt", "/big.bin", "/sub", "/sub/", "/listed/", "/nofollow/link.txt", "/link-out.txt", "/.htaccess", "/missing", "/fifo", "/noindex/", "/loop"} {
		r := serve(t, h, "GET", p)
		b := r.Body
		if len(b) > 60 {
			b = b[:60]
		}
		t.Logf("%s → %d %s %q hdr=%q loc=%q err=%v", p, r.Status, r.Kind, b, r.Header, r.Location, r.Err)
	}
}
