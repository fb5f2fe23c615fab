package errorlog

import (
	"errors"
	"fmt"
	"os"
	"sync"
)

// ErrClosed is returned by writes to a closed [File].
var ErrClosed = errors.New("errorlog: file closed")

// File is a reopenable error log file, an io.Writer for [New]. Each Write
// is one write(2) on a descriptor opened O_APPEND, so lines from several
// processes sharing the file do not interleave. A mutex orders Write,
// Reopen and Close: the error log is not written per request, so the lock
// costs nothing that matters.
type File struct {
	mu   sync.Mutex
	path string
	f    *os.File
}

// OpenFile opens (creating it if needed) the error log at path for
// appending, with mode 0644.
func OpenFile(path string) (*File, error) {
	f, err := openAppend(path)
	if err != nil {
		return nil, err
	}
	return &File{path: path, f: f}, nil
}

func openAppend(path string) (*os.File, error) {
	f, err := OpenAppend(path)
	if err != nil {
		return nil, fmt.Errorf("could not open error log file %s: %w", path, err)
	}
	return f, nil
}

// Name returns the path the File was opened with.
func (f *File) Name() string { return f.path }

// Write writes p with one write(2).
func (f *File) Write(p []byte) (int, error) {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.f == nil {
		return 0, ErrClosed
	}
	return f.f.Write(p)
}

// Reopen opens the path again and switches to it, for log rotation: after
// the old file was renamed, later lines go to a new file of the original
// name. On error the old file stays in use.
func (f *File) Reopen() error {
	nf, err := openAppend(f.path)
	if err != nil {
		return fmt.Errorf("reopen: %w", err)
	}
	f.mu.Lock()
	old := f.f
	if old == nil {
		f.mu.Unlock()
		nf.Close()
		return ErrClosed
	}
	f.f = nf
	f.mu.Unlock()
	return old.Close()
}

// Close closes the file; later writes fail with [ErrClosed].
func (f *File) Close() error {
	f.mu.Lock()
	defer f.mu.Unlock()
	if f.f == nil {
		return nil
	}
	err := f.f.Close()
	f.f = nil
	return err
}

// File returns the descriptor currently written to, for handing to child
// processes (which then write to it directly). It is closed by the next
// Reopen or Close.
func (f *File) File() *os.File {
	f.mu.Lock()
	defer f.mu.Unlock()
	return f.f
}
