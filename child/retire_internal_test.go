package child

import (
	"testing"
	"time"

	"eventmpm/config"
	"eventmpm/shm"
)

// TestRetireLate: the watch over a proxied request's wait on its backend
// keeps the worker while another worker of the pool is idle and the wait
// is younger than retireAfter, and retires it once the wait is older, or
// at once when no worker is idle; a script's wait never retires it. A
// retired worker's successor takes its scoreboard slot and serves on.
func TestRetireLate(t *testing.T) {
	for _, tc := range []struct {
		name   string
		idle   bool          // another worker of the pool is parked
		waited time.Duration // how long the wait has lasted
		fcgi   bool
		want   bool
	}{
		{"young wait, a worker idle", true, 0, false, false},
		{"young wait, none idle", false, 0, false, true},
		{"old wait, a worker idle", true, retireAfter, false, true},
		{"a script's wait, none idle", false, retireAfter, true, false},
	} {
		t.Run(tc.name, func(t *testing.T) {
			tc2 := newTestChild(t, "Listen 127.0.0.1:80\nDocumentRoot htdocs\n", nil)
			w, ch := tc2.w, tc2.ch
			w.proxyRoute = &proxyRoute{cfg: &config.ProxyPass{FCGI: tc.fcgi}}
			w.start = time.Now()
			other := newWaiter()
			if tc.idle {
				if c, _ := tc2.l.hand.take(&other); c != nil {
					t.Fatal("a connection was queued")
				}
			}
			w.armRetire()
			w.watch.mu.Lock()
			w.watch.since -= int64(tc.waited)
			w.watch.mu.Unlock()
			w.retireLate()
			w.disarmRetire()
			if w.retired != tc.want {
				t.Fatalf("retired %v, want %v", w.retired, tc.want)
			}
			tc2.l.hand.close() // the successor, if any, ends
			ch.workerGroup.Wait()
			if !tc.want {
				return
			}
			if w.slot != nil || ch.retired.Load() != 1 {
				t.Errorf("retired worker: slot %v, retired count %d", w.slot, ch.retired.Load())
			}
			if st := ch.proc.Worker(0).Status(); st != shm.Dead {
				t.Errorf("the slot after its successor ended: %v, want Dead", st)
			}
		})
	}
}
