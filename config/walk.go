package config

import (
	"cmp"
	"maps"
	"os"
	"path/filepath"
	"slices"
	"unicode/utf8"
)

// osHostname is the default Options.Hostname.
var osHostname = os.Hostname

// This file is the second pass, Apache's ap_walk_config: every directive
// left in the tree is checked against the table and applied to the server
// (main or virtual host) or section it sits in. Then finish checks the whole
// configuration, clamps the MPM limits and lets virtual hosts inherit.

// serverState is a server being built, with the names of the settings it
// sets explicitly (the rest a virtual host inherits).
type serverState struct {
	srv *Server
	set map[string]bool
	// pendingConds are the RewriteCond lines read since the last
	// RewriteRule: the next one's conditions.
	pendingConds []RewriteCond
	// A virtual host's own LogFormat nicknames and default format (set
	// when it has a LogFormat without nickname); the main server's are
	// Config.LogFormats and Config.DefaultLogFormat. A virtual host's
	// overlay the main server's, as mod_log_config merges them.
	formats       map[string]string
	defaultFormat string
	hasDefault    bool
	// A virtual host's server-level Options while they are all +/- forms:
	// their combined delta, applied to the main server's final Options
	// once everything is read (inherit), as Apache merges the two servers'
	// settings after the whole configuration. optionsAbs is set by an
	// absolute Options line, after which the forms apply to it at once.
	optionsDelta *OptionsDelta
	optionsAbs   bool
	// logLevelArgs are a virtual host's own LogLevel arguments, applied
	// over the main server's setting in inherit.
	logLevelArgs []string
	// remoteIPPos is where the server's own RemoteIPHeader is.
	remoteIPPos Pos
	// userDirNames is set once a UserDir line named users (see
	// mergeUserDir).
	userDirNames bool
	// locationPasses are the ProxyPass lines of the server's <Location>
	// sections, put before its own by finishProxy.
	locationPasses []ProxyPass
}

func newServerState(s *Server) *serverState {
	return &serverState{srv: s, set: map[string]bool{}}
}

func (s *serverState) mark(key string) { s.set[key] = true }

// vhostState is a <VirtualHost> being built.
type vhostState struct {
	*serverState
	addrs []string
	pos   Pos
}

// walker holds the state of the second pass.
type walker struct {
	l      *loader
	cfg    *Config
	main   *serverState
	vhosts []*vhostState
	srv    *serverState  // the server directives apply to
	sec    *sectionState // the directory-level section, or nil
	authz  *Require      // the <RequireAll>/<RequireAny> being built, or nil
	// limited is the methods of the enclosing <Limit>/<LimitExcept>
	// sections, nil outside them: the access rules read there apply to
	// these methods only.
	limited *MethodSet
	mpmPos  map[string]Pos
	noted   map[string]bool // no-effect directives already warned about
}

func newWalker(l *loader) *walker {
	w := &walker{l: l, cfg: l.cfg, mpmPos: map[string]Pos{}, noted: map[string]bool{}}
	w.main = newServerState(&l.cfg.Server)
	w.srv = w.main
	return w
}

// walk applies nodes, in order, in scope sc.
func (w *walker) walk(nodes []*node, sc scope) error {
	for _, n := range nodes {
		d := lookup(n.name)
		if sc.access != nil {
			skip, err := w.l.checkOverride(d, n, sc.access)
			if err != nil {
				return atPos(n.pos, err)
			}
			if skip {
				continue
			}
		}
		if d == nil || d.set == nil || d.module != "" && !slices.Contains(w.cfg.Modules, d.module) {
			return atPos(n.pos, invalidCommand(n.name))
		}
		c, err := prepare(d, n, sc)
		if err != nil {
			return atPos(n.pos, err)
		}
		if err := d.set(w, c); err != nil {
			return atPos(n.pos, err)
		}
	}
	return nil
}

// warn records a startup warning.
func (w *walker) warn(pos Pos, code, format string, args ...any) {
	w.l.warn(pos, code, format, args...)
}

