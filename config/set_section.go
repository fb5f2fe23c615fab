package config

import (
	stdcontext "context"
	"net"
	"net/netip"
	"path/filepath"
	"strconv"
	"strings"
	"time"

	"eventmpm/internal/regex"
)

// This file holds the containers (<VirtualHost> and the directory-level
// sections) and the directives that only mean something inside a section:
// Options, AllowOverride, SetHandler.

// sectionState is a directory-level section being built.
type sectionState struct {
	s Section
	// pendingConds are the section's RewriteCond lines since its last
	// RewriteRule.
	pendingConds []RewriteCond
	absolute     bool // an absolute Options directive was seen
	rules        []RequireRule
	box          *Require // the section's <RequireAll>/<RequireAny>
	boxPos       Pos
}

// setVirtualHost is <VirtualHost addr ...>: a new server whose body is
// walked, and which inherits what it does not set (walk.go, inherit).
func setVirtualHost(w *walker, c *call) error {
	arg, err := sectionArg(c.d, c.raw)
	if err != nil {
		return err
	}
	var addrs []string
	for _, a := range splitWords(arg) {
		va, err := parseVhostAddr(a)
		if err != nil {
			return err
		}
		addrs = append(addrs, w.resolveVhostAddr(a, va, c.pos)...)
	}
	v := &vhostState{serverState: newServerState(&Server{}), addrs: addrs, pos: c.pos}
	w.srv = v.serverState
	err = w.walk(c.kids, c.sc.enter(c.name))
	w.srv = w.main
	if err != nil {
		return err
	}
	w.vhosts = append(w.vhosts, v)
	return nil
}

// resolveVhostAddr returns a <VirtualHost> address as the virtual host
// matches it: as written, unless its host is a name, which is resolved to
// its IP addresses once, as Apache does at startup (a connection is
// matched by its local IP). A name that does not resolve is ignored with
// Apache's warning (AH00547).
func (w *walker) resolveVhostAddr(written string, a vhostAddr, pos Pos) []string {
	if a.host == "" {
		return []string{written}
	}
	if _, err := netip.ParseAddr(a.host); err == nil {
		return []string{written}
	}
	lookup := w.l.opts.LookupHost
	if lookup == nil {
		lookup = lookupHost
	}
	ips, err := lookup(a.host)
	if err != nil || len(ips) == 0 {
		w.warn(pos, "AH00547", "Could not resolve host name %s -- ignoring!", a.host)
		return nil
	}
	out := make([]string, 0, len(ips))
	for _, ip := range ips {
		addr, err := netip.ParseAddr(ip)
		if err != nil {
			continue
		}
		port := "*"
		if a.port != 0 {
			port = strconv.Itoa(a.port)
		}
		if addr.Is6() && !addr.Is4In6() {
			out = append(out, "["+addr.String()+"]:"+port)
		} else {
			out = append(out, addr.Unmap().String()+":"+port)
		}
	}
	return out
}

// lookupHost is the system's resolver, bounded in time.
func lookupHost(host string) ([]string, error) {
	ctx, cancel := stdcontext.WithTimeout(stdcontext.Background(), 10*time.Second)
	defer cancel()
	return net.DefaultResolver.LookupHost(ctx, host)
}

// setSection builds <Directory>, <Location>, <Files> and their Match forms
// (match) or "~ regex" forms.
func setSection(kind SectionKind, match bool) func(*walker, *call) error {
	return func(w *walker, c *call) error {
		// A <Directory> section (or an AccessFileName file's) may hold
		// <Files> sections: they apply to the files its directory holds,
		// as Apache merges them. No other section nests.
		nested := w.sec != nil && w.sec.s.Kind == SectionDirectory && kind == SectionFiles
		if w.sec != nil && !nested {
			return errorf("%s> inside %s> is not supported by eventmpm: only <Files> and <FilesMatch> nest, in <Directory>", c.d.name, c.sc.dir)
		}
		s, err := w.sectionHeader(kind, match, c)
		if err != nil {
			return err
		}
		outer := w.sec
		w.sec = &sectionState{s: s}
		err = w.walk(c.kids, c.sc.enter(c.name))
		sec := w.sec
		w.sec = outer
		if err != nil {
			return err
		}
		if err := sec.finishRequire(); err != nil {
			return err
		}
		if nested {
			outer.s.Files = append(outer.s.Files, sec.s)
			return nil
		}
		w.srv.srv.Sections = append(w.srv.srv.Sections, sec.s)
		return nil
	}
}

