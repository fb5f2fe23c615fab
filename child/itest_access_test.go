package child_test

import (
	"strings"
	"testing"
)

// accessConf is mod_access_compat in the shapes Apache 2.2 configurations
// use, and mixed with Apache 2.4's Require. Each case's status was first
// taken from Debian's apache2 (2.4.71) with the same sections.
const accessConf = `SetEnvIf User-Agent "^good" let_me_in
SetEnv set_by_setenv 1
<Directory htdocs/a>
    Order allow,deny
</Directory>
# No merging: this section's settings replace its parent's, so the default
# deny,allow with no match lets everyone in.
<Directory htdocs/a/b>
    Deny from 10.0.0.0/8
</Directory>
<Directory htdocs/c>
    Order deny,allow
    Deny from all
</Directory>
<Location /c>
    Satisfy any
</Location>
<Directory htdocs/d>
    Require all denied
    Allow from all
</Directory>
<Directory htdocs/e>
    Require all granted
    Order allow,deny
</Directory>
<Directory htdocs/f>
    Require all denied
    Order allow,deny
    Allow from all
    Satisfy any
</Directory>
<Directory htdocs/g>
    Order deny,allow
    Deny from all
    Allow from 10.0.0.0/8
    AuthType Basic
    AuthName g
    AuthUserFile htdocs/.htpasswd
    Require valid-user
    Satisfy any
</Directory>
<Directory htdocs/g2>
    Order deny,allow
    Deny from all
    Allow from 127.0.0.1
    AuthType Basic
    AuthName g2
    AuthUserFile htdocs/.htpasswd
    Require valid-user
    Satisfy any
</Directory>
<Directory htdocs/h>
    Order deny,allow
    Deny from all
    Allow from env=let_me_in
</Directory>
<Directory htdocs/h2>
    Order deny,allow
    Deny from env=!let_me_in
</Directory>
<Directory htdocs/k>
    Order mutual-failure
    Allow from 127.0.0.0/8 ::1
    Deny from 10.0.0.0/8
</Directory>
<Directory htdocs/m>
    Require env set_by_setenv
</Directory>
<Directory htdocs/n>
    Order deny,allow
    Deny from all
    Allow from env=set_by_setenv
</Directory>
<Directory htdocs/hidden>
    Order allow,deny
</Directory>
ErrorDocument 404 /hidden/404.html
LogFormat "%U %>s %{set_by_setenv}e" envlog
CustomLog logs/env_log envlog
`

// TestAccessCompat: Order, Allow, Deny and Satisfy decide as Apache 2.4's
// mod_access_compat does: the last section with any of them replaces the
// ones before; with Satisfy all both they and Require must grant; with
// Satisfy any they suffice, or a password does; env= sees SetEnvIf's
// variables, not SetEnv's (mod_env runs after the access checks, and a
// refused request logs none of its variables); each refusal leaves
// AH01797 in the error log.
func TestAccessCompat(t *testing.T) {
	files := map[string]string{".htpasswd": htpasswdFile, "hidden/404.html": "custom 404\n"}
	for _, d := range []string{"a", "a/b", "c", "d", "e", "f", "g", "g2", "h", "h2", "k", "m", "n"} {
		files[d+"/x.txt"] = d + "\n"
	}
	s := startServer(t, accessConf, files)
	c := s.open(t)
	defer c.Close()
	for _, tt := range []struct {
		target, headers string
		status          int
		log             string
	}{
		{"/a/x.txt", "", 403, "[access_compat:error] [pid "},
		{"/a/b/x.txt", "", 200, ""},
		{"/c/x.txt", "", 200, ""},
		{"/d/x.txt", "", 403, "AH01630: client denied by server configuration: "},
		{"/e/x.txt", "", 403, "AH01797: client denied by server configuration: "},
		{"/f/x.txt", "", 200, ""},
		{"/g/x.txt", "", 401, ""},
		{"/g/x.txt", basic("alice", "secret"), 200, ""},
		{"/g2/x.txt", "", 200, ""},
		{"/h/x.txt", "", 403, ""},
		{"/h/x.txt", "User-Agent: good/1\r\n", 200, ""},
		{"/h2/x.txt", "", 403, ""},
		{"/h2/x.txt", "User-Agent: good/1\r\n", 200, ""},
		{"/k/x.txt", "", 200, ""},
		{"/m/x.txt", "", 403, ""},
		{"/n/x.txt", "", 403, ""},
		{"/missing", "", 404, ""},
	} {
		resp, body := c.roundTrip("GET "+tt.target+" HTTP/1.1\r\nHost: localhost\r\n"+tt.headers+"\r\n", "GET")
		name := tt.target + " " + strings.TrimSpace(tt.headers)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: %d, want %d", name, resp.StatusCode, tt.status)
		}
		if tt.log != "" && !strings.Contains(s.logFile("error_log"), tt.log) {
			t.Errorf("%s: the error log lacks %q:\n%s", name, tt.log, s.logFile("error_log"))
		}
		if tt.target == "/missing" && !strings.Contains(body, "Additionally, a 404 Not Found\nerror was encountered") {
			t.Errorf("/missing: body %q, want the canned page (the ErrorDocument's own section denies it)", body)
		}
	}
	c.Close()
	s.stop(t)
	if n := strings.Count(s.logFile("error_log"), "AH01797: client denied by server configuration: "); n != 8 {
		t.Errorf("%d AH01797 lines, want 8 (a, e, g twice, h, h2, n, and /missing's ErrorDocument)\n%s", n, s.logFile("error_log"))
	}
	log := s.logFile("env_log")
	for _, want := range []string{"/a/x.txt 403 -\n", "/a/b/x.txt 200 1\n"} {
		if !strings.Contains(log, want) {
			t.Errorf("env_log lacks %q (SetEnv's variable only once access is granted):\n%s", want, log)
		}
	}
}

