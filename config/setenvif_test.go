package config

import (
	"reflect"
	"testing"
)

// TestSetEnvIfDirectives: the attribute forms (special names in any case,
// headers, variables), BrowserMatch's User-Agent, NoCase, the assignment
// forms, and a virtual host's list after the main server's.
func TestSetEnvIfDirectives(t *testing.T) {
	cfg, err := loadFile(t, `Listen 80
SetEnvIf request_uri "\.png$" dontlog
SetEnvIfNoCase Referer ^https://example\.com/ internal site=$0
BrowserMatch "MSIE 4\.0b2;" nokeepalive !ok
SetEnvIf internal ^1$ x=a=b
SetEnvIfNoCase ^Authorization$ "(.+)" HTTP_AUTHORIZATION=$1
<VirtualHost *:80>
    ServerName v.example
    BrowserMatchNoCase bot robot
</VirtualHost>
`)
	if err != nil {
		t.Fatal(err)
	}
	at := func(line int) Pos { return Pos{File: cfg.File, Line: line} }
	want := []SetEnvIf{
		{Attribute: "Request_URI", Regex: `\.png$`, Vars: []EnvAssign{{Name: "dontlog", Value: "1"}}, Pos: at(2)},
		{Attribute: "Referer", Regex: `^https://example\.com/`, NoCase: true,
			Vars: []EnvAssign{{Name: "internal", Value: "1"}, {Name: "site", Value: "$0"}}, Pos: at(3)},
		{Attribute: "User-Agent", Regex: `MSIE 4\.0b2;`, Vars: []EnvAssign{{Name: "nokeepalive", Value: "1"}, {Name: "ok", Unset: true}}, Pos: at(4)},
		{Attribute: "internal", Regex: `^1$`, Vars: []EnvAssign{{Name: "x", Value: "a=b"}}, Pos: at(5)},
		{Attribute: "^Authorization$", NameRegex: true, Regex: "(.+)", NoCase: true,
			Vars: []EnvAssign{{Name: "HTTP_AUTHORIZATION", Value: "$1"}}, Pos: at(6)},
	}
	if !reflect.DeepEqual(cfg.Server.SetEnvIf, want) {
		t.Errorf("main server:\ngot  %+v\nwant %+v", cfg.Server.SetEnvIf, want)
	}
	vh := cfg.VirtualHosts[0].Server.SetEnvIf
	if len(vh) != len(want)+1 || !reflect.DeepEqual(vh[:len(want)], want) || vh[len(want)].Regex != "bot" || !vh[len(want)].NoCase {
		t.Errorf("virtual host: %+v, want the main server's, then its own", vh)
	}
}

func TestSetEnvIfErrors(t *testing.T) {
	expectLoadErrors(t, []loadErrorCase{
		{"SetEnvIf User-Agent", "Missing regular expression"},
		{"SetEnvIf User-Agent ^x", "Missing envariable expression for SetEnvIf"},
		{"SetEnvIf User-Agent ( x", "Regular expression could not be compiled"},
		{"SetEnvIf ^X-(.* foo x", "SetEnvIfHeader name regex could not be compiled."},
		{"BrowserMatch bot !", `"!" names no variable`},
		{"BrowserMatch bot =1", `"=1" names no variable`},
		{"SetEnvIfExpr \"%{NOPE} == 1\" x", `Could not parse expression "%{NOPE} == 1": Variable 'NOPE' does not exist`},
		{"SetEnvIfExpr \"true\"", "Missing envariable expression for SetEnvIfExpr"},
		{"SetEnvIfExpr", "Missing expression for SetEnvIfExpr"},
	})
}

func TestAuthDirectives(t *testing.T) {
	cfg, err := loadFile(t, `Listen 80
<Location /admin>
    AuthType basic
    AuthName "Admins"
    AuthBasicProvider file
    AuthUserFile conf/htpasswd
    Require user alice bob
</Location>
<Directory /srv>
    AuthType None
    Require valid-user
    Require env trusted
</Directory>
`)
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Server.Sections[0]
	if a.AuthType != "Basic" || a.AuthName != "Admins" || a.AuthUserFile != cfg.ServerRoot+"/conf/htpasswd" {
		t.Errorf("<Location>: AuthType %q, AuthName %q, AuthUserFile %q", a.AuthType, a.AuthName, a.AuthUserFile)
	}
	if r := a.Require.Rules[0]; r.Kind != RequireUser || !reflect.DeepEqual(r.Names, []string{"alice", "bob"}) {
		t.Errorf("Require user: %+v", r)
	}
	d := cfg.Server.Sections[1]
	if d.AuthType != "None" || d.Require.Rules[0].Kind != RequireValidUser || d.Require.Rules[1].Kind != RequireEnv || d.Require.Rules[1].Names[0] != "trusted" {
		t.Errorf("<Directory>: %+v, %+v", d.AuthType, d.Require.Rules)
	}
}

func TestAuthErrors(t *testing.T) {
	expectLoadErrors(t, []loadErrorCase{
		{"AuthType Basic", "AuthType not allowed here"},
		{"<Location /x>\nAuthType Digest\n</Location>", "AuthType Digest: eventmpm implements Basic authentication only"},
		{"<Location /x>\nAuthBasicProvider dbm\n</Location>", "Unknown Authn provider: dbm"},
		{"<Location /x>\nRequire valid-user bob\n</Location>", "'Require valid-user' does not take an argument"},
		{"<Location /x>\nRequire user\n</Location>", "'Require user' requires at least one user name"},
		{"<Location /x>\nRequire method FOO\n</Location>", "Invalid Method 'FOO'"},
		{"AuthGroupFile /x", "AuthGroupFile not allowed here"},
	})
}

func TestEnvDirectives(t *testing.T) {
	root := t.TempDir()
	writeTestFile(t, root, "conf/eventmpm.conf", `Listen 80
SetEnv site main
SetEnv flag
UnsetEnv a b
PassEnv HOME_DIR MISSING
<VirtualHost *:80>
    ServerName v.example
    SetEnv site v
</VirtualHost>
<Location /x>
    UnsetEnv site
    PassEnv HOME_DIR
</Location>
`)
	writeTestFile(t, root, "htdocs/", "")
	cfg, err := Load(Options{ServerRoot: root, LookupEnv: func(k string) (string, bool) {
		return "/home/x", k == "HOME_DIR"
	}})
	if err != nil {
		t.Fatal(err)
	}
	want := []EnvSetting{{Name: "site", Value: "main"}, {Name: "flag"}, {Name: "a", Unset: true}, {Name: "b", Unset: true},
		{Name: "HOME_DIR", Value: "/home/x"}}
	if !reflect.DeepEqual(cfg.Server.Env, want) {
		t.Errorf("main server: %+v, want %+v", cfg.Server.Env, want)
	}
	if vh := cfg.VirtualHosts[0].Server.Env; len(vh) != len(want)+1 || vh[len(want)].Value != "v" {
		t.Errorf("virtual host: %+v, want the main server's, then its own", vh)
	}
	wantSec := []EnvSetting{{Name: "site", Unset: true}, {Name: "HOME_DIR", Value: "/home/x"}}
	if len(cfg.Server.Sections) != 1 || !reflect.DeepEqual(cfg.Server.Sections[0].Env, wantSec) {
		t.Errorf("sections %+v, want one with %+v", cfg.Server.Sections, wantSec)
	}
	found := false
	for _, w := range cfg.Warnings {
		found = found || w.Code == "AH01506" && w.Pos.Line == 5
	}
	if !found {
		t.Errorf("no AH01506 for MISSING: %+v", cfg.Warnings)
	}
}
