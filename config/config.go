package config

import (
	"eventmpm/internal/errorlog"
	"fmt"
	"net/netip"
	"strings"
	"time"

	"eventmpm/config/expr"
)

// Config is the immutable, typed result of reading an httpd.conf-style
// configuration. Every path in it is absolute (relative paths are taken from
// ServerRoot), every MPM limit is already clamped (SPEC.md 1.3), and it can be
// serialised with Marshal so that the supervisor hands each child the
// snapshot of its generation instead of letting it re-read files.
//
// Callers must treat a *Config as read-only once Load has returned it.
type Config struct {
	// ServerRoot is the absolute directory relative paths are taken from.
	ServerRoot string
	// File is the absolute path of the main configuration file, or
	// BuiltinFile when the embedded default was used.
	File string
	// Includes lists every file read, in order (the main file first).
	Includes []string
	// Defines holds the names defined with -D and Define, with their values
	// ("" for a bare -D NAME).
	Defines map[string]string
	// Modules lists the modules named by LoadModule (module identifiers such
	// as "status_module"); every one of them is implemented by eventmpm.
	Modules []string

	// MPM holds the process and thread limits, after clamping.
	MPM MPM
	// Listeners are the Listen directives, in order.
	Listeners []Listener

	// PidFile is the absolute path of the pid file (default
	// logs/eventmpm.pid under ServerRoot).
	PidFile string
	// ScoreBoardFile is the absolute path of the scoreboard file (default
	// eventmpm.scoreboard in DefaultRuntimeDir; eventmpm always uses a file).
	ScoreBoardFile string
	// DefaultRuntimeDir is where runtime files go (default logs/ under
	// ServerRoot). It is not checked at load time: like Debian's apache2ctl,
	// whoever starts the server creates it.
	DefaultRuntimeDir string
	// User and Group are the names (or "#uid"/"#gid") children run as when
	// the server starts as root. Empty means "do not change".
	User, Group string
	// UID and GID are User and Group resolved at load time (AH00543/AH00544
	// when a name does not exist); -1 when unset.
	UID, GID int
	// CoreDumpDirectory, when set, is where crashed children dump core; it
	// exists and is a directory. Empty means unset: Apache then uses
	// ServerRoot and, on Linux, leaves children non-dumpable after setuid.
	CoreDumpDirectory string

	// ErrorLog is the main server's error log target: an absolute path,
	// "|command" for a piped log, or "syslog[:facility]"; default
	// logs/error_log.
	ErrorLog string
	// ProxyProtocolExceptions are mod_remoteip's
	// RemoteIPProxyProtocolExceptions: peers that may connect without a
	// PROXY header where RemoteIPProxyProtocol is on.
	ProxyProtocolExceptions []netip.Prefix `json:",omitempty"`
	// LogLevel is the main server's error log threshold (Apache names:
	// emerg ... debug, trace1..trace8), then any per-module levels
	// ("info remoteip:debug"); default "warn".
	LogLevel string
	// AcceptFilters maps a protocol ("http", "https") to its accept
	// filter: "data" (Linux TCP_DEFER_ACCEPT: a connection reaches a child
	// only once its request has started to arrive; Apache's default on
	// Linux) or "none".
	AcceptFilters map[string]string
	// ExtendedStatus turns on the per-request fields of the scoreboard and
	// the extended status figures (on by default, as with mod_status loaded).
	ExtendedStatus bool
	// SeeRequestTail makes the scoreboard's request field (the request
	// line /server-status shows with ExtendedStatus) keep the last 63
	// bytes of a longer request line instead of the first 63 (core's
	// SeeRequestTail; default Off). Long query strings differ at their
	// end, which the head would cut off.
	SeeRequestTail bool
	// ServerTokens controls the Server header: "Prod" (eventmpm), "Major",
	// "Minor", "Min", "OS" or "Full" (the default, as in Apache).
	ServerTokens string
	// ServerSignature is the main server's footer setting for generated
	// pages: "Off" (the default), "On" or "EMail".
	ServerSignature string
	// TypesConfig is the mime.types file read at start ("" when none; the
	// default is /etc/mime.types when that file exists).
	TypesConfig string
	// LogFormats maps a nickname to its format string (LogFormat fmt nick).
	LogFormats map[string]string
	// DefaultLogFormat is the format TransferLog uses: the last LogFormat
	// given without a nickname, or Common Log Format.
	DefaultLogFormat string

	// Server is the main server's settings.
	Server Server
	// VirtualHosts are the <VirtualHost> sections, in order. Each holds a
	// complete Server in which unset values are inherited from the main one.
	VirtualHosts []VirtualHost

	// Warnings are the startup warnings produced while reading (clamps,
	// ignored directives), in order. configtest prints them.
	Warnings []Warning
}

