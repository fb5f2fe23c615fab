package shm

import (
	"bytes"
	"os"
	"os/exec"
	"strings"
	"testing"
	"time"
)

// TestProcessClaim: a slot is taken by one CAS from pid 0; the same pid may
// claim again (parent and child both claim), another may not.
func TestProcessClaim(t *testing.T) {
	s, _ := createTest(t, testLayout)
	p := s.Process(2)
	tests := []struct {
		pid, gen int
		want     bool
	}{
		{1000, 3, true}, {1000, 3, true}, {2000, 3, false}, {0, 3, false}, {-1, 3, false},
	}
	for _, tt := range tests {
		if got := p.Claim(tt.pid, tt.gen); got != tt.want {
			t.Errorf("Claim(%d, %d): got %v, want %v", tt.pid, tt.gen, got, tt.want)
		}
	}
	if p.PID() != 1000 || p.Generation() != 3 || p.Slot() != 2 {
		t.Errorf("after Claim: got pid %d gen %d slot %d, want 1000 3 2", p.PID(), p.Generation(), p.Slot())
	}
	if p.StartTime().IsZero() || p.LastHeartbeat().IsZero() {
		t.Errorf("Claim did not stamp start time and heartbeat")
	}
	// Bits the child set before the parent's claim survive it.
	q := s.Process(3)
	q.SetNotAccepting(true)
	if !q.Claim(1001, 3) || !q.NotAccepting() || q.PID() != 1001 {
		t.Errorf("Claim after SetNotAccepting: got pid %d notAccepting %v", q.PID(), q.NotAccepting())
	}
}

func TestProcessCounters(t *testing.T) {
	s, _ := createTest(t, testLayout)
	p := s.Process(2)
	p.Claim(1000, 3)
	p.SetNotAccepting(true)
	p.SetQuiescing(1)
	if p.Quiescing() != 1 || !p.NotAccepting() || p.PID() != 1000 || p.Generation() != 3 {
		t.Errorf("state word: got q=%d na=%v pid=%d gen=%d, want 1 true 1000 3", p.Quiescing(), p.NotAccepting(), p.PID(), p.Generation())
	}
	p.SetQuiescing(2)
	p.SetNotAccepting(false)
	p.SetConnCounts(10, 1, 5, 2, 1, 0)
	p.AddAccepted(7)
	p.SetCPU(1500*time.Millisecond, 250*time.Millisecond)
	hb := time.Unix(1_700_000_123, 456_000)
	p.Heartbeat(hb)

	var snap Snapshot
	s.Snapshot(&snap)
	got := snap.Processes[2]
	want := ProcessInfo{PID: 1000, Generation: 3, Quiescing: 2, Connections: 10, WriteCompletion: 1, KeepAlive: 5,
		LingeringClose: 2, WaitIO: 1, Heartbeat: got.Heartbeat, StartTime: got.StartTime, Accepted: 7,
		CPUUser: 1500 * time.Millisecond, CPUSystem: 250 * time.Millisecond}
	if got != want || !got.Heartbeat.Equal(hb) {
		t.Errorf("ProcessInfo:\n got %+v\nwant %+v (heartbeat %v)", got, want, hb)
	}
}

func TestProcessRelease(t *testing.T) {
	s, _ := createTest(t, testLayout)
	p := s.Process(1)
	p.Claim(1000, 3)
	p.SetQuiescing(2)
	p.AddAccepted(3)
	w := p.Worker(1)
	w.Start(1000, 3)
	w.SetStatus(BusyWrite)
	w.EndRequest(100, time.Millisecond)
	exited := p.Worker(2) // a worker that left by SetStatus(Dead), not MarkDead
	exited.Start(1000, 3)
	exited.EndRequest(200, time.Millisecond)
	exited.SetStatus(Dead)
	p.Release()
	var snap Snapshot
	s.Snapshot(&snap)
	for th, acc := range map[int]int64{1: 1, 2: 1} {
		got := snap.WorkerAt(1, th)
		if got.Status != Dead || got.MyAccessCount != 0 || got.MyBytesServed != 0 || got.ConnCount != 0 || got.AccessCount != acc {
			t.Errorf("worker %d after Release: got %+v, want Dead, per-child counters zero, access_count %d", th, got, acc)
		}
	}
	if p.PID() != 0 || p.Quiescing() != 0 || p.Accepted() != 0 || !p.StartTime().IsZero() {
		t.Errorf("after Release: pid %d quiescing %d accepted %d start %v, want zeros", p.PID(), p.Quiescing(), p.Accepted(), p.StartTime())
	}
	if got := w.Status(); got != Dead {
		t.Errorf("worker after Release: got %v, want %v", got, Dead)
	}
	if !p.Claim(3000, 4) {
		t.Errorf("Claim after Release: got false, want true")
	}
}

