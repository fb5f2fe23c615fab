//go:build !race

package status

import (
	"testing"
	"time"

	"eventmpm/shm"
)

// TestRenderAllocs: /server-status renders into a reused buffer without
// allocating (HTML, ?auto and JSON), so the page stays cheap under load.
func TestRenderAllocs(t *testing.T) {
	sb := liveScoreboard(t)
	var snap shm.Snapshot
	sb.Snapshot(&snap)
	info := NewInfo(&snap, time.Now())
	info.Full = true
	for _, tt := range []struct {
		name   string
		render func([]byte, *shm.Snapshot, *Info) []byte
	}{
		{"AppendAuto", AppendAuto}, {"AppendHTML", AppendHTML}, {"AppendJSON", AppendJSON},
	} {
		buf := tt.render(nil, &snap, &info)
		if got := testing.AllocsPerRun(20, func() { buf = tt.render(buf[:0], &snap, &info) }); got != 0 {
			t.Errorf("%s: got %v allocs, want 0", tt.name, got)
		}
	}
}
