package config

import (
	"fmt"
	"reflect"
	"strings"
	"testing"
)

// TestHeaderDirectives: mod_headers' argument forms, where each list goes,
// and the warnings for what has no effect.
func TestHeaderDirectives(t *testing.T) {
	cfg, err := loadFile(t, `Listen 80
Header set X-Frame-Options: DENY
Header always append Cache-Control "no-transform"
Header onsuccess unset X-Powered-By
Header edit* Set-Cookie "^(.*)$" "$1; HttpOnly"
Header echo ^X-Req
Header set X-Maybe 1 env=!DEBUG
Header set X-Never 1 env=DEBUG
Header unset Server
RequestHeader unset Proxy early
RequestHeader unset Range
<FilesMatch "\.css$">
    Header set Cache-Control "max-age=60"
</FilesMatch>
<VirtualHost *:80>
    ServerName v.example
    Header add X-Vhost 1
    RequestHeader unset X-Other
</VirtualHost>
`)
	if err != nil {
		t.Fatal(err)
	}
	at := func(line int) Pos { return Pos{File: cfg.File, Line: line} }
	want := []HeaderOp{
		{Action: "set", Name: "X-Frame-Options", Value: "DENY", Pos: at(2)},
		{Always: true, Action: "append", Name: "Cache-Control", Value: "no-transform", Pos: at(3)},
		{Action: "unset", Name: "X-Powered-By", Pos: at(4)},
		{Action: "edit*", Name: "Set-Cookie", Value: "^(.*)$", Replacement: "$1; HttpOnly", Pos: at(5)},
		{Action: "echo", Name: "^X-Req", Pos: at(6)},
		{Action: "set", Name: "X-Maybe", Value: "1", Env: "!DEBUG", Pos: at(7)},
		{Action: "set", Name: "X-Never", Value: "1", Env: "DEBUG", Pos: at(8)},
	}
	if !reflect.DeepEqual(cfg.Server.Headers, want) {
		t.Errorf("server headers:\ngot  %+v\nwant %+v", cfg.Server.Headers, want)
	}
	if got := cfg.Server.Sections[0].Headers; len(got) != 1 || got[0].Value != "max-age=60" {
		t.Errorf("<FilesMatch> headers: %+v", got)
	}
	vh := cfg.VirtualHosts[0].Server
	if len(vh.Headers) != len(want)+1 || vh.Headers[len(want)].Name != "X-Vhost" {
		t.Errorf("virtual host headers: %+v, want the main server's, then its own", vh.Headers)
	}
	var reqOps []string
	for _, op := range vh.RequestHeaders {
		reqOps = append(reqOps, fmt.Sprintf("%s %s %v", op.Action, op.Name, op.Early))
	}
	if want := []string{"unset Proxy true", "unset Range false", "unset X-Other false"}; !reflect.DeepEqual(reqOps, want) {
		t.Errorf("virtual host RequestHeader: %q, want the main server's, then its own: %q", reqOps, want)
	}
	var warned []int
	for _, w := range cfg.Warnings {
		if strings.Contains(w.Text, "Header unset Server has no effect") {
			warned = append(warned, w.Pos.Line)
		}
	}
	if !reflect.DeepEqual(warned, []int{9}) {
		t.Errorf("warnings at lines %v, want 9: %+v", warned, cfg.Warnings)
	}
}

func TestHeaderErrors(t *testing.T) {
	expectLoadErrors(t, []loadErrorCase{
		{"Header set", "Header requires three arguments"},
		{"Header always set X", "Header requires three arguments"},
		{"Header frob X y", "first argument must be 'add', 'set'"},
		{"Header note X y", "no request notes"},
		{"Header set X y z", `"z" is neither a value nor a condition`},
		{"Header set X y early", "'early' is not supported"},
		{"Header set X y expr=%{REQUEST_URI}", "Can't parse envclause/expression: syntax error"},
		{"Header set X y \"expr=%{NOPE} == 1\"", "Can't parse envclause/expression: Variable 'NOPE' does not exist"},
		{"Header set X \"expr=%{NOPE}\"", "Can't parse value expression : Variable 'NOPE' does not exist"},
		{"Header set X y env=", "error: missing environment variable name. envclause should be in the form env=envar"},
		{"Header edit X ^a", "Header edit requires a match and a substitution"},
		{"Header edit X ( y", "Header edit regex could not be compiled"},
		{"Header echo (", "Header echo regex could not be compiled"},
		{`Header set "Bad Name" y`, "is not a valid header name"},
		{`Header set X "%s"`, "%s names its variable in braces, as %{NAME}s"},
		{`Header set X "%l"`, "does not put the load average"},
		{`Header set X "%z"`, "Unrecognized header format %z"},
		{`Header set X "%{x}"`, "Unrecognized header format %"},
		{`Header set X "%e"`, "%e names its variable in braces"},
		{`Header set X "50%"`, "ends with a lone %"},
		{"Header unset X y", "Header unset takes 0 value(s) after the header name; \"y\" is neither"},
		{"RequestHeader unset Host", "reads Host while parsing the request"},
		{"RequestHeader set content-length 5", "reads Content-Length while parsing the request"},
		{"RequestHeader unset X late", "Header unset takes 0 value(s) after the header name; \"late\" is neither"},
		{"RequestHeader echo X", "Header echo only valid on Header directives"},
		{"RequestHeader note X y", "RequestHeader does not support the 'note' action"},
		{"RequestHeader always set X y", "first argument must be 'add', 'set', 'setifempty', 'append', 'merge', 'unset', 'echo', 'note', 'edit', or 'edit*'."},
		{"RequestHeader set X", "Header requires three arguments"},
		{"RequestHeader edit X a", "Header edit requires a match and a substitution"},
		{"RequestHeader set X 1 env=", "missing environment variable name"},
	})
}

func TestMIMEDirectiveErrors(t *testing.T) {
	expectLoadErrors(t, []loadErrorCase{
		{"AddHandler cgi-script .cgi", `AddHandler cgi-script needs mod_cgi or mod_cgid`},
		{"AddHandler php-script .php", `AddHandler php-script: eventmpm has no handler "php-script"`},
		{"AddLanguage en", "AddLanguage requires at least two arguments"},
		{"AddCharset UTF-8", "AddCharset requires at least two arguments"},
		{"<Location /srv>\nRemoveType .es\n</Location>", "RemoveType in <Location> is not supported by eventmpm: use it in <Directory>, a .htaccess file, the server config or <VirtualHost>"},
		{"<Location /x>\nAddOutputFilterByType DEFLATE text/css\n</Location>", "AddOutputFilterByType in <Location> is not supported by eventmpm: use it in <Directory>, a .htaccess file, the server config or <VirtualHost>"},
		{"<Files x>\nAddDefaultCharset utf-8\n</Files>", "AddDefaultCharset in <Files> is not supported by eventmpm: use it in <Directory>, a .htaccess file, the server config or <VirtualHost>"},
	})
}
