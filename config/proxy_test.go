package config

import (
	"errors"
	"net"
	"strings"
	"testing"
)

// TestProxyErrors: every ProxyPass form eventmpm refuses names its line,
// with Apache's message where Apache refuses it too (checked with apache2
// -t) and a message of its own for what eventmpm does not do.
func TestProxyErrors(t *testing.T) {
	const modules = "LoadModule proxy_module m.so\nLoadModule proxy_http_module m.so\n"
	for _, tc := range []struct {
		conf, want string
	}{
		{"ProxyPass /x http://h/\n", "Invalid command 'ProxyPass'"}, // no LoadModule
		{"LoadModule proxy_module m.so\nProxyPass /x http://h/\n", "http:// needs mod_proxy_http"},
		{modules + "ProxyPass /x\n", "ProxyPass|ProxyPassMatch needs a path when not defined in a location"},
		{modules + "ProxyPass /x http://h/ foo\n", "Invalid ProxyPass|ProxyPassMatch parameter. Parameter must be in the form 'key=value'."},
		{modules + "ProxyPass /x http://h/ ttl=5\n", "eventmpm does not support the worker parameter ttl"},
		{modules + "ProxyPass /x http://h/ timeout=abc\n", "Timeout must be at least one second"},
		{modules + "ProxyPass /x http://h/ retry=-1\n", "Retry must be a positive value"},
		{modules + "ProxyPass /x http://h/ nocanon\n", "ProxyPass nocanon: eventmpm does not support this flag"},
		{modules + "ProxyPass /x https://h/\n", "ProxyPass https://h/: an https:// or wss:// backend needs SSLProxyEngine on"},
		{modules + "ProxyPass /x ajp://h/\n", "eventmpm proxies to http://, https://, ws://, wss:// and fcgi:// backends only (no ajp)"},
		{modules + "ProxyPass /x fcgi://h/\n", "fcgi:// needs mod_proxy_fcgi"},
		{modules + "LoadModule ssl_module m.so\nSSLProxyEngine off\nProxyPass /x wss://h/\n", "ProxyPass wss://h/: an https:// or wss:// backend needs SSLProxyEngine on"},
		{modules + "ProxyPass /x http://h/ upgrade=averyverylongprotocol\n", "upgrade protocol length must be < 16 characters"},
		{"LoadModule proxy_module m.so\nProxyPass /x ws://h/\n", "ws:// needs mod_proxy_http"},
		{modules + "ProxyPassMatch ~ ^/x http://h/\n", "ProxyPassMatch invalid syntax ('~' usage)."},
		{modules + "ProxyPassMatch ^/(x http://h/\n", "Regular expression could not be compiled."},
		{modules + "ProxyPassMatch ^/(.*) http://$1.h/\n", "eventmpm takes $N in the URL's path only"},
		{modules + "<Location /l>\nProxyPassMatch http://h/\n</Location>\n", "ProxyPassMatch in <Location> is not supported by eventmpm"},
		{modules + "ProxyPass x http://h/\n", "the path must begin with '/'"},
		{modules + "<Directory /tmp>\nProxyPass /x http://h/\n</Directory>\n", "ProxyPass cannot occur within <Directory> section"},
		{modules + "<Location /l>\nProxyPass /x http://h/\n</Location>\n", "ProxyPass|ProxyPassMatch can not have a path when defined in a location."},
		{modules + "<LocationMatch ^/l>\nProxyPass http://h/\n</LocationMatch>\n", "ProxyPass in <LocationMatch> is not supported by eventmpm"},
		{modules + "ProxyPass /x http://h/?a=1\n", "the URL may hold no user, query or fragment"},
		{modules + "<Location /l>\nProxyPassReverse /x http://h/\n</Location>\n", "ProxyPassReverse can not have a path when defined in a location"},
		{modules + "ProxyPassReverse /x\n", "ProxyPassReverse needs a path when not defined in a location"},
		{modules + "ProxyRequests On\n", "eventmpm is a reverse proxy only"},
		{modules + "ProxyTimeout 0\n", "Proxy Timeout must be at least 1 second."},
		{modules + "ProxyStatus sometimes\n", "ProxyStatus must be one of: off | on | full"},
		{modules + "ProxyPassReverseCookiePath /a\n", "ProxyPassReverseCookiePath takes two or three arguments"},
		{modules + "ProxyPassReverseCookieDomain a b interpolate\n", "eventmpm does not support the interpolate flag"},
		{"RewriteEngine On\nRewriteRule ^/a http://h/ [P]\n", "RewriteRule [P] needs mod_proxy and mod_proxy_http"},
		{modules + "<Directory /srv>\nRewriteEngine On\nRewriteRule ^a http://h/ [P]\n</Directory>\n", "RewriteRule [P] in a directory context is not supported by eventmpm"},
	} {
		_, err := loadFile(t, "Listen 80\n"+tc.conf)
		var ce *Error
		if !errors.As(err, &ce) || !strings.Contains(ce.Msg, tc.want) || ce.Pos.Line < 2 {
			t.Errorf("%q: got %v, want %q at its line", tc.conf, err, tc.want)
		}
	}
}

