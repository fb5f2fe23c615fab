package shm

import (
	"bytes"
	"fmt"
	"os"
	"os/exec"
	"strconv"
	"sync"
	"testing"
	"time"
)

// The test binary re-executes itself as writer processes (TestMain). Each
// writer attaches the inherited scoreboard descriptor (fd 3) and hammers its
// own process slot and worker row while the test snapshots in a loop.
const writerEnv = "EVENTMPM_SHM_TEST_WRITER" // "slot,max iterations,max duration"

func TestMain(m *testing.M) {
	if spec := os.Getenv(writerEnv); spec != "" {
		if err := runWriter(spec); err != nil {
			fmt.Fprintln(os.Stderr, "writer:", err)
			os.Exit(1)
		}
		os.Exit(0)
	}
	os.Exit(m.Run())
}

// stressBytes is what every request of the stress writers sends, so that a
// consistent slot always has bytes == stressBytes × count.
const stressBytes = 1234

// pattern returns request i's text for one field: a run of one letter whose
// length depends on the letter, so a torn value (two letters, or a wrong
// length) is detectable; all four fields of one write use the same letter.
func pattern(i, size int) (byte, int) {
	c := byte('a' + i%26)
	return c, 1 + (int(c)*7)%size
}

func fill(buf []byte, i, size int) []byte {
	c, n := pattern(i, size)
	for j := range n {
		buf[j] = c
	}
	return buf[:n]
}

// runWriter is a writer process: one goroutine per worker slot of its row
// and one for the process slot, each running until maxIters or maxDur. It
// prints each worker's request count on stdout for the final check.
func runWriter(spec string) error {
	var slot, maxIters int
	var maxDur time.Duration
	if _, err := fmt.Sscanf(spec, "%d,%d,%d", &slot, &maxIters, &maxDur); err != nil {
		return fmt.Errorf("bad spec %q: %w", spec, err)
	}
	s, err := Attach(os.NewFile(3, "scoreboard"))
	if err != nil {
		return err
	}
	defer s.Close()
	p := s.Process(slot)
	pid := os.Getpid()
	if !p.Claim(pid, s.Generation()) {
		return fmt.Errorf("slot %d is held by pid %d", slot, p.PID())
	}
	deadline := time.Now().Add(maxDur)
	counts := make([]int, s.Layout().ThreadLimit)
	var wg sync.WaitGroup
	for th := range counts {
		wg.Go(func() { counts[th] = hammerWorker(p.Worker(th), pid, s.Generation(), maxIters, deadline) })
	}
	for i := 0; i < maxIters && time.Now().Before(deadline); i++ {
		n := int32(i % 1000)
		p.SetConnCounts(n, n, n, n, n, n)
		p.SetNotAccepting(i%2 == 0)
		p.Heartbeat(time.Now())
	}
	wg.Wait()
	for _, n := range counts {
		fmt.Println(n)
	}
	return nil
}

func hammerWorker(w *Worker, pid, gen, maxIters int, deadline time.Time) int {
	var c, r, v, pr [ClientSize]byte
	w.Start(pid, gen)
	i := 0
	for ; i < maxIters && (i%64 != 0 || time.Now().Before(deadline)); i++ {
		w.SetStatus(Status(1 + i%int(NumStatus-1)))
		w.BeginRequest(time.Now())
		w.SetRequestInfo(fill(c[:], i, ClientSize), fill(r[:], i, RequestSize), fill(v[:], i, VHostSize), fill(pr[:], i, ProtocolSize))
		w.EndRequest(stressBytes, time.Microsecond)
		if i%100 == 99 {
			w.ConnReset()
		}
	}
	w.SetStatus(Ready)
	return i
}

