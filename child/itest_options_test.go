package child_test

import (
	"strings"
	"testing"

	"eventmpm/internal/itest"
)

// optionsFiles is the htdocs tree of TestOptionsMerge: directories without
// an index file (so Indexes decides between a listing and 403) and a
// symlink in each (created by the test) to a regular file beside it.
var optionsFiles = map[string]string{
	"real.txt":        "real\n",
	"d/a.txt":         "a\n",
	"www/a.txt":       "www\n",
	"www/d/a.txt":     "www d\n",
	"list/a.txt":      "list\n",
	"list/other.html": "<p>other</p>\n",
	"lm/a.txt":        "lm\n",
}

// noOptionsConf is baseConf without its sections' Options, so that the
// server-level Options (or Apache's default, FollowSymLinks) is what the
// directories start from.
var noOptionsConf = strings.ReplaceAll(baseConf, "    Options FollowSymLinks\n", "")

// optionsCheck is one request of TestOptionsMerge and what it must get.
type optionsCheck struct {
	path   string
	status int
	body   string // a substring the body must hold; "" checks nothing
}

// TestOptionsMerge proves that Options merge as in Apache's
// merge_core_dir_configs: server-level Options are the base of every
// directory; a <Directory> with only +/- Options adjusts what the
// enclosing sections produced, one with absolute Options replaces it; and
// <Location>/<LocationMatch> sections merge last for Indexes and
// DirectoryIndex, while symlink Options work only in <Directory> sections
// (Apache's Options documentation).
func TestOptionsMerge(t *testing.T) {
	t.Parallel()
	for _, tc := range []struct {
		name   string
		conf   string // the whole configuration
		checks []optionsCheck
	}{
		{
			name: "default-follows-symlinks",
			conf: noOptionsConf,
			checks: []optionsCheck{
				{path: "/link.txt", status: 200, body: "real"},
				{path: "/d/", status: 403},
			},
		},
		{
			name: "server-none",
			conf: noOptionsConf + "Options None\n",
			checks: []optionsCheck{
				{path: "/link.txt", status: 403},
				{path: "/real.txt", status: 200, body: "real"},
				{path: "/d/link.txt", status: 403},
				{path: "/d/", status: 403},
			},
		},
		{
			name: "server-indexes",
			conf: noOptionsConf + "Options Indexes\n",
			checks: []optionsCheck{
				{path: "/d/", status: 200, body: "Index of /d"},
				{path: "/link.txt", status: 403},
			},
		},
		{
			name: "relative-inherits-indexes",
			conf: baseConf + `<Directory htdocs/www/>
    Options Indexes FollowSymLinks
</Directory>
<Directory htdocs/www/d/>
    Options -FollowSymLinks
</Directory>
`,
			checks: []optionsCheck{
				{path: "/www/d/", status: 200, body: "Index of /www/d"},
				{path: "/www/d/a.txt", status: 200, body: "www d"},
				{path: "/www/d/link.txt", status: 403},
				{path: "/www/link.txt", status: 200, body: "www"},
				{path: "/d/", status: 403},
			},
		},
		{
			name: "relative-keeps-enclosing-none",
			conf: noOptionsConf + `<Directory />
    Options None
</Directory>
<Directory htdocs>
    Options +Indexes
</Directory>
`,
			checks: []optionsCheck{
				{path: "/link.txt", status: 403},
				{path: "/d/link.txt", status: 403},
				{path: "/d/", status: 200, body: "Index of /d"},
			},
		},
		{
			name: "location-merges-last",
			conf: baseConf + `<Directory htdocs/www>
    Options Indexes FollowSymLinks
</Directory>
<Location /list>
    Options +Indexes -FollowSymLinks
</Location>
<Location /www/d>
    Options -Indexes
</Location>
<LocationMatch "^/lm/">
    Options Indexes
</LocationMatch>
<Location /d>
    DirectoryIndex a.txt
</Location>
`,
			checks: []optionsCheck{
				{path: "/list/", status: 200, body: "Index of /list"},
				// Symlink Options in <Location> have no effect.
				{path: "/list/link.txt", status: 200, body: "list"},
				{path: "/lm/", status: 200, body: "Index of /lm"},
				{path: "/lm/link.txt", status: 200, body: "lm"},
				{path: "/www/", status: 200, body: "Index of /www"},
				{path: "/www/d/", status: 403},
				{path: "/d/", status: 200, body: "a"},
				{path: "/", status: 403}, // no index.html, no Indexes
			},
		},
	} {
		t.Run(tc.name, func(t *testing.T) {
			t.Parallel()
			root := itest.NewRoot(t, tc.conf, optionsFiles)
			symlink(t, "real.txt", root, "link.txt")
			symlink(t, "../real.txt", root, "d/link.txt")
			symlink(t, "a.txt", root, "www/link.txt")
			symlink(t, "a.txt", root, "www/d/link.txt")
			symlink(t, "a.txt", root, "list/link.txt")
			symlink(t, "a.txt", root, "lm/link.txt")
			s := runServer(t, root)
			for _, ck := range tc.checks {
				resp, body := s.get(t, "GET "+ck.path+" HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
				if resp.StatusCode != ck.status {
					t.Errorf("GET %s: got %d, want %d (body %q)", ck.path, resp.StatusCode, ck.status, body)
					continue
				}
				if !strings.Contains(body, ck.body) {
					t.Errorf("GET %s: body lacks %q:\n%s", ck.path, ck.body, body)
				}
			}
		})
	}
}
