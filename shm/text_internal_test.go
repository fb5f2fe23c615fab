package shm

import (
	"bytes"
	"sync/atomic"
	"testing"
)

// TestStoreTextLengths stores every length of text from empty to longer
// than the field, over a field holding other text, and reads it back:
// truncated to the field and NUL-padded, whatever the length modulo 8
// (lastWord's overlapping load and its byte-by-byte path).
func TestStoreTextLengths(t *testing.T) {
	const words = 4
	src := []byte("abcdefghijklmnopqrstuvwxyz0123456789")
	for n := range len(src) + 1 {
		for _, before := range []string{"", "0123456789ABCDEFGHIJKLMNOPQRSTUV", "xy"} {
			var field [words]atomic.Uint64
			var seq atomic.Uint64
			storeText(field[:], []byte(before))
			open := uint64(0)
			storeTextSeq(field[:], src[:n], &seq, &open)
			if open != 0 {
				seqEnd(&seq, open)
			}
			got := make([]byte, words*8)
			loadText(got, field[:])
			want := make([]byte, words*8)
			copy(want, src[:min(n, words*8)])
			if !bytes.Equal(got, want) {
				t.Errorf("length %d over %q: field holds %q, want %q", n, before, got, want)
			}
			if changed := string(want) != string(append([]byte(before), make([]byte, words*8)...)[:words*8]); changed != (open != 0) {
				t.Errorf("length %d over %q: seqlock opened %v, want %v", n, before, open != 0, changed)
			}
		}
	}
}
