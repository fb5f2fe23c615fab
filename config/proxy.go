package config

import (
	"fmt"
	"net"
	"net/url"
	"slices"
	"strconv"
	"strings"
	"time"

	"eventmpm/internal/regex"
)

// Proxy is mod_proxy's reverse-proxy configuration of a server (with
// mod_proxy_http): the URL-paths passed to HTTP backends and how.
// eventmpm is no forward proxy (ProxyRequests On is refused).
type Proxy struct {
	// Passes are the ProxyPass mappings, tried in order: the first whose
	// path matches decides (an excluding one serves the request locally).
	// A <Location>'s ProxyPass comes first (see mergeProxy).
	Passes []ProxyPass `json:",omitempty"`
	// Reverses are the ProxyPassReverse mappings, applied to the Location,
	// Content-Location and URI header fields of the backends' responses.
	Reverses []ProxyReverse `json:",omitempty"`
	// CookiePaths and CookieDomains are ProxyPassReverseCookiePath and
	// ProxyPassReverseCookieDomain (Path: the backend's value, URL: this
	// server's), applied to the backends' Set-Cookie fields.
	CookiePaths   []ProxyReverse `json:",omitempty"`
	CookieDomains []ProxyReverse `json:",omitempty"`
	// PreserveHost sends the client's Host to the backend (ProxyPreserveHost
	// On) instead of the backend's own.
	PreserveHost bool `json:",omitempty"`
	// NoAddHeaders is ProxyAddHeaders Off: no X-Forwarded-For,
	// X-Forwarded-Host and X-Forwarded-Server fields.
	NoAddHeaders bool `json:",omitempty"`
	// Timeout is ProxyTimeout, 0 when unset (the server's Timeout then).
	Timeout time.Duration `json:",omitempty"`
	// FCGIGeneric is ProxyFCGIBackendType GENERIC: SCRIPT_FILENAME is the
	// script's path, not FPM's "proxy:fcgi://host/path".
	FCGIGeneric bool `json:",omitempty"`
}

// ProxyPass is one ProxyPass mapping: requests whose URL-path Path
// matches (as an Alias matches) go to the backend URL with the rest of
// the path appended, or, for an excluding mapping ("!"), are not proxied.
type ProxyPass struct {
	Path    string
	Exclude bool `json:",omitempty"`
	// Regex is ProxyPassMatch: Path is a regular expression matched
	// against the URL-path, and URL's $0 to $9 its submatches (the URL's
	// host holds none).
	Regex bool `json:",omitempty"`
	// URL is the backend's URL as written, with Scheme ("http"), Host
	// (host:port, the port always given) and BasePath (its path).
	URL      string `json:",omitempty"`
	Host     string `json:",omitempty"`
	HostName string `json:",omitempty"` // the Host field sent: the URL's host, with its port unless the default
	BasePath string `json:",omitempty"`
	// NoQuery is the noquery flag: the request's query is not passed on.
	NoQuery bool `json:",omitempty"`
	// WebSocket is set for a ws:// backend: a client's "Upgrade:
	// WebSocket" is passed on (mod_proxy_http's default for ws://).
	// Upgrade is the upgrade= worker parameter: the protocols (a
	// comma-separated list, or "*" for any) whose Upgrade is passed on.
	WebSocket bool   `json:",omitempty"`
	Upgrade   string `json:",omitempty"`
	// FCGI is set for an fcgi:// backend (mod_proxy_fcgi): the URL's path
	// is the script's file.
	FCGI bool `json:",omitempty"`
	// TLS is set for an https:// or wss:// backend (SSLProxyEngine on).
	TLS bool `json:",omitempty"`
	// Socket is the Unix domain socket of a "unix:/path|http://host/"
	// backend: the connection goes there, the URL names the host.
	Socket string `json:",omitempty"`
	// The worker parameters eventmpm takes: timeout=, connectiontimeout=
	// (0: unset), disablereuse=On (enablereuse=Off), max= (0: no limit)
	// and keepalive=On (TCP keep-alive probes on backend connections).
	Timeout        time.Duration `json:",omitempty"`
	ConnectTimeout time.Duration `json:",omitempty"`
	DisableReuse   bool          `json:",omitempty"`
	// Reuse is set by an explicit enablereuse=on (or disablereuse=off):
	// a FastCGI backend's connections are kept for the next request only
	// then, as mod_proxy_fcgi's.
	Reuse     bool `json:",omitempty"`
	Max       int  `json:",omitempty"`
	KeepAlive bool `json:",omitempty"`
	Pos       Pos
}

