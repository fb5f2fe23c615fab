package child

import (
	"bytes"
	"cmp"
	"fmt"
	"log/slog"
	"net/netip"
	"path"
	"slices"
	"strings"
	"sync"
	"sync/atomic"

	"eventmpm/child/accesslog"
	"eventmpm/child/http1"
	"eventmpm/child/static"
	"eventmpm/config"
	"eventmpm/config/expr"
	"eventmpm/internal/regex"
)

// site is one server (the main server or a virtual host) compiled for
// serving: its static handler, its sections in Apache's merge order, its
// logs and its connection settings.
type site struct {
	cfg     *config.Server
	names   []config.HostPattern // ServerName and ServerAliases
	static  *static.Handler
	types   *static.MIMETypes // the server's media types (TypesConfig, AddType, ...)
	aliases []alias           // Alias directives, in the order they are tried
	userDir *userDir          // mod_userdir, nil without UserDir
	proxy   *siteProxy        // mod_proxy, nil without ProxyPass
	// vhostAlias is mod_vhost_alias, nil without VirtualDocumentRoot.
	vhostAlias *vhostAlias
	// view holds the <Directory> and <Files> sections in merge order,
	// with the AccessFileName files read so far (accessfile.go).
	view             atomic.Pointer[sectionView]
	plainDirs        []section // the configuration's <Directory> sections, shortest path first
	regexDirs        []section // its regex forms, in file order
	baseFiles        []section // its <Files> sections, in file order
	locations        []section
	fallback         []byte        // mod_dir's FallbackResource, cleaned, or nil
	redirects        []redirect    // mod_alias's Redirect*, in the order tried
	locationWhole    bool          // a <Location> section has a short-form redirect
	rewrites         []rewriteRule // mod_rewrite's rules, when its engine is on
	ifs              []section     // the server's <If>, <ElseIf> and <Else> sections, in file order
	errorDocs        map[int]*errorDoc
	headerOps        []headerOp           // server-level Header directives
	expires          *expiresConf         // server-level mod_expires, or nil
	rewritesHead     bool                 // Header or Expires directives may apply to a response
	logExprs         bool                 // a CustomLog has an expr= condition
	reqEarly         []headerOp           // RequestHeader ... early
	reqHeaders       []headerOp           // the other RequestHeader operations
	remoteIP         *remoteIP            // mod_remoteip, or nil
	strictHost       bool                 // StrictHostCheck On
	tls              *siteTLS             // mod_ssl's settings, nil without SSLEngine on
	defn             string               // "file:line" of its <VirtualHost>, "" for the main server
	proxyProtocol    string               // RemoteIPProxyProtocol as this server set it: "on", "off" or ""
	setEnvIf         []setEnvIf           // mod_setenvif, in the order they apply
	envBase          []*config.EnvSetting // the server's mod_env settings, merged (mergeEnv)
	logs             []siteLog
	log              *slog.Logger // this server's ErrorLog at its LogLevel
	keepAlive        bool
	keepAliveTimeout int64
	// As a connection's base server (see conn.base): the request head
	// limits and RequestReadTimeout's header stage.
	limits       http1.Limits
	headLimits   http1.Limits // limits without Body: a request head's
	maxHead      int
	readTO       config.ReadStage
	maxKeepAlive int
	timeout      int64
	vhost        []byte // "name:port" with ServerName's or the first Listen's port
	// vhostByPort is "name:port" for each Listen port: the scoreboard's
	// VHost text, with the port a connection arrived on, as Apache's.
	vhostByPort []portText
	name        string
	nameBytes   []byte
	port        int
	// namedPort is ServerName's own port, 0 when it names none: the
	// canonical port %p logs, which the client's Host never sets.
	namedPort int
	scheme    string // for redirects: ServerName's scheme, else "http"
	signature string // ServerSignature footer, or ""
	// overrides is set when a <Directory> section allows overrides
	// (AllowOverride other than None, or an AllowOverrideList): requests
	// then look for the AccessFileName files on their way (accessfile.go).
	overrides bool
	// accessMu serializes the changes of view when an AccessFileName file
	// is read, changed or gone.
	accessMu sync.Mutex
	// flags are what the server and its configured sections do; a view's
	// add its AccessFileName files'.
	flags sectionFlags
}

// sectionFlags say what a site's sections do: each spares the sites whose
// sections do none of it some work per request.
type sectionFlags struct {
	forcesTypes   bool // a section sets ForceType
	filtersOutput bool // the server or a section sets SetOutputFilter, AddOutputFilter or RemoveOutputFilter
	nestedIfs     bool // a <Directory>, <Files> or <Location> section holds conditional ones
	headerExprs   bool // a Header directive has an expr= condition or value
	// mergesAfterDirs: a <Files> or <Location> section sets Options,
	// DirectoryIndex or an IndexOptions-like directive (RequestConfig).
	mergesAfterDirs bool
	// sectionBodyLimits: a section sets LimitRequestBody (bodyLimit).
	sectionBodyLimits bool
	// multiViews: the server or a section switches Options MultiViews on;
	// requests are then negotiated before the fixups (negotiateEarly).
	multiViews bool
}

