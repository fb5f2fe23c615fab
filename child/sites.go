package child

import (
	"cmp"
	"fmt"
	"log/slog"
	"os"
	"slices"
	"sort"
	"strconv"
	"strings"

	"eventmpm/child/accesslog"
	"eventmpm/child/http1"
	"eventmpm/child/static"
	"eventmpm/config"
	"eventmpm/internal/errorlog"
)

// Open-file cache sizing for the static handler.
const (
	cacheMaxFileSize = 64 << 10
	// compressMaxFileSize is the largest file mod_deflate's types are
	// compressed for (the compressed form is kept with the cached file,
	// within the handler's budget): large JavaScript bundles, JSON and
	// source maps, which shrink by 80 to 95 %. Making the form of one this
	// large takes a worker a few hundred milliseconds, once per version.
	compressMaxFileSize = 16 << 20
	cacheMaxEntries     = 4096
)

// buildSites compiles the main server and every virtual host.
func (ch *Child) buildSites(files map[string]*os.File) error {
	ch.watcher = static.NewWatcher()
	logs := map[string]*accesslog.Log{}
	main, err := ch.newSite(&ch.cfg.Server, nil, logs, files)
	if err != nil {
		return err
	}
	ch.main = main
	for i := range ch.cfg.VirtualHosts {
		vh := &ch.cfg.VirtualHosts[i]
		s, err := ch.newSite(&vh.Server, vh, logs, files)
		if err != nil {
			return fmt.Errorf("<VirtualHost> at %s:%d: %w", vh.Pos.File, vh.Pos.Line, err)
		}
		ch.vhosts = append(ch.vhosts, s)
	}
	ch.buildPorts()
	return nil
}

// buildPorts groups the virtual hosts by listening port and local address,
// as config.VirtualHostsOn does, so that setBase only looks them up.
func (ch *Child) buildPorts() {
	if len(ch.vhosts) == 0 {
		return
	}
	for _, l := range ch.cfg.Listeners {
		port := listenPort(l.Addr)
		if slices.ContainsFunc(ch.ports, func(p portSites) bool { return p.port == port }) {
			continue
		}
		on := ch.cfg.VirtualHostsOn(port)
		p := portSites{port: port, wild: ch.sitesAt(on.Wild)}
		for ip, set := range on.ByIP {
			p.byIP = append(p.byIP, ipSites{ip: ip, sites: ch.sitesAt(set)})
		}
		ch.ports = append(ch.ports, p)
	}
}

// sitesAt maps indices into Config.VirtualHosts to their sites.
func (ch *Child) sitesAt(idx []int) []*site {
	out := make([]*site, len(idx))
	for i, x := range idx {
		out[i] = ch.vhosts[x]
	}
	return out
}

