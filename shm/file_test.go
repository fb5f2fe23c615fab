package shm

import (
	"bytes"
	"encoding/binary"
	"errors"
	"os"
	"path/filepath"
	"strconv"
	"strings"
	"syscall"
	"testing"
	"time"
	"unsafe"

	"golang.org/x/sys/unix"
)

var testLayout = Layout{ServerLimit: 4, ThreadLimit: 8}

func createTest(t *testing.T, l Layout) (*Scoreboard, string) {
	t.Helper()
	path := filepath.Join(t.TempDir(), "scoreboard")
	s, err := Create(path, l)
	if err != nil {
		t.Fatalf("Create: %v", err)
	}
	t.Cleanup(func() { s.Close() })
	return s, path
}

func TestCreateFresh(t *testing.T) {
	old := syscall.Umask(0o077) // Create must still end up with 0644
	defer syscall.Umask(old)
	before := time.Now().Truncate(time.Microsecond)
	s, path := createTest(t, testLayout)

	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := st.Mode().Perm(); got != 0o640 {
		t.Errorf("mode: got %v, want %v", got, os.FileMode(0o640))
	}
	if got := st.Size(); got != testLayout.Size() {
		t.Errorf("size: got %d, want %d", got, testLayout.Size())
	}
	raw, err := os.ReadFile(path)
	if err != nil {
		t.Fatal(err)
	}
	if got := string(raw[:8]); got != Magic {
		t.Errorf("magic: got %q, want %q", got, Magic)
	}
	if got := binary.NativeEndian.Uint32(raw[12:]); got != byteOrderMark {
		t.Errorf("byte-order word: got %#x, want %#x", got, byteOrderMark)
	}
	if !bytes.Equal(raw[HeaderSize:], make([]byte, len(raw)-HeaderSize)) {
		t.Errorf("slots are not zeroed")
	}
	if got := s.ParentPID(); got != os.Getpid() {
		t.Errorf("ParentPID: got %d, want %d", got, os.Getpid())
	}
	if got := s.StartTime(); got.Before(before) || got.After(time.Now()) {
		t.Errorf("StartTime: got %v, want between %v and now", got, before)
	}
	if got, want := s.RestartTime(), s.StartTime(); !got.Equal(want) {
		t.Errorf("RestartTime: got %v, want %v", got, want)
	}
	if got := s.Generation(); got != 0 {
		t.Errorf("Generation: got %d, want 0", got)
	}
	if got := s.ConfigGeneration(); got != 1 {
		t.Errorf("ConfigGeneration: got %d, want 1", got)
	}
	if !s.Running() {
		t.Errorf("Running: got false, want true for the creator")
	}
}

func TestCreateRefusesSymlink(t *testing.T) {
	dir := t.TempDir()
	target := filepath.Join(dir, "precious")
	if err := os.WriteFile(target, []byte("do not touch"), 0o600); err != nil {
		t.Fatal(err)
	}
	link := filepath.Join(dir, "scoreboard")
	if err := os.Symlink(target, link); err != nil {
		t.Fatal(err)
	}
	if _, err := Create(link, testLayout); !errors.Is(err, ErrSymlink) {
		t.Errorf("Create on symlink: got %v, want %v", err, ErrSymlink)
	}
	if _, err := OpenReadOnly(link); !errors.Is(err, ErrSymlink) {
		t.Errorf("OpenReadOnly on symlink: got %v, want %v", err, ErrSymlink)
	}
	if got, _ := os.ReadFile(target); string(got) != "do not touch" {
		t.Errorf("symlink target: got %q, want it untouched", got)
	}
	if _, err := Create(dir, testLayout); !errors.Is(err, ErrNotRegular) && err == nil {
		t.Errorf("Create on a directory: got %v, want an error", err)
	}
}

// TestCreateTakesOwnership: a leftover file at the path that another user
// owns (and left writable) becomes root's, mode 0644, when root creates
// the scoreboard: that user can no longer write it through the path.
func TestCreateTakesOwnership(t *testing.T) {
	if os.Geteuid() != 0 {
		t.Skip("needs root to give the file another owner")
	}
	path := filepath.Join(t.TempDir(), "scoreboard")
	writeFile(t, path, []byte("left by someone else"))
	if err := os.Chmod(path, 0o666); err != nil {
		t.Fatal(err)
	}
	if err := os.Chown(path, 65534, 65534); err != nil {
		t.Fatal(err)
	}
	s, err := Create(path, testLayout)
	if err != nil {
		t.Fatal(err)
	}
	defer s.Close()
	st, err := os.Stat(path)
	if err != nil {
		t.Fatal(err)
	}
	if uid := fileUID(st); uid != 0 || st.Mode().Perm() != fileMode {
		t.Errorf("got owner %d mode %v, want 0 and %v", uid, st.Mode().Perm(), os.FileMode(fileMode))
	}
}

