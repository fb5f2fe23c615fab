// Package errorlog is a log/slog handler that writes Apache error_log lines.
// A logger is passed down explicitly; there is no global one.
package errorlog