// note adds what the section cs does.
func (f *sectionFlags) note(cs *section) {
	sec := cs.sec
	if len(cs.ifs) > 0 {
		f.nestedIfs = true
	}
	f.headerExprs = f.headerExprs || cs.headerExprs()
	f.forcesTypes = f.forcesTypes || sec.ForceType != nil
	f.filtersOutput = f.filtersOutput || !sec.OutputFilters.IsZero()
	if sec.Kind != config.SectionDirectory && (sec.Options != nil || sec.DirectoryIndex != nil || !sec.Autoindex.IsZero()) {
		f.mergesAfterDirs = true
	}
	if sec.LimitRequestBody != nil {
		f.sectionBodyLimits = true
	}
	if o, d := sec.Options, sec.OptionsDelta; (o != nil && o.MultiViews) || (d != nil && d.Add.MultiViews) {
		f.multiViews = true
	}
}

// portText is a text made for one listening port.
type portText struct {
	port int
	text []byte
}

// vhostText is the scoreboard's VHost text for a request on a connection
// that arrived on port: "ServerName:port", as Apache's scoreboard shows it.
func (s *site) vhostText(port int) []byte {
	for i := range s.vhostByPort {
		if s.vhostByPort[i].port == port {
			return s.vhostByPort[i].text
		}
	}
	return s.vhost
}

// siteLog is one CustomLog of a site: the shared writer and the index of
// each worker's private buffer for it.
type siteLog struct {
	log    *accesslog.Log
	format *accesslog.Format
	index  int
	// env is the variable of an env=[!]var condition ("" for none):
	// the request is logged when it is set, or with envNegated unset.
	env        string
	envNegated bool
	// expr is an expr= condition, or nil: the request is logged when it
	// holds.
	expr *expr.Expr
}

// sectionView is a site's <Directory> and <Files> sections in Apache's
// merge order, with the sections of the AccessFileName files found so far
// merged in, and the directory answers computed from them. A site whose
// files change gets a new view; one in use is never changed but for its
// cache.
type sectionView struct {
	dirs  []section // <Directory> and .htaccess, shortest path first, then regex forms
	files []section // <Files>, then those of .htaccess files, shallowest first
	// found are the AccessFileName files read, by directory.
	found map[string]*accessFile
	// flags are the site's with what the files found do.
	flags         sectionFlags
	dirCache      sync.Map     // directory -> static.DirConfig
	dirCacheBytes atomic.Int64 // key bytes in dirCache, bounded by dirCacheMaxBytes
}

// section is one compiled <Directory>, <Files> or <Location> section.
type section struct {
	sec *config.Section
	// parent is the <Directory> section (or AccessFileName file's) a
	// <Files> section is nested in: it applies to the files it matches
	// only. files are a <Directory> section's nested <Files> sections.
	parent *section
	files  []section
	// ov is what a <Directory> section's AllowOverride and
	// AllowOverrideList allow, when it has either; else nil.
	ov      *config.Overrides
	prefix  string       // literal path
	glob    bool         // prefix is a wildcard pattern
	re      regex.Regexp // Match forms and "~"
	headers []headerOp   // its Header directives
	// reqHeaders are its RequestHeader directives.
	reqHeaders []headerOp
	expires    *expiresConf // its mod_expires directives, or nil
	// errorDocs are its ErrorDocuments by status, or nil.
	errorDocs map[int]*errorDoc
	// redirects are its Redirect* with a URL-path or a pattern; whole is
	// its short-form redirect, or nil.
	redirects []redirect
	whole     *redirect
	// fallback is its FallbackResource, cleaned (nil for "disabled").
	fallback []byte
	// setEnvIf are its SetEnvIf and BrowserMatch directives.
	setEnvIf []setEnvIf
	// rewrites are a <Directory> section's mod_rewrite rules.
	rewrites []rewriteRule
	// cond is an <If> or <ElseIf> section's expression (nil for <Else>
	// and the other kinds); ifs are the conditional sections inside it.
	cond *expr.Expr
	ifs  []section
}

func compileSection(s *config.Section) (section, error) {
	cs := section{sec: s, prefix: s.Pattern}
	var err error
	if cs.headers, err = compileHeaderOps(s.Headers); err != nil {
		return cs, err
	}
	if cs.reqHeaders, err = compileHeaderOps(s.RequestHeaders); err != nil {
		return cs, err
	}
	if cs.setEnvIf, err = compileSetEnvIf(s.SetEnvIf); err != nil {
		return cs, err
	}
	if !s.Expires.IsZero() {
		cs.expires = compileExpires(&s.Expires)
	}
	if cs.errorDocs, err = compileErrorDocs(s.ErrorDocuments); err != nil {
		return cs, err
	}
	if cs.redirects, err = compileRedirects(s.Redirects); err != nil {
		return cs, err
	}
	if s.WholeRedirect != nil {
		cs.whole = &redirect{status: s.WholeRedirect.Status, url: s.WholeRedirect.URL, whole: true}
		e, err := expr.ParseString(s.WholeRedirect.URL)
		if err != nil {
			return cs, err
		}
		if _, literal := e.Literal(); !literal {
			cs.whole.expr = e
		}
	}
	if s.FallbackResource != nil {
		if cs.fallback, err = cleanFallback(*s.FallbackResource); err != nil {
			return cs, err
		}
	}
	if cs.ifs, err = compileNestedIfs(s.Ifs); err != nil {
		return cs, err
	}
	if s.Rewrite != nil {
		if cs.rewrites, err = compileRules(s.Rewrite); err != nil {
			return cs, err
		}
	}
	if s.Kind == config.SectionIf {
		return cs, compileIf(&cs)
	}
	if s.Regex {
		re, err := regex.Compile(s.Pattern)
		if err != nil {
			return cs, err
		}
		cs.re = re
		return cs, nil
	}
	cs.glob = strings.ContainsAny(s.Pattern, "*?[")
	return cs, nil
}