// noEffect warns, once per directive, that it means nothing to eventmpm
// (SPEC.md 0: "log once at startup what eventmpm does instead").
func (w *walker) noEffect(c *call, why string) {
	if w.noted[c.d.name] {
		return
	}
	w.noted[c.d.name] = true
	w.warn(c.pos, "", "%s has no effect: %s", c.d.name, why)
}

// finish runs the checks Apache makes once the whole configuration is read.
func (w *walker) finish() error {
	cfg := w.cfg
	w.clamp()
	if len(cfg.Listeners) == 0 {
		return ErrNoListeners
	}
	w.resolveLogFormats()
	if cfg.ScoreBoardFile == "" {
		cfg.ScoreBoardFile = filepath.Join(cfg.DefaultRuntimeDir, "eventmpm.scoreboard")
	}
	w.defaultServerName()
	cfg.ErrorLog = cfg.Server.ErrorLog
	cfg.LogLevel = cfg.Server.LogLevel
	cfg.ServerSignature = cfg.Server.ServerSignature
	warned := map[Pos]bool{}
	w.checkRemoteIP(w.main, warned)
	finishProxy(w.main)

	for _, v := range w.vhosts {
		finishProxy(v.serverState)
		inherit(v.serverState, w.main)
		inheritSSL(v.srv, w.main.srv)
		inheritSSLProxy(v.srv, w.main.srv)
		if err := checkSSLProxy(v.srv); err != nil {
			return err
		}
		if err := finishSSL(v.srv, sslWhere(v.srv, v.addrs)); err != nil {
			return err
		}
		if v.remoteIPPos == (Pos{}) {
			v.remoteIPPos = w.main.remoteIPPos
		}
		w.checkRemoteIP(v.serverState, warned)
		w.vhostSyslog(v.srv)
		cfg.VirtualHosts = append(cfg.VirtualHosts, VirtualHost{Addrs: v.addrs, Server: *v.srv, Pos: v.pos})
	}
	if err := checkSSLProxy(&cfg.Server); err != nil {
		return err
	}
	return finishSSL(&cfg.Server, sslWhere(&cfg.Server, nil))
}

// vhostSyslog sends a virtual host's "ErrorLog syslog[:facility]" to the
// main server's error log, with a warning, unless that is the same
// target: the system logger is reached through one relay, the
// supervisor's own error log.
func (w *walker) vhostSyslog(srv *Server) {
	if _, ok := SyslogFacility(srv.ErrorLog); !ok || srv.ErrorLog == w.cfg.ErrorLog {
		return
	}
	w.warn(srv.ErrorLogPos, "", "ErrorLog %s in <VirtualHost>: only the main server's ErrorLog can be syslog here; this virtual host's error lines go to %s",
		srv.ErrorLog, w.cfg.ErrorLog)
	srv.ErrorLog, srv.ErrorLogPos = w.cfg.ErrorLog, w.cfg.Server.ErrorLogPos
}

// defaultServerName is AH00558: without ServerName the server uses the
// system's host name.
func (w *walker) defaultServerName() {
	if w.cfg.Server.ServerName != "" {
		return
	}
	hostname := w.l.opts.Hostname
	if hostname == nil {
		hostname = osHostname
	}
	name, err := hostname()
	if err != nil || name == "" || !utf8.ValidString(name) {
		name = "127.0.0.1"
	}
	w.cfg.Server.ServerName = name
	w.warn(Pos{}, "AH00558", "eventmpm: Could not reliably determine the server's fully qualified domain name, using %s. Set the 'ServerName' directive globally to suppress this message", name)
}

