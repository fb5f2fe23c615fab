package child_test

import (
	"regexp"
	"strings"
	"testing"
)

// TestUniqueID: with LoadModule unique_id_module every request gets a
// UNIQUE_ID of Apache's form (27 characters of base64url), different for
// every request over several connections, the same in the access log,
// in a Header and through mod_rewrite's %{ENV:...}; <IfModule> sees the
// module. Without LoadModule there is no variable and <IfModule> is false.
func TestUniqueID(t *testing.T) {
	const conf = `<IfModule unique_id_module>
    Header set X-Id "%{UNIQUE_ID}e"
</IfModule>
LogFormat "%{UNIQUE_ID}e %U" uid
CustomLog logs/uid_log uid
RewriteEngine On
RewriteRule ^/copy$ /index.html [E=COPY:%{ENV:UNIQUE_ID}]
Header set X-Copy "%{COPY}e" env=COPY
`
	s := startServer(t, "LoadModule unique_id_module modules/mod_unique_id.so\n"+conf, map[string]string{"index.html": "hi\n"})
	idForm := regexp.MustCompile(`^[A-Za-z0-9_-]{27}$`)
	seen := map[string]bool{}
	for i := 0; i < 3; i++ {
		c := s.open(t)
		for j := 0; j < 20; j++ {
			path := "/index.html"
			if j == 0 {
				path = "/copy"
			}
			resp, _ := c.roundTrip("GET "+path+" HTTP/1.1\r\nHost: localhost\r\n\r\n", "GET")
			id := resp.Header.Get("X-Id")
			if !idForm.MatchString(id) || seen[id] {
				t.Fatalf("request %d/%d: X-Id %q: not a UNIQUE_ID, or seen before", i, j, id)
			}
			seen[id] = true
			if path == "/copy" && resp.Header.Get("X-Copy") != id {
				t.Errorf("%%{ENV:UNIQUE_ID} in RewriteRule gave %q, the request's is %q", resp.Header.Get("X-Copy"), id)
			}
		}
		c.Close()
	}
	s.stop(t)
	logged := 0
	for _, line := range strings.Split(strings.TrimSpace(s.logFile("uid_log")), "\n") {
		id, _, _ := strings.Cut(line, " ")
		if !seen[id] {
			t.Errorf("the access log's %q is no response's X-Id", line)
		}
		logged++
	}
	if logged != len(seen) {
		t.Errorf("%d log lines for %d requests", logged, len(seen))
	}

	s = startServer(t, conf, map[string]string{"index.html": "hi\n"})
	resp, err := newClient().Get(s.url("/copy"))
	if err != nil {
		t.Fatal(err)
	}
	resp.Body.Close()
	if _, ok := resp.Header["X-Id"]; ok || resp.Header.Get("X-Copy") != "" {
		t.Errorf("without LoadModule: X-Id %q, X-Copy %q", resp.Header.Get("X-Id"), resp.Header.Get("X-Copy"))
	}
}
