package child

import (
	"fmt"
	"os"
	"sync"
	"sync/atomic"
	"time"
)

// This file holds the files requests read: AuthUserFile (htpasswd.go),
// AuthGroupFile (groupfile.go) and mod_rewrite's txt: and rnd: maps
// (rewritemap.go). Each is read when a request first needs it and again
// when it changes: Apache reads the file on every request (or stats it,
// for maps); eventmpm stats it at most once a second.

// fileStatInterval is how long a file's contents are trusted without a
// stat.
const fileStatInterval = time.Second

// fileCache holds a child's files of one kind by path, each read into a
// table of type T.
type fileCache[T any] struct {
	m sync.Map // path -> *cachedFile[T]
}

// cachedFile is one file: the table last read and when the file was last
// looked at.
type cachedFile[T any] struct {
	path    string
	mu      sync.Mutex // held while the file is stat'ed or read
	table   atomic.Pointer[fileTable[T]]
	checked atomic.Int64 // Unix ns of the last stat
}

// fileTable is a file's contents and the identity of the file they came
// from.
type fileTable[T any] struct {
	v  T
	fi os.FileInfo // the file read, for os.SameFile and its time and size
}

// get returns the table of the file at path, read with read when it is
// new or changed; what names the kind of file in errors ("password
// file").
func (p *fileCache[T]) get(path, what string, read func(string) (T, error)) (T, error) {
	v, ok := p.m.Load(path)
	if !ok {
		v, _ = p.m.LoadOrStore(path, &cachedFile[T]{path: path})
	}
	return v.(*cachedFile[T]).current(what, read)
}

// current returns the file's table, reading it again when it changed.
func (f *cachedFile[T]) current(what string, read func(string) (T, error)) (T, error) {
	now := time.Now().UnixNano()
	if t := f.table.Load(); t != nil && now-f.checked.Load() < int64(fileStatInterval) {
		return t.v, nil
	}
	f.mu.Lock()
	defer f.mu.Unlock()
	var zero T
	fi, err := os.Stat(f.path)
	if err != nil {
		f.table.Store(nil)
		return zero, fmt.Errorf("could not open %s %s: %w", what, f.path, err)
	}
	t := f.table.Load()
	if t == nil || !os.SameFile(t.fi, fi) || !t.fi.ModTime().Equal(fi.ModTime()) || t.fi.Size() != fi.Size() {
		v, err := read(f.path)
		if err != nil {
			f.table.Store(nil)
			return zero, err
		}
		t = &fileTable[T]{v: v, fi: fi}
		f.table.Store(t)
	}
	f.checked.Store(now)
	return t.v, nil
}
