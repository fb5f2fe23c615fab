package accesslog_test

import (
	"bytes"
	"fmt"
	"os"
	"strings"
	"sync"
	"syscall"
	"testing"

	"eventmpm/child/accesslog"
)

func TestCutLines(t *testing.T) {
	tests := []struct {
		name string
		in   string
		max  int
		want int
	}{
		{name: "fits", in: "a\nb\n", max: 8, want: 4},
		{name: "exactly", in: "abc\n", max: 4, want: 4},
		{name: "cut at the last newline", in: "ab\ncd\nef\n", max: 7, want: 6},
		{name: "first line too long", in: "abcdefgh\nij\n", max: 4, want: 9},
		{name: "no newline", in: "abcdefgh", max: 4, want: 8},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			if got := accesslog.CutLines([]byte(tt.in), tt.max); got != tt.want {
				t.Errorf("CutLines(%q, %d): got %d, want %d", tt.in, tt.max, got, tt.want)
			}
		})
	}
}

// TestInheritedPipeWritesAtomicLines writes through two Logs sharing one
// pipe (two children inheriting the supervisor's pipe) with buffers far
// larger than PIPE_BUF, and reads the pipe write by write: every read
// chunk ends at a newline and every line arrives whole and once.
func TestInheritedPipeWritesAtomicLines(t *testing.T) {
	r, w, err := os.Pipe()
	if err != nil {
		t.Fatal(err)
	}
	defer r.Close()
	const logs, writers, perWriter = 2, 4, 2000
	var wg sync.WaitGroup
	for i := range logs {
		f, err := dupFile(w)
		if err != nil {
			t.Fatal(err)
		}
		l, err := accesslog.OpenInherited("|logger", f, accesslog.Options{OnError: func(err error) { t.Errorf("OnError: %v", err) }})
		if err != nil {
			t.Fatal(err)
		}
		if err := l.Reopen(); err != nil {
			t.Errorf("Reopen of a pipe: got %v, want nil (nothing to do)", err)
		}
		for j := range writers {
			wg.Add(1)
			go func() {
				defer wg.Done()
				b := l.NewBuffer()
				for k := range perWriter {
					b.Write(fmt.Appendf(nil, "log %d writer %d line %05d %s", i, j, k, strings.Repeat("x", 100+k%300)))
				}
				b.Flush()
			}()
		}
		defer l.Close()
	}
	w.Close()
	seen := map[string]int{}
	var all bytes.Buffer
	buf := make([]byte, 64<<10)
	for len(seen) < logs*writers*perWriter {
		n, err := r.Read(buf)
		if err != nil {
			t.Fatalf("read after %d lines: %v", len(seen), err)
		}
		all.Write(buf[:n])
		if all.Len() > 0 && all.Bytes()[all.Len()-1] != '\n' {
			continue // the reader may see several writes at once, never half of one
		}
		for _, line := range strings.Split(strings.TrimSuffix(all.String(), "\n"), "\n") {
			f := strings.Fields(line)
			if len(f) != 7 || f[0] != "log" || len(f[6]) < 100 {
				t.Fatalf("torn line %q", line)
			}
			seen[strings.Join(f[:6], " ")]++
		}
		all.Reset()
	}
	for k, n := range seen {
		if n != 1 {
			t.Errorf("line %q: got %d copies, want 1", k, n)
		}
	}
	wg.Wait()
}

// dupFile returns a new descriptor for f, as a child inherits one.
func dupFile(f *os.File) (*os.File, error) {
	fd, err := syscall.Dup(int(f.Fd()))
	if err != nil {
		return nil, err
	}
	return os.NewFile(uintptr(fd), f.Name()), nil
}
