package supervisor_test

import (
	"math/rand/v2"
	"slices"
	"sync"
	"syscall"
	"testing"
	"time"

	"eventmpm/internal/itest"
)

// Faults (issue 7): children killed in a loop, a hung child, the
// scoreboard file deleted or truncated under the running server, and a
// storm of graceful restarts, all under load. `make soak` runs the long
// versions (itest.Soak). The names hold "Fault" or "Storm" so that the
// soak target picks them.

// faultConf keeps client connections on their child (no keep-alive limit),
// so that a failure can be traced to the child that held it.
const faultConf = "MaxKeepAliveRequests 0\nKeepAliveTimeout 30\n"

// TestFaultKillLoop kills a random serving child with SIGKILL every 250 ms
// under keep-alive load, for 5 s (3 minutes in soak). The server keeps serving;
// the only requests that fail are on connections a killed child held (its
// requests die with it; the clients reconnect); and afterwards every
// process slot in the scoreboard belongs to a live child of the
// supervisor, none of the killed ones is left, and no worker is busy.
func TestFaultKillLoop(t *testing.T) {
	s := startServer(t, faultConf, nil)
	d := itest.Pick(5*time.Second, 3*time.Minute)
	o := loadOpts{addr: s.root.Addr(), path: "/index.html", want: []byte(indexBody), workers: 4, max: 1 << 40, dur: d + 60*time.Second}
	raw, htc := startRawLoad(t, o), startHTTPLoad(t, o)
	owners := watchOwners(s)
	time.Sleep(300 * time.Millisecond)

	var killed []int
	victimPorts := map[int]bool{}
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(250 * time.Millisecond) {
		cs := s.servingChildren(s.snapshot().Generation)
		if len(cs) == 0 {
			continue
		}
		// Stopped first, the victim accepts nothing more: the list of
		// the connections it holds is exact when it dies.
		victim := cs[rand.IntN(len(cs))].pid
		if err := syscall.Kill(victim, syscall.SIGSTOP); err != nil {
			continue
		}
		for port, pid := range connOwners(s.root.Port, []int{victim}) {
			if pid == victim {
				victimPorts[port] = true
			}
		}
		if err := syscall.Kill(victim, syscall.SIGKILL); err == nil {
			killed = append(killed, victim)
		}
	}
	time.Sleep(time.Second) // load on the children that replaced them
	rs, hs := raw.stop(), htc.stop()
	seen := owners()
	t.Logf("%d children killed in %v; raw clients: %v; net/http clients: %v", len(killed), d, rs, hs)
	t.Logf("errors: raw %v; net/http %v", rs.errs, hs.errs)

	// A failure must be on a connection a killed child held.
	victimOf := func(port int) bool {
		if victimPorts[port] {
			return true
		}
		for _, pid := range seen[port] {
			if slices.Contains(killed, pid) {
				return true
			}
		}
		return false
	}
	for name, st := range map[string]loadStats{"raw": rs, "net/http": hs} {
		for port, n := range st.failPorts {
			if port == 0 || !victimOf(port) {
				t.Errorf("%s client on port %d (children %v): %d failures, want none off the killed children", name, port, seen[port], n)
			}
		}
		if st.Requests == 0 {
			t.Errorf("%s clients: no request served", name)
		}
	}
	checkNoLeak(t, s, killed)
}

// watchOwners samples which child holds which client connection every 50
// ms until the returned function is called, which returns, per client
// port, every child pid seen holding it.
func watchOwners(s *server) func() map[int][]int {
	stop, done := make(chan struct{}), make(chan map[int][]int, 1)
	var once sync.Once
	var seen map[int][]int
	finish := func() map[int][]int {
		once.Do(func() { close(stop); seen = <-done })
		return seen
	}
	s.t.Cleanup(func() { finish() })
	go func() {
		seen := map[int][]int{}
		tk := time.NewTicker(50 * time.Millisecond)
		defer tk.Stop()
		for {
			for port, pid := range connOwners(s.root.Port, procChildren(s.pid())) {
				if !slices.Contains(seen[port], pid) {
					seen[port] = append(seen[port], pid)
				}
			}
			select {
			case <-stop:
				done <- seen
				return
			case <-tk.C:
			}
		}
	}()
	return finish
}