// TestProxyPassOrder: a <Location>'s ProxyPass is tried before the
// server's own lines (mod_proxy's "short way"), a virtual host tries the
// main server's before its own, and ProxyPass matches as Alias does, at a
// segment boundary.
func TestProxyPassOrder(t *testing.T) {
	cfg, err := loadFile(t, `Listen 80
LoadModule proxy_module m.so
LoadModule proxy_http_module m.so
ProxyPass /a http://one/
<Location /b>
    ProxyPass http://two/
</Location>
<VirtualHost *:80>
    ProxyPass /c http://three/
</VirtualHost>
`)
	if err != nil {
		t.Fatal(err)
	}
	var main, vhost []string
	for _, p := range cfg.Server.Proxy.Passes {
		main = append(main, p.Path)
	}
	for _, p := range cfg.VirtualHosts[0].Server.Proxy.Passes {
		vhost = append(vhost, p.Path)
	}
	if strings.Join(main, " ") != "/b /a" || strings.Join(vhost, " ") != "/b /a /c" {
		t.Errorf("main %v, virtual host %v; want [/b /a] and [/b /a /c]", main, vhost)
	}
	p := cfg.Server.Proxy.Passes[1]
	for uri, want := range map[string]int{"/a": 2, "/a/x": 2, "/ax": 0, "/": 0, "//a": 3} {
		if got := p.Match([]byte(uri)); got != want {
			t.Errorf("ProxyPass /a matches %q: %d, want %d", uri, got, want)
		}
	}
}

// TestProxyUpgrade: ws:// and upgrade= are kept for the child; mod_proxy_
// wstunnel's one directive needs its LoadModule, and Off (the legacy
// handler) is a warning naming what eventmpm does.
func TestProxyUpgrade(t *testing.T) {
	const modules = "LoadModule proxy_module m.so\nLoadModule proxy_http_module m.so\n"
	cfg, err := loadFile(t, "Listen 80\nServerName x.example\n"+modules+
		"LoadModule proxy_wstunnel_module m.so\nProxyWebsocketFallbackToProxyHttp Off\n"+
		"ProxyPass /ws ws://b.example:8080/ws\nProxyPass /up http://b.example/up upgrade=websocket,foo\n")
	if err != nil {
		t.Fatal(err)
	}
	passes := cfg.Server.Proxy.Passes
	if len(passes) != 2 || !passes[0].WebSocket || passes[0].Host != "b.example:8080" || passes[0].Upgrade != "" ||
		passes[1].WebSocket || passes[1].Upgrade != "websocket,foo" {
		t.Errorf("passes: %+v", passes)
	}
	if len(cfg.Warnings) != 1 || cfg.Warnings[0].Pos.Line != 6 ||
		!strings.Contains(cfg.Warnings[0].Text, "ProxyWebsocketFallbackToProxyHttp Off has no effect") {
		t.Errorf("warnings: %+v", cfg.Warnings)
	}
	if _, err := loadFile(t, "Listen 80\nServerName x.example\n"+modules+"ProxyWebsocketFallbackToProxyHttp On\n"); err == nil ||
		!strings.Contains(err.Error(), "Invalid command 'ProxyWebsocketFallbackToProxyHttp'") {
		t.Errorf("without LoadModule proxy_wstunnel_module: %v", err)
	}
}

