package static

import "golang.org/x/sys/unix"

// DisableFastPaths makes the handler use what other systems use: openat
// and the component walk instead of openat2, stat instead of raw statx,
// and no change notification (stat on every hit).
func DisableFastPaths(off bool) {
	noOpenat2.Store(off)
	noStatx.Store(off)
	noNotify.Store(off)
}

// DisableNotify makes handlers created afterwards validate every cached
// entry by stat, as when inotify is unavailable.
func DisableNotify(off bool) { noNotify.Store(off) }

// StatPath exposes statPath, the revalidation stat.
func StatPath(path []byte) error {
	var fi fileInfo
	return statPath(path, &fi)
}

// HandleEvent feeds the watcher one event as if read from inotify.
func HandleEvent(h *Handler, wd int32, mask uint32, name string) {
	h.watch.mu.Lock()
	defer h.watch.mu.Unlock()
	h.watch.event(wd, mask, []byte(name))
}

// DropEvents reads and discards every queued event, as a queue overflow
// would lose them.
func DropEvents(h *Handler) {
	buf := make([]byte, eventBufSize)
	for {
		if _, err := unix.Read(h.watch.fd, buf); err != nil {
			return
		}
	}
}

// SetAddWatch replaces inotify_add_watch.
func SetAddWatch(h *Handler, add func(fd int, path string, mask uint32) (int, error)) {
	h.watch.addWatch = add
}

// SetWatchClock replaces the watcher's clock (Unix nanoseconds).
func SetWatchClock(h *Handler, now func() int64) { h.watch.now = now }

// WatcherFd returns the inotify descriptor, or -1.
func WatcherFd(h *Handler) int { return h.watch.fd }

// WatcherFDs returns how many descriptors the watcher holds open.
func WatcherFDs(h *Handler) int {
	if h.watch == nil || h.watch.fd < 0 {
		return 0
	}
	return 3
}

// Watched reports whether the cached entry for key is validated by its
// watches (false: by stat, or not cached).
func Watched(h *Handler, key string) bool {
	e := (*h.cache.shardOf([]byte(key)).m.Load())[key]
	return e != nil && e.deps != nil
}

// LastSync returns when the handler's watcher last started a completed
// sync (Unix ns), 0 when it has none.
func LastSync(h *Handler) int64 {
	if h.watch == nil {
		return 0
	}
	return h.watch.lastSync.Load()
}