// BuiltinFile is Config.File when Load used the embedded default
// configuration because conf/eventmpm.conf does not exist.
const BuiltinFile = "(built-in default)"

// MPM holds the event MPM's limits (SPEC.md 1.2), already clamped in the
// order of SPEC.md 1.3 with eventmpm's "clamp both" difference (SPEC.md 0).
type MPM struct {
	StartServers           int
	MinSpareThreads        int
	MaxSpareThreads        int
	ThreadsPerChild        int
	ThreadLimit            int
	ServerLimit            int
	MaxRequestWorkers      int
	MaxConnectionsPerChild int
	// ActiveDaemonsLimit is MaxRequestWorkers / ThreadsPerChild: how many
	// children may be active (not stopping) at once.
	ActiveDaemonsLimit int
	// AsyncRequestWorkerFactor is used as the real number (SPEC.md 0).
	AsyncRequestWorkerFactor float64
	// GracefulShutdownTimeout bounds a graceful stop; 0 waits forever.
	GracefulShutdownTimeout time.Duration
	// GracefulRestartTimeout bounds how long old-generation children may
	// drain after a graceful restart; 0 waits forever (eventmpm addition).
	GracefulRestartTimeout time.Duration
	// ListenBacklog is passed to listen(2); default 511.
	ListenBacklog int
	// SendBufferSize and ReceiveBufferSize set SO_SNDBUF/SO_RCVBUF on the
	// listeners (and so on accepted sockets); 0 keeps the OS default.
	SendBufferSize    int
	ReceiveBufferSize int
}

// Listener is one Listen directive.
type Listener struct {
	// Addr is "host:port" ("[v6]:port"); an empty host means every
	// interface. A host name is kept as written and resolved when binding.
	Addr string
	// Proto is the lowercased protocol: "http", or "https" for port 443.
	Proto string
	// Pos is where the directive was written.
	Pos Pos
}