// Match reports how many bytes of the cleaned URL-path uri the mapping's
// path covers, 0 for none (mod_proxy's alias_match, which is mod_alias's).
// A ProxyPassMatch mapping is matched by its regular expression instead.
func (p *ProxyPass) Match(uri []byte) int { return urlPrefixMatch(uri, p.Path) }

// ProxyReverse is one ProxyPassReverse mapping: a backend's header field
// value beginning with URL is rewritten to this server's Path.
type ProxyReverse struct {
	Path string
	URL  string
}

// setProxyPass is ProxyPass and ProxyPassMatch [path] !|url [flags]
// [key=value...] in the server config, <VirtualHost> and <Location> (or
// <LocationMatch> for ProxyPassMatch), where the path is the section's,
// as mod_proxy's add_pass with Apache's messages.
func setProxyPass(w *walker, c *call) error {
	isMatch := strings.EqualFold(c.d.name, "ProxyPassMatch")
	inLocation, err := proxySectionPath(w, c)
	if err != nil {
		return err
	}
	words := splitWords(c.raw)
	p := ProxyPass{Regex: isMatch}
	var target string
	rest := words
	if inLocation != "" {
		p.Path = inLocation
	} else if len(rest) > 0 {
		if rest[0] == "~" {
			if isMatch {
				return errorf("ProxyPassMatch invalid syntax ('~' usage).")
			}
			p.Regex, rest = true, rest[1:]
		}
		if len(rest) > 0 {
			p.Path, rest = rest[0], rest[1:]
		}
	}
	if len(rest) == 0 {
		return errorf("ProxyPass|ProxyPassMatch needs a path when not defined in a location")
	}
	target, rest = rest[0], rest[1:]
	for _, word := range rest {
		switch strings.ToLower(word) {
		case "noquery":
			p.NoQuery = true
			continue
		case "nocanon", "interpolate":
			return errorf("%s %s: eventmpm does not support this flag", c.d.name, word)
		}
		key, val, ok := strings.Cut(word, "=")
		if !ok {
			if inLocation != "" && strings.HasPrefix(target, "/") {
				return errorf("ProxyPass|ProxyPassMatch can not have a path when defined in a location.")
			}
			return errorf("Invalid ProxyPass|ProxyPassMatch parameter. Parameter must be in the form 'key=value'.")
		}
		if strings.EqualFold(key, "retry") {
			n, err := strconv.Atoi(val)
			if err != nil || n < 0 {
				return errorf("%s retry=%s: Retry must be a positive value", c.d.name, val)
			}
			if n > 0 {
				w.warn(c.pos, "", "%s retry=%s has no effect: eventmpm never sets a backend aside after a failure; every request tries it (as retry=0)", c.d.name, val)
			}
			continue
		}
		if err := setWorkerParam(&p, key, val); err != nil {
			return err
		}
		unused := strings.EqualFold(key, "max") || strings.EqualFold(key, "keepalive")
		if unused && strings.HasPrefix(strings.ToLower(strings.TrimPrefix(target, "unix:")), "fcgi:") ||
			unused && strings.Contains(strings.ToLower(target), "|fcgi:") {
			w.warn(c.pos, "", "%s %s=%s has no effect for fcgi://: a FastCGI request takes a connection of its own (kept for the next with enablereuse=on, up to ThreadsPerChild idle ones)", c.d.name, key, val)
		}
	}
	if target == "!" {
		p.Exclude = true
	} else if err := parseBackend(&p, target); err != nil {
		return err
	} else if p.Regex && strings.Contains(p.Host, "$") {
		return errorf("%s %s: eventmpm takes $N in the URL's path only, not in its host", c.d.name, target)
	} else if p.FCGI && !slices.Contains(w.cfg.Modules, "proxy_fcgi_module") {
		return errorf("%s %s: fcgi:// needs mod_proxy_fcgi (LoadModule proxy_fcgi_module ...)", c.d.name, target)
	} else if !p.FCGI && !slices.Contains(w.cfg.Modules, "proxy_http_module") {
		// Apache takes it and answers every request 500 (AH01144).
		scheme, _, _ := strings.Cut(target, ":")
		return errorf("%s %s: %s:// needs mod_proxy_http (LoadModule proxy_http_module ...)", c.d.name, target, strings.ToLower(scheme))
	}
	if p.Regex {
		if _, err := regex.Compile(p.Path); err != nil {
			return errorf("Regular expression could not be compiled.")
		}
	} else if !strings.HasPrefix(p.Path, "/") {
		return errorf("%s %s: the path must begin with '/'", c.d.name, p.Path)
	}
	p.Pos = c.pos
	pr := w.proxyConfig()
	if inLocation != "" {
		w.srv.locationPasses = append(w.srv.locationPasses, p)
	} else {
		pr.Passes = append(pr.Passes, p)
	}
	return nil
}

