package static_test

import (
	"bytes"
	"fmt"
	"os"
	"path/filepath"
	"strings"
	"sync"
	"testing"
	"time"

	"eventmpm/child/static"
	"golang.org/x/sys/unix"
)

// testRacy is the racy window of the staleness tests; settle waits it out.
const testRacy = 100 * time.Millisecond

func settle() { time.Sleep(testRacy + 50*time.Millisecond) }

// newCachingHandler returns a handler with a real racy window.
func newCachingHandler(t *testing.T, s *site, maxFile int64) *static.Handler {
	t.Helper()
	h := newHandler(t, s, func(o *static.Options) { o.CacheMaxFileSize = maxFile })
	static.SetRacyWindow(h, testRacy)
	return h
}

// writeOld writes a file and backdates its mtime (ctime stays now).
func writeOld(t *testing.T, p string, data []byte) {
	t.Helper()
	must(t, os.WriteFile(p, data, 0o644))
	must(t, os.Chtimes(p, fileTime, fileTime))
}

// replaceOld replaces p by a new file renamed over it.
func replaceOld(t *testing.T, p string, data []byte) {
	t.Helper()
	tmp := p + ".tmp"
	writeOld(t, tmp, data)
	must(t, os.Rename(tmp, p))
}

// TestCacheNeverStale changes files between requests in every way, always
// right after the cache was filled, and checks each answer is current.
func TestCacheNeverStale(t *testing.T) {
	for _, maxFile := range []int64{cacheMax, 0} { // contents in memory, then fds only
		t.Run(fmt.Sprintf("maxFile=%d", maxFile), func(t *testing.T) { testNeverStale(t, maxFile) })
	}
}

func testNeverStale(t *testing.T, maxFile int64) {
	s := buildSite(t)
	h := newCachingHandler(t, s, maxFile)
	p := filepath.Join(s.root, "v.txt")
	steps := []struct {
		name   string
		change func()
		status int
		body   string
	}{
		{name: "same size, mtime restored", change: func() { writeOld(t, p, []byte("version-2")) }, status: 200, body: "version-2"},
		{name: "longer", change: func() { writeOld(t, p, []byte("version-three")) }, status: 200, body: "version-three"},
		{name: "renamed over, same size and mtime", change: func() { replaceOld(t, p, []byte("version-four!")) }, status: 200, body: "version-four!"},
		{name: "truncated", change: func() { must(t, os.Truncate(p, 7)); must(t, os.Chtimes(p, fileTime, fileTime)) }, status: 200, body: "version"},
		{name: "emptied", change: func() { must(t, os.Truncate(p, 0)); must(t, os.Chtimes(p, fileTime, fileTime)) }, status: 200, body: ""},
		{name: "chmod only", change: func() {
			writeOld(t, p, []byte("v6"))
			settle()
			serve(t, h, "GET", "/v.txt")
			must(t, os.Chmod(p, 0o600))
		}, status: 200, body: "v6"},
		{name: "deleted", change: func() { must(t, os.Remove(p)) }, status: 404},
		{name: "recreated", change: func() { writeOld(t, p, []byte("version-8")) }, status: 200, body: "version-8"},
		{name: "became a directory", change: func() { must(t, os.Remove(p)); must(t, os.Mkdir(p, 0o755)) }, status: 301},
		{name: "a file again", change: func() { must(t, os.Remove(p)); writeOld(t, p, []byte("version-10")) }, status: 200, body: "version-10"},
		{name: "became a symlink", change: func() { must(t, os.Remove(p)); must(t, os.Symlink("hello.txt", p)) }, status: 200, body: "hello, world\n"},
		{name: "symlink retargeted", change: func() {
			must(t, os.Symlink("index.html", p+".new"))
			must(t, os.Rename(p+".new", p))
		}, status: 200, body: "<h1>home</h1>\n"},
	}
	writeOld(t, p, []byte("version-1"))
	settle()
	if res := serve(t, h, "GET", "/v.txt"); res.Body != "version-1" || static.CacheLen(h) == 0 {
		t.Fatalf("first GET: %q with %d cached, want version-1 cached", res.Body, static.CacheLen(h))
	}
	prev := 200
	for _, st := range steps {
		serve(t, h, "GET", "/v.txt") // cache the current state
		if prev == 200 && static.CacheLen(h) == 0 {
			t.Fatalf("before %q: nothing cached, the step would test nothing", st.name)
		}
		prev = st.status
		st.change()
		for i := 0; i < 2; i++ {
			res := serve(t, h, "GET", "/v.txt")
			if res.Status != st.status || (st.status == 200 && res.Body != st.body) {
				t.Errorf("%s, request %d: got %d %q, want %d %q", st.name, i, res.Status, res.Body, st.status, st.body)
			}
			if st.status == 200 {
				checkValidators(t, st.name, p, res)
			}
		}
		settle() // let the new state become cacheable for the next step
	}
}

