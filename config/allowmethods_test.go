package config

import (
	"reflect"
	"strings"
	"testing"
)

// TestAllowMethods: the list as mod_allowmethods keeps it (HEAD is GET,
// each once), reset, and Apache's messages; the directive belongs in
// sections only, not in the server config or an .htaccess file.
func TestAllowMethods(t *testing.T) {
	cfg, err := loadFile(t, `Listen 80
<Location /api>
    AllowMethods GET HEAD POST GET PROPFIND
</Location>
<Directory /srv>
    AllowMethods reset
</Directory>
`)
	if err != nil {
		t.Fatal(err)
	}
	api, srv := cfg.Server.Sections[0], cfg.Server.Sections[1]
	if !api.AllowMethodsSet || !reflect.DeepEqual(api.AllowMethods, []string{"GET", "POST", "PROPFIND"}) {
		t.Errorf("<Location /api>: %v %q", api.AllowMethodsSet, api.AllowMethods)
	}
	if !srv.AllowMethodsSet || srv.AllowMethods != nil {
		t.Errorf("reset: %v %q", srv.AllowMethodsSet, srv.AllowMethods)
	}
	expectLoadErrors(t, []loadErrorCase{
		{"<Location />\nAllowMethods\n</Location>", "AllowMethods: No method or 'reset' keyword given"},
		{"<Location />\nAllowMethods GET get\n</Location>", "AllowMethods: Invalid Method 'get'"},
		{"<Location />\nAllowMethods GET reset\n</Location>", "AllowMethods: Invalid Method 'reset'"},
		{"AllowMethods GET", "AllowMethods not allowed here"},
	})
	if _, err := cfg.ParseAccessFile("/srv/.htaccess", "AllowMethods GET\n", "/srv", Overrides{Classes: OverrideAll}, &cfg.Server); err == nil ||
		!strings.Contains(err.Error(), "AllowMethods not allowed here") {
		t.Errorf("AllowMethods in .htaccess: %v", err)
	}
}
