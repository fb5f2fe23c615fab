package static

import (
	"hash/maphash"
	"sync"
	"sync/atomic"
)

// cache is the open-file cache: entries keyed by request path, split over
// a power-of-two number of shards. A lookup takes no lock: each shard
// publishes an immutable map through an atomic pointer, and writers (a
// miss that fills, an invalidation, an eviction) copy it under the shard's
// mutex. Lookups thus cost one atomic load and one map probe, and readers
// on many cores never write a shared cache line (a sync.RWMutex's RLock
// would). Eviction is CLOCK (second chance) per shard: a hit sets the
// entry's used bit, and the hand clears bits until it finds an unused
// entry.
//
// The cache holds one reference to each entry's File; a hit takes another
// with File.acquire, which fails once the count has dropped to zero, so a
// reader that found an entry just evicted treats it as a miss instead of
// reviving a closed descriptor.
type cache struct {
	shards   []shard
	mask     uint64
	perShard int
	seed     maphash.Seed
}

// shard is one slice of the cache.
type shard struct {
	m    atomic.Pointer[map[string]*entry]
	mu   sync.Mutex // serializes writers
	ring []*entry   // the CLOCK ring, under mu
	hand int
	_    [64]byte // keep neighbouring shards' hot words apart
}

// maxShards bounds the shard count; minPerShard keeps small caches from
// being split into tiny shards that evict at random.
const (
	maxShards   = 64
	minPerShard = 8
)

// newCache returns a cache of at most maxEntries entries.
func newCache(maxEntries int) *cache {
	n := 1
	for n < maxShards && n*2*minPerShard <= maxEntries {
		n *= 2
	}
	c := &cache{shards: make([]shard, n), mask: uint64(n - 1), perShard: maxEntries / n, seed: maphash.MakeSeed()}
	for i := range c.shards {
		empty := map[string]*entry{}
		c.shards[i].m.Store(&empty)
	}
	return c
}

// shardOf returns the shard for key.
func (c *cache) shardOf(key []byte) *shard {
	return &c.shards[maphash.Bytes(c.seed, key)&c.mask]
}

// get returns the entry for key with a reference to its File taken, or nil.
func (c *cache) get(key []byte) *entry {
	e := (*c.shardOf(key).m.Load())[string(key)]
	if e == nil {
		return nil
	}
	if !e.used.Load() {
		e.used.Store(true)
	}
	if e.file != nil && !e.file.acquire() {
		return nil
	}
	return e
}

// insert adds e, replacing an entry with the same key and evicting one
// when the shard is full. The cache takes over the caller's first
// reference to e.file.
func (c *cache) insert(e *entry) {
	s := c.shardOf([]byte(e.key))
	var gone *entry
	s.mu.Lock()
	old := *s.m.Load()
	m := make(map[string]*entry, len(old)+1)
	for k, v := range old {
		m[k] = v
	}
	if prev := m[e.key]; prev != nil {
		s.unring(prev)
		gone = prev
	} else if len(s.ring) >= c.perShard {
		gone = s.evict()
		delete(m, gone.key)
	}
	m[e.key] = e
	s.ring = append(s.ring, e)
	s.m.Store(&m)
	s.mu.Unlock()
	if gone != nil {
		gone.retire()
	}
}

// drop removes e if it is still the entry for its key, releasing the
// cache's reference.
func (c *cache) drop(e *entry) {
	s := c.shardOf([]byte(e.key))
	s.mu.Lock()
	old := *s.m.Load()
	if old[e.key] != e {
		s.mu.Unlock()
		return
	}
	m := make(map[string]*entry, len(old))
	for k, v := range old {
		if v != e {
			m[k] = v
		}
	}
	s.unring(e)
	s.m.Store(&m)
	s.mu.Unlock()
	e.retire()
}

// clear removes every entry.
func (c *cache) clear() {
	for i := range c.shards {
		s := &c.shards[i]
		s.mu.Lock()
		ring := s.ring
		empty := map[string]*entry{}
		s.m.Store(&empty)
		s.ring, s.hand = nil, 0
		s.mu.Unlock()
		for _, e := range ring {
			e.retire()
		}
	}
}

// len returns the number of cached entries.
func (c *cache) len() int {
	n := 0
	for i := range c.shards {
		n += len(*c.shards[i].m.Load())
	}
	return n
}

// evict takes the CLOCK victim out of the ring and returns it.
func (s *shard) evict() *entry {
	for {
		if s.hand >= len(s.ring) {
			s.hand = 0
		}
		e := s.ring[s.hand]
		if e.used.Load() {
			e.used.Store(false)
			s.hand++
			continue
		}
		s.removeAt(s.hand)
		return e
	}
}

// unring removes e from the ring.
func (s *shard) unring(e *entry) {
	for i, x := range s.ring {
		if x == e {
			s.removeAt(i)
			return
		}
	}
}

// removeAt deletes ring[i], keeping the order so the hand stays fair.
func (s *shard) removeAt(i int) {
	copy(s.ring[i:], s.ring[i+1:])
	s.ring[len(s.ring)-1] = nil
	s.ring = s.ring[:len(s.ring)-1]
	if s.hand > i {
		s.hand--
	}
}
