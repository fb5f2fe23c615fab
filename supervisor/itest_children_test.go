package supervisor_test

import (
	"slices"
	"syscall"
	"testing"
	"time"

	"eventmpm/internal/itest"
)

// TestKillChildUnderLoad kills one child with SIGKILL while keep-alive
// clients load both. The supervisor must replace it within 2 seconds; the
// clients whose connections the surviving child holds must see no error
// at all; a client of the killed child may lose its connection once (its
// request dies with the process, which no server can prevent) and must
// then be served elsewhere; and the scoreboard must end with no busy
// worker and no slot of the dead process.
func TestKillChildUnderLoad(t *testing.T) {
	// Connections stay on their child for the whole test, so that which
	// child serves which client is known before the kill.
	s := startServer(t, "MaxKeepAliveRequests 0\nKeepAliveTimeout 30\n", nil)
	before := s.servingChildren(0)
	victim, survivor := before[0].pid, before[1].pid
	o := loadOpts{addr: s.root.Addr(), path: "/index.html", want: []byte(indexBody), workers: 2, max: 1 << 30, dur: 30 * time.Second}
	// Each child gets two raw and two net/http clients: the other child is
	// stopped while they connect, so the one running accepts them.
	var raws, https []*load
	for _, pin := range []struct{ stopped, running int }{{victim, survivor}, {survivor, victim}} {
		syscall.Kill(pin.stopped, syscall.SIGSTOP)
		raws, https = append(raws, startRawLoad(t, o)), append(https, startHTTPLoad(t, o))
		itest.Eventually(t, 10*time.Second, "clients connected", func() bool {
			n := 0
			for _, pid := range connOwners(s.root.Port, []int{pin.running}) {
				if pid == pin.running {
					n++
				}
			}
			return n >= 2*o.workers
		})
		syscall.Kill(pin.stopped, syscall.SIGCONT)
	}
	owners := connOwners(s.root.Port, pidsOf(before))
	held := 0
	for _, pid := range owners {
		if pid == victim {
			held++
		}
	}
	t.Logf("before the kill: client connections (port: child) %v", owners)
	time.Sleep(500 * time.Millisecond) // both children under load

	killed := time.Now()
	if err := syscall.Kill(victim, syscall.SIGKILL); err != nil {
		t.Fatal(err)
	}
	var replacement child
	itest.Eventually(t, 10*time.Second, "a replacement child serving", func() bool {
		for _, c := range s.servingChildren(0) {
			if !slices.Contains(pidsOf(before), c.pid) {
				replacement = c
				return true
			}
		}
		return false
	})
	took := time.Since(killed)
	t.Logf("child %d killed; child %d serves in slot %d after %v", victim, replacement.pid, replacement.slot, took)
	if took > 2*time.Second {
		t.Errorf("replacement: got %v, want within 2s", took)
	}
	time.Sleep(time.Second) // load on the new set of children
	rs, hs := stopAll(raws), stopAll(https)
	t.Logf("raw clients: %v; errors %v", rs, rs.errs)
	t.Logf("net/http clients: %v; errors %v", hs, hs.errs)

	for name, st := range map[string]loadStats{"raw": rs, "net/http": hs} {
		for port, n := range st.failPorts {
			if owners[port] != victim || n > 1 {
				t.Errorf("%s client on port %d (child %d): got %d failures, want none off the killed child %d and at most one on it",
					name, port, owners[port], n, victim)
			}
		}
		for port, n := range st.racePorts {
			if owners[port] != victim || n > 1 {
				t.Errorf("%s client on port %d (child %d): got %d closed keep-alive connections, want none off the killed child",
					name, port, owners[port], n)
			}
		}
		if st.Requests == 0 {
			t.Errorf("%s clients: no request served", name)
		}
	}
	if lost := rs.Failed + rs.Races + hs.Failed; lost > int64(held) {
		t.Errorf("requests lost with the killed child: got %d, want at most its %d connections", lost, held)
	}
	waitNoBusy(t, s, victim)
}

// waitNoBusy waits until the scoreboard shows two serving children, no
// busy worker and no trace of pid.
func waitNoBusy(t *testing.T, s *server, dead int) {
	t.Helper()
	itest.Eventually(t, 10*time.Second, "scoreboard: 2 children, no busy worker, nothing of the dead child", func() bool {
		cs := s.children()
		busy := 0
		for _, c := range cs {
			busy += c.busy
			if c.pid == dead {
				return false
			}
		}
		return len(cs) == 2 && busy == 0
	})
	snap := s.snapshot()
	for i := range snap.Workers {
		if w := &snap.Workers[i]; w.PID == dead && w.Status.Busy() {
			t.Errorf("worker %d of the dead child %d: got status %v, want not busy", i, dead, w.Status)
		}
	}
}

// stopAll stops load loops and adds up their counts.
func stopAll(ls []*load) loadStats {
	var sum loadStats
	sum.failPorts, sum.racePorts = map[int]int{}, map[int]int{}
	for _, l := range ls {
		st := l.stop()
		sum.Requests += st.Requests
		sum.Failed += st.Failed
		sum.Retries += st.Retries
		sum.Races += st.Races
		sum.Conns += st.Conns
		sum.errs = append(sum.errs, st.errs...)
		for p, n := range st.failPorts {
			sum.failPorts[p] += n
		}
		for p, n := range st.racePorts {
			sum.racePorts[p] += n
		}
	}
	return sum
}
