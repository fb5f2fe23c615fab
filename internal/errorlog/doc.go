// Package errorlog is a log/slog handler that writes Apache error_log lines.
// A logger is passed down explicitly; there is no global one.
//
// # The line
//
// [Handler] writes Apache 2.4's default ErrorLogFormat (SPEC 1.4, server/log.c
// do_errorlog_default):
//
//	[Wed Nov 25 19:40:00.123456 2026] [mpm_event:notice] [pid 123:tid 4] AH00489: Apache/2.4 configured -- resuming normal operations
//	[Wed Nov 25 19:40:01.000001 2026] [core:error] [pid 124:tid 7] (13)Permission denied: [client 127.0.0.1:5555] AH00035: access to /x denied
//
// The module, the AH code, the client, the tid and an error come from
// attributes ([ModuleKey], [CodeKey], [ClientKey], [TIDKey], [ErrorKey]; the
// helpers [Module], [Code], [Client], [TID], [Err] build them), given per
// record or once with Logger.With. Other attributes follow the message as
// key=value (groups flattened to "group.key"), which Apache does not have;
// values with blanks, quotes or unprintable bytes are quoted and escaped.
//
// # ErrorLogFormat
//
// [ParseFormat] compiles Apache's ErrorLogFormat language (core's
// parse_errorlog_string, with its error messages) and [CompileFormats] a
// server's three kinds of line ([FormatSpec]); given in Options.Formats,
// the handler writes the main format instead of the default line
// (do_errorlog_format: fields, the '-' and '+' flags, level conditions) and,
// before the first line about a connection or a request, their
// once-per-connection and once-per-request lines. The items that read a
// request come from the [Request] given with [RequestKey] ([ReqAttr]); it
// also decides which line is the first (Request.NewLogIDs). A record
// without a time is a startup message and keeps the default line, as in
// Apache. A request's default line ends with ", referer: " and its Referer.
//
// # Levels
//
// Apache's sixteen levels map onto slog.Level ([LevelEmerg] ...
// [LevelTrace8]) so that slog's Debug, Info, Warn and Error are Apache's
// debug, info, warn and error. [ParseLevel] reads one level name and
// [ParseLogLevel] the whole LogLevel directive including per-module
// levels ("LogLevel warn mpm_event:info"), which Options.Modules applies
// to records by their module attribute. As in Apache, notice messages
// (startup, restart, shutdown) are always written.
//
// # tid
//
// Apache prints the OS thread id. Goroutines have no stable thread, so
// eventmpm prints the number of the worker that logged the line, given
// with [TIDKey] (a worker's logger is made once with
// logger.With(errorlog.TID(n))); lines from the event goroutine, the
// main goroutine and the parent, which carry none, print tid 0.
//
// # Targets
//
// Any io.Writer works: os.Stderr for "ErrorLog /dev/stderr" or before the
// log is open, or a [File], which reopens for log rotation. Every line is
// written with one Write call under the handler's mutex. A [Syslog]
// relays the lines written into its pipe to the system logger ("ErrorLog
// syslog[:facility]"); piped logs ("|cmd") are the supervisor's
// (supervisor.PipedLog). OpenAppend duplicates /dev/stdout and /dev/stderr
// instead of opening them, so a journal's socket works.
//
// Imports: the standard library and internal/strftime.
package errorlog