// sectionHeader reads a section's argument: a path or pattern, or "~" and a
// regular expression, which must compile.
func (w *walker) sectionHeader(kind SectionKind, match bool, c *call) (Section, error) {
	arg, err := sectionArg(c.d, c.raw)
	if err != nil {
		return Section{}, err
	}
	pattern, rest := getWord(arg)
	isRegex := match
	if !match && pattern == "~" {
		isRegex = true
		pattern, _ = getWord(rest)
		if pattern == "" {
			return Section{}, errorf("%s> directive requires additional arguments", c.d.name)
		}
	}
	if isRegex {
		if _, err := regex.Compile(pattern); err != nil {
			return Section{}, errorf("Regex could not be compiled: %w", err)
		}
	} else if kind == SectionDirectory {
		pattern = w.dirPattern(pattern)
	}
	return Section{Kind: kind, Pattern: pattern, Regex: isRegex, Pos: c.pos}, nil
}

// dirPattern makes a <Directory> path absolute (relative paths are taken
// from ServerRoot, which the bundled configuration relies on) and ends it
// with a slash, as Apache does so that /www does not match /www2.
func (w *walker) dirPattern(p string) string {
	if p == "/" {
		return p
	}
	p = w.l.rootRelative(p)
	if !strings.HasSuffix(p, "/") {
		p += "/"
	}
	return filepath.ToSlash(p)
}

// optionWords maps the Options keywords to the flags eventmpm implements.
var optionWords = map[string]OptionFlags{
	"indexes":              {Indexes: true},
	"followsymlinks":       {FollowSymLinks: true},
	"symlinksifownermatch": {SymLinksIfOwnerMatch: true},
	"multiviews":           {MultiViews: true},
}

// unimplementedOptions are the Options eventmpm refuses to switch on: a
// script's source would be served where the operator meant it to run.
var unimplementedOptions = map[string]string{
	"execcgi":    "ExecCGI without mod_cgi or mod_cgid (LoadModule cgid_module ...)",
	"runscripts": "RunScripts (CGI scripts and content negotiation)",
}

// inertOptions are the Options that are taken with a warning: they do
// nothing without their module, in Apache too (Options Includes without
// mod_include), and Debian's userdir.conf names one.
var inertOptions = map[string]string{
	"includes":       "Includes",
	"includesnoexec": "IncludesNOEXEC",
}

// parseOptions reads an Options line: either every word has a + or - sign
// (a delta), or none has (an absolute set).
func parseOptions(w *walker, c *call) (abs *OptionFlags, delta *OptionsDelta, err error) {
	var set OptionFlags
	var d OptionsDelta
	signed := false
	for i, word := range c.args {
		var sign byte // an empty word ("") has none, and is an illegal option
		if word != "" && (word[0] == '+' || word[0] == '-') {
			sign, word = word[0], word[1:]
		}
		if i == 0 {
			signed = sign != 0
		} else if signed != (sign != 0) {
			return nil, nil, errorf("Either all Options must start with + or -, or no Option may.")
		}
		if err := applyOptionWord(w, c, word, sign, &set, &d); err != nil {
			return nil, nil, err
		}
	}
	if signed {
		return nil, &d, nil
	}
	return &set, nil, nil
}