func TestWorkerLifecycle(t *testing.T) {
	s, _ := createTest(t, testLayout)
	w := s.Worker(1, 3)
	if !w.Start(4242, 5) {
		t.Fatalf("Start of a Dead slot: got false, want true")
	}
	if w.Start(4243, 5) {
		t.Errorf("Start of a Starting slot: got true, want false")
	}
	steps := []struct {
		to, prev Status
	}{
		{Ready, Starting}, {BusyRead, Ready}, {BusyWrite, BusyRead}, {BusyLog, BusyWrite}, {Ready, BusyLog},
	}
	for _, st := range steps {
		if got := w.SetStatus(st.to); got != st.prev {
			t.Errorf("SetStatus(%v): got previous %v, want %v", st.to, got, st.prev)
		}
	}
	if w.Generation() != 5 || w.PID() != 4242 {
		t.Errorf("generation/pid: got %d/%d, want 5/4242", w.Generation(), w.PID())
	}
	start := time.Unix(1_700_000_000, 0)
	for i := range 3 {
		w.BeginRequest(start.Add(time.Duration(i) * time.Second))
		w.EndRequest(1000, 20*time.Millisecond)
	}
	w.SetRequestInfo([]byte("192.0.2.1"), []byte("GET /index.html HTTP/1.1"), []byte("www.example.com:80"), []byte("HTTP/1.1"))

	var snap Snapshot
	s.Snapshot(&snap)
	got := snap.WorkerAt(1, 3)
	if got.AccessCount != 3 || got.MyAccessCount != 3 || got.ConnCount != 3 ||
		got.BytesServed != 3000 || got.MyBytesServed != 3000 || got.ConnBytes != 3000 {
		t.Errorf("counters: got %+v", got)
	}
	if got.Duration != 60*time.Millisecond || got.LastRequest != 20*time.Millisecond {
		t.Errorf("durations: got %v/%v, want 60ms/20ms", got.Duration, got.LastRequest)
	}
	if want := start.Add(2*time.Second + 20*time.Millisecond); !got.StopTime.Equal(want) || !got.LastUsed.Equal(want) {
		t.Errorf("stop/last used: got %v/%v, want %v", got.StopTime, got.LastUsed, want)
	}
	for _, f := range []struct{ got, want string }{
		{string(Text(got.Client[:])), "192.0.2.1"},
		{string(Text(got.Request[:])), "GET /index.html HTTP/1.1"},
		{string(Text(got.VHost[:])), "www.example.com:80"},
		{string(Text(got.Protocol[:])), "HTTP/1.1"},
	} {
		if f.got != f.want {
			t.Errorf("text: got %q, want %q", f.got, f.want)
		}
	}

	w.ConnReset()
	w.MarkDead()
	s.Snapshot(&snap)
	got = snap.WorkerAt(1, 3)
	if got.Status != Dead || got.ConnCount != 0 || got.ConnBytes != 0 || got.MyAccessCount != 0 || got.MyBytesServed != 0 {
		t.Errorf("after MarkDead: got %+v", got)
	}
	if got.AccessCount != 3 || got.BytesServed != 3000 || got.PID != 4242 || got.Generation != 5 {
		t.Errorf("MarkDead must keep slot counters, pid and generation: got %+v", got)
	}
	if !w.Start(5000, 6) {
		t.Errorf("Start after MarkDead: got false, want true")
	}
}

func TestSetRequestInfoTruncates(t *testing.T) {
	s, _ := createTest(t, testLayout)
	w := s.Worker(0, 0)
	long := []byte(strings.Repeat("x", 200))
	w.SetRequestInfo(long, long, long, long)
	var snap Snapshot
	s.Snapshot(&snap)
	got := snap.WorkerAt(0, 0)
	for _, f := range []struct {
		name string
		b    []byte
		n    int
	}{
		{"client", Text(got.Client[:]), ClientSize},
		{"request", Text(got.Request[:]), RequestSize},
		{"vhost", Text(got.VHost[:]), VHostSize},
		{"protocol", Text(got.Protocol[:]), ProtocolSize},
	} {
		if len(f.b) != f.n || !bytes.Equal(f.b, long[:f.n]) {
			t.Errorf("%s: got %d bytes, want %d", f.name, len(f.b), f.n)
		}
	}
	// Shorter values must clear the old tail.
	w.SetRequestInfo([]byte("a"), []byte("GET / HTTP/1.0"), nil, []byte("HTTP/1.0"))
	s.Snapshot(&snap)
	got = snap.WorkerAt(0, 0)
	if string(Text(got.Client[:])) != "a" || string(Text(got.Request[:])) != "GET / HTTP/1.0" ||
		len(Text(got.VHost[:])) != 0 || string(Text(got.Protocol[:])) != "HTTP/1.0" {
		t.Errorf("after shorter values: got %q %q %q %q", Text(got.Client[:]), Text(got.Request[:]), Text(got.VHost[:]), Text(got.Protocol[:]))
	}
}