// Server holds the per-server settings that a <VirtualHost> may override.
type Server struct {
	// ServerName is the host name (without scheme or port), Port the port
	// part of ServerName (0 when not given) and Scheme its lowercased scheme
	// ("" when not given).
	ServerName string
	Port       int
	Scheme     string
	// ServerAlias lists the extra names of a virtual host (wildcards
	// allowed, as in Apache).
	ServerAlias []string
	ServerAdmin string
	// DocumentRoot is absolute.
	DocumentRoot string
	// ErrorLog, LogLevel and ServerSignature are this server's values; for
	// the main server they equal Config.ErrorLog, Config.LogLevel and
	// Config.ServerSignature.
	ErrorLog        string
	LogLevel        string
	ServerSignature string
	// ErrorLogPos is where ErrorLog was set (zero when inherited or the
	// default), for messages about the target.
	ErrorLogPos Pos
	// ErrorLogFormat holds the ErrorLogFormat lines; each of its three
	// parts a virtual host does not set is the main server's.
	ErrorLogFormat errorlog.FormatSpec

	Timeout              time.Duration
	KeepAlive            bool
	KeepAliveTimeout     time.Duration
	MaxKeepAliveRequests int

	LimitRequestLine      int
	LimitRequestFieldSize int
	LimitRequestFields    int
	LimitRequestBody      int64

	// MaxRanges is core's MaxRanges for the server: the most range-specs a
	// Range header may list before the whole file is sent. 0 is Apache's
	// default (200), MaxRangesNone ignores Range ("Accept-Ranges: none"),
	// math.MaxInt is unlimited.
	MaxRanges int `json:",omitempty"`

	// RequestReadTimeout is mod_reqtimeout's setting.
	RequestReadTimeout RequestReadTimeout

	// Options is the server-wide Options value that sections start from
	// (Apache 2.4's default: FollowSymLinks).
	Options OptionFlags
	// AccessFileNames are AccessFileName's names (default .htaccess):
	// the per-directory files the child reads where AllowOverride (or
	// AllowOverrideList) allows something (ParseAccessFile), the first
	// found in each directory.
	AccessFileNames []string
	// DirectoryIndex lists the index file names; nil when "disabled".
	DirectoryIndex []string
	// CGIExts are the extensions AddHandler cgi-script names (lowercase,
	// without the dot), at server level.
	CGIExts map[string]bool `json:",omitempty"`
	// AddType maps a lowercased file extension (without the dot) to a
	// media type, on top of TypesConfig.
	AddType map[string]string
	// AddLanguage and AddCharset map a lowercased extension to the
	// language (Content-Language) and charset (a Content-Type parameter)
	// of files that have it (mod_mime).
	AddLanguage map[string]string
	AddCharset  map[string]string
	// AddEncoding maps a lowercased extension to the content coding
	// (Content-Encoding) of files that have it: "AddEncoding gzip svgz"
	// serves a.svgz as gzip-coded SVG (mod_mime).
	AddEncoding map[string]string `json:",omitempty"`
	// RemoveExts are a virtual host's RemoveLanguage, RemoveCharset and
	// RemoveEncoding extensions, by map ("language", "charset",
	// "encoding"): taken out of the merged maps above, the main server's
	// settings and the host's own.
	RemoveExts map[string][]string `json:",omitempty"`
	// RemoveType lists the extensions that have no media type (mod_mime's
	// RemoveType): neither AddType's nor TypesConfig's applies.
	RemoveType []string
	// AddDefaultCharset, when not empty, is added to text/plain and
	// text/html responses.
	AddDefaultCharset string
	// StrictHostCheck is core's StrictHostCheck: a request whose Host
	// names none of the names of the server chosen for it gets 400. The
	// connection's default server's setting decides (a virtual host
	// inherits the main server's).
	StrictHostCheck bool `json:",omitempty"`
	// DefaultLanguage is mod_mime's DefaultLanguage: the Content-Language
	// of files whose extensions name no language, "" for none.
	DefaultLanguage string `json:",omitempty"`

	// CustomLogs are the access logs of this server.
	CustomLogs []CustomLog

	// Aliases are the Alias directives (mod_alias) that apply to this
	// server, in the order they are tried: a virtual host's own first, then
	// the main server's, as Apache's merge_alias_config appends them. The
	// first whose URL matches a request's path (Alias.Match) maps it into
	// the file system instead of DocumentRoot.
	Aliases []Alias
	// Redirects are mod_alias's Redirect* directives in file order; a
	// virtual host's own come first, then the main server's, as Apache
	// merges them.
	Redirects []Redirect
	// ErrorDocuments maps a status (4xx, 5xx) to its ErrorDocument; a
	// virtual host's own replace the main server's code by code.
	ErrorDocuments map[int]ErrorDocument
	// Headers are the server-level Header directives in the order they
	// apply: a virtual host's come after the main server's. Sections have
	// their own (Section.Headers), which apply after these.
	Headers []HeaderOp
	// Expires is mod_expires' server-level configuration; a virtual
	// host's is merged over the main server's.
	Expires Expires
	// SetEnvIf are mod_setenvif's directives in the order they apply: the
	// main server's, then a virtual host's own.
	SetEnvIf []SetEnvIf
	// Autoindex is mod_autoindex's server-level configuration; a virtual
	// host's is merged over the main server's.
	Autoindex Autoindex
	// Deflate is mod_deflate's configuration; a virtual host adds its
	// types to the main server's.
	Deflate Deflate
	// Env is mod_env's SetEnv, UnsetEnv and PassEnv in the order they
	// apply: the main server's, then a virtual host's own.
	Env []EnvSetting
	// ForceType is core's ForceType: the media type of every file, or ""
	// for none (lowercased, as Apache keeps it).
	ForceType string `json:",omitempty"`
	// OutputFilters are the server's SetOutputFilter, AddOutputFilter and
	// RemoveOutputFilter; a virtual host's SetOutputFilter replaces the
	// main server's, its extensions apply after the main server's.
	OutputFilters OutputFilters `json:",omitzero"`
	// FallbackResource is mod_dir's FallbackResource: the URL-path served
	// for a request whose file does not exist, or "" for none.
	FallbackResource string `json:",omitempty"`
	// NoSendfile is EnableSendfile Off: the body of a file the child does
	// not keep in memory is read and written, not sent with sendfile(2).
	NoSendfile bool `json:",omitempty"`
	// Negotiation is the server's MultiViews settings (LanguagePriority,
	// ForceLanguagePriority, MultiviewsMatch), which <Directory> sections
	// override.
	Negotiation Negotiation `json:",omitzero"`
	// FileETag is the server's FileETag (a virtual host's applied over the
	// main server's), or nil for Apache's default, MTime Size.
	FileETag *FileETag `json:",omitempty"`
	// Speling is the server's CheckSpelling and its companions (a virtual
	// host's own when it sets any, else the main server's), or nil.
	Speling *Speling `json:",omitempty"`
	// UserDir is mod_userdir's configuration (a virtual host's merged
	// over the main server's, see mergeUserDir), nil without UserDir.
	UserDir *UserDir `json:",omitempty"`
	// VirtualDocumentRoot is mod_vhost_alias's per-request DocumentRoot
	// (a virtual host's own, else the main server's), nil without it.
	VirtualDocumentRoot *VhostAlias `json:",omitempty"`
	// Proxy is mod_proxy's reverse-proxy configuration (a virtual host's
	// merged over the main server's, see mergeProxy), nil without it.
	Proxy *Proxy `json:",omitempty"`
	// RequestHeaders are the server's RequestHeader operations on the
	// request's fields (the main server's, then a virtual host's own).
	RequestHeaders []HeaderOp `json:",omitempty"`
	// RemoteIP is mod_remoteip's configuration, nil when none of its
	// directives is used.
	RemoteIP *RemoteIP `json:",omitempty"`
	// Rewrite is mod_rewrite's per-server configuration, nil when none of
	// its directives is used; a virtual host has only its own (rewrite.go).
	Rewrite *Rewrite `json:",omitempty"`
	// RewriteMaps are mod_rewrite's maps by name (a virtual host's
	// include the main server's).
	RewriteMaps map[string]RewriteMap `json:",omitempty"`
	// SSL is the server's mod_ssl configuration; nil when SSLEngine is
	// not on (or ssl_module is not loaded).
	SSL *SSL `json:",omitempty"`
	// SSLProxy is the server's mod_ssl settings for https:// backends;
	// nil when it has none.
	SSLProxy *SSLProxy `json:",omitempty"`

	// Sections are the <Directory>, <DirectoryMatch>, <Location>,
	// <LocationMatch>, <Files> and <FilesMatch> sections, in order. A
	// virtual host's list starts with the main server's sections, as
	// Apache merges them.
	Sections []Section
}

