package child_test

import "testing"

// TestForceType: core's ForceType types every file where it applies,
// from the server, <Directory> and <Files>/<FilesMatch> sections (the
// last that sets it wins, None takes it back), replacing an AddCharset
// charset and taking AddDefaultCharset's; mod_deflate goes by the forced
// type. Each Content-Type is Apache 2.4.71's for the same files.
func TestForceType(t *testing.T) {
	const long = "a body long enough for mod_deflate to compress, which is more than sixty-eight bytes\n"
	s := startServer(t, `AddDefaultCharset utf-8
AddCharset ISO-8859-2 .latin2
AddOutputFilterByType DEFLATE application/x-test
<Directory htdocs/m>
    ForceType application/x-Test
</Directory>
<FilesMatch "\.(foo|FOO)$">
    ForceType Text/Plain
</FilesMatch>
<Files "a.html">
    ForceType None
</Files>
`, map[string]string{"m/k.foo": "k\n", "m/b.txt": long, "m/a.html": "a\n", "m/n.txt.latin2": "n\n", "b.html": "b\n"})
	c := s.open(t)
	defer c.Close()
	for _, tt := range []struct{ target, ctype, encoding string }{
		{"/m/k.foo", "text/plain; charset=utf-8", ""},
		{"/m/b.txt", "application/x-test", "gzip"},
		{"/m/a.html", "text/html; charset=utf-8", ""},
		{"/m/n.txt.latin2", "application/x-test", ""},
		{"/b.html", "text/html; charset=utf-8", ""},
	} {
		resp, _ := c.roundTrip("GET "+tt.target+" HTTP/1.1\r\nHost: localhost\r\nAccept-Encoding: gzip\r\n\r\n", "GET")
		if got, enc := resp.Header.Get("Content-Type"), resp.Header.Get("Content-Encoding"); resp.StatusCode != 200 || got != tt.ctype || enc != tt.encoding {
			t.Errorf("%s: %d Content-Type %q Content-Encoding %q, want 200 %q %q", tt.target, resp.StatusCode, got, enc, tt.ctype, tt.encoding)
		}
	}
}
