package shm

import (
	"path/filepath"
	"testing"
	"time"
)

func benchScoreboard(b *testing.B, l Layout) *Scoreboard {
	b.Helper()
	s, err := Create(filepath.Join(b.TempDir(), "scoreboard"), l)
	if err != nil {
		b.Fatal(err)
	}
	b.Cleanup(func() { s.Close() })
	return s
}

func BenchmarkSetStatus(b *testing.B) {
	w := benchScoreboard(b, Layout{ServerLimit: 1, ThreadLimit: 1}).Worker(0, 0)
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		w.SetStatus(Status(2 + i&1))
	}
}

func BenchmarkEndRequest(b *testing.B) {
	w := benchScoreboard(b, Layout{ServerLimit: 1, ThreadLimit: 1}).Worker(0, 0)
	w.BeginRequest(time.Now())
	b.ReportAllocs()
	for b.Loop() {
		w.EndRequest(1024, time.Millisecond)
	}
}

func BenchmarkSetRequestInfo(b *testing.B) {
	w := benchScoreboard(b, Layout{ServerLimit: 1, ThreadLimit: 1}).Worker(0, 0)
	client, vhost, proto := []byte("192.0.2.77"), []byte("www.example.com:80"), []byte("HTTP/1.1")
	reqs := [][]byte{[]byte("GET /index.html HTTP/1.1"), []byte("GET /style.css HTTP/1.1")}
	b.Run("changed", func(b *testing.B) {
		b.ReportAllocs()
		for i := 0; b.Loop(); i++ {
			w.SetRequestInfo(client, reqs[i&1], vhost, proto)
		}
	})
	b.Run("unchanged", func(b *testing.B) {
		b.ReportAllocs()
		for b.Loop() {
			w.SetRequestInfo(client, reqs[0], vhost, proto)
		}
	})
}

// BenchmarkRequest is the whole per-request sequence of a worker.
func BenchmarkRequest(b *testing.B) {
	w := benchScoreboard(b, Layout{ServerLimit: 1, ThreadLimit: 1}).Worker(0, 0)
	client, vhost, proto := []byte("192.0.2.77"), []byte("www.example.com:80"), []byte("HTTP/1.1")
	reqs := [][]byte{[]byte("GET /index.html HTTP/1.1"), []byte("GET /style.css HTTP/1.1")}
	b.ReportAllocs()
	for i := 0; b.Loop(); i++ {
		w.SetStatus(BusyRead)
		w.BeginRequest(time.Now())
		w.SetRequestInfo(client, reqs[i&1], vhost, proto)
		w.SetStatus(BusyWrite)
		w.EndRequest(1024, time.Millisecond)
		w.SetStatus(Ready)
	}
}

// BenchmarkSnapshot copies Apache's default layout (16×64 slots).
func BenchmarkSnapshot(b *testing.B) {
	s := benchScoreboard(b, Layout{ServerLimit: 16, ThreadLimit: 64})
	var snap Snapshot
	s.Snapshot(&snap) // the first call sizes the slices
	b.ReportAllocs()
	for b.Loop() {
		s.Snapshot(&snap)
	}
}
