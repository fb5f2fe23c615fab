package config

import (
	_ "embed"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"strings"
	"time"
	"unicode/utf8"
)

// Options are Load's inputs: httpd's command-line flags and the process
// environment, injectable for tests.
type Options struct {
	// ServerRoot is -d; "" means the current directory. Made absolute.
	ServerRoot string
	// File is -f, relative to ServerRoot. "" means conf/eventmpm.conf under
	// ServerRoot and, when that file does not exist, the built-in default
	// (a copy of testdata/conf/eventmpm.conf).
	File string
	// Defines are the -D names (NAME, or NAME=VALUE to define a variable).
	Defines []string
	// Before and After are -C and -c directives, applied before and after
	// the file, one directive per string.
	Before, After []string
	// SkipDocumentRootCheck is -T: the main server's DocumentRoot need not
	// exist.
	SkipDocumentRootCheck bool
	// LookupEnv resolves ${VAR} not set by Define; nil means os.LookupEnv.
	LookupEnv func(string) (string, bool)
	// Hostname names the server when no ServerName is set (AH00558); nil
	// means os.Hostname.
	Hostname func() (string, error)
	// LookupHost resolves a <VirtualHost> address given as a host name to
	// its IP addresses, as Apache does at startup; nil means the system's
	// resolver (with a 10 s bound).
	LookupHost func(host string) ([]string, error)
	// LookupUser and LookupGroup resolve User and Group names to ids; nil
	// means the system's user database (os/user).
	LookupUser, LookupGroup func(name string) (int, error)
	// Previous is the running generation's configuration on a restart: it
	// keeps ServerLimit and ThreadLimit (AH00501/AH00506), and the clamp
	// warnings use Apache's restart wording.
	Previous *Config
}

// cmdLineFile is the file name Apache gives to -C/-c directives.
const cmdLineFile = "-c/-C directives"

// defaultConfigFile is the -f default, relative to ServerRoot.
const defaultConfigFile = "conf/eventmpm.conf"

// defaultConf is the built-in configuration, a copy of
// testdata/conf/eventmpm.conf (a test keeps them identical).
//
//go:embed default.conf
var defaultConf string

// loader holds what both passes share.
type loader struct {
	opts       Options
	cfg        *Config
	vars       map[string]string // Define'd and -D NAME=VALUE variables
	lookupEnv  func(string) (string, bool)
	noInclude  bool              // set by the fuzz test: Include would read the whole disk
	macros     map[string]*macro // mod_macro's definitions, by lowercased name
	macroLines int               // lines Use has added (maxMacroLines)
	expanded   int               // bytes produced by ${VAR} expansion so far (maxExpansion)
}

// Load reads the configuration the options name and returns it checked,
// clamped and with every relative path made absolute. A syntax error is an
// *Error; no Listen at all is ErrNoListeners.
func Load(opts Options) (*Config, error) {
	l, err := newLoader(opts)
	if err != nil {
		return nil, err
	}
	return l.load(func(r *reader) ([]*node, error) { return l.readMain(r) })
}

// load runs both passes over what readMain returns, then the checks of the
// whole configuration.
func (l *loader) load(readMain func(*reader) ([]*node, error)) (cfg *Config, err error) {
	defer func() {
		var ce *Error
		if errors.As(err, &ce) && ce.Warnings == nil {
			ce.Warnings = l.cfg.Warnings
		}
	}()
	r := &reader{l: l}
	nodes, err := l.readAll(r, readMain)
	if err != nil {
		return nil, err
	}
	l.setDefaults()
	w := newWalker(l)
	if err := w.walk(nodes, scope{}); err != nil {
		return nil, err
	}
	if err := w.finish(); err != nil {
		return nil, err
	}
	return l.cfg, nil
}

func newLoader(opts Options) (*loader, error) {
	if err := checkUTF8(opts); err != nil {
		return nil, err
	}
	root := opts.ServerRoot
	if root == "" {
		root = "."
	}
	root, err := filepath.Abs(root)
	if err != nil {
		return nil, fmt.Errorf("config: ServerRoot %q: %w", opts.ServerRoot, err)
	}
	l := &loader{
		opts:      opts,
		cfg:       &Config{ServerRoot: root, Defines: map[string]string{}},
		vars:      map[string]string{},
		lookupEnv: opts.LookupEnv,
	}
	if l.lookupEnv == nil {
		l.lookupEnv = os.LookupEnv
	}
	for _, d := range opts.Defines {
		name, value, hasValue := strings.Cut(d, "=")
		l.cfg.Defines[name] = value
		if hasValue {
			l.vars[name] = value
		}
	}
	return l, nil
}

// checkUTF8 refuses command-line text that is not UTF-8. Every string of a
// Config must be, so that its JSON snapshot is exact (encoding/json would
// replace invalid bytes).
func checkUTF8(opts Options) error {
	all := append([]string{opts.ServerRoot, opts.File}, opts.Defines...)
	all = append(append(all, opts.Before...), opts.After...)
	for _, s := range all {
		if !utf8.ValidString(s) {
			return fmt.Errorf("config: %q is not valid UTF-8", s)
		}
	}
	return nil
}

// readAll reads -C directives, the main file, then -c directives, in the
// order Apache builds its tree.
func (l *loader) readAll(r *reader, readMain func(*reader) ([]*node, error)) ([]*node, error) {
	nodes, err := l.readParts(r, readMain)
	return nodes, readError(err)
}