// applyOptionWord adds one keyword to an absolute set or a delta.
func applyOptionWord(w *walker, c *call, word string, sign byte, set *OptionFlags, d *OptionsDelta) error {
	lw := strings.ToLower(word)
	if flag, ok := optionWords[lw]; ok {
		if flag.MultiViews && sign != '-' && w.sec != nil && w.sec.s.Kind != SectionDirectory {
			return errorf("Options %sMultiViews in %s> is not supported by eventmpm: it negotiates by the file's directory; use <Directory>", signString(sign), c.sc.parent())
		}
		applyFlag(flag, sign, set, d)
		return nil
	}
	if lw == "execcgi" && cgiLoaded(w) {
		applyFlag(OptionFlags{ExecCGI: true}, sign, set, d)
		return nil
	}
	if what, ok := unimplementedOptions[lw]; ok {
		if sign == '-' {
			return nil // switching it off is what eventmpm does anyway
		}
		return errorf("Options %s%s: eventmpm does not implement %s", signString(sign), word, what)
	}
	if what, ok := inertOptions[lw]; ok {
		if sign != '-' {
			w.warn(c.pos, "", "Options %s%s has no effect: eventmpm provides no server-side includes (mod_include); such files are served as they are",
				signString(sign), what)
		}
		return nil
	}
	switch {
	case lw == "none" && sign == 0:
		*set = OptionFlags{}
		return nil
	case lw == "all" && sign == 0 && cgiLoaded(w):
		*set = OptionFlags{Indexes: true, FollowSymLinks: true, ExecCGI: true}
		w.warn(c.pos, "", "Options All: eventmpm implements its Indexes, FollowSymLinks and ExecCGI parts; Includes has no effect")
		return nil
	case lw == "all" && sign == 0:
		*set = OptionFlags{Indexes: true, FollowSymLinks: true}
		w.warn(c.pos, "", "Options All: eventmpm implements only its Indexes and FollowSymLinks parts; Includes and ExecCGI have no effect")
		return nil
	}
	return errorf("Illegal option %s%s", signString(sign), word)
}

// applyFlag adds one option to an absolute set or, signed, to a delta: a
// later word overrides an earlier one.
func applyFlag(flag OptionFlags, sign byte, set *OptionFlags, d *OptionsDelta) {
	switch sign {
	case '+':
		d.Add, d.Remove = union(d.Add, flag), minus(d.Remove, flag)
	case '-':
		d.Remove, d.Add = union(d.Remove, flag), minus(d.Add, flag)
	default:
		*set = union(*set, flag)
	}
}

func signString(sign byte) string {
	if sign == 0 {
		return ""
	}
	return string(sign)
}

func union(a, b OptionFlags) OptionFlags {
	return OptionFlags{
		FollowSymLinks:       a.FollowSymLinks || b.FollowSymLinks,
		SymLinksIfOwnerMatch: a.SymLinksIfOwnerMatch || b.SymLinksIfOwnerMatch,
		Indexes:              a.Indexes || b.Indexes,
		MultiViews:           a.MultiViews || b.MultiViews,
		ExecCGI:              a.ExecCGI || b.ExecCGI,
	}
}

func minus(a, b OptionFlags) OptionFlags {
	return OptionFlags{
		FollowSymLinks:       a.FollowSymLinks && !b.FollowSymLinks,
		SymLinksIfOwnerMatch: a.SymLinksIfOwnerMatch && !b.SymLinksIfOwnerMatch,
		Indexes:              a.Indexes && !b.Indexes,
		MultiViews:           a.MultiViews && !b.MultiViews,
		ExecCGI:              a.ExecCGI && !b.ExecCGI,
	}
}

// apply switches a delta's flags on and off (Add and Remove never overlap).
func (d OptionsDelta) apply(o OptionFlags) OptionFlags {
	return minus(union(o, d.Add), d.Remove)
}

// then is the delta of applying d and then next.
func (d OptionsDelta) then(next OptionsDelta) OptionsDelta {
	return OptionsDelta{
		Add:    union(minus(d.Add, next.Remove), next.Add),
		Remove: union(minus(d.Remove, next.Add), next.Remove),
	}
}