func (ch *Child) newSite(srv *config.Server, vh *config.VirtualHost, logs map[string]*accesslog.Log, files map[string]*os.File) (*site, error) {
	s := &site{
		cfg: srv, keepAlive: srv.KeepAlive, keepAliveTimeout: int64(srv.KeepAliveTimeout),
		maxKeepAlive: srv.MaxKeepAliveRequests, timeout: int64(srv.Timeout), name: srv.ServerName,
	}
	var err error
	if s.log, err = ch.errorLog(srv, files); err != nil {
		return nil, err
	}
	s.limits = http1.Limits{
		RequestLine: srv.LimitRequestLine, FieldSize: srv.LimitRequestFieldSize,
		Fields: srv.LimitRequestFields, Body: srv.LimitRequestBody,
	}
	s.headLimits = s.limits
	s.headLimits.Body = 0 // the request's own server checks the body (consumeBody)
	s.maxHead = s.limits.MaxHeadLen()
	s.readTO = srv.RequestReadTimeout.Header
	s.port, s.namedPort = srv.Port, srv.Port
	if s.port == 0 && len(ch.cfg.Listeners) > 0 {
		s.port = listenPort(ch.cfg.Listeners[0].Addr)
	}
	s.vhost = []byte(s.name + ":" + strconv.Itoa(s.port))
	for _, l := range ch.cfg.Listeners {
		if port := listenPort(l.Addr); !slices.ContainsFunc(s.vhostByPort, func(v portText) bool { return v.port == port }) {
			s.vhostByPort = append(s.vhostByPort, portText{port: port, text: []byte(s.name + ":" + strconv.Itoa(port))})
		}
	}
	s.nameBytes = []byte(s.name)
	s.names = srv.HostPatterns() // the main server's serve StrictHostCheck only

	s.envBase = mergeEnv(nil, srv.Env)
	if s.fallback, err = cleanFallback(srv.FallbackResource); err != nil {
		return nil, fmt.Errorf("FallbackResource: %w", err)
	}
	if err := s.compileSections(srv.Sections); err != nil {
		return nil, err
	}
	s.flags.multiViews = s.flags.multiViews || srv.Options.MultiViews
	if s.rewrites, err = compileRewrite(srv.Rewrite); err != nil {
		return nil, err
	}
	if s.redirects, err = compileRedirects(srv.Redirects); err != nil {
		return nil, err
	}
	if s.errorDocs, err = compileErrorDocs(srv.ErrorDocuments); err != nil {
		return nil, err
	}
	if s.headerOps, err = compileHeaderOps(srv.Headers); err != nil {
		return nil, err
	}
	if !srv.Expires.IsZero() {
		s.expires = compileExpires(&srv.Expires)
	}
	s.rewritesHead = len(s.headerOps) > 0 || s.expires != nil
	s.flags.headerExprs = s.flags.headerExprs || hasHeaderExprs(s.headerOps)
	if s.setEnvIf, err = compileSetEnvIf(srv.SetEnvIf); err != nil {
		return nil, err
	}
	s.remoteIP = compileRemoteIP(srv.RemoteIP)
	s.strictHost = srv.StrictHostCheck
	if vh != nil {
		s.defn = vh.Pos.File + ":" + strconv.Itoa(vh.Pos.Line)
	}
	s.flags.filtersOutput = s.flags.filtersOutput || !srv.OutputFilters.IsZero() // or a section's (compileSections)
	s.view.Store(s.newView(nil))                                                 // with the server's flags
	if srv.RemoteIP != nil && srv.RemoteIP.ProxyProtocol != "" {
		s.proxyProtocol = srv.RemoteIP.ProxyProtocol
		ch.proxyProtocol = true
	}
	var early, late []config.HeaderOp
	for _, op := range srv.RequestHeaders {
		if op.Early {
			early = append(early, op)
		} else {
			late = append(late, op)
		}
	}
	if s.reqEarly, err = compileHeaderOps(early); err != nil {
		return nil, err
	}
	if s.reqHeaders, err = compileHeaderOps(late); err != nil {
		return nil, err
	}
	types, err := ch.mimeTypes(srv)
	if err != nil {
		return nil, err
	}
	s.types = types
	opts := static.Options{
		DocumentRoot: srv.DocumentRoot, Resolver: s, Types: types,
		DefaultCharset: srv.AddDefaultCharset, CacheMaxFileSize: cacheMaxFileSize,
		CacheMaxEntries: cacheMaxEntries, Watcher: ch.watcher,
		Compress: srv.Deflate.Types, CompressLevel: srv.Deflate.Level, CompressMaxFileSize: compressMaxFileSize,
		MaxRanges: srv.MaxRanges, // config.MaxRangesNone is static.NoRanges
		GzipETag:  gzipETagMode(srv.Deflate.AlterETag),
	}
	if s.static, err = static.New(opts); err != nil {
		return nil, fmt.Errorf("DocumentRoot %s: %w", srv.DocumentRoot, err)
	}
	if err := s.compileAliases(srv.Aliases, opts, ch.cfg.ServerRoot); err != nil {
		s.closeHandlers()
		return nil, err
	}
	if err := s.compileUserDir(srv.UserDir, opts); err != nil {
		s.closeHandlers()
		return nil, err
	}
	if err := s.compileVhostAlias(srv.VirtualDocumentRoot, opts); err != nil {
		s.closeHandlers()
		return nil, err
	}
	if err := s.compileProxy(srv.Proxy, srv.Rewrite, srv.SSLProxy, srv.Timeout, ch.cfg.MPM.ThreadsPerChild); err != nil {
		s.closeHandlers()
		return nil, err
	}
	scriptModules := slices.ContainsFunc(ch.cfg.Modules, func(m string) bool {
		return m == "proxy_fcgi_module" || m == "cgi_module" || m == "cgid_module"
	})
	if err := s.compileFCGI(srv.Sections, srv.Proxy, scriptModules); err != nil {
		s.closeHandlers()
		return nil, err
	}
	if err := ch.openSiteLogs(s, srv.CustomLogs, logs, files); err != nil {
		return nil, err
	}
	if s.tls, err = compileTLS(srv.SSL, ch.ticketKey); err != nil {
		s.closeHandlers()
		return nil, err
	}
	s.signature = signatureKind(srv.ServerSignature)
	s.scheme = cmp.Or(srv.Scheme, "http")
	return s, nil
}

