package config

import (
	"eventmpm/internal/errorlog"
	"math"
	"os"
	"slices"
	"strconv"
	"strings"
	"time"
)

// This file holds the setters of the per-server directives (core and
// http_core, mod_dir, mod_mime): they apply to the main server or to the
// <VirtualHost> they sit in.

// setServerName is ServerName [scheme://]host[:port].
func setServerName(w *walker, c *call) error {
	arg := c.args[0]
	if strings.ContainsAny(arg, "*?") {
		return errorf("Invalid ServerName \"%s\" use ServerAlias to set multiple server names.", arg)
	}
	scheme, rest, ok := strings.Cut(arg, "://")
	if !ok {
		scheme, rest = "", arg
	}
	host, portStr, hasPort := rest, "", false
	if strings.HasPrefix(rest, "[") {
		if i := strings.IndexByte(rest, ']'); i > 0 {
			host = rest[:i+1]
			portStr, hasPort = strings.CutPrefix(rest[i+1:], ":")
		}
	} else if i := strings.IndexByte(rest, ':'); i >= 0 {
		host, portStr, hasPort = rest[:i], rest[i+1:], true
	}
	port := 0
	if hasPort {
		port = atoi(portStr)
		if port <= 0 || port >= 65536 {
			return errorf("The port number \"%s\" is outside the appropriate range (i.e., 1..65535).", arg)
		}
	}
	s := w.srv.srv
	s.ServerName, s.Port, s.Scheme = host, port, strings.ToLower(scheme)
	w.srv.mark("ServerName")
	return nil
}

// setServerAlias is ServerAlias name... (virtual hosts only).
func setServerAlias(w *walker, c *call) error {
	w.srv.srv.ServerAlias = append(w.srv.srv.ServerAlias, c.args...)
	return nil
}

func setServerAdmin(w *walker, c *call) error {
	w.srv.srv.ServerAdmin = c.args[0]
	w.srv.mark("ServerAdmin")
	return nil
}

// setDocumentRoot checks the directory as Apache does: fatal for the main
// server, AH00112 for a virtual host, and neither with -T.
func setDocumentRoot(w *walker, c *call) error {
	dir := w.l.rootRelative(c.args[0])
	if w.l.opts.SkipDocumentRootCheck {
		w.srv.srv.DocumentRoot = dir
		w.srv.mark("DocumentRoot")
		return nil
	}
	if fi, err := os.Stat(dir); err != nil || !fi.IsDir() {
		if !c.sc.vhost {
			return errorf("DocumentRoot '%s' is not a directory, or is not readable", dir)
		}
		w.warn(c.pos, "AH00112", "Warning: DocumentRoot [%s] does not exist", dir)
	}
	w.srv.srv.DocumentRoot = dir
	w.srv.mark("DocumentRoot")
	return nil
}

// setErrorLog keeps "|command" and "syslog[:...]" as written; a file is
// relative to ServerRoot.
func setErrorLog(w *walker, c *call) error {
	target := c.args[0]
	if target == "syslog" || strings.HasPrefix(target, "syslog:") {
		if _, ok := SyslogFacility(target); !ok {
			return errorf("ErrorLog %s: unknown syslog facility (kern, user, mail, daemon, auth, syslog, lpr, news, uucp, cron, authpriv, ftp, local0 ... local7)", target)
		}
	}
	if !strings.HasPrefix(target, "|") && target != "syslog" && !strings.HasPrefix(target, "syslog:") {
		target = w.l.rootRelative(target)
	}
	w.srv.srv.ErrorLog = target
	w.srv.srv.ErrorLogPos = c.pos
	w.srv.mark("ErrorLog")
	return nil
}