// proxySectionPath checks where a ProxyPass or ProxyPassReverse is: the
// server config and <VirtualHost> give "", a <Location> its path; other
// sections refuse it.
func proxySectionPath(w *walker, c *call) (string, error) {
	if w.sec == nil {
		return "", nil
	}
	s := &w.sec.s
	match := strings.EqualFold(c.d.name, "ProxyPassMatch")
	switch {
	case s.Kind == SectionLocation && s.Regex == match:
		return s.Pattern, nil
	case s.Kind == SectionLocation && match:
		return "", errorf("ProxyPassMatch in <Location> is not supported by eventmpm: use ProxyPass there, or <LocationMatch>")
	case s.Kind == SectionLocation:
		return "", errorf("%s in <LocationMatch> is not supported by eventmpm: use <Location> or a path", c.d.name)
	case s.Kind == SectionIf:
		return "", errorf("%s in <If> is not supported by eventmpm", c.d.name)
	}
	return "", errorf("%s cannot occur within %s> section", c.d.name, c.sc.parent())
}

// parseBackend reads a ProxyPass URL: http://, ws:// (mod_proxy_http's
// schemes without TLS) or fcgi:// (mod_proxy_fcgi), a host, an optional
// port and path; "unix:/path/to.sock|" before it names the socket to
// connect to, as in Apache 2.4.7 and later.
func parseBackend(p *ProxyPass, target string) error {
	if rest, ok := cutPrefixFold(target, "unix:"); ok {
		socket, url, ok := strings.Cut(rest, "|")
		if !ok || !strings.HasPrefix(socket, "/") {
			return errorf("ProxyPass %s: a unix: socket needs an absolute path and '|' before the URL (unix:/run/app.sock|http://localhost/)", target)
		}
		if err := parseBackend(p, url); err != nil {
			return err
		}
		p.Socket, p.URL = socket, target
		return nil
	}
	u, err := url.Parse(target)
	if err != nil || u.Host == "" || u.Opaque != "" {
		return errorf("ProxyPass %s: not a valid URL", target)
	}
	defaultPort := "80"
	switch strings.ToLower(u.Scheme) {
	case "http":
	case "ws":
		p.WebSocket = true
	case "https":
		p.TLS, defaultPort = true, "443"
	case "wss":
		p.WebSocket, p.TLS, defaultPort = true, true, "443"
	case "fcgi":
		p.FCGI, defaultPort = true, fcgiDefaultPort
	case "ajp", "scgi", "uwsgi", "balancer", "h2", "h2c", "ftp", "unix":
		return errorf("ProxyPass %s: eventmpm proxies to http://, https://, ws://, wss:// and fcgi:// backends only (no %s)", target, strings.ToLower(u.Scheme))
	default:
		return errorf("ProxyPass %s: eventmpm proxies to http://, https://, ws://, wss:// and fcgi:// backends only", target)
	}
	if u.User != nil || u.RawQuery != "" || u.Fragment != "" {
		return errorf("ProxyPass %s: the URL may hold no user, query or fragment", target)
	}
	host, port := strings.ToLower(u.Hostname()), u.Port()
	if port == "" {
		port = defaultPort
	} else if n, err := strconv.Atoi(port); err != nil || n < 1 || n > 65535 {
		return errorf("ProxyPass %s: invalid port", target)
	}
	p.URL = target
	p.Host = net.JoinHostPort(host, port)
	p.HostName = strings.ToLower(u.Host) // Apache lowercases the worker's host
	if port == defaultPort {
		p.HostName = strings.TrimSuffix(p.HostName, ":"+defaultPort)
	}
	p.BasePath = u.EscapedPath()
	return nil
}