// VirtualHost is one <VirtualHost addr...> section.
type VirtualHost struct {
	// Addrs are the addresses of the section header ("*:80", "1.2.3.4:8080").
	Addrs []string
	// Server holds the settings; values not set in the section are inherited
	// from the main server.
	Server Server
	// Pos is where the section starts.
	Pos Pos
}

// RequestReadTimeout is mod_reqtimeout's configuration: one stage for the
// TLS handshake (its Timeout, or Max when larger, bounds a handshake; else
// the server's Timeout does), one for the request headers and one for the
// body.
type RequestReadTimeout struct {
	Handshake, Header, Body ReadStage
}

// ReadStage is one stage of RequestReadTimeout: the first deadline Timeout,
// extended by one second per MinRate bytes received, up to Max (0: no upper
// bound). A zero Timeout turns the stage off.
type ReadStage struct {
	Timeout time.Duration
	Max     time.Duration
	MinRate int
}

// CustomLog is one CustomLog or TransferLog directive.
type CustomLog struct {
	// Target is an absolute path or "|command" (kept as written).
	Target string
	// Format is the format string (a nickname is resolved at load time).
	Format string
	// Env is the optional "env=[!]var" condition, as written ("" if none):
	// the request is logged when SetEnvIf or BrowserMatch set var (or, with
	// "!", did not).
	Env string
	// Expr is the optional "expr=..." condition: the request is logged
	// when the expression holds, evaluated once the response is sent.
	Expr *expr.Expr `json:",omitempty"`
	Pos  Pos
}

