package static

import (
	"os"
	"slices"
	"sync"
	"time"

	"golang.org/x/sys/unix"
)

// listingCache keeps the sorted file names of the directories MultiViews
// negotiates in, so that a negotiated request, or a 404 in such a
// directory, costs one fstat of the directory and a binary search instead
// of listing it (a directory of 10,000 files costs milliseconds to list:
// each request for a missing name would). A listing is trusted while the
// directory's identity, mtime and ctime are those it was read with, and
// only kept when the directory last changed longer than the racy window
// before (see defaultRacyWindow): every creation, removal or rename of a
// name moves the directory's mtime. The candidates' sizes and types are
// stat'ed on each request, never cached.
type listingCache struct {
	mu    sync.Mutex
	m     map[string]*dirListing
	names int // names held by all listings
}

// listingCacheMaxNames bounds the names kept; when a new listing would
// pass it, the cache starts over.
const listingCacheMaxNames = 1 << 17

// dirListing is one directory's sorted names and the state of the
// directory they were read in.
type dirListing struct {
	id    fileID
	names []string
}

// listNames returns the sorted names of the directory dirfd (dir, its
// absolute path), from the cache when the directory has not changed.
func (h *Handler) listNames(dirfd int, dir string) ([]string, error) {
	fi, err := fstatInfo(dirfd)
	if err != nil {
		return nil, err
	}
	id := fi.id
	id.size = 0 // a directory's size says nothing more than its mtime
	lc := &h.listings
	lc.mu.Lock()
	l := lc.m[dir]
	lc.mu.Unlock()
	if l != nil && l.id == id {
		return l.names, nil
	}
	// dirfd may have been opened only to look into it (pathFlags); the
	// names are read through a descriptor of their own, which needs read
	// permission as Apache's apr_dir_open does. The directory has search
	// permission: a name was just looked up in it.
	rd, err := unix.Openat(dirfd, ".", openFlags|unix.O_DIRECTORY, 0)
	if err != nil {
		return nil, err
	}
	f := os.NewFile(uintptr(rd), dir)
	names, err := f.Readdirnames(-1)
	f.Close()
	if err != nil {
		return nil, err
	}
	slices.Sort(names)
	if h.now().Sub(time.Unix(0, max(id.mtime, id.ctime))) > h.racyWindow {
		lc.put(dir, &dirListing{id: id, names: names})
	}
	return names, nil
}

// put keeps l for dir, starting over when the cache would hold too many
// names.
func (lc *listingCache) put(dir string, l *dirListing) {
	if len(l.names) > listingCacheMaxNames {
		return
	}
	lc.mu.Lock()
	defer lc.mu.Unlock()
	if old := lc.m[dir]; old != nil {
		lc.names -= len(old.names)
	}
	if lc.m == nil || lc.names+len(l.names) > listingCacheMaxNames {
		lc.m, lc.names = make(map[string]*dirListing), 0
	}
	lc.m[dir] = l
	lc.names += len(l.names)
}