// setWorkerParam takes the worker parameters eventmpm implements, with
// set_worker_param's checks, and refuses the others by name.
func setWorkerParam(p *ProxyPass, key, val string) error {
	seconds := func() (time.Duration, error) {
		n, err := strconv.Atoi(val)
		if err != nil || n < 1 {
			return 0, errorf("ProxyPass %s=%s: Timeout must be at least one second", key, val)
		}
		return time.Duration(n) * time.Second, nil
	}
	onOff := func() (bool, error) {
		switch strings.ToLower(val) {
		case "on":
			return true, nil
		case "off":
			return false, nil
		}
		return false, errorf("ProxyPass %s=%s: %s must be On|Off", key, val, key)
	}
	var err error
	switch strings.ToLower(key) {
	case "timeout":
		p.Timeout, err = seconds()
	case "connectiontimeout":
		p.ConnectTimeout, err = seconds()
	case "disablereuse":
		p.DisableReuse, err = onOff()
		p.Reuse = !p.DisableReuse
	case "enablereuse":
		var on bool
		on, err = onOff()
		p.DisableReuse, p.Reuse = !on, on
	case "keepalive":
		p.KeepAlive, err = onOff()
	case "max":
		n, convErr := strconv.Atoi(val)
		if convErr != nil || n < 0 {
			return errorf("ProxyPass max=%s: Max must be a positive value", val)
		}
		p.Max = n
	case "upgrade":
		if len(val) >= 16 { // PROXY_WORKER_MAX_SCHEME_SIZE
			return errorf("upgrade protocol length must be < 16 characters")
		}
		p.Upgrade = val
	default:
		return errorf("ProxyPass %s=%s: eventmpm does not support the worker parameter %s (it takes timeout, connectiontimeout, disablereuse, enablereuse, keepalive, max, retry and upgrade)",
			key, val, key)
	}
	return err
}

// setProxyPassReverse is ProxyPassReverse [path] url, in the server
// config, <VirtualHost> and <Location>.
func setProxyPassReverse(w *walker, c *call) error {
	inLocation, err := proxySectionPath(w, c)
	if err != nil {
		return err
	}
	words := splitWords(c.raw)
	var r ProxyReverse
	switch {
	case inLocation != "" && len(words) == 1:
		r = ProxyReverse{Path: inLocation, URL: words[0]}
	case inLocation == "" && len(words) == 2:
		r = ProxyReverse{Path: words[0], URL: words[1]}
	case inLocation != "" && len(words) == 2:
		return errorf("ProxyPassReverse can not have a path when defined in a location")
	default:
		return errorf("ProxyPassReverse needs a path when not defined in a location")
	}
	if strings.EqualFold(r.URL, "interpolate") || len(words) > 2 {
		return errorf("ProxyPassReverse: eventmpm does not support the interpolate flag")
	}
	pr := w.proxyConfig()
	pr.Reverses = append(pr.Reverses, r)
	return nil
}

// setProxyPassReverseCookie is ProxyPassReverseCookiePath and
// ProxyPassReverseCookieDomain internal public, in the server config,
// <VirtualHost> and <Location> (where they apply to the whole server, as
// ProxyPassReverse does here).
func setProxyPassReverseCookie(w *walker, c *call) error {
	if _, err := proxySectionPath(w, c); err != nil {
		return err
	}
	if len(c.args) == 3 {
		if !strings.EqualFold(c.args[2], "interpolate") {
			return errorf("%s: third argument must be 'interpolate'", c.d.name)
		}
		return errorf("%s: eventmpm does not support the interpolate flag", c.d.name)
	}
	m := ProxyReverse{Path: c.args[0], URL: c.args[1]}
	pr := w.proxyConfig()
	if strings.EqualFold(c.d.name, "ProxyPassReverseCookiePath") {
		pr.CookiePaths = append(pr.CookiePaths, m)
	} else {
		pr.CookieDomains = append(pr.CookieDomains, m)
	}
	return nil
}