// Alias is one "Alias URL-path file-path" directive (mod_alias): a request
// whose URL path Match accepts is served from Path plus the rest of its
// URL path. The <Directory> sections that apply to it are those of that
// file-system path; <Location> sections still match the URL path.
type Alias struct {
	// URL is the URL-path as written; it begins with '/'. A trailing
	// slash makes the alias match only below it: "Alias /icons/ ..." maps
	// "/icons/a.png" but not "/icons", as in Apache. For AliasMatch it is
	// the regular expression (package internal/regex), matched against the decoded path.
	URL string
	// Path is the absolute, cleaned file or directory the URL-path maps to
	// (a relative one is taken from ServerRoot, as ap_server_root_relative
	// does). It is never "/". For AliasMatch it is the file-path as
	// written, with $0 to $9 for the submatches; a result that is not
	// absolute is taken from ServerRoot.
	Path string
	// Regex marks an AliasMatch.
	Regex bool `json:",omitempty"`
	// CGI marks a ScriptAlias or ScriptAliasMatch: its files are CGI
	// scripts, run whatever the directory's Options say.
	CGI bool `json:",omitempty"`
	Pos Pos
}

// SectionKind tells what a Section matches on.
type SectionKind int

// Section kinds. Directory sections match the file system path, Location
// sections the URL path, Files sections the last path element.
const (
	SectionDirectory SectionKind = iota
	SectionLocation
	SectionFiles
	// SectionIf is an <If>, <ElseIf> or <Else> section (ifsection.go).
	SectionIf
)

// String returns the section's directive name without the Match suffix.
func (k SectionKind) String() string {
	switch k {
	case SectionDirectory:
		return "Directory"
	case SectionLocation:
		return "Location"
	case SectionFiles:
		return "Files"
	case SectionIf:
		return "If"
	}
	return "SectionKind(?)"
}

