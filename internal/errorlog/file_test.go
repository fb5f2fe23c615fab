package errorlog_test

import (
	"bufio"
	"context"
	"errors"
	"fmt"
	"io/fs"
	"log/slog"
	"os"
	"path/filepath"
	"regexp"
	"strconv"
	"strings"
	"sync"
	"testing"
	"testing/slogtest"
	"time"

	"eventmpm/internal/errorlog"
)

func TestFileReopenAfterRename(t *testing.T) {
	dir := t.TempDir()
	path := filepath.Join(dir, "error_log")
	f, err := errorlog.OpenFile(path)
	if err != nil {
		t.Fatal(err)
	}
	l := errorlog.New(f, errorlog.Options{})
	const writers, perWriter = 8, 300
	var wg sync.WaitGroup
	for w := range writers {
		wg.Go(func() {
			for n := range perWriter {
				l.Error("line", slog.Int("w", w), slog.Int("n", n), slog.String("pad", strings.Repeat("p", n)))
				if w == 0 && n == perWriter/2 {
					if err := os.Rename(path, path+".1"); err != nil {
						t.Error(err)
					}
					if err := f.Reopen(); err != nil {
						t.Error(err)
					}
				}
			}
		})
	}
	wg.Wait()
	if err := f.Close(); err != nil {
		t.Fatal(err)
	}
	seen := map[string]bool{}
	re := regexp.MustCompile(`^\[.{31}\] \[core:error\] \[pid \d+:tid 0\] line w=(\d+) n=(\d+) pad=(?:"")?(p*)$`)
	for _, p := range []string{path + ".1", path} {
		file, err := os.Open(p)
		if err != nil {
			t.Fatal(err)
		}
		lines := 0
		for sc := bufio.NewScanner(file); sc.Scan(); lines++ {
			m := re.FindStringSubmatch(sc.Text())
			if m == nil {
				t.Fatalf("%s: torn line %q", p, sc.Text())
			}
			if n, _ := strconv.Atoi(m[2]); len(m[3]) != n {
				t.Fatalf("%s: corrupt line %q", p, sc.Text())
			}
			seen[m[1]+"/"+m[2]] = true
		}
		file.Close()
		if lines == 0 {
			t.Errorf("%s: got no lines, want some", p)
		}
	}
	if got, want := len(seen), writers*perWriter; got != want {
		t.Errorf("got %v lines, want %v", got, want)
	}
}

func TestFileErrors(t *testing.T) {
	if _, err := errorlog.OpenFile(filepath.Join(t.TempDir(), "no", "error_log")); !errors.Is(err, fs.ErrNotExist) {
		t.Errorf("OpenFile: got %v, want ErrNotExist", err)
	}
	dir := t.TempDir()
	f, err := errorlog.OpenFile(filepath.Join(dir, "error_log"))
	if err != nil {
		t.Fatal(err)
	}
	if got := f.Name(); got != filepath.Join(dir, "error_log") {
		t.Errorf("Name: got %v", got)
	}
	f.Close()
	if _, err := f.Write([]byte("x\n")); !errors.Is(err, errorlog.ErrClosed) {
		t.Errorf("Write after Close: got %v, want ErrClosed", err)
	}
	if err := f.Reopen(); !errors.Is(err, errorlog.ErrClosed) {
		t.Errorf("Reopen after Close: got %v, want ErrClosed", err)
	}
	if err := f.Close(); err != nil {
		t.Errorf("second Close: got %v, want nil", err)
	}
}

// TestSlogConformance runs the standard handler checks, parsing lines
// back into maps.
func TestSlogConformance(t *testing.T) {
	var buf strings.Builder
	h := errorlog.NewHandler(&buf, errorlog.Options{Level: errorlog.LevelInfo})
	err := slogtest.TestHandler(h, func() []map[string]any {
		var out []map[string]any
		for _, line := range strings.Split(strings.TrimSuffix(buf.String(), "\n"), "\n") {
			out = append(out, parseLine(t, line))
		}
		return out
	})
	if err != nil {
		t.Error(err)
	}
}

var headRE = regexp.MustCompile(`^(\[(\w{3} \w{3} \d\d [\d:.]+ \d+)\] )?\[(\w+):(\w+)\] \[pid \d+:tid \d+\] (\S+)(.*)$`)

// parseLine turns a line into slogtest's map: time, level, msg and the
// key=value attributes, nested by their dotted group path.
func parseLine(t *testing.T, line string) map[string]any {
	m := headRE.FindStringSubmatch(line)
	if m == nil {
		t.Fatalf("unparsable line %q", line)
	}
	out := map[string]any{slog.LevelKey: m[4], slog.MessageKey: m[5]}
	if m[2] != "" {
		out[slog.TimeKey] = m[2]
	}
	for _, kv := range strings.Fields(m[6]) {
		k, v, _ := strings.Cut(kv, "=")
		if uq, err := strconv.Unquote(v); err == nil {
			v = uq
		}
		dst := out
		path := strings.Split(k, ".")
		for _, g := range path[:len(path)-1] {
			sub, ok := dst[g].(map[string]any)
			if !ok {
				sub = map[string]any{}
				dst[g] = sub
			}
			dst = sub
		}
		dst[path[len(path)-1]] = v
	}
	return out
}

func ExampleNew() {
	l := errorlog.New(os.Stdout, errorlog.Options{PID: 42}).With(errorlog.Module("mpm_event"))
	// A record without a time, as in tests; real records carry one.
	l.Handler().Handle(context.Background(), slog.NewRecord(time.Time{}, errorlog.LevelNotice,
		"Apache/2.4 (Unix) configured -- resuming normal operations", 0))
	fmt.Println("done")
	// Output:
	// [mpm_event:notice] [pid 42:tid 0] Apache/2.4 (Unix) configured -- resuming normal operations
	// done
}