// setOptions is Options, for the server or the enclosing section. Relative
// forms apply to the server's current value; a virtual host's, while it has
// no absolute Options of its own, to the main server's final value (see
// serverState.optionsDelta), even when the main server's Options come later
// in the file.
func setOptions(w *walker, c *call) error {
	abs, delta, err := parseOptions(w, c)
	if err != nil {
		return err
	}
	if c.sc.access != nil {
		if err := checkAccessOptions(c.sc.access, c.args); err != nil {
			return err
		}
	}
	base := w.srv.srv.Options
	if w.srv != w.main && !w.srv.set["Options"] {
		base = w.main.srv.Options
	}
	if w.sec != nil {
		w.warnSymlinkOptions(c)
		return w.sec.setOptions(abs, delta, base)
	}
	switch st := w.srv; {
	case abs != nil:
		st.srv.Options, st.optionsDelta, st.optionsAbs = *abs, nil, true
	case st != w.main && !st.optionsAbs:
		acc := *delta
		if st.optionsDelta != nil {
			acc = st.optionsDelta.then(*delta)
		}
		st.optionsDelta = &acc
		st.srv.Options = acc.apply(w.main.srv.Options) // until inherit applies it to the final one
	default:
		st.srv.Options = delta.apply(base)
	}
	w.srv.mark("Options")
	return nil
}

// warnSymlinkOptions warns that FollowSymLinks and SymLinksIfOwnerMatch
// mean nothing in <Location> and <Files>: Apache checks symlinks while it
// walks the directories, before those sections merge, and documents that
// these two Options "work only in <Directory> sections". Indexes there
// does apply.
func (w *walker) warnSymlinkOptions(c *call) {
	if w.sec.s.Kind == SectionDirectory {
		return
	}
	for _, word := range c.args {
		lw := strings.ToLower(strings.TrimLeft(word, "+-"))
		if lw == "followsymlinks" || lw == "symlinksifownermatch" {
			w.warn(c.pos, "", "Options %s in %s> has no effect: FollowSymLinks and SymLinksIfOwnerMatch work only in <Directory> sections",
				word, c.sc.dir)
			return
		}
	}
}

func (sec *sectionState) setOptions(abs *OptionFlags, delta *OptionsDelta, base OptionFlags) error {
	s := &sec.s
	if abs != nil {
		s.Options, s.OptionsDelta, sec.absolute = abs, nil, true
		return nil
	}
	if s.Options != nil {
		base = *s.Options
	}
	o := delta.apply(base)
	s.Options = &o
	if !sec.absolute {
		acc := OptionsDelta{}
		if s.OptionsDelta != nil {
			acc = *s.OptionsDelta
		}
		acc = acc.then(*delta)
		s.OptionsDelta = &acc
	}
	return nil
}

// overrideClassNames are AllowOverride's classes, by lowercased name.
var overrideClassNames = map[string]string{
	"authconfig": "AuthConfig", "fileinfo": "FileInfo", "indexes": "Indexes", "limit": "Limit", "options": "Options",
}

