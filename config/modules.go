package config

import (
	"os"
	"path/filepath"
	"slices"
	"strings"
)

// modules are the Apache modules eventmpm implements, by identifier (as
// LoadModule names them) and by source file name (as <IfModule> may).
// <IfModule> counts every one of them as loaded, with or without LoadModule.
var modules = map[string]string{
	"core_module":       "core.c",
	"so_module":         "mod_so.c",
	"http_module":       "http_core.c",
	"mpm_event_module":  "event.c",
	"status_module":     "mod_status.c",
	"dir_module":        "mod_dir.c",
	"mime_module":       "mod_mime.c",
	"log_config_module": "mod_log_config.c",
	"unixd_module":      "mod_unixd.c",
	"reqtimeout_module": "mod_reqtimeout.c",
	"authz_core_module": "mod_authz_core.c",
	"authz_host_module": "mod_authz_host.c",
	"headers_module":    "mod_headers.c",
	"expires_module":    "mod_expires.c",
	"alias_module":      "mod_alias.c",
	"setenvif_module":   "mod_setenvif.c",
	"env_module":        "mod_env.c",
	"autoindex_module":  "mod_autoindex.c",
	"deflate_module":    "mod_deflate.c",
	"filter_module":     "mod_filter.c",
	// MultiViews and its directives; type maps are not read (AddHandler
	// type-map warns).
	"negotiation_module":     "mod_negotiation.c",
	"auth_basic_module":      "mod_auth_basic.c",
	"authn_core_module":      "mod_authn_core.c",
	"authn_file_module":      "mod_authn_file.c",
	"authz_user_module":      "mod_authz_user.c",
	"authz_groupfile_module": "mod_authz_groupfile.c",
	"access_compat_module":   "mod_access_compat.c",
	"allowmethods_module":    "mod_allowmethods.c",
	"macro_module":           "mod_macro.c", // read with the configuration (macro.go)
	"speling_module":         "mod_speling.c",
	"userdir_module":         "mod_userdir.c",
	"vhost_alias_module":     "mod_vhost_alias.c",
	"proxy_module":           "mod_proxy.c",
	"proxy_http_module":      "mod_proxy_http.c",
	// ws:// and Upgrade go through mod_proxy_http's path, as in Apache
	// 2.4.47 and later (ProxyWebsocketFallbackToProxyHttp On).
	"proxy_wstunnel_module": "mod_proxy_wstunnel.c",
	// FastCGI (PHP-FPM) through SetHandler "proxy:unix:...|fcgi://...".
	"proxy_fcgi_module": "mod_proxy_fcgi.c",
	// CGI scripts: ScriptAlias, SetHandler cgi-script with Options ExecCGI.
	"cgi_module":      "mod_cgi.c",
	"cgid_module":     "mod_cgid.c",
	"remoteip_module": "mod_remoteip.c",
	// Per-server rewriting only (rewrite.go).
	"rewrite_module": "mod_rewrite.c",
	// Built into Debian's apache2 (apache2 -l), as into eventmpm.
	"version_module": "mod_version.c",
	// The UNIQUE_ID variable: made for each request only when LoadModule
	// loads it (see optInModules).
	"unique_id_module": "mod_unique_id.c",
	// TLS with crypto/tls: SSLEngine, certificates by SNI (ssl.go).
	"ssl_module": "mod_ssl.c",
	// mod_ssl's session cache store in Debian's ssl.load: loaded and
	// unused (sessions resume with tickets, SSLSessionCache warns).
	"socache_shmcb_module": "mod_socache_shmcb.c",
}

// optInModules cost every request something, so they work only when
// LoadModule names them, and <IfModule> counts them as loaded only then.
var optInModules = []string{"unique_id_module", "proxy_module", "proxy_http_module", "proxy_wstunnel_module", "proxy_fcgi_module",
	"cgi_module", "cgid_module", "ssl_module"}

// moduleLoaded is <IfModule>'s test: a module identifier or file name;
// loaded are the modules LoadModule named so far.
func moduleLoaded(name string, loaded []string) bool {
	for id, file := range modules {
		if id == name || file == name {
			return !slices.Contains(optInModules, id) || slices.Contains(loaded, id)
		}
	}
	return false
}