// setErrorLogFormat is core's ErrorLogFormat: "ErrorLogFormat format" sets
// the format of every line, "ErrorLogFormat connection|request format" adds
// a line written before the first line about a connection or a request. A
// <VirtualHost> with lines of a kind of its own has only those.
func setErrorLogFormat(w *walker, c *call) error {
	if len(c.args) == 1 {
		if _, err := errorlog.ParseFormat(c.args[0], true); err != nil {
			return errorf("%s", err)
		}
		w.srv.srv.ErrorLogFormat.Main = c.args[0]
		w.srv.mark("ErrorLogFormat")
		return nil
	}
	var lines *[]string
	switch strings.ToLower(c.args[0]) {
	case "connection":
		lines = &w.srv.srv.ErrorLogFormat.Connection
	case "request":
		lines = &w.srv.srv.ErrorLogFormat.Request
	default:
		return errorf("ErrorLogFormat type must be one of request, connection")
	}
	w.srv.mark("ErrorLogFormat." + strings.ToLower(c.args[0]))
	if _, err := errorlog.ParseFormat(c.args[1], false); err != nil {
		return errorf("%s", err)
	}
	*lines = append(*lines, c.args[1])
	return nil
}

// syslogFacilities are syslog(3)'s facility numbers by name.
var syslogFacilities = map[string]int{
	"kern": 0, "user": 1, "mail": 2, "daemon": 3, "auth": 4, "syslog": 5, "lpr": 6, "news": 7,
	"uucp": 8, "cron": 9, "authpriv": 10, "ftp": 11,
	"local0": 16, "local1": 17, "local2": 18, "local3": 19, "local4": 20, "local5": 21, "local6": 22, "local7": 23,
}

// SyslogFacility returns the facility number of an ErrorLog target
// "syslog" (local7, Apache's default) or "syslog:NAME"; ok is false for an
// unknown name or a target that is not syslog.
func SyslogFacility(target string) (facility int, ok bool) {
	if target == "syslog" {
		return syslogFacilities["local7"], true
	}
	name, found := strings.CutPrefix(target, "syslog:")
	if !found {
		return 0, false
	}
	facility, ok = syslogFacilities[strings.ToLower(name)]
	return facility, ok
}

// logLevels are Apache's level names, most severe first.
var logLevels = []string{"emerg", "alert", "crit", "error", "warn", "notice", "info", "debug",
	"trace1", "trace2", "trace3", "trace4", "trace5", "trace6", "trace7", "trace8"}

func validLevel(s string) (string, bool) {
	s = strings.ToLower(s)
	for _, l := range logLevels {
		if s == l {
			return l, true
		}
	}
	return "", false
}

// setLogLevel is LogLevel [module:]level ...: a bare level sets the
// server's level and, as in Apache, resets the per-module ones; module:level
// sets one module's (named as LoadModule or <IfModule> name it, or without
// "_module"). A virtual host's lines apply over the main server's setting
// once the whole configuration is read (inherit), as Apache merges them.
func setLogLevel(w *walker, c *call) error {
	if len(c.args) == 0 {
		return errorf("LogLevel requires at least one argument")
	}
	args := make([]string, 0, len(c.args))
	for _, arg := range c.args {
		module, level, perModule := strings.Cut(arg, ":")
		if !perModule {
			level = module
		}
		l, ok := validLevel(level)
		if !ok {
			if perModule {
				return errorf("%s: Log level keyword must be one of emerg/alert/crit/error/warn/notice/info/debug/trace1/.../trace8", arg)
			}
			return errorf("LogLevel requires level keyword: one of emerg/alert/crit/error/warn/notice/info/debug/trace1/.../trace8")
		}
		if perModule {
			name, known := logModuleName(module)
			if !known {
				// Apache refuses it ("Cannot find module"); a module
				// eventmpm lacks is more often one it need not log.
				w.warn(c.pos, "", "LogLevel %s has no effect: eventmpm has no module %s", arg, module)
				continue
			}
			l = name + ":" + l
		}
		args = append(args, l)
	}
	if len(args) == 0 {
		return nil
	}
	if w.srv != w.main {
		w.srv.logLevelArgs = append(w.srv.logLevelArgs, args...)
	}
	w.srv.srv.LogLevel = applyLogLevel(w.srv.srv.LogLevel, args)
	w.srv.mark("LogLevel")
	return nil
}

