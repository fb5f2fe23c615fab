package config

import (
	"bufio"
	"crypto/tls"
	"errors"
	"fmt"
	"os"
	"path/filepath"
	"reflect"
	"slices"
	"strconv"
	"strings"
	"testing"

	"eventmpm/internal/itest"
)

// debianRoot is a copy of Debian 12's /etc/apache2 (package apache2
// 2.4.71-1~deb12u1), the *-enabled symbolic links replaced by copies of their
// targets.
const debianRoot = "testdata/debian-apache2"

// debianEnv reads Debian's envvars file the way apache2ctl sources it: the
// "export NAME=VALUE" lines, with $SUFFIX empty (the default instance).
func debianEnv(t *testing.T) func(string) (string, bool) {
	t.Helper()
	f, err := os.Open(filepath.Join(debianRoot, "envvars"))
	if err != nil {
		t.Fatal(err)
	}
	defer f.Close()
	env := map[string]string{}
	sc := bufio.NewScanner(f)
	for sc.Scan() {
		line, ok := strings.CutPrefix(strings.TrimSpace(sc.Text()), "export ")
		if name, value, found := strings.Cut(line, "="); ok && found {
			env[name] = strings.ReplaceAll(value, "$SUFFIX", "")
		}
	}
	if err := sc.Err(); err != nil {
		t.Fatal(err)
	}
	return func(k string) (string, bool) { v, ok := env[k]; return v, ok }
}

// debianOptions loads apache2.conf from root with Debian's environment and
// its www-data user (uid and gid 33), whatever this machine's passwd says.
func debianOptions(t *testing.T, root string) Options {
	id := func(name string) (int, error) {
		if name == "www-data" {
			return 33, nil
		}
		return 0, errors.New("unknown")
	}
	return Options{
		ServerRoot:  root,
		File:        "apache2.conf",
		LookupEnv:   debianEnv(t),
		Hostname:    func() (string, error) { return "debian.example", nil },
		LookupUser:  id,
		LookupGroup: id,
	}
}

// TestDebianApache2 loads Debian's stock configuration as shipped, every
// default module and conf-enabled file included (setenvif.conf's
// BrowserMatch lines, mime.conf, deflate.conf and negotiation.conf, with
// notes; security.conf's TraceEnable Off is what eventmpm does anyway).
// README-apache2.md is the summary of what it yields.
func TestDebianApache2(t *testing.T) {
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS(debianRoot)); err != nil {
		t.Fatal(err)
	}
	cfg, err := Load(debianOptions(t, root))
	if err != nil {
		t.Fatal(err)
	}
	checkDebian(t, root, cfg)

	// a2enmod headers expires, and security.conf's two Header lines
	// uncommented: they load and apply at the server level.
	for _, mod := range []string{"headers.load", "expires.load"} {
		b, err := os.ReadFile(filepath.Join(root, "mods-available", mod))
		if err != nil {
			t.Fatal(err)
		}
		writeTestFile(t, root, "mods-enabled/"+mod, string(b))
	}
	sec := filepath.Join(root, "conf-enabled", "security.conf")
	b, err := os.ReadFile(sec)
	if err != nil {
		t.Fatal(err)
	}
	writeTestFile(t, root, "conf-enabled/security.conf", strings.ReplaceAll(string(b), "#Header set", "Header set"))
	cfg, err = Load(debianOptions(t, root))
	if err != nil {
		t.Fatalf("with headers and expires enabled: %v", err)
	}
	want := []HeaderOp{
		{Action: "set", Name: "X-Content-Type-Options", Value: "nosniff", Pos: Pos{File: sec, Line: 51}},
		{Action: "set", Name: "Content-Security-Policy", Value: "frame-ancestors 'self';", Pos: Pos{File: sec, Line: 58}},
	}
	if !reflect.DeepEqual(cfg.Server.Headers, want) {
		t.Errorf("security.conf's Header lines: got %+v, want %+v", cfg.Server.Headers, want)
	}
}

