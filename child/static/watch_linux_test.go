package static_test

import (
	"errors"
	"fmt"
	"os"
	"os/exec"
	"path/filepath"
	"sync"
	"syscall"
	"testing"
	"time"

	"eventmpm/child/static"
	"golang.org/x/sys/unix"
)

// stalenessTests must pass however cached entries are validated.
var stalenessTests = []struct {
	name string
	run  func(*testing.T)
}{
	{name: "NeverStale", run: TestCacheNeverStale},
	{name: "RacyFile", run: TestCacheRacyFile},
	{name: "IndexChanges", run: TestCacheIndexChanges},
	{name: "RootSwitch", run: TestCacheRootSwitch},
	{name: "LargeFileChanges", run: TestCacheLargeFileChanges},
	{name: "Concurrent", run: TestCacheConcurrent},
	{name: "ChangedBeforeArrival", run: TestCacheChangedBeforeArrival},
	{name: "HardLink", run: TestCacheHardLink},
	{name: "SymlinkTargetMoved", run: TestCacheSymlinkTargetMoved},
}

// TestStatRevalidation runs the staleness tests with change notification
// off: every hit is checked by statx, as when inotify is unavailable or a
// path cannot be watched.
func TestStatRevalidation(t *testing.T) {
	static.DisableNotify(true)
	defer static.DisableNotify(false)
	for _, tt := range stalenessTests {
		t.Run(tt.name, tt.run)
	}
}

// TestCacheWatched checks that the default mode really watches: without
// it, the staleness tests would only test the stat fallback twice.
func TestCacheWatched(t *testing.T) {
	s := buildSite(t)
	h := newHandler(t, s, nil)
	for _, target := range []string{"/hello.txt", "/second/", "/link-sub/page.html", "/link-out.txt"} {
		if res := serve(t, h, "GET", target); res.Status != 200 {
			t.Fatalf("%s: status %d, want 200", target, res.Status)
		}
		if !static.Watched(h, target) {
			t.Errorf("%s: cached without watches, want watched", target)
		}
	}
}

// TestCacheChangedBeforeArrival changes a file after its entry was cached
// and after a sync, then serves a request that arrived once the write had
// returned: it must get the new contents, while other goroutines keep
// syncing (so that a recent sync is usually there to be trusted wrongly).
func TestCacheChangedBeforeArrival(t *testing.T) {
	s := buildSite(t)
	h := newCachingHandler(t, s, cacheMax)
	p := filepath.Join(s.root, "b.txt")
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for range 2 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			for {
				select {
				case <-stop:
					return
				default:
					serve(t, h, "GET", "/hello.txt")
				}
			}
		}()
	}
	defer func() { close(stop); wg.Wait() }()
	writeOld(t, p, []byte("version-00"))
	settle()
	for i := range 6 {
		cur, next := fmt.Sprintf("version-%02d", i), fmt.Sprintf("version-%02d", i+1)
		if res := serve(t, h, "GET", "/b.txt"); res.Body != cur || static.CacheLen(h) < 2 {
			t.Fatalf("step %d: %q with %d cached, want %q cached", i, res.Body, static.CacheLen(h), cur)
		}
		writeOld(t, p, []byte(next)) // same size, mtime restored
		arrival := time.Now().UnixNano()
		if res := serveAt(t, h, arrival, "GET", "/b.txt"); res.Body != next {
			t.Errorf("step %d: request after the write got %q, want %q", i, res.Body, next)
		}
		settle()
	}
}

// TestCacheHardLink changes a cached file through a hard link in a
// directory the handler never looked at.
func TestCacheHardLink(t *testing.T) {
	s := buildSite(t)
	h := newCachingHandler(t, s, cacheMax)
	other := filepath.Join(s.outside, "hl.txt")
	writeOld(t, other, []byte("link-1"))
	must(t, os.Link(other, filepath.Join(s.root, "hl.txt")))
	settle()
	for _, want := range []string{"link-1", "link-1"} {
		if res := serve(t, h, "GET", "/hl.txt"); res.Body != want {
			t.Fatalf("before: %q, want %q", res.Body, want)
		}
	}
	f, err := os.OpenFile(other, os.O_WRONLY, 0)
	must(t, err)
	_, err = f.WriteAt([]byte("LINK"), 0)
	must(t, err)
	must(t, f.Close())
	must(t, os.Chtimes(other, fileTime, fileTime))
	if res := serve(t, h, "GET", "/hl.txt"); res.Body != "LINK-1" {
		t.Errorf("after a write through the other link: %q, want LINK-1", res.Body)
	}
}

