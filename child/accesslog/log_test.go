package accesslog_test

import (
	"bufio"
	"errors"
	"fmt"
	"io/fs"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"sync/atomic"
	"syscall"
	"testing"
	"time"

	"eventmpm/child/accesslog"
)

// testLine is line n of writer w, padded to a length that varies from 20
// to about 900 bytes so that lines straddle flush boundaries.
func testLine(w, n int) string {
	pad := strings.Repeat("x", (w*7919+n*104729)%880)
	return fmt.Sprintf("w%03d n%06d %s end", w, n, pad)
}

var lineRE = regexp.MustCompile(`^w(\d{3}) n(\d{6}) (x*) end$`)

// readLines returns the lines of the files, failing on any torn one.
func readLines(t *testing.T, paths ...string) map[string]int {
	t.Helper()
	seen := map[string]int{}
	for _, p := range paths {
		f, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		sc := bufio.NewScanner(f)
		sc.Buffer(nil, 1<<20)
		for sc.Scan() {
			line := sc.Text()
			m := lineRE.FindStringSubmatch(line)
			if m == nil {
				t.Fatalf("%s: torn line %.80q", p, line)
			}
			w, _ := strconv.Atoi(m[1])
			n, _ := strconv.Atoi(m[2])
			if line != testLine(w, n) {
				t.Fatalf("%s: corrupt line %.80q", p, line)
			}
			seen[line]++
		}
		f.Close()
		if err := sc.Err(); err != nil {
			t.Fatal(err)
		}
	}
	return seen
}

// writeLines runs writers goroutines writing perWriter lines each through
// their own Buffer; after each line it calls between (if any).
func writeLines(l *accesslog.Log, writers, perWriter int, between func(w, n int)) {
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			b := l.NewBuffer()
			for n := range perWriter {
				b.Write([]byte(testLine(w, n)))
				if n%97 == 0 {
					b.Flush() // as a worker going idle
				}
				if between != nil {
					between(w, n)
				}
			}
			b.Flush()
		})
	}
	wg.Wait()
}

// checkAll checks that every line was written exactly once.
func checkAll(t *testing.T, seen map[string]int, writers, perWriter int) {
	t.Helper()
	if got, want := len(seen), writers*perWriter; got != want {
		t.Errorf("got %v distinct lines, want %v", got, want)
	}
	for line, c := range seen {
		if c != 1 {
			t.Errorf("line %.30q written %d times, want 1", line, c)
		}
	}
}

func TestConcurrentWriters(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access_log")
	l, err := accesslog.Open(path, accesslog.Options{OnError: func(err error) { t.Errorf("OnError: %v", err) }})
	if err != nil {
		t.Fatal(err)
	}
	const writers, perWriter = 16, 1000
	writeLines(l, writers, perWriter, nil)
	if err := l.Close(); err != nil {
		t.Fatal(err)
	}
	checkAll(t, readLines(t, path), writers, perWriter)
	if got, want := l.Stats(), (accesslog.Stats{Lines: writers * perWriter}); got != want {
		t.Errorf("got %+v, want %+v", got, want)
	}
}

func TestReopenAfterRename(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "access_log")
	l, err := accesslog.Open(path, accesslog.Options{OnError: func(err error) { t.Errorf("OnError: %v", err) }})
	if err != nil {
		t.Fatal(err)
	}
	const writers, perWriter, rotations = 8, 2000, 5
	var (
		mu      sync.Mutex
		rotated []string
		count   atomic.Int64
	)
	rotate := func(_, _ int) {
		n := count.Add(1)
		step := int64(writers * perWriter / (rotations + 1))
		if n%step != 0 || n/step > rotations {
			return
		}
		mu.Lock()
		defer mu.Unlock()
		old := fmt.Sprintf("%s.%d", path, len(rotated))
		if err := os.Rename(path, old); err != nil {
			t.Error(err)
		}
		if err := l.Reopen(); err != nil {
			t.Error(err)
		}
		rotated = append(rotated, old)
	}
	writeLines(l, writers, perWriter, rotate)
	l.Close()
	if len(rotated) != rotations {
		t.Fatalf("got %v rotations, want %v", len(rotated), rotations)
	}
	checkAll(t, readLines(t, append(rotated, path)...), writers, perWriter)
	for _, p := range append(rotated, path) {
		if st, err := os.Stat(p); err != nil || st.Size() == 0 {
			t.Errorf("%s: empty or missing after rotation (%v)", p, err)
		}
	}
}