// checkDebian checks what Debian's configuration yields.
func checkDebian(t *testing.T, root string, cfg *Config) {
	t.Helper()
	checks := []struct {
		name      string
		got, want any
	}{
		{"User", cfg.User + "/" + strconv.Itoa(cfg.UID), "www-data/33"},
		{"Group", cfg.Group + "/" + strconv.Itoa(cfg.GID), "www-data/33"},
		{"PidFile", cfg.PidFile, "/var/run/apache2/apache2.pid"},
		{"ScoreBoardFile", cfg.ScoreBoardFile, "/var/run/apache2/eventmpm.scoreboard"},
		{"ErrorLog", cfg.ErrorLog, "/var/log/apache2/error.log"},
		{"Timeout", cfg.Server.Timeout.String(), "5m0s"},
		{"MaxRequestWorkers", cfg.MPM.MaxRequestWorkers, 150},
		{"StartServers", cfg.MPM.StartServers, 2},
		{"Listeners", len(cfg.Listeners), 1},
		{"Listen", cfg.Listeners[0].Addr, ":80"},
		{"ExtendedStatus", cfg.ExtendedStatus, true},
		{"RequestReadTimeout body", cfg.Server.RequestReadTimeout.Body.Timeout.String(), "10s"},
		{"Modules", strings.Join(cfg.Modules, " "), "access_compat_module alias_module auth_basic_module authn_core_module authn_file_module authz_core_module authz_host_module authz_user_module autoindex_module deflate_module dir_module env_module filter_module mime_module mpm_event_module negotiation_module reqtimeout_module setenvif_module status_module"},
		{"VirtualHosts", len(cfg.VirtualHosts), 1},
		{"vhost DocumentRoot", cfg.VirtualHosts[0].Server.DocumentRoot, "/var/www/html"},
		{"vhost access log", cfg.VirtualHosts[0].Server.CustomLogs[0].Target, "/var/log/apache2/access.log"},
		{"vhost log format", cfg.VirtualHosts[0].Server.CustomLogs[0].Format, `%h %l %u %t "%r" %>s %O "%{Referer}i" "%{User-Agent}i"`},
		{"status handler", statusLocation(cfg), "/server-status local"},
		{"root", cfg.ServerRoot, root},
		{"AddLanguage", len(cfg.Server.AddLanguage), 82}, // 81 lines, cs with two extensions
		{"AddLanguage .en", cfg.Server.AddLanguage["en"], "en"},
		{"AddCharset .utf8", cfg.Server.AddCharset["utf8"], "utf-8"}, // lowercased, as mod_mime keeps it
		{"RemoveType", strings.Join(cfg.Server.RemoveType, " "), "es tr"},
		{"BrowserMatch", len(cfg.Server.SetEnvIf), 14},
		{"DEFLATE types", strings.Join(cfg.Server.Deflate.Types, " "), "text/html text/plain text/xml text/css text/javascript " +
			"application/x-javascript application/javascript application/ecmascript application/rss+xml application/wasm application/xml"},
		{"IndexIgnore", strings.Join(cfg.Server.Autoindex.Ignore, " "), ".??* *~ *# RCS CVS *,v *,t"},
		{"IndexOptions", cfg.Server.Autoindex.Flags(), ListingFlags{VersionSort: true, Fancy: true, Table: true, NameWidth: -1, DescriptionWidth: -1, Charset: "UTF-8"}},
		{"AddIcon*", fmt.Sprint(len(cfg.Server.Autoindex.Icons), " ", cfg.Server.Autoindex.Icons[0], " ", cfg.Server.Autoindex.DefaultIcon), "66 {69 x-compress /icons/compressed.gif} /icons/unknown.gif"},
		{"alt of (CMP,...)", fmt.Sprint(cfg.Server.Autoindex.Alts[:2]), "[{69 x-compress CMP} {69 x-gzip CMP}]"},
		{"ReadmeName", cfg.Server.Autoindex.ReadmeName + " " + cfg.Server.Autoindex.HeaderName, "README.html HEADER.html"},
		{"BrowserMatch MSIE 4.0b2", fmt.Sprint(cfg.Server.SetEnvIf[1].Vars), "[{nokeepalive 1 false} {downgrade-1.0 1 false} {force-response-1.0 1 false}]"},
		{"AddType .gz", cfg.Server.AddType["gz"], "application/x-gzip"},
		{"icons alias", fmt.Sprint(len(cfg.Server.Aliases), " ", cfg.Server.Aliases[0].URL, " ", cfg.Server.Aliases[0].Path), "1 /icons/ /usr/share/apache2/icons"},
	}
	for _, c := range checks {
		if c.got != c.want {
			t.Errorf("%s: got %v, want %v", c.name, c.got, c.want)
		}
	}
}