// TestCacheSymlinkTargetMoved serves through a symlink whose target has
// several components, then moves a directory in the middle of the target
// away and puts a new tree in its place: neither the link, nor its
// directory, nor the file it led to is touched.
func TestCacheSymlinkTargetMoved(t *testing.T) {
	s := buildSite(t)
	h := newCachingHandler(t, s, cacheMax)
	tree := func(body string) {
		must(t, os.MkdirAll(filepath.Join(s.outside, "rel/a"), 0o755))
		writeOld(t, filepath.Join(s.outside, "rel/a/f.txt"), []byte(body))
	}
	tree("tree-1")
	must(t, os.Symlink("../outside/rel/a", filepath.Join(s.root, "deep")))
	settle()
	for _, want := range []string{"tree-1", "tree-1"} {
		if res := serve(t, h, "GET", "/deep/f.txt"); res.Body != want {
			t.Fatalf("before: %q, want %q", res.Body, want)
		}
	}
	must(t, os.Rename(filepath.Join(s.outside, "rel"), filepath.Join(s.outside, "old")))
	tree("tree-2")
	if res := serve(t, h, "GET", "/deep/f.txt"); res.Body != "tree-2" {
		t.Errorf("after the target's parent was replaced: %q, want tree-2", res.Body)
	}
}

// TestCacheBetterIndexBehindSymlink serves the second DirectoryIndex name
// while the first is a symlink to a missing file, then creates the file
// the link points to: the first name now wins. The stat fallback only
// rechecks the index's directory, which does not change here, so this
// holds for watched entries only.
func TestCacheBetterIndexBehindSymlink(t *testing.T) {
	s := buildSite(t)
	h := newCachingHandler(t, s, cacheMax)
	must(t, os.Symlink("../../outside/later.html", filepath.Join(s.root, "second/missing.html")))
	settle()
	for _, want := range []string{"htm", "htm"} {
		if res := serve(t, h, "GET", "/second/"); res.Body != want {
			t.Fatalf("before: %q, want %q", res.Body, want)
		}
	}
	writeOld(t, filepath.Join(s.outside, "later.html"), []byte("later"))
	if res := serve(t, h, "GET", "/second/"); res.Body != "later" {
		t.Errorf("after the first index's target appeared: %q, want later", res.Body)
	}
}

// cachedAndWatched serves target twice and fails unless the second answer
// came from a watched entry with body want.
func cachedAndWatched(t *testing.T, h *static.Handler, target, want string) {
	t.Helper()
	for range 2 {
		if res := serve(t, h, "GET", target); res.Body != want {
			t.Fatalf("%s: %q, want %q", target, res.Body, want)
		}
	}
	if !static.Watched(h, target) {
		t.Fatalf("%s: not cached with watches", target)
	}
}

// TestCacheQueueOverflow loses the events of a change, as an overflowing
// inotify queue would, and checks IN_Q_OVERFLOW invalidates every entry.
func TestCacheQueueOverflow(t *testing.T) {
	s := buildSite(t)
	h := newCachingHandler(t, s, cacheMax)
	p := filepath.Join(s.root, "o.txt")
	writeOld(t, p, []byte("over-1"))
	settle()
	cachedAndWatched(t, h, "/o.txt", "over-1")
	writeOld(t, p, []byte("over-2"))
	static.DropEvents(h)
	// The control: with its events lost, the change is invisible...
	if res := serve(t, h, "GET", "/o.txt"); res.Body != "over-1" {
		t.Fatalf("events dropped: %q, want the old over-1 (else this test tests nothing)", res.Body)
	}
	// ...until the kernel's overflow event says events were lost.
	static.HandleEvent(h, -1, unix.IN_Q_OVERFLOW, "")
	if res := serve(t, h, "GET", "/o.txt"); res.Body != "over-2" {
		t.Errorf("after IN_Q_OVERFLOW: %q, want over-2", res.Body)
	}
}

