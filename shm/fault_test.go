package shm

import (
	"errors"
	"os"
	"path/filepath"
	"runtime/debug"
	"testing"
	"time"
)

// touch writes a worker slot far into the mapping and reports a recovered
// fault instead of crashing.
func touch(s *Scoreboard) (fault any) {
	defer func() { fault = recover() }()
	s.Worker(s.layout.ServerLimit-1, s.layout.ThreadLimit-1).SetStatus(Ready)
	return nil
}

func TestTruncatedWhileMapped(t *testing.T) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	path := filepath.Join(t.TempDir(), "sb")
	s, err := Create(path, Layout{ServerLimit: 4, ThreadLimit: 64})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	if err := s.Check(); err != nil {
		t.Fatalf("Check on a whole file: got %v, want nil", err)
	}
	if err := os.Truncate(path, 0); err != nil {
		t.Fatal(err)
	}
	if err := s.Check(); !errors.Is(err, ErrTruncated) {
		t.Fatalf("Check after truncate: got %v, want ErrTruncated", err)
	}
	r := touch(s)
	if r == nil || !s.IsFault(r) {
		t.Fatalf("access after truncate: got %v, want a fault inside the mapping", r)
	}
	if what, err := s.RecoverFault(); err != nil || what == "" {
		t.Fatalf("RecoverFault: got %q, %v", what, err)
	}
	if r := touch(s); r != nil {
		t.Fatalf("access after RecoverFault: got fault %v, want none", r)
	}
	// The cut part, header included, reads as zeros: readers refuse the
	// file until the parent restores the header.
	if err := s.Check(); !errors.Is(err, ErrHeaderLost) {
		t.Fatalf("Check after repair: got %v, want ErrHeaderLost", err)
	}
	if _, err := OpenReadOnly(path); !errors.Is(err, ErrNotScoreboard) {
		t.Fatalf("OpenReadOnly after repair: got %v, want ErrNotScoreboard", err)
	}
	s.RestoreHeader(time.Now())
	if err := s.Check(); err != nil {
		t.Fatalf("Check after RestoreHeader: got %v, want nil", err)
	}
	r2, err := OpenReadOnly(path)
	if err != nil {
		t.Fatalf("OpenReadOnly after RestoreHeader: %v", err)
	}
	r2.Close()
}

func TestDetach(t *testing.T) {
	defer debug.SetPanicOnFault(debug.SetPanicOnFault(true))
	path := filepath.Join(t.TempDir(), "sb")
	s, err := Create(path, Layout{ServerLimit: 2, ThreadLimit: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	os.Truncate(path, 0)
	if err := s.Detach(); err != nil {
		t.Fatal(err)
	}
	if r := touch(s); r != nil {
		t.Fatalf("access after Detach: got fault %v, want none", r)
	}
	if fi, _ := os.Stat(path); fi.Size() != 0 {
		t.Fatalf("Detach wrote to the file: size %d, want 0", fi.Size())
	}
}

func TestUnlinkedWhileMapped(t *testing.T) {
	path := filepath.Join(t.TempDir(), "sb")
	s, err := Create(path, Layout{ServerLimit: 2, ThreadLimit: 8})
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	os.Remove(path)
	if err := s.Check(); !errors.Is(err, ErrUnlinked) {
		t.Fatalf("Check after remove: got %v, want ErrUnlinked", err)
	}
	if r := touch(s); r != nil {
		t.Fatalf("access after remove: got fault %v, want none", r)
	}
}

func TestIsFaultIgnoresOtherPanics(t *testing.T) {
	s, _ := createTest(t, Layout{ServerLimit: 1, ThreadLimit: 1})
	for _, r := range []any{"boom", errors.New("x"), 42} {
		if s.IsFault(r) {
			t.Errorf("IsFault(%v): got true, want false", r)
		}
	}
}