// Section is one <Directory>, <Location> or <Files> section (or the Match
// variants, or a "~" pattern) with the directives eventmpm applies in it.
// Pointer fields are nil when the section does not set them.
type Section struct {
	Kind SectionKind
	// Pattern is the path or wildcard pattern as written (Directory paths
	// made absolute relative to ServerRoot, with a trailing slash as Apache
	// adds); Regex is set for the Match forms and "~".
	Pattern string
	Regex   bool
	Pos     Pos
	// If tells an <If> from an <ElseIf> and an <Else> (Kind SectionIf);
	// Condition is the expression of an <If> or <ElseIf>, as written
	// (package expr reads it).
	If        IfKind `json:",omitempty"`
	Condition string `json:",omitempty"`
	// Ifs are the <If>, <ElseIf> and <Else> sections inside this one, in
	// file order: they apply only when this section does.
	Ifs []Section `json:",omitempty"`
	// Files are the <Files> and <FilesMatch> sections inside a <Directory>
	// section (or an AccessFileName file), in file order: they apply to
	// the files below it, after the server's own <Files> sections.
	Files []Section `json:",omitempty"`

	// Options is the option set after the section's Options directives.
	// When they were all +/- forms (OptionsDelta set) it is only what they
	// give over the server's Options as read so far; what applies to a
	// request is MergeOptions over the enclosing sections.
	Options *OptionFlags
	// OptionsDelta is set when the section's Options were all +/- forms:
	// Apache applies them at request time over whatever the enclosing
	// sections produced (see MergeOptions).
	OptionsDelta *OptionsDelta
	// DeflateTypes are the media types the section's AddOutputFilterByType
	// DEFLATE adds to the server's (<Directory> only).
	DeflateTypes []string `json:",omitempty"`
	// ServerSignature is the section's ServerSignature ("Off", "On" or
	// "EMail"), or nil: the footer of the pages generated for a request
	// it applies to.
	ServerSignature *string `json:",omitempty"`
	// MIME is the section's mod_mime directives and AddDefaultCharset
	// (<Directory> only), or nil.
	MIME *DirMIME `json:",omitempty"`
	// AllowOverride is "None", "All", or the override classes as written
	// (AuthConfig FileInfo ...); "" when the section does not set it.
	// AllowOverrideList are AllowOverrideList's directive names (empty
	// non-nil for None; nil when not set). ParseOverrides reads both: what
	// the AccessFileName files of the section's directories may set.
	AllowOverride     string
	AllowOverrideList []string `json:",omitempty"`
	// Handler is the SetHandler value ("server-status", "metrics", or ""
	// for none).
	Handler string
	// HandlerSet is true when the section has a SetHandler, so that its
	// Handler overrides an enclosing section's even when it is "" (SetHandler
	// none or default-handler).
	HandlerSet bool
	// AllowMethods is mod_allowmethods' list of the methods the section
	// allows (HEAD stands for GET and GET for HEAD); AllowMethodsSet is
	// true when the section has the directive, the list empty for "reset"
	// (no restriction).
	AllowMethods    []string `json:",omitempty"`
	AllowMethodsSet bool     `json:",omitempty"`
	// Require is the access rule; nil when the section has none.
	Require *Require
	// DirectoryIndex overrides the server's list when non-nil; an empty
	// non-nil list means "disabled".
	DirectoryIndex []string
	// LimitRequestBody overrides the server's limit when non-nil.
	LimitRequestBody *int64
	// ProxyPreserveHost and ProxyAddHeaders in the section (nil: not
	// set), over the server's for a proxied request it matches.
	ProxyPreserveHost *bool `json:",omitempty"`
	ProxyAddHeaders   *bool `json:",omitempty"`
	// CGIPassAuth On in the section (nil: not set): the Authorization
	// and Proxy-Authorization fields reach a FastCGI application.
	CGIPassAuth *bool `json:",omitempty"`
	// SSLOptions is the section's SSLOptions line, nil when it has none.
	SSLOptions *SSLOptions `json:",omitempty"`
	// Headers are the section's Header directives, in order.
	Headers []HeaderOp
	// RequestHeaders are the section's RequestHeader directives, in
	// order: applied in the fixups, after the server's.
	RequestHeaders []HeaderOp `json:",omitempty"`
	// Expires is the section's mod_expires configuration.
	Expires Expires
	// Autoindex is the section's mod_autoindex configuration.
	Autoindex Autoindex
	// AuthType ("Basic" or "None"), AuthName and AuthUserFile (absolute)
	// are the section's authentication settings; "" when not set here.
	AuthType     string `json:",omitempty"`
	AuthName     string `json:",omitempty"`
	AuthUserFile string `json:",omitempty"`
	// AuthGroupFile (absolute) is mod_authz_groupfile's group file for
	// Require group; "" when not set here.
	AuthGroupFile string `json:",omitempty"`
	// Compat is the section's Order, Allow, Deny and Satisfy; nil when it
	// has none of them.
	Compat *AccessCompat `json:",omitempty"`
	// Redirects are the section's Redirect* directives with a URL-path or
	// a pattern, in file order; WholeRedirect is its short-form one ("Redirect
	// permanent http://x/"), or nil. Apache tries a section's redirects
	// after the access checks, the short form first, those of the
	// sections merged later before those merged earlier.
	Redirects     []Redirect `json:",omitempty"`
	WholeRedirect *Redirect  `json:",omitempty"`
	// ForceType is the section's ForceType when set (<Directory> and
	// <Files> only): a media type, or "" for None.
	ForceType *string `json:",omitempty"`
	// SetEnvIf are the section's SetEnvIf and BrowserMatch directives:
	// run after the server's, once the sections are known and before the
	// access checks (mod_setenvif's header_parser hook), those of the
	// sections merged earlier first.
	SetEnvIf []SetEnvIf `json:",omitempty"`
	// OutputFilters are the section's SetOutputFilter, AddOutputFilter and
	// RemoveOutputFilter (<Directory> and <Files> only).
	OutputFilters OutputFilters `json:",omitzero"`
	// FallbackResource is the section's FallbackResource when set:
	// a URL-path, or "" for "disabled".
	FallbackResource *string `json:",omitempty"`
	// EnableSendfile is the section's EnableSendfile (<Directory> only),
	// or nil.
	EnableSendfile *bool `json:",omitempty"`
	// Negotiation is the section's MultiViews settings (<Directory> only).
	Negotiation Negotiation `json:",omitzero"`
	// FileETag is the section's FileETag (<Directory> only), or nil.
	FileETag *FileETag `json:",omitempty"`
	// Env is the section's SetEnv, UnsetEnv and PassEnv in order: applied
	// after the server's and earlier sections' (see Server.Env).
	Env []EnvSetting `json:",omitempty"`
	// Rewrite is a <Directory> section's mod_rewrite configuration
	// (per-directory rewriting), or nil.
	Rewrite *Rewrite `json:",omitempty"`
	// ErrorDocuments are the section's ErrorDocument directives by status:
	// they override the server's and earlier sections' for their codes.
	ErrorDocuments map[int]ErrorDocument `json:",omitempty"`
	// Speling is mod_speling's CheckSpelling and its companions, nil when
	// the section sets none of them.
	Speling *Speling `json:",omitempty"`
}