// TestCacheWatchLimit makes inotify_add_watch fail with ENOSPC (the
// fs.inotify.max_user_watches limit), at once and half-way along a path:
// entries are cached and validated by stat, and no watch is left behind.
func TestCacheWatchLimit(t *testing.T) {
	for _, allow := range []int{0, 3} {
		t.Run(fmt.Sprintf("after %d watches", allow), func(t *testing.T) {
			s := buildSite(t)
			h := newCachingHandler(t, s, cacheMax)
			n := 0
			static.SetAddWatch(h, func(fd int, path string, mask uint32) (int, error) {
				if n++; n > allow {
					return -1, unix.ENOSPC
				}
				return unix.InotifyAddWatch(fd, path, mask)
			})
			p := filepath.Join(s.root, "w.txt")
			writeOld(t, p, []byte("limit-1"))
			settle()
			for range 2 {
				if res := serve(t, h, "GET", "/w.txt"); res.Body != "limit-1" {
					t.Fatalf("before: %q, want limit-1", res.Body)
				}
			}
			if static.CacheLen(h) != 1 || static.Watched(h, "/w.txt") || static.WatchCount(h) != 0 {
				t.Fatalf("cached %d, watched %v, %d watches; want 1 entry validated by stat and no watch",
					static.CacheLen(h), static.Watched(h, "/w.txt"), static.WatchCount(h))
			}
			writeOld(t, p, []byte("limit-2"))
			if res := serve(t, h, "GET", "/w.txt"); res.Body != "limit-2" {
				t.Errorf("after the change: %q, want limit-2", res.Body)
			}
		})
	}
}

// TestCacheClockSteppedBack steps the wall clock back after a sync: the
// sync's stamp is then later than requests that arrive after it, and must
// not be taken to cover them.
func TestCacheClockSteppedBack(t *testing.T) {
	s := buildSite(t)
	h := newCachingHandler(t, s, cacheMax)
	p := filepath.Join(s.root, "c.txt")
	writeOld(t, p, []byte("clock-1"))
	settle()
	clock := time.Now().UnixNano()
	static.SetWatchClock(h, func() int64 { return clock })
	cachedAndWatched(t, h, "/c.txt", "clock-1") // syncs, stamped clock
	clock -= int64(10 * time.Second)
	writeOld(t, p, []byte("clock-2"))
	if res := serveAt(t, h, clock+1, "GET", "/c.txt"); res.Body != "clock-2" {
		t.Errorf("after the clock went back: %q, want clock-2", res.Body)
	}
}

// TestCacheNoSyncNeeded checks the cheap case: a request that arrived
// before the last sync is answered from the counters alone, so a change
// made after that sync (and after the request arrived) may or may not be
// seen, but a later request sees it.
func TestCacheNoSyncNeeded(t *testing.T) {
	s := buildSite(t)
	h := newCachingHandler(t, s, cacheMax)
	p := filepath.Join(s.root, "n.txt")
	writeOld(t, p, []byte("early-1"))
	settle()
	early := time.Now().UnixNano()
	cachedAndWatched(t, h, "/n.txt", "early-1")
	writeOld(t, p, []byte("early-2"))
	if res := serveAt(t, h, early, "GET", "/n.txt"); res.Body != "early-1" {
		t.Errorf("a request from before the change, no sync since: %q, want the cached early-1", res.Body)
	}
	if res := serve(t, h, "GET", "/n.txt"); res.Body != "early-2" {
		t.Errorf("a request from after the change: %q, want early-2", res.Body)
	}
}

// TestWatcherClosed checks that Handlers given one Watcher share its
// inotify descriptor, that closing them leaves it to the Watcher's Close,
// and that a Handler given none makes its own and closes it.
func TestWatcherClosed(t *testing.T) {
	s := buildSite(t)
	wat := static.NewWatcher()
	shared := func(o *static.Options) { o.Watcher = wat }
	h1 := newHandler(t, s, shared)
	h2 := newHandler(t, s, shared)
	serve(t, h1, "GET", "/hello.txt")
	serve(t, h2, "GET", "/sub/page.html")
	fd := static.WatcherFd(h1)
	if fd < 0 || static.WatcherFd(h2) != fd || static.WatchCount(h1) == 0 {
		t.Fatalf("inotify fds %d and %d, %d watches; want one open fd shared, with watches",
			fd, static.WatcherFd(h2), static.WatchCount(h1))
	}
	h1.Close()
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
		t.Fatalf("inotify fd %d after the first Close: %v, want it open for the other Handler", fd, err)
	}
	if res := serve(t, h2, "GET", "/sub/page.html"); res.Status != 200 || !static.Watched(h2, "/sub/page.html") {
		t.Errorf("the other Handler after the first Close: status %d, watched %v; want 200, watched",
			res.Status, static.Watched(h2, "/sub/page.html"))
	}
	h2.Close()
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != nil {
		t.Fatalf("inotify fd %d after the Handlers' Close: %v, want it open until the Watcher's Close", fd, err)
	}
	wat.Close()
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != unix.EBADF {
		t.Errorf("inotify fd %d after the Watcher's Close: fcntl error %v, want EBADF", fd, err)
	}

	own := newHandler(t, s, nil)
	serve(t, own, "GET", "/hello.txt")
	ownFd := static.WatcherFd(own)
	if ownFd < 0 || !static.Watched(own, "/hello.txt") {
		t.Fatalf("a Handler without a Watcher: fd %d, watched %v; want its own", ownFd, static.Watched(own, "/hello.txt"))
	}
	own.Close()
	if _, err := unix.FcntlInt(uintptr(ownFd), unix.F_GETFD, 0); err != unix.EBADF {
		t.Errorf("own inotify fd %d after Close: fcntl error %v, want EBADF", ownFd, err)
	}
}