// setProxyFlag is ProxyPreserveHost, ProxyAddHeaders and ProxyRequests.
func setProxyFlag(w *walker, c *call) error {
	on := isOn(c.args[0])
	switch strings.ToLower(c.d.name) {
	case "proxyrequests":
		if on {
			return errorf("ProxyRequests On: eventmpm is a reverse proxy only (ProxyPass); it does not forward requests for other hosts")
		}
	case "proxypreservehost":
		if w.sec != nil {
			w.sec.s.ProxyPreserveHost = &on
			return nil
		}
		w.proxyConfig().PreserveHost = on
		w.srv.mark("ProxyPreserveHost")
	case "proxyaddheaders":
		if w.sec != nil {
			w.sec.s.ProxyAddHeaders = &on
			return nil
		}
		w.proxyConfig().NoAddHeaders = !on
		w.srv.mark("ProxyAddHeaders")
	}
	return nil
}

// setProxyTimeout is ProxyTimeout seconds.
func setProxyTimeout(w *walker, c *call) error {
	n, err := strconv.Atoi(c.args[0])
	if err != nil || n < 1 {
		return errorf("Proxy Timeout must be at least 1 second.")
	}
	w.proxyConfig().Timeout = time.Duration(n) * time.Second
	return nil
}

// proxyConfig is the current server's Proxy, made on first use.
func (w *walker) proxyConfig() *Proxy {
	if w.srv.srv.Proxy == nil {
		w.srv.srv.Proxy = &Proxy{}
	}
	return w.srv.srv.Proxy
}

// finishProxy puts a server's <Location> ProxyPass mappings before its
// own (mod_proxy tries the request's <Location> one first).
func finishProxy(s *serverState) {
	if len(s.locationPasses) == 0 {
		return
	}
	p := s.srv.Proxy
	p.Passes = append(s.locationPasses, p.Passes...)
	s.locationPasses = nil
}

// mergeProxy is a virtual host's mod_proxy configuration over the main
// server's, as merge_proxy_config: the main server's mappings first, then
// the host's; the flags and timeout the host's where it set them.
func mergeProxy(main, host *Proxy, hostSet map[string]bool) *Proxy {
	if host == nil {
		return main
	}
	if main == nil {
		return host
	}
	merged := *host
	merged.Passes = append(append([]ProxyPass(nil), main.Passes...), host.Passes...)
	merged.Reverses = append(append([]ProxyReverse(nil), main.Reverses...), host.Reverses...)
	merged.CookiePaths = append(append([]ProxyReverse(nil), main.CookiePaths...), host.CookiePaths...)
	merged.CookieDomains = append(append([]ProxyReverse(nil), main.CookieDomains...), host.CookieDomains...)
	if !hostSet["ProxyPreserveHost"] {
		merged.PreserveHost = main.PreserveHost
	}
	if !hostSet["ProxyAddHeaders"] {
		merged.NoAddHeaders = main.NoAddHeaders
	}
	if merged.Timeout == 0 {
		merged.Timeout = main.Timeout
	}
	return &merged
}

// String describes a mapping for messages.
func (p *ProxyPass) String() string {
	if p.Exclude {
		return fmt.Sprintf("ProxyPass %s !", p.Path)
	}
	return fmt.Sprintf("ProxyPass %s %s", p.Path, p.URL)
}

// setProxyStatus is ProxyStatus Off|On|Full, which Debian's status.conf
// sets when mod_proxy is loaded: it shows balancers on the status page,
// and eventmpm has none, so On and Full warn that it does nothing.
func setProxyStatus(w *walker, c *call) error {
	switch strings.ToLower(c.args[0]) {
	case "off":
	case "on", "full":
		w.warn(c.pos, "", "ProxyStatus %s has no effect: eventmpm has no balancers to show on the status page", c.args[0])
	default:
		return errorf("ProxyStatus must be one of: off | on | full")
	}
	return nil
}
