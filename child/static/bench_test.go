package static_test

import (
	"fmt"
	"hash/maphash"
	"sync"
	"sync/atomic"
	"testing"
	"time"

	"eventmpm/child/static"
)

// benchServe measures CleanPath plus Serve plus Release for one request.
func benchServe(b *testing.B, mod func(*static.Options), method, target string, hdr ...string) {
	s := buildSite(b)
	h := newHandler(b, s, mod)
	req := newRequest(method, "", hdr...)
	raw := []byte(target)
	dst := make([]byte, 0, 64)
	var r static.Reply
	b.ReportAllocs()
	for b.Loop() {
		p, _ := static.CleanPath(raw, dst)
		h.Serve(req, p, &r)
		r.Release()
	}
}

func BenchmarkServeSmallCached(b *testing.B) { benchServe(b, nil, "GET", "/hello.txt") }

// BenchmarkServeCachedRecentSync is a hit for a request that arrived
// before the last sync (another worker's, under load): no system call.
func BenchmarkServeCachedRecentSync(b *testing.B) {
	benchServeAt(b, "/hello.txt", func(start int64) int64 { return start })
}

// BenchmarkServeCachedForcedSync is a hit for a request that arrived after
// the last sync, so it syncs: one epoll_wait(2) of the notifier.
func BenchmarkServeCachedForcedSync(b *testing.B) {
	benchServeAt(b, "/hello.txt", func(int64) int64 { return time.Now().UnixNano() })
}

// benchServeAt measures hits for requests whose arrival time is given by
// arrival, called with the time the loop started.
func benchServeAt(b *testing.B, target string, arrival func(start int64) int64) {
	s := buildSite(b)
	h := newHandler(b, s, nil)
	req := newRequest("GET", "")
	var r static.Reply
	h.Serve(req, []byte(target), &r) // fill
	r.Release()
	start := time.Now().UnixNano()
	h.Serve(req, []byte(target), &r) // sync
	r.Release()
	b.ReportAllocs()
	for b.Loop() {
		h.ServeAt(req, []byte(target), &r, arrival(start))
		if r.Status != 200 {
			b.Fatalf("status %d", r.Status)
		}
		r.Release()
	}
}

func BenchmarkServeIndex(b *testing.B) { benchServe(b, nil, "GET", "/") }

func BenchmarkServeLargeFile(b *testing.B) { benchServe(b, nil, "GET", "/big.bin") }

func BenchmarkServeNotModified(b *testing.B) {
	benchServe(b, nil, "GET", "/hello.txt", "If-None-Match", etagOf(13))
}

func BenchmarkServeIfModifiedSince(b *testing.B) {
	benchServe(b, nil, "GET", "/hello.txt", "If-Modified-Since", fileTimeHTTP)
}

func BenchmarkServeRange(b *testing.B) {
	benchServe(b, nil, "GET", "/data.bin", "Range", "bytes=100-199")
}

func BenchmarkServeRangeLargeFile(b *testing.B) {
	benchServe(b, nil, "GET", "/big.bin", "Range", "bytes=1000-1999")
}

func BenchmarkServeMultiRange(b *testing.B) {
	benchServe(b, nil, "GET", "/data.bin", "Range", "bytes=0-9,100-199,-10")
}

// BenchmarkServeUncached is the miss path: open, fstat, read or sendfile.
func BenchmarkServeUncached(b *testing.B) {
	benchServe(b, func(o *static.Options) { o.CacheMaxEntries = 0 }, "GET", "/hello.txt")
}

// BenchmarkServeNoFollow resolves on every request (FollowSymLinks off).
func BenchmarkServeNoFollow(b *testing.B) { benchServe(b, nil, "GET", "/nofollow/real.txt") }

func BenchmarkServeSmallCachedParallel(b *testing.B) {
	s := buildSite(b)
	h := newHandler(b, s, nil)
	b.ReportAllocs()
	b.ResetTimer()
	b.RunParallel(func(pb *testing.PB) {
		req := newRequest("GET", "")
		dst := make([]byte, 0, 64)
		raw := []byte("/hello.txt")
		var r static.Reply
		for pb.Next() {
			p, _ := static.CleanPath(raw, dst)
			h.Serve(req, p, &r)
			r.Release()
		}
	})
}

func BenchmarkCleanPath(b *testing.B) {
	raw := []byte("/static/css/../js/./app%20min.js")
	dst := make([]byte, 0, len(raw))
	b.ReportAllocs()
	for b.Loop() {
		static.CleanPath(raw, dst)
	}
}

// The two lookups below compare the cache's lock-free design (an atomic
// pointer to an immutable map per shard) with a sharded RWMutex map under
// parallel reads of a few hot keys, the case that decides the design.

type cowShard struct {
	m atomic.Pointer[map[string]int]
	_ [56]byte
}

type rwShard struct {
	mu sync.RWMutex
	m  map[string]int
	_  [32]byte
}

func benchKeys() [][]byte {
	keys := make([][]byte, 4)
	for i := range keys {
		keys[i] = []byte(fmt.Sprintf("/static/file%d.css", i))
	}
	return keys
}

func BenchmarkLookupAtomicMap(b *testing.B) {
	seed := maphash.MakeSeed()
	shards := make([]cowShard, 64)
	for i := range shards {
		m := map[string]int{}
		shards[i].m.Store(&m)
	}
	keys := benchKeys()
	for i, k := range keys {
		s := &shards[maphash.Bytes(seed, k)&63]
		m := *s.m.Load()
		m[string(k)] = i
	}
	b.RunParallel(func(pb *testing.PB) {
		n := 0
		for pb.Next() {
			k := keys[n&3]
			n++
			_ = (*shards[maphash.Bytes(seed, k)&63].m.Load())[string(k)]
		}
	})
}

func BenchmarkLookupRWMutexMap(b *testing.B) {
	seed := maphash.MakeSeed()
	shards := make([]rwShard, 64)
	for i := range shards {
		shards[i].m = map[string]int{}
	}
	keys := benchKeys()
	for i, k := range keys {
		shards[maphash.Bytes(seed, k)&63].m[string(k)] = i
	}
	b.RunParallel(func(pb *testing.PB) {
		n := 0
		for pb.Next() {
			k := keys[n&3]
			n++
			s := &shards[maphash.Bytes(seed, k)&63]
			s.mu.RLock()
			_ = s.m[string(k)]
			s.mu.RUnlock()
		}
	})
}
