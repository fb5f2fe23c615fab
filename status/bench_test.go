package status

import (
	"testing"
	"time"

	"eventmpm/shm"
)

// benchSnapshot is Apache's default layout (16×64) with a busy mix.
func benchSnapshot(b *testing.B) (*shm.Snapshot, Info) {
	sb := liveScoreboard(b)
	var snap shm.Snapshot
	sb.Snapshot(&snap)
	info := NewInfo(&snap, time.Now())
	return &snap, info
}

func benchRender(b *testing.B, render func([]byte, *shm.Snapshot, *Info) []byte) {
	snap, info := benchSnapshot(b)
	buf := render(nil, snap, &info)
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		buf = render(buf[:0], snap, &info)
	}
}

func BenchmarkAppendAuto(b *testing.B) { benchRender(b, AppendAuto) }
func BenchmarkAppendHTML(b *testing.B) { benchRender(b, AppendHTML) }
func BenchmarkAppendJSON(b *testing.B) { benchRender(b, AppendJSON) }
func BenchmarkAppendText(b *testing.B) { benchRender(b, AppendText) }

// BenchmarkMetricsRender is one /metrics scrape's rendering: gather through
// the private registry, then the text encoding, into a reused buffer.
func BenchmarkMetricsRender(b *testing.B) {
	snap, info := benchSnapshot(b)
	m := NewMetrics()
	buf, err := m.Append(nil, snap, &info)
	if err != nil {
		b.Fatal(err)
	}
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		if buf, err = m.Append(buf[:0], snap, &info); err != nil {
			b.Fatal(err)
		}
	}
}