// checkValidators checks that the headers describe the file now on disk.
func checkValidators(t *testing.T, name, p string, res result) {
	t.Helper()
	fi, err := os.Stat(p)
	if err != nil {
		t.Fatal(err)
	}
	want := static.AppendETag(fi.Size(), fi.ModTime(), strings.HasPrefix(headerValue(res.Header, "ETag"), "W/"))
	if got := headerValue(res.Header, "ETag"); got != want {
		t.Errorf("%s: ETag %s, want %s", name, got, want)
	}
}

// TestCacheRacyFile checks that a file changed within the racy window is
// not cached, so two writes in one clock tick cannot hide each other.
func TestCacheRacyFile(t *testing.T) {
	s := buildSite(t)
	h := newHandler(t, s, nil)
	static.SetRacyWindow(h, time.Hour)
	p := filepath.Join(s.root, "r.txt")
	writeOld(t, p, []byte("aaaa"))
	if res := serve(t, h, "GET", "/r.txt"); res.Kind != "file" || static.CacheLen(h) != 0 {
		t.Fatalf("racy file: %q reply, %d cached; want a file reply and nothing cached", res.Kind, static.CacheLen(h))
	}
	writeOld(t, p, []byte("bbbb"))
	if res := serve(t, h, "GET", "/r.txt"); res.Body != "bbbb" {
		t.Errorf("racy file after rewrite: %q, want bbbb", res.Body)
	}
}

// TestCacheIndexChanges checks that a cached DirectoryIndex answer follows
// the directory: a better index appearing, and the index going away.
func TestCacheIndexChanges(t *testing.T) {
	s := buildSite(t)
	h := newCachingHandler(t, s, cacheMax)
	settle()
	steps := []struct {
		name   string
		change func()
		status int
		body   string
	}{
		{name: "initial", change: func() {}, status: 200, body: "htm"},
		{name: "first name appears", change: func() { writeOld(t, filepath.Join(s.root, "second/missing.html"), []byte("first")) }, status: 200, body: "first"},
		{name: "first name goes", change: func() { must(t, os.Remove(filepath.Join(s.root, "second/missing.html"))) }, status: 200, body: "htm"},
		{name: "index rewritten", change: func() { writeOld(t, filepath.Join(s.root, "second/index.htm"), []byte("HTM")) }, status: 200, body: "HTM"},
		{name: "index removed", change: func() { must(t, os.Remove(filepath.Join(s.root, "second/index.htm"))) }, status: 200, body: "html"},
		{name: "last index removed", change: func() { must(t, os.Remove(filepath.Join(s.root, "second/index.html"))) }, status: 403},
	}
	for _, st := range steps {
		serve(t, h, "GET", "/second/")
		st.change()
		res := serve(t, h, "GET", "/second/")
		if res.Status != st.status || res.Body != st.body {
			t.Errorf("%s: got %d %q, want %d %q", st.name, res.Status, res.Body, st.status, st.body)
		}
		settle()
	}
	serve(t, h, "GET", "/sub/")
	must(t, os.Remove(filepath.Join(s.root, "sub/index.html")))
	if res := serve(t, h, "GET", "/sub/"); res.Status != 403 {
		t.Errorf("/sub/ after its index went: %d, want 403", res.Status)
	}
}