// MergeOptions returns the Options in effect inside s when base is what
// the server and the enclosing sections produced, as Apache's
// merge_core_dir_configs merges them: a section whose Options were all +/-
// forms switches its flags on and off in base, one with an absolute
// Options replaces base, and one without Options keeps it.
func (s *Section) MergeOptions(base OptionFlags) OptionFlags {
	switch {
	case s.OptionsDelta != nil:
		return s.OptionsDelta.apply(base)
	case s.Options != nil:
		return *s.Options
	}
	return base
}

// OptionFlags is the Options directive's set of flags that eventmpm
// implements. (The name Options is taken by Load's options.)
type OptionFlags struct {
	FollowSymLinks bool
	// SymLinksIfOwnerMatch follows a link only when its owner owns the
	// target too.
	SymLinksIfOwnerMatch bool
	// Indexes turns on directory listings.
	Indexes bool
	// MultiViews answers a request for a missing name with the best of
	// its variants, name.ext... (content negotiation).
	MultiViews bool
	// ExecCGI lets SetHandler cgi-script run the directory's files (taken
	// only with mod_cgi or mod_cgid loaded).
	ExecCGI bool `json:",omitempty"`
}

// OptionsDelta is a relative Options directive ("+Indexes -FollowSymLinks"):
// the flags set in Add are switched on and those in Remove off.
type OptionsDelta struct {
	Add, Remove OptionFlags
}

// RequireKind is the kind of one Require rule.
type RequireKind int