// readLoadModule accepts LoadModule for the modules eventmpm implements (the
// path is not opened: the module is built in) and refuses every other one.
func readLoadModule(r *reader, _ *cursor, c *call) ([]*node, error) {
	id, file := c.args[0], c.args[1]
	if _, ok := modules[id]; !ok {
		return nil, errorf("LoadModule %s: eventmpm does not provide this module (%s); remove the LoadModule line or disable the module",
			id, filepath.Base(file))
	}
	if !slices.Contains(r.l.cfg.Modules, id) {
		r.l.cfg.Modules = append(r.l.cfg.Modules, id)
	}
	return nil, nil
}

// readDefine is Define NAME [value]: NAME then exists for <IfDefine>, and
// with a value ${NAME} expands to it. Apache refuses it in directory
// context, with a message naming the section.
func readDefine(r *reader, _ *cursor, c *call) ([]*node, error) {
	if err := checkDefineContext(c); err != nil {
		return nil, err
	}
	name := c.args[0]
	if strings.Contains(name, ":") {
		return nil, errorf("Variable name must not contain ':'")
	}
	l := r.l
	if _, ok := l.cfg.Defines[name]; !ok {
		l.cfg.Defines[name] = ""
	}
	if len(c.args) == 2 {
		l.cfg.Defines[name] = c.args[1]
		l.vars[name] = c.args[1]
	}
	return nil, nil
}

// readUnDefine is UnDefine NAME: it removes a -D or Define name.
func readUnDefine(r *reader, _ *cursor, c *call) ([]*node, error) {
	if err := checkDefineContext(c); err != nil {
		return nil, err
	}
	name := c.args[0]
	if strings.Contains(name, ":") {
		return nil, errorf("Variable name must not contain ':'")
	}
	delete(r.l.cfg.Defines, name)
	delete(r.l.vars, name)
	return nil, nil
}

func checkDefineContext(c *call) error {
	if c.sc.authz != "" {
		return errorf("%s is not valid in %s> context", c.d.name, c.sc.authz)
	}
	if c.sc.dir != "" {
		return errorf("%s is not valid in %s> context", c.d.name, c.sc.dir)
	}
	return nil
}

// readServerRoot is ServerRoot dir. Apache runs it while reading, so every
// relative path of the configuration, before or after it, is taken from the
// last ServerRoot; a relative ServerRoot is taken from the current directory.
func readServerRoot(r *reader, _ *cursor, c *call) ([]*node, error) {
	dir, err := filepath.Abs(c.args[0])
	if err == nil {
		var fi os.FileInfo
		fi, err = os.Stat(dir)
		if err == nil && !fi.IsDir() {
			err = os.ErrInvalid
		}
	}
	if err != nil {
		return nil, errorf("ServerRoot must be a valid directory")
	}
	r.l.cfg.ServerRoot = dir
	return nil, nil
}

// LoadedModule is one line of httpd -M: a module and whether it is built
// in and always there (static) or there because LoadModule named it
// (shared).
type LoadedModule struct {
	Name   string
	Shared bool
}

// LoadedModules lists the modules httpd -M would show for cfg, in its
// order: the ones always there first (core, so and http first, as Apache
// lists its compiled-in modules, then by name), then those LoadModule
// named, in its order. A module LoadModule named that is always there
// anyway is listed with the latter, as Apache lists a shared module.
func LoadedModules(cfg *Config) []LoadedModule {
	var static []string
	for id := range modules {
		if !slices.Contains(optInModules, id) && !slices.Contains(cfg.Modules, id) {
			static = append(static, id)
		}
	}
	first := []string{"core_module", "so_module", "http_module"}
	slices.SortFunc(static, func(a, b string) int {
		ia, ib := slices.Index(first, a), slices.Index(first, b)
		switch {
		case ia >= 0 && ib >= 0:
			return ia - ib
		case ia >= 0:
			return -1
		case ib >= 0:
			return 1
		}
		return strings.Compare(a, b)
	})
	out := make([]LoadedModule, 0, len(static)+len(cfg.Modules))
	for _, id := range static {
		out = append(out, LoadedModule{Name: id})
	}
	for _, id := range cfg.Modules {
		out = append(out, LoadedModule{Name: id, Shared: true})
	}
	return out
}