// TestCacheMountOver mounts a tmpfs over a directory holding a cached
// file, which no inotify watch reports; the mount table's change does. It
// runs in a child process with its own mount namespace, as root only.
func TestCacheMountOver(t *testing.T) {
	if dir := os.Getenv("STATIC_MOUNT_TEST_DIR"); dir != "" {
		mountOver(t, dir)
		return
	}
	if os.Geteuid() != 0 {
		t.Skip("needs root for a mount namespace")
	}
	cmd := exec.Command(os.Args[0], "-test.run=^TestCacheMountOver$", "-test.v")
	cmd.Env = append(os.Environ(), "STATIC_MOUNT_TEST_DIR="+t.TempDir())
	cmd.SysProcAttr = &syscall.SysProcAttr{Unshareflags: syscall.CLONE_NEWNS}
	out, err := cmd.CombinedOutput()
	var ee *exec.ExitError
	if errors.As(err, &ee) || err == nil {
		if err != nil {
			t.Errorf("mount namespace child: %v\n%s", err, out)
		}
		return
	}
	t.Skipf("no mount namespace: %v", err)
}

// mountOver is TestCacheMountOver's child.
func mountOver(t *testing.T, base string) {
	root := filepath.Join(base, "htdocs")
	must(t, os.MkdirAll(filepath.Join(root, "m"), 0o755))
	writeOld(t, filepath.Join(root, "m/f.txt"), []byte("under"))
	settle()
	h := newCachingHandler(t, &site{root: root}, cacheMax)
	cachedAndWatched(t, h, "/m/f.txt", "under")
	must(t, unix.Mount("tmpfs", filepath.Join(root, "m"), "tmpfs", 0, "mode=0755"))
	defer unix.Unmount(filepath.Join(root, "m"), 0)
	writeOld(t, filepath.Join(root, "m/f.txt"), []byte("above"))
	if res := serve(t, h, "GET", "/m/f.txt"); res.Body != "above" {
		t.Errorf("after a mount over the directory: %q, want above", res.Body)
	}
}

// BenchmarkServeCachedStat is a hit validated by statx, as before inotify
// and whenever a path cannot be watched.
func BenchmarkServeCachedStat(b *testing.B) {
	static.DisableNotify(true)
	defer static.DisableNotify(false)
	benchServe(b, nil, "GET", "/hello.txt")
}

// BenchmarkServeRefill is a hit that finds its entry invalidated (every
// counter moved) and fills it again: the miss path with the watch walk.
func BenchmarkServeRefill(b *testing.B) {
	s := buildSite(b)
	h := newHandler(b, s, nil)
	req := newRequest("GET", "")
	var r static.Reply
	b.ReportAllocs()
	for b.Loop() {
		static.HandleEvent(h, -1, unix.IN_Q_OVERFLOW, "")
		h.Serve(req, []byte("/hello.txt"), &r)
		r.Release()
	}
}