// matchPath reports whether a path (URL path for Location, file-system path
// for Directory) falls under the section: at a path-segment boundary for
// literal prefixes, as Apache 2.4 documents. It does not allocate for
// literal and regex sections.
func (s *section) matchPath(p []byte) bool {
	switch {
	case s.re != nil:
		return s.re.Match(p)
	case s.glob:
		return matchGlobPrefix(s.prefix, string(p))
	}
	pre := s.prefix
	if len(pre) > 1 && pre[len(pre)-1] == '/' && len(p) == len(pre)-1 && string(p) == pre[:len(pre)-1] {
		return true // <Directory /srv/www/> applies to /srv/www itself
	}
	if len(p) < len(pre) || string(p[:len(pre)]) != pre {
		return false
	}
	return len(p) == len(pre) || pre[len(pre)-1] == '/' || p[len(pre)] == '/'
}

// isWithin reports whether a <Files> section may apply to the file p:
// one nested in a <Directory> section (or an AccessFileName file) applies
// where that section does.
func (s *section) isWithin(p []byte) bool {
	return s.parent == nil || s.parent.matchPath(p)
}

// compileNested compiles the <Files> sections nested in the <Directory>
// section d, which must not move afterwards (they point to it).
func compileNested(d *section) ([]section, error) {
	var out []section
	for i := range d.sec.Files {
		f := &d.sec.Files[i]
		cs, err := compileSection(f)
		if err != nil {
			return nil, fmt.Errorf("%s:%d: %w", f.Pos.File, f.Pos.Line, err)
		}
		cs.parent = d
		out = append(out, cs)
	}
	return out, nil
}

// matchName reports whether a file name matches a <Files> section.
func (s *section) matchName(name []byte) bool {
	if s.re != nil {
		return s.re.Match(name)
	}
	return globMatch(s.prefix, name)
}

// matchGlobPrefix matches a wildcard pattern against the leading segments
// of p (Apache's <Directory /srv/*/htdocs> matches below it too).
func matchGlobPrefix(pattern, p string) bool {
	pattern = strings.TrimSuffix(pattern, "/")
	n := strings.Count(pattern, "/")
	segs := strings.SplitAfterN(p, "/", n+2)
	if len(segs) <= n {
		return false
	}
	head := strings.TrimSuffix(strings.Join(segs[:n+1], ""), "/")
	ok, _ := path.Match(pattern, head)
	return ok
}

// access is the outcome of walking the sections for one request.
type access struct {
	require *config.Require
	// compat is mod_access_compat's Order, Allow, Deny and Satisfy: the
	// last section's that has any (the module does not merge).
	compat  *config.AccessCompat
	handler string
	// The authentication settings of the last sections that set them.
	authType, authName, authUserFile, authGroupFile string
	// fallback is mod_dir's FallbackResource in effect (cleaned), or nil.
	fallback []byte
	// signature is the ServerSignature of the last section that sets one
	// (signatureKind's form), when signatureSet.
	signature    string
	signatureSet bool
	// allowMethods is mod_allowmethods' list of the last section that
	// sets one; empty for none or "reset".
	allowMethods []string
	// speling is mod_speling's configuration of the last section that
	// sets any of its directives, else the server's (nil for none).
	speling *config.Speling
}

// responseSections are the sections of a request that act after its
// access checks, in the order they apply: those with Header or Expires
// directives (head), those with ErrorDocuments (docs), those with
// mod_env's settings (env) and those with redirects (redirects).
type responseSections struct {
	head, docs, env, redirects, setEnvIf []*section
	// rewrite are the <Directory> sections with mod_rewrite directives.
	rewrite []*section
	// reqHeaders are the sections with RequestHeader directives.
	reqHeaders []*section
}

// reset empties the lists, keeping their memory.
func (r *responseSections) reset() {
	r.head, r.docs, r.env, r.redirects, r.setEnvIf = r.head[:0], r.docs[:0], r.env[:0], r.redirects[:0], r.setEnvIf[:0]
	r.rewrite, r.reqHeaders = r.rewrite[:0], r.reqHeaders[:0]
}

// walk applies the sections in Apache's merge order (Directory, Files,
// Location): the last section that sets Require or SetHandler wins. The
// sections that act on the response are appended to resp, when not nil.
func (s *site) walk(urlPath, fsPath []byte, resp *responseSections, cr *condRequest) access {
	a := access{fallback: s.fallback, speling: s.cfg.Speling}
	apply := func(cs *section) {
		sec := cs.sec
		if sec.FallbackResource != nil {
			a.fallback = cs.fallback
		}
		if sec.Require != nil {
			a.require = sec.Require
		}
		if sec.Compat != nil {
			a.compat = sec.Compat
		}
		if sec.HandlerSet {
			a.handler = sec.Handler
		}
		if sec.AllowMethodsSet {
			a.allowMethods = sec.AllowMethods
		}
		if sec.Speling != nil {
			a.speling = sec.Speling
		}
		if sec.ServerSignature != nil {
			a.signature, a.signatureSet = signatureKind(*sec.ServerSignature), true
		}
		a.authType = cmp.Or(sec.AuthType, a.authType)
		a.authName = cmp.Or(sec.AuthName, a.authName)
		a.authUserFile = cmp.Or(sec.AuthUserFile, a.authUserFile)
		a.authGroupFile = cmp.Or(sec.AuthGroupFile, a.authGroupFile)
		if resp == nil {
			return
		}
		if len(cs.headers) > 0 || cs.expires != nil {
			resp.head = append(resp.head, cs)
		}
		if cs.errorDocs != nil {
			resp.docs = append(resp.docs, cs)
		}
		if len(sec.Env) > 0 {
			resp.env = append(resp.env, cs)
		}
		if len(cs.setEnvIf) > 0 {
			resp.setEnvIf = append(resp.setEnvIf, cs)
		}
		if len(cs.redirects) > 0 || cs.whole != nil {
			resp.redirects = append(resp.redirects, cs)
		}
		if sec.Rewrite != nil {
			resp.rewrite = append(resp.rewrite, cs)
		}
		if len(cs.reqHeaders) > 0 {
			resp.reqHeaders = append(resp.reqHeaders, cs)
		}
	}
	s.eachSection(urlPath, fsPath, true, apply)
	if len(s.ifs) > 0 || s.view.Load().flags.nestedIfs {
		s.eachIf(urlPath, fsPath, cr, apply)
	}
	if a.handler == "none" || a.handler == "default-handler" {
		a.handler = ""
	}
	return a
}

