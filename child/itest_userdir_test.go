package child_test

import "testing"

// TestUserDir: mod_userdir's UserDir. "/~user/" is served from the first
// entry's directory that exists for the user (the last entry's whether it
// exists or not), under the <Directory> sections of its file path;
// "/~user" gets mod_dir's slash; disabled users, ".", ".." and paths
// without a user fall to DocumentRoot; an entry with a URL redirects (302,
// no query, as Apache); a virtual host with no UserDir line of its own
// inherits the main server's, disabled users and all. Apache 2.4.71 gave
// the same statuses, Locations and bodies for each case (its users' home
// directories in place of the test's absolute entries).
func TestUserDir(t *testing.T) {
	s := startServer(t, `UserDir {{ROOT}}/home/*/www {{ROOT}}/home/*/public_html
UserDir disabled root Carol
<Directory {{ROOT}}/home/*/www>
    Require all granted
</Directory>
<Directory {{ROOT}}/home/*/public_html>
    Options Indexes
    Require all granted
</Directory>
<VirtualHost *:{{PORT}}>
    ServerName localhost
</VirtualHost>
<VirtualHost *:{{PORT}}>
    ServerName away.example
    UserDir http://users.example/*/site
</VirtualHost>
`, map[string]string{
		"../home/alice/public_html/index.html": "alice public\n", "../home/alice/public_html/sub/a.txt": "alice sub\n",
		"../home/bob/www/index.html": "bob www\n", "../home/bob/public_html/index.html": "bob public\n",
		"../home/root/public_html/index.html": "root\n", "../home/carol/public_html/index.html": "carol\n",
		"../home/dave/private/x.txt": "dave\n",
		"~alice/index.html":          "document root\n",
	})
	for _, tc := range []struct {
		host, target string
		status       int
		location     string
		body         string
	}{
		{"localhost", "/~alice/", 200, "", "alice public\n"},
		{"localhost", "/~alice/sub/a.txt", 200, "", "alice sub\n"},
		{"localhost", "/~alice", 301, "http://localhost/~alice/", ""},
		{"localhost", "/~alice/sub?q=1", 301, "http://localhost/~alice/sub/?q=1", ""},
		{"localhost", "/~alice/sub/", 200, "", "<title>Index of /~alice/sub</title>"},
		{"localhost", "/~bob/", 200, "", "bob www\n"}, // the first entry that exists
		{"localhost", "/~root/", 404, "", ""},         // disabled: DocumentRoot's /~root/
		{"localhost", "/~carol/", 404, "", ""},        // names are matched without case
		{"localhost", "/~dave/x.txt", 404, "", ""},    // the last entry, whether or not it exists
		{"localhost", "/%7Ealice/sub/a.txt", 200, "", "alice sub\n"},
		{"localhost", "/~alice/../~bob/", 200, "", "bob www\n"},
		{"localhost", "/~../", 404, "", ""},
		{"away.example", "/~alice/a/b?q=1", 302, "http://users.example/alice/a/b", ""},
		{"away.example", "/~root/a", 404, "", ""},
	} {
		c := s.open(t)
		resp, body := c.roundTrip("GET "+tc.target+" HTTP/1.1\r\nHost: "+tc.host+"\r\n\r\n", "GET")
		c.Close()
		if resp.StatusCode != tc.status || resp.Header.Get("Location") != tc.location {
			t.Errorf("%s %s: %d Location %q, want %d %q", tc.host, tc.target, resp.StatusCode, resp.Header.Get("Location"), tc.status, tc.location)
		}
		if tc.body != "" {
			expectContains(t, tc.host+" "+tc.target, body, tc.body)
		}
	}
	root := s.root.Dir
	expectContains(t, "the error log", s.logFile("error_log"),
		"AH00128: File does not exist: "+root+"/home/dave/public_html/x.txt\n",
		"AH00128: File does not exist: "+root+"/htdocs/~root/\n")
}
