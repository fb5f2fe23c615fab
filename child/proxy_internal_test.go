package child

import (
	"testing"

	"eventmpm/config"
)

// TestAppendCookie: ProxyPassReverseCookiePath and -Domain as
// ap_proxy_cookie_reverse_map: the last path= and domain= count, a
// mapping whose internal value begins theirs replaces the whole value
// (the domain without regard to case), the rest is kept byte for byte.
// Apache 2.4.71 gave the first four lines for the same cookies.
func TestAppendCookie(t *testing.T) {
	sp := &siteProxy{
		cookiePaths:   []config.ProxyReverse{{Path: "/internal", URL: "/public"}},
		cookieDomains: []config.ProxyReverse{{Path: "backend.local", URL: "www.example.com"}},
	}
	for in, want := range map[string]string{
		"a=1; Path=/internal/x; Domain=backend.local; HttpOnly": "a=1; Path=/public; Domain=www.example.com; HttpOnly",
		"b=2; domain=Backend.Local; path=/other":                "b=2; domain=www.example.com; path=/other",
		"c=3;path=/internal;path=/nope":                         "c=3;path=/internal;path=/nope",
		"d=4; Max-Age=5":                                        "d=4; Max-Age=5",
		"e=5; path=/nope; path=/internal":                       "e=5; path=/nope; path=/public",
		"f=6;Domain=backend.local.example;Path=/internal":       "f=6;Domain=www.example.com;Path=/public",
		"": "",
	} {
		if got := string(sp.appendCookie([]byte("x"), in)); got != "x"+want {
			t.Errorf("%q: got %q, want %q", in, got[1:], want)
		}
	}
	if got := string((&siteProxy{}).appendCookie(nil, "a=1; path=/internal")); got != "a=1; path=/internal" {
		t.Errorf("without mappings: %q", got)
	}
}
