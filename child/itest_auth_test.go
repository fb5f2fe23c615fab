package child_test

import (
	"encoding/base64"
	"strings"
	"testing"

	"eventmpm/internal/itest"
)

const authConf = `<Directory htdocs/private>
    AuthType Basic
    AuthName "Members \"only\""
    AuthUserFile htdocs/.htpasswd
    Require valid-user
</Directory>
<Directory htdocs/bobonly>
    AuthType Basic
    AuthName bob
    AuthBasicProvider file
    AuthUserFile htdocs/.htpasswd
    Require user bob
</Directory>
<Directory htdocs/mixed>
    AuthType Basic
    AuthName mixed
    AuthUserFile htdocs/.htpasswd
    <RequireAny>
        Require ip 127.0.0.1
        Require valid-user
    </RequireAny>
</Directory>
<Directory htdocs/noauthtype>
    Require valid-user
</Directory>
LogFormat "%u %U %>s" userlog
CustomLog logs/user_log userlog
`

// htpasswdFile holds users made by Apache's htpasswd: alice (bcrypt,
// "secret"), bob (SHA-1, "s3cret"), carol (APR1-MD5, "pa:ss wörd"), erin
// (SHA-512-crypt, -5), frank (SHA-256-crypt, -2) and gina (DES crypt, -d),
// those three "secret"; hank's password is plain text (-p).
const htpasswdFile = "alice:$2y$05$ThRu8ZI3FW1m5lW1G02eEuA76KlWBSVgfrdu2RFQpvCiga2q0b0m2\n" +
	"bob:{SHA}/vNB+F2HQ559kaLUZbmHHvZrXpg=\n" +
	"carol:$apr1$.IQR.azR$JAKaQrHMZ5XZFCxePh.Wr.\n" +
	"erin:$6$4rUEd5sCJe/NXQJX$ZGLcmNuoNFQjc2XfVHV6vRQyiorrZ2z5OWZEi5lmfBBPY4eug8fqkH0zObqFRImz7fpqs5g0X/sYuEi5eBZrH/\n" +
	"frank:$5$CaJdQPwqmT8/AQ0d$ug2yg6u/QyLb4bIkGvY3h4mSNF3bUBsAVxQoG2GGw79\n" +
	"gina:8It1p5mbUD49Y\n" +
	"hank:secret\n"

func basic(user, password string) string {
	return "Authorization: Basic " + base64.StdEncoding.EncodeToString([]byte(user+":"+password)) + "\r\n"
}

