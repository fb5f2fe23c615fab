package ipc

import (
	"fmt"
	"io"
	"os"
)

// Status bytes from a child to the supervisor.
const (
	// StatusReady: the child's listeners are polled and its workers run.
	StatusReady byte = 'R'
	// StatusDraining: the child has stopped accepting and is draining.
	StatusDraining byte = 'D'
)

// NewStatusPipe makes a status pipe: the parent reads from r; w is handed to
// the child (close it in the parent once the child has started).
func NewStatusPipe() (r, w *os.File, err error) {
	r, w, err = os.Pipe()
	if err != nil {
		return nil, nil, fmt.Errorf("ipc: status pipe: %w", err)
	}
	return r, w, nil
}

// Notify writes one status byte.
func Notify(w io.Writer, status byte) error {
	if _, err := w.Write([]byte{status}); err != nil {
		return fmt.Errorf("ipc: notify %q: %w", status, err)
	}
	return nil
}

// ReadStatus reads status bytes from a child's status pipe and delivers them
// on the returned channel, which is closed at end of file (the child exited
// or closed its end).
func ReadStatus(r io.Reader) <-chan byte {
	ch := make(chan byte, 4)
	go func() {
		defer close(ch)
		var b [8]byte
		for {
			n, err := r.Read(b[:])
			for _, c := range b[:n] {
				ch <- c
			}
			if err != nil {
				return
			}
		}
	}()
	return ch
}