// eachIf calls fn for every conditional section that applies to a
// request, after the others: the server's, then those inside the
// sections that applied, in their merge order (ap_if_walk over the merged
// configuration's list).
func (s *site) eachIf(urlPath, fsPath []byte, cr *condRequest, fn func(*section)) {
	var chain ifChain
	walkIfs(s.ifs, &chain, cr, fn)
	if !s.view.Load().flags.nestedIfs {
		return
	}
	s.eachSection(urlPath, fsPath, true, func(outer *section) {
		walkIfs(outer.ifs, &chain, cr, fn)
	})
}

// walkIfs calls fn for each conditional section of list that applies,
// and then for those inside it that apply, as ap_if_walk descends.
func walkIfs(list []section, chain *ifChain, cr *condRequest, fn func(*section)) {
	for i := range list {
		if chain.next(&list[i], cr) {
			fn(&list[i])
			if len(list[i].ifs) > 0 {
				var inner ifChain
				walkIfs(list[i].ifs, &inner, cr, fn)
			}
		}
	}
}

// eachSection calls fn for every section that applies to a request, in
// Apache's merge order: the <Directory> sections matching fsPath (when
// dirs is set), the <Files> sections matching its last component, then
// the <Location> sections matching urlPath.
func (s *site) eachSection(urlPath, fsPath []byte, dirs bool, fn func(*section)) {
	v := s.view.Load()
	if dirs {
		for i := range v.dirs {
			if v.dirs[i].matchPath(fsPath) {
				fn(&v.dirs[i])
			}
		}
	}
	if len(v.files) > 0 {
		name := fsPath[bytes.LastIndexByte(fsPath, '/')+1:]
		for i := range v.files {
			if v.files[i].matchName(name) && v.files[i].isWithin(fsPath) {
				fn(&v.files[i])
			}
		}
	}
	for i := range s.locations {
		if s.locations[i].matchPath(urlPath) {
			fn(&s.locations[i])
		}
	}
}

// bodyLimit is the LimitRequestBody for a request for target (its raw
// path): the server's, or that of the last section setting it in Apache's
// merge order (Directory, Files, Location), as Apache takes it from the
// merged per-directory configuration. Sections are walked only when one
// sets a limit; scratch, hpScratch and fsScratch are the worker's buffers
// for the cleaned path, an aliased path below its handler's root and the
// file-system path (mapPath: an aliased path's <Directory> sections are
// those of the alias's target). A path CleanPath refuses gets the server's
// limit (the request is answered 400 anyway). Where overrides are allowed
// the AccessFileName files on the way are read first, as Apache's walk
// has read them before the body is: theirs apply too (one that cannot
// apply is answered later, by respond).
func (s *site) bodyLimit(w *worker, target []byte, scratch, hpScratch, fsScratch *[]byte) int64 {
	limit := s.limits.Body
	if !s.overrides && !s.view.Load().flags.sectionBodyLimits {
		return limit
	}
	p, st := static.CleanPath(target, (*scratch)[:0])
	*scratch = p
	if st != 0 {
		return limit
	}
	s.mapPath(p, w.vhostRoot(), hpScratch, fsScratch)
	return s.mappedBodyLimit(w, p, *fsScratch)
}

// mappedBodyLimit is bodyLimit for a request already translated: its
// cleaned URL-path p and file-system path fs (proxy:URL for a proxied
// one, which only <Location> sections match).
func (s *site) mappedBodyLimit(w *worker, p, fs []byte) int64 {
	limit := s.limits.Body
	if !s.overrides && !s.view.Load().flags.sectionBodyLimits {
		return limit
	}
	if s.overrides {
		s.syncAccessFiles(w, fs, false)
		if !s.view.Load().flags.sectionBodyLimits {
			return limit
		}
	}
	s.eachSection(p, fs, true, func(cs *section) {
		if cs.sec.LimitRequestBody != nil {
			limit = *cs.sec.LimitRequestBody
		}
	})
	return limit
}

// dirCacheMaxBytes bounds the directory names a site remembers answers
// for. The static handler asks about every directory prefix of every path
// it misses on, existing or not, so an unbounded cache let a client grow
// the child's memory without limit: twenty requests for 8 KB paths of
// 2,600 random segments took it from 8 MB to 350 MB. Past the bound,
// answers are computed and not kept (only misses ask; cached files do not).
const dirCacheMaxBytes = 1 << 20