// statusLocation describes the section that sets the server-status handler.
func statusLocation(cfg *Config) string {
	for _, s := range cfg.Server.Sections {
		if s.Handler == "server-status" && s.Require != nil && len(s.Require.Rules) == 1 {
			return s.Pattern + " " + s.Require.Rules[0].Kind.String()
		}
	}
	return "none"
}

// TestDebianSSL: a2enmod ssl and a2ensite default-ssl, with the
// snake-oil certificate's paths pointed at a generated pair: Debian's
// ssl.conf and default-ssl.conf load, port 443 speaks TLS with the
// certificate, and what Go's TLS does differently is said once each.
func TestDebianSSL(t *testing.T) {
	root := t.TempDir()
	if err := os.CopyFS(root, os.DirFS(debianRoot)); err != nil {
		t.Fatal(err)
	}
	for _, f := range []string{"mods-available/ssl.load", "mods-available/ssl.conf", "mods-available/socache_shmcb.load"} {
		b, err := os.ReadFile(filepath.Join(root, f))
		if err != nil {
			t.Fatal(err)
		}
		writeTestFile(t, root, "mods-enabled/"+filepath.Base(f), string(b))
	}
	crt, key, _ := itest.SelfSigned(t, t.TempDir(), "snakeoil", "debian.example")
	b, err := os.ReadFile(filepath.Join(root, "sites-available", "default-ssl.conf"))
	if err != nil {
		t.Fatal(err)
	}
	site := strings.NewReplacer("/etc/ssl/certs/ssl-cert-snakeoil.pem", crt, "/etc/ssl/private/ssl-cert-snakeoil.key", key).Replace(string(b))
	writeTestFile(t, root, "sites-enabled/default-ssl.conf", site)
	cfg, err := Load(debianOptions(t, root))
	if err != nil {
		t.Fatal(err)
	}
	var listens []string
	for _, l := range cfg.Listeners {
		listens = append(listens, l.Addr)
	}
	if !slices.Contains(listens, ":443") {
		t.Errorf("Listen 443 of ports.conf's <IfModule ssl_module> missing: %q", listens)
	}
	i := slices.IndexFunc(cfg.VirtualHosts, func(v VirtualHost) bool { return slices.Contains(v.Addrs, "*:443") })
	if i < 0 {
		t.Fatal("no <VirtualHost *:443>")
	}
	v := cfg.VirtualHosts[i].Server
	if v.SSL == nil || len(v.SSL.Certs) != 1 || v.SSL.Certs[0].CertFile != crt || !v.SSL.NoTickets || v.SSL.MinVersion != tls.VersionTLS10 || v.Scheme != "https" {
		t.Errorf("default-ssl: %+v scheme %q", v.SSL, v.Scheme)
	}
	opts := 0
	for _, s := range v.Sections {
		if s.SSLOptions != nil && s.SSLOptions.Merge(0) == SSLStdEnvVars {
			opts++
		}
	}
	if opts != 2 {
		t.Errorf("SSLOptions +StdEnvVars in %d sections, want 2 (<FilesMatch> and <Directory /usr/lib/cgi-bin>)", opts)
	}
	if cfg.VirtualHosts[0].Server.SSL != nil {
		t.Errorf("000-default's port 80 host has SSL settings")
	}
	var warned []string
	for _, w := range cfg.Warnings {
		warned = append(warned, w.Text)
	}
	all := strings.Join(warned, "\n")
	for _, want := range []string{"SSLRandomSeed has no effect", "SSLPassPhraseDialog has no effect", "SSLSessionCache has no effect",
		"SSLCipherSuite HIGH:!aNULL: eventmpm does not evaluate OpenSSL's cipher expressions"} {
		if !strings.Contains(all, want) {
			t.Errorf("no warning %q in\n%s", want, all)
		}
	}
}
