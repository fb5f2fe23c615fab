package ipc

import (
	"errors"
	"fmt"
	"io"
	"os"
)

// Command is one byte on a child's control pipe.
type Command byte

// Commands from the supervisor to a child.
const (
	// CommandGraceful: stop accepting, finish in-flight requests, exit.
	CommandGraceful Command = '!'
	// CommandStop: close every connection and exit now.
	CommandStop Command = '$'
	// CommandReopenLogs: reopen the access and error logs (log rotation).
	CommandReopenLogs Command = 'L'
	// CommandParentGone is never sent: Commands delivers it when the
	// control pipe reaches end of file because the parent died.
	CommandParentGone Command = 0
)

// String names the command for logs.
func (c Command) String() string {
	switch c {
	case CommandGraceful:
		return "graceful"
	case CommandStop:
		return "stop"
	case CommandReopenLogs:
		return "reopen-logs"
	case CommandParentGone:
		return "parent-gone"
	}
	return fmt.Sprintf("unknown(%q)", byte(c))
}

// ErrPipeClosed is returned by Send when the child's end is gone.
var ErrPipeClosed = errors.New("ipc: control pipe closed")

// Controller is the parent's end of one child's control pipe.
type Controller struct {
	w *os.File
}

// NewControlPipe makes a control pipe. The parent keeps the Controller; the
// returned file is the read end to hand to the child (close it in the parent
// once the child has started).
func NewControlPipe() (*Controller, *os.File, error) {
	r, w, err := os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("ipc: control pipe: %w", err)
	}
	return &Controller{w: w}, r, nil
}

// Send writes one command. It does not block on a child that stopped
// reading for long: the pipe holds thousands of commands.
func (c *Controller) Send(cmd Command) error {
	if _, err := c.w.Write([]byte{byte(cmd)}); err != nil {
		if errors.Is(err, os.ErrClosed) || errors.Is(err, io.ErrClosedPipe) {
			return ErrPipeClosed
		}
		return fmt.Errorf("ipc: send %v: %w", cmd, err)
	}
	return nil
}

// Close closes the parent's end; the child sees end of file.
func (c *Controller) Close() error { return c.w.Close() }

// ReadCommands reads commands from a child's control pipe and delivers them
// on the returned channel until end of file, when it delivers
// CommandParentGone and closes the channel. It runs until the pipe ends.
func ReadCommands(r *os.File) <-chan Command {
	ch := make(chan Command, 8)
	go func() {
		defer close(ch)
		var b [16]byte
		for {
			n, err := r.Read(b[:])
			for _, c := range b[:n] {
				ch <- Command(c)
			}
			if err != nil {
				ch <- CommandParentGone
				return
			}
		}
	}()
	return ch
}