// TestRestarts: a graceful restart moves only the generation; a hard restart
// (ResetCounters) zeroes the slots and moves restart_time.
func TestRestarts(t *testing.T) {
	s, _ := createTest(t, testLayout)
	s.SetServerInfo(ServerInfo{ServerName: "example", ThreadsPerChild: 8, ActiveDaemonsLimit: 4, MaxRequestWorkers: 32})
	s.Process(0).Claim(100, 0)
	w := s.Worker(0, 0)
	w.Start(100, 0)
	w.EndRequest(512, time.Millisecond)
	restart := s.RestartTime()

	// Graceful: the parent bumps the generation; the old child's slot stays.
	s.SetGeneration(1)
	s.Process(0).SetQuiescing(1)
	w.SetStatus(Graceful)
	var snap Snapshot
	s.Snapshot(&snap)
	if snap.Generation != 1 || snap.ConfigGeneration != 2 {
		t.Errorf("generation after graceful: got %d/%d, want 1/2", snap.Generation, snap.ConfigGeneration)
	}
	if got := snap.WorkerAt(0, 0); got.AccessCount != 1 || got.BytesServed != 512 || got.Generation != 0 {
		t.Errorf("worker after graceful: got count %d bytes %d gen %d, want 1 512 0", got.AccessCount, got.BytesServed, got.Generation)
	}
	if !snap.RestartTime.Equal(restart) {
		t.Errorf("restart time after graceful: got %v, want %v", snap.RestartTime, restart)
	}
	// The old child exits and is replaced; slot counters carry on.
	s.Process(0).Release()
	s.Process(0).Claim(101, 1)
	w.Start(101, 1)
	w.EndRequest(512, time.Millisecond)
	if got := w.AccessCount(); got != 2 {
		t.Errorf("access_count across children: got %d, want 2", got)
	}

	// Hard restart: children reaped, then ResetCounters.
	s.Process(0).Release()
	time.Sleep(2 * time.Microsecond)
	s.ResetCounters()
	s.SetGeneration(2)
	s.Snapshot(&snap)
	for i := range snap.Workers {
		if snap.Workers[i] != (WorkerInfo{}) {
			t.Fatalf("worker %d after ResetCounters: got %+v, want zero", i, snap.Workers[i])
		}
	}
	for i := range snap.Processes {
		if snap.Processes[i] != (ProcessInfo{}) {
			t.Fatalf("process %d after ResetCounters: got %+v, want zero", i, snap.Processes[i])
		}
	}
	if !snap.RestartTime.After(restart) {
		t.Errorf("restart time after ResetCounters: got %v, want after %v", snap.RestartTime, restart)
	}
	if snap.ServerName != "example" || snap.ThreadsPerChild != 8 {
		t.Errorf("ResetCounters must keep the header: got %q %d", snap.ServerName, snap.ThreadsPerChild)
	}
}

// TestTornSlot: a writer that died mid-update leaves the seqlock odd; a
// reader reports the slot Torn instead of spinning, and MarkDead repairs it.
func TestTornSlot(t *testing.T) {
	s, _ := createTest(t, testLayout)
	w := s.Worker(2, 2)
	w.Start(deadPID(t), 0)
	w.EndRequest(10, time.Millisecond)
	w.SetRequestInfo([]byte("client"), nil, nil, nil)
	seqBegin(&w.seq) // the writer "dies" here
	var snap Snapshot
	s.Snapshot(&snap)
	if got := snap.WorkerAt(2, 2); !got.Torn || got.AccessCount != 0 || len(Text(got.Client[:])) != 0 || got.Status != Starting {
		t.Errorf("torn slot: got %+v, want Torn with zero counters and status kept", got)
	}
	w.MarkDead()
	s.Snapshot(&snap)
	if got := snap.WorkerAt(2, 2); got.Torn || got.AccessCount != 1 {
		t.Errorf("after MarkDead repair: got torn=%v count=%d, want false 1", got.Torn, got.AccessCount)
	}
}

func TestSlotIndexPanics(t *testing.T) {
	s, _ := createTest(t, testLayout)
	for _, f := range []func(){
		func() { s.Process(-1) },
		func() { s.Process(testLayout.ServerLimit) },
		func() { s.Worker(0, testLayout.ThreadLimit) },
		func() { s.Worker(testLayout.ServerLimit, 0) },
	} {
		func() {
			defer func() {
				if r := recover(); r == nil {
					t.Errorf("out-of-range index: got no panic, want ErrSlot")
				}
			}()
			f()
		}()
	}
}

// deadPID returns the pid of a process that has exited and been reaped.
func deadPID(t *testing.T) int {
	t.Helper()
	cmd := exec.Command(os.Args[0], "-test.run=^$")
	if err := cmd.Run(); err != nil {
		t.Fatal(err)
	}
	return cmd.Process.Pid
}