// inherited lists what a virtual host takes from the main server when it
// does not set it (Apache's merge_server_configs and ap_fixup_virtual_hosts).
var inherited = []struct {
	key  string
	copy func(v, m *Server)
}{
	{"ServerName", func(v, m *Server) { v.ServerName, v.Port, v.Scheme = m.ServerName, m.Port, m.Scheme }},
	{"ServerAdmin", func(v, m *Server) { v.ServerAdmin = m.ServerAdmin }},
	{"DocumentRoot", func(v, m *Server) { v.DocumentRoot = m.DocumentRoot }},
	{"ErrorLog", func(v, m *Server) { v.ErrorLog, v.ErrorLogPos = m.ErrorLog, m.ErrorLogPos }},
	{"LogLevel", func(v, m *Server) { v.LogLevel = m.LogLevel }},
	{"ErrorLogFormat", func(v, m *Server) { v.ErrorLogFormat.Main = m.ErrorLogFormat.Main }},
	{"ErrorLogFormat.connection", func(v, m *Server) {
		v.ErrorLogFormat.Connection = slices.Clone(m.ErrorLogFormat.Connection)
	}},
	{"ErrorLogFormat.request", func(v, m *Server) { v.ErrorLogFormat.Request = slices.Clone(m.ErrorLogFormat.Request) }},
	{"ServerSignature", func(v, m *Server) { v.ServerSignature = m.ServerSignature }},
	{"AccessFileName", func(v, m *Server) { v.AccessFileNames = m.AccessFileNames }},
	{"Timeout", func(v, m *Server) { v.Timeout = m.Timeout }},
	{"KeepAlive", func(v, m *Server) { v.KeepAlive = m.KeepAlive }},
	{"KeepAliveTimeout", func(v, m *Server) { v.KeepAliveTimeout = m.KeepAliveTimeout }},
	{"MaxKeepAliveRequests", func(v, m *Server) { v.MaxKeepAliveRequests = m.MaxKeepAliveRequests }},
	{"LimitRequestLine", func(v, m *Server) { v.LimitRequestLine = m.LimitRequestLine }},
	{"LimitRequestFieldSize", func(v, m *Server) { v.LimitRequestFieldSize = m.LimitRequestFieldSize }},
	{"LimitRequestFields", func(v, m *Server) { v.LimitRequestFields = m.LimitRequestFields }},
	{"LimitRequestBody", func(v, m *Server) { v.LimitRequestBody = m.LimitRequestBody }},
	{"MaxRanges", func(v, m *Server) { v.MaxRanges = m.MaxRanges }},
	{"RequestReadTimeout.handshake", func(v, m *Server) { v.RequestReadTimeout.Handshake = m.RequestReadTimeout.Handshake }},
	{"RequestReadTimeout.header", func(v, m *Server) { v.RequestReadTimeout.Header = m.RequestReadTimeout.Header }},
	{"RequestReadTimeout.body", func(v, m *Server) { v.RequestReadTimeout.Body = m.RequestReadTimeout.Body }},
	{"Options", func(v, m *Server) { v.Options = m.Options }},
	{"DirectoryIndex", func(v, m *Server) { v.DirectoryIndex = slices.Clone(m.DirectoryIndex) }},
	{"FallbackResource", func(v, m *Server) { v.FallbackResource = m.FallbackResource }},
	{"ForceType", func(v, m *Server) { v.ForceType = m.ForceType }},
	{"EnableSendfile", func(v, m *Server) { v.NoSendfile = m.NoSendfile }},
	{"AddDefaultCharset", func(v, m *Server) { v.AddDefaultCharset = m.AddDefaultCharset }},
	{"DefaultLanguage", func(v, m *Server) { v.DefaultLanguage = m.DefaultLanguage }},
	{"Negotiation", func(v, m *Server) { v.Negotiation = m.Negotiation }},
	{"StrictHostCheck", func(v, m *Server) { v.StrictHostCheck = m.StrictHostCheck }},
	{"CustomLogs", func(v, m *Server) { v.CustomLogs = slices.Clone(m.CustomLogs) }},
}