// TestCacheRootSwitch checks a DocumentRoot that is a symlink switched to
// another release, the usual atomic deploy.
func TestCacheRootSwitch(t *testing.T) {
	base := t.TempDir()
	for _, rel := range []string{"r1", "r2"} {
		must(t, os.MkdirAll(filepath.Join(base, rel), 0o755))
		writeOld(t, filepath.Join(base, rel, "index.html"), []byte(rel))
	}
	current := filepath.Join(base, "current")
	must(t, os.Symlink("r1", current))
	h := newCachingHandler(t, &site{root: current}, cacheMax)
	settle()
	for _, want := range []string{"r1", "r1"} {
		if res := serve(t, h, "GET", "/"); res.Body != want {
			t.Fatalf("before the switch: %q, want %q", res.Body, want)
		}
	}
	must(t, os.Symlink("r2", current+".new"))
	must(t, os.Rename(current+".new", current))
	if res := serve(t, h, "GET", "/"); res.Body != "r2" {
		t.Errorf("after the switch: %q, want r2", res.Body)
	}
}

// TestCacheLargeFileChanges checks headers of a file sent from a cached
// descriptor follow changes to it.
func TestCacheLargeFileChanges(t *testing.T) {
	s := buildSite(t)
	h := newCachingHandler(t, s, 16)
	settle()
	first := serve(t, h, "GET", "/data.bin")
	if first.Kind != "file" || static.CacheLen(h) != 1 {
		t.Fatalf("data.bin: %q reply, %d cached; want a cached file", first.Kind, static.CacheLen(h))
	}
	p := filepath.Join(s.root, "data.bin")
	writeOld(t, p, pattern(2000, 3))
	res := serve(t, h, "GET", "/data.bin")
	if !equalBytes(res.Body, pattern(2000, 3)) || headerValue(res.Header, "ETag") != etagOf(2000) {
		t.Errorf("after growing: %d bytes, ETag %s; want 2000 bytes, %s", len(res.Body), headerValue(res.Header, "ETag"), etagOf(2000))
	}
}

// TestCacheEviction fills a small cache with more files than it holds and
// checks the bound, the answers, and that no descriptor leaks.
func TestCacheEviction(t *testing.T) {
	s := buildSite(t)
	for i := range 100 {
		writeOld(t, filepath.Join(s.root, fmt.Sprintf("f%03d.txt", i)), []byte(fmt.Sprintf("file %03d", i)))
	}
	fds := openFDs(t)
	h := newHandler(t, s, func(o *static.Options) { o.CacheMaxEntries = 16; o.CacheMaxFileSize = 4 })
	for round := range 3 {
		for i := range 100 {
			res := serve(t, h, "GET", fmt.Sprintf("/f%03d.txt", i))
			if want := fmt.Sprintf("file %03d", i); res.Body != want {
				t.Fatalf("round %d: f%03d: %q, want %q", round, i, res.Body, want)
			}
			if n := static.CacheLen(h); n > 16 {
				t.Fatalf("round %d: %d cached entries, want at most 16", round, n)
			}
		}
	}
	if n, want := openFDs(t), fds+16+static.WatcherFDs(h); n > want {
		t.Errorf("%d descriptors open with the cache full, want at most %d", n, want)
	}
	// Evicted entries give their watches back: the 16 files and the
	// directories from "/" down to the root.
	if n, want := static.WatchCount(h), 16+strings.Count(s.root, "/")+1; n > want {
		t.Errorf("%d watches with the cache full, want at most %d", n, want)
	}
	h.Close()
	if n := openFDs(t); n != fds {
		t.Errorf("%d descriptors open after Close, want %d", n, fds)
	}
}

