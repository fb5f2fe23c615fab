//go:build !race

package shm

import (
	"testing"
	"time"
)

// TestHotPathAllocs: the calls a worker makes per request, and a reused
// Snapshot, allocate nothing.
func TestHotPathAllocs(t *testing.T) {
	s, _ := createTest(t, Layout{ServerLimit: 4, ThreadLimit: 16})
	s.SetServerInfo(ServerInfo{ServerName: "www.example.com"})
	w := s.Worker(1, 1)
	w.Start(1, 0)
	client, req := []byte("192.0.2.77"), []byte("GET /some/long/path/that/exceeds/the/field/width/of/sixty-four/bytes HTTP/1.1")
	vhost, proto := []byte("www.example.com:80"), []byte("HTTP/1.1")
	now := time.Now()
	var snap Snapshot
	s.Snapshot(&snap)
	i := 0
	tests := []struct {
		name string
		f    func()
	}{
		{"SetStatus", func() { w.SetStatus(BusyWrite) }},
		{"BeginRequest", func() { w.BeginRequest(now) }},
		{"EndRequest", func() { w.EndRequest(1024, time.Millisecond) }},
		{"SetRequestInfo", func() { i++; client[len(client)-1] = byte('0' + i%10); w.SetRequestInfo(client, req, vhost, proto) }},
		{"ConnReset", func() { w.ConnReset() }},
		{"SetConnCounts", func() { s.Process(1).SetConnCounts(1, 2, 3, 4, 5, 6) }},
		{"Heartbeat", func() { s.Process(1).Heartbeat(now) }},
		{"Snapshot", func() { s.Snapshot(&snap) }},
	}
	for _, tt := range tests {
		if got := testing.AllocsPerRun(100, tt.f); got != 0 {
			t.Errorf("%s: got %v allocs, want 0", tt.name, got)
		}
	}
}