// checkNoLeak waits until the server is back to its steady state and
// checks that nothing leaked: the scoreboard's process slots in use are
// exactly the supervisor's live children (no slot held by a dead process,
// none of dead), all of the current generation, with no busy worker and no
// worker slot of a dead child marked busy.
func checkNoLeak(t *testing.T, s *server, dead []int) {
	t.Helper()
	var why string
	ok := func() bool {
		snap := s.snapshot()
		kids := procChildren(s.pid())
		var inBoard []int
		busy := 0
		for _, c := range s.children() {
			inBoard = append(inBoard, c.pid)
			busy += c.busy
			if c.gen != snap.Generation {
				why = "an old generation holds a slot"
				return false
			}
		}
		slices.Sort(inBoard)
		if !slices.Equal(inBoard, kids) {
			why = "scoreboard pids differ from the supervisor's children"
			return false
		}
		if busy > 0 {
			why = "busy workers"
			return false
		}
		for _, p := range dead {
			if slices.Contains(kids, p) || alive(p) {
				why = "a killed child is still there"
				return false
			}
		}
		for i := range snap.Workers {
			if w := &snap.Workers[i]; slices.Contains(dead, w.PID) && w.Status.Busy() {
				why = "a worker slot of a dead child is busy"
				return false
			}
		}
		return len(kids) >= s.starts
	}
	deadline := time.Now().Add(20 * time.Second)
	for !ok() {
		if time.Now().After(deadline) {
			t.Fatalf("after the faults: %s; scoreboard %+v, supervisor's children %v", why, s.children(), procChildren(s.pid()))
		}
		time.Sleep(100 * time.Millisecond)
	}
	slots := 0
	for _, p := range s.snapshot().Processes {
		if p.PID != 0 {
			slots++
		}
	}
	t.Logf("after the faults: %d process slots in use, %d live children, 0 leaked", slots, len(procChildren(s.pid())))
}

// TestFaultHungChild stops one child with SIGSTOP: its heartbeat stops,
// and the supervisor kills and replaces it once the heartbeat is older
// than the bound (supervisor.HangTimeout, 10 s; the short version sets it
// to 2 s through the test-only EVENTMPM_HANG_TIMEOUT). Meanwhile new
// clients are served by the other child.
func TestFaultHungChild(t *testing.T) {
	bound := 10 * time.Second
	if !itest.Soak() {
		bound = 2 * time.Second
		t.Setenv("EVENTMPM_HANG_TIMEOUT", bound.String()) // not parallel: no other server starts meanwhile
	}
	s := startServer(t, "", nil)
	cs := s.servingChildren(0)
	victim := cs[0].pid
	stopped := time.Now()
	if err := syscall.Kill(victim, syscall.SIGSTOP); err != nil {
		t.Fatal(err)
	}
	// Every thread of the child stopped: until then it may still accept a
	// connection, which would hang with it (and be reset when it is
	// killed) and fail the requests below.
	itest.Eventually(t, 5*time.Second, "the child's threads stopped", func() bool { return allThreadsStopped(victim) })
	// New clients keep being served while the child is stopped.
	served := 0
	for time.Since(stopped) < bound/2 {
		s.get(t, "/index.html")
		served++
		time.Sleep(50 * time.Millisecond)
	}
	waitGone(t, []int{victim}, bound+15*time.Second, "the stopped child killed")
	took := time.Since(stopped)
	itest.Eventually(t, 10*time.Second, "a replacement serving", func() bool {
		return len(s.servingChildren(0)) >= 2
	})
	t.Logf("child %d stopped; %d requests served meanwhile by the other; killed %v after the stop (bound %v)", victim, served, took.Round(100*time.Millisecond), bound)
	if took < bound-time.Second {
		t.Errorf("killed after %v, before the %v bound", took, bound)
	}
	s.waitLog("made no progress", 5*time.Second)
	checkNoLeak(t, s, []int{victim})
}

// TestStormGracefulRestarts sends a graceful restart (USR1) every 100 ms
// for 10 s (2 minutes in soak) under keep-alive load: no request fails, the
// last generation ends up serving alone, and no process or slot leaks.
func TestStormGracefulRestarts(t *testing.T) {
	s := startServer(t, "", nil)
	d := itest.Pick(10*time.Second, 2*time.Minute)
	o := loadOpts{addr: s.root.Addr(), path: "/index.html", want: []byte(indexBody), workers: 4, max: 1 << 40, dur: d + 60*time.Second}
	raw, htc := startRawLoad(t, o), startHTTPLoad(t, o)
	watch := watchSlots(s)
	first := pidsOf(s.servingChildren(0))
	restarts := 0
	for end := time.Now().Add(d); time.Now().Before(end); time.Sleep(100 * time.Millisecond) {
		if err := s.proc.Signal(syscall.SIGUSR1); err != nil {
			t.Fatal(err)
		}
		restarts++
	}
	itest.Eventually(t, 30*time.Second, "the last generation serving alone", func() bool {
		gen := s.snapshot().Generation
		return gen > 0 && len(s.servingChildren(gen)) >= s.starts && len(s.children()) == len(s.servingChildren(gen))
	})
	time.Sleep(500 * time.Millisecond)
	rs, hs := raw.stop(), htc.stop()
	peak := watch()
	t.Logf("%d graceful restarts in %v, generation %d; raw clients: %v; net/http clients: %v", restarts, d, s.snapshot().Generation, rs, hs)
	t.Logf("errors: raw %v; net/http %v", rs.errs, hs.errs)
	t.Logf("process slots in use: at most %d of %d, at most %d held by old generations", peak.inUse, peak.total, peak.old)
	if rs.Failed != 0 || hs.Failed != 0 {
		t.Errorf("failed requests: got %d raw and %d net/http, want none", rs.Failed, hs.Failed)
	}
	checkNeverFull(t, s, peak)
	checkNoLeak(t, s, first)
}

// snapshot returns the load loop's counts so far, while it runs.
func (l *load) snapshot() loadStats {
	l.mu.Lock()
	defer l.mu.Unlock()
	return l.stats
}