// readParts is readAll before its errors are marked as the read phase's.
func (l *loader) readParts(r *reader, readMain func(*reader) ([]*node, error)) ([]*node, error) {
	var all []*node
	if len(l.opts.Before) > 0 {
		nodes, err := r.readData(cmdLineFile, strings.Join(l.opts.Before, "\n"), scope{})
		if err != nil {
			return nil, err
		}
		all = append(all, nodes...)
	}
	nodes, err := readMain(r)
	if err != nil {
		return nil, err
	}
	all = append(all, nodes...)
	if len(l.opts.After) > 0 {
		nodes, err := r.readData(cmdLineFile, strings.Join(l.opts.After, "\n"), scope{})
		if err != nil {
			return nil, err
		}
		all = append(all, nodes...)
	}
	l.cfg.Includes = withoutCmdLine(l.cfg.Includes)
	return all, nil
}

// readMain reads the -f file, or the built-in default when no -f was given
// and conf/eventmpm.conf does not exist.
func (l *loader) readMain(r *reader) ([]*node, error) {
	file := l.opts.File
	if file == "" {
		file = defaultConfigFile
		path := l.rootRelative(file)
		if _, err := os.Stat(path); errors.Is(err, fs.ErrNotExist) {
			l.cfg.File = BuiltinFile
			return r.readData(BuiltinFile, defaultConf, scope{})
		}
	}
	path := l.rootRelative(file)
	l.cfg.File = path
	data, err := readConfigFile(path)
	if err != nil {
		return nil, err // not an *Error: there is no line to point at
	}
	return r.readData(path, data, scope{})
}

func withoutCmdLine(files []string) []string {
	out := files[:0]
	for _, f := range files {
		if f != cmdLineFile {
			out = append(out, f)
		}
	}
	return out
}

// maxExpansion bounds the bytes ${VAR} expansion may produce over a whole
// configuration. Each Define may double the one before it ("Define B
// ${A}${A}"), so thirty lines would otherwise need gigabytes; Apache has
// no such bound. Real configurations expand to a few kilobytes.
const maxExpansion = 16 << 20

// expand is ${VAR} expansion with AH00111 for an undefined name. A line
// that would take the configuration's expansions past maxExpansion is an
// error.
func (l *loader) expand(text string, pos Pos) (string, error) {
	out, ok := resolveEnv(text, l.lookupVar, func(name string) {
		l.warn(pos, "AH00111", "Config variable ${%s} is not defined", name)
	}, maxExpansion-l.expanded)
	if !ok {
		return "", errAt(pos, "${VAR} expansion makes the configuration larger than %d MiB; does a Define double another?", maxExpansion>>20)
	}
	if out != text {
		l.expanded += len(out)
	}
	return out, nil
}

// lookupVar finds a Define'd variable first, then the environment, as
// ap_resolve_env does.
func (l *loader) lookupVar(name string) (string, bool) {
	if v, ok := l.vars[name]; ok {
		return v, true
	}
	return l.lookupEnv(name)
}

// warn records a startup warning.
func (l *loader) warn(pos Pos, code, format string, args ...any) {
	l.cfg.Warnings = append(l.cfg.Warnings, Warning{Code: code, Text: fmt.Sprintf(format, args...), Pos: pos})
}

// rootRelative makes a path absolute, relative to ServerRoot, as
// ap_server_root_relative does.
func (l *loader) rootRelative(path string) string {
	if filepath.IsAbs(path) {
		return filepath.Clean(path)
	}
	return filepath.Join(l.cfg.ServerRoot, path)
}

// Apache's defaults for the main server and the MPM (SPEC.md 1.2, 1.4).
const (
	defaultMaxRequestBody = 1 << 30
	commonLogFormat       = `%h %l %u %t "%r" %>s %b`
	defaultMimeTypes      = "/etc/mime.types"
)

// setDefaults fills the defaults once ServerRoot is final (after the first
// pass, which runs ServerRoot directives).
func (l *loader) setDefaults() {
	c := l.cfg
	c.MPM = MPM{
		StartServers:             3,
		MinSpareThreads:          75,
		MaxSpareThreads:          250,
		ThreadsPerChild:          25,
		ThreadLimit:              64,
		ServerLimit:              16,
		MaxRequestWorkers:        16 * 25,
		AsyncRequestWorkerFactor: 2,
		ListenBacklog:            511,
	}
	c.PidFile = l.rootRelative("logs/eventmpm.pid")
	c.DefaultRuntimeDir = l.rootRelative("logs")
	c.UID, c.GID = -1, -1
	c.ExtendedStatus = true
	c.ServerTokens = "Full"
	c.AcceptFilters = map[string]string{"http": "data", "https": "data"}
	if fi, err := os.Stat(defaultMimeTypes); err == nil && fi.Mode().IsRegular() {
		c.TypesConfig = defaultMimeTypes
	}
	c.LogFormats = map[string]string{}
	c.DefaultLogFormat = commonLogFormat
	c.Server = l.defaultServer()
}

func (l *loader) defaultServer() Server {
	return Server{
		DocumentRoot:          l.rootRelative("htdocs"),
		ErrorLog:              l.rootRelative("logs/error_log"),
		LogLevel:              "warn",
		ServerSignature:       "Off",
		Timeout:               60 * time.Second,
		KeepAlive:             true,
		KeepAliveTimeout:      5 * time.Second,
		MaxKeepAliveRequests:  100,
		LimitRequestLine:      8190,
		LimitRequestFieldSize: 8190,
		LimitRequestFields:    100,
		LimitRequestBody:      defaultMaxRequestBody,
		RequestReadTimeout:    defaultReadTimeout,
		Options:               OptionFlags{FollowSymLinks: true},
		DirectoryIndex:        []string{"index.html"},
		AccessFileNames:       []string{".htaccess"},
	}
}
