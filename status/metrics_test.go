package status

import (
	"bytes"
	"path/filepath"
	"testing"
)

// TestMetricsGolden renders the fixture scoreboard as the Prometheus text
// exposition and compares it with testdata/metrics.txt (-update rewrites).
func TestMetricsGolden(t *testing.T) {
	snap := fixtureSnapshot()
	info := fixtureInfo(snap)
	got, err := NewMetrics().Append([]byte("prefix:"), snap, &info)
	if err != nil {
		t.Fatal(err)
	}
	if !bytes.HasPrefix(got, []byte("prefix:")) {
		t.Fatalf("Append did not append to dst")
	}
	checkGolden(t, filepath.Join("testdata", "metrics.txt"), got[len("prefix:"):])
}