// logModuleName is the name a module's error log lines carry ("remoteip"),
// from the name LogLevel gives: the identifier, with or without
// "_module", or the source file name.
func logModuleName(name string) (string, bool) {
	id := name
	if _, ok := modules[id]; !ok {
		id = name + "_module"
	}
	if _, ok := modules[id]; !ok {
		id = ""
		for m, file := range modules {
			if file == name {
				id = m
			}
		}
	}
	if id == "" {
		return "", false
	}
	return strings.TrimSuffix(id, "_module"), true
}

// applyLogLevel applies LogLevel arguments ("info", "remoteip:debug") to a
// setting kept as "level module:level ...": a bare level replaces the
// level and drops the module levels, a module's level replaces that
// module's.
func applyLogLevel(spec string, args []string) string {
	words := strings.Fields(spec)
	level, mods := "warn", []string(nil)
	if len(words) > 0 {
		level, mods = words[0], words[1:]
	}
	for _, a := range args {
		module, _, perModule := strings.Cut(a, ":")
		if !perModule {
			level, mods = a, nil
			continue
		}
		mods = slices.DeleteFunc(mods, func(m string) bool { return strings.HasPrefix(m, module+":") })
		mods = append(mods, a)
	}
	return strings.Join(append([]string{level}, mods...), " ")
}

// setTimeout is Timeout num[unit], default unit seconds, as Apache 2.4
// reads it (ap_timeout_parameter_parse). Apache would take a negative value
// as "wait forever"; eventmpm refuses it.
func setTimeout(w *walker, c *call) error {
	if strings.HasPrefix(strings.TrimSpace(c.args[0]), "-") {
		return errorf("Timeout must not be negative")
	}
	d, ok := parseTimeout(c.args[0], "s")
	if !ok {
		return errorf("Timeout has wrong format")
	}
	w.srv.srv.Timeout = d
	w.srv.mark("Timeout")
	return nil
}

func setKeepAlive(w *walker, c *call) error {
	w.srv.srv.KeepAlive = isOn(c.args[0])
	w.srv.mark("KeepAlive")
	return nil
}

// setKeepAliveTimeout is KeepAliveTimeout num[unit], default unit seconds.
func setKeepAliveTimeout(w *walker, c *call) error {
	d, ok := parseTimeout(c.args[0], "s")
	if !ok {
		return errorf("KeepAliveTimeout has wrong format")
	}
	w.srv.srv.KeepAliveTimeout = d
	w.srv.mark("KeepAliveTimeout")
	return nil
}

// parseTimeout is ap_timeout_parameter_parse: an integer, then a unit (only
// its first letters count: "ms", "s", "mi", "h"), or defUnit when none.
// Negative values are refused.
func parseTimeout(s, defUnit string) (time.Duration, bool) {
	i := 0
	if i < len(s) && (s[i] == '-' || s[i] == '+') {
		i++
	}
	for i < len(s) && s[i] >= '0' && s[i] <= '9' {
		i++
	}
	n, err := strconv.ParseInt(s[:i], 10, 64)
	if err != nil || n < 0 || n > 1<<31 {
		return 0, false
	}
	unit := s[i:]
	if unit == "" {
		unit = defUnit
	}
	switch {
	case strings.HasPrefix(unit, "ms"):
		return time.Duration(n) * time.Millisecond, true
	case strings.HasPrefix(unit, "mi"):
		return time.Duration(n) * time.Minute, true
	case unit[0] == 's':
		return time.Duration(n) * time.Second, true
	case unit[0] == 'h':
		return time.Duration(n) * time.Hour, true
	}
	return 0, false
}

func setMaxKeepAliveRequests(w *walker, c *call) error {
	n, err := wholeNumber(c)
	if err != nil {
		return err
	}
	w.srv.srv.MaxKeepAliveRequests = n
	w.srv.mark("MaxKeepAliveRequests")
	return nil
}

