package static

import (
	"errors"
	"fmt"
	"sync"
	"sync/atomic"
	"time"
)

// watcher revalidates cached entries by change notification instead of a
// stat of the path per hit (see doc.go, "Revalidation by change
// notification", for why that is never stale); Watcher is its exported
// handle, shared by the Handlers of a process. When it cannot watch
// something, the entry is validated by stat as before.
//
// Model. Every watched inode (each directory a cached path resolves
// through, and each cached file) has a watch with a generation counter for
// events on the inode itself, and for a directory one counter per entry
// name that some cached path looks up in it. An event bumps the counter it
// concerns; a lost event (queue overflow) or a change of the mount table
// bumps the epoch, which every entry depends on. An entry records the
// counters it depends on and their values, read after each watch was
// added and before the file was looked at. A hit is fresh when a sync that
// started after the request arrived has run and no counter moved.
//
// Locks: syncMu serializes syncs; mu guards the maps and reference counts
// (the miss path, syncs applying events, releases). Order: syncMu, then mu.
// The hit path takes neither unless it has to sync.
type watcher struct {
	notifier // the platform's descriptors, under mu (open, add, remove) or syncMu (drain)

	mu      sync.Mutex
	state   watcherState
	watches map[int32]*watch // by watch descriptor
	epoch   counter          // bumped when events may have been lost

	syncMu   sync.Mutex
	lastSync atomic.Int64 // Unix ns at which the last completed sync started
	broken   atomic.Bool  // a sync failed: every watched entry is stale

	now func() int64 // Unix ns; tests replace it
}

// watcherState says whether the notifier is open.
type watcherState uint8

const (
	watcherNew watcherState = iota // not opened yet
	watcherOn                      // open
	watcherOff                     // unavailable or closed: stat validation
)

// counter is a generation that moves on every change it stands for.
type counter struct {
	gen  atomic.Uint64
	refs int // dependencies holding it, under watcher.mu (name counters only)
}

// watch is one watched inode.
type watch struct {
	wd    int32
	self  counter             // events on the inode itself
	names map[string]*counter // a directory's events naming an entry in it
	refs  int                 // dependencies on self and names
	dead  bool                // the kernel dropped the watch
}

// dep is one counter an entry depends on and its value when the entry was
// built. wt is nil for the epoch; name is "" for wt's own counter.
type dep struct {
	c    *counter
	val  uint64
	wt   *watch
	name string
}

// errNoWatch reports that something on a path cannot be watched (no
// notifier, a watch limit, permissions, a remote file system); the entry
// is then validated by stat.
var errNoWatch = errors.New("static: path cannot be watched")

// noNotify disables change notification (tests run the stat fallback).
var noNotify atomic.Bool

// Watcher is the change notifier behind the open-file caches of a
// process's Handlers (a child has one per virtual host): one inotify
// instance per child whatever the number of virtual hosts (instances are
// limited per user, fs.inotify.max_user_instances, 128 by default), and
// one sync covers the hits of all of them. Create it with NewWatcher, pass
// it in Options.Watcher, and Close it after the last of its Handlers.
type Watcher struct{ w *watcher }

// NewWatcher opens a change notifier. When the platform has none, or it
// cannot be opened, cached entries are validated by stat instead.
func NewWatcher() *Watcher {
	return &Watcher{w: newWatcher()}
}

// Close releases the notifier's descriptors. Its Handlers must be closed
// first.
func (w *Watcher) Close() { w.w.close() }

func newWatcher() *watcher {
	w := &watcher{
		notifier: newNotifier(),
		watches:  map[int32]*watch{},
		now:      func() int64 { return time.Now().UnixNano() },
	}
	w.ready()
	return w
}

// ready opens the notifier on first use and reports whether it is usable.
func (w *watcher) ready() bool {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.state == watcherNew {
		w.state = watcherOff
		if !noNotify.Load() && w.open() == nil {
			w.state = watcherOn
		}
	}
	return w.state == watcherOn && !w.broken.Load() && !noNotify.Load()
}

// close releases the notifier's descriptors. Entries still holding
// dependencies must not be checked afterwards (Serve after Close).
func (w *watcher) close() {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.state == watcherOn {
		w.closeNotifier()
	}
	w.state = watcherOff
}

// fresh reports whether no dependency changed before arrival (Unix ns):
// it makes sure a sync started after arrival, then compares the counters.
// It also returns the clock it read on the way (Unix ns), which the
// caller may reuse instead of reading it again.
func (w *watcher) fresh(deps []dep, arrival int64) (bool, int64) {
	ok, now := w.covers(arrival)
	if !ok {
		if ok, now = w.sync(arrival); !ok {
			return false, now
		}
	}
	for i := range deps {
		if deps[i].c.gen.Load() != deps[i].val {
			return false, now
		}
	}
	return true, now
}

