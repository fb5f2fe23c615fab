package supervisor_test

import (
	"crypto/sha256"
	"fmt"
	"io"
	"net"
	"os"
	"slices"
	"strings"
	"sync"
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
		itest.Eventually(t, 5*time.Second, "child stopped", func() bool {
			st, ok := procStat(pin.stopped)
			return ok && st.state == 'T'
		})
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

// TestMaxConnectionsPerChild runs keep-alive clients that open a new
// connection every 10 requests against children that stop after 50
// connections: children recycle (new pids keep appearing, each replaced
// at once) and no request fails.
func TestMaxConnectionsPerChild(t *testing.T) {
	s := startServer(t, "MaxConnectionsPerChild 50\nMaxKeepAliveRequests 10\n", nil)
	defer func() {
		if t.Failed() {
			t.Logf("children at the end: %+v", s.children())
			t.Logf("error log:\n%s", s.errorLog())
		}
	}()
	first := pidsOf(s.servingChildren(0))
	seen := watchPIDs(s)
	const max int64 = 3000
	o := loadOpts{addr: s.root.Addr(), path: "/index.html", want: []byte(indexBody), workers: 4, max: max, dur: 30 * time.Second}
	raw, htc := startRawLoad(t, o), startHTTPLoad(t, o)
	rs, hs := raw.wait(), htc.wait()
	pids := seen()
	t.Logf("raw clients: %v; errors %v", rs, rs.errs)
	t.Logf("net/http clients: %v; errors %v", hs, hs.errs)
	t.Logf("children seen: %d (first %v)", len(pids), first)
	if rs.Failed != 0 || hs.Failed != 0 {
		t.Errorf("failed requests: got %d raw and %d net/http, want none", rs.Failed, hs.Failed)
	}
	if got, want := rs.Requests+rs.Races+hs.Requests, 2*max; got != want {
		t.Errorf("requests answered: got %d, want %d", got, want)
	}
	// 2×max/10 connections at 50 a child: the children were recycled
	// several times over.
	if want := int(2*max/10/50) / 2; len(pids) < len(first)+want {
		t.Errorf("children seen: got %d, want at least %d (recycled)", len(pids), len(first)+want)
	}
	waitGone(t, first, 10*time.Second, "the first children gone")
	// Recycling never leaves fewer children than it replaced; spare-thread
	// maintenance may have added one while the load kept the workers busy
	// (MinSpareThreads is one child's workers here), and a third child's
	// four idle workers are within MaxSpareThreads.
	itest.Eventually(t, 10*time.Second, "two children serving", func() bool {
		return len(s.servingChildren(0)) >= 2
	})
}

// TestRecycleWithoutFreeSlot: ServerLimit 1 gives the scoreboard two
// process slots, and every child stops after one connection. A slow
// download keeps the first child draining; its replacement serves one
// request and drains too, with no slot free for the next child. The
// draining child is not stopped hard to make room (its download completes
// byte for byte), and the owed child starts as soon as the second child's
// slot comes free.
func TestRecycleWithoutFreeSlot(t *testing.T) {
	big := randomBody(bigSize)
	s := startServerN(t, "ServerLimit 1\nStartServers 1\nMaxRequestWorkers 4\nMaxConnectionsPerChild 1\n",
		map[string]string{"big.bin": big}, 1)
	defer func() {
		if t.Failed() {
			t.Logf("children at the end: %+v", s.children())
		}
	}()
	// The start-up check's connection recycled a child already: wait until
	// one child serves and no other is left.
	var first []int
	itest.Eventually(t, ioWait, "one child serving, alone", func() bool {
		first = pidsOf(s.servingChildren(0))
		return len(first) == 1 && len(s.children()) == 1
	})
	started, done := slowDownload(s.root.Addr(), "/big.bin", bigSize, 5*time.Second)
	<-started // the first child drains, a second child replaces it
	var second []int
	itest.Eventually(t, ioWait, "a second child serving", func() bool {
		second = pidsOf(s.servingChildren(0))
		return len(second) == 1 && second[0] != first[0]
	})
	s.get(t, "/") // the second child drains too; both slots are taken
	waitGone(t, second, ioWait, "the second child gone")
	itest.Eventually(t, ioWait, "a third child serving", func() bool {
		cs := pidsOf(s.servingChildren(0))
		return len(cs) == 1 && cs[0] != first[0] && cs[0] != second[0]
	})
	select {
	case dl := <-done:
		t.Fatalf("the slow download ended before the third child served (%v, %d bytes): the test proves nothing", dl.err, dl.n)
	default:
	}
	s.get(t, "/")
	dl := <-done
	if dl.err != nil || dl.n != bigSize || dl.sum != sha256.Sum256([]byte(big)) {
		t.Errorf("slow download from the draining child: got %d bytes, err %v, want all %d intact", dl.n, dl.err, bigSize)
	}
	waitGone(t, first, ioWait, "the first child gone")
	if log := s.errorLog(); strings.Contains(log, "slots exhausted") {
		t.Errorf("a draining child was stopped hard to make room:\n%s", log)
	}
}

// watchPIDs samples the scoreboard every 10 ms until the returned function
// is called (or the test ends), and returns every child pid it saw.
func watchPIDs(s *server) func() map[int]bool {
	stop, done := make(chan struct{}), make(chan map[int]bool, 1)
	var once sync.Once
	var seen map[int]bool
	finish := func() map[int]bool {
		once.Do(func() { close(stop); seen = <-done })
		return seen
	}
	s.t.Cleanup(func() { finish() })
	go func() {
		seen := map[int]bool{}
		tk := time.NewTicker(10 * time.Millisecond)
		defer tk.Stop()
		for {
			for _, c := range s.children() {
				seen[c.pid] = true
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

// spareConf is one child of four workers at start, room for four, and
// spare-thread bounds of one and a bit children: MinSpareThreads 4,
// MaxSpareThreads 9 (Apache's floor: MinSpareThreads+ThreadsPerChild+1).
const spareConf = `StartServers 1
MinSpareThreads 4
MaxSpareThreads 9
MaxRequestWorkers 16
`

// TestSpareThreadMaintenance opens a burst of slow downloads (a large
// file its clients do not read), which a child counts as connections that
// need a worker (write completion): each child stops accepting after 12
// (ThreadsPerChild + AsyncRequestWorkerFactor × idle workers), its idle
// workers stop counting, and the supervisor adds children. When the burst
// ends the children accept again, idle workers exceed MaxSpareThreads and
// the supervisor stops one child a second until they do not. The
// scoreboard is sampled all along. (A request head that never ends does
// not count: it waits for the client in the event loop, holding no worker.)
func TestSpareThreadMaintenance(t *testing.T) {
	root := itest.NewRoot(t, baseConf+spareConf, map[string]string{"index.html": indexBody})
	// 64 MiB, sparse: more than the loopback socket buffers hold.
	f, err := os.Create(root.Path("htdocs", "big.bin"))
	if err != nil {
		t.Fatal(err)
	}
	if err := f.Truncate(64 << 20); err != nil {
		t.Fatal(err)
	}
	f.Close()
	s := runServer(t, root, 1)
	var tl timeline
	sample := func(phase string) {
		cs, idle, accepting := 0, 0, 0
		for _, c := range s.children() {
			if c.gen != 0 || c.quiescing != 0 {
				continue
			}
			cs++
			if c.accepting {
				accepting++
				idle += c.ready
			}
		}
		tl.add(phase, cs, idle, accepting)
	}
	sample("start")

	var burst []net.Conn
	defer func() {
		for _, c := range burst {
			c.Close()
		}
	}()
	for range 40 {
		c, err := net.DialTimeout("tcp", s.root.Addr(), ioWait)
		if err != nil {
			t.Fatal(err)
		}
		if _, err := io.WriteString(c, "GET /big.bin HTTP/1.1\r\nHost: localhost\r\n\r\n"); err != nil {
			t.Fatal(err)
		}
		burst = append(burst, c)
	}
	deadline := time.Now().Add(15 * time.Second)
	for time.Now().Before(deadline) && tl.last().children < 3 {
		time.Sleep(100 * time.Millisecond)
		sample("burst")
	}
	grown := tl.peak()
	for _, c := range burst {
		c.Close()
	}
	burst = nil
	deadline = time.Now().Add(20 * time.Second)
	for time.Now().Before(deadline) && (tl.last().children > 2 || tl.last().idle > 9) {
		time.Sleep(100 * time.Millisecond)
		sample("after")
	}
	t.Logf("scoreboard over time (current generation, serving children):\n%s", &tl)
	if grown < 3 {
		t.Errorf("children during the burst: got at most %d, want at least 3", grown)
	}
	if end := tl.last(); end.children > 2 || end.idle > 9 {
		t.Errorf("after the burst: got %d children and %d idle workers, want at most 2 and at most MaxSpareThreads 9", end.children, end.idle)
	}
	s.get(t, "/")
}

// timeline is the scoreboard sampled over time.
type timeline struct {
	start   time.Time
	samples []sample
}

type sample struct {
	at                        time.Duration
	phase                     string
	children, idle, accepting int
}

func (tl *timeline) add(phase string, children, idle, accepting int) {
	if tl.start.IsZero() {
		tl.start = time.Now()
	}
	tl.samples = append(tl.samples, sample{time.Since(tl.start), phase, children, idle, accepting})
}

func (tl *timeline) last() sample { return tl.samples[len(tl.samples)-1] }

func (tl *timeline) peak() int {
	n := 0
	for _, s := range tl.samples {
		n = max(n, s.children)
	}
	return n
}

// String lists the samples where something changed.
func (tl *timeline) String() string {
	var b strings.Builder
	var prev sample
	for i, s := range tl.samples {
		if i > 0 && s.phase == prev.phase && s.children == prev.children && s.idle == prev.idle && s.accepting == prev.accepting {
			continue
		}
		fmt.Fprintf(&b, "  %5.1fs %-5s children %d, accepting %d, idle workers %d\n", s.at.Seconds(), s.phase, s.children, s.accepting, s.idle)
		prev = s
	}
	return b.String()
}