// setLimit is LimitRequestLine, LimitRequestFieldSize and
// LimitRequestFields: atoi, and negative is an error with Apache's text.
func setLimit(key, spelled, suffix string, field func(*Server) *int) func(*walker, *call) error {
	return func(w *walker, c *call) error {
		n, err := wholeNumber(c)
		if err != nil {
			return err
		}
		if n < 0 {
			return errorf("%s \"%s\" must be a non-negative integer%s", spelled, c.args[0], suffix)
		}
		*field(w.srv.srv) = n
		w.srv.mark(key)
		return nil
	}
}

// setLimitRequestBody is strict: a non-negative integer, 0 = unlimited.
func setLimitRequestBody(w *walker, c *call) error {
	n, err := strconv.ParseInt(c.args[0], 10, 64)
	if err != nil && !isRangeErr(err) || n < 0 {
		return errorf("LimitRequestBody requires a non-negative integer.")
	}
	if err != nil {
		return errorf("LimitRequestBody argument is not parsable.")
	}
	if w.sec != nil {
		w.sec.s.LimitRequestBody = &n
		return nil
	}
	w.srv.srv.LimitRequestBody = n
	w.srv.mark("LimitRequestBody")
	return nil
}

// setDirectoryIndex is mod_dir's DirectoryIndex: the first one in a context
// replaces the inherited list, later ones append, and "disabled" alone
// empties it.
func setDirectoryIndex(w *walker, c *call) error {
	var list []string
	if !(len(c.args) == 1 && strings.EqualFold(c.args[0], "disabled")) {
		list = c.args
	}
	if w.sec != nil {
		s := &w.sec.s
		if s.DirectoryIndex == nil || len(list) == 0 {
			s.DirectoryIndex = []string{}
		}
		s.DirectoryIndex = append(s.DirectoryIndex, list...)
		return nil
	}
	s := w.srv.srv
	if !w.srv.set["DirectoryIndex"] || len(list) == 0 {
		s.DirectoryIndex = nil
	}
	s.DirectoryIndex = append(s.DirectoryIndex, list...)
	w.srv.mark("DirectoryIndex")
	return nil
}

// setForceType is core's ForceType media-type | None: the type of every
// file where it applies, whatever its name; None takes an enclosing
// ForceType back. eventmpm makes a file's type by its directory and name,
// so <Location> is refused.
func setForceType(w *walker, c *call) error {
	v := strings.ToLower(c.args[0])
	if v == "none" {
		v = ""
	}
	if w.sec != nil {
		if k := w.sec.s.Kind; k != SectionDirectory && k != SectionFiles {
			return errorf("ForceType in %s> is not supported by eventmpm: it types a file by its directory and name; use <Directory> or <Files>", c.sc.parent())
		}
		w.sec.s.ForceType = &v
		return nil
	}
	w.srv.srv.ForceType = v
	w.srv.mark("ForceType")
	return nil
}

// setEnableSendfile is core's EnableSendfile On|Off: whether the body of
// a file the child does not keep in memory is sent with sendfile(2) (On,
// eventmpm's default) or read and written (Off: for file systems whose
// sendfile is unreliable, as some network and virtual-machine shares). In
// the server, a virtual host and <Directory>; <Files> and <Location> are
// refused, because eventmpm decides by the file's directory.
func setEnableSendfile(w *walker, c *call) error {
	var on bool
	switch strings.ToLower(c.args[0]) {
	case "on":
		on = true
	case "off":
	default:
		return errorf("parameter must be 'on' or 'off'")
	}
	if w.sec != nil {
		if w.sec.s.Kind != SectionDirectory {
			return errorf("EnableSendfile in %s> is not supported by eventmpm: it decides by the file's directory; use <Directory>", c.sc.parent())
		}
		w.sec.s.EnableSendfile = &on
		return nil
	}
	w.srv.srv.NoSendfile = !on
	w.srv.mark("EnableSendfile")
	return nil
}

