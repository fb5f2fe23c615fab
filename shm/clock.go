package shm

import (
	"sync"
	"sync/atomic"
	"time"
)

// The since field of a worker's state word holds whole seconds, but
// time.Now costs more than the CAS it would stamp (tens of ns under a
// hypervisor, several times per request). While a writable Scoreboard is
// open in the process, a ticker keeps a coarse Unix-seconds clock instead;
// since is then accurate to about a second, which is all it promises.
const clockTick = 250 * time.Millisecond

var clock struct {
	mu   sync.Mutex
	refs int
	stop chan struct{}
	now  atomic.Int64 // Unix seconds; 0 while no ticker runs
}

// nowSeconds returns the coarse clock, or the exact time when no ticker runs.
func nowSeconds() uint32 {
	if s := clock.now.Load(); s > 0 {
		return uint32(s)
	}
	return unixSeconds(time.Now())
}

// startClock starts the ticker for the first writable Scoreboard.
func startClock() {
	clock.mu.Lock()
	defer clock.mu.Unlock()
	clock.refs++
	if clock.refs > 1 {
		return
	}
	clock.now.Store(time.Now().Unix())
	stop := make(chan struct{})
	clock.stop = stop
	go func() {
		t := time.NewTicker(clockTick)
		defer t.Stop()
		for {
			select {
			case now := <-t.C:
				clock.now.Store(now.Unix())
			case <-stop:
				return
			}
		}
	}()
}

// stopClock stops the ticker when the last writable Scoreboard closes.
func stopClock() {
	clock.mu.Lock()
	defer clock.mu.Unlock()
	clock.refs--
	if clock.refs > 0 {
		return
	}
	clock.now.Store(0)
	close(clock.stop)
	clock.stop = nil
}