// errorLog returns a server's error logger: the child's own when the
// server logs where the main server does and at its level, else one
// writing to the server's ErrorLog at the server's LogLevel. The file is
// the one the supervisor opened (as for CustomLog); without a supervisor
// (start -X) the child opens a file target itself, and a piped or syslog
// one goes to the main server's log. The messages about a request go to its server's
// log, as in Apache; the MPM's own go to the main server's.
func (ch *Child) errorLog(srv *config.Server, files map[string]*os.File) (*slog.Logger, error) {
	opts := errorlog.OptionsFor(srv.LogLevel, srv.ErrorLogFormat, srv.ServerName)
	if srv.ErrorLog == ch.cfg.ErrorLog {
		if srv.LogLevel == ch.cfg.LogLevel && srv.ErrorLogFormat.Equal(ch.cfg.Server.ErrorLogFormat) &&
			(srv.ServerName == ch.cfg.Server.ServerName || ch.cfg.Server.ErrorLogFormat.Main == "") {
			return ch.log, nil
		}
		if h, ok := ch.log.Handler().(*errorlog.Handler); ok {
			return slog.New(h.WithOptions(opts)), nil // the main log, this server's level and format
		}
	}
	f := files[srv.ErrorLog]
	_, syslog := config.SyslogFacility(srv.ErrorLog)
	if f == nil && !syslog && !strings.HasPrefix(srv.ErrorLog, "|") {
		var err error
		if f, err = errorlog.OpenAppend(srv.ErrorLog); err != nil {
			return nil, fmt.Errorf("AH00091: could not open error log file %s: %w", srv.ErrorLog, err)
		}
	}
	if f == nil {
		if h, ok := ch.log.Handler().(*errorlog.Handler); ok {
			return slog.New(h.WithOptions(opts)), nil
		}
		return ch.log, nil
	}
	return errorlog.New(f, opts), nil
}

// compileSections sorts sections into Apache's merge order: <Directory>
// sections by path length (shortest first) and then the regex forms in
// file order; <Files> and <Location> sections in file order.
func (s *site) compileSections(secs []config.Section) error {
	var plain, regex []section
	for i := range secs {
		cs, err := compileSection(&secs[i])
		if err != nil {
			return fmt.Errorf("%s:%d: %w", secs[i].Pos.File, secs[i].Pos.Line, err)
		}
		if sec := &secs[i]; sec.Kind == config.SectionDirectory && !sec.Regex && (sec.AllowOverride != "" || sec.AllowOverrideList != nil) {
			ov := config.ParseOverrides(sec.AllowOverride, sec.AllowOverrideList)
			cs.ov = &ov
			s.overrides = s.overrides || ov.Any()
		}
		switch secs[i].Kind {
		case config.SectionDirectory:
			if cs.re != nil {
				regex = append(regex, cs)
			} else {
				plain = append(plain, cs)
			}
		case config.SectionFiles:
			s.baseFiles = append(s.baseFiles, cs)
		case config.SectionLocation:
			s.locations = append(s.locations, cs)
			s.locationWhole = s.locationWhole || cs.whole != nil
		case config.SectionIf:
			s.ifs = append(s.ifs, cs)
		}
		s.flags.note(&cs)
	}
	sort.SliceStable(plain, func(i, j int) bool { return dirDepth(&plain[i]) < dirDepth(&plain[j]) })
	s.plainDirs, s.regexDirs = plain, regex
	for _, dirs := range [][]section{plain, regex} {
		for i := range dirs {
			var err error
			if dirs[i].files, err = compileNested(&dirs[i]); err != nil {
				return err
			}
			for j := range dirs[i].files {
				s.flags.note(&dirs[i].files[j])
			}
		}
	}
	s.view.Store(s.newView(nil))
	return nil
}

// dirDepth is a <Directory> section's place in the merge order: the
// number of components of its path (which ends in a slash, but for "/"),
// as Apache sorts them (ap_count_dirs), those of the same depth in file
// order and an AccessFileName file's after them.
func dirDepth(cs *section) int {
	return strings.Count(cs.prefix, "/")
}