// inherit completes a virtual host from the main server: unset settings
// are copied, AddType maps merge (the vhost's win), the main server's
// sections come before the vhost's, as Apache concatenates them, and its
// aliases after the vhost's.
func inherit(v, m *serverState) {
	for _, f := range inherited {
		if !v.set[f.key] {
			f.copy(v.srv, m.srv)
		}
	}
	for ext := range m.srv.CGIExts { // mod_mime's merge: the main server's handlers, and the host's own
		if v.srv.CGIExts == nil {
			v.srv.CGIExts = map[string]bool{}
		}
		v.srv.CGIExts[ext] = true
	}
	if len(m.srv.AddType) > 0 {
		merged := maps.Clone(m.srv.AddType)
		for _, ext := range v.srv.RemoveType {
			delete(merged, ext)
		}
		maps.Copy(merged, v.srv.AddType)
		v.srv.AddType = merged
	}
	v.srv.AddLanguage = mergeExtMapRemoving(m.srv.AddLanguage, v.srv.AddLanguage, v.srv.RemoveExts["language"])
	v.srv.AddEncoding = mergeExtMapRemoving(m.srv.AddEncoding, v.srv.AddEncoding, v.srv.RemoveExts["encoding"])
	v.srv.AddCharset = mergeExtMapRemoving(m.srv.AddCharset, v.srv.AddCharset, v.srv.RemoveExts["charset"])
	for _, ext := range m.srv.RemoveType {
		if _, own := v.srv.AddType[ext]; !own && !slices.Contains(v.srv.RemoveType, ext) {
			v.srv.RemoveType = append(v.srv.RemoveType, ext)
		}
	}
	if len(m.srv.ErrorDocuments) > 0 {
		merged := maps.Clone(m.srv.ErrorDocuments)
		maps.Copy(merged, v.srv.ErrorDocuments)
		v.srv.ErrorDocuments = merged
	}
	if v.optionsDelta != nil {
		v.srv.Options = v.optionsDelta.apply(m.srv.Options)
	}
	v.srv.Sections = append(slices.Clone(m.srv.Sections), v.srv.Sections...)
	inheritRewrite(v.srv, m.srv)
	// mod_alias's merge_alias_config: the virtual host's own aliases are
	// tried before the main server's.
	v.srv.Aliases = append(slices.Clone(v.srv.Aliases), m.srv.Aliases...)
	v.srv.Redirects = append(slices.Clone(v.srv.Redirects), m.srv.Redirects...)
	v.srv.Headers = append(slices.Clone(m.srv.Headers), v.srv.Headers...)
	v.srv.Expires = m.srv.Expires.Merge(v.srv.Expires)
	v.srv.SetEnvIf = append(slices.Clone(m.srv.SetEnvIf), v.srv.SetEnvIf...)
	v.srv.Env = append(slices.Clone(m.srv.Env), v.srv.Env...)
	if m.srv.FileETag != nil {
		v.srv.FileETag = FileETagOf(ETagState{}.With(m.srv.FileETag).With(v.srv.FileETag))
	}
	if v.srv.Speling == nil {
		v.srv.Speling = m.srv.Speling // mod_speling has no merge: the host's own, else the main server's
	}
	v.srv.UserDir = mergeUserDir(m.srv.UserDir, v.srv.UserDir, v.userDirNames)
	if v.srv.VirtualDocumentRoot == nil {
		v.srv.VirtualDocumentRoot = m.srv.VirtualDocumentRoot // mva_merge_server_config
	}
	v.srv.Proxy = mergeProxy(m.srv.Proxy, v.srv.Proxy, v.set)
	v.srv.Autoindex = m.srv.Autoindex.Merge(v.srv.Autoindex)
	if !v.set["DeflateAlterETag"] {
		v.srv.Deflate.AlterETag = m.srv.Deflate.AlterETag
	}
	if v.srv.Deflate.Level == 0 {
		v.srv.Deflate.Level = m.srv.Deflate.Level
	}
	for i, n := range v.srv.Deflate.Notes {
		v.srv.Deflate.Notes[i] = cmp.Or(n, m.srv.Deflate.Notes[i])
	}
	for _, t := range m.srv.Deflate.Types {
		if !slices.Contains(v.srv.Deflate.Types, t) {
			v.srv.Deflate.Types = append(v.srv.Deflate.Types, t)
		}
	}
	v.srv.RequestHeaders = append(slices.Clone(m.srv.RequestHeaders), v.srv.RequestHeaders...)
	v.srv.RemoteIP = m.srv.RemoteIP.merge(v.srv.RemoteIP)
	v.srv.OutputFilters.Set = v.srv.OutputFilters.Set || m.srv.OutputFilters.Set
	v.srv.OutputFilters.Exts = append(slices.Clone(m.srv.OutputFilters.Exts), v.srv.OutputFilters.Exts...)
	if v.set["LogLevel"] {
		v.srv.LogLevel = applyLogLevel(m.srv.LogLevel, v.logLevelArgs)
	}
}