// setFallbackResource is mod_dir's FallbackResource URL-path | disabled:
// the resource served in place of a file that does not exist. The
// URL-path must be local (an absolute URL or a relative path would be
// looked up as neither by eventmpm, nor usefully by Apache).
func setFallbackResource(w *walker, c *call) error {
	v := c.args[0]
	switch {
	case strings.EqualFold(v, "disabled"):
		v = ""
	case !strings.HasPrefix(v, "/"):
		return errorf("FallbackResource %s: eventmpm takes a local URL-path beginning with '/' (or disabled)", v)
	case strings.Contains(v, "%{"):
		return errorf("FallbackResource %s: expressions (%%{...}) are not supported by eventmpm", v)
	}
	if w.sec != nil {
		w.sec.s.FallbackResource = &v
		return nil
	}
	w.srv.srv.FallbackResource = v
	w.srv.mark("FallbackResource")
	return nil
}

// setAddType is AddType media-type ext...: the media type and the
// extensions are lowercased (as mod_mime keeps them), and the extensions
// lose their leading dot.
func setAddType(w *walker, c *call) error {
	if done, err := w.addDirMIME(c, MIMEType, false); done || err != nil {
		return err
	}
	s := w.srv.srv
	if s.AddType == nil {
		s.AddType = map[string]string{}
	}
	for _, ext := range c.args[1:] {
		ext = normExt(ext)
		s.AddType[ext] = strings.ToLower(c.args[0])                                             // mod_mime's add_extension_info lowercases it
		s.RemoveType = slices.DeleteFunc(s.RemoveType, func(r string) bool { return r == ext }) // a later AddType wins
	}
	return nil
}

// setAddDefaultCharset is On (iso-8859-1, Apache's default), Off, or a
// charset name.
func setAddDefaultCharset(w *walker, c *call) error {
	v := c.args[0]
	switch strings.ToLower(v) {
	case "on":
		v = "iso-8859-1"
	case "off":
		v = ""
	}
	if m, err := w.dirMIME(c); m != nil || err != nil {
		if m != nil {
			m.DefaultCharset = &v
		}
		return err
	}
	w.srv.srv.AddDefaultCharset = v
	w.srv.mark("AddDefaultCharset")
	return nil
}

func setServerSignature(w *walker, c *call) error {
	v, ok := map[string]string{"off": "Off", "on": "On", "email": "EMail"}[strings.ToLower(c.args[0])]
	if !ok {
		return errorf("ServerSignature: use one of: off | on | email")
	}
	if w.sec != nil {
		w.sec.s.ServerSignature = &v
		return nil
	}
	w.srv.srv.ServerSignature = v
	w.srv.mark("ServerSignature")
	return nil
}

// setHostnameLookups accepts only Off: eventmpm logs addresses, never names.
func setHostnameLookups(_ *walker, c *call) error {
	switch strings.ToLower(c.args[0]) {
	case "off":
		return nil
	case "on", "double":
		return errorf("HostnameLookups %s: eventmpm does no reverse DNS lookups; only HostnameLookups Off is supported", c.args[0])
	}
	return errorf("parameter must be 'on', 'off', or 'double'")
}

// MaxRangesNone is Server.MaxRanges for "MaxRanges none".
const MaxRangesNone = -1

// setMaxRanges is core's MaxRanges (set_max_ranges) in the server config
// and <VirtualHost>: default, none, unlimited or a positive number. In a
// directory section it is refused: eventmpm applies it to a whole server.
func setMaxRanges(w *walker, c *call) error {
	if w.sec != nil {
		return errorf("MaxRanges in %s> is not supported by eventmpm: it applies to a whole server or virtual host; set it there", c.sc.parent())
	}
	n := 0
	switch v := strings.ToLower(c.args[0]); v {
	case "default":
	case "none":
		n = MaxRangesNone
	case "unlimited":
		n = math.MaxInt
	default:
		var err error
		if n, err = strconv.Atoi(v); err != nil || n <= 0 {
			return errorf("MaxRanges requires 'none', 'default', 'unlimited' or a positive integer")
		}
	}
	w.srv.srv.MaxRanges = n
	w.srv.mark("MaxRanges")
	return nil
}
