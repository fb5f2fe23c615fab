package accesslog_test

import (
	"path/filepath"
	"testing"

	"eventmpm/child/accesslog"
)

func benchmarkAppend(b *testing.B, format string) {
	c := accesslog.MustCompile(format)
	e := newEntry()
	buf := c.Append(nil, e)
	b.ReportAllocs()
	b.SetBytes(int64(len(buf)))
	for b.Loop() {
		buf = c.Append(buf[:0], e)
	}
}

func BenchmarkAppendCommon(b *testing.B)   { benchmarkAppend(b, common) }
func BenchmarkAppendCombined(b *testing.B) { benchmarkAppend(b, combined) }

// BenchmarkBufferWrite measures a worker logging combined lines to a real
// file: formatting plus its share of the flushes.
func BenchmarkBufferWrite(b *testing.B) {
	l, err := accesslog.Open(filepath.Join(b.TempDir(), "access_log"), accesslog.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	c := accesslog.MustCompile(combined)
	e := newEntry()
	b.ReportAllocs()
	b.RunParallel(func(pb *testing.PB) {
		buf := l.NewBuffer()
		for pb.Next() {
			buf.WriteEntry(c, e)
		}
		buf.Flush()
	})
}

// BenchmarkBufferWriteSerial is one worker, for the cost of a line without
// contention on the file.
func BenchmarkBufferWriteSerial(b *testing.B) {
	l, err := accesslog.Open(filepath.Join(b.TempDir(), "access_log"), accesslog.Options{})
	if err != nil {
		b.Fatal(err)
	}
	defer l.Close()
	c := accesslog.MustCompile(combined)
	e := newEntry()
	buf := l.NewBuffer()
	b.ReportAllocs()
	for b.Loop() {
		buf.WriteEntry(c, e)
	}
	buf.Flush()
}
