package config

import (
	"reflect"
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
