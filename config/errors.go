package config

import (
	"errors"
	"fmt"
	"strings"
)

// Error is a configuration error with its position. Its text is Apache's,
// so that admins can grep for it; callers match it with errors.As, never
// by string. An error found while the files are read (the structure of the
// sections, Include, <IfModule>, <IfDefine>, <IfVersion>, Define) is one
// line, "eventmpm: Syntax error on line N of FILE: MESSAGE", with a
// "Syntax error on line N of FILE: " for each Include that led to FILE,
// as Apache's ap_process_resource_config reports them; one found when the
// directives are applied is "AH00526: Syntax error on line N of
// FILE:\nMESSAGE", as Apache's ap_process_config_tree.
type Error struct {
	// Pos is the directive in error (for an unclosed section, its opener).
	Pos Pos
	// Msg is the message Apache (or eventmpm) gives for the directive.
	Msg string
	// Err is the underlying cause, if any (for example a file system error).
	Err error
	// Read marks an error found while the files were read; Includes are
	// then the Include directives through which Pos.File was reached,
	// the outermost first.
	Read     bool
	Includes []Pos
	// Warnings are those given before the error, which Apache has printed
	// by then (mod_macro's, for a macro's error).
	Warnings []Warning
}

// Error returns the message in Apache's format.
func (e *Error) Error() string {
	if !e.Read {
		return fmt.Sprintf("AH00526: Syntax error on line %d of %s:\n%s", e.Pos.Line, e.Pos.File, e.Msg)
	}
	var b strings.Builder
	b.WriteString("eventmpm: ")
	for _, p := range e.Includes {
		fmt.Fprintf(&b, "Syntax error on line %d of %s: ", p.Line, p.File)
	}
	fmt.Fprintf(&b, "Syntax error on line %d of %s: %s", e.Pos.Line, e.Pos.File, e.Msg)
	return b.String()
}

// readError marks err, an error of the reader, as found while reading.
func readError(err error) error {
	if ce, ok := err.(*Error); ok {
		ce.Read = true
	}
	return err
}

// viaInclude records that an error of an included file was reached
// through the Include at pos.
func viaInclude(pos Pos, err error) error {
	if ce, ok := err.(*Error); ok {
		ce.Includes = append([]Pos{pos}, ce.Includes...)
	}
	return err
}

// Unwrap returns the underlying cause.
func (e *Error) Unwrap() error { return e.Err }

// ErrNoListeners is returned by Load when no Listen directive remains. The
// text is Apache's (event.c, event_open_logs), which admins search for, so it
// carries no "config:" prefix.
var ErrNoListeners = errors.New("no listening sockets available, shutting down")

// errAt builds an *Error at pos.
func errAt(pos Pos, format string, args ...any) *Error {
	return &Error{Pos: pos, Msg: fmt.Sprintf(format, args...)}
}

// msgError is a setter's error before the walker attaches the position.
type msgError struct {
	msg string
	err error
}

func (e *msgError) Error() string { return e.msg }
func (e *msgError) Unwrap() error { return e.err }

// errorf returns a setter error; %w is honoured for the cause.
func errorf(format string, args ...any) error {
	err := fmt.Errorf(format, args...)
	return &msgError{msg: err.Error(), err: errors.Unwrap(err)}
}

// atPos turns a setter's error into an *Error at pos; an *Error passes
// through unchanged (it already knows where it happened).
func atPos(pos Pos, err error) error {
	if err == nil {
		return nil
	}
	var ce *Error
	if errors.As(err, &ce) {
		return err
	}
	var me *msgError
	if errors.As(err, &me) {
		return &Error{Pos: pos, Msg: me.msg, Err: me.err}
	}
	return &Error{Pos: pos, Msg: err.Error(), Err: err}
}

// LoadWarnings returns the warnings of a load that returned cfg and err:
// cfg's, or when the load failed, those given before its error, which
// Apache has printed by then and which the error's reader needs too (a
// clamp or an undefined ${VAR} is often the cause of what failed).
func LoadWarnings(cfg *Config, err error) []Warning {
	if err != nil {
		var ce *Error
		if errors.As(err, &ce) {
			return ce.Warnings
		}
		return nil
	}
	if cfg == nil {
		return nil
	}
	return cfg.Warnings
}
