package child_test

import (
	"net/http"
	"strconv"
	"strings"
	"testing"
	"time"
)

const expiresConf = `ExpiresActive On
ExpiresDefault "access plus 1 hour"
ExpiresByType text/css "access plus 1 year"
ExpiresByType image/* "modification plus 1 day"
<Directory htdocs/off>
    ExpiresActive Off
</Directory>
<Directory htdocs/now>
    ExpiresDefault A0
</Directory>
Redirect /moved /index.html
`

// TestExpires: mod_expires' Expires and Cache-Control max-age on 2xx and
// 3xx responses (a redirect, a 304 typed and dated by its file, as
// Apache's expires filter), by media type (exact, then type/*), by
// default, from the request's time or the file's modification time (never
// in the past), and none where ExpiresActive is Off or the response is an
// error.
func TestExpires(t *testing.T) {
	s := startServer(t, expiresConf, map[string]string{
		"index.html": "home\n",
		"style.css":  "body{}\n",
		"old.png":    "png",
		"new.png":    "png",
		"off/a.txt":  "off\n",
		"now/a.txt":  "now\n",
	})
	setMtime(t, s.root, "old.png", time.Now().Add(-48*time.Hour))
	setMtime(t, s.root, "new.png", time.Now())
	c := s.open(t)
	defer c.Close()
	get := func(target, extra string) *http.Response {
		resp, _ := c.roundTrip("GET "+target+" HTTP/1.1\r\nHost: localhost\r\n"+extra+"\r\n", "GET")
		return resp
	}
	// maxAge checks the response's max-age is within [lo, hi] and that
	// Expires is that far after Date.
	maxAge := func(target string, resp *http.Response, lo, hi int) {
		t.Helper()
		cc := resp.Header.Values("Cache-Control")
		if len(cc) != 1 || !strings.HasPrefix(cc[0], "max-age=") {
			t.Errorf("%s: Cache-Control %q, want one max-age", target, cc)
			return
		}
		n, err := strconv.Atoi(strings.TrimPrefix(cc[0], "max-age="))
		if err != nil || n < lo || n > hi {
			t.Errorf("%s: %s, want max-age in [%d, %d]", target, cc[0], lo, hi)
		}
		date, err1 := http.ParseTime(resp.Header.Get("Date"))
		exp, err2 := http.ParseTime(resp.Header.Get("Expires"))
		if d := exp.Sub(date); err1 != nil || err2 != nil || d < time.Duration(n-1)*time.Second || d > time.Duration(n+1)*time.Second {
			t.Errorf("%s: Date %q, Expires %q, want %d s apart", target, resp.Header.Get("Date"), resp.Header.Get("Expires"), n)
		}
	}
	maxAge("/index.html", get("/index.html", ""), 3600, 3600)
	maxAge("/style.css", get("/style.css", ""), 31536000, 31536000)
	maxAge("/old.png", get("/old.png", ""), 0, 0) // a day after a file two days old: now
	maxAge("/new.png", get("/new.png", ""), 86398, 86400)
	maxAge("/now/a.txt", get("/now/a.txt", ""), 0, 0)
	if resp := get("/moved", ""); resp.StatusCode != 302 {
		t.Errorf("/moved: %d, want 302", resp.StatusCode)
	} else {
		maxAge("/moved", resp, 3600, 3600)
	}
	lm := get("/new.png", "").Header.Get("Last-Modified")
	if resp := get("/new.png", "If-Modified-Since: "+lm+"\r\n"); resp.StatusCode != 304 {
		t.Errorf("/new.png with If-Modified-Since: %d, want 304", resp.StatusCode)
	} else {
		maxAge("/new.png 304", resp, 86397, 86400) // image/*'s modification-based code, not the default
	}
	for _, target := range []string{"/off/a.txt", "/missing"} {
		resp := get(target, "")
		if resp.Header.Get("Expires") != "" || resp.Header.Get("Cache-Control") != "" {
			t.Errorf("%s (%d): Expires %q, Cache-Control %q; want neither", target, resp.StatusCode,
				resp.Header.Get("Expires"), resp.Header.Get("Cache-Control"))
		}
	}
}
