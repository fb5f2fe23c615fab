package errorlog

import (
	"errors"
	"fmt"
	"log/slog"
	"strings"
)

// Apache's log levels on the slog.Level scale. debug, info, warn and error
// are slog's own values, so slog.Info and friends log at the Apache level
// of the same name; notice sits between info and warn, crit, alert and
// emerg above error, and trace1 (the most significant trace level) to
// trace8 below debug.
const (
	LevelTrace8 slog.Level = iota - 12
	LevelTrace7
	LevelTrace6
	LevelTrace5
	LevelTrace4
	LevelTrace3
	LevelTrace2
	LevelTrace1
	LevelDebug  = slog.LevelDebug // -4
	LevelInfo   = slog.LevelInfo  // 0
	LevelNotice = slog.Level(2)
	LevelWarn   = slog.LevelWarn  // 4
	LevelError  = slog.LevelError // 8
	LevelCrit   = slog.Level(10)
	LevelAlert  = slog.Level(12)
	LevelEmerg  = slog.Level(14)
)

// levelNames lists Apache's level names, most significant first.
var levelNames = []struct {
	level slog.Level
	name  string
}{
	{LevelEmerg, "emerg"}, {LevelAlert, "alert"}, {LevelCrit, "crit"}, {LevelError, "error"},
	{LevelWarn, "warn"}, {LevelNotice, "notice"}, {LevelInfo, "info"}, {LevelDebug, "debug"},
	{LevelTrace1, "trace1"}, {LevelTrace2, "trace2"}, {LevelTrace3, "trace3"}, {LevelTrace4, "trace4"},
	{LevelTrace5, "trace5"}, {LevelTrace6, "trace6"}, {LevelTrace7, "trace7"}, {LevelTrace8, "trace8"},
}

// LevelName returns Apache's name for l. A level between two named ones
// takes the name of the less significant (slog.LevelInfo+1 is "info");
// anything below trace8 is "trace8".
func LevelName(l slog.Level) string {
	for _, n := range levelNames {
		if l >= n.level {
			return n.name
		}
	}
	return "trace8"
}

// ErrLevel is returned for a LogLevel keyword that is not a level.
var ErrLevel = errors.New("errorlog: LogLevel requires level keyword: one of emerg/alert/crit/error/warn/notice/info/debug/trace1/trace2/trace3/trace4/trace5/trace6/trace7/trace8")

// ParseLevel returns the level called name (emerg ... trace8, without
// regard to case).
func ParseLevel(name string) (slog.Level, error) {
	for _, n := range levelNames {
		if strings.EqualFold(name, n.name) {
			return n.level, nil
		}
	}
	return 0, fmt.Errorf("%w (got %q)", ErrLevel, name)
}

// LevelSpec is a parsed LogLevel directive: the server-wide level and the
// per-module ones.
type LevelSpec struct {
	Level   slog.Level
	Modules map[string]slog.Level
}

// DefaultLevel is Apache's LogLevel when the directive is absent.
const DefaultLevel = LevelWarn

// OptionsFor returns the handler options of a server's error log: its
// LogLevel as the configuration keeps it ("warn", "info mpm_event:debug"),
// its ErrorLogFormat lines and its ServerName. The configuration has
// checked the first two: a level that does not parse means the default
// level, formats that do not compile Apache's default line.
func OptionsFor(logLevel string, format FormatSpec, serverName string) Options {
	spec, err := ParseLogLevel(strings.Fields(logLevel)...)
	if err != nil {
		spec = LevelSpec{Level: DefaultLevel}
	}
	opts := Options{Level: spec.Level, Modules: spec.Modules, ServerName: serverName}
	if format.Main != "" || len(format.Connection) > 0 || len(format.Request) > 0 {
		opts.Formats, _ = CompileFormats(format)
	}
	return opts
}

// ParseLogLevel parses the arguments of Apache's "LogLevel
// [module:]level [module:level] ...". A bare level sets the server-wide
// level (warn when none is given); "module:level" sets the level of one
// module, named as in the error log ("mpm_event") or with Apache's
// "_module" suffix ("mpm_event_module").
func ParseLogLevel(args ...string) (LevelSpec, error) {
	spec := LevelSpec{Level: DefaultLevel}
	for _, a := range args {
		module, name, ok := strings.Cut(a, ":")
		if !ok {
			l, err := ParseLevel(a)
			if err != nil {
				return LevelSpec{}, err
			}
			spec.Level = l
			continue
		}
		module = strings.TrimSuffix(module, "_module")
		if module == "" {
			return LevelSpec{}, fmt.Errorf("errorlog: LogLevel %q: missing module name", a)
		}
		l, err := ParseLevel(name)
		if err != nil {
			return LevelSpec{}, fmt.Errorf("LogLevel %s: %w", module, err)
		}
		if spec.Modules == nil {
			spec.Modules = map[string]slog.Level{}
		}
		spec.Modules[module] = l
	}
	return spec, nil
}