// Require rule kinds (mod_authz_core and mod_authz_host).
const (
	RequireAllGranted RequireKind = iota
	RequireAllDenied
	// RequireLocal grants loopback clients and clients whose address is the
	// server's own (Require local).
	RequireLocal
	// RequireIP grants clients inside one of Nets (Require ip).
	RequireIP
	// RequireValidUser grants any authenticated user (Require valid-user,
	// mod_authz_user).
	RequireValidUser
	// RequireUser grants the authenticated users named in Names (Require
	// user).
	RequireUser
	// RequireEnv grants requests for which SetEnvIf set one of the
	// variables in Names (Require env, mod_authz_host).
	RequireEnv
	// RequireExpr grants requests for which Expr holds (Require expr,
	// mod_authz_core).
	RequireExpr
	// RequireGroup grants an authenticated user in one of the groups in
	// Names of the AuthGroupFile (Require group, mod_authz_groupfile).
	RequireGroup
	// RequireMethod grants requests whose method is one of Names (Require
	// method, mod_authz_core; HEAD counts as GET).
	RequireMethod
)

// String returns the rule kind as written after Require.
func (k RequireKind) String() string {
	switch k {
	case RequireAllGranted:
		return "all granted"
	case RequireAllDenied:
		return "all denied"
	case RequireLocal:
		return "local"
	case RequireIP:
		return "ip"
	case RequireValidUser:
		return "valid-user"
	case RequireUser:
		return "user"
	case RequireEnv:
		return "env"
	case RequireExpr:
		return "expr"
	case RequireGroup:
		return "group"
	case RequireMethod:
		return "method"
	}
	return "RequireKind(?)"
}

// Require is an access rule: a request is granted when any of Rules grants
// it (Apache's implicit <RequireAny>), or, with All set, when every rule does
// (<RequireAll>). A rule with Not set inverts it (Require not ...), which
// Apache allows only inside <RequireAll>.
type Require struct {
	All   bool
	Rules []RequireRule
}

// RequireRule is one Require line.
type RequireRule struct {
	Kind RequireKind
	Not  bool
	Nets []netip.Prefix
	// Names are Require user's users or Require env's variables.
	Names []string `json:",omitempty"`
	// Methods are the methods of the enclosing <Limit> or <LimitExcept>
	// (nil outside them): for other methods the rule neither grants nor
	// denies.
	Methods *MethodSet `json:",omitempty"`
	// Expr is Require expr's expression (RequireExpr).
	Expr *expr.Expr `json:",omitempty"`
}

// Pos is a position in a configuration file.
type Pos struct {
	File string
	Line int
}

// Warning is one startup warning. Code is Apache's AH number where Apache has
// one ("AH00513"), or empty. Text is the whole message as Apache prints it at
// first startup ("WARNING: MaxRequestWorkers of 150 is not an integer ..."),
// or in its restart wording when Options.Previous was set. Pos is the
// directive the warning is about, when there is one.
type Warning struct {
	Code string
	Text string
	Pos  Pos
}

// String formats the warning as Apache logs it: "AH00513: WARNING: ...".
func (w Warning) String() string {
	if w.Code == "" {
		return w.Text
	}
	return w.Code + ": " + w.Text
}

// Located is String prefixed with the file and line of the directive the
// warning is about ("conf/eventmpm.conf:12: ..."), when it has one, so an
// operator can find what to change.
func (w Warning) Located() string {
	if w.Pos.File == "" {
		return w.String()
	}
	return fmt.Sprintf("%s:%d: %s", w.Pos.File, w.Pos.Line, w.String())
}

// EnvCondition returns the variable of the log's env= condition and
// whether it is negated ("env=!var"); name is "" without a condition.
func (l CustomLog) EnvCondition() (name string, negated bool) {
	if l.Env == "" {
		return "", false
	}
	v := l.Env[len("env="):]
	return strings.TrimPrefix(v, "!"), strings.HasPrefix(v, "!")
}
