package static_test

import (
	"errors"
	"fmt"
	"os"
	"testing"

	"eventmpm/child/static"
	"golang.org/x/sys/unix"
)

func TestErrStatus(t *testing.T) {
	tests := []struct {
		err  error
		want int
	}{
		{err: unix.ENOENT, want: 404},
		{err: unix.ENOTDIR, want: 404},
		{err: fmt.Errorf("open: %w", unix.ENOENT), want: 404},
		{err: os.NewSyscallError("openat", unix.ENOENT), want: 404},
		{err: unix.EACCES, want: 403},
		{err: unix.EPERM, want: 403},
		{err: unix.ELOOP, want: 403},
		{err: unix.EXDEV, want: 403},
		{err: unix.ENAMETOOLONG, want: 403},
		{err: static.ErrSymlink, want: 403},
		{err: unix.EIO, want: 500},
		{err: unix.EMFILE, want: 500},
		{err: errors.New("something else"), want: 500},
	}
	for _, tt := range tests {
		if got := static.ErrStatus(tt.err); got != tt.want {
			t.Errorf("errStatus(%v) = %d, want %d", tt.err, got, tt.want)
		}
	}
}