// closeSites closes every site's static handlers, then the watcher they
// share.
func (ch *Child) closeSites() {
	for _, s := range append([]*site{ch.main}, ch.vhosts...) {
		if s != nil {
			s.closeHandlers()
		}
	}
	if ch.watcher != nil {
		ch.watcher.Close()
	}
}

// closeHandlers closes the site's static handlers: its DocumentRoot's,
// its UserDir's and its aliases'.
func (s *site) closeHandlers() {
	if s.static != nil {
		s.static.Close()
	}
	if s.userDir != nil {
		s.userDir.static.Close()
	}
	if s.proxy != nil {
		s.proxy.close()
	}
	if s.vhostAlias != nil {
		s.vhostAlias.static.Close()
	}
	for i := range s.aliases {
		s.aliases[i].static.Close()
	}
}

// mimeTypes loads TypesConfig (or the built-in table) plus the server's
// AddType directives.
func (ch *Child) mimeTypes(srv *config.Server) (*static.MIMETypes, error) {
	types := static.BuiltinMIMETypes()
	if ch.cfg.TypesConfig != "" {
		t, err := static.LoadMIMETypes(ch.cfg.TypesConfig)
		if err != nil {
			return nil, fmt.Errorf("TypesConfig: %w", err)
		}
		types = t
	}
	for ext, typ := range srv.AddType {
		types.Add(ext, typ)
	}
	for _, ext := range srv.RemoveType {
		types.Remove(ext)
	}
	types.SetDefaultLanguage(srv.DefaultLanguage)
	for ext, enc := range srv.AddEncoding {
		types.AddEncoding(ext, enc)
	}
	for ext, lang := range srv.AddLanguage {
		types.AddLanguage(ext, lang)
	}
	for ext, cs := range srv.AddCharset {
		types.AddCharset(ext, cs)
	}
	return types, nil
}

// openSiteLogs opens (once per target, shared by sites) the CustomLogs.
func (ch *Child) openSiteLogs(s *site, cls []config.CustomLog, logs map[string]*accesslog.Log, files map[string]*os.File) error {
	for _, cl := range cls {
		f, err := accesslog.Compile(cl.Format)
		if err != nil {
			return fmt.Errorf("%s:%d: LogFormat: %w", cl.Pos.File, cl.Pos.Line, err)
		}
		lg, ok := logs[cl.Target]
		if !ok {
			lg, err = ch.openLog(cl.Target, files[cl.Target])
			if err != nil {
				return err
			}
			logs[cl.Target] = lg
			ch.logs = append(ch.logs, lg)
		}
		env, negated := cl.EnvCondition()
		s.logs = append(s.logs, siteLog{log: lg, format: f, index: indexOf(ch.logs, lg), env: env, envNegated: negated, expr: cl.Expr})
		s.logExprs = s.logExprs || cl.Expr != nil
	}
	return nil
}

func (ch *Child) openLog(target string, inherited *os.File) (*accesslog.Log, error) {
	opts := accesslog.Options{OnError: func(err error) {
		ch.log.Error("access log write failed", "module", "log_config", "log", target, "err", err)
	}}
	if inherited != nil {
		return accesslog.OpenInherited(target, inherited, opts)
	}
	lg, err := accesslog.Open(target, opts)
	if err != nil {
		return nil, fmt.Errorf("could not open transfer log file %s: %w", target, err)
	}
	return lg, nil
}

func indexOf(logs []*accesslog.Log, lg *accesslog.Log) int {
	for i, l := range logs {
		if l == lg {
			return i
		}
	}
	return -1
}

func listenPort(addr string) int {
	if i := strings.LastIndexByte(addr, ':'); i >= 0 {
		p, _ := strconv.Atoi(addr[i+1:])
		return p
	}
	p, _ := strconv.Atoi(addr)
	return p
}

// serverHeader maps ServerTokens to the Server header value.
func serverHeader(tokens string) string {
	return http1ServerHeader(tokens)
}

// gzipETagMode is DeflateAlterETag's setting for the static handler.
func gzipETagMode(alter string) static.GzipETag {
	switch alter {
	case "nochange":
		return static.GzipETagNoChange
	case "remove":
		return static.GzipETagRemove
	}
	return static.GzipETagAddSuffix
}
