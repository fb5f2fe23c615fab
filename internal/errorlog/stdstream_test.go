package errorlog

import (
	"os"
	"path/filepath"
	"syscall"
	"testing"
)

func TestOpenAppend(t *testing.T) {
	file := filepath.Join(t.TempDir(), "error_log")
	tests := []struct {
		path string
		fd   int // the descriptor it must duplicate, -1 for a file
	}{
		{path: "/dev/stdout", fd: 1},
		{path: "/dev/stderr", fd: 2},
		{path: file, fd: -1},
	}
	for _, tt := range tests {
		f, err := OpenAppend(tt.path)
		if err != nil {
			t.Fatalf("OpenAppend(%s): %v", tt.path, err)
		}
		var got, want syscall.Stat_t
		if err := syscall.Fstat(int(f.Fd()), &got); err != nil {
			t.Fatal(err)
		}
		if tt.fd >= 0 {
			if int(f.Fd()) == tt.fd {
				t.Errorf("OpenAppend(%s): got descriptor %d itself, want a duplicate", tt.path, tt.fd)
			}
			if err := syscall.Fstat(tt.fd, &want); err != nil {
				t.Fatal(err)
			}
			if got.Dev != want.Dev || got.Ino != want.Ino {
				t.Errorf("OpenAppend(%s): got dev %d ino %d, want descriptor %d's (dev %d ino %d)", tt.path, got.Dev, got.Ino, tt.fd, want.Dev, want.Ino)
			}
		} else if _, err := os.Stat(tt.path); err != nil {
			t.Errorf("OpenAppend(%s) did not create it: %v", tt.path, err)
		}
		f.Close()
	}
}