// TestFileOutlivesEviction checks that a reply keeps its File usable after
// the cache dropped it, and that Release closes it.
func TestFileOutlivesEviction(t *testing.T) {
	s := buildSite(t)
	h := newHandler(t, s, func(o *static.Options) { o.CacheMaxFileSize = 0 })
	var r static.Reply
	h.Serve(newRequest("GET", ""), []byte("/big.bin"), &r)
	if r.File == nil || static.CacheLen(h) != 1 {
		t.Fatalf("big.bin: File %v, %d cached; want a cached File", r.File, static.CacheLen(h))
	}
	fd := r.File.Fd()
	h.Close() // drops the cache's reference
	if got := readAt(t, r.File, 0, 16); !bytes.Equal(got, pattern(bigSize, 7)[:16]) {
		t.Errorf("after eviction: read %x, want the file's first bytes", got)
	}
	r.Release()
	if _, err := unix.FcntlInt(uintptr(fd), unix.F_GETFD, 0); err != unix.EBADF {
		t.Errorf("fd %d after Release: fcntl error %v, want EBADF", fd, err)
	}
	r.Release() // a second Release is harmless
}

// openFDs counts this process's open descriptors.
func openFDs(t *testing.T) int {
	t.Helper()
	ents, err := os.ReadDir("/proc/self/fd")
	if err != nil {
		t.Skip("no /proc/self/fd")
	}
	return len(ents)
}

// TestCacheConcurrent serves from many goroutines while files are replaced
// and checks every answer is one whole version with matching validators.
func TestCacheConcurrent(t *testing.T) {
	s := buildSite(t)
	h := newCachingHandler(t, s, 48)
	static.SetRacyWindow(h, time.Millisecond)
	const files, size = 8, 64
	version := func(c byte) []byte { return bytes.Repeat([]byte{c}, size) }
	for i := range files {
		writeOld(t, filepath.Join(s.root, fmt.Sprintf("c%d.txt", i)), version('a'))
	}
	stop := make(chan struct{})
	var wg sync.WaitGroup
	for g := range 8 {
		wg.Add(1)
		go func() {
			defer wg.Done()
			var r static.Reply
			for n := 0; ; n++ {
				select {
				case <-stop:
					return
				default:
				}
				path := fmt.Sprintf("/c%d.txt", (g+n)%files)
				h.Serve(newRequest("GET", ""), []byte(path), &r)
				checkWhole(t, path, &r)
				r.Release()
			}
		}()
	}
	for c := byte('b'); c <= 'z'; c++ {
		for i := range files {
			replaceOld(t, filepath.Join(s.root, fmt.Sprintf("c%d.txt", i)), version(c))
		}
		time.Sleep(2 * time.Millisecond)
	}
	close(stop)
	wg.Wait()
	time.Sleep(5 * time.Millisecond)
	for i := range files {
		if res := serve(t, h, "GET", fmt.Sprintf("/c%d.txt", i)); !equalBytes(res.Body, version('z')) {
			t.Errorf("c%d.txt at the end: %q, want the last version", i, res.Body)
		}
	}
}

// checkWhole checks a reply holds one uniform version of size bytes.
func checkWhole(t *testing.T, path string, r *static.Reply) {
	var body []byte
	switch {
	case r.Body != nil:
		body = r.Body
	case r.File != nil:
		body = make([]byte, r.ContentLength)
		n, _ := unix.Pread(r.File.Fd(), body, r.Offset)
		body = body[:n]
	}
	if r.Status != 200 || len(body) != 64 || bytes.Count(body, body[:1]) != 64 {
		t.Errorf("%s: status %d body %q, want one whole version", path, r.Status, body)
	}
}