func TestCreateRefusesHardLink(t *testing.T) {
	dir := t.TempDir()
	victim := filepath.Join(dir, "victim")
	writeFile(t, victim, []byte("precious"))
	link := filepath.Join(dir, "scoreboard")
	if err := os.Link(victim, link); err != nil {
		t.Skipf("hard links unsupported here: %v", err)
	}
	if _, err := Create(link, testLayout); !errors.Is(err, ErrHardLink) {
		t.Errorf("Create on a hard link: got %v, want %v", err, ErrHardLink)
	}
	if got, _ := os.ReadFile(victim); string(got) != "precious" {
		t.Errorf("linked file: got %q, want it untouched", got)
	}
}

func TestCreateRefusesLiveFile(t *testing.T) {
	s, path := createTest(t, testLayout)
	s.Worker(1, 2).EndRequest(100, time.Millisecond)

	for _, l := range []Layout{testLayout, {ServerLimit: 2, ThreadLimit: 2}} {
		_, err := Create(path, l)
		var inUse *InUseError
		if !errors.As(err, &inUse) || !errors.Is(err, ErrInUse) {
			t.Fatalf("second Create %+v: got %v, want an *InUseError", l, err)
		}
		want := "scoreboard " + path + " is in use by eventmpm pid " + strconv.Itoa(os.Getpid())
		if err.Error() != want {
			t.Errorf("error: got %q, want %q", err, want)
		}
	}
	if got := s.Worker(1, 2).AccessCount(); got != 1 {
		t.Errorf("live scoreboard after refused Create: access_count got %d, want 1", got)
	}
	if st, _ := os.Stat(path); st.Size() != testLayout.Size() {
		t.Errorf("live scoreboard size: got %d, want %d", st.Size(), testLayout.Size())
	}
}

func TestCreateRefusesLockedGarbage(t *testing.T) {
	path := filepath.Join(t.TempDir(), "scoreboard")
	garbage := bytes.Repeat([]byte("not a scoreboard "), 100)
	if err := os.WriteFile(path, garbage, 0o600); err != nil {
		t.Fatal(err)
	}
	holder, err := os.Open(path)
	if err != nil {
		t.Fatal(err)
	}
	defer holder.Close()
	if err := unix.Flock(int(holder.Fd()), unix.LOCK_EX); err != nil {
		t.Fatal(err)
	}
	_, err = Create(path, testLayout)
	var inUse *InUseError
	if !errors.As(err, &inUse) || inUse.PID != 0 {
		t.Fatalf("Create over locked garbage: got %v, want *InUseError with PID 0", err)
	}
	if !strings.Contains(err.Error(), path) {
		t.Errorf("error %q does not name the file", err)
	}
	if got, _ := os.ReadFile(path); !bytes.Equal(got, garbage) {
		t.Errorf("locked file was modified")
	}
}

func TestCreateReinitialisesLeftover(t *testing.T) {
	path := filepath.Join(t.TempDir(), "scoreboard")
	tests := []struct {
		name    string
		prepare func(t *testing.T)
		l       Layout
	}{
		{"crashed run, same layout", func(t *testing.T) { leaveScoreboard(t, path, testLayout) }, testLayout},
		{"crashed run, other layout", func(t *testing.T) { leaveScoreboard(t, path, Layout{ServerLimit: 2, ThreadLimit: 3}) }, testLayout},
		{"garbage", func(t *testing.T) { writeFile(t, path, bytes.Repeat([]byte{0xA5}, 12345)) }, testLayout},
		{"empty", func(t *testing.T) { writeFile(t, path, nil) }, testLayout},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			tt.prepare(t)
			s, err := Create(path, tt.l)
			if err != nil {
				t.Fatalf("Create: %v", err)
			}
			defer s.Close()
			raw, _ := os.ReadFile(path)
			if int64(len(raw)) != tt.l.Size() {
				t.Fatalf("size: got %d, want %d", len(raw), tt.l.Size())
			}
			if !bytes.Equal(raw[HeaderSize:], make([]byte, len(raw)-HeaderSize)) {
				t.Errorf("slots not zeroed")
			}
			var snap Snapshot
			s.Snapshot(&snap)
			if snap.Layout != tt.l || snap.ServerName != "" || snap.Generation != 0 {
				t.Errorf("snapshot: got layout %+v name %q gen %d, want %+v, empty, 0", snap.Layout, snap.ServerName, snap.Generation, tt.l)
			}
		})
	}
}

// leaveScoreboard makes a used scoreboard at path and closes it without
// cleanup, as a crashed parent would leave it.
func leaveScoreboard(t *testing.T, path string, l Layout) {
	t.Helper()
	s, err := Create(path, l)
	if err != nil {
		t.Fatal(err)
	}
	s.SetServerInfo(ServerInfo{ServerName: "old.example"})
	s.SetGeneration(7)
	s.Process(1).Claim(99999, 7)
	w := s.Worker(1, 1)
	w.Start(99999, 7)
	w.EndRequest(5000, time.Second)
	w.SetRequestInfo([]byte("10.0.0.1"), []byte("GET / HTTP/1.1"), []byte("old:80"), []byte("HTTP/1.1"))
	s.Close()
}

