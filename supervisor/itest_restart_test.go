package supervisor_test

import (
	"crypto/sha256"
	"strings"
	"sync"
	"syscall"
	"testing"
	"time"

	"eventmpm/internal/itest"
)

// bigSize is the size of the file slow downloads fetch.
const bigSize = 4 << 20

// TestGracefulUnderLoad runs `graceful` while keep-alive clients send
// tens of thousands of requests and a slow download, started before the
// restart, is in flight: no request fails, the download completes byte
// for byte from the old child, which shows G while it drains and exits
// when it is done.
func TestGracefulUnderLoad(t *testing.T) {
	big := randomBody(bigSize)
	s := startServer(t, "", map[string]string{"big.bin": big})
	started, done := slowDownload(s.root.Addr(), "/big.bin", bigSize, 6*time.Second)
	<-started
	old := pidsOf(s.servingChildren(0))

	max := int64(10000)
	if testing.Short() {
		max = 2000
	}
	o := loadOpts{addr: s.root.Addr(), path: "/index.html", want: []byte(indexBody), workers: 4, max: max, dur: 20 * time.Second}
	raw, htc := startRawLoad(t, o), startHTTPLoad(t, o)
	time.Sleep(500 * time.Millisecond)

	if r := cli(t, s.root, "graceful"); r.code != 0 {
		t.Fatalf("graceful: got exit %d (%s), want 0", r.code, r.stderr)
	}
	s.waitGeneration(1, 30*time.Second)
	select {
	case dl := <-done:
		t.Fatalf("the slow download ended before the new generation served (%v, %d bytes): the test proves nothing", dl.err, dl.n)
	default:
	}
	draining := 0
	for _, c := range s.children() {
		if c.gen == 0 && c.quiescing > 0 && c.graceful > 0 {
			draining++
		}
	}
	if draining != 1 {
		t.Errorf("old children showing G while the download runs: got %d, want 1 (%+v)", draining, s.children())
	}

	rs, hs := raw.wait(), htc.wait()
	t.Logf("raw clients: %v; errors %v", rs, rs.errs)
	t.Logf("net/http clients: %v; errors %v", hs, hs.errs)
	if rs.Failed != 0 || hs.Failed != 0 {
		t.Errorf("failed requests: got %d raw and %d net/http, want none", rs.Failed, hs.Failed)
	}
	if got, want := rs.Requests+hs.Requests+rs.Races, 2*max; got != want {
		t.Errorf("requests answered: got %d, want %d", got, want)
	}

	dl := <-done
	t.Logf("slow download: %d bytes in %v, err %v", dl.n, dl.took.Round(time.Millisecond), dl.err)
	if dl.err != nil || dl.n != bigSize || dl.sum != sha256.Sum256([]byte(big)) {
		t.Errorf("slow download: got %d bytes (err %v, sha256 match %v), want the %d bytes of big.bin",
			dl.n, dl.err, dl.sum == sha256.Sum256([]byte(big)), bigSize)
	}
	waitGone(t, old, 10*time.Second, "old generation exited after draining")
	itest.Eventually(t, 5*time.Second, "scoreboard: only generation 1", func() bool {
		for _, c := range s.children() {
			if c.gen != 1 {
				return false
			}
		}
		return true
	})
}

// TestGracefulRestartsInARow runs 20 graceful restarts back to back under
// load: each waits only until the new generation serves, not for the old
// ones to finish. No request fails, the scoreboard never reports full
// (no AH03490 nor a draining child stopped hard to make room), and the
// process slots in use stay bounded.
func TestGracefulRestartsInARow(t *testing.T) {
	restarts := 20
	if testing.Short() {
		restarts = 5
	}
	s := startServer(t, "", nil)
	o := loadOpts{addr: s.root.Addr(), path: "/index.html", want: []byte(indexBody), workers: 4, max: 1 << 30, dur: 60 * time.Second}
	raw, htc := startRawLoad(t, o), startHTTPLoad(t, o)
	watch := watchSlots(s)
	for gen := 1; gen <= restarts; gen++ {
		if r := cli(t, s.root, "graceful"); r.code != 0 {
			t.Fatalf("graceful %d: got exit %d (%s), want 0", gen, r.code, r.stderr)
		}
		s.waitGeneration(gen, 30*time.Second)
	}
	rs, hs := raw.stop(), htc.stop()
	peak := watch()
	t.Logf("%d graceful restarts; raw clients: %v; errors %v", restarts, rs, rs.errs)
	t.Logf("net/http clients: %v; errors %v", hs, hs.errs)
	t.Logf("process slots in use: at most %d of %d, at most %d held by old generations", peak.inUse, peak.total, peak.old)
	if rs.Failed != 0 || hs.Failed != 0 {
		t.Errorf("failed requests: got %d raw and %d net/http, want none", rs.Failed, hs.Failed)
	}
	checkNeverFull(t, s, peak)
}