// TestRevalidateCoversEarlierArrivals: after Revalidate(t), a request that
// arrived at t sees a change made before t and costs no sync of its own
// (the event loop revalidates once per batch, the workers' hits then need
// no system call); a request that arrived later syncs again.
func TestRevalidateCoversEarlierArrivals(t *testing.T) {
	s := buildSite(t)
	h := newCachingHandler(t, s, cacheMax)
	p := filepath.Join(s.root, "b.txt")
	writeOld(t, p, []byte("version-00"))
	settle()
	if res := serve(t, h, "GET", "/b.txt"); res.Body != "version-00" || static.CacheLen(h) < 1 {
		t.Fatalf("first request: %q with %d cached", res.Body, static.CacheLen(h))
	}
	writeOld(t, p, []byte("version-01")) // same size, mtime restored: only the watch can tell
	harvest := time.Now().UnixNano()
	h.Revalidate(harvest)
	synced := static.LastSync(h)
	if synced <= harvest {
		t.Fatalf("Revalidate(%d) left the last sync at %d, want after it", harvest, synced)
	}
	if res := serveAt(t, h, harvest, "GET", "/b.txt"); res.Body != "version-01" {
		t.Errorf("request that arrived at the harvest got %q, want version-01", res.Body)
	}
	if got := static.LastSync(h); got != synced {
		t.Errorf("a covered request synced again (last sync %d, was %d)", got, synced)
	}
	h.Revalidate(harvest) // already covered: no sync
	if got := static.LastSync(h); got != synced {
		t.Errorf("Revalidate of a covered time synced again")
	}
	settle() // past the racy window: the next miss caches the file again
	serve(t, h, "GET", "/b.txt")
	later := time.Now().UnixNano()
	if res := serveAt(t, h, later, "GET", "/b.txt"); res.Body != "version-01" {
		t.Fatalf("late request got %q", res.Body)
	}
	if got := static.LastSync(h); got <= later {
		t.Errorf("a request that arrived after the last sync did not sync (last %d, arrival %d)", got, later)
	}
}

// TestSharedWatcher: Handlers given one Watcher (a child's virtual hosts)
// share its syncs: one Handler's Revalidate covers the other's hits, and
// closing a Handler leaves the shared watcher working for the rest.
func TestSharedWatcher(t *testing.T) {
	s := buildSite(t)
	wat := static.NewWatcher()
	t.Cleanup(wat.Close) // after the Handlers' Close: cleanups run last first
	var hs [2]*static.Handler
	for i := range hs {
		hs[i] = newHandler(t, s, func(o *static.Options) { o.CacheMaxFileSize = cacheMax; o.Watcher = wat })
		static.SetRacyWindow(hs[i], testRacy)
	}
	p := filepath.Join(s.root, "b.txt")
	writeOld(t, p, []byte("version-00"))
	settle()
	for _, h := range hs {
		if res := serve(t, h, "GET", "/b.txt"); res.Body != "version-00" {
			t.Fatalf("first request: %q", res.Body)
		}
	}
	hs[0].Close()
	writeOld(t, p, []byte("version-01"))
	harvest := time.Now().UnixNano()
	hs[1].Revalidate(harvest)
	if static.LastSync(hs[1]) <= harvest {
		t.Fatalf("Revalidate did not sync")
	}
	if res := serveAt(t, hs[1], harvest, "GET", "/b.txt"); res.Body != "version-01" {
		t.Errorf("after the other Handler closed: %q, want version-01", res.Body)
	}
}

// TestCacheHitClock checks Reply.Clock: a hit validated by the watcher
// hands back the clock the watcher read, for the caller's Date header; a
// miss, which opened the file, reports none.
func TestCacheHitClock(t *testing.T) {
	s := buildSite(t)
	h := newCachingHandler(t, s, cacheMax)
	writeOld(t, filepath.Join(s.root, "k.txt"), []byte("clock"))
	settle()
	clock := time.Now().UnixNano()
	static.SetWatchClock(h, func() int64 { return clock })
	serveClock := func() int64 {
		t.Helper()
		p, _ := static.CleanPath([]byte("/k.txt"), nil)
		var r static.Reply
		defer r.Release()
		h.ServeAt(newRequest("GET", "/k.txt"), p, &r, clock-1)
		if r.Status != 200 {
			t.Fatalf("status %d, want 200", r.Status)
		}
		return r.Clock
	}
	if got := serveClock(); got != 0 {
		t.Errorf("miss: Clock %d, want 0", got)
	}
	clock += 5
	if got := serveClock(); got != clock {
		t.Errorf("hit: Clock %d, want the watcher's %d", got, clock)
	}
	if !static.Watched(h, "/k.txt") {
		t.Fatal("not cached with watches")
	}
}
