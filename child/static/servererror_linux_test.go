package static_test

import (
	"errors"
	"testing"

	"golang.org/x/sys/unix"
)

// TestServerError runs out of descriptors to get a 500 with Err set.
func TestServerError(t *testing.T) {
	s := buildSite(t)
	h := newHandler(t, s, nil)
	var old unix.Rlimit
	must(t, unix.Getrlimit(unix.RLIMIT_NOFILE, &old))
	// The lowest free descriptor becomes the limit: the next open fails.
	free, err := unix.Dup(0)
	must(t, err)
	unix.Close(free)
	lim := unix.Rlimit{Cur: uint64(free), Max: old.Max}
	must(t, unix.Setrlimit(unix.RLIMIT_NOFILE, &lim))
	res := serve(t, h, "GET", "/hello.txt")
	must(t, unix.Setrlimit(unix.RLIMIT_NOFILE, &old))
	if res.Status != 500 || !errors.Is(res.Err, unix.EMFILE) {
		t.Errorf("out of descriptors: %d, Err %v; want 500 with EMFILE", res.Status, res.Err)
	}
	if res := serve(t, h, "GET", "/hello.txt"); res.Status != 200 {
		t.Errorf("after raising the limit again: %d, want 200", res.Status)
	}
}