// fakeClock is a settable clock for the failure reports.
type fakeClock struct{ ns atomic.Int64 }

func (c *fakeClock) now() time.Time          { return time.Unix(0, c.ns.Load()) }
func (c *fakeClock) advance(d time.Duration) { c.ns.Add(int64(d)) }

// recorder collects OnError reports.
type recorder struct {
	mu   sync.Mutex
	errs []error
}

func (r *recorder) onError(err error) { r.mu.Lock(); r.errs = append(r.errs, err); r.mu.Unlock() }
func (r *recorder) get() []error {
	r.mu.Lock()
	defer r.mu.Unlock()
	return append([]error(nil), r.errs...)
}

func TestUnwritableTarget(t *testing.T) {
	var rec recorder
	clock := &fakeClock{}
	clock.ns.Store(time.Date(2026, 1, 1, 0, 0, 0, 0, time.UTC).UnixNano())
	l, err := accesslog.Open("/dev/full", accesslog.Options{OnError: rec.onError, ErrorInterval: time.Minute})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accesslog.SetClock(l, clock.now)

	writeLines(l, 4, 500, nil) // every flush fails with ENOSPC
	errs := rec.get()
	if len(errs) != 1 {
		t.Fatalf("got %v reports, want 1: %v", len(errs), errs)
	}
	var we *accesslog.WriteError
	if !errors.As(errs[0], &we) || !errors.Is(errs[0], syscall.ENOSPC) {
		t.Fatalf("got %v, want a *WriteError wrapping ENOSPC", errs[0])
	}
	want := "access log /dev/full: write failed: write /dev/full: no space left on device (the line is dropped; further failures are summarized periodically)"
	if got := errs[0].Error(); got != want {
		t.Errorf("got %v, want %v", got, want)
	}
	st := l.Stats()
	if st.Dropped != 2000 || st.Lines != 0 || st.Failures == 0 {
		t.Errorf("got %+v, want 2000 dropped, 0 written", st)
	}

	clock.advance(61 * time.Second)
	b := l.NewBuffer()
	b.Write([]byte("one more"))
	b.Flush()
	errs = rec.get()
	if len(errs) != 2 || !errors.As(errs[1], &we) {
		t.Fatalf("got %v, want a summary after the interval", errs)
	}
	if we.Failures != st.Failures || we.Dropped != 2000 || we.Since != 61*time.Second {
		t.Errorf("got %+v, want %d failures, 2000 dropped over 61s", we, st.Failures)
	}
	if got := we.Error(); !strings.Contains(got, fmt.Sprintf("write failed %d times in the last 61s: write /dev/full: no space left on device (2000 lines dropped)", st.Failures)) {
		t.Errorf("got %v", got)
	}
}

func TestWritesResume(t *testing.T) {
	var rec recorder
	clock := &fakeClock{}
	clock.ns.Store(1e18)
	path := filepath.Join(t.TempDir(), "access_log")
	l, err := accesslog.Open(path, accesslog.Options{OnError: rec.onError})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accesslog.SetClock(l, clock.now)
	b := l.NewBuffer()
	write := func() { b.Write([]byte("line")); b.Flush() }

	accesslog.SetPath(l, "/dev/full")
	l.Reopen()
	write() // reported
	write() // pending
	accesslog.SetPath(l, path)
	l.Reopen()
	write() // succeeds; the pending failure waits for the interval
	if got := len(rec.get()); got != 1 {
		t.Fatalf("got %v reports, want 1", got)
	}
	clock.advance(2 * time.Minute)
	write()
	errs := rec.get()
	var we *accesslog.WriteError
	if len(errs) != 2 || !errors.As(errs[1], &we) || !we.Resumed || we.Failures != 1 {
		t.Fatalf("got %v, want a resumed summary of 1 failure", errs)
	}
	if got := l.Stats(); got.Lines != 2 || got.Dropped != 2 {
		t.Errorf("got %+v, want 2 written, 2 dropped", got)
	}
}