// covers reports whether the last sync started after arrival, and the
// clock it read (0 when it read none). A sync stamped later than now means
// the wall clock was stepped back since; its stamp cannot be compared with
// later arrivals, so it covers nothing.
func (w *watcher) covers(arrival int64) (bool, int64) {
	last := w.lastSync.Load()
	if last <= arrival || w.broken.Load() {
		return false, 0
	}
	now := w.now()
	return last <= now, now
}

// sync consumes every pending event and reports whether it could. A
// caller that waited for another sync first checks whether that one
// already covers it.
func (w *watcher) sync(arrival int64) (bool, int64) {
	w.syncMu.Lock()
	defer w.syncMu.Unlock()
	if ok, now := w.covers(arrival); ok {
		return true, now
	}
	if w.broken.Load() {
		return false, 0
	}
	start := w.now()
	if err := w.drain(); err != nil {
		w.broken.Store(true)
		w.epoch.gen.Add(1)
		return false, start
	}
	w.lastSync.Store(start)
	return true, start
}

// bumpSelf records an event on the inode watched as wd. Called under mu.
func (w *watcher) bumpSelf(wd int32) {
	if wt := w.watches[wd]; wt != nil {
		wt.self.gen.Add(1)
	}
}

// bumpName records an event naming name in the directory watched as wd.
// Called under mu.
func (w *watcher) bumpName(wd int32, name []byte) {
	if wt := w.watches[wd]; wt != nil {
		if c := wt.names[string(name)]; c != nil {
			c.gen.Add(1)
		}
	}
}

// forget handles the kernel dropping watch wd (the inode went away, its
// file system was unmounted, or we removed it). Called under mu.
func (w *watcher) forget(wd int32) {
	if wt := w.watches[wd]; wt != nil {
		wt.self.gen.Add(1)
		wt.dead = true
		delete(w.watches, wd)
	}
}

// watchPath adds (or reuses) the watch on path, a directory when dir is
// set, and returns it with one more reference.
func (w *watcher) watchPath(path string, dir bool) (*watch, error) {
	w.mu.Lock()
	defer w.mu.Unlock()
	if w.state != watcherOn {
		return nil, errNoWatch
	}
	wd, err := w.add(path, dir)
	if err != nil {
		return nil, fmt.Errorf("%w: %s: %w", errNoWatch, path, err)
	}
	wt := w.watches[wd]
	if wt == nil {
		if !localFS(path) {
			w.remove(wd)
			return nil, fmt.Errorf("%w: %s: not a local file system", errNoWatch, path)
		}
		wt = &watch{wd: wd}
		if dir {
			wt.names = map[string]*counter{}
		}
		w.watches[wd] = wt
	}
	wt.refs++
	return wt, nil
}

// nameDep returns the dependency on name's entry in the directory wt.
func (w *watcher) nameDep(wt *watch, name string) dep {
	w.mu.Lock()
	defer w.mu.Unlock()
	if wt.names == nil {
		wt.names = map[string]*counter{}
	}
	c := wt.names[name]
	if c == nil {
		c = &counter{}
		wt.names[name] = c
	}
	c.refs++
	wt.refs++
	return dep{c: c, val: c.gen.Load(), wt: wt, name: name}
}

// selfDep returns the dependency on wt itself; the caller's reference
// from watchPath passes to it.
func selfDep(wt *watch) dep {
	return dep{c: &wt.self, val: wt.self.gen.Load(), wt: wt}
}

// epochDep returns the dependency every entry has on the epoch.
func (w *watcher) epochDep() dep {
	return dep{c: &w.epoch, val: w.epoch.gen.Load()}
}

// release drops deps. A counter or watch nobody depends on any more is
// bumped before it goes, so a hit still holding an entry that was just
// dropped (and whose events will no longer be counted) sees it as stale.
func (w *watcher) release(deps []dep) {
	w.mu.Lock()
	defer w.mu.Unlock()
	for _, d := range deps {
		wt := d.wt
		if wt == nil {
			continue
		}
		if d.name != "" {
			if d.c.refs--; d.c.refs == 0 {
				d.c.gen.Add(1)
				delete(wt.names, d.name)
			}
		}
		if wt.refs--; wt.refs == 0 {
			wt.self.gen.Add(1)
			if !wt.dead {
				wt.dead = true
				w.remove(wt.wd)
				delete(w.watches, wt.wd)
			}
		}
	}
}

// watchCount returns the number of watches held.
func (w *watcher) watchCount() int {
	w.mu.Lock()
	defer w.mu.Unlock()
	return len(w.watches)
}