// DirConfig implements static.Resolver from the server's Options and
// DirectoryIndex and the <Directory> sections, merged in order as Apache's
// directory walk merges them (config.Section.MergeOptions). <Files> and
// <Location> sections do not take part: Apache merges them after the
// walk, so they never change how symlinks are treated (see RequestConfig).
func (s *site) DirConfig(dir string) static.DirConfig {
	v := s.view.Load()
	if dc, ok := v.dirCache.Load(dir); ok {
		return dc.(static.DirConfig)
	}
	opts := s.cfg.Options
	dc := static.DirConfig{DirectoryIndex: s.cfg.DirectoryIndex}
	ai := s.cfg.Autoindex
	etag := config.ETagState{}.With(s.cfg.FileETag)
	dc.NoSendfile = s.cfg.NoSendfile
	neg := s.cfg.Negotiation
	for i := range v.dirs {
		sec := v.dirs[i].sec
		if !v.dirs[i].matchPath([]byte(dir)) {
			continue
		}
		if sec.MIME != nil {
			s.applyDirMIME(&dc, sec.MIME)
		}
		dc.CompressTypes = append(dc.CompressTypes, sec.DeflateTypes...)
		neg = neg.Merge(sec.Negotiation)
		etag = etag.With(sec.FileETag)
		if sec.EnableSendfile != nil {
			dc.NoSendfile = !*sec.EnableSendfile
		}
		opts = sec.MergeOptions(opts)
		if sec.DirectoryIndex != nil {
			dc.DirectoryIndex = sec.DirectoryIndex
		}
		if !sec.Autoindex.IsZero() {
			ai = ai.Merge(sec.Autoindex)
		}
	}
	dc.FollowSymLinks, dc.SymLinksIfOwnerMatch, dc.Indexes = opts.FollowSymLinks, opts.SymLinksIfOwnerMatch, opts.Indexes
	dc.MultiViews, dc.ExecCGI = opts.MultiViews, opts.ExecCGI
	dc.CGIExts = s.cgiExtsFor(v, dir)
	dc.LanguagePriority, dc.MultiviewsAny = neg.LanguagePriority, neg.MultiviewsMatch == "any"
	dc.ForceLanguage = forceLanguage(neg.ForceLanguagePriority)
	dc.Listing = listingConfig(&ai)
	dc.ETag = etagParts(etag.Parts())
	if v.dirCacheBytes.Load()+int64(len(dir)) <= dirCacheMaxBytes {
		if _, loaded := v.dirCache.LoadOrStore(dir, dc); !loaded {
			v.dirCacheBytes.Add(int64(len(dir)))
		}
	}
	return dc
}

// cgiExtsFor is the extensions AddHandler cgi-script names for a
// directory: the server's, then each matching section's additions and
// removals in merge order.
func (s *site) cgiExtsFor(v *sectionView, dir string) []string {
	var exts []string
	for ext := range s.cfg.CGIExts {
		exts = append(exts, ext)
	}
	for i := range v.dirs {
		m := v.dirs[i].sec.MIME
		if m == nil || !v.dirs[i].matchPath([]byte(dir)) {
			continue
		}
		for _, op := range m.Ops {
			if op.Kind != config.MIMEHandler {
				continue
			}
			exts = slices.DeleteFunc(exts, func(e string) bool { return e == op.Ext })
			if !op.Remove {
				exts = append(exts, op.Ext)
			}
		}
	}
	return exts
}

// applyDirMIME applies a section's mod_mime directives and
// AddDefaultCharset to dc, over those of the sections before it: the
// types are an Overlay of the server's, made for the first section that
// changes them.
func (s *site) applyDirMIME(dc *static.DirConfig, m *config.DirMIME) {
	if m.DefaultCharset != nil {
		dc.Charset, dc.CharsetSet = *m.DefaultCharset, true
	}
	if len(m.Ops) == 0 && m.DefaultLanguage == nil {
		return
	}
	if dc.Types == nil {
		dc.Types = s.types.Overlay()
	}
	t := dc.Types
	for _, op := range m.Ops {
		switch {
		case op.Kind == config.MIMEType && op.Remove:
			t.Remove(op.Ext)
		case op.Kind == config.MIMEType:
			t.Add(op.Ext, op.Value)
		case op.Kind == config.MIMELanguage && op.Remove:
			t.RemoveLanguage(op.Ext)
		case op.Kind == config.MIMELanguage:
			t.AddLanguage(op.Ext, op.Value)
		case op.Kind == config.MIMEEncoding && op.Remove:
			t.RemoveEncoding(op.Ext)
		case op.Kind == config.MIMEEncoding:
			t.AddEncoding(op.Ext, op.Value)
		case op.Remove:
			t.RemoveCharset(op.Ext)
		default:
			t.AddCharset(op.Ext, op.Value)
		}
	}
	if m.DefaultLanguage != nil {
		t.SetDefaultLanguage(*m.DefaultLanguage)
	}
}

// forceLanguage maps ForceLanguagePriority's flags to the static
// handler's (0, unset, stays Apache's default, Prefer).
func forceLanguage(f config.ForceLanguage) static.ForceLanguage {
	var out static.ForceLanguage
	if f&config.ForceLanguageNone != 0 {
		out |= static.ForceLanguageNone
	}
	if f&config.ForceLanguagePrefer != 0 {
		out |= static.ForceLanguagePrefer
	}
	if f&config.ForceLanguageFallback != 0 {
		out |= static.ForceLanguageFallback
	}
	return out
}