// setAllowOverride is AllowOverride: None, All, or override classes
// (Options=... and Nonfatal=... included), checked as Apache checks them:
// what the AccessFileName files (.htaccess) of the section's directories
// may set (ParseOverrides reads the stored value). Outside <Directory> it
// is AH00114, as in Apache; in a regex <Directory> it is refused, as there.
func setAllowOverride(w *walker, c *call) error {
	if err := overrideContext(w, c); err != nil || w.sec.s.Kind != SectionDirectory {
		return err
	}
	var vals []string
	for _, a := range c.args {
		name, arg, hasArg := strings.Cut(a, "=")
		switch l := strings.ToLower(name); {
		case l == "none" || l == "all":
			vals = append(vals, map[string]string{"none": "None", "all": "All"}[l])
		case l == "nonfatal" && hasArg:
			switch strings.ToLower(arg) {
			case "override", "unknown", "all":
			default:
				return errorf("AllowOverride: Illegal override option %s", a)
			}
			vals = append(vals, "Nonfatal="+arg)
		case l == "options" && hasArg:
			for _, opt := range strings.Split(arg, ",") {
				if _, ok := optionWords[strings.ToLower(opt)]; !ok && !strings.EqualFold(opt, "All") {
					if _, refused := unimplementedOptions[strings.ToLower(opt)]; !refused {
						return errorf("Illegal option %s", opt)
					}
				}
			}
			vals = append(vals, "Options="+arg)
		case overrideClassNames[l] != "" && !hasArg:
			vals = append(vals, overrideClassNames[l])
		default:
			return errorf("AllowOverride: Illegal override option %s", a)
		}
	}
	w.sec.s.AllowOverride = "None"
	for _, v := range vals {
		if v != "None" && !strings.HasPrefix(v, "Nonfatal=") {
			w.sec.s.AllowOverride = strings.Join(vals, " ")
			break
		}
	}
	return nil
}

// overrideContext is where AllowOverride and AllowOverrideList may
// appear: in <Location> and <Files> they are AH00114's useless use (the
// caller then does nothing), in a regex <Directory> an error.
func overrideContext(w *walker, c *call) error {
	if w.sec.s.Kind != SectionDirectory {
		w.warn(c.pos, "AH00114", "Useless use of %s in line %d of %s.", c.d.name, c.pos.Line, c.pos.File)
		return nil
	}
	if w.sec.s.Regex {
		return errorf("%s not allowed here", c.d.name)
	}
	return nil
}

// setAllowOverrideList is AllowOverrideList: directives the AccessFileName
// files may hold whatever AllowOverride says ("None" for none).
func setAllowOverrideList(w *walker, c *call) error {
	if err := overrideContext(w, c); err != nil || w.sec.s.Kind != SectionDirectory {
		return err
	}
	var list []string
	for _, name := range c.args {
		if strings.EqualFold(name, "None") {
			continue
		}
		d := lookup(name)
		if d == nil {
			return errorf("AllowOverrideList: %s is not a directive eventmpm knows", name)
		}
		list = append(list, d.name)
	}
	if len(list) == 0 {
		list = []string{"None"} // set, to none: a deeper section's resets an outer one's
	}
	w.sec.s.AllowOverrideList = list
	return nil
}

// setAccessFileName is AccessFileName: the names of the per-directory
// files that AllowOverride other than None makes the child look for.
func setAccessFileName(w *walker, c *call) error {
	for _, name := range c.args {
		if name == "" || strings.ContainsRune(name, '/') {
			return errorf("AccessFileName %q: a file name, without a directory", name)
		}
	}
	w.srv.srv.AccessFileNames = append([]string(nil), c.args...)
	w.srv.mark("AccessFileName")
	return nil
}

// setHandler is SetHandler: server-status, metrics (the Prometheus
// exposition of the scoreboard), or none/default-handler.
func setHandler(w *walker, c *call) error {
	if _, ok := cutPrefixFold(c.args[0], "proxy:"); ok {
		return setProxyHandler(w, c)
	}
	if strings.EqualFold(c.args[0], "cgi-script") {
		if !cgiLoaded(w) {
			return errorf("SetHandler cgi-script needs mod_cgi or mod_cgid (LoadModule cgid_module ...); without it eventmpm would serve the scripts' source")
		}
		w.sec.s.Handler, w.sec.s.HandlerSet = "cgi-script", true
		return nil
	}
	switch h := strings.ToLower(c.args[0]); h {
	case "server-status", "metrics":
		w.sec.s.Handler = h
	case "none", "default-handler":
		w.sec.s.Handler = ""
	default:
		return errorf("SetHandler %s: eventmpm provides only the server-status and metrics handlers and mod_proxy_fcgi's proxy:fcgi:// (none and default-handler reset it)", c.args[0])
	}
	w.sec.s.HandlerSet = true
	return nil
}
