//go:build !race

package child

import (
	"bytes"
	"cmp"
	"net/netip"
	"os"
	"path/filepath"
	"strings"
	"testing"

	"golang.org/x/sys/unix"
)

// TestServeAllocs asserts that the parse-and-serve path of a cached small
// static file allocates nothing per request once warm (logging off): a
// request arrives on a connection idle in the keep-alive queue, a worker
// reads, parses, routes, serves it from the open-file cache, writes the
// answer with one writev, hands the connection back and the event
// goroutine files it in the keep-alive queue again.
//
// The file is the repository's testdata/htdocs/index.html: its ctime is
// normally long past the open-file cache's 2 s racy window, so the test
// need not wait for a fresh file to become cacheable.
func TestServeAllocs(t *testing.T) {
	docroot, err := filepath.Abs(filepath.Join("..", "testdata", "htdocs"))
	if err != nil {
		t.Fatal(err)
	}
	index := filepath.Join(docroot, "index.html")
	body, err := os.ReadFile(index)
	if err != nil {
		t.Fatal(err)
	}
	waitCacheable(t, index)
	logFile := filepath.Join(t.TempDir(), "access_log")
	localLog := filepath.Join(t.TempDir(), "local_log")
	envLog := filepath.Join(t.TempDir(), "env_log")
	ripLog := filepath.Join(t.TempDir(), "rip_log")
	uidLog := filepath.Join(t.TempDir(), "uid_log")
	for _, tc := range []struct {
		name, conf string
		log        string // the access log that must hold a line per request
		wild       bool   // the connection comes from a wildcard listener
		host, site string // the Host of the request (localhost when "") and the ServerName that must answer it
		head       string // what the response head must hold
		notInHead  string // and what it must not
		path       string // the request's path (/index.html when "")
		fields     string // more request field lines
	}{
		{name: "plain", conf: "ExtendedStatus Off\n"},
		{name: "extended-status", conf: "ExtendedStatus On\n"},
		{name: "sections", conf: "ExtendedStatus On\n<Directory />\n    Require all denied\n</Directory>\n" +
			"<Directory " + docroot + ">\n    Require all granted\n</Directory>\n<Files \".ht*\">\n    Require all denied\n</Files>\n" +
			"<Location /server-status>\n    SetHandler server-status\n    Require local\n</Location>\n"},
		// mod_access_compat's host rules with Satisfy, and mod_env's
		// SetEnv applied after them, merged with a section's; a
		// section's ErrorDocument that the request does not need, and
		// its redirects tried and missed.
		{name: "access-compat", conf: "SetEnvIf User-Agent \"^alloc-test\" agent=alloc\nSetEnv site alloc\nSetEnv agent env\n" +
			"<Directory />\n    Order deny,allow\n    Deny from all\n</Directory>\n" +
			"<Directory " + docroot + ">\n    Order allow,deny\n    Allow from 10.0.0.0/8 127.0.0.1 env=agent\n    Deny from env=!agent\n    Satisfy all\n" +
			"    SetEnv dir yes\n    UnsetEnv site\n    ErrorDocument 404 /missing.html\n    Redirect /elsewhere http://x.example/\n" +
			"    SetEnvIf Request_URI \"\\.html$\" page=html\n    BrowserMatch \"^alloc\" agent2\n" +
			"    RedirectMatch ^/nothing/(.*) /n/$1\n</Directory>\n"},
		{name: "combined-log", conf: "LogFormat \"%h %l %u %t \\\"%r\\\" %>s %b \\\"%{Referer}i\\\" \\\"%{User-Agent}i\\\" %f %D\" full\n" +
			"CustomLog " + logFile + " full\n", log: logFile},
		// mod_headers rewriting the head, at the server level and in a
		// section, with a joined and a formatted value; mod_alias's
		// redirects tried and missed; request fields unset, set and
		// joined (an edit costs the regexp package's submatch slices, as
		// Header edit does).
		{name: "headers", conf: "Header always set X-Frame-Options DENY\nHeader append Cache-Control no-transform\n" +
			"Header merge Cache-Control public\nHeader set X-Time \"%t %%\"\nHeader unset ETag\n" +
			"<Files index.html>\n    Header set Cache-Control max-age=60\n    Header add Link </style.css>\n</Files>\n" +
			"Redirect /old http://x.example/\nRedirectMatch ^/img/(.*)$ /i/$1\nRequestHeader unset Accept\n" +
			"RequestHeader set X-Forwarded-Proto https early\nRequestHeader append User-Agent x\n",
			head: "\r\nX-Frame-Options: DENY\r\nCache-Control: max-age=60\r\nX-Time: t=", notInHead: "ETag"},
		// mod_expires by type and by default, in a section and at the
		// server level, joining a Header's Cache-Control.
		{name: "expires", conf: "ExpiresActive On\nExpiresDefault A60\nExpiresByType image/* M3600\n" +
			"Header append Cache-Control public\n<Directory " + docroot + ">\n    ExpiresByType TEXT/html \"access plus 1 day\"\n</Directory>\n",
			head: "\r\nCache-Control: max-age=86400, public\r\nExpires: "},
		// mod_setenvif as Debian ships it (BrowserMatch lines), a
		// variable with a value, and a log and a Header by variable. (A
		// $1 in a value costs the one allocation of Go's submatch API.)
		{name: "setenvif", conf: "BrowserMatch \"Mozilla/2\" nokeepalive\nBrowserMatch \"MSIE 4\\.0b2;\" nokeepalive downgrade-1.0\n" +
			"BrowserMatch \"^gvfs/1\" redirect-carefully\nSetEnvIf Request_URI \"\\.png$\" dontlog\n" +
			"SetEnvIf User-Agent \"^alloc-test\" agent=alloc\nHeader set X-Agent ok env=agent\n" +
			"Header set X-Agent-Name \"%{AGENT}e|%{none}e\"\n" +
			"LogFormat \"%h %U %f %{agent}e\" envlog\nCustomLog " + envLog + " envlog env=!dontlog\n",
			log: envLog, head: "\r\nX-Agent: ok\r\nX-Agent-Name: alloc|(null)\r\n"},
		// A listener bound to the wildcard address: the connection's own
		// local address (%A) is looked up once, not per request.
		{name: "wildcard-log", conf: "LogFormat \"%h %A %{local}p \\\"%r\\\" %>s %b %f %k %I %O\" local\n" +
			"CustomLog " + localLog + " local\n", log: localLog, wild: true},
		// An IP-specific host after "*" ones, reached by a wildcard
		// ServerAlias with a port and a final dot, longer than the
		// runtime's 32-byte stack buffer for a string conversion.
		{name: "vhosts", conf: "<VirtualHost *:80>\n    ServerName star.example\n</VirtualHost>\n" +
			"<VirtualHost 127.0.0.1:80>\n    ServerName ip.example\n</VirtualHost>\n" +
			"<VirtualHost 127.0.0.1:80>\n    ServerName wild.example\n    ServerAlias *.x.wild.example\n</VirtualHost>\n",
			host: "a-long-name-for-the-alias-pattern.x.WILD.example.:80", site: "wild.example"},
		// A file below an Alias, the third tried, with the sections
		// matched by its file-system path.
		{name: "alias", conf: "Alias /icons/ /usr/share/apache2/icons/\nAlias /doc /usr/share/doc\n" +
			"Alias /aliased/ " + docroot + "/\n<Directory />\n    Require all denied\n</Directory>\n" +
			"<Directory " + docroot + ">\n    Require all granted\n</Directory>\n", path: "/aliased/index.html"},
		// mod_remoteip walking a two-line X-Forwarded-For through an
		// internal and a trusted proxy, for Require ip, the log and the
		// proxies header.
		{name: "remoteip", conf: "RemoteIPHeader X-Forwarded-For\nRemoteIPInternalProxy 127.0.0.1 10.0.0.0/8\n" +
			"RemoteIPTrustedProxy 198.51.100.0/24\nRemoteIPProxiesHeader X-Forwarded-By\n" +
			"LogFormat \"%h %{c}a %{X-Forwarded-For}i %{X-Forwarded-By}i %{remoteip-proxy-ip-list}n %f %>s\" rip\n" +
			"CustomLog " + ripLog + " rip\n<Directory " + docroot + ">\n    Require ip 203.0.113.0/24\n</Directory>\n",
			fields: "X-Forwarded-For: 203.0.113.5, 198.51.100.7\r\nX-Forwarded-For: 10.1.1.1\r\n", log: ripLog},
		// mod_unique_id's variable, logged and sent back.
		{name: "unique-id", conf: "LoadModule unique_id_module mod_unique_id.so\nHeader set X-Request-Id \"%{UNIQUE_ID}e\"\n" +
			"LogFormat \"%{UNIQUE_ID}e %f %>s\" uid\nCustomLog " + uidLog + " uid\n", log: uidLog, head: "X-Request-Id: "},
	} {
		t.Run(tc.name, func(t *testing.T) {
			ch := newTestChild(t, "Listen 127.0.0.1:80\nMaxKeepAliveRequests 0\nDocumentRoot "+docroot+"\n"+tc.conf, nil)
			c, peer := ch.connect(t)
			if tc.wild {
				c.lst = &listener{fd: -1, addr: "*:80", proto: "http", port: 80, local: netip.MustParseAddrPort("0.0.0.0:80")}
			}
			pfd := int(peer.Fd())
			host := tc.host
			if host == "" {
				host = "localhost"
			}
			path := cmp.Or(tc.path, "/index.html")
			req := []byte("GET " + path + " HTTP/1.1\r\nHost: " + host + "\r\nUser-Agent: alloc-test\r\nAccept: */*\r\n" + tc.fields + "\r\n")
			buf := make([]byte, 4096)
			var want int
			serve := func() {
				if _, err := unix.Write(pfd, req); err != nil {
					t.Fatal(err)
				}
				if c.q != nil {
					c.q.remove(c)
				}
				c.state.Store(stWorker)
				ch.w.serve(c)
				ch.l.drainHandbacks()
				n := 0
				for !bytes.HasSuffix(buf[:n], body) {
					m, err := unix.Read(pfd, buf[n:])
					if err != nil || m == 0 {
						t.Fatalf("read after %d bytes: %v", n, err)
					}
					n += m
				}
				if want != 0 && n != want {
					t.Fatalf("got a %d-byte answer, want %d", n, want)
				}
				want = n
			}
			for i := 0; i < 3; i++ { // fill the cache, the pools and the slices
				serve()
			}
			if got := string(buf[want-len(body) : want]); got != string(body) || c.q != &ch.l.keepAliveQ {
				t.Fatalf("got body %q, queue %v; want %q, keep-alive", got, c.q, body)
			}
			if head := string(buf[:want-len(body)]); !strings.Contains(head, tc.head) || tc.notInHead != "" && strings.Contains(head, tc.notInHead) {
				t.Fatalf("response head %q: want %q in it and not %q", head, tc.head, tc.notInHead)
			}
			if tc.site != "" && ch.w.srv.name != tc.site {
				t.Fatalf("served by %q, want %q", ch.w.srv.name, tc.site)
			}
			if allocs := testing.AllocsPerRun(200, serve); allocs != 0 {
				t.Errorf("got %v allocations per request, want 0", allocs)
			}
			if tc.log != "" {
				ch.w.flushLogs()
				b, err := os.ReadFile(tc.log)
				if err != nil {
					t.Fatal(err)
				}
				if lines := bytes.Count(b, []byte("\n")); lines < 200 || !bytes.Contains(b, []byte(index+" ")) {
					t.Errorf("access log has %d lines, want >= 200 naming %s:\n%.300s", lines, index, b)
				}
			}
		})
	}
}
