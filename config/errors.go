package config

import (
	"errors"
	"fmt"
)

// Error is a configuration error with its position. Its text is Apache's:
// "AH00526: Syntax error on line N of FILE:\nMESSAGE", so that admins can
// grep for it; callers match it with errors.As, never by string.
type Error struct {
	// Pos is the directive in error (for an unclosed section, its opener).
	Pos Pos
	// Msg is the message Apache (or eventmpm) gives for the directive.
	Msg string
	// Err is the underlying cause, if any (for example a file system error).
	Err error
}

// Error returns the message in Apache's format.
func (e *Error) Error() string {
	return fmt.Sprintf("AH00526: Syntax error on line %d of %s:\n%s", e.Pos.Line, e.Pos.File, e.Msg)
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