// TestProxyFCGIConfig: SetHandler "proxy:" handlers and fcgi:// ProxyPass
// need mod_proxy_fcgi, and what eventmpm does not take is named.
func TestProxyFCGIConfig(t *testing.T) {
	const fcgi = "LoadModule proxy_module m.so\nLoadModule proxy_fcgi_module m.so\n"
	cfg, err := loadFile(t, "Listen 80\nServerName x.example\n"+fcgi+"ProxyFCGIBackendType generic\n"+
		"<FilesMatch \\.php$>\nSetHandler \"proxy:unix:/run/php/php8.2-fpm.sock|fcgi://localhost\"\n</FilesMatch>\n"+
		"ProxyPassMatch ^/(.*\\.php)$ fcgi://127.0.0.1:9000/var/www/$1\n")
	if err != nil {
		t.Fatal(err)
	}
	p := cfg.Server.Proxy
	if !p.FCGIGeneric || len(p.Passes) != 1 || !p.Passes[0].FCGI || p.Passes[0].Host != "127.0.0.1:9000" {
		t.Errorf("proxy config: %+v", p)
	}
	b, err := ParseProxyHandler(cfg.Server.Sections[len(cfg.Server.Sections)-1].Handler)
	if err != nil || b != (FCGIBackend{Network: "unix", Address: "/run/php/php8.2-fpm.sock", Host: "localhost"}) {
		t.Errorf("handler backend: %+v %v", b, err)
	}
	for _, h := range []struct {
		handler string
		want    FCGIBackend
	}{
		{"proxy:fcgi://127.0.0.1:9000/", FCGIBackend{"tcp", "127.0.0.1:9000", "127.0.0.1:9000"}},
		{"PROXY:fcgi://App.example", FCGIBackend{"tcp", "app.example:8000", "app.example"}},
		{"proxy:fcgi://[::1]:9000", FCGIBackend{"tcp", "[::1]:9000", "[::1]:9000"}},
	} {
		if got, err := ParseProxyHandler(h.handler); err != nil || got != h.want {
			t.Errorf("ParseProxyHandler(%q) = %+v, %v; want %+v", h.handler, got, err, h.want)
		}
	}
	for _, tc := range []struct{ conf, want string }{
		{"<Location /x>\nSetHandler \"proxy:fcgi://h\"\n</Location>\n", "needs mod_proxy and mod_proxy_fcgi"},
		{fcgi + "<Location /x>\nSetHandler proxy:http://h/\n</Location>\n", "speak FastCGI only (fcgi://)"},
		{fcgi + "<Location /x>\nSetHandler \"proxy:unix:run/x.sock|fcgi://h\"\n</Location>\n", "needs an absolute path"},
		{fcgi + "<Location /x>\nSetHandler proxy:fcgi://h:99999\n</Location>\n", "invalid port"},
		{fcgi + "ProxyFCGIBackendType Other\n", "ProxyFCGIBackendType requires one of the following arguments: 'GENERIC', 'FPM'"},
		{fcgi + "<Directory /srv>\nProxyFCGIBackendType FPM\n</Directory>\n", "ProxyFCGIBackendType in a section is not supported"},
		{fcgi + "ProxyFCGISetEnvIf true X 1\n", "ProxyFCGISetEnvIf is not supported"},
		{"LoadModule proxy_module m.so\nProxyFCGIBackendType FPM\n", "Invalid command 'ProxyFCGIBackendType'"},
	} {
		if _, err := loadFile(t, "Listen 80\nServerName x.example\n"+tc.conf); err == nil || !strings.Contains(err.Error(), tc.want) {
			t.Errorf("%q: %v, want %q", tc.conf, err, tc.want)
		}
	}
}

// TestProxyUnixBackend: "unix:/path|URL" names the socket; a relative
// path or a missing '|' is refused.
func TestProxyUnixBackend(t *testing.T) {
	const modules = "LoadModule proxy_module m.so\nLoadModule proxy_http_module m.so\n"
	cfg, err := loadFile(t, "Listen 80\nServerName x.example\n"+modules+"ProxyPass /app/ unix:/run/app.sock|http://localhost/base/\n")
	if err != nil {
		t.Fatal(err)
	}
	if p := cfg.Server.Proxy.Passes[0]; p.Socket != "/run/app.sock" || p.Host != "localhost:80" || p.BasePath != "/base/" {
		t.Errorf("pass: %+v", p)
	}
	for _, target := range []string{"unix:run/app.sock|http://localhost/", "unix:/run/app.sock"} {
		if _, err := loadFile(t, "Listen 80\nServerName x.example\n"+modules+"ProxyPass /a/ "+target+"\n"); err == nil ||
			!strings.Contains(err.Error(), "a unix: socket needs an absolute path") {
			t.Errorf("%s: %v", target, err)
		}
	}
}