// TestBasicAuth: Require valid-user and Require user with AuthType Basic
// and an htpasswd file in each hash format htpasswd writes; the 401
// challenge, Apache's error-log line for each refusal, %u, a <RequireAny>
// that grants by address without credentials, and a 500 when no AuthType
// is set.
func TestBasicAuth(t *testing.T) {
	s := startServer(t, authConf, map[string]string{
		".htpasswd":        htpasswdFile,
		"private/a.txt":    "private\n",
		"bobonly/a.txt":    "bob's\n",
		"mixed/a.txt":      "mixed\n",
		"noauthtype/a.txt": "x\n",
	})
	c := s.open(t)
	defer c.Close()
	for _, tt := range []struct {
		target, auth string
		status       int
		realm, log   string
	}{
		{"/private/a.txt", "", 401, `Basic realm="Members \"only\""`, ""},
		{"/private/a.txt", basic("alice", "secret"), 200, "", ""},
		{"/private/a.txt", basic("bob", "s3cret"), 200, "", ""},
		{"/private/a.txt", basic("carol", "pa:ss wörd"), 200, "", ""},
		{"/private/a.txt", basic("erin", "secret"), 200, "", ""},
		{"/private/a.txt", basic("frank", "secret"), 200, "", ""},
		{"/private/a.txt", basic("gina", "secret"), 200, "", ""},
		{"/private/a.txt", basic("gina", "secreT"), 401, `Basic realm="Members \"only\""`,
			`AH01617: user gina: authentication failure for "/private/a.txt": Password Mismatch`},
		{"/private/a.txt", basic("hank", "secret"), 401, `Basic realm="Members \"only\""`,
			`AH01617: user hank: authentication failure for "/private/a.txt": unsupported password hash format`},
		{"/private/a.txt", basic("alice", "wrong"), 401, `Basic realm="Members \"only\""`,
			`AH01617: user alice: authentication failure for "/private/a.txt": Password Mismatch`},
		{"/private/a.txt", basic("dave", "x"), 401, `Basic realm="Members \"only\""`, "AH01618: user dave not found: /private/a.txt"},
		{"/private/a.txt", "Authorization: Bearer abc\r\n", 401, `Basic realm="Members \"only\""`, "AH01614: client used wrong authentication scheme: /private/a.txt"},
		{"/bobonly/a.txt", basic("alice", "secret"), 401, `Basic realm="bob"`, `AH01631: user alice: authorization failure for "/bobonly/a.txt": `},
		{"/bobonly/a.txt", basic("bob", "s3cret"), 200, "", ""},
		{"/mixed/a.txt", "", 200, "", ""},
		{"/noauthtype/a.txt", "", 500, "", "AH00027: No authentication done but request not allowed without authentication for /noauthtype/a.txt. Authentication not configured?"},
		{"/.htpasswd", basic("alice", "secret"), 403, "", ""},
	} {
		cc := c
		if tt.status == 500 {
			cc = s.open(t) // a 500 closes the connection
			defer cc.Close()
		}
		resp, body := cc.roundTrip("GET "+tt.target+" HTTP/1.1\r\nHost: localhost\r\n"+tt.auth+"\r\n", "GET")
		name := tt.target + " " + strings.TrimSpace(tt.auth)
		if resp.StatusCode != tt.status || resp.Header.Get("WWW-Authenticate") != tt.realm {
			t.Errorf("%s: %d, WWW-Authenticate %q; want %d, %q", name, resp.StatusCode, resp.Header.Get("WWW-Authenticate"), tt.status, tt.realm)
		}
		if tt.status == 401 && !strings.Contains(body, "<title>401 Unauthorized</title>") {
			t.Errorf("%s: body %q, want the 401 page", name, body)
		}
		if tt.log != "" && !strings.Contains(s.logFile("error_log"), tt.log) {
			t.Errorf("%s: the error log lacks %q:\n%s", name, tt.log, s.logFile("error_log"))
		}
	}
	c.Close()
	s.stop(t)
	// Each worker buffers its own lines, so two requests served by
	// different workers may be logged in either order: the lines are
	// checked, not their order.
	log := "\n" + s.logFile("user_log")
	for _, line := range []string{"- /private/a.txt 401", "alice /private/a.txt 200", "bob /private/a.txt 200", "carol /private/a.txt 200"} {
		if !strings.Contains(log, "\n"+line+"\n") {
			t.Errorf("user_log:\n%s\nwant %%u to name each authenticated user (%q)", log, line)
		}
	}
	for _, line := range []string{"alice /private/a.txt 401", "dave /private/a.txt 401"} {
		if !strings.Contains(log, "\n"+line+"\n") {
			t.Errorf("user_log:\n%s\nwant %%u to name the user of a failed attempt, as Apache's r->user (%q)", log, line)
		}
	}
}

const groupConf = `<Directory htdocs/staff>
    AuthType Basic
    AuthName staff
    AuthUserFile htdocs/.htpasswd
    AuthGroupFile htdocs/.groups
    Require group admins ops
</Directory>
<Directory htdocs/nogroupfile>
    AuthType Basic
    AuthName staff
    AuthUserFile htdocs/.htpasswd
    Require group admins
</Directory>
<Directory htdocs/readonly>
    Require method GET
</Directory>
`

