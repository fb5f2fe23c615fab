package config

import "testing"

// TestOptInModules: <IfModule> counts a built-in module as loaded with or
// without LoadModule, but an opt-in one (mod_unique_id) only after its
// LoadModule line, by identifier or by file name.
func TestOptInModules(t *testing.T) {
	for _, tc := range []struct {
		conf string
		want string
	}{
		{"<IfModule mod_alias.c>\nServerAdmin a@x\n</IfModule>\n", "a@x"},
		{"<IfModule unique_id_module>\nServerAdmin a@x\n</IfModule>\n", ""},
		{"<IfModule !mod_unique_id.c>\nServerAdmin a@x\n</IfModule>\n", "a@x"},
		{"LoadModule unique_id_module m.so\n<IfModule unique_id_module>\nServerAdmin a@x\n</IfModule>\n", "a@x"},
		{"LoadModule unique_id_module m.so\n<IfModule mod_unique_id.c>\nServerAdmin a@x\n</IfModule>\n", "a@x"},
		{"<IfModule unique_id_module>\nServerAdmin a@x\n</IfModule>\nLoadModule unique_id_module m.so\n", ""},
	} {
		cfg, err := loadFile(t, "Listen 80\n"+tc.conf)
		if err != nil {
			t.Fatalf("%q: %v", tc.conf, err)
		}
		if cfg.Server.ServerAdmin != tc.want {
			t.Errorf("%q: ServerAdmin %q, want %q", tc.conf, cfg.Server.ServerAdmin, tc.want)
		}
	}
}