func TestOpenError(t *testing.T) {
	_, err := accesslog.Open(filepath.Join(t.TempDir(), "missing", "access_log"), accesslog.Options{})
	if !errors.Is(err, fs.ErrNotExist) || !strings.Contains(err.Error(), "could not open transfer log file") {
		t.Errorf("got %v, want a wrapped ErrNotExist", err)
	}
}

func TestReopenErrorKeepsFile(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "access_log")
	l, err := accesslog.Open(path, accesslog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	accesslog.SetPath(l, filepath.Join(dir, "missing", "x"))
	if err := l.Reopen(); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("got %v, want ErrNotExist", err)
	}
	b := l.NewBuffer()
	b.Write([]byte("still here"))
	b.Flush()
	if got, _ := os.ReadFile(path); string(got) != "still here\n" {
		t.Errorf("got %q, want the line in the old file", got)
	}
}

func TestWriteAfterClose(t *testing.T) {
	var rec recorder
	l, err := accesslog.Open(filepath.Join(t.TempDir(), "access_log"), accesslog.Options{OnError: rec.onError})
	if err != nil {
		t.Fatal(err)
	}
	b := l.NewBuffer()
	l.Close()
	b.Write([]byte("late"))
	b.Flush()
	if errs := rec.get(); len(errs) != 1 || !errors.Is(errs[0], accesslog.ErrClosed) {
		t.Errorf("got %v, want one ErrClosed report", errs)
	}
	if err := l.Reopen(); !errors.Is(err, accesslog.ErrClosed) {
		t.Errorf("Reopen: got %v, want ErrClosed", err)
	}
	if err := l.Close(); err != nil {
		t.Errorf("second Close: got %v, want nil", err)
	}
}

func TestBufferFlushThreshold(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access_log")
	l, err := accesslog.Open(path, accesslog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	defer l.Close()
	b := l.NewBuffer()
	line := []byte(strings.Repeat("a", 99) + "\n")
	for b.Buffered()+len(line) < 8<<10 {
		b.Write(line)
	}
	if st, _ := os.Stat(path); st.Size() != 0 {
		t.Fatalf("got %v bytes written before the buffer filled, want 0", st.Size())
	}
	b.Write(line)
	if got := b.Buffered(); got != 0 {
		t.Errorf("got %v bytes buffered after passing 8 KiB, want 0", got)
	}
	big := []byte(strings.Repeat("b", 100<<10))
	b.Write(big)
	if got := l.Stats().Lines; got != 83 {
		t.Errorf("got %v lines, want 83", got)
	}
}

func TestOpenInherited(t *testing.T) {
	path := filepath.Join(t.TempDir(), "access_log")
	f, err := os.OpenFile(path, os.O_WRONLY|os.O_APPEND|os.O_CREATE, 0o644)
	if err != nil {
		t.Fatal(err)
	}
	l, err := accesslog.OpenInherited(path, f, accesslog.Options{})
	if err != nil {
		t.Fatal(err)
	}
	b := l.NewBuffer()
	b.Write([]byte("first"))
	b.Flush()
	if err := os.Rename(path, path+".1"); err != nil {
		t.Fatal(err)
	}
	if err := l.Reopen(); err != nil {
		t.Fatal(err)
	}
	b.Write([]byte("second"))
	b.Flush()
	l.Close()
	for name, want := range map[string]string{path + ".1": "first\n", path: "second\n"} {
		got, err := os.ReadFile(name)
		if err != nil || string(got) != want {
			t.Errorf("%s: got %q (%v), want %q", name, got, err, want)
		}
	}
}
