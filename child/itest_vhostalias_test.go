package child_test

import (
	"strings"
	"testing"
)

// TestVirtualDocumentRoot: mod_vhost_alias. Each request's DocumentRoot is
// made from the name it asked for (lowercased, the port left out) or,
// with VirtualDocumentRootIP, the address it arrived on; <Directory>
// sections apply by the path made; an Alias still comes first; "none"
// gives a virtual host its DocumentRoot back; a Host of ".." is 400 (the
// parser's, as Apache's fix_hostname; vhostRoot refuses a dot segment
// again, TestHasDotSegment). Apache 2.4.71 made the same paths for the
// same names and formats (its error log's AH00128 lines).
func TestVirtualDocumentRoot(t *testing.T) {
	s := startServer(t, `VirtualDocumentRoot {{ROOT}}/hosts/%0
Alias /shared/ {{ROOT}}/shared/
Header always set X-Root "expr=%{DOCUMENT_ROOT}"
<Directory {{ROOT}}/hosts>
    Require all granted
</Directory>
<Directory {{ROOT}}/shared>
    Require all granted
</Directory>
<Directory {{ROOT}}/ips>
    Require all granted
</Directory>
<VirtualHost *:{{PORT}}>
    ServerName mass.test
    ServerAlias *.test
</VirtualHost>
<VirtualHost *:{{PORT}}>
    ServerName by-ip.example
    VirtualDocumentRootIP {{ROOT}}/ips/%1/%4
</VirtualHost>
<VirtualHost *:{{PORT}}>
    ServerName plain.example
    VirtualDocumentRoot none
</VirtualHost>
`, map[string]string{
		"../hosts/www.alpha.test/index.html": "alpha www\n", "../hosts/a.b.beta.test/x.txt": "beta a.b\n",
		"../shared/s.txt": "shared\n", "../ips/127/1/index.html": "by address\n", "index.html": "document root\n",
	})
	root := s.root.Dir
	for _, tc := range []struct {
		host, target  string
		status        int
		body, docRoot string // docRoot: %{DOCUMENT_ROOT}, "" for not checked
	}{
		{"www.alpha.test", "/", 200, "alpha www\n", root + "/hosts/www.alpha.test"},
		{"WWW.Alpha.Test:8080", "/index.html", 200, "alpha www\n", ""},
		{"a.b.beta.test", "/x.txt", 200, "beta a.b\n", ""},
		{"a.b.beta.test", "/shared/s.txt", 200, "shared\n", root + "/htdocs"}, // the Alias took it
		{"nobody.test", "/", 404, "", ""},
		{"by-ip.example", "/", 200, "by address\n", root + "/ips/127/1"},
		{"plain.example", "/", 200, "document root\n", root + "/htdocs"},
		{"..", "/", 400, "", ""},
	} {
		c := s.open(t)
		resp, body := c.roundTrip("GET "+tc.target+" HTTP/1.1\r\nHost: "+tc.host+"\r\n\r\n", "GET")
		c.Close()
		if resp.StatusCode != tc.status || tc.body != "" && body != tc.body {
			t.Errorf("%s %s: %d %q, want %d %q", tc.host, tc.target, resp.StatusCode, body, tc.status, tc.body)
		}
		if got := resp.Header.Get("X-Root"); tc.docRoot != "" && got != tc.docRoot {
			t.Errorf("%s %s: DOCUMENT_ROOT %q, want %q", tc.host, tc.target, got, tc.docRoot)
		}
	}
	log := s.logFile("error_log")
	expectContains(t, "the error log", log, "AH00128: File does not exist: "+root+"/hosts/nobody.test/\n",
		"request failed: Invalid Host header field value.\n")
	if strings.Contains(log, "hosts/.") {
		t.Errorf("a path with '..' was tried:\n%s", log)
	}
}
