package static_test

import (
	"reflect"
	"testing"

	"eventmpm/child/static"
)

type R = static.Range

func TestParseRange(t *testing.T) {
	tests := []struct {
		field  string
		size   int64
		want   []R
		status int
	}{
		{field: "bytes=0-499", size: 1000, want: []R{{0, 499}}, status: 206},
		{field: "bytes=500-999", size: 1000, want: []R{{500, 999}}, status: 206},
		{field: "bytes=-500", size: 1000, want: []R{{500, 999}}, status: 206},
		{field: "bytes=9500-", size: 10000, want: []R{{9500, 9999}}, status: 206},
		{field: "bytes=0-0,-1", size: 10000, want: []R{{0, 0}, {9999, 9999}}, status: 206},
		{field: "bytes=0-", size: 1000, want: []R{{0, 999}}, status: 206},
		{field: "bytes=0-99999", size: 1000, want: []R{{0, 999}}, status: 206},
		{field: "bytes=-99999", size: 1000, want: []R{{0, 999}}, status: 206},
		{field: "bytes=999-999", size: 1000, want: []R{{999, 999}}, status: 206},
		{field: "BYTES=0-1", size: 10, want: []R{{0, 1}}, status: 206},
		// List whitespace and empty elements.
		{field: "bytes= 0-1 , 3-4 ", size: 10, want: []R{{0, 1}, {3, 4}}, status: 206},
		{field: "bytes=0-1,,\t, 3-4,", size: 10, want: []R{{0, 1}, {3, 4}}, status: 206},
		// Merging: overlapping or adjacent to the previous range.
		{field: "bytes=0-10,5-20", size: 100, want: []R{{0, 20}}, status: 206},
		{field: "bytes=0-10,11-20", size: 100, want: []R{{0, 20}}, status: 206},
		{field: "bytes=10-20,0-9", size: 100, want: []R{{0, 20}}, status: 206},
		{field: "bytes=0-10,12-20", size: 100, want: []R{{0, 10}, {12, 20}}, status: 206},
		{field: "bytes=50-60,0-10", size: 100, want: []R{{50, 60}, {0, 10}}, status: 206},
		{field: "bytes=0-,5-10", size: 100, want: []R{{0, 99}}, status: 206},
		// Unsatisfiable parts are dropped; none left: 416.
		{field: "bytes=0-1,1000-2000", size: 1000, want: []R{{0, 1}}, status: 206},
		{field: "bytes=1000-", size: 1000, status: 416},
		{field: "bytes=1000-2000", size: 1000, status: 416},
		{field: "bytes=-0", size: 1000, status: 416},
		{field: "bytes=1000-,-0", size: 1000, status: 416},
		{field: "bytes=99999999999999999999999-", size: 1000, status: 416},
		{field: "bytes=0-99999999999999999999999", size: 1000, want: []R{{0, 999}}, status: 206},
		// Ignored: 200.
		{field: "bytes=0-1", size: 0, status: 0},
		{field: "bytes=-1", size: 0, status: 0},
		{field: "items=0-1", size: 10, status: 0},
		{field: "bytes 0-1", size: 10, status: 0},
		{field: "bytes=", size: 10, status: 0},
		{field: "bytes=,", size: 10, status: 0},
		{field: "bytes=5-4", size: 10, status: 0},
		{field: "bytes=0-1,5-4", size: 10, status: 0},
		{field: "bytes=-", size: 10, status: 0},
		{field: "bytes=a-b", size: 10, status: 0},
		{field: "bytes=0 -1", size: 10, status: 0},
		{field: "bytes=0- 1", size: 10, status: 0},
		{field: "bytes=+1-2", size: 10, status: 0},
		{field: "bytes=1-2-3", size: 10, status: 0},
		{field: "bytes=1-2;x", size: 10, status: 0},
		{field: "bytes=0-5,0-5", size: 8, want: []R{{0, 5}}, status: 206},
		{field: "bytes=0-5,7-7,0-5", size: 8, status: 0},                 // 6+1+6 > 8
		{field: "bytes=0-5,-6", size: 8, want: []R{{0, 7}}, status: 206}, // -6 is 2-7: merged
	}
	for _, tt := range tests {
		got, status := static.ParseRange(tt.field, tt.size)
		if status != tt.status || !reflect.DeepEqual(got, tt.want) {
			t.Errorf("parseRange(%q, %d) = %v, %d; want %v, %d", tt.field, tt.size, got, status, tt.want, tt.status)
		}
	}
}

func TestParseRangeLimit(t *testing.T) {
	field := "bytes="
	for i := 0; i < static.DefaultMaxRanges; i++ {
		if i > 0 {
			field += ","
		}
		field += itoa(i*2) + "-" + itoa(i*2)
	}
	if got, status := static.ParseRange(field, 1000); status != 206 || len(got) != static.DefaultMaxRanges {
		t.Errorf("%d ranges: got %d ranges, status %d; want %d, 206", static.DefaultMaxRanges, len(got), status, static.DefaultMaxRanges)
	}
	if _, status := static.ParseRange(field+",999-999", 1000); status != 0 {
		t.Errorf("%d ranges: status %d, want 0 (ignored)", static.DefaultMaxRanges+1, status)
	}
}

func itoa(i int) string {
	if i == 0 {
		return "0"
	}
	var b []byte
	for ; i > 0; i /= 10 {
		b = append([]byte{byte('0' + i%10)}, b...)
	}
	return string(b)
}

// TestMaxRangesOption: MaxRanges N sends the whole file for a Range with
// more than N specs; MaxRanges none ignores Range and says so in
// Accept-Ranges, as Apache's ap_set_accept_ranges does.
func TestMaxRangesOption(t *testing.T) {
	s := buildSite(t)
	one := newHandler(t, s, func(o *static.Options) { o.MaxRanges = 1 })
	if r := serve(t, one, "GET", "/data.bin", "Range", "bytes=0-9"); r.Status != 206 || len(r.Body) != 10 {
		t.Errorf("MaxRanges 1, one range: %d, %d bytes; want 206, 10", r.Status, len(r.Body))
	}
	if r := serve(t, one, "GET", "/data.bin", "Range", "bytes=0-9,20-29"); r.Status != 200 || len(r.Body) != 1000 {
		t.Errorf("MaxRanges 1, two ranges: %d, %d bytes; want 200, the whole file", r.Status, len(r.Body))
	}
	none := newHandler(t, s, func(o *static.Options) { o.MaxRanges = static.NoRanges })
	for pass := 0; pass < 2; pass++ { // a miss, then the cached entry
		r := serve(t, none, "GET", "/data.bin", "Range", "bytes=0-9")
		if r.Status != 200 || len(r.Body) != 1000 || headerValue(r.Header, "Accept-Ranges") != "none" {
			t.Errorf("MaxRanges none: %d, %d bytes, Accept-Ranges %q; want 200, the whole file, none", r.Status, len(r.Body), headerValue(r.Header, "Accept-Ranges"))
		}
	}
	def := newHandler(t, s, nil)
	if r := serve(t, def, "GET", "/data.bin"); headerValue(r.Header, "Accept-Ranges") != "bytes" {
		t.Errorf("default: Accept-Ranges %q, want bytes", headerValue(r.Header, "Accept-Ranges"))
	}
}