// ForcedType implements static.TypeForcer: core's ForceType for the file
// name in the directory dir, from the server and the <Directory> and
// <Files> sections that match, the last that sets it winning ("" for
// None, or for none at all).
func (s *site) ForcedType(dir, name string) string {
	t := s.cfg.ForceType
	if !s.view.Load().flags.forcesTypes {
		return t
	}
	v := s.view.Load()
	for i := range v.dirs {
		if sec := v.dirs[i].sec; sec.ForceType != nil && v.dirs[i].matchPath([]byte(dir)) {
			t = *sec.ForceType
		}
	}
	for i := range v.files {
		if sec := v.files[i].sec; sec.ForceType != nil && v.files[i].matchName([]byte(name)) && v.files[i].isWithin([]byte(dir+"/")) {
			t = *sec.ForceType
		}
	}
	return t
}

// Deflates implements static.Deflater: SetOutputFilter DEFLATE, or
// AddOutputFilter DEFLATE for one of the name's extensions, from the
// server and the <Directory> and <Files> sections that match the file, in
// Apache's merge order. It runs when a file enters the open-file cache.
func (s *site) Deflates(dir, name string) bool {
	if !s.view.Load().flags.filtersOutput {
		return false
	}
	levels := []*config.OutputFilters{&s.cfg.OutputFilters}
	v := s.view.Load()
	for i := range v.dirs {
		if sec := v.dirs[i].sec; !sec.OutputFilters.IsZero() && v.dirs[i].matchPath([]byte(dir)) {
			levels = append(levels, &sec.OutputFilters)
		}
	}
	for i := range v.files {
		if sec := v.files[i].sec; !sec.OutputFilters.IsZero() && v.files[i].matchName([]byte(name)) && v.files[i].isWithin([]byte(dir+"/")) {
			levels = append(levels, &sec.OutputFilters)
		}
	}
	return config.Deflates(name, levels...)
}

// etagParts is the static handler's form of FileETag's parts: nothing
// (or None among them) sends no ETag, as Apache's ap_make_etag.
func etagParts(p config.ETagParts) static.ETagParts {
	if p&config.ETagNone != 0 || p&(config.ETagINode|config.ETagMTime|config.ETagSize) == 0 {
		return static.ETagNone
	}
	var out static.ETagParts
	if p&config.ETagINode != 0 {
		out |= static.ETagINode
	}
	if p&config.ETagMTime != 0 {
		out |= static.ETagMTime
	}
	if p&config.ETagSize != 0 {
		out |= static.ETagSize
	}
	return out
}

// dirAutoindex is the mod_autoindex configuration of the directory dir:
// the server's, merged with the <Directory> sections that match it.
func (s *site) dirAutoindex(dir string) config.Autoindex {
	ai := s.cfg.Autoindex
	v := s.view.Load()
	for i := range v.dirs {
		if sec := v.dirs[i].sec; v.dirs[i].matchPath([]byte(dir)) && !sec.Autoindex.IsZero() {
			ai = ai.Merge(sec.Autoindex)
		}
	}
	return ai
}

// listingConfig is the static handler's form of a merged Autoindex.
func listingConfig(ai *config.Autoindex) static.ListingConfig {
	f := ai.Flags()
	return static.ListingConfig{
		Ignore: ai.Ignore, HeaderName: ai.HeaderName, ReadmeName: ai.ReadmeName, StyleSheet: ai.StyleSheet, HeadInsert: ai.HeadInsert,
		FoldersFirst: f.FoldersFirst, IgnoreCase: f.IgnoreCase, VersionSort: f.VersionSort,
		SuppressSize: f.SuppressSize, SuppressLastModified: f.SuppressLastModified, Charset: f.Charset,
		Fancy: f.Fancy, Table: f.Table, SuppressIcon: f.SuppressIcon, SuppressDescription: f.SuppressDescription,
		SuppressRules: f.SuppressRules, SuppressColumnSorting: f.SuppressColumnSorting, IgnoreClient: f.IgnoreClient,
		NameWidth: f.NameWidth, OrderKey: ai.OrderKey, OrderDescending: ai.OrderDirection == 'D',
		Icons: indexRules(ai.Icons), Alts: indexRules(ai.Alts), DefaultIcon: ai.DefaultIcon,
		Descriptions: indexDescriptions(ai.Descriptions), ScanHTMLTitles: f.ScanHTMLTitles,
		DescriptionWidth: f.DescriptionWidth, IconsAreLinks: f.IconsAreLinks, IconWidth: f.IconWidth,
		IconHeight: f.IconHeight, AddAltClass: f.AddAltClass, XHTML: f.XHTML, SuppressHTMLPreamble: f.SuppressHTMLPreamble,
		TrackModified: f.TrackModified, ShowForbidden: f.ShowForbidden, Type: f.Type,
	}
}

// indexRules is the static handler's form of AddIcon* and AddAlt* rules.
func indexRules(rules []config.IndexRule) []static.IndexRule {
	out := make([]static.IndexRule, len(rules))
	for i, r := range rules {
		out[i] = static.IndexRule{By: r.By, Pattern: r.Pattern, Value: r.Value}
	}
	return out
}

// indexDescriptions is the static handler's form of AddDescription rules.
func indexDescriptions(descs []config.IndexDescription) []static.IndexDescription {
	out := make([]static.IndexDescription, len(descs))
	for i, d := range descs {
		out[i] = static.IndexDescription{Pattern: d.Pattern, Text: d.Text, FullPath: d.FullPath, Wildcard: d.Wildcard}
	}
	return out
}