// TestGracefulSignalStorm sends 20 USR1 signals as fast as it can, under
// load: generations started and superseded before they were ready must
// not pile up in the scoreboard, the last one must serve, and no request
// fails.
func TestGracefulSignalStorm(t *testing.T) {
	s := startServer(t, "", nil)
	o := loadOpts{addr: s.root.Addr(), path: "/index.html", want: []byte(indexBody), workers: 4, max: 1 << 30, dur: 60 * time.Second}
	raw, htc := startRawLoad(t, o), startHTTPLoad(t, o)
	watch := watchSlots(s)
	for range 20 {
		if err := s.proc.Signal(syscall.SIGUSR1); err != nil {
			t.Fatal(err)
		}
		time.Sleep(10 * time.Millisecond)
	}
	s.waitLog("AH00493", 5*time.Second)
	itest.Eventually(t, 30*time.Second, "the last generation serving alone", func() bool {
		gen := s.snapshot().Generation
		cs := s.children()
		return gen > 0 && len(s.servingChildren(gen)) >= 2 && len(cs) == len(s.servingChildren(gen))
	})
	time.Sleep(500 * time.Millisecond)
	rs, hs := raw.stop(), htc.stop()
	peak := watch()
	t.Logf("generation %d after 20 USR1; raw clients: %v; errors %v", s.snapshot().Generation, rs, rs.errs)
	t.Logf("net/http clients: %v; errors %v", hs, hs.errs)
	t.Logf("process slots in use: at most %d of %d, at most %d held by old generations", peak.inUse, peak.total, peak.old)
	if rs.Failed != 0 || hs.Failed != 0 {
		t.Errorf("failed requests: got %d raw and %d net/http, want none", rs.Failed, hs.Failed)
	}
	checkNeverFull(t, s, peak)
}

// slotPeak is the most process slots a watch saw in use.
type slotPeak struct{ inUse, old, total int }

// watchSlots samples the scoreboard every 20 ms until the returned
// function is called, which returns the peaks (it is also called when the
// test ends, before the scoreboard is unmapped).
func watchSlots(s *server) func() slotPeak {
	stop, done := make(chan struct{}), make(chan slotPeak, 1)
	var once sync.Once
	var peak slotPeak
	finish := func() slotPeak {
		once.Do(func() { close(stop); peak = <-done })
		return peak
	}
	s.t.Cleanup(func() { finish() })
	go func() {
		var p slotPeak
		tk := time.NewTicker(20 * time.Millisecond)
		defer tk.Stop()
		for {
			snap := s.snapshot()
			p.total = len(snap.Processes)
			inUse, old := 0, 0
			for _, pr := range snap.Processes {
				if pr.PID != 0 {
					inUse++
					if pr.Generation != snap.Generation {
						old++
					}
				}
			}
			p.inUse, p.old = max(p.inUse, inUse), max(p.old, old)
			select {
			case <-stop:
				done <- p
				return
			case <-tk.C:
			}
		}
	}()
	return finish
}

// checkNeverFull fails the test if the error log says the scoreboard was
// full, that draining children were stopped to make room, or that a child
// could not be started.
func checkNeverFull(t *testing.T, s *server, p slotPeak) {
	t.Helper()
	log := s.errorLog()
	for _, bad := range []string{"AH03490", "scoreboard is full", "slots exhausted", "AH00481"} {
		if strings.Contains(log, bad) {
			t.Errorf("error log has %q:\n%s", bad, grepLines(log, bad))
		}
	}
	if p.inUse > p.total {
		t.Errorf("process slots in use: got %d, want at most the %d there are", p.inUse, p.total)
	}
}

// grepLines returns the lines of s that contain sub.
func grepLines(s, sub string) string {
	var out []string
	for _, l := range strings.Split(s, "\n") {
		if strings.Contains(l, sub) {
			out = append(out, l)
		}
	}
	return strings.Join(out, "\n")
}