func writeFile(t *testing.T, path string, b []byte) {
	t.Helper()
	if err := os.WriteFile(path, b, 0o600); err != nil {
		t.Fatal(err)
	}
}

func TestOpenReadOnlyRefusesBadFiles(t *testing.T) {
	dir := t.TempDir()
	good := filepath.Join(dir, "good")
	leaveScoreboard(t, good, testLayout)
	raw, err := os.ReadFile(good)
	if err != nil {
		t.Fatal(err)
	}
	patch := func(off int, v uint32) []byte {
		b := bytes.Clone(raw)
		binary.NativeEndian.PutUint32(b[off:], v)
		return b
	}
	tests := []struct {
		name string
		data []byte
		want error
	}{
		{"empty", nil, ErrNotScoreboard},
		{"short", raw[:100], ErrNotScoreboard},
		{"garbage", bytes.Repeat([]byte{0x5A}, len(raw)), ErrNotScoreboard},
		{"magic", append([]byte("XVMPMSCB"), raw[8:]...), ErrNotScoreboard},
		{"version", patch(8, LayoutVersion+1), ErrVersion},
		{"byte order", patch(12, 0x04030201), ErrLayoutMismatch},
		{"server limit", patch(16, 5), ErrLayoutMismatch},
		{"thread limit zero", patch(20, 0), ErrLayoutMismatch},
		{"worker size", patch(32, 256), ErrLayoutMismatch},
		{"truncated", raw[:len(raw)-WorkerSize], ErrLayoutMismatch},
		{"extended", append(bytes.Clone(raw), make([]byte, 8)...), ErrLayoutMismatch},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			path := filepath.Join(dir, strings.ReplaceAll(tt.name, " ", "_"))
			writeFile(t, path, tt.data)
			s, err := OpenReadOnly(path)
			if err == nil {
				s.Close()
			}
			if !errors.Is(err, tt.want) {
				t.Errorf("OpenReadOnly: got %v, want %v", err, tt.want)
			}
			f, _ := os.OpenFile(path, os.O_RDWR, 0)
			if s, err := Attach(f); !errors.Is(err, tt.want) {
				t.Errorf("Attach: got %v, want %v", err, tt.want)
				if s != nil {
					s.Close()
				}
			} else {
				f.Close()
			}
		})
	}
}

func TestOpenReadOnlyRunning(t *testing.T) {
	s, path := createTest(t, testLayout)
	s.SetServerInfo(ServerInfo{ServerName: "www.example.com", ThreadsPerChild: 8, ActiveDaemonsLimit: 3, MaxRequestWorkers: 24, ExtendedStatus: true})
	r, err := OpenReadOnly(path)
	if err != nil {
		t.Fatalf("OpenReadOnly: %v", err)
	}
	defer r.Close()
	if !r.Running() {
		t.Errorf("Running while the creator holds the lock: got false, want true")
	}
	want := ServerInfo{ServerName: "www.example.com", ThreadsPerChild: 8, ActiveDaemonsLimit: 3, MaxRequestWorkers: 24, ExtendedStatus: true}
	if got := r.ServerInfo(); got != want {
		t.Errorf("ServerInfo: got %+v, want %+v", got, want)
	}
	// The probe must not disturb the owner's lock.
	if _, err := Create(path, testLayout); !errors.Is(err, ErrInUse) {
		t.Errorf("Create after a Running probe: got %v, want %v", err, ErrInUse)
	}
	s.Close()
	if r.Running() {
		t.Errorf("Running after the creator closed: got true, want false")
	}
}

func TestAttachSharesMemoryAndLock(t *testing.T) {
	s, path := createTest(t, testLayout)
	fd, err := unix.Dup(int(s.File().Fd()))
	if err != nil {
		t.Fatal(err)
	}
	c, err := Attach(os.NewFile(uintptr(fd), "inherited"))
	if err != nil {
		t.Fatalf("Attach: %v", err)
	}
	defer c.Close()
	c.Worker(3, 7).EndRequest(42, time.Millisecond)
	if got := s.Worker(3, 7).BytesServed(); got != 42 {
		t.Errorf("parent sees child's bytes_served: got %d, want 42", got)
	}
	// The parent goes away; the child's descriptor keeps the lock.
	s.Close()
	if _, err := Create(path, testLayout); !errors.Is(err, ErrInUse) {
		t.Errorf("Create while a child holds the inherited lock: got %v, want %v", err, ErrInUse)
	}
	if !c.Running() {
		t.Errorf("child Running: got false, want true")
	}
}

func TestMappingAligned(t *testing.T) {
	s, _ := createTest(t, testLayout)
	if p := uintptr(unsafe.Pointer(s.h)); p%8 != 0 {
		t.Errorf("mapping at %#x is not 8-aligned", p)
	}
}