// TestRequireGroupAndMethod: mod_authz_groupfile's Require group (a group
// over several lines, a user in another group, one in none, no
// AuthGroupFile) and mod_authz_core's Require method (HEAD counts as GET),
// with Apache 2.4.71's statuses and error-log lines.
func TestRequireGroupAndMethod(t *testing.T) {
	s := startServer(t, groupConf, map[string]string{
		".htpasswd":         htpasswdFile,
		".groups":           "# groups\nadmins: alice\nusers: bob\nadmins: zed\n",
		"staff/a.txt":       "staff\n",
		"nogroupfile/a.txt": "x\n",
		"readonly/a.txt":    "ro\n",
	})
	c := s.open(t)
	defer c.Close()
	for _, tt := range []struct {
		name, req string
		status    int
	}{
		{"no credentials", "GET /staff/a.txt", 401},
		{"in the group", "GET /staff/a.txt\r\n" + strings.TrimSuffix(basic("alice", "secret"), "\r\n"), 200},
		{"in another group", "GET /staff/a.txt\r\n" + strings.TrimSuffix(basic("bob", "s3cret"), "\r\n"), 401},
		{"in no group", "GET /staff/a.txt\r\n" + strings.TrimSuffix(basic("carol", "pa:ss wörd"), "\r\n"), 401},
		{"no group file", "GET /nogroupfile/a.txt\r\n" + strings.TrimSuffix(basic("alice", "secret"), "\r\n"), 401},
		{"method GET", "GET /readonly/a.txt", 200},
		{"method HEAD", "HEAD /readonly/a.txt", 200},
		{"method POST", "POST /readonly/a.txt\r\nContent-Length: 0", 403},
	} {
		line, rest, _ := strings.Cut(tt.req, "\r\n")
		method, _, _ := strings.Cut(line, " ")
		raw := line + " HTTP/1.1\r\nHost: localhost\r\n"
		if rest != "" {
			raw += rest + "\r\n"
		}
		resp, _ := c.roundTrip(raw+"\r\n", method)
		if resp.StatusCode != tt.status {
			t.Errorf("%s: %d, want %d", tt.name, resp.StatusCode, tt.status)
		}
	}
	s.stop(t)
	expectContains(t, "error_log", s.logFile("error_log"),
		`AH01631: user bob: authorization failure for "/staff/a.txt": `,
		"AH01666: Authorization of user carol to access /staff/a.txt failed, reason: user doesn't appear in group file ("+s.root.Path("htdocs", ".groups")+").",
		"AH01664: No group file was specified in the configuration",
		"AH01630: client denied by server configuration: "+s.root.Path("htdocs", "readonly", "a.txt"))
}

// TestAuthTypeWithoutRequire: authentication configured where no Require
// applies at all is refused with 500 and AH01627, as Apache refuses it,
// rather than served to everyone; AuthType None, or any Require, serves.
func TestAuthTypeWithoutRequire(t *testing.T) {
	t.Parallel()
	conf := strings.Split(baseConf, "<Directory />")[0] + `<Directory htdocs/a>
    AuthType Basic
    AuthName zone
</Directory>
<Directory htdocs/n>
    AuthType None
</Directory>
`
	s := runServer(t, itest.NewRoot(t, conf, map[string]string{"a/x.txt": "a\n", "n/x.txt": "n\n", "y.txt": "y\n"}))
	c := newClient()
	for path, want := range map[string]int{"/a/x.txt": 500, "/n/x.txt": 200, "/y.txt": 200} {
		resp, err := c.Get(s.url(path))
		if err != nil {
			t.Fatal(err)
		}
		resp.Body.Close()
		if resp.StatusCode != want {
			t.Errorf("GET %s: %d, want %d", path, resp.StatusCode, want)
		}
	}
	expectContains(t, "error log", s.logFile("error_log"), "[authz_core:error]", "AH01627: AuthType configured with no corresponding authorization directives")
}