// RequestConfig implements static.RequestResolver: the directory's
// DirConfig with the <Files> and <Location> sections that apply to the
// request merged over it, as Apache merges them after the directory walk.
// They decide Indexes and DirectoryIndex; the symlink Options stay the
// directory's, which Apache has already applied by then ("FollowSymLinks
// and SymLinksIfOwnerMatch work only in <Directory> sections"). The answer
// depends on the URL path, so it is not kept in dirCache; the static
// handler asks only on a miss and caches by URL path.
func (s *site) RequestConfig(urlPath, dir string) static.DirConfig {
	dc := s.DirConfig(dir)
	if !s.view.Load().flags.mergesAfterDirs {
		return dc
	}
	opts := config.OptionFlags{
		FollowSymLinks: dc.FollowSymLinks, SymLinksIfOwnerMatch: dc.SymLinksIfOwnerMatch, Indexes: dc.Indexes,
		MultiViews: dc.MultiViews,
	}
	var after config.Autoindex // what <Files> and <Location> add
	s.eachSection([]byte(urlPath), []byte(dir+"/"), false, func(cs *section) {
		opts = cs.sec.MergeOptions(opts)
		if cs.sec.DirectoryIndex != nil {
			dc.DirectoryIndex = cs.sec.DirectoryIndex
		}
		if !cs.sec.Autoindex.IsZero() {
			after = after.Merge(cs.sec.Autoindex)
		}
	})
	dc.Indexes, dc.MultiViews = opts.Indexes, opts.MultiViews
	if !after.IsZero() {
		ai := s.dirAutoindex(dir).Merge(after)
		dc.Listing = listingConfig(&ai)
	}
	return dc
}

// DirDepth implements static.DepthBounded: a literal or wildcard
// <Directory> section matches a directory by its leading components, so
// below the deepest such section every directory matches what its parent
// does. A regex section can match at any depth: no bound.
func (s *site) DirDepth() int {
	if s.overrides || len(s.regexDirs) > 0 {
		return -1 // an AccessFileName file can be in any directory
	}
	d := 0
	for i := range s.plainDirs {
		if p := strings.TrimSuffix(s.plainDirs[i].prefix, "/"); p != "" {
			d = max(d, strings.Count(p, "/"))
		}
	}
	return d
}

// authzResult is what a Require rule set says of a request: granted,
// denied, that it depends on a user not yet authenticated (Apache's
// AUTHZ_DENIED_NO_USER, which starts authentication), or nothing, as a
// rule inside a <Limit> for other methods says (AUTHZ_NEUTRAL; a rule set
// that says nothing grants).
type authzResult uint8

const (
	authzDenied authzResult = iota
	authzGranted
	authzNeedUser
	authzNeutral
)

// authzCtx is what rules are evaluated against.
type authzCtx struct {
	client, local netip.Addr
	method        []byte // the request method, for <Limit> sections
	user          string
	authed        bool    // user has authenticated
	w             *worker // for Require env; nil for none
	// cond is the request as Require expr reads it (the walk's), or nil.
	cond *condRequest
	// groupFile is the AuthGroupFile in effect, for Require group.
	groupFile string
}

// allowedWithoutUser reports whether the access rules grant a client
// with no user (rules that need one do not): the host rules and Require
// as Satisfy combines them (see authorize). byHost reports a denial by the
// host rules (Order, Allow, Deny) rather than by Require.
func allowedWithoutUser(acc *access, ctx *authzCtx) (ok, byHost bool) {
	if acc.compat != nil {
		hostOK := hostAllowed(acc.compat, ctx)
		if acc.compat.SatisfyFor(ctx.method) == config.SatisfyAny {
			if hostOK {
				return true, false
			}
		} else if !hostOK {
			return false, true
		}
	}
	return grants(evalRequire(acc.require, ctx)), false
}

// grants reports whether a rule set's result lets the request in: granted,
// or neutral (no rule applies to its method).
func grants(r authzResult) bool { return r == authzGranted || r == authzNeutral }

// hostAllowed is mod_access_compat's check_dir_access: Order, Allow and
// Deny for the client and the request method.
func hostAllowed(ac *config.AccessCompat, ctx *authzCtx) bool {
	if ac.OrderFor(ctx.method) == config.OrderDenyAllow {
		return !hostMatches(ac.Deny, ctx) || hostMatches(ac.Allow, ctx)
	}
	return hostMatches(ac.Allow, ctx) && !hostMatches(ac.Deny, ctx) // allow,deny and mutual-failure
}

// hostMatches is find_allowdeny: whether any word of Allow or Deny lines
// matches the client. Variables are those SetEnvIf set (ctx.w); without a
// worker none is set.
func hostMatches(list []config.HostMatch, ctx *authzCtx) bool {
	for i := range list {
		m := &list[i]
		if !m.Methods.Includes(ctx.method) {
			continue
		}
		switch m.Kind {
		case config.HostAll:
			return true
		case config.HostIP:
			if m.Net.Contains(ctx.client) {
				return true
			}
		case config.HostEnv, config.HostNotEnv:
			set := ctx.w != nil && ctx.w.hasEnv(m.Env)
			if set == (m.Kind == config.HostEnv) {
				return true
			}
		}
	}
	return false
}

// evalRequire evaluates a rule set as mod_authz_core's
// apply_authz_sections does: in a <RequireAny> (the implicit one too) a
// granting rule decides, else one needing a user, else a denying one; in
// a <RequireAll> a denying rule decides, else one needing a user, else a
// granting one. Rules for other methods (<Limit>) are neutral, and so is a
// set of only those. "not" swaps granted and denied.
func evalRequire(r *config.Require, ctx *authzCtx) authzResult {
	if r == nil {
		return authzGranted
	}
	if len(r.Rules) == 0 {
		if r.All {
			return authzDenied
		}
		return authzGranted
	}
	var needUser, granted, denied bool
	for i := range r.Rules {
		rule := &r.Rules[i]
		if !rule.Methods.Includes(ctx.method) {
			continue
		}
		res := ruleResult(rule, ctx)
		if rule.Not && res != authzNeedUser {
			res = authzGranted + authzDenied - res
		}
		switch res {
		case authzNeedUser:
			needUser = true
		case authzDenied:
			if r.All {
				return authzDenied
			}
			denied = true
		case authzGranted:
			if !r.All {
				return authzGranted
			}
			granted = true
		}
	}
	switch {
	case needUser:
		return authzNeedUser
	case granted:
		return authzGranted
	case denied:
		return authzDenied
	}
	return authzNeutral
}

