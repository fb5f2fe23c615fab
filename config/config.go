package config

import (
	"net/netip"
	"time"
)

// Config is the immutable, typed result of reading an httpd.conf-style
// configuration. Every path in it is absolute (relative paths are taken from
// ServerRoot), every MPM limit is already clamped (SPEC.md 1.3), and it can be
// serialised with encoding/json so that the supervisor hands each child the
// snapshot of its generation instead of letting it re-read files.
//
// Callers must treat a *Config as read-only once Load has returned it.
type Config struct {
	// ServerRoot is the absolute directory relative paths are taken from.
	ServerRoot string
	// File is the absolute path of the main configuration file, or
	// "(built-in default)" when the embedded default was used.
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

	// PidFile is the absolute path of the pid file.
	PidFile string
	// ScoreBoardFile is the absolute path of the scoreboard file (default
	// logs/eventmpm.scoreboard under ServerRoot; eventmpm always uses a file).
	ScoreBoardFile string
	// User and Group are the names (or "#uid"/"#gid") children run as when
	// the server starts as root. Empty means "do not change".
	User, Group string
	// CoreDumpDirectory, when set, is where crashed children dump core.
	CoreDumpDirectory string

	// ErrorLog is the error log target: an absolute path, "|command" for a
	// piped log, or "syslog[:facility]"; default logs/error_log.
	ErrorLog string
	// LogLevel is the error log threshold (Apache names: emerg ... debug,
	// trace1..trace8); default "warn".
	LogLevel string
	// ExtendedStatus turns on the per-request fields of the scoreboard and
	// the extended status figures (on by default, as with mod_status loaded).
	ExtendedStatus bool
	// ServerTokens controls the Server header: "Prod" (eventmpm), "Major",
	// "Minor", "Min", "OS" or "Full" (the default, as in Apache).
	ServerTokens string
	// ServerSignature adds a footer line to generated pages: "Off" (the
	// default), "On" or "EMail".
	ServerSignature string
	// TypesConfig is the mime.types file read at start ("" when none).
	TypesConfig string
	// LogFormats maps a nickname to its format string (LogFormat fmt nick).
	LogFormats map[string]string

	// Server is the main server's settings.
	Server Server
	// VirtualHosts are the <VirtualHost> sections, in order. Each holds a
	// complete Server in which unset values are inherited from the main one.
	VirtualHosts []VirtualHost

	// Warnings are the startup warnings produced while reading (clamps,
	// ignored directives), in order. configtest prints them.
	Warnings []Warning
}

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
	// interface.
	Addr string
	// Proto is the lowercased protocol: "http", or "https" for port 443.
	Proto string
	// Pos is where the directive was written.
	Pos Pos
}

// Server holds the per-server settings that a <VirtualHost> may override.
type Server struct {
	// ServerName is the host name (without scheme or port), Port the port
	// part of ServerName (0 when not given).
	ServerName string
	Port       int
	// ServerAlias lists the extra names of a virtual host.
	ServerAlias []string
	ServerAdmin string
	// DocumentRoot is absolute.
	DocumentRoot string

	Timeout              time.Duration
	KeepAlive            bool
	KeepAliveTimeout     time.Duration
	MaxKeepAliveRequests int

	LimitRequestLine      int
	LimitRequestFieldSize int
	LimitRequestFields    int
	LimitRequestBody      int64

	// RequestReadTimeout is mod_reqtimeout's setting.
	RequestReadTimeout RequestReadTimeout

	// DirectoryIndex lists the index file names; nil when "disabled".
	DirectoryIndex []string
	// AddType maps a lowercased file extension (without the dot) to a
	// media type, on top of TypesConfig.
	AddType map[string]string
	// AddDefaultCharset, when not empty, is added to text/plain and
	// text/html responses.
	AddDefaultCharset string

	// CustomLogs are the access logs of this server.
	CustomLogs []CustomLog

	// Sections are the <Directory>, <DirectoryMatch>, <Location>,
	// <LocationMatch>, <Files> and <FilesMatch> sections, in order.
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
// request headers and one for the body (the TLS handshake stage is parsed and
// has no effect without TLS).
type RequestReadTimeout struct {
	Handshake, Header, Body ReadStage
}

// ReadStage is one stage of RequestReadTimeout: the first deadline Timeout,
// extended by one second per MinRate bytes received, up to Max. A zero
// Timeout turns the stage off.
type ReadStage struct {
	Timeout time.Duration
	Max     time.Duration
	MinRate int
}

// CustomLog is one CustomLog or TransferLog directive.
type CustomLog struct {
	// Target is an absolute path or "|command".
	Target string
	// Format is the format string (a nickname is resolved at load time).
	Format string
	// Env is the optional "env=[!]var" condition, as written ("" if none).
	Env string
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
)

// Section is one <Directory>, <Location> or <Files> section (or the Match
// variants, or a "~" pattern) with the directives eventmpm applies in it.
// Pointer fields are nil when the section does not set them.
type Section struct {
	Kind SectionKind
	// Pattern is the path or wildcard pattern as written (Directory paths
	// made absolute); Regex is set for the Match forms and "~".
	Pattern string
	Regex   bool
	Pos     Pos

	// Options is the effective option set after the section's Options
	// directive (+/- forms applied against the enclosing value).
	Options *Options
	// AllowOverride is always "None": anything else is an error.
	AllowOverride string
	// Handler is the SetHandler value ("server-status", or "" for none).
	Handler string
	// Require is the access rule; nil when the section has none.
	Require *Require
	// DirectoryIndex overrides the server's list when non-nil.
	DirectoryIndex []string
}

// Options is the Options directive's set of flags that eventmpm implements.
type Options struct {
	FollowSymLinks bool
	// SymLinksIfOwnerMatch follows a link only when its owner owns the
	// target too.
	SymLinksIfOwnerMatch bool
	// Indexes turns on directory listings.
	Indexes bool
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
)

// Require is an access rule: a request is granted when any of Rules grants
// it (Apache's implicit <RequireAny>), or, with All set, when every rule does
// (<RequireAll>). A rule with Not set inverts it (Require not ...).
type Require struct {
	All   bool
	Rules []RequireRule
}

// RequireRule is one Require line.
type RequireRule struct {
	Kind RequireKind
	Not  bool
	Nets []netip.Prefix
}

// Pos is a position in a configuration file.
type Pos struct {
	File string
	Line int
}

// Warning is one startup warning. Code is Apache's AH number where Apache has
// one ("AH00513"), or empty. Text is the whole message as Apache prints it at
// first startup ("WARNING: MaxRequestWorkers of 150 is not an integer ...").
type Warning struct {
	Code string
	Text string
	Pos  Pos
}
