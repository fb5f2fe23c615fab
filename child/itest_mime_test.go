package child_test

import "testing"

// TestMIMELanguagesCharsets: Debian's mime.conf lines (AddLanguage,
// AddCharset, RemoveType, AddHandler type-map) load and decide
// Content-Language and the charset, on a first answer and a cached one.
func TestMIMELanguagesCharsets(t *testing.T) {
	s := startServer(t, `AddLanguage en .en
AddLanguage es .es
AddCharset UTF-8 .utf8
AddType application/ecmascript .es
RemoveType es
AddHandler type-map var
`, map[string]string{
		"index.html.en":  "<p>hello</p>\n",
		"index.html.es":  "<p>hola</p>\n",
		"notes.txt.utf8": "notes\n",
		"map.var":        "URI: index\n",
	})
	c := s.open(t)
	defer c.Close()
	for pass := 0; pass < 2; pass++ {
		for _, tt := range []struct{ target, ctype, lang string }{
			{"/index.html.en", "text/html", "en"},
			{"/index.html.es", "text/html", "es"},
			{"/notes.txt.utf8", "text/plain; charset=utf-8", ""}, // lowercased, as Apache's mod_mime keeps it
			{"/map.var", "application/octet-stream", ""},         // no mod_negotiation: served as it is
		} {
			resp, _ := c.roundTrip("GET "+tt.target+" HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
			if resp.StatusCode != 200 || resp.Header.Get("Content-Type") != tt.ctype || resp.Header.Get("Content-Language") != tt.lang {
				t.Errorf("pass %d %s: %d, Content-Type %q, Content-Language %q; want 200, %q, %q", pass, tt.target,
					resp.StatusCode, resp.Header.Get("Content-Type"), resp.Header.Get("Content-Language"), tt.ctype, tt.lang)
			}
		}
	}
}

// TestDefaultLanguage: DefaultLanguage is the Content-Language of files
// whose extensions name no language; an AddLanguage extension wins, as
// Apache 2.4.71 answered.
func TestDefaultLanguage(t *testing.T) {
	s := startServer(t, "AddLanguage fr .fr\nDefaultLanguage de\n", map[string]string{"a.html": "a\n", "b.html.fr": "b\n"})
	for path, want := range map[string]string{"/a.html": "de", "/b.html.fr": "fr"} {
		resp, err := newClient().Get(s.url(path))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if got := resp.Header.Get("Content-Language"); got != want {
			t.Errorf("%s: Content-Language %q, want %q", path, got, want)
		}
	}
}