// FuzzParseProxyHandler: any SetHandler value is read or refused without
// a panic, and one that is read names a socket or a TCP address to dial.
func FuzzParseProxyHandler(f *testing.F) {
	for _, s := range []string{"proxy:unix:/run/php/php8.2-fpm.sock|fcgi://localhost", "proxy:fcgi://127.0.0.1:9000/",
		"proxy:fcgi://[::1]", "proxy:unix:|fcgi://x", "proxy:http://h/", "proxy:fcgi://h:0"} {
		f.Add(s)
	}
	f.Fuzz(func(t *testing.T, h string) {
		b, err := ParseProxyHandler(h)
		if err != nil {
			return
		}
		switch b.Network {
		case "unix":
			if !strings.HasPrefix(b.Address, "/") {
				t.Fatalf("%q: socket %q", h, b.Address)
			}
		case "tcp":
			if _, _, err := net.SplitHostPort(b.Address); err != nil {
				t.Fatalf("%q: address %q: %v", h, b.Address, err)
			}
		default:
			t.Fatalf("%q: network %q", h, b.Network)
		}
		if b.Host == "" {
			t.Fatalf("%q: no host", h)
		}
	})
}

// TestCGIConfig: ScriptAlias, Options ExecCGI and SetHandler cgi-script
// need mod_cgi or mod_cgid, and are taken with it.
func TestCGIConfig(t *testing.T) {
	cfg, err := loadFile(t, "Listen 80\nServerName x.example\nLoadModule cgid_module m.so\n"+
		"ScriptAlias /cgi-bin/ /usr/lib/cgi-bin/\nScriptAliasMatch ^/s/(.*) /srv/s/$1\n"+
		"<Directory /srv/x>\nOptions +ExecCGI\nSetHandler cgi-script\n</Directory>\n")
	if err != nil {
		t.Fatal(err)
	}
	a := cfg.Server.Aliases
	if len(a) != 2 || !a[0].CGI || a[0].Path != "/usr/lib/cgi-bin" || !a[1].CGI || !a[1].Regex {
		t.Errorf("aliases: %+v", a)
	}
	sec := cfg.Server.Sections[len(cfg.Server.Sections)-1]
	if sec.Handler != "cgi-script" || sec.OptionsDelta == nil || !sec.OptionsDelta.Add.ExecCGI {
		t.Errorf("section: %+v", sec)
	}
	for _, line := range []string{"ScriptAlias /cgi-bin/ /usr/lib/cgi-bin/", "ScriptAliasMatch ^/s/(.*) /srv/s/$1",
		"<Directory /srv>\nSetHandler cgi-script\n</Directory>", "<Directory /srv>\nOptions ExecCGI\n</Directory>"} {
		if _, err := loadFile(t, "Listen 80\nServerName x.example\n"+line+"\n"); err == nil ||
			!strings.Contains(err.Error(), "mod_cgi or mod_cgid") {
			t.Errorf("%q without mod_cgid: %v", line, err)
		}
	}
}

// TestProxyFCGIReuse: enablereuse=on (or disablereuse=off) for a FastCGI
// backend asks for kept connections, without a warning; max= and
// keepalive= have no effect there and warn.
func TestProxyFCGIReuse(t *testing.T) {
	for _, tc := range []struct {
		params string
		reuse  bool
		warn   string
	}{
		{"enablereuse=on", true, ""},
		{"disablereuse=off", true, ""},
		{"", false, ""},
		{"enablereuse=off", false, ""},
		{"enablereuse=on max=4", true, "max=4 has no effect for fcgi://"},
	} {
		cfg, err := loadFile(t, "Listen 80\nServerName x.example\nLoadModule proxy_module m.so\nLoadModule proxy_fcgi_module m.so\n"+
			"ProxyPassMatch ^/(.*\\.php)$ fcgi://127.0.0.1:9000/var/www/$1 "+tc.params+"\n")
		if err != nil {
			t.Fatal(err)
		}
		if got := cfg.Server.Proxy.Passes[0].Reuse; got != tc.reuse {
			t.Errorf("%q: Reuse %v, want %v", tc.params, got, tc.reuse)
		}
		switch {
		case tc.warn == "" && len(cfg.Warnings) != 0:
			t.Errorf("%q: warnings %+v", tc.params, cfg.Warnings)
		case tc.warn != "" && (len(cfg.Warnings) != 1 || !strings.Contains(cfg.Warnings[0].Text, tc.warn)):
			t.Errorf("%q: warnings %+v, want one with %q", tc.params, cfg.Warnings, tc.warn)
		}
	}
}