// limitConf is <Limit> and <LimitExcept> around Require and host rules.
// Debian's apache2 (2.4.71) decided the same requests the same way, with
// one difference in what follows a grant: Apache's default handler serves
// POST like GET (200), eventmpm answers 405.
const limitConf = `<Directory htdocs/d1>
    <Limit POST>
        Require all denied
    </Limit>
</Directory>
<Directory htdocs/d2>
    <LimitExcept GET>
        Require all denied
    </LimitExcept>
</Directory>
<Directory htdocs/d3>
    Require all denied
</Directory>
# Replaces the section above; for methods other than GET its one rule says
# nothing, which grants.
<Directory htdocs/d3>
    <Limit GET>
        Require all granted
    </Limit>
</Directory>
<Directory htdocs/d4>
    <Limit GET>
        Order deny,allow
        Deny from all
    </Limit>
</Directory>
<Directory htdocs/d5>
    Require all granted
    <Limit POST>
        Require all denied
    </Limit>
</Directory>
<Directory htdocs/d6>
    <Limit POST PUT>
        Require valid-user
    </Limit>
    AuthType Basic
    AuthName d6
    AuthUserFile htdocs/.htpasswd
</Directory>
<Directory htdocs/d7>
    <RequireAny>
        <Limit GET>
            Require all denied
        </Limit>
    </RequireAny>
</Directory>
`

// TestLimit: access rules inside <Limit> and <LimitExcept> apply to their
// methods only (HEAD with GET); for other methods they say nothing, and a
// rule set that says nothing grants.
func TestLimit(t *testing.T) {
	files := map[string]string{".htpasswd": htpasswdFile}
	for _, d := range []string{"d1", "d2", "d3", "d4", "d5", "d6", "d7"} {
		files[d+"/x.txt"] = d + "\n"
	}
	s := startServer(t, limitConf, files)
	// The status for GET, HEAD, POST, DELETE and OPTIONS. 405 is a
	// granted POST or DELETE on a static file.
	want := map[string][5]int{
		"d1": {200, 200, 403, 405, 200},
		"d2": {200, 200, 403, 403, 403},
		"d3": {200, 200, 405, 405, 200},
		"d4": {403, 403, 405, 405, 200},
		"d5": {200, 200, 405, 405, 200},
		"d6": {200, 200, 401, 405, 200},
		"d7": {403, 403, 405, 405, 200},
	}
	c := s.open(t)
	defer c.Close()
	for dir, statuses := range want {
		for i, m := range []string{"GET", "HEAD", "POST", "DELETE", "OPTIONS"} {
			cc := c
			if statuses[i] == 405 || statuses[i] == 403 && m != "GET" && m != "HEAD" {
				cc = s.open(t) // answers that may close
				defer cc.Close()
			}
			resp, _ := cc.roundTrip(m+" /"+dir+"/x.txt HTTP/1.1\r\nHost: localhost\r\nContent-Length: 0\r\n\r\n", m)
			if resp.StatusCode != statuses[i] {
				t.Errorf("%s /%s/x.txt: %d, want %d", m, dir, resp.StatusCode, statuses[i])
			}
		}
	}
}