func ruleResult(rule *config.RequireRule, ctx *authzCtx) authzResult {
	switch rule.Kind {
	case config.RequireValidUser:
		if !ctx.authed {
			return authzNeedUser
		}
		return authzGranted
	case config.RequireUser:
		if !ctx.authed {
			return authzNeedUser
		}
		for _, n := range rule.Names {
			if n == ctx.user {
				return authzGranted
			}
		}
		return authzDenied
	case config.RequireEnv:
		for _, n := range rule.Names {
			if ctx.w != nil && ctx.w.hasEnv(n) {
				return authzGranted
			}
		}
		return authzDenied
	case config.RequireGroup:
		if ctx.w == nil {
			return authzNeedUser // outside authorize, which has the user
		}
		return ctx.w.groupResult(rule.Names, ctx)
	case config.RequireMethod:
		for _, m := range rule.Names {
			if m == "HEAD" {
				m = "GET" // Apache numbers HEAD requests M_GET
			}
			if method := ctx.method; string(method) == m || m == "GET" && string(method) == "HEAD" {
				return authzGranted
			}
		}
		return authzDenied
	case config.RequireExpr:
		// mod_authz_core's expr provider: an expression reading
		// REMOTE_USER that does not hold wants a user, even after one
		// authenticated (Apache then logs AH01629).
		switch {
		case ctx.cond != nil && rule.Expr.Eval(ctx.cond):
			return authzGranted
		case rule.Expr.ReadsVar("REMOTE_USER"):
			return authzNeedUser
		}
		return authzDenied
	}
	if ruleGrants(*rule, ctx.client, ctx.local) {
		return authzGranted
	}
	return authzDenied
}

func ruleGrants(rule config.RequireRule, client, local netip.Addr) bool {
	switch rule.Kind {
	case config.RequireAllGranted:
		return true
	case config.RequireAllDenied:
		return false
	case config.RequireLocal:
		return client.IsLoopback() || (client.IsValid() && client == local)
	case config.RequireIP:
		for _, n := range rule.Nets {
			if n.Contains(client) {
				return true
			}
		}
	}
	return false
}

// serverFor picks the site for a request as Apache's vhost.c does: among
// the virtual hosts on the connection's address (c.vhosts, the most
// specific set), the first whose ServerName or ServerAlias matches Host,
// else the first of them, else the main server. It neither allocates nor
// locks: the names were compiled and the set chosen beforehand.
func (ch *Child) serverFor(host []byte, c *conn) *site {
	if len(c.vhosts) == 0 {
		return ch.main
	}
	if name := config.TrimHost(host); len(name) > 0 {
		for _, s := range c.vhosts {
			for _, p := range s.names {
				if p.MatchBytes(name) {
					return s
				}
			}
		}
	}
	return c.vhosts[0]
}

// namesHost reports whether one of the server's names (ServerName,
// ServerAlias) matches the host of a Host value.
func (s *site) namesHost(host []byte) bool {
	name := config.TrimHost(host)
	for _, p := range s.names {
		if p.MatchBytes(name) {
			return true
		}
	}
	return false
}

// defnNote is StrictHostCheck's note on where the server is defined.
func (s *site) defnNote() string {
	if s.defn == "" {
		return ""
	}
	return " (default vhost for current connection is " + s.defn + ")"
}

// hostName is the host name of a Host value (see config.TrimHost).
func hostName(host []byte) string { return string(config.TrimHost(host)) }

// siteFor picks the site of a parsed request.
func (ch *Child) siteFor(req *http1.Request, c *conn) *site { return ch.serverFor(req.Host, c) }

// defaultSite is the site for answers given before a Host was read: the
// connection's base server, the first virtual host of the most specific
// set on its address, else the main server.
func (ch *Child) defaultSite(c *conn) *site { return ch.serverFor(nil, c) }

// portSites is the virtual hosts a connection on one port can reach,
// grouped by its local address (see config.PortHosts).
type portSites struct {
	port int
	byIP []ipSites
	wild []*site
}

// ipSites is the virtual hosts named by one IP address.
type ipSites struct {
	ip    netip.Addr
	sites []*site
}

// setBase chooses, once per connection, the virtual hosts its local
// address reaches and so its base server (Apache's c->base_server). The
// local address of a connection on a wildcard listener costs a
// getsockname, made only when some virtual host on the port names an IP
// address.
func (ch *Child) setBase(c *conn) {
	c.vhosts = nil
	for i := range ch.ports {
		p := &ch.ports[i]
		if p.port != c.lst.port {
			continue
		}
		c.vhosts = p.wild
		if len(p.byIP) > 0 {
			local := c.localAddr().Unmap()
			for _, g := range p.byIP {
				if g.ip == local {
					c.vhosts = g.sites
					break
				}
			}
		}
		break
	}
	c.base = ch.defaultSite(c)
	if ch.proxyProtocol {
		c.proxyPending = ch.owesProxyHeader(c)
	}
}
