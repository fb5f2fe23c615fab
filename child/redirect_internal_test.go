package child

import (
	"regexp"
	"testing"
)

func TestRedirectMatchTarget(t *testing.T) {
	for _, tt := range []struct {
		re, tmpl, path, want string
	}{
		{`^/img/(.*)\.gif$`, "http://x/$1.png", "/img/a b.gif", "http://x/a%20b.png"},
		{`^/(a)(b)?`, "/$2-$1-$0-$9", "/a", "/-a-/a-"},
		{`^/q/(.*)`, "/s?q=$1#f", "/q/x y", "/s?q=x y#f"}, // query and fragment are not escaped, as Apache
		{`^/(.*)`, `/\$1\\`, "/z", `/$1%5c`},              // Apache's c2x: lowercase hex
		{`^/(.*)`, "http://h/%$1", "/z", "http://h/%25z"}, // the path part is escaped whole, as ap_escape_uri
		{`^/(.*)`, "$", "/z", "$"},
	} {
		re := regexp.MustCompile(tt.re)
		path := []byte(tt.path)
		got := string(redirectMatchTarget(nil, tt.tmpl, path, re.FindSubmatchIndex(path)))
		if got != tt.want {
			t.Errorf("%s → %s on %q = %q, want %q", tt.re, tt.tmpl, tt.path, got, tt.want)
		}
	}
}
