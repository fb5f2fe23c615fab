package config

import (
	"reflect"
	"strings"
	"testing"
)

// TestUserDir: UserDir's forms fill the server's configuration (a later
// list of directories replaces an earlier one, names add up, keywords
// without regard to case), and a virtual host merges over the main
// server's as merge_userdir_config, but keeps the main server's names
// when it names none.
func TestUserDir(t *testing.T) {
	cfg, err := loadFile(t, `Listen 80
UserDir www
UserDir public_html "/srv/*/web"
UserDir Disabled root
UserDir disabled toor
<VirtualHost *:80>
    ServerName a.example
</VirtualHost>
<VirtualHost *:80>
    ServerName b.example
    UserDir disabled
    UserDir ENABLED alice
</VirtualHost>
<VirtualHost *:80>
    ServerName c.example
    UserDir /home
</VirtualHost>
`)
	if err != nil {
		t.Fatal(err)
	}
	main := &UserDir{Entries: []string{"public_html", "/srv/*/web"}, Disabled: []string{"root", "toor"}}
	for _, tc := range []struct {
		what string
		got  *UserDir
		want *UserDir
	}{
		{"main", cfg.Server.UserDir, main},
		{"a.example", cfg.VirtualHosts[0].Server.UserDir, main},
		{"b.example", cfg.VirtualHosts[1].Server.UserDir, &UserDir{Entries: main.Entries, Global: UserDirDisabled, Enabled: []string{"alice"}}},
		{"c.example", cfg.VirtualHosts[2].Server.UserDir, &UserDir{Entries: []string{"/home"}, Disabled: main.Disabled}},
	} {
		if !reflect.DeepEqual(tc.got, tc.want) {
			t.Errorf("%s: got %+v, want %+v", tc.what, tc.got, tc.want)
		}
	}
	for _, tc := range []struct {
		u    *UserDir
		user string
		want bool
	}{
		{main, "alice", true},
		{main, "ROOT", false},
		{main, ".", false},
		{main, "..", false},
		{main, "", false},
		{cfg.VirtualHosts[1].Server.UserDir, "alice", true},
		{cfg.VirtualHosts[1].Server.UserDir, "bob", false},
		{&UserDir{Disabled: []string{"x"}}, "alice", false}, // no directories
		{nil, "alice", false},
	} {
		if got := tc.u.Serves(tc.user); got != tc.want {
			t.Errorf("%+v Serves(%q) = %v, want %v", tc.u, tc.user, got, tc.want)
		}
	}
}

// TestVirtualDocumentRoot: the format is kept, "none" and the IP form are
// told apart, a virtual host without its own takes the main server's, and
// vhost_alias_set's checks refuse a relative path and a bad specifier.
func TestVirtualDocumentRoot(t *testing.T) {
	cfg, err := loadFile(t, `Listen 80
VirtualDocumentRoot /srv/%-2/%1.1/%0
<VirtualHost *:80>
    ServerName a.example
</VirtualHost>
<VirtualHost *:80>
    ServerName b.example
    VirtualDocumentRoot none
</VirtualHost>
<VirtualHost *:80>
    ServerName c.example
    VirtualDocumentRootIP /ip/%1
</VirtualHost>
`)
	if err != nil {
		t.Fatal(err)
	}
	main := VhostAlias{Format: "/srv/%-2/%1.1/%0"}
	for i, want := range []VhostAlias{main, {}, {Format: "/ip/%1", ByIP: true}} {
		if got := cfg.VirtualHosts[i].Server.VirtualDocumentRoot; got == nil || *got != want {
			t.Errorf("virtual host %d: %+v, want %+v", i, got, want)
		}
	}
	for line, want := range map[string]string{
		"VirtualDocumentRoot srv/%0":       "format string must be an absolute path, or 'none'",
		"VirtualDocumentRoot /srv/%1.":     "syntax error in format string",
		"VirtualDocumentRoot /srv/%":       "syntax error in format string",
		"VirtualScriptAlias /srv/%0/cgi":   "VirtualScriptAlias is not supported by eventmpm",
		"VirtualDocumentRootIP /srv/%x/%0": "syntax error in format string",
	} {
		if _, err := loadFile(t, "Listen 80\n"+line+"\n"); err == nil || !strings.Contains(err.Error(), want) {
			t.Errorf("%s: got %v, want %q", line, err, want)
		}
	}
}
