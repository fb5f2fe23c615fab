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

// TestLoadedModules: httpd -M's list is every module <IfModule> counts as
// loaded, each once: the built-in ones static, core first, the ones
// LoadModule named shared in its order; an opt-in module appears only
// with its LoadModule line.
func TestLoadedModules(t *testing.T) {
	cfg, err := loadFile(t, "Listen 80\nLoadModule mime_module m.so\nLoadModule unique_id_module u.so\n")
	if err != nil {
		t.Fatal(err)
	}
	got := LoadedModules(cfg)
	if len(got) < 3 || got[0].Name != "core_module" || got[1].Name != "so_module" || got[2].Name != "http_module" {
		t.Fatalf("first three: %v", got[:min(3, len(got))])
	}
	if tail := got[len(got)-2:]; tail[0] != (LoadedModule{"mime_module", true}) || tail[1] != (LoadedModule{"unique_id_module", true}) {
		t.Errorf("shared: %v, want mime_module then unique_id_module", tail)
	}
	seen := map[string]bool{}
	for _, m := range got {
		if seen[m.Name] {
			t.Errorf("%s listed twice", m.Name)
		}
		seen[m.Name] = true
		if !moduleLoaded(m.Name, cfg.Modules) {
			t.Errorf("%s listed but <IfModule> says not loaded", m.Name)
		}
	}
	for id := range modules {
		if moduleLoaded(id, cfg.Modules) != seen[id] {
			t.Errorf("%s: <IfModule> %v, listed %v", id, moduleLoaded(id, cfg.Modules), seen[id])
		}
	}
}