func TestMultiProcessSnapshots(t *testing.T) {
	const threads = 4
	writers, maxIters, maxDur := 4, 1_000_000, 2*time.Second
	if testing.Short() {
		writers, maxDur = 2, 300*time.Millisecond
	}
	// Every snapshot must be clean: no slot may be given up as Torn, however
	// long an overloaded machine parks a live writer mid-write.
	defer func(d time.Duration) { stuckWriter = d }(stuckWriter)
	stuckWriter = time.Minute
	s, _ := createTest(t, Layout{ServerLimit: writers + 1, ThreadLimit: threads})
	s.SetGeneration(3)
	outs := make([]bytes.Buffer, writers)
	done := make(chan error, writers)
	for i := range writers {
		cmd := exec.Command(os.Args[0], "-test.run=^$")
		cmd.Env = append(os.Environ(), fmt.Sprintf("%s=%d,%d,%d", writerEnv, i, maxIters, maxDur))
		cmd.ExtraFiles = []*os.File{s.File()}
		cmd.Stdout, cmd.Stderr = &outs[i], os.Stderr
		if err := cmd.Start(); err != nil {
			t.Fatalf("start writer: %v", err)
		}
		go func() { done <- cmd.Wait() }()
	}

	var snap Snapshot
	snaps, exited, ok := 0, 0, true
	for exited < writers {
		select {
		case err := <-done:
			if err != nil {
				t.Errorf("writer: %v", err)
			}
			exited++
			continue
		default:
		}
		if ok {
			s.Snapshot(&snap)
			snaps++
			ok = checkSnapshot(t, &snap) // on failure, stop checking but let the writers finish
		}
	}
	if !ok || t.Failed() {
		return
	}
	s.Snapshot(&snap)
	checkSnapshot(t, &snap)
	checkFinalCounts(t, &snap, outs, threads)
	t.Logf("%d snapshots while %d writer processes hammered %d worker slots each", snaps, writers, threads)
}

// checkFinalCounts matches each writer's printed request counts against the
// slots of the process slot it claimed.
func checkFinalCounts(t *testing.T, snap *Snapshot, outs []bytes.Buffer, threads int) {
	t.Helper()
	byPID := map[int]int{}
	for slot, p := range snap.Processes {
		if p.PID != 0 {
			byPID[p.PID] = slot
		}
	}
	var want []int64
	for _, out := range outs {
		for _, f := range bytes.Fields(out.Bytes()) {
			n, err := strconv.ParseInt(string(f), 10, 64)
			if err != nil {
				t.Fatalf("writer output %q: %v", out.String(), err)
			}
			want = append(want, n)
		}
	}
	var sumGot, sumWant int64
	for _, n := range want {
		sumWant += n
	}
	for _, slot := range byPID {
		for th := range threads {
			w := snap.WorkerAt(slot, th)
			sumGot += w.AccessCount
			if w.Status != Ready {
				t.Errorf("worker %d/%d final status: got %v, want %v", slot, th, w.Status, Ready)
			}
		}
	}
	if len(byPID) != len(outs) || sumGot != sumWant {
		t.Errorf("final: got %d processes with %d requests, want %d with %d", len(byPID), sumGot, len(outs), sumWant)
	}
}

// checkSnapshot verifies that every slot is a state some writer could have
// left it in.
func checkSnapshot(t *testing.T, snap *Snapshot) bool {
	t.Helper()
	ok := true
	for i := range snap.Processes {
		p := &snap.Processes[i]
		if p.PID == 0 {
			continue
		}
		if p.Generation != 3 || p.Quiescing != 0 {
			ok = false
			t.Errorf("process %d: got gen %d quiescing %d, want 3 0", i, p.Generation, p.Quiescing)
		}
		n := p.Connections
		if p.WriteCompletion != n || p.KeepAlive != n || p.LingeringClose != n || p.WaitIO != n || p.Suspended != n {
			ok = false
			t.Errorf("process %d: torn connection counters %+v", i, *p)
		}
	}
	for i := range snap.Workers {
		ok = checkWorker(t, i, &snap.Workers[i]) && ok
	}
	return ok
}

func checkWorker(t *testing.T, i int, w *WorkerInfo) bool {
	t.Helper()
	ok := true
	fail := func(format string, args ...any) {
		ok = false
		t.Errorf(format, args...)
	}
	if w.Torn || w.Status >= NumStatus {
		fail("worker %d: torn %v status %d", i, w.Torn, w.Status)
	}
	if w.Status != Dead && w.Generation != 3 {
		fail("worker %d: generation %d, want 3", i, w.Generation)
	}
	if w.BytesServed != stressBytes*w.AccessCount || w.MyBytesServed != stressBytes*w.MyAccessCount ||
		w.ConnBytes != stressBytes*w.ConnCount {
		fail("worker %d: inconsistent counters count %d bytes %d, conn %d/%d", i, w.AccessCount, w.BytesServed, w.ConnCount, w.ConnBytes)
	}
	client := Text(w.Client[:])
	if len(client) == 0 {
		return ok // not written yet
	}
	c := client[0]
	for _, f := range []struct {
		b    []byte
		size int
	}{{client, ClientSize}, {Text(w.Request[:]), RequestSize}, {Text(w.VHost[:]), VHostSize}, {Text(w.Protocol[:]), ProtocolSize}} {
		_, n := pattern(int(c-'a'), f.size)
		if len(f.b) != n || bytes.Count(f.b, []byte{c}) != n {
			fail("worker %d: torn text %q (letter %q wants %d bytes)", i, f.b, c, n)
		}
	}
	return ok
}
