package supervisor_test

import (
	"crypto/sha256"
	"fmt"
	"strconv"
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

	const max int64 = 10000
	o := loadOpts{addr: s.root.Addr(), path: "/index.html", want: []byte(indexBody), workers: 4, max: max, dur: 20 * time.Second}
	loadStart := time.Now()
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
	// The old generation is told to drain once the new one is ready, a
	// moment after it shows up serving: wait for the G, while the download
	// still runs.
	draining := func() int {
		n := 0
		for _, c := range s.children() {
			if c.gen == 0 && c.quiescing > 0 && c.graceful > 0 {
				n++
			}
		}
		return n
	}
	itest.Eventually(t, ioWait, "one old child showing G while the download runs", func() bool {
		select {
		case dl := <-done:
			t.Fatalf("the slow download ended before an old child showed G (%v, %d bytes; children %+v)", dl.err, dl.n, s.children())
		default:
		}
		return draining() == 1
	})

	rs, hs := raw.wait(), htc.wait()
	t.Logf("raw clients: %v; errors %v", rs, rs.errs)
	t.Logf("net/http clients: %v; errors %v", hs, hs.errs)
	if rs.Failed != 0 || hs.Failed != 0 {
		t.Errorf("failed requests: got %d raw and %d net/http, want none", rs.Failed, hs.Failed)
	}
	// Every request a client made is counted as answered, failed or a
	// keep-alive race, so with none failed nothing was lost. The clients
	// stop at their budget or at the deadline, whichever comes first: on
	// a loaded machine the deadline may, which loses nothing; stopping
	// before both would mean a client gave up.
	switch got, want := rs.Requests+hs.Requests+rs.Races, 2*max; {
	case got == want:
	case time.Since(loadStart) < o.dur:
		t.Errorf("requests answered: got %d, want %d before the %v deadline", got, want, o.dur)
	default:
		t.Logf("the %v deadline came before the budget: %d of %d requests made, all answered", o.dur, got, want)
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
	const restarts = 20
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

// TestBrokenConfigKeepsServing breaks the configuration of a running
// server under load: the graceful and restart verbs refuse with the error
// and exit 1 without signalling (SPEC.md 4.3); raw USR1 and HUP make the
// supervisor log the error with its file and line and keep the running
// generation serving (SPEC.md 0); the warnings read before the error
// come first, as at start. Fixed again, graceful works.
func TestBrokenConfigKeepsServing(t *testing.T) {
	s := startServer(t, "", nil)
	o := loadOpts{addr: s.root.Addr(), path: "/index.html", want: []byte(indexBody), workers: 2, max: 1 << 30, dur: 60 * time.Second}
	raw, htc := startRawLoad(t, o), startHTTPLoad(t, o)
	kids := pidsOf(s.servingChildren(0))

	s.root.WriteConf(t, baseConf+"ServerAdmin ${EVENTMPM_TEST_UNDEFINED}\nBogusDirective on\n")
	line := strings.Count(baseConf, "\n") + 1
	conf := s.root.Path("conf", "eventmpm.conf")
	warning := fmt.Sprintf("%s:%d: AH00111: Config variable ${EVENTMPM_TEST_UNDEFINED} is not defined", conf, line)
	want := fmt.Sprintf("AH00526: Syntax error on line %d of %s", line+1, conf)
	for _, args := range [][]string{{"graceful"}, {"-k", "graceful"}, {"restart"}, {"-k", "restart"}} {
		r := cli(t, s.root, args...)
		if r.code != 1 || !strings.Contains(r.stderr, want) || !strings.Contains(r.stderr, warning) {
			t.Errorf("eventmpm %v with a broken config: got exit %d, stderr %q; want 1, %q and %q", args, r.code, r.stderr, warning, want)
		}
	}
	for _, sig := range []struct {
		sig  syscall.Signal
		what string
	}{{syscall.SIGUSR1, "graceful restart"}, {syscall.SIGHUP, "restart"}} {
		if err := s.proc.Signal(sig.sig); err != nil {
			t.Fatal(err)
		}
		s.waitLog("] "+sig.what+" aborted, generation 0 keeps serving: "+want, 10*time.Second)
	}
	log := s.errorLog()
	if n := strings.Count(log, warning); n != 2 {
		t.Errorf("error log: got the warning before the error %d times, want 2 (one per signal):\n%s", n, log)
	} else if strings.Index(log, warning) > strings.Index(log, want) {
		t.Errorf("error log: the warning comes after the error, want it before:\n%s", log)
	}
	for _, code := range []string{"AH00493", "AH00494"} {
		if n := strings.Count(log, code); n != 1 {
			t.Errorf("error log: got %d %s lines, want 1 (the raw signal's; the verbs send nothing)", n, code)
		}
	}
	time.Sleep(300 * time.Millisecond)
	if got := pidsOf(s.servingChildren(0)); !equalInts(got, kids) || s.snapshot().Generation != 0 {
		t.Errorf("after the broken restarts: got generation %d children %v, want generation 0 children %v",
			s.snapshot().Generation, got, kids)
	}
	rs, hs := raw.stop(), htc.stop()
	t.Logf("raw clients: %v; errors %v", rs, rs.errs)
	t.Logf("net/http clients: %v; errors %v", hs, hs.errs)
	if rs.Failed+rs.Races+hs.Failed+hs.Retries != 0 {
		t.Errorf("requests: got %d raw failures, %d raw races, %d net/http failures, %d retries; want none, the children never changed",
			rs.Failed, rs.Races, hs.Failed, hs.Retries)
	}

	s.root.WriteConf(t, baseConf)
	if r := cli(t, s.root, "graceful"); r.code != 0 {
		t.Fatalf("graceful with the config fixed: got exit %d (%s), want 0", r.code, r.stderr)
	}
	s.waitGeneration(1, 30*time.Second)
	s.get(t, "/")
}

// TestRestartCounters checks the counters across restarts (SPEC.md 4.1):
// a graceful restart keeps Total Accesses, a hard restart (`restart`,
// SIGHUP) zeroes them, as `eventmpm status --auto` shows.
func TestRestartCounters(t *testing.T) {
	t.Parallel()
	s := startServer(t, "", nil)
	o := loadOpts{addr: s.root.Addr(), path: "/index.html", want: []byte(indexBody), workers: 2, max: 300, dur: 30 * time.Second}
	if st := startRawLoad(t, o).wait(); st.Requests != o.max {
		t.Fatalf("load: got %v, want %d requests", st, o.max)
	}
	before := totalAccesses(t, s)
	if before < o.max {
		t.Fatalf("Total Accesses after %d requests: got %d", o.max, before)
	}
	steps := []struct {
		verb string
		gen  int
		kept bool
	}{
		{verb: "graceful", gen: 1, kept: true},
		{verb: "restart", gen: 2, kept: false},
	}
	for _, st := range steps {
		if r := cli(t, s.root, st.verb); r.code != 0 {
			t.Fatalf("%s: got exit %d (%s), want 0", st.verb, r.code, r.stderr)
		}
		s.waitGeneration(st.gen, 30*time.Second)
		got := totalAccesses(t, s)
		if kept := got >= before; kept != st.kept {
			t.Errorf("Total Accesses after %s: got %d (before %d), want kept %v", st.verb, got, before, st.kept)
		}
		t.Logf("Total Accesses: %d before %s, %d after", before, st.verb, got)
		before = got
	}
}

// totalAccesses reads Total Accesses from `eventmpm status --auto`.
func totalAccesses(t *testing.T, s *server) int64 {
	t.Helper()
	r := cli(t, s.root, "status", "--auto")
	if r.code != 0 {
		t.Fatalf("status --auto: got exit %d (%s)", r.code, r.stderr)
	}
	for _, line := range strings.Split(r.stdout, "\n") {
		if v, ok := strings.CutPrefix(line, "Total Accesses: "); ok {
			n, err := strconv.ParseInt(v, 10, 64)
			if err != nil {
				t.Fatalf("status --auto: %q", line)
			}
			return n
		}
	}
	t.Fatalf("status --auto: no Total Accesses in\n%s", r.stdout)
	return 0
}
